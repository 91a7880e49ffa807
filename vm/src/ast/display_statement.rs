//! Printing statements back as SQL (expressions are in `display.rs`).

use std::fmt::{self, Display, Formatter, Write};

use super::*;

/// Writes `items` separated by `, `.
fn comma<T: Display>(f: &mut Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

/// Writes ` AS alias` when there is one.
fn alias(f: &mut Formatter<'_>, alias: &Option<Name>) -> fmt::Result {
    match alias {
        Some(a) => write!(f, " AS {a}"),
        None => Ok(()),
    }
}

impl Display for SortOrder {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SortOrder::Asc => "ASC",
            SortOrder::Desc => "DESC",
        })
    }
}

impl Display for OrderingTerm {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)?;
        if let Some(order) = self.order {
            write!(f, " {order}")?;
        }
        match self.nulls {
            Some(NullsOrder::First) => f.write_str(" NULLS FIRST"),
            Some(NullsOrder::Last) => f.write_str(" NULLS LAST"),
            None => Ok(()),
        }
    }
}

impl Display for IndexedColumn {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)?;
        if let Some(order) = self.order {
            write!(f, " {order}")?;
        }
        Ok(())
    }
}

impl Display for ResultColumn {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ResultColumn::Star => f.write_char('*'),
            ResultColumn::TableStar(t) => write!(f, "{t}.*"),
            ResultColumn::Expr { expr, alias: a, .. } => {
                write!(f, "{expr}")?;
                alias(f, a)
            }
        }
    }
}

impl Display for With {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("WITH ")?;
        if self.recursive {
            f.write_str("RECURSIVE ")?;
        }
        for (i, cte) in self.ctes.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", cte.name)?;
            if !cte.columns.is_empty() {
                f.write_char('(')?;
                comma(f, &cte.columns)?;
                f.write_char(')')?;
            }
            f.write_str(" AS ")?;
            match cte.materialized {
                Some(true) => f.write_str("MATERIALIZED ")?,
                Some(false) => f.write_str("NOT MATERIALIZED ")?,
                None => {}
            }
            write!(f, "({})", cte.select)?;
        }
        Ok(())
    }
}

impl Display for SelectCore {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            SelectCore::Values(rows) => {
                f.write_str("VALUES ")?;
                for (i, row) in rows.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_char('(')?;
                    comma(f, row)?;
                    f.write_char(')')?;
                }
                Ok(())
            }
            SelectCore::Select(core) => {
                f.write_str("SELECT ")?;
                if core.distinct {
                    f.write_str("DISTINCT ")?;
                }
                comma(f, &core.columns)?;
                if let Some(from) = &core.from {
                    write!(f, " FROM {from}")?;
                }
                if let Some(w) = &core.where_clause {
                    write!(f, " WHERE {w}")?;
                }
                if !core.group_by.is_empty() {
                    f.write_str(" GROUP BY ")?;
                    comma(f, &core.group_by)?;
                }
                if let Some(h) = &core.having {
                    write!(f, " HAVING {h}")?;
                }
                for (i, (name, def)) in core.windows.iter().enumerate() {
                    f.write_str(if i == 0 { " WINDOW " } else { ", " })?;
                    write!(f, "{name} AS ({def})")?;
                }
                Ok(())
            }
        }
    }
}

impl Display for Select {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(with) = &self.with {
            write!(f, "{with} ")?;
        }
        write!(f, "{}", self.first)?;
        for (op, core) in &self.compounds {
            let op = match op {
                CompoundOp::Union => "UNION",
                CompoundOp::UnionAll => "UNION ALL",
                CompoundOp::Intersect => "INTERSECT",
                CompoundOp::Except => "EXCEPT",
            };
            write!(f, " {op} {core}")?;
        }
        if !self.order_by.is_empty() {
            f.write_str(" ORDER BY ")?;
            comma(f, &self.order_by)?;
        }
        if let Some(limit) = &self.limit {
            write!(f, " LIMIT {}", limit.count)?;
            if let Some(offset) = &limit.offset {
                write!(f, " OFFSET {offset}")?;
            }
        }
        Ok(())
    }
}

impl Display for FromClause {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first)?;
        for join in &self.joins {
            let op = match join.operator {
                JoinOperator::Comma => ",",
                JoinOperator::Inner { natural: false } => " JOIN",
                JoinOperator::Inner { natural: true } => " NATURAL JOIN",
                JoinOperator::Cross => " CROSS JOIN",
                JoinOperator::Left { natural: false } => " LEFT JOIN",
                JoinOperator::Left { natural: true } => " NATURAL LEFT JOIN",
                JoinOperator::Right { natural: false } => " RIGHT JOIN",
                JoinOperator::Right { natural: true } => " NATURAL RIGHT JOIN",
                JoinOperator::Full { natural: false } => " FULL JOIN",
                JoinOperator::Full { natural: true } => " NATURAL FULL JOIN",
            };
            write!(f, "{op} {}", join.table)?;
            match &join.constraint {
                Some(JoinConstraint::On(e)) => write!(f, " ON {e}")?,
                Some(JoinConstraint::Using(names)) => {
                    f.write_str(" USING (")?;
                    comma(f, names)?;
                    f.write_char(')')?;
                }
                None => {}
            }
        }
        Ok(())
    }
}

impl Display for TableOrSubquery {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            TableOrSubquery::Table {
                name,
                alias: a,
                indexed,
            } => {
                write!(f, "{name}")?;
                alias(f, a)?;
                match indexed {
                    Some(Indexed::By(index)) => write!(f, " INDEXED BY {index}"),
                    Some(Indexed::NotIndexed) => f.write_str(" NOT INDEXED"),
                    None => Ok(()),
                }
            }
            TableOrSubquery::Function {
                name,
                args,
                alias: a,
            } => {
                write!(f, "{name}(")?;
                comma(f, args)?;
                f.write_char(')')?;
                alias(f, a)
            }
            TableOrSubquery::Subquery { select, alias: a } => {
                write!(f, "({select})")?;
                alias(f, a)
            }
            TableOrSubquery::Nested { from, alias: a } => {
                write!(f, "({from})")?;
                alias(f, a)
            }
        }
    }
}

impl Display for ConflictResolution {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConflictResolution::Rollback => "ROLLBACK",
            ConflictResolution::Abort => "ABORT",
            ConflictResolution::Fail => "FAIL",
            ConflictResolution::Ignore => "IGNORE",
            ConflictResolution::Replace => "REPLACE",
        })
    }
}

impl Display for SetClause {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.columns.len() == 1 {
            comma(f, &self.columns)?;
        } else {
            f.write_char('(')?;
            comma(f, &self.columns)?;
            f.write_char(')')?;
        }
        write!(f, " = {}", self.value)
    }
}

/// Writes ` RETURNING cols` when there are any.
fn returning(f: &mut Formatter<'_>, columns: &[ResultColumn]) -> fmt::Result {
    if columns.is_empty() {
        return Ok(());
    }
    f.write_str(" RETURNING ")?;
    comma(f, columns)
}

impl Display for Insert {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(with) = &self.with {
            write!(f, "{with} ")?;
        }
        f.write_str("INSERT ")?;
        if let Some(c) = self.or_conflict {
            write!(f, "OR {c} ")?;
        }
        write!(f, "INTO {}", self.table)?;
        alias(f, &self.alias)?;
        if !self.columns.is_empty() {
            f.write_char('(')?;
            comma(f, &self.columns)?;
            f.write_char(')')?;
        }
        match &self.source {
            InsertSource::DefaultValues => f.write_str(" DEFAULT VALUES")?,
            InsertSource::Select(select) => write!(f, " {select}")?,
        }
        for upsert in &self.upsert {
            f.write_str(" ON CONFLICT")?;
            if !upsert.target.is_empty() {
                f.write_str(" (")?;
                comma(f, &upsert.target)?;
                f.write_char(')')?;
                if let Some(w) = &upsert.target_where {
                    write!(f, " WHERE {w}")?;
                }
            }
            match &upsert.action {
                UpsertAction::Nothing => f.write_str(" DO NOTHING")?,
                UpsertAction::Update { sets, where_clause } => {
                    f.write_str(" DO UPDATE SET ")?;
                    comma(f, sets)?;
                    if let Some(w) = where_clause {
                        write!(f, " WHERE {w}")?;
                    }
                }
            }
        }
        returning(f, &self.returning)
    }
}

/// Writes the index hint of UPDATE/DELETE.
fn indexed(f: &mut Formatter<'_>, indexed: &Option<Indexed>) -> fmt::Result {
    match indexed {
        Some(Indexed::By(index)) => write!(f, " INDEXED BY {index}"),
        Some(Indexed::NotIndexed) => f.write_str(" NOT INDEXED"),
        None => Ok(()),
    }
}

impl Display for Update {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(with) = &self.with {
            write!(f, "{with} ")?;
        }
        f.write_str("UPDATE ")?;
        if let Some(c) = self.or_conflict {
            write!(f, "OR {c} ")?;
        }
        write!(f, "{}", self.table)?;
        alias(f, &self.alias)?;
        indexed(f, &self.indexed)?;
        f.write_str(" SET ")?;
        comma(f, &self.sets)?;
        if let Some(from) = &self.from {
            write!(f, " FROM {from}")?;
        }
        if let Some(w) = &self.where_clause {
            write!(f, " WHERE {w}")?;
        }
        returning(f, &self.returning)
    }
}

impl Display for Delete {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(with) = &self.with {
            write!(f, "{with} ")?;
        }
        write!(f, "DELETE FROM {}", self.table)?;
        alias(f, &self.alias)?;
        indexed(f, &self.indexed)?;
        if let Some(w) = &self.where_clause {
            write!(f, " WHERE {w}")?;
        }
        returning(f, &self.returning)
    }
}

/// Writes ` ON CONFLICT x` when there is one.
fn conflict(f: &mut Formatter<'_>, c: &Option<ConflictResolution>) -> fmt::Result {
    match c {
        Some(c) => write!(f, " ON CONFLICT {c}"),
        None => Ok(()),
    }
}

impl Display for ForeignKeyClause {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "REFERENCES {}", self.table)?;
        if !self.columns.is_empty() {
            f.write_char('(')?;
            comma(f, &self.columns)?;
            f.write_char(')')?;
        }
        let action = |a: ForeignKeyAction| match a {
            ForeignKeyAction::SetNull => "SET NULL",
            ForeignKeyAction::SetDefault => "SET DEFAULT",
            ForeignKeyAction::Cascade => "CASCADE",
            ForeignKeyAction::Restrict => "RESTRICT",
            ForeignKeyAction::NoAction => "NO ACTION",
        };
        if let Some(a) = self.on_delete {
            write!(f, " ON DELETE {}", action(a))?;
        }
        if let Some(a) = self.on_update {
            write!(f, " ON UPDATE {}", action(a))?;
        }
        if let Some(m) = &self.match_name {
            write!(f, " MATCH {m}")?;
        }
        if self.deferred {
            f.write_str(" DEFERRABLE INITIALLY DEFERRED")?;
        }
        Ok(())
    }
}

/// Whether `expr` can follow `DEFAULT` without parentheses.
fn plain_default(expr: &Expr) -> bool {
    match expr {
        Expr::Literal(Literal::Integer(v)) => *v >= 0 || *v == i64::MIN,
        Expr::Literal(Literal::Real(v)) => *v >= 0.0,
        Expr::Literal(_) => true,
        Expr::Unary {
            op: UnaryOp::Negate | UnaryOp::Plus,
            operand,
        } => {
            matches!(
                **operand,
                Expr::Literal(Literal::Integer(v)) if v >= 0
            ) || matches!(**operand, Expr::Literal(Literal::Real(v)) if v >= 0.0)
        }
        _ => false,
    }
}

impl Display for ColumnConstraint {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ColumnConstraint::PrimaryKey {
                order,
                conflict: c,
                autoincrement,
            } => {
                f.write_str("PRIMARY KEY")?;
                if let Some(o) = order {
                    write!(f, " {o}")?;
                }
                conflict(f, c)?;
                if *autoincrement {
                    f.write_str(" AUTOINCREMENT")?;
                }
                Ok(())
            }
            ColumnConstraint::NotNull { conflict: c } => {
                f.write_str("NOT NULL")?;
                conflict(f, c)
            }
            ColumnConstraint::Null => f.write_str("NULL"),
            ColumnConstraint::Unique { conflict: c } => {
                f.write_str("UNIQUE")?;
                conflict(f, c)
            }
            ColumnConstraint::Check(e) => write!(f, "CHECK ({e})"),
            ColumnConstraint::Default(e) if plain_default(e) => write!(f, "DEFAULT {e}"),
            ColumnConstraint::Default(e) => write!(f, "DEFAULT ({e})"),
            ColumnConstraint::Collate(c) => write!(f, "COLLATE {c}"),
            ColumnConstraint::References(fk) => write!(f, "{fk}"),
            ColumnConstraint::Generated { expr, stored } => {
                write!(f, "GENERATED ALWAYS AS ({expr})")?;
                if *stored {
                    f.write_str(" STORED")?;
                }
                Ok(())
            }
        }
    }
}

impl Display for ColumnDef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        if let Some(t) = &self.type_name {
            write!(f, " {t}")?;
        }
        for c in &self.constraints {
            if let Some(name) = &c.name {
                write!(f, " CONSTRAINT {name}")?;
            }
            write!(f, " {}", c.constraint)?;
        }
        Ok(())
    }
}

impl Display for NamedTableConstraint {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.name {
            write!(f, "CONSTRAINT {name} ")?;
        }
        match &self.constraint {
            TableConstraint::PrimaryKey {
                columns,
                autoincrement,
                conflict: c,
            } => {
                f.write_str("PRIMARY KEY (")?;
                comma(f, columns)?;
                if *autoincrement {
                    f.write_str(" AUTOINCREMENT")?;
                }
                f.write_char(')')?;
                conflict(f, c)
            }
            TableConstraint::Unique {
                columns,
                conflict: c,
            } => {
                f.write_str("UNIQUE (")?;
                comma(f, columns)?;
                f.write_char(')')?;
                conflict(f, c)
            }
            TableConstraint::Check(e) => write!(f, "CHECK ({e})"),
            TableConstraint::ForeignKey { columns, clause } => {
                f.write_str("FOREIGN KEY (")?;
                comma(f, columns)?;
                write!(f, ") {clause}")
            }
        }
    }
}

/// `TEMP ` when `temporary`.
fn temp(temporary: bool) -> &'static str {
    if temporary {
        "TEMP "
    } else {
        ""
    }
}

/// `IF NOT EXISTS ` when set.
fn if_not_exists(set: bool) -> &'static str {
    if set {
        "IF NOT EXISTS "
    } else {
        ""
    }
}

impl Display for CreateTable {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CREATE {}TABLE {}{}",
            temp(self.temporary),
            if_not_exists(self.if_not_exists),
            self.name
        )?;
        match &self.body {
            CreateTableBody::AsSelect(select) => write!(f, " AS {select}"),
            CreateTableBody::Columns {
                columns,
                constraints,
                without_rowid,
                strict,
            } => {
                f.write_str(" (")?;
                comma(f, columns)?;
                for c in constraints {
                    write!(f, ", {c}")?;
                }
                f.write_char(')')?;
                match (without_rowid, strict) {
                    (true, true) => f.write_str(" WITHOUT ROWID, STRICT"),
                    (true, false) => f.write_str(" WITHOUT ROWID"),
                    (false, true) => f.write_str(" STRICT"),
                    (false, false) => Ok(()),
                }
            }
        }
    }
}

impl Display for CreateTrigger {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CREATE {}TRIGGER {}{}",
            temp(self.temporary),
            if_not_exists(self.if_not_exists),
            self.name
        )?;
        match self.time {
            Some(TriggerTime::Before) => f.write_str(" BEFORE")?,
            Some(TriggerTime::After) => f.write_str(" AFTER")?,
            Some(TriggerTime::InsteadOf) => f.write_str(" INSTEAD OF")?,
            None => {}
        }
        match &self.event {
            TriggerEvent::Delete => f.write_str(" DELETE")?,
            TriggerEvent::Insert => f.write_str(" INSERT")?,
            TriggerEvent::Update(columns) => {
                f.write_str(" UPDATE")?;
                if !columns.is_empty() {
                    f.write_str(" OF ")?;
                    comma(f, columns)?;
                }
            }
        }
        write!(f, " ON {}", self.table)?;
        if self.for_each_row {
            f.write_str(" FOR EACH ROW")?;
        }
        if let Some(w) = &self.when {
            write!(f, " WHEN {w}")?;
        }
        f.write_str(" BEGIN")?;
        for s in &self.body {
            write!(f, " {s};")?;
        }
        f.write_str(" END")
    }
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Statement::Select(s) => write!(f, "{s}"),
            Statement::Insert(s) => write!(f, "{s}"),
            Statement::Update(s) => write!(f, "{s}"),
            Statement::Delete(s) => write!(f, "{s}"),
            Statement::CreateTable(s) => write!(f, "{s}"),
            Statement::CreateIndex(s) => {
                write!(
                    f,
                    "CREATE {}INDEX {}{} ON {} (",
                    if s.unique { "UNIQUE " } else { "" },
                    if_not_exists(s.if_not_exists),
                    s.name,
                    s.table
                )?;
                comma(f, &s.columns)?;
                f.write_char(')')?;
                if let Some(w) = &s.where_clause {
                    write!(f, " WHERE {w}")?;
                }
                Ok(())
            }
            Statement::CreateView(s) => {
                write!(
                    f,
                    "CREATE {}VIEW {}{}",
                    temp(s.temporary),
                    if_not_exists(s.if_not_exists),
                    s.name
                )?;
                if !s.columns.is_empty() {
                    f.write_char('(')?;
                    comma(f, &s.columns)?;
                    f.write_char(')')?;
                }
                write!(f, " AS {}", s.select)
            }
            Statement::CreateTrigger(s) => write!(f, "{s}"),
            Statement::CreateVirtualTable {
                if_not_exists: ine,
                name,
                module,
                args,
            } => {
                write!(
                    f,
                    "CREATE VIRTUAL TABLE {}{name} USING {module}",
                    if_not_exists(*ine)
                )?;
                if !args.is_empty() {
                    write!(f, "({})", args.join(", "))?;
                }
                Ok(())
            }
            Statement::Drop {
                kind,
                if_exists,
                name,
            } => {
                let kind = match kind {
                    ObjectKind::Table => "TABLE",
                    ObjectKind::Index => "INDEX",
                    ObjectKind::View => "VIEW",
                    ObjectKind::Trigger => "TRIGGER",
                };
                let ie = if *if_exists { "IF EXISTS " } else { "" };
                write!(f, "DROP {kind} {ie}{name}")
            }
            Statement::AlterTable { table, action } => {
                write!(f, "ALTER TABLE {table} ")?;
                match &**action {
                    AlterTableAction::RenameTable(n) => write!(f, "RENAME TO {n}"),
                    AlterTableAction::RenameColumn { old, new } => {
                        write!(f, "RENAME COLUMN {old} TO {new}")
                    }
                    AlterTableAction::AddColumn(def) => write!(f, "ADD COLUMN {def}"),
                    AlterTableAction::DropColumn(n) => write!(f, "DROP COLUMN {n}"),
                }
            }
            Statement::Reindex(name) | Statement::Analyze(name) => {
                f.write_str(if matches!(self, Statement::Reindex(_)) {
                    "REINDEX"
                } else {
                    "ANALYZE"
                })?;
                if let Some(n) = name {
                    write!(f, " {n}")?;
                }
                Ok(())
            }
            Statement::Vacuum { schema, into } => {
                f.write_str("VACUUM")?;
                if let Some(s) = schema {
                    write!(f, " {s}")?;
                }
                if let Some(i) = into {
                    write!(f, " INTO {i}")?;
                }
                Ok(())
            }
            Statement::Attach { file, schema, key } => {
                write!(f, "ATTACH DATABASE {file} AS {schema}")?;
                if let Some(k) = key {
                    write!(f, " KEY {k}")?;
                }
                Ok(())
            }
            Statement::Detach(schema) => write!(f, "DETACH DATABASE {schema}"),
            Statement::Begin(mode) => f.write_str(match mode {
                TransactionMode::Deferred => "BEGIN",
                TransactionMode::Immediate => "BEGIN IMMEDIATE",
                TransactionMode::Exclusive => "BEGIN EXCLUSIVE",
                TransactionMode::Concurrent => "BEGIN CONCURRENT",
            }),
            Statement::Commit => f.write_str("COMMIT"),
            Statement::Rollback { savepoint } => {
                f.write_str("ROLLBACK")?;
                if let Some(s) = savepoint {
                    write!(f, " TO SAVEPOINT {s}")?;
                }
                Ok(())
            }
            Statement::Savepoint(n) => write!(f, "SAVEPOINT {n}"),
            Statement::Release(n) => write!(f, "RELEASE SAVEPOINT {n}"),
            Statement::Pragma { name, value } => {
                write!(f, "PRAGMA {name}")?;
                match value {
                    Some(PragmaValue::Name(n)) => write!(f, " = {n}"),
                    Some(PragmaValue::Literal(l)) => match l {
                        Literal::Integer(v) => write!(f, " = {v}"),
                        Literal::Real(v) => write!(f, " = {v:?}"),
                        other => write!(f, " = {other}"),
                    },
                    None => Ok(()),
                }
            }
            Statement::Explain {
                query_plan,
                statement,
            } => {
                f.write_str(if *query_plan {
                    "EXPLAIN QUERY PLAN "
                } else {
                    "EXPLAIN "
                })?;
                write!(f, "{statement}")
            }
        }
    }
}
