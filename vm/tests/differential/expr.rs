//! Random scalar expressions over the columns in scope: arithmetic (with overflow), string
//! and comparison operators with collations, NULL logic, CASE, IN, BETWEEN, LIKE/GLOB, CAST,
//! deterministic built-in functions, and scalar, IN and EXISTS subqueries.

use super::rng::Rng;
use super::schema::{Coll, Schema};
use super::values::{literal, short_literal};

/// What an expression may refer to.
pub struct Scope<'a> {
    /// Column references as written (`c0`, `a.c1`) and their collations.
    pub columns: Vec<(String, Coll)>,
    /// The schema, for subqueries.
    pub schema: &'a Schema,
}

impl Scope<'_> {
    /// The columns of table `t` under `qualifier` (empty for none), plus its rowid.
    pub fn table_columns(schema: &Schema, t: usize, qualifier: &str) -> Vec<(String, Coll)> {
        let prefix = if qualifier.is_empty() {
            String::new()
        } else {
            format!("{qualifier}.")
        };
        let mut out: Vec<(String, Coll)> = schema.tables[t]
            .columns
            .iter()
            .map(|c| (format!("{prefix}{}", c.name), c.coll))
            .collect();
        out.push((format!("{prefix}rowid"), Coll::Binary));
        out
    }
}

/// Type names for CAST.
const CAST_TYPES: &[&str] = &["INTEGER", "REAL", "TEXT", "BLOB", "NUMERIC", "INT", "FLOAT"];

/// A column reference (or a literal when nothing is in scope).
pub fn column(rng: &mut Rng, scope: &Scope) -> String {
    if scope.columns.is_empty() {
        return short_literal(rng);
    }
    rng.pick(&scope.columns).0.clone()
}

/// A leaf: mostly columns, sometimes literals.
fn leaf(rng: &mut Rng, scope: &Scope) -> String {
    if !scope.columns.is_empty() && rng.chance(60) {
        column(rng, scope)
    } else if rng.chance(97) {
        short_literal(rng)
    } else {
        literal(rng)
    }
}

/// A value expression of nesting at most `depth`.
pub fn expr(rng: &mut Rng, scope: &Scope, depth: usize) -> String {
    if depth == 0 || rng.chance(35) {
        return leaf(rng, scope);
    }
    let d = depth - 1;
    match rng.below(20) {
        0..=3 => {
            let op = rng.pick(&["+", "-", "*", "/", "%", "||", "&", "|", "<<", ">>"]);
            format!("({} {op} {})", expr(rng, scope, d), expr(rng, scope, d))
        }
        4 => format!("(-{})", expr(rng, scope, d)),
        5..=6 => format!("({})", cond(rng, scope, d)),
        7 => format!(
            "CASE WHEN {} THEN {} ELSE {} END",
            cond(rng, scope, d),
            expr(rng, scope, d),
            expr(rng, scope, d)
        ),
        8 => format!(
            "CASE {} WHEN {} THEN {} END",
            expr(rng, scope, d),
            short_literal(rng),
            expr(rng, scope, d)
        ),
        9 => format!("CAST({} AS {})", expr(rng, scope, d), rng.pick(CAST_TYPES)),
        10 => format!(
            "{} COLLATE {}",
            leaf(rng, scope),
            rng.pick(&["NOCASE", "RTRIM", "BINARY"])
        ),
        11 if d > 0 => subquery_scalar(rng, scope.schema, d),
        _ => function(rng, scope, d),
    }
}

/// A deterministic built-in function call.
fn function(rng: &mut Rng, scope: &Scope, d: usize) -> String {
    let a = expr(rng, scope, d);
    match rng.below(26) {
        // abs(i64::MIN) fails; whether a query meets that row depends on the plan (SQLite
        // may stop a rowid-ordered scan at its LIMIT where concur sorts every row), so the
        // generator keeps that one value away from abs().
        0 => format!("abs(nullif({a}, -9223372036854775808))"),
        1 => format!("length({a})"),
        2 => format!("upper({a})"),
        3 => format!("lower({a})"),
        4 => format!("substr({a}, {}, {})", rng.range(-3, 5), rng.range(-2, 6)),
        5 => format!("substr({a}, {})", rng.range(-4, 4)),
        6 => format!("coalesce({a}, {})", expr(rng, scope, d)),
        7 => format!("ifnull({a}, {})", short_literal(rng)),
        8 => format!("nullif({a}, {})", expr(rng, scope, d)),
        9 => format!("typeof({a})"),
        10 => format!("hex({a})"),
        11 => format!("quote({a})"),
        12 => format!("round({a}, {})", rng.range(0, 3)),
        13 => format!("round({a})"),
        14 => format!("trim({a})"),
        15 => format!("rtrim({a})"),
        16 => format!(
            "replace({a}, {}, {})",
            short_literal(rng),
            short_literal(rng)
        ),
        17 => format!("instr({a}, {})", short_literal(rng)),
        18 => format!("iif({}, {a}, {})", cond(rng, scope, d), expr(rng, scope, d)),
        19 => format!("max({a}, {})", expr(rng, scope, d)),
        20 => format!("min({a}, {})", expr(rng, scope, d)),
        21 => format!("unicode({a})"),
        22 => format!("zeroblob({})", rng.range(-1, 5)),
        23 => format!("printf('%d|%s|%.2f', {a}, {a}, {a})"),
        24 => format!("ltrim({a}, 'a ')"),
        _ => format!("length(CAST({a} AS BLOB))"),
    }
}

/// A boolean-ish expression of nesting at most `depth`.
pub fn cond(rng: &mut Rng, scope: &Scope, depth: usize) -> String {
    let d = depth.saturating_sub(1);
    match rng.below(if depth == 0 { 8 } else { 16 }) {
        0..=2 => {
            let op = rng.pick(&["=", "<>", "<", "<=", ">", ">=", "IS", "IS NOT", "=="]);
            format!("{} {op} {}", leaf(rng, scope), leaf(rng, scope))
        }
        3 => format!("{} IS NULL", leaf(rng, scope)),
        4 => format!(
            "{} {}IN ({}, {}, {})",
            leaf(rng, scope),
            if rng.chance(30) { "NOT " } else { "" },
            short_literal(rng),
            short_literal(rng),
            short_literal(rng)
        ),
        5 => format!(
            "{} {}BETWEEN {} AND {}",
            leaf(rng, scope),
            if rng.chance(30) { "NOT " } else { "" },
            short_literal(rng),
            short_literal(rng)
        ),
        6 => format!(
            "{} {} {}",
            leaf(rng, scope),
            rng.pick(&["LIKE", "NOT LIKE", "GLOB"]),
            rng.pick(&["'a%'", "'%b'", "'_'", "'A_c'", "'%'", "'1%'", "'[a-c]*'", "'*a*'"])
        ),
        7 => format!(
            "{} {} {} COLLATE {}",
            leaf(rng, scope),
            rng.pick(&["=", "<", ">"]),
            leaf(rng, scope),
            rng.pick(&["NOCASE", "RTRIM", "BINARY"])
        ),
        8..=9 => format!(
            "({} {} {})",
            cond(rng, scope, d),
            rng.pick(&["AND", "OR"]),
            cond(rng, scope, d)
        ),
        10 => format!("NOT ({})", cond(rng, scope, d)),
        11 => format!("{} = {}", expr(rng, scope, d), expr(rng, scope, d)),
        12 => {
            let t = rng.below(scope.schema.tables.len());
            let inner = Scope {
                columns: Scope::table_columns(scope.schema, t, "s"),
                schema: scope.schema,
            };
            format!(
                "{} {}IN (SELECT {} FROM {} AS s WHERE {})",
                leaf(rng, scope),
                if rng.chance(30) { "NOT " } else { "" },
                column(rng, &inner),
                scope.schema.tables[t].name,
                cond(rng, &inner, 0)
            )
        }
        13 => {
            // A correlated EXISTS: the inner condition may name outer columns.
            let t = rng.below(scope.schema.tables.len());
            let mut columns = Scope::table_columns(scope.schema, t, "e");
            let inner_only = columns.clone();
            columns.extend(scope.columns.iter().cloned());
            let inner = Scope {
                columns,
                schema: scope.schema,
            };
            let ic = column(
                rng,
                &Scope {
                    columns: inner_only,
                    schema: scope.schema,
                },
            );
            format!(
                "{}EXISTS (SELECT 1 FROM {} AS e WHERE {ic} = {} AND {})",
                if rng.chance(30) { "NOT " } else { "" },
                scope.schema.tables[t].name,
                leaf(rng, &inner),
                cond(rng, &inner, 0)
            )
        }
        _ => expr(rng, scope, d),
    }
}

/// A scalar subquery yielding one value (an aggregate, so it has one row).
fn subquery_scalar(rng: &mut Rng, schema: &Schema, d: usize) -> String {
    let t = rng.below(schema.tables.len());
    let inner = Scope {
        columns: Scope::table_columns(schema, t, "q"),
        schema,
    };
    let col = column(rng, &inner);
    let agg = match rng.below(4) {
        0 => format!("count({col})"),
        1 => format!("total(length({col}))"),
        2 => "count(*)".to_string(),
        _ => format!("sum(typeof({col}) = 'integer')"),
    };
    format!(
        "(SELECT {agg} FROM {} AS q WHERE {})",
        schema.tables[t].name,
        cond(rng, &inner, d.min(1))
    )
}
