//! 宣传防范 and the monthly figures of the history: the stations' outreach events and the
//! center's posts, this year's targets, the operators' interception figures and the criminal
//! cases filed per township and month (the telecom-fraud share of them near the seeds' 30–50 %)
//! — for the months of the history and those before it that the cases cover, so that 同比 has
//! a base.

use super::cases::CaseMonths;
use super::{month_start, History, Seeded, DAY_MS};
use crate::error::CliError;
use chrono::Datelike;
use fanzha_store::{
    FigureEnterer, InterceptCounts, NewOutreach, NewPost, Operator, OutreachAudience, OutreachKind,
    OutreachQuota, PostForm, PostPlatform, PostTopic,
};
use rand::Rng;

pub(crate) async fn seed(
    h: &mut History<'_>,
    out: &mut Seeded,
    cases: &CaseMonths,
) -> Result<(), CliError> {
    outreach(h, out).await?;
    posts(h, out).await?;
    figures(h, out, cases).await
}

const PLACES: &[(OutreachKind, OutreachAudience, &str)] = &[
    (
        OutreachKind::Lecture,
        OutreachAudience::School,
        "中心小学报告厅",
    ),
    (
        OutreachKind::Lecture,
        OutreachAudience::Enterprise,
        "工业园区企业会议室",
    ),
    (
        OutreachKind::DoorToDoor,
        OutreachAudience::Elderly,
        "村文化礼堂及独居老人家中",
    ),
    (
        OutreachKind::Street,
        OutreachAudience::Community,
        "农贸市场门口",
    ),
    (
        OutreachKind::Lecture,
        OutreachAudience::PublicSector,
        "镇政府会议室",
    ),
    (
        OutreachKind::Street,
        OutreachAudience::Community,
        "社区广场",
    ),
];

async fn outreach(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let scope = h.root_scope.clone();
    let year = fanzha_core::time::shanghai_date(h.now).map_or(2026, |d| i64::from(d.year()));
    for t in h.townships.clone() {
        h.store
            .outreach()
            .set_quota(
                &scope,
                &OutreachQuota {
                    unit_code: t.code.clone(),
                    year,
                    events: 24,
                    people: 3_000,
                    set_by: "analyst".into(),
                    set_at: h.start,
                },
            )
            .await?;
        let per_month = h.rng.random_range(1..=3);
        for _ in 0..per_month * h.months {
            let (kind, audience, place) = *h.pick(PLACES);
            let day = h.moment(1);
            let held_on = fanzha_core::time::shanghai_date(day)
                .and_then(|d| fanzha_core::time::shanghai_midnight(d).ok())
                .unwrap_or(day);
            let people = h.rng.random_range(30..400);
            h.store
                .outreach()
                .record(
                    &scope,
                    &NewOutreach {
                        unit_code: t.code.clone(),
                        held_on,
                        kind,
                        audience,
                        place: format!("{}{place}", t.name),
                        people_reached: people,
                        app_registrations: people * h.rng.random_range(10..60) / 100,
                        materials: people + h.rng.random_range(0..200),
                        consultations: people / h.rng.random_range(5..15),
                        note: String::new(),
                        created_by: "station".into(),
                        alliance_member: None,
                    },
                    day,
                )
                .await?;
            out.outreach += 1;
        }
    }
    Ok(())
}

const POSTS: &[(PostPlatform, PostForm, PostTopic, &str)] = &[
    (
        PostPlatform::Wechat,
        PostForm::Article,
        PostTopic::Methods,
        "起底“荐股群”：你以为的内幕消息，是骗子的剧本",
    ),
    (
        PostPlatform::Douyin,
        PostForm::Video,
        PostTopic::Alert,
        "接到“公检法”视频电话？挂断！",
    ),
    (
        PostPlatform::Wechat,
        PostForm::Article,
        PostTopic::TypicalCase,
        "刷单返利又一人中招，损失六万余元",
    ),
    (
        PostPlatform::Douyin,
        PostForm::Live,
        PostTopic::App,
        "反诈民警直播间：手把手教你装国家反诈中心APP",
    ),
    (
        PostPlatform::Weibo,
        PostForm::Article,
        PostTopic::TwoCards,
        "出租出借银行卡，小心成为诈骗“帮凶”",
    ),
    (
        PostPlatform::Kuaishou,
        PostForm::Video,
        PostTopic::Methods,
        "游戏装备交易骗局，家长请转给孩子看",
    ),
];

async fn posts(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let scope = h.root_scope.clone();
    let n = 3 * h.months as usize;
    for i in 0..n {
        let (platform, form, topic, title) = POSTS[i % POSTS.len()];
        let day = h.moment(1);
        let published_on = fanzha_core::time::shanghai_date(day)
            .and_then(|d| fanzha_core::time::shanghai_midnight(d).ok())
            .unwrap_or(day);
        let views = (10f64.powf(h.rng.random_range(3.0..5.5))) as i64;
        h.store
            .outreach_posts()
            .record(
                &scope,
                &NewPost {
                    unit_code: h.root.code.clone(),
                    published_on,
                    platform,
                    form,
                    topic,
                    account: format!("{}反诈", h.root.name),
                    title: title.to_string(),
                    link: String::new(),
                    views,
                    shares: views / h.rng.random_range(20..80),
                    created_by: "analyst".into(),
                },
                day,
            )
            .await?;
        out.posts += 1;
    }
    Ok(())
}

/// The share of each operator in the interceptions (移动, 联通, 电信).
const OPERATORS: &[(Operator, f64)] = &[
    (Operator::ChinaMobile, 0.55),
    (Operator::ChinaUnicom, 0.2),
    (Operator::ChinaTelecom, 0.25),
];

async fn figures(
    h: &mut History<'_>,
    out: &mut Seeded,
    cases: &CaseMonths,
) -> Result<(), CliError> {
    let scope = h.root_scope.clone();
    let months = h.month_list(h.months_before());
    let history_from = months[months.len() - 1 - h.months as usize];
    let this_month = *months.last().unwrap_or(&0);
    let residents = h.world.people.len() as f64;
    // The townships' residents (the units store populations per village only).
    let mut living: std::collections::BTreeMap<String, f64> = std::collections::BTreeMap::new();
    for p in &h.world.people {
        let township = h.township(&format!("{:012}", p.village)).to_string();
        *living.entry(township).or_default() += 1.0;
    }
    for &month in months.iter().filter(|m| **m != this_month) {
        let entered = month_start(fanzha_store::next_month(month)) + 3 * DAY_MS;
        let entered = entered.min(h.now - 60_000);
        for t in h.townships.clone() {
            let share = living.get(&t.code).copied().unwrap_or(0.0) / residents.max(1.0);
            // A year earlier had more fraud cases and fewer interceptions (两降 shows).
            let year_before = month < history_from;
            for &(operator, op_share) in OPERATORS {
                let scale = residents * share * op_share * if year_before { 0.7 } else { 1.0 };
                let counts = InterceptCounts {
                    calls_blocked: (scale * h.rng.random_range(0.8..1.2)) as i64,
                    sms_blocked: (scale * h.rng.random_range(1.5..2.5)) as i64,
                    numbers_shut: (scale / 500.0 * h.rng.random_range(0.5..1.5)) as i64,
                    // Reminders to every subscriber about every other month, a voice reminder
                    // to one in ten (no dice drawn: the rest of the history stays the same).
                    awareness_sms: (scale * 0.5) as i64,
                    awareness_calls: (scale * 0.1) as i64,
                };
                h.store
                    .operator_figures()
                    .set(
                        &scope,
                        FigureEnterer::Police,
                        operator,
                        &t.code,
                        month,
                        Some(counts),
                        "analyst",
                        entered,
                    )
                    .await?;
            }
            let fraud = cases.count(month, &t.code) as f64;
            let expected = residents * share * 8.0 / 10_000.0 * if year_before { 1.3 } else { 1.0 };
            let base = fraud.max(expected * h.rng.random_range(0.6..1.4));
            let filed = (base / h.rng.random_range(0.3..0.5)).round() as i64;
            h.store
                .crime_counts()
                .set(
                    &scope,
                    &t.code,
                    month,
                    Some(filed.max(1)),
                    "analyst",
                    entered,
                )
                .await?;
        }
        out.figure_months += 1;
    }
    Ok(())
}
