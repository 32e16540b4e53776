//! Synthetic record files with known defects, for tests, benchmarks and demonstrations: a people
//! CSV whose good rows pass every check (real division codes and number segments from the
//! reference tables, correct check digits) and whose bad rows each carry one known defect, with
//! the line and reason of every bad row returned as ground truth.
//!
//! All names, numbers and addresses are generated; none is a real person's.

use crate::days::civil_from_days;
use crate::field::Field;
use crate::quarantine::reason;
use fanzha_core::reference::{divisions, phone_segments};
use fanzha_core::DivisionCode;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::{self, Write};

/// What to generate.
#[derive(Clone, Debug)]
pub struct PeopleSpec {
    /// Data rows (good and bad).
    pub rows: usize,
    /// Share of rows with a defect (0.01 = 1%).
    pub bad_share: f64,
    pub seed: u64,
    /// Also write rows with bytes that are not UTF-8 (reason `encoding_error`).
    pub encoding_errors: bool,
}

impl Default for PeopleSpec {
    fn default() -> Self {
        PeopleSpec {
            rows: 10_000,
            bad_share: 0.01,
            seed: 7,
            encoding_errors: false,
        }
    }
}

/// One defective row, as an import must report it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedRejection {
    /// Physical line (1-based, header = 1).
    pub line: u64,
    pub column: Option<Field>,
    pub reason: &'static str,
}

/// Ground truth of a generated file.
#[derive(Clone, Debug, Default)]
pub struct Expected {
    pub rows: u64,
    /// Resident ID numbers of the rows that must be accepted, in file order.
    pub accepted_ids: Vec<String>,
    pub rejected: Vec<ExpectedRejection>,
}

/// The header the generator writes (Chinese column names, as exported by local systems).
pub const PEOPLE_HEADER: &str = "身份证号,姓名,手机号,住址,村社区代码,工作单位,财政供养人员";

/// Counties the generated people live in (current GB/T 2260 codes).
const COUNTIES: [&str; 8] = [
    "510104", "510105", "510107", "410102", "410105", "330106", "360102", "110101",
];

const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "欧阳",
];
const GIVEN: [&str; 32] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "华", "平", "刚", "桂英", "建华", "志强", "文", "辉", "玉兰", "海燕", "晨", "鹏",
    "雪", "宇",
];
const STREETS: [&str; 12] = [
    "人民路",
    "解放路",
    "建设路",
    "中山路",
    "和平街",
    "新华路",
    "春熙路",
    "文化路",
    "光明街",
    "长江路",
    "学府路",
    "滨河路",
];
const EMPLOYERS: [&str; 8] = [
    "区人民医院",
    "第一中学",
    "市税务局",
    "街道办事处",
    "区财政局",
    "某科技有限公司",
    "某物流有限公司",
    "个体经营",
];

/// Writes a people CSV and returns what an import of it must find.
pub fn write_people_csv(out: &mut impl Write, spec: &PeopleSpec) -> io::Result<Expected> {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let places = Places::load();
    let mut expected = Expected {
        rows: spec.rows as u64,
        ..Expected::default()
    };
    writeln!(out, "{PEOPLE_HEADER}")?;
    let mut bad_kind = 0usize;
    let defects = if spec.encoding_errors { 10 } else { 9 };
    let mut row = Vec::<u8>::with_capacity(256);
    for (i, line) in (0..spec.rows).zip(2u64..) {
        let p = Person::generate(i, &places, &mut rng);
        let bad = i > 0 && rng.random::<f64>() < spec.bad_share;
        row.clear();
        if !bad {
            p.write(&mut row);
            expected.accepted_ids.push(p.id.clone());
        } else {
            let k = bad_kind % defects;
            bad_kind += 1;
            let (column, why) = match k {
                0 => {
                    let mut q = p.clone();
                    q.id = with_wrong_check_char(&q.id);
                    q.write(&mut row);
                    (Some(Field::IdNumber), "bad_check_digit")
                }
                1 => {
                    let mut q = p.clone();
                    if q.phone.is_empty() {
                        q.phone = "1380013800".into();
                    }
                    q.phone.truncate(10);
                    q.write(&mut row);
                    (Some(Field::Phone), "bad_length")
                }
                2 => {
                    p.write(&mut row);
                    // Drop the last field (and its separator).
                    let cut = row.iter().rposition(|&b| b == b',').unwrap_or(row.len());
                    row.truncate(cut);
                    (None, reason::WRONG_FIELD_COUNT)
                }
                3 => {
                    let mut q = p.clone();
                    q.name.clear();
                    q.write(&mut row);
                    (Some(Field::Name), reason::EMPTY_REQUIRED)
                }
                4 => {
                    let mut q = p.clone();
                    q.id = expected
                        .accepted_ids
                        .last()
                        .cloned()
                        .unwrap_or_else(|| p.id.clone());
                    q.write(&mut row);
                    (Some(Field::IdNumber), reason::DUPLICATE_IN_FILE)
                }
                5 => {
                    let mut q = p.clone();
                    // Month 13, with a correct check character.
                    let body = format!("{}13{}", &q.id[..10], &q.id[12..17]);
                    q.id = format!("{body}{}", check_char(&body));
                    q.write(&mut row);
                    (Some(Field::IdNumber), "bad_birth_date")
                }
                6 => {
                    let mut q = p.clone();
                    q.id.replace_range(8..9, "A");
                    q.write(&mut row);
                    (Some(Field::IdNumber), "non_digit")
                }
                7 => {
                    let mut q = p.clone();
                    q.village = format!("{}999999", &q.id[..6]);
                    q.write(&mut row);
                    (Some(Field::VillageCode), "unknown_division_code")
                }
                8 => {
                    let mut q = p.clone();
                    q.public_sector = "不详";
                    q.write(&mut row);
                    (Some(Field::PublicSector), reason::BAD_FLAG)
                }
                _ => {
                    let mut q = p.clone();
                    q.name.clear();
                    q.write_with_raw_name(&mut row, b"\xff\xfe\xfd");
                    (Some(Field::Name), reason::ENCODING_ERROR)
                }
            };
            expected.rejected.push(ExpectedRejection {
                line,
                column,
                reason: why,
            });
        }
        row.push(b'\n');
        out.write_all(&row)?;
    }
    Ok(expected)
}

/// Villages and mobile number segments that exist in the reference tables.
struct Places {
    /// (county code, villages of that county)
    counties: Vec<(String, Vec<String>)>,
    segments: Vec<u32>,
}

impl Places {
    fn load() -> Places {
        let table = divisions();
        let counties = COUNTIES
            .iter()
            .map(|c| {
                let mut villages = Vec::new();
                if let Ok(code) = DivisionCode::parse(c) {
                    for town in table.children(code) {
                        for v in town.children() {
                            let mut buf = [0u8; 12];
                            villages.push(v.code().write_digits(&mut buf).to_string());
                            if villages.len() >= 200 {
                                break;
                            }
                        }
                    }
                }
                (c.to_string(), villages)
            })
            .collect();
        let segments = phone_segments()
            .iter()
            .filter(|(p, s)| !s.carrier.is_virtual() && (p / 100_000) != 17)
            .map(|(p, _)| p)
            .step_by(97)
            .take(2_000)
            .collect();
        Places { counties, segments }
    }
}

#[derive(Clone)]
struct Person {
    id: String,
    name: String,
    phone: String,
    address: String,
    village: String,
    employer: &'static str,
    public_sector: &'static str,
}

impl Person {
    fn generate(i: usize, places: &Places, rng: &mut ChaCha8Rng) -> Person {
        // Row i gets a unique (county, birth date, sequence) triple, so good IDs never repeat.
        let (county, villages) = &places.counties[i % places.counties.len()];
        let rest = i / places.counties.len();
        let seq = rest % 999 + 1;
        let day_index = (rest / 999) as i64;
        // 1950-01-01 + a permutation of 25,500 days (7919 is prime to 25,500).
        let days = -7305 + (day_index * 7919) % 25_500;
        let (y, m, d) = civil_from_days(days);
        let body = format!("{county}{y:04}{m:02}{d:02}{seq:03}");
        let id = format!("{body}{}", check_char(&body));
        let mut name = String::from(SURNAMES[rng.random_range(0..SURNAMES.len())]);
        name.push_str(GIVEN[rng.random_range(0..GIVEN.len())]);
        if rng.random_bool(0.5) {
            name.push_str(GIVEN[rng.random_range(0..GIVEN.len())]);
        }
        let phone = if rng.random_bool(0.9) && !places.segments.is_empty() {
            let seg = places.segments[rng.random_range(0..places.segments.len())];
            format!("{seg}{:04}", rng.random_range(0..10_000))
        } else {
            String::new()
        };
        let mut address = format!(
            "{}{}号",
            STREETS[rng.random_range(0..STREETS.len())],
            rng.random_range(1..400)
        );
        if rng.random_bool(0.05) {
            // A comma inside the value: the field is quoted.
            address.push_str(&format!(",{}单元", rng.random_range(1..6)));
        }
        let village = if villages.is_empty() || rng.random_bool(0.1) {
            String::new()
        } else {
            villages[rng.random_range(0..villages.len())].clone()
        };
        let (employer, public_sector) = if rng.random_bool(0.3) {
            let e = EMPLOYERS[rng.random_range(0..EMPLOYERS.len())];
            (
                e,
                if e.ends_with('局') || e.ends_with('处') {
                    "是"
                } else {
                    "否"
                },
            )
        } else {
            ("", "")
        };
        Person {
            id,
            name,
            phone,
            address,
            village,
            employer,
            public_sector,
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        self.write_with_raw_name(out, self.name.as_bytes());
    }

    fn write_with_raw_name(&self, out: &mut Vec<u8>, name: &[u8]) {
        out.extend_from_slice(self.id.as_bytes());
        out.push(b',');
        out.extend_from_slice(name);
        out.push(b',');
        out.extend_from_slice(self.phone.as_bytes());
        out.push(b',');
        if self.address.contains(',') {
            out.push(b'"');
            out.extend_from_slice(self.address.as_bytes());
            out.push(b'"');
        } else {
            out.extend_from_slice(self.address.as_bytes());
        }
        out.push(b',');
        out.extend_from_slice(self.village.as_bytes());
        out.push(b',');
        out.extend_from_slice(self.employer.as_bytes());
        out.push(b',');
        out.extend_from_slice(self.public_sector.as_bytes());
    }
}

/// GB 11643-1999 check character of a 17-digit body (ISO 7064 MOD 11-2).
pub fn check_char(body17: &str) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body17
        .bytes()
        .zip(W)
        .map(|(b, w)| u32::from(b.wrapping_sub(b'0')) * w)
        .sum();
    b"10X98765432"[(sum % 11) as usize] as char
}

fn with_wrong_check_char(id: &str) -> String {
    let right = id.as_bytes()[17];
    let wrong = if right == b'0' { '1' } else { '0' };
    format!("{}{wrong}", &id[..17])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_char_matches_the_standard_examples() {
        assert_eq!(check_char("11010519491231002"), 'X');
        assert_eq!(check_char("44052418800101001"), '4');
    }

    #[test]
    fn generation_is_deterministic_and_counts_add_up() {
        let spec = PeopleSpec {
            rows: 2_000,
            bad_share: 0.05,
            ..PeopleSpec::default()
        };
        let mut a = Vec::new();
        let ea = write_people_csv(&mut a, &spec).unwrap();
        let mut b = Vec::new();
        write_people_csv(&mut b, &spec).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            ea.accepted_ids.len() + ea.rejected.len(),
            spec.rows,
            "every row is either good or has one known defect"
        );
        assert!(ea.rejected.len() > 50);
        let lines = a.iter().filter(|&&c| c == b'\n').count();
        assert_eq!(lines, spec.rows + 1);
    }
}
