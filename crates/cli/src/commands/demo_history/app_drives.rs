//! 国家反诈中心APP推广 of the history: the center's drive, open for the last weeks, asking the
//! staff of the largest public departments to bring relatives and friends onto the national
//! anti-fraud app, 30 each. Most staff enrolled as promoters; some brought their quota, most
//! fewer, a department lagging; the residents they brought are the city's own, so those the
//! registry has on the app count as verified and the rest wait for the registry's next import.

use super::{History, Seeded, DAY_MS};
use crate::error::CliError;
use fanzha_store::{AppDriveText, NewAppDrive, NewPromoter, NewReferral, QuizEmployer};
use rand::Rng;
use std::collections::{BTreeMap, HashSet};

/// The departments' staff the drive lists, at most (a demo city's worth of promoters).
const MAX_PROMOTERS: usize = 120;
/// Residents each promoter is asked to bring.
const QUOTA: i64 = 30;

fn code(h: &mut History<'_>, prefix: &str) -> String {
    format!("{prefix}{:06}", h.rng.random_range(0..1_000_000u32))
}

pub(super) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let root = h.root.code.clone();
    let scope = h.root_scope.clone();
    // The public-sector staff by department, the largest departments first.
    let public_employers = h.world.employers.iter().take_while(|e| e.public).count();
    let mut staff: BTreeMap<String, Vec<String>> = BTreeMap::new();
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
        staff.entry(name).or_default().push(phone.canonical());
    }
    let mut staff: Vec<(String, Vec<String>)> = staff.into_iter().collect();
    staff.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    let mut total = 0;
    staff.retain(|(_, people)| {
        total += people.len();
        total <= MAX_PROMOTERS || total == people.len()
    });
    if staff.is_empty() {
        return Ok(());
    }
    let opened = (h.now - 24 * DAY_MS) / DAY_MS * DAY_MS;
    let link = code(h, "tg");
    let id = h
        .store
        .app_drives()
        .open(
            &scope,
            &NewAppDrive {
                unit_code: root,
                code: link,
                opens_at: opened,
                text: AppDriveText {
                    title: "干部职工发动亲友注册国家反诈中心APP".into(),
                    quota: QUOTA,
                    closes_at: h.now + 36 * DAY_MS,
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
    let drive = h.store.app_drives().get(&scope, id).await?;
    out.app_drives += 1;
    let mut counted: HashSet<String> = staff.iter().flat_map(|(_, p)| p.clone()).collect();
    for (n, (employer, people)) in staff.iter().enumerate() {
        // Every third department lags: fewer enrol, and they bring less.
        let lagging = n % 3 == 2;
        for (k, phone) in people.iter().enumerate() {
            if !h.chance(if lagging { 0.6 } else { 0.9 }) {
                continue;
            }
            let enrolled_at = h.after(opened, 5, 3_600_000);
            let personal = code(h, "p");
            let token = format!("{:032x}", h.rng.random::<u128>());
            let promoter = h
                .store
                .app_drives()
                .enroll(
                    &drive,
                    &NewPromoter {
                        employer: Some(employer.clone()),
                        name: demo_name(n, k),
                        phone: phone.clone(),
                        code: personal,
                        token,
                    },
                    enrolled_at,
                )
                .await?;
            out.promoters += 1;
            let brings = if lagging {
                h.rng.random_range(0..12)
            } else if h.chance(0.3) {
                h.rng.random_range(30..36)
            } else {
                h.rng.random_range(4..30)
            };
            // Relatives already brought by someone else are passed over (a few draws each).
            let mut brought = 0;
            for _ in 0..brings * 3 {
                if brought == brings {
                    break;
                }
                let r = h.resident(16..=80);
                let (Some(phone), village) = (
                    r.msisdn
                        .and_then(|m| fanzha_core::PhoneNumber::from_msisdn(m).ok()),
                    format!("{:012}", r.village),
                ) else {
                    continue;
                };
                // A relative is brought once, by whoever reached them first.
                if !counted.insert(phone.canonical()) {
                    continue;
                }
                let at = h.after(enrolled_at, 20, 60_000);
                h.store
                    .app_drives()
                    .refer(
                        &drive,
                        &promoter,
                        &NewReferral {
                            unit_code: village,
                            phone: phone.canonical(),
                        },
                        at,
                    )
                    .await?;
                out.app_referrals += 1;
                brought += 1;
            }
        }
    }
    Ok(())
}

/// A promoter's name: the demo's staff are not named in the simulated city.
fn demo_name(department: usize, n: usize) -> String {
    const SURNAMES: [&str; 12] = [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
    ];
    const GIVEN: [&str; 10] = ["建国", "丽", "伟", "静", "军", "芳", "磊", "敏", "强", "燕"];
    format!(
        "{}{}",
        SURNAMES[(department * 7 + n) % SURNAMES.len()],
        GIVEN[(n * 3 + department) % GIVEN.len()]
    )
}
