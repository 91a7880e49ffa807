//! The typed syntax tree the parser produces.
//!
//! One [`Statement`] per SQL statement. Names keep their letter case as written, with quotes
//! removed; type names keep their words as written, because SQLite derives column affinity from
//! them. The parser also hands back each statement's text span (see
//! [`crate::parser::ParsedStatement`]) since `sqlite_schema` stores CREATE text verbatim.
//! `Display` prints any node back as SQL that parses to the same tree.

mod display;
mod display_statement;
mod dml;
mod expr;
mod schema;
mod select;

pub use dml::{Delete, Insert, InsertSource, SetClause, Update, Upsert, UpsertAction};
pub use expr::{
    BinaryOp, ColumnRef, Expr, FrameBound, FrameExclude, FrameSpec, FrameUnit, FunctionArgs,
    FunctionCall, LikeOp, Literal, Over, RaiseAction, UnaryOp, WindowDef,
};
pub use schema::{
    AlterTableAction, ColumnConstraint, ColumnDef, ConflictResolution, CreateIndex, CreateTable,
    CreateTableBody, CreateTrigger, CreateView, ForeignKeyAction, ForeignKeyClause, IndexedColumn,
    NamedColumnConstraint, NamedTableConstraint, ObjectKind, TableConstraint, TriggerEvent,
    TriggerTime, TypeName,
};
pub use select::{
    CommonTableExpr, CompoundOp, FromClause, Indexed, Join, JoinConstraint, JoinOperator, Limit,
    NullsOrder, OrderingTerm, ResultColumn, Select, SelectClause, SelectCore, SortOrder,
    SourceText, TableOrSubquery, With,
};

/// An identifier with its quotes removed (`"a""b"` is `a"b`), letter case as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name(pub String);

impl Name {
    /// The identifier's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this names the same thing as `other` (SQLite compares ASCII case-insensitively).
    pub fn matches(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

/// `[schema.]name`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QualifiedName {
    /// The schema (`main`, `temp`, or an attached name), when written.
    pub schema: Option<Name>,
    /// The object's name.
    pub name: Name,
}

/// How `BEGIN` starts a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionMode {
    /// `BEGIN` or `BEGIN DEFERRED`
    Deferred,
    /// `BEGIN IMMEDIATE`
    Immediate,
    /// `BEGIN EXCLUSIVE`
    Exclusive,
    /// `BEGIN CONCURRENT`: MVCC snapshot isolation with row-level conflicts.
    Concurrent,
}

/// The value of a `PRAGMA`.
#[derive(Debug, Clone, PartialEq)]
pub enum PragmaValue {
    /// A name or keyword (`ON`, `wal`, `DELETE`, ...).
    Name(Name),
    /// A number (sign folded in) or string.
    Literal(Literal),
}

/// One SQL statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `SELECT` / `VALUES` / `WITH ... SELECT`
    Select(Box<Select>),
    /// `INSERT` / `REPLACE`
    Insert(Box<Insert>),
    /// `UPDATE`
    Update(Box<Update>),
    /// `DELETE`
    Delete(Box<Delete>),
    /// `CREATE TABLE`
    CreateTable(Box<CreateTable>),
    /// `CREATE INDEX`
    CreateIndex(Box<CreateIndex>),
    /// `CREATE VIEW`
    CreateView(Box<CreateView>),
    /// `CREATE TRIGGER`
    CreateTrigger(Box<CreateTrigger>),
    /// `CREATE VIRTUAL TABLE name USING module[(args)]`: parsed so the executor can reject it.
    CreateVirtualTable {
        /// Whether `IF NOT EXISTS` was written.
        if_not_exists: bool,
        /// The table name.
        name: QualifiedName,
        /// The module name.
        module: Name,
        /// The module arguments, each as written.
        args: Vec<String>,
    },
    /// `DROP TABLE|INDEX|VIEW|TRIGGER [IF EXISTS] name`
    Drop {
        /// What is dropped.
        kind: ObjectKind,
        /// Whether `IF EXISTS` was written.
        if_exists: bool,
        /// Its name.
        name: QualifiedName,
    },
    /// `ALTER TABLE name action`
    AlterTable {
        /// The table.
        table: QualifiedName,
        /// What changes.
        action: Box<AlterTableAction>,
    },
    /// `REINDEX [name]`
    Reindex(Option<QualifiedName>),
    /// `ANALYZE [name]`
    Analyze(Option<QualifiedName>),
    /// `VACUUM [schema] [INTO file]`
    Vacuum {
        /// The schema, when written.
        schema: Option<Name>,
        /// `INTO expr`
        into: Option<Expr>,
    },
    /// `ATTACH [DATABASE] file AS schema [KEY key]`
    Attach {
        /// The file name expression.
        file: Expr,
        /// The schema name expression.
        schema: Expr,
        /// `KEY expr`
        key: Option<Expr>,
    },
    /// `DETACH [DATABASE] schema`
    Detach(Expr),
    /// `BEGIN [mode] [TRANSACTION [name]]`
    Begin(TransactionMode),
    /// `COMMIT` or `END` `[TRANSACTION [name]]`
    Commit,
    /// `ROLLBACK [TRANSACTION [name]] [TO [SAVEPOINT] name]`
    Rollback {
        /// The savepoint of `ROLLBACK TO`.
        savepoint: Option<Name>,
    },
    /// `SAVEPOINT name`
    Savepoint(Name),
    /// `RELEASE [SAVEPOINT] name`
    Release(Name),
    /// `PRAGMA [schema.]name [= value | (value)]`
    Pragma {
        /// The pragma name.
        name: QualifiedName,
        /// Its argument.
        value: Option<PragmaValue>,
    },
    /// `EXPLAIN [QUERY PLAN] statement`
    Explain {
        /// Whether `QUERY PLAN` was written.
        query_plan: bool,
        /// The explained statement.
        statement: Box<Statement>,
    },
}
