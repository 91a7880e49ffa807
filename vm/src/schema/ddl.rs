//! Executing CREATE and DROP: `sqlite_schema` rows, B-tree roots and the schema cookie.
//!
//! Each DDL statement inserts or deletes its `sqlite_schema` rows through the same [`Txn`]
//! as any write (so statement savepoints and ROLLBACK undo it) and then increments the
//! schema cookie, which makes every connection reload its catalog.

use concur_btree::Value;

use super::{Index, Schema, Table, SCHEMA_ROOT};
use crate::ast::{CreateIndex, CreateTable, CreateTrigger, CreateView, ObjectKind};
use crate::error::{Error, Result};
use crate::lexer::{Lexer, TokenKind};
use crate::parser::Keyword;
use crate::storage::Txn;

/// The text SQLite stores in `sqlite_schema.sql` for a CREATE statement written as `sql`:
/// the words before the object's name become `CREATE TABLE`, `CREATE UNIQUE INDEX`,
/// `CREATE VIEW` or `CREATE TRIGGER` (upper case, single spaces, `TEMP` and `IF NOT EXISTS`
/// dropped) and the text from the name on is kept as written. Text that does not start like
/// a CREATE statement is returned as it is.
pub fn schema_sql(sql: &str) -> String {
    let mut lexer = Lexer::new(sql);
    let keyword = |kind: TokenKind| match kind {
        TokenKind::Keyword(k) => Some(k),
        _ => None,
    };
    if keyword(lexer.next_token().kind) != Some(Keyword::Create) {
        return sql.to_string();
    }
    let mut unique = false;
    let kind = loop {
        match keyword(lexer.next_token().kind) {
            Some(Keyword::Temp | Keyword::Temporary) => {}
            Some(Keyword::Unique) => unique = true,
            Some(Keyword::Table) => break "TABLE",
            Some(Keyword::Index) => break "INDEX",
            Some(Keyword::View) => break "VIEW",
            Some(Keyword::Trigger) => break "TRIGGER",
            _ => return sql.to_string(),
        }
    };
    let mut name = lexer.next_token();
    if keyword(name.kind) == Some(Keyword::If) {
        let mut probe = lexer.clone();
        let not = keyword(probe.next_token().kind);
        let exists = keyword(probe.next_token().kind);
        if not == Some(Keyword::Not) && exists == Some(Keyword::Exists) {
            name = probe.next_token();
            lexer = probe;
        }
    }
    // A schema qualifier (`main.t`) is not stored.
    let mut probe = lexer.clone();
    if probe.next_token().kind == TokenKind::Dot {
        name = probe.next_token();
    }
    let rest = sql.get(name.span.start..).unwrap_or_default();
    let unique = if unique { "UNIQUE " } else { "" };
    format!("CREATE {unique}{kind} {rest}")
}

/// The table that keeps the largest rowid each AUTOINCREMENT table has used.
pub const SEQUENCE_TABLE: &str = "sqlite_sequence";

/// The `sqlite_sequence` row of `table` in the sequence table rooted at `root`: its rowid
/// and the `seq` value, read as an integer (0 when it is not one).
pub fn sequence_row(txn: &dyn Txn, root: u32, table: &str) -> Result<Option<(i64, i64)>> {
    let mut cursor = txn.table_cursor(root)?;
    let mut more = cursor.first()?;
    while more {
        let row = cursor.row()?;
        if matches!(row.first(), Some(Value::Text(name)) if name == table) {
            let seq = match row.get(1) {
                Some(Value::Integer(seq)) => *seq,
                Some(Value::Real(seq)) => *seq as i64,
                _ => 0,
            };
            return Ok(Some((cursor.rowid()?, seq)));
        }
        more = cursor.next()?;
    }
    Ok(None)
}

/// Appends a row to `sqlite_schema`.
fn insert_schema_row(
    txn: &dyn Txn,
    kind: &str,
    name: &str,
    table: &str,
    root: u32,
    sql: Option<&str>,
) -> Result<()> {
    let rowid = txn.max_rowid(SCHEMA_ROOT)? + 1;
    txn.insert_row(
        SCHEMA_ROOT,
        rowid,
        &[
            Value::Text(kind.to_string().into()),
            Value::Text(name.to_string().into()),
            Value::Text(table.to_string().into()),
            Value::Integer(i64::from(root)),
            sql.map_or(Value::Null, |s| Value::Text(s.to_string().into())),
        ],
    )?;
    Ok(())
}

/// Increments the schema cookie.
pub fn bump_cookie(txn: &dyn Txn) -> Result<()> {
    let cookie = txn.schema_cookie()?;
    txn.set_schema_cookie(cookie.wrapping_add(1))?;
    Ok(())
}

/// Rejects names SQLite reserves.
pub(super) fn check_name(name: &str) -> Result<()> {
    if name.len() >= 7 && name[..7].eq_ignore_ascii_case("sqlite_") {
        return Err(Error::msg(format!(
            "object name reserved for internal use: {name}"
        )));
    }
    Ok(())
}

/// `CREATE TABLE` with its column list. Returns false when IF NOT EXISTS skipped it.
pub fn create_table(
    txn: &dyn Txn,
    schema: &Schema,
    create: &CreateTable,
    sql: &str,
) -> Result<bool> {
    let stored = schema_sql(sql);
    let sql = stored.as_str();
    let name = create.name.name.as_str();
    if schema.table(name).is_some() || schema.view(name).is_some() {
        if create.if_not_exists {
            return Ok(false);
        }
        let kind = if schema.view(name).is_some() {
            "view"
        } else {
            "table"
        };
        return Err(Error::msg(format!("{kind} {name} already exists")));
    }
    if schema.indexes.contains_key(&name.to_ascii_lowercase()) {
        return Err(Error::msg(format!(
            "there is already an index named {name}"
        )));
    }
    check_name(name)?;
    let (table, autoindexes) = Table::from_create(create, 0, sql)?;
    let root = txn.create_table()?;
    insert_schema_row(txn, "table", name, name, root, Some(sql))?;
    for index in autoindexes {
        let root = txn.create_index()?;
        insert_schema_row(txn, "index", &index.name, name, root, None)?;
    }
    if table.autoincrement && schema.table(SEQUENCE_TABLE).is_none() {
        // The first AUTOINCREMENT table brings sqlite_sequence, as in SQLite.
        let root = txn.create_table()?;
        let sql = "CREATE TABLE sqlite_sequence(name,seq)";
        insert_schema_row(
            txn,
            "table",
            SEQUENCE_TABLE,
            SEQUENCE_TABLE,
            root,
            Some(sql),
        )?;
    }
    bump_cookie(txn)?;
    Ok(true)
}

/// `CREATE INDEX`, filling the index from the table's rows. A partial or expression
/// index needs `computed`: its key values then the rowid, for each row it holds (the
/// session computes them with a query).
pub fn create_index(
    txn: &dyn Txn,
    schema: &Schema,
    create: &CreateIndex,
    sql: &str,
    computed: Option<&[Vec<Value>]>,
) -> Result<bool> {
    let stored = schema_sql(sql);
    let sql = stored.as_str();
    let name = create.name.name.as_str();
    if schema.indexes.contains_key(&name.to_ascii_lowercase()) {
        if create.if_not_exists {
            return Ok(false);
        }
        return Err(Error::msg(format!("index {name} already exists")));
    }
    if schema.tables.contains_key(&name.to_ascii_lowercase())
        || schema.views.contains_key(&name.to_ascii_lowercase())
    {
        return Err(Error::msg(format!("there is already a table named {name}")));
    }
    check_name(name)?;
    let table_name = create.table.as_str();
    let table = match schema.tables.get(&table_name.to_ascii_lowercase()) {
        Some(t) => t.clone(),
        None if schema.view(table_name).is_some() => {
            return Err(Error::msg("views may not be indexed"))
        }
        None => return Err(Error::msg(format!("no such table: main.{table_name}"))),
    };
    let root = txn.create_index()?;
    let index = Index::from_create(create, &table, root, sql)?;
    match computed {
        Some(entries) => {
            for entry in entries {
                let Some((rowid, key)) = entry.split_last() else {
                    continue;
                };
                insert_entry(txn, &table, &index, key.to_vec(), rowid.clone())?;
            }
        }
        None if index.partial.is_some() || index.columns.iter().any(|c| c.column.is_none()) => {
            return Err(Error::with_code(
                crate::storage::code::INTERNAL,
                "expression index keys were not computed",
            ));
        }
        None => fill_index(txn, &table, &index)?,
    }
    insert_schema_row(txn, "index", name, &table.name, root, Some(sql))?;
    bump_cookie(txn)?;
    Ok(true)
}

/// Inserts an entry for every row of `table` into `index` (plain column keys only).
pub fn fill_index(txn: &dyn Txn, table: &Table, index: &Index) -> Result<()> {
    let mut rows = txn.table_cursor(table.root)?;
    let mut more = rows.first()?;
    let n = index.columns.len();
    while more {
        let rowid = rows.rowid()?;
        let mut key = Vec::with_capacity(n + 1);
        for c in &index.columns {
            let v = match c.column {
                Some(i) if Some(i) == table.rowid_alias => Value::Integer(rowid),
                Some(i) => rows.column(i)?,
                None => Value::Null,
            };
            key.push(v);
        }
        insert_entry(txn, table, index, key, Value::Integer(rowid))?;
        more = rows.next()?;
    }
    Ok(())
}

/// Inserts the entry `key` + `rowid` into `index`, refusing a duplicate key of a UNIQUE
/// index.
fn insert_entry(
    txn: &dyn Txn,
    table: &Table,
    index: &Index,
    mut key: Vec<Value>,
    rowid: Value,
) -> Result<()> {
    let info = index.key_info();
    {
        if index.unique && !key.iter().any(|v| matches!(v, Value::Null)) {
            let mut probe = txn.index_cursor(index.root, &info)?;
            let found = probe.seek_ge(&key, true)?;
            if found && probe.compare_key(&info, &key)? == std::cmp::Ordering::Equal {
                let names: Vec<String> = index
                    .columns
                    .iter()
                    .filter_map(|c| c.column)
                    .map(|i| format!("{}.{}", table.name, table.columns[i].name))
                    .collect();
                // SQLite names an expression index itself.
                let what = if index.columns.iter().any(|c| c.column.is_none()) {
                    format!("index '{}'", index.name)
                } else {
                    names.join(", ")
                };
                return Err(Error::Constraint {
                    code: crate::storage::code::CONSTRAINT_UNIQUE,
                    message: format!("UNIQUE constraint failed: {what}"),
                });
            }
        }
        key.push(rowid);
        txn.insert_index(index.root, &key, &info)?;
    }
    Ok(())
}

/// `CREATE VIEW`.
pub fn create_view(txn: &dyn Txn, schema: &Schema, create: &CreateView, sql: &str) -> Result<bool> {
    let stored = schema_sql(sql);
    let sql = stored.as_str();
    let name = create.name.name.as_str();
    if schema.has_object(name) {
        if create.if_not_exists {
            return Ok(false);
        }
        let kind = if schema.view(name).is_some() {
            "view"
        } else {
            "table"
        };
        return Err(Error::msg(format!("{kind} {name} already exists")));
    }
    check_name(name)?;
    insert_schema_row(txn, "view", name, name, 0, Some(sql))?;
    bump_cookie(txn)?;
    Ok(true)
}

/// `CREATE TRIGGER`.
pub fn create_trigger(
    txn: &dyn Txn,
    schema: &Schema,
    create: &CreateTrigger,
    sql: &str,
) -> Result<bool> {
    let stored = schema_sql(sql);
    let sql = stored.as_str();
    let name = create.name.name.as_str();
    if schema.triggers.contains_key(&name.to_ascii_lowercase()) {
        if create.if_not_exists {
            return Ok(false);
        }
        return Err(Error::msg(format!("trigger {name} already exists")));
    }
    let table = create.table.name.as_str();
    if schema.table(table).is_none() && schema.view(table).is_none() {
        return Err(Error::msg(format!("no such table: main.{table}")));
    }
    check_name(name)?;
    insert_schema_row(txn, "trigger", name, table, 0, Some(sql))?;
    bump_cookie(txn)?;
    Ok(true)
}

/// Deletes the `sqlite_schema` rows matching `keep == false`.
fn delete_schema_rows(
    txn: &dyn Txn,
    schema: &Schema,
    doomed: &dyn Fn(&super::SchemaRow) -> bool,
) -> Result<()> {
    for row in &schema.rows {
        if doomed(row) {
            txn.delete_row(SCHEMA_ROOT, row.rowid)?;
        }
    }
    Ok(())
}

/// `DROP TABLE|INDEX|VIEW|TRIGGER`. Returns false when IF EXISTS skipped it.
pub fn drop(
    txn: &dyn Txn,
    schema: &Schema,
    kind: ObjectKind,
    name: &str,
    if_exists: bool,
) -> Result<bool> {
    let lower = name.to_ascii_lowercase();
    match kind {
        ObjectKind::Table => {
            let Some(table) = schema.tables.get(&lower).cloned() else {
                if if_exists {
                    return Ok(false);
                }
                if lower == "sqlite_schema" || lower == "sqlite_master" {
                    return Err(Error::msg(format!("table {name} may not be dropped")));
                }
                return Err(Error::msg(format!("no such table: {name}")));
            };
            for index in schema.indexes_of(&table.name) {
                txn.drop_tree(index.root)?;
            }
            txn.drop_tree(table.root)?;
            delete_schema_rows(txn, schema, &|r| {
                r.table_name.eq_ignore_ascii_case(&table.name)
            })?;
            if table.autoincrement {
                if let Some(sequence) = schema.table(SEQUENCE_TABLE) {
                    if let Some((rowid, _)) = sequence_row(txn, sequence.root, &table.name)? {
                        txn.delete_row(sequence.root, rowid)?;
                    }
                }
            }
        }
        ObjectKind::Index => {
            let Some(index) = schema.indexes.get(&lower).cloned() else {
                if if_exists {
                    return Ok(false);
                }
                return Err(Error::msg(format!("no such index: {name}")));
            };
            if index.sql.is_none() {
                return Err(Error::msg(
                    "index associated with UNIQUE or PRIMARY KEY constraint cannot be dropped",
                ));
            }
            txn.drop_tree(index.root)?;
            delete_schema_rows(txn, schema, &|r| {
                r.kind == "index" && r.name.eq_ignore_ascii_case(&index.name)
            })?;
        }
        ObjectKind::View => {
            if !schema.views.contains_key(&lower) {
                if if_exists {
                    return Ok(false);
                }
                return Err(Error::msg(format!("no such view: {name}")));
            }
            delete_schema_rows(txn, schema, &|r| {
                (r.kind == "view" && r.name.eq_ignore_ascii_case(name))
                    || (r.kind == "trigger" && r.table_name.eq_ignore_ascii_case(name))
            })?;
        }
        ObjectKind::Trigger => {
            if !schema.triggers.contains_key(&lower) {
                if if_exists {
                    return Ok(false);
                }
                return Err(Error::msg(format!("no such trigger: {name}")));
            }
            delete_schema_rows(txn, schema, &|r| {
                r.kind == "trigger" && r.name.eq_ignore_ascii_case(name)
            })?;
        }
    }
    bump_cookie(txn)?;
    Ok(true)
}

/// Updates the `sqlite_schema` row `row` with new name, table name and SQL.
pub(super) fn rewrite_schema_row(
    txn: &dyn Txn,
    row: &super::SchemaRow,
    name: &str,
    table: &str,
    sql: Option<&str>,
) -> Result<()> {
    txn.insert_row(
        SCHEMA_ROOT,
        row.rowid,
        &[
            Value::Text(row.kind.clone().into()),
            Value::Text(name.to_string().into()),
            Value::Text(table.to_string().into()),
            Value::Integer(i64::from(row.root)),
            sql.map_or(Value::Null, |s| Value::Text(s.to_string().into())),
        ],
    )?;
    Ok(())
}

/// `ALTER TABLE t RENAME TO n`: renames the table, its automatic indexes, and the table
/// named by its indexes and triggers. CREATE texts are reprinted from their syntax trees.
pub fn rename_table(txn: &dyn Txn, schema: &Schema, old: &str, new: &str) -> Result<()> {
    let Some(table) = schema.tables.get(&old.to_ascii_lowercase()).cloned() else {
        return Err(Error::msg(format!("no such table: {old}")));
    };
    if schema.has_object(new) {
        return Err(Error::msg(format!(
            "there is already another table or index with this name: {new}"
        )));
    }
    check_name(new)?;
    for row in &schema.rows {
        if !row.table_name.eq_ignore_ascii_case(&table.name) {
            continue;
        }
        let reparsed = row
            .sql
            .as_deref()
            .map(crate::parser::parse_statement)
            .transpose()?;
        match (row.kind.as_str(), reparsed) {
            ("table", Some(crate::ast::Statement::CreateTable(mut create))) => {
                create.name.name = crate::ast::Name(new.to_string());
                let sql = crate::ast::Statement::CreateTable(create).to_string();
                rewrite_schema_row(txn, row, new, new, Some(&sql))?;
            }
            ("index", Some(crate::ast::Statement::CreateIndex(mut create))) => {
                create.table = crate::ast::Name(new.to_string());
                let sql = crate::ast::Statement::CreateIndex(create).to_string();
                rewrite_schema_row(txn, row, &row.name, new, Some(&sql))?;
            }
            ("index", None) => {
                let suffix = row.name.rsplit('_').next().unwrap_or("1").to_string();
                let name = format!("sqlite_autoindex_{new}_{suffix}");
                rewrite_schema_row(txn, row, &name, new, None)?;
            }
            ("trigger", Some(crate::ast::Statement::CreateTrigger(mut create))) => {
                create.table.name = crate::ast::Name(new.to_string());
                let sql = crate::ast::Statement::CreateTrigger(create).to_string();
                rewrite_schema_row(txn, row, &row.name, new, Some(&sql))?;
            }
            _ => {}
        }
    }
    bump_cookie(txn)
}

/// `ALTER TABLE t ADD COLUMN def`: appends the column to the CREATE text; existing rows
/// get `default` stored (SQLite reads it from the schema instead; the result is the same).
pub fn add_column(
    txn: &dyn Txn,
    schema: &Schema,
    table_name: &str,
    column: &crate::ast::ColumnDef,
    default: &Value,
) -> Result<()> {
    use crate::ast::ColumnConstraint as C;
    let Some(table) = schema.tables.get(&table_name.to_ascii_lowercase()).cloned() else {
        return Err(Error::msg(format!("no such table: {table_name}")));
    };
    if table.column_index(column.name.as_str()).is_some() {
        return Err(Error::msg(format!(
            "duplicate column name: {}",
            column.name.0
        )));
    }
    for c in &column.constraints {
        match &c.constraint {
            C::PrimaryKey { .. } => return Err(Error::msg("Cannot add a PRIMARY KEY column")),
            C::Unique { .. } => return Err(Error::msg("Cannot add a UNIQUE column")),
            C::NotNull { .. } if matches!(default, Value::Null) => {
                return Err(Error::msg(
                    "Cannot add a NOT NULL column with default value NULL",
                ))
            }
            _ => {}
        }
    }
    let Some(row) = schema
        .rows
        .iter()
        .find(|r| r.kind == "table" && r.name.eq_ignore_ascii_case(&table.name))
    else {
        return Err(Error::msg(format!("no such table: {table_name}")));
    };
    let Some(close) = table.sql.rfind(')') else {
        return Err(Error::msg("malformed CREATE TABLE text"));
    };
    let sql = format!("{}, {}{}", &table.sql[..close], column, &table.sql[close..]);
    rewrite_schema_row(txn, row, &table.name, &table.name, Some(&sql))?;
    if !matches!(default, Value::Null) {
        let mut rows = txn.table_cursor(table.root)?;
        let mut more = rows.first()?;
        while more {
            let rowid = rows.rowid()?;
            let mut values = rows.row()?;
            values.resize(table.columns.len(), Value::Null);
            values.push(default.clone());
            txn.insert_row(table.root, rowid, &values)?;
            more = rows.next()?;
        }
    }
    bump_cookie(txn)
}
