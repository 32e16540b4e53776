//! The victim's occupation (受害人职业), in the categories an anti-fraud center analyses its
//! cases by to aim its prevention work ("企业职工和个体工商户被骗案件占总数的62.4%"): a short
//! list of what the 110 / 96110 exports and the bureaus' reports name, plus `Other` (其他).
//! An unknown occupation (未知) is no category: it is the absence of one (`None`).
//!
//! The categories overlap with the 财政供养人员 flag of people and cases (paid from public
//! funds): `PublicSector` is the category of a flagged victim unless another one is stated (a
//! teacher at a public school stays a teacher); the flag itself is not set by the category.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An occupation category; stored and sent by its [`Occupation::code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Occupation {
    /// 企业职工: employed by a company, a factory, a shop owned by others.
    CompanyEmployee,
    /// 个体工商户: runs their own small business.
    SelfEmployed,
    /// 公职人员: staff of the party and state organs and public institutions (机关事业单位),
    /// the 财政供养人员 of the assessments.
    PublicSector,
    /// 学生.
    Student,
    /// 离退休人员.
    Retired,
    /// 农民: farming, fishing, husbandry.
    Farmer,
    /// 无业人员: without work, looking for work, keeping house.
    Unemployed,
    /// 自由职业: freelance and gig work (灵活就业).
    Freelance,
    /// 医务人员: doctors, nurses.
    Medical,
    /// 教师.
    Teacher,
    /// 金融从业人员: banks, securities, insurance.
    Finance,
    /// 财务人员: a company's accountant or cashier (the target of 冒充领导 frauds).
    Accountant,
    /// 其他: a stated occupation of none of the categories.
    Other,
}

/// A text that names no occupation category.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown occupation `{text}`")]
pub struct UnknownOccupation {
    /// The text, cut to 40 characters.
    pub text: String,
}

/// Words that say the occupation is not known (`Ok(None)`), not a category.
const UNKNOWN_WORDS: [&str; 11] = [
    "未知",
    "不详",
    "不明",
    "未填",
    "未填写",
    "未说明",
    "unknown",
    "-",
    "—",
    "/",
    "无记录",
];

/// Exact synonyms as 110 / 96110 exports and 工作单位性质 columns write them.
const SYNONYMS: [(&str, Occupation); 74] = [
    ("企业员工", Occupation::CompanyEmployee),
    ("企业职员", Occupation::CompanyEmployee),
    ("企业人员", Occupation::CompanyEmployee),
    ("公司职员", Occupation::CompanyEmployee),
    ("公司员工", Occupation::CompanyEmployee),
    ("职员", Occupation::CompanyEmployee),
    ("员工", Occupation::CompanyEmployee),
    ("职工", Occupation::CompanyEmployee),
    ("工人", Occupation::CompanyEmployee),
    ("企业", Occupation::CompanyEmployee),
    ("国有企业", Occupation::CompanyEmployee),
    ("国企", Occupation::CompanyEmployee),
    ("民营企业", Occupation::CompanyEmployee),
    ("私营企业", Occupation::CompanyEmployee),
    ("外资企业", Occupation::CompanyEmployee),
    ("务工", Occupation::CompanyEmployee),
    ("务工人员", Occupation::CompanyEmployee),
    ("外来务工人员", Occupation::CompanyEmployee),
    ("打工", Occupation::CompanyEmployee),
    // Migrant workers: employed, whatever 农 says.
    ("农民工", Occupation::CompanyEmployee),
    ("个体", Occupation::SelfEmployed),
    ("个体户", Occupation::SelfEmployed),
    ("个体经营", Occupation::SelfEmployed),
    ("个体经营者", Occupation::SelfEmployed),
    ("个体工商业者", Occupation::SelfEmployed),
    ("经商", Occupation::SelfEmployed),
    ("商人", Occupation::SelfEmployed),
    ("私营业主", Occupation::SelfEmployed),
    ("个体老板", Occupation::SelfEmployed),
    ("小商贩", Occupation::SelfEmployed),
    ("财政供养人员", Occupation::PublicSector),
    ("公务员", Occupation::PublicSector),
    ("机关事业单位人员", Occupation::PublicSector),
    ("机关事业单位", Occupation::PublicSector),
    ("事业单位人员", Occupation::PublicSector),
    ("事业单位", Occupation::PublicSector),
    ("机关", Occupation::PublicSector),
    ("机关干部", Occupation::PublicSector),
    ("国家机关工作人员", Occupation::PublicSector),
    ("国家公职人员", Occupation::PublicSector),
    ("在校学生", Occupation::Student),
    ("大学生", Occupation::Student),
    ("中学生", Occupation::Student),
    ("小学生", Occupation::Student),
    ("研究生", Occupation::Student),
    ("退休", Occupation::Retired),
    ("离休", Occupation::Retired),
    ("退休人员", Occupation::Retired),
    ("离退休", Occupation::Retired),
    ("务农", Occupation::Farmer),
    ("农户", Occupation::Farmer),
    ("渔民", Occupation::Farmer),
    ("养殖户", Occupation::Farmer),
    ("种植户", Occupation::Farmer),
    ("无业", Occupation::Unemployed),
    ("待业", Occupation::Unemployed),
    ("失业", Occupation::Unemployed),
    ("失业人员", Occupation::Unemployed),
    ("无职业", Occupation::Unemployed),
    ("无", Occupation::Unemployed),
    ("家庭主妇", Occupation::Unemployed),
    ("自由职业者", Occupation::Freelance),
    ("灵活就业", Occupation::Freelance),
    ("灵活就业人员", Occupation::Freelance),
    ("医生", Occupation::Medical),
    ("护士", Occupation::Medical),
    ("医护人员", Occupation::Medical),
    ("老师", Occupation::Teacher),
    ("教职工", Occupation::Teacher),
    ("银行职员", Occupation::Finance),
    ("银行员工", Occupation::Finance),
    ("财会人员", Occupation::Accountant),
    ("会计", Occupation::Accountant),
    ("出纳", Occupation::Accountant),
];

/// Words that decide a longer description ("某某公司财务", "企业退休职工"), tried in this
/// order when no name or synonym matches the whole text: the more telling word first.
const KEYWORDS: [(&str, Occupation); 30] = [
    ("退休", Occupation::Retired),
    ("离休", Occupation::Retired),
    ("学生", Occupation::Student),
    ("教师", Occupation::Teacher),
    ("老师", Occupation::Teacher),
    ("医生", Occupation::Medical),
    ("护士", Occupation::Medical),
    ("医务", Occupation::Medical),
    ("医护", Occupation::Medical),
    ("财务", Occupation::Accountant),
    ("会计", Occupation::Accountant),
    ("出纳", Occupation::Accountant),
    ("银行", Occupation::Finance),
    ("证券", Occupation::Finance),
    ("金融", Occupation::Finance),
    ("财政供养", Occupation::PublicSector),
    ("公务员", Occupation::PublicSector),
    ("事业单位", Occupation::PublicSector),
    ("机关", Occupation::PublicSector),
    ("个体", Occupation::SelfEmployed),
    ("企业", Occupation::CompanyEmployee),
    ("公司", Occupation::CompanyEmployee),
    ("工厂", Occupation::CompanyEmployee),
    ("职工", Occupation::CompanyEmployee),
    ("员工", Occupation::CompanyEmployee),
    ("务农", Occupation::Farmer),
    ("农民", Occupation::Farmer),
    ("无业", Occupation::Unemployed),
    ("待业", Occupation::Unemployed),
    ("自由职业", Occupation::Freelance),
];

impl Occupation {
    /// Every category, in the order the profile lists them (`Other` last).
    pub const ALL: [Occupation; 13] = [
        Occupation::CompanyEmployee,
        Occupation::SelfEmployed,
        Occupation::PublicSector,
        Occupation::Student,
        Occupation::Retired,
        Occupation::Farmer,
        Occupation::Unemployed,
        Occupation::Freelance,
        Occupation::Medical,
        Occupation::Teacher,
        Occupation::Finance,
        Occupation::Accountant,
        Occupation::Other,
    ];

    /// The stable code, stored in the database and used in forms, files and JSON.
    pub fn code(self) -> &'static str {
        match self {
            Occupation::CompanyEmployee => "company_employee",
            Occupation::SelfEmployed => "self_employed",
            Occupation::PublicSector => "public_sector",
            Occupation::Student => "student",
            Occupation::Retired => "retired",
            Occupation::Farmer => "farmer",
            Occupation::Unemployed => "unemployed",
            Occupation::Freelance => "freelance",
            Occupation::Medical => "medical",
            Occupation::Teacher => "teacher",
            Occupation::Finance => "finance",
            Occupation::Accountant => "accountant",
            Occupation::Other => "other",
        }
    }

    /// The Chinese name, as reports write it.
    pub fn zh(self) -> &'static str {
        match self {
            Occupation::CompanyEmployee => "企业职工",
            Occupation::SelfEmployed => "个体工商户",
            Occupation::PublicSector => "公职人员",
            Occupation::Student => "学生",
            Occupation::Retired => "离退休人员",
            Occupation::Farmer => "农民",
            Occupation::Unemployed => "无业人员",
            Occupation::Freelance => "自由职业",
            Occupation::Medical => "医务人员",
            Occupation::Teacher => "教师",
            Occupation::Finance => "金融从业人员",
            Occupation::Accountant => "财务人员",
            Occupation::Other => "其他",
        }
    }

    /// The English name for the UI.
    pub fn en(self) -> &'static str {
        match self {
            Occupation::CompanyEmployee => "Company employee",
            Occupation::SelfEmployed => "Self-employed",
            Occupation::PublicSector => "Public-sector staff",
            Occupation::Student => "Student",
            Occupation::Retired => "Retired",
            Occupation::Farmer => "Farmer",
            Occupation::Unemployed => "Unemployed",
            Occupation::Freelance => "Freelance",
            Occupation::Medical => "Medical staff",
            Occupation::Teacher => "Teacher",
            Occupation::Finance => "Finance professional",
            Occupation::Accountant => "Accountant",
            Occupation::Other => "Other",
        }
    }

    /// The category of a stored code; `None` for anything else.
    pub fn from_code(code: &str) -> Option<Occupation> {
        Occupation::ALL.into_iter().find(|o| o.code() == code)
    }

    /// Reads an occupation as people and exports write it: the code, the Chinese or English
    /// name, a common synonym (`公务员`, `个体户`, `退休`, `在校学生` …), or a longer
    /// description decided by a telling word (`某某公司财务` is an accountant, `企业退休职工`
    /// retired). Spaces and a trailing `人员` / `者` do not matter. `Ok(None)` when the text
    /// says nothing or that the occupation is unknown (`未知`, `不详`, empty); an error when it
    /// names something outside the categories (`保洁员`) — a caller that keeps it stores
    /// [`Occupation::Other`] with the text.
    pub fn parse_label(text: &str) -> Result<Option<Occupation>, UnknownOccupation> {
        let t: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
            .collect();
        if t.is_empty() || UNKNOWN_WORDS.iter().any(|w| w.eq_ignore_ascii_case(&t)) {
            return Ok(None);
        }
        let whole = |s: &str| {
            Occupation::ALL
                .into_iter()
                .find(|o| {
                    o.code().eq_ignore_ascii_case(s)
                        || o.zh() == s
                        || o.en().replace(' ', "").eq_ignore_ascii_case(s)
                })
                .or_else(|| SYNONYMS.iter().find(|(w, _)| *w == s).map(|(_, o)| *o))
        };
        if let Some(o) = whole(&t) {
            return Ok(Some(o));
        }
        if let Some(stem) = t
            .strip_suffix("人员")
            .or_else(|| t.strip_suffix('者'))
            .filter(|s| !s.is_empty())
        {
            if let Some(o) = whole(stem) {
                return Ok(Some(o));
            }
        }
        match ["其它", "其他人员", "其他职业", "其他从业人员"].contains(&t.as_str())
        {
            true => Ok(Some(Occupation::Other)),
            false => KEYWORDS
                .iter()
                .find(|(w, _)| t.contains(w))
                .map(|(_, o)| Some(*o))
                .ok_or_else(|| UnknownOccupation {
                    text: text.trim().chars().take(40).collect(),
                }),
        }
    }
}

impl fmt::Display for Occupation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_round_trip() {
        for o in Occupation::ALL {
            assert_eq!(Occupation::from_code(o.code()), Some(o));
            assert_eq!(Occupation::parse_label(o.code()), Ok(Some(o)), "{o}");
            assert_eq!(Occupation::parse_label(o.zh()), Ok(Some(o)), "{}", o.zh());
            assert_eq!(Occupation::parse_label(o.en()), Ok(Some(o)), "{}", o.en());
            let json = serde_json::to_string(&o).unwrap();
            assert_eq!(json, format!("\"{}\"", o.code()));
        }
        assert_eq!(Occupation::from_code("unknown"), None);
        assert_eq!(Occupation::from_code("企业职工"), None, "codes only");
    }

    #[test]
    fn codes_and_names_are_unique() {
        for (i, a) in Occupation::ALL.iter().enumerate() {
            for b in &Occupation::ALL[i + 1..] {
                assert_ne!(a.code(), b.code());
                assert_ne!(a.zh(), b.zh());
                assert_ne!(a.en(), b.en());
            }
        }
    }

    #[test]
    fn synonyms_of_exports_map_onto_the_categories() {
        for (text, want) in [
            ("企业员工", Occupation::CompanyEmployee),
            ("公司职员", Occupation::CompanyEmployee),
            ("私营企业", Occupation::CompanyEmployee),
            ("个体户", Occupation::SelfEmployed),
            ("个体经营者", Occupation::SelfEmployed),
            ("财政供养人员", Occupation::PublicSector),
            ("公务员", Occupation::PublicSector),
            ("事业单位", Occupation::PublicSector),
            ("机关事业单位人员", Occupation::PublicSector),
            ("在校学生", Occupation::Student),
            ("大学生", Occupation::Student),
            ("退休", Occupation::Retired),
            ("退休人员", Occupation::Retired),
            ("务农", Occupation::Farmer),
            ("农民", Occupation::Farmer),
            ("无业", Occupation::Unemployed),
            ("待业", Occupation::Unemployed),
            ("自由职业者", Occupation::Freelance),
            ("灵活就业人员", Occupation::Freelance),
            ("医生", Occupation::Medical),
            ("护士", Occupation::Medical),
            ("老师", Occupation::Teacher),
            ("银行职员", Occupation::Finance),
            ("金融从业者", Occupation::Finance),
            ("会计", Occupation::Accountant),
            ("其它", Occupation::Other),
            ("农民工", Occupation::CompanyEmployee),
            ("无", Occupation::Unemployed),
            // Spaces, the full-width space, a trailing 人员 or 者.
            (" 企业 职工 ", Occupation::CompanyEmployee),
            ("\u{3000}学生", Occupation::Student),
            ("教师人员", Occupation::Teacher),
            ("COMPANY_EMPLOYEE", Occupation::CompanyEmployee),
        ] {
            assert_eq!(Occupation::parse_label(text), Ok(Some(want)), "{text}");
        }
    }

    #[test]
    fn longer_descriptions_are_decided_by_the_telling_word() {
        for (text, want) in [
            ("宁波某某有限公司财务", Occupation::Accountant),
            ("企业退休职工", Occupation::Retired),
            ("事业单位退休", Occupation::Retired),
            ("某某中学教师", Occupation::Teacher),
            ("市第一医院护士", Occupation::Medical),
            ("工商银行柜员", Occupation::Finance),
            ("某某公司销售", Occupation::CompanyEmployee),
            ("服装厂员工", Occupation::CompanyEmployee),
            ("个体（餐饮）", Occupation::SelfEmployed),
            ("某某大学学生", Occupation::Student),
        ] {
            assert_eq!(Occupation::parse_label(text), Ok(Some(want)), "{text}");
        }
    }

    #[test]
    fn unknown_words_are_no_category_and_other_text_is_an_error() {
        for text in ["", "  ", "未知", "不详", "Unknown", "-", "/"] {
            assert_eq!(Occupation::parse_label(text), Ok(None), "{text:?}");
        }
        assert_eq!(
            Occupation::parse_label(" 保洁员 "),
            Err(UnknownOccupation {
                text: "保洁员".into()
            })
        );
        let long = "很".repeat(60);
        assert_eq!(
            Occupation::parse_label(&long)
                .unwrap_err()
                .text
                .chars()
                .count(),
            40
        );
    }
}
