//! 反诈知识测试 of the history: the center loads the built-in question bank, runs a campaign for
//! every public-sector employee of the city (财政供养人员全员参与) — each public employer with its
//! staff expected, most of whom took it, some twice after failing, a few employers lagging —
//! and a campaign open now for all residents. Participants know some scams better than others
//! (police impersonation well, fake investment and order brushing poorly), so the pages' most
//! missed questions say where outreach should aim.

use super::{History, Seeded, DAY_MS};
use crate::error::CliError;
use fanzha_core::FraudType;
use fanzha_store::{
    NewAttempt, NewQuizCampaign, OutreachAudience, QuizCampaign, QuizCampaignText, QuizEmployer,
};
use rand::Rng;
use std::collections::BTreeMap;

/// The first campaign's employers expect at most this many staff (a demo city's worth).
const MAX_PUBLIC_TAKERS: usize = 260;
/// Residents who took the open campaign so far.
const RESIDENT_TAKERS: usize = 90;

/// How likely a participant answers a question of `t` right.
fn knows(t: FraudType, public_sector: bool) -> f64 {
    let base = match t {
        FraudType::ImpersonatingPolice => 0.93,
        FraudType::Other => 0.88,
        FraudType::ImpersonatingAcquaintance | FraudType::FakeLoan => 0.85,
        FraudType::FakeShopping | FraudType::GameTrading => 0.8,
        FraudType::FakeCustomerService | FraudType::FakeCreditRepair => 0.72,
        FraudType::OnlineRomance => 0.7,
        FraudType::OrderBrushing => 0.68,
        _ => 0.62,
    };
    if public_sector {
        (base + 0.05_f64).min(0.98)
    } else {
        base
    }
}

/// One participant's attempt at `campaign` at `at`: answered from what they know, handed in
/// minutes later, the pledge signed with chance `pledge`. Whether it passed.
async fn take(
    h: &mut History<'_>,
    campaign: &QuizCampaign,
    attempt: NewAttempt,
    at: i64,
    public_sector: bool,
    pledge: f64,
) -> Result<bool, CliError> {
    let store = h.store.clone();
    let attempts = store.quiz_attempts();
    let token = attempts.start(campaign, &attempt, at).await?;
    let drawn = attempts.get(&token).await?;
    let answers: Vec<Option<usize>> = drawn
        .items
        .iter()
        .map(|item| {
            let q = &item.question;
            if h.chance(knows(q.fraud_type, public_sector)) {
                Some(q.answer)
            } else {
                let wrong = h.rng.random_range(1..q.options.len());
                Some((q.answer + wrong) % q.options.len())
            }
        })
        .collect();
    let handed_in = at + h.rng.random_range(3..12) * 60_000;
    let done = attempts.submit(&token, &answers, handed_in).await?;
    if !campaign.pledge.is_empty() && h.chance(pledge) {
        attempts.pledge(&token, handed_in + 60_000).await?;
    }
    Ok(done.passed == Some(true))
}

fn token(h: &mut History<'_>) -> String {
    format!("{:032x}", h.rng.random::<u128>())
}

pub(super) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let root = h.root.code.clone();
    let scope = h.root_scope.clone();
    // On a day's boundary, so that office hours drawn from it fall after the opening.
    let opened = (h.start + 10 * DAY_MS) / DAY_MS * DAY_MS;
    h.store
        .quiz_questions()
        .load_builtin(&root, "analyst", opened - DAY_MS)
        .await?;

    // The public-sector staff of the city's residents, by employer.
    let public_employers = h.world.employers.iter().take_while(|e| e.public).count();
    let mut staff: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for p in h
        .world
        .people
        .iter()
        .filter(|p| p.public_sector && p.employer_id > 0)
    {
        let Some(phone) = p
            .msisdn
            .and_then(|m| fanzha_core::PhoneNumber::from_msisdn(m).ok())
        else {
            continue;
        };
        let name =
            crate::commands::demo::employer_name(p.employer_id as usize - 1, public_employers);
        staff
            .entry(name)
            .or_default()
            .push((phone.canonical(), format!("{:012}", p.village)));
    }
    // The campaign of the city's departments (市直单位): the largest employers, as many as a
    // demo city's worth of participants allows.
    let mut staff: Vec<(String, Vec<(String, String)>)> = staff.into_iter().collect();
    staff.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    let mut total = 0;
    staff.retain(|(_, people)| {
        total += people.len();
        total <= MAX_PUBLIC_TAKERS || total == people.len()
    });
    if staff.is_empty() {
        return Ok(());
    }
    let pledge = fanzha_web::pages::quizzes::DEFAULT_PLEDGE.to_string();
    let ends = (opened + 45 * DAY_MS)
        .min(h.now - DAY_MS)
        .max(opened + DAY_MS);
    let code = format!("gz{:06}", h.rng.random_range(0..1_000_000u32));
    let id = h
        .store
        .quiz_campaigns()
        .open(
            &scope,
            &NewQuizCampaign {
                unit_code: root.clone(),
                code: code.clone(),
                audience: OutreachAudience::PublicSector,
                question_count: 10,
                pass_score: 80,
                opens_at: opened,
                text: QuizCampaignText {
                    title: "财政供养人员反诈知识测试".into(),
                    pledge: pledge.clone(),
                    closes_at: ends,
                    employers: staff
                        .iter()
                        .map(|(name, people)| QuizEmployer {
                            name: name.clone(),
                            headcount: people.len() as i64,
                        })
                        .collect(),
                },
                created_by: "analyst".into(),
            },
            opened - DAY_MS,
        )
        .await?;
    let campaign = h.store.quiz_campaigns().get(&scope, id).await?;
    out.quiz_campaigns += 1;
    // Most employers saw all their staff take it; every third lags behind.
    for (n, (employer, people)) in staff.iter().enumerate() {
        let compliance = if n % 3 == 2 { 0.6 } else { 1.0 };
        for (phone, village) in people {
            if !h.chance(compliance) {
                continue;
            }
            let at = h.moment_between(opened, ends - DAY_MS);
            let mut attempt = NewAttempt {
                unit_code: village.clone(),
                employer: Some(employer.clone()),
                phone: phone.clone(),
                token: token(h),
                seed: h.rng.random(),
            };
            let passed = take(h, &campaign, attempt.clone(), at, true, 0.8).await?;
            out.quiz_attempts += 1;
            // Those who failed mostly try again after reading the explanations.
            if !passed && h.chance(0.7) {
                attempt.token = token(h);
                attempt.seed = h.rng.random();
                take(h, &campaign, attempt, at + 30 * 60_000, true, 0.8).await?;
                out.quiz_attempts += 1;
            }
        }
    }

    // Open now, for every resident, handed out by the grid workers.
    let opened = h.now - 20 * DAY_MS;
    let code = format!("qm{:06}", h.rng.random_range(0..1_000_000u32));
    let id = h
        .store
        .quiz_campaigns()
        .open(
            &scope,
            &NewQuizCampaign {
                unit_code: root,
                code,
                audience: OutreachAudience::Community,
                question_count: 10,
                pass_score: 80,
                opens_at: opened,
                text: QuizCampaignText {
                    title: "全民反诈知识测试".into(),
                    pledge,
                    closes_at: h.now + 40 * DAY_MS,
                    employers: Vec::new(),
                },
                created_by: "analyst".into(),
            },
            opened - DAY_MS,
        )
        .await?;
    let campaign = h.store.quiz_campaigns().get(&scope, id).await?;
    out.quiz_campaigns += 1;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..RESIDENT_TAKERS {
        let p = h.resident(16..=75);
        // Each resident once (a number starts a few attempts a day at most).
        if !seen.insert(p.person_id) {
            continue;
        }
        let (Some(phone), village) = (
            p.msisdn
                .and_then(|m| fanzha_core::PhoneNumber::from_msisdn(m).ok()),
            format!("{:012}", p.village),
        ) else {
            continue;
        };
        let at = h.after(opened, 20, 3_600_000);
        let attempt = NewAttempt {
            unit_code: village,
            employer: None,
            phone: phone.canonical(),
            token: token(h),
            seed: h.rng.random(),
        };
        take(h, &campaign, attempt, at, false, 0.55).await?;
        out.quiz_attempts += 1;
    }
    Ok(())
}
