//! # The pager
//!
//! (Essay to be written with the implementation: I/O backends, the page cache, the database
//! header byte table, the freelist trunk/leaf format, the `Journal` trait and the transaction
//! states with their invariants.)
//!
//! ## Contract used by the layers above
//!
//! - [`Pager`] is cheap to clone (an `Arc` inside) and shared by every thread of one database.
//! - [`Pager::begin_read`] returns a [`ReadTx`]: a consistent snapshot of the database (pages and
//!   page count) for as long as it lives, whatever writers commit meanwhile.
//! - [`Pager::begin_write`] returns a [`WriteTx`]; at most one exists at a time (the call waits).
//!   It sees its own dirty pages, allocates pages from the freelist before growing the file,
//!   frees pages onto the freelist, and commits all its dirty pages through the [`Journal`]
//!   atomically, or rolls back by dropping them.
//! - Both implement [`PageSource`], which is all a B-tree reader needs.
//! - Page numbers start at 1. Page 1 holds the 100-byte [`DbHeader`] at its start.

mod api;

pub use api::*;
