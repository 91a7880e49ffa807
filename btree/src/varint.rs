//! SQLite's variable-length integers.
//!
//! A varint is 1 to 9 bytes, big-endian. Each of the first eight bytes carries seven bits and
//! sets its high bit when another byte follows; a ninth byte, if reached, carries eight bits.
//! So values up to 0x7f take one byte, up to 0x3fff two, and any value above 2^56 - 1 nine.
//!
//! | value range            | bytes |
//! | ---------------------- | ----- |
//! | 0 ..= 0x7f             | 1     |
//! | ..= 0x3fff             | 2     |
//! | ..= 2^(7n) - 1         | n (n <= 8) |
//! | 2^56 ..= 2^64 - 1      | 9     |

/// The longest varint, in bytes.
pub const MAX_VARINT_LEN: usize = 9;

/// Decodes the varint at the start of `bytes`: `(value, length)`, or `None` when `bytes` ends
/// before the varint does.
#[inline]
pub fn read_varint(bytes: &[u8]) -> Option<(u64, usize)> {
    read_varint_inline(bytes)
}

/// [`read_varint`] forced inline, for the few hot parses that measurably gain from it (a
/// scan step's leaf cell). Forcing it everywhere costs more than it saves.
#[inline(always)]
pub(crate) fn read_varint_inline(bytes: &[u8]) -> Option<(u64, usize)> {
    match *bytes {
        [a, ..] if a < 0x80 => Some((u64::from(a), 1)),
        [a, b, ..] if b < 0x80 => Some(((u64::from(a & 0x7f) << 7) | u64::from(b), 2)),
        _ => read_long_varint(bytes),
    }
}

/// [`read_varint`] for varints of more than two bytes (or none).
fn read_long_varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    for (i, &byte) in bytes.iter().enumerate().take(MAX_VARINT_LEN) {
        if i == 8 {
            return Some(((value << 8) | u64::from(byte), 9));
        }
        value = (value << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// The number of bytes `value` takes as a varint.
pub fn varint_len(value: u64) -> usize {
    if value > 0x00ff_ffff_ffff_ffff {
        return 9;
    }
    let bits = 64 - value.leading_zeros() as usize;
    bits.div_ceil(7).max(1)
}

/// Appends `value` as a varint to `out`; returns the number of bytes written.
#[inline]
pub fn write_varint(out: &mut Vec<u8>, value: u64) -> usize {
    if value < 0x80 {
        out.push(value as u8);
        return 1;
    }
    write_long_varint(out, value)
}

/// [`write_varint`] for values of more than one byte.
fn write_long_varint(out: &mut Vec<u8>, value: u64) -> usize {
    let len = varint_len(value);
    if len == 9 {
        for i in 0..8 {
            let shift = 64 - 7 * (i + 1);
            out.push(0x80 | ((value >> shift) & 0x7f) as u8);
        }
        out.push(value as u8);
        return 9;
    }
    for i in (0..len).rev() {
        let group = ((value >> (7 * i)) & 0x7f) as u8;
        out.push(if i == 0 { group } else { group | 0x80 });
    }
    len
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_at_every_length_boundary() {
        let mut probes = vec![
            0u64,
            1,
            0x7f,
            0x80,
            0x3fff,
            0x4000,
            u64::MAX,
            i64::MAX as u64,
        ];
        for n in 1..=8 {
            let edge = 1u64 << (7 * n);
            probes.extend([edge - 1, edge, edge + 1]);
        }
        for v in probes {
            let mut buf = Vec::new();
            let n = write_varint(&mut buf, v);
            assert_eq!(n, buf.len());
            assert_eq!(n, varint_len(v));
            assert_eq!(read_varint(&buf), Some((v, n)), "value {v:#x}");
        }
    }

    #[test]
    fn nine_byte_form_uses_all_bits_of_the_last_byte() {
        let buf = [0xff; 9];
        assert_eq!(read_varint(&buf), Some((u64::MAX, 9)));
        let mut out = Vec::new();
        write_varint(&mut out, u64::MAX);
        assert_eq!(out, buf);
    }

    #[test]
    fn truncated_varint_is_none() {
        assert_eq!(read_varint(&[0x81, 0x82]), None);
        assert_eq!(read_varint(&[]), None);
    }
}
