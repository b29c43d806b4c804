//! The household file card (建档立卡户档案卡, the 明白卡 village offices keep): the household, its
//! members with their ID numbers as stored masked (never decrypted), income by year, the
//! assistance measures and the responsible cadre, signed by the village committee.

use std::collections::HashMap;

use chrono::Datelike as _;
use diesel::pg::PgConnection;
use domain::calendar::date_zh;
use domain::cases::{Attribute, MeasureKind, Relationship, Status};
use domain::exit::yuan;
use domain::{DomainError, Level, RegionCode, organ};
use render::{Block, Doc, Lang, Section, Table};
use serde_json::json;
use uuid::Uuid;

use super::records::{list_measures, list_years};
use super::{audit_household, cause_catalog, view, village_names};
use crate::app::{Ctx, stored_code};

/// The title of the card.
pub const TITLE: &str = "建档立卡户档案卡";

/// The Chinese label of a stored code, or the code itself when it is not in the vocabulary.
fn label<T: Copy>(
    code: &str,
    parse: fn(&str) -> Result<T, domain::Rule>,
    l: fn(T) -> &'static str,
) -> String {
    parse(code).map_or_else(|_| code.to_string(), |v| l(v).to_string())
}

/// "是"/"否" for a yes-no field.
fn yes(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

/// The file card of household `id`, audited as a read (`household.card`).
///
/// # Errors
/// `NotFound` when the household does not exist or lies outside the caller's scope.
pub fn card(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<Doc, DomainError> {
    let v = view(conn, id)?;
    let h = &v.household;
    let village = stored_code(h.region_code)?;
    let township = village.ancestor_at(Level::Township);
    let county = village.ancestor_at(Level::County);
    let names = village_names(conn, &[county.as_i64(), township.as_i64()])?;
    let name = |c: RegionCode| names.get(&c.as_i64()).cloned().unwrap_or_default();
    let causes: HashMap<String, String> = cause_catalog(conn)?.into_iter().collect();
    let years = list_years(conn, id)?;
    let measures = list_measures(conn, id)?;

    let mut b = vec![
        Block::Title(vec![TITLE.to_string()]),
        Block::Subtitle(format!("户编号：{}", h.household_number)),
        Block::Heading(1, "一、基本情况".into()),
        Block::Line(format!(
            "所在地：{}{}{}",
            name(county),
            name(township),
            v.village_name
        )),
        Block::Line(format!(
            "户主：{}；家庭人口：{}人",
            h.head_name, h.member_count
        )),
        Block::Line(format!("家庭住址：{}", h.address)),
        Block::Line(format!(
            "户属性：{}；识别年度：{}年；当前状态：{}",
            label(&h.attribute, Attribute::parse, Attribute::label),
            h.year_identified,
            label(&h.status, Status::parse, Status::label)
        )),
        Block::Line(format!(
            "致贫原因：{}",
            h.poverty_causes
                .iter()
                .map(|c| causes.get(c).cloned().unwrap_or_else(|| c.clone()))
                .collect::<Vec<_>>()
                .join("、")
        )),
        Block::Line(format!("帮扶责任人：{}", h.responsible_cadre)),
        Block::Heading(1, "二、家庭成员".into()),
    ];

    let mut members = Table::new(
        &[
            "序号",
            "姓名",
            "与户主关系",
            "性别",
            "出生年份",
            "身份证号码",
            "健康状况",
            "劳动能力",
            "医保",
        ],
        &[true, false, false, false, false, false, false, false, false],
    );
    for (i, m) in v.members.iter().enumerate() {
        members.rows.push(vec![
            (i + 1).to_string(),
            m.name.clone(),
            label(&m.relationship, Relationship::parse, Relationship::label),
            match m.sex.as_str() {
                "male" => "男".into(),
                "female" => "女".into(),
                s => s.to_string(),
            },
            // The year only: the full date is digits 7 to 14 of the ID number, which the
            // masked form hides.
            format!("{}年", m.birth_date.year()),
            // The stored masked form: the card never decrypts an ID number.
            m.id_masked.clone(),
            m.health.clone(),
            m.labour_ability.clone(),
            yes(m.medical_insurance).into(),
        ]);
    }
    b.push(Block::Table(members));

    b.push(Block::Heading(1, "三、收入情况（元）".into()));
    if years.is_empty() {
        b.push(Block::Para("尚无收入记录。".into()));
    } else {
        let mut income = Table::new(
            &[
                "年度",
                "人均纯收入",
                "工资性收入",
                "生产经营性收入",
                "财产性收入",
                "转移性收入",
            ],
            &[false, true, true, true, true, true],
        );
        for y in &years {
            income.rows.push(vec![
                format!("{}年", y.year),
                yuan(y.income_per_capita_fen),
                yuan(y.wage_income_fen),
                yuan(y.production_income_fen),
                yuan(y.property_income_fen),
                yuan(y.transfer_income_fen),
            ]);
        }
        b.push(Block::Table(income));
    }

    b.push(Block::Heading(1, "四、帮扶措施".into()));
    if measures.is_empty() {
        b.push(Block::Para("尚无帮扶措施记录。".into()));
    } else {
        let mut table = Table::new(
            &["日期", "类别", "内容", "金额（元）", "责任人"],
            &[false, false, false, true, false],
        );
        let mut total = 0_i64;
        for m in &measures {
            total += m.amount_fen;
            table.rows.push(vec![
                date_zh(m.date),
                label(&m.kind, MeasureKind::parse, MeasureKind::label),
                m.description.clone(),
                yuan(m.amount_fen),
                m.responsible.clone(),
            ]);
        }
        table.totals = Some(vec![
            "合计".into(),
            String::new(),
            String::new(),
            yuan(total),
            String::new(),
        ]);
        b.push(Block::Table(table));
    }
    b.push(Block::Signature {
        organ: organ::village(&v.village_name),
        date: date_zh(ctx.today()),
    });

    audit_household(
        conn,
        ctx,
        "household.card",
        id,
        village,
        None,
        json!({"members": v.members.len(), "years": years.len(), "measures": measures.len()}),
    )?;
    Ok(Doc {
        title: format!("{TITLE}（{}）", h.household_number),
        lang: Lang::Zh,
        sections: vec![Section { blocks: b }],
    })
}
