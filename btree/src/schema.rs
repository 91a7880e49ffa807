//! Whole trees: a new database's `sqlite_schema`, creating, clearing and dropping B-trees.

use std::collections::HashSet;

use concur_pager::{PageNo, PageSource, PageWriter};

use crate::cursor::Cursor;
use crate::error::{Error, Result};
use crate::overflow::free_chain;
use crate::page::{init_page, BtreePage, PageKind};
use crate::record::encode_record;
use crate::tree::MAX_DEPTH;
use crate::value::Value;

/// The root page of `sqlite_schema`.
pub const SCHEMA_ROOT: PageNo = 1;

/// One row of `sqlite_schema`: `(type, name, tbl_name, rootpage, sql)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaEntry {
    /// `table`, `index`, `view` or `trigger`.
    pub kind: String,
    /// The object's name.
    pub name: String,
    /// The table the object belongs to (its own name for a table).
    pub table_name: String,
    /// The root page of its B-tree; 0 for views and triggers.
    pub root: PageNo,
    /// The CREATE statement; NULL for automatic indexes.
    pub sql: Option<String>,
}

impl SchemaEntry {
    /// The row's record, as SQLite stores it.
    pub fn to_record(&self) -> Result<Vec<u8>> {
        encode_record(&[
            Value::Text(self.kind.as_str().into()),
            Value::Text(self.name.as_str().into()),
            Value::Text(self.table_name.as_str().into()),
            Value::Integer(i64::from(self.root)),
            self.sql
                .as_deref()
                .map_or(Value::Null, |sql| Value::Text(sql.into())),
        ])
    }

    /// Reads a row from its values; CORRUPT (page 1) if they do not have the schema's shape.
    /// Names and SQL text are read as UTF-8 (lossily: SQL and names are parsed as `str`).
    pub fn from_values(values: &[Value]) -> Result<Self> {
        let text = |i: usize| match values.get(i) {
            Some(Value::Text(s)) => Ok(s.to_string_lossy().into_owned()),
            _ => Err(Error::corrupt(
                SCHEMA_ROOT,
                format!("sqlite_schema column {i} is not text"),
            )),
        };
        let root = match values.get(3) {
            Some(Value::Integer(r)) => PageNo::try_from(*r)
                .map_err(|_| Error::corrupt(SCHEMA_ROOT, format!("sqlite_schema rootpage {r}")))?,
            Some(Value::Null) => 0,
            _ => {
                return Err(Error::corrupt(
                    SCHEMA_ROOT,
                    "sqlite_schema rootpage is not an integer",
                ))
            }
        };
        let sql = match values.get(4) {
            Some(Value::Text(s)) => Some(s.to_string_lossy().into_owned()),
            Some(Value::Null) | None => None,
            _ => return Err(Error::corrupt(SCHEMA_ROOT, "sqlite_schema sql is not text")),
        };
        Ok(SchemaEntry {
            kind: text(0)?,
            name: text(1)?,
            table_name: text(2)?,
            root,
            sql,
        })
    }
}

/// Every row of `sqlite_schema` with its rowid, in rowid order.
pub fn read_schema<S: PageSource + ?Sized>(src: &S) -> Result<Vec<(i64, SchemaEntry)>> {
    let mut cursor = Cursor::new(src, SCHEMA_ROOT);
    let mut out = Vec::new();
    let mut ok = cursor.first()?;
    while ok {
        out.push((
            cursor.rowid()?,
            SchemaEntry::from_values(&cursor.record()?)?,
        ));
        ok = cursor.next()?;
    }
    Ok(out)
}

/// Which kind of B-tree to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeKind {
    /// A table B-tree: rowid keys, row records as data.
    Table,
    /// An index B-tree: record keys, no data.
    Index,
}

/// Starts a new database: allocates page 1 (the pager fills in the 100-byte header) and puts
/// an empty `sqlite_schema` table leaf after the header.
pub fn create_database<W: PageWriter + ?Sized>(w: &mut W) -> Result<()> {
    let pgno = w.allocate()?;
    if pgno != SCHEMA_ROOT {
        return Err(Error::Misuse(
            "create_database on a database that has pages",
        ));
    }
    let usable = w.usable_size();
    init_page(w.page_mut(pgno)?, pgno, usable, PageKind::TableLeaf);
    Ok(())
}

/// Creates an empty B-tree and returns its root page.
pub fn create_tree<W: PageWriter + ?Sized>(w: &mut W, kind: TreeKind) -> Result<PageNo> {
    let pgno = w.allocate()?;
    let usable = w.usable_size();
    let page_kind = match kind {
        TreeKind::Table => PageKind::TableLeaf,
        TreeKind::Index => PageKind::IndexLeaf,
    };
    init_page(w.page_mut(pgno)?, pgno, usable, page_kind);
    Ok(pgno)
}

/// Every page of the tree at `root` below the root, and every overflow chain, freed; the
/// root is reset to an empty leaf of its tree type.
pub fn clear_tree<W: PageWriter + ?Sized>(w: &mut W, root: PageNo) -> Result<()> {
    let kind = free_subtrees(w, root)?;
    let usable = w.usable_size();
    init_page(w.page_mut(root)?, root, usable, kind.leaf());
    Ok(())
}

/// Frees every page of the tree at `root`, the root included. `sqlite_schema` cannot be
/// dropped.
pub fn drop_tree<W: PageWriter + ?Sized>(w: &mut W, root: PageNo) -> Result<()> {
    if root == SCHEMA_ROOT {
        return Err(Error::Misuse("sqlite_schema cannot be dropped"));
    }
    free_subtrees(w, root)?;
    w.free(root)?;
    Ok(())
}

/// Frees the overflow chains of `root`'s cells and every page below it, depth first; returns
/// the root's page type.
fn free_subtrees<W: PageWriter + ?Sized>(w: &mut W, root: PageNo) -> Result<PageKind> {
    let mut seen = HashSet::new();
    seen.insert(root);
    let usable = w.usable_size();
    let kind = BtreePage::parse(root, &w.page(root)?, usable)?.kind;
    let mut stack = vec![(root, 0usize)];
    while let Some((pgno, depth)) = stack.pop() {
        let data = w.page(pgno)?;
        let page = BtreePage::parse(pgno, &data, usable)?;
        if page.kind.is_table() != kind.is_table() {
            return Err(Error::corrupt(pgno, "page of the wrong tree type"));
        }
        let cells = (0..page.cell_count)
            .map(|i| page.cell(i))
            .collect::<Result<Vec<_>>>()?;
        let mut children = Vec::new();
        if !page.kind.is_leaf() {
            children.extend(cells.iter().map(|c| c.left_child));
            children.push(page.right_child);
        }
        drop(data);
        for cell in &cells {
            free_chain(w, pgno, cell)?;
        }
        for child in children {
            if child < 2 || child > w.page_count() || depth + 1 >= MAX_DEPTH {
                return Err(Error::corrupt(pgno, format!("child page {child} invalid")));
            }
            if !seen.insert(child) {
                return Err(Error::corrupt(
                    pgno,
                    format!("child page {child} seen twice"),
                ));
            }
            stack.push((child, depth + 1));
        }
        if pgno != root {
            w.free(pgno)?;
        }
    }
    Ok(kind)
}
