//! 受害人画像: who the period's victims were, by age band and sex, read from their ID numbers
//! (age on the day of the report, in Shanghai). Victims without a registered ID number count
//! as unknown, so the lines add up to the cases.

use crate::i18n::Lang;
use chrono::{Datelike, NaiveDate};
use fanzha_core::resident_id::Sex;
use fanzha_core::time::shanghai_date;
use fanzha_core::ResidentId;

/// Age bands as the bureaus report them: (lowest age, highest age, zh, en).
const BANDS: [(u32, u32, &str, &str); 6] = [
    (0, 17, "未满18岁", "Under 18"),
    (18, 25, "18–25岁", "18–25"),
    (26, 35, "26–35岁", "26–35"),
    (36, 45, "36–45岁", "36–45"),
    (46, 60, "46–60岁", "46–60"),
    (61, u32::MAX, "60岁以上", "Over 60"),
];

/// One line of the profile.
#[derive(Clone, Debug, PartialEq)]
pub struct ProfileLine {
    pub label: &'static str,
    pub cases: i64,
    pub loss_fen: i64,
    /// Share of the period's cases.
    pub share: Option<f64>,
}

/// The profile: age bands then unknown; male, female, unknown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VictimProfile {
    pub ages: Vec<ProfileLine>,
    pub sexes: Vec<ProfileLine>,
}

fn age_on(birth: NaiveDate, day: NaiveDate) -> u32 {
    let before_birthday = (day.month(), day.day()) < (birth.month(), birth.day());
    (day.year() - birth.year() - i32::from(before_birthday)).max(0) as u32
}

/// The profile of `victims`: (ID number if registered, report time, loss in fen).
pub fn victim_profile(lang: Lang, victims: &[(Option<String>, i64, i64)]) -> VictimProfile {
    let pick = |zh: &'static str, en: &'static str| if lang == Lang::Zh { zh } else { en };
    let mut ages = [(0i64, 0i64); BANDS.len() + 1];
    let mut sexes = [(0i64, 0i64); 3];
    for (id, reported_at, loss) in victims {
        let known = id
            .as_deref()
            .and_then(|id| ResidentId::parse(id).ok())
            .zip(shanghai_date(*reported_at));
        let (band, sex) = match known {
            Some((id, day)) => {
                let age = age_on(id.birth_date(), day);
                let band = BANDS
                    .iter()
                    .position(|(lo, hi, _, _)| (*lo..=*hi).contains(&age))
                    .unwrap_or(BANDS.len());
                let sex = match id.sex() {
                    Sex::Male => 0,
                    Sex::Female => 1,
                };
                (band, sex)
            }
            None => (BANDS.len(), 2),
        };
        ages[band].0 += 1;
        ages[band].1 += loss;
        sexes[sex].0 += 1;
        sexes[sex].1 += loss;
    }
    let total = victims.len() as f64;
    let line = |label, (cases, loss_fen): (i64, i64)| ProfileLine {
        label,
        cases,
        loss_fen,
        share: (total > 0.0).then(|| cases as f64 / total),
    };
    let unknown = pick("未知", "Unknown");
    VictimProfile {
        ages: BANDS
            .iter()
            .enumerate()
            .map(|(i, (_, _, zh, en))| line(pick(zh, en), ages[i]))
            .chain(std::iter::once(line(unknown, ages[BANDS.len()])))
            .collect(),
        sexes: vec![
            line(pick("男", "Male"), sexes[0]),
            line(pick("女", "Female"), sexes[1]),
            line(unknown, sexes[2]),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanzha_core::time::shanghai_midnight;

    fn day(y: i32, m: u32, d: u32) -> i64 {
        shanghai_midnight(NaiveDate::from_ymd_opt(y, m, d).unwrap()).unwrap() + 3_600_000
    }

    #[test]
    fn ages_are_taken_on_the_day_of_the_report() {
        let victims = vec![
            // Born 1990-01-01 (male): 36 on 2026-03-01.
            (Some("330281199001011235".to_string()), day(2026, 3, 1), 100),
            // Born 2008-03-02 (female): 17 on 2026-03-01, 18 the next day.
            (Some("330281200803021246".to_string()), day(2026, 3, 1), 10),
            (Some("330281200803021246".to_string()), day(2026, 3, 2), 20),
            // No ID number, and a malformed one.
            (None, day(2026, 3, 1), 5),
            (Some("12345".to_string()), day(2026, 3, 1), 7),
        ];
        let p = victim_profile(Lang::Zh, &victims);
        let cases: Vec<(&str, i64)> = p.ages.iter().map(|l| (l.label, l.cases)).collect();
        assert_eq!(
            cases,
            [
                ("未满18岁", 1),
                ("18–25岁", 1),
                ("26–35岁", 0),
                ("36–45岁", 1),
                ("46–60岁", 0),
                ("60岁以上", 0),
                ("未知", 2),
            ]
        );
        assert_eq!(p.ages[6].loss_fen, 12);
        let sexes: Vec<(&str, i64, i64)> = p
            .sexes
            .iter()
            .map(|l| (l.label, l.cases, l.loss_fen))
            .collect();
        assert_eq!(sexes, [("男", 1, 100), ("女", 2, 30), ("未知", 2, 12)]);
        assert_eq!(p.sexes[1].share, Some(0.4));
    }

    #[test]
    fn no_cases_no_shares() {
        let p = victim_profile(Lang::En, &[]);
        assert!(p.ages.iter().all(|l| l.cases == 0 && l.share.is_none()));
        assert_eq!(p.sexes[0].label, "Male");
    }
}
