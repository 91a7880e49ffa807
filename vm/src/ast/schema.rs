//! Schema statements: CREATE TABLE/INDEX/VIEW/TRIGGER, ALTER TABLE, DROP.

use super::{Expr, Name, QualifiedName, Select, SortOrder, Statement};

/// A type name as written: `INTEGER`, `VARCHAR(10)`, `DOUBLE PRECISION`, `DECIMAL(10, 2)`.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeName {
    /// The words of the name joined by single spaces, letter case as written.
    pub name: String,
    /// The size arguments as written (signed numbers), zero, one or two of them.
    pub args: Vec<String>,
}

/// A conflict resolution algorithm (`ON CONFLICT x`, `INSERT OR x`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictResolution {
    /// `ROLLBACK`
    Rollback,
    /// `ABORT`
    Abort,
    /// `FAIL`
    Fail,
    /// `IGNORE`
    Ignore,
    /// `REPLACE`
    Replace,
}

/// `CREATE [TEMP] TABLE [IF NOT EXISTS] name ...`
#[derive(Debug, Clone, PartialEq)]
pub struct CreateTable {
    /// Whether `TEMP` or `TEMPORARY` was written.
    pub temporary: bool,
    /// Whether `IF NOT EXISTS` was written.
    pub if_not_exists: bool,
    /// The table name.
    pub name: QualifiedName,
    /// Column definitions or `AS SELECT`.
    pub body: CreateTableBody,
}

/// What follows the table name in CREATE TABLE.
#[derive(Debug, Clone, PartialEq)]
pub enum CreateTableBody {
    /// `(columns, constraints) options`
    Columns {
        /// Column definitions, in order.
        columns: Vec<ColumnDef>,
        /// Table constraints.
        constraints: Vec<NamedTableConstraint>,
        /// `WITHOUT ROWID`
        without_rowid: bool,
        /// `STRICT`
        strict: bool,
    },
    /// `AS SELECT ...`
    AsSelect(Box<Select>),
}

/// One column definition.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDef {
    /// The column name.
    pub name: Name,
    /// The declared type, when written.
    pub type_name: Option<TypeName>,
    /// The constraints, in order.
    pub constraints: Vec<NamedColumnConstraint>,
}

/// A column constraint with its optional `CONSTRAINT name`.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedColumnConstraint {
    /// The constraint's name.
    pub name: Option<Name>,
    /// The constraint.
    pub constraint: ColumnConstraint,
}

/// A column constraint.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnConstraint {
    /// `PRIMARY KEY [ASC|DESC] [conflict] [AUTOINCREMENT]`
    PrimaryKey {
        /// The direction, when written.
        order: Option<SortOrder>,
        /// `ON CONFLICT ...`
        conflict: Option<ConflictResolution>,
        /// Whether `AUTOINCREMENT` was written.
        autoincrement: bool,
    },
    /// `NOT NULL [conflict]`
    NotNull {
        /// `ON CONFLICT ...`
        conflict: Option<ConflictResolution>,
    },
    /// `NULL` (allowed and meaningless)
    Null,
    /// `UNIQUE [conflict]`
    Unique {
        /// `ON CONFLICT ...`
        conflict: Option<ConflictResolution>,
    },
    /// `CHECK (expr)`
    Check(Expr),
    /// `DEFAULT value`; a signed number, literal, bare identifier (as a string) or `(expr)`.
    Default(Expr),
    /// `COLLATE name`
    Collate(Name),
    /// `REFERENCES ...`
    References(ForeignKeyClause),
    /// `[GENERATED ALWAYS] AS (expr) [STORED|VIRTUAL]`
    Generated {
        /// The generating expression.
        expr: Expr,
        /// Whether `STORED` was written (`VIRTUAL` is the default).
        stored: bool,
    },
}

/// A table constraint with its optional `CONSTRAINT name`.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedTableConstraint {
    /// The constraint's name.
    pub name: Option<Name>,
    /// The constraint.
    pub constraint: TableConstraint,
}

/// A table constraint.
#[derive(Debug, Clone, PartialEq)]
pub enum TableConstraint {
    /// `PRIMARY KEY (cols) [conflict]`
    PrimaryKey {
        /// The key columns.
        columns: Vec<IndexedColumn>,
        /// `AUTOINCREMENT` (SQLite accepts it here too).
        autoincrement: bool,
        /// `ON CONFLICT ...`
        conflict: Option<ConflictResolution>,
    },
    /// `UNIQUE (cols) [conflict]`
    Unique {
        /// The key columns.
        columns: Vec<IndexedColumn>,
        /// `ON CONFLICT ...`
        conflict: Option<ConflictResolution>,
    },
    /// `CHECK (expr)`
    Check(Expr),
    /// `FOREIGN KEY (cols) REFERENCES ...`
    ForeignKey {
        /// The referencing columns.
        columns: Vec<Name>,
        /// The referenced table and actions.
        clause: ForeignKeyClause,
    },
}

/// `REFERENCES table [(cols)] [ON DELETE|UPDATE action] [MATCH name] [[NOT] DEFERRABLE ...]`
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignKeyClause {
    /// The referenced table.
    pub table: Name,
    /// The referenced columns, when written.
    pub columns: Vec<Name>,
    /// `ON DELETE action`
    pub on_delete: Option<ForeignKeyAction>,
    /// `ON UPDATE action`
    pub on_update: Option<ForeignKeyAction>,
    /// `MATCH name`
    pub match_name: Option<Name>,
    /// `DEFERRABLE INITIALLY DEFERRED` (the only combination that defers checking).
    pub deferred: bool,
}

/// What a foreign key does when its parent changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForeignKeyAction {
    /// `SET NULL`
    SetNull,
    /// `SET DEFAULT`
    SetDefault,
    /// `CASCADE`
    Cascade,
    /// `RESTRICT`
    Restrict,
    /// `NO ACTION`
    NoAction,
}

/// An indexed column or expression with its direction (collation lives in the expression).
#[derive(Debug, Clone, PartialEq)]
pub struct IndexedColumn {
    /// The column or expression.
    pub expr: Expr,
    /// `ASC` or `DESC`, when written.
    pub order: Option<SortOrder>,
}

/// `CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table (cols) [WHERE expr]`
#[derive(Debug, Clone, PartialEq)]
pub struct CreateIndex {
    /// Whether `UNIQUE` was written.
    pub unique: bool,
    /// Whether `IF NOT EXISTS` was written.
    pub if_not_exists: bool,
    /// The index name.
    pub name: QualifiedName,
    /// The indexed table (always in the index's schema).
    pub table: Name,
    /// The indexed columns.
    pub columns: Vec<IndexedColumn>,
    /// The condition of a partial index.
    pub where_clause: Option<Expr>,
}

/// `CREATE [TEMP] VIEW [IF NOT EXISTS] name [(cols)] AS select`
#[derive(Debug, Clone, PartialEq)]
pub struct CreateView {
    /// Whether `TEMP` or `TEMPORARY` was written.
    pub temporary: bool,
    /// Whether `IF NOT EXISTS` was written.
    pub if_not_exists: bool,
    /// The view name.
    pub name: QualifiedName,
    /// Column names, when written.
    pub columns: Vec<Name>,
    /// The defining query.
    pub select: Box<Select>,
}

/// When a trigger fires relative to its event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerTime {
    /// `BEFORE` (also the default when nothing is written)
    Before,
    /// `AFTER`
    After,
    /// `INSTEAD OF`
    InsteadOf,
}

/// The event a trigger fires on.
#[derive(Debug, Clone, PartialEq)]
pub enum TriggerEvent {
    /// `DELETE`
    Delete,
    /// `INSERT`
    Insert,
    /// `UPDATE [OF cols]`
    Update(Vec<Name>),
}

/// `CREATE [TEMP] TRIGGER [IF NOT EXISTS] name time event ON table ... BEGIN ... END`
#[derive(Debug, Clone, PartialEq)]
pub struct CreateTrigger {
    /// Whether `TEMP` or `TEMPORARY` was written.
    pub temporary: bool,
    /// Whether `IF NOT EXISTS` was written.
    pub if_not_exists: bool,
    /// The trigger name.
    pub name: QualifiedName,
    /// `BEFORE`, `AFTER` or `INSTEAD OF`, when written.
    pub time: Option<TriggerTime>,
    /// The firing event.
    pub event: TriggerEvent,
    /// The table or view.
    pub table: QualifiedName,
    /// Whether `FOR EACH ROW` was written (the only kind SQLite has).
    pub for_each_row: bool,
    /// `WHEN expr`
    pub when: Option<Expr>,
    /// The body: INSERT, UPDATE, DELETE and SELECT statements.
    pub body: Vec<Statement>,
}

/// What `ALTER TABLE` does.
#[derive(Debug, Clone, PartialEq)]
pub enum AlterTableAction {
    /// `RENAME TO name`
    RenameTable(Name),
    /// `RENAME [COLUMN] old TO new`
    RenameColumn {
        /// The current column name.
        old: Name,
        /// The new column name.
        new: Name,
    },
    /// `ADD [COLUMN] def`
    AddColumn(ColumnDef),
    /// `DROP [COLUMN] name`
    DropColumn(Name),
}

/// The kinds of schema object DROP removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// `TABLE`
    Table,
    /// `INDEX`
    Index,
    /// `VIEW`
    View,
    /// `TRIGGER`
    Trigger,
}
