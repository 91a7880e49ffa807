//! The schema objects: tables with their columns, indexes, views and triggers.

use crate::ast::{
    ColumnConstraint, ConflictResolution, CreateIndex, CreateTable, CreateTableBody, CreateTrigger,
    CreateView, Expr, IndexedColumn, Select, SortOrder, Statement, TableConstraint, TriggerEvent,
    TriggerTime,
};
use crate::error::{Error, Result};
use crate::storage::{KeyColumn, KeyInfo};
use crate::value::{Affinity, Collation};

/// One column of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The column's name as declared.
    pub name: String,
    /// The declared type as written (`VARCHAR(10)`), empty when none.
    pub declared_type: String,
    /// The affinity the declared type gives.
    pub affinity: Affinity,
    /// The column's collation (BINARY unless `COLLATE` was declared).
    pub collation: Collation,
    /// Whether `NOT NULL` was declared.
    pub not_null: bool,
    /// The `DEFAULT` expression.
    pub default: Option<Expr>,
    /// Whether the column is (part of) the primary key.
    pub primary_key: bool,
}

/// A table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The table's name as declared.
    pub name: String,
    /// The root page of its B-tree.
    pub root: u32,
    /// The columns, in declaration order.
    pub columns: Vec<Column>,
    /// The column that aliases the rowid (`INTEGER PRIMARY KEY`).
    pub rowid_alias: Option<usize>,
    /// `CHECK` expressions.
    pub checks: Vec<Expr>,
    /// Whether `AUTOINCREMENT` was declared.
    pub autoincrement: bool,
    /// The CREATE text.
    pub sql: String,
}

/// One key column of an index.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexColumn {
    /// The table column, or None for an expression.
    pub column: Option<usize>,
    /// The indexed expression (for an expression index).
    pub expr: Option<Expr>,
    /// The key's collation.
    pub collation: Collation,
    /// Whether the key sorts descending.
    pub desc: bool,
}

/// An index.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    /// The index's name.
    pub name: String,
    /// The indexed table's name.
    pub table: String,
    /// The root page of its B-tree.
    pub root: u32,
    /// The key columns.
    pub columns: Vec<IndexColumn>,
    /// Whether keys must be unique.
    pub unique: bool,
    /// What an automatic index does on conflict (`ON CONFLICT` of its constraint).
    pub on_conflict: Option<ConflictResolution>,
    /// The condition of a partial index.
    pub partial: Option<Expr>,
    /// Whether this is the automatic index of a PRIMARY KEY constraint.
    pub primary_key: bool,
    /// The CREATE text; None for automatic indexes.
    pub sql: Option<String>,
}

/// A view.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// The view's name.
    pub name: String,
    /// Column names, when declared.
    pub columns: Vec<String>,
    /// The defining query.
    pub select: Select,
    /// The CREATE text.
    pub sql: String,
}

/// A trigger.
#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    /// The trigger's name.
    pub name: String,
    /// The table or view it fires on.
    pub table: String,
    /// When it fires.
    pub time: TriggerTime,
    /// What fires it.
    pub event: TriggerEvent,
    /// `WHEN` condition.
    pub when: Option<Expr>,
    /// The statements it runs.
    pub body: Vec<Statement>,
    /// The CREATE text.
    pub sql: String,
}

/// The collation named in an expression's outer `COLLATE`, if any.
fn explicit_collation(expr: &Expr) -> Result<Option<Collation>> {
    match expr {
        Expr::Collate { collation, .. } => Collation::from_name(collation.as_str())
            .map(Some)
            .ok_or_else(|| Error::msg(format!("no such collation sequence: {}", collation.0))),
        _ => Ok(None),
    }
}

/// The column name an index term names, when it is a plain column (possibly with COLLATE).
fn term_column(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Column { column, .. } if column.table.is_none() => Some(column.column.as_str()),
        Expr::Collate { expr, .. } => term_column(expr),
        _ => None,
    }
}

impl Table {
    /// The description of `sqlite_schema` itself.
    pub fn schema_table() -> Table {
        let text = |name: &str| Column {
            name: name.to_string(),
            declared_type: "TEXT".to_string(),
            affinity: Affinity::Text,
            collation: Collation::Binary,
            not_null: false,
            default: None,
            primary_key: false,
        };
        let mut root = text("rootpage");
        root.declared_type = "INT".to_string();
        root.affinity = Affinity::Integer;
        Table {
            name: "sqlite_schema".to_string(),
            root: 1,
            columns: vec![
                text("type"),
                text("name"),
                text("tbl_name"),
                root,
                text("sql"),
            ],
            rowid_alias: None,
            checks: Vec::new(),
            autoincrement: false,
            sql: String::new(),
        }
    }

    /// Builds a table from its CREATE statement, with its automatic indexes (roots 0; the
    /// caller fills them in).
    pub fn from_create(create: &CreateTable, root: u32, sql: &str) -> Result<(Table, Vec<Index>)> {
        let name = create.name.name.0.clone();
        let CreateTableBody::Columns {
            columns: defs,
            constraints,
            without_rowid,
            ..
        } = &create.body
        else {
            return Err(Error::msg("CREATE TABLE AS is resolved before the catalog"));
        };
        if *without_rowid {
            return Err(Error::msg("WITHOUT ROWID tables are not supported"));
        }
        let mut columns = Vec::new();
        let mut checks = Vec::new();
        let mut rowid_alias = None;
        let mut autoincrement = false;
        // (columns, is primary key, conflict) of each uniqueness constraint, in order.
        let mut uniques: Vec<(Vec<IndexedColumn>, bool, Option<ConflictResolution>)> = Vec::new();
        for (i, def) in defs.iter().enumerate() {
            let declared_type = def.type_name.as_ref().map_or(String::new(), |t| {
                if t.args.is_empty() {
                    t.name.clone()
                } else {
                    format!("{}({})", t.name, t.args.join(","))
                }
            });
            let mut column = Column {
                name: def.name.0.clone(),
                affinity: Affinity::from_type_name(&declared_type),
                declared_type,
                collation: Collation::Binary,
                not_null: false,
                default: None,
                primary_key: false,
            };
            if columns
                .iter()
                .any(|c: &Column| c.name.eq_ignore_ascii_case(&column.name))
            {
                return Err(Error::msg(format!(
                    "duplicate column name: {}",
                    column.name
                )));
            }
            for constraint in &def.constraints {
                match &constraint.constraint {
                    ColumnConstraint::PrimaryKey {
                        order,
                        conflict,
                        autoincrement: auto,
                    } => {
                        if columns.iter().any(|c: &Column| c.primary_key) || rowid_alias.is_some() {
                            return Err(Error::msg(format!(
                                "table \"{name}\" has more than one primary key"
                            )));
                        }
                        column.primary_key = true;
                        if column.declared_type.eq_ignore_ascii_case("INTEGER")
                            && *order != Some(SortOrder::Desc)
                        {
                            rowid_alias = Some(i);
                            autoincrement = *auto;
                        } else {
                            let expr = Expr::Column {
                                column: crate::ast::ColumnRef {
                                    schema: None,
                                    table: None,
                                    column: def.name.clone(),
                                },
                                double_quoted: false,
                            };
                            uniques.push((
                                vec![IndexedColumn {
                                    expr,
                                    order: *order,
                                }],
                                true,
                                *conflict,
                            ));
                        }
                    }
                    ColumnConstraint::NotNull { .. } => column.not_null = true,
                    ColumnConstraint::Unique { conflict } => {
                        let expr = Expr::Column {
                            column: crate::ast::ColumnRef {
                                schema: None,
                                table: None,
                                column: def.name.clone(),
                            },
                            double_quoted: false,
                        };
                        uniques.push((vec![IndexedColumn { expr, order: None }], false, *conflict));
                    }
                    ColumnConstraint::Check(e) => checks.push(e.clone()),
                    ColumnConstraint::Default(e) => column.default = Some(e.clone()),
                    ColumnConstraint::Collate(c) => {
                        column.collation = Collation::from_name(c.as_str()).ok_or_else(|| {
                            Error::msg(format!("no such collation sequence: {}", c.0))
                        })?;
                    }
                    _ => {}
                }
            }
            columns.push(column);
        }
        for constraint in constraints {
            match &constraint.constraint {
                TableConstraint::PrimaryKey {
                    columns: keys,
                    autoincrement: auto,
                    conflict,
                } => {
                    if columns.iter().any(|c| c.primary_key) {
                        return Err(Error::msg(format!(
                            "table \"{name}\" has more than one primary key"
                        )));
                    }
                    let single = match keys.as_slice() {
                        [only] => term_column(&only.expr).and_then(|n| {
                            columns.iter().position(|c| c.name.eq_ignore_ascii_case(n))
                        }),
                        _ => None,
                    };
                    for key in keys {
                        if let Some(n) = term_column(&key.expr) {
                            if let Some(c) =
                                columns.iter_mut().find(|c| c.name.eq_ignore_ascii_case(n))
                            {
                                c.primary_key = true;
                            }
                        }
                    }
                    match single {
                        Some(i) if columns[i].declared_type.eq_ignore_ascii_case("INTEGER") => {
                            rowid_alias = Some(i);
                            autoincrement = *auto;
                        }
                        _ => uniques.push((keys.clone(), true, *conflict)),
                    }
                }
                TableConstraint::Unique {
                    columns: keys,
                    conflict,
                } => uniques.push((keys.clone(), false, *conflict)),
                TableConstraint::Check(e) => checks.push(e.clone()),
                TableConstraint::ForeignKey { .. } => {}
            }
        }
        let table = Table {
            name: name.clone(),
            root,
            columns,
            rowid_alias,
            checks,
            autoincrement,
            sql: sql.to_string(),
        };
        let mut indexes: Vec<Index> = Vec::new();
        for (keys, primary_key, conflict) in uniques {
            let mut index_columns = Vec::new();
            for key in &keys {
                index_columns.push(table.index_column(key)?);
            }
            let same = indexes.iter_mut().find(|i| {
                i.columns.len() == index_columns.len()
                    && i.columns
                        .iter()
                        .zip(&index_columns)
                        .all(|(a, b)| a.column == b.column && a.collation == b.collation)
            });
            if let Some(same) = same {
                same.primary_key |= primary_key;
                continue;
            }
            indexes.push(Index {
                name: format!("sqlite_autoindex_{}_{}", name, indexes.len() + 1),
                table: name.clone(),
                root: 0,
                columns: index_columns,
                unique: true,
                on_conflict: conflict,
                partial: None,
                primary_key,
                sql: None,
            });
        }
        Ok((table, indexes))
    }

    /// The index key column for an indexed term of this table.
    pub fn index_column(&self, term: &IndexedColumn) -> Result<IndexColumn> {
        let explicit = explicit_collation(&term.expr)?;
        let desc = term.order == Some(SortOrder::Desc);
        match term_column(&term.expr) {
            Some(n) => {
                let position = self
                    .column_index(n)
                    .ok_or_else(|| Error::msg(format!("no such column: {n}")))?;
                Ok(IndexColumn {
                    column: Some(position),
                    expr: None,
                    collation: explicit.unwrap_or(self.columns[position].collation),
                    desc,
                })
            }
            None => Ok(IndexColumn {
                column: None,
                expr: Some(term.expr.clone()),
                collation: explicit.unwrap_or_default(),
                desc,
            }),
        }
    }

    /// The position of column `name` (case-insensitive).
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))
    }
}

impl Index {
    /// Builds an index from its CREATE statement over `table`.
    pub fn from_create(create: &CreateIndex, table: &Table, root: u32, sql: &str) -> Result<Index> {
        let mut columns = Vec::new();
        for term in &create.columns {
            columns.push(table.index_column(term)?);
        }
        Ok(Index {
            name: create.name.name.0.clone(),
            table: table.name.clone(),
            root,
            columns,
            unique: create.unique,
            on_conflict: None,
            partial: create.where_clause.clone(),
            primary_key: false,
            sql: Some(sql.to_string()),
        })
    }

    /// How this index's keys order.
    pub fn key_info(&self) -> KeyInfo {
        KeyInfo {
            columns: self
                .columns
                .iter()
                .map(|c| KeyColumn {
                    collation: c.collation,
                    desc: c.desc,
                })
                .collect(),
        }
    }
}

impl View {
    /// Builds a view from its CREATE statement.
    pub fn from_create(create: &CreateView, sql: &str) -> View {
        View {
            name: create.name.name.0.clone(),
            columns: create.columns.iter().map(|c| c.0.clone()).collect(),
            select: (*create.select).clone(),
            sql: sql.to_string(),
        }
    }
}

impl Trigger {
    /// Builds a trigger from its CREATE statement.
    pub fn from_create(create: &CreateTrigger, sql: &str) -> Trigger {
        Trigger {
            name: create.name.name.0.clone(),
            table: create.table.name.0.clone(),
            time: create.time.unwrap_or(TriggerTime::Before),
            event: create.event.clone(),
            when: create.when.clone(),
            body: create.body.clone(),
            sql: sql.to_string(),
        }
    }
}
