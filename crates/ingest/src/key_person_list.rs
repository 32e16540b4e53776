//! 重点人员名单: the lists of people to keep under watch that arrive in bulk — the national
//! platform's punishment list (惩戒名单), the exit-and-entry bureau's exit bans, the ministry's
//! lists of people stranded in or returned from the fraud compounds abroad. CSV (UTF-8 or GBK)
//! or XLSX: the resident ID (required), the category (or one for the whole list), why the person
//! is listed, and optionally the measure the list stands for — a punishment with its kind and
//! days, an exit ban with its days, where the person stands abroad. Other columns are ignored.
//! Bad rows are rejected with line, column and reason, never dropped.
//!
//! Categories, punishment kinds and abroad states come back as the store's codes (`two_cards`,
//! `financial`, `returned` …): this crate does not depend on the store.

use crate::error::IngestError;
use crate::quarantine::reason;
use crate::reports::{
    cell_at, find_column, parse_report_time, read_table, required_column, ReportFormat,
};
use chrono::NaiveDate;
use fanzha_core::reason::Reasoned;
use fanzha_core::resident_id::ResidentId;
use fanzha_core::time::shanghai_date;

/// Column names accepted for each field; the first group is required.
pub mod columns {
    pub const RESIDENT_ID: [&str; 6] = [
        "身份证号",
        "身份证号码",
        "公民身份号码",
        "证件号码",
        "证件号",
        "resident_id",
    ];
    pub const NAME: [&str; 3] = ["姓名", "人员姓名", "name"];
    pub const CATEGORY: [&str; 5] = ["类别", "人员类别", "列管类别", "重点人员类别", "category"];
    pub const REASON: [&str; 6] = ["列管原因", "原因", "事由", "列管事由", "简要情况", "reason"];
    pub const PUNISHMENT: [&str; 4] = ["惩戒类型", "惩戒措施", "惩戒", "punishment"];
    pub const PUNISHMENT_FROM: [&str; 5] = [
        "惩戒开始",
        "惩戒开始日期",
        "惩戒起始日期",
        "惩戒起",
        "punishment_from",
    ];
    pub const PUNISHMENT_TO: [&str; 5] = [
        "惩戒结束",
        "惩戒结束日期",
        "惩戒截止日期",
        "惩戒止",
        "punishment_to",
    ];
    pub const EXIT_BAN_FROM: [&str; 5] = [
        "限制出境开始",
        "不准出境开始",
        "边控开始",
        "限制出境起始日期",
        "exit_ban_from",
    ];
    pub const EXIT_BAN_TO: [&str; 5] = [
        "限制出境结束",
        "不准出境结束",
        "边控结束",
        "限制出境截止日期",
        "exit_ban_to",
    ];
    pub const ABROAD_STATE: [&str; 4] = ["劝返状态", "境外状态", "在外状态", "abroad_state"];
    pub const ABROAD_PLACE: [&str; 5] =
        ["滞留地", "所在地", "境外地点", "滞留地点", "abroad_place"];
    pub const ABROAD_SINCE: [&str; 4] = ["状态日期", "劝返日期", "回国日期", "abroad_since"];
}

/// What a cell may say for a category, and the store's code it stands for. Matched after
/// trimming, exactly or (for the Chinese names) as the start of the cell.
pub const CATEGORY_NAMES: [(&str, &str); 20] = [
    ("two_cards", "two_cards"),
    ("出租出借出售两卡人员", "two_cards"),
    ("两卡", "two_cards"),
    ("买卖两卡", "two_cards"),
    ("fraud_record", "fraud_record"),
    ("涉诈前科人员", "fraud_record"),
    ("涉诈前科", "fraud_record"),
    ("前科", "fraud_record"),
    ("abroad_high_risk", "abroad_high_risk"),
    ("赴境外高危地区人员", "abroad_high_risk"),
    ("境外高危", "abroad_high_risk"),
    ("滞留境外", "abroad_high_risk"),
    ("returned", "returned"),
    ("劝返回流人员", "returned"),
    ("回流", "returned"),
    ("recruiter", "recruiter"),
    ("引流推广", "recruiter"),
    ("跑分", "recruiter"),
    ("other", "other"),
    ("其他", "other"),
];

/// Punishment kinds: 金融惩戒 / 电信惩戒 / 信用惩戒.
pub const PUNISHMENT_NAMES: [(&str, &str); 9] = [
    ("financial", "financial"),
    ("金融惩戒", "financial"),
    ("金融", "financial"),
    ("telecom", "telecom"),
    ("电信惩戒", "telecom"),
    ("电信", "telecom"),
    ("credit", "credit"),
    ("信用惩戒", "credit"),
    ("信用", "credit"),
];

/// Where a person stands abroad: 在外 / 已劝返 / 拒不回国.
pub const ABROAD_NAMES: [(&str, &str); 10] = [
    ("abroad", "abroad"),
    ("在外", "abroad"),
    ("滞留境外", "abroad"),
    ("returned", "returned"),
    ("已劝返", "returned"),
    ("已回国", "returned"),
    ("劝返", "returned"),
    ("refused", "refused"),
    ("拒不回国", "refused"),
    ("拒绝回国", "refused"),
];

/// The longest reason, name or place kept (characters).
pub const MAX_CELL_CHARS: usize = 500;

/// Reasons a row of a key-person list is rejected (besides the row-level ones of the
/// quarantine and the value reasons of `core`).
pub mod list_reason {
    /// The category cell names none of [`super::CATEGORY_NAMES`].
    pub const UNKNOWN_CATEGORY: &str = "unknown_category";
    /// The punishment cell names none of [`super::PUNISHMENT_NAMES`].
    pub const UNKNOWN_PUNISHMENT: &str = "unknown_punishment";
    /// The abroad-state cell names none of [`super::ABROAD_NAMES`].
    pub const UNKNOWN_ABROAD_STATE: &str = "unknown_abroad_state";
    /// A measure's last day lies before its first.
    pub const PERIOD_REVERSED: &str = "period_reversed";
    /// A measure's days without what they are of, or a kind without its first day.
    pub const MEASURE_INCOMPLETE: &str = "measure_incomplete";
    /// The same resident in the same category on an earlier line.
    pub const DUPLICATE: &str = "duplicate_in_file";
}

/// A punishment as the list states it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ListedPunishment {
    /// `financial`, `telecom` or `credit`.
    pub kind: &'static str,
    pub first_day: NaiveDate,
    /// `None`: open-ended.
    pub last_day: Option<NaiveDate>,
}

/// An exit ban as the list states it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ListedExitBan {
    pub first_day: NaiveDate,
    pub last_day: Option<NaiveDate>,
}

/// Where the person stands abroad, as the list states it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ListedAbroad {
    /// `abroad`, `returned` or `refused`.
    pub state: &'static str,
    /// The day the state holds from; the import day when the list gives none.
    pub since: Option<NaiveDate>,
    pub place: Option<String>,
}

/// A row of the list, validated.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct KeyPersonListRow {
    pub line: u64,
    /// Canonical resident ID.
    pub resident_id: String,
    /// The store's category code; `None` when the list has no category column or the cell is
    /// empty (the import's category applies).
    pub category: Option<&'static str>,
    pub reason: Option<String>,
    pub punishment: Option<ListedPunishment>,
    pub exit_ban: Option<ListedExitBan>,
    pub abroad: Option<ListedAbroad>,
    pub raw: String,
}

/// A rejected row.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct KeyPersonListRejection {
    pub line: u64,
    /// The field to blame when one cell is.
    pub column: Option<&'static str>,
    pub reason: &'static str,
    pub raw: String,
}

/// What a key-person list held.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct KeyPersonList {
    pub format: &'static str,
    pub encoding: Option<&'static str>,
    /// Data rows read (blank rows are not rows): accepted + rejected.
    pub read: usize,
    pub rows: Vec<KeyPersonListRow>,
    pub rejected: Vec<KeyPersonListRejection>,
}

/// Reads a key-person list; `name` is the file's name as given (for the format and messages).
/// `default_category` (a store code) is the category of rows that name none; without it, a row
/// without a category is rejected.
pub fn read_key_person_list(
    name: &str,
    bytes: &[u8],
    format: ReportFormat,
    default_category: Option<&'static str>,
) -> Result<KeyPersonList, IngestError> {
    let (table, format, encoding) = read_table(name, bytes, format)?;
    let header = table.header.ok_or(IngestError::HeaderAbsent)?;
    let at = Columns::find(&header)?;
    let mut list = KeyPersonList {
        format,
        encoding,
        read: 0,
        rows: Vec::new(),
        rejected: Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    for row in table.rows {
        list.read += 1;
        let reject =
            |(column, reason): (Option<&'static str>, &'static str)| KeyPersonListRejection {
                line: row.line,
                column,
                reason,
                raw: row.raw.clone(),
            };
        let cells = match row.cells_of(header.len()) {
            Ok(c) => c,
            Err(r) => {
                list.rejected.push(reject((None, r)));
                continue;
            }
        };
        let cell = |i: Option<usize>| cell_at(cells, i);
        match parse_row(&at, &cell, default_category) {
            Err(why) => list.rejected.push(reject(why)),
            Ok(mut parsed) => {
                let category = parsed.category.or(default_category);
                if !seen.insert((parsed.resident_id.clone(), category)) {
                    list.rejected
                        .push(reject((Some("resident_id"), list_reason::DUPLICATE)));
                    continue;
                }
                parsed.line = row.line;
                parsed.raw = row.raw.clone();
                list.rows.push(parsed);
            }
        }
    }
    Ok(list)
}

/// Where each field's column is.
struct Columns {
    resident_id: usize,
    category: Option<usize>,
    reason: Option<usize>,
    punishment: Option<usize>,
    punishment_from: Option<usize>,
    punishment_to: Option<usize>,
    exit_ban_from: Option<usize>,
    exit_ban_to: Option<usize>,
    abroad_state: Option<usize>,
    abroad_place: Option<usize>,
    abroad_since: Option<usize>,
}

impl Columns {
    fn find(header: &[String]) -> Result<Columns, IngestError> {
        let f = |aliases: &[&str]| find_column(header, aliases);
        Ok(Columns {
            resident_id: required_column(header, &columns::RESIDENT_ID, "resident_id")?,
            category: f(&columns::CATEGORY),
            reason: f(&columns::REASON),
            punishment: f(&columns::PUNISHMENT),
            punishment_from: f(&columns::PUNISHMENT_FROM),
            punishment_to: f(&columns::PUNISHMENT_TO),
            exit_ban_from: f(&columns::EXIT_BAN_FROM),
            exit_ban_to: f(&columns::EXIT_BAN_TO),
            abroad_state: f(&columns::ABROAD_STATE),
            abroad_place: f(&columns::ABROAD_PLACE),
            abroad_since: f(&columns::ABROAD_SINCE),
        })
    }
}

type Why = (Option<&'static str>, &'static str);

fn parse_row<'a>(
    at: &Columns,
    cell: &impl Fn(Option<usize>) -> &'a str,
    default_category: Option<&'static str>,
) -> Result<KeyPersonListRow, Why> {
    let id = cell(Some(at.resident_id));
    if id.is_empty() {
        return Err((Some("resident_id"), reason::EMPTY_REQUIRED));
    }
    let resident_id = ResidentId::parse_normalised(id)
        .map_err(|e| (Some("resident_id"), e.reason()))?
        .as_str()
        .to_string();
    let category = match cell(at.category) {
        "" if default_category.is_some() => None,
        "" => return Err((Some("category"), reason::EMPTY_REQUIRED)),
        c => Some(
            lookup(&CATEGORY_NAMES, c).ok_or((Some("category"), list_reason::UNKNOWN_CATEGORY))?,
        ),
    };
    let text = |column: &'static str, i: Option<usize>| -> Result<Option<String>, Why> {
        let t = cell(i);
        if t.chars().count() > MAX_CELL_CHARS {
            return Err((Some(column), reason::TOO_LONG));
        }
        Ok((!t.is_empty()).then(|| t.to_string()))
    };
    let reason = text("reason", at.reason)?;
    let day = |column: &'static str, i: Option<usize>| -> Result<Option<NaiveDate>, Why> {
        let t = cell(i);
        if t.is_empty() {
            return Ok(None);
        }
        let ms = parse_report_time(t).map_err(|e| (Some(column), e.reason()))?;
        shanghai_date(ms)
            .map(Some)
            .ok_or((Some(column), "out_of_range"))
    };
    let period = |from_col: &'static str,
                  from: Option<usize>,
                  to_col: &'static str,
                  to: Option<usize>|
     -> Result<Option<(NaiveDate, Option<NaiveDate>)>, Why> {
        let (first, last) = (day(from_col, from)?, day(to_col, to)?);
        match (first, last) {
            (None, None) => Ok(None),
            (None, Some(_)) => Err((Some(from_col), list_reason::MEASURE_INCOMPLETE)),
            (Some(f), Some(l)) if l < f => Err((Some(to_col), list_reason::PERIOD_REVERSED)),
            (Some(f), l) => Ok(Some((f, l))),
        }
    };
    let punishment_kind = match cell(at.punishment) {
        "" => None,
        k => Some(
            lookup(&PUNISHMENT_NAMES, k)
                .ok_or((Some("punishment"), list_reason::UNKNOWN_PUNISHMENT))?,
        ),
    };
    let punishment = match (
        punishment_kind,
        period(
            "punishment_from",
            at.punishment_from,
            "punishment_to",
            at.punishment_to,
        )?,
    ) {
        (None, None) => None,
        (Some(kind), Some((first_day, last_day))) => Some(ListedPunishment {
            kind,
            first_day,
            last_day,
        }),
        (Some(_), None) => return Err((Some("punishment_from"), list_reason::MEASURE_INCOMPLETE)),
        (None, Some(_)) => return Err((Some("punishment"), list_reason::MEASURE_INCOMPLETE)),
    };
    let exit_ban = period(
        "exit_ban_from",
        at.exit_ban_from,
        "exit_ban_to",
        at.exit_ban_to,
    )?
    .map(|(first_day, last_day)| ListedExitBan {
        first_day,
        last_day,
    });
    let place = text("abroad_place", at.abroad_place)?;
    let since = day("abroad_since", at.abroad_since)?;
    let abroad = match cell(at.abroad_state) {
        "" if place.is_some() || since.is_some() => {
            return Err((Some("abroad_state"), list_reason::MEASURE_INCOMPLETE))
        }
        "" => None,
        s => Some(ListedAbroad {
            state: lookup(&ABROAD_NAMES, s)
                .ok_or((Some("abroad_state"), list_reason::UNKNOWN_ABROAD_STATE))?,
            since,
            place,
        }),
    };
    Ok(KeyPersonListRow {
        line: 0,
        resident_id,
        category,
        reason,
        punishment,
        exit_ban,
        abroad,
        raw: String::new(),
    })
}

/// The code a cell names: an exact name (ASCII case ignored), else the longest Chinese name the
/// cell starts with (`两卡人员（出售）` is `two_cards`).
fn lookup(names: &[(&str, &'static str)], cell: &str) -> Option<&'static str> {
    names
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(cell))
        .or_else(|| {
            names
                .iter()
                .filter(|(n, _)| !n.is_ascii() && cell.starts_with(n))
                .max_by_key(|(n, _)| n.len())
        })
        .map(|(_, code)| *code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn rows_are_accepted_with_their_measures_or_rejected_with_line_column_and_reason() {
        let csv = "序号,姓名,身份证号,人员类别,列管原因,惩戒类型,惩戒开始日期,惩戒结束日期,限制出境开始,限制出境结束,劝返状态,滞留地,状态日期\n\
                   1,张三,11010519491231002X,两卡,出售银行卡3张,金融惩戒,2026-03-01,2031-02-28,,,,,\n\
                   2,李四,110105198001011238,赴境外高危地区人员,赴缅北,,,,2026/3/1,,在外,缅甸妙瓦底,2026-02-20\n\
                   3,王五,110105198001011239,两卡,坏身份证,,,,,,,,\n\
                   4,赵六,11010519491231002X,两卡,重复,,,,,,,,\n\
                   5,钱七,110105198001011238,回流,回国,,,,,,已劝返,,\n\
                   6,孙八,110105198001011238,前科,倒置,,,,2026-03-10,2026-03-01,,,\n\
                   7,周九,110105198001011238,跑分,缺类型,,2026-03-01,,,,,,\n\
                   8,吴十,110105198001011238,不知道,未知类别,,,,,,,,\n\
                   9,郑一,110105198001011238,其他,未知状态,,,,,,失联,,\n";
        let f = read_key_person_list("l.csv", csv.as_bytes(), ReportFormat::Auto, None).unwrap();
        assert_eq!(f.read, 9);
        let accepted: Vec<_> = f.rows.iter().map(|r| (r.line, r.category)).collect();
        assert_eq!(
            accepted,
            vec![
                (2, Some("two_cards")),
                (3, Some("abroad_high_risk")),
                (6, Some("returned"))
            ]
        );
        assert_eq!(
            f.rows[0].punishment,
            Some(ListedPunishment {
                kind: "financial",
                first_day: d("2026-03-01"),
                last_day: Some(d("2031-02-28")),
            })
        );
        assert_eq!(
            f.rows[1].exit_ban,
            Some(ListedExitBan {
                first_day: d("2026-03-01"),
                last_day: None
            })
        );
        assert_eq!(
            f.rows[1].abroad,
            Some(ListedAbroad {
                state: "abroad",
                since: Some(d("2026-02-20")),
                place: Some("缅甸妙瓦底".into()),
            })
        );
        assert_eq!(f.rows[2].abroad.as_ref().unwrap().state, "returned");
        let rejected: Vec<_> = f
            .rejected
            .iter()
            .map(|r| (r.line, r.column, r.reason))
            .collect();
        assert_eq!(
            rejected,
            vec![
                (4, Some("resident_id"), "bad_check_digit"),
                (5, Some("resident_id"), "duplicate_in_file"),
                (7, Some("exit_ban_to"), "period_reversed"),
                (8, Some("punishment"), "measure_incomplete"),
                (9, Some("category"), "unknown_category"),
                (10, Some("abroad_state"), "unknown_abroad_state"),
            ]
        );
    }

    #[test]
    fn the_lists_category_applies_to_rows_without_one() {
        let csv = "公民身份号码,惩戒措施,惩戒起\n11010519491231002X,电信,20260301\n";
        let f = read_key_person_list(
            "p.csv",
            csv.as_bytes(),
            ReportFormat::Csv,
            Some("two_cards"),
        )
        .unwrap();
        assert_eq!(f.rows.len(), 1, "{:?}", f.rejected);
        assert_eq!(f.rows[0].category, None);
        assert_eq!(f.rows[0].punishment.as_ref().unwrap().kind, "telecom");
        let without =
            read_key_person_list("p.csv", csv.as_bytes(), ReportFormat::Csv, None).unwrap();
        assert_eq!(without.rejected[0].reason, "empty_required");
        assert_eq!(without.rejected[0].column, Some("category"));
    }

    #[test]
    fn a_list_without_an_id_column_names_the_accepted_ones() {
        let err = read_key_person_list("l.csv", "姓名\n张三\n".as_bytes(), ReportFormat::Csv, None)
            .unwrap_err();
        assert!(err.to_string().contains("公民身份号码"), "{err}");
    }

    #[test]
    fn names_match_exactly_or_by_their_start() {
        assert_eq!(
            lookup(&CATEGORY_NAMES, "两卡人员（出售）"),
            Some("two_cards")
        );
        assert_eq!(lookup(&CATEGORY_NAMES, "RETURNED"), Some("returned"));
        assert_eq!(lookup(&ABROAD_NAMES, "滞留境外"), Some("abroad"));
        assert_eq!(lookup(&CATEGORY_NAMES, "x两卡"), None);
    }
}
