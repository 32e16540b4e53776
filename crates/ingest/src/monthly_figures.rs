//! Monthly figures other offices send as spreadsheets: the operators' 反制数据 (fraud calls and
//! messages intercepted, numbers shut down on their own model) and the statistics office's
//! 刑事案件立案数 (criminal cases filed) per unit and month. CSV (UTF-8 or GBK/GB18030,
//! detected) or XLSX, one unit and month per row; columns found by their Chinese or English
//! names, other columns (a unit's name, notes) ignored.
//!
//! Bad rows are rejected with line, column and reason, never dropped: `read = rows +
//! rejected`. Whether a code names a unit of the importer's area, and whether the importer may
//! enter an operator's figures, is for the importer to decide.

use crate::error::IngestError;
use crate::populations::{parse_count, UNIT_ALIASES};
use crate::quarantine::reason;
use crate::reports::{find_column, read_table, required_column, ReportFormat, Table, TableRow};
use std::collections::HashSet;

/// Column names accepted for the month.
pub const MONTH_ALIASES: [&str; 7] = ["月份", "统计月份", "年月", "期间", "month", "period", "月"];

/// Column names accepted for the operator (optional: a file of one operator may leave it out).
pub const OPERATOR_ALIASES: [&str; 6] = [
    "运营商",
    "运营商名称",
    "企业",
    "企业名称",
    "operator",
    "carrier",
];

/// Column names accepted for the intercepted calls.
pub const CALLS_ALIASES: [&str; 7] = [
    "拦截诈骗电话",
    "拦截涉诈电话",
    "拦截电话",
    "拦截诈骗电话(次)",
    "拦截诈骗电话（次）",
    "calls_blocked",
    "calls",
];

/// Column names accepted for the intercepted messages.
pub const SMS_ALIASES: [&str; 7] = [
    "拦截诈骗短信",
    "拦截涉诈短信",
    "拦截短信",
    "拦截诈骗短信(条)",
    "拦截诈骗短信（条）",
    "sms_blocked",
    "sms",
];

/// Column names accepted for the numbers the operator shut down.
pub const SHUT_ALIASES: [&str; 6] = [
    "关停涉诈号码",
    "自主关停涉诈号码",
    "自主关停号码",
    "关停号码",
    "numbers_shut",
    "shut",
];

/// Column names accepted for the anti-fraud reminders texted to subscribers.
pub const AWARENESS_SMS_ALIASES: [&str; 10] = [
    "推送防骗短信",
    "推送防骗提醒短信",
    "推送防骗提醒短信(条)",
    "推送防骗提醒短信（条）",
    "防骗提醒短信",
    "反诈提醒短信",
    "反诈公益短信",
    "推送防骗短信(条)",
    "推送防骗短信（条）",
    "awareness_sms",
];

/// Column names accepted for the voice reminders.
pub const AWARENESS_CALLS_ALIASES: [&str; 6] = [
    "防骗语音提醒",
    "语音提醒",
    "反诈语音提醒",
    "防骗语音提醒(次)",
    "防骗语音提醒（次）",
    "awareness_calls",
];

/// Column names accepted for the criminal cases filed.
pub const CASES_ALIASES: [&str; 7] = [
    "刑事案件立案数",
    "刑事立案数",
    "刑事案件数",
    "刑事案件",
    "立案数",
    "criminal_cases",
    "cases",
];

/// Column names accepted for the bank (optional: a bank's own file may leave it out).
pub const BANK_ALIASES: [&str; 8] = [
    "银行",
    "银行名称",
    "填报银行",
    "机构",
    "机构名称",
    "填报单位名称",
    "bank",
    "bank_code",
];

/// Column names accepted for the customers a bank talked out of paying.
pub const DISSUADED_ALIASES: [&str; 8] = [
    "劝阻群众",
    "劝阻人数",
    "劝阻人次",
    "成功劝阻",
    "成功劝阻人数",
    "劝阻群众(人次)",
    "劝阻群众（人次）",
    "dissuaded",
];

/// Column names accepted for the money those customers kept, in yuan (万元 when the header
/// says so).
pub const DISSUADED_AMOUNT_ALIASES: [&str; 9] = [
    "劝阻涉及金额",
    "劝阻金额",
    "涉及金额",
    "避免损失金额",
    "劝阻涉及金额(元)",
    "劝阻涉及金额（元）",
    "劝阻涉及金额(万元)",
    "劝阻涉及金额（万元）",
    "dissuaded_yuan",
];

/// The largest count a cell may hold (far above a province's month of intercepted calls).
pub const MAX_MONTHLY_COUNT: i64 = 10_000_000_000;

/// Reasons a row is rejected (besides the row-level ones of the quarantine).
pub mod figure_reason {
    /// The unit cell is not 1–32 letters or digits.
    pub const BAD_UNIT_CODE: &str = "bad_unit_code";
    /// The month cell is not a month (`2026-06`, `2026/6`, `2026年6月`, `202606`, a date).
    pub const BAD_MONTH: &str = "bad_month";
    /// The operator cell names no network operator (中国移动, 联通, 电信, 广电, …).
    pub const UNKNOWN_OPERATOR: &str = "unknown_operator";
    /// A count cell is not a whole number from 0 to 10,000,000,000.
    pub const BAD_COUNT: &str = "bad_count";
    /// The bank cell names no bank of the reference table (or two equally).
    pub const UNKNOWN_BANK: &str = "unknown_bank";
    /// The amount cell is not an amount of money from 0 (`12,000.50`, `1.2万`, `¥800`).
    pub const BAD_AMOUNT: &str = "bad_amount";
    /// The same unit and month (and operator) appear on an earlier line of the file.
    pub const DUPLICATE: &str = "duplicate_in_file";
}

/// A rejected row.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FigureRejection {
    pub line: u64,
    /// The column to blame (`unit`, `month`, `operator`, `calls_blocked`, …), when one is.
    pub column: Option<&'static str>,
    pub reason: &'static str,
    pub raw: String,
}

/// What a figures file held: the accepted rows and the rejected ones.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FigureFile<R> {
    pub format: &'static str,
    pub encoding: Option<&'static str>,
    /// Data rows read (blank rows are not rows): accepted + rejected.
    pub read: usize,
    pub rows: Vec<R>,
    pub rejected: Vec<FigureRejection>,
}

/// One operator's figures for a unit and month as the file states them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OperatorFigureRow {
    pub line: u64,
    /// The code as written, trimmed (a padded division code is left for the importer to map).
    pub unit: String,
    /// The operator's code (`china_mobile`, `china_unicom`, `china_telecom`,
    /// `china_broadnet`); `None` when the file has no operator column.
    pub operator: Option<&'static str>,
    /// `YYYYMM`.
    pub month: i64,
    pub calls_blocked: i64,
    pub sms_blocked: i64,
    pub numbers_shut: i64,
    pub awareness_sms: i64,
    pub awareness_calls: i64,
    pub raw: String,
}

/// A bank's figures for a unit and month as the file states them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct BankFigureRow {
    pub line: u64,
    pub unit: String,
    /// The bank's code of the reference table; `None` when the file has no bank column.
    pub bank: Option<String>,
    /// `YYYYMM`.
    pub month: i64,
    pub dissuaded: i64,
    pub dissuaded_fen: i64,
    pub awareness_sms: i64,
    pub awareness_calls: i64,
    pub raw: String,
}

/// A unit's criminal cases of a month as the file states them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CrimeCountRow {
    pub line: u64,
    pub unit: String,
    /// `YYYYMM`.
    pub month: i64,
    pub cases: i64,
    pub raw: String,
}

/// Reads an operator-figures file; `name` is the file's name as given. Needs a unit, a month
/// and at least one of the five count columns (intercepted calls and messages, numbers shut
/// down, reminders texted, voice reminders); the operator column is optional. An empty count
/// cell, or a column the file lacks, is 0; a row with all of them empty is rejected.
pub fn read_operator_figures(
    name: &str,
    bytes: &[u8],
    format: ReportFormat,
) -> Result<FigureFile<OperatorFigureRow>, IngestError> {
    let (table, format, encoding) = read_table(name, bytes, format)?;
    let header = &table.header.clone().ok_or(IngestError::HeaderAbsent)?;
    let unit_at = required_column(header, &UNIT_ALIASES, "unit")?;
    let month_at = required_column(header, &MONTH_ALIASES, "month")?;
    let operator_at = find_column(header, &OPERATOR_ALIASES);
    let counts_at = [
        ("calls_blocked", find_column(header, &CALLS_ALIASES)),
        ("sms_blocked", find_column(header, &SMS_ALIASES)),
        ("numbers_shut", find_column(header, &SHUT_ALIASES)),
        ("awareness_sms", find_column(header, &AWARENESS_SMS_ALIASES)),
        (
            "awareness_calls",
            find_column(header, &AWARENESS_CALLS_ALIASES),
        ),
    ];
    if counts_at.iter().all(|(_, at)| at.is_none()) {
        // Names the accepted ones, as a missing required column does.
        required_column(header, &CALLS_ALIASES, "calls_blocked")?;
    }
    let mut seen = HashSet::new();
    let file = each_row(table, format, encoding, |cells, reject| {
        let cell = |i: usize| cells.get(i).map(|t| t.trim()).unwrap_or("");
        let (unit, month) = unit_and_month(cell(unit_at), cell(month_at)).map_err(reject)?;
        let operator =
            match operator_at {
                None => None,
                Some(at) => match cell(at) {
                    "" => return Err(reject((Some("operator"), reason::EMPTY_REQUIRED))),
                    text => Some(parse_operator(text).ok_or_else(|| {
                        reject((Some("operator"), figure_reason::UNKNOWN_OPERATOR))
                    })?),
                },
            };
        let mut counts = [0i64; 5];
        let mut given = 0;
        for (slot, (column, at)) in counts.iter_mut().zip(counts_at) {
            let text = at.map(cell).unwrap_or("");
            if text.is_empty() {
                continue;
            }
            given += 1;
            *slot = parse_count(text, MAX_MONTHLY_COUNT)
                .ok_or_else(|| reject((Some(column), figure_reason::BAD_COUNT)))?;
        }
        if given == 0 {
            return Err(reject((Some("calls_blocked"), reason::EMPTY_REQUIRED)));
        }
        if !seen.insert((unit.clone(), operator, month)) {
            return Err(reject((Some("unit"), figure_reason::DUPLICATE)));
        }
        Ok(move |line, raw| OperatorFigureRow {
            line,
            unit,
            operator,
            month,
            calls_blocked: counts[0],
            sms_blocked: counts[1],
            numbers_shut: counts[2],
            awareness_sms: counts[3],
            awareness_calls: counts[4],
            raw,
        })
    });
    Ok(file)
}

/// Reads a banks' figures file (银行反诈数据): a unit, a month and at least one of the four
/// columns — customers dissuaded, the money they kept (yuan, or 万元 when its header says so;
/// `1.2万`, `¥3,000` read as written), reminders texted, voice reminders; the bank column is
/// optional, its cell a code, a name or a branch's name (`中国工商银行余姚支行`). An empty cell,
/// or a column the file lacks, is 0; a row with all of them empty is rejected.
pub fn read_bank_figures(
    name: &str,
    bytes: &[u8],
    format: ReportFormat,
) -> Result<FigureFile<BankFigureRow>, IngestError> {
    let (table, format, encoding) = read_table(name, bytes, format)?;
    let header = &table.header.clone().ok_or(IngestError::HeaderAbsent)?;
    let unit_at = required_column(header, &UNIT_ALIASES, "unit")?;
    let month_at = required_column(header, &MONTH_ALIASES, "month")?;
    let bank_at = find_column(header, &BANK_ALIASES);
    let dissuaded_at = find_column(header, &DISSUADED_ALIASES);
    let amount_at = find_column(header, &DISSUADED_AMOUNT_ALIASES);
    let in_wan = amount_at.is_some_and(|i| header[i].contains('万'));
    let sms_at = find_column(header, &AWARENESS_SMS_ALIASES);
    let calls_at = find_column(header, &AWARENESS_CALLS_ALIASES);
    if [dissuaded_at, amount_at, sms_at, calls_at]
        .iter()
        .all(Option::is_none)
    {
        required_column(header, &DISSUADED_ALIASES, "dissuaded")?;
    }
    let mut seen = HashSet::new();
    let file = each_row(table, format, encoding, |cells, reject| {
        let cell = |i: usize| cells.get(i).map(|t| t.trim()).unwrap_or("");
        let (unit, month) = unit_and_month(cell(unit_at), cell(month_at)).map_err(reject)?;
        let bank = match bank_at {
            None => None,
            Some(at) => match cell(at) {
                "" => return Err(reject((Some("bank"), reason::EMPTY_REQUIRED))),
                text => Some(
                    fanzha_core::reference::bank_bins()
                        .by_name(text)
                        .map(|b| b.code.to_string())
                        .ok_or_else(|| reject((Some("bank"), figure_reason::UNKNOWN_BANK)))?,
                ),
            },
        };
        let mut given = 0;
        let mut count = |at: Option<usize>, column: &'static str| match at.map(cell).unwrap_or("") {
            "" => Ok(0),
            text => {
                given += 1;
                parse_count(text, MAX_MONTHLY_COUNT)
                    .ok_or_else(|| reject((Some(column), figure_reason::BAD_COUNT)))
            }
        };
        let dissuaded = count(dissuaded_at, "dissuaded")?;
        let awareness_sms = count(sms_at, "awareness_sms")?;
        let awareness_calls = count(calls_at, "awareness_calls")?;
        let dissuaded_fen = match amount_at.map(cell).unwrap_or("") {
            "" => 0,
            text => {
                given += 1;
                let bare = text.chars().last().is_some_and(|c| c.is_ascii_digit());
                let written = if in_wan && bare {
                    format!("{text}万")
                } else {
                    text.to_string()
                };
                match fanzha_core::Money::parse(&written) {
                    Ok(m) if !m.is_negative() && m.fen() <= MAX_MONTHLY_COUNT * 100 => m.fen(),
                    _ => return Err(reject((Some("dissuaded_yuan"), figure_reason::BAD_AMOUNT))),
                }
            }
        };
        if given == 0 {
            return Err(reject((Some("dissuaded"), reason::EMPTY_REQUIRED)));
        }
        if !seen.insert((unit.clone(), bank.clone(), month)) {
            return Err(reject((Some("unit"), figure_reason::DUPLICATE)));
        }
        Ok(move |line, raw| BankFigureRow {
            line,
            unit,
            bank,
            month,
            dissuaded,
            dissuaded_fen,
            awareness_sms,
            awareness_calls,
            raw,
        })
    });
    Ok(file)
}

/// Reads a file of criminal cases filed per unit and month (刑事案件立案数).
pub fn read_crime_counts(
    name: &str,
    bytes: &[u8],
    format: ReportFormat,
) -> Result<FigureFile<CrimeCountRow>, IngestError> {
    let (table, format, encoding) = read_table(name, bytes, format)?;
    let header = &table.header.clone().ok_or(IngestError::HeaderAbsent)?;
    let unit_at = required_column(header, &UNIT_ALIASES, "unit")?;
    let month_at = required_column(header, &MONTH_ALIASES, "month")?;
    let cases_at = required_column(header, &CASES_ALIASES, "cases")?;
    let mut seen = HashSet::new();
    let file = each_row(table, format, encoding, |cells, reject| {
        let cell = |i: usize| cells.get(i).map(|t| t.trim()).unwrap_or("");
        let (unit, month) = unit_and_month(cell(unit_at), cell(month_at)).map_err(reject)?;
        let cases = match cell(cases_at) {
            "" => return Err(reject((Some("cases"), reason::EMPTY_REQUIRED))),
            text => parse_count(text, MAX_MONTHLY_COUNT)
                .ok_or_else(|| reject((Some("cases"), figure_reason::BAD_COUNT)))?,
        };
        if !seen.insert((unit.clone(), month)) {
            return Err(reject((Some("unit"), figure_reason::DUPLICATE)));
        }
        Ok(move |line, raw| CrimeCountRow {
            line,
            unit,
            month,
            cases,
            raw,
        })
    });
    Ok(file)
}

pub(crate) type Blame = (Option<&'static str>, &'static str);

/// Runs `check` over every data row: a row it accepts becomes a row of the file (built from
/// its line and raw text), one it rejects a rejection; a row the reader could not split, or a
/// CSV row of the wrong width, is rejected before `check` sees it.
pub(crate) fn each_row<R, B>(
    table: Table,
    format: &'static str,
    encoding: Option<&'static str>,
    mut check: impl FnMut(&[String], &dyn Fn(Blame) -> FigureRejection) -> Result<B, FigureRejection>,
) -> FigureFile<R>
where
    B: FnOnce(u64, String) -> R,
{
    let width = table.header.as_ref().map_or(0, Vec::len);
    let mut file = FigureFile {
        format,
        encoding,
        read: 0,
        rows: Vec::new(),
        rejected: Vec::new(),
    };
    for TableRow {
        line,
        raw,
        cells,
        csv,
    } in table.rows
    {
        file.read += 1;
        let reject = |(column, reason): Blame| FigureRejection {
            line,
            column,
            reason,
            raw: raw.clone(),
        };
        let cells = match &cells {
            Ok(c) if csv && c.len() != width => {
                file.rejected
                    .push(reject((None, reason::WRONG_FIELD_COUNT)));
                continue;
            }
            Ok(c) => c,
            Err(r) => {
                file.rejected.push(reject((None, r)));
                continue;
            }
        };
        match check(cells, &reject) {
            Ok(build) => {
                let raw = raw.clone();
                file.rows.push(build(line, raw));
            }
            Err(r) => file.rejected.push(r),
        }
    }
    file
}

/// The unit code and the month of a row, or what is wrong with them.
fn unit_and_month(unit: &str, month: &str) -> Result<(String, i64), Blame> {
    if unit.is_empty() {
        return Err((Some("unit"), reason::EMPTY_REQUIRED));
    }
    if unit.len() > 32 || !unit.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err((Some("unit"), figure_reason::BAD_UNIT_CODE));
    }
    if month.is_empty() {
        return Err((Some("month"), reason::EMPTY_REQUIRED));
    }
    let month = parse_month(month).ok_or((Some("month"), figure_reason::BAD_MONTH))?;
    Ok((unit.to_string(), month))
}

/// A month as offices write it, as `YYYYMM`: `2026-06`, `2026/6`, `2026.06`, `2026年6月`,
/// `202606`, or a day of it (`2026-06-01`, `2026/6/1`, `2026年6月1日`, as a spreadsheet's date
/// cell reads). Years 2000–2100. `None` for anything else.
pub fn parse_month(text: &str) -> Option<i64> {
    let folded: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            c => c,
        })
        .collect();
    // A spreadsheet date cell may carry a time of day after the date.
    let date = folded.split([' ', 'T']).next().unwrap_or("");
    let parts: Vec<&str> = date
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let (year, month) = match parts.as_slice() {
        [ym] if ym.len() == 6 && digits(ym) => (ym[..4].parse().ok()?, ym[4..].parse().ok()?),
        [y, m] | [y, m, _] if y.len() == 4 && digits(y) && m.len() <= 2 && digits(m) => {
            (y.parse::<i64>().ok()?, m.parse::<i64>().ok()?)
        }
        _ => return None,
    };
    if let [_, _, d] = parts.as_slice() {
        if d.len() > 2 || !digits(d) {
            return None;
        }
    }
    ((2000..=2100).contains(&year) && (1..=12).contains(&month)).then_some(year * 100 + month)
}

/// The operator an office's wording names, as its code: the code, the English name or
/// abbreviation, or any Chinese name holding exactly one of 移动 / 联通 / 电信 / 广电 (中国移动,
/// 浙江移动, 中国电信宁波分公司, …).
pub fn parse_operator(text: &str) -> Option<&'static str> {
    const OPERATORS: [(&str, &str, [&str; 3]); 4] = [
        ("china_mobile", "移动", ["china mobile", "cmcc", "mobile"]),
        ("china_unicom", "联通", ["china unicom", "cucc", "unicom"]),
        (
            "china_telecom",
            "电信",
            ["china telecom", "ctcc", "telecom"],
        ),
        (
            "china_broadnet",
            "广电",
            ["china broadnet", "cbn", "broadnet"],
        ),
    ];
    let t = text.trim().to_lowercase();
    if let Some((code, _, _)) = OPERATORS
        .iter()
        .find(|(code, _, english)| *code == t || english.contains(&t.as_str()))
    {
        return Some(code);
    }
    let mut named = OPERATORS.iter().filter(|(_, zh, _)| t.contains(zh));
    match (named.next(), named.next()) {
        (Some((code, _, _)), None) => Some(code),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_read_as_offices_write_them() {
        for (text, want) in [
            ("2026-06", 202606),
            ("2026/6", 202606),
            ("2026.06", 202606),
            ("2026年6月", 202606),
            ("２０２６年１２月", 202612),
            ("202606", 202606),
            ("2026-06-01", 202606),
            ("2026/6/1", 202606),
            ("2026年6月1日", 202606),
            ("2026-06-01 00:00:00", 202606),
        ] {
            assert_eq!(parse_month(text), Some(want), "{text}");
        }
        for bad in [
            "",
            "6月",
            "2026",
            "2026-13",
            "2026-00",
            "1999-12",
            "26-06",
            "2026-6-1-2",
            "abcd-06",
            "2026-06-001",
            "20260",
        ] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
    }

    #[test]
    fn operators_are_named_many_ways() {
        for (text, want) in [
            ("中国移动", "china_mobile"),
            ("移动", "china_mobile"),
            ("中国移动通信集团有限公司", "china_mobile"),
            ("China Unicom", "china_unicom"),
            ("联通公司", "china_unicom"),
            ("中国电信", "china_telecom"),
            ("CTCC", "china_telecom"),
            ("中国广电", "china_broadnet"),
        ] {
            assert_eq!(parse_operator(text), Some(want), "{text}");
        }
        assert_eq!(parse_operator("宁波移动分公司"), Some("china_mobile"));
        assert_eq!(parse_operator("铁通"), None);
        assert_eq!(parse_operator("移动联通"), None, "two operators named");
        assert_eq!(parse_operator(""), None);
    }

    #[test]
    fn operator_rows_are_accepted_or_rejected_with_line_and_reason() {
        let csv = "区划代码,单位,运营商,月份,拦截诈骗电话,拦截诈骗短信,自主关停涉诈号码\n\
                   330281,余姚市,中国移动,2026年6月,\"23,400\",5600,12\n\
                   330281,余姚市,联通,2026-06,1.2万,,\n\
                   330281,余姚市,电信,2026-06,,,\n\
                   330281,余姚市,铁通,2026-06,1,1,1\n\
                   330281,余姚市,中国移动,2026-6,5,5,5\n\
                   330281,余姚市,移动,六月,5,5,5\n\
                   33/02,坏代码,移动,2026-05,5,5,5\n\
                   330282,慈溪市,移动,2026-05,-5,5,5\n\
                   330282,慈溪市,,2026-05,5,5,5\n\
                   330282,慈溪市,移动\n";
        let f = read_operator_figures("o.csv", csv.as_bytes(), ReportFormat::Auto).unwrap();
        assert_eq!(f.read, 10);
        assert_eq!(
            f.rows
                .iter()
                .map(|r| (
                    r.line,
                    r.operator,
                    r.month,
                    r.calls_blocked,
                    r.sms_blocked,
                    r.numbers_shut
                ))
                .collect::<Vec<_>>(),
            vec![
                (2, Some("china_mobile"), 202606, 23_400, 5_600, 12),
                (3, Some("china_unicom"), 202606, 12_000, 0, 0),
            ]
        );
        assert_eq!(
            f.rejected
                .iter()
                .map(|r| (r.line, r.column, r.reason))
                .collect::<Vec<_>>(),
            vec![
                (4, Some("calls_blocked"), "empty_required"),
                (5, Some("operator"), "unknown_operator"),
                (6, Some("unit"), "duplicate_in_file"),
                (7, Some("month"), "bad_month"),
                (8, Some("unit"), "bad_unit_code"),
                (9, Some("calls_blocked"), "bad_count"),
                (10, Some("operator"), "empty_required"),
                (11, None, "wrong_field_count"),
            ]
        );
        assert_eq!(f.read, f.rows.len() + f.rejected.len());
    }

    #[test]
    fn reminders_pushed_are_read_beside_the_interceptions() {
        let csv = "单位代码,月份,运营商,拦截诈骗电话,推送防骗短信（条）,防骗语音提醒\n\
                   330281,2026-06,移动,100,52000,3100\n\
                   330282,2026-06,联通,,8000,\n\
                   330283,2026-06,电信,,x,\n";
        let f = read_operator_figures("o.csv", csv.as_bytes(), ReportFormat::Auto).unwrap();
        assert_eq!(
            f.rows
                .iter()
                .map(|r| (
                    r.calls_blocked,
                    r.sms_blocked,
                    r.awareness_sms,
                    r.awareness_calls
                ))
                .collect::<Vec<_>>(),
            vec![(100, 0, 52_000, 3_100), (0, 0, 8_000, 0)]
        );
        assert_eq!(
            f.rejected
                .iter()
                .map(|r| (r.line, r.column, r.reason))
                .collect::<Vec<_>>(),
            vec![(4, Some("awareness_sms"), "bad_count")]
        );
    }

    #[test]
    fn an_operator_column_is_optional_and_a_count_column_is_not() {
        let f = read_operator_figures(
            "o.csv",
            "unit_code,month,sms\n330281,2026-06,7\n".as_bytes(),
            ReportFormat::Csv,
        )
        .unwrap();
        assert_eq!((f.rows[0].operator, f.rows[0].sms_blocked), (None, 7));
        let err = read_operator_figures(
            "o.csv",
            "unit_code,month,note\n330281,2026-06,x\n".as_bytes(),
            ReportFormat::Csv,
        )
        .unwrap_err();
        assert!(err.to_string().contains("拦截诈骗电话"), "{err}");
    }

    #[test]
    fn crime_count_rows_are_accepted_or_rejected() {
        let csv = "单位代码,月份,刑事案件立案数\n\
                   330281,2026-05,120\n\
                   330281001,2026-05,\n\
                   330281,2026/5,3\n\
                   330282,2026-05,很多\n\
                   330282,2026-04,40\n";
        let f = read_crime_counts("c.csv", csv.as_bytes(), ReportFormat::Auto).unwrap();
        assert_eq!(
            f.rows
                .iter()
                .map(|r| (r.line, r.unit.as_str(), r.month, r.cases))
                .collect::<Vec<_>>(),
            vec![(2, "330281", 202605, 120), (6, "330282", 202604, 40)]
        );
        assert_eq!(
            f.rejected
                .iter()
                .map(|r| (r.line, r.reason))
                .collect::<Vec<_>>(),
            vec![
                (3, "empty_required"),
                (4, "duplicate_in_file"),
                (5, "bad_count"),
            ]
        );
    }

    #[test]
    fn bank_rows_name_the_bank_and_read_money_as_the_header_says() {
        let csv = "单位代码,填报银行,月份,劝阻群众,劝阻涉及金额（万元）,防骗语音提醒\n\
                   330281,中国工商银行余姚支行,2026-05,14,86.5,\n\
                   330281,工行,2026-05,1,1,1\n\
                   330281001,邮储银行,2026年5月,,\"1,200.5\",\n\
                   330281001,某某信用社,2026-05,1,,\n\
                   330282,建设银行,2026-05,2,很多,\n\
                   330282,建设银行,2026-04,,,\n";
        let f = read_bank_figures("b.csv", csv.as_bytes(), ReportFormat::Auto).unwrap();
        assert_eq!(
            f.rows
                .iter()
                .map(|r| (r.line, r.bank.as_deref(), r.dissuaded, r.dissuaded_fen))
                .collect::<Vec<_>>(),
            vec![
                (2, Some("ICBC"), 14, 86_500_000),
                (4, Some("PSBC"), 0, 1_200_500_000),
            ]
        );
        assert_eq!(
            f.rejected
                .iter()
                .map(|r| (r.line, r.column, r.reason))
                .collect::<Vec<_>>(),
            vec![
                (3, Some("unit"), "duplicate_in_file"),
                (5, Some("bank"), "unknown_bank"),
                (6, Some("dissuaded_yuan"), "bad_amount"),
                (7, Some("dissuaded"), "empty_required"),
            ]
        );
        // Without any figure column the header is refused, naming the accepted names.
        let bare = "单位代码,月份,备注\n330281,2026-05,x\n";
        assert!(read_bank_figures("b.csv", bare.as_bytes(), ReportFormat::Auto).is_err());
    }
}
