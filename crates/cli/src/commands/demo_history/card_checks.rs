//! 开卡前核验 of the history: over the last month the banks' counters checked applicants before
//! opening cards — ordinary residents, most of them opened as advised, and the key persons of
//! the 两卡 category trying again, advised to refuse — and recorded what they did: refused, or
//! the applicant gave up, or opened after checking. A few flagged checks are still without an
//! outcome, and one refused applicant's card turned up in the bank's list two days later
//! anyway, so `/card-checks` opens with figures per bank, 成功拦截 and 提示拒绝后仍开户.

use super::{phone_of, History, Seeded, DAY_MS};
use crate::error::CliError;
use fanzha_core::event::CardKind;
use fanzha_store::{
    ActiveMeasure, CardCheckRequest, CheckOutcome, CounterVerdict, KeyPerson, KeyPersonCategory,
    KeyPersonFilter, KeyPersonStatus, NewCardRow, PageRequest,
};

/// The banks whose counters check, with their names as the demo's liaisons have them.
const BANKS: [(&str, &str, &str); 4] = [
    ("ICBC", "中国工商银行", "622202"),
    ("ABC", "中国农业银行", "622848"),
    ("CCB", "中国建设银行", "621700"),
    ("BOC", "中国银行", "621661"),
];
/// Ordinary applicants checked per 10,000 residents in the month.
const APPLICANTS_PER_10K: f64 = 15.0;

pub(super) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let from = (h.now - 30 * DAY_MS).max(h.start);
    let until = h.now - 3_600_000;
    if from >= until {
        return Ok(());
    }
    let root = h.root.code.clone();
    // 中国工商银行余姚支行营业部: the bank and the county's short name.
    let outlet_of = |bank: &str, county: &str| {
        let place = fanzha_core::DivisionCode::parse(county)
            .ok()
            .and_then(|c| c.division())
            .map(|d| d.name().to_string())
            .unwrap_or_default();
        let place = place.trim_end_matches(['市', '县', '区']);
        format!("{bank}{place}支行营业部")
    };

    // Key persons trying again: the punished first, then card sellers under watch.
    let mut sellers = Vec::new();
    for (filter, n) in [
        (
            KeyPersonFilter {
                measure: Some(ActiveMeasure::Punished),
                ..KeyPersonFilter::default()
            },
            5,
        ),
        (
            KeyPersonFilter {
                category: Some(KeyPersonCategory::TwoCards),
                status: Some(KeyPersonStatus::Active),
                ..KeyPersonFilter::default()
            },
            8,
        ),
    ] {
        let page = h
            .store
            .key_persons()
            .list(&h.root_scope, &filter, &PageRequest::first(n), h.now)
            .await?;
        for k in page.items {
            if sellers.len() < 8
                && !sellers
                    .iter()
                    .any(|s: &KeyPerson| s.resident_id == k.resident_id)
            {
                sellers.push(k);
            }
        }
    }
    for (i, k) in sellers.iter().enumerate() {
        let (code, name, bin) = *h.pick(&BANKS);
        let at = h.moment_between(from, until - 3 * DAY_MS);
        let county = k.unit_code.get(..6).unwrap_or(&root).to_string();
        let req = CardCheckRequest {
            kind: CardKind::BankCard,
            issuer_code: code.into(),
            issuer_name: name.into(),
            resident_id: k.resident_id.clone(),
            holder_name: k.name.clone().unwrap_or_default(),
            phone: k.phone.clone(),
            number: None,
            outlet: outlet_of(name, &county),
            outlet_division: Some(county.clone()),
            clerk: format!("柜员{:02}", i + 1),
        };
        let check = checked(h, &root, &req, at).await?;
        out.card_checks += 1;
        let outcome = match i {
            // The latest one's counter has not recorded anything yet.
            0 => None,
            // One counter opened the card all the same; it comes in the bank's next list.
            1 if check.verdict == CounterVerdict::Refuse => {
                let opened = at + 2 * DAY_MS;
                let body = format!("{bin}{:012}", 900_000_000 + i64::from(check.id as u32));
                let digit = fanzha_core::bank_card::luhn_check_digit(body.as_bytes()) as char;
                let row = NewCardRow {
                    kind: CardKind::BankCard,
                    account_no: format!("{body}{digit}"),
                    bank_code: code.into(),
                    bank_name: name.into(),
                    resident_id: req.resident_id.clone(),
                    holder_name: req.holder_name.clone(),
                    phone: req.phone.clone(),
                    opened_at: opened,
                    outlet: req.outlet.clone(),
                    outlet_division: req.outlet_division.clone(),
                    batch: format!("{code} 新开卡名单"),
                    clerk: req.clerk.clone(),
                };
                let login = format!("bank_feed_{}", code.to_ascii_lowercase());
                let done = h
                    .store
                    .new_cards()
                    .import(&h.root_scope, &root, &[row], &login, opened + DAY_MS)
                    .await?;
                out.new_bank_cards += done.ids.len();
                Some((CheckOutcome::Opened, "客户坚持办理，已留存承诺书"))
            }
            _ if h.chance(0.3) => Some((CheckOutcome::Abandoned, "询问开卡用途后客户离开")),
            _ => Some((CheckOutcome::Refused, "已告知惩戒及风险，拒绝办理")),
        };
        answer(h, &check, outcome, at).await?;
    }

    // Ordinary applicants: most are opened; the flagged ones are asked what the card is for.
    let applicants = h.scaled(APPLICANTS_PER_10K / f64::from(h.months.max(1)), 12);
    for i in 0..applicants {
        let p = h.resident(16..=85);
        let (code, name, _) = *h.pick(&BANKS);
        let at = h.moment_between(from, until);
        let county = format!("{:06}", p.village / 1_000_000);
        let req = CardCheckRequest {
            kind: CardKind::BankCard,
            issuer_code: code.into(),
            issuer_name: name.into(),
            resident_id: p.resident_id.to_string(),
            holder_name: p.name.to_string(),
            phone: phone_of(p),
            number: None,
            outlet: outlet_of(name, &county),
            outlet_division: Some(county),
            clerk: format!("柜员{:02}", i % 12 + 1),
        };
        let check = checked(h, &root, &req, at).await?;
        out.card_checks += 1;
        let outcome = match check.verdict {
            CounterVerdict::Proceed => Some((CheckOutcome::Opened, "")),
            CounterVerdict::Verify if h.chance(0.6) => {
                Some((CheckOutcome::Opened, "核实为本人工资卡用途"))
            }
            CounterVerdict::Verify => Some((CheckOutcome::Abandoned, "询问开卡用途后客户离开")),
            CounterVerdict::Refuse => Some((CheckOutcome::Refused, "")),
        };
        answer(h, &check, outcome, at).await?;
    }
    Ok(())
}

async fn checked(
    h: &mut History<'_>,
    root: &str,
    req: &CardCheckRequest,
    at: i64,
) -> Result<fanzha_store::CardCheck, CliError> {
    let login = format!("bank_{}", req.issuer_code.to_ascii_lowercase());
    Ok(h.store
        .new_cards()
        .check_applicant(root, req, &login, at)
        .await?)
}

/// Records the counter's outcome a few minutes after the check.
async fn answer(
    h: &mut History<'_>,
    check: &fanzha_store::CardCheck,
    outcome: Option<(CheckOutcome, &str)>,
    at: i64,
) -> Result<(), CliError> {
    let Some((outcome, note)) = outcome else {
        return Ok(());
    };
    h.store
        .new_cards()
        .record_check_outcome(
            &check.issuer_code,
            check.id,
            check.version,
            &fanzha_store::CheckAnswer {
                outcome,
                note: note.to_string(),
            },
            &check.checked_by,
            at + 5 * 60_000,
        )
        .await?;
    Ok(())
}
