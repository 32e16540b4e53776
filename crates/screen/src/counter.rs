//! The counter check (开卡前核验 · 一线拦截): before a bank or an operator opens a card, the
//! clerk asks the platform about the applicant and gets one of three answers. It is the same
//! screening as a new card's (the card that would be opened, now, at this outlet), turned into
//! advice the counter can act on, and cut to what an issuer may read.
//!
//! - **拒绝办理** (`refuse`): the applicant is under a punishment (惩戒) — the law bars such a
//!   person from new cards and accounts, so the issuer is told why — or the police's full
//!   score reaches the high level (a card seller, a mule account's holder…; the issuer is told
//!   only that the police hold risk information);
//! - **加强核验** (`verify`): the full score is medium — ask what the card is for, check that
//!   the applicant acts on their own will, refuse when in doubt;
//! - **正常办理** (`proceed`): nothing or little found.

use crate::{Finding, Level, ReasonCode, Screening};
use serde::{Deserialize, Serialize};

/// The advice the counter gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CounterVerdict {
    Proceed,
    Verify,
    Refuse,
}

impl CounterVerdict {
    pub const ALL: [CounterVerdict; 3] = [
        CounterVerdict::Refuse,
        CounterVerdict::Verify,
        CounterVerdict::Proceed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CounterVerdict::Proceed => "proceed",
            CounterVerdict::Verify => "verify",
            CounterVerdict::Refuse => "refuse",
        }
    }

    pub fn parse(s: &str) -> Option<CounterVerdict> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            CounterVerdict::Proceed => "正常办理",
            CounterVerdict::Verify => "加强核验",
            CounterVerdict::Refuse => "建议拒绝办理",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            CounterVerdict::Proceed => "Proceed",
            CounterVerdict::Verify => "Verify further",
            CounterVerdict::Refuse => "Refuse",
        }
    }
}

/// The advice for a screening of the card the applicant asks for.
pub fn counter_verdict(s: &Screening) -> CounterVerdict {
    if punished(s) || s.level == Level::High {
        CounterVerdict::Refuse
    } else if s.level == Level::Medium {
        CounterVerdict::Verify
    } else {
        CounterVerdict::Proceed
    }
}

fn punished(s: &Screening) -> bool {
    s.findings
        .iter()
        .any(|f| f.code == ReasonCode::HolderPunished)
}

/// What the counter reads of a check: the advice, the reasons an issuer may read, whether the
/// applicant is punished (the one police record the issuer is told, since it must enforce it)
/// and whether other police records weigh in (without which ones).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CounterAnswer {
    pub verdict: CounterVerdict,
    pub punished: bool,
    pub police_records: bool,
    pub findings: Vec<Finding>,
}

impl CounterAnswer {
    pub fn of(s: &Screening) -> CounterAnswer {
        CounterAnswer {
            verdict: counter_verdict(s),
            punished: punished(s),
            // A punished applicant's dossier is where the punishment is kept: it adds nothing
            // the counter is not told already.
            police_records: s.findings.iter().any(|f| {
                f.code.police_only()
                    && f.code != ReasonCode::HolderPunished
                    && !(punished(s) && f.code == ReasonCode::HolderKeyPerson)
            }),
            findings: s
                .findings
                .iter()
                .filter(|f| !f.code.police_only())
                .copied()
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn screening(codes: &[ReasonCode]) -> Screening {
        Screening::from_findings(codes.iter().map(|&c| Finding::new(c, Some(3))).collect())
    }

    #[test]
    fn a_punished_applicant_is_refused_and_told_why() {
        // 60 points alone; the issuer reads the punishment but no other police record.
        let s = screening(&[ReasonCode::HolderPunished]);
        let a = CounterAnswer::of(&s);
        assert_eq!(a.verdict, CounterVerdict::Refuse);
        assert!(a.punished && !a.police_records && a.findings.is_empty());
        // Its dossier holds the punishment: nothing more to hint at; a lead found sold is.
        let listed = CounterAnswer::of(&screening(&[
            ReasonCode::HolderPunished,
            ReasonCode::HolderKeyPerson,
        ]));
        assert!(listed.punished && !listed.police_records);
        let sold = CounterAnswer::of(&screening(&[
            ReasonCode::HolderPunished,
            ReasonCode::HolderKeyPerson,
            ReasonCode::HolderGaveCardAway,
        ]));
        assert!(sold.police_records);
    }

    #[test]
    fn police_records_refuse_or_verify_without_being_named() {
        // A card seller (50) is refused; a key person alone (40) is verified.
        let seller = CounterAnswer::of(&screening(&[ReasonCode::HolderGaveCardAway]));
        assert_eq!(seller.verdict, CounterVerdict::Refuse);
        assert!(seller.police_records && !seller.punished && seller.findings.is_empty());
        let key = CounterAnswer::of(&screening(&[ReasonCode::HolderKeyPerson]));
        assert_eq!(key.verdict, CounterVerdict::Verify);
        assert!(key.police_records);
    }

    #[test]
    fn the_issuers_own_reasons_are_shown_and_little_proceeds() {
        // A burst (35) is medium: verify, and the counter reads why.
        let burst = CounterAnswer::of(&screening(&[ReasonCode::CardBurst]));
        assert_eq!(burst.verdict, CounterVerdict::Verify);
        assert_eq!(burst.findings[0].code, ReasonCode::CardBurst);
        assert!(!burst.police_records);
        // Young (10) and another city (10): low, proceed with the notes.
        let low = CounterAnswer::of(&screening(&[ReasonCode::Young, ReasonCode::FarCity]));
        assert_eq!(low.verdict, CounterVerdict::Proceed);
        assert_eq!(low.findings.len(), 2);
        assert_eq!(
            CounterAnswer::of(&screening(&[])).verdict,
            CounterVerdict::Proceed
        );
    }

    #[test]
    fn verdicts_read_back_from_their_codes() {
        for v in CounterVerdict::ALL {
            assert_eq!(CounterVerdict::parse(v.as_str()), Some(v));
        }
        assert_eq!(CounterVerdict::parse("allow"), None);
    }

    proptest! {
        /// One more reason never softens the advice, and the issuer never reads a police-only
        /// reason.
        #[test]
        fn another_reason_never_softens_the_advice(
            picks in proptest::collection::btree_set(0..ReasonCode::ALL.len(), 0..6),
            extra in 0..ReasonCode::ALL.len(),
        ) {
            let codes: Vec<ReasonCode> = picks.iter().map(|&i| ReasonCode::ALL[i]).collect();
            let before = CounterAnswer::of(&screening(&codes));
            let mut more = codes.clone();
            if !more.contains(&ReasonCode::ALL[extra]) {
                more.push(ReasonCode::ALL[extra]);
            }
            let after = CounterAnswer::of(&screening(&more));
            prop_assert!(after.verdict >= before.verdict);
            prop_assert!(after.findings.iter().all(|f| !f.code.police_only()));
        }
    }
}
