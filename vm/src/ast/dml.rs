//! Data-changing statements: INSERT, UPDATE, DELETE, with upsert and RETURNING.

use super::{
    ConflictResolution, Expr, FromClause, Indexed, IndexedColumn, Name, QualifiedName,
    ResultColumn, Select, With,
};

/// `[WITH ...] INSERT [OR x] | REPLACE INTO table [AS alias] [(cols)] source [upsert]
/// [RETURNING ...]`
#[derive(Debug, Clone, PartialEq)]
pub struct Insert {
    /// The `WITH` clause.
    pub with: Option<With>,
    /// `OR x`; `REPLACE INTO` is `Some(Replace)`.
    pub or_conflict: Option<ConflictResolution>,
    /// The target table.
    pub table: QualifiedName,
    /// `AS alias`
    pub alias: Option<Name>,
    /// The column list, empty when not written.
    pub columns: Vec<Name>,
    /// Where the rows come from.
    pub source: InsertSource,
    /// `ON CONFLICT` clauses, in order.
    pub upsert: Vec<Upsert>,
    /// `RETURNING` columns.
    pub returning: Vec<ResultColumn>,
}

/// The rows an INSERT adds.
#[derive(Debug, Clone, PartialEq)]
pub enum InsertSource {
    /// `VALUES ...` or `SELECT ...`
    Select(Box<Select>),
    /// `DEFAULT VALUES`
    DefaultValues,
}

/// `ON CONFLICT [(cols) [WHERE expr]] DO NOTHING | DO UPDATE SET ... [WHERE expr]`
#[derive(Debug, Clone, PartialEq)]
pub struct Upsert {
    /// The conflict target columns, empty when not written.
    pub target: Vec<IndexedColumn>,
    /// The `WHERE` of the target (for partial indexes).
    pub target_where: Option<Expr>,
    /// What to do.
    pub action: UpsertAction,
}

/// The action of an upsert clause.
#[derive(Debug, Clone, PartialEq)]
pub enum UpsertAction {
    /// `DO NOTHING`
    Nothing,
    /// `DO UPDATE SET ... [WHERE expr]`
    Update {
        /// The assignments.
        sets: Vec<SetClause>,
        /// The condition.
        where_clause: Option<Expr>,
    },
}

/// `col = expr` or `(a, b) = expr`.
#[derive(Debug, Clone, PartialEq)]
pub struct SetClause {
    /// The assigned columns (one, or several for the row-value form).
    pub columns: Vec<Name>,
    /// The value.
    pub value: Expr,
}

/// `[WITH ...] UPDATE [OR x] table [AS alias] [INDEXED ...] SET ... [FROM ...] [WHERE ...]
/// [RETURNING ...]`
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// The `WITH` clause.
    pub with: Option<With>,
    /// `OR x`
    pub or_conflict: Option<ConflictResolution>,
    /// The target table.
    pub table: QualifiedName,
    /// `AS alias`
    pub alias: Option<Name>,
    /// The index hint.
    pub indexed: Option<Indexed>,
    /// The assignments.
    pub sets: Vec<SetClause>,
    /// `FROM ...`
    pub from: Option<FromClause>,
    /// `WHERE ...`
    pub where_clause: Option<Expr>,
    /// `RETURNING` columns.
    pub returning: Vec<ResultColumn>,
}

/// `[WITH ...] DELETE FROM table [AS alias] [INDEXED ...] [WHERE ...] [RETURNING ...]`
#[derive(Debug, Clone, PartialEq)]
pub struct Delete {
    /// The `WITH` clause.
    pub with: Option<With>,
    /// The target table.
    pub table: QualifiedName,
    /// `AS alias`
    pub alias: Option<Name>,
    /// The index hint.
    pub indexed: Option<Indexed>,
    /// `WHERE ...`
    pub where_clause: Option<Expr>,
    /// `RETURNING` columns.
    pub returning: Vec<ResultColumn>,
}
