//! Case reports: the exports of the 110 alarm system (报警 / 接警) and of the 96110 anti-fraud
//! hotline, one report per row, as CSV (UTF-8 or GBK/GB18030, detected as for record files) or a
//! workbook (XLSX, or the older XLS, first sheet). Every system names its columns its own way;
//! `reports.toml` maps them to [`ReportField`]s.
//!
//! Each row becomes a validated [`CaseReport`] — report number, time (naive times are
//! Asia/Shanghai, stored as UTC epoch ms), loss in fen (`1.2万`, `1,234.56`, `¥88`), narrative,
//! the victim's ID number and phone when given, the victim's occupation, and what the victim
//! named (suspect numbers, accounts, apps, URLs) — or a [`ReportRejection`] with its line, column
//! and reason. A report number seen earlier in the same file is `duplicate_in_file`. Nothing is
//! dropped: `read = reports + rejected`. An occupation never rejects a row: text of no category
//! is kept as [`Occupation::Other`] with the text.
//!
//! Files are small (a day's or a month's reports), so a file is read whole; the record-file
//! pipeline's streaming is not needed here. Storing is the caller's business.

use crate::encoding;
use crate::error::IngestError;
use crate::header::normalise;
use crate::quarantine::reason;
use crate::xlsx::cell_text;
use calamine::{open_workbook_auto_from_rs, Reader};
use fanzha_core::{BankCard, Money, Occupation, PhoneNumber, Reasoned, ResidentId};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Cursor;
use std::path::PathBuf;
use std::sync::OnceLock;

const REPORT_ALIASES_TOML: &str = include_str!("../reports.toml");

/// The largest report file read (a report export is far smaller).
pub const MAX_REPORT_FILE_BYTES: usize = 64 << 20;
/// Longest narrative kept (characters).
pub const MAX_NARRATIVE_CHARS: usize = 4_000;
/// Longest report number, name or unit (characters).
pub const MAX_SHORT_CHARS: usize = 64;

/// Row-level reasons of case reports, besides those of [`crate::quarantine::reason`] and the
/// value-level reasons of `fanzha-core`.
pub mod report_reason {
    /// The loss is negative.
    pub const NEGATIVE_AMOUNT: &str = "negative_amount";
    /// The unit column names no unit of the org tree (decided by the importer, which knows
    /// the tree).
    pub const UNKNOWN_UNIT: &str = "unknown_unit";
    /// The unit column's name fits several units; give the code.
    pub const AMBIGUOUS_UNIT: &str = "ambiguous_unit";
    /// The unit lies outside the importing user's subtree.
    pub const UNIT_OUT_OF_SCOPE: &str = "unit_out_of_scope";

    /// What the caller knew of the order names no detail of an order (订单号, 收件人姓名, …).
    pub const UNKNOWN_ORDER_DETAIL: &str = "unknown_order_detail";
    /// An outlet is named without its courier (in its own column or the outlet's name).
    pub const OUTLET_WITHOUT_COURIER: &str = "outlet_without_courier";
    /// The order's date or details are given, but not its platform, shop or courier.
    pub const ORDER_UNNAMED: &str = "order_unnamed";

    pub const ALL: [&str; 7] = [
        NEGATIVE_AMOUNT,
        UNKNOWN_UNIT,
        AMBIGUOUS_UNIT,
        UNIT_OUT_OF_SCOPE,
        UNKNOWN_ORDER_DETAIL,
        OUTLET_WITHOUT_COURIER,
        ORDER_UNNAMED,
    ];
}

/// A column of a case report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportField {
    ReportNo,
    VictimName,
    IdNumber,
    Phone,
    ReportedAt,
    Loss,
    Narrative,
    SuspectPhone,
    SuspectAccount,
    AppOrUrl,
    Unit,
    VictimAccount,
    Occupation,
    Employer,
    Platform,
    Shop,
    Courier,
    Outlet,
    OrderedOn,
    OrderKnown,
}

impl ReportField {
    pub const ALL: [ReportField; 20] = [
        ReportField::ReportNo,
        ReportField::VictimName,
        ReportField::IdNumber,
        ReportField::Phone,
        ReportField::ReportedAt,
        ReportField::Loss,
        ReportField::Narrative,
        ReportField::SuspectPhone,
        ReportField::SuspectAccount,
        ReportField::AppOrUrl,
        ReportField::Unit,
        ReportField::VictimAccount,
        ReportField::Occupation,
        ReportField::Employer,
        ReportField::Platform,
        ReportField::Shop,
        ReportField::Courier,
        ReportField::Outlet,
        ReportField::OrderedOn,
        ReportField::OrderKnown,
    ];

    /// Columns a file must have.
    pub const REQUIRED: [ReportField; 4] = [
        ReportField::ReportNo,
        ReportField::ReportedAt,
        ReportField::Loss,
        ReportField::Narrative,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportField::ReportNo => "report_no",
            ReportField::VictimName => "victim_name",
            ReportField::IdNumber => "id_number",
            ReportField::Phone => "phone",
            ReportField::ReportedAt => "reported_at",
            ReportField::Loss => "loss",
            ReportField::Narrative => "narrative",
            ReportField::SuspectPhone => "suspect_phone",
            ReportField::SuspectAccount => "suspect_account",
            ReportField::AppOrUrl => "app_or_url",
            ReportField::Unit => "unit",
            ReportField::VictimAccount => "victim_account",
            ReportField::Occupation => "occupation",
            ReportField::Employer => "employer",
            ReportField::Platform => "platform",
            ReportField::Shop => "shop",
            ReportField::Courier => "courier",
            ReportField::Outlet => "outlet",
            ReportField::OrderedOn => "ordered_on",
            ReportField::OrderKnown => "order_known",
        }
    }

    pub fn from_name(name: &str) -> Option<ReportField> {
        ReportField::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

impl std::fmt::Display for ReportField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(serde::Deserialize)]
struct AliasFile {
    fields: BTreeMap<String, Vec<String>>,
}

/// The report alias table: normalised column name → field.
pub struct ReportAliases {
    by_name: HashMap<String, ReportField>,
    written: HashMap<ReportField, Vec<String>>,
}

impl ReportAliases {
    /// The table compiled into the binary.
    pub fn builtin() -> &'static ReportAliases {
        static TABLE: OnceLock<ReportAliases> = OnceLock::new();
        TABLE.get_or_init(|| {
            ReportAliases::parse(REPORT_ALIASES_TOML)
                .expect("reports.toml is checked by the test suite")
        })
    }

    /// Parses a table; an alias claimed by two fields, an unknown field or a missing one is an
    /// error (as a message: the built-in table is tested).
    pub fn parse(text: &str) -> Result<ReportAliases, String> {
        let file: AliasFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut by_name = HashMap::new();
        let mut written = HashMap::new();
        for (name, aliases) in file.fields {
            let field =
                ReportField::from_name(&name).ok_or_else(|| format!("unknown field {name}"))?;
            for alias in &aliases {
                if let Some(other) = by_name.insert(header_key(alias), field) {
                    if other != field {
                        return Err(format!("alias {alias:?} is claimed by {other} and {field}"));
                    }
                }
            }
            written.insert(field, aliases);
        }
        if let Some(f) = ReportField::ALL.iter().find(|f| !written.contains_key(f)) {
            return Err(format!("no aliases for {f}"));
        }
        Ok(ReportAliases { by_name, written })
    }

    pub fn field_of(&self, column_name: &str) -> Option<ReportField> {
        self.by_name.get(&header_key(column_name)).copied()
    }

    pub fn aliases_of(&self, field: ReportField) -> &[String] {
        self.written.get(&field).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// A column name as matched: [`normalise`]d, with a trailing unit in brackets dropped
/// (`损失金额（元）`, `涉案金额(万元)`, `loss (yuan)`).
fn header_key(name: &str) -> String {
    let n = normalise(name);
    for (open, close) in [('(', ')'), ('（', '）'), ('[', ']'), ('【', '】')] {
        if let Some(stripped) = n.strip_suffix(close) {
            if let Some(i) = stripped.rfind(open) {
                if i > 0 {
                    return stripped[..i].to_string();
                }
            }
        }
    }
    n
}

/// Whether a loss column's header says its numbers are ten-thousands of yuan.
fn header_in_wan(name: &str) -> bool {
    let n = normalise(name);
    n.ends_with("万元)") || n.ends_with("万元）") || n.ends_with("万元]") || n.ends_with("万元】")
}

/// Which reader to use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    /// From the file's first bytes (a workbook's signature), else from its name, else CSV.
    #[default]
    Auto,
    Csv,
    /// XLSX (or XLS: the workbook reader recognises either).
    Xlsx,
}

impl ReportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportFormat::Auto => "auto",
            ReportFormat::Csv => "csv",
            ReportFormat::Xlsx => "xlsx",
        }
    }
}

impl std::str::FromStr for ReportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "auto" => Ok(ReportFormat::Auto),
            "csv" | "txt" => Ok(ReportFormat::Csv),
            "xlsx" | "xls" => Ok(ReportFormat::Xlsx),
            other => Err(format!("unknown format {other:?}; use auto, csv or xlsx")),
        }
    }
}

/// One validated report.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CaseReport {
    /// Line in the file (1-based, the header is line 1; the sheet row for workbooks).
    pub line: u64,
    pub report_no: String,
    pub victim_name: Option<String>,
    /// A valid resident ID number (GB 11643), normalised.
    pub resident_id: Option<String>,
    /// The victim's phone number, canonical.
    pub phone: Option<String>,
    /// Epoch ms UTC.
    pub reported_at: i64,
    pub loss_fen: i64,
    pub narrative: String,
    /// Suspect numbers as written, canonical where they parse (fraud numbers often do not).
    pub suspect_phones: Vec<String>,
    /// Suspect accounts: card numbers without spaces, or platform accounts as written.
    pub suspect_accounts: Vec<String>,
    pub apps: Vec<String>,
    pub urls: Vec<String>,
    /// The unit as the file names it (code or name); resolved by the importer.
    pub unit: Option<String>,
    /// The victim's own account (the trace's start), digits only.
    pub victim_account: Option<String>,
    /// The victim's occupation; `None` when the cell is empty or says it is unknown (未知).
    /// Text that names no category is [`Occupation::Other`], never a rejected row.
    pub occupation: Option<Occupation>,
    /// The occupation as written when it named no category (the occupation is then `Other`),
    /// cut to [`MAX_SHORT_CHARS`]: counted by the importer as unrecognised.
    pub occupation_text: Option<String>,
    /// The victim's employer (工作单位) as written: a public-sector victim's employer is sent the
    /// employer notice (提示单).
    pub employer: Option<String>,
    /// The online order a fake customer-service caller knew, as the hotline wrote it down
    /// (empty when the file has no such columns or the row leaves them blank).
    pub order: ReportedOrder,
    /// The row as read (for the quarantine, should the importer reject it).
    pub raw: String,
}

impl CaseReport {
    /// What the victim named, as the case's `named` JSON.
    pub fn named_json(&self) -> serde_json::Value {
        serde_json::json!({
            "phones": self.suspect_phones,
            "accounts": self.suspect_accounts,
            "apps": self.apps,
            "urls": self.urls,
        })
    }
}

/// The order of a report: platform, shop, courier and outlet as written (each at most
/// [`MAX_SHORT_CHARS`]), the order's date, and what the caller knew of it, one item per value
/// of the cell (`订单号、收件人姓名`), read into details by the importer.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReportedOrder {
    pub platform: String,
    pub shop: String,
    pub courier: String,
    pub outlet: String,
    /// The order's day in Asia/Shanghai.
    pub ordered_on: Option<chrono::NaiveDate>,
    pub known: Vec<String>,
}

impl ReportedOrder {
    /// Nothing of an order was written.
    pub fn is_empty(&self) -> bool {
        self.platform.is_empty()
            && self.shop.is_empty()
            && self.courier.is_empty()
            && self.outlet.is_empty()
            && self.ordered_on.is_none()
            && self.known.is_empty()
    }
}

/// A rejected row.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ReportRejection {
    pub line: u64,
    pub column: Option<ReportField>,
    /// Stable reason code (`empty_required`, `bad_check_digit`, `bad_format`, …).
    pub reason: &'static str,
    pub raw: String,
}

/// What a report file held.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ReportFile {
    /// `csv` or `xlsx` (workbooks, XLS included).
    pub format: &'static str,
    /// The text encoding of a CSV file (`UTF-8`, `GBK`, `gb18030`, …).
    pub encoding: Option<&'static str>,
    /// Data rows read (blank rows are not rows).
    pub read: usize,
    pub reports: Vec<CaseReport>,
    pub rejected: Vec<ReportRejection>,
    /// Header cells that matched no field.
    pub ignored_columns: Vec<String>,
}

/// Reads a report export. `name` is the file's name as the user gave it (for the format when
/// the content does not tell, and for messages). File-level failures (no header, a required
/// column missing, a workbook that does not open) are errors; row-level ones are rejections.
pub fn read_reports(
    name: &str,
    bytes: &[u8],
    format: ReportFormat,
) -> Result<ReportFile, IngestError> {
    if bytes.len() > MAX_REPORT_FILE_BYTES {
        return Err(IngestError::Workbook {
            path: PathBuf::from(name),
            message: format!(
                "the file has {} bytes; a report file may have at most {}",
                bytes.len(),
                MAX_REPORT_FILE_BYTES
            ),
        });
    }
    let (table, format, encoding) = read_table(name, bytes, format)?;
    let mut file = validate_table(table)?;
    file.format = format;
    file.encoding = encoding;
    Ok(file)
}

/// A table file (CSV in UTF-8 or GBK, or the first sheet of a workbook) read into rows of cell
/// texts: the table, `csv` or `xlsx`, and a CSV's encoding. Shared by every import of lists
/// (case reports, populations, two-card leads).
pub(crate) fn read_table(
    name: &str,
    bytes: &[u8],
    format: ReportFormat,
) -> Result<(Table, &'static str, Option<&'static str>), IngestError> {
    let workbook = match format {
        ReportFormat::Csv => false,
        ReportFormat::Xlsx => true,
        ReportFormat::Auto => {
            is_workbook(bytes) || {
                let lower = name.to_ascii_lowercase();
                lower.ends_with(".xlsx") || lower.ends_with(".xls")
            }
        }
    };
    if workbook {
        Ok((read_workbook(name, bytes)?, "xlsx", None))
    } else {
        let (table, encoding) = read_csv(bytes);
        Ok((table, "csv", Some(encoding)))
    }
}

/// The first header cell that is one of `aliases` (trimmed, ASCII case ignored).
pub(crate) fn find_column(header: &[String], aliases: &[&str]) -> Option<usize> {
    header.iter().position(|h| {
        let h = h.trim();
        aliases.iter().any(|a| a.eq_ignore_ascii_case(h))
    })
}

/// [`find_column`], or the error naming the field and the names it accepts.
pub(crate) fn required_column(
    header: &[String],
    aliases: &[&str],
    field: &'static str,
) -> Result<usize, IngestError> {
    find_column(header, aliases).ok_or_else(|| IngestError::ReportColumnMissing {
        column: field,
        accepted: aliases.iter().map(|a| a.to_string()).collect(),
    })
}

/// ZIP (XLSX) or OLE compound document (XLS) signature.
pub(crate) fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

/// A header and rows of cell texts, with each row's line and raw text.
pub(crate) struct Table {
    pub header: Option<Vec<String>>,
    pub rows: Vec<TableRow>,
}

pub(crate) struct TableRow {
    pub line: u64,
    pub raw: String,
    /// Cells, or a reason the row could not be split into cells.
    pub cells: Result<Vec<String>, &'static str>,
    /// A CSV row must have the header's number of fields; a sheet row may end early.
    pub csv: bool,
}

impl TableRow {
    /// The row's cells, read against a header of `fields` columns: the table reader's reason
    /// when the row could not be split into cells, [`reason::WRONG_FIELD_COUNT`] when a CSV row
    /// has another number of fields than the header (a sheet row may end early).
    pub(crate) fn cells_of(&self, fields: usize) -> Result<&[String], &'static str> {
        let cells = self.cells.as_deref().map_err(|r| *r)?;
        if self.csv && cells.len() != fields {
            return Err(reason::WRONG_FIELD_COUNT);
        }
        Ok(cells)
    }
}

/// Cell `i` of a row, trimmed of whitespace (the ideographic space `U+3000` too); `""` for a
/// column the list does not have or a row that ends before it.
pub(crate) fn cell_at(cells: &[String], i: Option<usize>) -> &str {
    i.and_then(|i| cells.get(i)).map_or("", |t| t.trim())
}

pub(crate) fn read_csv(bytes: &[u8]) -> (Table, &'static str) {
    let sample = &bytes[..bytes.len().min(encoding::SAMPLE_LEN)];
    let detected = encoding::detect(sample, sample.len() == bytes.len());
    let body = &bytes[detected.bom_len..];
    // The text, and whether bytes invalid in the encoding were replaced.
    let decode = |b: &[u8]| -> (String, bool) {
        match detected
            .encoding
            .decode_without_bom_handling_and_without_replacement(b)
        {
            Some(t) => (t.into_owned(), false),
            None => (
                detected
                    .encoding
                    .decode_without_bom_handling(b)
                    .0
                    .into_owned(),
                true,
            ),
        }
    };
    let mut parser = crate::csv_rows::RowParser::new(body);
    let mut spans = Vec::new();
    let mut header = None;
    let mut rows = Vec::new();
    while let Some(row) = parser.next_row(&mut spans) {
        let line = row.line + 1;
        let raw_bytes = &body[row.start..row.end];
        let raw = decode(raw_bytes)
            .0
            .trim_end_matches(['\r', '\n'])
            .to_string();
        let decoded: Vec<(String, bool)> = spans.iter().map(|f| decode(&f.bytes(body))).collect();
        if header.is_none() {
            header = Some(decoded.into_iter().map(|(t, _)| t).collect());
            continue;
        }
        let cells = if row.unterminated {
            Err(reason::UNTERMINATED_QUOTE)
        } else if decoded.iter().any(|(_, bad)| *bad) {
            Err(reason::ENCODING_ERROR)
        } else {
            Ok(decoded.into_iter().map(|(t, _)| t).collect())
        };
        if row.unterminated {
            // Resume on the line after the broken row's first line, as the record reader does.
            let next_line = raw_bytes
                .iter()
                .position(|&b| b == b'\n')
                .map(|p| row.start + p + 1)
                .unwrap_or(body.len());
            rows.push(TableRow {
                line,
                raw: raw.lines().next().unwrap_or("").to_string(),
                cells,
                csv: true,
            });
            parser.resume(next_line, row.line + 1);
            continue;
        }
        rows.push(TableRow {
            line,
            raw,
            cells,
            csv: true,
        });
    }
    (Table { header, rows }, detected.name())
}

pub(crate) fn read_workbook(name: &str, bytes: &[u8]) -> Result<Table, IngestError> {
    let err = |message: String| IngestError::Workbook {
        path: PathBuf::from(name),
        message,
    };
    let mut book =
        open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| err(e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| err("the workbook has no worksheet".into()))?
        .map_err(|e| err(e.to_string()))?;
    let first_row = range.start().map(|(r, _)| u64::from(r)).unwrap_or(0);
    let mut header = None;
    let mut rows = Vec::new();
    for (i, cells) in range.rows().enumerate() {
        let texts: Vec<String> = cells.iter().map(cell_text).collect();
        if texts.iter().all(|t| t.trim().is_empty()) {
            continue;
        }
        if header.is_none() {
            header = Some(texts);
            continue;
        }
        rows.push(TableRow {
            line: first_row + i as u64 + 1,
            raw: texts.join(","),
            cells: Ok(texts),
            csv: false,
        });
    }
    Ok(Table { header, rows })
}

/// Where each field sits, and how the loss column counts.
struct Columns {
    at: Vec<(ReportField, usize)>,
    width: usize,
    loss_in_wan: bool,
}

impl Columns {
    fn of(header: &[String]) -> Result<(Columns, Vec<String>), IngestError> {
        let aliases = ReportAliases::builtin();
        let width = header
            .iter()
            .rposition(|t| !t.trim().is_empty())
            .map_or(0, |p| p + 1);
        let mut at: Vec<(ReportField, usize)> = Vec::new();
        let mut ignored = Vec::new();
        let mut loss_in_wan = false;
        for (i, name) in header[..width].iter().enumerate() {
            match aliases.field_of(name) {
                // The first column of a field wins; a second one is ignored.
                Some(f) if !at.iter().any(|(g, _)| *g == f) => {
                    if f == ReportField::Loss {
                        loss_in_wan = header_in_wan(name);
                    }
                    at.push((f, i));
                }
                _ if name.trim().is_empty() => {}
                _ => ignored.push(name.trim().to_string()),
            }
        }
        for f in ReportField::REQUIRED {
            if !at.iter().any(|(g, _)| *g == f) {
                return Err(IngestError::ReportColumnMissing {
                    column: f.as_str(),
                    accepted: aliases.aliases_of(f).to_vec(),
                });
            }
        }
        Ok((
            Columns {
                at,
                width,
                loss_in_wan,
            },
            ignored,
        ))
    }
}

fn validate_table(table: Table) -> Result<ReportFile, IngestError> {
    let header = table.header.ok_or(IngestError::HeaderAbsent)?;
    let (columns, ignored_columns) = Columns::of(&header)?;
    let mut file = ReportFile {
        format: "csv",
        encoding: None,
        read: 0,
        reports: Vec::new(),
        rejected: Vec::new(),
        ignored_columns,
    };
    let mut seen: HashSet<String> = HashSet::new();
    for row in table.rows {
        file.read += 1;
        let reject = |column: Option<ReportField>, reason: &'static str| ReportRejection {
            line: row.line,
            column,
            reason,
            raw: row.raw.clone(),
        };
        let cells = match &row.cells {
            Ok(c) => c,
            Err(reason) => {
                file.rejected.push(reject(None, reason));
                continue;
            }
        };
        let stray = cells.len() > columns.width
            && cells[columns.width..].iter().any(|t| !t.trim().is_empty());
        // A CSV row shorter than the header lost fields; a sheet row simply ends early.
        if stray || (row.csv && cells.len() < columns.width) {
            file.rejected.push(reject(None, reason::WRONG_FIELD_COUNT));
            continue;
        }
        let get = |f: ReportField| -> &str {
            columns
                .at
                .iter()
                .find(|(g, _)| *g == f)
                .and_then(|(_, i)| cells.get(*i))
                .map(|s| s.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}'))
                .unwrap_or("")
        };
        match validate_row(&get, columns.loss_in_wan, row.line, &row.raw) {
            Ok(report) => {
                if !seen.insert(report.report_no.clone()) {
                    file.rejected.push(reject(
                        Some(ReportField::ReportNo),
                        reason::DUPLICATE_IN_FILE,
                    ));
                } else {
                    file.reports.push(report);
                }
            }
            Err((column, reason)) => file.rejected.push(reject(Some(column), reason)),
        }
    }
    Ok(file)
}

type RowError = (ReportField, &'static str);

fn validate_row<'a>(
    get: &dyn Fn(ReportField) -> &'a str,
    loss_in_wan: bool,
    line: u64,
    raw: &str,
) -> Result<CaseReport, RowError> {
    use ReportField as F;
    let required = |f: F| -> Result<&'a str, RowError> {
        let v = get(f);
        if v.is_empty() {
            Err((f, reason::EMPTY_REQUIRED))
        } else {
            Ok(v)
        }
    };
    let short = |f: F, v: &str| -> Result<String, RowError> {
        if v.chars().count() > MAX_SHORT_CHARS {
            Err((f, reason::TOO_LONG))
        } else {
            Ok(v.to_string())
        }
    };
    let optional = |f: F| -> Option<&'a str> { Some(get(f)).filter(|v| !v.is_empty()) };

    let report_no = short(F::ReportNo, required(F::ReportNo)?)?;
    let reported_at =
        parse_report_time(required(F::ReportedAt)?).map_err(|e| (F::ReportedAt, e.reason()))?;
    let loss_text = required(F::Loss)?;
    let loss_fen = parse_loss(loss_text, loss_in_wan).map_err(|r| (F::Loss, r))?;
    let narrative = required(F::Narrative)?;
    if narrative.chars().count() > MAX_NARRATIVE_CHARS {
        return Err((F::Narrative, reason::TOO_LONG));
    }
    let resident_id = optional(F::IdNumber)
        .map(|v| {
            ResidentId::parse_normalised(v)
                .map(|id| id.as_str().to_string())
                .map_err(|e| (F::IdNumber, e.reason()))
        })
        .transpose()?;
    let phone = optional(F::Phone)
        .map(|v| {
            PhoneNumber::parse(v)
                .map(|p| p.canonical())
                .map_err(|e| (F::Phone, e.reason()))
        })
        .transpose()?;
    let victim_name = optional(F::VictimName)
        .map(|v| short(F::VictimName, v))
        .transpose()?;
    let unit = optional(F::Unit).map(|v| short(F::Unit, v)).transpose()?;
    let victim_account = optional(F::VictimAccount)
        .map(|v| {
            let digits: String = v.chars().filter(|c| !c.is_whitespace()).collect();
            short(F::VictimAccount, &digits)
        })
        .transpose()?;
    let suspect_phones = suspect_phones_of(get(F::SuspectPhone));
    let suspect_accounts = suspect_accounts_of(get(F::SuspectAccount));
    let (urls, apps): (Vec<String>, Vec<String>) = split_list(get(F::AppOrUrl), false)
        .map(str::to_string)
        .partition(|v| looks_like_url(v));
    // An occupation of no category is kept as Other with its text: the row stays.
    let (occupation, occupation_text) = match Occupation::parse_label(get(F::Occupation)) {
        Ok(o) => (o, None),
        Err(e) => (
            Some(Occupation::Other),
            Some(e.text.chars().take(MAX_SHORT_CHARS).collect()),
        ),
    };
    let employer = optional(F::Employer)
        .map(|v| short(F::Employer, v))
        .transpose()?;
    let ordered_on = optional(F::OrderedOn)
        .map(|v| {
            parse_report_time(v)
                .map_err(|e| (F::OrderedOn, e.reason()))
                .and_then(|ms| {
                    fanzha_core::time::shanghai_date(ms).ok_or((F::OrderedOn, "out_of_range"))
                })
        })
        .transpose()?;
    let order = ReportedOrder {
        platform: short(F::Platform, get(F::Platform))?,
        shop: short(F::Shop, get(F::Shop))?,
        courier: short(F::Courier, get(F::Courier))?,
        outlet: short(F::Outlet, get(F::Outlet))?,
        ordered_on,
        known: split_list(get(F::OrderKnown), true)
            .map(str::to_string)
            .collect(),
    };
    Ok(CaseReport {
        line,
        report_no,
        victim_name,
        resident_id,
        phone,
        reported_at,
        loss_fen,
        narrative: narrative.to_string(),
        suspect_phones,
        suspect_accounts,
        apps,
        urls,
        unit,
        victim_account,
        occupation,
        occupation_text,
        employer,
        order,
        raw: raw.to_string(),
    })
}

/// Suspect numbers of a cell or form field (separated by `、` `,` `;` or spaces), canonical
/// where they parse (fraud numbers often do not).
pub fn suspect_phones_of(text: &str) -> Vec<String> {
    split_list(text, true)
        .map(|v| PhoneNumber::parse(v).map_or_else(|_| v.to_string(), |p| p.canonical()))
        .collect()
}

/// Suspect accounts of a cell or form field: card numbers without spaces, platform accounts
/// as written. Spaces separate values too, except inside a card number typed in groups
/// (`6222 0201 2345 6789 015`): a piece between other separators that reads as one card as a
/// whole is one card.
pub fn suspect_accounts_of(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for piece in text.split(['、', ',', '，', ';', '；', '|', '/', '\n']) {
        if let Ok(card) = BankCard::parse_normalised(piece.trim()) {
            out.push(card.as_str().to_string());
            continue;
        }
        out.extend(split_list(piece, true).map(|v| {
            BankCard::parse_normalised(v).map_or_else(|_| v.to_string(), |c| c.as_str().to_string())
        }));
    }
    out
}

/// One report given field by field rather than as a file's row (the 110 system's API): the
/// same validation as a row, amounts in yuan as in a file. `Err` names the field and the
/// reason code.
pub fn validate_report(
    get: &dyn Fn(ReportField) -> String,
) -> Result<CaseReport, (ReportField, &'static str)> {
    let values: Vec<(ReportField, String)> = ReportField::ALL
        .iter()
        .map(|&f| (f, get(f).trim().to_string()))
        .collect();
    let by_field = |f: ReportField| -> &str {
        values
            .iter()
            .find(|(g, _)| *g == f)
            .map_or("", |(_, v)| v.as_str())
    };
    validate_row(&by_field, false, 1, "")
}

/// An amount in yuan (`1.2万`, `1,234.56`, `¥88`, `88元`); bare numbers count in 万 when the
/// header said so.
fn parse_loss(text: &str, in_wan: bool) -> Result<i64, &'static str> {
    let bare = text
        .trim_end()
        .chars()
        .last()
        .is_some_and(|c| c.is_ascii_digit() || ('０'..='９').contains(&c));
    let money = if in_wan && bare {
        Money::parse(&format!("{text}万"))
    } else {
        Money::parse(text)
    }
    .map_err(|e| e.reason())?;
    if money.is_negative() {
        return Err(report_reason::NEGATIVE_AMOUNT);
    }
    Ok(money.fen())
}

/// A report time: the layouts of [`fanzha_core::time::parse_timestamp`] plus the Chinese one
/// (`2026年3月1日 10时30分`, `2026年03月01日10:30:00`). Naive times are Asia/Shanghai.
pub fn parse_report_time(text: &str) -> Result<i64, fanzha_core::time::TimeError> {
    if !text.contains(['年', '月', '日', '时', '点', '分', '秒']) {
        return fanzha_core::time::parse_timestamp(text);
    }
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '年' | '月' => s.push('-'),
            '日' | '号' => s.push(' '),
            '时' | '点' | '分' => s.push(':'),
            '秒' => {}
            c => s.push(c),
        }
    }
    let mut s = s.trim().trim_end_matches(':').to_string();
    // `10时` alone: the hour, on the hour.
    if let Some((_, time)) = s.rsplit_once(' ') {
        if !time.is_empty() && time.chars().all(|c| c.is_ascii_digit()) {
            s.push_str(":00");
        }
    }
    fanzha_core::time::parse_timestamp(&s)
}

/// Values of a list cell: separated by `、`, `,`, `，`, `;`, `；`, `|`, whitespace or (for
/// numbers and accounts, not URLs) `/`.
fn split_list(cell: &str, slash_too: bool) -> impl Iterator<Item = &str> {
    cell.split(move |c: char| {
        matches!(c, '、' | ',' | '，' | ';' | '；' | '|' | '\u{3000}')
            || c.is_whitespace()
            || (slash_too && c == '/')
    })
    .map(|v| v.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}'))
    .filter(|v| !v.is_empty())
}

fn looks_like_url(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    l.contains("://")
        || l.starts_with("www.")
        || (l.contains('.')
            && !l.contains(' ')
            && l.is_ascii()
            && l.rsplit('.').next().is_some_and(|tld| {
                tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic() || c == '/')
            }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_alias_table_parses_and_covers_every_field() {
        let a = ReportAliases::builtin();
        assert_eq!(a.field_of("警情编号"), Some(ReportField::ReportNo));
        assert_eq!(a.field_of("接警编号"), Some(ReportField::ReportNo));
        assert_eq!(a.field_of("报警人"), Some(ReportField::VictimName));
        assert_eq!(a.field_of("受害人姓名"), Some(ReportField::VictimName));
        assert_eq!(a.field_of("证件号码"), Some(ReportField::IdNumber));
        assert_eq!(a.field_of("报警电话"), Some(ReportField::Phone));
        assert_eq!(a.field_of("接警时间"), Some(ReportField::ReportedAt));
        assert_eq!(a.field_of("涉案金额（元）"), Some(ReportField::Loss));
        assert_eq!(a.field_of("损失金额(万元)"), Some(ReportField::Loss));
        assert_eq!(a.field_of("警情内容"), Some(ReportField::Narrative));
        assert_eq!(a.field_of("对方号码"), Some(ReportField::SuspectPhone));
        assert_eq!(a.field_of("对方账户"), Some(ReportField::SuspectAccount));
        assert_eq!(a.field_of("涉案APP/网址"), Some(ReportField::AppOrUrl));
        assert_eq!(a.field_of("管辖单位"), Some(ReportField::Unit));
        assert_eq!(a.field_of("Report_No"), Some(ReportField::ReportNo));
        for name in ["职业", "受害人职业", "报警人职业", "工作单位性质"] {
            assert_eq!(a.field_of(name), Some(ReportField::Occupation), "{name}");
        }
        assert_eq!(a.field_of("备注"), None);
        for f in ReportField::ALL {
            assert!(!a.aliases_of(f).is_empty(), "{f}");
        }
        assert!(ReportAliases::parse("[fields]\nreport_no = [\"a\"]\nloss = [\"a\"]").is_err());
    }

    #[test]
    fn chinese_times_and_amounts() {
        let t = parse_report_time("2026-03-01 10:30:00").unwrap();
        assert_eq!(parse_report_time("2026年3月1日 10时30分").unwrap(), t);
        assert_eq!(parse_report_time("2026年03月01日10:30:00").unwrap(), t);
        assert_eq!(parse_report_time("2026/3/1 10:30").unwrap(), t);
        assert_eq!(
            parse_report_time("2026年3月1日10时").unwrap(),
            t - 30 * 60_000
        );
        // 10:30 in Shanghai is 02:30 UTC.
        assert_eq!(t % 86_400_000, (2 * 3600 + 30 * 60) * 1000);
        assert!(parse_report_time("昨天").is_err());
        assert_eq!(parse_loss("1.2万", false), Ok(1_200_000));
        assert_eq!(parse_loss("1,234.56", false), Ok(123_456));
        assert_eq!(parse_loss("3.5", true), Ok(3_500_000));
        assert_eq!(parse_loss("800元", true), Ok(80_000));
        assert_eq!(parse_loss("-5", false), Err(report_reason::NEGATIVE_AMOUNT));
        assert_eq!(parse_loss("五千", false), Err("non_digit"));
    }

    #[test]
    fn an_occupation_is_read_and_never_rejects_a_row() {
        let text = "警情编号,报警时间,损失金额,简要案情,受害人职业\n\
            J1,2026-03-01 10:00,100,刷单返利,企业职工\n\
            J2,2026-03-01 10:00,100,刷单返利,个体户\n\
            J3,2026-03-01 10:00,100,刷单返利,某某公司财务\n\
            J4,2026-03-01 10:00,100,刷单返利,保洁员\n\
            J5,2026-03-01 10:00,100,刷单返利,未知\n\
            J6,2026-03-01 10:00,100,刷单返利,\n";
        let f = read_reports("r.csv", text.as_bytes(), ReportFormat::Csv).unwrap();
        assert!(f.rejected.is_empty(), "{:?}", f.rejected);
        let got: Vec<(&str, Option<Occupation>, Option<&str>)> = f
            .reports
            .iter()
            .map(|r| {
                (
                    r.report_no.as_str(),
                    r.occupation,
                    r.occupation_text.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("J1", Some(Occupation::CompanyEmployee), None),
                ("J2", Some(Occupation::SelfEmployed), None),
                ("J3", Some(Occupation::Accountant), None),
                ("J4", Some(Occupation::Other), Some("保洁员")),
                ("J5", None, None),
                ("J6", None, None),
            ]
        );
        // A 工作单位性质 column reads the same way; a file without the column has no occupation.
        let text = "警情编号,报警时间,损失金额,简要案情,工作单位性质\n\
            J1,2026-03-01 10:00,100,刷单返利,事业单位\n";
        let f = read_reports("r.csv", text.as_bytes(), ReportFormat::Csv).unwrap();
        assert_eq!(f.reports[0].occupation, Some(Occupation::PublicSector));
        let text = "警情编号,报警时间,损失金额,简要案情\nJ1,2026-03-01 10:00,100,刷单返利\n";
        let f = read_reports("r.csv", text.as_bytes(), ReportFormat::Csv).unwrap();
        assert_eq!(f.reports[0].occupation, None);
    }

    #[test]
    fn the_employer_is_read_beside_the_nature_of_the_workplace() {
        // 工作单位 names the employer, 工作单位性质 the occupation: both columns read apart.
        let text = "警情编号,报警时间,损失金额,简要案情,工作单位,工作单位性质\n\
            J1,2026-03-01 10:00,100,刷单返利, 余姚市第二人民医院 ,事业单位\n\
            J2,2026-03-01 10:00,100,刷单返利,,\n";
        let f = read_reports("r.csv", text.as_bytes(), ReportFormat::Csv).unwrap();
        assert!(f.rejected.is_empty(), "{:?}", f.rejected);
        assert_eq!(f.reports[0].employer.as_deref(), Some("余姚市第二人民医院"));
        assert_eq!(f.reports[0].occupation, Some(Occupation::PublicSector));
        assert_eq!(f.reports[1].employer, None);
        // A name longer than a short field is refused with its column.
        let long = "局".repeat(MAX_SHORT_CHARS + 1);
        let text = format!("警情编号,报警时间,损失金额,简要案情,工作单位\nJ1,2026-03-01 10:00,100,刷单返利,{long}\n");
        let f = read_reports("r.csv", text.as_bytes(), ReportFormat::Csv).unwrap();
        assert_eq!(f.reports.len(), 0);
        assert_eq!(f.rejected.len(), 1);
    }

    #[test]
    fn lists_split_and_urls_are_told_from_apps() {
        let v: Vec<_> = split_list("17012345678、+85212345678 ,95188", true).collect();
        assert_eq!(v, ["17012345678", "+85212345678", "95188"]);
        assert!(looks_like_url("https://x.example.cn/a"));
        assert!(looks_like_url("www.fake-bank.com"));
        assert!(looks_like_url("fake-invest.top"));
        assert!(!looks_like_url("云闪付"));
        assert!(!looks_like_url("ZOOM会议"));
    }

    #[test]
    fn a_card_typed_in_groups_is_one_account_and_other_values_split() {
        // ICBC and CCB test cards (Luhn-valid), a platform account, a card typed in groups.
        assert_eq!(
            suspect_accounts_of("6222 0201 2345 6789 015、zfb_abc 6217000123456789019"),
            ["6222020123456789015", "zfb_abc", "6217000123456789019"]
        );
        assert_eq!(
            suspect_accounts_of("6222020123456789015 6217000123456789019"),
            ["6222020123456789015", "6217000123456789019"]
        );
        assert_eq!(suspect_accounts_of(" ；、 "), Vec::<String>::new());
    }

    fn gbk(text: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(text).0.into_owned()
    }

    #[test]
    fn a_gbk_csv_with_aliases_and_bad_rows() {
        let text = "接警编号,报警人,证件号码,报警电话,接警时间,涉案金额（元）,警情内容,对方号码,涉案APP/网址,备注\n\
            J001,张三,11010519491231002X,13812345678,2026年3月1日 10时30分,\"1,234.56\",冒充客服退款诱导转账,17012345678、95188,ZOOM会议 https://x.example.cn,无\n\
            J002,李四,110105194912310021,13812345679,2026-03-01 11:00,1.2万,刷单返利,,,\n\
            J003,王五,,,2026-03-01 12:00,5000,,,,\n\
            J001,张三,,,2026-03-01 10:30,1,重复,,,\n\
            J004,赵六,,,2026-03-01 13:00,-1,退款,,,\n\
            \n\
            J005,钱七,,,not a time,100,退款,,,\n";
        let f = read_reports("reports.csv", &gbk(text), ReportFormat::Auto).unwrap();
        assert_eq!(f.format, "csv");
        assert!(
            matches!(f.encoding, Some("GBK") | Some("gb18030")),
            "{:?}",
            f.encoding
        );
        assert_eq!(f.read, 6, "the blank line is no row");
        assert_eq!(f.reports.len(), 1);
        let r = &f.reports[0];
        assert_eq!(r.report_no, "J001");
        assert_eq!(r.victim_name.as_deref(), Some("张三"));
        assert_eq!(r.resident_id.as_deref(), Some("11010519491231002X"));
        assert_eq!(r.phone.as_deref(), Some("13812345678"));
        assert_eq!(r.loss_fen, 123_456);
        assert_eq!(r.line, 2);
        assert_eq!(r.suspect_phones, ["17012345678", "95188"]);
        assert_eq!(r.apps, ["ZOOM会议"]);
        assert_eq!(r.urls, ["https://x.example.cn"]);
        let got: Vec<(u64, Option<&str>, &str)> = f
            .rejected
            .iter()
            .map(|q| (q.line, q.column.map(|c| c.as_str()), q.reason))
            .collect();
        assert_eq!(
            got,
            [
                (3, Some("id_number"), "bad_check_digit"),
                (4, Some("narrative"), "empty_required"),
                (5, Some("report_no"), "duplicate_in_file"),
                (6, Some("loss"), "negative_amount"),
                (8, Some("reported_at"), "bad_format"),
            ]
        );
        assert_eq!(f.ignored_columns, ["备注"]);
        assert_eq!(f.read, f.reports.len() + f.rejected.len());
    }

    #[test]
    fn an_unclosed_quote_costs_one_line_and_reading_resumes() {
        let text = "警情编号,报警时间,损失金额,简要案情\n\
            A1,2026-03-01 10:00,100,\"未闭合的引号\n\
            A2,2026-03-01 11:00,200,退款诈骗\n";
        let f = read_reports("q.csv", text.as_bytes(), ReportFormat::Csv).unwrap();
        assert_eq!(f.reports.len(), 1, "{f:?}");
        assert_eq!(f.reports[0].report_no, "A2");
        assert_eq!(f.reports[0].line, 3);
        assert_eq!(
            (f.rejected[0].line, f.rejected[0].reason),
            (2, "unterminated_quote")
        );
        assert_eq!(f.read, 2);
    }

    proptest::proptest! {
        /// Whatever the bytes, reading never panics and every row is a report or a rejection.
        #[test]
        fn every_row_is_kept_or_rejected(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2_000)) {
            let mut bytes = "警情编号,报警时间,损失金额,简要案情,证件号码\n".as_bytes().to_vec();
            bytes.extend(body);
            let f = read_reports("p.csv", &bytes, ReportFormat::Csv).unwrap();
            proptest::prop_assert_eq!(f.read, f.reports.len() + f.rejected.len());
        }
    }

    #[test]
    fn a_missing_required_column_names_its_aliases() {
        let e = read_reports(
            "r.csv",
            "报警人,损失金额\n张三,1\n".as_bytes(),
            ReportFormat::Csv,
        )
        .unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("report_no") && msg.contains("警情编号"),
            "{msg}"
        );
        assert!(matches!(
            read_reports("r.csv", b"", ReportFormat::Csv),
            Err(IngestError::HeaderAbsent)
        ));
    }

    #[test]
    fn an_xlsx_export_with_a_date_cell() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in [
            "警情编号",
            "受害人姓名",
            "报警时间",
            "损失金额(万元)",
            "简要案情",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, "96110-0001").unwrap();
        ws.write_string(1, 1, "孙八").unwrap();
        let dt = ExcelDateTime::parse_from_str("2026-03-01 10:30:00").unwrap();
        ws.write_datetime_with_format(1, 2, &dt, &Format::new().set_num_format("yyyy-mm-dd hh:mm"))
            .unwrap();
        ws.write_number(1, 3, 2.5).unwrap();
        ws.write_string(1, 4, "冒充公检法").unwrap();
        ws.write_string(2, 0, "96110-0002").unwrap();
        ws.write_string(2, 2, "2026-03-02 09:00").unwrap();
        ws.write_string(2, 4, "投资理财").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let f = read_reports("export.bin", &bytes, ReportFormat::Auto).unwrap();
        assert_eq!(f.format, "xlsx");
        assert_eq!(f.encoding, None);
        assert_eq!(f.reports.len(), 1);
        let r = &f.reports[0];
        assert_eq!(r.loss_fen, 2_500_000, "2.5 in a 万元 column");
        assert_eq!(
            r.reported_at,
            parse_report_time("2026-03-01 10:30").unwrap()
        );
        assert_eq!(f.rejected.len(), 1);
        assert_eq!(
            (f.rejected[0].line, f.rejected[0].reason),
            (3, "empty_required")
        );
    }
}
