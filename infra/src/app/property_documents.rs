//! The property check's printed tables (seed 2, issue 18 item 3): the 核查表 of a household
//! (《建档立卡贫困人口财产检索结果核查表》, filled by the village for each household with hits),
//! the 处理意见表 of a village (附件2, the appraisal's opinion on every hit) and the 统计表 of a
//! township or county (附件3, people and hits by outcome, per village or township and per hit
//! type). Each outcome has its own column, including "不属于否决情形" (a true fact from before
//! the cut-off that matches no veto condition, issue 22 item 4); conditions print by their
//! label; 检索人数 counts people, not hits. ID numbers are printed in their stored masked form,
//! never decrypted. The hits are confidential: the tables need `property:read`, cover only
//! what the caller's scope holds, and every generation is audited (`property_check.document`).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::calendar::date_zh;
use domain::organ;
use domain::property::{HitType, Proposal};
use domain::{DomainError, Level, RegionCode};
use render::{Block, Doc, Lang, Party, Section, Table};
use serde_json::json;
use uuid::Uuid;

use super::property::{self, HitRow, HitView, StatLine};
use super::{Ctx, stored_code};
use crate::db::DbResultExt as _;
use crate::schema::{households, property_hits, property_reports, regions};

/// Titles of the three tables, as seed 2 names them.
pub const CHECK_TITLE: &str = "建档立卡贫困人口财产检索结果核查表";
/// 附件2.
pub const OPINION_TITLE: &str = "建档立卡对象财产检索结果核查处理意见表";
/// 附件3.
pub const STATISTICS_TITLE: &str = "建档立卡对象财产检索结果核查情况统计表";

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

fn type_label(code: &str, lang: Lang) -> String {
    let Ok(ht) = HitType::parse(code) else {
        return code.to_string();
    };
    match lang {
        Lang::Zh => ht.label().to_string(),
        Lang::En => match ht {
            HitType::PublicPayroll => "Public payroll",
            HitType::Vehicle => "Vehicle",
            HitType::RealEstate => "Real estate",
            HitType::Land => "Land",
            HitType::BusinessEntity => "Business entity",
            HitType::Pension => "Pension",
        }
        .to_string(),
    }
}

fn proposal_label(p: Proposal, lang: Lang) -> String {
    match lang {
        Lang::Zh => p.label().to_string(),
        Lang::En => match p {
            Proposal::Veto => "One-vote veto",
            Proposal::NoVeto => "Not vetoed (hardship)",
            Proposal::NotMatching => "Matches no veto condition",
            Proposal::NotApplicable => "Arose after the cut-off: veto does not apply",
            Proposal::None => "Not true",
        }
        .to_string(),
    }
}

fn proposal_of(h: &HitRow) -> Option<Proposal> {
    h.proposal.as_deref().and_then(|p| Proposal::parse(p).ok())
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

fn names_of(conn: &mut PgConnection, codes: &[i64]) -> Result<HashMap<i64, String>, DomainError> {
    Ok(regions::table
        .filter(regions::code.eq_any(codes))
        .select((regions::code, regions::name))
        .load::<(i64, String)>(conn)
        .db()?
        .into_iter()
        .collect())
}

/// The batch (visible to the caller, else not found) and its name.
fn batch_name(conn: &mut PgConnection, ctx: &Ctx, batch: Uuid) -> Result<String, DomainError> {
    property::require_read(ctx)?;
    property::batches(conn, ctx, Some(batch))?
        .pop()
        .map(|b| b.name)
        .ok_or(DomainError::NotFound)
}

fn audit(
    conn: &mut PgConnection,
    ctx: &Ctx,
    batch: Uuid,
    region: RegionCode,
    details: serde_json::Value,
) -> Result<(), DomainError> {
    ctx.audit(
        conn,
        "property_check.document",
        "property_check",
        batch,
        region,
        details,
    )
}

fn cutoff_line(
    conn: &mut PgConnection,
    ctx: &Ctx,
    at: RegionCode,
    lang: Lang,
) -> Result<Block, DomainError> {
    let cutoff = super::settings::effective_for(conn, ctx, at)?
        .property_check
        .identification_cutoff;
    Ok(Block::Line(match lang {
        Lang::Zh => format!(
            "识别时间节点：{}（当日及以前发生的为识别前；识别后发生的不适用“一票否决”）",
            date_zh(cutoff)
        ),
        Lang::En => format!(
            "Precise-identification cut-off: {cutoff} (facts arising on or before it are before identification; the one-vote veto does not apply to later ones)"
        ),
    }))
}

fn mark(b: bool) -> String {
    if b { "√".into() } else { String::new() }
}

/// The 核查表 of one household for a batch: every hit of its members with the village's
/// verification (true or not, when, before or after the cut-off, the outcome, the condition by
/// its label, the reason), for the check's signatures.
///
/// # Errors
/// `NotFound` for a batch, or a household with no hits in it, outside the caller's scope.
pub fn check_sheet(
    conn: &mut PgConnection,
    ctx: &Ctx,
    batch: Uuid,
    household: Uuid,
    lang: Lang,
) -> Result<Doc, DomainError> {
    let name = batch_name(conn, ctx, batch)?;
    let scope = ctx.caller.scope();
    let rows: Vec<HitRow> = property_hits::table
        .filter(property_hits::batch_id.eq(batch))
        .filter(property_hits::household_id.eq(household))
        .filter(property_hits::region_code.between(scope.lo(), scope.hi()))
        .order(property_hits::row_number)
        .select(HitRow::as_select())
        .load(conn)
        .db()?;
    let Some(first) = rows.first() else {
        return Err(DomainError::NotFound);
    };
    let village = stored_code(first.region_code)?;
    let county_code = first.county_code;
    let (number, head) = households::table
        .filter(households::county_code.eq(county_code))
        .filter(households::id.eq(household))
        .select((households::household_number, households::head_name))
        .first::<(String, String)>(conn)
        .db()?;
    let township = village.ancestor_at(Level::Township);
    let village_name = name_of(conn, village)?;
    let township_name = name_of(conn, township)?;
    let verified = rows
        .iter()
        .filter_map(|h| h.verified_at)
        .max()
        .map_or_else(|| ctx.today(), crate::clock::china_date);
    let ids: Vec<Uuid> = rows.iter().map(|h| h.id).collect();
    let cutoff = cutoff_line(conn, ctx, village, lang)?;
    let views = property::views(conn, ctx, rows)?;
    let en = lang == Lang::En;
    let head_row: Vec<String> = if en {
        vec![
            "No.",
            "Name",
            "ID number",
            "Type",
            "Details",
            "True",
            "Arose on",
            "Before/after",
            "Outcome",
            "Veto condition",
            "Reason",
        ]
    } else {
        vec![
            "序号",
            "姓名",
            "身份证号",
            "检索类型",
            "检索详情",
            "是否属实",
            "发生时间",
            "识别前后",
            "核查结论",
            "否决情形",
            "理由",
        ]
    }
    .into_iter()
    .map(str::to_owned)
    .collect();
    let mut table = Table {
        numeric: vec![true],
        header: head_row,
        rows: Vec::new(),
        totals: None,
    };
    for (i, v) in views.iter().enumerate() {
        let h = &v.hit;
        table.rows.push(vec![
            (i + 1).to_string(),
            v.name.clone(),
            v.id_masked.clone(),
            type_label(&h.hit_type, lang),
            h.details.clone(),
            h.is_true.map_or_else(
                || t(lang, "待核实", "pending"),
                |b| {
                    if b {
                        t(lang, "属实", "yes")
                    } else {
                        t(lang, "不属实", "no")
                    }
                },
            ),
            h.arose_on.map(|d| day(d, lang)).unwrap_or_default(),
            h.before_cutoff
                .map(|b| {
                    if b {
                        t(lang, "识别前", "before")
                    } else {
                        t(lang, "识别后", "after")
                    }
                })
                .unwrap_or_default(),
            proposal_of(h)
                .map(|p| proposal_label(p, lang))
                .unwrap_or_default(),
            v.veto_condition_label.clone().unwrap_or_default(),
            h.reason.clone().unwrap_or_default(),
        ]);
    }
    let people: std::collections::HashSet<Uuid> = views.iter().map(|v| v.hit.member_id).collect();
    table.totals = Some({
        let mut r = vec![String::new(); 11];
        r[0] = t(lang, "合计", "Total");
        r[1] = match lang {
            Lang::Zh => format!("{}人", people.len()),
            Lang::En => format!("{} people", people.len()),
        };
        r[4] = match lang {
            Lang::Zh => format!("{}条", views.len()),
            Lang::En => format!("{} hits", views.len()),
        };
        r
    });
    let organ = if en {
        organ::village_en(&village_name)
    } else {
        organ::village(&village_name)
    };
    let blocks = vec![
        Block::Title(vec![t(
            lang,
            CHECK_TITLE,
            "Verification Sheet of Property-Check Results for a Registered Poor Household",
        )]),
        Block::Subtitle(t(lang, &format!("（{name}）"), &format!("({name})"))),
        Block::Line(match lang {
            Lang::Zh => format!(
                "乡镇（街道）：{township_name} 村（居）：{} 户编号：{number} 户主：{head}",
                organ::village_place(&village_name)
            ),
            Lang::En => format!(
                "Township: {township_name}  Village: {}  Household: {number}  Head: {head}",
                organ::village_place(&village_name)
            ),
        }),
        cutoff,
        Block::Table(table),
        Block::Parties(vec![
            Party {
                label: t(lang, "核查人（签字）：", "Checked by (signature):"),
                lines: vec![t(lang, "挂点领导（签字）：", "Liaison leader (signature):")],
            },
            Party {
                label: format!(
                    "{}{organ}",
                    t(lang, "村委会（盖章）：", "Village committee (seal): ")
                ),
                lines: vec![day(verified, lang)],
            },
        ]),
    ];
    audit(
        conn,
        ctx,
        batch,
        village,
        json!({"document": "check_sheet", "household": household, "hits": ids}),
    )?;
    Ok(Doc {
        title: t(
            lang,
            &format!("{CHECK_TITLE}（{number}）"),
            &format!("Property check sheet({number})"),
        ),
        lang,
        sections: vec![Section { blocks }],
    })
}

/// The 处理意见表 of a village for a batch: one line per hit with a column for each outcome —
/// 否决, 不予否决, 不属于否决情形, 识别后发生 (veto does not apply), 不属实 — the condition by its
/// label, the reason and the appraisal's opinion; totals of each column; signed by the village
/// committee on the day of its appraisal.
///
/// # Errors
/// `NotFound` for a batch or village outside the caller's scope, or a village with no hits in
/// the batch; `Validation` naming `village_code` for a code that is not a village.
pub fn opinion_sheet(
    conn: &mut PgConnection,
    ctx: &Ctx,
    batch: Uuid,
    village: RegionCode,
    lang: Lang,
) -> Result<Doc, DomainError> {
    if village.level() != Level::Village {
        return Err(DomainError::field(
            "village_code",
            domain::Rule::format(domain::Format::VillageCode),
        ));
    }
    let name = batch_name(conn, ctx, batch)?;
    if !ctx.caller.scope().contains(village) {
        return Err(DomainError::NotFound);
    }
    let rows: Vec<HitRow> = property_hits::table
        .filter(property_hits::county_code.eq(village.county_code()))
        .filter(property_hits::batch_id.eq(batch))
        .filter(property_hits::region_code.eq(village.as_i64()))
        .order(property_hits::row_number)
        .select(HitRow::as_select())
        .load(conn)
        .db()?;
    if rows.is_empty() {
        return Err(DomainError::NotFound);
    }
    let appraised = rows.iter().filter_map(|h| h.appraised_at).max();
    let ids: Vec<Uuid> = rows.iter().map(|h| h.id).collect();
    let village_name = name_of(conn, village)?;
    let township_name = name_of(conn, village.ancestor_at(Level::Township))?;
    let cutoff = cutoff_line(conn, ctx, village, lang)?;
    let views: Vec<HitView> = property::views(conn, ctx, rows)?;
    let en = lang == Lang::En;
    let header: Vec<String> = if en {
        vec![
            "No.",
            "Household",
            "Name",
            "ID number",
            "Type",
            "Details",
            "Arose on",
            "Veto",
            "Not vetoed (hardship)",
            "Matches no veto condition",
            "After cut-off",
            "Not true",
            "Veto condition",
            "Reason",
            "Opinion",
        ]
    } else {
        vec![
            "序号",
            "户编号",
            "姓名",
            "身份证号",
            "检索类型",
            "检索详情",
            "发生时间",
            "否决",
            "不予否决",
            "不属于否决情形",
            "识别后发生",
            "不属实",
            "否决情形",
            "理由",
            "处理意见",
        ]
    }
    .into_iter()
    .map(str::to_owned)
    .collect();
    let mut numeric = vec![false; header.len()];
    numeric[0] = true;
    let outcomes = [
        Proposal::Veto,
        Proposal::NoVeto,
        Proposal::NotMatching,
        Proposal::NotApplicable,
        Proposal::None,
    ];
    let mut counts = [0_usize; 5];
    let mut table = Table {
        header,
        numeric,
        rows: Vec::new(),
        totals: None,
    };
    for (i, v) in views.iter().enumerate() {
        let h = &v.hit;
        let p = proposal_of(h);
        let mut row = vec![
            (i + 1).to_string(),
            v.household_number.clone(),
            v.name.clone(),
            v.id_masked.clone(),
            type_label(&h.hit_type, lang),
            h.details.clone(),
            h.arose_on.map(|d| day(d, lang)).unwrap_or_default(),
        ];
        for (k, o) in outcomes.iter().enumerate() {
            let hit = p == Some(*o);
            if hit {
                counts[k] += 1;
            }
            row.push(mark(hit));
        }
        row.push(v.veto_condition_label.clone().unwrap_or_default());
        row.push(h.reason.clone().unwrap_or_default());
        row.push(match (&h.opinion, h.is_true) {
            (Some(o), _) => o.clone(),
            (None, None) => t(lang, "待核实", "not verified yet"),
            (None, Some(_)) => t(lang, "待评议", "not appraised yet"),
        });
        table.rows.push(row);
    }
    let households: std::collections::HashSet<Uuid> =
        views.iter().map(|v| v.hit.household_id).collect();
    let people: std::collections::HashSet<Uuid> = views.iter().map(|v| v.hit.member_id).collect();
    let mut totals = vec![String::new(); table.header.len()];
    totals[0] = t(lang, "合计", "Total");
    totals[1] = match lang {
        Lang::Zh => format!("{}户", households.len()),
        Lang::En => format!("{} households", households.len()),
    };
    totals[2] = match lang {
        Lang::Zh => format!("{}人", people.len()),
        Lang::En => format!("{} people", people.len()),
    };
    totals[5] = match lang {
        Lang::Zh => format!("{}条", views.len()),
        Lang::En => format!("{} hits", views.len()),
    };
    for (k, c) in counts.iter().enumerate() {
        totals[7 + k] = c.to_string();
    }
    table.totals = Some(totals);
    let organ = if en {
        organ::village_en(&village_name)
    } else {
        organ::village(&village_name)
    };
    let place_name = organ::village_place(&village_name);
    let mut blocks = vec![
        Block::Title(vec![t(
            lang,
            OPINION_TITLE,
            "Handling Opinions on the Property-Check Results of Registered People",
        )]),
        Block::Subtitle(t(lang, &format!("（{name}）"), &format!("({name})"))),
        Block::Line(match (lang, appraised) {
            (Lang::Zh, Some(a)) => format!(
                "乡镇（街道）：{township_name} 村（居）：{place_name} 评议时间：{}",
                date_zh(crate::clock::china_date(a))
            ),
            (Lang::Zh, None) => {
                format!("乡镇（街道）：{township_name} 村（居）：{place_name} 评议时间：尚未评议")
            }
            (Lang::En, Some(a)) => format!(
                "Township: {township_name}  Village: {place_name}  Appraised on: {}",
                crate::clock::china_date(a)
            ),
            (Lang::En, None) => {
                format!("Township: {township_name}  Village: {place_name}  Not appraised yet")
            }
        }),
        cutoff,
        Block::Table(table),
    ];
    blocks.push(Block::Signature {
        organ,
        date: day(
            appraised.map_or_else(|| ctx.today(), crate::clock::china_date),
            lang,
        ),
    });
    audit(
        conn,
        ctx,
        batch,
        village,
        json!({"document": "opinion_sheet", "village": village.to_code_string(), "hits": ids}),
    )?;
    Ok(Doc {
        title: t(
            lang,
            &format!("{OPINION_TITLE}（{place_name}）"),
            &format!("Property check opinions({place_name})"),
        ),
        lang,
        sections: vec![Section { blocks }],
    })
}

fn stat_header(first: &str, lang: Lang) -> Vec<String> {
    let rest: [&str; 11] = match lang {
        Lang::Zh => [
            "检索人数",
            "检索条数",
            "待核实",
            "不属实",
            "属实",
            "否决",
            "不予否决",
            "不属于否决情形",
            "识别后发生",
            "已清退",
            "",
        ],
        Lang::En => [
            "People checked",
            "Hits",
            "Pending",
            "Not true",
            "True",
            "Veto",
            "Not vetoed (hardship)",
            "Matches no veto condition",
            "After cut-off",
            "Vetoes in effect",
            "",
        ],
    };
    std::iter::once(first.to_string())
        .chain(rest.iter().take(10).map(|s| (*s).to_string()))
        .collect()
}

fn stat_row(label: String, l: &StatLine) -> Vec<String> {
    vec![
        label,
        l.people.to_string(),
        l.hits.to_string(),
        l.pending.to_string(),
        l.not_true.to_string(),
        l.true_.to_string(),
        l.veto.to_string(),
        l.no_veto.to_string(),
        l.not_matching.to_string(),
        l.after_cutoff.to_string(),
        l.vetoes_in_effect.to_string(),
    ]
}

fn stat_table(first: &str, lang: Lang) -> Table {
    let header = stat_header(first, lang);
    let mut numeric = vec![true; header.len()];
    numeric[0] = false;
    Table {
        header,
        numeric,
        rows: Vec::new(),
        totals: None,
    }
}

/// The 统计表 of a township (per village) or a county (per township) for a batch: people
/// checked (检索人数, each person once however many hits), hits, and the hits by outcome, then
/// the same by hit type; totals last. Signed by the township's government (or office), or for
/// a county by the office of its poverty-alleviation leading group.
///
/// # Errors
/// `NotFound` for a batch or region outside the caller's scope, or a region with no hits in the
/// batch; `Validation` naming `region_code` for a code that is not a township or county.
pub fn statistics_sheet(
    conn: &mut PgConnection,
    ctx: &Ctx,
    batch: Uuid,
    region: RegionCode,
    lang: Lang,
) -> Result<Doc, DomainError> {
    let unit_level = match region.level() {
        Level::Township => Level::Village,
        Level::County => Level::Township,
        _ => {
            return Err(DomainError::field(
                "region_code",
                domain::Rule::other("must be a township or county code", "必须是乡镇或县的代码"),
            ));
        }
    };
    let name = batch_name(conn, ctx, batch)?;
    if !ctx.caller.scope().contains(region) {
        return Err(DomainError::NotFound);
    }
    let scope = region.subtree();
    let rows: Vec<HitRow> = property_hits::table
        .filter(property_hits::county_code.eq(region.county_code()))
        .filter(property_hits::batch_id.eq(batch))
        .filter(property_hits::region_code.between(scope.lo(), scope.hi()))
        .select(HitRow::as_select())
        .load(conn)
        .db()?;
    if rows.is_empty() {
        return Err(DomainError::NotFound);
    }
    let mut units: BTreeMap<i64, Vec<&HitRow>> = BTreeMap::new();
    for h in &rows {
        let unit = stored_code(h.region_code)?.ancestor_at(unit_level);
        units.entry(unit.as_i64()).or_default().push(h);
    }
    let codes: Vec<i64> = units.keys().copied().collect();
    let names = names_of(conn, &codes)?;
    let region_name = name_of(conn, region)?;
    let en = lang == Lang::En;
    let first = match (unit_level, en) {
        (Level::Village, false) => "村（居）",
        (Level::Village, true) => "Village",
        (_, false) => "乡镇（街道）",
        (_, true) => "Township",
    };
    let all: Vec<&HitRow> = rows.iter().collect();
    let total = property::line("total", "合计", &all);
    let mut by_unit = stat_table(first, lang);
    for (code, hits) in &units {
        let l = property::line("", "", hits);
        let n = names
            .get(code)
            .map(|n| organ::village_place(n))
            .unwrap_or_else(|| format!("{code:012}"));
        by_unit.rows.push(stat_row(n, &l));
    }
    by_unit.totals = Some(stat_row(t(lang, "合计", "Total"), &total));
    let mut by_type = stat_table(&t(lang, "检索类型", "Type"), lang);
    for ht in HitType::ALL {
        let of: Vec<&HitRow> = rows.iter().filter(|h| h.hit_type == ht.as_str()).collect();
        by_type.rows.push(stat_row(
            type_label(ht.as_str(), lang),
            &property::line(ht.as_str(), ht.label(), &of),
        ));
    }
    by_type.totals = Some(stat_row(t(lang, "合计", "Total"), &total));
    // The township's table is dated the day it was submitted; the county's the day of the
    // last confirmation; either, before that, today.
    let reported: Option<chrono::DateTime<chrono::Utc>> = if unit_level == Level::Village {
        property_reports::table
            .filter(property_reports::county_code.eq(region.county_code()))
            .filter(property_reports::batch_id.eq(batch))
            .filter(property_reports::region_code.eq(region.as_i64()))
            .select(property_reports::submitted_at)
            .first(conn)
            .optional()
            .db()?
    } else {
        property_reports::table
            .filter(property_reports::county_code.eq(region.county_code()))
            .filter(property_reports::batch_id.eq(batch))
            .select(diesel::dsl::max(property_reports::confirmed_at))
            .first::<Option<chrono::DateTime<chrono::Utc>>>(conn)
            .db()?
    };
    let date = reported.map_or_else(|| ctx.today(), crate::clock::china_date);
    let organ = match (unit_level, en) {
        (Level::Village, false) => organ::township(&region_name),
        (Level::Village, true) => organ::township_en(&region_name),
        (_, false) => format!("{region_name}扶贫开发领导小组办公室"),
        (_, true) => format!(
            "Office of the Leading Group for Poverty Alleviation and Development of {region_name}"
        ),
    };
    let blocks = vec![
        Block::Title(vec![t(
            lang,
            STATISTICS_TITLE,
            "Statistics of the Verification of Property-Check Results",
        )]),
        Block::Subtitle(t(lang, &format!("（{name}）"), &format!("({name})"))),
        Block::Line(match lang {
            Lang::Zh => format!("填报单位：{organ}"),
            Lang::En => format!("Reported by: {organ}"),
        }),
        Block::Heading(
            2,
            match (unit_level, en) {
                (Level::Village, false) => "（一）按村（居）".to_string(),
                (_, false) => "（一）按乡镇（街道）".to_string(),
                (Level::Village, true) => "1. By village".to_string(),
                (_, true) => "1. By township".to_string(),
            },
        ),
        Block::Table(by_unit),
        Block::Heading(2, t(lang, "（二）按检索类型", "2. By type of hit")),
        Block::Table(by_type),
        Block::Para(t(
            lang,
            "说明：检索人数按人计，同一人有多条检索结果的计一人；否决、不予否决、不属于否决情形为识别前发生且属实的情况，识别后发生的不适用“一票否决”；已清退为县级确认后仍有效的否决。",
            "Note: people checked counts each person once, however many hits they have; veto, not vetoed (hardship) and matches no veto condition are true facts from before the cut-off; the one-vote veto does not apply to facts arising after it; vetoes in effect are those the county confirmed and did not reverse.",
        )),
        Block::Signature {
            organ,
            date: day(date, lang),
        },
    ];
    audit(
        conn,
        ctx,
        batch,
        region,
        json!({"document": "statistics_sheet", "region": region.to_code_string(),
               "hits": rows.len(), "people": total.people}),
    )?;
    Ok(Doc {
        title: t(
            lang,
            &format!("{STATISTICS_TITLE}（{region_name}）"),
            &format!("Property check statistics({region_name})"),
        ),
        lang,
        sections: vec![Section { blocks }],
    })
}
