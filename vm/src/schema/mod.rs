//! # The catalog
//!
//! `sqlite_schema` (the table at root page 1) is the source of truth, exactly as in SQLite:
//!
//! | column | type | holds |
//! | --- | --- | --- |
//! | `type` | text | `table`, `index`, `view` or `trigger` |
//! | `name` | text | the object's name |
//! | `tbl_name` | text | the table an index or trigger belongs to (its own name for a table) |
//! | `rootpage` | integer | the B-tree root (0 for views and triggers) |
//! | `sql` | text | the CREATE statement as written, or NULL for automatic indexes |
//!
//! [`Schema::load`] reads every row and parses each `sql` with the parser to rebuild the
//! objects: tables (columns, declared type and affinity, `INTEGER PRIMARY KEY` as the rowid
//! alias, NOT NULL, DEFAULT, CHECK, COLLATE), indexes (including partial and expression
//! indexes), views and triggers. `UNIQUE` and non-integer `PRIMARY KEY` constraints own the
//! automatic indexes `sqlite_autoindex_<table>_<n>`, numbered in the order the constraints
//! appear, whose rows have a rootpage and a NULL `sql`.
//!
//! The catalog is cached per connection with the schema cookie it was read at; a statement
//! that finds the cookie changed reloads it. Every DDL statement writes its `sqlite_schema`
//! rows with the verbatim statement text and increments the cookie, as SQLite does, so the
//! files stay readable by `sqlite3`.

pub mod alter;
pub mod ddl;
mod table;

pub use table::{Column, Index, IndexColumn, Table, Trigger, View};

use std::collections::HashMap;
use std::sync::Arc;

use concur_btree::Value;

use crate::ast::Statement;
use crate::error::{Error, Result};
use crate::parser::parse_statement;
use crate::storage::Txn;

/// The root page of `sqlite_schema`.
pub const SCHEMA_ROOT: u32 = 1;

/// One row of `sqlite_schema`.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaRow {
    /// The row's rowid in `sqlite_schema`.
    pub rowid: i64,
    /// `table`, `index`, `view` or `trigger`.
    pub kind: String,
    /// The object's name.
    pub name: String,
    /// The owning table's name.
    pub table_name: String,
    /// The root page (0 for views and triggers).
    pub root: u32,
    /// The CREATE text, absent for automatic indexes.
    pub sql: Option<String>,
}

/// Every schema object of a database, as of one schema cookie.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// The cookie this catalog was read at.
    pub cookie: u32,
    /// A number no other catalog read in this process has (0 for the empty catalog). A
    /// program compiled against this catalog is reused only while it is the connection's
    /// catalog: the cookie alone does not tell, since ROLLBACK TO can bring a cookie back
    /// and later DDL then reuses it for other contents (SQLite's `Schema.iGeneration`).
    pub generation: u64,
    /// Tables by lower-case name.
    pub tables: HashMap<String, Arc<Table>>,
    /// Indexes by lower-case name.
    pub indexes: HashMap<String, Arc<Index>>,
    /// Views by lower-case name.
    pub views: HashMap<String, Arc<View>>,
    /// Triggers by lower-case name.
    pub triggers: HashMap<String, Arc<Trigger>>,
    /// The rows of `sqlite_schema`, in rowid order.
    pub rows: Vec<SchemaRow>,
}

impl Schema {
    /// Reads `sqlite_schema` through `txn` and builds the catalog.
    pub fn load(txn: &dyn Txn) -> Result<Schema> {
        /// The generation of the next catalog read.
        static NEXT_GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let generation = NEXT_GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let cookie = txn.schema_cookie()?;
        let mut rows = Vec::new();
        let mut cursor = txn.table_cursor(SCHEMA_ROOT)?;
        let mut more = cursor.first()?;
        while more {
            let row = cursor.row()?;
            let text = |i: usize| match row.get(i) {
                Some(Value::Text(t)) => t.to_string_lossy().into_owned(),
                _ => String::new(),
            };
            let root = match row.get(3) {
                Some(Value::Integer(r)) => u32::try_from(*r).unwrap_or(0),
                _ => 0,
            };
            let sql = match row.get(4) {
                Some(Value::Text(t)) => Some(t.to_string_lossy().into_owned()),
                _ => None,
            };
            rows.push(SchemaRow {
                rowid: cursor.rowid()?,
                kind: text(0),
                name: text(1),
                table_name: text(2),
                root,
                sql,
            });
            more = cursor.next()?;
        }
        let mut schema = Schema {
            cookie,
            generation,
            rows: Vec::new(),
            ..Schema::default()
        };
        let roots: HashMap<String, u32> = rows
            .iter()
            .map(|r| (r.name.to_ascii_lowercase(), r.root))
            .collect();
        for row in &rows {
            let Some(sql) = &row.sql else { continue };
            let statement = parse_statement(sql).map_err(|e| {
                Error::with_code(
                    crate::storage::code::CORRUPT,
                    format!("malformed database schema ({}) - {e}", row.name),
                )
            })?;
            match statement {
                Statement::CreateTable(create) => {
                    let (table, autoindexes) = Table::from_create(&create, row.root, sql)?;
                    for mut index in autoindexes {
                        index.root = roots
                            .get(&index.name.to_ascii_lowercase())
                            .copied()
                            .unwrap_or(0);
                        schema
                            .indexes
                            .insert(index.name.to_ascii_lowercase(), Arc::new(index));
                    }
                    schema
                        .tables
                        .insert(table.name.to_ascii_lowercase(), Arc::new(table));
                }
                Statement::CreateIndex(create) => {
                    let table = schema
                        .tables
                        .get(&create.table.as_str().to_ascii_lowercase())
                        .cloned();
                    if let Some(table) = table {
                        let index = Index::from_create(&create, &table, row.root, sql)?;
                        schema
                            .indexes
                            .insert(index.name.to_ascii_lowercase(), Arc::new(index));
                    }
                }
                Statement::CreateView(create) => {
                    let view = View::from_create(&create, sql);
                    schema
                        .views
                        .insert(view.name.to_ascii_lowercase(), Arc::new(view));
                }
                Statement::CreateTrigger(create) => {
                    let trigger = Trigger::from_create(&create, sql);
                    schema
                        .triggers
                        .insert(trigger.name.to_ascii_lowercase(), Arc::new(trigger));
                }
                _ => {}
            }
        }
        schema.rows = rows;
        Ok(schema)
    }

    /// The table called `name` (case-insensitive); `sqlite_schema` and `sqlite_master` name
    /// the schema table itself.
    pub fn table(&self, name: &str) -> Option<Arc<Table>> {
        let lower = name.to_ascii_lowercase();
        if lower == "sqlite_schema" || lower == "sqlite_master" {
            return Some(Arc::new(Table::schema_table()));
        }
        self.tables.get(&lower).cloned()
    }

    /// The view called `name`.
    pub fn view(&self, name: &str) -> Option<Arc<View>> {
        self.views.get(&name.to_ascii_lowercase()).cloned()
    }

    /// The indexes of table `table`, oldest first: in the order of their rows in
    /// `sqlite_schema`, the order in which SQLite links them to their table (each at the
    /// head of its list, so SQLite walks them newest first). Root pages say nothing about
    /// age once freed pages are reused.
    pub fn indexes_of(&self, table: &str) -> Vec<Arc<Index>> {
        let mut found: Vec<(i64, Arc<Index>)> = self
            .indexes
            .values()
            .filter(|i| i.table.eq_ignore_ascii_case(table))
            .map(|i| {
                let row = self
                    .rows
                    .iter()
                    .find(|r| r.kind == "index" && r.name.eq_ignore_ascii_case(&i.name));
                (row.map_or(i64::MAX, |r| r.rowid), i.clone())
            })
            .collect();
        found.sort_by(|(a_row, a), (b_row, b)| {
            a_row
                .cmp(b_row)
                .then(a.root.cmp(&b.root))
                .then_with(|| a.name.cmp(&b.name))
        });
        found.into_iter().map(|(_, index)| index).collect()
    }

    /// The triggers on table or view `table`.
    pub fn triggers_of(&self, table: &str) -> Vec<Arc<Trigger>> {
        let mut found: Vec<Arc<Trigger>> = self
            .triggers
            .values()
            .filter(|t| t.table.eq_ignore_ascii_case(table))
            .cloned()
            .collect();
        found.sort_by(|a, b| a.name.cmp(&b.name));
        found
    }

    /// Whether any object is called `name`.
    pub fn has_object(&self, name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        self.tables.contains_key(&lower)
            || self.indexes.contains_key(&lower)
            || self.views.contains_key(&lower)
            || self.triggers.contains_key(&lower)
    }
}
