//! Text that is not UTF-8, against SQLite (rusqlite, bundled): SQLite stores and returns
//! text bytes unchecked, and its character functions step over broken sequences by fixed
//! rules. concur keeps the bytes and follows the same rules.

#![allow(clippy::unwrap_used)] // Tests may unwrap.

mod feature_support;

use feature_support::Pair;

/// Texts whose bytes are not UTF-8: a stray lead byte, lone continuation bytes, an
/// overlong form, an encoded surrogate, a lead byte with too many continuations, a
/// truncated sequence at the end, and a NUL inside.
const BROKEN: &[&str] = &[
    "x'61ff62'",
    "x'80bf41'",
    "x'c0af2f'",
    "x'eda080'",
    "x'e282ac808078'",
    "x'4142e282'",
    "x'41004280'",
    "x'c3a9ff20'",
];

/// Both engines with table `t(id, s, n)` holding one row per text of [`BROKEN`], after
/// `schema`.
fn broken_rows(schema: &str) -> Pair {
    let mut pair = Pair::new();
    pair.setup(&format!(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, s TEXT, n); {schema}"
    ));
    for (i, hex) in BROKEN.iter().enumerate() {
        pair.setup(&format!(
            "INSERT INTO t VALUES ({i}, CAST({hex} AS TEXT), {i})"
        ));
    }
    pair
}

/// Every text function and operator SQLite has gives SQLite's answer on broken text.
#[test]
fn functions_read_broken_utf8_as_sqlite_does() {
    let mut pair = broken_rows("");
    for expr in [
        "s",
        "typeof(s)",
        "hex(s)",
        "length(s)",
        "octet_length(s)",
        "quote(s)",
        "upper(s)",
        "lower(s)",
        "substr(s, 2)",
        "substr(s, 2, 2)",
        "substr(s, -2)",
        "substr(s, -3, 2)",
        "substr(s, 0, 2)",
        "unicode(s)",
        "unicode(substr(s, 2))",
        "unicode(substr(s, 3))",
        "instr(s, 'B')",
        "instr(s, CAST(x'80' AS TEXT))",
        "trim(s)",
        "trim(s, CAST(x'ff41' AS TEXT))",
        "ltrim(s, 'a')",
        "rtrim(s, CAST(x'80' AS TEXT))",
        "replace(s, 'b', 'c')",
        "s || s",
        "concat(s, '!')",
        "printf('[%s]', s)",
        "printf('[%.2s]', s)",
        "s LIKE 'a_b'",
        "s LIKE '_' || CAST(x'80' AS TEXT) || '%'",
        "s GLOB '*[^a]*'",
        "s GLOB '?b'",
        "CAST(s AS BLOB)",
        "CAST(CAST(s AS BLOB) AS TEXT) = s",
        "s = CAST(x'61ff62' AS TEXT)",
        "s < 'b'",
        "s COLLATE NOCASE = upper(s)",
        "unhex(hex(s)) = CAST(s AS BLOB)",
    ] {
        pair.check_rows(&format!("SELECT id, {expr} FROM t ORDER BY id"));
    }
    for query in [
        "SELECT s FROM t ORDER BY s",
        "SELECT DISTINCT upper(s) FROM t ORDER BY 1",
        "SELECT group_concat(s, CAST(x'ff' AS TEXT)) FROM t",
        "SELECT min(s), max(s) FROM t",
        "SELECT count(*) FROM t GROUP BY s COLLATE RTRIM ORDER BY 1",
    ] {
        pair.check_rows(query);
    }
    pair.check_error("SELECT 'a' LIKE 'a' ESCAPE CAST(x'ffff' AS TEXT)");
    pair.check_rows("SELECT 'a' LIKE 'a' ESCAPE CAST(x'ff' AS TEXT)");
}

/// Broken text goes into an index and comes back byte for byte through it, and rows that
/// are rewritten keep the bytes of the columns not written.
#[test]
fn broken_text_is_kept_through_indexes_and_updates() {
    let mut pair = broken_rows("CREATE INDEX ts ON t(s)");
    pair.setup("UPDATE t SET n = n + 100");
    pair.check_rows("SELECT id, hex(s), n FROM t ORDER BY id");
    pair.check_rows("SELECT id, hex(s) FROM t INDEXED BY ts ORDER BY s");
    pair.check_rows("SELECT id FROM t WHERE s = CAST(x'80bf41' AS TEXT)");
    pair.check_rows("SELECT id FROM t WHERE s > CAST(x'c0' AS TEXT) ORDER BY s");
    pair.check_rows("PRAGMA integrity_check");
}
