//! Masking of personal data for lists and logs: `138****5678`, `3302**********1234`, `张*明`,
//! `6222 **** **** 1234`. Every function works on characters, accepts any input (short, odd,
//! non-ASCII) without panicking, and never reveals more than half of a short value.

const STAR: char = '*';

fn stars(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(STAR, n));
}

/// Keep `head` leading and `tail` trailing characters, star the rest; for values too short to
/// keep both with at least one star, fall back to keeping less.
fn keep_ends(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    let (head, tail) = if n > head + tail {
        (head, tail)
    } else if n >= 3 {
        (1, 1)
    } else {
        (0, 0)
    };
    let mut out = String::with_capacity(s.len());
    out.extend(&chars[..head]);
    stars(&mut out, n - head - tail);
    out.extend(&chars[n - tail..]);
    out
}

/// A phone number: first 3 and last 4 digits (`138****5678`). Separators are dropped.
pub fn mask_phone(s: &str) -> String {
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    keep_ends(&compact, 3, 4)
}

/// A resident ID number: first 4 and last 4 (`3302**********1234`).
pub fn mask_resident_id(s: &str) -> String {
    keep_ends(s.trim(), 4, 4)
}

/// A person's name: surname kept, given name starred except its last character for names of
/// three or more (`张*明`, `张*`, `欧**娜`).
pub fn mask_name(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    let mut out = String::with_capacity(s.len());
    match chars.len() {
        0 => {}
        1 => out.push(STAR),
        2 => {
            out.push(chars[0]);
            out.push(STAR);
        }
        n => {
            out.push(chars[0]);
            stars(&mut out, n - 2);
            out.push(chars[n - 1]);
        }
    }
    out
}

/// A bank card or account number: first 4 and last 4 in groups, the middle always shown as
/// `**** ****` so the length is not revealed (`6222 **** **** 1234`). Short values keep only
/// their last character.
pub fn mask_card(s: &str) -> String {
    let chars: Vec<char> = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let n = chars.len();
    let mut out = String::with_capacity(24);
    if n >= 9 {
        out.extend(&chars[..4]);
        out.push_str(" **** **** ");
        out.extend(&chars[n - 4..]);
    } else if n >= 2 {
        stars(&mut out, n - 1);
        out.push(chars[n - 1]);
    } else {
        stars(&mut out, n);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn phone() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("138 1234 5678"), "138****5678");
        assert_eq!(mask_phone("0574-62345678"), "057*****5678");
        assert_eq!(mask_phone("96110"), "9***0");
        assert_eq!(mask_phone("110"), "1*0");
        assert_eq!(mask_phone("12"), "**");
        assert_eq!(mask_phone(""), "");
    }

    #[test]
    fn resident_id() {
        assert_eq!(mask_resident_id("330281198506151234"), "3302**********1234");
        assert_eq!(mask_resident_id("33028119850615123X"), "3302**********123X");
        assert_eq!(mask_resident_id("1234567"), "1*****7");
        assert_eq!(mask_resident_id("ab"), "**");
    }

    #[test]
    fn name() {
        assert_eq!(mask_name("张三明"), "张*明");
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧**娜");
        assert_eq!(mask_name("张"), "*");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_name("Li"), "L*");
    }

    #[test]
    fn card() {
        assert_eq!(mask_card("6222021234561234"), "6222 **** **** 1234");
        assert_eq!(mask_card("6228480123456789015"), "6228 **** **** 9015");
        assert_eq!(mask_card("6228 4801 2345 6789 015"), "6228 **** **** 9015");
        assert_eq!(mask_card("12345"), "****5");
        assert_eq!(mask_card("1"), "*");
        assert_eq!(mask_card(""), "");
    }

    proptest! {
        #[test]
        fn masking_never_panics_and_hides_the_middle(s in "\\PC{0,30}") {
            for m in [mask_phone(&s), mask_resident_id(&s), mask_name(&s), mask_card(&s)] {
                // Whitespace of any kind counts on neither side: a card's groups are separated
                // by spaces, and a value may hold no-break or line separators.
                let visible = m.chars().filter(|&c| c != STAR && !c.is_whitespace()).count();
                let total = s.chars().filter(|c| !c.is_whitespace()).count();
                prop_assert!(visible <= total);
                if total >= 2 {
                    prop_assert!(m.contains(STAR), "{s:?} -> {m:?}");
                }
            }
        }
    }
}
