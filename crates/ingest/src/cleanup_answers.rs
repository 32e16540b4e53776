//! A bank's answers to 存量卡清理 requests as a spreadsheet: the work list it downloaded from
//! `/card-cleanups/worklist`, filled in — one request per row, named by its 编号, with what the
//! bank found and did. CSV (UTF-8 or GBK/GB18030, detected) or XLSX; columns found by their
//! Chinese or English names, the others (the holder, the reasons, the deadline) ignored.
//!
//! Bad rows are rejected with line, column and reason, never dropped: `read = rows + rejected`.
//! A row left without an outcome is rejected too (`empty_required`): the bank has not answered
//! it yet, and the importer says so. Whether the request is the bank's and still pending, and
//! whether the figures agree with the outcome, is for the store to decide.

use crate::error::IngestError;
use crate::monthly_figures::{each_row, figure_reason, FigureFile};
use crate::populations::parse_count;
use crate::quarantine::reason;
use crate::reports::{find_column, read_table, required_column, ReportFormat};
use std::collections::HashSet;

/// Column names accepted for the request's number.
pub const ID_ALIASES: [&str; 6] = [
    "编号",
    "核查编号",
    "请求编号",
    "清理编号",
    "id",
    "request_id",
];
/// Column names accepted for the outcome.
pub const OUTCOME_ALIASES: [&str; 6] = [
    "核查结果",
    "处置结果",
    "清理结果",
    "结果",
    "outcome",
    "result",
];
/// Column names accepted for the accounts the bank found.
pub const FOUND_ALIASES: [&str; 5] = [
    "查见账户数",
    "名下账户数",
    "账户数",
    "accounts_found",
    "found",
];
/// Column names accepted for the accounts closed.
pub const CLOSED_ALIASES: [&str; 5] = [
    "销户数",
    "已销户数",
    "销户账户数",
    "accounts_closed",
    "closed",
];
/// Column names accepted for the accounts restricted to counter business.
pub const RESTRICTED_ALIASES: [&str; 6] = [
    "限制非柜面数",
    "限制数",
    "已限制数",
    "限制非柜面账户数",
    "accounts_restricted",
    "restricted",
];
/// Column names accepted for the bank's note.
pub const NOTE_ALIASES: [&str; 5] = ["说明", "反馈说明", "备注", "note", "remarks"];

/// The most accounts one holder may be answered to hold at one bank.
pub const MAX_ACCOUNTS: i64 = 10_000;

/// Reasons a row is rejected (besides the row-level ones of the quarantine and
/// [`figure_reason::BAD_COUNT`] / [`figure_reason::DUPLICATE`]).
pub mod answer_reason {
    /// The 编号 cell is not a request number (a whole number above 0).
    pub const BAD_REQUEST_ID: &str = "bad_request_id";
    /// The outcome cell is none of 已清理, 核实正常, 本行无账户 (or their codes and usual words).
    pub const UNKNOWN_OUTCOME: &str = "unknown_outcome";
}

/// One answer as the file states it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CleanupAnswerRow {
    pub line: u64,
    pub id: i64,
    /// `cleaned`, `normal` or `no_accounts`.
    pub outcome: &'static str,
    pub accounts_found: i64,
    pub accounts_closed: i64,
    pub accounts_restricted: i64,
    pub note: String,
    pub raw: String,
}

/// The outcome code a cell names: the labels the work list uses, the codes, and the words banks
/// write instead (已销户, 已限制 → cleaned; 正常 → normal; 无账户, 查无此人 → no accounts).
pub fn parse_outcome(text: &str) -> Option<&'static str> {
    let t = text.trim().to_ascii_lowercase();
    Some(match t.as_str() {
        "已清理" | "清理" | "已处置" | "已销户" | "销户" | "已限制" | "限制非柜面"
        | "已限制非柜面" | "cleaned" => "cleaned",
        "核实正常" | "正常" | "已核实正常" | "无异常" | "normal" => "normal",
        "本行无账户" | "无账户" | "查无账户" | "查无此人" | "非本行客户" | "no_accounts" => {
            "no_accounts"
        }
        _ => return None,
    })
}

/// Reads a file of answers; `name` is the file's name as given. Needs the 编号 and the outcome;
/// an empty count cell is 0.
pub fn read_cleanup_answers(
    name: &str,
    bytes: &[u8],
    format: ReportFormat,
) -> Result<FigureFile<CleanupAnswerRow>, IngestError> {
    let (table, format, encoding) = read_table(name, bytes, format)?;
    let header = &table.header.clone().ok_or(IngestError::HeaderAbsent)?;
    let id_at = required_column(header, &ID_ALIASES, "id")?;
    let outcome_at = required_column(header, &OUTCOME_ALIASES, "outcome")?;
    let counts_at = [
        ("accounts_found", find_column(header, &FOUND_ALIASES)),
        ("accounts_closed", find_column(header, &CLOSED_ALIASES)),
        (
            "accounts_restricted",
            find_column(header, &RESTRICTED_ALIASES),
        ),
    ];
    let note_at = find_column(header, &NOTE_ALIASES);
    let mut seen = HashSet::new();
    let file = each_row(table, format, encoding, |cells, reject| {
        let cell = |i: usize| cells.get(i).map(|t| t.trim()).unwrap_or("");
        let id = match cell(id_at) {
            "" => return Err(reject((Some("id"), reason::EMPTY_REQUIRED))),
            text => parse_count(text, i64::MAX)
                .filter(|n| *n > 0)
                .ok_or_else(|| reject((Some("id"), answer_reason::BAD_REQUEST_ID)))?,
        };
        let outcome = match cell(outcome_at) {
            "" => return Err(reject((Some("outcome"), reason::EMPTY_REQUIRED))),
            text => parse_outcome(text)
                .ok_or_else(|| reject((Some("outcome"), answer_reason::UNKNOWN_OUTCOME)))?,
        };
        let mut counts = [0i64; 3];
        for (slot, (column, at)) in counts.iter_mut().zip(counts_at) {
            let text = at.map(cell).unwrap_or("");
            if !text.is_empty() {
                *slot = parse_count(text, MAX_ACCOUNTS)
                    .ok_or_else(|| reject((Some(column), figure_reason::BAD_COUNT)))?;
            }
        }
        if !seen.insert(id) {
            return Err(reject((Some("id"), figure_reason::DUPLICATE)));
        }
        let note = note_at.map(cell).unwrap_or("").to_string();
        Ok(move |line, raw| CleanupAnswerRow {
            line,
            id,
            outcome,
            accounts_found: counts[0],
            accounts_closed: counts[1],
            accounts_restricted: counts[2],
            note,
            raw,
        })
    });
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> FigureFile<CleanupAnswerRow> {
        read_cleanup_answers("answers.csv", text.as_bytes(), ReportFormat::Csv).unwrap()
    }

    fn reasons(f: &FigureFile<CleanupAnswerRow>) -> Vec<(u64, Option<&str>, &str)> {
        f.rejected
            .iter()
            .map(|r| (r.line, r.column, r.reason))
            .collect()
    }

    #[test]
    fn the_work_list_filled_in_is_read_with_its_labels() {
        let f = read(
            "编号,持卡人,证件号码,核查结果,查见账户数,销户数,限制非柜面数,说明\n\
             12,王小明,330281198001010016,已清理,3,1,2,一户销户\n\
             13,李大力,330282198001010021,核实正常,1,,,代发工资\n\
             14,张三,x,本行无账户,,,,\n",
        );
        assert_eq!((f.read, f.rows.len(), f.rejected.len()), (3, 3, 0));
        let r = &f.rows[0];
        assert_eq!(
            (
                r.line,
                r.id,
                r.outcome,
                r.accounts_found,
                r.accounts_closed,
                r.accounts_restricted
            ),
            (2, 12, "cleaned", 3, 1, 2)
        );
        assert_eq!(r.note, "一户销户");
        assert_eq!((f.rows[1].outcome, f.rows[1].accounts_found), ("normal", 1));
        assert_eq!(
            (f.rows[2].outcome, f.rows[2].accounts_found),
            ("no_accounts", 0)
        );
    }

    #[test]
    fn bad_rows_are_rejected_with_line_column_and_reason() {
        let f = read(
            "id,outcome,accounts_found,accounts_closed\n\
             1,cleaned,2,1\n\
             ,cleaned,1,1\n\
             0,cleaned,1,1\n\
             abc,cleaned,1,1\n\
             5,,1,1\n\
             6,烧掉了,1,1\n\
             7,cleaned,-1,0\n\
             8,cleaned,2,两个\n\
             1,normal,1,0\n\
             9,cleaned\n",
        );
        assert_eq!(f.read, 10);
        assert_eq!(f.rows.len(), 1);
        assert_eq!(
            reasons(&f),
            vec![
                (3, Some("id"), "empty_required"),
                (4, Some("id"), "bad_request_id"),
                (5, Some("id"), "bad_request_id"),
                (6, Some("outcome"), "empty_required"),
                (7, Some("outcome"), "unknown_outcome"),
                (8, Some("accounts_found"), "bad_count"),
                (9, Some("accounts_closed"), "bad_count"),
                (10, Some("id"), "duplicate_in_file"),
                (11, None, "wrong_field_count"),
            ]
        );
    }

    #[test]
    fn the_columns_it_needs_are_named_when_missing() {
        let e = read_cleanup_answers("a.csv", "编号,销户数\n1,2\n".as_bytes(), ReportFormat::Csv)
            .unwrap_err();
        assert!(e.to_string().contains("outcome"), "{e}");
    }

    #[test]
    fn outcomes_are_read_in_the_banks_words() {
        for (text, code) in [
            ("已销户", "cleaned"),
            (" 已限制非柜面 ", "cleaned"),
            ("Cleaned", "cleaned"),
            ("正常", "normal"),
            ("查无此人", "no_accounts"),
            ("NO_ACCOUNTS", "no_accounts"),
        ] {
            assert_eq!(parse_outcome(text), Some(code), "{text}");
        }
        assert_eq!(parse_outcome("待定"), None);
    }

    proptest::proptest! {
        /// Any bytes: rows and rejections account for every row read, and nothing panics.
        #[test]
        fn every_row_is_read_or_rejected(body in "[0-9a-z,已清理正常\n\"]{0,200}") {
            let text = format!("编号,核查结果,查见账户数,销户数\n{body}");
            if let Ok(f) = read_cleanup_answers("a.csv", text.as_bytes(), ReportFormat::Csv) {
                proptest::prop_assert_eq!(f.read, f.rows.len() + f.rejected.len());
            }
        }
    }
}
