//! Behaviour of the whole recipe on synthetic data: learning, persistence, graph features.

use fanzha_model::metrics::roc_auc;
use fanzha_model::{train, train_with_graph, Dataset, Graph, GraphParams, Model, TrainParams};

/// Deterministic pseudo-random numbers in [0, 1) for building data sets.
fn noise(i: u64) -> f32 {
    let mut z = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 31)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    ((z >> 40) as f32) / (1u64 << 24) as f32
}

/// Label = x0 + x1 > 1 (separable), a third noise feature, and 10% missing in x2.
fn separable(n: usize, seed: u64) -> Dataset {
    let mut features = Vec::new();
    let mut labels = Vec::new();
    for i in 0..n as u64 {
        let x0 = noise(seed * 1_000_003 + 3 * i);
        let x1 = noise(seed * 1_000_003 + 3 * i + 1);
        let x2 = if i % 10 == 0 {
            f32::NAN
        } else {
            noise(seed * 1_000_003 + 3 * i + 2)
        };
        features.extend_from_slice(&[x0, x1, x2]);
        labels.push(if x0 + x1 > 1.0 { 1.0 } else { 0.0 });
    }
    Dataset::new(
        features,
        3,
        labels,
        vec!["x0".into(), "x1".into(), "noise".into()],
    )
    .unwrap()
}

fn scores(m: &Model, d: &Dataset) -> Vec<f32> {
    (0..d.n_rows()).map(|i| m.predict_proba(d.row(i))).collect()
}

#[test]
fn separable_data_reaches_auc_above_0_99_on_fresh_rows() {
    let model = train(&separable(3000, 1), &TrainParams::default()).unwrap();
    let test = separable(2000, 2);
    let auc = roc_auc(&scores(&model, &test), &test.labels).unwrap();
    assert!(auc > 0.99, "AUC {auc}");
    // the noise feature earns the least gain
    let imp = model.importances();
    assert_eq!(imp.last().unwrap().0, "noise", "{imp:?}");
    // labels at the chosen threshold are mostly right
    let correct = (0..test.n_rows())
        .filter(|&i| model.predict_label(test.row(i)) == (test.labels[i] == 1.0))
        .count();
    assert!(correct as f64 / test.n_rows() as f64 > 0.95);
}

#[test]
fn save_and_load_give_identical_predictions() {
    let model = train(&separable(800, 3), &TrainParams::default()).unwrap();
    let loaded = Model::from_json(&model.to_json()).unwrap();
    assert_eq!(loaded, model);
    let test = separable(300, 4);
    assert_eq!(scores(&loaded, &test), scores(&model, &test));
}

#[test]
fn other_format_versions_and_damaged_files_are_model_invalid() {
    use fanzha_core::error_code::{Coded, ErrorCode};
    let model = train(&separable(400, 5), &TrainParams::default()).unwrap();
    let json = model.to_json();
    let other = json.replacen("\"format_version\":1", "\"format_version\":99", 1);
    assert_ne!(other, json);
    let bad_child = {
        let mut m = model.clone();
        let inner = m.forest.nodes.iter().position(|n| !n.is_leaf()).unwrap();
        m.forest.nodes[inner].left = 10_000_000;
        m.to_json()
    };
    for text in [
        other.as_str(),
        "{}",
        "not json",
        &json[..json.len() / 2],
        bad_child.as_str(),
    ] {
        let e = Model::from_json(text).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ModelInvalid, "{e}");
    }
}

#[test]
fn same_seed_gives_the_same_model_and_another_seed_a_different_one() {
    let d = separable(600, 6);
    let a = train(&d, &TrainParams::default()).unwrap();
    let b = train(&d, &TrainParams::default()).unwrap();
    assert_eq!(a, b);
    let c = train(
        &d,
        &TrainParams {
            seed: 7,
            ..TrainParams::default()
        },
    )
    .unwrap();
    assert_ne!(a.forest, c.forest);
}

#[test]
fn one_class_and_bad_params_are_refused() {
    let mut d = separable(100, 8);
    d.labels.iter_mut().for_each(|y| *y = 0.0);
    assert!(train(&d, &TrainParams::default()).is_err());
    let d = separable(100, 8);
    let p = TrainParams {
        subsample: 0.0,
        ..TrainParams::default()
    };
    assert!(train(&d, &p).is_err());
}

#[test]
fn graph_labels_drive_scores_when_features_carry_no_signal() {
    // two communities; community A is fraud. Features are pure noise, so only the graph helps.
    let n = 600;
    let ids: Vec<String> = (0..n).map(|i| format!("u{i}")).collect();
    let community = |i: usize| i % 2;
    let mut edges = Vec::new();
    for i in 0..n {
        for k in 1..=6 {
            let j = (i + 2 * k) % n; // same parity = same community
            edges.push((ids[i].clone(), ids[j].clone()));
        }
    }
    let graph = Graph::from_edges(edges);
    // missing values too: the graph memory must survive saving with them
    let features: Vec<f32> = (0..n)
        .map(|i| {
            if i % 7 == 0 {
                f32::NAN
            } else {
                noise(i as u64 + 99)
            }
        })
        .collect();
    let labels: Vec<f32> = (0..n).map(|i| community(i) as f32).collect();
    let train_rows: Vec<usize> = (0..n).filter(|i| i % 3 != 0).collect();
    let test_rows: Vec<usize> = (0..n).filter(|i| i % 3 == 0).collect();
    let all = Dataset::new(features, 1, labels, vec!["noise".into()]).unwrap();
    let tr = all.subset(&train_rows);
    let te = all.subset(&test_rows);
    let id_tr: Vec<String> = train_rows.iter().map(|&i| ids[i].clone()).collect();
    let id_te: Vec<String> = test_rows.iter().map(|&i| ids[i].clone()).collect();
    let params = TrainParams {
        min_data_in_leaf: 5,
        ..TrainParams::default()
    };
    let model = train_with_graph(&tr, &id_tr, &graph, &params, &GraphParams::default()).unwrap();
    let p = model
        .predict_table(&te.features, &id_te, Some(&graph))
        .unwrap();
    let auc = roc_auc(&p, &te.labels).unwrap();
    assert!(auc > 0.99, "AUC with graph {auc}");
    // without the graph the same model refuses to score rather than guess
    assert!(model.predict_table(&te.features, &id_te, None).is_err());
    // and the graph memory survives a save/load round trip
    let loaded = Model::from_json(&model.to_json()).unwrap();
    assert_eq!(
        loaded
            .predict_table(&te.features, &id_te, Some(&graph))
            .unwrap(),
        p
    );
}
