//! The instruction set and the compiled expression tree.

use std::sync::Arc;

use concur_btree::Value;

use crate::ast::{ConflictResolution, RaiseAction};
use crate::func::registry::ScalarBody;
use crate::func::AggregateKind;
use crate::schema::{Index, Table};
use crate::storage::KeyInfo;
use crate::value::{Affinity, ArithOp, BitOp, Collation, CompareOp};

/// A register number.
pub type Reg = usize;
/// A cursor number.
pub type CursorId = usize;
/// An instruction address.
pub type Addr = usize;

/// How an index or rowid seek compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeekOp {
    /// first key `>=`
    Ge,
    /// first key `>`
    Gt,
    /// last key `<=`
    Le,
    /// last key `<`
    Lt,
}

/// One aggregate computed by an [`Insn::AggStep`].
#[derive(Debug, Clone)]
pub struct AggCall {
    /// Which aggregate.
    pub kind: AggregateKind,
    /// Whether `DISTINCT` was written.
    pub distinct: bool,
    /// The argument expressions.
    pub args: Vec<Expr>,
    /// `FILTER (WHERE ...)`.
    pub filter: Option<Expr>,
    /// The collation for min/max/DISTINCT.
    pub collation: Collation,
}

/// A uniqueness constraint of a [`WriteTarget`]: the rowid, or one of its indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniqueConstraint {
    /// The rowid (INTEGER PRIMARY KEY).
    Rowid,
    /// `indexes[i]` of the target.
    Index(usize),
}

/// How an INSERT's ON CONFLICT clauses take over uniqueness conflicts.
#[derive(Debug, Clone)]
pub struct Upsert {
    /// Receives the conflicting row's rowid before the jump to DO UPDATE code.
    pub conflict_rowid: Reg,
    /// The clauses in order: the constraint each names (None: any; only the last), and the
    /// address of its DO UPDATE code (None: DO NOTHING).
    pub clauses: Vec<(Option<UniqueConstraint>, Option<Addr>)>,
}

/// Everything an INSERT or UPDATE needs to write one row of a table.
#[derive(Debug, Clone)]
pub struct WriteTarget {
    /// The table.
    pub table: Arc<Table>,
    /// Its indexes.
    pub indexes: Vec<Arc<Index>>,
    /// Register the row's rowid is placed in while constraints are checked.
    pub scratch_rowid: Reg,
    /// First of the registers the row's columns are placed in.
    pub scratch_start: Reg,
    /// CHECK constraints over the scratch registers, with their text for messages.
    pub checks: Vec<(Expr, String)>,
    /// Per index: its key expressions over the scratch registers (None for a plain column).
    pub index_keys: Vec<Vec<Option<Expr>>>,
    /// Per index: the partial-index condition over the scratch registers.
    pub index_where: Vec<Option<Expr>>,
    /// For an AUTOINCREMENT table, the root of `sqlite_sequence`.
    pub sequence_root: Option<u32>,
    /// Whether the statement's own rows are written (false inside a trigger body: those
    /// rows count for total_changes() but not for changes(), as in SQLite).
    pub counts_changes: bool,
    /// Per column: its DEFAULT, which OR REPLACE puts in place of a NULL that breaks NOT NULL.
    pub defaults: Vec<Option<Expr>>,
}

/// One instruction of a program.
#[derive(Debug, Clone)]
pub enum Insn {
    /// Jump to `target`.
    Goto {
        /// Where.
        target: Addr,
    },
    /// End the program.
    Halt,
    /// Open cursor on the table rooted at `root`.
    OpenTable {
        /// The cursor.
        cursor: CursorId,
        /// The root page.
        root: u32,
        /// The table's name (for the listing).
        name: String,
    },
    /// Open cursor on the index rooted at `root`.
    OpenIndex {
        /// The cursor.
        cursor: CursorId,
        /// The root page.
        root: u32,
        /// Key ordering.
        key_info: KeyInfo,
        /// The index's name (for the listing).
        name: String,
    },
    /// Open cursor over ephemeral table `eph`.
    OpenEphemeral {
        /// The cursor.
        cursor: CursorId,
        /// The ephemeral table.
        eph: usize,
    },
    /// Empty ephemeral table `eph`.
    ClearEphemeral {
        /// The table.
        eph: usize,
    },
    /// Append the registers as a row of ephemeral table `eph`.
    EphInsert {
        /// The table.
        eph: usize,
        /// First register.
        start: Reg,
        /// Register count.
        count: usize,
    },
    /// Give some columns of ephemeral table `eph` REAL affinity (an integer becomes a
    /// real), as reading them back from a subquery does.
    EphRealAffinity {
        /// The table.
        eph: usize,
        /// The columns.
        columns: Vec<usize>,
    },
    /// Of the rows of ephemeral table `eph` (sorted by its first column) that agree in
    /// their first column, keep only the last.
    KeepLastOfEach {
        /// The table.
        eph: usize,
    },
    /// Sort ephemeral table `eph` by some of its columns.
    Sort {
        /// The table.
        eph: usize,
        /// One (column, collation, desc, nulls_first) per key.
        keys: Vec<(usize, Collation, bool, bool)>,
    },
    /// Move to the first row; jump to `if_empty` when there is none.
    Rewind {
        /// The cursor.
        cursor: CursorId,
        /// Where to go when empty.
        if_empty: Addr,
    },
    /// Start a `generate_series` cursor: evaluate START, STOP and STEP (None: not given)
    /// and move to the first member; jump to `if_empty` when there is none.
    SeriesRewind {
        /// The cursor.
        cursor: CursorId,
        /// START, STOP and STEP.
        args: Box<[Option<Expr>; 3]>,
        /// Where to go when empty.
        if_empty: Addr,
    },
    /// Move to the last row; jump to `if_empty` when there is none.
    Last {
        /// The cursor.
        cursor: CursorId,
        /// Where to go when empty.
        if_empty: Addr,
    },
    /// Advance; jump to `target` when on a row.
    Next {
        /// The cursor.
        cursor: CursorId,
        /// Loop head.
        target: Addr,
    },
    /// Step back; jump to `target` when on a row.
    Prev {
        /// The cursor.
        cursor: CursorId,
        /// Loop head.
        target: Addr,
    },
    /// Seek a table cursor to the rowid in `key` (after numeric affinity); jump to
    /// `not_found` when absent or not an integer.
    SeekRowid {
        /// The cursor.
        cursor: CursorId,
        /// The rowid register.
        key: Reg,
        /// Where to go when absent.
        not_found: Addr,
    },
    /// Seek a table cursor by rowid range.
    SeekRowidRange {
        /// The cursor.
        cursor: CursorId,
        /// The comparison.
        op: SeekOp,
        /// The key register.
        key: Reg,
        /// Where to go when nothing qualifies.
        not_found: Addr,
    },
    /// Jump to `target` when the cursor's rowid compared with `key` satisfies `op` (used to
    /// end a rowid range scan).
    RowidCompare {
        /// The cursor.
        cursor: CursorId,
        /// The comparison that ends the scan.
        op: CompareOp,
        /// The key register.
        key: Reg,
        /// Where to go.
        target: Addr,
    },
    /// Seek an index cursor by a key prefix.
    IdxSeek {
        /// The cursor.
        cursor: CursorId,
        /// The comparison.
        op: SeekOp,
        /// The prefix registers.
        start: Reg,
        /// How many.
        count: usize,
        /// Where to go when nothing qualifies.
        not_found: Addr,
    },
    /// Jump to `target` when the index entry's prefix compared with the key satisfies `op`.
    IdxCompare {
        /// The cursor.
        cursor: CursorId,
        /// The comparison that ends the scan.
        op: CompareOp,
        /// The prefix registers.
        start: Reg,
        /// How many.
        count: usize,
        /// Where to go.
        target: Addr,
    },
    /// Position table cursor `table` on the rowid of index cursor `index`'s entry.
    IdxRowSeek {
        /// The index cursor.
        index: CursorId,
        /// The table cursor.
        table: CursorId,
    },
    /// Put the cursor in the null-row state (LEFT JOIN without a match).
    NullRow {
        /// The cursor.
        cursor: CursorId,
    },
    /// Store a value.
    Value {
        /// The value.
        value: Value,
        /// The destination.
        dest: Reg,
    },
    /// Evaluate an expression into a register.
    Eval {
        /// The expression.
        expr: Expr,
        /// The destination.
        dest: Reg,
    },
    /// Copy parameter `index` (1-based) into a register, or move it there when the
    /// execution owns its bindings ([`crate::exec::Env::params_single_use`]). Emitted only
    /// for a parameter the statement reads once, in code that runs once.
    MoveParam {
        /// The parameter.
        index: usize,
        /// The destination.
        dest: Reg,
    },
    /// Jump when the expression is false or NULL (`jump_if_null`) / false only.
    IfNot {
        /// The condition.
        expr: Expr,
        /// Where to go.
        target: Addr,
        /// Whether NULL jumps too.
        jump_if_null: bool,
    },
    /// [`Insn::IfNot`] of a comparison of two integer operands: decided from the
    /// operands' integers when both are integers (no value is built), else from `expr`.
    IfNotInt {
        /// The comparison.
        op: CompareOp,
        /// Its left operand.
        left: IntOperand,
        /// Its right operand.
        right: IntOperand,
        /// The whole condition, for when an operand is not an integer.
        expr: Expr,
        /// Where to go.
        target: Addr,
        /// Whether NULL jumps too.
        jump_if_null: bool,
    },
    /// Jump when register `reg` holds an integer > 0.
    IfPos {
        /// The register.
        reg: Reg,
        /// Where to go.
        target: Addr,
    },
    /// Evaluate a LIMIT/OFFSET expression as an integer (negative LIMIT: no limit).
    Limit {
        /// The expression.
        expr: Expr,
        /// The destination.
        dest: Reg,
        /// Whether this is an OFFSET (negative becomes 0).
        offset: bool,
    },
    /// If `reg` > 0, decrement it and jump to `target` (OFFSET skipping).
    OffsetSkip {
        /// The counter.
        reg: Reg,
        /// Where to go while skipping.
        target: Addr,
    },
    /// Decrement a limit counter (when it is positive) and jump to `target` at zero.
    DecrJumpZero {
        /// The counter.
        reg: Reg,
        /// Where to go.
        target: Addr,
    },
    /// Jump to `target` when limit counter `reg` is zero.
    IfZero {
        /// The counter.
        reg: Reg,
        /// Where to go.
        target: Addr,
    },
    /// Emit a result row.
    ResultRow {
        /// First register.
        start: Reg,
        /// Register count.
        count: usize,
    },
    /// Jump to `if_seen` when the registers were seen before in distinct set `set`.
    Distinct {
        /// The set.
        set: usize,
        /// First register.
        start: Reg,
        /// Count.
        count: usize,
        /// Collation per column.
        collations: Vec<Collation>,
        /// Where to go for a repeat.
        if_seen: Addr,
    },
    /// Empty distinct set `set`.
    ClearSet {
        /// The set.
        set: usize,
    },
    /// Add one row to an aggregation.
    AggStep {
        /// The aggregation.
        agg: usize,
        /// Group key expressions.
        keys: Vec<Expr>,
        /// Key collations.
        collations: Vec<Collation>,
        /// The aggregate calls.
        calls: Vec<AggCall>,
        /// Non-aggregate expressions captured per group (from its last row).
        captured: Vec<Expr>,
    },
    /// Make sure aggregation `agg` has the empty-key group (aggregates without GROUP BY).
    AggEnsure {
        /// The aggregation.
        agg: usize,
        /// The aggregate calls.
        calls: Vec<AggCall>,
        /// How many captured values.
        captured: usize,
    },
    /// Empty aggregation `agg`.
    AggReset {
        /// The aggregation.
        agg: usize,
    },
    /// Move to the first group (finalizing it); jump to `if_empty` when none.
    AggRewind {
        /// The aggregation.
        agg: usize,
        /// Where to go.
        if_empty: Addr,
    },
    /// Move to the next group; jump to `target` when there is one.
    AggNext {
        /// The aggregation.
        agg: usize,
        /// Loop head.
        target: Addr,
    },
    /// Insert a row built from registers: `rowid` (NULL: allocate) then the columns.
    InsertRow {
        /// Target table.
        target: Arc<WriteTarget>,
        /// The rowid register.
        rowid: Reg,
        /// First column register.
        start: Reg,
        /// Conflict resolution.
        conflict: ConflictResolution,
        /// Jump here when the row was ignored (OR IGNORE / DO NOTHING).
        if_ignored: Addr,
        /// Whether to count the change and set last_insert_rowid.
        count_change: bool,
        /// The ON CONFLICT clauses, if any.
        upsert: Option<Upsert>,
        /// Whether code after the write reads the stored row back from the registers
        /// (RETURNING, AFTER triggers, DO UPDATE); when not, the values move into the store.
        keep_row: bool,
    },
    /// Replace the current row of `cursor` with the registers (new rowid then columns).
    UpdateRow {
        /// Target table.
        target: Arc<WriteTarget>,
        /// The table cursor on the old row.
        cursor: CursorId,
        /// The new rowid register.
        rowid: Reg,
        /// First new column register.
        start: Reg,
        /// Conflict resolution.
        conflict: ConflictResolution,
        /// Jump here when OR IGNORE skipped the row (no RETURNING, no AFTER triggers).
        if_ignored: Addr,
        /// Whether a constraint failure here rolls back the whole statement whatever its
        /// OR clause (the DO UPDATE of an upsert, which SQLite runs under ABORT).
        aborts_statement: bool,
    },
    /// Delete the current row of `cursor` and its index entries.
    DeleteRow {
        /// Target table.
        target: Arc<WriteTarget>,
        /// The table cursor.
        cursor: CursorId,
    },
    /// Run subprogram `sub`, refilling its result table.
    RunSub {
        /// The subprogram.
        sub: usize,
    },
    /// Combine ephemeral table `right` into `left` by a compound operator.
    Compound {
        /// The operator.
        op: crate::ast::CompoundOp,
        /// The accumulated rows (updated in place).
        left: usize,
        /// The new core's rows.
        right: usize,
        /// The collation each column's values are compared under (missing: BINARY).
        collations: Vec<crate::value::Collation>,
    },
    /// Evaluate a recursive CTE into ephemeral table `result`.
    Recursive {
        /// The initial select's subprogram.
        init: usize,
        /// The recursive select's subprogram (reads `current`).
        step: usize,
        /// The result table.
        result: usize,
        /// The one-row table holding the row being expanded.
        current: usize,
        /// UNION (distinct) rather than UNION ALL.
        union: bool,
        /// The CTE's LIMIT.
        limit: Option<Expr>,
    },
    /// Do nothing.
    Noop,
}

/// A binary operator of the expression evaluator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// Arithmetic.
    Arith(ArithOp),
    /// Bitwise.
    Bit(BitOp),
    /// `||`
    Concat,
    /// `AND`
    And,
    /// `OR`
    Or,
}

/// A compiled expression, evaluated by the interpreter against registers and cursors.
#[derive(Debug, Clone)]
pub enum Expr {
    /// A constant.
    Const(Value),
    /// Bound parameter (1-based).
    Param(usize),
    /// A register.
    Reg(Reg),
    /// A table column through a cursor.
    Column {
        /// The cursor.
        cursor: CursorId,
        /// The column number.
        column: usize,
        /// Whether reading the rowid instead (an INTEGER PRIMARY KEY column).
        rowid: bool,
    },
    /// Column `column` of an index cursor's entry.
    IdxColumn {
        /// The cursor.
        cursor: CursorId,
        /// The key column.
        column: usize,
    },
    /// A row of an ephemeral table through a cursor.
    EphColumn {
        /// The cursor.
        cursor: CursorId,
        /// The column.
        column: usize,
    },
    /// The rowid of a cursor.
    Rowid(CursorId),
    /// Negation, `+`, `~`, `NOT`.
    Unary(crate::ast::UnaryOp, Box<Expr>),
    /// Arithmetic, bitwise, concatenation, AND, OR.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// A comparison with affinities applied to its operands.
    Compare {
        /// The operator; None for IS, Some(Ne) with `is` for IS NOT.
        op: CompareOp,
        /// `IS`/`IS NOT` semantics.
        is: bool,
        /// Left.
        left: Box<Expr>,
        /// Right.
        right: Box<Expr>,
        /// Left affinity.
        left_affinity: Option<Affinity>,
        /// Right affinity.
        right_affinity: Option<Affinity>,
        /// The collation.
        collation: Collation,
    },
    /// `x [NOT] BETWEEN a AND b`.
    Between {
        /// Whether NOT.
        negated: bool,
        /// The value.
        expr: Box<Expr>,
        /// Low.
        low: Box<Expr>,
        /// High.
        high: Box<Expr>,
        /// Affinities of expr, low, high.
        affinities: [Option<Affinity>; 3],
        /// The collation.
        collation: Collation,
    },
    /// `x [NOT] IN (list)`.
    InList {
        /// Whether NOT.
        negated: bool,
        /// The value.
        expr: Box<Expr>,
        /// The list.
        list: Vec<Expr>,
        /// The value's affinity.
        affinity: Option<Affinity>,
        /// The collation.
        collation: Collation,
    },
    /// `x [NOT] IN (SELECT ...)`.
    InSelect {
        /// Whether NOT.
        negated: bool,
        /// The value.
        expr: Box<Expr>,
        /// The subquery.
        sub: usize,
        /// The value's affinity.
        affinity: Option<Affinity>,
        /// The subquery column's affinity.
        sub_affinity: Option<Affinity>,
        /// The collation.
        collation: Collation,
    },
    /// `EXISTS (SELECT ...)`.
    Exists(usize),
    /// `(SELECT ...)`: its first row's first column, or NULL.
    Scalar(usize),
    /// `LIKE`/`GLOB`.
    Like {
        /// Whether NOT.
        negated: bool,
        /// Whether GLOB.
        glob: bool,
        /// The value.
        expr: Box<Expr>,
        /// The pattern.
        pattern: Box<Expr>,
        /// ESCAPE.
        escape: Option<Box<Expr>>,
    },
    /// A scalar function call.
    Function {
        /// The name (for errors and the listing).
        name: &'static str,
        /// The body.
        body: ScalarBody,
        /// The arguments.
        args: Vec<Expr>,
        /// The call's collation.
        collation: Collation,
    },
    /// `CASE`.
    Case {
        /// The simple form's operand.
        operand: Option<Box<Expr>>,
        /// WHEN/THEN pairs.
        when_then: Vec<(Expr, Expr)>,
        /// ELSE.
        else_expr: Option<Box<Expr>>,
        /// The collation of operand comparisons.
        collation: Collation,
        /// Per WHEN of the simple form: the operand's and the WHEN value's affinities, and the
        /// collation, as `operand = value` compares them.
        comparisons: Vec<(Option<Affinity>, Option<Affinity>, Collation)>,
    },
    /// `CAST(x AS type)`.
    Cast(Box<Expr>, Affinity),
    /// `x ISNULL`.
    IsNull(Box<Expr>),
    /// `x NOTNULL`.
    NotNull(Box<Expr>),
    /// The finalized value of aggregate `index` of the current group.
    AggValue {
        /// The aggregation.
        agg: usize,
        /// The aggregate call.
        index: usize,
    },
    /// A captured non-aggregate value of the current group.
    Captured {
        /// The aggregation.
        agg: usize,
        /// The captured expression.
        index: usize,
    },
    /// `RAISE(...)`.
    Raise(RaiseAction, Option<Box<Expr>>),
    /// Apply an affinity to a value (index seek keys).
    ApplyAffinity(Box<Expr>, Affinity),
    /// An integer becomes a real, any other value stays (SQLite's `OP_RealAffinity`, which
    /// reading a REAL column of a subquery, view or CTE runs).
    RealAffinity(Box<Expr>),
}

/// An operand of [`Insn::IfNotInt`]: an expression shape that yields an integer without
/// building a value, when the column or rowid it reads holds one. A compact enum, so that
/// a filter's evaluation branches on small tags rather than on [`Expr`]'s.
#[derive(Debug, Clone)]
pub enum IntOperand {
    /// An integer constant.
    Const(i64),
    /// A table column.
    Column {
        /// The cursor.
        cursor: CursorId,
        /// The column.
        column: usize,
    },
    /// A table cursor's rowid.
    Rowid(CursorId),
    /// Integer arithmetic (in i64; overflow and division by zero leave the fast path).
    Arith(ArithOp, Box<IntOperand>, Box<IntOperand>),
}

impl IntOperand {
    /// The operand `e` is, when it has one of the integer shapes.
    pub fn of(e: &Expr) -> Option<IntOperand> {
        Some(match e {
            Expr::Const(Value::Integer(i)) => IntOperand::Const(*i),
            Expr::Column {
                cursor,
                column,
                rowid: false,
            } => IntOperand::Column {
                cursor: *cursor,
                column: *column,
            },
            Expr::Column {
                cursor,
                rowid: true,
                ..
            }
            | Expr::Rowid(cursor) => IntOperand::Rowid(*cursor),
            Expr::Binary(BinOp::Arith(op), a, b) => IntOperand::Arith(
                *op,
                Box::new(IntOperand::of(a)?),
                Box::new(IntOperand::of(b)?),
            ),
            _ => return None,
        })
    }
}
