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
            Collation::NoCase => nocase_bytes(a).cmp(nocase_bytes(b)),
            Collation::RTrim => trim_spaces(a).cmp(trim_spaces(b)),
        }
    }
}

/// The bytes NOCASE orders a text by: ASCII letters folded to lower case up to its first
/// NUL, and zeros after it. SQLite's `sqlite3StrNICmp` stops at a NUL, and past it only the
/// lengths count, so `'a\0x'` and `'a\0Y'` are equal and both sort after `'a\0'`.
pub fn nocase_bytes(s: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let mut past_nul = false;
    s.iter().map(move |&c| {
        if past_nul {
            return 0;
        }
        past_nul = c == 0;
        c.to_ascii_lowercase()
    })
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
    fn nocase_stops_at_a_nul_as_sqlite_does() {
        let cmp = |a: &[u8], b: &[u8]| Collation::NoCase.compare_bytes(a, b);
        assert_eq!(cmp(b"0.0\0A", b"0.0\0\0"), Ordering::Equal);
        assert_eq!(cmp(b"a\0x", b"A\0Y"), Ordering::Equal);
        assert_eq!(cmp(b"a\0", b"a\0x"), Ordering::Less);
        assert_eq!(cmp(b"a", b"a\0"), Ordering::Less);
        assert_eq!(cmp(b"a\0z", b"ab"), Ordering::Less);
        assert_eq!(cmp(b"ab", b"a\0z"), Ordering::Greater);
        assert_eq!(cmp(b"aB\0", b"Ab\0"), Ordering::Equal);
    }

    #[test]
    fn rtrim_ignores_trailing_spaces_only() {
        assert_eq!(Collation::RTrim.compare("a  ", "a"), Ordering::Equal);
        assert_eq!(Collation::RTrim.compare(" a", "a"), Ordering::Less);
        assert_eq!(Collation::RTrim.compare("a\t", "a"), Ordering::Greater);
    }
}
