//! Properties of stop-payment: pro-rata returns conserve money (a returns plan accounts for the
//! held balance to the fen); renewals never exceed two.

use chrono::{Duration, TimeZone, Utc};
use fanzha_trace::stop_payment::{
    pro_rata, returns_plan, Institution, StopPaymentRequest, StopState, MAX_STOP_RENEWALS,
};
use proptest::prelude::*;

proptest! {
    #[test]
    fn pro_rata_split_conserves_money_exactly(
        held in 0i64..1_000_000_000,
        claims in prop::collection::vec(0i64..100_000_000, 1..20),
    ) {
        let shares = pro_rata(held, &claims).unwrap();
        let total: i64 = claims.iter().sum();
        prop_assert_eq!(shares.iter().sum::<i64>(), held.min(total));
        for (s, c) in shares.iter().zip(&claims) {
            prop_assert!(*s >= 0 && s <= c);
        }
    }

    #[test]
    fn renewals_never_exceed_two(steps in prop::collection::vec(0i64..60, 1..10)) {
        let t0 = Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap();
        let mut r = StopPaymentRequest::new("6222", Institution::Unknown, 100, t0);
        r.confirm_held(t0, 100).unwrap();
        let mut at = t0;
        let mut ok = 0;
        for h in steps {
            at += Duration::hours(h);
            if r.renew(at).is_ok() {
                ok += 1;
            }
            if let StopState::Held { renewals, .. } = r.state {
                prop_assert!(renewals <= MAX_STOP_RENEWALS);
                prop_assert_eq!(renewals as usize, ok);
            }
        }
        prop_assert!(ok <= MAX_STOP_RENEWALS as usize);
    }

    /// A returns plan hands out exactly the held balance: the victims' shares plus what no
    /// claim covers. Each share is within one fen of its exact proportion when the claims
    /// exceed the balance, and the plan does not change when computed again.
    #[test]
    fn returns_plan_sums_to_the_held_balance(
        held in 0i64..1_000_000_000,
        claims in prop::collection::vec(0i64..100_000_000, 0..20),
    ) {
        let plan = returns_plan(held, &claims).unwrap();
        prop_assert_eq!(plan.shares.len(), claims.len());
        prop_assert_eq!(plan.shares.iter().sum::<i64>() + plan.unclaimed_fen, held);
        prop_assert!(plan.unclaimed_fen >= 0);
        let total: i64 = claims.iter().sum();
        if held <= total {
            prop_assert_eq!(plan.unclaimed_fen, 0);
            for (s, c) in plan.shares.iter().zip(&claims) {
                // |share - held * claim / total| < 1, in integers.
                let off = (*s as i128 * total as i128 - held as i128 * *c as i128).abs();
                prop_assert!(total == 0 || off < total as i128, "share {} of claim {}", s, c);
            }
        } else {
            prop_assert_eq!(&plan.shares, &claims);
        }
        prop_assert_eq!(returns_plan(held, &claims).unwrap(), plan);
    }
}
