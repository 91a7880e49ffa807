//! Shared pieces of the oracle tests: a deterministic PRNG, generated SQL values, and
//! conversion to and from rusqlite so SQLite itself can judge our results.

#![allow(dead_code, clippy::unwrap_used)]

use concur_btree::{Text, Value};
use rusqlite::types::Value as SqlValue;

/// xorshift64*: small, deterministic, good enough to spread test inputs.
pub struct Prng(u64);

impl Prng {
    /// A generator seeded with `seed` (any value; zero is remapped).
    pub fn new(seed: u64) -> Prng {
        Prng(seed.max(1))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// One element of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

pub const EDGE_INTEGERS: &[i64] = &[
    0,
    1,
    -1,
    2,
    7,
    -7,
    10,
    100,
    255,
    i64::MAX,
    i64::MIN,
    i64::MAX - 1,
    i64::MIN + 1,
    9_007_199_254_740_993,
    -9_007_199_254_740_993,
    4_294_967_296,
    1_000_000_007,
    63,
    64,
    -64,
    65,
];

pub const EDGE_REALS: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -0.5,
    1.5,
    2.5,
    0.1,
    1.0 / 3.0,
    2.0 / 3.0,
    1e308,
    -1e308,
    1e-308,
    5e-324,
    1e15,
    1e16,
    1e14,
    123_456_789.123_456_79,
    9.223_372_036_854_776e18,
    -9.223_372_036_854_776e18,
    9_007_199_254_740_992.0,
    1e100,
    std::f64::consts::PI,
    f64::INFINITY,
    f64::NEG_INFINITY,
    100.0,
    0.000_123,
    1e-5,
    99.995,
];

pub const EDGE_TEXTS: &[&str] = &[
    "",
    "abc",
    "ABC",
    "12",
    "12abc",
    " 3.5e2x",
    "1e3",
    "1e",
    "1.5e",
    " 12 ",
    "\t-7\n",
    "0x10",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999",
    ".5",
    "5.",
    "-.5e-3",
    "+4",
    "-",
    "1e400",
    "héllo wörld",
    "日本語テキスト",
    "a'b",
    "  padded  ",
    "trailing   ",
    "%",
    "a_b",
    "Mixed Case Text",
    "0",
    "0.0",
    "-0",
    "1.0",
    "00012",
    "1,5",
    "abc\u{0}def",
];

pub const EDGE_BLOBS: &[&[u8]] = &[
    b"",
    b"12",
    b"\x00\xff",
    b"abc",
    b"1e3",
    b" 7 ",
    b"\xc3\xa9t\xc3\xa9",
];

/// One random value of any class, mostly from the edge lists, sometimes freshly generated.
pub fn random_value(rng: &mut Prng) -> Value {
    match rng.below(12) {
        0 => Value::Null,
        1 | 2 => Value::Integer(*rng.pick(EDGE_INTEGERS)),
        3 => Value::Integer((rng.next_u64() as i64) >> rng.below(64)),
        4 | 5 => Value::Real(*rng.pick(EDGE_REALS)),
        6 => Value::Real(random_real(rng)),
        7 | 8 => Value::Text(rng.pick(EDGE_TEXTS).to_string().into()),
        9 => Value::Text(random_numeric_text(rng).into()),
        10 => Value::Text(random_text(rng).into()),
        _ => Value::Blob(rng.pick(EDGE_BLOBS).to_vec()),
    }
}

/// A finite real of varied magnitude.
pub fn random_real(rng: &mut Prng) -> f64 {
    loop {
        let r = match rng.below(3) {
            0 => f64::from_bits(rng.next_u64()),
            1 => (rng.next_u64() as i64 as f64) / 1e6,
            _ => (rng.below(2_000_000) as f64 - 1e6) / (1u64 << rng.below(20)) as f64,
        };
        if r.is_finite() {
            return r;
        }
    }
}

/// A text that is (or starts like) a number.
pub fn random_numeric_text(rng: &mut Prng) -> String {
    let mut s = String::new();
    if rng.below(4) == 0 {
        s.push(' ');
    }
    if rng.below(3) == 0 {
        s.push('-');
    }
    for _ in 0..1 + rng.below(22) {
        s.push(char::from(b'0' + rng.below(10) as u8));
    }
    if rng.below(2) == 0 {
        s.push('.');
        for _ in 0..rng.below(6) {
            s.push(char::from(b'0' + rng.below(10) as u8));
        }
    }
    if rng.below(3) == 0 {
        s.push(*rng.pick(&['e', 'E']));
        if rng.below(2) == 0 {
            s.push(*rng.pick(&['-', '+']));
        }
        for _ in 0..rng.below(4) {
            s.push(char::from(b'0' + rng.below(10) as u8));
        }
    }
    if rng.below(4) == 0 {
        let tails: [&str; 4] = [" ", "x", "abc", "  "];
        let tail: &str = tails[rng.below(tails.len())];
        s.push_str(tail);
    }
    s
}

/// A text of mixed ASCII and non-ASCII characters.
pub fn random_text(rng: &mut Prng) -> String {
    const ALPHABET: &[char] = &[
        'a', 'b', 'c', 'A', 'B', 'Z', ' ', 'x', '0', '5', '\'', '%', '_', 'é', 'ß', 'Ω', '語',
        '😀', '.', '-',
    ];
    let len = if rng.below(10) == 0 {
        300
    } else {
        rng.below(12)
    };
    (0..len).map(|_| *rng.pick(ALPHABET)).collect()
}

/// Our value as a rusqlite value, to bind as a parameter.
pub fn to_sql(value: &Value) -> SqlValue {
    match value {
        Value::Null => SqlValue::Null,
        Value::Integer(i) => SqlValue::Integer(*i),
        Value::Real(r) => SqlValue::Real(*r),
        // The generators make UTF-8 text only, which rusqlite's `Text(String)` holds.
        Value::Text(t) => SqlValue::Text(t.to_string_lossy().into_owned()),
        Value::Blob(b) => SqlValue::Blob(b.clone()),
    }
}

/// A rusqlite value as ours.
pub fn from_sql(value: SqlValue) -> Value {
    match value {
        SqlValue::Null => Value::Null,
        SqlValue::Integer(i) => Value::Integer(i),
        SqlValue::Real(r) => Value::Real(r),
        SqlValue::Text(t) => Value::Text(t.into()),
        SqlValue::Blob(b) => Value::Blob(b),
    }
}

/// Same class and same value; reals compared bit for bit.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Real(x), Value::Real(y)) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

/// Runs `sql` with the given parameters and returns the single value it selects.
pub fn oracle(conn: &rusqlite::Connection, sql: &str, args: &[Value]) -> Result<Value, String> {
    let params: Vec<SqlValue> = args.iter().map(to_sql).collect();
    let mut stmt = conn.prepare_cached(sql).map_err(|e| e.to_string())?;
    stmt.query_row(rusqlite::params_from_iter(params.iter()), |row| {
        // Text that is not UTF-8 (a blob cast to text) is read as its bytes, as concur keeps it.
        Ok(match row.get_ref(0)? {
            rusqlite::types::ValueRef::Text(bytes) => Value::Text(Text::from_bytes(bytes.to_vec())),
            other => from_sql(SqlValue::from(other)),
        })
    })
    .map_err(|e| e.to_string())
}

/// Collects mismatches and fails with a readable list of the first few.
#[derive(Default)]
pub struct Mismatches {
    pub lines: Vec<String>,
    pub checked: usize,
}

impl Mismatches {
    /// Records a comparison.
    pub fn check(&mut self, what: &str, args: &[Value], ours: &Value, sqlite: &Value) {
        self.checked += 1;
        if !same(ours, sqlite) {
            self.lines
                .push(format!("{what} {args:?}: ours {ours:?}, sqlite {sqlite:?}"));
        }
    }

    /// Panics if any comparison failed.
    pub fn assert_none(&self) {
        assert!(
            self.lines.is_empty(),
            "{} of {} differ:\n{}",
            self.lines.len(),
            self.checked,
            self.lines
                .iter()
                .take(40)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
