//! SELECT statements: WITH, compound selects, cores, FROM and joins, ORDER BY, LIMIT.

use super::{Expr, Name, QualifiedName, WindowDef};

/// A complete SELECT: optional WITH, a compound body, ORDER BY and LIMIT.
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    /// The `WITH` clause.
    pub with: Option<With>,
    /// The first core of the compound.
    pub first: SelectCore,
    /// The following cores, each with the operator joining it to what precedes it.
    pub compounds: Vec<(CompoundOp, SelectCore)>,
    /// `ORDER BY` terms (they apply to the whole compound).
    pub order_by: Vec<OrderingTerm>,
    /// `LIMIT` and `OFFSET`.
    pub limit: Option<Limit>,
}

/// `WITH [RECURSIVE] cte, ...`
#[derive(Debug, Clone, PartialEq)]
pub struct With {
    /// Whether `RECURSIVE` was written.
    pub recursive: bool,
    /// The common table expressions.
    pub ctes: Vec<CommonTableExpr>,
}

/// `name[(columns)] AS [[NOT] MATERIALIZED] (select)`
#[derive(Debug, Clone, PartialEq)]
pub struct CommonTableExpr {
    /// The table name the CTE defines.
    pub name: Name,
    /// Column names, when written.
    pub columns: Vec<Name>,
    /// `MATERIALIZED` (`Some(true)`) or `NOT MATERIALIZED` (`Some(false)`).
    pub materialized: Option<bool>,
    /// The defining query.
    pub select: Box<Select>,
}

/// The operators between the cores of a compound select.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompoundOp {
    /// `UNION`
    Union,
    /// `UNION ALL`
    UnionAll,
    /// `INTERSECT`
    Intersect,
    /// `EXCEPT`
    Except,
}

/// One core of a compound select.
#[derive(Debug, Clone, PartialEq)]
pub enum SelectCore {
    /// `SELECT ... FROM ... WHERE ... GROUP BY ... HAVING ... WINDOW ...`
    Select(Box<SelectClause>),
    /// `VALUES (..), (..)`: rows of equal width.
    Values(Vec<Vec<Expr>>),
}

/// The clauses of one `SELECT` core.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectClause {
    /// Whether `DISTINCT` was written (`ALL` is the default).
    pub distinct: bool,
    /// The result columns.
    pub columns: Vec<ResultColumn>,
    /// The `FROM` clause.
    pub from: Option<FromClause>,
    /// The `WHERE` condition.
    pub where_clause: Option<Expr>,
    /// `GROUP BY` expressions.
    pub group_by: Vec<Expr>,
    /// The `HAVING` condition.
    pub having: Option<Expr>,
    /// `WINDOW name AS (...)` definitions.
    pub windows: Vec<(Name, WindowDef)>,
}

/// One result column.
#[derive(Debug, Clone, PartialEq)]
pub enum ResultColumn {
    /// `*`
    Star,
    /// `table.*`
    TableStar(Name),
    /// `expr [AS alias]`
    Expr {
        /// The value.
        expr: Expr,
        /// The alias, when written.
        alias: Option<Name>,
        /// The expression as the statement wrote it, which names an unaliased column.
        text: SourceText,
    },
}

/// The text of a part of a statement as it was written, when it was parsed from text
/// (SQLite names a result column without an alias by its text, spaces and case as
/// written: `SELECT x'80',  1.50` has columns `x'80'` and `1.50`). It takes no part in
/// comparing trees: two statements that parse to the same tree are the same statement.
#[derive(Debug, Clone, Default)]
pub struct SourceText(pub Option<String>);

impl PartialEq for SourceText {
    fn eq(&self, _: &SourceText) -> bool {
        true
    }
}

/// A `FROM` clause: a first table and the joins that follow it, left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct FromClause {
    /// The leftmost table.
    pub first: TableOrSubquery,
    /// Each further table with its join operator and constraint.
    pub joins: Vec<Join>,
}

/// One join step of a `FROM` clause.
#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    /// How it joins to what precedes it.
    pub operator: JoinOperator,
    /// The joined table.
    pub table: TableOrSubquery,
    /// `ON expr` or `USING (cols)`.
    pub constraint: Option<JoinConstraint>,
}

/// The join kinds SQLite has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinOperator {
    /// `,`
    Comma,
    /// `[NATURAL] [INNER] JOIN`
    Inner {
        /// Whether `NATURAL` was written.
        natural: bool,
    },
    /// `CROSS JOIN`
    Cross,
    /// `[NATURAL] LEFT [OUTER] JOIN`
    Left {
        /// Whether `NATURAL` was written.
        natural: bool,
    },
    /// `[NATURAL] RIGHT [OUTER] JOIN`
    Right {
        /// Whether `NATURAL` was written.
        natural: bool,
    },
    /// `[NATURAL] FULL [OUTER] JOIN`
    Full {
        /// Whether `NATURAL` was written.
        natural: bool,
    },
}

/// The constraint of a join.
#[derive(Debug, Clone, PartialEq)]
pub enum JoinConstraint {
    /// `ON expr`
    On(Expr),
    /// `USING (a, b)`
    Using(Vec<Name>),
}

/// `INDEXED BY name` or `NOT INDEXED`.
#[derive(Debug, Clone, PartialEq)]
pub enum Indexed {
    /// `INDEXED BY name`
    By(Name),
    /// `NOT INDEXED`
    NotIndexed,
}

/// One item of a `FROM` clause.
#[derive(Debug, Clone, PartialEq)]
pub enum TableOrSubquery {
    /// A table or view.
    Table {
        /// Its name.
        name: QualifiedName,
        /// `[AS] alias`
        alias: Option<Name>,
        /// The index hint.
        indexed: Option<Indexed>,
    },
    /// A table-valued function such as `generate_series(1, 10)`.
    Function {
        /// The function name.
        name: QualifiedName,
        /// Its arguments.
        args: Vec<Expr>,
        /// `[AS] alias`
        alias: Option<Name>,
    },
    /// `(SELECT ...) [AS] alias`
    Subquery {
        /// The query.
        select: Box<Select>,
        /// `[AS] alias`
        alias: Option<Name>,
    },
    /// `(a JOIN b ...)`: a parenthesized join.
    Nested {
        /// The inner join.
        from: Box<FromClause>,
        /// `[AS] alias`
        alias: Option<Name>,
    },
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    /// `ASC`
    Asc,
    /// `DESC`
    Desc,
}

/// Where NULLs sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullsOrder {
    /// `NULLS FIRST`
    First,
    /// `NULLS LAST`
    Last,
}

/// One `ORDER BY` term (the collation is part of `expr` as `Expr::Collate`).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderingTerm {
    /// The sort key (an integer literal is a result-column ordinal).
    pub expr: Expr,
    /// `ASC` or `DESC`, when written.
    pub order: Option<SortOrder>,
    /// `NULLS FIRST` or `NULLS LAST`, when written.
    pub nulls: Option<NullsOrder>,
}

/// `LIMIT count [OFFSET offset]`; `LIMIT a, b` means offset `a`, count `b`.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    /// The row count.
    pub count: Expr,
    /// The number of rows skipped.
    pub offset: Option<Expr>,
}
