//! The SQL workloads: one schema, its rows, and the statements both engines run.
//!
//! `t` has [`ROWS`] rows spread over 100 groups; `c` has a tenth as many customers and `o`
//! [`ROWS`] orders, indexed by customer. Every loader goes through the engine's public API
//! with one prepared INSERT per table inside one transaction.

/// Rows of the main table `t` (and of `o`).
pub const ROWS: i64 = 10_000;
/// Rows inserted by the `insert_100k` workload.
pub const INSERT_ROWS: i64 = 100_000;

/// The schema both engines start from.
pub const SCHEMA: &str = "
    CREATE TABLE t(id INTEGER PRIMARY KEY, grp INTEGER, a INTEGER, b TEXT);
    CREATE TABLE c(id INTEGER PRIMARY KEY, name TEXT);
    CREATE TABLE o(id INTEGER PRIMARY KEY, cust INTEGER, amount INTEGER);
    CREATE INDEX o_cust ON o(cust);
";

/// Point select by rowid (`?1` is the id).
pub const POINT_SELECT: &str = "SELECT grp, a, b FROM t WHERE id = ?1";
/// A full scan of `t` with a filter on an unindexed column.
pub const SCAN_FILTER: &str = "SELECT id, a, b FROM t WHERE a % 7 = 3";
/// The insert of `insert_100k` (and of the loader).
pub const INSERT: &str = "INSERT INTO t VALUES (?1, ?2, ?3, ?4)";
/// An aggregate over `t` into 100 groups.
pub const GROUP_BY: &str = "SELECT grp, count(*), sum(a), max(b) FROM t GROUP BY grp";
/// A join through the index on `o(cust)`, for customers `?1` to `?2`.
pub const INDEXED_JOIN: &str = "SELECT c.name, o.id, o.amount FROM c JOIN o ON o.cust = c.id \
                                WHERE c.id BETWEEN ?1 AND ?2";

/// The columns of row `i` of `t` (also the rows `insert_100k` writes).
pub fn t_row(i: i64) -> (i64, i64, i64, String) {
    (
        i,
        i % 100,
        (i * 7919) % 10_007,
        format!("row {i:06} of the table"),
    )
}

/// The customer of order `i`.
fn order_customer(i: i64) -> i64 {
    (i * 31) % (ROWS / 10) + 1
}

/// Creates the schema and its rows through concur; returns the connection used.
pub fn load_concur(db: &concur::Database) -> concur::Result<concur::Connection> {
    let conn = db.connect();
    conn.execute_batch(SCHEMA)?;
    conn.execute_batch("BEGIN")?;
    {
        let mut ins = conn.prepare(INSERT)?;
        for i in 1..=ROWS {
            ins.execute(t_row(i))?;
        }
        let mut ins = conn.prepare("INSERT INTO c VALUES (?1, ?2)")?;
        for i in 1..=ROWS / 10 {
            ins.execute((i, format!("customer {i}")))?;
        }
        let mut ins = conn.prepare("INSERT INTO o VALUES (?1, ?2, ?3)")?;
        for i in 1..=ROWS {
            ins.execute((i, order_customer(i), i % 997))?;
        }
    }
    conn.execute_batch("COMMIT")?;
    Ok(conn)
}

/// Creates the schema and its rows through SQLite.
pub fn load_sqlite(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)?;
    conn.execute_batch("BEGIN")?;
    {
        let mut ins = conn.prepare(INSERT)?;
        for i in 1..=ROWS {
            ins.execute(t_row(i))?;
        }
        let mut ins = conn.prepare("INSERT INTO c VALUES (?1, ?2)")?;
        for i in 1..=ROWS / 10 {
            ins.execute((i, format!("customer {i}")))?;
        }
        let mut ins = conn.prepare("INSERT INTO o VALUES (?1, ?2, ?3)")?;
        for i in 1..=ROWS {
            ins.execute((i, order_customer(i), i % 997))?;
        }
    }
    conn.execute_batch("COMMIT")
}

/// How many rows `SCAN_FILTER` returns.
pub fn scan_filter_rows() -> usize {
    (1..=ROWS).filter(|&i| t_row(i).2 % 7 == 3).count()
}
