//! Random SELECTs: single tables, joins, aggregates with GROUP BY/HAVING, subqueries in FROM,
//! compounds, DISTINCT, ORDER BY (with collations, DESC, NULLS FIRST/LAST) and LIMIT/OFFSET.
//!
//! Each query comes with a [`Shape`] telling the checker what SQLite guarantees about it: the
//! row order where ORDER BY fixes one (rows tied on the sort key may come in any order), and
//! for DISTINCT, GROUP BY, compounds and min/max, that any row of a group of equal values
//! (under the column's collation, 1 and 1.0 included) may represent it.

use super::expr::{column, cond, expr, Scope};
use super::rng::Rng;
use super::schema::{Coll, Schema};

/// One ORDER BY term, by result column.
#[derive(Clone, Debug)]
pub struct OrderKey {
    /// The result column (0-based).
    pub column: usize,
    /// The collation it sorts by.
    pub coll: Coll,
    /// DESC.
    pub desc: bool,
    /// Whether NULLs sort before other values.
    pub nulls_first: bool,
}

/// What a result must satisfy beyond its multiset of rows.
#[derive(Clone, Debug, Default)]
pub struct Shape {
    /// The sort key when the query has ORDER BY.
    pub order: Option<Vec<OrderKey>>,
    /// Whether LIMIT/OFFSET may cut a group of tied rows.
    pub limited: bool,
    /// Whether a value may stand for any equal one (DISTINCT, GROUP BY, compounds, min/max).
    pub loose: bool,
    /// The collation of each result column, for loose matching.
    pub colls: Vec<Coll>,
}

/// A generated query.
pub struct Query {
    /// The SQL text.
    pub sql: String,
    /// What its result must satisfy.
    pub shape: Shape,
}

/// A result column: its SQL, and the collation a loose match may use.
fn item(rng: &mut Rng, scope: &Scope) -> (String, Coll, bool) {
    if rng.chance(55) && !scope.columns.is_empty() {
        let (name, coll) = rng.pick(&scope.columns).clone();
        (name, coll, true)
    } else {
        let e = expr(rng, scope, 2);
        (e, Coll::Loosest, false)
    }
}

/// An ORDER BY clause over `items` (their collations and whether each is a bare column).
fn order_by(rng: &mut Rng, items: &[(Coll, bool)], compound: bool) -> (String, Vec<OrderKey>) {
    let n = rng.range(1, items.len() as i64) as usize;
    let mut terms = Vec::new();
    let mut keys = Vec::new();
    let mut used = Vec::new();
    for _ in 0..n {
        let c = rng.below(items.len());
        if used.contains(&c) {
            continue;
        }
        used.push(c);
        let (coll, bare) = items[c];
        let mut term = format!("{}", c + 1);
        let key_coll = if bare && coll != Coll::Loosest && !compound && rng.chance(60) {
            coll
        } else {
            let chosen = *rng.pick(&[Coll::Binary, Coll::Nocase, Coll::Rtrim]);
            term.push_str(&format!(" COLLATE {}", chosen.sql()));
            chosen
        };
        let desc = rng.chance(35);
        if desc {
            term.push_str(" DESC");
        }
        let mut nulls_first = !desc;
        if rng.chance(15) {
            nulls_first = rng.chance(50);
            term.push_str(if nulls_first {
                " NULLS FIRST"
            } else {
                " NULLS LAST"
            });
        }
        terms.push(term);
        keys.push(OrderKey {
            column: c,
            coll: key_coll,
            desc,
            nulls_first,
        });
    }
    (format!(" ORDER BY {}", terms.join(", ")), keys)
}

/// LIMIT and OFFSET, or nothing.
fn limit(rng: &mut Rng) -> Option<String> {
    if !rng.chance(35) {
        return None;
    }
    Some(match rng.below(4) {
        0 => format!(" LIMIT {} OFFSET {}", rng.range(0, 6), rng.range(0, 4)),
        1 => " LIMIT -1 OFFSET 2".into(),
        _ => format!(" LIMIT {}", rng.range(0, 8)),
    })
}

/// Adds ORDER BY (maybe) and LIMIT (only with ORDER BY) to `sql`, filling `shape`.
fn finish(
    rng: &mut Rng,
    sql: &mut String,
    shape: &mut Shape,
    items: &[(Coll, bool)],
    compound: bool,
) {
    if rng.chance(65) {
        let (clause, keys) = order_by(rng, items, compound);
        sql.push_str(&clause);
        shape.order = Some(keys);
        if let Some(l) = limit(rng) {
            sql.push_str(&l);
            shape.limited = true;
        }
    }
}

/// A random query over `schema`.
pub fn query(rng: &mut Rng, schema: &Schema) -> Query {
    match rng.below(10) {
        0..=2 => simple(rng, schema),
        3..=4 => join(rng, schema),
        5..=6 => aggregate(rng, schema),
        7 => from_subquery(rng, schema),
        _ => compound(rng, schema),
    }
}

/// SELECT [DISTINCT] items FROM t [WHERE] [ORDER BY] [LIMIT].
fn simple(rng: &mut Rng, schema: &Schema) -> Query {
    let t = rng.below(schema.tables.len());
    let qualifier = if rng.chance(50) { "" } else { "x" };
    let scope = Scope {
        columns: Scope::table_columns(schema, t, qualifier),
        schema,
    };
    let distinct = rng.chance(15);
    select_over(
        rng,
        &scope,
        &format!("{} {qualifier}", schema.tables[t].name),
        distinct,
    )
}

/// The select list, WHERE and ORDER BY of a query over `from`.
fn select_over(rng: &mut Rng, scope: &Scope, from: &str, distinct: bool) -> Query {
    let n = rng.range(1, 4) as usize;
    let mut sqls = Vec::new();
    let mut items = Vec::new();
    let mut shape = Shape {
        loose: distinct,
        ..Shape::default()
    };
    for _ in 0..n {
        let (s, coll, bare) = item(rng, scope);
        sqls.push(s);
        items.push((coll, bare));
        shape.colls.push(coll);
    }
    let mut sql = format!(
        "SELECT {}{} FROM {from}",
        if distinct { "DISTINCT " } else { "" },
        sqls.join(", ")
    );
    if rng.chance(70) {
        sql.push_str(&format!(" WHERE {}", cond(rng, scope, 2)));
    }
    finish(rng, &mut sql, &mut shape, &items, false);
    Query { sql, shape }
}

/// Two tables joined (inner, LEFT, CROSS or comma).
fn join(rng: &mut Rng, schema: &Schema) -> Query {
    let t1 = rng.below(schema.tables.len());
    let t2 = rng.below(schema.tables.len());
    let mut columns = Scope::table_columns(schema, t1, "a");
    columns.extend(Scope::table_columns(schema, t2, "b"));
    let scope = Scope { columns, schema };
    let a = column(
        rng,
        &Scope {
            columns: Scope::table_columns(schema, t1, "a"),
            schema,
        },
    );
    let b = column(
        rng,
        &Scope {
            columns: Scope::table_columns(schema, t2, "b"),
            schema,
        },
    );
    let on = if rng.chance(70) {
        format!("{a} = {b}")
    } else {
        cond(rng, &scope, 1)
    };
    let kind = rng.pick(&["JOIN", "LEFT JOIN", "INNER JOIN", "CROSS JOIN", ","]);
    let from = if *kind == "," || *kind == "CROSS JOIN" {
        format!(
            "{} AS a {kind} {} AS b",
            schema.tables[t1].name, schema.tables[t2].name
        )
    } else {
        format!(
            "{} AS a {kind} {} AS b ON {on}",
            schema.tables[t1].name, schema.tables[t2].name
        )
    };
    let distinct = rng.chance(10);
    select_over(rng, &scope, &from, distinct)
}

/// An aggregate function call over the scope.
fn aggregate_call(rng: &mut Rng, scope: &Scope) -> (String, Coll) {
    let (x, coll) = rng.pick(&scope.columns).clone();
    let call = match rng.below(10) {
        0 => return ("count(*)".into(), Coll::Binary),
        1 => format!("count({x})"),
        2 => format!("count(DISTINCT {x})"),
        3 => format!("sum({x})"),
        4 => format!("total({x})"),
        5 => format!("avg({x})"),
        6 => return (format!("min({x})"), coll),
        7 => return (format!("max({x})"), coll),
        8 => format!("count(*) FILTER (WHERE {})", cond(rng, scope, 0)),
        _ => format!("sum(length({x}))"),
    };
    (call, Coll::Binary)
}

/// SELECT keys, aggregates FROM t [WHERE] [GROUP BY [HAVING]] [ORDER BY].
fn aggregate(rng: &mut Rng, schema: &Schema) -> Query {
    let t = rng.below(schema.tables.len());
    let scope = Scope {
        columns: Scope::table_columns(schema, t, ""),
        schema,
    };
    let mut shape = Shape {
        loose: true,
        ..Shape::default()
    };
    let mut sqls = Vec::new();
    let mut items = Vec::new();
    let grouped = rng.chance(70);
    let mut group = String::new();
    if grouped {
        let (g, coll, bare) = item(rng, &scope);
        group = if rng.chance(50) {
            "1".into()
        } else {
            g.clone()
        };
        sqls.push(g);
        items.push((coll, bare));
        shape.colls.push(coll);
    }
    for _ in 0..rng.range(1, 3) {
        let (a, coll) = aggregate_call(rng, &scope);
        sqls.push(a);
        items.push((coll, false));
        shape.colls.push(coll);
    }
    let mut sql = format!("SELECT {} FROM {}", sqls.join(", "), schema.tables[t].name);
    if rng.chance(50) {
        sql.push_str(&format!(" WHERE {}", cond(rng, &scope, 1)));
    }
    if grouped {
        sql.push_str(&format!(" GROUP BY {group}"));
        if rng.chance(30) {
            sql.push_str(&format!(
                " HAVING {}",
                rng.pick(&[
                    "count(*) > 1",
                    "count(*) = 1",
                    "sum(1) >= 2",
                    "min(rowid) > 3"
                ])
            ));
        }
    }
    finish(rng, &mut sql, &mut shape, &items, false);
    Query { sql, shape }
}

/// SELECT over a subquery in FROM.
fn from_subquery(rng: &mut Rng, schema: &Schema) -> Query {
    let t = rng.below(schema.tables.len());
    let inner_scope = Scope {
        columns: Scope::table_columns(schema, t, ""),
        schema,
    };
    let n = rng.range(1, 3) as usize;
    let mut inner_items = Vec::new();
    let mut columns = Vec::new();
    for i in 0..n {
        let (s, coll, _) = item(rng, &inner_scope);
        inner_items.push(format!("{s} AS v{i}"));
        columns.push((format!("s.v{i}"), coll));
    }
    let inner = format!(
        "SELECT {} FROM {} WHERE {}",
        inner_items.join(", "),
        schema.tables[t].name,
        cond(rng, &inner_scope, 1)
    );
    let scope = Scope { columns, schema };
    let distinct = rng.chance(20);
    select_over(rng, &scope, &format!("({inner}) AS s"), distinct)
}

/// Two selects joined by UNION [ALL], INTERSECT or EXCEPT.
fn compound(rng: &mut Rng, schema: &Schema) -> Query {
    let n = rng.range(1, 2) as usize;
    let mut arms = Vec::new();
    let mut colls = vec![Coll::Binary; n];
    for _ in 0..2 {
        let t = rng.below(schema.tables.len());
        let scope = Scope {
            columns: Scope::table_columns(schema, t, ""),
            schema,
        };
        let mut sqls = Vec::new();
        for c in colls.iter_mut() {
            let (s, coll, _) = item(rng, &scope);
            *c = c.join(coll);
            sqls.push(s);
        }
        let mut arm = format!("SELECT {} FROM {}", sqls.join(", "), schema.tables[t].name);
        if rng.chance(50) {
            arm.push_str(&format!(" WHERE {}", cond(rng, &scope, 1)));
        }
        arms.push(arm);
    }
    let op = rng.pick(&["UNION", "UNION ALL", "INTERSECT", "EXCEPT"]);
    let mut sql = format!("{} {op} {}", arms[0], arms[1]);
    let mut shape = Shape {
        loose: true,
        colls: colls.clone(),
        ..Shape::default()
    };
    let items: Vec<(Coll, bool)> = colls.iter().map(|&c| (c, false)).collect();
    finish(rng, &mut sql, &mut shape, &items, true);
    Query { sql, shape }
}
