//! The record format: how a row or an index key is laid out as bytes, and how index keys
//! compare.

use std::cmp::Ordering;

use crate::collation::Collation;
use crate::error::{Error, Result};
use crate::value::{Text, Value};
use crate::varint::{read_varint, varint_len, write_varint};

/// The largest record this layer writes or reads (SQLite's default SQLITE_MAX_LENGTH).
pub const MAX_RECORD_LEN: usize = 1_000_000_000;

/// The serial type SQLite uses to store `value` (schema format 4: 0 and 1 as types 8 and 9).
pub fn serial_type(value: &Value) -> u64 {
    match value {
        Value::Null => 0,
        Value::Integer(0) => 8,
        Value::Integer(1) => 9,
        Value::Integer(i) => {
            let i = *i;
            if (-128..=127).contains(&i) {
                1
            } else if (-32768..=32767).contains(&i) {
                2
            } else if (-8_388_608..=8_388_607).contains(&i) {
                3
            } else if (-2_147_483_648..=2_147_483_647).contains(&i) {
                4
            } else if (-140_737_488_355_328..=140_737_488_355_327).contains(&i) {
                5
            } else {
                6
            }
        }
        Value::Real(_) => 7,
        Value::Text(s) => 13 + 2 * s.len() as u64,
        Value::Blob(b) => 12 + 2 * b.len() as u64,
    }
}

/// The number of body bytes a value of serial type `t` takes, or `None` for the reserved
/// types 10 and 11.
#[inline]
pub fn serial_size(t: u64) -> Option<u64> {
    Some(match t {
        0 | 8 | 9 => 0,
        1 => 1,
        2 => 2,
        3 => 3,
        4 => 4,
        5 => 6,
        6 | 7 => 8,
        10 | 11 => return None,
        n => (n - 12) / 2,
    })
}

/// Encodes `values` as a record: a header (its own length as a varint, then one serial type
/// per value) followed by the values' bodies.
pub fn encode_record(values: &[Value]) -> Result<Vec<u8>> {
    let layout = RecordSize::of(values)?;
    let mut out = Vec::with_capacity(layout.total);
    layout.write(values, &mut out);
    Ok(out)
}

/// The sizes of the record of some values, computed before it is written (so that it can
/// be written in one go, behind whatever precedes it in the same buffer).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RecordSize {
    /// The header's length, its own varint included.
    header_len: usize,
    /// The whole record's length.
    pub(crate) total: usize,
}

impl RecordSize {
    /// The sizes of the record of `values`; TOOBIG past [`MAX_RECORD_LEN`].
    pub(crate) fn of(values: &[Value]) -> Result<RecordSize> {
        let (mut types_len, mut body_len) = (0, 0);
        for value in values {
            let t = serial_type(value);
            types_len += varint_len(t);
            body_len += serial_size(t).unwrap_or(0);
        }
        // The header length counts its own varint, whose length depends on the total.
        let mut header_len = types_len + 1;
        while varint_len(header_len as u64) + types_len != header_len {
            header_len = varint_len(header_len as u64) + types_len;
        }
        let total = header_len as u64 + body_len;
        if total > MAX_RECORD_LEN as u64 {
            return Err(Error::TooBig);
        }
        Ok(RecordSize {
            header_len,
            total: total as usize,
        })
    }

    /// Appends the record of `values` (the values these sizes were computed for) to `out`.
    pub(crate) fn write(self, values: &[Value], out: &mut Vec<u8>) {
        write_varint(out, self.header_len as u64);
        for value in values {
            write_varint(out, serial_type(value));
        }
        for value in values {
            match value {
                Value::Null => {}
                Value::Integer(i) => {
                    let bytes = i.to_be_bytes();
                    let n = serial_size(serial_type(value)).unwrap_or(0) as usize;
                    out.extend_from_slice(&bytes[8 - n..]);
                }
                Value::Real(r) => out.extend_from_slice(&r.to_bits().to_be_bytes()),
                Value::Text(s) => out.extend_from_slice(s.as_bytes()),
                Value::Blob(b) => out.extend_from_slice(b),
            }
        }
    }
}

/// A value borrowed from a record's bytes: what comparisons read without allocating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    /// NULL.
    Null,
    /// An integer.
    Integer(i64),
    /// A double.
    Real(f64),
    /// TEXT bytes (UTF-8 as stored).
    Text(&'a [u8]),
    /// BLOB bytes.
    Blob(&'a [u8]),
}

impl ValueRef<'_> {
    /// An owned copy.
    #[inline]
    pub fn to_value(self) -> Value {
        match self {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Integer(i),
            ValueRef::Real(r) => Value::Real(r),
            ValueRef::Text(t) => Value::Text(Text::from_bytes(t.to_vec())),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        }
    }

    /// Compares with an owned value as [`Value::compare`] does.
    pub fn compare(self, other: &Value, collation: Collation) -> Ordering {
        match (self, other) {
            (ValueRef::Null, Value::Null) => Ordering::Equal,
            (ValueRef::Integer(a), Value::Integer(b)) => a.cmp(b),
            (ValueRef::Text(a), Value::Text(b)) => collation.compare_bytes(a, b.as_bytes()),
            (ValueRef::Blob(a), Value::Blob(b)) => a.cmp(b.as_slice()),
            (ValueRef::Real(a), _) => Value::Real(a).compare(other, collation),
            (ValueRef::Integer(a), _) => Value::Integer(a).compare(other, collation),
            (ValueRef::Null, _) => Ordering::Less,
            (ValueRef::Text(_), Value::Blob(_)) => Ordering::Less,
            (ValueRef::Text(_), _) | (ValueRef::Blob(_), _) => Ordering::Greater,
        }
    }
}

/// Iterates over the values of a record, checking every length against the bytes present.
pub struct RecordFields<'a> {
    /// The record.
    record: &'a [u8],
    /// Next serial type's offset in the header.
    header_pos: usize,
    /// End of the header.
    header_end: usize,
    /// Next value's offset in the body.
    body_pos: usize,
}

impl<'a> RecordFields<'a> {
    /// Starts reading `record`; CORRUPT (page 0) if its header size is out of range.
    pub fn new(record: &'a [u8]) -> Result<Self> {
        let (header_len, pos) = read_varint(record).ok_or_else(|| bad("truncated header size"))?;
        if header_len > record.len() as u64 || (header_len as usize) < pos {
            return Err(bad("header size out of range"));
        }
        Ok(RecordFields {
            record,
            header_pos: pos,
            header_end: header_len as usize,
            body_pos: header_len as usize,
        })
    }
}

/// The CORRUPT error for a malformed record (out of line: the checks that call it run on
/// every value read).
#[cold]
#[inline(never)]
fn bad(reason: &str) -> Error {
    Error::corrupt(0, format!("record: {reason}"))
}

impl<'a> Iterator for RecordFields<'a> {
    type Item = Result<ValueRef<'a>>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.header_pos >= self.header_end {
            return None;
        }
        let result = self.step();
        if result.is_err() {
            // Stop after the first error.
            self.header_pos = self.header_end;
        }
        Some(result)
    }
}

impl<'a> RecordFields<'a> {
    /// Reads the next value (the header has one more serial type).
    #[inline]
    fn step(&mut self) -> Result<ValueRef<'a>> {
        // `new` checked that the header lies within the record.
        let (t, n) = match self.record.get(self.header_pos) {
            Some(&b) if b < 0x80 => (u64::from(b), 1),
            _ => self
                .record
                .get(self.header_pos..self.header_end)
                .and_then(read_varint)
                .ok_or_else(|| bad("truncated serial type"))?,
        };
        let size = serial_size(t).ok_or_else(|| bad("reserved serial type"))?;
        let start = self.body_pos;
        let bytes = usize::try_from(size)
            .ok()
            .and_then(|size| self.record.get(start..start.checked_add(size)?))
            .ok_or_else(|| bad("value runs past the end of the record"))?;
        self.header_pos += n;
        self.body_pos += bytes.len();
        Ok(decode_value(t, bytes))
    }
}

/// Decodes a record into its values. Every length is checked against the bytes present: a
/// header that claims more than the record holds is CORRUPT (page 0; the caller names the page).
pub fn decode_record(record: &[u8]) -> Result<Vec<Value>> {
    RecordFields::new(record)?
        .map(|v| v.map(ValueRef::to_value))
        .collect()
}

/// Headers up to this many bytes are read whole when a record is started (see
/// `RecordLayout::locate_short`).
const EAGER_HEADER: usize = 16;

/// The longest record a [`RecordLayout`] reads (some 2 GiB, past SQLite's own limit of
/// `2^31 - 1` bytes per value): its offsets, and the serial types of its values, then fit
/// in 32 bits.
const MAX_LAYOUT_RECORD: usize = 0x7fff_0000;

/// [`ONE_BYTE_SIZES`] of the reserved serial types 10 and 11.
const RESERVED: u8 = u8::MAX;

/// The body size of each serial type that fits in one header byte (below 0x80).
const ONE_BYTE_SIZES: [u8; 128] = {
    let fixed = [0, 1, 2, 3, 4, 6, 8, 8, 0, 0, RESERVED, RESERVED];
    let mut sizes = [0; 128];
    let mut t = 0;
    while t < 128 {
        sizes[t] = if t < 12 {
            fixed[t]
        } else {
            ((t - 12) / 2) as u8
        };
        t += 1;
    }
    sizes
};

/// The last value of `record` when it is an integer (an index entry's rowid); None when it
/// is of another class or the record has no values. CORRUPT for a malformed record.
pub fn record_last_integer(record: &[u8]) -> Result<Option<i64>> {
    // A header of one-byte serial types (the common index entry): the last value's place is
    // the sum of the sizes before it.
    if let Some(&header_len) = record.first() {
        let header_len = usize::from(header_len);
        if let Some(types) = record.get(1..header_len).filter(|_| header_len < 0x80) {
            if let Some((&t, before)) = types.split_last() {
                let mut start = header_len;
                let mut simple = t < 0x80;
                for &b in before {
                    let size = ONE_BYTE_SIZES[usize::from(b & 0x7f)];
                    simple &= b < 0x80 && size != RESERVED;
                    start += usize::from(size);
                }
                let size = usize::from(ONE_BYTE_SIZES[usize::from(t & 0x7f)]);
                if let Some(bytes) = record.get(start..start + size).filter(|_| simple) {
                    return Ok(match t {
                        1..=6 | 8 | 9 => Some(decode_integer(u64::from(t), bytes)),
                        _ => None,
                    });
                }
            }
        }
    }
    let mut last = None;
    for value in RecordFields::new(record)? {
        last = Some(value?);
    }
    Ok(match last {
        Some(ValueRef::Integer(i)) => Some(i),
        _ => None,
    })
}

/// Decodes `record` onto the end of `out` when its header takes one byte per value and one
/// for its size (most index keys and narrow rows), with one table lookup per value; false,
/// leaving `out` as it was, for any other record, which [`RecordFields`] then reads (and
/// reports when it is malformed).
pub(crate) fn decode_short_record_into(record: &[u8], out: &mut Vec<Value>) -> bool {
    let header_len = match record.first() {
        Some(&n) if (1..0x80).contains(&n) => usize::from(n),
        _ => return false,
    };
    let Some(types) = record.get(1..header_len) else {
        return false;
    };
    let start = out.len();
    let mut body = header_len;
    for &t in types {
        let size = ONE_BYTE_SIZES[usize::from(t & 0x7f)];
        let end = body + usize::from(size);
        match record.get(body..end) {
            Some(bytes) if t < 0x80 && size != RESERVED => {
                out.push(decode_value(u64::from(t), bytes).to_value());
            }
            _ => {
                out.truncate(start);
                return false;
            }
        }
        body = end;
    }
    true
}

/// Where the values of a record lie, read from the record's header as far as the values
/// asked for (SQLite's `OP_Column` does the same), so that reading one column of a wide row
/// decodes neither the other values nor the rest of the header. The buffer is reused from
/// record to record. Every length is checked against the record's bytes as [`decode_record`]
/// checks them.
#[derive(Debug, Default, Clone)]
pub struct RecordLayout {
    /// Per value read so far: where it lies.
    fields: Vec<Field>,
    /// The next serial type's offset in the header.
    header_pos: usize,
    /// The end of the header.
    header_end: usize,
    /// The next value's offset in the body.
    body_pos: usize,
}

impl RecordLayout {
    /// The layout of a record with no values.
    pub fn new() -> Self {
        RecordLayout::default()
    }

    /// Starts on `record`: reads its header size (CORRUPT if out of range).
    pub fn start(&mut self, record: &[u8]) -> Result<()> {
        self.clear();
        if record.len() > MAX_LAYOUT_RECORD {
            return Err(bad("record too large"));
        }
        let (header_len, pos) = read_varint(record).ok_or_else(|| bad("truncated header size"))?;
        if header_len > record.len() as u64 || (header_len as usize) < pos {
            return Err(bad("header size out of range"));
        }
        self.header_pos = pos;
        self.header_end = header_len as usize;
        self.body_pos = self.header_end;
        if self.header_end <= EAGER_HEADER {
            self.locate_short(record);
        }
        Ok(())
    }

    /// Locates the values of a short header at once while their serial types take one byte
    /// each (what most rows of narrow tables have): one tight loop instead of a call of
    /// `locate` per column read. Stops, leaving the rest to `locate`, at a longer or
    /// reserved type or a value that runs past the record, so that only a read of such a
    /// value reports it.
    fn locate_short(&mut self, record: &[u8]) {
        let types = record
            .get(self.header_pos..self.header_end)
            .unwrap_or_default();
        let mut body = self.body_pos;
        let mut left = record.len().saturating_sub(body);
        let mut read = 0;
        for &t in types {
            let size = ONE_BYTE_SIZES[usize::from(t & 0x7f)];
            if t >= 0x80 || size == RESERVED || usize::from(size) > left {
                break;
            }
            let size = usize::from(size);
            // `start` checked that the record's offsets fit in 32 bits (see
            // `MAX_LAYOUT_RECORD`).
            self.fields.push(Field {
                serial_type: u32::from(t),
                start: body as u32,
                end: (body + size) as u32,
            });
            read += 1;
            body += size;
            left -= size;
        }
        self.header_pos += read;
        self.body_pos = body;
    }

    /// Makes the layout that of a record with no values.
    pub fn clear(&mut self) {
        self.fields.clear();
        self.header_pos = 0;
        self.header_end = 0;
        self.body_pos = 0;
    }

    /// Reads the header of `record` (the bytes given to [`RecordLayout::start`]) until value
    /// `i` is located or the header ends. The loop keeps its positions in locals, so a
    /// one-byte serial type (the common case) costs a few instructions.
    fn locate(&mut self, record: &[u8], i: usize) -> Result<()> {
        if i < self.fields.len() || self.header_pos >= self.header_end {
            return Ok(());
        }
        // `start` checked that the header lies within the record.
        let header = record
            .get(..self.header_end)
            .ok_or_else(|| bad("header size out of range"))?;
        let mut pos = self.header_pos;
        let mut body = self.body_pos;
        let result = loop {
            let (t, n) = match header.get(pos) {
                None => break Ok(()),
                Some(&b) if b < 0x80 => (u64::from(b), 1),
                Some(_) => match read_varint(&header[pos..]) {
                    Some(read) => read,
                    None => break Err(bad("truncated serial type")),
                },
            };
            let Some(size) = serial_size(t) else {
                break Err(bad("reserved serial type"));
            };
            if size > record.len().saturating_sub(body) as u64 {
                break Err(bad("value runs past the end of the record"));
            }
            let end = body + size as usize;
            // `start` checked that the record's offsets fit in 32 bits, and so does the
            // type of a value within it (see `MAX_LAYOUT_RECORD`).
            self.fields.push(Field {
                serial_type: t as u32,
                start: body as u32,
                end: end as u32,
            });
            pos += n;
            body = end;
            if self.fields.len() > i {
                break Ok(());
            }
        };
        self.header_pos = pos;
        self.body_pos = body;
        result
    }

    /// The number of values in `record`.
    pub fn len(&mut self, record: &[u8]) -> Result<usize> {
        self.locate(record, usize::MAX - 1)?;
        Ok(self.fields.len())
    }

    /// Value `i` of `record`; `None` past the last value.
    #[inline]
    pub fn value<'a>(&mut self, record: &'a [u8], i: usize) -> Result<Option<ValueRef<'a>>> {
        Ok(self
            .field(record, i)?
            .map(|(t, bytes)| decode_value(u64::from(t), bytes)))
    }

    /// Value `i` of `record` when it is an integer, decoded without a [`ValueRef`]; None
    /// for another storage class or past the last value.
    #[inline]
    pub fn integer(&mut self, record: &[u8], i: usize) -> Result<Option<i64>> {
        Ok(match self.field(record, i)? {
            Some((t @ (1..=6 | 8 | 9), bytes)) => Some(decode_integer(u64::from(t), bytes)),
            _ => None,
        })
    }

    /// The serial type and body bytes of value `i` of `record`, located first if need be;
    /// `None` past the last value.
    #[inline]
    fn field<'a>(&mut self, record: &'a [u8], i: usize) -> Result<Option<(u32, &'a [u8])>> {
        if i >= self.fields.len() {
            self.locate(record, i)?;
        }
        let Some(field) = self.fields.get(i) else {
            return Ok(None);
        };
        // `locate` checked that the body lies within the record.
        Ok(record
            .get(field.start as usize..field.end as usize)
            .map(|bytes| (field.serial_type, bytes)))
    }
}

/// Where one value of a record lies.
#[derive(Debug, Clone, Copy)]
struct Field {
    /// Its serial type.
    serial_type: u32,
    /// The offset of its first body byte.
    start: u32,
    /// The offset just past its body.
    end: u32,
}

/// Decodes one value of serial type `t` from exactly its body bytes.
#[inline]
fn decode_value(t: u64, bytes: &[u8]) -> ValueRef<'_> {
    match t {
        0 => ValueRef::Null,
        1..=6 | 8 | 9 => ValueRef::Integer(decode_integer(t, bytes)),
        7 => {
            let mut raw = [0u8; 8];
            raw.copy_from_slice(bytes);
            ValueRef::Real(f64::from_bits(u64::from_be_bytes(raw)))
        }
        t if t % 2 == 0 => ValueRef::Blob(bytes),
        _ => ValueRef::Text(bytes),
    }
}

/// Decodes an integer of serial type `t` (1 to 6, 8 or 9) from exactly its body bytes.
#[inline]
fn decode_integer(t: u64, bytes: &[u8]) -> i64 {
    match t {
        8 => 0,
        9 => 1,
        // The big-endian two's complement integers of each size, sign-extended.
        _ => match *bytes {
            [a] => i64::from(a as i8),
            [a, b] => i64::from(i16::from_be_bytes([a, b])),
            [a, b, c] => (i64::from(a as i8) << 16) | i64::from(u16::from_be_bytes([b, c])),
            [a, b, c, d] => i64::from(i32::from_be_bytes([a, b, c, d])),
            [a, b, c, d, e, f] => {
                (i64::from(i16::from_be_bytes([a, b])) << 32)
                    | i64::from(u32::from_be_bytes([c, d, e, f]))
            }
            [a, b, c, d, e, f, g, h] => i64::from_be_bytes([a, b, c, d, e, f, g, h]),
            _ => decode_any_integer(bytes),
        },
    }
}

/// A big-endian two's complement integer of any length, sign-extended.
fn decode_any_integer(bytes: &[u8]) -> i64 {
    let mut v: i64 = if bytes.first().is_some_and(|&b| b & 0x80 != 0) {
        -1
    } else {
        0
    };
    for &b in bytes {
        v = (v << 8) | i64::from(b);
    }
    v
}

/// How one column of an index key sorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyColumn {
    /// The collation for TEXT values in this column.
    pub collation: Collation,
    /// True when the column sorts in descending order.
    pub descending: bool,
}

/// The sort order of an index's keys, column by column (SQLite's KeyInfo). Columns past the
/// end of `columns` (such as the trailing rowid) sort BINARY ascending.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyInfo {
    /// The columns, in key order.
    pub columns: Vec<KeyColumn>,
}

impl KeyInfo {
    /// A key of `n` BINARY ascending columns.
    pub fn binary(n: usize) -> Self {
        KeyInfo {
            columns: vec![KeyColumn::default(); n],
        }
    }

    /// Compares two keys column by column over their common prefix: a key that is a prefix of
    /// the other compares equal to it, which is what a seek on the leading columns wants.
    pub fn compare(&self, a: &[Value], b: &[Value]) -> Ordering {
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            let column = self.columns.get(i).copied().unwrap_or_default();
            let ord = x.compare(y, column.collation);
            let ord = if column.descending {
                ord.reverse()
            } else {
                ord
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    }

    /// Compares an encoded record with a decoded key over their common prefix, without
    /// decoding the record's values into owned ones. Inline, so that a seek's probes take
    /// the integer fast path without a call.
    #[inline]
    pub fn compare_record(&self, record: &[u8], key: &[Value]) -> Result<Ordering> {
        // A seek on a leading integer column (the common index probe) that the first value
        // decides, as SQLite's `vdbeRecordCompareInt` does.
        if let Some(ord) = self.compare_first_integer(record, key) {
            if ord != Ordering::Equal || key.len() == 1 {
                return Ok(ord);
            }
        }
        Ok(self.compare_record_inner(record, key, false)?.0)
    }

    /// As [`KeyInfo::compare_record`], then the record with fewer values first.
    pub fn compare_record_full(&self, record: &[u8], key: &[Value]) -> Result<Ordering> {
        match self.compare_first_integer(record, key) {
            Some(ord) if ord != Ordering::Equal => return Ok(ord),
            _ => {}
        }
        let (ord, fields) = self.compare_record_inner(record, key, true)?;
        Ok(ord.then(fields.cmp(&key.len())))
    }

    /// The comparison of the record's first value with `key`'s, read in place, when the key
    /// starts with an integer and the record with a short header whose first value is an
    /// integer that lies within it; `None` for anything else.
    #[inline]
    fn compare_first_integer(&self, record: &[u8], key: &[Value]) -> Option<Ordering> {
        let Some(Value::Integer(y)) = key.first() else {
            return None;
        };
        let (&header_len, &t) = (record.first()?, record.get(1)?);
        if !(2..0x80).contains(&header_len) || usize::from(header_len) > record.len() {
            return None;
        }
        let x = match t {
            8 => 0,
            9 => 1,
            1..=6 => {
                let size = usize::from(ONE_BYTE_SIZES[usize::from(t)]);
                let start = usize::from(header_len);
                decode_integer(u64::from(t), record.get(start..start + size)?)
            }
            _ => return None,
        };
        let ord = x.cmp(y);
        let descending = self.columns.first().is_some_and(|c| c.descending);
        Some(if descending { ord.reverse() } else { ord })
    }

    /// The prefix comparison and, when `count` is set, the record's number of values
    /// (counted only when equal). Out of line, so that the integer fast path of
    /// [`KeyInfo::compare_record`] keeps a small frame.
    #[inline(never)]
    fn compare_record_inner(
        &self,
        record: &[u8],
        key: &[Value],
        count: bool,
    ) -> Result<(Ordering, usize)> {
        let mut fields = RecordFields::new(record)?;
        let mut n = 0;
        for (i, y) in key.iter().enumerate() {
            let Some(x) = fields.next() else {
                return Ok((Ordering::Equal, n));
            };
            let x = x?;
            n += 1;
            let column = self.columns.get(i).copied().unwrap_or_default();
            let ord = x.compare(y, column.collation);
            let ord = if column.descending {
                ord.reverse()
            } else {
                ord
            };
            if ord != Ordering::Equal {
                return Ok((ord, n));
            }
        }
        if count {
            for x in fields {
                x?;
                n += 1;
            }
        }
        Ok((Ordering::Equal, n))
    }

    /// Compares two complete keys: as [`KeyInfo::compare`], then the shorter key first.
    pub fn compare_full(&self, a: &[Value], b: &[Value]) -> Ordering {
        self.compare(a, b).then(a.len().cmp(&b.len()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_layout_reads_what_it_is_asked_for_and_reports_only_bad_values_it_reaches() {
        let long_text = "x".repeat(100); // a two-byte serial type
        let values = [
            Value::Integer(300),
            Value::Null,
            Value::Text(long_text.as_str().into()),
            Value::Real(2.5),
            Value::Integer(1),
        ];
        let record = encode_record(&values).unwrap();
        let mut layout = RecordLayout::new();
        layout.start(&record).unwrap();
        for i in [4, 0, 2, 3, 1] {
            let got = layout.value(&record, i).unwrap().map(ValueRef::to_value);
            assert_eq!(got.as_ref(), Some(&values[i]), "value {i}");
        }
        assert_eq!(layout.value(&record, 5).unwrap(), None);
        assert_eq!(layout.len(&record).unwrap(), values.len());

        // Header [4, 1, 1, 11] (a reserved type third), body of two bytes.
        let bad_type = [4u8, 1, 1, 11, 5, 6];
        // Header [4, 1, 1, 4]: the third value's four bytes run past the end.
        let past_end = [4u8, 1, 1, 4, 5, 6];
        for bad in [&bad_type[..], &past_end[..]] {
            let mut layout = RecordLayout::new();
            layout.start(bad).unwrap();
            assert_eq!(layout.value(bad, 0).unwrap(), Some(ValueRef::Integer(5)));
            assert_eq!(layout.value(bad, 1).unwrap(), Some(ValueRef::Integer(6)));
            assert!(layout.value(bad, 2).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn integer_probes_compare_as_the_general_comparison_does() {
        let ints = [
            0i64,
            1,
            -1,
            2,
            127,
            128,
            -129,
            32_767,
            -32_769,
            8_388_608,
            2_147_483_648,
            -140_737_488_355_329,
            i64::MIN,
            i64::MAX,
        ];
        for descending in [false, true] {
            let info = KeyInfo {
                columns: vec![
                    KeyColumn {
                        collation: Collation::Binary,
                        descending,
                    };
                    2
                ],
            };
            for &x in &ints {
                let record = encode_record(&[Value::Integer(x), Value::Integer(7)]).unwrap();
                let stored = decode_record(&record).unwrap();
                for &y in &ints {
                    for key in [
                        vec![Value::Integer(y)],
                        vec![Value::Integer(y), Value::Integer(7)],
                        vec![Value::Integer(y), Value::Integer(8)],
                    ] {
                        assert_eq!(
                            info.compare_record(&record, &key).unwrap(),
                            info.compare(&stored, &key),
                            "{x} vs {key:?}, descending {descending}"
                        );
                        assert_eq!(
                            info.compare_record_full(&record, &key).unwrap(),
                            info.compare_full(&stored, &key),
                            "{x} vs {key:?}, descending {descending}"
                        );
                    }
                }
            }
        }
        // A record whose first value runs past its end is still reported.
        let mut short = encode_record(&[Value::Integer(1_000_000)]).unwrap();
        short.truncate(3);
        assert!(KeyInfo::binary(1)
            .compare_record(&short, &[Value::Integer(5)])
            .is_err());
        let lying = [9u8, 8];
        assert!(KeyInfo::binary(1)
            .compare_record(&lying, &[Value::Integer(5)])
            .is_err());
    }

    #[test]
    fn the_last_integer_of_a_record_is_its_last_value_when_an_integer() {
        let long_text = "z".repeat(80); // a two-byte serial type: the general path
        let rows = [
            vec![Value::Integer(7), Value::Integer(-300)],
            vec![Value::Text("ab".into()), Value::Integer(i64::MIN)],
            vec![Value::Null, Value::Real(1.5), Value::Integer(0)],
            vec![Value::Integer(1), Value::Text("x".into())],
            vec![
                Value::Text(long_text.as_str().into()),
                Value::Integer(i64::MAX),
            ],
            vec![Value::Integer(5)],
            vec![],
        ];
        for row in rows {
            let record = encode_record(&row).unwrap();
            let expected = match row.last() {
                Some(Value::Integer(i)) => Some(*i),
                _ => None,
            };
            assert_eq!(record_last_integer(&record).unwrap(), expected, "{row:?}");
        }
        // A last value past the record's end is reported.
        let mut cut = encode_record(&[Value::Integer(1), Value::Integer(1 << 40)]).unwrap();
        cut.truncate(cut.len() - 1);
        assert!(record_last_integer(&cut).is_err());
    }

    #[test]
    fn the_short_record_decode_agrees_with_the_general_one_or_declines() {
        let long_text = "y".repeat(70); // a two-byte serial type
        let rows = [
            vec![],
            vec![Value::Integer(7), Value::Integer(-300)],
            vec![Value::Null, Value::Real(-0.5), Value::Text("ab".into())],
            vec![
                Value::Blob(vec![1, 2, 3]),
                Value::Integer(0),
                Value::Integer(1),
            ],
            vec![Value::Integer(i64::MIN), Value::Integer(i64::MAX)],
            vec![Value::Text(long_text.as_str().into()), Value::Integer(2)],
        ];
        for row in rows {
            let record = encode_record(&row).unwrap();
            let mut out = vec![Value::Integer(99)];
            let short = decode_short_record_into(&record, &mut out);
            // Only a header with a two-byte serial type is declined.
            let two_byte = row
                .iter()
                .any(|v| matches!(v, Value::Text(t) if t.len() > 57));
            assert_eq!(short, !two_byte, "{row:?}");
            let mut expected = vec![Value::Integer(99)];
            if short {
                expected.extend(decode_record(&record).unwrap());
            }
            assert_eq!(out, expected, "{row:?}");
            // Every truncation is declined, leaving the buffer as it was, or decodes as
            // the general decode does.
            for cut in 0..record.len() {
                let mut out = vec![Value::Null];
                if decode_short_record_into(&record[..cut], &mut out) {
                    let mut expected = vec![Value::Null];
                    expected.extend(decode_record(&record[..cut]).unwrap());
                    assert_eq!(out, expected, "{row:?} cut at {cut}");
                } else {
                    assert_eq!(out, vec![Value::Null], "{row:?} cut at {cut}");
                }
            }
        }
        // Reserved serial types and a header size past the record are declined.
        let mut out = Vec::new();
        assert!(!decode_short_record_into(&[2, 10], &mut out));
        assert!(!decode_short_record_into(&[5, 1], &mut out));
        assert!(!decode_short_record_into(&[0], &mut out));
        assert!(out.is_empty());
    }

    #[test]
    fn integers_take_the_smallest_serial_type() {
        let cases = [
            (0i64, 8u64),
            (1, 9),
            (2, 1),
            (-1, 1),
            (127, 1),
            (128, 2),
            (-32768, 2),
            (32768, 3),
            (8_388_608, 4),
            (2_147_483_648, 5),
            (140_737_488_355_328, 6),
            (i64::MIN, 6),
            (-8_388_608, 3),
            (-8_388_609, 4),
            (-2_147_483_649, 5),
            (-140_737_488_355_328, 5),
            (i64::MAX, 6),
        ];
        for (v, t) in cases {
            assert_eq!(serial_type(&Value::Integer(v)), t, "{v}");
            let rec = encode_record(&[Value::Integer(v)]).unwrap();
            assert_eq!(decode_record(&rec).unwrap(), vec![Value::Integer(v)]);
        }
    }

    #[test]
    fn record_round_trips_every_class() {
        let values = vec![
            Value::Null,
            Value::Integer(-77),
            Value::Real(2.5),
            Value::Text("héllo".into()),
            Value::Blob(vec![0, 1, 2]),
            Value::Text(String::new().into()),
            Value::Blob(vec![7; 300]),
        ];
        let rec = encode_record(&values).unwrap();
        assert_eq!(rec[0] as usize, 9); // 6 one-byte types, one two-byte, the size byte
        assert_eq!(decode_record(&rec).unwrap(), values);
    }

    #[test]
    fn header_size_accounts_for_its_own_varint() {
        // 126 one-byte types fit a 127-byte header; 127 types need a 2-byte size: 129.
        let rec = encode_record(&vec![Value::Null; 126]).unwrap();
        assert_eq!(read_varint(&rec), Some((127, 1)));
        let rec = encode_record(&vec![Value::Null; 127]).unwrap();
        assert_eq!(read_varint(&rec), Some((129, 2)));
        assert_eq!(decode_record(&rec).unwrap().len(), 127);
    }

    #[test]
    fn lying_headers_are_corrupt() {
        assert!(decode_record(&[5, 1]).unwrap_err().is_corrupt());
        assert!(decode_record(&[2, 6, 0]).unwrap_err().is_corrupt());
        assert!(decode_record(&[2, 10]).unwrap_err().is_corrupt());
        assert!(decode_record(&[0x81]).unwrap_err().is_corrupt());
        assert!(decode_record(&[0]).unwrap_err().is_corrupt());
    }

    #[test]
    fn key_compare_honours_collation_and_desc() {
        let key = KeyInfo {
            columns: vec![
                KeyColumn {
                    collation: Collation::NoCase,
                    descending: false,
                },
                KeyColumn {
                    collation: Collation::Binary,
                    descending: true,
                },
            ],
        };
        let a = [
            Value::Text("ABC".into()),
            Value::Integer(5),
            Value::Integer(1),
        ];
        let b = [
            Value::Text("abc".into()),
            Value::Integer(4),
            Value::Integer(2),
        ];
        assert_eq!(key.compare(&a, &b), Ordering::Less);
        assert_eq!(key.compare(&a[..1], &b), Ordering::Equal);
        assert_eq!(key.compare_full(&a[..1], &b), Ordering::Less);
        let ra = encode_record(&a).unwrap();
        assert_eq!(key.compare_record(&ra, &b).unwrap(), Ordering::Less);
        assert_eq!(key.compare_record_full(&ra, &a).unwrap(), Ordering::Equal);
        assert_eq!(
            key.compare_record_full(&ra, &a[..2]).unwrap(),
            Ordering::Greater
        );
        assert_eq!(key.compare_record(&ra, &a[..2]).unwrap(), Ordering::Equal);
    }
}
