//! The order of an inner join's loops, chosen by cost as SQLite's `wherePathSolver` does.
//!
//! Each order of the loops is costed with the access path every loop would take in it
//! ([`Compiler::choose_access`], which depends only on which loops run outside it), under
//! SQLite's assumptions for tables without statistics: a table holds about a million rows,
//! an equality on an index's first columns matches 10, 9, 8, ... rows and a full unique one
//! matches one, each range bound keeps a quarter, and a WHERE term the loop can check
//! keeps a little less (an equality at most a quarter of a scan). An order costs the sum over
//! its loops of (the rows of the loops outside) x (the loop's cost per outer row). The best
//! order of up to [`MAX_SEARCHED`] loops is found over subsets, as System R's optimizer does;
//! ties keep FROM order. Larger joins are ordered greedily by the terms that can be checked.
//!
//! A loop right of a CROSS JOIN stays after every loop left of it, as SQLite promises.
//! Outer joins are not reordered at all (the caller keeps their FROM order).

use super::compile::Compiler;
use super::insn::{CursorId, Expr};
use super::select::{Access, CompiledTerm, Level, Term};
use crate::value::CompareOp;

/// The rows SQLite assumes a table without statistics holds (`nRowLogEst` 200).
const ASSUMED_ROWS: f64 = 1_048_576.0;
/// What one B-tree descent costs, in rows read (about log2 of [`ASSUMED_ROWS`]).
const DESCENT: f64 = 20.0;
/// The rows an equality on the first 1, 2, ... columns of an index is assumed to match
/// (SQLite's `sqlite3DefaultRowEst`; 5 after these).
const EQUALITY_ROWS: [f64; 5] = [10.0, 9.0, 8.0, 7.0, 6.0];
/// The rows an IN (SELECT ...) is assumed to give (SQLite's LogEst 46).
const SUBQUERY_ROWS: f64 = 25.0;
/// The share of rows a range bound keeps (SQLite: each inequality a quarter).
const BOUND_SHARE: f64 = 0.25;
/// The share of rows a checkable WHERE term keeps (SQLite's LogEst -1).
const TERM_SHARE: f64 = 0.93;
/// The most loops whose orders are all searched.
const MAX_SEARCHED: usize = 8;

/// What one loop produces per row of the loops outside it, and what producing it costs.
#[derive(Debug, Clone, Copy)]
struct Estimate {
    rows: f64,
    cost: f64,
}

/// The estimate of `access`.
fn estimate(access: &Access) -> Estimate {
    let bounds = |low: bool, high: bool| BOUND_SHARE.powi(i32::from(low) + i32::from(high));
    match access {
        Access::Scan => Estimate {
            rows: ASSUMED_ROWS,
            cost: ASSUMED_ROWS,
        },
        Access::RowidEq(..) => Estimate {
            rows: 1.0,
            cost: DESCENT,
        },
        Access::RowidRange(low, high) => {
            let rows = ASSUMED_ROWS * bounds(low.is_some(), high.is_some());
            Estimate {
                rows,
                cost: DESCENT + rows,
            }
        }
        Access::In { index: None, list } => Estimate {
            rows: list.len() as f64,
            cost: list.len() as f64 * DESCENT,
        },
        Access::InSub { .. } => Estimate {
            rows: SUBQUERY_ROWS,
            cost: SUBQUERY_ROWS * DESCENT,
        },
        Access::In {
            index: Some(_),
            list,
        } => {
            let per_key = EQUALITY_ROWS[0];
            Estimate {
                rows: list.len() as f64 * per_key,
                cost: list.len() as f64 * (DESCENT + per_key * (1.0 + DESCENT)),
            }
        }
        Access::Index {
            index,
            eq,
            low,
            high,
            ..
        } => {
            let matched = if eq.is_empty() {
                ASSUMED_ROWS
            } else if index.unique && eq.len() == index.columns.len() {
                1.0
            } else {
                EQUALITY_ROWS.get(eq.len() - 1).copied().unwrap_or(5.0)
            };
            let rows = (matched * bounds(low.is_some(), high.is_some())).max(1.0);
            // Each entry is followed by a lookup of its row.
            Estimate {
                rows,
                cost: DESCENT + rows * (1.0 + DESCENT),
            }
        }
    }
}

/// The best order found for one set of loops.
#[derive(Debug, Clone)]
struct Plan {
    cost: f64,
    rows: f64,
    order: Vec<usize>,
}

impl Compiler<'_> {
    /// Orders the loops of an inner join; `cross[i]` tells that loop `i` is the right side
    /// of a CROSS JOIN.
    pub(super) fn join_order(
        &self,
        levels: Vec<Level>,
        terms: &[CompiledTerm],
        cross: &[bool],
    ) -> Vec<Level> {
        let n = levels.len();
        if n < 2 {
            return levels;
        }
        if n > MAX_SEARCHED {
            if cross.iter().any(|&c| c) {
                return levels;
            }
            return order_by_terms(levels, terms);
        }
        let as_terms: Vec<Term> = terms
            .iter()
            .map(|(expr, on_level, _)| Term {
                expr: expr.clone(),
                level: 0,
                on_level: *on_level,
            })
            .collect();
        let mut best: Vec<Option<Plan>> = vec![None; 1 << n];
        best[0] = Some(Plan {
            cost: 0.0,
            rows: 1.0,
            order: Vec::new(),
        });
        // A set's subsets are smaller numbers, so each set is final before it is extended.
        for placed in 0..(1usize << n) {
            let Some(plan) = best[placed].clone() else {
                continue;
            };
            for next in (0..n).filter(|&l| placed & (1 << l) == 0) {
                let outer_missing = (0..next).any(|j| placed & (1 << j) == 0);
                if cross.get(next).copied().unwrap_or(false) && outer_missing {
                    continue;
                }
                let loop_estimate =
                    self.loop_estimate(&levels, &plan.order, next, &as_terms, terms);
                let mut order = plan.order.clone();
                order.push(next);
                let candidate = Plan {
                    cost: plan.cost + plan.rows * loop_estimate.cost,
                    rows: plan.rows * loop_estimate.rows,
                    order,
                };
                let slot = &mut best[placed | (1 << next)];
                let better = slot.as_ref().is_none_or(|current| {
                    candidate.cost < current.cost
                        || (candidate.cost == current.cost && candidate.order < current.order)
                });
                if better {
                    *slot = Some(candidate);
                }
            }
        }
        let Some(plan) = best[(1 << n) - 1].take() else {
            return levels;
        };
        let mut slots: Vec<Option<Level>> = levels.into_iter().map(Some).collect();
        plan.order
            .iter()
            .filter_map(|&i| slots.get_mut(i).and_then(Option::take))
            .collect()
    }

    /// The estimate of loop `next` run inside the loops `placed` (in that order).
    fn loop_estimate(
        &self,
        levels: &[Level],
        placed: &[usize],
        next: usize,
        as_terms: &[Term],
        terms: &[CompiledTerm],
    ) -> Estimate {
        let arranged: Vec<Level> = placed
            .iter()
            .chain(std::iter::once(&next))
            .copied()
            .chain((0..levels.len()).filter(|i| *i != next && !placed.contains(i)))
            .map(|i| levels[i].clone())
            .collect();
        let access = self.choose_access(&arranged, as_terms, placed.len());
        let mut estimate = estimate(&access);
        let outside = |c: CursorId| {
            placed.iter().any(|&p| levels[p].cursor == c) || !levels.iter().any(|l| l.cursor == c)
        };
        let mut equality = false;
        for expr in checkable(terms, levels[next].cursor, outside) {
            estimate.rows *= TERM_SHARE;
            equality |= matches!(
                expr,
                Expr::Compare {
                    op: CompareOp::Eq,
                    ..
                }
            );
        }
        if equality && matches!(access, Access::Scan) {
            estimate.rows = estimate.rows.min(ASSUMED_ROWS * BOUND_SHARE);
        }
        estimate
    }
}

/// The terms loop `cursor` can check when the loops for which `outside` holds run outside
/// it: those that read `cursor`, and otherwise only cursors outside it (a term with a
/// correlated subquery, whose cursors are not known, is never counted).
fn checkable<'t>(
    terms: &'t [CompiledTerm],
    cursor: CursorId,
    outside: impl Fn(CursorId) -> bool + 't,
) -> impl Iterator<Item = &'t Expr> + 't {
    terms.iter().filter_map(move |(expr, _, used)| {
        let used = used.as_ref()?;
        let ready = used.contains(&cursor) && used.iter().all(|&c| c == cursor || outside(c));
        ready.then_some(expr)
    })
}

/// Orders the loops of a large inner join greedily: next comes the table that the most
/// terms can be checked on together with the tables already placed (ties keep FROM order),
/// so filtered and joined tables come before unconstrained ones.
fn order_by_terms(levels: Vec<Level>, terms: &[CompiledTerm]) -> Vec<Level> {
    let mut remaining = levels;
    let mut placed: Vec<Level> = Vec::new();
    while !remaining.is_empty() {
        let mut best = 0;
        let mut best_score = -1i64;
        for (i, candidate) in remaining.iter().enumerate() {
            let outside = |c: CursorId| {
                placed.iter().any(|p| p.cursor == c) || !remaining.iter().any(|r| r.cursor == c)
            };
            let score = checkable(terms, candidate.cursor, outside).count() as i64;
            if score > best_score {
                best_score = score;
                best = i;
            }
        }
        placed.push(remaining.remove(best));
    }
    placed
}
