//! Date and time functions: `date`, `time`, `datetime`, `julianday`, `unixepoch`, `strftime`.
//!
//! Every function reads a time value and a list of modifiers into one [`DateTime`], then
//! prints it. The canonical form is the Julian day in milliseconds (`jd_ms`): noon of
//! -4713-11-24 (proleptic Gregorian) is 0, and 1970-01-01 00:00:00 is 210866760000000.
//! Calendar fields (year, month, day) and clock fields (hour, minute, second) are derived from
//! it on demand and back, with the same integer formulas SQLite uses, so month arithmetic and
//! overflowing days (`2023-01-31 +1 month` is `2023-03-03`) come out the same.
//!
//! | input | meaning |
//! | --- | --- |
//! | `YYYY-MM-DD [HH:MM[:SS[.FFF]]][tz]` | a date, optionally with a time (`T` or spaces between) |
//! | `HH:MM[:SS[.FFF]][tz]` | a time on 2000-01-01 |
//! | a number, or text that is one | a Julian day number (or, with `unixepoch`/`auto`, seconds) |
//! | `now` | the statement's current time (from [`FuncContext`](super::FuncContext)) |
//!
//! Modifiers: `±N days|hours|minutes|seconds|months|years`, `±HH:MM[:SS]`,
//! `±YYYY-MM-DD[ HH:MM]`, `start of day|month|year`, `weekday N`, `unixepoch`, `julianday`,
//! `auto`, `subsec`, `ceiling`, `floor`, and `localtime`/`utc`, which concur treats as the
//! identity (local time is UTC). Anything invalid makes the result NULL.

use concur_btree::Value;

use super::core::nondeterministic;
use super::error::FuncError;
use super::registry::{Arity, FuncCall, ScalarFunction};
use super::text::c_string;
use crate::value::numeric::{is_space, parse_real, to_real, RealForm};
use crate::value::render::{format_float, FloatFormat, FloatStyle};

/// The functions of this file. They read 'now', so none is deterministic.
pub const FUNCTIONS: &[ScalarFunction] = &[
    nondeterministic("date", Arity::AtLeast(0), date),
    nondeterministic("time", Arity::AtLeast(0), time),
    nondeterministic("datetime", Arity::AtLeast(0), datetime),
    nondeterministic("julianday", Arity::AtLeast(0), julianday),
    nondeterministic("unixepoch", Arity::AtLeast(0), unixepoch),
    nondeterministic("strftime", Arity::AtLeast(0), strftime),
];

/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;
/// `jd_ms` of 1970-01-01 00:00:00.
const UNIX_EPOCH_JD_MS: i64 = 210_866_760_000_000;
/// The largest valid `jd_ms` (9999-12-31 23:59:59.999).
const MAX_JD_MS: i64 = 464_269_060_799_999;

/// A point in time being computed (SQLite's `DateTime`).
#[derive(Debug, Clone, Copy, Default)]
pub struct DateTime {
    /// Julian day in milliseconds, when `valid_jd`.
    jd_ms: i64,
    /// Year (may be negative), when `valid_ymd`.
    year: i32,
    /// Month 1..=12.
    month: i32,
    /// Day of the month (may exceed the month's length until normalized).
    day: i32,
    /// Hour, when `valid_hms`.
    hour: i32,
    /// Minute.
    minute: i32,
    /// Seconds with fraction; the raw number while `raw_number`.
    second: f64,
    /// Time zone offset in minutes of a parsed `±HH:MM`.
    tz_minutes: i32,
    /// `jd_ms` is current.
    valid_jd: bool,
    /// The calendar fields are current.
    valid_ymd: bool,
    /// The clock fields are current.
    valid_hms: bool,
    /// The input was a bare number, still in `second`, not yet interpreted.
    raw_number: bool,
    /// `subsec`: print milliseconds.
    subsec: bool,
    /// Days past the end of the month in the calendar fields (for `floor`).
    floor_days: i32,
    /// Something was out of range.
    error: bool,
    /// The value is known to be UTC (a `Z` or offset was given, or `utc` applied).
    is_utc: bool,
    /// `localtime` was applied.
    is_local: bool,
}

/// Reads fixed-width digit fields: each `(digits, min, max, separator)`; a separator of
/// `None` is not checked. Returns the values, or `None` if any field is malformed.
fn digits(text: &[u8], fields: &[(usize, i32, i32, Option<u8>)]) -> Option<Vec<i32>> {
    let mut at = 0;
    let mut out = Vec::with_capacity(fields.len());
    for &(n, min, max, separator) in fields {
        let mut v = 0i32;
        for _ in 0..n {
            let d = *text.get(at)?;
            if !d.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i32::from(d - b'0');
            at += 1;
        }
        if v < min || v > max {
            return None;
        }
        if let Some(sep) = separator {
            if text.get(at) != Some(&sep) {
                return None;
            }
            at += 1;
        }
        out.push(v);
    }
    Some(out)
}

/// Skips SQLite white space.
fn skip_spaces(text: &[u8], mut at: usize) -> usize {
    while text.get(at).is_some_and(|&b| is_space(b)) {
        at += 1;
    }
    at
}

impl DateTime {
    /// A bare number: a Julian day if in range; kept raw for `unixepoch`/`auto`.
    fn set_raw_number(&mut self, r: f64) {
        self.second = r;
        self.raw_number = true;
        if (0.0..5_373_484.5).contains(&r) {
            self.jd_ms = (r * 86_400_000.0 + 0.5) as i64;
            self.valid_jd = true;
        }
    }

    /// `jd_ms` of now.
    fn set_now(&mut self, now_unix_ms: i64) {
        self.jd_ms = now_unix_ms.saturating_add(UNIX_EPOCH_JD_MS);
        self.valid_jd = true;
    }

    /// Days past the end of the month, for `floor`.
    fn compute_floor(&mut self) {
        let (y, m, d) = (self.year, self.month, self.day);
        self.floor_days = if d <= 28 || (1 << m.clamp(0, 31)) & 0x15aa != 0 {
            0
        } else if m != 2 {
            i32::from(d == 31)
        } else if y % 4 != 0 || (y % 100 == 0 && y % 400 != 0) {
            d - 28
        } else {
            d - 29
        };
    }

    /// The calendar and clock fields to `jd_ms`.
    fn compute_jd(&mut self) {
        if self.valid_jd {
            return;
        }
        if self.error {
            return;
        }
        let (mut y, mut m, d) = if self.valid_ymd {
            (self.year, self.month, self.day)
        } else {
            (2000, 1, 1)
        };
        if !(-4713..=9999).contains(&y) || self.raw_number {
            self.error = true;
            return;
        }
        if m <= 2 {
            y -= 1;
            m += 12;
        }
        let a = y / 100;
        let b = 2 - a + a / 4;
        let x1 = 36525 * (y + 4716) / 100;
        let x2 = 306_001 * (m + 1) / 10000;
        self.jd_ms = ((f64::from(x1 + x2 + d + b) - 1524.5) * 86_400_000.0) as i64;
        self.valid_jd = true;
        if self.valid_hms {
            self.jd_ms += i64::from(self.hour) * 3_600_000
                + i64::from(self.minute) * 60_000
                + (self.second * 1000.0 + 0.5) as i64;
            if self.tz_minutes != 0 {
                self.jd_ms -= i64::from(self.tz_minutes) * 60_000;
                self.valid_ymd = false;
                self.valid_hms = false;
                self.tz_minutes = 0;
                self.is_utc = true;
                self.is_local = false;
            }
        }
    }

    /// `jd_ms` to the calendar fields.
    fn compute_ymd(&mut self) {
        if self.valid_ymd {
            return;
        }
        if !self.valid_jd {
            (self.year, self.month, self.day) = (2000, 1, 1);
        } else if !(0..=MAX_JD_MS).contains(&self.jd_ms) {
            self.error = true;
            return;
        } else {
            let z = ((self.jd_ms + 43_200_000) / DAY_MS) as i32;
            let a = ((f64::from(z) - 1_867_216.25) / 36_524.25) as i32;
            let a = z + 1 + a - a / 4;
            let b = a + 1524;
            let c = ((f64::from(b) - 122.1) / 365.25) as i32;
            let d = (36525 * (c & 32767)) / 100;
            let e = (f64::from(b - d) / 30.6001) as i32;
            let x1 = (30.6001 * f64::from(e)) as i32;
            self.day = b - d - x1;
            self.month = if e < 14 { e - 1 } else { e - 13 };
            self.year = if self.month > 2 { c - 4716 } else { c - 4715 };
        }
        self.valid_ymd = true;
    }

    /// `jd_ms` to the clock fields.
    fn compute_hms(&mut self) {
        if self.valid_hms {
            return;
        }
        self.compute_jd();
        let day_ms = (self.jd_ms.saturating_add(43_200_000) % DAY_MS) as i32;
        self.second = f64::from(day_ms % 60_000) / 1000.0;
        let day_min = day_ms / 60_000;
        self.minute = day_min % 60;
        self.hour = day_min / 60;
        self.raw_number = false;
        self.valid_hms = true;
    }

    /// Both field sets.
    fn compute_ymd_hms(&mut self) {
        self.compute_ymd();
        self.compute_hms();
    }

    /// Forgets the fields (after `jd_ms` changed).
    fn clear_fields(&mut self) {
        self.valid_ymd = false;
        self.valid_hms = false;
        self.tz_minutes = 0;
    }

    /// Parses `[±]HH:MM` / `Z` after a time; true on success (the rest must be blank).
    fn parse_timezone(&mut self, text: &[u8], at: usize) -> bool {
        let mut at = skip_spaces(text, at);
        self.tz_minutes = 0;
        let sign = match text.get(at) {
            Some(b'-') => -1,
            Some(b'+') => 1,
            Some(b'Z' | b'z') => {
                at += 1;
                self.is_local = false;
                self.is_utc = true;
                return skip_spaces(text, at) == text.len();
            }
            None => return true,
            Some(_) => return false,
        };
        at += 1;
        let Some(v) = digits(
            text.get(at..).unwrap_or(&[]),
            &[(2, 0, 14, Some(b':')), (2, 0, 59, None)],
        ) else {
            return false;
        };
        self.tz_minutes = sign * (v[1] + v[0] * 60);
        skip_spaces(text, at + 5) == text.len()
    }

    /// Parses `HH:MM[:SS[.FFF]][tz]`.
    fn parse_hms(&mut self, text: &[u8]) -> bool {
        let Some(hm) = digits(text, &[(2, 0, 24, Some(b':')), (2, 0, 59, None)]) else {
            return false;
        };
        let mut at = 5;
        let mut second = 0.0;
        if text.get(at) == Some(&b':') {
            at += 1;
            let Some(s) = digits(text.get(at..).unwrap_or(&[]), &[(2, 0, 59, None)]) else {
                return false;
            };
            at += 2;
            second = f64::from(s[0]);
            if text.get(at) == Some(&b'.') && text.get(at + 1).is_some_and(u8::is_ascii_digit) {
                at += 1;
                let (mut fraction, mut scale) = (0.0, 1.0);
                while let Some(d) = text.get(at).filter(|d| d.is_ascii_digit()) {
                    fraction = fraction * 10.0 + f64::from(d - b'0');
                    scale *= 10.0;
                    at += 1;
                }
                second += fraction / scale;
            }
        }
        self.valid_jd = false;
        self.raw_number = false;
        self.valid_hms = true;
        self.hour = hm[0];
        self.minute = hm[1];
        self.second = second;
        self.parse_timezone(text, at)
    }

    /// Parses `[-]YYYY-MM-DD[ HH:MM...]`.
    fn parse_ymd(&mut self, text: &[u8]) -> bool {
        let (negative, body) = match text.first() {
            Some(b'-') => (true, text.get(1..).unwrap_or(&[])),
            _ => (false, text),
        };
        let Some(ymd) = digits(
            body,
            &[
                (4, 0, 9999, Some(b'-')),
                (2, 1, 12, Some(b'-')),
                (2, 1, 31, None),
            ],
        ) else {
            return false;
        };
        let mut at = 10;
        while body.get(at).is_some_and(|&b| is_space(b) || b == b'T') {
            at += 1;
        }
        let rest = body.get(at..).unwrap_or(&[]);
        if !rest.is_empty() {
            if !self.parse_hms(rest) {
                return false;
            }
        } else {
            self.valid_hms = false;
        }
        self.valid_jd = false;
        self.valid_ymd = true;
        self.year = if negative { -ymd[0] } else { ymd[0] };
        self.month = ymd[1];
        self.day = ymd[2];
        self.compute_floor();
        if self.tz_minutes != 0 {
            self.compute_jd();
        }
        true
    }

    /// Reads the first argument: text in one of the formats, a number, or 'now'.
    fn parse_time_value(&mut self, value: &Value, now_unix_ms: i64) -> bool {
        match value {
            Value::Null => false,
            Value::Integer(_) | Value::Real(_) => {
                self.set_raw_number(to_real(value));
                true
            }
            other => {
                let text = c_string(other);
                let bytes = text.as_bytes();
                if self.parse_ymd(bytes) {
                    return true;
                }
                *self = DateTime::default();
                if self.parse_hms(bytes) {
                    return true;
                }
                *self = DateTime::default();
                if text.eq_ignore_ascii_case("now") {
                    self.set_now(now_unix_ms);
                    return true;
                }
                let (r, form) = parse_real(bytes);
                if matches!(form, RealForm::PureInteger | RealForm::PureReal) {
                    self.set_raw_number(r);
                    return true;
                }
                if text.eq_ignore_ascii_case("subsec") || text.eq_ignore_ascii_case("subsecond") {
                    self.subsec = true;
                    self.set_now(now_unix_ms);
                    return true;
                }
                false
            }
        }
    }

    /// Applies one modifier (`index` is its argument position, 1 for the first).
    fn apply_modifier(&mut self, modifier: &str, index: usize) -> bool {
        let lower = modifier.to_ascii_lowercase();
        match lower.as_str() {
            "auto" => {
                if index > 1 {
                    return false;
                }
                if !self.raw_number || self.valid_jd {
                    self.raw_number = false;
                } else if self.second >= -210_866_760_000.0 && self.second <= 253_402_300_799.0 {
                    self.set_unix_seconds();
                }
                true
            }
            "ceiling" => {
                self.compute_jd();
                self.clear_fields();
                self.floor_days = 0;
                true
            }
            "floor" => {
                self.compute_jd();
                self.jd_ms = self
                    .jd_ms
                    .saturating_sub(i64::from(self.floor_days) * DAY_MS);
                self.clear_fields();
                true
            }
            "julianday" => {
                if index > 1 || !(self.valid_jd && self.raw_number) {
                    return false;
                }
                self.raw_number = false;
                true
            }
            "localtime" => {
                if !self.is_local {
                    self.convert_to_local();
                }
                self.is_utc = false;
                self.is_local = true;
                true
            }
            "utc" => {
                if !self.is_utc {
                    // Local time is UTC, so the conversion keeps the instant; like SQLite it
                    // resets everything else (a pending error and `subsec` included).
                    self.compute_jd();
                    let jd_ms = if self.error { 0 } else { self.jd_ms };
                    *self = DateTime {
                        jd_ms,
                        valid_jd: true,
                        is_utc: true,
                        ..DateTime::default()
                    };
                }
                true
            }
            "unixepoch" => {
                if index > 1 || !self.raw_number {
                    return false;
                }
                let r = self.second * 1000.0 + UNIX_EPOCH_JD_MS as f64;
                if !(0.0..464_269_060_800_000.0).contains(&r) {
                    return false;
                }
                self.set_unix_seconds();
                true
            }
            "subsec" | "subsecond" => {
                self.subsec = true;
                true
            }
            _ => {
                if let Some(unit) = lower.strip_prefix("start of ") {
                    self.start_of(unit)
                } else if let Some(n) = lower.strip_prefix("weekday ") {
                    self.weekday(n)
                } else if lower
                    .as_bytes()
                    .first()
                    .is_some_and(|&b| b == b'+' || b == b'-' || b.is_ascii_digit())
                {
                    self.shift(&lower)
                } else {
                    false
                }
            }
        }
    }

    /// `localtime` with local time being UTC: the fields are recomputed (normalized) from the
    /// instant. As in SQLite, a value that could not be computed becomes 2000-01-01 00:00:00.
    fn convert_to_local(&mut self) {
        self.compute_jd();
        let subsec = self.subsec;
        if self.error {
            *self = DateTime {
                subsec,
                ..DateTime::default()
            };
            self.compute_ymd();
            self.compute_hms();
            self.valid_jd = false;
            return;
        }
        self.clear_fields();
        self.raw_number = false;
        self.compute_ymd_hms();
    }

    /// Interprets the raw number as Unix seconds.
    fn set_unix_seconds(&mut self) {
        let r = self.second * 1000.0 + UNIX_EPOCH_JD_MS as f64;
        self.clear_fields();
        self.jd_ms = (r + 0.5) as i64;
        self.valid_jd = true;
        self.raw_number = false;
    }

    /// `start of day|month|year`.
    fn start_of(&mut self, unit: &str) -> bool {
        if !self.valid_jd && !self.valid_ymd && !self.valid_hms {
            return false;
        }
        self.compute_ymd();
        self.valid_hms = true;
        self.hour = 0;
        self.minute = 0;
        self.second = 0.0;
        self.raw_number = false;
        self.tz_minutes = 0;
        self.valid_jd = false;
        match unit {
            "month" => self.day = 1,
            "year" => {
                self.month = 1;
                self.day = 1;
            }
            "day" => {}
            _ => return false,
        }
        true
    }

    /// `weekday N`: forward to the next day that is weekday N (0 = Sunday), or stay.
    fn weekday(&mut self, n: &str) -> bool {
        let (r, form) = parse_real(n.as_bytes());
        if !matches!(form, RealForm::PureInteger | RealForm::PureReal)
            || !(0.0..7.0).contains(&r)
            || r.fract() != 0.0
        {
            return false;
        }
        let n = r as i64;
        self.compute_ymd_hms();
        self.tz_minutes = 0;
        self.valid_jd = false;
        self.compute_jd();
        let mut z = ((self.jd_ms + 129_600_000) / DAY_MS) % 7;
        if z > n {
            z -= 7;
        }
        self.jd_ms = self.jd_ms.saturating_add((n - z) * DAY_MS);
        self.clear_fields();
        true
    }

    /// `±N unit`, `±HH:MM[:SS]` and `±YYYY-MM-DD[ HH:MM]` shifts.
    fn shift(&mut self, modifier: &str) -> bool {
        let bytes = modifier.as_bytes();
        let first = bytes.first().copied().unwrap_or(b'+');
        let mut n = 1;
        while let Some(&c) = bytes.get(n) {
            if c == b':' || is_space(c) {
                break;
            }
            if c == b'-'
                && ((n == 5 && digits(&bytes[1..], &[(4, 0, 9999, None)]).is_some())
                    || (n == 6 && digits(&bytes[1..], &[(5, 0, 99999, None)]).is_some()))
            {
                break;
            }
            n += 1;
        }
        let (r, form) = parse_real(bytes.get(..n).unwrap_or(&[]));
        if !matches!(form, RealForm::PureInteger | RealForm::PureReal) {
            return false;
        }
        let mut clock: Option<&[u8]> = None;
        if bytes.get(n) == Some(&b'-') {
            if first != b'+' && first != b'-' {
                return false;
            }
            let (body, skip) = if n == 5 {
                (bytes.get(1..).unwrap_or(&[]), 0)
            } else {
                (bytes.get(1..).unwrap_or(&[]), 1)
            };
            let year_digits = if n == 5 { 4 } else { 5 };
            let Some(ymd) = digits(
                body,
                &[
                    (year_digits, 0, 99999, Some(b'-')),
                    (2, 0, 11, Some(b'-')),
                    (2, 0, 30, None),
                ],
            ) else {
                return false;
            };
            let (y, m, mut d) = (ymd[0], ymd[1], ymd[2]);
            self.compute_ymd_hms();
            self.valid_jd = false;
            if first == b'-' {
                self.year -= y;
                self.month -= m;
                d = -d;
            } else {
                self.year += y;
                self.month += m;
            }
            self.normalize_month();
            self.compute_floor();
            self.compute_jd();
            self.valid_hms = false;
            self.valid_ymd = false;
            self.jd_ms = self.jd_ms.saturating_add(i64::from(d) * DAY_MS);
            let end = 11 + skip;
            match bytes.get(end) {
                None => return true,
                Some(&c) if is_space(c) => {
                    let rest = bytes.get(end + 1..).unwrap_or(&[]);
                    if digits(rest, &[(2, 0, 24, Some(b':')), (2, 0, 59, None)]).is_none() {
                        return false;
                    }
                    clock = Some(rest);
                }
                Some(_) => return false,
            }
        } else if bytes.get(n) == Some(&b':') {
            let start = usize::from(!first.is_ascii_digit());
            clock = Some(bytes.get(start..).unwrap_or(&[]));
        }
        if let Some(clock) = clock {
            let mut offset = DateTime::default();
            if !offset.parse_hms(clock) {
                return false;
            }
            offset.compute_jd();
            let mut ms = offset.jd_ms - 43_200_000;
            ms -= (ms / DAY_MS) * DAY_MS;
            if first == b'-' {
                ms = -ms;
            }
            self.compute_jd();
            self.clear_fields();
            self.jd_ms = self.jd_ms.saturating_add(ms);
            return true;
        }
        // ±N unit
        let unit = modifier
            .get(n..)
            .unwrap_or("")
            .trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8));
        if unit.len() < 3 || unit.len() > 10 {
            return false;
        }
        let unit = unit.strip_suffix('s').unwrap_or(unit);
        let (limit, seconds_per_unit) = match unit {
            "second" => (4.6427e14, 1.0),
            "minute" => (7.7379e12, 60.0),
            "hour" => (1.2897e11, 3600.0),
            "day" => (5_373_485.0, 86400.0),
            "month" => (176_546.0, 30.0 * 86400.0),
            "year" => (14713.0, 365.0 * 86400.0),
            _ => return false,
        };
        if !(r > -limit && r < limit) {
            return false;
        }
        self.compute_jd();
        let rounder = if r < 0.0 { -0.5 } else { 0.5 };
        self.floor_days = 0;
        let mut r = r;
        if unit == "month" || unit == "year" {
            self.compute_ymd_hms();
            if unit == "month" {
                self.month += r as i32;
            } else {
                self.year += r as i32;
            }
            self.normalize_month();
            self.compute_floor();
            self.valid_jd = false;
            r -= f64::from(r as i32);
        }
        self.compute_jd();
        self.jd_ms = self
            .jd_ms
            .saturating_add((r * 1000.0 * seconds_per_unit + rounder) as i64);
        self.clear_fields();
        true
    }

    /// Brings the month into 1..=12, carrying into the year.
    fn normalize_month(&mut self) {
        let x = if self.month > 0 {
            (self.month - 1) / 12
        } else {
            (self.month - 12) / 12
        };
        self.year += x;
        self.month -= x * 12;
    }
}

/// Reads the time value and modifiers of a call (SQLite's `isDate`); `None` means NULL.
fn read_date(call: &FuncCall<'_>, args: &[Value]) -> Option<DateTime> {
    let mut p = DateTime::default();
    let now = call.context.now_unix_ms();
    match args.first() {
        None => p.set_now(now),
        Some(v) => {
            if !p.parse_time_value(v, now) {
                return None;
            }
        }
    }
    for (i, m) in args.iter().enumerate().skip(1) {
        if matches!(m, Value::Null) || !p.apply_modifier(&c_string(m), i) {
            return None;
        }
    }
    p.compute_jd();
    if p.error || !(0..=MAX_JD_MS).contains(&p.jd_ms) {
        return None;
    }
    if args.len() == 1 && p.valid_ymd && p.day > 28 {
        p.valid_ymd = false;
    }
    p.compute_ymd_hms();
    if p.error {
        return None;
    }
    Some(p)
}

/// `YYYY-MM-DD` (a leading `-` for years before 1).
fn date_text(p: &DateTime) -> String {
    let sign = if p.year < 0 { "-" } else { "" };
    format!(
        "{sign}{:04}-{:02}-{:02}",
        p.year.abs() % 10000,
        p.month,
        p.day
    )
}

/// `HH:MM:SS` or, with `subsec`, `HH:MM:SS.SSS`.
fn time_text(p: &DateTime) -> String {
    if p.subsec {
        let ms = (1000.0 * p.second + 0.5) as i32;
        format!(
            "{:02}:{:02}:{:02}.{:03}",
            p.hour,
            p.minute,
            ms / 1000 % 100,
            ms % 1000
        )
    } else {
        format!(
            "{:02}:{:02}:{:02}",
            p.hour,
            p.minute,
            (p.second as i32) % 100
        )
    }
}

/// `date(...)`.
fn date(call: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(read_date(call, args).map_or(Value::Null, |p| Value::Text(date_text(&p).into())))
}

/// `time(...)`.
fn time(call: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(read_date(call, args).map_or(Value::Null, |p| Value::Text(time_text(&p).into())))
}

/// `datetime(...)`.
fn datetime(call: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(read_date(call, args).map_or(Value::Null, |p| {
        Value::Text(format!("{} {}", date_text(&p), time_text(&p)).into())
    }))
}

/// `julianday(...)`: the Julian day as a real.
fn julianday(call: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(read_date(call, args).map_or(Value::Null, |p| Value::Real(p.jd_ms as f64 / 86_400_000.0)))
}

/// `unixepoch(...)`: seconds since 1970 (a real with `subsec`).
fn unixepoch(call: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(read_date(call, args).map_or(Value::Null, |p| {
        if p.subsec {
            Value::Real((p.jd_ms - UNIX_EPOCH_JD_MS) as f64 / 1000.0)
        } else {
            Value::Integer(p.jd_ms / 1000 - UNIX_EPOCH_JD_MS / 1000)
        }
    }))
}

/// Days since January 1 of the same year.
fn days_after_jan01(p: &DateTime) -> i64 {
    let mut jan01 = *p;
    jan01.valid_jd = false;
    jan01.month = 1;
    jan01.day = 1;
    jan01.valid_ymd = true;
    jan01.compute_jd();
    (p.jd_ms - jan01.jd_ms + 43_200_000) / DAY_MS
}

/// 0 for Monday .. 6 for Sunday.
fn days_after_monday(p: &DateTime) -> i64 {
    ((p.jd_ms + 43_200_000) / DAY_MS) % 7
}

/// 0 for Sunday .. 6 for Saturday.
fn days_after_sunday(p: &DateTime) -> i64 {
    ((p.jd_ms + 129_600_000) / DAY_MS) % 7
}

/// The Thursday of the ISO week of `p`.
fn iso_thursday(p: &DateTime) -> DateTime {
    let mut y = *p;
    y.jd_ms += (3 - days_after_monday(p)) * DAY_MS;
    y.valid_ymd = false;
    y.compute_ymd();
    y
}

/// `%.Nf`/`%.16g` through SQLite's printf rules.
fn sqlite_float(r: f64, style: FloatStyle, precision: usize) -> String {
    format_float(
        r,
        &FloatFormat {
            style,
            precision: Some(precision),
            alternate: false,
            alternate2: false,
            sign_prefix: None,
            thousands: false,
            zero_pad: false,
            upper: false,
        },
    )
}

/// `strftime(FORMAT, ...)`: NULL for an unknown `%` conversion.
fn strftime(call: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    let format = match args.first() {
        None | Some(Value::Null) => return Ok(Value::Null),
        Some(f) => c_string(f),
    };
    let Some(p) = read_date(call, args.get(1..).unwrap_or(&[])) else {
        return Ok(Value::Null);
    };
    let mut out = String::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(conversion) = chars.next() else {
            // A trailing '%' is an unknown conversion too.
            return Ok(Value::Null);
        };
        match conversion {
            'd' => out.push_str(&format!("{:02}", p.day)),
            'e' => out.push_str(&format!("{:2}", p.day)),
            'f' => {
                let s = p.second.min(59.999);
                let text = sqlite_float(s, FloatStyle::Fixed, 3);
                out.push_str(&format!("{text:0>6}"));
            }
            'F' => out.push_str(&format!("{:04}-{:02}-{:02}", p.year, p.month, p.day)),
            'G' => out.push_str(&format!("{:04}", iso_thursday(&p).year)),
            'g' => out.push_str(&format!("{:02}", iso_thursday(&p).year % 100)),
            'H' => out.push_str(&format!("{:02}", p.hour)),
            'k' => out.push_str(&format!("{:2}", p.hour)),
            'I' | 'l' => {
                let h = match p.hour {
                    0 => 12,
                    h if h > 12 => h - 12,
                    h => h,
                };
                out.push_str(&if conversion == 'I' {
                    format!("{h:02}")
                } else {
                    format!("{h:2}")
                });
            }
            'j' => out.push_str(&format!("{:03}", days_after_jan01(&p) + 1)),
            'J' => out.push_str(&sqlite_float(
                p.jd_ms as f64 / 86_400_000.0,
                FloatStyle::General,
                16,
            )),
            'm' => out.push_str(&format!("{:02}", p.month)),
            'M' => out.push_str(&format!("{:02}", p.minute)),
            'p' => out.push_str(if p.hour >= 12 { "PM" } else { "AM" }),
            'P' => out.push_str(if p.hour >= 12 { "pm" } else { "am" }),
            'R' => out.push_str(&format!("{:02}:{:02}", p.hour, p.minute)),
            's' => {
                if p.subsec {
                    out.push_str(&sqlite_float(
                        (p.jd_ms - UNIX_EPOCH_JD_MS) as f64 / 1000.0,
                        FloatStyle::Fixed,
                        3,
                    ));
                } else {
                    out.push_str(&(p.jd_ms / 1000 - UNIX_EPOCH_JD_MS / 1000).to_string());
                }
            }
            'S' => out.push_str(&format!("{:02}", p.second as i32)),
            'T' => out.push_str(&format!(
                "{:02}:{:02}:{:02}",
                p.hour, p.minute, p.second as i32
            )),
            'u' => {
                let d = days_after_sunday(&p);
                out.push_str(&(if d == 0 { 7 } else { d }).to_string());
            }
            'w' => out.push_str(&days_after_sunday(&p).to_string()),
            'U' => out.push_str(&format!(
                "{:02}",
                (days_after_jan01(&p) - days_after_sunday(&p) + 7) / 7
            )),
            'V' => out.push_str(&format!(
                "{:02}",
                days_after_jan01(&iso_thursday(&p)) / 7 + 1
            )),
            'W' => out.push_str(&format!(
                "{:02}",
                (days_after_jan01(&p) - days_after_monday(&p) + 7) / 7
            )),
            'Y' => out.push_str(&format!("{:04}", p.year)),
            '%' => out.push('%'),
            _ => return Ok(Value::Null),
        }
    }
    Ok(Value::Text(out.into()))
}
