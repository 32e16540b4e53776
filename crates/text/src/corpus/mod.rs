//! The synthetic corpus the shipped classifier is trained on: SMS, chat lines and case
//! narratives (简要案情) for every official fraud type, `other`, and everyday non-fraud texts,
//! expanded from templates written for fanzha.

mod expand;
mod fraud_templates;
mod normal_templates;
mod slots;

use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use xxhash_rust::xxh3::Xxh3;

use crate::fraud_type::FraudType;
use fraud_templates::{TypeTemplates, FRAUD};

pub use expand::expand;

/// Seed and size of the corpus the shipped model is trained on.
pub const DEFAULT_SEED: u64 = 96_110;
pub const DEFAULT_PER_TYPE: usize = 1_500;

/// Everyday texts per fraud text of one type: most messages people get are not fraud.
pub const NORMAL_SHARE: usize = 2;

/// One generated text.
#[derive(Clone, Debug, PartialEq)]
pub struct CorpusText {
    pub text: String,
    pub label: FraudType,
}

const NARRATIVE_OPEN: &[&str] = &[
    "[{date}|{date}{clock}|{md}]，[报警人|事主|受害人]{victim}[报警称|来所报案称|到派出所报称|拨打110报警称|通过96110反映|到{district}派出所报案称]：[其|本人|自己]",
    "[简要案情|案情]：{date}，{victim}[报称|称]，[其|]",
    "{victim}[报警|报案]，[称|反映]其[于|在]{md}",
];
const NARRATIVE_LOSS: &[&str] = &[
    "，共计被骗{amount}元。",
    "，累计[转账|损失]{big}元后发现被骗。",
    "，后对方将其拉黑，[损失|被骗]{amount}元。",
    "，[发现被骗后|察觉被骗后][报警|报案]，涉案金额{amount}元。",
    "。",
];
const REPORT_OPEN: &[&str] = &[
    "[{date}|{md}{clock}]，[报警人|事主]{victim}[报警称|来所称|拨打110称]：[其|]",
    "{victim}报称，",
];
const CHAT_PREFIX: &[&str] = &[
    "",
    "",
    "[对方|陌生人|网友]：",
    "[{chat}消息|{chat}]：",
    "[短信|来电]：",
];

/// Greetings and closings shared by fraud and everyday messages, so that politeness itself
/// says nothing about the type.
const OPENERS: &[&str] = &[
    "",
    "[您好|你好]！",
    "尊敬的[客户|用户]，您好！",
    "亲爱的[朋友|用户]，",
    "[喂|在吗]，",
];
const CLOSERS: &[&str] = &[
    "",
    "。",
    "！",
    "。[请尽快与我们联系|请尽快回复]。",
    "。[感谢您的配合|谢谢您的支持|谢谢]！",
    "。如有疑问，请随时联系我们。",
    "【退订回T】",
];

fn pick<'a>(rng: &mut ChaCha8Rng, xs: &'a [&'a str]) -> &'a str {
    xs[rng.random_range(0..xs.len())]
}

fn fraud_text(t: &TypeTemplates, rng: &mut ChaCha8Rng, out: &mut String) {
    match rng.random_range(0..10) {
        // A case narrative.
        0..=3 => {
            expand(pick(rng, NARRATIVE_OPEN), rng, out);
            expand(pick(rng, t.stories), rng, out);
            expand(pick(rng, NARRATIVE_LOSS), rng, out);
        }
        // Two chat lines of the same scam.
        4..=5 => {
            expand(pick(rng, CHAT_PREFIX), rng, out);
            expand(pick(rng, t.messages), rng, out);
            out.push_str(pick(rng, &["。", "！", "\n", " "]));
            expand(pick(rng, t.messages), rng, out);
        }
        // One message, often wrapped in a polite greeting and closing.
        _ => {
            if rng.random_range(0..2) == 0 {
                expand(pick(rng, OPENERS), rng, out);
            } else {
                expand(pick(rng, CHAT_PREFIX), rng, out);
            }
            expand(pick(rng, t.messages), rng, out);
            expand(pick(rng, CLOSERS), rng, out);
        }
    }
}

fn normal_text(rng: &mut ChaCha8Rng, out: &mut String) {
    match rng.random_range(0..10) {
        0 => {
            expand(pick(rng, REPORT_OPEN), rng, out);
            expand(pick(rng, normal_templates::REPORTS), rng, out);
            out.push('。');
        }
        1..=3 => {
            expand(pick(rng, OPENERS), rng, out);
            expand(pick(rng, normal_templates::MESSAGES), rng, out);
            expand(pick(rng, CLOSERS), rng, out);
        }
        _ => expand(pick(rng, normal_templates::MESSAGES), rng, out),
    }
}

/// A case narrative (简要案情) of a victim of `fraud_type` who lost `loss_fen`, as a 110 report
/// would carry it — the story drawn from the type's templates by `seed` — for the synthetic
/// city's victims reporting to the police. `None` for a type without stories (`normal`).
pub fn case_narrative(
    fraud_type: FraudType,
    victim: &str,
    loss_fen: i64,
    seed: u64,
) -> Option<String> {
    let t = FRAUD.iter().find(|t| t.fraud_type == fraud_type)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = format!("报警人{victim}报警称：其");
    expand(pick(&mut rng, t.stories), &mut rng, &mut out);
    let yuan = fanzha_core::Money::from_fen(loss_fen).to_string();
    out.push_str(&format!("，共计被骗{yuan}元。"));
    Some(out)
}

/// Generates `per_type` texts of every fraud type and `other`, and `NORMAL_SHARE × per_type`
/// normal texts,
/// deterministically from `seed`.
pub fn generate(per_type: usize, seed: u64) -> Vec<CorpusText> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(per_type * FraudType::ALL.len());
    for t in FRAUD {
        for _ in 0..per_type {
            let mut s = String::new();
            fraud_text(t, &mut rng, &mut s);
            out.push(CorpusText {
                text: s,
                label: t.fraud_type,
            });
        }
    }
    for _ in 0..per_type * NORMAL_SHARE {
        let mut s = String::new();
        normal_text(&mut rng, &mut s);
        out.push(CorpusText {
            text: s,
            label: FraudType::Normal,
        });
    }
    out
}

/// A digest of a corpus (texts and labels), to tell whether a model was trained on the
/// corpus the current templates produce.
pub fn digest(corpus: &[CorpusText]) -> u64 {
    let mut h = Xxh3::new();
    for c in corpus {
        h.update(c.text.as_bytes());
        h.update(&[0, c.label.index() as u8, 0]);
    }
    h.digest()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_narrative_names_the_victim_and_the_loss_and_reads_as_its_type() {
        let classifier = crate::default_classifier();
        let mut right = 0;
        for (i, t) in FraudType::FRAUD.iter().enumerate() {
            let text = case_narrative(*t, "张三丰", 123_456, i as u64).unwrap();
            assert!(text.starts_with("报警人张三丰报警称：其"), "{text}");
            assert!(text.ends_with("共计被骗1,234.56元。"), "{text}");
            assert!(!text.contains('{') && !text.contains('['), "{text}");
            right += usize::from(classifier.classify(&text).fraud_type == *t);
        }
        assert!(
            right * 10 >= FraudType::FRAUD.len() * 8,
            "{right} of {}",
            FraudType::FRAUD.len()
        );
        assert_eq!(case_narrative(FraudType::Normal, "张三丰", 1, 0), None);
    }

    #[test]
    fn every_type_is_generated_and_templates_expand_fully() {
        let corpus = generate(60, 7);
        for t in FraudType::ALL {
            let n = corpus.iter().filter(|c| c.label == t).count();
            let want = if t == FraudType::Normal {
                60 * NORMAL_SHARE
            } else {
                60
            };
            assert_eq!(n, want, "{t}");
        }
        for c in &corpus {
            assert!(!c.text.is_empty());
            for bad in ['{', '}', '[', ']', '|'] {
                assert!(!c.text.contains(bad), "unexpanded `{bad}` in {:?}", c.text);
            }
        }
    }

    #[test]
    fn generation_is_deterministic_and_varied() {
        let a = generate(40, 3);
        assert_eq!(digest(&a), digest(&generate(40, 3)));
        assert_ne!(digest(&a), digest(&generate(40, 4)));
        let mut texts: Vec<&str> = a.iter().map(|c| c.text.as_str()).collect();
        texts.sort();
        texts.dedup();
        assert!(texts.len() > a.len() * 9 / 10, "too many duplicates");
    }

    #[test]
    fn every_slot_key_has_a_filler() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for k in slots::KEYS {
            assert_ne!(slots::fill(k, &mut rng), *k, "{k}");
        }
    }
}
