//! Properties of any trained model: probabilities in [0, 1], monotone calibration, missing
//! values and short rows never panic, saved models score identically.

use fanzha_model::{train, Dataset, Model, TrainParams};
use proptest::prelude::*;

fn dataset(rows: &[(f32, f32, bool)]) -> Dataset {
    let mut f = Vec::new();
    let mut y = Vec::new();
    for &(a, b, l) in rows {
        f.push(a);
        f.push(b);
        y.push(l as u8 as f32);
    }
    Dataset::new(f, 2, y, vec!["a".into(), "b".into()]).unwrap()
}

fn value() -> impl Strategy<Value = f32> {
    prop_oneof![
        9 => -1000.0f32..1000.0,
        1 => Just(f32::NAN),
    ]
}

fn small_params() -> TrainParams {
    TrainParams {
        n_rounds: 30,
        min_data_in_leaf: 2,
        early_stopping_rounds: 10,
        ..TrainParams::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn probabilities_are_in_unit_interval_and_monotone_in_raw_score(
        rows in prop::collection::vec((value(), value(), any::<bool>()), 20..120),
        probes in prop::collection::vec((value(), value()), 1..50),
    ) {
        let d = dataset(&rows);
        prop_assume!(d.n_positive() >= 2 && d.n_positive() + 2 <= d.n_rows());
        let m = train(&d, &small_params()).unwrap();
        let mut scored: Vec<(f32, f32)> = Vec::new();
        for (a, b) in &probes {
            let x = [*a, *b];
            let p = m.predict_proba(&x);
            prop_assert!((0.0..=1.0).contains(&p), "p = {}", p);
            scored.push((m.raw_score(&x), p));
            // short rows read as missing instead of panicking
            let short = m.predict_proba(&x[..1]);
            prop_assert!((0.0..=1.0).contains(&short));
        }
        // calibration preserves the order of raw scores
        scored.sort_by(|x, y| x.0.total_cmp(&y.0));
        for w in scored.windows(2) {
            prop_assert!(w[0].1 <= w[1].1);
        }
    }

    #[test]
    fn saved_models_score_identically(
        rows in prop::collection::vec((value(), value(), any::<bool>()), 20..80),
        probes in prop::collection::vec((value(), value()), 1..30),
    ) {
        let d = dataset(&rows);
        prop_assume!(d.n_positive() >= 2 && d.n_positive() + 2 <= d.n_rows());
        let m = train(&d, &small_params()).unwrap();
        let loaded = Model::from_json(&m.to_json()).unwrap();
        for (a, b) in &probes {
            let x = [*a, *b];
            prop_assert_eq!(m.predict_proba(&x).to_bits(), loaded.predict_proba(&x).to_bits());
        }
    }
}
