//! The printed documents of seeds 4 and 5 (issue 18 item 3): a key village's yearly indicator
//! table against the targets of the plan (乡村振兴重点帮扶村指标完成情况表, signed by the
//! township government) and a relocation plan's subsidy roster (易地扶贫搬迁补助资金发放花名册:
//! each household paid under the plan, its people, the subsidy per person, the amount due and
//! paid, totals, the signature blocks of 经办人 and 审核人 and the county's office).
//!
//! The targets are the county's settings (`key_village.*`), judged exactly as the key-village
//! view judges them (`domain::villages::evaluate`). The roster carries personal data: the head's
//! ID number is printed in its stored masked form, never decrypted; both documents are audited
//! (`key_village.document`, `relocation_plan.document`).

use std::collections::BTreeMap;

use chrono::{Datelike as _, NaiveDate};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::calendar::date_zh;
use domain::exit::yuan;
use domain::organ;
use domain::villages::{Evaluated, TargetStatus};
use domain::{DomainError, Level, RegionCode};
use render::{Block, Doc, Lang, Party, Section, Table};
use serde_json::json;
use uuid::Uuid;

use super::funds::RelocationRow;
use super::villages::{self, KeyVillageRow, ProfileRow};
use super::{Ctx, stored_code};
use crate::db::DbResultExt as _;
use crate::schema::{
    county_figures, disbursements, households, key_villages, members, regions, relocation_plans,
};

/// The title of the indicator table, in two lines.
pub const INDICATOR_TITLE: [&str; 2] = ["乡村振兴重点帮扶村", "指标完成情况表"];
/// The title of the roster.
pub const ROSTER_TITLE: &str = "易地扶贫搬迁补助资金发放花名册";

fn t(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}

fn day(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Zh => date_zh(d),
        Lang::En => d.format("%Y-%m-%d").to_string(),
    }
}

fn name_of(conn: &mut PgConnection, code: RegionCode) -> Result<String, DomainError> {
    Ok(regions::table
        .filter(regions::code.eq(code.as_i64()))
        .select(regions::name)
        .first::<String>(conn)
        .optional()
        .db()?
        .unwrap_or_default())
}

/// Permille as a percentage with one decimal: 905 → "90.5%".
fn pct(permille: i64) -> String {
    format!("{}.{}%", permille / 10, permille % 10)
}

/// Tenths of a mu: "120" or "120.5".
fn mu(tenths: i64) -> String {
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

fn status_label(s: TargetStatus, lang: Lang) -> String {
    match lang {
        Lang::Zh => s.label().to_string(),
        Lang::En => match s {
            TargetStatus::Met => "Met",
            TargetStatus::OnTrack => "On track",
            TargetStatus::AtRisk => "At risk",
            TargetStatus::Missed => "Missed",
            TargetStatus::NoData => "No data",
        }
        .to_string(),
    }
}

fn target_label(e: &Evaluated, lang: Lang) -> String {
    match lang {
        Lang::Zh => match e.code.as_str() {
            c if c.starts_with("collective_income_") => "村集体经济收入（元）".into(),
            "tap_water" => "自来水普及率".into(),
            "sanitary_toilet" => "卫生厕所普及率".into(),
            "income_parity" => "农民人均可支配收入（元）".into(),
            "leading_industry" => "主导产业".into(),
            "featured_industry" => "特色优势产业".into(),
            _ => e.label.clone(),
        },
        Lang::En => match e.code.as_str() {
            c if c.starts_with("collective_income_") => "Collective-economy income (yuan)".into(),
            "tap_water" => "Tap-water coverage".into(),
            "sanitary_toilet" => "Sanitary-toilet coverage".into(),
            "income_parity" => "Per-capita disposable income (yuan)".into(),
            "leading_industry" => "Leading industry".into(),
            "featured_industry" => "Featured industry".into(),
            c => super::village_indicators::label_en(c).unwrap_or(c).into(),
        },
    }
}

/// The indicator table of key village `id` for `year`: the year's profile, then each target
/// the county set (settings `key_village.*`) with its value, the year's value, whether it is
/// met and the judgement (on track, at risk, missed); the county's linking-fund share when the
/// caller sees the county; the year's assessment when recorded. Signed by the township's
/// government (or subdistrict office), dated the day of the assessment, else today.
///
/// # Errors
/// `NotFound` outside the caller's scope; `Validation` naming `year` outside the designation;
/// `Conflict` `document_not_ready` when the village has no profile for the year.
pub fn indicator_table(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    year: Option<i32>,
    lang: Lang,
) -> Result<Doc, DomainError> {
    let row: KeyVillageRow = key_villages::table
        .filter(key_villages::id.eq(id))
        .select(KeyVillageRow::as_select())
        .first(conn)
        .db()?;
    let village = stored_code(row.region_code)?;
    if !ctx.caller.scope().contains(village) {
        return Err(DomainError::NotFound);
    }
    let year = year.unwrap_or_else(|| ctx.today().year());
    if year < row.from_year || year > row.to_year {
        return Err(DomainError::field(
            "year",
            domain::Rule::other(
                format!(
                    "must lie in the designation, {} to {}",
                    row.from_year, row.to_year
                ),
                format!("必须在认定期限内,即 {} 至 {}", row.from_year, row.to_year),
            ),
        ));
    }
    let profile: ProfileRow = match villages::profile(conn, ctx, village, year) {
        Ok(p) => p,
        Err(DomainError::NotFound) => {
            return Err(DomainError::Conflict {
                code: domain::ErrorCode::DocumentNotReady,
                message: format!("the village has no profile for {year}"),
            });
        }
        Err(e) => return Err(e),
    };
    let view = villages::get(conn, ctx, id, Some(year))?;
    let indicators = super::village_indicators::of_year(conn, village, year)?;
    let county = village.ancestor_at(Level::County);
    let township = village.ancestor_at(Level::Township);
    let county_income: Option<i64> = county_figures::table
        .filter(county_figures::county_code.eq(county.county_code()))
        .filter(county_figures::year.eq(year))
        .select(county_figures::per_capita_income_fen)
        .first(conn)
        .optional()
        .db()?;
    let township_name = name_of(conn, township)?;
    let village_name = organ::village_place(&view.name);
    let en = lang == Lang::En;
    let yes_no = |b: bool| -> String {
        match (b, en) {
            (true, false) => "是".into(),
            (false, false) => "否".into(),
            (true, true) => "Yes".into(),
            (false, true) => "No".into(),
        }
    };
    let none = || "—".to_string();

    // 一、基本情况: the year's profile.
    let mut basics = Table::new(
        &[
            &t(lang, "项目", "Item"),
            &t(lang, &format!("{year}年"), &year.to_string()),
        ],
        &[false, true],
    );
    let opt_pct = |v: Option<i32>| v.map_or_else(none, |p| pct(i64::from(p)));
    let list = |v: &[String]| {
        if v.is_empty() { none() } else { v.join("、") }
    };
    for (zh, en_label, value) in [
        ("总户数（户）", "Households", profile.households.to_string()),
        ("总人口（人）", "Population", profile.population.to_string()),
        (
            "农民人均可支配收入（元）",
            "Per-capita disposable income (yuan)",
            yuan(profile.per_capita_income_fen),
        ),
        (
            "村集体经济收入（元）",
            "Collective-economy income (yuan)",
            yuan(profile.collective_income_fen),
        ),
        (
            "耕地（亩）",
            "Cultivated land (mu)",
            mu(profile.cultivated_mu_tenths),
        ),
        (
            "林地（亩）",
            "Forest land (mu)",
            mu(profile.forest_mu_tenths),
        ),
        (
            "主要产业",
            "Main industries",
            list(&profile.main_industries),
        ),
        (
            "特色产业",
            "Featured industries",
            list(&profile.featured_industries),
        ),
        (
            "硬化路通达率",
            "Hardened roads",
            opt_pct(profile.hardened_road_permille),
        ),
        (
            "自来水普及率",
            "Tap water",
            opt_pct(profile.tap_water_permille),
        ),
        (
            "卫生厕所普及率",
            "Sanitary toilets",
            opt_pct(profile.sanitary_toilet_permille),
        ),
        (
            "通电率",
            "Electricity",
            opt_pct(profile.electricity_permille),
        ),
        (
            "适龄儿童入学率",
            "School enrolment",
            opt_pct(profile.school_enrolment_permille),
        ),
        (
            "高标准农田占比",
            "High-standard farmland",
            opt_pct(indicators.high_standard_farmland_permille),
        ),
        (
            "200人以上聚居点污水处理",
            "Settlements of 200+ with sewage treatment",
            indicators.sewage_line(),
        ),
    ] {
        basics.rows.push(vec![t(lang, zh, en_label), value]);
    }

    // 二、指标完成情况: each target against the year's value.
    let mut table = Table::new(
        &[
            &t(lang, "序号", "No."),
            &t(lang, "指标", "Indicator"),
            &t(lang, "目标值", "Target"),
            &t(lang, "目标年度", "By"),
            &t(lang, &format!("{year}年实际值"), &format!("Value {year}")),
            &t(lang, "是否达标", "Met"),
            &t(lang, "进度判断", "Judgement"),
        ],
        &[true, false, true, true, true, false, false],
    );
    let value_of = |e: &Evaluated, v: i64| -> String {
        match e.unit {
            "fen" => yuan(v),
            "permille" => pct(v),
            "fen_vs_county" => yuan(profile.per_capita_income_fen),
            "present" => {
                let names = if e.code == "leading_industry" {
                    &profile.main_industries
                } else {
                    &profile.featured_industries
                };
                if v > 0 && e.latest_year == Some(year) {
                    names.join("、")
                } else if v > 0 {
                    t(lang, "有", "Yes")
                } else {
                    t(lang, "无", "None")
                }
            }
            "yes" => yes_no(v > 0),
            _ => v.to_string(),
        }
    };
    let mut met = 0;
    for (i, e) in view.targets.iter().enumerate() {
        let target = match e.unit {
            "fen" => yuan(e.target),
            "permille" => format!("≥{}", pct(e.target)),
            "fen_vs_county" => match (county_income, en) {
                (Some(c), false) => format!("≥县域平均{}", yuan(c)),
                (Some(c), true) => format!("≥ county average {}", yuan(c)),
                (None, false) => "县域平均水平".into(),
                (None, true) => "County average".into(),
            },
            "present" => t(lang, "有", "Yes"),
            "yes" => yes_no(true),
            _ => e.target.to_string(),
        };
        let value = match (e.latest, e.latest_year) {
            (Some(v), Some(y)) if y == year => value_of(e, v),
            (Some(v), Some(y)) => match lang {
                Lang::Zh => format!("{}（{y}年）", value_of(e, v)),
                Lang::En => format!("{} ({y})", value_of(e, v)),
            },
            _ if e.unit == "fen_vs_county" => match lang {
                Lang::Zh => format!("{}（县域未填报）", yuan(profile.per_capita_income_fen)),
                Lang::En => format!(
                    "{} (county figure not entered)",
                    yuan(profile.per_capita_income_fen)
                ),
            },
            _ => none(),
        };
        let is_met = e.status == TargetStatus::Met;
        if is_met {
            met += 1;
        }
        table.rows.push(vec![
            (i + 1).to_string(),
            target_label(e, lang),
            target,
            e.deadline.to_string(),
            value,
            yes_no(is_met),
            status_label(e.status, lang),
        ]);
    }
    let n = view.targets.len();
    table.totals = Some(vec![
        t(lang, "合计", "Total"),
        match lang {
            Lang::Zh => format!("共{n}项"),
            Lang::En => format!("{n} indicators"),
        },
        String::new(),
        String::new(),
        String::new(),
        match lang {
            Lang::Zh => format!("达标{met}项"),
            Lang::En => format!("{met} met"),
        },
        match lang {
            Lang::Zh => format!("未达标{}项", n - met),
            Lang::En => format!("{} not met", n - met),
        },
    ]);

    let assessment = view.assessments.iter().find(|a| a.year == year);
    let mut blocks = vec![
        Block::Title(match lang {
            Lang::Zh => INDICATOR_TITLE.iter().map(|s| (*s).to_string()).collect(),
            Lang::En => vec![
                "Key Assistance Village".into(),
                "Indicators Against Targets".into(),
            ],
        }),
        Block::Subtitle(match lang {
            Lang::Zh => format!("（{year}年度）"),
            Lang::En => format!("({year})"),
        }),
        Block::Line(match lang {
            Lang::Zh => format!("乡镇（街道）：{township_name}  村（居）：{village_name}"),
            Lang::En => format!("Township: {township_name}  Village: {village_name}"),
        }),
        Block::Line(match lang {
            Lang::Zh => format!(
                "帮扶期限：{}年至{}年  帮扶方案：{}",
                row.from_year, row.to_year, row.plan
            ),
            Lang::En => format!(
                "Designated: {} to {}  Plan: {}",
                row.from_year, row.to_year, row.plan
            ),
        }),
        Block::Heading(1, t(lang, "一、基本情况", "1. The village")),
        Block::Table(basics),
        Block::Heading(
            1,
            t(lang, "二、指标完成情况", "2. Indicators against targets"),
        ),
        Block::Table(table),
    ];
    // The county's share of linking funds (at least 12%), when the caller sees the county.
    if ctx.caller.scope().contains(county) {
        let share = super::funds::linking_share(conn, ctx, county, year)?;
        let bp = |v: i64| format!("{}.{:02}%", v / 100, v % 100);
        blocks.push(Block::Para(match lang {
            Lang::Zh => format!(
                "全县{year}年财政衔接推进乡村振兴补助资金{}元，用于重点帮扶村{}元，占{}（不低于{}）{}。",
                yuan(share.linking_received_fen),
                yuan(share.to_key_villages_fen),
                bp(share.share_bp),
                bp(share.minimum_bp),
                if share.linking_received_fen > 0 && share.share_bp < share.minimum_bp {
                    "，未达到要求"
                } else {
                    ""
                }
            ),
            Lang::En => format!(
                "County linking funds {year}: {} yuan, of which {} yuan to key villages, {} (at least {}){}.",
                yuan(share.linking_received_fen),
                yuan(share.to_key_villages_fen),
                bp(share.share_bp),
                bp(share.minimum_bp),
                if share.linking_received_fen > 0 && share.share_bp < share.minimum_bp {
                    ", short of the minimum"
                } else {
                    ""
                }
            ),
        }));
    }
    if let Some(a) = assessment {
        let grade = domain::villages::Grade::parse(&a.grade)
            .map(|g| match lang {
                Lang::Zh => g.label().to_string(),
                Lang::En => g.as_str().to_string(),
            })
            .unwrap_or_else(|_| a.grade.clone());
        blocks.push(Block::Para(match lang {
            Lang::Zh => format!("{year}年度考核等次：{grade}。{}", a.notes),
            Lang::En => format!("Assessment {year}: {grade}. {}", a.notes),
        }));
    }
    let date = assessment.map_or_else(|| ctx.today(), |a| crate::clock::china_date(a.assessed_at));
    blocks.push(Block::Signature {
        organ: if en {
            organ::township_en(&township_name)
        } else {
            organ::township(&township_name)
        },
        date: day(date, lang),
    });
    ctx.audit(
        conn,
        "key_village.document",
        "key_village",
        id,
        village,
        json!({"document": "indicator_table", "year": year, "targets": n, "met": met}),
    )?;
    Ok(Doc {
        title: match lang {
            Lang::Zh => format!(
                "{}{}（{village_name}{year}年度）",
                INDICATOR_TITLE[0], INDICATOR_TITLE[1]
            ),
            Lang::En => format!("Key village indicators ({village_name} {year})"),
        },
        lang,
        sections: vec![Section { blocks }],
    })
}

/// One household of a roster.
struct Line {
    township: String,
    village: String,
    number: String,
    head: String,
    head_id_masked: String,
    people: i64,
    paid_fen: i64,
    last_paid: NaiveDate,
}

/// The subsidy roster of relocation plan `id`: every household the plan's subsidy project has
/// paid (net of reversals), with its township and village, 户编号, head, the head's ID number
/// (stored masked form), people, the subsidy per person of the plan, the amount due (people ×
/// subsidy) and paid, the last payment date and a column for the recipient's signature;
/// totals; the plan's figures (households and people planned, entitlement); the signature
/// blocks of 经办人 and 审核人 and of the county's poverty-alleviation office, dated today.
///
/// # Errors
/// `NotFound` outside the caller's scope; `Conflict` `document_not_ready` before any household
/// has been paid under the plan.
pub fn relocation_roster(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    lang: Lang,
) -> Result<Doc, DomainError> {
    let plan: RelocationRow = relocation_plans::table
        .filter(relocation_plans::id.eq(id))
        .select(RelocationRow::as_select())
        .first(conn)
        .db()?;
    let region = stored_code(plan.region_code)?;
    if !ctx.caller.scope().contains(region) {
        return Err(DomainError::NotFound);
    }
    let paid: Vec<(Uuid, i64, NaiveDate)> = disbursements::table
        .filter(disbursements::county_code.eq(region.county_code()))
        .filter(disbursements::project_id.eq(plan.project_id))
        .filter(disbursements::household_id.is_not_null())
        .select((
            disbursements::household_id.assume_not_null(),
            disbursements::amount_fen,
            disbursements::paid_on,
        ))
        .load(conn)
        .db()?;
    let mut by_household: BTreeMap<Uuid, (i64, NaiveDate)> = BTreeMap::new();
    for (h, amount, on) in paid {
        let e = by_household.entry(h).or_insert((0, on));
        e.0 += amount;
        e.1 = e.1.max(on);
    }
    by_household.retain(|_, (a, _)| *a > 0);
    if by_household.is_empty() {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::DocumentNotReady,
            message: "no household has been paid under this plan yet".into(),
        });
    }
    let ids: Vec<Uuid> = by_household.keys().copied().collect();
    let homes: Vec<(Uuid, i64, String, String, i32)> = households::table
        .filter(households::county_code.eq(region.county_code()))
        .filter(households::id.eq_any(&ids))
        .select((
            households::id,
            households::region_code,
            households::household_number,
            households::head_name,
            households::member_count,
        ))
        .load(conn)
        .db()?;
    let heads: BTreeMap<Uuid, String> = members::table
        .filter(members::county_code.eq(region.county_code()))
        .filter(members::household_id.eq_any(&ids))
        .filter(members::relationship.eq("head"))
        .select((members::household_id, members::id_masked))
        .load::<(Uuid, String)>(conn)
        .db()?
        .into_iter()
        .collect();
    let mut codes: Vec<i64> = Vec::new();
    for (_, code, ..) in &homes {
        let v = stored_code(*code)?;
        codes.push(v.as_i64());
        codes.push(v.ancestor_at(Level::Township).as_i64());
    }
    let county = region.ancestor_at(Level::County);
    codes.push(county.as_i64());
    codes.push(region.as_i64());
    let names: BTreeMap<i64, String> = regions::table
        .filter(regions::code.eq_any(&codes))
        .select((regions::code, regions::name))
        .load::<(i64, String)>(conn)
        .db()?
        .into_iter()
        .collect();
    let named = |c: i64| names.get(&c).cloned().unwrap_or_default();
    let mut lines: Vec<Line> = Vec::with_capacity(homes.len());
    for (h, code, number, head, people) in homes {
        let v = stored_code(code)?;
        let (paid_fen, last_paid) = by_household.get(&h).copied().unwrap_or_default();
        lines.push(Line {
            township: named(v.ancestor_at(Level::Township).as_i64()),
            village: organ::village_place(&named(v.as_i64())),
            number,
            head,
            head_id_masked: heads.get(&h).cloned().unwrap_or_default(),
            people: i64::from(people),
            paid_fen,
            last_paid,
        });
    }
    lines.sort_by(|a, b| {
        (&a.township, &a.village, &a.number).cmp(&(&b.township, &b.village, &b.number))
    });

    let per = plan.subsidy_per_person_fen;
    let mut table = Table::new(
        &[
            &t(lang, "序号", "No."),
            &t(lang, "乡镇（街道）", "Township"),
            &t(lang, "村（居）", "Village"),
            &t(lang, "户编号", "Household no."),
            &t(lang, "户主姓名", "Head"),
            &t(lang, "户主身份证号", "Head's ID number"),
            &t(lang, "搬迁人数", "People"),
            &t(lang, "补助标准（元/人）", "Per person (yuan)"),
            &t(lang, "应补助金额（元）", "Due (yuan)"),
            &t(lang, "实发金额（元）", "Paid (yuan)"),
            &t(lang, "发放日期", "Paid on"),
            &t(lang, "领取人签字", "Signature"),
        ],
        &[
            true, false, false, false, false, false, true, true, true, true, false, false,
        ],
    );
    let (mut people, mut due, mut paid) = (0_i64, 0_i64, 0_i64);
    for (i, l) in lines.iter().enumerate() {
        people += l.people;
        due += l.people * per;
        paid += l.paid_fen;
        table.rows.push(vec![
            (i + 1).to_string(),
            l.township.clone(),
            l.village.clone(),
            l.number.clone(),
            l.head.clone(),
            l.head_id_masked.clone(),
            l.people.to_string(),
            yuan(per),
            yuan(l.people * per),
            yuan(l.paid_fen),
            day(l.last_paid, lang),
            String::new(),
        ]);
    }
    let n = lines.len();
    table.totals = Some(vec![
        t(lang, "合计", "Total"),
        String::new(),
        String::new(),
        match lang {
            Lang::Zh => format!("{n}户"),
            Lang::En => format!("{n} households"),
        },
        String::new(),
        String::new(),
        people.to_string(),
        String::new(),
        yuan(due),
        yuan(paid),
        String::new(),
        String::new(),
    ]);
    let county_name = name_of(conn, county)?;
    let region_name = named(region.as_i64());
    let where_ = if region == county {
        county_name.clone()
    } else if region.level() == Level::Village {
        let tw = name_of(conn, region.ancestor_at(Level::Township))?;
        format!("{county_name}{tw}{}", organ::village_place(&region_name))
    } else {
        format!("{county_name}{region_name}")
    };
    let organ = match lang {
        Lang::Zh => format!("{county_name}扶贫开发领导小组办公室"),
        Lang::En => format!(
            "Office of the Leading Group for Poverty Alleviation and Development of {county_name}"
        ),
    };
    let blocks = vec![
        Block::Title(vec![t(lang, ROSTER_TITLE, "Relocation Subsidy Roster")]),
        Block::Subtitle(t(
            lang,
            &format!("（{}）", plan.name),
            &format!("({})", plan.name),
        )),
        Block::Line(match lang {
            Lang::Zh => format!("实施地点：{where_}  年度：{}年", plan.year),
            Lang::En => format!("Where: {where_}  Year: {}", plan.year),
        }),
        Block::Line(match lang {
            Lang::Zh => format!(
                "计划搬迁：{}户{}人  补助标准：每人{}元  应补助资金：{}元",
                plan.households,
                plan.people,
                yuan(per),
                yuan(plan.entitlement_fen)
            ),
            Lang::En => format!(
                "Planned: {} households, {} people  Subsidy: {} yuan per person  Entitlement: {} yuan",
                plan.households,
                plan.people,
                yuan(per),
                yuan(plan.entitlement_fen)
            ),
        }),
        Block::Table(table),
        Block::Para(match lang {
            Lang::Zh => format!(
                "本花名册列入{n}户{people}人，应补助{}元，实发{}元。身份证号按登记的脱敏形式打印。",
                yuan(due),
                yuan(paid)
            ),
            Lang::En => format!(
                "This roster lists {n} households, {people} people: {} yuan due, {} yuan paid. ID numbers are printed masked, as registered.",
                yuan(due),
                yuan(paid)
            ),
        }),
        Block::Parties(vec![
            Party {
                label: t(lang, "经办人（签字）：", "Prepared by (signature):"),
                lines: vec![t(lang, "日期：", "Date:")],
            },
            Party {
                label: t(lang, "审核人（签字）：", "Checked by (signature):"),
                lines: vec![t(lang, "日期：", "Date:")],
            },
        ]),
        Block::Signature {
            organ,
            date: day(ctx.today(), lang),
        },
    ];
    ctx.audit(
        conn,
        "relocation_plan.document",
        "relocation_plan",
        id,
        region,
        json!({"document": "roster", "households": n, "people": people,
               "due_fen": due, "paid_fen": paid}),
    )?;
    Ok(Doc {
        title: match lang {
            Lang::Zh => format!("{ROSTER_TITLE}（{}）", plan.name),
            Lang::En => format!("Relocation subsidy roster ({})", plan.name),
        },
        lang,
        sections: vec![Section { blocks }],
    })
}
