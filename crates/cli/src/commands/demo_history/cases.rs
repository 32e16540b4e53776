//! Reported cases of the history (source `import`, as if taken from the 110 system before the
//! platform went live), classified like every case, and their investigation: older cases are
//! partly solved, with suspects and money recovered, or dropped.

use super::{card_of, month_of, phone_of, History, Seeded, DAY_MS};
use crate::commands::demo_cases::occupation_of;
use crate::error::CliError;
use fanzha_core::error_code::ErrorCode;
use fanzha_core::{BankCard, FraudType};
use fanzha_store::{
    CaseSupervision, EnforcementUpdate, InvestigationStatus, NewSuspect, SuspectMeasure,
    SuspectRole,
};
use fanzha_web::casework::{open_case_once, CaseInput, Opened};
use rand::Rng;
use std::collections::BTreeMap;

/// The history's cases by month and township: (fraud type, loss in fen) of each.
#[derive(Default)]
pub(crate) struct CaseMonths {
    pub by_month: BTreeMap<i64, BTreeMap<String, Vec<(FraudType, i64)>>>,
}

impl CaseMonths {
    /// The cases of `month` in every township.
    pub fn of_month(&self, month: i64) -> impl Iterator<Item = &(FraudType, i64)> {
        self.by_month
            .get(&month)
            .into_iter()
            .flat_map(|t| t.values().flatten())
    }

    pub fn count(&self, month: i64, township: &str) -> usize {
        self.by_month
            .get(&month)
            .and_then(|t| t.get(township))
            .map_or(0, Vec::len)
    }
}

/// A fraud type's share of cases, the losses it usually brings (yuan, drawn log-uniformly
/// between the two) and its victims' ages.
type TypeMix = (FraudType, u32, (f64, f64), (u32, u32));

/// The field's mix of types.
const TYPES: &[TypeMix] = &[
    (FraudType::OrderBrushing, 30, (3_000.0, 80_000.0), (18, 50)),
    (
        FraudType::FakeInvestment,
        14,
        (50_000.0, 800_000.0),
        (28, 65),
    ),
    (FraudType::FakeLoan, 10, (2_000.0, 30_000.0), (20, 45)),
    (
        FraudType::FakeCustomerService,
        12,
        (5_000.0, 100_000.0),
        (20, 60),
    ),
    (
        FraudType::ImpersonatingPolice,
        6,
        (30_000.0, 500_000.0),
        (35, 75),
    ),
    (
        FraudType::FakeCreditRepair,
        4,
        (5_000.0, 60_000.0),
        (20, 35),
    ),
    (FraudType::OnlineRomance, 6, (50_000.0, 600_000.0), (25, 55)),
    (
        FraudType::ImpersonatingAcquaintance,
        8,
        (5_000.0, 100_000.0),
        (30, 70),
    ),
    (FraudType::GameTrading, 5, (500.0, 10_000.0), (13, 25)),
    (FraudType::FakeShopping, 5, (500.0, 20_000.0), (18, 60)),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
];

/// Victims per 10,000 residents per month (about 100 a year, the order of the seeds' cities),
/// and a quarter more before the history: the cases go back [`History::months_before`]
/// further, so that 同比 and 两降 have their base.
const CASES_PER_10K_MONTH: f64 = 8.0;
const YEAR_BEFORE_FACTOR: f64 = 1.25;

pub(crate) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<CaseMonths, CliError> {
    let mut months = CaseMonths::default();
    let recent = h.scaled(CASES_PER_10K_MONTH, 12);
    let before = h.months_before();
    let year_before = (h.world.people.len() as f64 / 10_000.0
        * CASES_PER_10K_MONTH
        * YEAR_BEFORE_FACTOR
        * f64::from(before))
    .round() as usize;
    let year_before_start = h.start - i64::from(before) * 30 * DAY_MS;
    let mules: Vec<_> = h
        .world
        .ledger
        .accounts
        .iter()
        .filter(|a| a.holder_person_id == 0)
        .filter_map(|a| BankCard::from_account_no(a.account_no).ok())
        .map(|c| c.as_str().to_string())
        .collect();
    let weights: Vec<(usize, u32)> = TYPES.iter().enumerate().map(|(i, t)| (i, t.1)).collect();
    for i in 0..recent + year_before {
        let (fraud_type, _, (lo, hi), (young, old)) = TYPES[h.weighted(&weights)];
        // A victim pays from an account of their own.
        let victim = h.resident_where(young..=old, |p| p.bank_card.is_some());
        let yuan = (lo.ln() + h.rng.random::<f64>() * (hi.ln() - lo.ln())).exp();
        let loss_fen = (yuan.round() as i64).max(1) * 100;
        // Reported a while after paying: not in the last two days, so the live stream's own
        // reports come after these.
        let reported_at = if i < recent {
            h.moment(2)
        } else {
            h.moment_between(year_before_start, h.start)
        };
        let Some(narrative) =
            fanzha_text::corpus::case_narrative(fraud_type, &victim.name, loss_fen, h.rng.random())
        else {
            continue;
        };
        let suspect_phone = h.suspect_number();
        let payees: Vec<String> = (0..h.rng.random_range(1..=3))
            .filter(|_| !mules.is_empty())
            .map(|_| h.pick(&mules).clone())
            .collect();
        let village = format!("{:012}", victim.village);
        let victim_account = card_of(victim);
        let input = CaseInput {
            resident_id: Some(victim.resident_id.to_string()),
            victim_name: Some(victim.name.to_string()),
            victim_phone: phone_of(victim),
            unit_code: village.clone(),
            reported_at,
            loss_fen,
            narrative,
            source: "import".into(),
            report_no: Some(format!(
                "J{}{:04}",
                super::date_number(reported_at),
                i % 10_000
            )),
            instruction_id: None,
            victim_account: victim_account.clone(),
            named: serde_json::json!({
                "phones": [suspect_phone],
                "accounts": payees.clone(),
                "apps": [],
                "urls": [],
            }),
            occupation: Some(occupation_of(victim.occupation)),
            occupation_text: None,
            employer: None,
        };
        // Entered from the 110 report a few minutes after it came in.
        let entered = reported_at + h.rng.random_range(3..20) * 60_000;
        h.at(entered);
        let case = match open_case_once(&h.state, "analyst", input).await {
            Ok(Opened::New(case)) => case,
            // The same report number again (a second start after a partial first one).
            Ok(Opened::Duplicate { .. }) => continue,
            Err(e) => {
                return Err(CliError::new(
                    fanzha_core::error_code::ErrorCode::Internal,
                    format!("history case: {e}"),
                ))
            }
        };
        out.cases += 1;
        let township = h.township(&village).to_string();
        months
            .by_month
            .entry(month_of(reported_at))
            .or_default()
            .entry(township)
            .or_default()
            .push((fraud_type, loss_fen));
        // Most recent cases: the banks' extracts taken in, the money traced and stopped.
        if let (true, Some(victim_account)) = (i < recent && h.chance(0.6), &victim_account) {
            stop_money(h, out, &case, victim_account, &payees, &mules).await?;
        }
        // The banks answer what was asked: the named accounts at the report (接警止付) and the
        // trace's holders.
        answer_requests(h, out, &case).await?;
        investigate(h, out, &case, loss_fen).await?;
    }
    Ok(months)
}

/// The investigation so far: the older the case, the likelier solved (with suspects and part
/// of the money back) or dropped.
async fn investigate(
    h: &mut History<'_>,
    out: &mut Seeded,
    case: &fanzha_store::Case,
    loss_fen: i64,
) -> Result<(), CliError> {
    let (case_id, reported_at) = (case.id.as_str(), case.reported_at);
    let age_days = (h.now - reported_at) / DAY_MS;
    let p_solved = (age_days as f64 / 400.0).min(0.35);
    // The largest losses are supervised from above (督办).
    let supervision = match loss_fen {
        l if l >= 60_000_000 => Some(CaseSupervision::Province),
        l if l >= 30_000_000 => Some(CaseSupervision::City),
        _ => None,
    };
    let status = if h.chance(p_solved) {
        InvestigationStatus::Solved
    } else if age_days > 60 && h.chance(0.06) {
        InvestigationStatus::Dropped
    } else if supervision.is_some() {
        InvestigationStatus::Investigating
    } else {
        return Ok(());
    };
    let solved_at = (status == InvestigationStatus::Solved)
        .then(|| h.after(reported_at, age_days.clamp(1, 90), DAY_MS));
    let recovered_fen = match status {
        InvestigationStatus::Solved => {
            (loss_fen as f64 * h.rng.random_range(0.0..0.6)).round() as i64 / 100 * 100
        }
        _ => 0,
    };
    let scope = h.root_scope.clone();
    h.store
        .enforcement()
        .set(
            &scope,
            case_id,
            &EnforcementUpdate {
                status,
                solved_at,
                recovered_fen,
                supervision,
                expected_version: 0,
                by: "analyst".into(),
            },
            h.now,
        )
        .await?;
    let Some(solved_at) = solved_at else {
        return Ok(());
    };
    out.solved += 1;
    let township = h.township(&case.unit_code).to_string();
    h.solved_cases
        .push((case_id.to_string(), township, solved_at));
    for _ in 0..h.rng.random_range(1..=3) {
        let role = h.weighted(&[
            (SuspectRole::CashMule, 4),
            (SuspectRole::CardSeller, 4),
            (SuspectRole::Fraudster, 1),
            (SuspectRole::LeadGenerator, 1),
        ]);
        let measure = h.weighted(&[
            (SuspectMeasure::CriminalDetention, 5),
            (SuspectMeasure::Arrest, 2),
            (SuspectMeasure::Bail, 2),
            (SuspectMeasure::Administrative, 1),
        ]);
        let name = format!("{}某{}", h.pick(SURNAMES), h.pick(&["", "某", "甲", "乙"]));
        let id = h
            .store
            .enforcement()
            .add_suspect(
                &scope,
                &NewSuspect {
                    case_id: case_id.to_string(),
                    name,
                    resident_id: None,
                    phone: None,
                    role,
                    measure: Some(measure),
                    measure_at: Some(solved_at),
                    note: String::new(),
                    created_by: "analyst".into(),
                },
                h.now,
            )
            .await?;
        // Some were on the wanted list (上网追逃) before they were caught.
        if h.chance(0.1) {
            let wanted_at = reported_at + (solved_at - reported_at) / 2;
            h.store
                .enforcement()
                .set_wanted(&scope, id, Some(wanted_at), "analyst", h.now)
                .await?;
        }
    }
    // The one who got away: the upstream fraudster, wanted and still at large.
    if h.chance(0.12) {
        let name = format!("{}某", h.pick(SURNAMES));
        let id = h
            .store
            .enforcement()
            .add_suspect(
                &scope,
                &NewSuspect {
                    case_id: case_id.to_string(),
                    name,
                    resident_id: None,
                    phone: None,
                    role: SuspectRole::Fraudster,
                    measure: None,
                    measure_at: None,
                    note: "在逃，已上网追逃".into(),
                    created_by: "analyst".into(),
                },
                h.now,
            )
            .await?;
        h.store
            .enforcement()
            .set_wanted(&scope, id, Some(solved_at), "analyst", h.now)
            .await?;
    }
    Ok(())
}

/// The victim's transfers to the named accounts before the report, one hop further to a
/// second account, taken in as the banks' extracts; traced 10–30 minutes after the report,
/// each account still holding money gets its stop-payment, which its bank answers — held, in
/// time mostly, or the money gone.
async fn stop_money(
    h: &mut History<'_>,
    out: &mut Seeded,
    case: &fanzha_store::Case,
    victim_account: &str,
    payees: &[String],
    mules: &[String],
) -> Result<(), CliError> {
    if payees.is_empty() || mules.is_empty() {
        return Ok(());
    }
    let minute = 60_000;
    let mut transfers = Vec::new();
    let mut left = case.loss_fen;
    let mut at = case.reported_at - h.rng.random_range(60..240) * minute;
    for (k, payee) in payees.iter().enumerate() {
        let amount = if k + 1 == payees.len() {
            left
        } else {
            (left as f64 * h.rng.random_range(0.3..0.6)) as i64 / 100 * 100
        };
        if amount <= 0 {
            continue;
        }
        left -= amount;
        at += h.rng.random_range(3..25) * minute;
        transfers.push(transfer(victim_account, payee, at, amount, "bank"));
        // Part of it moves on to a second account a few minutes later.
        let onward = (amount as f64 * h.rng.random_range(0.3..0.8)) as i64 / 100 * 100;
        let next = h.pick(mules).clone();
        if onward > 0 && &next != payee {
            let channel = if h.chance(0.2) { "cash_out" } else { "bank" };
            transfers.push(transfer(
                payee,
                &next,
                at + h.rng.random_range(2..15) * minute,
                onward,
                channel,
            ));
        }
    }
    h.store.cases().add_transfers(&case.id, &transfers).await?;
    let traced_at = case.reported_at + h.rng.random_range(10..30) * minute;
    h.at(traced_at);
    let traced = fanzha_web::casework::trace_case(&h.state, "analyst", case)
        .await
        .map_err(|e| CliError::new(ErrorCode::Internal, format!("history trace: {e}")))?;
    out.stop_payments += traced.new_requests;
    Ok(())
}

/// The banks' answers to the case's open requests: most within the 30 minutes, most holding
/// part of the money; held money frozen, some of it returned months later.
async fn answer_requests(
    h: &mut History<'_>,
    out: &mut Seeded,
    case: &fanzha_store::Case,
) -> Result<(), CliError> {
    let minute = 60_000;
    let police = fanzha_store::Viewer::Police(h.root_scope.clone());
    let requests = h
        .store
        .stop_payments()
        .list(
            &police,
            Some(&case.id),
            true,
            &fanzha_store::PageRequest::first(100),
        )
        .await?;
    for r in requests
        .items
        .into_iter()
        .filter(|r| r.state == "requested")
    {
        out.stop_payments += usize::from(r.is_intake());
        // A bank answers its own; a platform's or an unknown institution's answer is entered
        // by the center.
        let (login, viewer) = match r.bank_code.clone() {
            Some(bank) if bank == "ICBC" => {
                ("bank_icbc".to_string(), fanzha_store::Viewer::Bank(bank))
            }
            Some(bank) => (
                format!("bank_feed_{}", bank.to_lowercase()),
                fanzha_store::Viewer::Bank(bank),
            ),
            None => ("analyst".to_string(), police.clone()),
        };
        let answered = r.requested_at
            + if h.chance(0.85) {
                h.rng.random_range(4..28) * minute
            } else {
                h.rng.random_range(31..90) * minute
            };
        h.at(answered);
        let action = if h.chance(0.8) {
            let share = h.rng.random_range(0.4..1.0);
            fanzha_web::casework::StopAction::Held {
                amount_fen: ((r.requested_fen as f64 * share) as i64 / 100 * 100).max(100),
            }
        } else {
            fanzha_web::casework::StopAction::Failed {
                reason: fanzha_trace::stop_payment::FailReason::NoBalance,
            }
        };
        let held = matches!(action, fanzha_web::casework::StopAction::Held { .. });
        let state = h.state.clone();
        let act = |action| {
            let (state, login, viewer, id) = (&state, &login, &viewer, &r.id);
            async move {
                fanzha_web::casework::act_on_stop_payment(state, login, viewer, id, action).await
            }
        };
        act(action).await.map_err(|e| {
            CliError::new(ErrorCode::Internal, format!("history stop-payment: {e}"))
        })?;
        // Held money is frozen within the stop's 48 hours, and a month or more later part of
        // it has gone back to the victim.
        let frozen_at = answered + h.rng.random_range(20..44) * 60 * minute;
        if !held || frozen_at > h.now - DAY_MS {
            continue;
        }
        if h.chance(0.25) {
            // Not frozen in time: the stop lapsed after its 48 hours.
            h.at(answered + 48 * 60 * minute + minute);
            act(fanzha_web::casework::StopAction::Lapse)
                .await
                .map_err(|e| CliError::new(ErrorCode::Internal, format!("history lapse: {e}")))?;
            continue;
        }
        h.at(frozen_at);
        act(fanzha_web::casework::StopAction::Freeze)
            .await
            .map_err(|e| CliError::new(ErrorCode::Internal, format!("history freeze: {e}")))?;
        let returned_at = frozen_at + h.rng.random_range(25..90) * DAY_MS;
        if returned_at > h.now - DAY_MS || h.chance(0.5) {
            continue;
        }
        h.at(returned_at);
        act(fanzha_web::casework::StopAction::Return)
            .await
            .map_err(|e| CliError::new(ErrorCode::Internal, format!("history return: {e}")))?;
    }
    Ok(())
}

fn transfer(
    from: &str,
    to: &str,
    at: i64,
    amount_fen: i64,
    channel: &str,
) -> fanzha_store::CaseTransfer {
    fanzha_store::CaseTransfer {
        txn_id: None,
        from_account: from.to_string(),
        to_account: to.to_string(),
        at,
        amount_fen,
        channel: channel.to_string(),
        source_file: Some("银行流水（历史）".into()),
    }
}
