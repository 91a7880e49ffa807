//! The shell prints REALs digit for digit as `sqlite3` 3.40.1 does, including the values on
//! and next to a rounding tie at the 15th digit (where 3.40.1's 80-bit arithmetic decides)
//! and the 20-digit forms of quote mode. Each value is built exactly in sqlite3 with
//! `ieee754(mantissa, exponent)` and printed in list and quote mode.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::process::{Command, Stdio};

use concur::shell::real::{format_real, format_real_exact, format_real_json, format_real_quote};

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Values that are hard to print: decimal ties at the 16th digit and their neighbours, exact
/// binary halves, and random doubles of every magnitude.
fn hard_values() -> Vec<f64> {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut values = vec![
        0.0,
        -0.0,
        1.0,
        0.1,
        1e301,
        1e-300,
        5e-324,
        f64::MAX,
        1e15,
        1e16,
    ];
    for _ in 0..1500 {
        let digits = 100_000_000_000_000 + rng.below(900_000_000_000_000);
        let exponent = rng.below(60) as i32 - 30;
        let tie: f64 = format!("{digits}5e{exponent}").parse().unwrap();
        let bits = tie.to_bits();
        values.extend([f64::from_bits(bits - 1), tie, f64::from_bits(bits + 1)]);
    }
    for _ in 0..300 {
        let n = 100_000_000_000_000 + rng.below(900_000_000_000_000);
        values.push(n as f64 + 0.5);
        values.push((n * 10 + 5) as f64 / 8.0);
    }
    for _ in 0..1000 {
        let v = f64::from_bits(rng.next() & !(0x7ffu64 << 52) | ((rng.below(2046) + 1) << 52));
        values.push(v);
    }
    values
}

/// `value` as sqlite3's `ieee754(M, E)` call that builds it exactly.
fn ieee754_call(value: f64) -> String {
    let bits = value.to_bits();
    let negative = bits >> 63 == 1;
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let fraction = (bits & ((1u64 << 52) - 1)) as i64;
    let (mantissa, exponent) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    let mantissa = if negative { -mantissa } else { mantissa };
    if value == 0.0 {
        return if negative { "-0.0" } else { "0.0" }.to_string();
    }
    format!("ieee754({mantissa},{exponent})")
}

#[test]
fn reals_print_as_sqlite3_3_40_1_prints_them() {
    let values = hard_values();
    let mut script = String::from(".mode list\n");
    for v in &values {
        script.push_str(&format!("select {};\n", ieee754_call(*v)));
    }
    for mode in ["quote", "json", "insert"] {
        script.push_str(&format!(".mode {mode}\n"));
        for v in &values {
            script.push_str(&format!("select {} as x;\n", ieee754_call(*v)));
        }
    }
    let mut sqlite3 = Command::new("/usr/bin/sqlite3")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("/usr/bin/sqlite3 is needed for this test");
    // Feed the script from another thread: sqlite3 answers while it reads, and a full
    // output pipe would otherwise stop both sides.
    let mut stdin = sqlite3.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || stdin.write_all(script.as_bytes()).unwrap());
    let output = sqlite3.wait_with_output().unwrap();
    feeder.join().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4 * values.len());
    let mut mismatches = Vec::new();
    let n = values.len();
    for (i, v) in values.iter().enumerate() {
        let expected = [
            ("list", lines[i].to_string()),
            ("quote", lines[n + i].to_string()),
            ("json", lines[2 * n + i].to_string()),
            ("insert", lines[3 * n + i].to_string()),
        ];
        let ours = [
            format_real(*v),
            format_real_quote(*v),
            format!("[{{\"x\":{}}}]", format_real_json(*v)),
            format!("INSERT INTO \"table\" VALUES({});", format_real_exact(*v)),
        ];
        for ((mode, theirs), ours) in expected.iter().zip(ours) {
            if *theirs != ours {
                mismatches.push(format!("{v:e}: {mode} {theirs} vs {ours}"));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} differ:\n{}",
        mismatches.len(),
        4 * values.len(),
        mismatches[..mismatches.len().min(20)].join("\n")
    );
}
