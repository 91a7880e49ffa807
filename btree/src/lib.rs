//! # The B-tree layer
//!
//! (Essay below.)

mod cell;
mod collation;
mod error;
mod page;
mod record;
mod value;
mod varint;

pub use cell::{build_cell, local_size, max_local, min_local, parse_cell, CellInfo};
pub use collation::Collation;
pub use error::{Error, Result};
pub use page::{BtreePage, PageKind};
pub use record::{decode_record, encode_record, serial_size, serial_type, KeyColumn, KeyInfo};
pub use value::{compare_int_real, Value};
pub use varint::{read_varint, varint_len, write_varint};
