//! # The B-tree layer
//!
//! SQLite keeps every table and every index in its own B-tree inside one file of fixed-size
//! pages. This crate reads and writes those trees byte for byte as SQLite does, over any
//! [`PageSource`](concur_pager::PageSource) (reads) and
//! [`PageWriter`](concur_pager::PageWriter) (writes: `page_mut`, `allocate`, `free`), so a file
//! written here passes `PRAGMA integrity_check` in stock `sqlite3`, and files `sqlite3` wrote
//! read back here exactly. The files of this crate, bottom up:
//!
//! | file | concept |
//! | --- | --- |
//! | `varint.rs` | SQLite's 1-9 byte big-endian varints |
//! | `value.rs`, `collation.rs` | the five storage classes, their order, BINARY/NOCASE/RTRIM |
//! | `record.rs` | the record format and index key comparison ([`KeyInfo`]) |
//! | `page.rs` | page header, cell pointer array, freeblocks, defragmentation |
//! | `cell.rs`, `overflow.rs` | the four cell layouts, spill thresholds, overflow chains |
//! | `tree.rs`, `balance.rs` | insert/delete/update and balancing |
//! | `cursor.rs` | ordered reads and seeks |
//! | `schema.rs` | `sqlite_schema` on page 1; create, clear, drop trees |
//! | `integrity.rs` | the integrity-check walker |
//!
//! ## Two kinds of tree
//!
//! A **table** B-tree is keyed by a 64-bit rowid. Leaves hold `(rowid, record)`; interior
//! pages hold `(left child, rowid)` dividers, where every key in the left child is `<=` the
//! divider, plus a right-most child pointer. An **index** B-tree is keyed by a record (the
//! indexed columns then the rowid) and has no data; its interior cells carry keys too, so an
//! in-order walk visits child 0, cell 0, child 1, ..., the right-most child. Page 1 holds the
//! root of `sqlite_schema` (a table tree), its page header at offset 100 after the database
//! header; every other root is named by a `sqlite_schema` row
//! `(type, name, tbl_name, rootpage, sql)`.
//!
//! ## Page layout
//!
//! ```text
//! | [100-byte db header on page 1] | page header (8 or 12) | cell pointers (2 each) |
//! |   unallocated gap   | cell content area (cells, freeblocks, fragments) | reserved |
//! ```
//!
//! | offset | size | page header field |
//! | --- | --- | --- |
//! | 0 | 1 | type: 2 index interior, 5 table interior, 10 index leaf, 13 table leaf |
//! | 1 | 2 | first freeblock (0: none) |
//! | 3 | 2 | number of cells |
//! | 5 | 2 | start of the cell content area (0 means 65536) |
//! | 7 | 1 | fragmented free bytes (runs of 1-3 bytes no freeblock can hold) |
//! | 8 | 4 | right-most child (interior pages only) |
//!
//! Cell pointers are sorted by key. A freeblock is `(next: u16, size: u16)` followed by free
//! bytes; the list is ascending by offset. Deleting a cell adds its bytes to that list
//! (merging neighbours, or growing the gap when it borders it); inserting takes the first
//! freeblock that fits, else the gap, else defragments the page first.
//!
//! ## Cells
//!
//! | page type | cell |
//! | --- | --- |
//! | table leaf (13) | payload size varint, rowid varint, local payload, [first overflow u32] |
//! | table interior (5) | left child u32, rowid varint |
//! | index leaf (10) | payload size varint, local payload, [first overflow u32] |
//! | index interior (2) | left child u32, payload size varint, local payload, [first overflow u32] |
//!
//! A cell occupies at least 4 bytes. With `U` the usable page size and `P` the payload size:
//! `X = U - 35` for table leaves, `X = (U - 12) * 64 / 255 - 23` for index pages;
//! `M = (U - 12) * 32 / 255 - 23`; `K = M + (P - M) % (U - 4)`. If `P <= X` the payload is all
//! local; otherwise `K` bytes stay local if `K <= X`, else `M`, and the rest goes to a chain of
//! overflow pages, each `next page u32 | U - 4 payload bytes`. At `U = 4096` a table row spills
//! past 4061 bytes and an index key past 1002.
//!
//! ## Records
//!
//! | part | content |
//! | --- | --- |
//! | header size | varint, counting itself |
//! | serial types | one varint per column |
//! | body | the values, in column order |
//!
//! | serial type | value | body bytes |
//! | --- | --- | --- |
//! | 0 | NULL | 0 |
//! | 1, 2, 3, 4, 5, 6 | big-endian two's complement integer | 1, 2, 3, 4, 6, 8 |
//! | 7 | IEEE 754 double, big-endian | 8 |
//! | 8, 9 | the integers 0 and 1 (schema format 4) | 0 |
//! | N >= 12, even | BLOB of (N - 12) / 2 bytes | (N - 12) / 2 |
//! | N >= 13, odd | TEXT of (N - 13) / 2 bytes | (N - 13) / 2 |
//!
//! TEXT bodies are read and written as bytes ([`Text`]): SQLite does not check that text is
//! UTF-8, so a file may hold any bytes as text, and a row read and written back keeps them.
//!
//! Integers take the smallest type that holds them, as SQLite writes them. Values order as
//! NULL < numbers < TEXT < BLOB; an integer and a double compare exactly (no rounding of large
//! integers); TEXT compares under the column's collation; index keys compare column by column
//! with per-column collation and direction from a [`KeyInfo`].
//!
//! ## Seeks
//!
//! A seek descends from the root, searching each page for the first cell at or after the
//! key, and keeps the frames of the path it shares with the cursor's last one. A key seek
//! halves each page (`BtreePage::index_search`), comparing the probed cell's record in place
//! ([`KeyInfo::compare_record`], whose leading-integer case needs no decoding). A rowid seek
//! interpolates first (`BtreePage::rowid_search`): a page's rowids are distinct integers, so
//! the cell `d` places after the first holds at least the first rowid plus `d`; with `d`
//! the distance from the first rowid to the sought one, that cell bounds the search, and on
//! a page of consecutive rowids (a table filled in rowid order) it is the cell itself. Two
//! guesses from the rowids at the ends of the range still open follow, then halving, so a
//! page of scattered rowids costs a few probes more than a plain binary search. Every probe
//! is a comparison with the key, so a corrupt page out of order still ends the search in
//! bounds.
//!
//! ## Balancing
//!
//! An insert or delete edits the leaf in place when it can. A page that overflows, or a
//! non-root page left more than two thirds empty, is rebalanced with up to two siblings
//! (SQLite's `balance_nonroot`): their cells and the dividers between them are pooled, packed
//! into as few pages as hold them, evened out right to left, and the parent's dividers are
//! rewritten; the parent is then checked the same way. The root never moves: when it
//! overflows its content moves to a new child (`balance_deeper`); when it is an interior page
//! with no cells, its only child's content moves up into it if it fits. Pages emptied by a
//! merge and overflow chains of deleted cells go back to the pager with `free`. Deleting an
//! index entry on an interior page replaces it with its predecessor from a leaf.
//!
//! ## Bad input
//!
//! Every decode is bounds-checked: cell pointers and cells must lie in the content area,
//! freeblocks must ascend, page types must match the tree, overflow pages must exist and
//! chains are followed exactly as far as the payload size says, trees deeper than
//! [`MAX_DEPTH`] are cycles, and record headers must not claim more than the record holds.
//! Each failure is [`Error::Corrupt`] naming the page. [`check_integrity`] walks a whole file
//! and lists problems as `PRAGMA integrity_check` would.

#![warn(missing_docs)]

mod balance;
mod cell;
mod collation;
mod cursor;
mod error;
mod integrity;
mod overflow;
mod page;
mod record;
mod schema;
mod tree;
mod value;
mod varint;

pub use cell::{build_cell, local_size, max_local, min_local, parse_cell, CellInfo};
pub use collation::{nocase_bytes, trim_spaces, Collation};
pub use cursor::{Cursor, Payload, SeekOp};
pub use error::{Error, Result};
pub use integrity::{check_database, check_integrity, TreeCheck, MAX_MESSAGES};
pub use page::{BtreePage, CheckedHeader, PageKind};
pub use record::{
    decode_record, encode_record, record_last_integer, serial_size, serial_type, KeyColumn,
    KeyInfo, RecordFields, RecordLayout, ValueRef,
};
pub use schema::{
    clear_tree, create_database, create_tree, drop_tree, read_schema, SchemaEntry, TreeKind,
    SCHEMA_ROOT,
};
pub use tree::{
    index_delete, index_insert, table_delete, table_insert, table_insert_hinted,
    table_insert_values_hinted, table_update, AppendHint, MAX_DEPTH,
};
pub use value::{compare_int_real, Text, Value};
pub use varint::{read_varint, varint_len, write_varint};
