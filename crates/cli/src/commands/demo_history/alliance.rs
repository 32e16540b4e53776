//! 企业反诈联盟 and 反诈示范点 of the history: the largest private employers of the city's residents joined
//! the alliance at the stations of the townships, with a contact from their staff; most had
//! talks held on their premises over the history's months (the place naming the enterprise,
//! so the alliance counts them), a few none — so that `/alliance` shows members with events,
//! members without, and staff defrauded.

use super::{History, Seeded, DAY_MS};
use crate::error::CliError;
use fanzha_store::{NewMember, NewOutreach, OutreachAudience, OutreachKind};
use rand::Rng;

/// How many employers join.
const MEMBERS: usize = 8;

/// 反诈示范点 of the history: two townships awarded the title a quarter ago (whether they still
/// meet the criteria is for `/model-sites` to say).
pub(super) async fn model_sites(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let scope = h.root_scope.clone();
    let townships: Vec<String> = h.townships.iter().take(2).map(|t| t.code.clone()).collect();
    for code in townships {
        h.store
            .model_sites()
            .award(
                &scope,
                &code,
                "零发案、注册率达标，宣传常态化",
                "analyst",
                h.now - 90 * DAY_MS,
            )
            .await?;
        out.model_sites += 1;
    }
    Ok(())
}

pub(super) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    if h.townships.is_empty() {
        return Ok(());
    }
    let scope = h.root_scope.clone();
    let mut employers = h
        .store
        .people()
        .registration_by_employer(&scope, 20)
        .await?;
    employers.retain(|e| !e.public_sector);
    employers.sort_by(|a, b| {
        b.staff
            .cmp(&a.staff)
            .then_with(|| a.employer.cmp(&b.employer))
    });
    for (i, e) in employers.into_iter().take(MEMBERS).enumerate() {
        let township = h.townships[i % h.townships.len()].clone();
        let body: [u8; 8] = format!("MA{:06}", 100 + i)
            .as_bytes()
            .try_into()
            .unwrap_or(*b"MA000100");
        let Ok(credit_code) = fanzha_core::CreditCode::generate(b'9', b'1', 330281, &body) else {
            continue;
        };
        let contact = h.resident(25..=50);
        let joined_at = h.moment(30).min(h.now - 60 * DAY_MS);
        let member_id = h
            .store
            .alliance()
            .join(
                &scope,
                &NewMember {
                    unit_code: township.code.clone(),
                    name: e.employer.clone(),
                    credit_code: credit_code.as_str().to_string(),
                    contact_name: contact.name.to_string(),
                    contact_phone: contact
                        .msisdn
                        .map(|m| m.0.to_string())
                        .unwrap_or_else(|| "13900000000".into()),
                    staff: e.staff + h.rng.random_range(0..40),
                    finance_staff: (e.staff / 25).max(1),
                    joined_at,
                    note: String::new(),
                    by: "station".into(),
                },
                h.now,
            )
            .await?;
        out.alliance_members += 1;
        // Every second member had a talk every other month or so; the others none lately.
        if i % 4 == 3 {
            continue;
        }
        for _ in 0..h.rng.random_range(1..=h.months.max(1)) {
            let day = h.moment_between(joined_at, h.now - DAY_MS);
            let held_on = fanzha_core::time::shanghai_date(day)
                .and_then(|d| fanzha_core::time::shanghai_midnight(d).ok())
                .unwrap_or(day);
            let people = h.rng.random_range(20..=e.staff.max(21));
            h.store
                .outreach()
                .record(
                    &scope,
                    &NewOutreach {
                        unit_code: township.code.clone(),
                        held_on,
                        kind: OutreachKind::Lecture,
                        audience: OutreachAudience::Enterprise,
                        place: format!("{}会议室", e.employer),
                        people_reached: people,
                        app_registrations: people * h.rng.random_range(10..40) / 100,
                        materials: people,
                        consultations: people / 8,
                        note: "企业反诈联盟专场宣讲（财务人员必到）".into(),
                        created_by: "station".into(),
                        // Recorded at the member (every other one by the place's name only).
                        alliance_member: (i % 2 == 0).then_some(member_id),
                    },
                    day,
                )
                .await?;
        }
    }
    Ok(())
}
