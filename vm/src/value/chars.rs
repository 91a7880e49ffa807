//! Characters in text bytes, read as SQLite reads them.
//!
//! SQLite never checks that text is UTF-8, and its character functions step over bytes by
//! two fixed rules, which this module follows so that `length`, `substr`, `unicode`, LIKE and
//! GLOB give SQLite's answers on any bytes:
//!
//! - **Stepping** (`SQLITE_SKIP_UTF8`): a character is one byte, plus, when that byte is
//!   0xC0 or above, every continuation byte (`10xxxxxx`) after it. A continuation byte with
//!   no lead byte before it is a character of its own.
//! - **Reading** (`sqlite3Utf8Read`): a lead byte gives its low bits, each continuation byte
//!   six more. A result below 0x80 from a lead byte (an overlong form), a surrogate, or
//!   U+FFFE/U+FFFF reads as U+FFFD. A lone byte below 0xC0 reads as its own value.
//!
//! On valid UTF-8 both rules agree with Rust's `chars()`.

/// The length in bytes of the character that starts `bytes` (0 for no bytes).
pub fn char_len(bytes: &[u8]) -> usize {
    match bytes.first() {
        None => 0,
        Some(&lead) if lead < 0xc0 => 1,
        Some(_) => {
            1 + bytes
                .iter()
                .skip(1)
                .take_while(|&&b| b & 0xc0 == 0x80)
                .count()
        }
    }
}

/// The characters of `bytes`, each as its bytes.
pub fn char_slices(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        let (head, tail) = rest
            .split_at_checked(char_len(rest))
            .filter(|(c, _)| !c.is_empty())?;
        rest = tail;
        Some(head)
    })
}

/// The number of characters in `bytes`.
pub fn char_count(bytes: &[u8]) -> usize {
    char_slices(bytes).count()
}

/// The byte offset at which character `n` (counting from 0) of `bytes` starts, or the
/// length of `bytes` when it has `n` characters or fewer.
pub fn char_offset(bytes: &[u8], n: usize) -> usize {
    char_slices(bytes).take(n).map(<[u8]>::len).sum()
}

/// The code point of the character that starts `bytes`, and its length in bytes; `None`
/// for no bytes.
pub fn read_char(bytes: &[u8]) -> Option<(u32, usize)> {
    let &lead = bytes.first()?;
    if lead < 0xc0 {
        return Some((u32::from(lead), 1));
    }
    // The lead byte's payload bits, as SQLite's `sqlite3Utf8Trans1` table gives them.
    let mut c = u32::from(match lead {
        0xc0..=0xdf => lead & 0x1f,
        0xe0..=0xef => lead & 0x0f,
        0xf0..=0xf7 => lead & 0x07,
        0xf8..=0xfb => lead & 0x03,
        0xfc..=0xfd => lead & 0x01,
        _ => 0,
    });
    let mut len = 1;
    while let Some(&b) = bytes.get(len) {
        if b & 0xc0 != 0x80 {
            break;
        }
        c = c.wrapping_shl(6).wrapping_add(u32::from(b & 0x3f));
        len += 1;
    }
    if c < 0x80 || c & 0xffff_f800 == 0xd800 || c & 0xffff_fffe == 0xfffe {
        c = 0xfffd;
    }
    Some((c, len))
}

/// The code points of `bytes`, as [`read_char`] reads them one after another.
pub fn code_points(bytes: &[u8]) -> Vec<u32> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while let Some((c, len)) = bytes.get(at..).and_then(read_char) {
        out.push(c);
        at += len;
    }
    out
}

/// `bytes` up to their first NUL: SQLite hands text to most functions as a C string.
pub fn until_nul(bytes: &[u8]) -> &[u8] {
    bytes.split(|&b| b == 0).next().unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_utf8_reads_as_rust_reads_it() {
        let s = "aé€😀z";
        assert_eq!(char_count(s.as_bytes()), s.chars().count());
        let points: Vec<u32> = s.chars().map(u32::from).collect();
        assert_eq!(code_points(s.as_bytes()), points);
        assert_eq!(char_offset(s.as_bytes(), 2), "aé".len());
        assert_eq!(char_offset(s.as_bytes(), 99), s.len());
    }

    #[test]
    fn broken_sequences_read_as_sqlite_reads_them() {
        // A lead byte with no continuation is one character and reads as U+FFFD (its
        // payload is below 0x80); a lone continuation byte is a character of its own value.
        assert_eq!(code_points(b"a\xffb"), vec![0x61, 0xfffd, 0x62]);
        assert_eq!(code_points(b"\x80\xbf"), vec![0x80, 0xbf]);
        assert_eq!(char_count(b"\x80\xbf"), 2);
        // An overlong form of '/' and an encoded surrogate read as U+FFFD.
        assert_eq!(code_points(b"\xc0\xaf"), vec![0xfffd]);
        assert_eq!(code_points(b"\xed\xa0\x80"), vec![0xfffd]);
        // A lead byte takes every continuation byte that follows, however many.
        assert_eq!(char_len(b"\xe2\x82\xac\x80\x80x"), 5);
        assert_eq!(char_count(b"\xe2\x82\xac\x80\x80x"), 2);
        assert_eq!(until_nul(b"ab\0cd"), b"ab");
    }
}
