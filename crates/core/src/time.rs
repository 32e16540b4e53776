//! Time: UTC epoch milliseconds inside ([`EpochMs`]), Asia/Shanghai on screen and for naive
//! input. Feeds write timestamps many ways; [`parse_timestamp`] reads RFC 3339,
//! `YYYY-MM-DD HH:MM[:SS[.fff]]` (also with `/` or `.` between date parts, or `T` before the
//! time, optionally followed by `Z` or an offset), compact `YYYYMMDD[HHMM[SS]]`, dates alone, and
//! 10/13-digit Unix seconds/milliseconds. A value without offset is Asia/Shanghai local time.

use crate::chars;
use crate::error_code::{Coded, ErrorCode};
use crate::event::EpochMs;
use crate::reason::Reasoned;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::{Asia::Shanghai, Tz};

/// Why a timestamp was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("时间为空 / timestamp is empty")]
    Empty,
    #[error("时间格式无法识别 / timestamp is not in a known format")]
    BadFormat,
    #[error("日期或时间不存在 / date or time does not exist (e.g. month 13)")]
    OutOfRange,
}

impl Reasoned for TimeError {
    fn reason(&self) -> &'static str {
        match self {
            TimeError::Empty => "empty",
            TimeError::BadFormat => "bad_format",
            TimeError::OutOfRange => "out_of_range",
        }
    }
}

impl Coded for TimeError {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidTime
    }
}

/// The current time.
pub fn now_ms() -> EpochMs {
    Utc::now().timestamp_millis()
}

/// A wall-clock time in Asia/Shanghai as epoch ms (the earlier instant when ambiguous).
pub fn from_shanghai(naive: NaiveDateTime) -> Result<EpochMs, TimeError> {
    Shanghai
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp_millis())
        .ok_or(TimeError::OutOfRange)
}

/// Midnight at the start of `date` in Asia/Shanghai.
pub fn shanghai_midnight(date: NaiveDate) -> Result<EpochMs, TimeError> {
    from_shanghai(date.and_time(NaiveTime::MIN))
}

/// The instant in Asia/Shanghai; `None` outside chrono's range.
pub fn to_shanghai(ms: EpochMs) -> Option<DateTime<Tz>> {
    DateTime::<Utc>::from_timestamp_millis(ms).map(|t| t.with_timezone(&Shanghai))
}

/// `2026-01-02 11:04:05` in Asia/Shanghai.
pub fn format_shanghai(ms: EpochMs) -> String {
    match to_shanghai(ms) {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => ms.to_string(),
    }
}

/// `20260102110405`: Asia/Shanghai to the second, digits only, as record ids carry it (the epoch
/// milliseconds when out of the calendar's range).
pub fn shanghai_stamp(ms: EpochMs) -> String {
    match to_shanghai(ms) {
        Some(t) => t.format("%Y%m%d%H%M%S").to_string(),
        None => ms.to_string(),
    }
}

/// `2026-01-02` in Asia/Shanghai.
pub fn format_shanghai_date(ms: EpochMs) -> String {
    match to_shanghai(ms) {
        Some(t) => t.format("%Y-%m-%d").to_string(),
        None => ms.to_string(),
    }
}

/// The calendar date in Asia/Shanghai.
pub fn shanghai_date(ms: EpochMs) -> Option<NaiveDate> {
    to_shanghai(ms).map(|t| t.date_naive())
}

/// Small cursor over ASCII bytes for the hand-written layouts: faster than chrono's format-string
/// parser on the hot ingest path, and one parser covers every separator variant.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    /// Between `min` and `max` digits.
    fn num(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        let mut v = 0u32;
        while self.i - start < max {
            match self.peek() {
                Some(d @ b'0'..=b'9') => {
                    v = v * 10 + u32::from(d - b'0');
                    self.i += 1;
                }
                _ => break,
            }
        }
        (self.i - start >= min).then_some(v)
    }
    fn done(&self) -> bool {
        self.i == self.b.len()
    }
}

fn ymd(y: u32, m: u32, d: u32) -> Result<NaiveDate, TimeError> {
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or(TimeError::OutOfRange)
}

fn hms(h: u32, m: u32, s: u32, nanos: u32) -> Result<NaiveTime, TimeError> {
    NaiveTime::from_hms_nano_opt(h, m, s, nanos).ok_or(TimeError::OutOfRange)
}

fn all_digits(b: &[u8]) -> Result<EpochMs, TimeError> {
    let mut c = Cursor { b, i: 0 };
    let v = |c: &mut Cursor, n| c.num(n, n).ok_or(TimeError::BadFormat);
    match b.len() {
        8 | 12 | 14 => {
            let date = ymd(v(&mut c, 4)?, v(&mut c, 2)?, v(&mut c, 2)?)?;
            let (h, m, s) = match b.len() {
                8 => (0, 0, 0),
                12 => (v(&mut c, 2)?, v(&mut c, 2)?, 0),
                _ => (v(&mut c, 2)?, v(&mut c, 2)?, v(&mut c, 2)?),
            };
            from_shanghai(date.and_time(hms(h, m, s, 0)?))
        }
        10 | 13 => {
            let n: i64 = std::str::from_utf8(b)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or(TimeError::BadFormat)?;
            Ok(if b.len() == 10 { n * 1000 } else { n })
        }
        _ => Err(TimeError::BadFormat),
    }
}

/// Parse a timestamp into UTC epoch milliseconds (see the module documentation).
pub fn parse_timestamp(s: &str) -> Result<EpochMs, TimeError> {
    let s = s.trim_matches(chars::is_space);
    if s.is_empty() {
        return Err(TimeError::Empty);
    }
    let b = s.as_bytes();
    if b.iter().all(u8::is_ascii_digit) {
        return all_digits(b);
    }
    let mut c = Cursor { b, i: 0 };
    let y = c.num(4, 4).ok_or(TimeError::BadFormat)?;
    let sep = c
        .peek()
        .filter(|s| b"-/.".contains(s))
        .ok_or(TimeError::BadFormat)?;
    c.i += 1;
    let mo = c.num(1, 2).ok_or(TimeError::BadFormat)?;
    if !c.eat(sep) {
        return Err(TimeError::BadFormat);
    }
    let d = c.num(1, 2).ok_or(TimeError::BadFormat)?;
    let date = ymd(y, mo, d)?;
    let mut time = NaiveTime::MIN;
    if !c.done() {
        if !(c.eat(b' ') || c.eat(b'T') || c.eat(b't')) {
            return Err(TimeError::BadFormat);
        }
        while c.eat(b' ') {}
        let h = c.num(1, 2).ok_or(TimeError::BadFormat)?;
        if !c.eat(b':') {
            return Err(TimeError::BadFormat);
        }
        let mi = c.num(2, 2).ok_or(TimeError::BadFormat)?;
        let mut sec = 0;
        let mut nanos = 0;
        if c.eat(b':') {
            sec = c.num(2, 2).ok_or(TimeError::BadFormat)?;
            if c.eat(b'.') || c.eat(b',') {
                let start = c.i;
                let frac = c.num(1, 9).ok_or(TimeError::BadFormat)?;
                let digits = (c.i - start) as u32;
                nanos = frac * 10u32.pow(9 - digits);
                // Ignore sub-nanosecond digits.
                while c.peek().is_some_and(|d| d.is_ascii_digit()) {
                    c.i += 1;
                }
            }
        }
        time = hms(h, mi, sec, nanos)?;
    }
    let naive = date.and_time(time);
    while c.eat(b' ') {}
    if c.done() {
        return from_shanghai(naive);
    }
    // Explicit offset: `Z`, `+08:00`, `+0800`, `+08`.
    let offset_secs = if c.eat(b'Z') || c.eat(b'z') {
        0
    } else {
        let sign = if c.eat(b'+') {
            1
        } else if c.eat(b'-') {
            -1
        } else {
            return Err(TimeError::BadFormat);
        };
        let oh = c.num(2, 2).ok_or(TimeError::BadFormat)?;
        c.eat(b':');
        let om = if c.done() {
            0
        } else {
            c.num(2, 2).ok_or(TimeError::BadFormat)?
        };
        if oh > 23 || om > 59 {
            return Err(TimeError::OutOfRange);
        }
        sign * (oh as i32 * 3600 + om as i32 * 60)
    };
    if !c.done() {
        return Err(TimeError::BadFormat);
    }
    let offset = FixedOffset::east_opt(offset_secs).ok_or(TimeError::OutOfRange)?;
    offset
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.timestamp_millis())
        .ok_or(TimeError::OutOfRange)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// 2026-01-02 03:04:05 in Asia/Shanghai.
    const T: EpochMs = 1_767_294_245_000;

    #[test]
    fn naive_values_are_shanghai_time() {
        for s in [
            "2026-01-02 03:04:05",
            "2026/01/02 03:04:05",
            "2026/1/2 3:04:05",
            "2026-01-02T03:04:05",
            "20260102030405",
            "2026-01-02 03:04:05+08:00",
            "2026-01-01T19:04:05Z",
            "2026-01-01T19:04:05.000Z",
            "2026-01-02T03:04:05+0800",
            "1767294245",
            "1767294245000",
        ] {
            assert_eq!(parse_timestamp(s), Ok(T), "{s}");
        }
        assert_eq!(parse_timestamp("2026/01/02 03:04"), Ok(T - 5_000));
        assert_eq!(parse_timestamp("202601020304"), Ok(T - 5_000));
        assert_eq!(parse_timestamp("2026-01-02 03:04:05.123"), Ok(T + 123));
        assert_eq!(
            parse_timestamp("2026-01-02"),
            Ok(T - (3 * 3600 + 245) * 1000)
        );
        assert_eq!(parse_timestamp("20260102"), parse_timestamp("2026.01.02"));
    }

    #[test]
    fn repeated_daylight_saving_hour_reads_as_the_earlier_instant() {
        // 1986-09-14: clocks went back from 02:00 CDT to 01:00 CST.
        let first = parse_timestamp("1986-09-13T16:30:00Z").unwrap();
        let second = first + 3_600_000;
        assert_eq!(format_shanghai(first), "1986-09-14 01:30:00");
        assert_eq!(format_shanghai(second), "1986-09-14 01:30:00");
        assert_eq!(parse_timestamp("1986-09-14 01:30:00"), Ok(first));
    }

    #[test]
    fn rfc3339_with_other_offsets() {
        assert_eq!(parse_timestamp("2026-01-01T20:04:05+01:00"), Ok(T));
        assert_eq!(parse_timestamp("2026-01-01T14:04:05-05:00"), Ok(T));
    }

    #[test]
    fn bad_timestamps_get_a_reason() {
        let r = |s: &str| parse_timestamp(s).unwrap_err().reason();
        assert_eq!(r(""), "empty");
        assert_eq!(r("yesterday"), "bad_format");
        assert_eq!(r("2026-01-02 3"), "bad_format");
        assert_eq!(r("2026-01/02"), "bad_format");
        assert_eq!(r("2026-13-02"), "out_of_range");
        assert_eq!(r("2026-02-30 00:00:00"), "out_of_range");
        assert_eq!(r("2026-01-02 24:00:00"), "out_of_range");
        assert_eq!(r("123"), "bad_format");
        assert_eq!(r("2026-01-02 03:04:05+99:00"), "out_of_range");
        assert_eq!(r("2026-01-02 03:04:05 foo"), "bad_format");
    }

    #[test]
    fn display_is_shanghai_time() {
        assert_eq!(format_shanghai(T), "2026-01-02 03:04:05");
        assert_eq!(format_shanghai_date(T), "2026-01-02");
        assert_eq!(shanghai_date(T), NaiveDate::from_ymd_opt(2026, 1, 2));
        assert_eq!(
            shanghai_midnight(NaiveDate::from_ymd_opt(2026, 1, 2).unwrap()),
            Ok(T - (3 * 3600 + 245) * 1000)
        );
        assert_eq!(format_shanghai(i64::MAX), i64::MAX.to_string());
    }

    proptest! {
        /// From 1992 on Asia/Shanghai has no daylight saving, so every wall-clock time is one
        /// instant.
        #[test]
        fn format_parse_round_trip(secs in 694_224_000i64..4_102_444_800) {
            let ms = secs * 1000;
            prop_assert_eq!(parse_timestamp(&format_shanghai(ms)), Ok(ms));
        }

        /// Before 1992 a repeated autumn hour reads as its earlier instant; formatting is
        /// stable either way.
        #[test]
        fn format_is_stable_through_parse(secs in -2_000_000_000i64..694_224_000) {
            let shown = format_shanghai(secs * 1000);
            let again = parse_timestamp(&shown).unwrap();
            prop_assert_eq!(format_shanghai(again), shown);
            prop_assert!(again <= secs * 1000);
        }

        #[test]
        fn garbage_never_panics(s in "\\PC{0,30}") {
            let _ = parse_timestamp(&s);
        }

        #[test]
        fn digit_garbage_never_panics(s in "[0-9:T .Z+/-]{0,30}") {
            let _ = parse_timestamp(&s);
        }
    }
}
