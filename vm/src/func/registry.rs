//! Finding a function by name and argument count, and what a function may ask the connection.

use std::collections::HashMap;

use concur_btree::Value;

use super::aggregate::AggregateKind;
use super::error::FuncError;
use crate::value::Collation;

/// What functions need from the connection that calls them. The executor implements this.
pub trait FuncContext {
    /// Rows changed by the most recent INSERT, UPDATE or DELETE (`changes()`).
    fn changes(&self) -> i64;
    /// Rows changed since the connection opened (`total_changes()`).
    fn total_changes(&self) -> i64;
    /// The rowid of the most recent successful INSERT (`last_insert_rowid()`).
    fn last_insert_rowid(&self) -> i64;
    /// 64 random bits (`random()`, `randomblob()`).
    fn random_u64(&mut self) -> u64;
    /// The current time in milliseconds since 1970-01-01 UTC, fixed for one statement
    /// (SQLite's `'now'` is the same for every call within a statement).
    fn now_unix_ms(&self) -> i64;
}

/// One call of a scalar function: the connection and the collation that applies to the
/// call's arguments (for `min`, `max`, `nullif`, `instr`: BINARY unless an argument has an
/// explicit COLLATE).
pub struct FuncCall<'a> {
    /// The calling connection.
    pub context: &'a mut dyn FuncContext,
    /// The collating sequence of the call.
    pub collation: Collation,
}

/// The body of a scalar function.
pub type ScalarBody = fn(&mut FuncCall<'_>, &[Value]) -> Result<Value, FuncError>;

/// How many arguments a function takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// Exactly this many.
    Exact(usize),
    /// At least this many (`coalesce`, `printf`, `char`...).
    AtLeast(usize),
}

impl Arity {
    /// True when a call with `n` arguments fits.
    pub fn accepts(self, n: usize) -> bool {
        match self {
            Arity::Exact(k) => n == k,
            Arity::AtLeast(k) => n >= k,
        }
    }
}

/// A scalar function: one result per call.
#[derive(Clone, Copy)]
pub struct ScalarFunction {
    /// The name, lower case.
    pub name: &'static str,
    /// The argument counts it accepts.
    pub arity: Arity,
    /// False for functions whose result can change between calls with the same arguments
    /// (`random()`, `changes()`, date functions reading 'now'); the planner must not fold
    /// or cache those.
    pub deterministic: bool,
    /// The implementation.
    pub body: ScalarBody,
}

impl std::fmt::Debug for ScalarFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScalarFunction")
            .field("name", &self.name)
            .field("arity", &self.arity)
            .field("deterministic", &self.deterministic)
            .finish()
    }
}

/// An aggregate function's entry: which accumulator to build, and its arity.
#[derive(Debug, Clone, Copy)]
pub struct AggregateFunction {
    /// The name, lower case.
    pub name: &'static str,
    /// The argument counts it accepts.
    pub arity: Arity,
    /// The accumulator.
    pub kind: AggregateKind,
}

/// Either kind of function, as found by [`FunctionRegistry::find`].
#[derive(Debug, Clone, Copy)]
pub enum FoundFunction {
    /// A scalar function.
    Scalar(ScalarFunction),
    /// An aggregate function.
    Aggregate(AggregateFunction),
}

/// All built-in functions, by lower-case name.
#[derive(Debug)]
pub struct FunctionRegistry {
    /// Scalar functions; one name may have several entries with different arities.
    scalars: HashMap<&'static str, Vec<ScalarFunction>>,
    /// Aggregate functions.
    aggregates: HashMap<&'static str, Vec<AggregateFunction>>,
}

impl Default for FunctionRegistry {
    fn default() -> Self {
        Self::builtin()
    }
}

impl FunctionRegistry {
    /// The registry of SQLite's built-in functions.
    pub fn builtin() -> FunctionRegistry {
        let mut registry = FunctionRegistry {
            scalars: HashMap::new(),
            aggregates: HashMap::new(),
        };
        for f in super::core::FUNCTIONS
            .iter()
            .chain(super::text::FUNCTIONS)
            .chain(super::pattern::FUNCTIONS)
            .chain(super::printf::FUNCTIONS)
            .chain(super::datetime::FUNCTIONS)
        {
            registry.scalars.entry(f.name).or_default().push(*f);
        }
        for (name, arity, kind) in AggregateKind::BUILTIN {
            registry
                .aggregates
                .entry(name)
                .or_default()
                .push(AggregateFunction { name, arity, kind });
        }
        registry
    }

    /// Finds the function `name` taking `n_args` arguments. A one-argument `min`/`max` is
    /// the aggregate; with two or more, the scalar.
    pub fn find(&self, name: &str, n_args: usize) -> Result<FoundFunction, FuncError> {
        let lower = name.to_ascii_lowercase();
        let scalars = self.scalars.get(lower.as_str());
        let aggregates = self.aggregates.get(lower.as_str());
        if let Some(f) = scalars.and_then(|v| v.iter().find(|f| f.arity.accepts(n_args))) {
            return Ok(FoundFunction::Scalar(*f));
        }
        if let Some(f) = aggregates.and_then(|v| v.iter().find(|f| f.arity.accepts(n_args))) {
            return Ok(FoundFunction::Aggregate(*f));
        }
        if scalars.is_some() || aggregates.is_some() {
            Err(FuncError::WrongArgumentCount {
                name: name.to_string(),
            })
        } else {
            Err(FuncError::NoSuchFunction {
                name: name.to_string(),
            })
        }
    }

    /// Every scalar function entry (one per name and arity).
    pub fn scalars(&self) -> impl Iterator<Item = &ScalarFunction> {
        self.scalars.values().flatten()
    }

    /// Finds and calls a scalar function (a convenience for tests and constant folding).
    pub fn call(
        &self,
        call: &mut FuncCall<'_>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, FuncError> {
        match self.find(name, args.len())? {
            FoundFunction::Scalar(f) => (f.body)(call, args),
            FoundFunction::Aggregate(_) => Err(FuncError::Message(format!(
                "misuse of aggregate function {name}()"
            ))),
        }
    }
}
