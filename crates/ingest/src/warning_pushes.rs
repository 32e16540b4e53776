//! 预警推送名单: the daily lists of warning targets an upstream platform pushes to the center —
//! the national anti-fraud big-data platform (国家反诈大数据平台), the provincial 东风 platform,
//! 长矛 and others. CSV (UTF-8 or GBK) or XLSX with the platform's push id and push time, the
//! endangered person's phone number and/or resident ID, and optionally the name, a fraud-type
//! hint, the level, the suspect's number or account and remarks. Other columns are ignored.
//! Times are read as Asia/Shanghai and kept as epoch ms UTC. Bad rows are rejected with line,
//! column and reason, never dropped.

use crate::error::IngestError;
use crate::quarantine::reason;
use crate::reports::{
    cell_at, find_column, parse_report_time, read_table, required_column, ReportFormat, Table,
};
use fanzha_core::bank_card::{compact_account, valid_account, BankCard};
use fanzha_core::fraud_type::FraudType;
use fanzha_core::phone::PhoneNumber;
use fanzha_core::reason::Reasoned;
use fanzha_core::reference::bank_bins;
use fanzha_core::resident_id::ResidentId;
use fanzha_core::{Money, PushKind};

/// Column names accepted for the platform's push id.
pub const PUSH_ID_ALIASES: [&str; 9] = [
    "推送编号",
    "推送ID",
    "推送id",
    "预警编号",
    "预警ID",
    "预警id",
    "线索编号",
    "push_id",
    "warning_no",
];

/// Column names accepted for the push time.
pub const PUSHED_AT_ALIASES: [&str; 7] = [
    "推送时间",
    "预警时间",
    "下发时间",
    "推送日期",
    "预警日期",
    "pushed_at",
    "push_time",
];

/// Column names accepted for the endangered person's phone number.
pub const PHONE_ALIASES: [&str; 8] = [
    "手机号",
    "手机号码",
    "受害人手机号",
    "受害人号码",
    "预警对象号码",
    "电话号码",
    "phone",
    "msisdn",
];

/// Column names accepted for the endangered person's resident ID.
pub const RESIDENT_ID_ALIASES: [&str; 6] = [
    "身份证号",
    "身份证号码",
    "公民身份号码",
    "证件号码",
    "受害人身份证号",
    "resident_id",
];

/// Column names accepted for the person's name.
pub const NAME_ALIASES: [&str; 4] = ["姓名", "受害人姓名", "预警对象姓名", "name"];

/// Column names accepted for the fraud-type hint.
pub const FRAUD_TYPE_ALIASES: [&str; 6] = [
    "诈骗类型",
    "涉诈类型",
    "案件类型",
    "预警类型",
    "fraud_type",
    "type",
];

/// Column names accepted for the level.
pub const LEVEL_ALIASES: [&str; 5] = ["预警级别", "预警等级", "级别", "等级", "level"];

/// Column names accepted for the suspect's number.
pub const SUSPECT_ALIASES: [&str; 6] = [
    "涉诈号码",
    "嫌疑号码",
    "可疑号码",
    "对端号码",
    "诈骗号码",
    "suspect",
];

/// Column names accepted for the suspect's account (in a fund warning: the payee's).
pub const ACCOUNT_ALIASES: [&str; 11] = [
    "涉诈账号",
    "涉案账号",
    "嫌疑账号",
    "诈骗账号",
    "收款账号",
    "收款卡号",
    "收款账户",
    "对方账号",
    "account",
    "payee_account",
    "payee",
];

/// Column names accepted for the kind of warning (资金预警, 电话预警 …).
pub const KIND_ALIASES: [&str; 9] = [
    "预警种类",
    "预警类别",
    "推送类别",
    "推送类型",
    "线索类别",
    "线索类型",
    "预警方式",
    "kind",
    "push_kind",
];

/// Column names accepted for the amount paid (yuan) in a fund warning.
pub const AMOUNT_ALIASES: [&str; 11] = [
    "转账金额",
    "转账金额（元）",
    "转账金额(元)",
    "涉案金额",
    "涉案金额（元）",
    "涉案金额(元)",
    "交易金额",
    "支付金额",
    "被骗金额",
    "金额",
    "amount",
];

/// Column names accepted for when the person paid, in a fund warning.
pub const PAID_AT_ALIASES: [&str; 6] = [
    "转账时间",
    "交易时间",
    "支付时间",
    "付款时间",
    "paid_at",
    "transfer_time",
];

/// Column names accepted for the payee account's bank, in a fund warning.
pub const PAYEE_BANK_ALIASES: [&str; 7] = [
    "收款银行",
    "收款行",
    "收款开户行",
    "收款账户开户行",
    "开户行",
    "开户银行",
    "payee_bank",
];

/// Column names accepted for the account the person paid from, in a fund warning.
pub const PAYER_ALIASES: [&str; 7] = [
    "付款账号",
    "付款卡号",
    "付款账户",
    "转出账号",
    "受害人账号",
    "受害人卡号",
    "payer_account",
];

/// Column names accepted for remarks.
pub const REMARKS_ALIASES: [&str; 6] = ["备注", "预警内容", "预警原因", "说明", "remarks", "note"];

/// The longest name, hint, suspect cell or remark kept (characters).
pub const MAX_CELL_CHARS: usize = 500;
pub use fanzha_core::push_id::{valid_push_id, MAX_PUSH_ID_CHARS};
/// The level of a row whose list gives none: orange (a pushed target is reached within the
/// orange deadlines unless the platform says red).
pub const DEFAULT_LEVEL: u8 = 2;
/// The level of a fund warning whose list gives none: red — the person has paid a fraud
/// account, and what can still be held is held in the first minutes.
pub const DEFAULT_FUND_LEVEL: u8 = 1;
/// The longest account number kept (characters, once spaces and dashes are dropped).
pub use fanzha_core::bank_card::MAX_ACCOUNT_LEN as MAX_ACCOUNT_CHARS;

/// Reasons a push row is rejected (besides the row-level ones of the quarantine and the value
/// reasons of `core`).
pub mod push_reason {
    /// The push id is not 1 to 64 letters, digits, `-`, `_` or `.`.
    pub const BAD_PUSH_ID: &str = "bad_push_id";
    /// Neither a phone number nor a resident ID: nobody to reach.
    pub const NO_PERSON: &str = "no_person";
    /// The level is none of 1/2/3, 红/橙/黄, red/orange/yellow.
    pub const BAD_LEVEL: &str = "bad_level";
    /// The push time lies more than a day in the future.
    pub const PUSHED_IN_FUTURE: &str = "pushed_in_future";
    /// The same push id appears on an earlier line of the file.
    pub const DUPLICATE_PUSH: &str = "duplicate_in_file";
    /// The kind names none of 资金/电话/短信/APP/网址/其他 (预警).
    pub const UNKNOWN_KIND: &str = "unknown_push_kind";
    /// A fund warning's amount is zero or less.
    pub const AMOUNT_NOT_POSITIVE: &str = "amount_not_positive";
    /// A fund warning's payment lies more than a day after the import.
    pub const PAID_IN_FUTURE: &str = "paid_in_future";
    /// An account is not 6 to 40 letters and digits once spaces and dashes are dropped.
    pub const BAD_ACCOUNT: &str = "bad_account";
    /// Payment details (amount, time, bank, payer) on a row whose kind is not a fund warning.
    pub const FUND_DETAIL_ON_OTHER_KIND: &str = "fund_detail_on_other_kind";
}

/// What a fund warning (资金预警) says about the payment, validated.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PushedFund {
    /// Fen.
    pub amount_fen: Option<i64>,
    /// Epoch ms UTC.
    pub paid_at: Option<i64>,
    /// The payee account: digits and letters, spaces and dashes dropped.
    pub payee_account: Option<String>,
    /// The payee's bank code, from the bank column or else the card number's BIN.
    pub payee_bank_code: Option<String>,
    /// The payee's bank as the list writes it, or the bank the code names.
    pub payee_bank: Option<String>,
    /// The account the person paid from.
    pub payer_account: Option<String>,
}

/// A pushed warning as the list states it, validated.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PushRow {
    pub line: u64,
    pub push_id: String,
    /// Epoch ms UTC.
    pub pushed_at: i64,
    /// Canonical phone number.
    pub msisdn: Option<String>,
    /// Canonical resident ID.
    pub resident_id: Option<String>,
    pub name: Option<String>,
    /// The fraud type the hint names, when it names a known one.
    pub fraud_type: Option<FraudType>,
    /// The hint as written.
    pub fraud_hint: Option<String>,
    /// 1 red, 2 orange, 3 yellow.
    pub level: u8,
    /// Suspect numbers and accounts, as written (split at commas, semicolons, `、` and spaces).
    pub suspects: Vec<String>,
    pub remarks: Option<String>,
    /// The kind the list states, or — when it states none — a fund warning where the row
    /// carries payment details (amount, time, payee bank, payer account).
    pub kind: Option<PushKind>,
    /// The payment, on a fund warning.
    pub fund: Option<PushedFund>,
}

/// A rejected row.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PushRejection {
    pub line: u64,
    /// `push_id`, `pushed_at`, `phone`, `resident_id`, `name`, `fraud_type`, `level`,
    /// `suspect`, `remarks`, `push_kind`, `amount`, `paid_at`, `payee_bank` or `payer_account`
    /// when one cell is to blame.
    pub column: Option<&'static str>,
    pub reason: &'static str,
    pub raw: String,
}

/// What a push list held.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PushFile {
    pub format: &'static str,
    pub encoding: Option<&'static str>,
    /// Data rows read (blank rows are not rows): accepted + rejected.
    pub read: usize,
    pub rows: Vec<PushRow>,
    pub rejected: Vec<PushRejection>,
}

/// Reads a push list; `name` is the file's name as given (for the format and messages), `now`
/// the epoch ms against which push times are checked.
pub fn read_pushes(
    name: &str,
    bytes: &[u8],
    format: ReportFormat,
    now: i64,
) -> Result<PushFile, IngestError> {
    let (table, format, encoding) = read_table(name, bytes, format)?;
    let mut file = validate(table, now)?;
    file.format = format;
    file.encoding = encoding;
    Ok(file)
}

/// A level as lists write it: 1/2/3, 红/橙/黄 (色, 预警), red/orange/yellow, 高/中/低.
pub fn parse_level(text: &str) -> Option<u8> {
    let t = text.trim().trim_end_matches("预警").trim_end_matches('色');
    match t.to_ascii_lowercase().as_str() {
        "1" | "一级" | "红" | "red" | "高" | "高危" => Some(1),
        "2" | "二级" | "橙" | "orange" | "中" | "中危" => Some(2),
        "3" | "三级" | "黄" | "yellow" | "低" | "低危" => Some(3),
        _ => None,
    }
}

type Rejected = (&'static str, &'static str);

fn validate(table: Table, now: i64) -> Result<PushFile, IngestError> {
    let header = table.header.ok_or(IngestError::HeaderAbsent)?;
    let id_at = required_column(&header, &PUSH_ID_ALIASES, "push_id")?;
    let time_at = required_column(&header, &PUSHED_AT_ALIASES, "pushed_at")?;
    let phone_at = find_column(&header, &PHONE_ALIASES);
    let rid_at = find_column(&header, &RESIDENT_ID_ALIASES);
    if phone_at.is_none() && rid_at.is_none() {
        return Err(IngestError::ReportColumnMissing {
            column: "phone",
            accepted: PHONE_ALIASES
                .iter()
                .chain(RESIDENT_ID_ALIASES.iter())
                .map(|a| a.to_string())
                .collect(),
        });
    }
    let at = Columns {
        push_id: Some(id_at),
        pushed_at: Some(time_at),
        phone: phone_at,
        resident_id: rid_at,
        name: find_column(&header, &NAME_ALIASES),
        fraud_type: find_column(&header, &FRAUD_TYPE_ALIASES),
        level: find_column(&header, &LEVEL_ALIASES),
        suspect: find_column(&header, &SUSPECT_ALIASES),
        account: find_column(&header, &ACCOUNT_ALIASES),
        remarks: find_column(&header, &REMARKS_ALIASES),
        kind: find_column(&header, &KIND_ALIASES),
        amount: find_column(&header, &AMOUNT_ALIASES),
        paid_at: find_column(&header, &PAID_AT_ALIASES),
        payee_bank: find_column(&header, &PAYEE_BANK_ALIASES),
        payer: find_column(&header, &PAYER_ALIASES),
    };
    let mut file = PushFile {
        format: "csv",
        encoding: None,
        read: 0,
        rows: Vec::new(),
        rejected: Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    for row in table.rows {
        file.read += 1;
        let reject = |column: Option<&'static str>, reason: &'static str| PushRejection {
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
        match push_row(&at, &cell, now) {
            Ok(mut r) => {
                if !seen.insert(r.push_id.clone()) {
                    file.rejected
                        .push(reject(Some("push_id"), push_reason::DUPLICATE_PUSH));
                    continue;
                }
                r.line = row.line;
                file.rows.push(r);
            }
            Err((column, why)) => file.rejected.push(reject(Some(column), why)),
        }
    }
    Ok(file)
}

struct Columns {
    push_id: Option<usize>,
    pushed_at: Option<usize>,
    phone: Option<usize>,
    resident_id: Option<usize>,
    name: Option<usize>,
    fraud_type: Option<usize>,
    level: Option<usize>,
    suspect: Option<usize>,
    account: Option<usize>,
    remarks: Option<usize>,
    kind: Option<usize>,
    amount: Option<usize>,
    paid_at: Option<usize>,
    payee_bank: Option<usize>,
    payer: Option<usize>,
}

fn optional_text(
    text: &str,
    column: &'static str,
) -> Result<Option<String>, (&'static str, &'static str)> {
    if text.chars().count() > MAX_CELL_CHARS {
        return Err((column, reason::TOO_LONG));
    }
    Ok((!text.is_empty()).then(|| text.to_string()))
}

fn push_row<'c>(
    at: &Columns,
    cell: &dyn Fn(Option<usize>) -> &'c str,
    now: i64,
) -> Result<PushRow, Rejected> {
    let push_id = cell(at.push_id);
    if push_id.is_empty() {
        return Err(("push_id", reason::EMPTY_REQUIRED));
    }
    if !valid_push_id(push_id) {
        return Err(("push_id", push_reason::BAD_PUSH_ID));
    }
    let time_text = cell(at.pushed_at);
    if time_text.is_empty() {
        return Err(("pushed_at", reason::EMPTY_REQUIRED));
    }
    let pushed_at = parse_report_time(time_text).map_err(|e| ("pushed_at", e.reason()))?;
    if pushed_at > now + 86_400_000 {
        return Err(("pushed_at", push_reason::PUSHED_IN_FUTURE));
    }
    let msisdn = match cell(at.phone) {
        "" => None,
        p => Some(
            PhoneNumber::parse(p)
                .map_err(|e| ("phone", e.reason()))?
                .canonical(),
        ),
    };
    let resident_id = match cell(at.resident_id) {
        "" => None,
        r => Some(
            ResidentId::parse(r)
                .map_err(|e| ("resident_id", e.reason()))?
                .as_str()
                .to_string(),
        ),
    };
    if msisdn.is_none() && resident_id.is_none() {
        let column = if at.phone.is_some() {
            "phone"
        } else {
            "resident_id"
        };
        return Err((column, push_reason::NO_PERSON));
    }
    let name = optional_text(cell(at.name), "name")?;
    let mut fraud_hint = optional_text(cell(at.fraud_type), "fraud_type")?;
    let mut fraud_type = fraud_hint
        .as_deref()
        .and_then(|h| FraudType::parse_label(h).ok());
    let mut kind = match cell(at.kind) {
        "" => None,
        k => Some(PushKind::from_written(k).ok_or(("push_kind", push_reason::UNKNOWN_KIND))?),
    };
    // Lists that have one "预警类型" column write the kind there ("资金预警") rather than a
    // fraud type: read it as the kind.
    if fraud_type.is_none() && kind.is_none() {
        if let Some(k) = fraud_hint.as_deref().and_then(PushKind::from_written) {
            kind = Some(k);
            fraud_hint = None;
            fraud_type = None;
        }
    }
    let (kind, fund) =
        kind_and_fund(kind, fund_of(at, cell, now)?).map_err(|why| ("push_kind", why))?;
    let level = match cell(at.level) {
        "" if kind == Some(PushKind::Fund) => DEFAULT_FUND_LEVEL,
        "" => DEFAULT_LEVEL,
        l => parse_level(l).ok_or(("level", push_reason::BAD_LEVEL))?,
    };
    let mut suspects: Vec<String> = Vec::new();
    // Numbers may be separated by spaces; an account is often written in groups of four
    // (`6222 0212 …`), so the account column splits at separators only and drops the spaces.
    for (text, accounts) in [(cell(at.suspect), false), (cell(at.account), true)] {
        if text.chars().count() > MAX_CELL_CHARS {
            return Err(("suspect", reason::TOO_LONG));
        }
        let separators: &[char] = if accounts {
            &[',', ';', '，', '；', '、', '/']
        } else {
            &[',', ';', '，', '；', '、', ' ', '/']
        };
        for s in text.split(separators) {
            let s: String = if accounts {
                compact_account(s)
            } else {
                s.trim().to_string()
            };
            if !s.is_empty() && !suspects.contains(&s) {
                suspects.push(s);
            }
        }
    }
    // A fund warning's payee account is kept with the payment (shown masked, stopped in one
    // click), not again among the suspect numbers.
    if let Some(payee) = fund.as_ref().and_then(|f| f.payee_account.as_deref()) {
        suspects.retain(|s| s != payee);
    }
    let remarks = optional_text(cell(at.remarks), "remarks")?;
    Ok(PushRow {
        line: 0,
        push_id: push_id.to_string(),
        pushed_at,
        msisdn,
        resident_id,
        name,
        fraud_type,
        fraud_hint,
        level,
        suspects,
        remarks,
        kind,
        fund,
    })
}

/// The kind of a push and its payment, from the kind stated and the payment read (with
/// [`read_fund`]'s flag: more than an account stated): payment details make a push of no
/// stated kind a fund warning and are refused on another kind; an account alone on a push of
/// another (or no) kind stays a suspect account, and the payment is dropped.
pub fn kind_and_fund(
    stated: Option<PushKind>,
    fund: Option<(PushedFund, bool)>,
) -> Result<(Option<PushKind>, Option<PushedFund>), &'static str> {
    let kind = match (stated, &fund) {
        (None, Some((_, true))) => Some(PushKind::Fund),
        (Some(k), Some((_, true))) if k != PushKind::Fund => {
            return Err(push_reason::FUND_DETAIL_ON_OTHER_KIND);
        }
        (k, _) => k,
    };
    let fund = fund
        .map(|(f, _)| f)
        .filter(|_| kind == Some(PushKind::Fund));
    Ok((kind, fund))
}

/// An account as lists write it: spaces, dashes and full-width forms dropped; 6 to 40 ASCII
/// letters and digits (a card, a corporate account, a payment platform's account number).
fn account_of(text: &str, column: &'static str) -> Result<Option<String>, Rejected> {
    let compact = compact_account(text);
    if compact.is_empty() {
        return Ok(None);
    }
    if !valid_account(&compact) {
        return Err((column, push_reason::BAD_ACCOUNT));
    }
    Ok(Some(compact))
}

/// The payment a row states: `None` when it states nothing about one. The payee account is the
/// first account of the account column. The flag says whether the row states more than that
/// account (amount, time, bank or payer): an account alone is also how the other kinds name a
/// suspect account.
fn fund_of<'c>(
    at: &Columns,
    cell: &dyn Fn(Option<usize>) -> &'c str,
    now: i64,
) -> Result<Option<(PushedFund, bool)>, Rejected> {
    read_fund(
        &FundCells {
            amount: cell(at.amount),
            paid_at: cell(at.paid_at),
            accounts: cell(at.account),
            payee_bank: cell(at.payee_bank),
            payer: cell(at.payer),
        },
        now,
    )
}

/// A fund warning's payment as written, cell by cell (empty: not stated); the same rules for a
/// list's row and for a push through the API.
#[derive(Clone, Copy, Debug, Default)]
pub struct FundCells<'c> {
    /// Yuan, as a list writes it (`50,000`, `¥8000.50`).
    pub amount: &'c str,
    /// Asia/Shanghai, any layout of a report time.
    pub paid_at: &'c str,
    /// The account column: the first account is the payee's.
    pub accounts: &'c str,
    pub payee_bank: &'c str,
    pub payer: &'c str,
}

/// Validates a payment: `None` when it states nothing; the flag says whether it states more than
/// the payee account (see [`PushRow::kind`]). A refusal names the column and the reason.
pub fn read_fund(
    cells: &FundCells<'_>,
    now: i64,
) -> Result<Option<(PushedFund, bool)>, (&'static str, &'static str)> {
    let amount_fen = match cells.amount.trim() {
        "" => None,
        a => {
            let fen = Money::parse(a).map_err(|e| ("amount", e.reason()))?.fen();
            if fen <= 0 {
                return Err(("amount", push_reason::AMOUNT_NOT_POSITIVE));
            }
            Some(fen)
        }
    };
    let paid_at = match cells.paid_at.trim() {
        "" => None,
        t => {
            let at = parse_report_time(t).map_err(|e| ("paid_at", e.reason()))?;
            if at > now + 86_400_000 {
                return Err(("paid_at", push_reason::PAID_IN_FUTURE));
            }
            Some(at)
        }
    };
    let first_account = cells
        .accounts
        .split([',', ';', '，', '；', '、', '/'])
        .map(str::trim)
        .find(|s| !s.is_empty())
        .unwrap_or("");
    let payee_account = account_of(first_account, "suspect")?;
    let payer_account = account_of(cells.payer, "payer_account")?;
    let bank_text = optional_text(cells.payee_bank.trim(), "payee_bank")?;
    let bins = bank_bins();
    let named = bank_text.as_deref().and_then(|b| bins.by_name(b));
    let from_card = payee_account
        .as_deref()
        .and_then(|a| BankCard::parse(a).ok())
        .and_then(|c| c.bin())
        .and_then(|b| bins.bank(&b.bank_code));
    // The bank the list names wins over the BIN (a corporate account has no BIN).
    let bank = named.or(from_card);
    let states_payment =
        amount_fen.is_some() || paid_at.is_some() || bank_text.is_some() || payer_account.is_some();
    let fund = PushedFund {
        amount_fen,
        paid_at,
        payee_bank_code: bank.map(|b| b.code.to_string()),
        payee_bank: bank_text.or_else(|| bank.map(|b| b.name.to_string())),
        payee_account,
        payer_account,
    };
    Ok((fund != PushedFund::default()).then_some((fund, states_payment)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-03-01 12:00 Shanghai.
    const NOW: i64 = 1_772_337_600_000;

    #[test]
    fn rows_are_accepted_or_rejected_with_line_column_and_reason() {
        let csv = "推送编号,推送时间,手机号码,身份证号,姓名,诈骗类型,预警级别,涉诈号码,备注\n\
                   GJ-001,2026-03-01 08:30:00,138 0013 8000,11010519491231002X,张三,冒充公检法,红色,+8613900000000,疑似被骗\n\
                   GJ-002,2026-03-01 09:00,,110105198001011238,李四,刷单,3,,\n\
                   GJ-003,2026-03-01 09:00,1380013,,王五,,,,\n\
                   GJ 004,2026-03-01 09:00,13800138001,,赵六,,,,\n\
                   GJ-005,2026-03-01 09:00,,,钱七,,,,\n\
                   GJ-006,2026-03-01 09:00,13800138002,,孙八,,紫色,,\n\
                   GJ-001,2026-03-01 09:00,13800138003,,周九,,,,\n\
                   GJ-007,2026-03-09 09:00,13800138004,,吴十,,,,\n\
                   GJ-008,明天,13800138005,,郑一,,,,\n\
                   GJ-009,2026-03-01 10:00,13800138006,110105198001011239,王二,,,,\n\
                   GJ-010,2026-03-01 10:00,13800138007,,,未知类型,,a;b、a,\n";
        let f = read_pushes("p.csv", csv.as_bytes(), ReportFormat::Auto, NOW).unwrap();
        assert_eq!(f.read, 11);
        assert_eq!(
            f.rows
                .iter()
                .map(|r| (r.line, r.push_id.as_str()))
                .collect::<Vec<_>>(),
            vec![(2, "GJ-001"), (3, "GJ-002"), (12, "GJ-010")]
        );
        let first = &f.rows[0];
        assert_eq!(
            first.pushed_at, 1_772_325_000_000,
            "08:30 Shanghai is 00:30 UTC"
        );
        assert_eq!(first.msisdn.as_deref(), Some("13800138000"));
        assert_eq!(first.resident_id.as_deref(), Some("11010519491231002X"));
        assert_eq!(first.level, 1);
        assert_eq!(
            first.fraud_type,
            Some(FraudType::parse_label("冒充公检法").unwrap())
        );
        assert_eq!(first.suspects, vec!["+8613900000000".to_string()]);
        assert_eq!(f.rows[1].level, 3);
        assert_eq!(f.rows[1].msisdn, None);
        let last = &f.rows[2];
        assert_eq!(last.level, DEFAULT_LEVEL);
        assert_eq!(last.fraud_type, None);
        assert_eq!(last.fraud_hint.as_deref(), Some("未知类型"));
        assert_eq!(last.suspects, vec!["a".to_string(), "b".to_string()]);
        assert_eq!(
            f.rejected
                .iter()
                .map(|r| (r.line, r.column, r.reason))
                .collect::<Vec<_>>(),
            vec![
                (4, Some("phone"), f.rejected[0].reason),
                (5, Some("push_id"), push_reason::BAD_PUSH_ID),
                (6, Some("phone"), push_reason::NO_PERSON),
                (7, Some("level"), push_reason::BAD_LEVEL),
                (8, Some("push_id"), push_reason::DUPLICATE_PUSH),
                (9, Some("pushed_at"), push_reason::PUSHED_IN_FUTURE),
                (10, Some("pushed_at"), f.rejected[6].reason),
                (11, Some("resident_id"), "bad_check_digit"),
            ]
        );
        assert!(!f.rejected[0].reason.is_empty());
        assert!(!f.rejected[6].reason.is_empty());
        assert!(f.rejected[1].raw.starts_with("GJ 004"));
    }

    #[test]
    fn gbk_lists_and_missing_columns() {
        let text = "预警编号,预警时间,身份证号\nDF1,2026-02-28,11010519491231002X\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let f = read_pushes("df.csv", &gbk, ReportFormat::Csv, NOW).unwrap();
        assert!(
            matches!(f.encoding, Some("GBK") | Some("gb18030")),
            "{:?}",
            f.encoding
        );
        assert_eq!(f.rows.len(), 1);
        assert_eq!(f.rows[0].pushed_at, 1_772_208_000_000, "midnight Shanghai");
        let err = read_pushes(
            "x.csv",
            "推送编号,推送时间,姓名\n1,2026-01-01,a\n".as_bytes(),
            ReportFormat::Csv,
            NOW,
        )
        .unwrap_err();
        assert!(err.to_string().contains("手机号码"), "{err}");
        let err = read_pushes(
            "x.csv",
            "手机号码,推送时间\n13800138000,2026-01-01\n".as_bytes(),
            ReportFormat::Csv,
            NOW,
        )
        .unwrap_err();
        assert!(err.to_string().contains("推送编号"), "{err}");
    }

    #[test]
    fn fund_warnings_carry_the_payment_and_default_to_red() {
        let csv = "推送编号,推送时间,手机号码,预警种类,转账金额（元）,转账时间,收款账号,收款银行,付款账号,预警级别\n\
                   ZJ-1,2026-03-01 08:30,13800138000,资金预警,\"5,000.50\",2026-03-01 08:12,6222 0212 3456 7890 128,,6217000010001234567,\n\
                   ZJ-2,2026-03-01 08:31,13800138001,,800,,11001234567890123,建行余姚支行,,2\n\
                   ZJ-3,2026-03-01 08:32,13800138002,电话预警,,,,,,\n\
                   ZJ-4,2026-03-01 08:33,13800138003,短信,,,6222 0212 3456 7890 128,,,\n\
                   ZJ-5,2026-03-01 08:34,13800138004,紫色预警,,,,,,\n\
                   ZJ-6,2026-03-01 08:35,13800138005,资金,0,,,,,\n\
                   ZJ-7,2026-03-01 08:36,13800138006,资金,10,2026-03-09 08:00,,,,\n\
                   ZJ-8,2026-03-01 08:37,13800138007,资金,10,,62-22,,,\n\
                   ZJ-9,2026-03-01 08:38,13800138008,电话预警,10,,,,,\n\
                   ZJ-10,2026-03-01 08:39,13800138009,资金,十元,,,,,\n";
        let f = read_pushes("zj.csv", csv.as_bytes(), ReportFormat::Auto, NOW).unwrap();
        let ids: Vec<&str> = f.rows.iter().map(|r| r.push_id.as_str()).collect();
        assert_eq!(ids, ["ZJ-1", "ZJ-2", "ZJ-3", "ZJ-4"], "{:?}", f.rejected);
        let one = &f.rows[0];
        assert_eq!(one.kind, Some(PushKind::Fund));
        assert_eq!(
            one.level, DEFAULT_FUND_LEVEL,
            "a fund warning without a level is red"
        );
        let fund = one.fund.as_ref().unwrap();
        assert_eq!(fund.amount_fen, Some(500_050));
        assert_eq!(fund.paid_at, Some(1_772_323_920_000), "08:12 Shanghai");
        assert_eq!(fund.payee_account.as_deref(), Some("6222021234567890128"));
        assert_eq!(
            fund.payee_bank_code.as_deref(),
            Some("ICBC"),
            "from the BIN"
        );
        assert_eq!(fund.payer_account.as_deref(), Some("6217000010001234567"));
        assert!(
            one.suspects.is_empty(),
            "the payee is not a suspect number too"
        );
        // No kind column value, but payment details: a fund warning; the bank named wins.
        let two = &f.rows[1];
        assert_eq!(two.kind, Some(PushKind::Fund));
        assert_eq!(two.level, 2, "the list's level is kept");
        let fund = two.fund.as_ref().unwrap();
        assert_eq!(fund.payee_bank_code.as_deref(), Some("CCB"));
        assert_eq!(fund.payee_bank.as_deref(), Some("建行余姚支行"));
        assert_eq!(
            (f.rows[2].kind, f.rows[2].fund.is_none()),
            (Some(PushKind::Call), true)
        );
        // An account on an SMS warning stays a suspect account (its groups of four joined), not
        // a payment.
        let four = &f.rows[3];
        assert_eq!(
            (four.kind, four.fund.is_none()),
            (Some(PushKind::Sms), true)
        );
        assert_eq!(four.suspects, ["6222021234567890128"]);
        assert_eq!(four.level, DEFAULT_LEVEL);
        assert_eq!(
            f.rejected
                .iter()
                .map(|r| (r.line, r.column, r.reason))
                .collect::<Vec<_>>(),
            vec![
                (6, Some("push_kind"), push_reason::UNKNOWN_KIND),
                (7, Some("amount"), push_reason::AMOUNT_NOT_POSITIVE),
                (8, Some("paid_at"), push_reason::PAID_IN_FUTURE),
                (9, Some("suspect"), push_reason::BAD_ACCOUNT),
                (
                    10,
                    Some("push_kind"),
                    push_reason::FUND_DETAIL_ON_OTHER_KIND
                ),
                (11, Some("amount"), f.rejected[5].reason),
            ]
        );
    }

    #[test]
    fn a_kind_written_in_the_type_column_is_read_as_the_kind() {
        let csv = "推送编号,推送时间,手机号码,预警类型\nA1,2026-03-01,13800138000,资金预警\nA2,2026-03-01,13800138001,冒充公检法\n";
        let f = read_pushes("a.csv", csv.as_bytes(), ReportFormat::Auto, NOW).unwrap();
        assert_eq!(f.rows[0].kind, Some(PushKind::Fund));
        assert_eq!(
            (f.rows[0].fraud_hint.as_deref(), f.rows[0].level),
            (None, 1)
        );
        assert_eq!(f.rows[1].kind, None);
        assert!(f.rows[1].fraud_type.is_some());
    }

    #[test]
    fn levels_as_lists_write_them() {
        assert_eq!(parse_level("红色预警"), Some(1));
        assert_eq!(parse_level("橙"), Some(2));
        assert_eq!(parse_level("Yellow"), Some(3));
        assert_eq!(parse_level("4"), None);
    }
}
