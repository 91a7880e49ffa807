//! Placeholder: the B-tree layer is not built yet.
