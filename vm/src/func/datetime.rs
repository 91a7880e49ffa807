//! Date and time functions (to come).
use super::registry::ScalarFunction;
/// The functions of this file.
pub const FUNCTIONS: &[ScalarFunction] = &[];
