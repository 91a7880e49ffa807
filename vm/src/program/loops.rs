//! Emitting nested loops: one loop per FROM item, with seeks, range ends, ON and WHERE
//! filters at the innermost loop they need, LEFT JOIN null rows, and the second pass of a
//! FULL JOIN.

use std::sync::Arc;

use super::compile::Compiler;
use super::covering::{IndexLoop, ScanLoop};
use super::insn::{CursorId, Expr, Insn, SeekOp};
use super::select::{Access, Level, Term};
use crate::ast::CompoundOp;
use crate::error::Result;
use crate::schema::Index;
use crate::value::{Affinity, CompareOp};

/// The loop over the distinct keys of an IN access, as [`Compiler::in_keys`] opens it.
struct InKeys {
    /// The index cursor the keys seek, when they seek an index.
    index_cursor: Option<CursorId>,
    /// The keys' cursor, its loop head, its next label and the key's register.
    in_loop: (CursorId, usize, usize, usize),
}

impl Compiler<'_> {
    /// Makes the keys gathered in ephemeral table `values` distinct (under the collation
    /// of `index`'s first column, as SQLite's ephemeral index of them is, so that 'ABC' and
    /// 'abc' seek a NOCASE column once), then opens the loop over them that seeks `index`,
    /// or the rowid of `cursor`, with each; a key that finds nothing goes to the next.
    fn in_keys(
        &mut self,
        values: usize,
        index: Option<&Arc<Index>>,
        cursor: CursorId,
        scan_end: usize,
    ) -> InKeys {
        let empty = self.ephemeral();
        self.emit(Insn::ClearEphemeral { eph: empty });
        let collations = index
            .iter()
            .flat_map(|i| i.columns.first())
            .map(|c| c.collation)
            .collect();
        self.emit(Insn::Compound {
            op: CompoundOp::Union,
            left: values,
            right: empty,
            collations,
        });
        let index_cursor = index.map(|index| {
            let ic = self.cursor();
            self.emit(Insn::OpenIndex {
                cursor: ic,
                root: index.root,
                key_info: index.key_info(),
                name: index.name.clone(),
            });
            ic
        });
        let ec = self.cursor();
        self.emit(Insn::OpenEphemeral {
            cursor: ec,
            eph: values,
        });
        self.emit(Insn::Rewind {
            cursor: ec,
            if_empty: scan_end,
        });
        let in_top = self.label();
        let in_next = self.label();
        self.place(in_top);
        let key = self.reg();
        self.emit(Insn::Eval {
            expr: Expr::EphColumn {
                cursor: ec,
                column: 0,
            },
            dest: key,
        });
        match index_cursor {
            Some(ic) => self.emit(Insn::IdxSeek {
                cursor: ic,
                op: SeekOp::Ge,
                start: key,
                count: 1,
                not_found: in_next,
            }),
            None => self.emit(Insn::SeekRowid {
                cursor,
                key,
                not_found: in_next,
            }),
        }
        InKeys {
            index_cursor,
            in_loop: (ec, in_top, in_next, key),
        }
    }

    /// Emits the join loops with `body` innermost, then the rows RIGHT and FULL joins add.
    pub(super) fn all_loops(
        &mut self,
        levels: &[Level],
        terms: &[Term],
        outer_next: usize,
        body: &mut dyn FnMut(&mut Compiler<'_>, usize) -> Result<()>,
    ) -> Result<()> {
        self.relation(levels, levels.len(), terms, outer_next, body)
    }

    /// Emits every row of the join of `levels[..end]` into `body`.
    ///
    /// The first pass is the nested loops, where a RIGHT JOIN's loop acts as an inner
    /// join and a FULL JOIN's as a LEFT JOIN. Then, for each RIGHT or FULL loop `j` in
    /// order, a second pass walks its rows again; a row for which no row of the join
    /// before it (itself emitted by this function, so earlier RIGHT joins count)
    /// satisfies `j`'s ON terms comes out with the earlier loops' columns NULL, after the
    /// WHERE terms of those loops and joined with the loops after `j` as usual.
    fn relation(
        &mut self,
        levels: &[Level],
        end: usize,
        terms: &[Term],
        outer_next: usize,
        body: &mut dyn FnMut(&mut Compiler<'_>, usize) -> Result<()>,
    ) -> Result<()> {
        let prefix = &levels[..end.min(levels.len())];
        if !prefix.iter().any(|l| l.keeps_unmatched) {
            if end >= levels.len() {
                return self.loops(levels, terms, 0, outer_next, body);
            }
            let inner = terms_within(terms, end);
            return self.loops(prefix, &inner, 0, outer_next, body);
        }
        let inner = if end >= levels.len() {
            terms.to_vec()
        } else {
            terms_within(terms, end)
        };
        self.loops(prefix, &inner, 0, outer_next, body)?;
        for (j, level) in prefix.iter().enumerate() {
            if !level.keeps_unmatched {
                continue;
            }
            let done = self.label();
            let top = self.label();
            let next = self.label();
            self.rewind(level, done);
            self.place(top);
            // Is the row matched by some row of the join before it?
            let on_terms: Vec<Expr> = terms
                .iter()
                .filter(|t| t.on_level == Some(j))
                .map(|t| t.expr.clone())
                .collect();
            let unmatched = self.label();
            self.relation(levels, j, terms, unmatched, &mut |c, row_next| {
                for e in &on_terms {
                    c.emit(Insn::IfNot {
                        expr: e.clone(),
                        target: row_next,
                        jump_if_null: true,
                    });
                }
                c.emit(Insn::Goto { target: next });
                Ok(())
            })?;
            self.place(unmatched);
            for earlier in &prefix[..j] {
                self.emit(Insn::NullRow {
                    cursor: earlier.cursor,
                });
            }
            for t in inner
                .iter()
                .filter(|t| t.on_level.is_none() && t.level <= j)
            {
                self.emit(Insn::IfNot {
                    expr: t.expr.clone(),
                    target: next,
                    jump_if_null: true,
                });
            }
            self.loops(prefix, &inner, j + 1, next, body)?;
            self.place(next);
            self.emit(Insn::Next {
                cursor: level.cursor,
                target: top,
            });
            self.place(done);
        }
        Ok(())
    }

    /// Moves loop `level` to its first row (a series computes its members here), jumping
    /// to `if_empty` when there is none.
    pub(super) fn rewind(&mut self, level: &Level, if_empty: usize) {
        let cursor = level.cursor;
        match &level.series {
            Some(series) => self.emit(Insn::SeriesRewind {
                cursor,
                args: Box::new(series.args.clone()),
                if_empty,
            }),
            None => self.emit(Insn::Rewind { cursor, if_empty }),
        }
    }

    /// Emits the nested loops from `depth` inward, with `body` innermost. `body` receives
    /// the label that continues with the next row.
    pub(super) fn loops(
        &mut self,
        levels: &[Level],
        terms: &[Term],
        depth: usize,
        outer_next: usize,
        body: &mut dyn FnMut(&mut Compiler<'_>, usize) -> Result<()>,
    ) -> Result<()> {
        if levels.is_empty() {
            for t in terms {
                self.emit(Insn::IfNot {
                    expr: t.expr.clone(),
                    target: outer_next,
                    jump_if_null: true,
                });
            }
            return body(self, outer_next);
        }
        let Some(level) = levels.get(depth) else {
            return body(self, outer_next);
        };
        let cursor = level.cursor;
        let next = self.label();
        let scan_end = self.label();
        let body_label = self.label();
        let matched = if level.left_join {
            let r = self.reg();
            self.emit(Insn::Value {
                value: concur_btree::Value::Integer(0),
                dest: r,
            });
            Some(r)
        } else {
            None
        };
        let (access, for_order) = match self.ordered_access.take() {
            Some((c, access)) if c == cursor => (access, true),
            _ => (self.choose_access(levels, terms, depth), false),
        };
        let reverse = matches!(access, Access::Scan) && std::mem::take(&mut self.reverse_scan);
        // The terms the access enforces: not tested again in the loop.
        let enforced: Vec<usize> = match &access {
            Access::RowidEq(_, term) => term.iter().copied().collect(),
            Access::InSub { term, .. } => term.iter().copied().collect(),
            Access::Index { enforced, .. } => enforced.clone(),
            _ => Vec::new(),
        };
        let mut loops = true;
        let mut index_cursor = None;
        // The registers holding an index access's equality keys, evaluated once before the
        // seek (they read only outer loops).
        let mut eq_keys = None;
        // For IN access: (list cursor, its loop head, its next label, key register).
        let mut in_loop = None;
        match &access {
            Access::Scan if level.series.is_some() => self.rewind(level, scan_end),
            Access::Scan if reverse => self.emit(Insn::Last {
                cursor,
                if_empty: scan_end,
            }),
            Access::Scan => {
                // A scan whose rowid order nothing relies on may become a scan of a
                // narrower covering index (`Compiler::cover_scan_loops`).
                let one_pass = self.one_pass_depth == Some(self.scopes.len());
                if let (Some(table), false, false) = (&level.table, for_order, one_pass) {
                    self.scan_loops.push(ScanLoop {
                        cursor,
                        table: table.clone(),
                    });
                }
                self.emit(Insn::Rewind {
                    cursor,
                    if_empty: scan_end,
                })
            }
            Access::RowidEq(key, _) => {
                let r = self.reg();
                self.emit(Insn::Eval {
                    expr: key.clone(),
                    dest: r,
                });
                self.emit(Insn::SeekRowid {
                    cursor,
                    key: r,
                    not_found: scan_end,
                });
                loops = false;
            }
            Access::RowidRange(low, _) => match low {
                Some((key, inclusive)) => {
                    let r = self.reg();
                    self.emit(Insn::Eval {
                        expr: key.clone(),
                        dest: r,
                    });
                    self.emit(Insn::SeekRowidRange {
                        cursor,
                        op: if *inclusive { SeekOp::Ge } else { SeekOp::Gt },
                        key: r,
                        not_found: scan_end,
                    });
                }
                None => self.emit(Insn::Rewind {
                    cursor,
                    if_empty: scan_end,
                }),
            },
            Access::In { index, list } => {
                let values = self.ephemeral();
                self.emit(Insn::ClearEphemeral { eph: values });
                let r = self.reg();
                for x in list {
                    self.emit(Insn::Eval {
                        expr: x.clone(),
                        dest: r,
                    });
                    self.emit(Insn::EphInsert {
                        eph: values,
                        start: r,
                        count: 1,
                    });
                }
                let keys = self.in_keys(values, index.as_ref(), cursor, scan_end);
                index_cursor = keys.index_cursor;
                loops = index.is_some();
                in_loop = Some(keys.in_loop);
            }
            Access::InSub { sub, .. } => {
                // The subquery's first column, with the rowid's INTEGER affinity.
                self.emit(Insn::RunSub { sub: *sub });
                let rows = self.subs.get(*sub).map_or(0, |s| s.result);
                let values = self.ephemeral();
                self.emit(Insn::ClearEphemeral { eph: values });
                let sc = self.cursor();
                self.emit(Insn::OpenEphemeral {
                    cursor: sc,
                    eph: rows,
                });
                let copied = self.label();
                self.emit(Insn::Rewind {
                    cursor: sc,
                    if_empty: copied,
                });
                let copy = self.label();
                self.place(copy);
                let r = self.reg();
                self.emit(Insn::Eval {
                    expr: Expr::ApplyAffinity(
                        Box::new(Expr::EphColumn {
                            cursor: sc,
                            column: 0,
                        }),
                        Affinity::Integer,
                    ),
                    dest: r,
                });
                self.emit(Insn::EphInsert {
                    eph: values,
                    start: r,
                    count: 1,
                });
                self.emit(Insn::Next {
                    cursor: sc,
                    target: copy,
                });
                self.place(copied);
                let keys = self.in_keys(values, None, cursor, scan_end);
                loops = false;
                in_loop = Some(keys.in_loop);
            }
            Access::Index {
                index,
                eq,
                low,
                enforced,
                ..
            } => {
                let ic = self.cursor();
                index_cursor = Some(ic);
                self.emit(Insn::OpenIndex {
                    cursor: ic,
                    root: index.root,
                    key_info: index.key_info(),
                    name: index.name.clone(),
                });
                let n = eq.len() + usize::from(low.is_some());
                let start = self.regs(n.max(1));
                for (i, k) in eq.iter().enumerate() {
                    self.emit(Insn::Eval {
                        expr: k.clone(),
                        dest: start + i,
                    });
                }
                let op = match low {
                    Some((k, inclusive)) => {
                        self.emit(Insn::Eval {
                            expr: k.clone(),
                            dest: start + eq.len(),
                        });
                        if *inclusive {
                            SeekOp::Ge
                        } else {
                            SeekOp::Gt
                        }
                    }
                    None => SeekOp::Ge,
                };
                if !enforced.is_empty() {
                    // `column = NULL` holds for no row, though the index has NULL entries.
                    for i in 0..eq.len() {
                        self.emit(Insn::IfNot {
                            expr: Expr::NotNull(Box::new(Expr::Reg(start + i))),
                            target: scan_end,
                            jump_if_null: true,
                        });
                    }
                }
                self.emit(Insn::IdxSeek {
                    cursor: ic,
                    op,
                    start,
                    count: n,
                    not_found: scan_end,
                });
                eq_keys = Some(start);
            }
        }
        if let (Some(ic), Some(table)) = (index_cursor, &level.table) {
            let index = match &access {
                Access::Index { index, .. }
                | Access::In {
                    index: Some(index), ..
                } => Some(index.clone()),
                _ => None,
            };
            if let Some(index) = index {
                self.index_loops.push(IndexLoop {
                    table_cursor: cursor,
                    index_cursor: ic,
                    table: table.clone(),
                    index,
                });
            }
        }
        let top = self.label();
        self.place(top);
        // Range ends.
        match &access {
            Access::RowidRange(_, Some((key, inclusive))) => {
                let r = self.reg();
                self.emit(Insn::Eval {
                    expr: key.clone(),
                    dest: r,
                });
                self.emit(Insn::RowidCompare {
                    cursor,
                    op: if *inclusive {
                        CompareOp::Gt
                    } else {
                        CompareOp::Ge
                    },
                    key: r,
                    target: scan_end,
                });
            }
            Access::In { index: Some(_), .. } => {
                if let (Some(ic), Some((_, _, in_next, key))) = (index_cursor, in_loop) {
                    self.emit(Insn::IdxCompare {
                        cursor: ic,
                        op: CompareOp::Gt,
                        start: key,
                        count: 1,
                        target: in_next,
                    });
                    self.emit(Insn::IdxRowSeek {
                        index: ic,
                        table: cursor,
                    });
                }
            }
            Access::Index { eq, high, .. } => {
                if let Some(ic) = index_cursor {
                    let n = eq.len() + usize::from(high.is_some());
                    if n > 0 {
                        // Equality keys only: the seek's registers still hold them.
                        let start = match eq_keys {
                            Some(start) if high.is_none() => start,
                            _ => {
                                let start = self.regs(n);
                                for (i, k) in eq.iter().enumerate() {
                                    self.emit(Insn::Eval {
                                        expr: k.clone(),
                                        dest: start + i,
                                    });
                                }
                                start
                            }
                        };
                        let op = match high {
                            Some((k, inclusive)) => {
                                self.emit(Insn::Eval {
                                    expr: k.clone(),
                                    dest: start + eq.len(),
                                });
                                if *inclusive {
                                    CompareOp::Gt
                                } else {
                                    CompareOp::Ge
                                }
                            }
                            None => CompareOp::Gt,
                        };
                        self.emit(Insn::IdxCompare {
                            cursor: ic,
                            op,
                            start,
                            count: n,
                            target: scan_end,
                        });
                    }
                    self.emit(Insn::IdxRowSeek {
                        index: ic,
                        table: cursor,
                    });
                }
            }
            _ => {}
        }
        let tested = |(i, _): &(usize, &Term)| !enforced.contains(i);
        for (_, t) in terms
            .iter()
            .enumerate()
            .filter(tested)
            .filter(|(_, t)| t.on_level == Some(depth))
        {
            self.emit(Insn::IfNot {
                expr: t.expr.clone(),
                target: next,
                jump_if_null: true,
            });
        }
        if let Some(r) = matched {
            self.emit(Insn::Value {
                value: concur_btree::Value::Integer(1),
                dest: r,
            });
        }
        self.place(body_label);
        for (_, t) in terms
            .iter()
            .enumerate()
            .filter(tested)
            .filter(|(_, t)| t.on_level.is_none() && t.level == depth)
        {
            self.emit(Insn::IfNot {
                expr: t.expr.clone(),
                target: next,
                jump_if_null: true,
            });
        }
        if depth + 1 < levels.len() {
            self.loops(levels, terms, depth + 1, next, body)?;
        } else {
            body(self, next)?;
        }
        self.place(next);
        if loops && reverse {
            self.emit(Insn::Prev {
                cursor,
                target: top,
            });
        } else if loops {
            self.emit(Insn::Next {
                cursor: index_cursor.unwrap_or(cursor),
                target: top,
            });
        }
        if let Some((ec, in_top, in_next, _)) = in_loop {
            self.place(in_next);
            self.emit(Insn::Next {
                cursor: ec,
                target: in_top,
            });
        }
        self.place(scan_end);
        if let Some(r) = matched {
            let done = self.label();
            self.emit(Insn::IfPos {
                reg: r,
                target: done,
            });
            self.emit(Insn::NullRow { cursor });
            if let Some(ic) = index_cursor {
                self.emit(Insn::NullRow { cursor: ic });
            }
            self.emit(Insn::Value {
                value: concur_btree::Value::Integer(1),
                dest: r,
            });
            self.emit(Insn::Goto { target: body_label });
            self.place(done);
        }
        Ok(())
    }
}

/// The terms of the join of the first `end` loops, when it is the left side of a RIGHT
/// or FULL join: the ON terms of those loops (WHERE terms judge only the final rows).
fn terms_within(terms: &[Term], end: usize) -> Vec<Term> {
    terms
        .iter()
        .filter(|t| t.level < end && t.on_level.is_some_and(|l| l < end))
        .cloned()
        .collect()
}
