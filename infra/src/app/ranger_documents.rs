//! The ranger's documents (seed 3): the management subsidy agreement (生态护林员管护补助协议书)
//! in three copies — 甲方, 乙方 and the county's natural forest protection office (县天保办) —
//! with its signature blocks, and a month's payout sheet for signature, each line with the
//! clause of the agreement it applies. The ranger's ID number is printed in its stored masked
//! form, never decrypted; generating either document is audited.

use chrono::Datelike as _;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::calendar::date_zh;
use domain::exit::yuan;
use domain::organ;
use domain::{DomainError, Level};
use render::{Block, Doc, Lang, Party, Section, Table};
use serde_json::json;
use uuid::Uuid;

use super::rangers::{self, ContractRow};
use super::{Ctx, stored_code};
use crate::db::DbResultExt as _;
use crate::schema::{members, regions};

/// The title of the agreement, in the two lines the seed prints it.
pub const CONTRACT_TITLE: [&str; 2] = ["建档立卡贫困人口生态护林员", "森林管护补助协议"];
/// The title of the payout sheet.
pub const SHEET_TITLE: &str = "生态护林员管护补助发放表";

struct Ranger {
    name: String,
    id_masked: String,
    sex: String,
    birth: chrono::NaiveDate,
    education: String,
    phone: String,
}

/// The contract, in scope, with its ranger and place names (township, village).
fn load(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
) -> Result<(ContractRow, Ranger, String, String), DomainError> {
    let c = rangers::get(conn, id)?;
    let village = stored_code(c.region_code)?;
    if !ctx.caller.scope().contains(village) {
        return Err(DomainError::NotFound);
    }
    let (name, id_masked, sex, birth, education, phone) = members::table
        .filter(members::county_code.eq(c.county_code))
        .filter(members::id.eq(c.member_id))
        .select((
            members::name,
            members::id_masked,
            members::sex,
            members::birth_date,
            members::education,
            members::phone,
        ))
        .first::<(String, String, String, chrono::NaiveDate, String, String)>(conn)
        .db()?;
    let township = village.ancestor_at(Level::Township);
    let names: Vec<(i64, String)> = regions::table
        .filter(regions::code.eq_any([township.as_i64(), village.as_i64()]))
        .select((regions::code, regions::name))
        .load(conn)
        .db()?;
    let name_of = |code: i64| {
        names
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let sex = match sex.as_str() {
        "male" => "男".to_string(),
        "female" => "女".to_string(),
        s => s.to_string(),
    };
    Ok((
        c,
        Ranger {
            name,
            id_masked,
            sex,
            birth,
            education,
            phone,
        },
        name_of(township.as_i64()),
        organ::village_place(&name_of(village.as_i64())),
    ))
}

fn audit(
    conn: &mut PgConnection,
    ctx: &Ctx,
    c: &ContractRow,
    details: serde_json::Value,
) -> Result<(), DomainError> {
    crate::audit::record(
        conn,
        &ctx.actor(),
        &crate::audit::Entry {
            action: "ranger_contract.document",
            object_type: "ranger_contract",
            object_id: Some(c.id.to_string()),
            region: stored_code(c.region_code)?,
            reason: None,
            details,
        },
    )
}

/// Tenths of a mu as printed: "120" or "120.5".
fn mu(tenths: i64) -> String {
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

/// A percentage from basis points: 500 → "5".
fn pct(bp: i32) -> String {
    if bp % 100 == 0 {
        (bp / 100).to_string()
    } else {
        format!("{}.{:02}", bp / 100, bp % 100)
    }
}

/// Whole months from `start` to `end` inclusive: the months from `start` to the day after
/// `end`, less one when that day comes before `start`'s day of the month (2017-03-15 to
/// 2018-03-14 is 12 months; 2017-01-01 to 2017-12-31 also 12).
fn months(start: chrono::NaiveDate, end: chrono::NaiveDate) -> i32 {
    let after = end.succ_opt().unwrap_or(end);
    let m = (after.year() - start.year()) * 12 + after.month() as i32 - start.month() as i32;
    if after.day() < start.day() { m - 1 } else { m }
}

/// The agreement of contract `id` in three copies.
///
/// # Errors
/// `NotFound` outside the caller's scope.
pub fn contract(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<Doc, DomainError> {
    let (c, r, township, village) = load(conn, ctx, id)?;
    let s = c.terms(conn, ctx)?;
    let signed = c.signed_on;
    // Reckoned by years, not on the day: an age on the signing day would tell whether the
    // birthday falls before it, and the birth date is what the masked number hides.
    let age = signed.year() - r.birth.year();
    let p = |t: &str| Block::Para(t.to_string());
    let body = |copy: &str| -> Vec<Block> {
        vec![
            Block::Title(CONTRACT_TITLE.iter().map(|t| (*t).to_string()).collect()),
            Block::Subtitle(format!("（{copy}存）")),
            Block::Line(format!("甲方：{}", c.station)),
            Block::Line(format!(
                "乙方：姓名：{} 性别：{} 年龄：{} 文化程度：{}",
                r.name, r.sex, age, r.education
            )),
            Block::Line(format!("身份证号：{}", r.id_masked)),
            Block::Line(format!("住址：{township}{village}{}", c.villager_group)),
            Block::Line(format!("联系电话：{}", r.phone)),
            p(
                "为有效保护森林资源，规范天然林资源保护工程森林管护行为，明确森林管护责任、权利和义务，根据《天然林资源保护工程森林管护管理办法》和有关规定，经双方协商一致，签订本森林管护责任协议书。",
            ),
            Block::Heading(1, "一、管护范围".into()),
            Block::Para(format!(
                "（一）边界：甲方将{}亩森林资源委托（承包）给乙方管护。四至界限为东至{}，南至{}，西至{}，北至{}。管护范围包括{village}{}。",
                mu(c.area_mu_tenths),
                c.bound_east,
                c.bound_south,
                c.bound_west,
                c.bound_north,
                c.villager_group
            )),
            Block::Heading(1, "二、管护期限".into()),
            Block::Para(format!(
                "乙方自{}起至{}止，管护期为{}个月。",
                date_zh(c.start_date),
                date_zh(c.end_date),
                months(c.start_date, c.end_date)
            )),
            Block::Heading(1, "三、甲方权利和义务".into()),
            p("（一）向乙方指明管护范围、面积、四至界限，提供实施管护前的林地状况，明确管护要求。"),
            p("（二）及时向乙方传达有关保护森林的政策法规。"),
            p("（三）组织乙方进行林业政策和法律法规等业务培训。"),
            p(
                "（四）及时掌握林业有害生物、森林火灾等毁害森林的情况，并及时组织预防和防治、及时组织扑灭火灾。对乙方管护范围内的林业行政、刑事案件及时进行查处。",
            ),
            p("（五）为乙方提供森林管护方面的技术支持。"),
            p(
                "（六）定期或不定期对乙方的工作进行考核、监督和检查，对不尽责或者不能胜任森林管护工作的，有权扣减管护费直至解除森林管护责任协议。",
            ),
            Block::Para(format!(
                "（七）在管护期内，根据考核情况向乙方支付{}元/年的管护补助费。",
                yuan(c.annual_subsidy_fen).trim_end_matches(".00")
            )),
            Block::Heading(1, "四、乙方责任与权利".into()),
            p("（一）管护责任"),
            p("1.对管护范围内的森林资源和设施进行日常巡护。"),
            p("2.将巡护结果记录在案，发现问题及时向甲方报告。"),
            p(
                "3.负责对管护范围内的车辆、行人进行安全防火宣传，及时发现和报告森林火情及林业有害生物发生情况。",
            ),
            p(
                "4.及时发现并制止滥伐盗伐森林和林木、毁林开垦、侵占林地、乱捕滥猎野生动物等违法行为。",
            ),
            p("5.配合、协助甲方和森林公安、林业行政执法人员查处破坏森林资源的案件。"),
            p(
                "6.接受有关部门依法实施的管理和监督，配合甲方完成对管护范围内的各项检查、验收、考核工作。",
            ),
            p("（二）权利"),
            p(
                "1.经甲方同意，在不违反森林法和天然林资源保护工程相关规定的前提下，在管护范围内进行非林非木的采集、种植、养殖、森林旅游服务等开发利用活动。",
            ),
            p("2.依据本协议获得管护费。"),
            Block::Heading(1, "五、乙方在管护范围内不得从事下列活动".into()),
            p("（一）盗伐滥伐森林和林木。"),
            p("（二）在幼林地和特种用途林内砍柴、放牧。"),
            p("（三）毁林开垦和毁林采石、采砂、采土以及其他毁林行为。"),
            p("（四）擅自修建房舍和其他永久性建筑。"),
            p("（五）违法猎捕野生保护动物和采挖重点野生保护植物。"),
            Block::Heading(1, "六、违约责任".into()),
            Block::Para(format!(
                "（一）甲方在检查乙方管护范围时，发现乙方一次不在岗扣减当月管护费{}%，两次不在岗扣减当月管护费{}%，{}次不在岗可立即终止本协议；因乙方巡山护林不到位或管护不力造成森林火灾、乱砍滥伐、人畜践踏等林木损失，甲方可扣发管护费。",
                pct(s.one_absence_deduction_bp),
                pct(s.two_absences_deduction_bp),
                s.termination_absences
            )),
            Block::Para(format!(
                "（二）因乙方管护不力、报告不及时造成较大森林火灾（{}亩以上），或盗伐滥伐林木达到立案标准以上的事件，甲方不但扣除当月的管护费，还要追究乙方应负的责任，并立即终止协议。",
                s.major_fire_mu
            )),
            p(
                "（三）任何单位和个人违反《中华人民共和国森林法实施条例》的规定，在管护区域内有擅自改变林地用途，盗伐和滥伐林木、捕猎野生动物、乱采乱挖野生保护植物、擅自移植珍稀植物等行为，乙方不予制止和不及时报告造成森林资源损失的，由甲方扣除当月管护费，追究乙方责任，并视情况终止本协议。",
            ),
            p(
                "（四）在管护范围内发生林业有害生物灾害，乙方未及时发现和上报造成森林资源重大损失的，甲方除扣发乙方管护费，还要追究相应的赔偿责任。",
            ),
            p(
                "（五）乙方必须坚持对管护区域的巡山检查，及时发现和处置可能引起毁坏森林资源的隐患。对无故脱岗，造成森林资源重大损失的，甲方不但要扣除乙方管护费，还要追究相应的赔偿责任，并视情况终止协议。",
            ),
            p("（六）乙方认真履行协议，甲方要按时发放管护费。"),
            Block::Heading(1, "七、其他".into()),
            p("（一）本协议一式三份，甲乙双方、县天保办各存一份。"),
            p(
                "（二）本协议未尽事宜，以及在履行协议中发生的争议问题，双方协商解决。协商不能解决的，按照有关法律、行政法规执行。",
            ),
            p("（三）本协议经甲乙双方签章后生效。"),
            Block::Parties(vec![
                Party {
                    label: format!("甲方（签章）：{}", c.station),
                    lines: vec!["代表人（签字）：".into(), date_zh(signed)],
                },
                Party {
                    label: format!("乙方（签章）：{}", r.name),
                    lines: vec!["承包人（签字）：".into(), date_zh(signed)],
                },
            ]),
        ]
    };
    let sections = ["甲方", "乙方", "县天保办"]
        .iter()
        .map(|copy| Section { blocks: body(copy) })
        .collect();
    audit(conn, ctx, &c, json!({"document": "contract"}))?;
    Ok(Doc {
        title: format!("{}{}（{}）", CONTRACT_TITLE[0], CONTRACT_TITLE[1], r.name),
        lang: Lang::Zh,
        sections,
    })
}

/// The payout sheet of contract `id` for `year`-`month`, as computed now, for signatures.
///
/// # Errors
/// `NotFound` outside the caller's scope; `Validation` naming `month` for a month the contract
/// does not cover.
pub fn payout_sheet(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    year: i32,
    month: u32,
) -> Result<Doc, DomainError> {
    let (c, r, township, village) = load(conn, ctx, id)?;
    let (_, p) = rangers::compute(conn, ctx, id, year, month)?;
    let mut t = Table::new(&["项目", "依据条款", "金额（元）"], &[false, false, true]);
    for l in &p.lines {
        t.rows
            .push(vec![l.text.clone(), l.clause.clone(), yuan(l.amount_fen)]);
    }
    t.totals = Some(vec!["实发合计".into(), String::new(), yuan(p.total_fen)]);
    let mut b = vec![
        Block::Title(vec![SHEET_TITLE.to_string()]),
        Block::Subtitle(format!("{year}年{month}月")),
        Block::Line(format!("发放单位：{}", c.station)),
        Block::Line(format!("护林员：{} 身份证号：{}", r.name, r.id_masked)),
        Block::Line(format!(
            "管护范围：{township}{village}{} {}亩",
            c.villager_group,
            mu(c.area_mu_tenths)
        )),
        Block::Line(format!(
            "年管护补助：{}元 管护期：{}至{}",
            yuan(c.annual_subsidy_fen),
            date_zh(c.start_date),
            date_zh(c.end_date)
        )),
        Block::Table(t),
    ];
    if p.withheld {
        b.push(Block::Para("本月管护费全额扣发。".into()));
    }
    if p.terminate {
        b.push(Block::Para(
            "依协议第六条第（二）项，本协议应立即终止。".into(),
        ));
    } else if p.termination_allowed {
        b.push(Block::Para(
            "依协议第六条第（一）项，甲方可立即终止本协议。".into(),
        ));
    }
    if p.compensation_claim {
        b.push(Block::Para("甲方依协议追究乙方相应的赔偿责任。".into()));
    }
    b.push(Block::Parties(vec![
        Party {
            label: format!("发放单位（盖章）：{}", c.station),
            lines: vec!["经办人（签字）：".into(), "日期：".into()],
        },
        Party {
            label: format!("领取人：{}", r.name),
            lines: vec!["领取人（签字）：".into(), "日期：".into()],
        },
    ]));
    audit(
        conn,
        ctx,
        &c,
        json!({"document": "payout_sheet", "month": format!("{year}-{month:02}")}),
    )?;
    Ok(Doc {
        title: format!("{SHEET_TITLE}（{}{year}年{month}月）", r.name),
        lang: Lang::Zh,
        sections: vec![Section { blocks: b }],
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn a_period_counts_its_whole_months_from_any_day() {
        for (start, end, n) in [
            ("2017-01-01", "2017-12-31", 12),
            ("2017-03-15", "2018-03-14", 12),
            ("2017-01-15", "2017-02-14", 1),
            ("2017-03-15", "2017-12-31", 9),
            ("2017-01-01", "2019-12-31", 36),
            ("2017-06-01", "2017-06-30", 1),
        ] {
            assert_eq!(super::months(d(start), d(end)), n, "{start}..{end}");
        }
    }
}
