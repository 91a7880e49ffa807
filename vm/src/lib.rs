//! Placeholder: this layer is not built yet.
