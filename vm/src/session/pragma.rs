//! PRAGMA statements: the catalog ones (`table_info`, `index_list`, ...), header fields
//! (`user_version`, `schema_version`), the storage ones the store answers (`page_size`,
//! `page_count`, `freelist_count`, `journal_mode`, `busy_timeout`, `wal_checkpoint`) and the
//! integrity checks.
//!
//! `integrity_check` runs in two parts, as SQLite's does: the store walks the file (every
//! tree's pages, cell bounds, key order, overflow chains, the freelist, pages used exactly
//! once), then every index is compared with its table: each row's entry must be present and
//! the entry counts must match. `quick_check` is the first part only.

use concur_btree::Value;

use super::Connection;
use crate::ast::{self, Statement as Ast};
use crate::error::Result;
use crate::program::compile;
use crate::schema::Schema;
use crate::storage::{CheckpointMode, KeyInfo, Txn};

/// SQLite stops after this many messages unless told otherwise (`integrity_check(N)`).
const MAX_INTEGRITY_MESSAGES: usize = 100;

impl Connection {
    /// Executes a PRAGMA.
    #[allow(clippy::type_complexity)]
    pub(super) fn pragma(
        &mut self,
        name: &str,
        value: Option<&ast::PragmaValue>,
    ) -> Result<(Vec<String>, Vec<Vec<Value>>)> {
        let lower = name.to_ascii_lowercase();
        let arg = value.map(|v| match v {
            ast::PragmaValue::Name(n) => n.0.clone(),
            ast::PragmaValue::Literal(l) => {
                crate::value::value_to_string(&crate::program::literal_value(l))
            }
        });
        let one = |name: &str, v: Value| Ok((vec![name.to_string()], vec![vec![v]]));
        if lower == "wal_checkpoint" {
            return self.wal_checkpoint(arg.as_deref());
        }
        self.ensure_txn(lower == "user_version" && arg.is_some())?;
        let schema = self.schema.clone();
        let result = match lower.as_str() {
            "table_info" | "table_xinfo" => {
                let t = arg.as_deref().and_then(|a| schema.table(a));
                // A view lists its result columns (declared types are not tracked yet).
                let view = match (&t, arg.as_deref().and_then(|a| schema.view(a))) {
                    (None, Some(view)) if view.columns.is_empty() => {
                        let select = Ast::Select(Box::new(view.select.clone()));
                        compile(&schema, &self.functions, &select)?.columns.to_vec()
                    }
                    (None, Some(view)) => view.columns.clone(),
                    _ => Vec::new(),
                };
                let view_rows = view.into_iter().enumerate().map(|(i, name)| {
                    vec![
                        Value::Integer(i as i64),
                        Value::Text(name.into()),
                        Value::Text(String::new().into()),
                        Value::Integer(0),
                        Value::Null,
                        Value::Integer(0),
                    ]
                });
                let rows = t.map_or(view_rows.collect(), |t| {
                    let pk_order = |i: usize| -> i64 {
                        if t.columns[i].primary_key {
                            1
                        } else {
                            0
                        }
                    };
                    t.columns
                        .iter()
                        .enumerate()
                        .map(|(i, c)| {
                            vec![
                                Value::Integer(i as i64),
                                Value::Text(c.name.clone().into()),
                                Value::Text(c.declared_type.clone().into()),
                                Value::Integer(i64::from(c.not_null)),
                                c.default
                                    .as_ref()
                                    .map_or(Value::Null, |d| Value::Text(d.to_string().into())),
                                Value::Integer(pk_order(i)),
                            ]
                        })
                        .collect()
                });
                Ok((
                    ["cid", "name", "type", "notnull", "dflt_value", "pk"]
                        .iter()
                        .map(|s| s.to_string())
                        .collect(),
                    rows,
                ))
            }
            "index_list" => {
                let t = arg.unwrap_or_default();
                let mut indexes = schema.indexes_of(&t);
                indexes.reverse();
                let rows = indexes
                    .iter()
                    .enumerate()
                    .map(|(i, x)| {
                        let origin = if x.sql.is_some() {
                            "c"
                        } else if x.primary_key {
                            "pk"
                        } else {
                            "u"
                        };
                        vec![
                            Value::Integer(i as i64),
                            Value::Text(x.name.clone().into()),
                            Value::Integer(i64::from(x.unique)),
                            Value::Text(origin.to_string().into()),
                            Value::Integer(i64::from(x.partial.is_some())),
                        ]
                    })
                    .collect();
                Ok((
                    ["seq", "name", "unique", "origin", "partial"]
                        .iter()
                        .map(|s| s.to_string())
                        .collect(),
                    rows,
                ))
            }
            "index_info" => {
                let x = arg
                    .as_deref()
                    .and_then(|a| schema.indexes.get(&a.to_ascii_lowercase()));
                let table = x.and_then(|x| schema.table(&x.table));
                let rows = match (x, table) {
                    (Some(x), Some(t)) => x
                        .columns
                        .iter()
                        .enumerate()
                        .map(|(i, c)| {
                            vec![
                                Value::Integer(i as i64),
                                Value::Integer(c.column.map_or(-2, |c| c as i64)),
                                c.column.map_or(Value::Null, |c| {
                                    Value::Text(t.columns[c].name.clone().into())
                                }),
                            ]
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                Ok((
                    ["seqno", "cid", "name"]
                        .iter()
                        .map(|s| s.to_string())
                        .collect(),
                    rows,
                ))
            }
            "user_version" => match (arg, self.txn.as_deref()) {
                (Some(v), Some(txn)) => {
                    let n = v.trim().parse::<i64>().unwrap_or(0) as i32;
                    txn.set_user_version(n)?;
                    Ok((Vec::new(), Vec::new()))
                }
                (None, Some(txn)) => one(
                    "user_version",
                    Value::Integer(i64::from(txn.user_version()?)),
                ),
                _ => Ok((Vec::new(), Vec::new())),
            },
            "schema_version" => one("schema_version", Value::Integer(i64::from(schema.cookie))),
            "page_size" | "page_count" | "freelist_count" => {
                let info = self
                    .txn
                    .as_deref()
                    .map(|t| t.page_info())
                    .transpose()?
                    .flatten();
                let value = match (lower.as_str(), info) {
                    ("page_size", Some(i)) => i64::from(i.page_size),
                    ("page_count", Some(i)) => i64::from(i.page_count),
                    ("freelist_count", Some(i)) => i64::from(i.freelist_count),
                    // A store without pages (in memory): one page per tree, as if each
                    // were a single leaf.
                    ("page_size", None) => 4096,
                    ("page_count", None) => 1 + schema.rows.len() as i64,
                    _ => 0,
                };
                one(&lower, Value::Integer(value))
            }
            "integrity_check" | "quick_check" => {
                let max = arg
                    .as_deref()
                    .and_then(|a| a.trim().parse::<usize>().ok())
                    .filter(|&n| n > 0)
                    .unwrap_or(MAX_INTEGRITY_MESSAGES);
                let messages = match self.txn.as_deref() {
                    Some(txn) => check_integrity(txn, &schema, lower == "integrity_check", max)?,
                    None => Vec::new(),
                };
                let rows = if messages.is_empty() {
                    vec![vec![Value::Text("ok".to_string().into())]]
                } else {
                    messages
                        .into_iter()
                        .map(|m| vec![Value::Text(m.into())])
                        .collect()
                };
                Ok((vec![lower.clone()], rows))
            }
            "journal_mode" => one(
                "journal_mode",
                Value::Text(self.store.journal_mode().to_string().into()),
            ),
            "synchronous" => match arg.as_deref().map(str::trim) {
                Some(level) => {
                    let level = match level.to_ascii_lowercase().as_str() {
                        "off" => Some(0),
                        "normal" => Some(1),
                        "full" => Some(2),
                        "extra" => Some(3),
                        n => n.parse::<u8>().ok().filter(|&n| n <= 3),
                    };
                    // SQLite ignores a level it does not know.
                    if let Some(level) = level {
                        self.store.set_synchronous(level);
                    }
                    Ok((Vec::new(), Vec::new()))
                }
                None => one(
                    "synchronous",
                    Value::Integer(i64::from(self.store.synchronous())),
                ),
            },
            "busy_timeout" => {
                if let Some(ms) = arg.as_deref().and_then(|a| a.trim().parse::<i64>().ok()) {
                    self.store.set_busy_timeout(ms.max(0) as u64);
                }
                one(
                    "timeout",
                    Value::Integer(i64::try_from(self.store.busy_timeout()).unwrap_or(i64::MAX)),
                )
            }
            "cache_size" => one("cache_size", Value::Integer(-2000)),
            _ => Ok((Vec::new(), Vec::new())),
        };
        self.finish_statement(None, result.as_ref().map(|_| ()).map_err(Clone::clone))?;
        result
    }

    /// `PRAGMA wal_checkpoint[(PASSIVE|FULL|RESTART|TRUNCATE)]`: one row (busy, log,
    /// checkpointed). A connection inside a transaction holds a snapshot, so a checkpoint it
    /// runs may report busy, as in SQLite.
    #[allow(clippy::type_complexity)]
    fn wal_checkpoint(&mut self, arg: Option<&str>) -> Result<(Vec<String>, Vec<Vec<Value>>)> {
        let mode = match arg.map(str::to_ascii_lowercase).as_deref() {
            None | Some("passive") => CheckpointMode::Passive,
            Some("full") => CheckpointMode::Full,
            Some("restart") => CheckpointMode::Restart,
            Some("truncate") => CheckpointMode::Truncate,
            // SQLite treats an unknown mode as PASSIVE.
            Some(_) => CheckpointMode::Passive,
        };
        let report = self.store.checkpoint(mode)?;
        Ok((
            ["busy", "log", "checkpointed"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            vec![vec![
                Value::Integer(i64::from(report.busy)),
                Value::Integer(report.log_frames),
                Value::Integer(report.checkpointed_frames),
            ]],
        ))
    }
}

/// Runs the integrity check over every tree `schema` names; `logical` adds the comparison of
/// each index with its table (integrity_check; quick_check skips it).
fn check_integrity(
    txn: &dyn Txn,
    schema: &Schema,
    logical: bool,
    max: usize,
) -> Result<Vec<String>> {
    let mut trees: Vec<(u32, Option<KeyInfo>)> = vec![(crate::schema::SCHEMA_ROOT, None)];
    for row in schema.rows.iter().filter(|r| r.root > 0) {
        let key = schema
            .indexes
            .get(&row.name.to_ascii_lowercase())
            .filter(|_| row.kind == "index")
            .map(|index| index.key_info());
        trees.push((row.root, key));
    }
    let mut messages = txn.check_integrity(&trees, max)?;
    if logical && messages.is_empty() {
        messages.extend(check_indexes(txn, schema)?);
        messages.truncate(max);
    }
    Ok(messages)
}

/// Compares each full (not partial) index with its table, in SQLite's words: every row's
/// entry must be in each index on plain columns (`row ROWID missing from index NAME`), and each
/// index must hold as many entries as the table has rows (`wrong # of entries in index NAME`).
fn check_indexes(txn: &dyn Txn, schema: &Schema) -> Result<Vec<String>> {
    let mut messages = Vec::new();
    let mut names: Vec<&String> = schema.tables.keys().collect();
    names.sort();
    for name in names {
        let Some(table) = schema.table(name) else {
            continue;
        };
        let indexes: Vec<_> = schema
            .indexes_of(&table.name)
            .into_iter()
            .filter(|x| x.partial.is_none())
            .collect();
        if indexes.is_empty() {
            continue;
        }
        // Indexes whose keys are plain columns can be probed row by row.
        let mut probes = Vec::new();
        for index in &indexes {
            let columns: Option<Vec<usize>> = index.columns.iter().map(|c| c.column).collect();
            if let Some(columns) = columns {
                probes.push((
                    index,
                    columns,
                    txn.index_cursor(index.root, &index.key_info())?,
                ));
            }
        }
        let mut rows = 0u64;
        let mut cursor = txn.table_cursor(table.root)?;
        let mut more = cursor.first()?;
        while more {
            rows += 1;
            let rowid = cursor.rowid()?;
            let row = cursor.row()?;
            for (index, columns, probe) in &mut probes {
                let mut key = Vec::with_capacity(columns.len() + 1);
                for &c in columns.iter() {
                    if table.rowid_alias == Some(c) {
                        key.push(Value::Integer(rowid));
                    } else if let Some(v) = row.get(c) {
                        key.push(v.clone());
                    }
                }
                if key.len() < columns.len() {
                    // A row stored before ADD COLUMN: its key needs the column's default.
                    continue;
                }
                key.push(Value::Integer(rowid));
                let found = probe.seek_ge(&key, true)? && probe.key()? == key.as_slice();
                if !found {
                    messages.push(format!("row {rowid} missing from index {}", index.name));
                }
            }
            more = cursor.next()?;
        }
        for index in indexes {
            let mut entries = 0u64;
            let mut cursor = txn.index_cursor(index.root, &index.key_info())?;
            let mut more = cursor.first()?;
            while more {
                entries += 1;
                more = cursor.next()?;
            }
            if entries != rows {
                messages.push(format!("wrong # of entries in index {}", index.name));
            }
        }
    }
    Ok(messages)
}
