//! Stage-1 scoring: number features → fraud probability.
//!
//! The engine takes any [`NumberScorer`]; the default is [`WeightedScore`], a transparent
//! logistic score whose weights are written out below so an analyst can read why a number is a
//! suspect. A trained model (gradient-boosted trees over [`NumberFeatures::to_vec`]) plugs in
//! through the same trait.

use crate::number::{NumberFeatures, NumberState};
use fanzha_core::event::{EpochMs, Msisdn};

pub trait NumberScorer: Send + Sync {
    /// Probability in [0, 1] that the number is used for fraud.
    fn score(&self, f: &NumberFeatures) -> f32;
    /// The score of `number` whose state is `state`, at `now`: exactly
    /// `self.score(&state.features(number, now))`. Stage 1 calls this on every call; a scorer
    /// that reads only some features may compute only those.
    fn score_state(&self, state: &NumberState, number: Msisdn, now: EpochMs) -> f32 {
        self.score(&state.features(number, now))
    }
    /// Short name shown in reports (`weighted`, `gbm` …).
    fn name(&self) -> &str;
}

/// A logistic score over a few saturating terms. Each term is in [0, 1] and says one thing the
/// field knows about fraud numbers: they use fresh SIMs, their calls are short (hung up on), they
/// call strangers and are not called back, send link SMS, call from overseas, and end up on
/// lists. The weights were set on a tuning city of the simulator (see `docs/detection.md`).
#[derive(Clone, Debug, Default)]
pub struct WeightedScore;

fn sat(x: f32, full: f32) -> f32 {
    (x / full).clamp(0.0, 1.0)
}

impl NumberScorer for WeightedScore {
    fn score(&self, f: &NumberFeatures) -> f32 {
        // A SIM opened in the last 60 days: fraud rings burn through fresh SIMs.
        let new_sim = if (0.0..60.0).contains(&f.sim_age_days) {
            1.0
        } else {
            0.0
        };
        // Mostly unanswered or hung-up calls, once there are enough calls to say so.
        let short_calls = f.short_call_share_24h * sat(f.calls_24h, 8.0);
        // Short average talk time over a real volume of calls.
        let brief = if f.calls_24h >= 5.0 && f.duration_mean_24h < 30.0 {
            1.0
        } else {
            0.0
        };
        // Calling many people it had never called before.
        let strangers = f.new_callee_share_24h * sat(f.distinct_callees_24h, 30.0);
        // Never called back, once it has called enough distinct people.
        let no_callbacks = if f.distinct_callees_7d >= 10.0 {
            1.0 - f.callback_share_7d.min(1.0)
        } else {
            0.0
        };
        let link_sms = sat(f.sms_links_24h, 5.0);
        let listed = (f.listed_national + f.listed_blocklist + f.listed_goip).min(1.0);
        let z = -5.0
            + 4.0 * new_sim
            + 2.5 * short_calls
            + 0.8 * brief
            + 1.0 * strangers
            + 0.5 * no_callbacks
            + 2.5 * link_sms
            + 8.0 * listed
            + 3.0 * f.overseas
            + 0.3 * f.virtual_segment;
        1.0 / (1.0 + (-z).exp())
    }

    fn score_state(&self, state: &NumberState, number: Msisdn, now: EpochMs) -> f32 {
        self.score(&state.weighted_score_features(number, now))
    }

    fn name(&self) -> &str {
        "weighted"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quiet_number_scores_low() {
        let f = NumberFeatures {
            calls_24h: 6.0,
            calls_7d: 30.0,
            distinct_callees_7d: 10.0,
            callback_share_7d: 0.8,
            new_callee_share_24h: 0.1,
            duration_mean_24h: 90.0,
            sim_age_days: 800.0,
            ..Default::default()
        };
        assert!(WeightedScore.score(&f) < 0.1);
    }

    #[test]
    fn a_fresh_sim_calling_many_strangers_briefly_scores_high() {
        let f = NumberFeatures {
            calls_1h: 20.0,
            calls_24h: 60.0,
            distinct_callees_24h: 55.0,
            distinct_callees_7d: 55.0,
            new_callee_share_24h: 0.95,
            short_call_share_24h: 0.6,
            sim_age_days: 3.0,
            ..Default::default()
        };
        assert!(WeightedScore.score(&f) > 0.8, "{}", WeightedScore.score(&f));
    }

    #[test]
    fn a_busy_old_number_with_long_calls_stays_low() {
        let f = NumberFeatures {
            calls_24h: 40.0,
            distinct_callees_24h: 30.0,
            new_callee_share_24h: 0.9,
            duration_mean_24h: 120.0,
            short_call_share_24h: 0.2,
            sim_age_days: 900.0,
            ..Default::default()
        };
        assert!(WeightedScore.score(&f) < 0.2, "{}", WeightedScore.score(&f));
    }

    #[test]
    fn a_listed_number_is_a_suspect_on_its_own() {
        let f = NumberFeatures {
            listed_goip: 1.0,
            ..Default::default()
        };
        assert!(WeightedScore.score(&f) > 0.5);
    }
}
