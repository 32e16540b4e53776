//! 劝阻队伍 of the history: each station's anti-fraud officer, community officers (for the whole
//! township at some stations, village by village at the others), a cadre and a grid worker in
//! most villages — the demo grid worker's account linked to their village — and the gaps a real
//! roster has: villages still without a cadre or a grid worker, a station without its officer.
//! Imported the way a county imports its roster, two months before now.

use super::{History, Seeded, DAY_MS};
use crate::error::CliError;
use fanzha_store::{NewTeamMember, TeamKind};
use rand::seq::IndexedRandom;
use rand::Rng;

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高",
];
const GIVEN: [&str; 20] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "建华", "平",
];

fn person(h: &mut History<'_>, unit: &str, kind: TeamKind) -> NewTeamMember {
    let name = format!(
        "{}{}",
        SURNAMES.choose(&mut h.rng).unwrap(),
        GIVEN.choose(&mut h.rng).unwrap()
    );
    NewTeamMember {
        unit_code: unit.to_string(),
        kind,
        name,
        phone: format!("139{:08}", h.rng.random_range(0..100_000_000u32)),
        login: None,
    }
}

pub(super) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let mut rows = Vec::new();
    let townships: Vec<String> = h.townships.iter().map(|t| t.code.clone()).collect();
    for (i, township) in townships.iter().enumerate() {
        // One station in seven has not named its anti-fraud officer yet.
        if i % 7 != 6 {
            rows.push(person(h, township, TeamKind::AntiFraudOfficer));
        }
        // Even stations: one community officer for the township; odd ones: one per village.
        if i % 2 == 0 {
            rows.push(person(h, township, TeamKind::CommunityOfficer));
        }
    }
    let villages: Vec<(String, String)> = h
        .township_of
        .iter()
        .map(|(v, t)| (v.clone(), t.clone()))
        .collect();
    for (village, township) in &villages {
        let odd = townships
            .iter()
            .position(|t| t == township)
            .is_some_and(|i| i % 2 == 1);
        if odd && h.rng.random_bool(0.9) {
            rows.push(person(h, village, TeamKind::CommunityOfficer));
        }
        let own = h.grid_village.as_deref() == Some(village.as_str());
        if own || h.rng.random_bool(0.93) {
            rows.push(person(h, village, TeamKind::Cadre));
        }
        if own {
            let mut grid = person(h, village, TeamKind::GridWorker);
            grid.name = "张丽".into();
            grid.login = Some("grid".into());
            rows.push(grid);
        } else if h.rng.random_bool(0.88) {
            rows.push(person(h, village, TeamKind::GridWorker));
        }
    }
    let done = h
        .store
        .team_members()
        .import(&h.root_scope, &rows, "commander", h.now - 60 * DAY_MS)
        .await?;
    out.team_members = done.added;
    Ok(())
}
