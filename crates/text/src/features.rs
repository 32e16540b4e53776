//! Features of a text: hashed word uni/bigrams (jieba) and character n-grams.
//!
//! Features are identified by a 64-bit xxh3 hash of the n-gram (stable across platforms and
//! releases, so a saved model keeps working); collisions are negligible at 64 bits, so no
//! vocabulary of strings is stored.

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::tokenize;

const SEED_CHAR: u64 = 0x6368_6172;
const SEED_WORD: u64 = 0x776f_7264;
const SEED_BIGRAM: u64 = 0x6269_6772;

/// Which n-grams a model uses; saved with the model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureConfig {
    /// Longest word n-gram (0: no word features, 1: words, 2: words and word pairs).
    pub word_max: u8,
    /// Shortest and longest character n-gram (0 for `char_max`: none).
    pub char_min: u8,
    pub char_max: u8,
    /// Replace digits by `0` before taking n-grams.
    pub fold_digits: bool,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            word_max: 2,
            char_min: 1,
            char_max: 4,
            fold_digits: true,
        }
    }
}

/// One n-gram occurrence: its feature hash and where it sits in the normalised text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    pub hash: u64,
    pub start: u32,
    pub end: u32,
}

/// A feature of one text with its count and one occurrence (for showing the term).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counted {
    pub hash: u64,
    pub count: u32,
    pub start: u32,
    pub end: u32,
}

/// A text ready for feature lookup: the normalised text and its counted n-grams.
#[derive(Clone, Debug, Default)]
pub struct Extracted {
    pub normalized: String,
    pub features: Vec<Counted>,
}

impl Extracted {
    /// The surface form of a feature (a slice of the normalised text).
    pub fn surface(&self, f: &Counted) -> &str {
        self.normalized
            .get(f.start as usize..f.end as usize)
            .unwrap_or("")
    }
}

impl FeatureConfig {
    /// Normalises `text` and extracts its counted features, sorted by hash.
    pub fn extract(&self, text: &str) -> Extracted {
        let normalized = tokenize::normalize(text, self.fold_digits);
        let mut terms = Vec::with_capacity(normalized.len() * 2);
        self.terms(&normalized, &mut terms);
        terms.sort_unstable_by_key(|t| t.hash);
        let mut features: Vec<Counted> = Vec::with_capacity(terms.len());
        for t in terms {
            match features.last_mut() {
                Some(last) if last.hash == t.hash => last.count += 1,
                _ => features.push(Counted {
                    hash: t.hash,
                    count: 1,
                    start: t.start,
                    end: t.end,
                }),
            }
        }
        Extracted {
            normalized,
            features,
        }
    }

    /// Every n-gram occurrence of an already normalised text, unsorted.
    pub fn terms(&self, s: &str, out: &mut Vec<Term>) {
        let base = s.as_ptr() as usize;
        if self.word_max >= 1 {
            let words = tokenize::words(s);
            let mut prev: Option<(u64, u32)> = None;
            for w in words {
                let start = (w.as_ptr() as usize - base) as u32;
                let end = start + w.len() as u32;
                let h = xxh3_64_with_seed(w.as_bytes(), SEED_WORD);
                out.push(Term {
                    hash: h,
                    start,
                    end,
                });
                if self.word_max >= 2 {
                    if let Some((ph, pstart)) = prev {
                        out.push(Term {
                            hash: xxh3_64_with_seed(w.as_bytes(), ph ^ SEED_BIGRAM),
                            start: pstart,
                            end,
                        });
                    }
                }
                prev = Some((h, start));
            }
        }
        if self.char_max >= 1 {
            let bounds: Vec<usize> = s
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(s.len()))
                .collect();
            let chars = bounds.len() - 1;
            let lo = self.char_min.max(1) as usize;
            for n in lo..=self.char_max as usize {
                for i in 0..chars.saturating_sub(n - 1) {
                    let (a, b) = (bounds[i], bounds[i + n]);
                    let g = &s[a..b];
                    // A single space says nothing; n-grams across a space still do.
                    if n == 1 && g == " " {
                        continue;
                    }
                    out.push(Term {
                        hash: xxh3_64_with_seed(g.as_bytes(), SEED_CHAR),
                        start: a as u32,
                        end: b as u32,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_repeated_ngrams_once_with_their_count() {
        let cfg = FeatureConfig {
            word_max: 0,
            char_min: 1,
            char_max: 2,
            fold_digits: true,
        };
        let e = cfg.extract("哈哈哈");
        // 哈 ×3, 哈哈 ×2
        assert_eq!(e.features.len(), 2);
        let mut counts: Vec<u32> = e.features.iter().map(|f| f.count).collect();
        counts.sort();
        assert_eq!(counts, vec![2, 3]);
        for f in &e.features {
            assert!(e.surface(f).starts_with('哈'));
        }
    }

    #[test]
    fn word_and_char_features_of_the_same_string_differ() {
        let cfg = FeatureConfig {
            word_max: 1,
            char_min: 2,
            char_max: 2,
            fold_digits: true,
        };
        let e = cfg.extract("转账");
        assert_eq!(
            e.features.len(),
            2,
            "word 转账 and char bigram 转账 are two features"
        );
    }

    #[test]
    fn digits_fold_so_amounts_share_features() {
        let cfg = FeatureConfig::default();
        let a: Vec<u64> = cfg
            .extract("返利58元")
            .features
            .iter()
            .map(|f| f.hash)
            .collect();
        let b: Vec<u64> = cfg
            .extract("返利99元")
            .features
            .iter()
            .map(|f| f.hash)
            .collect();
        assert_eq!(a, b);
    }
}
