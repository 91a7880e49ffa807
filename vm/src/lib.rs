//! Placeholder: this layer is not built yet.

pub mod func;
pub mod value;
