//! Conversions between Rust values and SQL values: [`Params`] for binding, [`ToValue`] and
//! [`FromValue`] for single values.

use concur_btree::Value;

use crate::error::{Error, Result};

/// A Rust value that can be bound as a SQL parameter.
pub trait ToValue {
    /// The SQL value.
    fn to_value(&self) -> Value;

    /// The SQL value, taking `self`: an owned string or byte vector moves into it without a
    /// copy (what binding a tuple or array of owned values does).
    fn into_value(self) -> Value
    where
        Self: Sized,
    {
        self.to_value()
    }
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
    fn into_value(self) -> Value {
        self
    }
}
impl ToValue for i64 {
    fn to_value(&self) -> Value {
        Value::Integer(*self)
    }
}
impl ToValue for i32 {
    fn to_value(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
}
impl ToValue for u32 {
    fn to_value(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
}
impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
}
impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}
impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_owned().into())
    }
}
impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone().into())
    }
    fn into_value(self) -> Value {
        Value::Text(self.into())
    }
}
impl ToValue for [u8] {
    fn to_value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}
impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }
    fn into_value(self) -> Value {
        Value::Blob(self)
    }
}
impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}
impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
    fn into_value(self) -> Value {
        self.map_or(Value::Null, ToValue::into_value)
    }
}

/// A SQL value that can be read as a Rust value.
pub trait FromValue: Sized {
    /// The Rust value, or `Error::InvalidType`.
    fn from_value(value: &Value) -> Result<Self>;
}

fn class(value: &Value) -> &'static str {
    match value {
        Value::Null => "NULL",
        Value::Integer(_) => "INTEGER",
        Value::Real(_) => "REAL",
        Value::Text(_) => "TEXT",
        Value::Blob(_) => "BLOB",
    }
}

fn wrong<T>(wanted: &'static str, value: &Value) -> Result<T> {
    Err(Error::InvalidType {
        wanted,
        found: class(value),
    })
}

impl FromValue for Value {
    fn from_value(value: &Value) -> Result<Self> {
        Ok(value.clone())
    }
}
impl FromValue for i64 {
    fn from_value(value: &Value) -> Result<Self> {
        match value {
            Value::Integer(i) => Ok(*i),
            other => wrong("i64", other),
        }
    }
}
impl FromValue for i32 {
    fn from_value(value: &Value) -> Result<Self> {
        match value {
            Value::Integer(i) => i32::try_from(*i).or_else(|_| wrong("i32", value)),
            other => wrong("i32", other),
        }
    }
}
impl FromValue for bool {
    fn from_value(value: &Value) -> Result<Self> {
        match value {
            Value::Integer(i) => Ok(*i != 0),
            other => wrong("bool", other),
        }
    }
}
impl FromValue for f64 {
    fn from_value(value: &Value) -> Result<Self> {
        match value {
            Value::Real(r) => Ok(*r),
            Value::Integer(i) => Ok(*i as f64),
            other => wrong("f64", other),
        }
    }
}
/// TEXT as a `String`; `Error::InvalidUtf8` when its bytes are not UTF-8 (read those as
/// `Vec<u8>` or [`Value`]).
impl FromValue for String {
    fn from_value(value: &Value) -> Result<Self> {
        match value {
            Value::Text(s) => std::str::from_utf8(s.as_bytes())
                .map(str::to_owned)
                .map_err(Error::InvalidUtf8),
            other => wrong("String", other),
        }
    }
}
/// A BLOB's bytes, or a TEXT's.
impl FromValue for Vec<u8> {
    fn from_value(value: &Value) -> Result<Self> {
        match value {
            Value::Blob(b) => Ok(b.clone()),
            Value::Text(s) => Ok(s.as_bytes().to_vec()),
            other => wrong("Vec<u8>", other),
        }
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Result<Self> {
        match value {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// Parameters for a statement: `()`, tuples of [`ToValue`]s (bound to `?1`, `?2`, ...), slices
/// of values, or named pairs `&[(":name", &value)]`.
pub trait Params {
    /// Binds the parameters to `stmt`.
    fn bind(self, stmt: &mut concur_vm::Statement) -> Result<()>;
}

fn bind_at(stmt: &mut concur_vm::Statement, index: usize, value: Value) -> Result<()> {
    if index > stmt.parameter_count() {
        return Err(Error::InvalidParameterIndex(index));
    }
    Ok(stmt.bind(index, value)?)
}

impl Params for () {
    fn bind(self, _stmt: &mut concur_vm::Statement) -> Result<()> {
        Ok(())
    }
}

impl<T: ToValue> Params for &[T] {
    fn bind(self, stmt: &mut concur_vm::Statement) -> Result<()> {
        for (i, v) in self.iter().enumerate() {
            bind_at(stmt, i + 1, v.to_value())?;
        }
        Ok(())
    }
}

impl<T: ToValue, const N: usize> Params for [T; N] {
    fn bind(self, stmt: &mut concur_vm::Statement) -> Result<()> {
        for (i, v) in self.into_iter().enumerate() {
            bind_at(stmt, i + 1, v.into_value())?;
        }
        Ok(())
    }
}

impl Params for &[(&str, &dyn ToValue)] {
    fn bind(self, stmt: &mut concur_vm::Statement) -> Result<()> {
        for (name, v) in self {
            let index = stmt
                .parameter_index(name)
                .ok_or_else(|| Error::InvalidParameterName((*name).to_owned()))?;
            bind_at(stmt, index, v.to_value())?;
        }
        Ok(())
    }
}

macro_rules! tuple_params {
    ($($name:ident $index:tt),+) => {
        impl<$($name: ToValue),+> Params for ($($name,)+) {
            fn bind(self, stmt: &mut concur_vm::Statement) -> Result<()> {
                $(bind_at(stmt, $index + 1, self.$index.into_value())?;)+
                Ok(())
            }
        }
    };
}
tuple_params!(A 0);
tuple_params!(A 0, B 1);
tuple_params!(A 0, B 1, C 2);
tuple_params!(A 0, B 1, C 2, D 3);
tuple_params!(A 0, B 1, C 2, D 3, E 4);
tuple_params!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_params!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_params!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
