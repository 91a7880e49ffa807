//! Oracle tests of the aggregate accumulators: groups of generated rows are aggregated by
//! concur and by SQLite (rusqlite, bundled), and every result is compared by value and type.

#![allow(clippy::unwrap_used)] // tests may unwrap: a failure is a test failure

mod value_support;

use concur_btree::Value;
use concur_vm::func::{AggregateKind, Distinct, FuncError};
use concur_vm::value::Collation;
use value_support::{oracle, random_value, same, to_sql, Prng};

/// One group of rows to aggregate.
fn groups() -> Vec<Vec<Value>> {
    let mut rng = Prng::new(21);
    let mut groups = vec![
        vec![],
        vec![Value::Null, Value::Null],
        vec![Value::Integer(i64::MAX), Value::Integer(1)],
        vec![
            Value::Integer(i64::MAX),
            Value::Integer(1),
            Value::Real(0.5),
        ],
        vec![
            Value::Integer(i64::MAX),
            Value::Integer(1),
            Value::Integer(-5),
        ],
        vec![Value::Integer(i64::MIN), Value::Integer(-1)],
        vec![Value::Integer(1), Value::Integer(2), Value::Integer(3)],
        vec![Value::Real(0.1), Value::Real(0.2), Value::Real(0.3)],
        vec![Value::Real(1e308), Value::Real(1e308), Value::Real(-1e308)],
        vec![
            Value::Text("12".into()),
            Value::Text("1e3".into()),
            Value::Text("abc".into()),
        ],
        vec![
            Value::Text("b".into()),
            Value::Text("A".into()),
            Value::Text("a".into()),
        ],
        vec![
            Value::Integer(1),
            Value::Real(1.0),
            Value::Text("1".into()),
            Value::Integer(1),
        ],
        vec![
            Value::Blob(b"x".to_vec()),
            Value::Integer(2),
            Value::Null,
            Value::Text("9".into()),
        ],
        vec![Value::Real(f64::INFINITY), Value::Real(f64::NEG_INFINITY)],
        vec![
            Value::Integer(9_007_199_254_740_993),
            Value::Integer(9_007_199_254_740_993),
        ],
    ];
    for _ in 0..40 {
        let n = rng.below(12);
        groups.push((0..n).map(|_| random_value(&mut rng)).collect());
    }
    groups
}

/// Runs an accumulator over a group.
fn aggregate(
    kind: AggregateKind,
    distinct: bool,
    collation: Collation,
    rows: &[Value],
    extra: &[Value],
) -> Result<Value, FuncError> {
    let mut acc = kind.accumulator(collation);
    if distinct {
        acc = Box::new(Distinct::new(acc, collation));
    }
    for row in rows {
        let mut args = vec![row.clone()];
        args.extend_from_slice(extra);
        acc.step(&args)?;
    }
    acc.finalize()
}

#[test]
fn aggregates_match_sqlite() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute("CREATE TABLE t(g INTEGER, x)", []).unwrap();
    let groups = groups();
    for (g, rows) in groups.iter().enumerate() {
        for row in rows {
            conn.execute(
                "INSERT INTO t VALUES (?1, ?2)",
                rusqlite::params![g as i64, to_sql(row)],
            )
            .unwrap();
        }
    }
    let cases: Vec<(&str, AggregateKind, bool, Collation, Vec<Value>)> = vec![
        (
            "count(*)",
            AggregateKind::CountRows,
            false,
            Collation::Binary,
            vec![],
        ),
        (
            "count(x)",
            AggregateKind::Count,
            false,
            Collation::Binary,
            vec![],
        ),
        (
            "sum(x)",
            AggregateKind::Sum,
            false,
            Collation::Binary,
            vec![],
        ),
        (
            "total(x)",
            AggregateKind::Total,
            false,
            Collation::Binary,
            vec![],
        ),
        (
            "avg(x)",
            AggregateKind::Avg,
            false,
            Collation::Binary,
            vec![],
        ),
        (
            "min(x)",
            AggregateKind::Min,
            false,
            Collation::Binary,
            vec![],
        ),
        (
            "max(x)",
            AggregateKind::Max,
            false,
            Collation::Binary,
            vec![],
        ),
        (
            "min(x COLLATE NOCASE)",
            AggregateKind::Min,
            false,
            Collation::NoCase,
            vec![],
        ),
        (
            "max(x COLLATE NOCASE)",
            AggregateKind::Max,
            false,
            Collation::NoCase,
            vec![],
        ),
        (
            "group_concat(x)",
            AggregateKind::GroupConcat,
            false,
            Collation::Binary,
            vec![],
        ),
        (
            "group_concat(x, '-')",
            AggregateKind::GroupConcat,
            false,
            Collation::Binary,
            vec![Value::Text("-".into())],
        ),
        (
            "string_agg(x, NULL)",
            AggregateKind::GroupConcat,
            false,
            Collation::Binary,
            vec![Value::Null],
        ),
        (
            "count(DISTINCT x)",
            AggregateKind::Count,
            true,
            Collation::Binary,
            vec![],
        ),
        (
            "sum(DISTINCT x)",
            AggregateKind::Sum,
            true,
            Collation::Binary,
            vec![],
        ),
        (
            "group_concat(DISTINCT x)",
            AggregateKind::GroupConcat,
            true,
            Collation::Binary,
            vec![],
        ),
    ];
    let mut differences = Vec::new();
    for (g, rows) in groups.iter().enumerate() {
        for (sql, kind, distinct, collation, extra) in &cases {
            let ours =
                aggregate(*kind, *distinct, *collation, rows, extra).map_err(|e| e.to_string());
            let q = format!("SELECT {sql} FROM t WHERE g = ?1");
            let theirs = oracle(&conn, &q, &[Value::Integer(g as i64)]);
            let agree = match (&ours, &theirs) {
                (Ok(a), Ok(b)) => same(a, b),
                (Err(a), Err(b)) => a == b,
                _ => false,
            };
            if !agree {
                differences.push(format!(
                    "{sql} over {rows:?}: ours {ours:?}, sqlite {theirs:?}"
                ));
            }
        }
    }
    assert!(
        differences.is_empty(),
        "{} differ:\n{}",
        differences.len(),
        differences
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn sum_of_overflowing_integers_is_an_error_but_total_is_not() {
    let rows = [Value::Integer(i64::MAX), Value::Integer(1)];
    assert_eq!(
        aggregate(AggregateKind::Sum, false, Collation::Binary, &rows, &[]),
        Err(FuncError::IntegerOverflow)
    );
    assert_eq!(
        aggregate(AggregateKind::Total, false, Collation::Binary, &rows, &[]),
        Ok(Value::Real(9.223_372_036_854_776e18))
    );
    assert_eq!(
        aggregate(AggregateKind::Total, false, Collation::Binary, &[], &[]),
        Ok(Value::Real(0.0))
    );
    assert_eq!(
        aggregate(AggregateKind::Sum, false, Collation::Binary, &[], &[]),
        Ok(Value::Null)
    );
}
