//! The compiler's core: code buffers and labels, name scopes, and expressions.
//!
//! Name resolution follows SQLite: a column name is looked up in the innermost query's FROM
//! items first (ambiguous if two items have it, except a column merged by USING/NATURAL),
//! then outward through the enclosing queries, which makes the subquery correlated. A
//! double-quoted name that resolves to nothing is a string literal.

use std::collections::HashMap;

use concur_btree::Value;

use super::insn::{AggCall, BinOp, CursorId, Expr, Insn, IntOperand, Reg};
use super::{Program, ProgramKind, SubProgram};
use crate::ast::{self, FunctionArgs, Literal, UnaryOp};
use crate::error::{Error, Result};
use crate::func::{FoundFunction, FunctionRegistry};
use crate::schema::Schema;
use crate::value::{Affinity, ArithOp, BitOp, Collation, CompareOp};

/// Metadata of one column a query produces or a FROM item offers.
#[derive(Debug, Clone)]
pub struct ColumnMeta {
    /// The column's name.
    pub name: String,
    /// Its affinity as an operand (None: no affinity).
    pub affinity: Option<Affinity>,
    /// Its collation.
    pub collation: Collation,
    /// Whether the collation was written with COLLATE.
    pub explicit: bool,
    /// Whether the value is a column reference (its collation then takes part in
    /// comparisons even when BINARY).
    pub from_column: bool,
    /// The storage classes the value may have.
    pub kinds: ValueKinds,
    /// For a column of a compound select: its affinity as a column of a FROM subquery,
    /// view or CTE, which SQLite derives from every arm (see
    /// [`super::select::compound_column_affinity`]), where `affinity` (the operand
    /// affinity of `x IN (SELECT ...)` and scalar subqueries) is the last arm's. None
    /// elsewhere: the two are the same.
    pub compound_affinity: Option<Option<Affinity>>,
}

impl ColumnMeta {
    /// The column's affinity as a column of a FROM subquery, view or CTE.
    pub fn column_affinity(&self) -> Option<Affinity> {
        self.compound_affinity.unwrap_or(self.affinity)
    }
}

/// The storage classes an expression may produce, as SQLite's `sqlite3ExprDataType` tells
/// them: what the later arms of a compound select may produce decides the compound's column
/// affinity. The reading is coarse on purpose (a column of numeric affinity "may be a
/// blob"), for the affinity must come out as SQLite's does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueKinds {
    /// An integer or a real.
    pub number: bool,
    /// Text.
    pub text: bool,
    /// A blob.
    pub blob: bool,
}

impl ValueKinds {
    /// Only NULL (the NULL literal).
    pub const NULL: ValueKinds = ValueKinds {
        number: false,
        text: false,
        blob: false,
    };
    /// A number: what most operators give.
    pub const NUMBER: ValueKinds = ValueKinds {
        number: true,
        text: false,
        blob: false,
    };
    /// Anything (functions, parameters).
    pub const ANY: ValueKinds = ValueKinds {
        number: true,
        text: true,
        blob: true,
    };

    /// What a column, CAST or subquery of `affinity` may hold.
    pub fn of_affinity(affinity: Option<Affinity>) -> ValueKinds {
        match affinity {
            Some(a) if a.is_numeric() => ValueKinds {
                number: true,
                text: false,
                blob: true,
            },
            Some(Affinity::Text) => ValueKinds {
                number: false,
                text: true,
                blob: true,
            },
            _ => ValueKinds::ANY,
        }
    }

    /// Either's kinds.
    pub fn union(self, other: ValueKinds) -> ValueKinds {
        ValueKinds {
            number: self.number || other.number,
            text: self.text || other.text,
            blob: self.blob || other.blob,
        }
    }
}

/// How a FROM item's columns are read.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// A table through a table cursor; `rowid_alias` is the INTEGER PRIMARY KEY column.
    Table {
        /// The cursor.
        cursor: CursorId,
        /// The rowid alias column.
        rowid_alias: Option<usize>,
    },
    /// A materialized row set through an ephemeral cursor.
    Ephemeral {
        /// The cursor.
        cursor: CursorId,
    },
    /// A `generate_series` cursor (value, then the hidden start, stop, step).
    Series {
        /// The cursor.
        cursor: CursorId,
    },
    /// A row held in registers (NEW/OLD rows, `excluded`).
    Registers {
        /// Register of the rowid.
        rowid: Reg,
        /// First column register.
        start: Reg,
    },
}

/// How a FROM item was joined to the items before it, as far as its USING/NATURAL columns
/// are concerned (SQLite's `lookupName`): after an inner or LEFT join an unqualified merged
/// column means the left-most item's, after a RIGHT join the right item's, and after a FULL
/// join the first non-NULL of them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinedBy {
    /// The first item, a comma, or an inner or LEFT join.
    Inner,
    /// A RIGHT join.
    Right,
    /// A FULL join.
    Full,
}

/// One item of a FROM clause as name resolution sees it.
#[derive(Debug, Clone)]
pub struct FromItem {
    /// The name it is referred to by (alias, else table name).
    pub name: String,
    /// Its columns.
    pub columns: Vec<ColumnMeta>,
    /// Where its values come from.
    pub source: Source,
    /// Columns merged into an earlier item by USING/NATURAL (not matched unqualified).
    pub merged: Vec<String>,
    /// The kind of join that brought this item in, which decides what an unqualified
    /// reference to a merged column means.
    pub joined_by: JoinedBy,
    /// Whether `rowid` names its rowid.
    pub has_rowid: bool,
}

/// Aggregation state of a query being compiled.
#[derive(Debug, Clone, Default)]
pub struct AggContext {
    /// The aggregation number.
    pub agg: usize,
    /// The aggregate calls found so far.
    pub calls: Vec<AggCall>,
    /// Expressions captured per group.
    pub captured: Vec<Expr>,
}

/// The names visible to one query level.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// The FROM items.
    pub items: Vec<FromItem>,
    /// The subprogram this query's code belongs to (None: the main program).
    pub sub: Option<usize>,
    /// Set while compiling expressions evaluated after aggregation.
    pub agg: Option<AggContext>,
    /// Result column aliases usable in WHERE/GROUP BY/HAVING/ORDER BY (name, AST).
    pub aliases: Vec<(String, ast::Expr)>,
}

/// A common table expression in scope.
#[derive(Debug, Clone)]
pub struct CteDef {
    /// Its definition.
    pub cte: ast::CommonTableExpr,
    /// Whether the WITH was RECURSIVE.
    pub recursive: bool,
    /// Set while compiling the CTE's own body: the name then means a table again.
    pub hidden: bool,
    /// Inside a recursive CTE's recursive part: the ephemeral table holding the current
    /// row, with its columns.
    pub current: Option<(usize, Vec<ColumnMeta>)>,
}

/// The compiler of one statement.
pub struct Compiler<'a> {
    /// The catalog.
    pub schema: &'a Schema,
    /// The functions.
    pub functions: &'a FunctionRegistry,
    /// The code being emitted.
    pub code: Vec<Insn>,
    /// Subprograms (None while being compiled).
    pub subs: Vec<SubProgram>,
    /// Label addresses.
    pub labels: Vec<Option<usize>>,
    /// Register count.
    pub registers: usize,
    /// Cursor count.
    pub cursors: usize,
    /// Ephemeral table count.
    pub ephemerals: usize,
    /// Distinct set count.
    pub sets: usize,
    /// Aggregation count.
    pub aggregations: usize,
    /// Name scopes, outermost first.
    pub scopes: Vec<Scope>,
    /// CTEs in scope, innermost last.
    pub ctes: Vec<HashMap<String, CteDef>>,
    /// Stack of subprograms being compiled.
    pub sub_stack: Vec<usize>,
    /// Views being expanded (to stop recursion).
    pub expanding: Vec<String>,
    /// Triggers whose bodies are being compiled (a trigger does not fire itself).
    pub firing: Vec<String>,
    /// The access path the next loop over this cursor must use (chosen for its order).
    pub ordered_access: Option<(CursorId, super::select::Access)>,
    /// Whether the next table scan runs backwards (ORDER BY rowid DESC).
    pub reverse_scan: bool,
    /// Loops that read their table through an index (candidates for covering reads).
    pub index_loops: Vec<super::covering::IndexLoop>,
    /// Full table scans (candidates for scanning a covering index instead).
    pub scan_loops: Vec<super::covering::ScanLoop>,
    /// The scope depth of the query that finds the rows an UPDATE or DELETE changes: its
    /// loops keep their table scans, as SQLite's (`WHERE_ONEPASS_DESIRED`) do.
    pub one_pass_depth: Option<usize>,
    /// Table cursors whose FROM item says `INDEXED BY` or `NOT INDEXED`.
    pub indexed_cursors: Vec<(CursorId, ast::Indexed)>,
    /// Per table cursor and partial index of its table (by name): the parts of the index's
    /// condition (split at AND), compiled over that cursor, for the planner to match with
    /// the loop's terms; None for a part that did not compile.
    pub partial_conditions: Vec<(CursorId, String, Vec<Option<Expr>>)>,
    /// How many times each parameter is read (index 0 is `?1`), counting every compiled
    /// reference.
    pub param_reads: Vec<u32>,
    /// Positions in the main code of `Eval`s of a lone parameter that run once per
    /// execution (a single VALUES row); those of parameters read once become `MoveParam`.
    pub param_moves: Vec<usize>,
}

/// Compiles a SELECT/INSERT/UPDATE/DELETE statement into a program.
pub fn compile(
    schema: &Schema,
    functions: &FunctionRegistry,
    statement: &ast::Statement,
) -> Result<Program> {
    let mut c = Compiler {
        schema,
        functions,
        code: Vec::new(),
        subs: Vec::new(),
        labels: Vec::new(),
        registers: 0,
        cursors: 0,
        ephemerals: 0,
        sets: 0,
        aggregations: 0,
        scopes: Vec::new(),
        ctes: Vec::new(),
        sub_stack: Vec::new(),
        expanding: Vec::new(),
        firing: Vec::new(),
        ordered_access: None,
        reverse_scan: false,
        index_loops: Vec::new(),
        scan_loops: Vec::new(),
        one_pass_depth: None,
        indexed_cursors: Vec::new(),
        partial_conditions: Vec::new(),
        param_reads: Vec::new(),
        param_moves: Vec::new(),
    };
    let (columns, kind) = match statement {
        ast::Statement::Select(select) => {
            let metas = c.select(select, super::select::Dest::Result)?;
            (
                metas.into_iter().map(|m| m.name).collect(),
                ProgramKind::Query,
            )
        }
        ast::Statement::Insert(insert) => (c.insert(insert)?, ProgramKind::Write),
        ast::Statement::Update(update) => (c.update(update)?, ProgramKind::Write),
        ast::Statement::Delete(delete) => (c.delete(delete)?, ProgramKind::Write),
        _ => return Err(Error::msg("statement cannot be compiled to a program")),
    };
    c.emit(Insn::Halt);
    c.move_single_use_params();
    let code = std::mem::take(&mut c.code);
    let code = c.resolve(code)?;
    let mut program = Program {
        code,
        subs: c.subs,
        registers: c.registers,
        cursors: c.cursors,
        ephemerals: c.ephemerals,
        sets: c.sets,
        aggregations: c.aggregations,
        columns: columns.into(),
        kind,
        on_constraint: match statement {
            ast::Statement::Insert(i) => i.or_conflict,
            ast::Statement::Update(u) => u.or_conflict,
            _ => None,
        },
        statement_journal: match statement {
            ast::Statement::Insert(i) => {
                i.or_conflict != Some(ast::ConflictResolution::Fail) || !i.upsert.is_empty()
            }
            ast::Statement::Update(u) => u.or_conflict != Some(ast::ConflictResolution::Fail),
            _ => true,
        },
    };
    if calls_function(&program) {
        program.statement_journal = true;
    }
    integer_filters(&mut program.code);
    for sub in &mut program.subs {
        integer_filters(&mut sub.code);
    }
    if let ast::Statement::Insert(insert) = statement {
        if writes_one_row_after_its_checks(schema, insert) {
            program.statement_journal = false;
        }
    }
    Ok(program)
}

/// Whether `insert` writes exactly one row, and only after every check that can make it fail
/// has passed, so that no constraint or evaluation error can stop it half-way: SQLite gives
/// such a statement no statement journal (it is not a "multi-write" statement), and neither
/// do we, saving a savepoint per statement. That is a single `VALUES` row or `DEFAULT
/// VALUES` into a table with no triggers, no REPLACE resolution (which deletes rows), no
/// AUTOINCREMENT (a second write, to `sqlite_sequence`), and only plain column indexes
/// (expression and partial index keys are evaluated after the row is written); no upsert and
/// no RETURNING. A storage failure in the middle of such a statement ends the transaction.
fn writes_one_row_after_its_checks(schema: &Schema, insert: &ast::Insert) -> bool {
    let one_row = match &insert.source {
        ast::InsertSource::DefaultValues => true,
        ast::InsertSource::Select(select) => {
            select.with.is_none()
                && select.compounds.is_empty()
                && matches!(&select.first, ast::SelectCore::Values(rows) if rows.len() == 1)
        }
    };
    if !one_row
        || insert.with.is_some()
        || !insert.upsert.is_empty()
        || !insert.returning.is_empty()
        || insert.or_conflict == Some(ast::ConflictResolution::Replace)
    {
        return false;
    }
    let name = insert.table.name.as_str();
    let Some(table) = schema.table(name) else {
        return false;
    };
    // Column and table constraints may carry their own ON CONFLICT REPLACE.
    let replaces = table.sql.to_ascii_lowercase().contains("replace");
    !replaces
        && !table.autoincrement
        && schema.view(name).is_none()
        && schema.triggers_of(name).is_empty()
        && schema
            .indexes_of(name)
            .iter()
            .all(|index| index.partial.is_none() && index.columns.iter().all(|c| c.expr.is_none()))
}

/// Turns each filter that compares two integer-shaped operands ([`IntOperand`]) into
/// [`Insn::IfNotInt`], which decides it from the integers when both are integers, unless an
/// operand's affinity would make the comparison one of texts.
fn integer_filters(code: &mut [Insn]) {
    for insn in code {
        let Insn::IfNot {
            expr,
            target,
            jump_if_null,
        } = insn
        else {
            continue;
        };
        let Expr::Compare {
            op,
            left,
            right,
            left_affinity,
            right_affinity,
            ..
        } = &*expr
        else {
            continue;
        };
        if crate::value::comparison_makes_text(*left_affinity, *right_affinity) {
            continue;
        }
        let (Some(l), Some(r)) = (IntOperand::of(left), IntOperand::of(right)) else {
            continue;
        };
        *insn = Insn::IfNotInt {
            op: *op,
            left: l,
            right: r,
            expr: expr.clone(),
            target: *target,
            jump_if_null: *jump_if_null,
        };
    }
}

/// Whether `program` (its code, subprograms, CHECK constraints and index expressions) calls
/// a function that SQLite codes as `OP_Function`: coding one marks the statement as one that
/// may abort (`sqlite3VdbeAddFunctionCall` calls `sqlite3MayAbort`), so it gets a statement
/// journal. The functions SQLite codes inline (`coalesce`, `ifnull`, `iif`, `likely`, ...)
/// do not count.
fn calls_function(program: &Program) -> bool {
    const INLINE: &[&str] = &[
        "coalesce",
        "ifnull",
        "iif",
        "likely",
        "unlikely",
        "likelihood",
    ];
    let text = format!("{program:?}");
    text.split("Function { name: \"").skip(1).any(|rest| {
        let name = rest.split('"').next().unwrap_or("");
        !INLINE.iter().any(|f| f.eq_ignore_ascii_case(name))
    })
}

impl Compiler<'_> {
    /// Turns the recorded `Eval`s of parameters that the statement reads only there into
    /// `MoveParam`, so a bound text or blob can move into the row instead of being copied.
    fn move_single_use_params(&mut self) {
        for at in std::mem::take(&mut self.param_moves) {
            let Some(Insn::Eval {
                expr: Expr::Param(index),
                dest,
            }) = self.code.get(at)
            else {
                continue;
            };
            let (index, dest) = (*index, *dest);
            if self.param_reads.get(index.wrapping_sub(1)) == Some(&1) {
                self.code[at] = Insn::MoveParam { index, dest };
            }
        }
    }

    /// Appends an instruction.
    pub fn emit(&mut self, insn: Insn) {
        self.code.push(insn);
    }

    /// A new unplaced label (used as an address until [`Compiler::resolve`]).
    pub fn label(&mut self) -> usize {
        self.labels.push(None);
        self.labels.len() - 1
    }

    /// Places `label` at the next instruction.
    pub fn place(&mut self, label: usize) {
        if let Some(slot) = self.labels.get_mut(label) {
            *slot = Some(self.code.len());
        }
    }

    /// Replaces labels by addresses in `code`, dropping the `Noop`s that covering-index
    /// reads leave behind (a jump to one goes to the instruction after it).
    pub fn resolve(&self, code: Vec<Insn>) -> Result<Vec<Insn>> {
        let mut new_address = Vec::with_capacity(code.len() + 1);
        let mut kept = 0;
        for insn in &code {
            new_address.push(kept);
            if !matches!(insn, Insn::Noop) {
                kept += 1;
            }
        }
        new_address.push(kept);
        let mut code: Vec<Insn> = code
            .into_iter()
            .filter(|insn| !matches!(insn, Insn::Noop))
            .collect();
        let mut failed = false;
        for insn in &mut code {
            super::explain::map_targets(insn, &mut |label| match self
                .labels
                .get(label)
                .copied()
                .flatten()
                .and_then(|addr| new_address.get(addr).copied())
            {
                Some(addr) => addr,
                None => {
                    failed = true;
                    0
                }
            });
        }
        if failed {
            return Err(Error::with_code(
                crate::storage::code::INTERNAL,
                "unplaced label",
            ));
        }
        Ok(code)
    }

    /// A fresh register.
    pub fn reg(&mut self) -> Reg {
        self.registers += 1;
        self.registers - 1
    }

    /// `n` consecutive fresh registers; returns the first.
    pub fn regs(&mut self, n: usize) -> Reg {
        self.registers += n;
        self.registers - n
    }

    /// A fresh cursor.
    pub fn cursor(&mut self) -> CursorId {
        self.cursors += 1;
        self.cursors - 1
    }

    /// A fresh ephemeral table.
    pub fn ephemeral(&mut self) -> usize {
        self.ephemerals += 1;
        self.ephemerals - 1
    }

    /// A fresh distinct set.
    pub fn set(&mut self) -> usize {
        self.sets += 1;
        self.sets - 1
    }

    /// Compiles `select` as a subprogram writing into a fresh ephemeral table; returns the
    /// subprogram number and its columns.
    pub fn subquery(
        &mut self,
        select: &ast::Select,
        first_row_only: bool,
    ) -> Result<(usize, Vec<ColumnMeta>)> {
        let result = self.ephemeral();
        let sub = self.subs.len();
        self.subs.push(SubProgram {
            code: Vec::new(),
            result,
            correlated: false,
        });
        let outer_code = std::mem::take(&mut self.code);
        self.sub_stack.push(sub);
        let dest = if first_row_only {
            super::select::Dest::First(result)
        } else {
            super::select::Dest::Ephemeral(result)
        };
        let metas = self.select(select, dest);
        self.sub_stack.pop();
        self.emit(Insn::Halt);
        let code = std::mem::replace(&mut self.code, outer_code);
        let metas = metas?;
        let code = self.resolve(code)?;
        if let Some(s) = self.subs.get_mut(sub) {
            s.code = code;
        }
        Ok((sub, metas))
    }

    /// The subprogram the current code belongs to.
    pub fn current_sub(&self) -> Option<usize> {
        self.sub_stack.last().copied()
    }

    /// Resolves a column reference to an expression with its metadata.
    fn column(
        &mut self,
        column: &ast::ColumnRef,
        double_quoted: bool,
    ) -> Result<(Expr, ColumnMeta)> {
        let name = column.column.as_str();
        let table = column.table.as_ref().map(|t| t.as_str());
        for depth in (0..self.scopes.len()).rev() {
            let mut found: Option<(Expr, ColumnMeta)> = None;
            let mut count = 0;
            if table.is_none() && depth + 1 == self.scopes.len() {
                if let Some((_, alias_expr)) = self.scopes[depth]
                    .aliases
                    .iter()
                    .find(|(a, _)| a.eq_ignore_ascii_case(name))
                    .cloned()
                {
                    // Aliases are consulted only after the FROM items (below) fail.
                    let from_has = self.scopes[depth]
                        .items
                        .iter()
                        .any(|i| i.columns.iter().any(|c| c.name.eq_ignore_ascii_case(name)));
                    if !from_has {
                        let saved = std::mem::take(&mut self.scopes[depth].aliases);
                        let result = self.expr_meta(&alias_expr);
                        self.scopes[depth].aliases = saved;
                        return result;
                    }
                }
            }
            // The items whose column an unqualified merged name means, when a FULL join
            // makes it the first non-NULL of several.
            let mut full_join_sides: Vec<String> = Vec::new();
            for item in &self.scopes[depth].items {
                let merged = table.is_none()
                    && found.is_some()
                    && item.merged.iter().any(|m| m.eq_ignore_ascii_case(name));
                if let Some(t) = table {
                    if !item.name.eq_ignore_ascii_case(t) {
                        continue;
                    }
                } else if merged && item.joined_by == JoinedBy::Inner {
                    continue;
                }
                let position = item
                    .columns
                    .iter()
                    .position(|c| c.name.eq_ignore_ascii_case(name));
                let expr = match (position, item.source) {
                    (
                        Some(i),
                        Source::Table {
                            cursor,
                            rowid_alias,
                        },
                    ) => Some(Expr::Column {
                        cursor,
                        column: i,
                        rowid: rowid_alias == Some(i),
                    }),
                    // As SQLite's `sqlite3ColumnDefault`: a REAL column of a subquery,
                    // view or CTE reads back as a real (a compound's arms may have put an
                    // integer there).
                    (Some(i), Source::Ephemeral { cursor }) => {
                        let read = Expr::EphColumn { cursor, column: i };
                        Some(match item.columns[i].affinity {
                            Some(Affinity::Real) => Expr::RealAffinity(Box::new(read)),
                            _ => read,
                        })
                    }
                    (Some(i), Source::Registers { start, .. }) => Some(Expr::Reg(start + i)),
                    (Some(i), Source::Series { cursor }) => Some(Expr::Column {
                        cursor,
                        column: i,
                        rowid: false,
                    }),
                    (None, source) if item.has_rowid && is_rowid_name(name) => match source {
                        Source::Table { cursor, .. } | Source::Series { cursor } => {
                            Some(Expr::Rowid(cursor))
                        }
                        Source::Registers { rowid, .. } => Some(Expr::Reg(rowid)),
                        Source::Ephemeral { .. } => None,
                    },
                    _ => None,
                };
                if let Some(expr) = expr {
                    let meta = match position {
                        Some(i) => item.columns[i].clone(),
                        None => ColumnMeta {
                            affinity: Some(Affinity::Integer),
                            ..no_meta(name)
                        },
                    };
                    if merged && item.joined_by == JoinedBy::Right {
                        found = Some((expr, meta));
                        full_join_sides = vec![item.name.clone()];
                        count = 1;
                        continue;
                    }
                    if merged {
                        full_join_sides.push(item.name.clone());
                        continue;
                    }
                    count += 1;
                    if found.is_none() {
                        found = Some((expr, meta));
                        full_join_sides.push(item.name.clone());
                    }
                }
            }
            if count == 1 && full_join_sides.len() > 1 {
                let sides = full_join_sides
                    .iter()
                    .map(|t| super::from::qualified(t, name))
                    .collect();
                return self.expr_meta(&super::from::first_non_null(sides));
            }
            if count > 1 {
                let full = match table {
                    Some(t) => format!("{t}.{name}"),
                    None => name.to_string(),
                };
                return Err(Error::msg(format!("ambiguous column name: {full}")));
            }
            if let Some((expr, meta)) = found {
                if depth + 1 < self.scopes.len() {
                    self.mark_correlated(depth);
                }
                // The rowid, also under its INTEGER PRIMARY KEY name, is no column to SQLite
                // (column -1): it has no collation, so a comparison, a call or a compound
                // takes the other operand's, as `sqlite3ExprCollSeq` does.
                let rowid = matches!(expr, Expr::Rowid(_) | Expr::Column { rowid: true, .. });
                // Inside aggregate output, a plain column is captured per group.
                let expr = self.capture(depth, expr);
                let mut meta = meta;
                meta.from_column = !rowid;
                if rowid {
                    meta.collation = Collation::Binary;
                    meta.explicit = false;
                }
                meta.kinds = ValueKinds::of_affinity(meta.affinity);
                return Ok((expr, meta));
            }
        }
        if double_quoted && table.is_none() {
            return Ok((
                Expr::Const(Value::Text(name.to_string().into())),
                no_meta(name),
            ));
        }
        let full = match table {
            Some(t) => format!("{t}.{name}"),
            None => name.to_string(),
        };
        Err(Error::msg(format!("no such column: {full}")))
    }

    /// Marks every subquery nested deeper than scope `depth` as correlated.
    fn mark_correlated(&mut self, depth: usize) {
        for scope in &self.scopes[depth + 1..] {
            if let Some(sub) = scope.sub {
                if let Some(s) = self.subs.get_mut(sub) {
                    s.correlated = true;
                }
            }
        }
    }

    /// In aggregate output mode of scope `depth`, turns a row expression into a captured one.
    fn capture(&mut self, depth: usize, expr: Expr) -> Expr {
        match &mut self.scopes[depth].agg {
            Some(ctx) => {
                ctx.captured.push(expr);
                Expr::Captured {
                    agg: ctx.agg,
                    index: ctx.captured.len() - 1,
                }
            }
            None => expr,
        }
    }

    /// Compiles an expression.
    pub fn expr(&mut self, e: &ast::Expr) -> Result<Expr> {
        Ok(self.expr_meta(e)?.0)
    }

    /// Compiles an expression and reports its operand affinity and collation.
    pub fn expr_meta(&mut self, e: &ast::Expr) -> Result<(Expr, ColumnMeta)> {
        // A long chain of binary operators (`1+1+...+1`, up to SQLite's depth limit)
        // recurses through this frame and `binary`'s, so this one stays small: the other
        // forms compile in `form_meta`.
        match e {
            ast::Expr::Binary { op, left, right } => self.binary(*op, left, right),
            _ => self.form_meta(e),
        }
    }

    /// [`Compiler::expr_meta`] for every form but a binary operator.
    #[inline(never)]
    fn form_meta(&mut self, e: &ast::Expr) -> Result<(Expr, ColumnMeta)> {
        let plain = |expr: Expr| Ok((expr, no_meta("")));
        match e {
            ast::Expr::Literal(
                l @ (Literal::CurrentTime | Literal::CurrentDate | Literal::CurrentTimestamp),
            ) => {
                let name = match l {
                    Literal::CurrentTime => "time",
                    Literal::CurrentDate => "date",
                    _ => "datetime",
                };
                match self.functions.find(name, 1)? {
                    FoundFunction::Scalar(f) => Ok((
                        Expr::Function {
                            name: f.name,
                            body: f.body,
                            args: vec![Expr::Const(Value::Text("now".to_string().into()))],
                            collation: Collation::Binary,
                        },
                        kinds_meta(ValueKinds::ANY),
                    )),
                    FoundFunction::Aggregate(_) => {
                        Err(Error::msg(format!("no such function: {name}")))
                    }
                }
            }
            ast::Expr::Literal(l) => {
                let kinds = match l {
                    Literal::Null => ValueKinds::NULL,
                    Literal::String(_) => ValueKinds {
                        text: true,
                        ..ValueKinds::NULL
                    },
                    Literal::Blob(_) => ValueKinds {
                        blob: true,
                        ..ValueKinds::NULL
                    },
                    _ => ValueKinds::NUMBER,
                };
                Ok((Expr::Const(literal(l)), kinds_meta(kinds)))
            }
            ast::Expr::Column {
                column,
                double_quoted,
            } => self.column(column, *double_quoted),
            ast::Expr::Variable { index, .. } => {
                let index = *index as usize;
                if let Some(slot) = index.checked_sub(1) {
                    if self.param_reads.len() <= slot {
                        self.param_reads.resize(slot + 1, 0);
                    }
                    self.param_reads[slot] += 1;
                }
                Ok((Expr::Param(index), kinds_meta(ValueKinds::ANY)))
            }
            // SQLite codes `-<real literal>` as the negated constant, so `-0.0` is negative
            // zero (where `0 - x` at run time gives positive zero).
            ast::Expr::Unary {
                op: UnaryOp::Negate,
                operand,
            } if matches!(**operand, ast::Expr::Literal(ast::Literal::Real(_))) => {
                let ast::Expr::Literal(ast::Literal::Real(r)) = **operand else {
                    return Err(Error::with_code(crate::storage::code::INTERNAL, "negation"));
                };
                plain(Expr::Const(Value::Real(-r)))
            }
            ast::Expr::Unary { op, operand } => {
                let (inner, meta) = self.expr_meta(operand)?;
                match op {
                    // Unary plus keeps the operand's collation but drops its affinity
                    // (SQLite's `sqlite3ExprAffinity` has no case for TK_UPLUS, while
                    // `sqlite3ExprCollSeq` looks through it). On a column it stays in the
                    // tree: `+x` is not the column to the planner, so a term on it drives no
                    // seek and an ORDER BY on it takes no index order, as in SQLite.
                    UnaryOp::Plus => Ok((
                        match inner {
                            Expr::Column { .. } | Expr::Rowid(_) => {
                                Expr::Unary(UnaryOp::Plus, Box::new(inner))
                            }
                            other => other,
                        },
                        ColumnMeta {
                            affinity: None,
                            ..meta
                        },
                    )),
                    // The value carries an explicit COLLATE of the operand, as a binary
                    // operator's does.
                    _ => Ok((
                        Expr::Unary(*op, Box::new(inner)),
                        carried_meta(ValueKinds::NUMBER, meta.explicit.then_some(meta.collation)),
                    )),
                }
            }
            ast::Expr::Binary { op, left, right } => self.binary(*op, left, right),
            ast::Expr::Collate { expr, collation } => {
                let (inner, mut meta) = self.expr_meta(expr)?;
                meta.collation = Collation::from_name(collation.as_str()).ok_or_else(|| {
                    Error::msg(format!("no such collation sequence: {}", collation.0))
                })?;
                meta.explicit = true;
                Ok((inner, meta))
            }
            ast::Expr::Cast { expr, type_name } => {
                let (inner, meta) = self.expr_meta(expr)?;
                let affinity =
                    Affinity::from_type_name(type_name.as_ref().map_or("", |t| t.name.as_str()));
                // SQLite's `sqlite3ExprCollSeq` looks through a CAST: `CAST(c AS TEXT)`
                // compares under c's collation, as c itself does.
                Ok((
                    Expr::Cast(Box::new(inner), affinity),
                    ColumnMeta {
                        affinity: Some(affinity),
                        kinds: ValueKinds::of_affinity(Some(affinity)),
                        collation: meta.collation,
                        explicit: meta.explicit,
                        from_column: meta.from_column,
                        ..no_meta("")
                    },
                ))
            }
            ast::Expr::Like {
                negated,
                op,
                expr,
                pattern,
                escape,
            } => {
                let glob = match op {
                    ast::LikeOp::Like => false,
                    ast::LikeOp::Glob => true,
                    ast::LikeOp::Match | ast::LikeOp::Regexp => {
                        let name = if *op == ast::LikeOp::Match {
                            "match"
                        } else {
                            "regexp"
                        };
                        return Err(Error::msg(format!("no such function: {name}")));
                    }
                };
                let expr = self.expr(expr)?;
                let pattern = self.expr(pattern)?;
                let escape = match escape {
                    Some(e) => Some(Box::new(self.expr(e)?)),
                    None => None,
                };
                plain(Expr::Like {
                    negated: *negated,
                    glob,
                    expr: Box::new(expr),
                    pattern: Box::new(pattern),
                    escape,
                })
            }
            ast::Expr::Between {
                negated,
                expr,
                low,
                high,
            } => {
                let (x, xm) = self.expr_meta(expr)?;
                let (l, lm) = self.expr_meta(low)?;
                let (h, hm) = self.expr_meta(high)?;
                let collation = pick_collation(&xm, &lm);
                plain(Expr::Between {
                    negated: *negated,
                    expr: Box::new(x),
                    low: Box::new(l),
                    high: Box::new(h),
                    affinities: [xm.affinity, lm.affinity, hm.affinity],
                    collation,
                })
            }
            ast::Expr::InList {
                negated,
                expr,
                list,
            } => {
                let (x, xm) = self.expr_meta(expr)?;
                let mut items = Vec::new();
                for item in list {
                    items.push(self.expr(item)?);
                }
                plain(Expr::InList {
                    negated: *negated,
                    expr: Box::new(x),
                    list: items,
                    affinity: xm.affinity,
                    collation: xm.collation,
                })
            }
            ast::Expr::InSelect {
                negated,
                expr,
                select,
            } => {
                let (x, xm) = self.expr_meta(expr)?;
                let (sub, metas) = self.subquery(select, false)?;
                if metas.len() != 1 {
                    return Err(Error::msg(format!(
                        "sub-select returns {} columns - expected 1",
                        metas.len()
                    )));
                }
                let collation = pick_collation(&xm, &metas[0]);
                plain(Expr::InSelect {
                    negated: *negated,
                    expr: Box::new(x),
                    sub,
                    affinity: xm.affinity,
                    sub_affinity: metas[0].affinity,
                    collation,
                })
            }
            ast::Expr::InTable {
                negated,
                expr,
                table,
                args,
            } => {
                if args.is_some() {
                    return Err(Error::msg(format!("no such table: {}", table.name.0)));
                }
                let select = table_select(table);
                let wrapped = ast::Expr::InSelect {
                    negated: *negated,
                    expr: expr.clone(),
                    select: Box::new(select),
                };
                self.expr_meta(&wrapped)
            }
            ast::Expr::IsNull(inner) => plain(Expr::IsNull(Box::new(self.expr(inner)?))),
            ast::Expr::NotNull(inner) => plain(Expr::NotNull(Box::new(self.expr(inner)?))),
            ast::Expr::Exists(select) => {
                let (sub, _) = self.subquery(select, true)?;
                plain(Expr::Exists(sub))
            }
            ast::Expr::Subquery(select) => {
                let (sub, metas) = self.subquery(select, true)?;
                let mut meta = metas.into_iter().next().unwrap_or_else(|| no_meta(""));
                meta.compound_affinity = None;
                meta.kinds = ValueKinds::of_affinity(meta.affinity);
                // A scalar subquery keeps its column's affinity but not its collation, not
                // even an explicit one (`sqlite3ExprCollSeq` stops at TK_SELECT).
                meta.collation = Collation::Binary;
                meta.explicit = false;
                meta.from_column = false;
                Ok((Expr::Scalar(sub), meta))
            }
            ast::Expr::Function(call) => self.function(call),
            ast::Expr::Case {
                operand,
                when_then,
                else_expr,
            } => self.case(operand.as_deref(), when_then, else_expr.as_deref()),
            ast::Expr::Raise { action, message } => {
                let message = match message {
                    Some(m) => Some(Box::new(self.expr(m)?)),
                    None => None,
                };
                plain(Expr::Raise(*action, message))
            }
            ast::Expr::Row(_) => Err(Error::msg("row value misused")),
        }
    }

    /// Compiles a CASE expression; its value is one of the THEN or ELSE values. Kept out of
    /// [`Compiler::expr_meta`] so that deep expressions recurse through small frames.
    #[inline(never)]
    fn case(
        &mut self,
        operand: Option<&ast::Expr>,
        when_then: &[(ast::Expr, ast::Expr)],
        else_expr: Option<&ast::Expr>,
    ) -> Result<(Expr, ColumnMeta)> {
        let (operand, base) = match operand {
            Some(o) => {
                let (x, m) = self.expr_meta(o)?;
                (Some(Box::new(x)), Some(m))
            }
            None => (None, None),
        };
        let collation = base.as_ref().map_or(Collation::Binary, |m| m.collation);
        // As SQLite's `sqlite3ExprCollSeq`, the value carries the first explicit COLLATE of
        // the operand, else of the WHEN, THEN and ELSE terms in order.
        let mut carried = base.as_ref().filter(|m| m.explicit).map(|m| m.collation);
        let mut pairs = Vec::new();
        let mut comparisons = Vec::new();
        // The value is one of the THEN or ELSE values.
        let mut kinds = ValueKinds::NULL;
        for (w, t) in when_then {
            let (x, wm) = self.expr_meta(w)?;
            if let Some(bm) = &base {
                // `CASE b WHEN w` compares as `b = w` does.
                comparisons.push((bm.affinity, wm.affinity, pick_collation(bm, &wm)));
            }
            let (then, tm) = self.expr_meta(t)?;
            kinds = kinds.union(tm.kinds);
            for m in [&wm, &tm] {
                if carried.is_none() && m.explicit {
                    carried = Some(m.collation);
                }
            }
            pairs.push((x, then));
        }
        let else_expr = match else_expr {
            Some(e) => {
                let (x, m) = self.expr_meta(e)?;
                kinds = kinds.union(m.kinds);
                if carried.is_none() && m.explicit {
                    carried = Some(m.collation);
                }
                Some(Box::new(x))
            }
            None => None,
        };
        Ok((
            Expr::Case {
                operand,
                when_then: pairs,
                else_expr,
                collation,
                comparisons,
            },
            carried_meta(kinds, carried),
        ))
    }

    /// Compiles a binary operator.
    fn binary(
        &mut self,
        op: ast::BinaryOp,
        left: &ast::Expr,
        right: &ast::Expr,
    ) -> Result<(Expr, ColumnMeta)> {
        use ast::BinaryOp as B;
        let (l, lm) = self.expr_meta(left)?;
        let (r, rm) = self.expr_meta(right)?;
        let compare = |op: CompareOp, is: bool| Expr::Compare {
            op,
            is,
            left: Box::new(l.clone()),
            right: Box::new(r.clone()),
            left_affinity: lm.affinity,
            right_affinity: rm.affinity,
            collation: pick_collation(&lm, &rm),
        };
        let bin = |op: BinOp| Expr::Binary(op, Box::new(l.clone()), Box::new(r.clone()));
        let expr = match op {
            B::Or => bin(BinOp::Or),
            B::And => bin(BinOp::And),
            B::Eq => compare(CompareOp::Eq, false),
            B::Ne => compare(CompareOp::Ne, false),
            B::Is => compare(CompareOp::Eq, true),
            B::IsNot => compare(CompareOp::Ne, true),
            B::Lt => compare(CompareOp::Lt, false),
            B::Le => compare(CompareOp::Le, false),
            B::Gt => compare(CompareOp::Gt, false),
            B::Ge => compare(CompareOp::Ge, false),
            B::BitAnd => bin(BinOp::Bit(BitOp::And)),
            B::BitOr => bin(BinOp::Bit(BitOp::Or)),
            B::ShiftLeft => bin(BinOp::Bit(BitOp::ShiftLeft)),
            B::ShiftRight => bin(BinOp::Bit(BitOp::ShiftRight)),
            B::Add => bin(BinOp::Arith(ArithOp::Add)),
            B::Subtract => bin(BinOp::Arith(ArithOp::Subtract)),
            B::Multiply => bin(BinOp::Arith(ArithOp::Multiply)),
            B::Divide => bin(BinOp::Arith(ArithOp::Divide)),
            B::Remainder => bin(BinOp::Arith(ArithOp::Remainder)),
            B::Concat => {
                // `||` keeps the collation of an explicitly collated operand (the left one
                // first), and no column's.
                let carried = [&lm, &rm]
                    .into_iter()
                    .find(|m| m.explicit)
                    .map(|m| m.collation);
                return Ok((
                    bin(BinOp::Concat),
                    concat_meta(carried.unwrap_or(Collation::Binary), carried.is_some()),
                ));
            }
            B::Arrow | B::LongArrow => {
                return Err(Error::msg("no such function: json_extract"));
            }
        };
        // As SQLite's `sqlite3ExprCollSeq`, the value carries an explicit COLLATE of its left
        // operand, else of its right one. A number's order does not depend on it, but a CASE
        // whose WHEN holds it takes that collation for its value.
        let carried = [&lm, &rm]
            .into_iter()
            .find(|m| m.explicit)
            .map(|m| m.collation);
        Ok((expr, carried_meta(ValueKinds::NUMBER, carried)))
    }

    /// Compiles a function call, aggregate or scalar.
    fn function(&mut self, call: &ast::FunctionCall) -> Result<(Expr, ColumnMeta)> {
        let name = call.name.as_str();
        if call.over.is_some() {
            return Err(Error::msg(format!("no such window function: {name}")));
        }
        let (args, distinct, star) = match &call.args {
            FunctionArgs::Star => (&[][..], false, true),
            FunctionArgs::List { distinct, args } => (args.as_slice(), *distinct, false),
        };
        if star && !name.eq_ignore_ascii_case("count") {
            return Err(Error::msg(format!(
                "wrong number of arguments to function {name}()"
            )));
        }
        let found = self.functions.find(name, args.len())?;
        match found {
            FoundFunction::Scalar(f) => {
                if distinct {
                    return Err(Error::msg(
                        "DISTINCT aggregates must have exactly one argument",
                    ));
                }
                if call.filter.is_some() {
                    return Err(Error::msg(format!(
                        "FILTER may not be used with non-aggregate {name}()"
                    )));
                }
                // The call compares under the collation of its leftmost argument that has
                // one, as SQLite's: a COLLATE, or a column (also through unary plus, CAST
                // or parentheses), even one that is BINARY; else BINARY. Its value carries
                // only the collation of the leftmost argument with an explicit COLLATE
                // (`sqlite3ExprCollSeq` follows the first argument marked `EP_Collate`);
                // a column's own collation stays inside the call.
                let mut compiled = Vec::new();
                let mut collation = Collation::Binary;
                let mut found = false;
                let mut carried = None;
                for a in args {
                    let (x, m) = self.expr_meta(a)?;
                    if !found && (m.explicit || m.from_column || m.collation != Collation::Binary) {
                        collation = m.collation;
                        found = true;
                    }
                    if carried.is_none() && m.explicit {
                        carried = Some(m.collation);
                    }
                    compiled.push(x);
                }
                let meta = carried_meta(ValueKinds::ANY, carried);
                Ok((
                    Expr::Function {
                        name: f.name,
                        body: f.body,
                        args: compiled,
                        collation,
                    },
                    meta,
                ))
            }
            FoundFunction::Aggregate(f) => {
                let depth = self.scopes.len().checked_sub(1);
                let in_agg = depth.is_some_and(|d| self.scopes[d].agg.is_some());
                if !in_agg {
                    return Err(Error::msg(format!("misuse of aggregate function {name}()")));
                }
                let Some(depth) = depth else {
                    return Err(Error::msg(format!("misuse of aggregate function {name}()")));
                };
                if distinct && args.len() != 1 {
                    return Err(Error::msg(
                        "DISTINCT aggregates must have exactly one argument",
                    ));
                }
                // Arguments are evaluated per row: compile them outside aggregate mode.
                let ctx = self.scopes[depth].agg.take();
                let mut compiled = Vec::new();
                let mut collation = Collation::Binary;
                let mut carried = None;
                let mut result = Ok(());
                for a in args {
                    match self.expr_meta(a) {
                        Ok((x, m)) => {
                            if compiled.is_empty() {
                                collation = m.collation;
                            }
                            if carried.is_none() && m.explicit {
                                carried = Some(m.collation);
                            }
                            compiled.push(x);
                        }
                        Err(e) => {
                            result = Err(e);
                            break;
                        }
                    }
                }
                let filter = match (&call.filter, &result) {
                    (Some(f), Ok(())) => match self.expr(f) {
                        Ok(x) => Some(x),
                        Err(e) => {
                            result = Err(e);
                            None
                        }
                    },
                    _ => None,
                };
                self.scopes[depth].agg = ctx;
                result?;
                let Some(ctx) = self.scopes[depth].agg.as_mut() else {
                    return Err(Error::msg(format!("misuse of aggregate function {name}()")));
                };
                ctx.calls.push(AggCall {
                    kind: f.kind,
                    distinct,
                    args: compiled,
                    filter,
                    collation,
                });
                Ok((
                    Expr::AggValue {
                        agg: ctx.agg,
                        index: ctx.calls.len() - 1,
                    },
                    carried_meta(ValueKinds::ANY, carried),
                ))
            }
        }
    }

    /// Whether `e` (outside subqueries) calls an aggregate function.
    pub fn has_aggregate(&self, e: &ast::Expr) -> bool {
        let mut found = false;
        walk(e, &mut |x| {
            if let ast::Expr::Function(call) = x {
                if call.over.is_none() {
                    let n = match &call.args {
                        FunctionArgs::Star => 0,
                        FunctionArgs::List { args, .. } => args.len(),
                    };
                    if matches!(
                        self.functions.find(call.name.as_str(), n),
                        Ok(FoundFunction::Aggregate(_))
                    ) {
                        found = true;
                    }
                }
            }
        });
        found
    }
}

/// Calls `f` on `e` and every sub-expression outside subqueries.
pub fn walk(e: &ast::Expr, f: &mut dyn FnMut(&ast::Expr)) {
    f(e);
    match e {
        ast::Expr::Unary { operand, .. } => walk(operand, f),
        ast::Expr::Binary { left, right, .. } => {
            walk(left, f);
            walk(right, f);
        }
        ast::Expr::Collate { expr, .. }
        | ast::Expr::Cast { expr, .. }
        | ast::Expr::IsNull(expr)
        | ast::Expr::NotNull(expr)
        | ast::Expr::InSelect { expr, .. }
        | ast::Expr::InTable { expr, .. } => walk(expr, f),
        ast::Expr::Like {
            expr,
            pattern,
            escape,
            ..
        } => {
            walk(expr, f);
            walk(pattern, f);
            if let Some(e) = escape {
                walk(e, f);
            }
        }
        ast::Expr::Between {
            expr, low, high, ..
        } => {
            walk(expr, f);
            walk(low, f);
            walk(high, f);
        }
        ast::Expr::InList { expr, list, .. } => {
            walk(expr, f);
            for x in list {
                walk(x, f);
            }
        }
        ast::Expr::Function(call) => {
            if let FunctionArgs::List { args, .. } = &call.args {
                for x in args {
                    walk(x, f);
                }
            }
        }
        ast::Expr::Case {
            operand,
            when_then,
            else_expr,
        } => {
            if let Some(o) = operand {
                walk(o, f);
            }
            for (w, t) in when_then {
                walk(w, f);
                walk(t, f);
            }
            if let Some(e) = else_expr {
                walk(e, f);
            }
        }
        ast::Expr::Row(items) => {
            for x in items {
                walk(x, f);
            }
        }
        _ => {}
    }
}

/// `SELECT * FROM table` for `x IN table`.
fn table_select(table: &ast::QualifiedName) -> ast::Select {
    ast::Select {
        with: None,
        first: ast::SelectCore::Select(Box::new(ast::SelectClause {
            distinct: false,
            columns: vec![ast::ResultColumn::Star],
            from: Some(ast::FromClause {
                first: ast::TableOrSubquery::Table {
                    name: table.clone(),
                    alias: None,
                    indexed: None,
                },
                joins: Vec::new(),
            }),
            where_clause: None,
            group_by: Vec::new(),
            having: None,
            windows: Vec::new(),
        })),
        compounds: Vec::new(),
        order_by: Vec::new(),
        limit: None,
    }
}

/// Whether `name` is one of the rowid's names.
pub fn is_rowid_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("rowid")
        || name.eq_ignore_ascii_case("oid")
        || name.eq_ignore_ascii_case("_rowid_")
}

/// Metadata of an unnamed expression with no affinity and BINARY collation that may give
/// `kinds`.
#[inline(never)]
fn kinds_meta(kinds: ValueKinds) -> ColumnMeta {
    ColumnMeta {
        kinds,
        ..no_meta("")
    }
}

/// Metadata of a value that carries an explicit COLLATE of one of its operands, if any.
fn carried_meta(kinds: ValueKinds, carried: Option<Collation>) -> ColumnMeta {
    ColumnMeta {
        kinds,
        collation: carried.unwrap_or(Collation::Binary),
        explicit: carried.is_some(),
        ..no_meta("")
    }
}

/// Metadata of `a || b`: text or a blob, under `collation`.
#[inline(never)]
fn concat_meta(collation: Collation, explicit: bool) -> ColumnMeta {
    ColumnMeta {
        collation,
        explicit,
        kinds: ValueKinds {
            text: true,
            blob: true,
            ..ValueKinds::NULL
        },
        ..no_meta("")
    }
}

/// Metadata of an expression with no affinity and BINARY collation.
pub fn no_meta(name: &str) -> ColumnMeta {
    ColumnMeta {
        name: name.to_string(),
        affinity: None,
        collation: Collation::Binary,
        explicit: false,
        from_column: false,
        kinds: ValueKinds::NUMBER,
        compound_affinity: None,
    }
}

/// The collation of a comparison: an explicit COLLATE on the left, then on the right, then
/// the left column's, then the right's.
pub fn pick_collation(left: &ColumnMeta, right: &ColumnMeta) -> Collation {
    let explicit = |m: &ColumnMeta| m.explicit;
    if explicit(left) {
        left.collation
    } else if explicit(right) {
        right.collation
    } else if left.from_column || left.collation != Collation::Binary {
        left.collation
    } else {
        right.collation
    }
}

/// The value of a literal.
pub fn literal(l: &Literal) -> Value {
    match l {
        Literal::Null => Value::Null,
        Literal::Integer(i) => Value::Integer(*i),
        Literal::Real(r) => Value::Real(*r),
        Literal::String(s) => Value::Text(s.clone().into()),
        Literal::Blob(b) => Value::Blob(b.clone()),
        Literal::Bool(b) => Value::Integer(i64::from(*b)),
        Literal::CurrentTime | Literal::CurrentDate | Literal::CurrentTimestamp => Value::Null,
    }
}
