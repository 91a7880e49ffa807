//! Random schemas: tables with declared types of every affinity, INTEGER PRIMARY KEY (rowid
//! alias) and other primary keys, UNIQUE, NOT NULL, DEFAULT, CHECK and COLLATE columns; and
//! indexes (unique, DESC, multi-column, partial) created and dropped during the run.
//!
//! The model here is what the statement generator needs to aim at: column names and
//! collations, and the key column sets an upsert may name as its conflict target.

use super::rng::Rng;
use super::values::short_literal;

/// A collation, as the result checker needs to know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coll {
    /// Byte order.
    Binary,
    /// ASCII case folded.
    Nocase,
    /// Trailing spaces ignored.
    Rtrim,
    /// Both NOCASE and RTRIM: used where the checker cannot know which one applies, so it
    /// accepts any representative SQLite could have chosen.
    Loosest,
}

impl Coll {
    /// The SQL name (Loosest has none; it is never written into SQL).
    pub fn sql(self) -> &'static str {
        match self {
            Coll::Binary | Coll::Loosest => "BINARY",
            Coll::Nocase => "NOCASE",
            Coll::Rtrim => "RTRIM",
        }
    }

    /// The collation that accepts what both `self` and `other` accept.
    pub fn join(self, other: Coll) -> Coll {
        match (self, other) {
            (a, Coll::Binary) => a,
            (Coll::Binary, b) => b,
            (a, b) if a == b => a,
            _ => Coll::Loosest,
        }
    }
}

/// Declared types covering every affinity rule, including the odd ones (`FLOATING POINT` has
/// INTEGER affinity, `STRING` NUMERIC, no type BLOB).
const DECLARED_TYPES: &[&str] = &[
    "INTEGER",
    "INT",
    "BIGINT",
    "TEXT",
    "VARCHAR(20)",
    "CLOB",
    "BLOB",
    "",
    "REAL",
    "DOUBLE",
    "FLOAT",
    "NUMERIC",
    "DECIMAL(10,2)",
    "BOOLEAN",
    "DATETIME",
    "FLOATING POINT",
    "STRING",
    "ANY",
];

/// One column of a table.
#[derive(Clone, Debug)]
pub struct Column {
    /// The column name.
    pub name: String,
    /// Its collation.
    pub coll: Coll,
    /// Whether it is the INTEGER PRIMARY KEY (an alias of the rowid).
    pub rowid_alias: bool,
}

/// A table of the model.
#[derive(Clone, Debug)]
pub struct Table {
    /// The table name.
    pub name: String,
    /// Its columns in order.
    pub columns: Vec<Column>,
    /// Column sets that are PRIMARY KEY or UNIQUE constraints (upsert targets).
    pub keys: Vec<Vec<usize>>,
}

/// An index created by the run (not the automatic ones of constraints).
#[derive(Clone, Debug)]
pub struct Index {
    /// The index name.
    pub name: String,
    /// The table it indexes.
    pub table: usize,
    /// Indexed columns.
    pub columns: Vec<usize>,
    /// Whether it is UNIQUE.
    pub unique: bool,
    /// Whether it has a WHERE clause.
    pub partial: bool,
}

/// The schema the generator aims at.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    /// Tables (fixed for the run).
    pub tables: Vec<Table>,
    /// Every index ever created, live or not.
    pub created: Vec<Index>,
    /// Names of the indexes that exist now (refreshed from SQLite after each statement).
    pub live: Vec<String>,
}

impl Schema {
    /// The live indexes.
    pub fn live_indexes(&self) -> impl Iterator<Item = &Index> {
        self.created
            .iter()
            .filter(|ix| self.live.iter().any(|n| n == &ix.name))
    }

    /// Conflict targets of table `t`: constraint keys and live non-partial unique indexes.
    pub fn targets(&self, t: usize) -> Vec<Vec<usize>> {
        let mut out = self.tables[t].keys.clone();
        for ix in self.live_indexes() {
            if ix.table == t && ix.unique && !ix.partial {
                out.push(ix.columns.clone());
            }
        }
        out
    }
}

/// A CHECK expression over column `c`.
fn check_for(rng: &mut Rng, c: &str) -> String {
    match rng.below(5) {
        0 => format!("{c} IS NULL OR {c} <> {}", short_literal(rng)),
        1 => format!("length({c}) < 5000"),
        2 => format!("{c} > -1000000000 OR typeof({c}) <> 'integer'"),
        3 => format!("typeof({c}) <> 'blob' OR length({c}) < 2000"),
        _ => format!("{c} IS NOT 'bad'"),
    }
}

/// A random table named `name`, with its CREATE TABLE statement.
pub fn table(rng: &mut Rng, name: &str) -> (Table, String) {
    let ncols = rng.range(1, 6) as usize;
    // 0: no key, 1: INTEGER PRIMARY KEY, 2: composite PRIMARY KEY, 3: another single-column
    // PRIMARY KEY (not a rowid alias), 4: INTEGER PRIMARY KEY DESC (not an alias either).
    let pk_kind = if ncols >= 2 {
        rng.below(5)
    } else {
        *rng.pick(&[0, 1, 3])
    };
    let mut columns = Vec::new();
    let mut defs = Vec::new();
    let mut keys = Vec::new();
    for i in 0..ncols {
        let cname = format!("c{i}");
        let mut decl = (*rng.pick(DECLARED_TYPES)).to_string();
        let mut parts = Vec::new();
        let mut rowid_alias = false;
        if i == 0 && pk_kind == 1 {
            decl = "INTEGER".into();
            parts.push("PRIMARY KEY".to_string());
            rowid_alias = true;
            keys.push(vec![0]);
        } else if i == 0 && pk_kind == 4 {
            decl = "INTEGER".into();
            parts.push("PRIMARY KEY DESC".to_string());
            keys.push(vec![0]);
        } else if i == 0 && pk_kind == 3 {
            parts.push("PRIMARY KEY".to_string());
            // A declared type of exactly INTEGER makes it the rowid's alias after all.
            rowid_alias = decl.eq_ignore_ascii_case("INTEGER");
            keys.push(vec![0]);
        }
        let coll = match rng.below(10) {
            0..=1 => Coll::Nocase,
            2 => Coll::Rtrim,
            3 => Coll::Binary,
            _ => Coll::Binary,
        };
        if coll != Coll::Binary || rng.chance(10) {
            parts.push(format!("COLLATE {}", coll.sql()));
        }
        if !rowid_alias && rng.chance(20) {
            parts.push("NOT NULL".into());
        }
        if !rowid_alias && rng.chance(15) {
            parts.push("UNIQUE".into());
            keys.push(vec![i]);
        }
        if !rowid_alias && rng.chance(30) {
            let d = match rng.below(4) {
                0 => format!("({} + 1)", rng.range(-5, 5)),
                _ => short_literal(rng),
            };
            parts.push(format!("DEFAULT {d}"));
        }
        if rng.chance(15) {
            parts.push(format!("CHECK({})", check_for(rng, &cname)));
        }
        defs.push(
            format!("{cname} {decl} {}", parts.join(" "))
                .trim_end()
                .replace("  ", " "),
        );
        columns.push(Column {
            name: cname,
            coll,
            rowid_alias,
        });
    }
    if pk_kind == 2 {
        let a = rng.below(ncols);
        let b = (a + 1 + rng.below(ncols - 1)) % ncols;
        defs.push(format!("PRIMARY KEY(c{a}, c{b})"));
        keys.push(vec![a, b]);
    }
    if ncols >= 2 && rng.chance(20) {
        let a = rng.below(ncols);
        let b = (a + 1 + rng.below(ncols - 1)) % ncols;
        defs.push(format!("UNIQUE(c{b}, c{a})"));
        keys.push(vec![b, a]);
    }
    if ncols >= 2 && rng.chance(10) {
        defs.push("CHECK(c0 IS NOT c1 OR c0 IS NULL)".into());
    }
    let sql = format!("CREATE TABLE {name}({})", defs.join(", "));
    (
        Table {
            name: name.into(),
            columns,
            keys,
        },
        sql,
    )
}

/// A random CREATE INDEX over one of `schema`'s tables, named `name`.
pub fn create_index(rng: &mut Rng, schema: &Schema, name: &str) -> (Index, String) {
    let t = rng.below(schema.tables.len());
    let table = &schema.tables[t];
    let n = rng.range(1, table.columns.len().min(3) as i64) as usize;
    let mut cols: Vec<usize> = Vec::new();
    while cols.len() < n {
        let c = rng.below(table.columns.len());
        if !cols.contains(&c) {
            cols.push(c);
        }
    }
    let unique = rng.chance(30);
    let partial = rng.chance(25);
    let terms: Vec<String> = cols
        .iter()
        .map(|&c| {
            let mut s = table.columns[c].name.clone();
            if rng.chance(15) {
                s.push_str(&format!(
                    " COLLATE {}",
                    rng.pick(&[Coll::Nocase, Coll::Rtrim, Coll::Binary]).sql()
                ));
            }
            if rng.chance(30) {
                s.push_str(" DESC");
            }
            s
        })
        .collect();
    let mut sql = format!(
        "CREATE {}INDEX {}{name} ON {}({})",
        if unique { "UNIQUE " } else { "" },
        if rng.chance(10) { "IF NOT EXISTS " } else { "" },
        table.name,
        terms.join(", ")
    );
    if partial {
        let c = &table.columns[*rng.pick(&cols)].name;
        let cond = match rng.below(3) {
            0 => format!("{c} IS NOT NULL"),
            1 => format!("{c} > 0"),
            _ => format!("typeof({c}) = 'text'"),
        };
        sql.push_str(&format!(" WHERE {cond}"));
    }
    (
        Index {
            name: name.into(),
            table: t,
            columns: cols,
            unique,
            partial,
        },
        sql,
    )
}
