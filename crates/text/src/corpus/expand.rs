//! The template language of the synthetic corpus.
//!
//! `[a|b|c]` picks one alternative (nesting allowed, an empty alternative makes a part
//! optional); `{slot}` is replaced by a filler from [`super::slots`], which may itself be a
//! template.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::slots;

/// Expands `template` into `out`.
pub fn expand(template: &str, rng: &mut ChaCha8Rng, out: &mut String) {
    expand_depth(template, rng, out, 0);
}

fn expand_depth(t: &str, rng: &mut ChaCha8Rng, out: &mut String, depth: u32) {
    // Templates are written in this crate; the bound only guards against a slot naming itself.
    if depth > 8 {
        return;
    }
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'[' => {
                let close = matching(b, i);
                let inner = &t[i + 1..close];
                let alts = split_top(inner);
                let pick = alts[rng.random_range(0..alts.len())];
                expand_depth(pick, rng, out, depth + 1);
                i = close + 1;
            }
            b'{' => {
                let close = t[i..].find('}').map_or(b.len() - 1, |p| i + p);
                let filler = slots::fill(&t[i + 1..close], rng);
                expand_depth(&filler, rng, out, depth + 1);
                i = close + 1;
            }
            _ => {
                let next = t[i..].find(['[', '{']).map_or(b.len(), |p| i + p);
                out.push_str(&t[i..next]);
                i = next;
            }
        }
    }
}

fn matching(b: &[u8], open: usize) -> usize {
    let mut level = 0;
    for (j, &c) in b.iter().enumerate().skip(open) {
        match c {
            b'[' => level += 1,
            b']' => {
                level -= 1;
                if level == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    b.len() - 1
}

fn split_top(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut level, mut start) = (0, 0);
    for (j, c) in s.char_indices() {
        match c {
            '[' => level += 1,
            ']' => level -= 1,
            '|' if level == 0 => {
                parts.push(&s[start..j]);
                start = j + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn alternatives_nest_and_can_be_empty() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let mut s = String::new();
            expand("我[[很|非常]|]好", &mut rng, &mut s);
            seen.insert(s);
        }
        let want: std::collections::HashSet<String> = ["我很好", "我非常好", "我好"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(seen, want);
    }

    #[test]
    fn slots_are_filled() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let mut s = String::new();
        expand("转账{amount}元", &mut rng, &mut s);
        assert!(!s.contains('{'), "{s}");
        assert!(s.chars().any(|c| c.is_ascii_digit()), "{s}");
    }
}
