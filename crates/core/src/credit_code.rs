//! Unified social credit codes (统一社会信用代码, GB 32100-2015): 18 characters from the 31-symbol
//! set `0-9 A-H J-N P-R T-U W-Y` — registration authority (1), organisation type (1), division
//! code (6), organisation code (9, itself GB 11714 with its own check character) and a MOD 31
//! check character.

use crate::chars;
use crate::division_code::DivisionCode;
use crate::error_code::{Coded, ErrorCode};
use crate::reason::Reasoned;
use crate::reference::address_code_history;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Why a credit code was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("统一社会信用代码为空 / credit code is empty")]
    Empty,
    #[error("统一社会信用代码首尾有空白 / credit code has leading or trailing whitespace")]
    Whitespace,
    #[error("统一社会信用代码中间有空白 / credit code has whitespace inside")]
    EmbeddedSpace,
    #[error("统一社会信用代码应为 18 位 / credit code must have 18 characters")]
    BadLength,
    #[error("统一社会信用代码字母应为大写 / letters must be upper case")]
    Lowercase,
    #[error(
        "含 GB 32100 字符集以外的字符（不用 I、O、S、V、Z） / character outside the GB 32100 set"
    )]
    ForbiddenChar,
    #[error("校验码错误 / check character does not match")]
    BadCheckChar,
    #[error("登记管理部门代码未分配 / registration authority code is not assigned")]
    UnassignedAuthorityCode,
    #[error("组织机构代码校验码错误 / embedded organisation code fails its GB 11714 check")]
    BadOrgCodeCheck,
}

impl Reasoned for CreditCodeError {
    fn reason(&self) -> &'static str {
        match self {
            CreditCodeError::Empty => "empty",
            CreditCodeError::Whitespace => "whitespace",
            CreditCodeError::EmbeddedSpace => "embedded_space",
            CreditCodeError::BadLength => "bad_length",
            CreditCodeError::Lowercase => "lowercase",
            CreditCodeError::ForbiddenChar => "forbidden_char",
            CreditCodeError::BadCheckChar => "bad_check_char",
            CreditCodeError::UnassignedAuthorityCode => "unassigned_authority_code",
            CreditCodeError::BadOrgCodeCheck => "bad_org_code_check",
        }
    }
}

impl Coded for CreditCodeError {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidCreditCode
    }
}

/// Value 0–30 of a character of the set.
fn value(c: u8) -> Option<u32> {
    CHARSET.iter().position(|&x| x == c).map(|p| p as u32)
}

/// The GB 32100 check character of the first 17 characters (all from the set).
pub fn check_char(body: &[u8; 17]) -> Option<u8> {
    let mut sum = 0u32;
    for (&c, w) in body.iter().zip(WEIGHTS) {
        sum += value(c)? * w;
    }
    Some(CHARSET[((31 - sum % 31) % 31) as usize])
}

/// The GB 11714 check character of an 8-character organisation code body (digits and A–Z).
pub fn org_check_char(body: &[u8; 8]) -> Option<u8> {
    let mut sum = 0u32;
    for (&c, w) in body.iter().zip(ORG_WEIGHTS) {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return None,
        };
        sum += v * w;
    }
    Some(match 11 - sum % 11 {
        10 => b'X',
        11 => b'0',
        c => b'0' + c as u8,
    })
}

/// Registration authority (登记管理部门) of the first character, and the names of the
/// organisation types it assigns.
fn authority(c: u8) -> Option<(&'static str, &'static [(u8, &'static str)])> {
    Some(match c {
        b'1' => (
            "机构编制",
            &[
                (b'1', "机关"),
                (b'2', "事业单位"),
                (b'3', "中央编办直接管理机构编制的群众团体"),
                (b'9', "其他"),
            ],
        ),
        b'2' => ("外交", &[(b'1', "外国常驻新闻机构"), (b'9', "其他")]),
        b'3' => (
            "司法行政",
            &[
                (b'1', "律师执业机构"),
                (b'2', "公证处"),
                (b'3', "基层法律服务所"),
                (b'4', "司法鉴定机构"),
                (b'5', "仲裁委员会"),
                (b'9', "其他"),
            ],
        ),
        b'4' => ("文化", &[(b'1', "外国在华文化中心"), (b'9', "其他")]),
        b'5' => (
            "民政",
            &[
                (b'1', "社会团体"),
                (b'2', "民办非企业单位"),
                (b'3', "基金会"),
                (b'9', "其他"),
            ],
        ),
        b'6' => (
            "旅游",
            &[
                (b'1', "外国旅游部门常驻代表机构"),
                (b'2', "港澳台地区旅游部门常驻内地代表机构"),
                (b'9', "其他"),
            ],
        ),
        b'7' => (
            "宗教",
            &[(b'1', "宗教活动场所"), (b'2', "宗教院校"), (b'9', "其他")],
        ),
        b'8' => ("工会", &[(b'1', "基层工会"), (b'9', "其他")]),
        b'9' => (
            "工商（市场监管）",
            &[
                (b'1', "企业"),
                (b'2', "个体工商户"),
                (b'3', "农民专业合作社"),
            ],
        ),
        b'A' => (
            "中央军委改革和编制办公室",
            &[(b'1', "军队事业单位"), (b'9', "其他")],
        ),
        b'N' => (
            "农业",
            &[
                (b'1', "组级集体经济组织"),
                (b'2', "村级集体经济组织"),
                (b'3', "乡镇级集体经济组织"),
                (b'9', "其他"),
            ],
        ),
        b'Y' => ("其他", &[(b'1', "其他")]),
        _ => return None,
    })
}

/// A valid unified social credit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode {
    chars: [u8; 18],
}

impl CreditCode {
    /// Strict validation: no normalisation.
    pub fn parse(s: &str) -> Result<CreditCode, CreditCodeError> {
        if s.is_empty() {
            return Err(CreditCodeError::Empty);
        }
        match chars::space_at(s) {
            chars::SpaceAt::Edge => return Err(CreditCodeError::Whitespace),
            chars::SpaceAt::Inside => return Err(CreditCodeError::EmbeddedSpace),
            chars::SpaceAt::None => {}
        }
        let b = s.as_bytes();
        if s.chars().count() != 18 {
            return Err(CreditCodeError::BadLength);
        }
        if b.iter().any(u8::is_ascii_lowercase) {
            return Err(CreditCodeError::Lowercase);
        }
        if b.len() != 18 || b.iter().any(|&c| value(c).is_none()) {
            return Err(CreditCodeError::ForbiddenChar);
        }
        let mut code = [0u8; 18];
        code.copy_from_slice(b);
        let body: &[u8; 17] = code[..17]
            .try_into()
            .map_err(|_| CreditCodeError::BadLength)?;
        if check_char(body) != Some(code[17]) {
            return Err(CreditCodeError::BadCheckChar);
        }
        if authority(code[0]).is_none() {
            return Err(CreditCodeError::UnassignedAuthorityCode);
        }
        let org_body: &[u8; 8] = code[8..16]
            .try_into()
            .map_err(|_| CreditCodeError::BadLength)?;
        if org_check_char(org_body) != Some(code[16]) {
            return Err(CreditCodeError::BadOrgCodeCheck);
        }
        Ok(CreditCode { chars: code })
    }

    /// Strip whitespace, fold full-width characters and upper-case, then validate strictly.
    pub fn parse_normalised(s: &str) -> Result<CreditCode, CreditCodeError> {
        let mut buf = [0u8; 18];
        let mut n = 0;
        for c in s.chars().map(chars::fold) {
            if chars::is_space(c) {
                continue;
            }
            if n == 18 || !c.is_ascii() {
                return CreditCode::parse(s.trim_matches(chars::is_space));
            }
            buf[n] = (c as u8).to_ascii_uppercase();
            n += 1;
        }
        CreditCode::parse(std::str::from_utf8(&buf[..n]).unwrap_or_default())
    }

    /// Build a valid code from authority, type, 6-digit division and an 8-character organisation
    /// code body; both check characters are computed.
    pub fn generate(
        authority_code: u8,
        org_type: u8,
        division6: u32,
        org_body: &[u8; 8],
    ) -> Result<CreditCode, CreditCodeError> {
        let org_check = org_check_char(org_body).ok_or(CreditCodeError::ForbiddenChar)?;
        let mut code = [0u8; 18];
        code[0] = authority_code;
        code[1] = org_type;
        let div = format!("{:06}", division6 % 1_000_000);
        code[2..8].copy_from_slice(div.as_bytes());
        code[8..16].copy_from_slice(org_body);
        code[16] = org_check;
        let body: [u8; 17] = code[..17]
            .try_into()
            .map_err(|_| CreditCodeError::BadLength)?;
        code[17] = check_char(&body).ok_or(CreditCodeError::ForbiddenChar)?;
        CreditCode::parse(std::str::from_utf8(&code).map_err(|_| CreditCodeError::ForbiddenChar)?)
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.chars).unwrap_or_default()
    }

    /// Registration authority character and name (`9`, `工商（市场监管）`).
    pub fn registration_authority(&self) -> (char, &'static str) {
        let name = authority(self.chars[0]).map(|a| a.0).unwrap_or("");
        (char::from(self.chars[0]), name)
    }

    /// Organisation type character and, where the authority defines it, its name (`1`, `企业`).
    pub fn org_type(&self) -> (char, Option<&'static str>) {
        let name = authority(self.chars[0])
            .and_then(|(_, types)| types.iter().find(|t| t.0 == self.chars[1]))
            .map(|t| t.1);
        (char::from(self.chars[1]), name)
    }

    /// The 6-character division code of registration (positions 3–8).
    pub fn division_str(&self) -> &str {
        &self.as_str()[2..8]
    }

    /// The division of registration, when positions 3–8 are a code.
    pub fn division(&self) -> Option<DivisionCode> {
        self.division_str()
            .parse::<u32>()
            .ok()
            .and_then(DivisionCode::from_gb2260)
    }

    /// Name of the division of registration (`河南省郑州市中原区`), from the GB/T 2260 history.
    pub fn region_name(&self) -> Option<String> {
        let code: u32 = self.division_str().parse().ok()?;
        address_code_history().latest(code).map(|r| r.full_name())
    }

    /// The embedded 9-character organisation code (`MA1ABCD03`).
    pub fn org_code(&self) -> &str {
        &self.as_str()[8..17]
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CreditCode {
    type Err = CreditCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CreditCode::parse(s)
    }
}

impl Serialize for CreditCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CreditCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        CreditCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn widely_quoted_sample_is_valid() {
        let c = CreditCode::parse("91350100M000100Y43").unwrap();
        assert_eq!(c.registration_authority(), ('9', "工商（市场监管）"));
        assert_eq!(c.org_type(), ('1', Some("企业")));
        assert_eq!(c.org_code(), "M000100Y4");
        assert_eq!(c.division().unwrap().to_string(), "3501");
    }

    #[test]
    fn derived_parts() {
        let c = CreditCode::parse("91410102MA1ABCD03N").unwrap();
        assert_eq!(c.region_name().unwrap(), "河南省郑州市中原区");
        assert_eq!(c.division().unwrap().to_string(), "410102");
        let c = CreditCode::parse("513601025000000K03").unwrap();
        assert_eq!(c.org_type(), ('1', Some("社会团体")));
    }

    #[test]
    fn strict_reasons() {
        let r = |s: &str| CreditCode::parse(s).unwrap_err().reason();
        assert_eq!(r(""), "empty");
        assert_eq!(r(" 91410102MA1ABCD03N"), "whitespace");
        assert_eq!(r("91410102 MA1ABCD03N"), "embedded_space");
        assert_eq!(r("91410102MA1ABCD03"), "bad_length");
        assert_eq!(r("91410102ma1abcd03n"), "lowercase");
        assert_eq!(r("91410102MA1ABCD0-N"), "forbidden_char");
        assert_eq!(r("91410102MA1ABCD03中"), "forbidden_char");
        assert_eq!(r("91410102MA1ABCD03P"), "bad_check_char");
    }

    #[test]
    fn normalising_parse_fixes_case_and_spaces() {
        let c = CreditCode::parse_normalised(" 91410102 ma1abcd03n").unwrap();
        assert_eq!(c.as_str(), "91410102MA1ABCD03N");
    }

    #[test]
    fn generate_computes_both_check_characters() {
        let c = CreditCode::generate(b'9', b'1', 330281, b"MA2H4K6L").unwrap();
        assert_eq!(CreditCode::parse(c.as_str()).unwrap(), c);
        assert_eq!(
            CreditCode::generate(b'0', b'1', 330281, b"MA2H4K6L").unwrap_err(),
            CreditCodeError::UnassignedAuthorityCode
        );
    }

    fn org_char() -> impl Strategy<Value = u8> {
        // GB 32100 characters valid in an organisation code body.
        proptest::sample::select(CHARSET.to_vec())
    }

    proptest! {
        #[test]
        fn generated_codes_validate(
            auth in proptest::sample::select(b"123456789ANY".to_vec()),
            ty in proptest::sample::select(b"1239".to_vec()),
            div in 110000u32..660000,
            body in proptest::array::uniform8(org_char()),
        ) {
            // An organisation check character outside the GB 32100 set cannot be embedded.
            if let Ok(c) = CreditCode::generate(auth, ty, div, &body) {
                prop_assert_eq!(CreditCode::parse(&c.to_string()).unwrap(), c);
            } else {
                let check = org_check_char(&body).unwrap();
                prop_assert!(value(check).is_none());
            }
        }

        #[test]
        fn garbage_never_panics(s in "\\PC{0,24}") {
            let _ = CreditCode::parse(&s);
            let _ = CreditCode::parse_normalised(&s);
        }
    }
}
