//! Stop-payment planning (紧急止付): from the accounts a trace found holding victim money, one
//! request per account, grouped by the bank or platform that must execute it, each due 30
//! minutes after the report; the life of a request (held or failed, 48-hour stop renewable at
//! most twice, freeze for 6 months renewable, return); and the pro-rata split of a held balance
//! among several victims. Pure: no clock, no I/O — every transition takes its time.

use chrono::{DateTime, Duration, Months, Utc};
use fanzha_core::error_code::{Coded, ErrorCode};
use fanzha_core::reference::bank_bins;
use serde::{Deserialize, Serialize};

/// A request must be executed within this long after the report.
pub const DEADLINE: Duration = Duration::minutes(30);
/// How long one stop-payment lasts.
pub const STOP_DURATION: Duration = Duration::hours(48);
/// A stop-payment may be renewed at most this many times before it must become a freeze.
pub const MAX_STOP_RENEWALS: u8 = 2;
/// How long one freeze lasts.
pub const FREEZE_MONTHS: u32 = 6;

/// Who executes a request.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Institution {
    /// A bank, from the card number's BIN.
    Bank { code: String, name: String },
    /// A third-party payment platform (the money arrived through one).
    ThirdPartyPayment,
    /// The BIN table does not know the number.
    Unknown,
}

impl Institution {
    /// The institution of an account: third-party payment when the money came in through a
    /// platform, else the bank of the card number's BIN.
    pub fn of_account(account: &str, via_third_party: bool) -> Institution {
        if via_third_party {
            return Institution::ThirdPartyPayment;
        }
        match bank_bins().lookup(account.as_bytes()) {
            Some(m) => Institution::Bank {
                code: m.row.bank_code.to_string(),
                name: m.row.bank_name.to_string(),
            },
            None => Institution::Unknown,
        }
    }

    /// Label for people (Chinese first).
    pub fn label(&self) -> String {
        match self {
            Institution::Bank { name, .. } => name.clone(),
            Institution::ThirdPartyPayment => "第三方支付平台".to_string(),
            Institution::Unknown => "未知机构".to_string(),
        }
    }
}

/// Why a bank could not stop the money.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", content = "note", rename_all = "snake_case")]
pub enum FailReason {
    AccountNotFound,
    /// The money had already left the account.
    NoBalance,
    AccountClosed,
    /// Anything else, in the bank's words.
    Other(String),
}

/// Where a request stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum StopState {
    Requested,
    Held {
        amount_fen: i64,
        held_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        renewals: u8,
    },
    Failed {
        reason: FailReason,
        at: DateTime<Utc>,
    },
    /// The stop ran out without renewal or freeze.
    Lapsed {
        amount_fen: i64,
        at: DateTime<Utc>,
    },
    Frozen {
        amount_fen: i64,
        frozen_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        renewals: u32,
    },
    Returned {
        amount_fen: i64,
        at: DateTime<Utc>,
    },
}

impl StopState {
    pub fn name(&self) -> &'static str {
        match self {
            StopState::Requested => "requested",
            StopState::Held { .. } => "held",
            StopState::Failed { .. } => "failed",
            StopState::Lapsed { .. } => "lapsed",
            StopState::Frozen { .. } => "frozen",
            StopState::Returned { .. } => "returned",
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StopPaymentError {
    #[error("cannot {action} a stop-payment that is {from}")]
    IllegalTransition {
        from: &'static str,
        action: &'static str,
    },
    #[error("a stop-payment may be renewed at most {max} times; freeze the account instead")]
    RenewalLimit { max: u8 },
    #[error("the hold expired at {expires_at}")]
    Expired { expires_at: DateTime<Utc> },
    #[error("the hold runs until {expires_at}; it has not lapsed")]
    NotExpired { expires_at: DateTime<Utc> },
    #[error("amount {amount_fen} fen is not between 1 and the requested {requested_fen} fen")]
    Amount { amount_fen: i64, requested_fen: i64 },
    #[error("claims must be non-negative and the held balance non-negative")]
    NegativeShare,
}

impl Coded for StopPaymentError {
    fn code(&self) -> ErrorCode {
        match self {
            StopPaymentError::Amount { .. } | StopPaymentError::NegativeShare => {
                ErrorCode::StopPaymentAmountInvalid
            }
            _ => ErrorCode::StopPaymentIllegalTransition,
        }
    }
}

/// One stop-payment request for one account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopPaymentRequest {
    pub account: String,
    pub institution: Institution,
    pub requested_fen: i64,
    pub requested_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub state: StopState,
}

impl StopPaymentRequest {
    pub fn new(
        account: impl Into<String>,
        institution: Institution,
        requested_fen: i64,
        reported_at: DateTime<Utc>,
    ) -> StopPaymentRequest {
        StopPaymentRequest {
            account: account.into(),
            institution,
            requested_fen,
            requested_at: reported_at,
            deadline: reported_at + DEADLINE,
            state: StopState::Requested,
        }
    }

    fn illegal(&self, action: &'static str) -> StopPaymentError {
        StopPaymentError::IllegalTransition {
            from: self.state.name(),
            action,
        }
    }

    /// The bank confirms it holds `amount_fen` (at most the amount requested).
    pub fn confirm_held(
        &mut self,
        at: DateTime<Utc>,
        amount_fen: i64,
    ) -> Result<(), StopPaymentError> {
        if self.state != StopState::Requested {
            return Err(self.illegal("confirm"));
        }
        if amount_fen <= 0 || amount_fen > self.requested_fen {
            return Err(StopPaymentError::Amount {
                amount_fen,
                requested_fen: self.requested_fen,
            });
        }
        self.state = StopState::Held {
            amount_fen,
            held_at: at,
            expires_at: at + STOP_DURATION,
            renewals: 0,
        };
        Ok(())
    }

    /// The bank reports it could not stop the money.
    pub fn fail(&mut self, at: DateTime<Utc>, reason: FailReason) -> Result<(), StopPaymentError> {
        if self.state != StopState::Requested {
            return Err(self.illegal("fail"));
        }
        self.state = StopState::Failed { reason, at };
        Ok(())
    }

    /// Extends a running stop by another 48 hours from its current expiry.
    pub fn renew(&mut self, at: DateTime<Utc>) -> Result<(), StopPaymentError> {
        let StopState::Held {
            expires_at,
            renewals,
            ..
        } = &mut self.state
        else {
            return Err(self.illegal("renew"));
        };
        if at > *expires_at {
            return Err(StopPaymentError::Expired {
                expires_at: *expires_at,
            });
        }
        if *renewals >= MAX_STOP_RENEWALS {
            return Err(StopPaymentError::RenewalLimit {
                max: MAX_STOP_RENEWALS,
            });
        }
        *renewals += 1;
        *expires_at += STOP_DURATION;
        Ok(())
    }

    /// Records that a stop ran out.
    pub fn lapse(&mut self, at: DateTime<Utc>) -> Result<(), StopPaymentError> {
        let StopState::Held {
            amount_fen,
            expires_at,
            ..
        } = self.state
        else {
            return Err(self.illegal("lapse"));
        };
        if at <= expires_at {
            return Err(StopPaymentError::NotExpired { expires_at });
        }
        self.state = StopState::Lapsed { amount_fen, at };
        Ok(())
    }

    /// Turns a running stop into a freeze of six months.
    pub fn freeze(&mut self, at: DateTime<Utc>) -> Result<(), StopPaymentError> {
        let StopState::Held {
            amount_fen,
            expires_at,
            ..
        } = self.state
        else {
            return Err(self.illegal("freeze"));
        };
        if at > expires_at {
            return Err(StopPaymentError::Expired { expires_at });
        }
        self.state = StopState::Frozen {
            amount_fen,
            frozen_at: at,
            expires_at: add_months(at, FREEZE_MONTHS),
            renewals: 0,
        };
        Ok(())
    }

    /// Extends a freeze by six months from its current expiry.
    pub fn renew_freeze(&mut self, at: DateTime<Utc>) -> Result<(), StopPaymentError> {
        let StopState::Frozen {
            expires_at,
            renewals,
            ..
        } = &mut self.state
        else {
            return Err(self.illegal("renew the freeze of"));
        };
        if at > *expires_at {
            return Err(StopPaymentError::Expired {
                expires_at: *expires_at,
            });
        }
        *renewals += 1;
        *expires_at = add_months(*expires_at, FREEZE_MONTHS);
        Ok(())
    }

    /// The frozen money goes back to the victims (see [`pro_rata`] for several victims).
    pub fn mark_returned(&mut self, at: DateTime<Utc>) -> Result<(), StopPaymentError> {
        let StopState::Frozen { amount_fen, .. } = self.state else {
            return Err(self.illegal("return"));
        };
        self.state = StopState::Returned { amount_fen, at };
        Ok(())
    }

    /// Whether the bank confirmed the hold within 30 minutes of the report.
    pub fn held_within_deadline(&self) -> bool {
        match &self.state {
            StopState::Held { held_at, .. } => *held_at <= self.deadline,
            _ => false,
        }
    }
}

fn add_months(t: DateTime<Utc>, months: u32) -> DateTime<Utc> {
    // Only fails beyond the year 262143.
    t.checked_add_months(Months::new(months))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// An account to request a stop on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub account: String,
    pub held_fen: i64,
    pub via_third_party: bool,
}

/// The requests for one bank or platform.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InstitutionBatch {
    pub institution: Institution,
    pub total_fen: i64,
    pub requests: Vec<StopPaymentRequest>,
}

/// One request per target with money, grouped by institution (banks by code, then the
/// platforms, then unknown), each request due 30 minutes after `reported_at`; within a group,
/// largest amount first.
pub fn plan(reported_at: DateTime<Utc>, targets: &[Target]) -> Vec<InstitutionBatch> {
    let mut groups: std::collections::BTreeMap<Institution, Vec<StopPaymentRequest>> =
        std::collections::BTreeMap::new();
    for t in targets.iter().filter(|t| t.held_fen > 0) {
        let inst = Institution::of_account(&t.account, t.via_third_party);
        groups
            .entry(inst.clone())
            .or_default()
            .push(StopPaymentRequest::new(
                &t.account,
                inst,
                t.held_fen,
                reported_at,
            ));
    }
    groups
        .into_iter()
        .map(|(institution, mut requests)| {
            requests.sort_by(|a, b| {
                b.requested_fen
                    .cmp(&a.requested_fen)
                    .then_with(|| a.account.cmp(&b.account))
            });
            InstitutionBatch {
                institution,
                total_fen: requests.iter().map(|r| r.requested_fen).sum(),
                requests,
            }
        })
        .collect()
}

/// Splits a held balance among victims in proportion to their claims, in whole fen, by the
/// largest-remainder method: the shares sum to exactly `min(held, sum of claims)` and no victim
/// gets more than the claim. Ties in remainder go to the earlier claim.
pub fn pro_rata(held_fen: i64, claims_fen: &[i64]) -> Result<Vec<i64>, StopPaymentError> {
    if held_fen < 0 || claims_fen.iter().any(|&c| c < 0) {
        return Err(StopPaymentError::NegativeShare);
    }
    let total: i128 = claims_fen.iter().map(|&c| c as i128).sum();
    if total == 0 {
        return Ok(vec![0; claims_fen.len()]);
    }
    if held_fen as i128 >= total {
        return Ok(claims_fen.to_vec());
    }
    let held = held_fen as i128;
    let mut shares: Vec<i64> = Vec::with_capacity(claims_fen.len());
    let mut rems: Vec<(i128, usize)> = Vec::with_capacity(claims_fen.len());
    for (i, &c) in claims_fen.iter().enumerate() {
        let exact = held * c as i128;
        shares.push((exact / total) as i64);
        rems.push((exact % total, i));
    }
    let mut left = held_fen - shares.iter().sum::<i64>();
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in rems {
        if left == 0 {
            break;
        }
        if shares[i] < claims_fen[i] {
            shares[i] += 1;
            left -= 1;
        }
    }
    Ok(shares)
}

/// How a held (frozen) balance goes back to the victims whose money the traces found in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReturnsPlan {
    /// The balance being returned.
    pub held_fen: i64,
    /// Each claim's share, in the order the claims were given.
    pub shares: Vec<i64>,
    /// What is left when the balance exceeds every claim together: not victim money by the
    /// traces, so it is not returned to anyone (zero whenever the claims cover the balance).
    pub unclaimed_fen: i64,
}

/// The 发还 plan for a held balance: [`pro_rata`] shares of the victims' claims (each claim is
/// the victim money a case's trace found in the account) plus the unclaimed rest, so that
/// `shares + unclaimed == held` exactly, in whole fen. Deterministic: the same claims in the
/// same order give the same plan; remainders go to the largest fractional part, ties to the
/// earlier claim.
pub fn returns_plan(held_fen: i64, claims_fen: &[i64]) -> Result<ReturnsPlan, StopPaymentError> {
    let shares = pro_rata(held_fen, claims_fen)?;
    let returned: i64 = shares.iter().sum();
    Ok(ReturnsPlan {
        held_fen,
        unclaimed_fen: held_fen - returned,
        shares,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap()
    }

    fn req() -> StopPaymentRequest {
        StopPaymentRequest::new("6222020200112233445", Institution::Unknown, 50_000, t0())
    }

    #[test]
    fn deadline_is_thirty_minutes_after_report() {
        let r = req();
        assert_eq!(r.deadline, t0() + Duration::minutes(30));
        let mut late = req();
        late.confirm_held(t0() + Duration::minutes(31), 100)
            .unwrap();
        assert!(!late.held_within_deadline());
        let mut ok = req();
        ok.confirm_held(t0() + Duration::minutes(12), 100).unwrap();
        assert!(ok.held_within_deadline());
    }

    #[test]
    fn held_stop_renews_twice_then_must_freeze() {
        let mut r = req();
        r.confirm_held(t0(), 40_000).unwrap();
        r.renew(t0() + Duration::hours(47)).unwrap();
        r.renew(t0() + Duration::hours(90)).unwrap();
        assert_eq!(
            r.renew(t0() + Duration::hours(100)),
            Err(StopPaymentError::RenewalLimit { max: 2 })
        );
        match &r.state {
            StopState::Held {
                expires_at,
                renewals,
                ..
            } => {
                assert_eq!(*renewals, 2);
                assert_eq!(*expires_at, t0() + Duration::hours(144));
            }
            other => panic!("unexpected {other:?}"),
        }
        r.freeze(t0() + Duration::hours(120)).unwrap();
        let StopState::Frozen { expires_at, .. } = r.state else {
            panic!("not frozen")
        };
        assert_eq!(
            expires_at,
            Utc.with_ymd_and_hms(2026, 9, 6, 8, 0, 0).unwrap()
        );
        r.renew_freeze(expires_at).unwrap();
        r.mark_returned(expires_at).unwrap();
        assert_eq!(r.state.name(), "returned");
    }

    #[test]
    fn illegal_transitions_are_typed_errors() {
        let mut r = req();
        assert_eq!(
            r.renew(t0()),
            Err(StopPaymentError::IllegalTransition {
                from: "requested",
                action: "renew"
            })
        );
        assert!(matches!(
            r.confirm_held(t0(), 0),
            Err(StopPaymentError::Amount { .. })
        ));
        assert!(matches!(
            r.confirm_held(t0(), 50_001),
            Err(StopPaymentError::Amount { .. })
        ));
        r.fail(t0(), FailReason::NoBalance).unwrap();
        assert!(matches!(
            r.confirm_held(t0(), 1),
            Err(StopPaymentError::IllegalTransition { from: "failed", .. })
        ));
        let mut h = req();
        h.confirm_held(t0(), 1).unwrap();
        assert!(matches!(
            h.renew(t0() + Duration::hours(49)),
            Err(StopPaymentError::Expired { .. })
        ));
        assert!(matches!(
            h.lapse(t0() + Duration::hours(1)),
            Err(StopPaymentError::NotExpired { .. })
        ));
        h.lapse(t0() + Duration::hours(49)).unwrap();
        assert_eq!(h.state.name(), "lapsed");
        assert_eq!(
            StopPaymentError::RenewalLimit { max: 2 }.code(),
            ErrorCode::StopPaymentIllegalTransition
        );
    }

    #[test]
    fn plan_groups_by_institution_with_deadline() {
        let targets = vec![
            Target {
                account: "999900001".into(),
                held_fen: 100,
                via_third_party: false,
            },
            Target {
                account: "pay-7".into(),
                held_fen: 300,
                via_third_party: true,
            },
            Target {
                account: "999900002".into(),
                held_fen: 200,
                via_third_party: false,
            },
            Target {
                account: "999900003".into(),
                held_fen: 0,
                via_third_party: false,
            },
        ];
        let p = plan(t0(), &targets);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].institution, Institution::ThirdPartyPayment);
        assert_eq!(p[1].institution, Institution::Unknown);
        assert_eq!(p[1].total_fen, 300);
        assert_eq!(p[1].requests[0].account, "999900002");
        assert!(p
            .iter()
            .flat_map(|b| &b.requests)
            .all(|r| r.deadline == t0() + DEADLINE && r.state == StopState::Requested));
    }

    #[test]
    fn returns_plan_accounts_for_every_fen() {
        // Three victims share 10,000.01 yuan frozen in one account.
        let p = returns_plan(1_000_001, &[3_000_000, 2_000_000, 1_000_000]).unwrap();
        assert_eq!(p.shares, vec![500_000, 333_334, 166_667]);
        assert_eq!(p.unclaimed_fen, 0);
        // More held than the traces put there: the rest is unclaimed.
        let p = returns_plan(700, &[300, 200]).unwrap();
        assert_eq!((p.shares, p.unclaimed_fen), (vec![300, 200], 200));
        let p = returns_plan(0, &[]).unwrap();
        assert_eq!((p.shares, p.unclaimed_fen), (vec![], 0));
        assert!(returns_plan(5, &[-1]).is_err());
    }

    #[test]
    fn pro_rata_uses_largest_remainder() {
        assert_eq!(pro_rata(100, &[1, 1, 1]).unwrap(), vec![1, 1, 1]);
        assert_eq!(pro_rata(10, &[100, 100, 100]).unwrap(), vec![4, 3, 3]);
        assert_eq!(pro_rata(7, &[50, 30, 20]).unwrap(), vec![4, 2, 1]);
        assert_eq!(pro_rata(0, &[5]).unwrap(), vec![0]);
        assert!(pro_rata(-1, &[5]).is_err());
    }
}
