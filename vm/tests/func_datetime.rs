//! Oracle tests of the date and time functions: fixed time values and modifiers, compared
//! with SQLite (rusqlite, bundled) call by call.

#![allow(clippy::unwrap_used)] // tests may unwrap: a failure is a test failure

mod value_support;

use concur_btree::Value;
use concur_vm::func::{FuncCall, FuncContext, FunctionRegistry};
use concur_vm::value::Collation;
use value_support::{oracle, same};

/// A clock stopped at 2023-11-14 22:13:20.123 UTC.
struct StoppedClock;

impl FuncContext for StoppedClock {
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
        4
    }
    fn now_unix_ms(&self) -> i64 {
        1_700_000_000_123
    }
}

const TIME_VALUES: &[&str] = &[
    "2023-11-14",
    "2023-11-14 22:13:20",
    "2023-11-14T22:13:20.5",
    "2023-11-14 22:13:20.123456",
    "2023-01-31 10:00",
    "2024-02-29 23:59:59.999",
    "2023-02-30",
    "2023-04-31 12:00",
    "2000-01-01",
    "1970-01-01 00:00:00",
    "0000-01-01",
    "-0044-03-15 12:00",
    "9999-12-31 23:59:59",
    "12:30",
    "12:30:45.25",
    "24:00",
    "2023-11-14 22:13:20Z",
    "2023-11-14 22:13:20 +05:30",
    "2023-11-14 22:13-08:00",
    "2023-13-01",
    "2023-11-14 25:00",
    "2023-1-14",
    "garbage",
    "",
    "2460000.5",
    "1700000000",
    " 2023-11-14",
    "2023-11-14  ",
];

const MODIFIERS: &[&str] = &[
    "+1 day",
    "-1 days",
    "+1.5 days",
    "+36 hours",
    "-90 minutes",
    "+3600 seconds",
    "+1 month",
    "-1 month",
    "+13 months",
    "+1.5 months",
    "+1 year",
    "-2000 years",
    "start of month",
    "start of year",
    "start of day",
    "weekday 0",
    "weekday 3",
    "weekday 7",
    "unixepoch",
    "auto",
    "julianday",
    "subsec",
    "utc",
    "localtime",
    "+01:30",
    "-00:00:30",
    "+0001-02-03",
    "-0000-11-00 12:00",
    "ceiling",
    "floor",
    "+1 fortnight",
    "START OF MONTH",
    "+2 DAYS",
    "bogus",
];

fn registry_call(registry: &FunctionRegistry, name: &str, args: &[Value]) -> Value {
    let mut clock = StoppedClock;
    let mut call = FuncCall {
        context: &mut clock,
        collation: Collation::Binary,
    };
    registry.call(&mut call, name, args).unwrap()
}

#[test]
fn date_functions_match_sqlite_on_fixed_inputs() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    let registry = FunctionRegistry::builtin();
    let mut differences = Vec::new();
    let mut checked = 0;
    let mut inputs: Vec<Value> = TIME_VALUES
        .iter()
        .map(|t| Value::Text(t.to_string().into()))
        .collect();
    inputs.extend([
        Value::Integer(1_700_000_000),
        Value::Real(2_460_000.25),
        Value::Integer(0),
        Value::Real(-1.5),
        Value::Integer(5_373_484),
        Value::Null,
    ]);
    let functions = ["date", "time", "datetime", "julianday", "unixepoch"];
    for input in &inputs {
        for name in functions {
            let mut cases: Vec<Vec<Value>> = vec![vec![input.clone()]];
            for m in MODIFIERS {
                cases.push(vec![input.clone(), Value::Text(m.to_string().into())]);
            }
            cases.push(vec![
                input.clone(),
                Value::Text("unixepoch".into()),
                Value::Text("start of month".into()),
                Value::Text("+1 month".into()),
                Value::Text("-1 day".into()),
            ]);
            cases.push(vec![
                input.clone(),
                Value::Text("+1 day".into()),
                Value::Text("unixepoch".into()),
            ]);
            for args in cases {
                let ours = registry_call(&registry, name, &args);
                let placeholders: Vec<String> = (1..=args.len()).map(|i| format!("?{i}")).collect();
                let sql = format!("SELECT {name}({})", placeholders.join(", "));
                let theirs = oracle(&conn, &sql, &args).unwrap();
                checked += 1;
                if !same(&ours, &theirs) {
                    differences.push(format!("{name}{args:?}: ours {ours:?}, sqlite {theirs:?}"));
                }
            }
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {checked} differ:\n{}",
        differences.len(),
        differences
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn strftime_matches_sqlite() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    let registry = FunctionRegistry::builtin();
    let formats = [
        "%d %e %f %H %j %J %m %M %s %S %w %W %Y %%",
        "%F %T %R %k %l %I %p %P %u %U %V %G %g",
        "%Y-%m-%dT%H:%M:%f",
        "plain text",
        "%",
        "%Q",
        "",
    ];
    let mut differences = Vec::new();
    for t in TIME_VALUES {
        for f in formats {
            for extra in [None, Some("subsec"), Some("+7 days")] {
                let mut args = vec![Value::Text(f.into()), Value::Text(t.to_string().into())];
                if let Some(m) = extra {
                    args.push(Value::Text(m.into()));
                }
                let ours = registry_call(&registry, "strftime", &args);
                let placeholders: Vec<String> = (1..=args.len()).map(|i| format!("?{i}")).collect();
                let sql = format!("SELECT strftime({})", placeholders.join(", "));
                let theirs = oracle(&conn, &sql, &args).unwrap();
                if !same(&ours, &theirs) {
                    differences.push(format!(
                        "strftime{args:?}: ours {ours:?}, sqlite {theirs:?}"
                    ));
                }
            }
        }
    }
    // Every day of two years, to cover week numbers and day-of-year at the edges.
    for day in 0..730 {
        let args = [
            Value::Text("%j %U %V %W %G %w %u".into()),
            Value::Text("2020-12-20".into()),
            Value::Text(format!("+{day} days").into()),
        ];
        let ours = registry_call(&registry, "strftime", &args);
        let theirs = oracle(&conn, "SELECT strftime(?1, ?2, ?3)", &args).unwrap();
        if !same(&ours, &theirs) {
            differences.push(format!(
                "strftime{args:?}: ours {ours:?}, sqlite {theirs:?}"
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{} differ:\n{}",
        differences.len(),
        differences.join("\n")
    );
}

#[test]
fn now_comes_from_the_context_clock() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    let registry = FunctionRegistry::builtin();
    let ours = registry_call(&registry, "datetime", &[Value::Text("now".into())]);
    let expected = oracle(&conn, "SELECT datetime(1700000000.123, 'unixepoch')", &[]).unwrap();
    assert_eq!(ours, expected);
    let ours = registry_call(&registry, "unixepoch", &[]);
    assert_eq!(ours, Value::Integer(1_700_000_000));
    let ours = registry_call(
        &registry,
        "time",
        &[Value::Text("now".into()), Value::Text("subsec".into())],
    );
    assert_eq!(ours, Value::Text("22:13:20.123".into()));
    assert!(!registry
        .find("date", 1)
        .map(
            |f| matches!(f, concur_vm::func::registry::FoundFunction::Scalar(s) if s.deterministic)
        )
        .unwrap());
}
