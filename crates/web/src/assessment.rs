//! 综合考核 (赛马争先): the scheme units are ranked by — which indicators, their weights, which
//! way is better, how values become points — and the scoring itself. Both are pure: the page
//! (`pages/assessment.rs`) gathers each unit's figures from the store and hands the values here.
//!
//! The scheme is data: `assessment.toml` beside this crate's manifest is compiled in as the
//! default, and a file of the same shape replaces it (`Scheme::load`). A file that does not
//! parse or names an unknown indicator, a weight that is not above zero, or weights that do not
//! sum to 100 are refused with [`SchemeError`] (code `assessment_scheme_invalid`).
//!
//! Scoring (docs/assessment.md): on each indicator the units with a value are normalised to
//! `floor..=100` points, direction-aware (min–max or by place); a unit without a value on an
//! indicator is not scored on it and that indicator's weight is spread over the unit's other
//! indicators in proportion to their weights (total = Σ w·points / Σ w over the indicators the
//! unit has). Totals are rounded to two decimals; equal totals share a rank (1, 1, 3); a unit
//! with no value on any indicator has no total and no rank.

use fanzha_core::error_code::{Coded, ErrorCode};
use serde::Deserialize;
use std::path::Path;

/// The default scheme, compiled in.
pub const DEFAULT_SCHEME: &str = include_str!("../assessment.toml");

/// What the weights of a scheme add up to.
pub const WEIGHT_TOTAL: f64 = 100.0;

/// An indicator the store can compute per unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Indicator {
    /// 万人发案数: cases × 10,000 / residents.
    CasesPer10k,
    /// 发案同比: (cases − cases a year earlier) / cases a year earlier.
    CasesYoy,
    /// 损失同比: the same for the cases' losses.
    LossYoy,
    /// 指令按时签收率: instructions signed by their sign deadline / instructions received.
    SignedInTime,
    /// 指令按时反馈率: instructions closed (outcome fed back) by their close deadline /
    /// instructions received.
    ClosedInTime,
    /// 劝阻成功率: prevented / (prevented + defrauded + unreachable).
    DissuasionRate,
    /// 紧急止付30分钟内执行率: stop-payments executed with money held within their 30-minute
    /// deadline / stop-payments requested.
    StopIn30Min,
    /// 破案率: cases reported in the period since solved / cases reported.
    SolveRate,
    /// 抓获嫌疑人: people with a measure taken in the period.
    SuspectsCaught,
    /// 损失追回率: (stop-payment returns + 追赃) / the period's case losses.
    RecoveryRate,
    /// 宣传覆盖人数（每万人）: people reached by talks and campaigns × 10,000 / residents.
    OutreachPer10k,
    /// 宣传场次: talks and campaigns held.
    OutreachEvents,
    /// 国家反诈APP注册率（16–60岁）: registered residents aged 16–60 / residents aged 16–60.
    AppRegistration,
    /// 金钟罩注册率: residents signed up for 金钟罩 / residents.
    JointDefense,
    /// 劝返率: key persons persuaded back / (persuaded back + still abroad).
    KeyPersonReturn,
    /// 重点人员按期走访率: key persons in control whose visit is not overdue / in control.
    KeyPersonVisits,
    /// 新开卡涉案比例: the period's new cards since found in cases / screened (lower is better).
    NewCardInvolved,
    /// 财政供养人员提示单及时下发率: notices issued within 24 h / notices due.
    NoticesInTime,
    /// 涉诈号码按时处置率: number disposals executed by their deadline / requests due.
    DisposalsInTime,
}

/// How an indicator's value reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// A share, shown as 54.94%.
    Rate,
    /// A change against a base, shown as ↑12.5% / ↓15.6%.
    Change,
    /// A figure per 10,000 residents, two decimals.
    Per10k,
    /// A count.
    Count,
}

impl Indicator {
    pub const ALL: [Indicator; 19] = [
        Indicator::CasesPer10k,
        Indicator::CasesYoy,
        Indicator::LossYoy,
        Indicator::SignedInTime,
        Indicator::ClosedInTime,
        Indicator::DissuasionRate,
        Indicator::StopIn30Min,
        Indicator::SolveRate,
        Indicator::SuspectsCaught,
        Indicator::RecoveryRate,
        Indicator::OutreachPer10k,
        Indicator::OutreachEvents,
        Indicator::AppRegistration,
        Indicator::JointDefense,
        Indicator::KeyPersonReturn,
        Indicator::KeyPersonVisits,
        Indicator::NewCardInvolved,
        Indicator::NoticesInTime,
        Indicator::DisposalsInTime,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Indicator::CasesPer10k => "cases_per_10k",
            Indicator::CasesYoy => "cases_yoy",
            Indicator::LossYoy => "loss_yoy",
            Indicator::SignedInTime => "signed_in_time",
            Indicator::ClosedInTime => "closed_in_time",
            Indicator::DissuasionRate => "dissuasion_rate",
            Indicator::StopIn30Min => "stop_in_30min",
            Indicator::SolveRate => "solve_rate",
            Indicator::SuspectsCaught => "suspects_caught",
            Indicator::RecoveryRate => "recovery_rate",
            Indicator::OutreachPer10k => "outreach_per_10k",
            Indicator::OutreachEvents => "outreach_events",
            Indicator::AppRegistration => "app_registration",
            Indicator::JointDefense => "joint_defense",
            Indicator::KeyPersonReturn => "key_person_return",
            Indicator::KeyPersonVisits => "key_person_visits",
            Indicator::NewCardInvolved => "new_card_involved",
            Indicator::NoticesInTime => "notices_in_time",
            Indicator::DisposalsInTime => "disposals_in_time",
        }
    }

    pub fn parse(code: &str) -> Option<Indicator> {
        Indicator::ALL.into_iter().find(|i| i.code() == code.trim())
    }

    /// The UI string key of the indicator's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Indicator::CasesPer10k => "asm_ind_cases_per_10k",
            Indicator::CasesYoy => "asm_ind_cases_yoy",
            Indicator::LossYoy => "asm_ind_loss_yoy",
            Indicator::SignedInTime => "asm_ind_signed_in_time",
            Indicator::ClosedInTime => "asm_ind_closed_in_time",
            Indicator::DissuasionRate => "asm_ind_dissuasion_rate",
            Indicator::StopIn30Min => "asm_ind_stop_in_30min",
            Indicator::SolveRate => "asm_ind_solve_rate",
            Indicator::SuspectsCaught => "asm_ind_suspects_caught",
            Indicator::RecoveryRate => "asm_ind_recovery_rate",
            Indicator::OutreachPer10k => "asm_ind_outreach_per_10k",
            Indicator::OutreachEvents => "asm_ind_outreach_events",
            Indicator::AppRegistration => "asm_ind_app_registration",
            Indicator::JointDefense => "asm_ind_joint_defense",
            Indicator::KeyPersonReturn => "asm_ind_key_person_return",
            Indicator::KeyPersonVisits => "asm_ind_key_person_visits",
            Indicator::NewCardInvolved => "asm_ind_new_card_involved",
            Indicator::NoticesInTime => "asm_ind_notices_in_time",
            Indicator::DisposalsInTime => "asm_ind_disposals_in_time",
        }
    }

    pub fn kind(self) -> ValueKind {
        match self {
            Indicator::CasesPer10k | Indicator::OutreachPer10k => ValueKind::Per10k,
            Indicator::CasesYoy | Indicator::LossYoy => ValueKind::Change,
            Indicator::SuspectsCaught | Indicator::OutreachEvents => ValueKind::Count,
            _ => ValueKind::Rate,
        }
    }

    /// A value as the page and the export show it; — when the unit has none.
    pub fn format(self, value: Option<f64>) -> String {
        let Some(v) = value else {
            return "—".into();
        };
        match self.kind() {
            ValueKind::Rate => format!("{:.2}%", v * 100.0),
            ValueKind::Per10k => format!("{v:.2}"),
            ValueKind::Count => format!("{v:.0}"),
            ValueKind::Change if v.abs() < 0.0005 => "0.0%".into(),
            ValueKind::Change if v > 0.0 => format!("↑{:.1}%", v * 100.0),
            ValueKind::Change => format!("↓{:.1}%", -v * 100.0),
        }
    }
}

/// Which way of an indicator is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    Higher,
    Lower,
}

impl Better {
    pub fn label_key(self) -> &'static str {
        match self {
            Better::Higher => "asm_higher_better",
            Better::Lower => "asm_lower_better",
        }
    }
}

/// How an indicator's values become points.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Linear between the worst (`floor`) and the best (100) value among the units.
    #[default]
    MinMax,
    /// By place: the best 100, the worst `floor`, evenly between; equal values share points.
    Rank,
}

impl Method {
    pub fn label_key(self) -> &'static str {
        match self {
            Method::MinMax => "asm_method_min_max",
            Method::Rank => "asm_method_rank",
        }
    }
}

/// One indicator of a scheme.
#[derive(Clone, Debug, PartialEq)]
pub struct Weighted {
    pub indicator: Indicator,
    pub weight: f64,
    pub better: Better,
}

/// A validated scheme.
#[derive(Clone, Debug, PartialEq)]
pub struct Scheme {
    pub method: Method,
    /// The points of the worst unit on an indicator.
    pub floor: f64,
    pub indicators: Vec<Weighted>,
}

/// Why a scheme was refused.
#[derive(Debug, thiserror::Error)]
pub enum SchemeError {
    #[error("cannot read the assessment file {path}: {source}")]
    Unreadable {
        path: String,
        source: std::io::Error,
    },
    #[error("the assessment scheme does not parse: {0}")]
    Parse(String),
    #[error("unknown indicator {0:?} (known: {known})", known = Indicator::ALL.map(Indicator::code).join(", "))]
    UnknownIndicator(String),
    #[error("indicator {0} is listed twice")]
    Duplicate(String),
    #[error("indicator {code} has weight {weight}: give a number above 0")]
    BadWeight { code: String, weight: f64 },
    #[error("the weights sum to {0}, not 100")]
    WeightSum(f64),
    #[error("floor {0} is outside 0 to 99")]
    BadFloor(f64),
    #[error("the scheme lists no indicator")]
    Empty,
}

impl Coded for SchemeError {
    fn code(&self) -> ErrorCode {
        match self {
            SchemeError::Unreadable { .. } => ErrorCode::FileUnreadable,
            _ => ErrorCode::AssessmentSchemeInvalid,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScheme {
    #[serde(default)]
    method: Method,
    #[serde(default)]
    floor: f64,
    #[serde(default)]
    indicator: Vec<RawIndicator>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    code: String,
    weight: f64,
    better: Better,
}

impl Scheme {
    /// Parses and validates a scheme's TOML text.
    pub fn parse(text: &str) -> Result<Scheme, SchemeError> {
        let raw: RawScheme = toml::from_str(text).map_err(|e| SchemeError::Parse(e.to_string()))?;
        if !(0.0..100.0).contains(&raw.floor) {
            return Err(SchemeError::BadFloor(raw.floor));
        }
        if raw.indicator.is_empty() {
            return Err(SchemeError::Empty);
        }
        let mut indicators: Vec<Weighted> = Vec::new();
        for r in raw.indicator {
            let indicator = Indicator::parse(&r.code)
                .ok_or_else(|| SchemeError::UnknownIndicator(r.code.clone()))?;
            if indicators.iter().any(|w| w.indicator == indicator) {
                return Err(SchemeError::Duplicate(r.code));
            }
            if !(r.weight.is_finite() && r.weight > 0.0) {
                return Err(SchemeError::BadWeight {
                    code: r.code,
                    weight: r.weight,
                });
            }
            indicators.push(Weighted {
                indicator,
                weight: r.weight,
                better: r.better,
            });
        }
        let sum: f64 = indicators.iter().map(|w| w.weight).sum();
        if (sum - WEIGHT_TOTAL).abs() > 1e-6 {
            return Err(SchemeError::WeightSum(sum));
        }
        Ok(Scheme {
            method: raw.method,
            floor: raw.floor,
            indicators,
        })
    }

    /// Reads and validates a scheme file.
    pub fn load(path: &Path) -> Result<Scheme, SchemeError> {
        let text = std::fs::read_to_string(path).map_err(|source| SchemeError::Unreadable {
            path: path.display().to_string(),
            source,
        })?;
        Scheme::parse(&text)
    }

    /// Whether the scheme scores `indicator`.
    pub fn uses(&self, indicator: Indicator) -> bool {
        self.indicators.iter().any(|w| w.indicator == indicator)
    }
}

impl Default for Scheme {
    /// The compiled-in scheme (`assessment.toml`; a unit test keeps it valid). Should it ever
    /// fail to parse, the scheme of one indicator, 万人发案数, stands in.
    fn default() -> Scheme {
        Scheme::parse(DEFAULT_SCHEME).unwrap_or(Scheme {
            method: Method::MinMax,
            floor: 0.0,
            indicators: vec![Weighted {
                indicator: Indicator::CasesPer10k,
                weight: WEIGHT_TOTAL,
                better: Better::Lower,
            }],
        })
    }
}

/// The scores of a set of units: per unit (in the order given) the points on each of the
/// scheme's indicators (in its order), the total and the rank.
#[derive(Clone, Debug, PartialEq)]
pub struct Scores {
    pub points: Vec<Vec<Option<f64>>>,
    pub totals: Vec<Option<f64>>,
    pub ranks: Vec<Option<u32>>,
}

/// Rounds to two decimals, the precision totals are shown and ranked at.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Normalised position of each value in `0..=1` on one indicator (1 the best); `None` where a
/// unit has no value. Values that are not finite count as missing.
fn normalise(method: Method, better: Better, values: &[Option<f64>]) -> Vec<Option<f64>> {
    let present: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let (Some(min), Some(max)) = (
        present.iter().copied().reduce(f64::min),
        present.iter().copied().reduce(f64::max),
    ) else {
        return vec![None; values.len()];
    };
    values
        .iter()
        .map(|v| {
            let v = (*v).filter(|v| v.is_finite())?;
            let n = match method {
                Method::MinMax if max - min <= f64::EPSILON * max.abs().max(1.0) => 1.0,
                Method::MinMax => match better {
                    Better::Higher => (v - min) / (max - min),
                    Better::Lower => (max - v) / (max - min),
                },
                Method::Rank => {
                    // Places among the distinct values, so equal values share points and the
                    // worst still gets the floor.
                    let mut distinct = present.clone();
                    distinct.sort_by(f64::total_cmp);
                    distinct.dedup();
                    let below = distinct
                        .iter()
                        .filter(|o| match better {
                            Better::Higher => **o < v,
                            Better::Lower => **o > v,
                        })
                        .count();
                    if distinct.len() < 2 {
                        1.0
                    } else {
                        below as f64 / (distinct.len() - 1) as f64
                    }
                }
            };
            Some(n.clamp(0.0, 1.0))
        })
        .collect()
}

/// Competition ranking (1, 1, 3) of the totals, higher first; units without a total have no
/// rank.
pub fn rank(totals: &[Option<f64>]) -> Vec<Option<u32>> {
    totals
        .iter()
        .map(|t| {
            let t = (*t)?;
            let better = totals.iter().flatten().filter(|o| **o > t).count();
            Some(better as u32 + 1)
        })
        .collect()
}

/// Scores units: `values[u][i]` is unit `u`'s value on the scheme's `i`-th indicator.
pub fn score(scheme: &Scheme, values: &[Vec<Option<f64>>]) -> Scores {
    let n = scheme.indicators.len();
    let span = WEIGHT_TOTAL - scheme.floor;
    let columns: Vec<Vec<Option<f64>>> = scheme
        .indicators
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let column: Vec<Option<f64>> = values
                .iter()
                .map(|row| row.get(i).copied().flatten())
                .collect();
            normalise(scheme.method, w.better, &column)
                .into_iter()
                .map(|p| p.map(|p| round2(scheme.floor + span * p)))
                .collect()
        })
        .collect();
    let points: Vec<Vec<Option<f64>>> = (0..values.len())
        .map(|u| (0..n).map(|i| columns[i][u]).collect())
        .collect();
    let totals: Vec<Option<f64>> = points
        .iter()
        .map(|row| {
            let (mut sum, mut weights) = (0.0, 0.0);
            for (p, w) in row.iter().zip(&scheme.indicators) {
                if let Some(p) = p {
                    sum += w.weight * p;
                    weights += w.weight;
                }
            }
            (weights > 0.0).then(|| round2(sum / weights).clamp(0.0, WEIGHT_TOTAL))
        })
        .collect();
    let ranks = rank(&totals);
    Scores {
        points,
        totals,
        ranks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn scheme(method: Method, floor: f64, ind: &[(Indicator, f64, Better)]) -> Scheme {
        Scheme {
            method,
            floor,
            indicators: ind
                .iter()
                .map(|&(indicator, weight, better)| Weighted {
                    indicator,
                    weight,
                    better,
                })
                .collect(),
        }
    }

    #[test]
    fn the_default_scheme_is_valid_and_its_weights_sum_to_100() {
        let s = Scheme::parse(DEFAULT_SCHEME).expect("the compiled-in scheme");
        assert_eq!(s, Scheme::default());
        let sum: f64 = s.indicators.iter().map(|w| w.weight).sum();
        assert!((sum - 100.0).abs() < 1e-9);
        assert!(s.uses(Indicator::CasesPer10k));
        let per_10k = &s.indicators[0];
        assert_eq!(per_10k.better, Better::Lower, "fewer cases is better");
    }

    #[test]
    fn a_bad_scheme_says_what_to_fix() {
        let one = |extra: &str| format!("[[indicator]]\ncode = \"solve_rate\"\n{extra}");
        let cases = [
            (one("weight = 100\nbetter = \"upwards\""), "does not parse"),
            (
                "[[indicator]]\ncode = \"luck\"\nweight = 100\nbetter = \"higher\"".to_string(),
                "unknown indicator \"luck\"",
            ),
            (one("weight = 0\nbetter = \"higher\""), "weight 0"),
            (one("weight = 60\nbetter = \"higher\""), "sum to 60"),
            (
                format!("floor = 100\n{}", one("weight = 100\nbetter = \"higher\"")),
                "floor 100",
            ),
            (
                format!(
                    "{}\n{}",
                    one("weight = 50\nbetter = \"higher\""),
                    one("weight = 50\nbetter = \"higher\"")
                ),
                "listed twice",
            ),
            ("method = \"min_max\"".to_string(), "no indicator"),
            (
                format!("wieght = 3\n{}", one("weight = 100\nbetter = \"higher\"")),
                "does not parse",
            ),
        ];
        for (text, says) in cases {
            let e = Scheme::parse(&text).expect_err(&text);
            assert_eq!(e.code(), ErrorCode::AssessmentSchemeInvalid, "{text}");
            assert!(e.to_string().contains(says), "{e} should say {says}");
        }
        let e = Scheme::load(Path::new("/nonexistent/assessment.toml")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::FileUnreadable);
    }

    #[test]
    fn min_max_gives_the_best_100_and_the_worst_the_floor_by_direction() {
        let s = scheme(
            Method::MinMax,
            0.0,
            &[
                (Indicator::CasesPer10k, 50.0, Better::Lower),
                (Indicator::SolveRate, 50.0, Better::Higher),
            ],
        );
        let r = score(
            &s,
            &[
                vec![Some(2.0), Some(0.5)],
                vec![Some(4.0), Some(0.25)],
                vec![Some(3.0), Some(0.0)],
            ],
        );
        // Fewer cases per 10,000 is better; a higher solve rate is better.
        assert_eq!(r.points[0], vec![Some(100.0), Some(100.0)]);
        assert_eq!(r.points[1], vec![Some(0.0), Some(50.0)]);
        assert_eq!(r.points[2], vec![Some(50.0), Some(0.0)]);
        assert_eq!(r.totals, vec![Some(100.0), Some(25.0), Some(25.0)]);
        // Equal totals share a rank, and the next rank is skipped.
        assert_eq!(r.ranks, vec![Some(1), Some(2), Some(2)]);

        // With a floor of 60 the worst gets 60.
        let s = scheme(
            Method::MinMax,
            60.0,
            &[(Indicator::CasesPer10k, 100.0, Better::Lower)],
        );
        let r = score(&s, &[vec![Some(2.0)], vec![Some(4.0)], vec![Some(3.0)]]);
        assert_eq!(r.totals, vec![Some(100.0), Some(60.0), Some(80.0)]);
        assert_eq!(r.ranks, vec![Some(1), Some(3), Some(2)]);
    }

    #[test]
    fn equal_values_all_get_full_points() {
        let s = scheme(
            Method::MinMax,
            0.0,
            &[(Indicator::SolveRate, 100.0, Better::Higher)],
        );
        let r = score(&s, &[vec![Some(0.3)], vec![Some(0.3)]]);
        assert_eq!(r.totals, vec![Some(100.0), Some(100.0)]);
        assert_eq!(r.ranks, vec![Some(1), Some(1)]);
    }

    #[test]
    fn a_missing_value_spreads_its_weight_over_the_units_other_indicators() {
        let s = scheme(
            Method::MinMax,
            0.0,
            &[
                (Indicator::CasesPer10k, 75.0, Better::Lower),
                (Indicator::SolveRate, 25.0, Better::Higher),
            ],
        );
        // The second unit has no population (no 万人发案数) and the best solve rate: scored on
        // the solve rate alone it gets that indicator's full points, not 25 of 100.
        let r = score(
            &s,
            &[
                vec![Some(1.0), Some(0.2)],
                vec![None, Some(0.6)],
                vec![Some(3.0), Some(0.4)],
            ],
        );
        assert_eq!(r.points[1], vec![None, Some(100.0)]);
        assert_eq!(r.totals[1], Some(100.0));
        // (75·100 + 25·0) / 100 and (75·0 + 25·50) / 100.
        assert_eq!(r.totals[0], Some(75.0));
        assert_eq!(r.totals[2], Some(12.5));
        assert_eq!(r.ranks, vec![Some(2), Some(1), Some(3)]);
        // A unit with no value at all has no total and no rank; the others are ranked
        // without it.
        let r = score(&s, &[vec![None, None], vec![Some(1.0), Some(0.2)]]);
        assert_eq!(r.totals, vec![None, Some(100.0)]);
        assert_eq!(r.ranks, vec![None, Some(1)]);
        // An indicator nobody has scores nobody.
        let r = score(&s, &[vec![None, Some(0.1)], vec![None, Some(0.2)]]);
        assert_eq!(r.points[0][0], None);
        assert_eq!(r.totals, vec![Some(0.0), Some(100.0)]);
    }

    #[test]
    fn weights_decide_between_indicators() {
        let both = |w1: f64| {
            let s = scheme(
                Method::MinMax,
                0.0,
                &[
                    (Indicator::CasesPer10k, w1, Better::Lower),
                    (Indicator::SolveRate, 100.0 - w1, Better::Higher),
                ],
            );
            // The first unit is better on cases, the second on solving.
            score(
                &s,
                &[vec![Some(1.0), Some(0.1)], vec![Some(2.0), Some(0.9)]],
            )
            .ranks
        };
        assert_eq!(both(70.0), vec![Some(1), Some(2)]);
        assert_eq!(both(30.0), vec![Some(2), Some(1)]);
        assert_eq!(both(50.0), vec![Some(1), Some(1)]);
    }

    #[test]
    fn by_place_equal_values_share_points() {
        let s = scheme(
            Method::Rank,
            0.0,
            &[(Indicator::SuspectsCaught, 100.0, Better::Higher)],
        );
        let r = score(
            &s,
            &[
                vec![Some(9.0)],
                vec![Some(1.0)],
                vec![Some(5.0)],
                vec![Some(5.0)],
            ],
        );
        assert_eq!(
            r.totals,
            vec![Some(100.0), Some(0.0), Some(50.0), Some(50.0)]
        );
        assert_eq!(r.ranks, vec![Some(1), Some(4), Some(2), Some(2)]);
    }

    #[test]
    fn values_read_as_reports_give_them() {
        assert_eq!(Indicator::SolveRate.format(Some(0.5494)), "54.94%");
        assert_eq!(Indicator::CasesYoy.format(Some(-0.156)), "↓15.6%");
        assert_eq!(Indicator::LossYoy.format(Some(0.125)), "↑12.5%");
        assert_eq!(Indicator::CasesPer10k.format(Some(13.2)), "13.20");
        assert_eq!(Indicator::SuspectsCaught.format(Some(3.0)), "3");
        assert_eq!(Indicator::SolveRate.format(None), "—");
        for i in Indicator::ALL {
            assert_eq!(Indicator::parse(i.code()), Some(i));
        }
    }

    fn arb_scheme() -> impl Strategy<Value = Scheme> {
        (
            prop::collection::vec((1u32..50, any::<bool>()), 1..6),
            prop_oneof![Just(Method::MinMax), Just(Method::Rank)],
            0u32..100,
        )
            .prop_map(|(ws, method, floor)| {
                let sum: u32 = ws.iter().map(|(w, _)| w).sum();
                Scheme {
                    method,
                    floor: f64::from(floor),
                    indicators: ws
                        .iter()
                        .enumerate()
                        .map(|(i, (w, higher))| Weighted {
                            indicator: Indicator::ALL[i],
                            weight: f64::from(*w) * 100.0 / f64::from(sum),
                            better: if *higher {
                                Better::Higher
                            } else {
                                Better::Lower
                            },
                        })
                        .collect(),
                }
            })
    }

    proptest! {
        #[test]
        fn ranks_follow_totals_and_scores_stay_between_0_and_100(
            s in arb_scheme(),
            values in prop::collection::vec(
                prop::collection::vec(prop::option::weighted(0.8, -1e6f64..1e6), 6),
                0..12,
            ),
        ) {
            let r = score(&s, &values);
            prop_assert_eq!(r.totals.len(), values.len());
            for (row, total) in r.points.iter().zip(&r.totals) {
                for p in row.iter().flatten() {
                    prop_assert!((0.0..=100.0).contains(p), "points {}", p);
                }
                if let Some(t) = total {
                    prop_assert!((0.0..=100.0).contains(t), "total {}", t);
                }
                prop_assert_eq!(total.is_some(), row.iter().any(Option::is_some));
            }
            // Ranks: a unit without a total has none; the best total ranks 1; a higher total
            // ranks strictly before, an equal one the same; each rank is one more than the
            // number of units scoring higher (a permutation with ties).
            let ranked: Vec<(f64, u32)> = r.totals.iter().zip(&r.ranks).filter_map(|(t, k)| {
                match (t, k) {
                    (Some(t), Some(k)) => Some((*t, *k)),
                    _ => None,
                }
            }).collect();
            prop_assert_eq!(ranked.len(), r.totals.iter().flatten().count());
            prop_assert_eq!(ranked.len(), r.ranks.iter().flatten().count());
            if !ranked.is_empty() {
                prop_assert_eq!(ranked.iter().map(|(_, k)| *k).min(), Some(1));
            }
            for (a, ka) in &ranked {
                let higher = ranked.iter().filter(|(b, _)| b > a).count() as u32;
                prop_assert_eq!(*ka, higher + 1);
                for (b, kb) in &ranked {
                    if a > b { prop_assert!(ka < kb); }
                    if a == b { prop_assert_eq!(ka, kb); }
                }
            }
        }
    }
}
