//! Collating sequences: how two TEXT values compare.

use std::cmp::Ordering;

/// One of SQLite's built-in collations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Collation {
    /// Byte-wise comparison (memcmp), the default.
    #[default]
    Binary,
    /// Byte-wise after folding the 26 ASCII upper-case letters to lower case; other characters
    /// compare as they are, as in SQLite.
    NoCase,
    /// Binary, ignoring trailing spaces (U+0020 only).
    RTrim,
}

impl Collation {
    /// The collation called `name` (case-insensitive), as in `COLLATE name`.
    pub fn from_name(name: &str) -> Option<Self> {
        if name.eq_ignore_ascii_case("binary") {
            Some(Collation::Binary)
        } else if name.eq_ignore_ascii_case("nocase") {
            Some(Collation::NoCase)
        } else if name.eq_ignore_ascii_case("rtrim") {
            Some(Collation::RTrim)
        } else {
            None
        }
    }

    /// The name SQLite gives this collation.
    pub fn name(self) -> &'static str {
        match self {
            Collation::Binary => "BINARY",
            Collation::NoCase => "NOCASE",
            Collation::RTrim => "RTRIM",
        }
    }

    /// Compares two strings under this collation.
    pub fn compare(self, a: &str, b: &str) -> Ordering {
        self.compare_bytes(a.as_bytes(), b.as_bytes())
    }

    /// Compares two UTF-8 byte strings under this collation.
    pub fn compare_bytes(self, a: &[u8], b: &[u8]) -> Ordering {
        match self {
            Collation::Binary => a.cmp(b),
            Collation::NoCase => {
                let (a, b) = (a.iter(), b.iter());
                a.map(u8::to_ascii_lowercase)
                    .cmp(b.map(u8::to_ascii_lowercase))
            }
            Collation::RTrim => trim_spaces(a).cmp(trim_spaces(b)),
        }
    }
}

/// `s` without its trailing spaces (U+0020 only), as RTRIM compares it.
pub fn trim_spaces(s: &[u8]) -> &[u8] {
    let end = s.iter().rposition(|&c| c != b' ').map_or(0, |i| i + 1);
    &s[..end]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn nocase_folds_ascii_only() {
        assert_eq!(Collation::NoCase.compare("ABC", "abc"), Ordering::Equal);
        assert_eq!(Collation::NoCase.compare("abc", "ABD"), Ordering::Less);
        // Non-ASCII letters are not folded: 'É' (C3 89) vs 'é' (C3 A9).
        assert_eq!(Collation::NoCase.compare("É", "é"), Ordering::Less);
        // '_' (0x5f) sorts after upper case but before folded lower case.
        assert_eq!(Collation::NoCase.compare("_", "A"), Ordering::Less);
        assert_eq!(Collation::Binary.compare("_", "A"), Ordering::Greater);
    }

    #[test]
    fn rtrim_ignores_trailing_spaces_only() {
        assert_eq!(Collation::RTrim.compare("a  ", "a"), Ordering::Equal);
        assert_eq!(Collation::RTrim.compare(" a", "a"), Ordering::Less);
        assert_eq!(Collation::RTrim.compare("a\t", "a"), Ordering::Greater);
    }
}
