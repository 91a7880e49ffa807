//! `Rows`: the rows of one in-memory rowid table, in rowid order.
//!
//! The rows sit in runs of at most [`RUN_MAX`], each sorted by rowid, and the runs sit in an
//! ordered map under a key no greater than any rowid of the run and greater than every rowid
//! of the runs before it:
//!
//! ```text
//!   runs:  [1] -> (1, 2, 3, ..., 64)   [65] -> (65, ..., 90, 120)   [300] -> (301, 302)
//! ```
//!
//! A row is found by the last run whose key is at or below its rowid, then by a binary search
//! of that run. An insert goes into that run (or the first run, for a rowid below every key);
//! a run that grows past [`RUN_MAX`] splits in two, except that a row appended past the last
//! row of the last run starts a run of its own, so rows inserted in rowid order, the usual
//! case, fill their runs completely. A run that loses its last row is dropped.
//!
//! Against one ordered map of every row this keeps a table's rows in a few large allocations
//! and makes the map it descends 64 times smaller: an append of a row to a 100k-row table
//! searches a map of 1.6k runs and then touches one run's end.

use std::collections::btree_map;
use std::collections::BTreeMap;
use std::ops::Bound;

use super::Row;

/// The most rows of a run.
const RUN_MAX: usize = 64;

/// One run: rows in rowid order.
type Run = Vec<(i64, Row)>;

/// The rows of a table, in rowid order (see the module essay).
#[derive(Debug, Clone, Default)]
pub(super) struct Rows {
    /// The runs, each under a key at or below its first rowid and above the rowids of the
    /// runs before it. No run is empty.
    runs: BTreeMap<i64, Run>,
}

impl Rows {
    /// No rows.
    pub(super) fn new() -> Rows {
        Rows::default()
    }

    /// The row `rowid`.
    pub(super) fn get(&self, rowid: i64) -> Option<&Row> {
        let (_, run) = self.runs.range(..=rowid).next_back()?;
        let at = run.binary_search_by_key(&rowid, |(id, _)| *id).ok()?;
        run.get(at).map(|(_, row)| row)
    }

    /// Whether row `rowid` exists.
    pub(super) fn contains(&self, rowid: i64) -> bool {
        self.get(rowid).is_some()
    }

    /// The largest rowid.
    pub(super) fn last_rowid(&self) -> Option<i64> {
        let (_, run) = self.runs.last_key_value()?;
        run.last().map(|(id, _)| *id)
    }

    /// Stores `row` as row `rowid`; returns the row it replaces.
    pub(super) fn insert(&mut self, rowid: i64, row: Row) -> Option<Row> {
        // The last run takes every rowid from its key on, appends among them: found without
        // a search.
        let Some(mut last) = self.runs.last_entry() else {
            self.runs.insert(rowid, vec![(rowid, row)]);
            return None;
        };
        if *last.key() <= rowid {
            let run = last.get_mut();
            if run.last().is_some_and(|(id, _)| *id < rowid) {
                if run.len() >= RUN_MAX {
                    // Past the last row of a full run: a run of its own, leaving that one
                    // full.
                    self.runs.insert(rowid, vec![(rowid, row)]);
                } else {
                    run.push((rowid, row));
                }
                return None;
            }
            let key = *last.key();
            return self.insert_into(key, rowid, row);
        }
        let key = match self.runs.range(..=rowid).next_back() {
            Some((key, _)) => *key,
            // Below every key: into the first run, whose key comes down to it.
            None => {
                let (_, run) = self.runs.pop_first()?;
                self.runs.insert(rowid, run);
                rowid
            }
        };
        self.insert_into(key, rowid, row)
    }

    /// Stores `row` as row `rowid` in the run under `key`, which is the run to hold it;
    /// returns the row it replaces.
    fn insert_into(&mut self, key: i64, rowid: i64, row: Row) -> Option<Row> {
        let run = self.runs.get_mut(&key)?;
        match run.binary_search_by_key(&rowid, |(id, _)| *id) {
            Ok(at) => run
                .get_mut(at)
                .map(|slot| std::mem::replace(&mut slot.1, row)),
            Err(at) => {
                run.insert(at, (rowid, row));
                if run.len() > RUN_MAX {
                    let upper = run.split_off(run.len() / 2);
                    if let Some(&(first, _)) = upper.first() {
                        self.runs.insert(first, upper);
                    }
                }
                None
            }
        }
    }

    /// Removes row `rowid`; returns it.
    pub(super) fn remove(&mut self, rowid: i64) -> Option<Row> {
        let (&key, run) = self.runs.range_mut(..=rowid).next_back()?;
        let at = run.binary_search_by_key(&rowid, |(id, _)| *id).ok()?;
        let (_, row) = run.remove(at);
        if run.is_empty() {
            self.runs.remove(&key);
        }
        Some(row)
    }

    /// The rows from `from` on, in ascending rowid order.
    pub(super) fn ascending(&self, from: Bound<i64>) -> Ascending<'_> {
        let (start, runs) = match from {
            Bound::Unbounded => (&[][..], self.runs.range(..)),
            Bound::Included(rowid) | Bound::Excluded(rowid) => {
                let key = match self.runs.range(..=rowid).next_back() {
                    Some((key, _)) => *key,
                    None => rowid,
                };
                let mut runs = self.runs.range(key..);
                let run = runs.next().map_or(&[][..], |(_, run)| run.as_slice());
                let at = run.partition_point(|(id, _)| match from {
                    Bound::Excluded(_) => *id <= rowid,
                    _ => *id < rowid,
                });
                (run.get(at..).unwrap_or(&[]), runs)
            }
        };
        Ascending { run: start, runs }
    }

    /// The rows up to `to`, in descending rowid order.
    pub(super) fn descending(&self, to: Bound<i64>) -> Descending<'_> {
        let (start, runs) = match to {
            Bound::Unbounded => (&[][..], self.runs.range(..)),
            Bound::Included(rowid) | Bound::Excluded(rowid) => {
                let mut runs = self.runs.range(..=rowid);
                let run = runs.next_back().map_or(&[][..], |(_, run)| run.as_slice());
                let at = run.partition_point(|(id, _)| match to {
                    Bound::Excluded(_) => *id < rowid,
                    _ => *id <= rowid,
                });
                (run.get(..at).unwrap_or(&[]), runs)
            }
        };
        Descending { run: start, runs }
    }
}

/// Rows in ascending rowid order (see [`Rows::ascending`]).
pub(super) struct Ascending<'a> {
    /// What is left of the current run.
    run: &'a [(i64, Row)],
    /// The runs after it.
    runs: btree_map::Range<'a, i64, Run>,
}

impl<'a> Iterator for Ascending<'a> {
    type Item = &'a (i64, Row);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some((first, rest)) = self.run.split_first() {
                self.run = rest;
                return Some(first);
            }
            self.run = self.runs.next()?.1.as_slice();
        }
    }
}

/// Rows in descending rowid order (see [`Rows::descending`]).
pub(super) struct Descending<'a> {
    /// What is left of the current run.
    run: &'a [(i64, Row)],
    /// The runs before it.
    runs: btree_map::Range<'a, i64, Run>,
}

impl<'a> Iterator for Descending<'a> {
    type Item = &'a (i64, Row);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some((last, rest)) = self.run.split_last() {
                self.run = rest;
                return Some(last);
            }
            self.run = self.runs.next_back()?.1.as_slice();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use concur_btree::Value;

    use super::*;

    /// A row holding `n`.
    fn row(n: i64) -> Row {
        Arc::from(vec![Value::Integer(n)])
    }

    /// Checks `rows` against `model` through every read: gets, both walks from every bound,
    /// the last rowid, and the run invariants.
    fn check(rows: &Rows, model: &BTreeMap<i64, i64>) {
        let value = |r: &Row| match r.first() {
            Some(Value::Integer(n)) => *n,
            other => panic!("unexpected row {other:?}"),
        };
        let mut previous: Option<i64> = None;
        for (key, run) in &rows.runs {
            assert!(!run.is_empty(), "empty run at {key}");
            assert!(run.len() <= RUN_MAX);
            assert!(*key <= run[0].0, "run key {key} above its first rowid");
            if let Some(p) = previous {
                assert!(p < *key, "run key {key} not above the rowids before it");
            }
            assert!(run.windows(2).all(|w| w[0].0 < w[1].0));
            previous = run.last().map(|(id, _)| *id);
        }
        assert_eq!(rows.last_rowid(), model.keys().next_back().copied());
        let all: Vec<(i64, i64)> = model.iter().map(|(k, v)| (*k, *v)).collect();
        let walk = |it: &mut dyn Iterator<Item = &(i64, Row)>| -> Vec<(i64, i64)> {
            it.map(|(id, r)| (*id, value(r))).collect()
        };
        assert_eq!(walk(&mut rows.ascending(Bound::Unbounded)), all);
        let mut reversed = all.clone();
        reversed.reverse();
        assert_eq!(walk(&mut rows.descending(Bound::Unbounded)), reversed);
        let mut probes: Vec<i64> = model
            .keys()
            .flat_map(|k| [k.saturating_sub(1), *k, k.saturating_add(1)])
            .collect();
        probes.extend([i64::MIN, i64::MAX, 0]);
        for p in probes {
            assert_eq!(rows.get(p).map(value), model.get(&p).copied(), "get {p}");
            for bound in [Bound::Included(p), Bound::Excluded(p)] {
                let want: Vec<_> = model
                    .range((bound, Bound::Unbounded))
                    .map(|(k, v)| (*k, *v))
                    .collect();
                assert_eq!(walk(&mut rows.ascending(bound)), want, "from {bound:?}");
                let want: Vec<_> = model
                    .range((Bound::Unbounded, bound))
                    .rev()
                    .map(|(k, v)| (*k, *v))
                    .collect();
                assert_eq!(walk(&mut rows.descending(bound)), want, "to {bound:?}");
            }
        }
    }

    #[test]
    fn rows_appended_in_order_fill_whole_runs() {
        let mut rows = Rows::new();
        let mut model = BTreeMap::new();
        for id in 1..=1000 {
            assert!(rows.insert(id, row(id)).is_none());
            model.insert(id, id);
        }
        check(&rows, &model);
        assert_eq!(rows.runs.len(), 1000_usize.div_ceil(RUN_MAX));
    }

    #[test]
    fn rows_match_an_ordered_map_under_random_inserts_replaces_and_removes() {
        // A small linear congruential generator: deterministic, no dependency.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state >> 33
        };
        for round in 0..6 {
            let mut rows = Rows::new();
            let mut model = BTreeMap::new();
            let span = [50, 300, 2000, 5, 1 << 20, 700][round] as i64;
            for step in 0..3000 {
                let id = (next() as i64 % span) - span / 2;
                let id = match round {
                    4 if step % 7 == 0 => [i64::MIN, i64::MAX, i64::MIN + 1][step % 3],
                    _ => id,
                };
                if next() % 3 == 0 {
                    assert_eq!(
                        rows.remove(id).map(|r| r.len()),
                        model.remove(&id).map(|_| 1)
                    );
                } else {
                    let v = next() as i64;
                    let old = rows.insert(id, row(v));
                    let want = model.insert(id, v);
                    assert_eq!(old.is_some(), want.is_some());
                }
                if step % 500 == 0 {
                    check(&rows, &model);
                }
            }
            check(&rows, &model);
        }
    }
}
