//! 受害人画像: who the period's victims were, by age band and sex, read from their ID numbers
//! (age on the day of the report, in Shanghai), and by occupation as the cases record it
//! (`Cases::by_occupation`). Victims without a registered ID number, or without a known
//! occupation, count as unknown, so each table's lines add up to the cases.

use crate::i18n::Lang;
use chrono::{Datelike, NaiveDate};
use fanzha_core::resident_id::Sex;
use fanzha_core::time::shanghai_date;
use fanzha_core::{Occupation, ResidentId};
use fanzha_store::OccupationTally;

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

/// The profile: age bands then unknown; male, female, unknown; occupations then unknown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VictimProfile {
    pub ages: Vec<ProfileLine>,
    pub sexes: Vec<ProfileLine>,
    /// (occupation code or `unknown`, line): every category in [`Occupation::ALL`]'s order,
    /// then unknown (未知); empty until [`VictimProfile::with_occupations`].
    pub occupations: Vec<(&'static str, ProfileLine)>,
}

/// How many occupations the brief names as the leading ones.
const LEADING_OCCUPATIONS: usize = 2;

impl VictimProfile {
    /// Adds the lines by occupation from the period's tallies (unknown as `None`); shares are
    /// of the cases the tallies count, which are the period's cases.
    pub fn with_occupations(mut self, lang: Lang, tallies: &[OccupationTally]) -> VictimProfile {
        let total: i64 = tallies.iter().map(|t| t.cases).sum();
        let of = |o: Option<Occupation>| {
            tallies
                .iter()
                .filter(|t| t.occupation == o)
                .fold((0, 0), |(n, l), t| (n + t.cases, l + t.loss_fen))
        };
        let line = |label, (cases, loss_fen): (i64, i64)| ProfileLine {
            label,
            cases,
            loss_fen,
            share: (total > 0).then(|| cases as f64 / total as f64),
        };
        let name = |o: Occupation| if lang == Lang::Zh { o.zh() } else { o.en() };
        let unknown = if lang == Lang::Zh {
            "未知"
        } else {
            "Unknown"
        };
        self.occupations = Occupation::ALL
            .iter()
            .map(|&o| (o.code(), line(name(o), of(Some(o)))))
            .chain(std::iter::once(("unknown", line(unknown, of(None)))))
            .collect();
        self
    }

    /// The occupations most victims had, for the brief ("企业职工、个体工商户"): the two
    /// categories with most cases (其他 and 未知 left out; ties in the categories' order), and
    /// their cases' share of all the period's cases together. `None` when no case has a
    /// known occupation.
    pub fn leading_occupations(&self) -> Option<(Vec<&'static str>, f64)> {
        let mut known: Vec<&ProfileLine> = self
            .occupations
            .iter()
            .filter(|(code, l)| !matches!(*code, "other" | "unknown") && l.cases > 0)
            .map(|(_, l)| l)
            .collect();
        known.sort_by_key(|l| std::cmp::Reverse(l.cases));
        known.truncate(LEADING_OCCUPATIONS);
        let share = known.iter().map(|l| l.share).sum::<Option<f64>>()?;
        (!known.is_empty()).then(|| (known.iter().map(|l| l.label).collect(), share))
    }
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
        occupations: Vec::new(),
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
    fn occupations_add_up_to_the_cases_and_the_leading_two_are_named() {
        let t = |occupation, cases, loss_fen| OccupationTally {
            occupation,
            cases,
            loss_fen,
        };
        let p = VictimProfile::default().with_occupations(
            Lang::Zh,
            &[
                t(Some(Occupation::SelfEmployed), 3, 300),
                t(Some(Occupation::CompanyEmployee), 5, 500),
                t(Some(Occupation::Other), 6, 60),
                t(Some(Occupation::Student), 1, 10),
                t(None, 5, 7),
            ],
        );
        assert_eq!(p.occupations.len(), Occupation::ALL.len() + 1);
        let total: i64 = p.occupations.iter().map(|(_, l)| l.cases).sum();
        assert_eq!(total, 20);
        let (code, first) = &p.occupations[0];
        assert_eq!(
            (*code, first.label, first.cases),
            ("company_employee", "企业职工", 5)
        );
        assert_eq!(first.share, Some(0.25));
        let (code, last) = p.occupations.last().unwrap();
        assert_eq!(
            (*code, last.label, last.cases, last.loss_fen),
            ("unknown", "未知", 5, 7)
        );
        // 其他 has most cases but names nothing; the shares are of every case.
        let (names, share) = p.leading_occupations().unwrap();
        assert_eq!(names, ["企业职工", "个体工商户"]);
        assert!((share - 0.4).abs() < 1e-9, "{share}");

        let only_unknown = VictimProfile::default().with_occupations(Lang::En, &[t(None, 2, 1)]);
        assert_eq!(only_unknown.leading_occupations(), None);
        assert_eq!(only_unknown.occupations[0].1.label, "Company employee");
        assert_eq!(VictimProfile::default().leading_occupations(), None);
    }

    #[test]
    fn no_cases_no_shares() {
        let p = victim_profile(Lang::En, &[]);
        assert!(p.ages.iter().all(|l| l.cases == 0 && l.share.is_none()));
        assert_eq!(p.sexes[0].label, "Male");
    }
}
