//! # The B-tree layer
//!
//! (Essay below.)

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
pub use collation::Collation;
pub use cursor::{Cursor, SeekOp};
pub use error::{Error, Result};
pub use integrity::{check_database, check_integrity, TreeCheck, MAX_MESSAGES};
pub use page::{BtreePage, PageKind};
pub use record::{decode_record, encode_record, serial_size, serial_type, KeyColumn, KeyInfo};
pub use schema::{clear_tree, create_database, create_tree, drop_tree, TreeKind, SCHEMA_ROOT};
pub use tree::{index_delete, index_insert, table_delete, table_insert, MAX_DEPTH};
pub use value::{compare_int_real, Value};
pub use varint::{read_varint, varint_len, write_varint};
