//! 销户名单: the lists of closed cards banks (and operators, of numbers given up) send beside
//! their lists of new ones, so that screening sees people who open and close cards again and
//! again (频繁开销户) — cards bought, used for a few weeks of laundering and closed before they
//! are frozen. Same files as the new-card lists (CSV in UTF-8 or GBK, or XLSX), with the card
//! (or number), the holder's resident ID and the closing date; optionally the holder's name,
//! the opening date, the outlet and the issuer's name. Bad rows are rejected with line, column
//! and reason, never dropped.

use crate::error::IngestError;
use crate::new_cards::{bank_card, card_reason, columns, phone_card, Rejected, MAX_CELL_CHARS};
use crate::quarantine::reason;
use crate::reports::{
    cell_at, find_column, parse_report_time, read_table, required_column, ReportFormat, Table,
};
use fanzha_core::event::CardKind;
use fanzha_core::reason::Reasoned;
use fanzha_core::resident_id::ResidentId;

/// Column names accepted for the closing date or time (bank cards and phone cards).
pub const CLOSED_ALIASES: [&str; 12] = [
    "销户日期",
    "销户时间",
    "销卡日期",
    "销卡时间",
    "注销日期",
    "注销时间",
    "离网日期",
    "离网时间",
    "拆机时间",
    "销号时间",
    "closed_at",
    "closed",
];

/// Column names accepted for the outlet that closed the card (the opening outlet's names
/// are accepted too).
pub const CLOSING_OUTLET_ALIASES: [&str; 3] = ["销户网点", "销户机构", "受理网点"];

/// Reasons a closure row is rejected (besides those it shares with new-card rows).
pub mod closure_reason {
    /// The closing time lies more than a day in the future.
    pub const CLOSED_IN_FUTURE: &str = "closed_in_future";
    /// The closing time lies before the opening time the row gives.
    pub const CLOSED_BEFORE_OPENED: &str = "closed_before_opened";
}

/// A closed card as the list states it, validated.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ClosureRow {
    pub line: u64,
    pub kind: CardKind,
    /// Digits of the card number; a phone card's number in canonical form.
    pub account_no: String,
    /// The issuer's code (a bank's, or the network operator's for a phone card).
    pub bank_code: String,
    pub bank_name: String,
    /// Canonical resident ID.
    pub resident_id: String,
    /// The holder's name, when the list gives it.
    pub name: String,
    /// Epoch ms UTC, when the list gives the opening date.
    pub opened_at: Option<i64>,
    /// Epoch ms UTC.
    pub closed_at: i64,
    pub outlet: String,
}

/// A rejected row.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ClosureRejection {
    pub line: u64,
    /// `card`, `resident_id`, `name`, `opened_at`, `closed_at`, `outlet` or `bank` when one
    /// cell is to blame.
    pub column: Option<&'static str>,
    pub reason: &'static str,
    pub raw: String,
}

/// What a closure list held.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ClosureFile {
    pub format: &'static str,
    pub encoding: Option<&'static str>,
    /// Data rows read (blank rows are not rows): accepted + rejected.
    pub read: usize,
    pub rows: Vec<ClosureRow>,
    pub rejected: Vec<ClosureRejection>,
}

/// The fields of one closed card as a list row or the JSON API states them; an absent
/// optional field is `""`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClosureFields<'a> {
    pub card: &'a str,
    pub resident_id: &'a str,
    pub name: &'a str,
    pub opened_at: &'a str,
    pub closed_at: &'a str,
    pub outlet: &'a str,
    pub bank_name: &'a str,
}

/// Reads a closure list of `kind`; `sender` is the code of the issuer sending it, when known
/// (cards of another issuer are rejected); `now` (epoch ms) bounds the closing times.
pub fn read_card_closures(
    name: &str,
    bytes: &[u8],
    format: ReportFormat,
    kind: CardKind,
    sender: Option<&str>,
    now: i64,
) -> Result<ClosureFile, IngestError> {
    let (table, format, encoding) = read_table(name, bytes, format)?;
    let mut file = validate(table, kind, sender, now)?;
    file.format = format;
    file.encoding = encoding;
    Ok(file)
}

fn validate(
    table: Table,
    kind: CardKind,
    sender: Option<&str>,
    now: i64,
) -> Result<ClosureFile, IngestError> {
    let header = table.header.ok_or(IngestError::HeaderAbsent)?;
    let c = columns(kind);
    let card_at = required_column(&header, c.number, "card")?;
    let id_at = required_column(&header, c.resident_id, "resident_id")?;
    let closed_at = required_column(&header, &CLOSED_ALIASES, "closed_at")?;
    let name_at = find_column(&header, c.name);
    let opened_at = find_column(&header, c.opened);
    let outlet_at =
        find_column(&header, &CLOSING_OUTLET_ALIASES).or_else(|| find_column(&header, c.outlet));
    let bank_at = find_column(&header, c.issuer);
    let mut file = ClosureFile {
        format: "csv",
        encoding: None,
        read: 0,
        rows: Vec::new(),
        rejected: Vec::new(),
    };
    let mut checker = ClosureChecker::new(kind, sender, now);
    for row in table.rows {
        file.read += 1;
        let reject = |column: Option<&'static str>, reason: &'static str| ClosureRejection {
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
        let fields = ClosureFields {
            card: cell(Some(card_at)),
            resident_id: cell(Some(id_at)),
            name: cell(name_at),
            opened_at: cell(opened_at),
            closed_at: cell(Some(closed_at)),
            outlet: cell(outlet_at),
            bank_name: cell(bank_at),
        };
        match checker.check(&fields) {
            Ok(mut c) => {
                c.line = row.line;
                file.rows.push(c);
            }
            Err((column, why)) => file.rejected.push(reject(Some(column), why)),
        }
    }
    Ok(file)
}

/// Validates the closed cards of one list in order, exactly as [`read_card_closures`] does
/// its rows; a card given twice is rejected on its later row.
#[derive(Debug)]
pub struct ClosureChecker<'s> {
    kind: CardKind,
    sender: Option<&'s str>,
    now: i64,
    seen: std::collections::HashSet<String>,
}

impl<'s> ClosureChecker<'s> {
    pub fn new(kind: CardKind, sender: Option<&'s str>, now: i64) -> Self {
        ClosureChecker {
            kind,
            sender,
            now,
            seen: std::collections::HashSet::new(),
        }
    }

    /// The next closed card of the list, validated (its `line` is 0: the caller numbers it).
    pub fn check(&mut self, fields: &ClosureFields<'_>) -> Result<ClosureRow, Rejected> {
        let row = closure_row(fields, self.kind, self.sender, self.now)?;
        if !self.seen.insert(row.account_no.clone()) {
            return Err(("card", card_reason::DUPLICATE_CARD));
        }
        Ok(row)
    }
}

fn closure_row(
    f: &ClosureFields<'_>,
    kind: CardKind,
    sender: Option<&str>,
    now: i64,
) -> Result<ClosureRow, Rejected> {
    let card_text = f.card.trim();
    if card_text.is_empty() {
        return Err(("card", reason::EMPTY_REQUIRED));
    }
    let file_bank = f.bank_name.trim();
    if file_bank.chars().count() > MAX_CELL_CHARS {
        return Err(("bank", reason::TOO_LONG));
    }
    let (account_no, bank_code, bank_name) = match kind {
        CardKind::BankCard => bank_card(card_text, file_bank, sender)?,
        CardKind::SimCard => phone_card(card_text, file_bank, sender)?,
    };
    let id_text = f.resident_id.trim();
    if id_text.is_empty() {
        return Err(("resident_id", reason::EMPTY_REQUIRED));
    }
    let resident_id = ResidentId::parse(id_text).map_err(|e| ("resident_id", e.reason()))?;
    let name = f.name.trim();
    if name.chars().count() > MAX_CELL_CHARS {
        return Err(("name", reason::TOO_LONG));
    }
    let closed_text = f.closed_at.trim();
    if closed_text.is_empty() {
        return Err(("closed_at", reason::EMPTY_REQUIRED));
    }
    let closed = parse_report_time(closed_text).map_err(|e| ("closed_at", e.reason()))?;
    if closed > now + 86_400_000 {
        return Err(("closed_at", closure_reason::CLOSED_IN_FUTURE));
    }
    let opened = match f.opened_at.trim() {
        "" => None,
        t => {
            let opened = parse_report_time(t).map_err(|e| ("opened_at", e.reason()))?;
            if fanzha_core::time::shanghai_date(opened)
                .is_some_and(|d| d < resident_id.birth_date())
            {
                return Err(("opened_at", card_reason::OPENED_BEFORE_BIRTH));
            }
            Some(opened)
        }
    };
    // Dates alone are midnight: a card opened and closed on one day is not "closed before".
    if opened.is_some_and(|o| {
        closed < o && fanzha_core::time::shanghai_date(closed) < fanzha_core::time::shanghai_date(o)
    }) {
        return Err(("closed_at", closure_reason::CLOSED_BEFORE_OPENED));
    }
    let outlet = f.outlet.trim();
    if outlet.chars().count() > MAX_CELL_CHARS {
        return Err(("outlet", reason::TOO_LONG));
    }
    Ok(ClosureRow {
        line: 0,
        kind,
        account_no,
        bank_code,
        bank_name,
        resident_id: resident_id.as_str().to_string(),
        name: name.to_string(),
        opened_at: opened,
        closed_at: closed,
        outlet: outlet.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-01 00:00 UTC.
    const NOW: i64 = 1_796_083_200_000;

    fn icbc(n: u8) -> String {
        let body = format!("62220210011156789{n}");
        let b: Vec<u8> = body.bytes().collect();
        format!(
            "{body}{}",
            fanzha_core::bank_card::luhn_check_digit(&b) as char
        )
    }

    #[test]
    fn bank_closures_are_accepted_or_rejected_with_line_and_reason() {
        let csv = format!(
            "卡号,证件号码,户名,开户日期,销户日期,销户网点\n\
             {a},11010519491231002X,张三,2026-10-02,2026-11-30 16:20,余姚城东支行\n\
             {b},110105198001011238,,,2026年11月29日,\n\
             {a},11010519491231002X,张三,,2026-11-30,\n\
             {c},110105198001011238,王五,2026-11-30,2026-11-01,\n\
             {d},110105198001011238,王五,,2027-03-01,\n\
             {e},110105198001011239,王五,,2026-11-30,\n\
             {f},110105198001011238,王五,,,\n\
             {g},110105198001011238,王五,2026-11-30,2026-11-30,\n",
            a = icbc(1),
            b = icbc(2),
            c = icbc(3),
            d = icbc(4),
            e = icbc(5),
            f = icbc(6),
            g = icbc(7),
        );
        let f = read_card_closures(
            "c.csv",
            csv.as_bytes(),
            ReportFormat::Auto,
            CardKind::BankCard,
            Some("ICBC"),
            NOW,
        )
        .unwrap();
        assert_eq!(f.read, 8);
        assert_eq!(
            f.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![2, 3, 9]
        );
        let r = &f.rows[0];
        assert_eq!(r.bank_code, "ICBC");
        assert_eq!(r.resident_id, "11010519491231002X");
        assert_eq!(r.opened_at, Some(1_790_870_400_000), "midnight Shanghai");
        assert_eq!(r.closed_at, 1_796_026_800_000, "16:20 Shanghai");
        assert_eq!(r.outlet, "余姚城东支行", "the closing outlet's column");
        assert_eq!((f.rows[1].name.as_str(), f.rows[1].opened_at), ("", None));
        assert_eq!(
            f.rejected
                .iter()
                .map(|r| (r.line, r.column, r.reason))
                .collect::<Vec<_>>(),
            vec![
                (4, Some("card"), "duplicate_in_file"),
                (5, Some("closed_at"), "closed_before_opened"),
                (6, Some("closed_at"), "closed_in_future"),
                (7, Some("resident_id"), "bad_check_digit"),
                (8, Some("closed_at"), "empty_required"),
            ]
        );
    }

    #[test]
    fn operators_send_numbers_given_up() {
        let csv = "手机号码,证件号码,机主姓名,入网时间,销号时间\n\
                   13800138000,11010519491231002X,张三,2026-11-01,2026-11-28\n\
                   13300000000,11010519491231002X,张三,,2026-11-28\n\
                   0574-62345678,11010519491231002X,张三,,2026-11-28\n";
        let f = read_card_closures(
            "c.csv",
            csv.as_bytes(),
            ReportFormat::Auto,
            CardKind::SimCard,
            Some("china_mobile"),
            NOW,
        )
        .unwrap();
        assert_eq!(f.rows.len(), 1);
        assert_eq!(f.rows[0].account_no, "13800138000");
        assert_eq!(f.rows[0].bank_code, "china_mobile");
        assert!(f.rows[0].opened_at.is_some());
        assert_eq!(
            f.rejected
                .iter()
                .map(|r| (r.line, r.reason))
                .collect::<Vec<_>>(),
            vec![(3, "other_operator"), (4, "not_mobile")]
        );
    }

    #[test]
    fn a_list_without_the_closing_column_is_refused() {
        let csv = "卡号,证件号码,开户日期\n6222,1,2026-11-30\n";
        let err = read_card_closures(
            "c.csv",
            csv.as_bytes(),
            ReportFormat::Auto,
            CardKind::BankCard,
            None,
            NOW,
        )
        .unwrap_err();
        assert!(err.to_string().contains("closed_at"), "{err}");
    }
}
