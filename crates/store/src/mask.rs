//! Keys of personal records (ID numbers, phone numbers, account numbers) as they may appear in
//! error messages and logs: the first and last few characters only.

/// Keeps the first 3 and last 4 characters of keys longer than 8, masking the rest; shorter
/// keys are masked whole.
pub(crate) fn mask_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_ends_of_a_key_show() {
        assert_eq!(mask_key("13812345678"), "138****5678");
        assert_eq!(mask_key("330281199001011234"), "330***********1234");
        assert_eq!(mask_key("12345"), "*****");
    }
}
