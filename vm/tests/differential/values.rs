//! Random SQL values as literals: every storage class, NULL, edge integers and reals, texts
//! that collide under NOCASE and RTRIM or look like numbers, long multibyte texts and blobs up
//! to tens of kilobytes.
//!
//! Blobs are built of pieces that include bytes that are not UTF-8 (a stray lead byte, a
//! lone continuation byte, a truncated sequence): text functions, `||` and CAST read a blob
//! as text, and concur must keep and read such bytes as SQLite does.

use super::rng::Rng;

/// Integers at the edges of the 64-bit range and of smaller widths.
const EDGE_INTEGERS: &[&str] = &[
    "9223372036854775807",
    "-9223372036854775808",
    "0",
    "-1",
    "1",
    "2147483647",
    "-2147483648",
    "4294967296",
    "9223372036854775806",
];

/// Reals at the edges of the double range, negative zero, integral reals.
const EDGE_REALS: &[&str] = &[
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "2.2250738585072014e-308",
    "4.9e-324",
    "-0.0",
    "0.0",
    "3.0",
    "-2.5",
    "0.5",
    "1e15",
    "123456789.125",
    "1.5e-10",
    "9.2233720368547758e18",
    "-9.2233720368547758e18",
    "100.0",
];

/// Short texts that collide under NOCASE and RTRIM, look like numbers, or are multibyte.
const SHORT_TEXTS: &[&str] = &[
    "a",
    "A",
    "a ",
    "a  ",
    "b",
    "B",
    "abc",
    "ABC",
    "Abc ",
    "",
    " ",
    "10",
    " 7",
    "7 ",
    "1e3",
    "0x10",
    "-0",
    "3.0",
    "12abc",
    "é",
    "É",
    "Ωmega",
    "日本語",
    "😀",
    "null",
    "9223372036854775808",
];

/// Characters long texts are made of: ASCII, two-, three- and four-byte UTF-8.
const TEXT_CHARS: &[char] = &[
    'a', 'Z', ' ', '0', 'é', 'ß', 'Ω', '中', '日', '😀', '\'', '%', '_',
];

/// Pieces of short blobs: NUL, ASCII, DEL, two- and four-byte characters (high bytes), and
/// bytes that are not UTF-8: a stray lead byte, a lone continuation byte, a truncated sequence.
const BLOB_PIECES: &[&[u8]] = &[
    &[0x00],
    &[0x61],
    &[0x41],
    &[0x7f],
    &[0xc3, 0xbf],
    &[0xf0, 0x9f, 0x98, 0x80],
    &[0xff],
    &[0x80],
    &[0xe2, 0x82],
];

/// A SQL string literal for `text` (quotes doubled).
pub fn quote_text(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A blob literal of `bytes`.
pub fn blob_literal(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2 + 3);
    s.push_str("x'");
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s.push('\'');
    s
}

/// A long text of `chars` characters drawn from [`TEXT_CHARS`].
pub fn long_text(rng: &mut Rng, chars: usize) -> String {
    (0..chars).map(|_| *rng.pick(TEXT_CHARS)).collect()
}

/// Any value, as a literal. Long values are rarer than short ones.
pub fn literal(rng: &mut Rng) -> String {
    match rng.below(100) {
        0..=9 => "NULL".into(),
        10..=29 => rng.range(-3, 12).to_string(),
        30..=37 => (*rng.pick(EDGE_INTEGERS)).into(),
        38..=45 => (*rng.pick(EDGE_REALS)).into(),
        46..=50 => format!(
            "{}.{}",
            rng.range(-20, 20),
            rng.pick(&["5", "25", "125", "0"])
        ),
        51..=72 => {
            let text: &&str = rng.pick(SHORT_TEXTS);
            quote_text(text)
        }
        73..=76 => {
            let n = rng.range(0, 3) as usize;
            let mut bytes = Vec::new();
            for _ in 0..n {
                let piece: &&[u8] = rng.pick(BLOB_PIECES);
                bytes.extend_from_slice(piece);
            }
            blob_literal(&bytes)
        }
        77..=78 => {
            let n = rng.range(300, 6000) as usize;
            quote_text(&long_text(rng, n))
        }
        79 => {
            let n = rng.range(1000, 40_000) as usize;
            let mut bytes = Vec::with_capacity(n + 4);
            while bytes.len() < n {
                let c = char::from_u32(rng.range(1, 0x2_0000) as u32).unwrap_or('\u{fffd}');
                let mut buf = [0; 4];
                bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            blob_literal(&bytes)
        }
        80..=83 => format!("'{}'", rng.range(-5, 15)),
        84..=86 => rng
            .pick(&["'1.5'", "'-2.0'", "' 3 '", "'1e400'", "'0.0'", "'+4'"])
            .to_string(),
        87..=89 => format!("{}", rng.range(-100_000, 100_000) * 1_000_003),
        _ => rng.range(0, 40).to_string(),
    }
}

/// A short value (no long texts or blobs): for DEFAULTs, CHECKs and comparisons.
pub fn short_literal(rng: &mut Rng) -> String {
    loop {
        let v = literal(rng);
        if v.len() < 40 {
            return v;
        }
    }
}
