//! Cell values of extracts to typed values: amounts to integer fen, times to UTC epoch ms.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Asia::Shanghai;

/// Why a row was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RowError {
    #[error("amount {0:?} is not a positive amount in yuan with at most two decimals")]
    Amount(String),
    #[error(
        "time {0:?} is not RFC 3339, 'YYYY-MM-DD HH:MM:SS' or 'YYYYMMDDHHMMSS' (Asia/Shanghai)"
    )]
    Time(String),
    #[error("{0} is empty")]
    Empty(&'static str),
}

impl RowError {
    /// Stable reason key for counts.
    pub fn reason(&self) -> &'static str {
        match self {
            RowError::Amount(_) => "bad_amount",
            RowError::Time(_) => "bad_time",
            RowError::Empty(_) => "empty_field",
        }
    }
}

/// Yuan as written in extracts (`1234.56`, `1,234.56`, `¥88`, `88元`, `-500.00` for a debit)
/// to fen. The sign is dropped: direction comes from the account columns.
pub fn amount_fen(raw: &str) -> Result<i64, RowError> {
    let bad = || RowError::Amount(raw.to_string());
    let s: String = raw
        .trim()
        .trim_start_matches(['¥', '￥', '+', '-'])
        .trim_end_matches('元')
        .chars()
        .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
        .collect();
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s.as_str(), ""),
    };
    if int.is_empty() && frac.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || int.len() > 15
    {
        return Err(bad());
    }
    let yuan: i64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| bad())?
    };
    let mut f: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| bad())?
    };
    if frac.len() == 1 {
        f *= 10;
    }
    let fen = yuan * 100 + f;
    if fen <= 0 {
        return Err(bad());
    }
    Ok(fen)
}

/// A time cell to UTC epoch ms. With an offset (RFC 3339) as given; without one, Asia/Shanghai.
/// A date alone is midnight.
pub fn time_ms(raw: &str) -> Result<i64, RowError> {
    let s = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    const FORMATS: [&str; 6] = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y/%m/%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y%m%d%H%M%S",
        "%Y-%m-%d %H:%M",
    ];
    let naive = FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .or_else(|| {
            ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"]
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .ok_or_else(|| RowError::Time(raw.to_string()))?;
    Shanghai
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp_millis())
        .ok_or_else(|| RowError::Time(raw.to_string()))
}

/// Excel serial day number (1900 date system) in Asia/Shanghai to UTC epoch ms.
pub fn excel_serial_ms(serial: f64) -> Option<i64> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    let naive = base + chrono::Duration::milliseconds((serial * 86_400_000.0).round() as i64);
    Shanghai
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_become_fen() {
        assert_eq!(amount_fen("1,234.56"), Ok(123_456));
        assert_eq!(amount_fen("¥88"), Ok(8_800));
        assert_eq!(amount_fen("88元"), Ok(8_800));
        assert_eq!(amount_fen("3.5"), Ok(350));
        assert_eq!(amount_fen("-500.00"), Ok(50_000));
        assert_eq!(amount_fen(".5"), Ok(50));
        for bad in ["", "abc", "1.234", "0", "0.00", "1e5", "."] {
            assert!(amount_fen(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_without_offset_are_shanghai() {
        let utc = time_ms("2026-03-01T00:00:00Z").unwrap();
        assert_eq!(time_ms("2026-03-01 08:00:00"), Ok(utc));
        assert_eq!(time_ms("20260301080000"), Ok(utc));
        assert_eq!(time_ms("2026/03/01 08:00:00"), Ok(utc));
        assert_eq!(time_ms("2026-03-01"), Ok(utc - 8 * 3_600_000));
        assert!(time_ms("yesterday").is_err());
        assert_eq!(excel_serial_ms(46082.0 + 1.0 / 3.0), Some(utc));
    }
}
