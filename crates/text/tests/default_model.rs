//! The shipped classifier: present, in step with the corpus generator, and sensible.

use fanzha_text::{corpus, default_classifier, default_model, FraudType};

#[test]
fn shipped_model_was_trained_on_the_current_corpus() {
    let model = default_model::shipped_model().expect("shipped model parses");
    let corpus = corpus::generate(corpus::DEFAULT_PER_TYPE, corpus::DEFAULT_SEED);
    assert_eq!(
        model.info.corpus_digest,
        Some(corpus::digest(&corpus)),
        "templates changed: run `cargo run --release -p fanzha-text --example train_default`"
    );
    assert_eq!(model.classes.len(), FraudType::ALL.len());
}

#[test]
fn shipped_classifier_recognises_plain_examples() {
    let clf = default_classifier();
    let cases = [
        (
            "您好，我是公安局民警，您的银行卡涉嫌洗钱，请将资金转入安全账户配合调查",
            FraudType::ImpersonatingPolice,
        ),
        (
            "【中通】您的快递已到菜鸟驿站，取件码3-2-1108，请尽快取件",
            FraudType::Normal,
        ),
        (
            "招聘网络兼职，给商家点赞刷单，一单佣金10元，日结，加QQ",
            FraudType::OrderBrushing,
        ),
    ];
    for (text, want) in cases {
        let p = clf.classify(text);
        assert_eq!(p.fraud_type, want, "{text}: {p:?}");
        assert!(!p.top_terms.is_empty());
    }
}
