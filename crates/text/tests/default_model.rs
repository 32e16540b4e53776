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

#[test]
fn deciding_terms_read_as_words() {
    let clf = default_classifier();
    for text in [
        "对方让我在APP上点赞关注赚佣金，先返了几笔小额佣金，后来说要做连单任务，我转了三万块，佣金一直提不出来。",
        "自称公安局民警，说我的银行卡涉嫌洗钱，要求把钱转到安全账户配合调查，否则冻结全部资产。",
    ] {
        let p = clf.classify(text);
        assert!(p.top_terms.len() >= 2, "{text}: {:?}", p.top_terms);
        let terms: Vec<&str> = p.top_terms.iter().map(|t| t.term.as_str()).collect();
        for (i, t) in terms.iter().enumerate() {
            assert!(t.chars().count() >= 2, "a single character: {terms:?}");
            let first = t.chars().next().unwrap();
            let last = t.chars().last().unwrap();
            for c in [first, last] {
                assert!(
                    c.is_alphanumeric(),
                    "punctuation at an end of `{t}`: {terms:?}"
                );
            }
            for other in &terms[i + 1..] {
                assert!(
                    !t.contains(other) && !other.contains(t),
                    "`{t}` and `{other}` repeat each other: {terms:?}"
                );
            }
        }
    }
}
