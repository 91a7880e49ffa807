//! SQLite's keywords, and which of them may also serve as identifiers.
//!
//! SQLite 3.40 knows 147 keywords. Its grammar declares most of them `%fallback ID`: where the
//! keyword cannot start or continue a rule, the parser reads it as an identifier, which is why
//! a column may be named `key`, `value`, `replace` or `action`. [`Keyword::is_fallback_id`] is
//! that list (plus `WINDOW`, `OVER` and `FILTER`, which SQLite's tokenizer demotes to
//! identifiers by context). The join words (`LEFT`, `NATURAL`, ...) are not in it but may name
//! things in `nm` positions; the parser handles those.

/// One of SQLite's keywords.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Keyword {
    /// `ABORT`
    Abort,
    /// `ACTION`
    Action,
    /// `ADD`
    Add,
    /// `AFTER`
    After,
    /// `ALL`
    All,
    /// `ALTER`
    Alter,
    /// `ALWAYS`
    Always,
    /// `ANALYZE`
    Analyze,
    /// `AND`
    And,
    /// `AS`
    As,
    /// `ASC`
    Asc,
    /// `ATTACH`
    Attach,
    /// `AUTOINCREMENT`
    Autoincrement,
    /// `BEFORE`
    Before,
    /// `BEGIN`
    Begin,
    /// `BETWEEN`
    Between,
    /// `BY`
    By,
    /// `CASCADE`
    Cascade,
    /// `CASE`
    Case,
    /// `CAST`
    Cast,
    /// `CHECK`
    Check,
    /// `COLLATE`
    Collate,
    /// `COLUMN`
    Column,
    /// `COMMIT`
    Commit,
    /// `CONFLICT`
    Conflict,
    /// `CONSTRAINT`
    Constraint,
    /// `CREATE`
    Create,
    /// `CROSS`
    Cross,
    /// `CURRENT`
    Current,
    /// `CURRENT_DATE`
    CurrentDate,
    /// `CURRENT_TIME`
    CurrentTime,
    /// `CURRENT_TIMESTAMP`
    CurrentTimestamp,
    /// `DATABASE`
    Database,
    /// `DEFAULT`
    Default,
    /// `DEFERRABLE`
    Deferrable,
    /// `DEFERRED`
    Deferred,
    /// `DELETE`
    Delete,
    /// `DESC`
    Desc,
    /// `DETACH`
    Detach,
    /// `DISTINCT`
    Distinct,
    /// `DO`
    Do,
    /// `DROP`
    Drop,
    /// `EACH`
    Each,
    /// `ELSE`
    Else,
    /// `END`
    End,
    /// `ESCAPE`
    Escape,
    /// `EXCEPT`
    Except,
    /// `EXCLUDE`
    Exclude,
    /// `EXCLUSIVE`
    Exclusive,
    /// `EXISTS`
    Exists,
    /// `EXPLAIN`
    Explain,
    /// `FAIL`
    Fail,
    /// `FILTER`
    Filter,
    /// `FIRST`
    First,
    /// `FOLLOWING`
    Following,
    /// `FOR`
    For,
    /// `FOREIGN`
    Foreign,
    /// `FROM`
    From,
    /// `FULL`
    Full,
    /// `GENERATED`
    Generated,
    /// `GLOB`
    Glob,
    /// `GROUP`
    Group,
    /// `GROUPS`
    Groups,
    /// `HAVING`
    Having,
    /// `IF`
    If,
    /// `IGNORE`
    Ignore,
    /// `IMMEDIATE`
    Immediate,
    /// `IN`
    In,
    /// `INDEX`
    Index,
    /// `INDEXED`
    Indexed,
    /// `INITIALLY`
    Initially,
    /// `INNER`
    Inner,
    /// `INSERT`
    Insert,
    /// `INSTEAD`
    Instead,
    /// `INTERSECT`
    Intersect,
    /// `INTO`
    Into,
    /// `IS`
    Is,
    /// `ISNULL`
    Isnull,
    /// `JOIN`
    Join,
    /// `KEY`
    Key,
    /// `LAST`
    Last,
    /// `LEFT`
    Left,
    /// `LIKE`
    Like,
    /// `LIMIT`
    Limit,
    /// `MATCH`
    Match,
    /// `MATERIALIZED`
    Materialized,
    /// `NATURAL`
    Natural,
    /// `NO`
    No,
    /// `NOT`
    Not,
    /// `NOTHING`
    Nothing,
    /// `NOTNULL`
    Notnull,
    /// `NULL`
    Null,
    /// `NULLS`
    Nulls,
    /// `OF`
    Of,
    /// `OFFSET`
    Offset,
    /// `ON`
    On,
    /// `OR`
    Or,
    /// `ORDER`
    Order,
    /// `OTHERS`
    Others,
    /// `OUTER`
    Outer,
    /// `OVER`
    Over,
    /// `PARTITION`
    Partition,
    /// `PLAN`
    Plan,
    /// `PRAGMA`
    Pragma,
    /// `PRECEDING`
    Preceding,
    /// `PRIMARY`
    Primary,
    /// `QUERY`
    Query,
    /// `RAISE`
    Raise,
    /// `RANGE`
    Range,
    /// `RECURSIVE`
    Recursive,
    /// `REFERENCES`
    References,
    /// `REGEXP`
    Regexp,
    /// `REINDEX`
    Reindex,
    /// `RELEASE`
    Release,
    /// `RENAME`
    Rename,
    /// `REPLACE`
    Replace,
    /// `RESTRICT`
    Restrict,
    /// `RETURNING`
    Returning,
    /// `RIGHT`
    Right,
    /// `ROLLBACK`
    Rollback,
    /// `ROW`
    Row,
    /// `ROWS`
    Rows,
    /// `SAVEPOINT`
    Savepoint,
    /// `SELECT`
    Select,
    /// `SET`
    Set,
    /// `TABLE`
    Table,
    /// `TEMP`
    Temp,
    /// `TEMPORARY`
    Temporary,
    /// `THEN`
    Then,
    /// `TIES`
    Ties,
    /// `TO`
    To,
    /// `TRANSACTION`
    Transaction,
    /// `TRIGGER`
    Trigger,
    /// `UNBOUNDED`
    Unbounded,
    /// `UNION`
    Union,
    /// `UNIQUE`
    Unique,
    /// `UPDATE`
    Update,
    /// `USING`
    Using,
    /// `VACUUM`
    Vacuum,
    /// `VALUES`
    Values,
    /// `VIEW`
    View,
    /// `VIRTUAL`
    Virtual,
    /// `WHEN`
    When,
    /// `WHERE`
    Where,
    /// `WINDOW`
    Window,
    /// `WITH`
    With,
    /// `WITHOUT`
    Without,
}

impl Keyword {
    /// The keyword spelled by `word` (any letter case), if it is one.
    pub fn from_bytes(word: &[u8]) -> Option<Keyword> {
        if word.len() > 17 || word.len() < 2 {
            return None;
        }
        let mut buf = [0u8; 17];
        for (d, s) in buf.iter_mut().zip(word) {
            *d = s.to_ascii_uppercase();
        }
        let upper = buf.get(..word.len())?;
        Some(match upper {
            b"ABORT" => Keyword::Abort,
            b"ACTION" => Keyword::Action,
            b"ADD" => Keyword::Add,
            b"AFTER" => Keyword::After,
            b"ALL" => Keyword::All,
            b"ALTER" => Keyword::Alter,
            b"ALWAYS" => Keyword::Always,
            b"ANALYZE" => Keyword::Analyze,
            b"AND" => Keyword::And,
            b"AS" => Keyword::As,
            b"ASC" => Keyword::Asc,
            b"ATTACH" => Keyword::Attach,
            b"AUTOINCREMENT" => Keyword::Autoincrement,
            b"BEFORE" => Keyword::Before,
            b"BEGIN" => Keyword::Begin,
            b"BETWEEN" => Keyword::Between,
            b"BY" => Keyword::By,
            b"CASCADE" => Keyword::Cascade,
            b"CASE" => Keyword::Case,
            b"CAST" => Keyword::Cast,
            b"CHECK" => Keyword::Check,
            b"COLLATE" => Keyword::Collate,
            b"COLUMN" => Keyword::Column,
            b"COMMIT" => Keyword::Commit,
            b"CONFLICT" => Keyword::Conflict,
            b"CONSTRAINT" => Keyword::Constraint,
            b"CREATE" => Keyword::Create,
            b"CROSS" => Keyword::Cross,
            b"CURRENT" => Keyword::Current,
            b"CURRENT_DATE" => Keyword::CurrentDate,
            b"CURRENT_TIME" => Keyword::CurrentTime,
            b"CURRENT_TIMESTAMP" => Keyword::CurrentTimestamp,
            b"DATABASE" => Keyword::Database,
            b"DEFAULT" => Keyword::Default,
            b"DEFERRABLE" => Keyword::Deferrable,
            b"DEFERRED" => Keyword::Deferred,
            b"DELETE" => Keyword::Delete,
            b"DESC" => Keyword::Desc,
            b"DETACH" => Keyword::Detach,
            b"DISTINCT" => Keyword::Distinct,
            b"DO" => Keyword::Do,
            b"DROP" => Keyword::Drop,
            b"EACH" => Keyword::Each,
            b"ELSE" => Keyword::Else,
            b"END" => Keyword::End,
            b"ESCAPE" => Keyword::Escape,
            b"EXCEPT" => Keyword::Except,
            b"EXCLUDE" => Keyword::Exclude,
            b"EXCLUSIVE" => Keyword::Exclusive,
            b"EXISTS" => Keyword::Exists,
            b"EXPLAIN" => Keyword::Explain,
            b"FAIL" => Keyword::Fail,
            b"FILTER" => Keyword::Filter,
            b"FIRST" => Keyword::First,
            b"FOLLOWING" => Keyword::Following,
            b"FOR" => Keyword::For,
            b"FOREIGN" => Keyword::Foreign,
            b"FROM" => Keyword::From,
            b"FULL" => Keyword::Full,
            b"GENERATED" => Keyword::Generated,
            b"GLOB" => Keyword::Glob,
            b"GROUP" => Keyword::Group,
            b"GROUPS" => Keyword::Groups,
            b"HAVING" => Keyword::Having,
            b"IF" => Keyword::If,
            b"IGNORE" => Keyword::Ignore,
            b"IMMEDIATE" => Keyword::Immediate,
            b"IN" => Keyword::In,
            b"INDEX" => Keyword::Index,
            b"INDEXED" => Keyword::Indexed,
            b"INITIALLY" => Keyword::Initially,
            b"INNER" => Keyword::Inner,
            b"INSERT" => Keyword::Insert,
            b"INSTEAD" => Keyword::Instead,
            b"INTERSECT" => Keyword::Intersect,
            b"INTO" => Keyword::Into,
            b"IS" => Keyword::Is,
            b"ISNULL" => Keyword::Isnull,
            b"JOIN" => Keyword::Join,
            b"KEY" => Keyword::Key,
            b"LAST" => Keyword::Last,
            b"LEFT" => Keyword::Left,
            b"LIKE" => Keyword::Like,
            b"LIMIT" => Keyword::Limit,
            b"MATCH" => Keyword::Match,
            b"MATERIALIZED" => Keyword::Materialized,
            b"NATURAL" => Keyword::Natural,
            b"NO" => Keyword::No,
            b"NOT" => Keyword::Not,
            b"NOTHING" => Keyword::Nothing,
            b"NOTNULL" => Keyword::Notnull,
            b"NULL" => Keyword::Null,
            b"NULLS" => Keyword::Nulls,
            b"OF" => Keyword::Of,
            b"OFFSET" => Keyword::Offset,
            b"ON" => Keyword::On,
            b"OR" => Keyword::Or,
            b"ORDER" => Keyword::Order,
            b"OTHERS" => Keyword::Others,
            b"OUTER" => Keyword::Outer,
            b"OVER" => Keyword::Over,
            b"PARTITION" => Keyword::Partition,
            b"PLAN" => Keyword::Plan,
            b"PRAGMA" => Keyword::Pragma,
            b"PRECEDING" => Keyword::Preceding,
            b"PRIMARY" => Keyword::Primary,
            b"QUERY" => Keyword::Query,
            b"RAISE" => Keyword::Raise,
            b"RANGE" => Keyword::Range,
            b"RECURSIVE" => Keyword::Recursive,
            b"REFERENCES" => Keyword::References,
            b"REGEXP" => Keyword::Regexp,
            b"REINDEX" => Keyword::Reindex,
            b"RELEASE" => Keyword::Release,
            b"RENAME" => Keyword::Rename,
            b"REPLACE" => Keyword::Replace,
            b"RESTRICT" => Keyword::Restrict,
            b"RETURNING" => Keyword::Returning,
            b"RIGHT" => Keyword::Right,
            b"ROLLBACK" => Keyword::Rollback,
            b"ROW" => Keyword::Row,
            b"ROWS" => Keyword::Rows,
            b"SAVEPOINT" => Keyword::Savepoint,
            b"SELECT" => Keyword::Select,
            b"SET" => Keyword::Set,
            b"TABLE" => Keyword::Table,
            b"TEMP" => Keyword::Temp,
            b"TEMPORARY" => Keyword::Temporary,
            b"THEN" => Keyword::Then,
            b"TIES" => Keyword::Ties,
            b"TO" => Keyword::To,
            b"TRANSACTION" => Keyword::Transaction,
            b"TRIGGER" => Keyword::Trigger,
            b"UNBOUNDED" => Keyword::Unbounded,
            b"UNION" => Keyword::Union,
            b"UNIQUE" => Keyword::Unique,
            b"UPDATE" => Keyword::Update,
            b"USING" => Keyword::Using,
            b"VACUUM" => Keyword::Vacuum,
            b"VALUES" => Keyword::Values,
            b"VIEW" => Keyword::View,
            b"VIRTUAL" => Keyword::Virtual,
            b"WHEN" => Keyword::When,
            b"WHERE" => Keyword::Where,
            b"WINDOW" => Keyword::Window,
            b"WITH" => Keyword::With,
            b"WITHOUT" => Keyword::Without,
            _ => return None,
        })
    }

    /// The keyword as SQLite spells it (upper case).
    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::Abort => "ABORT",
            Keyword::Action => "ACTION",
            Keyword::Add => "ADD",
            Keyword::After => "AFTER",
            Keyword::All => "ALL",
            Keyword::Alter => "ALTER",
            Keyword::Always => "ALWAYS",
            Keyword::Analyze => "ANALYZE",
            Keyword::And => "AND",
            Keyword::As => "AS",
            Keyword::Asc => "ASC",
            Keyword::Attach => "ATTACH",
            Keyword::Autoincrement => "AUTOINCREMENT",
            Keyword::Before => "BEFORE",
            Keyword::Begin => "BEGIN",
            Keyword::Between => "BETWEEN",
            Keyword::By => "BY",
            Keyword::Cascade => "CASCADE",
            Keyword::Case => "CASE",
            Keyword::Cast => "CAST",
            Keyword::Check => "CHECK",
            Keyword::Collate => "COLLATE",
            Keyword::Column => "COLUMN",
            Keyword::Commit => "COMMIT",
            Keyword::Conflict => "CONFLICT",
            Keyword::Constraint => "CONSTRAINT",
            Keyword::Create => "CREATE",
            Keyword::Cross => "CROSS",
            Keyword::Current => "CURRENT",
            Keyword::CurrentDate => "CURRENT_DATE",
            Keyword::CurrentTime => "CURRENT_TIME",
            Keyword::CurrentTimestamp => "CURRENT_TIMESTAMP",
            Keyword::Database => "DATABASE",
            Keyword::Default => "DEFAULT",
            Keyword::Deferrable => "DEFERRABLE",
            Keyword::Deferred => "DEFERRED",
            Keyword::Delete => "DELETE",
            Keyword::Desc => "DESC",
            Keyword::Detach => "DETACH",
            Keyword::Distinct => "DISTINCT",
            Keyword::Do => "DO",
            Keyword::Drop => "DROP",
            Keyword::Each => "EACH",
            Keyword::Else => "ELSE",
            Keyword::End => "END",
            Keyword::Escape => "ESCAPE",
            Keyword::Except => "EXCEPT",
            Keyword::Exclude => "EXCLUDE",
            Keyword::Exclusive => "EXCLUSIVE",
            Keyword::Exists => "EXISTS",
            Keyword::Explain => "EXPLAIN",
            Keyword::Fail => "FAIL",
            Keyword::Filter => "FILTER",
            Keyword::First => "FIRST",
            Keyword::Following => "FOLLOWING",
            Keyword::For => "FOR",
            Keyword::Foreign => "FOREIGN",
            Keyword::From => "FROM",
            Keyword::Full => "FULL",
            Keyword::Generated => "GENERATED",
            Keyword::Glob => "GLOB",
            Keyword::Group => "GROUP",
            Keyword::Groups => "GROUPS",
            Keyword::Having => "HAVING",
            Keyword::If => "IF",
            Keyword::Ignore => "IGNORE",
            Keyword::Immediate => "IMMEDIATE",
            Keyword::In => "IN",
            Keyword::Index => "INDEX",
            Keyword::Indexed => "INDEXED",
            Keyword::Initially => "INITIALLY",
            Keyword::Inner => "INNER",
            Keyword::Insert => "INSERT",
            Keyword::Instead => "INSTEAD",
            Keyword::Intersect => "INTERSECT",
            Keyword::Into => "INTO",
            Keyword::Is => "IS",
            Keyword::Isnull => "ISNULL",
            Keyword::Join => "JOIN",
            Keyword::Key => "KEY",
            Keyword::Last => "LAST",
            Keyword::Left => "LEFT",
            Keyword::Like => "LIKE",
            Keyword::Limit => "LIMIT",
            Keyword::Match => "MATCH",
            Keyword::Materialized => "MATERIALIZED",
            Keyword::Natural => "NATURAL",
            Keyword::No => "NO",
            Keyword::Not => "NOT",
            Keyword::Nothing => "NOTHING",
            Keyword::Notnull => "NOTNULL",
            Keyword::Null => "NULL",
            Keyword::Nulls => "NULLS",
            Keyword::Of => "OF",
            Keyword::Offset => "OFFSET",
            Keyword::On => "ON",
            Keyword::Or => "OR",
            Keyword::Order => "ORDER",
            Keyword::Others => "OTHERS",
            Keyword::Outer => "OUTER",
            Keyword::Over => "OVER",
            Keyword::Partition => "PARTITION",
            Keyword::Plan => "PLAN",
            Keyword::Pragma => "PRAGMA",
            Keyword::Preceding => "PRECEDING",
            Keyword::Primary => "PRIMARY",
            Keyword::Query => "QUERY",
            Keyword::Raise => "RAISE",
            Keyword::Range => "RANGE",
            Keyword::Recursive => "RECURSIVE",
            Keyword::References => "REFERENCES",
            Keyword::Regexp => "REGEXP",
            Keyword::Reindex => "REINDEX",
            Keyword::Release => "RELEASE",
            Keyword::Rename => "RENAME",
            Keyword::Replace => "REPLACE",
            Keyword::Restrict => "RESTRICT",
            Keyword::Returning => "RETURNING",
            Keyword::Right => "RIGHT",
            Keyword::Rollback => "ROLLBACK",
            Keyword::Row => "ROW",
            Keyword::Rows => "ROWS",
            Keyword::Savepoint => "SAVEPOINT",
            Keyword::Select => "SELECT",
            Keyword::Set => "SET",
            Keyword::Table => "TABLE",
            Keyword::Temp => "TEMP",
            Keyword::Temporary => "TEMPORARY",
            Keyword::Then => "THEN",
            Keyword::Ties => "TIES",
            Keyword::To => "TO",
            Keyword::Transaction => "TRANSACTION",
            Keyword::Trigger => "TRIGGER",
            Keyword::Unbounded => "UNBOUNDED",
            Keyword::Union => "UNION",
            Keyword::Unique => "UNIQUE",
            Keyword::Update => "UPDATE",
            Keyword::Using => "USING",
            Keyword::Vacuum => "VACUUM",
            Keyword::Values => "VALUES",
            Keyword::View => "VIEW",
            Keyword::Virtual => "VIRTUAL",
            Keyword::When => "WHEN",
            Keyword::Where => "WHERE",
            Keyword::Window => "WINDOW",
            Keyword::With => "WITH",
            Keyword::Without => "WITHOUT",
        }
    }

    /// Whether the grammar falls back to reading this keyword as an identifier.
    pub fn is_fallback_id(self) -> bool {
        matches!(
            self,
            Keyword::Abort
                | Keyword::Action
                | Keyword::After
                | Keyword::Always
                | Keyword::Analyze
                | Keyword::Asc
                | Keyword::Attach
                | Keyword::Before
                | Keyword::Begin
                | Keyword::By
                | Keyword::Cascade
                | Keyword::Cast
                | Keyword::Column
                | Keyword::Conflict
                | Keyword::Current
                | Keyword::CurrentDate
                | Keyword::CurrentTime
                | Keyword::CurrentTimestamp
                | Keyword::Database
                | Keyword::Deferred
                | Keyword::Desc
                | Keyword::Detach
                | Keyword::Do
                | Keyword::Each
                | Keyword::End
                | Keyword::Exclude
                | Keyword::Exclusive
                | Keyword::Explain
                | Keyword::Fail
                | Keyword::Filter
                | Keyword::First
                | Keyword::Following
                | Keyword::For
                | Keyword::Generated
                | Keyword::Glob
                | Keyword::Groups
                | Keyword::If
                | Keyword::Ignore
                | Keyword::Immediate
                | Keyword::Initially
                | Keyword::Instead
                | Keyword::Key
                | Keyword::Last
                | Keyword::Like
                | Keyword::Match
                | Keyword::Materialized
                | Keyword::No
                | Keyword::Nulls
                | Keyword::Of
                | Keyword::Offset
                | Keyword::Others
                | Keyword::Over
                | Keyword::Partition
                | Keyword::Plan
                | Keyword::Pragma
                | Keyword::Preceding
                | Keyword::Query
                | Keyword::Raise
                | Keyword::Range
                | Keyword::Recursive
                | Keyword::Regexp
                | Keyword::Reindex
                | Keyword::Release
                | Keyword::Rename
                | Keyword::Replace
                | Keyword::Restrict
                | Keyword::Rollback
                | Keyword::Row
                | Keyword::Rows
                | Keyword::Savepoint
                | Keyword::Temp
                | Keyword::Temporary
                | Keyword::Ties
                | Keyword::Trigger
                | Keyword::Unbounded
                | Keyword::Vacuum
                | Keyword::View
                | Keyword::Virtual
                | Keyword::Window
                | Keyword::With
                | Keyword::Without
        )
    }

    /// Whether this is one of the join words (`NATURAL`, `LEFT`, ...), SQLite's `JOIN_KW`.
    pub fn is_join_word(self) -> bool {
        matches!(
            self,
            Keyword::Natural
                | Keyword::Left
                | Keyword::Right
                | Keyword::Full
                | Keyword::Inner
                | Keyword::Cross
                | Keyword::Outer
        )
    }
}
