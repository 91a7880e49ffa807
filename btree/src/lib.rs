//! # The B-tree layer
//!
//! (Essay to come with the implementation: page and cell formats, the record format, overflow
//! thresholds, balancing, cursors.)

mod value;

pub use value::Value;
