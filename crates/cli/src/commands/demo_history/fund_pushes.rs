//! 资金预警 of the history: the national platform's fund warnings — a resident has paid a mule
//! account — each imported as the platform pushes it (a list of one, minutes after the
//! payment), mostly stopped by the analyst in one click within the 30 minutes, now and then
//! later or not at all; the payee's bank answers (held mostly, some without balance); the
//! instruction is carried to its outcome and closed. Two of the last hour still wait, one past
//! the 30 minutes, so that the page and 待办 have something to act on at start.

use super::{History, Seeded, DAY_MS};
use crate::error::CliError;
use fanzha_core::error_code::ErrorCode;
use fanzha_core::BankCard;
use fanzha_ingest::reports::ReportFormat;
use fanzha_store::{PushPlatform, Viewer};
use fanzha_web::casework::{act_on_stop_payment, StopAction};
use fanzha_workflow::{Actor, Command, ContactChannel, Outcome};
use rand::Rng;

/// Fund warnings per 10,000 residents per month.
const PER_10K_MONTH: f64 = 8.0;
const MINUTE: i64 = 60_000;

fn failed(what: &str) -> impl Fn(fanzha_web::error::WebError) -> CliError + '_ {
    move |e| CliError::new(ErrorCode::Internal, format!("history {what}: {e}"))
}

pub(super) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let mules: Vec<String> = h
        .world
        .ledger
        .accounts
        .iter()
        .filter(|a| a.holder_person_id == 0)
        .filter_map(|a| BankCard::from_account_no(a.account_no).ok())
        .filter(|c| c.bin().is_some())
        .map(|c| c.as_str().to_string())
        .take(400)
        .collect();
    if mules.is_empty() {
        return Ok(());
    }
    let n = h.scaled(PER_10K_MONTH, 12);
    let mut times: Vec<i64> = (0..n).map(|_| h.moment(1)).collect();
    // The last two of the last hour: one waiting 12 minutes, one 47.
    times.push(h.now - 47 * MINUTE);
    times.push(h.now - 12 * MINUTE);
    times.sort_unstable();
    let waiting_from = times.len() - 2;
    for (i, paid_at) in times.into_iter().enumerate() {
        let person = h.resident_where(18..=80, |p| p.msisdn.is_some() && p.bank_card.is_some());
        let (Some(phone), Some(own_card)) = (super::phone_of(person), super::card_of(person))
        else {
            continue;
        };
        let resident_id = person.resident_id.to_string();
        let payee = h.pick(&mules).clone();
        let yuan = h.weighted(&[(3_000i64, 3), (12_000, 3), (48_000, 2), (150_000, 1)])
            + h.rng.random_range(0..2_000);
        let pushed_at = paid_at + h.rng.random_range(2..8) * MINUTE;
        let received_at = pushed_at + h.rng.random_range(1..4) * MINUTE;
        let push_id = format!("ZJ{}-{:04}", super::date_number(pushed_at), i + 1);
        let list = format!(
            "推送编号,推送时间,身份证号,手机号码,预警种类,转账金额（元）,转账时间,收款账号,付款账号,备注\n\
             {push_id},{},{resident_id},{phone},资金预警,{yuan},{},{payee},{own_card},当事人已向涉诈账户转账\n",
            fanzha_core::time::format_shanghai(pushed_at),
            fanzha_core::time::format_shanghai(paid_at),
        );
        h.at(received_at);
        let imported = fanzha_web::push_import::import_pushes(
            &h.state,
            "analyst",
            &h.root.code,
            PushPlatform::National,
            &format!("{push_id}.csv"),
            list.as_bytes(),
            ReportFormat::Csv,
        )
        .await
        .map_err(failed("fund push"))?;
        let Some(row) = imported.rows.first() else {
            continue;
        };
        out.fund_warnings += 1;
        if i >= waiting_from {
            continue;
        }
        let warning = h
            .store
            .warnings()
            .get(&h.root_scope, &row.warning_id)
            .await?;
        // Stopped in one click: mostly within the 30 minutes, some later, one in twelve never.
        let stopped = h.chance(11.0 / 12.0);
        if stopped {
            let asked = received_at
                + if h.chance(0.8) {
                    h.rng.random_range(3..28) * MINUTE
                } else {
                    h.rng.random_range(32..120) * MINUTE
                };
            h.at(asked);
            let stop = fanzha_web::casework::request_protective_stop(
                &h.state,
                "analyst",
                &warning,
                fanzha_web::casework::ProtectiveStopInput {
                    account: payee.clone(),
                    amount_fen: yuan * 100,
                    reason: format!("资金预警（国家反诈大数据平台 {push_id}）"),
                    bank_code: None,
                },
            )
            .await
            .map_err(failed("fund stop"))?;
            let answered = asked + h.rng.random_range(4..26) * MINUTE;
            h.at(answered);
            let action = if h.chance(0.75) {
                let share = h.rng.random_range(0.3..1.0);
                StopAction::Held {
                    amount_fen: ((yuan as f64 * share) as i64).max(1) * 100,
                }
            } else {
                StopAction::Failed {
                    reason: fanzha_trace::stop_payment::FailReason::NoBalance,
                }
            };
            let bank = stop.bank_code.clone().unwrap_or_default();
            // The demo's ICBC liaison answers its own bank's; the other banks' feeds theirs.
            let login = match bank.as_str() {
                "ICBC" => "bank_icbc".to_string(),
                other => format!("bank_feed_{}", other.to_lowercase()),
            };
            act_on_stop_payment(&h.state, &login, &Viewer::Bank(bank), &stop.id, action)
                .await
                .map_err(failed("fund stop answer"))?;
            out.stop_payments += 1;
        }
        if let Some(id) = &row.instruction_id {
            carry(h, id, &warning.unit_code, received_at).await?;
        }
    }
    Ok(())
}

/// The instruction of a fund warning from the county to the station, the person reached by
/// phone, the outcome recorded and the instruction closed.
async fn carry(h: &mut History<'_>, id: &str, unit: &str, from: i64) -> Result<(), CliError> {
    let service = h.state.loop_service.clone();
    let err = |e: fanzha_workflow::LoopError| {
        CliError::new(
            ErrorCode::Internal,
            format!("history fund instruction: {e}"),
        )
    };
    let view = service.view(&h.root_scope, id).await.map_err(err)?;
    // Merged into an instruction the history already carries.
    if view.stored.projection.holder_unit != h.root.code || !view.stored.projection.open {
        return Ok(());
    }
    let county = Actor {
        login: "commander".into(),
        unit_code: h.root.code.clone(),
        scope: h.root_scope.clone(),
    };
    let township = h.township(unit).to_string();
    let mut at = from + h.rng.random_range(1..4) * MINUTE;
    service
        .act(
            &county,
            id,
            None,
            &[
                Command::Sign,
                Command::Delegate {
                    to_unit: township.clone(),
                },
            ],
            None,
            at,
        )
        .await
        .map_err(err)?;
    let station = Actor {
        login: super::warnings::station_login(h, &township),
        unit_code: township.clone(),
        scope: h.scope(&township).await?,
    };
    at += h.rng.random_range(2..8) * MINUTE;
    let channel = ContactChannel::Phone;
    service
        .act(
            &station,
            id,
            None,
            &[Command::Sign, Command::StartContact { channel }],
            None,
            at,
        )
        .await
        .map_err(err)?;
    at += h.rng.random_range(5..40) * MINUTE;
    service
        .act(
            &station,
            id,
            None,
            &[Command::RecordOutcome {
                outcome: Outcome::Dissuaded { channel },
                saved_fen: 0,
            }],
            Some("当事人已转账一笔，已对收款账户保护性止付，劝阻其不再转账并指导报警".into()),
            at,
        )
        .await
        .map_err(err)?;
    let closed = at + h.rng.random_range(10..120) * MINUTE;
    if closed < h.now - DAY_MS / 2 {
        service
            .act(&station, id, None, &[Command::Close], None, closed)
            .await
            .map_err(err)?;
    }
    Ok(())
}
