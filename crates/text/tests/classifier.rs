//! Behaviour of the classifier: learning, persistence, robustness.

use fanzha_text::model::ModelInfo;
use fanzha_text::{train, Classifier, FraudType, Model, TextError, TrainOptions};
use proptest::prelude::*;
use std::sync::OnceLock;

const TINY: &[(&str, FraudType)] = &[
    (
        "兼职刷单，点赞关注一单佣金五元，日结",
        FraudType::OrderBrushing,
    ),
    ("做任务垫付返利，连单才能提现佣金", FraudType::OrderBrushing),
    (
        "我是公安局民警，你的银行卡涉嫌洗钱，转入安全账户",
        FraudType::ImpersonatingPolice,
    ),
    (
        "检察院通缉令已下发，配合调查不要告诉家人",
        FraudType::ImpersonatingPolice,
    ),
    ("您的快递已到驿站，取件码123456", FraudType::Normal),
    ("妈，我到学校了，晚上给你打电话", FraudType::Normal),
    ("无抵押低息贷款，秒批放款，先交解冻金", FraudType::FakeLoan),
    (
        "贷款审批通过但银行卡号错误，缴纳保证金后放款",
        FraudType::FakeLoan,
    ),
];

fn tiny_model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| {
        let texts: Vec<&str> = TINY.iter().map(|(t, _)| *t).collect();
        let labels: Vec<FraudType> = TINY.iter().map(|(_, l)| *l).collect();
        let opts = TrainOptions {
            c: 10.0,
            ..TrainOptions::default()
        };
        train(&texts, &labels, &opts, ModelInfo::default()).expect("tiny set trains")
    })
}

#[test]
fn a_tiny_training_set_is_learned_perfectly() {
    let clf = Classifier::new(tiny_model().clone());
    for (text, label) in TINY {
        let p = clf.classify(text);
        assert_eq!(p.fraud_type, *label, "{text}");
        assert!(p.score > 0.0 && p.score <= 1.0);
    }
}

#[test]
fn top_terms_come_from_the_text_and_support_the_winning_type() {
    let clf = Classifier::new(tiny_model().clone());
    let text = "你的银行卡涉嫌洗钱，请配合公安局调查";
    let p = clf.classify(text);
    assert_eq!(p.fraud_type, FraudType::ImpersonatingPolice);
    assert!(!p.top_terms.is_empty());
    for t in &p.top_terms {
        assert!(text.contains(&t.term), "{} not in text", t.term);
        assert!(t.weight > 0.0);
    }
    let weights: Vec<f32> = p.top_terms.iter().map(|t| t.weight).collect();
    assert!(
        weights.windows(2).all(|w| w[0] >= w[1]),
        "sorted: {weights:?}"
    );
}

#[test]
fn save_and_load_round_trip_gives_identical_predictions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.fzt");
    tiny_model().save(&path).unwrap();
    let loaded = Classifier::load(&path).unwrap();
    let original = Classifier::new(tiny_model().clone());
    for text in ["刷单返利日结佣金", "快递取件码", "", "贷款解冻金"] {
        assert_eq!(loaded.classify(text), original.classify(text), "{text}");
    }
}

#[test]
fn bad_model_files_are_typed_errors() {
    let good = tiny_model().to_bytes().unwrap();
    let mut truncated = good.clone();
    truncated.truncate(good.len() / 2);
    let mut wrong_version = good.clone();
    wrong_version[8] = 99;
    for bytes in [
        b"not a model".to_vec(),
        Vec::new(),
        truncated,
        wrong_version,
        b"FZTXTMDL\x01\x00\x00\x00garbage".to_vec(),
    ] {
        let err = Model::from_bytes(&bytes).unwrap_err();
        assert!(matches!(err, TextError::ModelInvalid { .. }), "{err}");
        use fanzha_core::error_code::{Coded, ErrorCode};
        assert_eq!(err.code(), ErrorCode::ModelInvalid);
    }
    let missing = Model::load(std::path::Path::new("/nonexistent/model.fzt")).unwrap_err();
    assert!(matches!(missing, TextError::FileUnreadable { .. }));
}

#[test]
fn training_needs_two_types() {
    let err = train(
        &["a", "b"],
        &[FraudType::Normal, FraudType::Normal],
        &TrainOptions::default(),
        ModelInfo::default(),
    )
    .unwrap_err();
    assert!(matches!(err, TextError::TrainingSetTooSmall { .. }));
}

#[test]
fn huge_input_is_classified() {
    let clf = Classifier::new(tiny_model().clone());
    let huge = "兼职刷单佣金日结".repeat(50_000);
    assert_eq!(clf.classify(&huge).fraud_type, FraudType::OrderBrushing);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn classify_never_panics_on_any_text(s in "\\PC*") {
        let p = Classifier::new(tiny_model().clone()).classify(&s);
        prop_assert!(p.score.is_finite() && p.score > 0.0 && p.score <= 1.0);
    }

    #[test]
    fn classify_never_panics_on_binary_garbage(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let s = String::from_utf8_lossy(&bytes);
        let p = Classifier::new(tiny_model().clone()).classify(&s);
        prop_assert!(p.score.is_finite());
    }

    #[test]
    fn corrupted_model_bytes_never_panic(flip in 12usize..4000, byte in any::<u8>()) {
        let mut bytes = tiny_model().to_bytes().unwrap();
        let i = flip % bytes.len();
        bytes[i] = byte;
        let _ = Model::from_bytes(&bytes);
    }
}
