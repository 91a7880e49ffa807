//! Expressions.

use super::{Name, QualifiedName, Select, TypeName};

/// A literal value as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `NULL`
    Null,
    /// An integer that fits in i64 (decimal or hex; hex is two's complement).
    Integer(i64),
    /// A real, or a decimal integer too large for i64 (SQLite reads those as REAL).
    Real(f64),
    /// A string literal, quotes removed.
    String(String),
    /// A blob literal `x'..'`.
    Blob(Vec<u8>),
    /// `TRUE` or `FALSE` used as a value.
    Bool(bool),
    /// `CURRENT_TIME`
    CurrentTime,
    /// `CURRENT_DATE`
    CurrentDate,
    /// `CURRENT_TIMESTAMP`
    CurrentTimestamp,
}

/// A prefix operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`
    Negate,
    /// `+x`
    Plus,
    /// `~x`
    BitNot,
    /// `NOT x`
    Not,
}

/// An infix operator with two operands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `OR`
    Or,
    /// `AND`
    And,
    /// `=` or `==`
    Eq,
    /// `!=` or `<>`
    Ne,
    /// `IS` (also `IS NOT DISTINCT FROM`)
    Is,
    /// `IS NOT` (also `IS DISTINCT FROM`)
    IsNot,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `&`
    BitAnd,
    /// `|`
    BitOr,
    /// `<<`
    ShiftLeft,
    /// `>>`
    ShiftRight,
    /// `+`
    Add,
    /// `-`
    Subtract,
    /// `*`
    Multiply,
    /// `/`
    Divide,
    /// `%`
    Remainder,
    /// `||`
    Concat,
    /// `->` (JSON extract returning JSON)
    Arrow,
    /// `->>` (JSON extract returning SQL values)
    LongArrow,
}

/// The pattern-matching operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LikeOp {
    /// `LIKE`
    Like,
    /// `GLOB`
    Glob,
    /// `MATCH`
    Match,
    /// `REGEXP`
    Regexp,
}

/// What `RAISE(...)` does inside a trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RaiseAction {
    /// `RAISE(IGNORE)`
    Ignore,
    /// `RAISE(ROLLBACK, msg)`
    Rollback,
    /// `RAISE(ABORT, msg)`
    Abort,
    /// `RAISE(FAIL, msg)`
    Fail,
}

/// A column reference `col`, `tbl.col` or `schema.tbl.col`.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnRef {
    /// The schema name, when written.
    pub schema: Option<Name>,
    /// The table name or alias, when written.
    pub table: Option<Name>,
    /// The column name.
    pub column: Name,
}

/// The arguments of a function call.
#[derive(Debug, Clone, PartialEq)]
pub enum FunctionArgs {
    /// `f(*)`, as in `count(*)`.
    Star,
    /// `f(a, b)`, possibly empty; `distinct` for `f(DISTINCT a)`.
    List {
        /// Whether `DISTINCT` precedes the arguments.
        distinct: bool,
        /// The argument expressions.
        args: Vec<Expr>,
    },
}

/// A function call, aggregate or window function.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionCall {
    /// The function's name as written.
    pub name: Name,
    /// The arguments.
    pub args: FunctionArgs,
    /// `FILTER (WHERE expr)`, for aggregates.
    pub filter: Option<Box<Expr>>,
    /// `OVER ...`, for window functions.
    pub over: Option<Over>,
}

/// The `OVER` clause of a window function.
#[derive(Debug, Clone, PartialEq)]
pub enum Over {
    /// `OVER name`: a window defined in the `WINDOW` clause.
    Named(Name),
    /// `OVER (...)`
    Window(Box<WindowDef>),
}

/// A window definition: `(base PARTITION BY ... ORDER BY ... frame)`.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowDef {
    /// The name of a window this one extends.
    pub base: Option<Name>,
    /// `PARTITION BY` expressions.
    pub partition_by: Vec<Expr>,
    /// `ORDER BY` terms.
    pub order_by: Vec<super::OrderingTerm>,
    /// The frame specification.
    pub frame: Option<FrameSpec>,
}

/// The unit of a window frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameUnit {
    /// `ROWS`
    Rows,
    /// `RANGE`
    Range,
    /// `GROUPS`
    Groups,
}

/// One end of a window frame.
#[derive(Debug, Clone, PartialEq)]
pub enum FrameBound {
    /// `UNBOUNDED PRECEDING`
    UnboundedPreceding,
    /// `expr PRECEDING`
    Preceding(Box<Expr>),
    /// `CURRENT ROW`
    CurrentRow,
    /// `expr FOLLOWING`
    Following(Box<Expr>),
    /// `UNBOUNDED FOLLOWING`
    UnboundedFollowing,
}

/// The `EXCLUDE` option of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameExclude {
    /// `EXCLUDE NO OTHERS`
    NoOthers,
    /// `EXCLUDE CURRENT ROW`
    CurrentRow,
    /// `EXCLUDE GROUP`
    Group,
    /// `EXCLUDE TIES`
    Ties,
}

/// A window frame: unit, start, optional end, optional exclusion.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameSpec {
    /// `ROWS`, `RANGE` or `GROUPS`.
    pub unit: FrameUnit,
    /// The start bound (the only bound without `BETWEEN`).
    pub start: FrameBound,
    /// The end bound of `BETWEEN start AND end`.
    pub end: Option<FrameBound>,
    /// The `EXCLUDE` option.
    pub exclude: Option<FrameExclude>,
}

/// An SQL expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal value.
    Literal(Literal),
    /// A column reference. `double_quoted` records `"name"` spelling, which SQLite reads as a
    /// string literal when no such column exists.
    Column {
        /// The referenced column.
        column: ColumnRef,
        /// Whether a lone column name was written in double quotes.
        double_quoted: bool,
    },
    /// A parameter with its 1-based index, numbered as SQLite numbers them.
    Variable {
        /// The parameter's index (1-based).
        index: u32,
        /// The text as written (`?`, `?3`, `:name`, ...).
        name: String,
    },
    /// A prefix operator.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// An infix operator.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// The left operand.
        left: Box<Expr>,
        /// The right operand.
        right: Box<Expr>,
    },
    /// `expr COLLATE name`
    Collate {
        /// The operand.
        expr: Box<Expr>,
        /// The collation name.
        collation: Name,
    },
    /// `CAST(expr AS type)`; the type may be empty.
    Cast {
        /// The operand.
        expr: Box<Expr>,
        /// The target type as written.
        type_name: Option<TypeName>,
    },
    /// `expr [NOT] LIKE|GLOB|MATCH|REGEXP pattern [ESCAPE e]`
    Like {
        /// Whether `NOT` was written.
        negated: bool,
        /// Which operator.
        op: LikeOp,
        /// The matched value.
        expr: Box<Expr>,
        /// The pattern.
        pattern: Box<Expr>,
        /// The escape character expression.
        escape: Option<Box<Expr>>,
    },
    /// `expr [NOT] BETWEEN low AND high`
    Between {
        /// Whether `NOT` was written.
        negated: bool,
        /// The tested value.
        expr: Box<Expr>,
        /// The lower bound.
        low: Box<Expr>,
        /// The upper bound.
        high: Box<Expr>,
    },
    /// `expr [NOT] IN (a, b, ...)`, possibly empty.
    InList {
        /// Whether `NOT` was written.
        negated: bool,
        /// The tested value.
        expr: Box<Expr>,
        /// The list.
        list: Vec<Expr>,
    },
    /// `expr [NOT] IN (SELECT ...)`
    InSelect {
        /// Whether `NOT` was written.
        negated: bool,
        /// The tested value.
        expr: Box<Expr>,
        /// The subquery.
        select: Box<Select>,
    },
    /// `expr [NOT] IN table` or `expr [NOT] IN func(args)`.
    InTable {
        /// Whether `NOT` was written.
        negated: bool,
        /// The tested value.
        expr: Box<Expr>,
        /// The table or table-valued function name.
        table: QualifiedName,
        /// Arguments of a table-valued function, when written with parentheses.
        args: Option<Vec<Expr>>,
    },
    /// `expr ISNULL`, `expr IS NULL` is `Binary(Is)`; this is the postfix form only.
    IsNull(Box<Expr>),
    /// `expr NOTNULL` or `expr NOT NULL`.
    NotNull(Box<Expr>),
    /// `[NOT] EXISTS (SELECT ...)`; `NOT` arrives as a `Unary(Not)` around it.
    Exists(Box<Select>),
    /// `(SELECT ...)` used as a value.
    Subquery(Box<Select>),
    /// A function call.
    Function(Box<FunctionCall>),
    /// `CASE [operand] WHEN .. THEN .. [ELSE ..] END`
    Case {
        /// The operand of the simple form.
        operand: Option<Box<Expr>>,
        /// The `WHEN`/`THEN` pairs.
        when_then: Vec<(Expr, Expr)>,
        /// The `ELSE` value.
        else_expr: Option<Box<Expr>>,
    },
    /// `RAISE(action[, message])` inside a trigger.
    Raise {
        /// What to do.
        action: RaiseAction,
        /// The error message (absent for `IGNORE`).
        message: Option<Box<Expr>>,
    },
    /// A row value `(a, b, ...)` with two or more members.
    Row(Vec<Expr>),
}
