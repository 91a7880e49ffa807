//! # SQL values: storage classes, affinity, comparison, conversion
//!
//! Every SQL value is one of SQLite's five storage classes, [`concur_btree::Value`]: NULL,
//! INTEGER (i64), REAL (f64), TEXT (bytes meant as UTF-8, see [`chars`]) and BLOB. This module gives them SQLite's
//! semantics, so that the executor can call one function per operator:
//!
//! | concept | SQLite routine it follows | here |
//! | --- | --- | --- |
//! | text to number | `sqlite3AtoF`, `sqlite3Atoi64` | [`numeric`] |
//! | column affinity | `sqlite3AffinityType`, `applyAffinity` | [`affinity`] |
//! | order and collations | `sqlite3MemCompare`, `binCollFunc`, `nocaseCollatingFunc` | [`compare`] |
//! | operators and CAST | `OP_Add`.., `OP_BitAnd`.., `sqlite3VdbeMemCast` | [`arith`] |
//! | text form of numbers | `sqlite3VdbeMemStringify` (`%!.15g`), `quote()` | [`render`] |
//! | characters in text bytes | `SQLITE_SKIP_UTF8`, `sqlite3Utf8Read` | [`chars`] |
//!
//! ## The order of values
//!
//! ```text
//! NULL  <  INTEGER and REAL  <  TEXT             <  BLOB
//!          (by numeric value,   (by collation:      (memcmp, then
//!           exact across the     BINARY, NOCASE,     length)
//!           two classes)         RTRIM)
//! ```
//!
//! An integer and a real compare exactly: `9007199254740993 > 9007199254740992.0` although
//! the integer rounds to that real.
//!
//! ## Numbers in text
//!
//! | text | arithmetic (`x + 0`) | `CAST AS INTEGER` | `CAST AS NUMERIC` | NUMERIC column |
//! | --- | --- | --- | --- | --- |
//! | `'12'` | 12 | 12 | 12 | 12 |
//! | `'12abc'` | 12 | 12 | 12 | `'12abc'` (text) |
//! | `'1e3'` | 1000.0 | 1 | 1000 | 1000 |
//! | `' 3.5e2x'` | 350.0 | 3 | 350 | `' 3.5e2x'` (text) |
//! | `'9223372036854775808'` | 9.22337203685478e+18 | 9223372036854775807 | 9.22337203685478e+18 | 9.22337203685478e+18 |
//! | `'abc'` | 0 | 0 | 0 | `'abc'` (text) |

pub mod affinity;
pub mod arith;
pub mod chars;
pub mod compare;
mod longdouble;
pub mod numeric;
pub mod render;

pub use affinity::{apply_comparison_affinity, comparison_makes_text, Affinity, OperandAffinity};
pub use arith::{
    and, and_truth, arithmetic, bit_not, bit_operation, cast, concat, exact_integer_arithmetic,
    negate, not, or, or_truth, truth, truth_value, ArithOp, BitOp,
};
pub use compare::{compare_op, compare_values, is, is_not, Collation, CompareOp};
pub use render::{quote, real_to_text, value_to_string, value_to_text};
