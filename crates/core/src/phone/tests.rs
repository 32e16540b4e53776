use super::*;
use proptest::prelude::*;

fn p(s: &str) -> PhoneNumber {
    PhoneNumber::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn reason(s: &str) -> &'static str {
    PhoneNumber::parse(s)
        .map(|p| p.to_string())
        .unwrap_err()
        .reason()
}

#[test]
fn mainland_mobile_is_located_by_segment() {
    let n = p("13800138000");
    assert_eq!(n.kind(), PhoneKind::Mobile);
    assert_eq!(n.carrier(), Some(Carrier::ChinaMobile));
    assert_eq!(n.province(), Some("北京"));
    assert_eq!(n.city(), Some("北京"));
    assert_eq!(n.area_code(), Some("010"));
    assert_eq!(n.to_string(), "13800138000");
}

#[test]
fn prefixes_separators_and_full_width_digits_are_accepted() {
    for s in [
        "+86 138 0013 8000",
        "+86-138-0013-8000",
        "0086 13800138000",
        "8613800138000",
        "(+86)13800138000",
        "138-0013-8000",
        "１３８００１３８０００",
        "＋８６　１３８００１３８０００",
        " 13800138000\t",
    ] {
        assert_eq!(p(s).to_string(), "13800138000", "{s}");
    }
}

#[test]
fn virtual_operators_are_flagged() {
    // 170 blocks are virtual whatever carrier label the table gives them.
    let n = p("17001234567");
    assert_eq!(n.kind(), PhoneKind::Virtual);
    assert!(n.is_overseas_or_virtual());
    // A segment the table labels as a virtual operator outside the reserved prefixes.
    let table = phone_segments();
    let (prefix, seg) = table
        .iter()
        .find(|(pre, s)| {
            s.carrier.is_virtual() && ![170, 171, 162, 165, 167].contains(&(pre / 10_000))
        })
        .or_else(|| table.iter().find(|(_, s)| s.carrier.is_virtual()))
        .unwrap();
    let n = p(&format!("{prefix}0000"));
    assert_eq!(n.kind(), PhoneKind::Virtual);
    assert_eq!(n.carrier(), Some(seg.carrier));
}

#[test]
fn fixed_lines_need_a_known_area_code() {
    let n = p("0574-62345678");
    assert_eq!(n.kind(), PhoneKind::FixedLine);
    assert_eq!(n.area_code(), Some("0574"));
    assert_eq!(n.city(), Some("宁波"));
    assert_eq!(n.province(), Some("浙江"));
    assert_eq!(n.carrier(), None);
    assert_eq!(p("(010)62345678").to_string(), "010-62345678");
    assert_eq!(p("021 6234 5678").city(), Some("上海"));
    assert_eq!(p("+86 574 6234 5678").to_string(), "0574-62345678");
    assert_eq!(p("+86 (0)574 6234 5678").to_string(), "0574-62345678");
    assert_eq!(reason("0300-62345678"), "unknown_area_code");
    assert_eq!(reason("0574-623456"), "bad_length");
    assert_eq!(reason("0574-12345678"), "bad_subscriber_number");
    assert_eq!(reason("62345678"), "missing_area_code");
}

#[test]
fn service_numbers_are_classified() {
    for (s, kind) in [
        ("96110", ServiceKind::Hotline96),
        ("95588", ServiceKind::Hotline95),
        ("110", ServiceKind::Emergency),
        ("12345", ServiceKind::ShortCode),
        ("10086", ServiceKind::ShortCode),
        ("400-820-8820", ServiceKind::Enterprise400),
        ("800 810 8888", ServiceKind::TollFree800),
        ("1069012345678", ServiceKind::SmsPort),
    ] {
        let n = p(s);
        assert_eq!(n.kind(), PhoneKind::Service, "{s}");
        assert_eq!(n.service_kind(), Some(kind), "{s}");
        assert_eq!(n.city(), None);
    }
    assert_eq!(p("400-820-8820").to_string(), "4008208820");
}

#[test]
fn overseas_numbers_keep_their_country() {
    let n = p("+1 202 555 0123");
    assert_eq!(n.kind(), PhoneKind::Overseas);
    assert_eq!(n.country().unwrap().iso, "US");
    assert_eq!(n.to_string(), "+12025550123");
    assert_eq!(p("00855 12 345 678").country().unwrap().name, "柬埔寨");
    assert_eq!(p("+852 9123 4567").country().unwrap().iso, "HK");
    assert_eq!(p("+95 9 123 456 789").country().unwrap().iso, "MM");
    assert_eq!(reason("+999 1234567"), "unknown_country_code");
    assert_eq!(reason("+44 12"), "bad_length");
}

#[test]
fn bad_input_gets_a_reason() {
    assert_eq!(reason(""), "empty");
    assert_eq!(reason("  -- "), "empty");
    assert_eq!(reason("+"), "empty");
    assert_eq!(reason("1380013800a"), "non_digit");
    assert_eq!(reason("138+00138000"), "non_digit");
    assert_eq!(reason("1380013800"), "bad_length");
    assert_eq!(reason("138001380001"), "bad_length");
    assert_eq!(reason("1234567890123456789012345"), "too_long");
    assert_eq!(reason("19911470000"), "unknown_segment");
    assert_eq!(
        PhoneNumber::parse("x").unwrap_err().code(),
        ErrorCode::InvalidPhone
    );
}

#[test]
fn msisdn_conversion() {
    let n = p("13800138000");
    assert_eq!(n.to_msisdn().unwrap(), Msisdn(8_613_800_138_000));
    assert_eq!(
        PhoneNumber::from_msisdn(Msisdn(8_613_800_138_000)).unwrap(),
        n
    );
    let f = p("0574-62345678");
    assert_eq!(f.to_msisdn().unwrap(), Msisdn(8_657_462_345_678));
    assert_eq!(PhoneNumber::from_msisdn(f.to_msisdn().unwrap()).unwrap(), f);
    let bj = p("010-62345678");
    assert_eq!(
        PhoneNumber::from_msisdn(bj.to_msisdn().unwrap()).unwrap(),
        bj
    );
    for s in [
        "96110",
        "95588",
        "12345",
        "10086",
        "110",
        "4008208820",
        "+12025550123",
    ] {
        let n = p(s);
        assert_eq!(
            PhoneNumber::from_msisdn(n.to_msisdn().unwrap()).unwrap(),
            n,
            "{s}"
        );
    }
    assert_eq!(
        p("10690123456789012345").to_msisdn().unwrap_err().reason(),
        "too_long"
    );
}

#[test]
fn serde_uses_the_canonical_string() {
    let n = p("+86 0574 62345678");
    let j = serde_json::to_string(&n).unwrap();
    assert_eq!(j, "\"0574-62345678\"");
    assert_eq!(serde_json::from_str::<PhoneNumber>(&j).unwrap(), n);
}

fn known_prefix() -> impl Strategy<Value = u32> {
    let prefixes: Vec<u32> = phone_segments().iter().map(|(p, _)| p).collect();
    proptest::sample::select(prefixes)
}

#[test]
fn every_number_under_a_virtual_operator_prefix_is_virtual_whatever_its_network() {
    let mut checked = 0;
    for (prefix, _) in phone_segments().iter() {
        if !matches!(prefix / 10_000, 170 | 171 | 162 | 165 | 167) {
            continue;
        }
        for s in [format!("{prefix}0000"), format!("+86 {prefix}0000")] {
            assert_eq!(p(&s).kind(), PhoneKind::Virtual, "{s}");
        }
        checked += 1;
    }
    // The table names many of them by their host network (联通, 电信 …), not as virtual.
    assert!(checked > 40_000, "{checked}");
}

proptest! {
    #[test]
    fn the_plain_mobile_path_agrees_with_the_general_one(
        digits in "[0-9]{8,12}",
        head in proptest::sample::select(vec!["1", "13", "17", "19", "0", "10", "12", "00", "86", ""]),
        odd in proptest::option::of((0usize..11, proptest::sample::select(vec![' ', '-', 'a', '/', ':', '１']))),
    ) {
        let mut s: Vec<char> = format!("{head}{digits}").chars().take(12).collect();
        if let Some((i, c)) = odd {
            if i < s.len() {
                s[i] = c;
            }
        }
        let s: String = s.into_iter().collect();
        prop_assert_eq!(PhoneNumber::parse(&s), parse_general(&s), "{}", s);
        if s.len() == 11 && s.starts_with('1') && s.bytes().all(|b| b.is_ascii_digit()) && s.as_bytes()[1] >= b'3' {
            prop_assert!(plain_mobile(s.as_bytes()).is_some());
        }
    }

    #[test]
    fn every_known_segment_parses_and_round_trips(prefix in known_prefix(), tail in 0u32..10_000) {
        let s = format!("{prefix}{tail:04}");
        let n = PhoneNumber::parse(&s).unwrap();
        prop_assert_eq!(n.to_string(), s.clone());
        prop_assert!(matches!(n.kind(), PhoneKind::Mobile | PhoneKind::Virtual));
        prop_assert!(n.city().is_some());
        prop_assert_eq!(PhoneNumber::parse(&format!("+86 {s}")).unwrap(), n);
        prop_assert_eq!(PhoneNumber::from_msisdn(n.to_msisdn().unwrap()).unwrap(), n);
    }

    #[test]
    fn fixed_lines_round_trip(area in 0usize..300, local in 20_000_000u32..99_999_999) {
        let areas = phone_segments().area_codes();
        let a = &areas[area % areas.len()];
        let s = format!("{}-{local}", a.code);
        let n = PhoneNumber::parse(&s).unwrap();
        prop_assert_eq!(n.to_string(), s);
        prop_assert_eq!(PhoneNumber::from_msisdn(n.to_msisdn().unwrap()).unwrap(), n);
    }

    #[test]
    fn canonical_form_reparses_to_itself(s in "[+0-9 ()-]{0,24}") {
        if let Ok(n) = PhoneNumber::parse(&s) {
            prop_assert_eq!(PhoneNumber::parse(&n.to_string()).unwrap(), n);
        }
    }

    #[test]
    fn garbage_never_panics(s in "\\PC{0,40}") {
        let _ = PhoneNumber::parse(&s).map(|n| (n.to_string(), n.to_msisdn()));
    }

    #[test]
    fn any_msisdn_never_panics(v in any::<u64>()) {
        let _ = PhoneNumber::from_msisdn(Msisdn(v)).map(|n| n.to_msisdn());
    }
}

#[test]
fn a_number_is_small_and_finds_its_place_again() {
    // Kept by index, not by pointer: a million of them sit in an import's batches.
    assert!(std::mem::size_of::<PhoneNumber>() <= 28);
    // Every country is found again by its calling code (codes are unique in the table).
    for c in COUNTRIES {
        assert_eq!(by_calling_code(c.calling_code).map(|x| x.iso), Some(c.iso));
    }
    let fixed = p("0574-87654321");
    assert_eq!(fixed.kind(), PhoneKind::FixedLine);
    assert_eq!(
        (fixed.province(), fixed.city()),
        (Some("浙江"), Some("宁波"))
    );
    assert!(fixed.segment().is_none() && fixed.country().is_none());
    let mobile = p("13800138000");
    assert!(mobile.segment().is_some() && mobile.country().is_none());
    assert_eq!(mobile.province(), mobile.segment().map(|s| &*s.province));
}
