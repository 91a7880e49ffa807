//! Printing the tree back as SQL.
