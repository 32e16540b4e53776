//! Any string: parsing never panics; a valid card reparses to itself, survives the integer
//! account-number form, and masks without panicking.
#![no_main]
use fanzha_core::bank_card::BankCard;
use fanzha_core::mask::mask_card;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let _ = mask_card(s);
    let _ = BankCard::with_check_digit(s);
    let _ = BankCard::parse(s);
    if let Ok(c) = BankCard::parse_normalised(s) {
        assert_eq!(BankCard::parse(c.as_str()).ok(), Some(c));
        if !c.as_str().starts_with('0') {
            assert_eq!(BankCard::from_account_no(c.to_account_no()).ok(), Some(c));
        }
    }
});
