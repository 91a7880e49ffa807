//! `AppendHints`: a write transaction's append hints (`btree::AppendHint`), one per table
//! that rows were last appended to.
//!
//! A bulk load appends to one table row after row, so the hint of the table written last
//! sits in a slot of its own: taking it for the next append and putting it back costs no
//! hashing. The hints of other tables wait in a map.

use concur_btree::AppendHint;
use concur_pager::PageMap;

/// The append hints of a transaction, by table root (generic over the hint so that tests
/// can use plain values).
#[derive(Debug)]
pub(super) struct AppendHints<H = AppendHint> {
    /// The hint of the table appended to last, with its root.
    last: Option<(u32, H)>,
    /// The hints of the other tables.
    others: PageMap<u32, H>,
}

impl<H> Default for AppendHints<H> {
    fn default() -> Self {
        AppendHints {
            last: None,
            others: PageMap::default(),
        }
    }
}

impl<H> AppendHints<H> {
    /// The hint of table `root`.
    pub(super) fn get(&self, root: u32) -> Option<&H> {
        match &self.last {
            Some((r, hint)) if *r == root => Some(hint),
            _ => self.others.get(&root),
        }
    }

    /// Takes the hint of table `root` out, for an append that puts it back.
    pub(super) fn take(&mut self, root: u32) -> Option<H> {
        match &self.last {
            Some((r, _)) if *r == root => self.last.take().map(|(_, hint)| hint),
            _ => self.others.remove(&root),
        }
    }

    /// Stores `hint` as the hint of table `root`, the table appended to last.
    pub(super) fn put(&mut self, root: u32, hint: H) {
        if let Some((r, previous)) = self.last.replace((root, hint)) {
            if r == root {
                return;
            }
            self.others.insert(r, previous);
        }
        // A table's hint is in one place only; with no other table hinted (a bulk load
        // into one table) there is nothing to look up.
        if !self.others.is_empty() {
            self.others.remove(&root);
        }
    }

    /// Forgets the hint of table `root` (another write changed the table).
    pub(super) fn remove(&mut self, root: u32) {
        if self.last.as_ref().is_some_and(|(r, _)| *r == root) {
            self.last = None;
        }
        self.others.remove(&root);
    }

    /// Forgets every hint.
    pub(super) fn clear(&mut self) {
        self.last = None;
        self.others.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_are_kept_per_table_whichever_was_appended_to_last() {
        let mut hints: AppendHints<i64> = AppendHints::default();
        hints.put(2, 20);
        hints.put(3, 30);
        assert_eq!(hints.get(2), Some(&20));
        assert_eq!(hints.get(3), Some(&30));
        assert_eq!(hints.take(2), Some(20));
        assert_eq!(hints.get(2), None);
        hints.put(2, 21);
        assert_eq!(hints.take(3), Some(30));
        assert_eq!(hints.take(3), None);
        hints.put(3, 31);
        // A put replaces the table's hint wherever it waited.
        hints.put(2, 22);
        assert_eq!(hints.get(2), Some(&22));
        hints.put(3, 32);
        assert_eq!(hints.get(2), Some(&22));
        assert_eq!(hints.get(3), Some(&32));
        hints.remove(2);
        assert_eq!(hints.get(2), None);
        assert_eq!(hints.get(3), Some(&32));
        hints.remove(3);
        assert_eq!(hints.get(3), None);
        hints.put(4, 40);
        hints.put(5, 50);
        hints.clear();
        assert_eq!(hints.get(4), None);
        assert_eq!(hints.get(5), None);
    }
}
