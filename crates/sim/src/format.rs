//! File formats of a simulated city: which feeds exist, their columns, and the row encoders.
//!
//! Rows are encoded by hand (integers with `itoa`, no serde on the write path) because writing is
//! most of the cost of a 100-million-event run; the NDJSON form of a signal is exactly what
//! `serde_json` gives for the `fanzha_core::event` type, which a test checks. The same encoders
//! fill Parquet column buffers ([`Row::columns`]), typed by each column's [`Kind`].

use crate::output::parquet::Columns;
use fanzha_core::event::{AppCategory, NumberList, Signal, TransferChannel};
use std::str::FromStr;

/// Output format of the files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Ndjson,
    /// Typed columns, written through [`crate::output::parquet`].
    Parquet,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Ndjson => "ndjson",
            Format::Parquet => "parquet",
        }
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "csv" => Ok(Format::Csv),
            "ndjson" | "jsonl" => Ok(Format::Ndjson),
            "parquet" => Ok(Format::Parquet),
            other => Err(format!("unknown format {other:?} (csv, ndjson or parquet)")),
        }
    }
}

/// One signal feed; each is one file, sorted by event time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Feed {
    Calls,
    Sms,
    AppEvents,
    UrlVisits,
    Transfers,
    CardOpenings,
    NationalPush,
    NumberLists,
}

impl Feed {
    pub const ALL: [Feed; 8] = [
        Feed::Calls,
        Feed::Sms,
        Feed::AppEvents,
        Feed::UrlVisits,
        Feed::Transfers,
        Feed::CardOpenings,
        Feed::NationalPush,
        Feed::NumberLists,
    ];

    /// File name without extension.
    pub fn stem(self) -> &'static str {
        match self {
            Feed::Calls => "calls",
            Feed::Sms => "sms",
            Feed::AppEvents => "app_events",
            Feed::UrlVisits => "url_visits",
            Feed::Transfers => "transfers",
            Feed::CardOpenings => "card_openings",
            Feed::NationalPush => "national_push",
            Feed::NumberLists => "number_lists",
        }
    }

    /// Column names, in file order.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Feed::Calls => &["ts", "caller", "callee", "duration_s", "caller_cell"],
            Feed::Sms => &["ts", "sender", "recipient", "link_domain"],
            Feed::AppEvents => &["ts", "msisdn", "category", "app_name"],
            Feed::UrlVisits => &["ts", "msisdn", "domain"],
            Feed::Transfers => &["ts", "txn_id", "from", "to", "amount_fen", "channel"],
            Feed::CardOpenings => &["ts", "person_id", "kind", "number", "opened_in_division"],
            Feed::NationalPush => &["ts", "msisdn", "level"],
            Feed::NumberLists => &["ts", "msisdn", "list"],
        }
    }

    /// Column types, in file order (the Parquet schema; CSV and NDJSON write the same values
    /// as text).
    pub fn kinds(self) -> &'static [Kind] {
        use Kind::*;
        match self {
            Feed::Calls => &[Time, UInt64, UInt64, UInt32, UInt32],
            Feed::Sms => &[Time, UInt64, UInt64, OptText],
            Feed::AppEvents => &[Time, UInt64, Text, Text],
            Feed::UrlVisits => &[Time, UInt64, Text],
            Feed::Transfers => &[Time, UInt64, UInt64, UInt64, Int64, Text],
            Feed::CardOpenings => &[Time, UInt64, Text, UInt64, UInt32],
            Feed::NationalPush => &[Time, UInt64, UInt8],
            Feed::NumberLists => &[Time, UInt64, Text],
        }
    }

    pub fn of(signal: &Signal) -> Feed {
        match signal {
            Signal::Call(_) => Feed::Calls,
            Signal::Sms(_) => Feed::Sms,
            Signal::AppInstall(_) => Feed::AppEvents,
            Signal::UrlVisit(_) => Feed::UrlVisits,
            Signal::Transfer(_) => Feed::Transfers,
            Signal::CardOpening(_) => Feed::CardOpenings,
            Signal::NationalPush(_) => Feed::NationalPush,
            Signal::NumberListed(_) => Feed::NumberLists,
        }
    }

    /// The `type` tag of the signal in the one-stream NDJSON form.
    pub fn signal_tag(self) -> &'static str {
        match self {
            Feed::Calls => "call",
            Feed::Sms => "sms",
            Feed::AppEvents => "app_install",
            Feed::UrlVisits => "url_visit",
            Feed::Transfers => "transfer",
            Feed::CardOpenings => "card_opening",
            Feed::NationalPush => "national_push",
            Feed::NumberLists => "number_listed",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// The type of a column: how its values are written to Parquet (CSV and NDJSON write the
/// same values as text). Times are epoch milliseconds in the text formats and UTC microseconds
/// (`TIMESTAMP(MICROS, true)`) in Parquet; money is integer fen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Event time, epoch ms.
    Time,
    OptTime,
    Int64,
    UInt64,
    OptUInt64,
    UInt32,
    UInt8,
    Text,
    OptText,
    Bool,
    /// A calendar date (`yyyymmdd` inside, `YYYY-MM-DD` as text, days since 1970 in Parquet).
    Date,
}

impl Kind {
    pub fn optional(self) -> bool {
        matches!(self, Kind::OptTime | Kind::OptUInt64 | Kind::OptText)
    }
}

/// An integer value of a row: written with `itoa` as text, as its 64-bit pattern in Parquet.
pub trait Int: itoa::Integer + Copy {
    /// The value as a signed 64-bit pattern (`u64` above `i64::MAX` wraps, as Parquet stores
    /// unsigned 64-bit integers).
    fn bits(self) -> i64;
}

macro_rules! int_bits {
    ($($t:ty),*) => {$(
        impl Int for $t {
            #[inline]
            fn bits(self) -> i64 {
                self as i64
            }
        }
    )*};
}
int_bits!(u8, u16, u32, u64, i32, i64);

/// Builds one row: CSV values joined by commas, one JSON object, or one value per Parquet
/// column buffer.
///
/// Text values written through it never contain a comma, quote or line break in CSV (the
/// simulator's own names and domains do not), and are escaped in JSON.
pub struct Row<'a> {
    out: Out<'a>,
    first: bool,
}

enum Out<'a> {
    Text {
        buf: &'a mut Vec<u8>,
        format: Format,
    },
    Columns {
        cols: &'a mut Columns,
        next: usize,
    },
}

impl<'a> Row<'a> {
    /// A text row (`Format::Csv` or `Format::Ndjson`; Parquet rows start with [`Row::columns`]).
    pub fn begin(buf: &'a mut Vec<u8>, format: Format) -> Self {
        debug_assert!(
            format != Format::Parquet,
            "Parquet rows go through Row::columns"
        );
        if format == Format::Ndjson {
            buf.push(b'{');
        }
        Row {
            out: Out::Text { buf, format },
            first: true,
        }
    }

    /// A row of Parquet column buffers: each value goes to the next column.
    pub fn columns(cols: &'a mut Columns) -> Self {
        Row {
            out: Out::Columns { cols, next: 0 },
            first: true,
        }
    }

    /// Text output: writes the separator and, in NDJSON, the key; returns the buffer.
    #[inline]
    fn key(first: &mut bool, buf: &mut Vec<u8>, format: Format, name: &str) {
        if !*first {
            buf.push(b',');
        }
        *first = false;
        if format == Format::Ndjson {
            buf.push(b'"');
            buf.extend_from_slice(name.as_bytes());
            buf.extend_from_slice(b"\":");
        }
    }

    /// Text output: a missing value (empty in CSV, `null` in NDJSON).
    fn none(&mut self, name: &str) {
        match &mut self.out {
            Out::Text { buf, format } => {
                Self::key(&mut self.first, buf, *format, name);
                if *format == Format::Ndjson {
                    buf.extend_from_slice(b"null");
                }
            }
            Out::Columns { cols, next } => {
                cols.push_null(*next, name);
                *next += 1;
            }
        }
    }

    #[inline]
    pub fn int<I: Int>(&mut self, name: &str, v: I) -> &mut Self {
        match &mut self.out {
            Out::Text { buf, format } => {
                Self::key(&mut self.first, buf, *format, name);
                let mut b = itoa::Buffer::new();
                buf.extend_from_slice(b.format(v).as_bytes());
            }
            Out::Columns { cols, next } => {
                cols.push_int(*next, name, v.bits());
                *next += 1;
            }
        }
        self
    }

    pub fn opt_int<I: Int>(&mut self, name: &str, v: Option<I>) -> &mut Self {
        match v {
            Some(v) => self.int(name, v),
            None => {
                self.none(name);
                self
            }
        }
    }

    #[inline]
    pub fn text(&mut self, name: &str, v: &str) -> &mut Self {
        match &mut self.out {
            Out::Text { buf, format } => {
                Self::key(&mut self.first, buf, *format, name);
                match *format {
                    Format::Ndjson => json_string(buf, v),
                    _ => csv_text(buf, v),
                }
            }
            Out::Columns { cols, next } => {
                cols.push_text(*next, name, v);
                *next += 1;
            }
        }
        self
    }

    pub fn opt_text(&mut self, name: &str, v: Option<&str>) -> &mut Self {
        match v {
            Some(v) => self.text(name, v),
            None => {
                self.none(name);
                self
            }
        }
    }

    pub fn boolean(&mut self, name: &str, v: bool) -> &mut Self {
        match &mut self.out {
            Out::Text { buf, format } => {
                Self::key(&mut self.first, buf, *format, name);
                let s: &[u8] = match (*format, v) {
                    (Format::Ndjson, true) => b"true",
                    (Format::Ndjson, false) => b"false",
                    (_, true) => b"1",
                    (_, false) => b"0",
                };
                buf.extend_from_slice(s);
            }
            Out::Columns { cols, next } => {
                cols.push_bool(*next, name, v);
                *next += 1;
            }
        }
        self
    }

    /// A date given as `yyyymmdd`: `YYYY-MM-DD` as text.
    pub fn date(&mut self, name: &str, yyyymmdd: u32) -> &mut Self {
        match &mut self.out {
            Out::Text { buf, format } => {
                Self::key(&mut self.first, buf, *format, name);
                let quote = *format == Format::Ndjson;
                if quote {
                    buf.push(b'"');
                }
                date_text(buf, yyyymmdd);
                if quote {
                    buf.push(b'"');
                }
            }
            Out::Columns { cols, next } => {
                cols.push_date(*next, name, yyyymmdd);
                *next += 1;
            }
        }
        self
    }

    pub fn end(&mut self) {
        match &mut self.out {
            Out::Text { buf, format } => {
                if *format == Format::Ndjson {
                    buf.push(b'}');
                }
                buf.push(b'\n');
            }
            Out::Columns { cols, next } => cols.end_row(*next),
        }
    }
}

/// `yyyymmdd` as `YYYY-MM-DD` (years below 1000 zero-padded to four digits).
pub fn date_text(buf: &mut Vec<u8>, d: u32) {
    let (y, m, day) = (d / 10000, d / 100 % 100, d % 100);
    if y < 1000 {
        let pad: &[u8] = match y {
            0..=9 => b"000",
            10..=99 => b"00",
            _ => b"0",
        };
        buf.extend_from_slice(pad);
    }
    let mut b = itoa::Buffer::new();
    buf.extend_from_slice(b.format(y).as_bytes());
    buf.extend_from_slice(&[
        b'-',
        b'0' + (m / 10 % 10) as u8,
        b'0' + (m % 10) as u8,
        b'-',
        b'0' + (day / 10 % 10) as u8,
        b'0' + (day % 10) as u8,
    ]);
}

/// Writes a CSV field, quoting it only when it needs quotes.
fn csv_text(buf: &mut Vec<u8>, v: &str) {
    if v.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        buf.push(b'"');
        for b in v.bytes() {
            if b == b'"' {
                buf.push(b'"');
            }
            buf.push(b);
        }
        buf.push(b'"');
    } else {
        buf.extend_from_slice(v.as_bytes());
    }
}

fn json_string(buf: &mut Vec<u8>, v: &str) {
    buf.push(b'"');
    for &b in v.as_bytes() {
        match b {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            0..=0x1f => {
                buf.extend_from_slice(b"\\u00");
                const HEX: &[u8; 16] = b"0123456789abcdef";
                buf.push(HEX[(b >> 4) as usize]);
                buf.push(HEX[(b & 0xf) as usize]);
            }
            _ => buf.push(b),
        }
    }
    buf.push(b'"');
}

/// Header line of a file in CSV (nothing for NDJSON).
pub fn header(buf: &mut Vec<u8>, format: Format, columns: &[&str]) {
    if format == Format::Csv {
        buf.extend_from_slice(columns.join(",").as_bytes());
        buf.push(b'\n');
    }
}

/// Appends one signal as a row of its feed file; with `tagged`, as one line of the single
/// NDJSON stream with a leading `"type"` (the serde form of [`Signal`]).
pub fn encode_signal(buf: &mut Vec<u8>, format: Format, signal: &Signal, tagged: bool) {
    let mut row = Row::begin(buf, format);
    if tagged && format == Format::Ndjson {
        row.text("type", Feed::of(signal).signal_tag());
    }
    write_signal(&mut row, signal);
}

/// Writes the columns of one signal's feed row (as listed by [`Feed::columns`]).
pub fn write_signal(row: &mut Row<'_>, signal: &Signal) {
    match signal {
        Signal::Call(e) => row
            .int("ts", e.ts)
            .int("caller", e.caller.0)
            .int("callee", e.callee.0)
            .int("duration_s", e.duration_s)
            .int("caller_cell", e.caller_cell),
        Signal::Sms(e) => row
            .int("ts", e.ts)
            .int("sender", e.sender.0)
            .int("recipient", e.recipient.0)
            .opt_text("link_domain", e.link_domain.as_deref()),
        Signal::AppInstall(e) => row
            .int("ts", e.ts)
            .int("msisdn", e.msisdn.0)
            .text("category", app_category_code(e.category))
            .text("app_name", &e.app_name),
        Signal::UrlVisit(e) => row
            .int("ts", e.ts)
            .int("msisdn", e.msisdn.0)
            .text("domain", &e.domain),
        Signal::Transfer(e) => row
            .int("ts", e.ts)
            .int("txn_id", e.txn_id)
            .int("from", e.from.0)
            .int("to", e.to.0)
            .int("amount_fen", e.amount_fen)
            .text("channel", channel_code(e.channel)),
        Signal::CardOpening(e) => row
            .int("ts", e.ts)
            .int("person_id", e.person_id)
            .text("kind", e.kind.as_str())
            .int("number", e.number)
            .int("opened_in_division", e.opened_in_division),
        Signal::NationalPush(e) => row
            .int("ts", e.ts)
            .int("msisdn", e.msisdn.0)
            .int("level", e.level),
        Signal::NumberListed(e) => row
            .int("ts", e.ts)
            .int("msisdn", e.msisdn.0)
            .text("list", number_list_code(e.list)),
    }
    .end();
}

pub fn app_category_code(c: AppCategory) -> &'static str {
    match c {
        AppCategory::ScreenSharing => "screen_sharing",
        AppCategory::RemoteControl => "remote_control",
        AppCategory::FakeInvestment => "fake_investment",
        AppCategory::FakeLoan => "fake_loan",
        AppCategory::Chat => "chat",
        AppCategory::Shopping => "shopping",
        AppCategory::Banking => "banking",
        AppCategory::Game => "game",
        AppCategory::AntiFraud => "anti_fraud",
        AppCategory::Other => "other",
    }
}

pub fn parse_app_category(s: &str) -> Option<AppCategory> {
    use AppCategory::*;
    [
        ScreenSharing,
        RemoteControl,
        FakeInvestment,
        FakeLoan,
        Chat,
        Shopping,
        Banking,
        Game,
        AntiFraud,
        Other,
    ]
    .into_iter()
    .find(|c| app_category_code(*c) == s)
}

pub fn channel_code(c: TransferChannel) -> &'static str {
    match c {
        TransferChannel::Bank => "bank",
        TransferChannel::ThirdPartyPayment => "third_party_payment",
        TransferChannel::CashOut => "cash_out",
    }
}

pub fn parse_channel(s: &str) -> Option<TransferChannel> {
    [
        TransferChannel::Bank,
        TransferChannel::ThirdPartyPayment,
        TransferChannel::CashOut,
    ]
    .into_iter()
    .find(|c| channel_code(*c) == s)
}

pub fn number_list_code(l: NumberList) -> &'static str {
    match l {
        NumberList::NationalPush => "national_push",
        NumberList::Blocklist => "blocklist",
        NumberList::Goip => "goip",
    }
}

pub fn parse_number_list(s: &str) -> Option<NumberList> {
    [
        NumberList::NationalPush,
        NumberList::Blocklist,
        NumberList::Goip,
    ]
    .into_iter()
    .find(|l| number_list_code(*l) == s)
}
