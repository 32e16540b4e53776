//! 预警闭环 of the history: warnings of the default rules for the city's residents, each
//! carried through the closed loop by the service the live stream uses — 二次研判 for orange
//! and yellow, signed and pushed down by the county, signed by the station (the demo grid
//! worker's village pushed down once more), contacted, fed back and closed — at times drawn
//! around each level's deadlines, so the statistics' 签收及时率, 劝阻成功率 and the ranking of
//! the units have months to show. A 已被骗 feedback opens its case as on the page.

use super::{History, Seeded, DAY_MS};
use crate::error::CliError;
use fanzha_core::error_code::ErrorCode;
use fanzha_detect::rules::RuleSet;
use fanzha_workflow::{
    Actor, Command, ContactChannel, IncomingWarning, Outcome, Status, UnreachableReason,
    WarningLevel,
};
use rand::Rng;

/// Warnings per 10,000 residents per month.
const PER_10K_MONTH: f64 = 50.0;

const MINUTE: i64 = 60_000;

pub(crate) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let rules = RuleSet::default_rules()
        .map_err(|e| CliError::new(ErrorCode::Internal, format!("default rules: {e}")))?;
    let rules = rules.rules();
    let n = h.scaled(PER_10K_MONTH, 24);
    let service = h.state.loop_service.clone();
    let county = Actor {
        login: "commander".into(),
        unit_code: h.root.code.clone(),
        scope: h.root_scope.clone(),
    };
    let analyst = Actor {
        login: "analyst".into(),
        ..county.clone()
    };
    // The other stations' duty officers, who acted on their instructions: accounts without a
    // password (the demo logs in as the demo station only), so the timelines name real users.
    for t in h.townships.iter().skip(1) {
        h.store
            .users()
            .upsert(&fanzha_store::NewUser {
                login: station_login(h, &t.code),
                display_name: format!("{}值班民警", t.name),
                unit_code: t.code.clone(),
                roles: vec![fanzha_store::Role::UnitCommander],
                joint_member: None,
                bank_code: None,
                operator: None,
                password_hash: None,
            })
            .await?;
    }
    let mut times: Vec<i64> = (0..n).map(|_| h.moment(1)).collect();
    times.sort_unstable();
    for (i, issued) in times.into_iter().enumerate() {
        let rule = h.pick(rules);
        // The demo grid worker's village gets some, so their phone's history is not empty.
        let person = match (h.grid_village.clone(), i % 12 == 0) {
            (Some(v), true) => h.resident_of(&v, 16..=85),
            _ => None,
        };
        let person = match person {
            Some(p) => p,
            None => h.resident(16..=85),
        };
        let Some(phone) = super::phone_of(person) else {
            continue;
        };
        let village = format!("{:012}", person.village);
        let level = WarningLevel::from_number(rule.level).unwrap_or(WarningLevel::Yellow);
        let suspect = h.suspect_number();
        let warning = IncomingWarning {
            id: None,
            resident_id: Some(person.resident_id.to_string()),
            msisdn: Some(phone),
            residence_code: Some(village.clone()),
            level,
            fraud_type: rule.fraud_type.clone(),
            score_permille: h.rng.random_range(620..990),
            source: "engine".into(),
            signal_at: issued - h.rng.random_range(MINUTE..20 * MINUTE),
            evidence: serde_json::json!({
                "rules": [{"name": rule.name, "level": rule.level, "zh": rule.zh, "en": rule.en}],
                "features": [],
                "suspects": [{
                    "msisdn": suspect,
                    "score": h.rng.random_range(0.7..0.99),
                    "lists": [],
                    "calls_to_person": h.rng.random_range(1..4),
                    "longest_call_s": h.rng.random_range(60..1800),
                    "distinct_callees_24h": h.rng.random_range(20..400),
                }],
            }),
        };
        let received = service.receive(warning, issued).await.map_err(loop_error)?;
        if received.merged {
            continue;
        }
        out.warnings += 1;
        let id = received.instruction_id;
        let view = service.view(&h.root_scope, &id).await.map_err(loop_error)?;
        let deadlines = view.state.deadlines;
        let mut at = issued;
        if view.state.status == Status::PendingReview {
            at += h.rng.random_range(2 * MINUTE..25 * MINUTE);
            if h.chance(0.06) {
                service
                    .act(
                        &analyst,
                        &id,
                        None,
                        &[Command::RejectReview],
                        Some("经研判为正常业务往来".into()),
                        at,
                    )
                    .await
                    .map_err(loop_error)?;
                continue;
            }
            service
                .act(
                    &analyst,
                    &id,
                    None,
                    &[Command::ApproveReview { to_unit: None }],
                    None,
                    at,
                )
                .await
                .map_err(loop_error)?;
        }
        // Signed in time mostly; now and then after the deadline.
        let sign_window = (deadlines.sign_by - at).max(2 * MINUTE);
        at += if h.chance(0.92) {
            h.rng.random_range(MINUTE / 2..sign_window * 4 / 5)
        } else {
            sign_window + h.rng.random_range(MINUTE..30 * MINUTE)
        };
        let township = h.township(&village).to_string();
        service
            .act(
                &county,
                &id,
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
            .map_err(loop_error)?;
        let station = Actor {
            login: station_login(h, &township),
            unit_code: township.clone(),
            scope: h.scope(&township).await?,
        };
        at += h.rng.random_range(MINUTE..6 * MINUTE);
        let mut handler = station.clone();
        if h.grid_village.as_deref() == Some(village.as_str()) {
            service
                .act(
                    &station,
                    &id,
                    None,
                    &[
                        Command::Sign,
                        Command::Delegate {
                            to_unit: village.clone(),
                        },
                    ],
                    None,
                    at,
                )
                .await
                .map_err(loop_error)?;
            at += h.rng.random_range(MINUTE..6 * MINUTE);
            handler = Actor {
                login: "grid".into(),
                unit_code: village.clone(),
                scope: h.scope(&village).await?,
            };
        }
        let channel = h.weighted(&[
            (ContactChannel::Phone, 6),
            (ContactChannel::Visit, 3),
            (ContactChannel::Relatives, 1),
        ]);
        let contact_window = (deadlines.contact_by - at).max(3 * MINUTE);
        let contact_at = at + h.rng.random_range(MINUTE..contact_window * 9 / 10);
        service
            .act(
                &handler,
                &id,
                None,
                &[Command::Sign, Command::StartContact { channel }],
                None,
                contact_at,
            )
            .await
            .map_err(loop_error)?;
        // Mostly dissuaded; one in the middle defrauded whatever the draw, so that even a
        // small city shows a 预警后被骗 with its case.
        let outcome = if i == n / 2 {
            4
        } else {
            h.weighted(&[(0u8, 80), (1, 7), (2, 5), (3, 5), (4, 3)])
        };
        let (outcome, saved_fen, note) = match outcome {
            0 => (
                Outcome::Dissuaded { channel },
                h.rng.random_range(0..50_000) * 100,
                "已当面/电话劝阻，本人表示不再转账，已指导安装国家反诈中心APP",
            ),
            1 => (Outcome::SelfAware, 0, "本人已识破骗局，未转账"),
            2 => (Outcome::FalseAlarm, 0, "核实为正常业务往来"),
            3 => (
                Outcome::Unreachable {
                    reason: h.weighted(&[
                        (UnreachableReason::SwitchedOff, 2),
                        (UnreachableReason::NoAnswer, 2),
                        (UnreachableReason::Refused, 1),
                    ]),
                    attempts: 3,
                },
                0,
                "多次联系未果，已通知家属",
            ),
            _ => (
                Outcome::Defrauded {
                    loss_fen: h.rng.random_range(2_000..200_000) * 100,
                },
                0,
                "联系时本人已按对方要求转账，已指导报警",
            ),
        };
        let resolved_at = contact_at + h.rng.random_range(3 * MINUTE..40 * MINUTE);
        let resolved = service
            .act(
                &handler,
                &id,
                None,
                &[Command::RecordOutcome { outcome, saved_fen }],
                Some(note.into()),
                resolved_at,
            )
            .await
            .map_err(loop_error)?;
        if matches!(outcome, Outcome::Defrauded { .. }) {
            h.at(resolved_at);
            fanzha_web::casework::after_instruction_change(&h.state, &handler.login, &resolved, 1)
                .await
                .map_err(|e| CliError::new(ErrorCode::Internal, format!("history case: {e}")))?;
        }
        let closed_at = resolved_at + h.rng.random_range(5 * MINUTE..90 * MINUTE);
        if closed_at < h.now - DAY_MS / 2 {
            service
                .act(&handler, &id, None, &[Command::Close], None, closed_at)
                .await
                .map_err(loop_error)?;
        }
    }
    Ok(())
}

/// The demo station commander for their township; the duty desk of the others.
pub(super) fn station_login(h: &History<'_>, township: &str) -> String {
    if h.townships.first().is_some_and(|t| t.code == township) {
        "station".into()
    } else {
        crate::commands::demo_stations::duty_login(township)
    }
}

fn loop_error(e: fanzha_workflow::LoopError) -> CliError {
    CliError::new(ErrorCode::Internal, format!("history warning: {e}"))
}
