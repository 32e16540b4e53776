//! 两卡线索: the lead lists the national joint office, the province or the center push down for
//! on-the-ground checks (落地核查). CSV (UTF-8 or GBK) or XLSX with a bank-card column or a
//! phone-number column (either or both; a row fills one), the holder's resident ID and name, and
//! why the card is suspect; other columns are ignored. A phone row whose roaming-place column
//! (漫游地, 漫游国家 …) is filled is a roaming lead (手机漫游线索): the number was seen roaming
//! there. Bad rows are rejected with line, column and reason, never dropped.

use crate::error::IngestError;
use crate::quarantine::reason;
use crate::reports::{cell_at, find_column, read_table, required_column, ReportFormat, Table};
use fanzha_core::bank_card::BankCard;
use fanzha_core::phone::PhoneNumber;
use fanzha_core::reason::Reasoned;
use fanzha_core::resident_id::ResidentId;

/// Column names accepted for a bank card number.
pub const CARD_ALIASES: [&str; 7] = [
    "卡号",
    "银行卡号",
    "银行卡",
    "账号",
    "银行账号",
    "card_no",
    "card",
];

/// Column names accepted for a phone card's number.
pub const PHONE_ALIASES: [&str; 7] = [
    "手机号",
    "手机号码",
    "电话卡号",
    "电话号码",
    "号码",
    "phone",
    "msisdn",
];

/// Column names accepted for the holder's resident ID.
pub const RESIDENT_ID_ALIASES: [&str; 6] = [
    "身份证号",
    "身份证号码",
    "公民身份号码",
    "证件号码",
    "持卡人身份证号",
    "resident_id",
];

/// Column names accepted for the holder's name.
pub const NAME_ALIASES: [&str; 6] = ["姓名", "持卡人", "持卡人姓名", "机主姓名", "机主", "name"];

/// Column names accepted for why the card is suspect.
pub const REASON_ALIASES: [&str; 6] = [
    "线索原因",
    "可疑原因",
    "涉嫌原因",
    "线索类型",
    "原因",
    "reason",
];

/// Column names accepted for the lead's own number as the office that pushed it down gave it.
pub const LEAD_ID_ALIASES: [&str; 6] = [
    "线索编号",
    "线索号",
    "线索ID",
    "下发编号",
    "lead_id",
    "lead_no",
];

/// Column names accepted for where a roaming number was seen.
pub const PLACE_ALIASES: [&str; 7] = [
    "漫游地",
    "漫游地区",
    "漫游国家",
    "漫游国家地区",
    "境外地区",
    "所在国家",
    "roaming_place",
];

/// The longest reason or name kept (characters).
pub const MAX_CELL_CHARS: usize = 500;

/// Reasons a lead row is rejected (besides the row-level ones of the quarantine and the
/// value reasons of `core`).
pub mod lead_reason {
    /// Both a card number and a phone number on one row: one lead names one card.
    pub const TWO_NUMBERS: &str = "two_numbers";
    /// The same card appears on an earlier line of the file.
    pub const DUPLICATE_CARD: &str = "duplicate_in_file";
    /// A roaming place beside a bank card: only a phone number roams.
    pub const PLACE_WITHOUT_PHONE: &str = "place_without_phone";
}

/// What a lead names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardKind {
    BankCard,
    Sim,
    /// A phone number seen roaming abroad.
    Roaming,
}

/// A lead as the file states it, validated.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LeadRow {
    pub line: u64,
    pub kind: CardKind,
    /// Canonical card or phone number.
    pub number: String,
    /// Canonical resident ID.
    pub resident_id: String,
    pub name: String,
    pub reason: String,
    /// The lead's number upstream (线索编号); empty when the file has none.
    pub lead_id: String,
    /// Where a roaming number was seen; empty for cards.
    pub place: String,
    pub raw: String,
}

/// A rejected row.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LeadRejection {
    pub line: u64,
    /// `card`, `phone`, `resident_id`, `name`, `reason`, `lead_id` or `place` when one cell is to
    /// blame.
    pub column: Option<&'static str>,
    pub reason: &'static str,
    pub raw: String,
}

/// What a lead file held.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LeadFile {
    pub format: &'static str,
    pub encoding: Option<&'static str>,
    /// Data rows read (blank rows are not rows): accepted + rejected.
    pub read: usize,
    pub rows: Vec<LeadRow>,
    pub rejected: Vec<LeadRejection>,
}

/// Reads a lead list; `name` is the file's name as given (for the format and messages).
pub fn read_leads(name: &str, bytes: &[u8], format: ReportFormat) -> Result<LeadFile, IngestError> {
    let (table, format, encoding) = read_table(name, bytes, format)?;
    let mut file = validate(table)?;
    file.format = format;
    file.encoding = encoding;
    Ok(file)
}

fn validate(table: Table) -> Result<LeadFile, IngestError> {
    let header = table.header.ok_or(IngestError::HeaderAbsent)?;
    let card_at = find_column(&header, &CARD_ALIASES);
    let phone_at = find_column(&header, &PHONE_ALIASES);
    if card_at.is_none() && phone_at.is_none() {
        return Err(IngestError::ReportColumnMissing {
            column: "card",
            accepted: CARD_ALIASES
                .iter()
                .chain(PHONE_ALIASES.iter())
                .map(|a| a.to_string())
                .collect(),
        });
    }
    let id_at = required_column(&header, &RESIDENT_ID_ALIASES, "resident_id")?;
    let name_at = required_column(&header, &NAME_ALIASES, "name")?;
    let reason_at = find_column(&header, &REASON_ALIASES);
    let lead_id_at = find_column(&header, &LEAD_ID_ALIASES);
    let place_at = find_column(&header, &PLACE_ALIASES);
    let mut file = LeadFile {
        format: "csv",
        encoding: None,
        read: 0,
        rows: Vec::new(),
        rejected: Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    for row in table.rows {
        file.read += 1;
        let reject = |column: Option<&'static str>, reason: &'static str| LeadRejection {
            line: row.line,
            column,
            reason,
            raw: row.raw.clone(),
        };
        let cells = match row.cells_of(header.len()) {
            Ok(c) => c,
            Err(r) => {
                file.rejected.push(reject(None, r));
                continue;
            }
        };
        let cell = |i: Option<usize>| cell_at(cells, i);
        let (card, phone, place) = (cell(card_at), cell(phone_at), cell(place_at));
        if !card.is_empty() && !place.is_empty() {
            file.rejected
                .push(reject(Some("place"), lead_reason::PLACE_WITHOUT_PHONE));
            continue;
        }
        if place.chars().count() > MAX_CELL_CHARS {
            file.rejected.push(reject(Some("place"), reason::TOO_LONG));
            continue;
        }
        let (kind, number) = match (card.is_empty(), phone.is_empty()) {
            (false, false) => {
                file.rejected
                    .push(reject(Some("card"), lead_reason::TWO_NUMBERS));
                continue;
            }
            (true, true) => {
                let column = if card_at.is_some() { "card" } else { "phone" };
                file.rejected
                    .push(reject(Some(column), reason::EMPTY_REQUIRED));
                continue;
            }
            (false, true) => match BankCard::parse(card) {
                Ok(c) => (CardKind::BankCard, c.as_str().to_string()),
                Err(e) => {
                    file.rejected.push(reject(Some("card"), e.reason()));
                    continue;
                }
            },
            (true, false) => match PhoneNumber::parse(phone) {
                Ok(p) if !place.is_empty() => (CardKind::Roaming, p.canonical()),
                Ok(p) => (CardKind::Sim, p.canonical()),
                Err(e) => {
                    file.rejected.push(reject(Some("phone"), e.reason()));
                    continue;
                }
            },
        };
        let id = cell(Some(id_at));
        if id.is_empty() {
            file.rejected
                .push(reject(Some("resident_id"), reason::EMPTY_REQUIRED));
            continue;
        }
        let resident_id = match ResidentId::parse(id) {
            Ok(r) => r.as_str().to_string(),
            Err(e) => {
                file.rejected.push(reject(Some("resident_id"), e.reason()));
                continue;
            }
        };
        let name = cell(Some(name_at));
        if name.is_empty() {
            file.rejected
                .push(reject(Some("name"), reason::EMPTY_REQUIRED));
            continue;
        }
        let why = cell(reason_at);
        if name.chars().count() > MAX_CELL_CHARS {
            file.rejected.push(reject(Some("name"), reason::TOO_LONG));
            continue;
        }
        if why.chars().count() > MAX_CELL_CHARS {
            file.rejected.push(reject(Some("reason"), reason::TOO_LONG));
            continue;
        }
        let lead_id = cell(lead_id_at);
        if lead_id.chars().count() > MAX_CELL_CHARS {
            file.rejected
                .push(reject(Some("lead_id"), reason::TOO_LONG));
            continue;
        }
        if !seen.insert((kind, number.clone())) {
            let column = if kind == CardKind::BankCard {
                "card"
            } else {
                "phone"
            };
            file.rejected
                .push(reject(Some(column), lead_reason::DUPLICATE_CARD));
            continue;
        }
        file.rows.push(LeadRow {
            line: row.line,
            kind,
            number,
            resident_id,
            name: name.to_string(),
            reason: why.to_string(),
            lead_id: lead_id.to_string(),
            place: place.to_string(),
            raw: row.raw.clone(),
        });
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_accepted_or_rejected_with_line_and_reason() {
        let csv = "序号,银行卡号,手机号,身份证号,姓名,可疑原因\n\
                   1,6222021001115678903,,11010519491231002X,张三,开卡后短期大额流水\n\
                   2,,138 0013 8000,110105198001011238,李四,批量开卡\n\
                   3,6222021001115678904,,11010519491231002X,张三,坏卡号\n\
                   4,,,110105198001011238,王五,无号码\n\
                   5,,13800138001,110105198001011239,赵六,坏身份证\n\
                   6,6222021001115678903,,11010519491231002X,张三,重复\n\
                   7,,13800138002,11010519491231002X,,无姓名\n";
        let f = read_leads("l.csv", csv.as_bytes(), ReportFormat::Auto).unwrap();
        assert_eq!(f.read, 7);
        assert_eq!(
            f.rows
                .iter()
                .map(|r| (r.line, r.kind, r.number.as_str()))
                .collect::<Vec<_>>(),
            vec![
                (2, CardKind::BankCard, "6222021001115678903"),
                (3, CardKind::Sim, "13800138000"),
            ]
        );
        assert_eq!(f.rows[0].reason, "开卡后短期大额流水");
        assert_eq!(
            f.rejected
                .iter()
                .map(|r| (r.line, r.column))
                .collect::<Vec<_>>(),
            vec![
                (4, Some("card")),
                (5, Some("card")),
                (6, Some("resident_id")),
                (7, Some("card")),
                (8, Some("name")),
            ]
        );
        assert_eq!(f.rejected[1].reason, "empty_required");
        assert_eq!(f.rejected[3].reason, "duplicate_in_file");
    }

    #[test]
    fn the_upstream_lead_number_is_kept_when_the_file_has_one() {
        let csv = "线索编号,手机号,身份证号,姓名\n\
                   LK-0001,13800138000,11010519491231002X,张三\n\
                   ,13800138001,110105198001011238,李四\n";
        let f = read_leads("l.csv", csv.as_bytes(), ReportFormat::Auto).unwrap();
        assert_eq!(
            f.rows
                .iter()
                .map(|r| r.lead_id.as_str())
                .collect::<Vec<_>>(),
            ["LK-0001", ""]
        );
        let none = read_leads(
            "l.csv",
            "手机号,身份证号,姓名\n13800138000,11010519491231002X,张三\n".as_bytes(),
            ReportFormat::Auto,
        )
        .unwrap();
        assert_eq!(none.rows[0].lead_id, "");
    }

    #[test]
    fn a_file_without_a_number_column_names_the_accepted_ones() {
        let err = read_leads(
            "l.csv",
            "身份证号,姓名\n1,a\n".as_bytes(),
            ReportFormat::Csv,
        )
        .unwrap_err();
        assert!(err.to_string().contains("银行卡号"), "{err}");
    }

    #[test]
    fn a_phone_with_a_roaming_place_is_a_roaming_lead() {
        let csv = "手机号,银行卡号,身份证号,姓名,漫游地\n\
                   13800138000,,11010519491231002X,张三,缅甸妙瓦底\n\
                   13800138001,,110105198001011238,李四,\n\
                   ,6222021001115678903,11010519491231002X,张三,柬埔寨\n";
        let f = read_leads("l.csv", csv.as_bytes(), ReportFormat::Auto).unwrap();
        assert_eq!(
            f.rows
                .iter()
                .map(|r| (r.kind, r.place.as_str()))
                .collect::<Vec<_>>(),
            vec![(CardKind::Roaming, "缅甸妙瓦底"), (CardKind::Sim, "")]
        );
        assert_eq!(
            f.rejected
                .iter()
                .map(|r| (r.line, r.column, r.reason))
                .collect::<Vec<_>>(),
            vec![(4, Some("place"), "place_without_phone")]
        );
    }
}
