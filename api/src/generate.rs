//! Synthetic households on the real village codes, written as import sheets (one CSV per
//! county, split so no file exceeds the import limits), for demos, tests and benchmarks.
//!
//! Deterministic for a seed; ID numbers are valid (check character, birth date) and unique;
//! names, attributes, causes and incomes follow plausible distributions.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use domain::RegionCode;
use domain::cases::id_number::with_check_character;

/// splitmix64: small, fast, good enough for synthetic data, and reproducible.
#[derive(Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[usize::try_from(self.below(items.len() as u64)).unwrap_or(0)]
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "孔", "颜", "孟", "曲", "鲁",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建国", "建华", "玉兰", "国强", "志强",
    "红梅", "海燕", "春生", "秋菊", "德胜", "文华", "淑珍", "凤英", "兰英", "成", "广", "振",
];
const CAUSES: &[&str] = &[
    "因病",
    "因残",
    "因学",
    "因灾",
    "缺土地",
    "缺水",
    "缺技术",
    "缺劳力",
    "缺资金",
    "交通条件落后",
    "自身发展动力不足",
];
const EDUCATION: &[&str] = &["文盲或半文盲", "小学", "初中", "高中", "大专及以上"];
const HEALTH: &[&str] = &["健康", "健康", "健康", "长期慢性病", "患有大病", "残疾"];
const LABOUR: &[&str] = &[
    "普通劳动力",
    "普通劳动力",
    "丧失劳动力",
    "无劳动力",
    "弱劳动力或半劳动力",
];

/// Rows per file at most (the import takes 200,000).
const ROWS_PER_FILE: usize = 75_000;

/// The import header, as keys (accepted like the Chinese labels).
const HEADER: &[&str] = &[
    "household_number",
    "village_code",
    "address",
    "attribute",
    "poverty_causes",
    "year_identified",
    "responsible_cadre",
    "name",
    "id_number",
    "relationship",
    "education",
    "health",
    "labour_ability",
    "medical_insurance",
    "pension",
    "phone",
    "year",
    "income_per_capita",
    "wage_income",
    "production_income",
    "property_income",
    "transfer_income",
    "enough_food",
    "enough_clothing",
    "compulsory_education",
    "basic_medical",
    "safe_housing",
    "safe_drinking_water",
];

/// What was generated.
#[derive(Debug, Default)]
pub struct Generated {
    /// Files written.
    pub files: Vec<PathBuf>,
    /// Households.
    pub households: usize,
    /// Members.
    pub members: usize,
}

fn id_number(rng: &mut Rng, county: &str, born: i32, used: &mut HashSet<String>) -> String {
    loop {
        let year = born;
        let month = 1 + rng.below(12);
        let day = 1 + rng.below(28);
        let seq = rng.below(1000);
        let s = with_check_character(&format!("{county}{year:04}{month:02}{day:02}{seq:03}"))
            .unwrap_or_default();
        if used.insert(s.clone()) {
            return s;
        }
    }
}

fn yuan(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// Writes about `households` households spread evenly over `villages` (12-digit codes), one
/// directory of CSV files per county.
///
/// # Errors
/// When files cannot be written.
pub fn generate(
    villages: &[RegionCode],
    households: usize,
    out: &Path,
    seed: u64,
) -> anyhow::Result<Generated> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut rng = Rng::new(seed);
    let mut used = HashSet::new();
    let mut result = Generated::default();
    let mut by_county: std::collections::BTreeMap<i32, Vec<RegionCode>> =
        std::collections::BTreeMap::new();
    for v in villages {
        by_county.entry(v.county_code()).or_default().push(*v);
    }
    let per_village = households as f64 / villages.len().max(1) as f64;
    let mut carry = 0.0;
    for (county, vs) in by_county {
        let county_prefix = format!("{county:06}");
        let mut part = 0;
        let mut rows_in_file = 0;
        let mut writer: Option<csv::Writer<std::fs::File>> = None;
        let mut serial = 0_u32;
        for v in vs {
            carry += per_village;
            let n = carry.floor();
            carry -= n;
            for _ in 0..(n as usize) {
                let size =
                    [1, 2, 2, 3, 3, 3, 4, 4, 5, 6][usize::try_from(rng.below(10)).unwrap_or(0)];
                if writer.is_none() || rows_in_file + size > ROWS_PER_FILE {
                    if let Some(mut w) = writer.take() {
                        w.flush()?;
                    }
                    part += 1;
                    let path = out.join(format!("{county_prefix}-{part:02}.csv"));
                    let mut w = csv::Writer::from_path(&path)?;
                    w.write_record(HEADER)?;
                    writer = Some(w);
                    result.files.push(path);
                    rows_in_file = 0;
                }
                serial += 1;
                let number = format!("{county_prefix}{serial:07}");
                let surname = rng.pick(SURNAMES);
                let attribute = ["一般贫困户", "一般贫困户", "低保贫困户", "特困供养贫困户"]
                    [usize::try_from(rng.below(4)).unwrap_or(0)];
                let causes = {
                    let a = rng.pick(CAUSES);
                    let b = rng.pick(CAUSES);
                    if a == b {
                        a.to_string()
                    } else {
                        format!("{a};{b}")
                    }
                };
                let year_identified = 2014 + rng.below(4);
                let cadre = format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN));
                let income = 250_000 + rng.below(450_000);
                let head_born = 1940 + i32::try_from(rng.below(50)).unwrap_or(0);
                let address = format!("{}号", 1 + rng.below(300));
                let w = writer.as_mut().context("no writer")?;
                for m in 0..size {
                    let (relationship, born) = match m {
                        0 => ("户主", head_born),
                        1 => ("配偶", head_born + i32::try_from(rng.below(5)).unwrap_or(0)),
                        _ => (
                            "子女",
                            (head_born + 20 + i32::try_from(rng.below(15)).unwrap_or(0)).min(2020),
                        ),
                    };
                    let name = if m == 1 {
                        format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
                    } else {
                        format!("{surname}{}", rng.pick(GIVEN))
                    };
                    let id = id_number(&mut rng, &county_prefix, born, &mut used);
                    let head = m == 0;
                    let flag =
                        |p: u64, rng: &mut Rng| if rng.below(100) < p { "是" } else { "否" };
                    let mut rec = vec![
                        number.clone(),
                        v.to_code_string(),
                        address.clone(),
                        attribute.to_string(),
                        causes.clone(),
                        year_identified.to_string(),
                        cadre.clone(),
                        name,
                        id,
                        relationship.to_string(),
                        rng.pick(EDUCATION).to_string(),
                        rng.pick(HEALTH).to_string(),
                        rng.pick(LABOUR).to_string(),
                        flag(97, &mut rng).to_string(),
                        flag(80, &mut rng).to_string(),
                        format!("13{:09}", rng.below(1_000_000_000)),
                    ];
                    if head {
                        rec.extend([
                            "2020".to_string(),
                            yuan(income),
                            yuan(income * 2 / 3),
                            yuan(income / 4),
                            yuan(0),
                            yuan(income / 3),
                            "是".into(),
                            "是".into(),
                            flag(97, &mut rng).into(),
                            "是".into(),
                            flag(92, &mut rng).into(),
                            flag(95, &mut rng).into(),
                        ]);
                    } else {
                        rec.extend(std::iter::repeat_n(String::new(), 12));
                    }
                    w.write_record(&rec)?;
                }
                rows_in_file += size;
                result.households += 1;
                result.members += size;
            }
        }
        if let Some(mut w) = writer.take() {
            w.flush()?;
        }
    }
    let mut f = std::fs::File::create(out.join("README.txt"))?;
    writeln!(
        f,
        "Synthetic households (seed {seed}): {} households, {} members, {} files.",
        result.households,
        result.members,
        result.files.len()
    )?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_sheets_are_valid_and_reproducible() {
        let dir = std::env::temp_dir().join(format!("zx-gen-{}", uuid::Uuid::new_v4()));
        let villages: Vec<RegionCode> = ["370831001003", "370831001010", "370830001001"]
            .iter()
            .filter_map(|c| RegionCode::parse(c).ok())
            .collect();
        let g = generate(&villages, 30, &dir, 7).unwrap_or_default();
        assert_eq!(g.households, 30);
        // Every household's rows agree on the household columns, as the import demands.
        for f in &g.files {
            let rows =
                infra::app::cases::sheet::parse(&std::fs::read(f).unwrap_or_default(), usize::MAX)
                    .unwrap_or_default();
            for pair in rows.windows(2) {
                if pair[0].get("household_number") == pair[1].get("household_number") {
                    assert_eq!(pair[0].get("address"), pair[1].get("address"));
                }
            }
        }
        assert_eq!(g.files.len(), 2, "one file per county");
        let mut rows = Vec::new();
        for f in &g.files {
            rows.extend(
                infra::app::cases::sheet::parse(&std::fs::read(f).unwrap_or_default(), usize::MAX)
                    .unwrap_or_default(),
            );
        }
        assert_eq!(rows.len(), g.members);
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        for r in &rows {
            assert!(
                domain::cases::IdNumber::parse(r.get("id_number"), today).is_ok(),
                "{}",
                r.get("id_number")
            );
        }
        let again = generate(&villages, 30, &dir, 7).unwrap_or_default();
        assert_eq!(again.members, g.members);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
