//! Executing CREATE and DROP: `sqlite_schema` rows, B-tree roots and the schema cookie.
//!
//! Each DDL statement inserts or deletes its `sqlite_schema` rows through the same [`Txn`]
//! as any write (so statement savepoints and ROLLBACK undo it) and then increments the
//! schema cookie, which makes every connection reload its catalog.

use concur_btree::Value;

use super::{Index, Schema, Table, SCHEMA_ROOT};
use crate::ast::{CreateIndex, CreateTable, CreateTrigger, CreateView, Expr, ObjectKind};
use crate::error::{Error, Result};
use crate::lexer::TokenKind;
use crate::storage::{code, KeyInfo, Txn};

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
            Value::Text(kind.to_string()),
            Value::Text(name.to_string()),
            Value::Text(table.to_string()),
            Value::Integer(i64::from(root)),
            sql.map_or(Value::Null, |s| Value::Text(s.to_string())),
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
fn check_name(name: &str) -> Result<()> {
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
    let (_, autoindexes) = Table::from_create(create, 0, sql)?;
    let root = txn.create_table()?;
    insert_schema_row(
        txn,
        "table",
        name,
        name,
        root,
        Some(&stored_sql(sql, "TABLE")),
    )?;
    for index in autoindexes {
        let root = txn.create_index()?;
        insert_schema_row(txn, "index", &index.name, name, root, None)?;
    }
    bump_cookie(txn)?;
    Ok(true)
}

/// The CREATE text SQLite stores in `sqlite_schema`: `CREATE <kind> ` and then the statement
/// from the object's name on, as `sqlite3EndTable` and `sqlite3CreateIndex` rebuild it. So
/// `IF NOT EXISTS`, `TEMP` and a `main.` qualifier are dropped, and the spacing and case of
/// the leading keywords are SQLite's.
fn stored_sql(sql: &str, kind: &str) -> String {
    let word = kind.rsplit(' ').next().unwrap_or(kind);
    let mut lexer = crate::lexer::Lexer::new(sql);
    let text = |t: &crate::lexer::Token| sql.get(t.span.start..t.span.end).unwrap_or("");
    // Up to the kind keyword.
    loop {
        let t = lexer.next_token();
        if t.kind == TokenKind::Eof {
            return sql.to_string();
        }
        if text(&t).eq_ignore_ascii_case(word) {
            break;
        }
    }
    let mut name = lexer.next_token();
    if text(&name).eq_ignore_ascii_case("IF") {
        lexer.next_token();
        lexer.next_token();
        name = lexer.next_token();
    }
    let mut after = lexer.clone();
    if after.next_token().kind == TokenKind::Dot {
        name = after.next_token();
    }
    match sql.get(name.span.start..) {
        Some(rest) if name.kind != TokenKind::Eof => format!("CREATE {kind} {rest}"),
        _ => sql.to_string(),
    }
}

/// `CREATE INDEX`, filling the index from the table's rows.
///
/// A partial or expression index needs expressions evaluated over every row, which this
/// module cannot do: the caller runs `SELECT keys..., rowid FROM table WHERE partial` (see
/// [`index_fill_query`]) and passes its rows as `computed`.
pub fn create_index(
    txn: &dyn Txn,
    schema: &Schema,
    create: &CreateIndex,
    sql: &str,
    computed: Option<&[Vec<Value>]>,
) -> Result<bool> {
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
    let computed_needed =
        index.partial.is_some() || index.columns.iter().any(|c| c.column.is_none());
    match computed {
        Some(rows) => {
            let info = index.key_info();
            let n = index.columns.len();
            for row in rows {
                let (Some(Value::Integer(rowid)), Some(key)) = (row.get(n), row.get(..n)) else {
                    return Err(Error::with_code(code::INTERNAL, "index fill row"));
                };
                add_index_entry(txn, &table, &index, &info, key.to_vec(), *rowid)?;
            }
        }
        None if computed_needed => {
            return Err(Error::with_code(
                code::INTERNAL,
                "index keys were not computed",
            ));
        }
        None => fill_index(txn, &table, &index)?,
    }
    let kind = if create.unique {
        "UNIQUE INDEX"
    } else {
        "INDEX"
    };
    insert_schema_row(
        txn,
        "index",
        name,
        &table.name,
        root,
        Some(&stored_sql(sql, kind)),
    )?;
    bump_cookie(txn)?;
    Ok(true)
}

/// The query whose rows are the entries of the partial or expression index `create` (key
/// values, then the rowid), or None for an index of plain columns over every row.
pub fn index_fill_query(create: &CreateIndex) -> Option<String> {
    let plain = create
        .columns
        .iter()
        .all(|c| matches!(strip_collate(&c.expr), Expr::Column { .. }));
    if plain && create.where_clause.is_none() {
        return None;
    }
    let keys: Vec<String> = create.columns.iter().map(|c| c.expr.to_string()).collect();
    let mut sql = format!(
        "SELECT {}, rowid FROM \"{}\"",
        keys.join(", "),
        create.table.as_str().replace('"', "\"\"")
    );
    if let Some(w) = &create.where_clause {
        sql.push_str(&format!(" WHERE {w}"));
    }
    Some(sql)
}

/// `e` without COLLATE wrappers.
fn strip_collate(e: &Expr) -> &Expr {
    match e {
        Expr::Collate { expr, .. } => strip_collate(expr),
        other => other,
    }
}

/// Inserts an entry for every row of `table` into `index` (plain column keys only).
pub fn fill_index(txn: &dyn Txn, table: &Table, index: &Index) -> Result<()> {
    let info = index.key_info();
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
        add_index_entry(txn, table, index, &info, key, rowid)?;
        more = rows.next()?;
    }
    Ok(())
}

/// Adds `key` (without the rowid) pointing at `rowid` to `index`, failing on a duplicate of
/// a UNIQUE index.
fn add_index_entry(
    txn: &dyn Txn,
    table: &Table,
    index: &Index,
    info: &KeyInfo,
    mut key: Vec<Value>,
    rowid: i64,
) -> Result<()> {
    let n = key.len();
    if index.unique && !key.iter().any(|v| matches!(v, Value::Null)) {
        let mut probe = txn.index_cursor(index.root, info)?;
        if probe.seek_ge(&key, true)?
            && info.compare_prefix(&probe.key()?[..n.min(probe.key()?.len())], &key)
                == std::cmp::Ordering::Equal
        {
            let names: Vec<String> = index
                .columns
                .iter()
                .map(|c| match c.column {
                    Some(i) => format!("{}.{}", table.name, table.columns[i].name),
                    None => format!("index '{}'", index.name),
                })
                .collect();
            return Err(Error::Constraint {
                code: crate::storage::code::CONSTRAINT_UNIQUE,
                message: format!("UNIQUE constraint failed: {}", names.join(", ")),
            });
        }
    }
    key.push(Value::Integer(rowid));
    txn.insert_index(index.root, &key, info)?;
    Ok(())
}

/// `CREATE VIEW`.
pub fn create_view(txn: &dyn Txn, schema: &Schema, create: &CreateView, sql: &str) -> Result<bool> {
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
    insert_schema_row(txn, "view", name, name, 0, Some(&stored_sql(sql, "VIEW")))?;
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
    insert_schema_row(
        txn,
        "trigger",
        name,
        table,
        0,
        Some(&stored_sql(sql, "TRIGGER")),
    )?;
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
fn rewrite_schema_row(
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
            Value::Text(row.kind.clone()),
            Value::Text(name.to_string()),
            Value::Text(table.to_string()),
            Value::Integer(i64::from(row.root)),
            sql.map_or(Value::Null, |s| Value::Text(s.to_string())),
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
