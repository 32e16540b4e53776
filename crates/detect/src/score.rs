//! Stage-1 scoring: number features → fraud probability.
//!
//! The engine takes any [`NumberScorer`]; the default is [`WeightedScore`], a transparent
//! logistic score whose weights are written out below so an analyst can read why a number is a
//! suspect. A trained model (gradient-boosted trees over [`NumberFeatures::to_vec`]) plugs in
//! through the same trait.

use crate::number::NumberFeatures;

pub trait NumberScorer: Send + Sync {
    /// Probability in [0, 1] that the number is used for fraud.
    fn score(&self, f: &NumberFeatures) -> f32;
    /// Short name shown in reports (`weighted`, `gbm` …).
    fn name(&self) -> &str;
}

/// A logistic score over a few saturating terms. Each term is in [0, 1] and says one thing the
/// field knows about fraud numbers: they call many strangers, in bursts, briefly, are never
/// called back, use new SIMs, send link SMS, and end up on lists.
#[derive(Clone, Debug, Default)]
pub struct WeightedScore;

fn sat(x: f32, full: f32) -> f32 {
    (x / full).clamp(0.0, 1.0)
}

impl NumberScorer for WeightedScore {
    fn score(&self, f: &NumberFeatures) -> f32 {
        // Volume of calls to strangers: the core of the score.
        let strangers_24h = f.new_callee_share_24h * f.calls_24h;
        let strangers_1h = f.new_callee_share_24h * f.calls_1h;
        // Being called back is what normal numbers have and fraud numbers lack; only speaks
        // once a number has called enough distinct people.
        let no_callbacks = if f.distinct_callees_7d >= 8.0 {
            1.0 - f.callback_share_7d.min(1.0)
        } else {
            0.0
        };
        let new_sim = if (0.0..7.0).contains(&f.sim_age_days) {
            1.0
        } else {
            0.0
        };
        let link_sms = sat(f.sms_links_24h, 10.0);
        let listed = (f.listed_national + f.listed_blocklist + f.listed_goip).min(1.0);
        let z = -6.0
            + 3.0 * sat(strangers_24h, 20.0)
            + 1.5 * sat(strangers_1h, 6.0)
            + 1.0 * sat(f.distinct_callees_24h, 30.0)
            + 1.0 * no_callbacks
            + 0.8 * f.short_call_share_24h * sat(f.calls_24h, 10.0)
            + 0.5 * f.night_call_share_24h * sat(f.calls_24h, 10.0)
            + 1.0 * new_sim
            + 2.0 * link_sms
            + 8.0 * listed
            + 1.0 * f.overseas
            + 0.5 * f.virtual_segment;
        1.0 / (1.0 + (-z).exp())
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
            ..Default::default()
        };
        assert!(WeightedScore.score(&f) < 0.1);
    }

    #[test]
    fn a_number_calling_many_strangers_scores_high() {
        let f = NumberFeatures {
            calls_1h: 20.0,
            calls_24h: 60.0,
            distinct_callees_24h: 55.0,
            distinct_callees_7d: 55.0,
            new_callee_share_24h: 0.95,
            short_call_share_24h: 0.6,
            ..Default::default()
        };
        assert!(WeightedScore.score(&f) > 0.8, "{}", WeightedScore.score(&f));
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
