//! Oracle tests of the scalar functions: each call is compared, value and type, with the same
//! call run by SQLite (rusqlite, bundled) on bound parameters.

#![allow(clippy::unwrap_used)] // tests may unwrap: a failure is a test failure

mod value_support;

use concur_btree::Value;
use concur_vm::func::{FuncCall, FuncContext, FunctionRegistry};
use concur_vm::value::Collation;
use value_support::{oracle, random_value, same, Prng};

/// A connection stand-in with fixed counters.
struct FixedContext {
    rng: Prng,
}

impl FuncContext for FixedContext {
    fn changes(&self) -> i64 {
        0
    }
    fn total_changes(&self) -> i64 {
        0
    }
    fn last_insert_rowid(&self) -> i64 {
        0
    }
    fn random_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }
    fn now_unix_ms(&self) -> i64 {
        1_700_000_000_123
    }
}

/// Runs `name(args)` both ways and records a difference (errors compared by message).
struct Harness {
    conn: rusqlite::Connection,
    registry: FunctionRegistry,
    context: FixedContext,
    differences: Vec<String>,
    checked: usize,
}

impl Harness {
    fn new() -> Harness {
        Harness {
            conn: rusqlite::Connection::open_in_memory().unwrap(),
            registry: FunctionRegistry::builtin(),
            context: FixedContext { rng: Prng::new(99) },
            differences: Vec::new(),
            checked: 0,
        }
    }

    fn check(&mut self, name: &str, args: &[Value]) {
        let mut call = FuncCall {
            context: &mut self.context,
            collation: Collation::Binary,
        };
        let ours = self
            .registry
            .call(&mut call, name, args)
            .map_err(|e| e.to_string());
        let placeholders: Vec<String> = (1..=args.len()).map(|i| format!("?{i}")).collect();
        let sql = format!("SELECT {name}({})", placeholders.join(", "));
        let theirs = oracle(&self.conn, &sql, args);
        self.checked += 1;
        let agree = match (&ours, &theirs) {
            (Ok(a), Ok(b)) => same(a, b) || long_double_noise(a, b),
            (Err(a), Err(b)) => a == b,
            _ => false,
        };
        if !agree {
            self.differences
                .push(format!("{sql} {args:?}: ours {ours:?}, sqlite {theirs:?}"));
        }
    }

    fn assert_agree(&self) {
        assert!(
            self.differences.is_empty(),
            "{} of {} calls differ:\n{}",
            self.differences.len(),
            self.checked,
            self.differences
                .iter()
                .take(40)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// SQLite scales reals in long double before taking digits, so past the 17th significant
/// digit its output can differ from the exact digits concur prints. Two texts with the same
/// non-digit skeleton that read back as the same f64 differ only there.
fn long_double_noise(a: &Value, b: &Value) -> bool {
    let numeric = |s: &str| -> Option<f64> {
        let start = s.find(|c: char| c.is_ascii_digit() || c == '-')?;
        let end = s.rfind(|c: char| c.is_ascii_digit())? + 1;
        s.get(start..end)?.parse().ok()
    };
    match (a, b) {
        (Value::Text(x), Value::Text(y)) => {
            let skeleton = |s: &str| s.replace(|c: char| c.is_ascii_digit(), "");
            let (x, y) = (&*x.to_string_lossy(), &*y.to_string_lossy());
            skeleton(x) == skeleton(y) && numeric(x).is_some() && numeric(x) == numeric(y)
        }
        _ => false,
    }
}

/// A value, often a small integer (positions, lengths, counts).
fn small_or_random(rng: &mut Prng) -> Value {
    match rng.below(3) {
        0 => random_value(rng),
        _ => Value::Integer(rng.below(16) as i64 - 6),
    }
}

#[test]
fn generic_functions_match_sqlite() {
    let mut h = Harness::new();
    let mut rng = Prng::new(11);
    let one = [
        "abs",
        "typeof",
        "sign",
        "round",
        "hex",
        "unhex",
        "quote",
        "length",
        "octet_length",
        "lower",
        "upper",
        "trim",
        "ltrim",
        "rtrim",
        "unicode",
        "char",
        "concat",
        "likely",
    ];
    let two = [
        "coalesce",
        "ifnull",
        "nullif",
        "min",
        "max",
        "round",
        "unhex",
        "trim",
        "ltrim",
        "rtrim",
        "instr",
        "concat_ws",
        "concat",
        "char",
    ];
    let three = [
        "coalesce",
        "iif",
        "min",
        "max",
        "replace",
        "concat_ws",
        "char",
    ];
    for _ in 0..300 {
        for name in one {
            let args = [random_value(&mut rng)];
            h.check(name, &args);
        }
        for name in two {
            let args = [random_value(&mut rng), small_or_random(&mut rng)];
            h.check(name, &args);
        }
        for name in three {
            let args = [
                random_value(&mut rng),
                random_value(&mut rng),
                random_value(&mut rng),
            ];
            h.check(name, &args);
        }
    }
    h.assert_agree();
}

#[test]
fn substr_matches_sqlite_for_every_start_and_length() {
    let mut h = Harness::new();
    let subjects = [
        Value::Text("héllo wörld".into()),
        Value::Text("".into()),
        Value::Blob(b"\x00\x01\x02\x03\x04".to_vec()),
        Value::Blob(Vec::new()),
        Value::Integer(-12345),
        Value::Real(1.5),
        Value::Null,
        Value::Text("ab\u{0}cd".into()),
    ];
    for s in &subjects {
        for start in -8..9 {
            h.check("substr", &[s.clone(), Value::Integer(start)]);
            for len in -8..9 {
                h.check(
                    "substr",
                    &[s.clone(), Value::Integer(start), Value::Integer(len)],
                );
            }
        }
        h.check(
            "substring",
            &[s.clone(), Value::Real(2.7), Value::Text("3x".into())],
        );
        h.check("substr", &[s.clone(), Value::Integer(4_294_967_298)]);
        h.check("substr", &[s.clone(), Value::Null]);
        h.check(
            "substr",
            &[
                s.clone(),
                Value::Integer(i64::MIN),
                Value::Integer(i64::MAX),
            ],
        );
    }
    h.assert_agree();
}

#[test]
fn like_and_glob_match_sqlite() {
    let mut h = Harness::new();
    let mut rng = Prng::new(12);
    let like_patterns = [
        "a%", "%b%", "_b%", "A_C", "%", "", "abc", "x%y", "%\\%%", "%é%", "_", "%%a", "%a_",
        "ab\\_c", "\\",
    ];
    let glob_patterns = [
        "a*",
        "*b*",
        "?b*",
        "[a-c]*",
        "*[^0-9]",
        "[]]*",
        "[a-]*",
        "*[",
        "abc",
        "*",
        "",
        "[^a-z]?",
        "?",
        "*é*",
        "[0-9][0-9]*",
    ];
    let texts = [
        "abc", "ABC", "a_c", "a%c", "xaby", "", "b", "éa", "123", "]x", "-", "x",
    ];
    for _ in 0..40 {
        let text = if rng.below(3) == 0 {
            random_value(&mut rng)
        } else {
            Value::Text(rng.pick(&texts).to_string().into())
        };
        for p in like_patterns {
            h.check("like", &[Value::Text(p.into()), text.clone()]);
            h.check(
                "like",
                &[
                    Value::Text(p.into()),
                    text.clone(),
                    Value::Text("\\".into()),
                ],
            );
        }
        for p in glob_patterns {
            h.check("glob", &[Value::Text(p.into()), text.clone()]);
        }
    }
    h.check(
        "like",
        &[
            Value::Text("a".into()),
            Value::Text("a".into()),
            Value::Text("ab".into()),
        ],
    );
    h.check("like", &[Value::Null, Value::Text("a".into())]);
    h.assert_agree();
}

#[test]
fn printf_matches_sqlite() {
    let mut h = Harness::new();
    let mut rng = Prng::new(13);
    let formats = [
        "%d", "%5d", "%-5d|", "%05d", "%+d", "% d", "%,d", "%.3d", "%i", "%u", "%x", "%X", "%#x",
        "%#o", "%o", "%08.3f", "%f", "%.2f", "%.0f", "%#.0f", "%e", "%.3e", "%E", "%g", "%G",
        "%.3g", "%#g", "%!g", "%!.20g", "%.20f", "%10.4f|", "%-10.2e|", "%+.1f", "%s", "%10s|",
        "%-10s|", "%.2s", "%!.2s", "%q", "%Q", "%w", "%c", "%5c", "%.3c", "%%", "%", "abc", "%z",
        "%r", "%n", "%*d", "%.*f", "%-*d|", "x%yz", "%lld", "%,.2f", "%!.3f", "%.15g", "%!.15g",
        "%010.2f", "%+e", "% .3e", "%.40f", "%5.1s|", "%d %s %f",
    ];
    for _ in 0..60 {
        for f in formats {
            // A '*' takes its width from the first argument: keep that small.
            let first = if f.contains('*') {
                Value::Integer(rng.below(30) as i64 - 10)
            } else {
                random_value(&mut rng)
            };
            let args = [
                Value::Text(f.into()),
                first,
                small_or_random(&mut rng),
                random_value(&mut rng),
            ];
            h.check("printf", &args);
        }
    }
    h.check("printf", &[Value::Null, Value::Integer(1)]);
    h.check("format", &[Value::Text("%s-%s".into()), Value::Integer(1)]);
    h.assert_agree();
}

#[test]
fn errors_have_sqlite_messages() {
    let mut h = Harness::new();
    h.check("abs", &[Value::Integer(i64::MIN)]);
    h.check(
        "like",
        &[
            Value::Text("a".into()),
            Value::Text("a".into()),
            Value::Text("".into()),
        ],
    );
    let registry = FunctionRegistry::builtin();
    let e = registry.find("substr", 1).unwrap_err().to_string();
    assert_eq!(e, "wrong number of arguments to function substr()");
    let e = registry.find("nosuch", 1).unwrap_err().to_string();
    assert_eq!(e, "no such function: nosuch");
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    let theirs = conn.prepare("SELECT substr(1)").unwrap_err().to_string();
    assert!(theirs.starts_with("wrong number of arguments to function substr()"));
    h.assert_agree();
}

#[test]
fn zeroblob_randomblob_and_random_have_the_right_shapes() {
    let mut h = Harness::new();
    for n in [-5i64, 0, 1, 7, 100] {
        h.check("zeroblob", &[Value::Integer(n)]);
        h.check("length", &[Value::Blob(vec![0; n.max(0) as usize])]);
    }
    let registry = FunctionRegistry::builtin();
    let mut context = FixedContext { rng: Prng::new(5) };
    let mut call = FuncCall {
        context: &mut context,
        collation: Collation::Binary,
    };
    for (n, len) in [(-1i64, 1usize), (0, 1), (5, 5), (33, 33)] {
        match registry
            .call(&mut call, "randomblob", &[Value::Integer(n)])
            .unwrap()
        {
            Value::Blob(b) => assert_eq!(b.len(), len),
            other => panic!("randomblob gave {other:?}"),
        }
    }
    let a = registry.call(&mut call, "random", &[]).unwrap();
    let b = registry.call(&mut call, "random", &[]).unwrap();
    assert!(matches!(a, Value::Integer(_)) && a != b);
    assert_eq!(
        registry.call(&mut call, "zeroblob", &[Value::Integer(2_000_000_000)]),
        Err(concur_vm::func::FuncError::TooBig)
    );
    h.assert_agree();
}

#[test]
fn nocase_collation_reaches_min_max_and_nullif() {
    let registry = FunctionRegistry::builtin();
    let mut context = FixedContext { rng: Prng::new(5) };
    let mut call = FuncCall {
        context: &mut context,
        collation: Collation::NoCase,
    };
    let args = [Value::Text("b".into()), Value::Text("A".into())];
    assert_eq!(
        registry.call(&mut call, "min", &args).unwrap(),
        Value::Text("A".into())
    );
    let args = [Value::Text("abc".into()), Value::Text("ABC".into())];
    assert_eq!(
        registry.call(&mut call, "nullif", &args).unwrap(),
        Value::Null
    );
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    let theirs: Option<String> = conn
        .query_row("SELECT nullif('abc', 'ABC' COLLATE NOCASE)", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(theirs, None);
}

#[test]
fn no_function_panics_on_any_arguments() {
    let registry = FunctionRegistry::builtin();
    let mut context = FixedContext { rng: Prng::new(3) };
    let mut rng = Prng::new(17);
    let texts = [
        "%",
        "%*.*d",
        "%.0c",
        "%-!5.3q",
        "+1 day",
        "weekday 6",
        "-99999-11-30 24:00",
        "start of",
        "+12:",
        "[",
        "\\",
        "%",
        "9999-12-31",
        "unixepoch",
        "+5373484.5 days",
        "-4713-11-24",
    ];
    let mut names: Vec<(&str, usize)> = registry
        .scalars()
        .map(|f| {
            let n = match f.arity {
                concur_vm::func::Arity::Exact(n) => n,
                concur_vm::func::Arity::AtLeast(n) => n + 2,
            };
            (f.name, n)
        })
        .collect();
    names.sort();
    for _ in 0..200 {
        for (name, n) in &names {
            // Sizes stay small where a legal argument allocates that many bytes.
            let sized = matches!(*name, "zeroblob" | "randomblob" | "printf" | "format");
            let args: Vec<Value> = (0..*n)
                .map(|_| {
                    if rng.below(3) == 0 {
                        Value::Text(rng.pick(&texts).to_string().into())
                    } else {
                        let v = random_value(&mut rng);
                        let large =
                            concur_vm::value::numeric::to_integer(&v).unsigned_abs() > 10_000;
                        if sized && large {
                            Value::Integer(7)
                        } else {
                            v
                        }
                    }
                })
                .collect();
            let mut call = FuncCall {
                context: &mut context,
                collation: Collation::NoCase,
            };
            // Any result or error is fine; a panic fails the test.
            let _ = registry.call(&mut call, name, &args);
        }
    }
}

#[test]
fn arities_and_lookup_errors_match_sqlite() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    let registry = FunctionRegistry::builtin();
    let mut names: Vec<&str> = registry.scalars().map(|f| f.name).collect();
    names.extend([
        "count",
        "sum",
        "total",
        "avg",
        "group_concat",
        "string_agg",
        "nosuchfn",
    ]);
    names.sort();
    names.dedup();
    let mut differences = Vec::new();
    for name in names {
        for n in 0..5 {
            let args: Vec<String> = (0..n).map(|_| "0.5".to_string()).collect();
            let sql = format!("SELECT {name}({})", args.join(", "));
            let theirs = conn.prepare(&sql).map(|_| ()).map_err(|e| e.to_string());
            let ours = registry
                .find(name, n)
                .map(|_| ())
                .map_err(|e| e.to_string());
            let agree = match (&ours, &theirs) {
                (Ok(()), Ok(())) => true,
                (Err(a), Err(b)) => b.starts_with(a.as_str()),
                _ => false,
            };
            if !agree {
                differences.push(format!("{sql}: ours {ours:?}, sqlite {theirs:?}"));
            }
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn case_sensitive_like_matches_the_pragma() {
    use concur_vm::func::pattern::like_with_case;
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch("PRAGMA case_sensitive_like = ON")
        .unwrap();
    for (text, pattern) in [
        ("abc", "ABC"),
        ("abc", "a%"),
        ("ABC", "a%"),
        ("aBc", "_B_"),
        ("x", "X"),
    ] {
        let theirs: bool = conn
            .query_row("SELECT ?1 LIKE ?2", [text, pattern], |r| r.get(0))
            .unwrap();
        assert_eq!(
            like_with_case(text.as_bytes(), pattern.as_bytes(), None, true).unwrap(),
            theirs,
            "{text} LIKE {pattern}"
        );
    }
}
