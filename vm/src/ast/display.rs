//! Printing the tree back as SQL.
//!
//! The output parses back to an equal tree: every operand that is not atomic is wrapped in
//! parentheses (the tree keeps no parentheses, so this is how precedence survives), names are
//! quoted when they are keywords or not plain identifiers, and literals are spelled so the lexer
//! reads the same value back. It is used for `.dump`, for views and for tests.

use std::fmt::{self, Display, Formatter, Write};

use super::*;
use crate::lexer::is_id_char;
use crate::parser::Keyword;

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

/// Whether `name` must be quoted to read back as the same identifier.
fn needs_quotes(name: &str) -> bool {
    let bytes = name.as_bytes();
    match bytes.first() {
        None => true,
        Some(b) if b.is_ascii_digit() || *b == b'$' => true,
        Some(_) => {
            !bytes.iter().all(|&b| is_id_char(b))
                || Keyword::from_bytes(bytes).is_some()
                || name.eq_ignore_ascii_case("true")
                || name.eq_ignore_ascii_case("false")
        }
    }
}

/// Writes `text` inside `quote` characters, doubling inner ones.
fn quoted(f: &mut Formatter<'_>, text: &str, quote: char) -> fmt::Result {
    f.write_char(quote)?;
    for c in text.chars() {
        if c == quote {
            f.write_char(quote)?;
        }
        f.write_char(c)?;
    }
    f.write_char(quote)
}

impl Display for Name {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if needs_quotes(&self.0) {
            quoted(f, &self.0, '"')
        } else {
            f.write_str(&self.0)
        }
    }
}

impl Display for QualifiedName {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(schema) = &self.schema {
            write!(f, "{schema}.")?;
        }
        write!(f, "{}", self.name)
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("NULL"),
            Literal::Integer(v) if *v < 0 && *v != i64::MIN => write!(f, "0x{:X}", *v as u64),
            Literal::Integer(v) => write!(f, "{v}"),
            Literal::Real(v) if v.is_infinite() && *v > 0.0 => f.write_str("1e999"),
            Literal::Real(v) if v.is_infinite() => f.write_str("-1e999"),
            Literal::Real(v) => write!(f, "{v:?}"),
            Literal::String(s) => quoted(f, s, '\''),
            Literal::Blob(bytes) => {
                f.write_str("X'")?;
                for b in bytes {
                    write!(f, "{b:02X}")?;
                }
                f.write_char('\'')
            }
            Literal::Bool(true) => f.write_str("TRUE"),
            Literal::Bool(false) => f.write_str("FALSE"),
            Literal::CurrentTime => f.write_str("CURRENT_TIME"),
            Literal::CurrentDate => f.write_str("CURRENT_DATE"),
            Literal::CurrentTimestamp => f.write_str("CURRENT_TIMESTAMP"),
        }
    }
}

impl BinaryOp {
    /// The operator as SQL spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "OR",
            BinaryOp::And => "AND",
            BinaryOp::Eq => "=",
            BinaryOp::Ne => "!=",
            BinaryOp::Is => "IS",
            BinaryOp::IsNot => "IS NOT",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::BitAnd => "&",
            BinaryOp::BitOr => "|",
            BinaryOp::ShiftLeft => "<<",
            BinaryOp::ShiftRight => ">>",
            BinaryOp::Add => "+",
            BinaryOp::Subtract => "-",
            BinaryOp::Multiply => "*",
            BinaryOp::Divide => "/",
            BinaryOp::Remainder => "%",
            BinaryOp::Concat => "||",
            BinaryOp::Arrow => "->",
            BinaryOp::LongArrow => "->>",
        }
    }
}

impl LikeOp {
    /// The operator as SQL spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            LikeOp::Like => "LIKE",
            LikeOp::Glob => "GLOB",
            LikeOp::Match => "MATCH",
            LikeOp::Regexp => "REGEXP",
        }
    }
}

impl Expr {
    /// Whether the expression prints as one unit that needs no parentheses as an operand.
    fn is_atomic(&self) -> bool {
        match self {
            Expr::Literal(Literal::Integer(v)) => *v >= 0,
            Expr::Literal(Literal::Real(v)) => *v >= 0.0,
            Expr::Literal(_)
            | Expr::Column { .. }
            | Expr::Variable { .. }
            | Expr::Cast { .. }
            | Expr::Exists(_)
            | Expr::Subquery(_)
            | Expr::Function(_)
            | Expr::Case { .. }
            | Expr::Raise { .. }
            | Expr::Row(_) => true,
            _ => false,
        }
    }
}

/// An operand: the expression, in parentheses unless atomic.
struct Operand<'a>(&'a Expr);

impl Display for Operand<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.0.is_atomic() {
            write!(f, "{}", self.0)
        } else {
            write!(f, "({})", self.0)
        }
    }
}

/// `NOT ` when `negated`.
fn not(negated: bool) -> &'static str {
    if negated {
        "NOT "
    } else {
        ""
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Literal(l) => write!(f, "{l}"),
            Expr::Column {
                column,
                double_quoted,
            } => {
                if let Some(schema) = &column.schema {
                    write!(f, "{schema}.")?;
                }
                if let Some(table) = &column.table {
                    write!(f, "{table}.")?;
                }
                if column.table.is_none() && *double_quoted {
                    quoted(f, &column.column.0, '"')
                } else if column.table.is_none() && needs_quotes(&column.column.0) {
                    quoted(f, &column.column.0, '`')
                } else {
                    write!(f, "{}", column.column)
                }
            }
            Expr::Variable { name, .. } => f.write_str(name),
            Expr::Unary { op, operand } => {
                let op = match op {
                    UnaryOp::Negate => "-",
                    UnaryOp::Plus => "+",
                    UnaryOp::BitNot => "~",
                    UnaryOp::Not => "NOT ",
                };
                write!(f, "{op}{}", Operand(operand))
            }
            Expr::Binary { op, left, right } => {
                write!(f, "{} {} {}", Operand(left), op.as_str(), Operand(right))
            }
            Expr::Collate { expr, collation } => {
                write!(f, "{} COLLATE {collation}", Operand(expr))
            }
            Expr::Cast { expr, type_name } => {
                write!(f, "CAST({expr} AS")?;
                if let Some(t) = type_name {
                    write!(f, " {t}")?;
                }
                f.write_char(')')
            }
            Expr::Like {
                negated,
                op,
                expr,
                pattern,
                escape,
            } => {
                write!(
                    f,
                    "{} {}{} {}",
                    Operand(expr),
                    not(*negated),
                    op.as_str(),
                    Operand(pattern)
                )?;
                if let Some(e) = escape {
                    write!(f, " ESCAPE {}", Operand(e))?;
                }
                Ok(())
            }
            Expr::Between {
                negated,
                expr,
                low,
                high,
            } => write!(
                f,
                "{} {}BETWEEN {} AND {}",
                Operand(expr),
                not(*negated),
                Operand(low),
                Operand(high)
            ),
            Expr::InList {
                negated,
                expr,
                list,
            } => {
                write!(f, "{} {}IN (", Operand(expr), not(*negated))?;
                comma(f, list)?;
                f.write_char(')')
            }
            Expr::InSelect {
                negated,
                expr,
                select,
            } => write!(f, "{} {}IN ({select})", Operand(expr), not(*negated)),
            Expr::InTable {
                negated,
                expr,
                table,
                args,
            } => {
                write!(f, "{} {}IN {table}", Operand(expr), not(*negated))?;
                if let Some(args) = args {
                    f.write_char('(')?;
                    comma(f, args)?;
                    f.write_char(')')?;
                }
                Ok(())
            }
            Expr::IsNull(e) => write!(f, "{} ISNULL", Operand(e)),
            Expr::NotNull(e) => write!(f, "{} NOTNULL", Operand(e)),
            Expr::Exists(select) => write!(f, "EXISTS ({select})"),
            Expr::Subquery(select) => write!(f, "({select})"),
            Expr::Function(call) => write!(f, "{call}"),
            Expr::Case {
                operand,
                when_then,
                else_expr,
            } => {
                f.write_str("CASE")?;
                if let Some(o) = operand {
                    write!(f, " {o}")?;
                }
                for (w, t) in when_then {
                    write!(f, " WHEN {w} THEN {t}")?;
                }
                if let Some(e) = else_expr {
                    write!(f, " ELSE {e}")?;
                }
                f.write_str(" END")
            }
            Expr::Raise { action, message } => {
                let action = match action {
                    RaiseAction::Ignore => "IGNORE",
                    RaiseAction::Rollback => "ROLLBACK",
                    RaiseAction::Abort => "ABORT",
                    RaiseAction::Fail => "FAIL",
                };
                write!(f, "RAISE({action}")?;
                if let Some(m) = message {
                    write!(f, ", {m}")?;
                }
                f.write_char(')')
            }
            Expr::Row(items) => {
                f.write_char('(')?;
                comma(f, items)?;
                f.write_char(')')
            }
        }
    }
}

impl Display for FunctionCall {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.name)?;
        match &self.args {
            FunctionArgs::Star => f.write_char('*')?,
            FunctionArgs::List { distinct, args } => {
                if *distinct {
                    f.write_str("DISTINCT ")?;
                }
                comma(f, args)?;
            }
        }
        f.write_char(')')?;
        if let Some(filter) = &self.filter {
            write!(f, " FILTER (WHERE {filter})")?;
        }
        match &self.over {
            Some(Over::Named(name)) => write!(f, " OVER {name}"),
            Some(Over::Window(def)) => write!(f, " OVER ({def})"),
            None => Ok(()),
        }
    }
}

impl Display for FrameBound {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            FrameBound::UnboundedPreceding => f.write_str("UNBOUNDED PRECEDING"),
            FrameBound::Preceding(e) => write!(f, "{} PRECEDING", Operand(e)),
            FrameBound::CurrentRow => f.write_str("CURRENT ROW"),
            FrameBound::Following(e) => write!(f, "{} FOLLOWING", Operand(e)),
            FrameBound::UnboundedFollowing => f.write_str("UNBOUNDED FOLLOWING"),
        }
    }
}

impl Display for WindowDef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let Some(base) = &self.base {
            parts.push(base.to_string());
        }
        if !self.partition_by.is_empty() {
            let list: Vec<String> = self.partition_by.iter().map(|e| e.to_string()).collect();
            parts.push(format!("PARTITION BY {}", list.join(", ")));
        }
        if !self.order_by.is_empty() {
            let list: Vec<String> = self.order_by.iter().map(|e| e.to_string()).collect();
            parts.push(format!("ORDER BY {}", list.join(", ")));
        }
        if let Some(frame) = &self.frame {
            let unit = match frame.unit {
                FrameUnit::Rows => "ROWS",
                FrameUnit::Range => "RANGE",
                FrameUnit::Groups => "GROUPS",
            };
            let mut text = match &frame.end {
                Some(end) => format!("{unit} BETWEEN {} AND {end}", frame.start),
                None => format!("{unit} {}", frame.start),
            };
            if let Some(exclude) = frame.exclude {
                text.push_str(match exclude {
                    FrameExclude::NoOthers => " EXCLUDE NO OTHERS",
                    FrameExclude::CurrentRow => " EXCLUDE CURRENT ROW",
                    FrameExclude::Group => " EXCLUDE GROUP",
                    FrameExclude::Ties => " EXCLUDE TIES",
                });
            }
            parts.push(text);
        }
        f.write_str(&parts.join(" "))
    }
}

impl Display for TypeName {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if !self.args.is_empty() {
            write!(f, "({})", self.args.join(", "))?;
        }
        Ok(())
    }
}
