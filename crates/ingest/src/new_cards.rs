//! 新开卡名单: the daily lists of newly opened cards sent to the center for screening
//! (新开卡审查) — a bank's list of bank cards, an operator's list of new phone cards
//! (新入网电话卡). CSV (UTF-8 or GBK) or XLSX with the card number (the phone number for a
//! phone card), the holder's resident ID and name and the opening date; optionally the
//! reserved phone (bank cards), the outlet (网点 / 营业厅) and its division code, and the
//! issuer's name. Other columns are ignored. Bad rows are rejected with line, column and
//! reason, never dropped.

use crate::error::IngestError;
use crate::quarantine::reason;
use crate::reports::{
    cell_at, find_column, parse_report_time, read_table, required_column, ReportFormat, Table,
};
use fanzha_core::bank_card::BankCard;
use fanzha_core::division_code::DivisionCode;
use fanzha_core::event::CardKind;
use fanzha_core::phone::{PhoneKind, PhoneNumber};
use fanzha_core::reason::Reasoned;
use fanzha_core::resident_id::ResidentId;

/// Column names accepted for the card number.
pub const CARD_ALIASES: [&str; 8] = [
    "卡号",
    "银行卡号",
    "开户账号",
    "账号",
    "银行账号",
    "card_no",
    "account_no",
    "card",
];

/// Column names accepted for the holder's resident ID.
pub const RESIDENT_ID_ALIASES: [&str; 7] = [
    "证件号码",
    "身份证号",
    "身份证号码",
    "公民身份号码",
    "开户人证件号码",
    "客户证件号码",
    "resident_id",
];

/// Column names accepted for the holder's name.
pub const NAME_ALIASES: [&str; 7] = [
    "户名",
    "姓名",
    "开户人",
    "客户姓名",
    "持卡人",
    "开户人姓名",
    "name",
];

/// Column names accepted for the opening date or time.
pub const OPENED_ALIASES: [&str; 6] = [
    "开户日期",
    "开户时间",
    "开卡日期",
    "开卡时间",
    "opened_at",
    "opened",
];

/// Column names accepted for the reserved phone number.
pub const PHONE_ALIASES: [&str; 6] = [
    "预留手机号",
    "预留手机",
    "手机号",
    "手机号码",
    "联系电话",
    "phone",
];

/// Column names accepted for the outlet.
pub const OUTLET_ALIASES: [&str; 5] = ["开户网点", "开户机构", "网点名称", "网点", "outlet"];

/// Column names accepted for the outlet's division code.
pub const DIVISION_ALIASES: [&str; 5] = [
    "网点行政区划代码",
    "开户地行政区划",
    "开户地区划代码",
    "行政区划代码",
    "outlet_division",
];

/// Column names accepted for the clerk who opened the card (谁办卡、谁负责), both kinds.
pub const CLERK_ALIASES: [&str; 10] = [
    "经办人",
    "经办柜员",
    "柜员号",
    "柜员",
    "经办人员",
    "受理人",
    "受理员工",
    "营业员",
    "工号",
    "clerk",
];

/// Column names accepted for the bank's name.
pub const BANK_ALIASES: [&str; 4] = ["开户行", "银行名称", "银行", "bank"];

/// Column names accepted for a new phone card's number.
pub const NUMBER_ALIASES: [&str; 9] = [
    "手机号码",
    "号码",
    "入网号码",
    "电话号码",
    "用户号码",
    "服务号码",
    "手机号",
    "msisdn",
    "number",
];

/// Column names accepted for a phone card holder's resident ID.
pub const SIM_RESIDENT_ID_ALIASES: [&str; 7] = [
    "证件号码",
    "机主证件号码",
    "用户证件号码",
    "身份证号",
    "身份证号码",
    "公民身份号码",
    "resident_id",
];

/// Column names accepted for a phone card holder's name.
pub const SIM_NAME_ALIASES: [&str; 7] = [
    "机主姓名",
    "用户姓名",
    "客户姓名",
    "姓名",
    "机主",
    "户名",
    "name",
];

/// Column names accepted for a phone card's activation time.
pub const SIM_OPENED_ALIASES: [&str; 8] = [
    "入网时间",
    "入网日期",
    "开户时间",
    "开户日期",
    "办理时间",
    "开卡时间",
    "opened_at",
    "opened",
];

/// Column names accepted for the shop (营业厅) that sold a phone card.
pub const SIM_OUTLET_ALIASES: [&str; 7] = [
    "营业厅",
    "受理营业厅",
    "受理网点",
    "营业网点",
    "渠道名称",
    "代理点",
    "outlet",
];

/// Column names accepted for the shop's division code.
pub const SIM_DIVISION_ALIASES: [&str; 5] = [
    "营业厅行政区划代码",
    "受理地行政区划代码",
    "受理地行政区划",
    "行政区划代码",
    "outlet_division",
];

/// Column names accepted for the operator's (or virtual operator's) name.
pub const OPERATOR_ALIASES: [&str; 4] = ["运营商", "归属运营商", "品牌", "operator"];

/// The columns of one kind of list.
pub(crate) struct ListColumns {
    pub(crate) number: &'static [&'static str],
    pub(crate) resident_id: &'static [&'static str],
    pub(crate) name: &'static [&'static str],
    pub(crate) opened: &'static [&'static str],
    /// Empty for phone cards: their lists have no reserved phone, and `手机号码` is the card.
    pub(crate) phone: &'static [&'static str],
    pub(crate) outlet: &'static [&'static str],
    pub(crate) division: &'static [&'static str],
    pub(crate) issuer: &'static [&'static str],
    pub(crate) clerk: &'static [&'static str],
}

pub(crate) fn columns(kind: CardKind) -> ListColumns {
    match kind {
        CardKind::BankCard => ListColumns {
            number: &CARD_ALIASES,
            resident_id: &RESIDENT_ID_ALIASES,
            name: &NAME_ALIASES,
            opened: &OPENED_ALIASES,
            phone: &PHONE_ALIASES,
            outlet: &OUTLET_ALIASES,
            division: &DIVISION_ALIASES,
            issuer: &BANK_ALIASES,
            clerk: &CLERK_ALIASES,
        },
        CardKind::SimCard => ListColumns {
            number: &NUMBER_ALIASES,
            resident_id: &SIM_RESIDENT_ID_ALIASES,
            name: &SIM_NAME_ALIASES,
            opened: &SIM_OPENED_ALIASES,
            phone: &[],
            outlet: &SIM_OUTLET_ALIASES,
            division: &SIM_DIVISION_ALIASES,
            issuer: &OPERATOR_ALIASES,
            clerk: &CLERK_ALIASES,
        },
    }
}

/// The longest name, outlet or bank name kept (characters).
pub const MAX_CELL_CHARS: usize = 200;

/// Reasons a card row is rejected (besides the row-level ones of the quarantine and the value
/// reasons of `core`).
pub mod card_reason {
    /// The card's BIN belongs to another bank than the one sending the list.
    pub const OTHER_BANK: &str = "other_bank";
    /// Neither the BIN table, the file nor the sender names the bank.
    pub const BANK_UNKNOWN: &str = "bank_unknown";
    /// The same card appears on an earlier line of the file.
    pub const DUPLICATE_CARD: &str = "duplicate_in_file";
    /// The opening time lies more than a day in the future.
    pub const OPENED_IN_FUTURE: &str = "opened_in_future";
    /// The opening date lies before the holder's birth date (a typo in either).
    pub const OPENED_BEFORE_BIRTH: &str = "opened_before_birth";
    /// A phone card's number lies in another operator's segment than the one sending the list.
    pub const OTHER_OPERATOR: &str = "other_operator";
    /// A phone card's number is not a mobile or virtual-operator number (a fixed line, a
    /// service or overseas number).
    pub const NOT_MOBILE: &str = "not_mobile";
    /// Neither the segment table nor the sender names the number's operator.
    pub const OPERATOR_UNKNOWN: &str = "operator_unknown";
}

/// A card as the list states it, validated.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CardRow {
    pub line: u64,
    pub kind: CardKind,
    /// Digits of the card number; a phone card's number in canonical form.
    pub account_no: String,
    /// The issuer: a bank's code, or the network operator's (`china_mobile` …) for a phone
    /// card.
    pub bank_code: String,
    /// The issuer's name as the list or the reference tables give it.
    pub bank_name: String,
    /// Canonical resident ID.
    pub resident_id: String,
    pub name: String,
    /// Canonical reserved phone.
    pub phone: Option<String>,
    /// Epoch ms UTC.
    pub opened_at: i64,
    pub outlet: String,
    /// Digits of the outlet's division code.
    pub outlet_division: Option<String>,
    /// The clerk who opened it ('' when the list does not say).
    pub clerk: String,
}

/// A rejected row.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CardRejection {
    pub line: u64,
    /// `card`, `resident_id`, `name`, `opened_at`, `phone`, `outlet`, `outlet_division` or
    /// `bank` when one cell is to blame.
    pub column: Option<&'static str>,
    pub reason: &'static str,
    pub raw: String,
}

/// What a list held.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CardFile {
    pub format: &'static str,
    pub encoding: Option<&'static str>,
    /// Data rows read (blank rows are not rows): accepted + rejected.
    pub read: usize,
    pub rows: Vec<CardRow>,
    pub rejected: Vec<CardRejection>,
}

/// Reads a new-card list of `kind`; `name` is the file's name as given (for the format and
/// messages). `sender` is the code of the bank (or, for phone cards, the operator) sending the
/// list, when known: cards of another issuer are rejected, and cards whose BIN or segment is
/// unknown take it. `now` (epoch ms) bounds the opening times.
pub fn read_new_cards(
    name: &str,
    bytes: &[u8],
    format: ReportFormat,
    kind: CardKind,
    sender: Option<&str>,
    now: i64,
) -> Result<CardFile, IngestError> {
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
) -> Result<CardFile, IngestError> {
    let header = table.header.ok_or(IngestError::HeaderAbsent)?;
    let c = columns(kind);
    let card_at = required_column(&header, c.number, "card")?;
    let id_at = required_column(&header, c.resident_id, "resident_id")?;
    let name_at = required_column(&header, c.name, "name")?;
    let opened_at = required_column(&header, c.opened, "opened_at")?;
    let phone_at = find_column(&header, c.phone);
    let outlet_at = find_column(&header, c.outlet);
    let division_at = find_column(&header, c.division);
    let bank_at = find_column(&header, c.issuer);
    let clerk_at = find_column(&header, c.clerk);
    let mut file = CardFile {
        format: "csv",
        encoding: None,
        read: 0,
        rows: Vec::new(),
        rejected: Vec::new(),
    };
    let mut checker = CardChecker::new(kind, sender, now);
    for row in table.rows {
        file.read += 1;
        let reject = |column: Option<&'static str>, reason: &'static str| CardRejection {
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
        let fields = CardFields {
            card: cell(Some(card_at)),
            resident_id: cell(Some(id_at)),
            name: cell(Some(name_at)),
            opened_at: cell(Some(opened_at)),
            phone: cell(phone_at),
            outlet: cell(outlet_at),
            outlet_division: cell(division_at),
            bank_name: cell(bank_at),
            clerk: cell(clerk_at),
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

/// Why a card is rejected: the field to blame (`card`, `resident_id`, `name`, `opened_at`,
/// `phone`, `outlet`, `outlet_division` or `bank`) and the reason code.
pub type Rejected = (&'static str, &'static str);

/// The fields of one card as a list row (or another channel, such as the JSON API) states
/// them; an absent optional field is `""`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CardFields<'a> {
    pub card: &'a str,
    pub resident_id: &'a str,
    pub name: &'a str,
    /// A time or date in any layout of [`parse_report_time`] (RFC 3339 included).
    pub opened_at: &'a str,
    pub phone: &'a str,
    pub outlet: &'a str,
    pub outlet_division: &'a str,
    pub bank_name: &'a str,
    /// The clerk who opened it.
    pub clerk: &'a str,
}

/// Validates the cards of one list in order, exactly as [`read_new_cards`] does its rows: the
/// values, the sending bank, the opening time against `now`, and a card given twice
/// ([`card_reason::DUPLICATE_CARD`] for the later one).
#[derive(Debug)]
pub struct CardChecker<'s> {
    kind: CardKind,
    sender: Option<&'s str>,
    now: i64,
    seen: std::collections::HashSet<String>,
}

impl<'s> CardChecker<'s> {
    /// `sender`: the code of the bank (or operator) sending the list, when known; `now`:
    /// epoch ms.
    pub fn new(kind: CardKind, sender: Option<&'s str>, now: i64) -> Self {
        CardChecker {
            kind,
            sender,
            now,
            seen: std::collections::HashSet::new(),
        }
    }

    /// The next card of the list, validated (its `line` is 0: the caller numbers it).
    pub fn check(&mut self, fields: &CardFields<'_>) -> Result<CardRow, Rejected> {
        let row = card_row(fields, self.kind, self.sender, self.now)?;
        if !self.seen.insert(row.account_no.clone()) {
            return Err(("card", card_reason::DUPLICATE_CARD));
        }
        Ok(row)
    }
}

/// A card's number and its issuer (code, name), checked against the sending issuer.
pub(crate) type Issued = (String, String, String);

fn card_row(
    f: &CardFields<'_>,
    kind: CardKind,
    sender: Option<&str>,
    now: i64,
) -> Result<CardRow, Rejected> {
    let required = |v: &str, column: &'static str| {
        let v = v.trim();
        if v.is_empty() {
            Err((column, reason::EMPTY_REQUIRED))
        } else {
            Ok(())
        }
    };
    let card_text = f.card.trim();
    required(card_text, "card")?;
    let file_bank = f.bank_name.trim();
    if file_bank.chars().count() > MAX_CELL_CHARS {
        return Err(("bank", reason::TOO_LONG));
    }
    let (account_no, bank_code, bank_name) = match kind {
        CardKind::BankCard => bank_card(card_text, file_bank, sender)?,
        CardKind::SimCard => phone_card(card_text, file_bank, sender)?,
    };
    let id_text = f.resident_id.trim();
    required(id_text, "resident_id")?;
    let resident_id = ResidentId::parse(id_text).map_err(|e| ("resident_id", e.reason()))?;
    let name = f.name.trim();
    required(name, "name")?;
    if name.chars().count() > MAX_CELL_CHARS {
        return Err(("name", reason::TOO_LONG));
    }
    let opened_text = f.opened_at.trim();
    required(opened_text, "opened_at")?;
    let opened = parse_report_time(opened_text).map_err(|e| ("opened_at", e.reason()))?;
    if opened > now + 86_400_000 {
        return Err(("opened_at", card_reason::OPENED_IN_FUTURE));
    }
    if fanzha_core::time::shanghai_date(opened).is_some_and(|d| d < resident_id.birth_date()) {
        return Err(("opened_at", card_reason::OPENED_BEFORE_BIRTH));
    }
    let phone = match f.phone.trim() {
        _ if kind == CardKind::SimCard => None,
        "" => None,
        p => Some(
            PhoneNumber::parse(p)
                .map_err(|e| ("phone", e.reason()))?
                .canonical(),
        ),
    };
    let outlet = f.outlet.trim();
    if outlet.chars().count() > MAX_CELL_CHARS {
        return Err(("outlet", reason::TOO_LONG));
    }
    let clerk = f.clerk.trim();
    if clerk.chars().count() > MAX_CELL_CHARS {
        return Err(("clerk", reason::TOO_LONG));
    }
    let outlet_division = match f.outlet_division.trim() {
        "" => None,
        d => Some(
            DivisionCode::parse_known(d)
                .map_err(|e| ("outlet_division", e.reason()))?
                .to_string(),
        ),
    };
    Ok(CardRow {
        line: 0,
        kind,
        account_no,
        bank_code,
        bank_name,
        resident_id: resident_id.as_str().to_string(),
        name: name.to_string(),
        phone,
        opened_at: opened,
        outlet: outlet.to_string(),
        outlet_division,
        clerk: clerk.to_string(),
    })
}

pub(crate) fn bank_card(
    text: &str,
    file_bank: &str,
    sender: Option<&str>,
) -> Result<Issued, Rejected> {
    let card = BankCard::parse(text).map_err(|e| ("card", e.reason()))?;
    let (code, name) = match (card.bin(), sender) {
        (Some(bin), Some(s)) if !bin.bank_code.eq_ignore_ascii_case(s) => {
            return Err(("card", card_reason::OTHER_BANK))
        }
        (Some(bin), _) => (
            bin.bank_code.to_string(),
            if file_bank.is_empty() {
                bin.bank_name.to_string()
            } else {
                file_bank.to_string()
            },
        ),
        (None, Some(s)) => (s.to_string(), file_bank.to_string()),
        (None, None) => return Err(("bank", card_reason::BANK_UNKNOWN)),
    };
    Ok((card.as_str().to_string(), code, name))
}

/// A phone card's number: a mobile or virtual-operator number, of the sending operator's
/// network (a virtual operator's numbers belong to the network it resells).
pub(crate) fn phone_card(
    text: &str,
    file_operator: &str,
    sender: Option<&str>,
) -> Result<Issued, Rejected> {
    let number = PhoneNumber::parse(text).map_err(|e| ("card", e.reason()))?;
    if !matches!(number.kind(), PhoneKind::Mobile | PhoneKind::Virtual) {
        return Err(("card", card_reason::NOT_MOBILE));
    }
    let name_or = |fallback: &str| {
        if file_operator.is_empty() {
            fallback.to_string()
        } else {
            file_operator.to_string()
        }
    };
    let (code, name) = match (number.carrier(), sender) {
        (Some(c), Some(s)) if !c.operator_code().eq_ignore_ascii_case(s) => {
            return Err(("card", card_reason::OTHER_OPERATOR))
        }
        (Some(c), _) => (c.operator_code().to_string(), name_or(c.operator_name())),
        (None, Some(s)) => (s.to_string(), file_operator.to_string()),
        (None, None) => return Err(("bank", card_reason::OPERATOR_UNKNOWN)),
    };
    Ok((number.canonical(), code, name))
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
    fn rows_are_accepted_or_rejected_with_line_and_reason() {
        let ccb = {
            let body = "621700000000000001";
            let b: Vec<u8> = body.bytes().collect();
            format!(
                "{body}{}",
                fanzha_core::bank_card::luhn_check_digit(&b) as char
            )
        };
        let csv = format!(
            "序号,卡号,户名,证件号码,开户日期,预留手机号,开户网点,网点行政区划代码\n\
             1,{a},张三,11010519491231002X,2026-11-30 10:15,138 0013 8000,余姚城东支行,330281\n\
             2,{b},李四,110105198001011238,2026年11月30日,,喀什分行营业部,653101\n\
             3,{a},张三,11010519491231002X,2026-11-30,,,\n\
             4,{ccb},王五,110105198001011238,2026-11-30,,,\n\
             5,{c},赵六,110105198001011239,2026-11-30,,,\n\
             6,{d},钱七,110105198001011238,2027-01-30,,,\n\
             7,{e},孙八,110105198001011238,2026-11-30,123,,\n\
             8,{f},周九,110105198001011238,2026-11-30,,,9999\n\
             9,{g},,110105198001011238,2026-11-30,,,\n",
            a = icbc(1),
            b = icbc(2),
            c = icbc(3),
            d = icbc(4),
            e = icbc(5),
            f = icbc(6),
            g = icbc(7),
        );
        let f = read_new_cards(
            "n.csv",
            csv.as_bytes(),
            ReportFormat::Auto,
            CardKind::BankCard,
            Some("ICBC"),
            NOW,
        )
        .unwrap();
        assert_eq!(f.read, 9);
        assert_eq!(f.rows.len(), 2);
        let r = &f.rows[0];
        assert_eq!((r.line, r.bank_code.as_str()), (2, "ICBC"));
        assert_eq!(r.phone.as_deref(), Some("13800138000"));
        assert_eq!(r.outlet_division.as_deref(), Some("330281"));
        assert_eq!(r.opened_at, 1_796_004_900_000, "10:15 Shanghai");
        assert!(!r.bank_name.is_empty(), "the BIN table names the bank");
        assert_eq!(f.rows[1].opened_at, 1_795_968_000_000, "midnight Shanghai");
        assert_eq!(
            f.rejected
                .iter()
                .map(|r| (r.line, r.column, r.reason))
                .collect::<Vec<_>>(),
            vec![
                (4, Some("card"), "duplicate_in_file"),
                (5, Some("card"), "other_bank"),
                (6, Some("resident_id"), f.rejected[2].reason),
                (7, Some("opened_at"), "opened_in_future"),
                (8, Some("phone"), f.rejected[4].reason),
                (9, Some("outlet_division"), f.rejected[5].reason),
                (10, Some("name"), "empty_required"),
            ]
        );
        // Without a sender the other bank's card is accepted under its own bank.
        let any = read_new_cards(
            "n.csv",
            csv.as_bytes(),
            ReportFormat::Auto,
            CardKind::BankCard,
            None,
            NOW,
        )
        .unwrap();
        assert_eq!(any.rows.len(), 3);
        assert_eq!(any.rows[2].bank_code, "CCB");
    }

    #[test]
    fn the_clerk_who_opened_the_card_is_read_when_the_list_names_them() {
        let csv = format!(
            "卡号,户名,证件号码,开户日期,经办柜员\n\
             {},张三,11010519491231002X,2026-11-30,A0317\n\
             {},张三,11010519491231002X,2026-11-30,\n",
            icbc(1),
            icbc(2)
        );
        let f = read_new_cards(
            "n.csv",
            csv.as_bytes(),
            ReportFormat::Auto,
            CardKind::BankCard,
            Some("ICBC"),
            NOW,
        )
        .unwrap();
        assert_eq!(
            f.rows.iter().map(|r| r.clerk.as_str()).collect::<Vec<_>>(),
            vec!["A0317", ""]
        );
        let sims = "手机号码,机主姓名,证件号码,入网时间,受理人\n\
                    13800138000,张三,11010519491231002X,2026-11-30,王营业员\n";
        let f = read_new_cards(
            "s.csv",
            sims.as_bytes(),
            ReportFormat::Auto,
            CardKind::SimCard,
            None,
            NOW,
        )
        .unwrap();
        assert_eq!(f.rows[0].clerk, "王营业员");
    }

    #[test]
    fn the_checker_validates_cards_of_other_channels_like_rows() {
        let mut checker = CardChecker::new(CardKind::BankCard, Some("ICBC"), NOW);
        let a = icbc(1);
        let fields = CardFields {
            card: &a,
            resident_id: " 11010519491231002X ",
            name: "张三",
            opened_at: "2026-11-30T10:15:00+08:00",
            ..CardFields::default()
        };
        let row = checker.check(&fields).unwrap();
        assert_eq!(row.opened_at, 1_796_004_900_000);
        assert_eq!(row.resident_id, "11010519491231002X");
        assert_eq!(
            checker.check(&fields),
            Err(("card", card_reason::DUPLICATE_CARD))
        );
        assert_eq!(
            checker.check(&CardFields {
                name: "",
                card: &icbc(2),
                ..fields
            }),
            Err(("name", reason::EMPTY_REQUIRED))
        );
    }

    #[test]
    fn an_operators_list_of_phone_cards_is_read_with_its_own_columns() {
        let csv = "序号,手机号码,机主姓名,证件号码,入网时间,营业厅,营业厅行政区划代码,预留手机号\n\
             1,138 0013 8000,张三,11010519491231002X,2026-11-30 10:15,城东营业厅,330281,13900000000\n\
             2,13012345678,李四,110105198001011238,2026-11-30,,,\n\
             3,010-62345678,王五,110105198001011238,2026-11-30,,,\n\
             4,+86 138-0013-8000,张三,11010519491231002X,2026-11-30,,,\n\
             5,12345,赵六,110105198001011238,2026-11-30,,,\n";
        let f = read_new_cards(
            "sim.csv",
            csv.as_bytes(),
            ReportFormat::Auto,
            CardKind::SimCard,
            Some("china_mobile"),
            NOW,
        )
        .unwrap();
        assert_eq!(f.read, 5);
        assert_eq!(f.rows.len(), 1);
        let r = &f.rows[0];
        assert_eq!(r.kind, CardKind::SimCard);
        assert_eq!(r.account_no, "13800138000");
        assert_eq!(
            (r.bank_code.as_str(), r.bank_name.as_str()),
            ("china_mobile", "中国移动")
        );
        assert_eq!(r.phone, None, "a phone card's list has no reserved phone");
        assert_eq!(r.outlet, "城东营业厅");
        assert_eq!(r.opened_at, 1_796_004_900_000);
        assert_eq!(
            f.rejected
                .iter()
                .map(|r| (r.line, r.column, r.reason))
                .collect::<Vec<_>>(),
            vec![
                (3, Some("card"), "other_operator"),
                (4, Some("card"), "not_mobile"),
                (5, Some("card"), "duplicate_in_file"),
                (6, Some("card"), f.rejected[3].reason),
            ]
        );
        // The center may send any operator's list: each number takes its own network.
        let any = read_new_cards(
            "sim.csv",
            csv.as_bytes(),
            ReportFormat::Auto,
            CardKind::SimCard,
            None,
            NOW,
        )
        .unwrap();
        assert_eq!(any.rows.len(), 2);
        assert_eq!(any.rows[1].bank_code, "china_unicom");
        // A bank-card list's columns do not make a phone-card list.
        let err = read_new_cards(
            "sim.csv",
            "卡号,户名,证件号码,开户日期\n".as_bytes(),
            ReportFormat::Csv,
            CardKind::SimCard,
            None,
            NOW,
        )
        .unwrap_err();
        assert!(err.to_string().contains("手机号码"), "{err}");
    }

    #[test]
    fn an_opening_before_the_holders_birth_is_rejected() {
        let csv = format!(
            "卡号,户名,证件号码,开户日期\n{},张三,11010519491231002X,1949-12-30\n",
            icbc(1)
        );
        let f = read_new_cards(
            "n.csv",
            csv.as_bytes(),
            ReportFormat::Auto,
            CardKind::BankCard,
            None,
            NOW,
        )
        .unwrap();
        assert_eq!(f.rows.len(), 0);
        assert_eq!(f.rejected[0].reason, "opened_before_birth");
    }

    #[test]
    fn a_list_without_an_opening_date_names_the_accepted_columns() {
        let err = read_new_cards(
            "n.csv",
            "卡号,户名,证件号码\n1,a,b\n".as_bytes(),
            ReportFormat::Csv,
            CardKind::BankCard,
            None,
            NOW,
        )
        .unwrap_err();
        assert!(err.to_string().contains("开户日期"), "{err}");
    }
}
