//! Shared workloads of the benches that compare concur with SQLite.
//!
//! The criterion benches live in `benches/`; [`sql`] holds what the SQL bench and the
//! `sql_profile` example (one workload in a loop, for `perf` or callgrind) both need.

pub mod sql;
