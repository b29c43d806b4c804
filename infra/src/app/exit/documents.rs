//! The eight attachments of seed 1, generated from what was recorded, as printable HTML pages in
//! Chinese. A document exists once the step that produces it has been taken; township and county
//! documents cover every list of the township or county (for the year) the caller can see that
//! has reached that step.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::exit::{Stage, yuan};
use domain::{DomainError, Level};
use serde_json::Value;
use uuid::Uuid;

use super::{ListView, find_list, view_of};
use crate::app::{Ctx, stored_code};
use crate::clock::china_date;
use crate::db::DbResultExt as _;
use crate::schema::{exit_lists, regions};

/// The eight documents.
pub const KINDS: &[(&str, &str, Stage)] = &[
    ("application", "建档立卡贫困户退出申请书", Stage::Nominated),
    (
        "assembly_minutes",
        "村民代表大会民主评议会议记录",
        Stage::Appraised,
    ),
    (
        "appraisal_tally",
        "村民代表大会民主评议统计表",
        Stage::Appraised,
    ),
    (
        "village_notice",
        "村建档立卡贫困户退出初选名单公示",
        Stage::FirstNotice,
    ),
    (
        "township_report",
        "关于审核确认建档立卡贫困户退出的报告",
        Stage::TownshipReviewed,
    ),
    (
        "township_notice",
        "乡(镇)建档立卡贫困户退出名单公示",
        Stage::SecondNotice,
    ),
    (
        "county_report",
        "关于送审建档立卡贫困户退出的报告",
        Stage::Approved,
    ),
    (
        "county_announcement",
        "县建档立卡贫困户退出名单公告",
        Stage::Announced,
    ),
];

/// A generated document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Title.
    pub title: String,
    /// The page.
    pub html: String,
}

fn rank(s: Stage) -> usize {
    Stage::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

fn date(at: DateTime<Utc>) -> String {
    china_date(at).format("%Y年%m月%d日").to_string()
}

fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:\"SimSun\",\"Songti SC\",serif;max-width:210mm;margin:20mm auto;line-height:1.8}}\
         h1{{text-align:center;font-size:22pt}}table{{border-collapse:collapse;width:100%}}\
         td,th{{border:1px solid #000;padding:4px 6px;text-align:center}}.sign{{text-align:right;margin-top:3em}}\
         section{{page-break-after:always}}@media print{{body{{margin:0}}}}</style></head>\
         <body>{body}</body></html>\n",
        t = esc(title)
    )
}

fn name_of(conn: &mut PgConnection, code: i64) -> Result<String, DomainError> {
    Ok(regions::table
        .filter(regions::code.eq(code))
        .select(regions::name)
        .first::<String>(conn)
        .optional()
        .db()?
        .unwrap_or_default())
}

fn step<'a>(v: &'a ListView, name: &str) -> Option<&'a super::StepRow> {
    v.steps.iter().rev().find(|s| s.step == name)
}

fn households_table(lists: &[ListView], with_village: bool) -> String {
    let mut rows = String::new();
    let mut n = 0;
    let mut people = 0_i64;
    for l in lists {
        for e in l.entries.iter().filter(|e| !e.entry.removed) {
            n += 1;
            people += i64::from(e.entry.people);
            let village = if with_village {
                format!("<td>{}</td>", esc(&l.village_name))
            } else {
                String::new()
            };
            rows.push_str(&format!(
                "<tr><td>{n}</td>{village}<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&e.household_number),
                esc(&e.head_name),
                e.entry.people,
                yuan(e.entry.income_per_capita_fen)
            ));
        }
    }
    let vh = if with_village { "<th>村</th>" } else { "" };
    format!(
        "<table><tr><th>序号</th>{vh}<th>户编号</th><th>户主姓名</th><th>家庭人口</th><th>人均纯收入(元)</th></tr>{rows}</table>\
         <p>合计:{n}户{people}人。</p>"
    )
}

fn notice_window(v: &ListView, step_name: &str) -> (String, String, String) {
    step(v, step_name).map_or_else(
        || (String::new(), String::new(), String::new()),
        |s| {
            let parse = |k: &str| {
                s.details
                    .get(k)
                    .and_then(Value::as_str)
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|d| date(d.with_timezone(&Utc)))
                    .unwrap_or_default()
            };
            (
                parse("starts_at"),
                parse("ends_at"),
                text(&s.details, "location"),
            )
        },
    )
}

/// Lists of the same year in the unit at `level` above the list's village, at or past `stage`.
fn siblings(
    conn: &mut PgConnection,
    ctx: &Ctx,
    v: &ListView,
    level: Level,
    stage: Stage,
) -> Result<Vec<ListView>, DomainError> {
    let unit = stored_code(v.list.region_code)?
        .ancestor_at(level)
        .subtree();
    let stages: Vec<&str> = Stage::ALL
        .iter()
        .filter(|s| rank(**s) >= rank(stage))
        .map(|s| s.as_str())
        .collect();
    // Above the county only filed lists are visible (as in `find_list`).
    let stages: Vec<&str> = if ctx.caller.org.level() < Level::County {
        vec![Stage::Filed.as_str()]
    } else {
        stages
    };
    let ids: Vec<Uuid> = exit_lists::table
        .filter(exit_lists::region_code.between(unit.lo(), unit.hi()))
        .filter(exit_lists::year.eq(v.list.year))
        .filter(exit_lists::stage.eq_any(stages))
        .order((exit_lists::region_code, exit_lists::id))
        .select(exit_lists::id)
        .load(conn)
        .db()?;
    ids.into_iter()
        .map(|id| find_list(conn, ctx, id).and_then(|l| view_of(conn, l)))
        .collect()
}

/// Generates document `kind` for list `id`.
///
/// # Errors
/// `NotFound` for an unknown kind or list; `Conflict` `document_not_ready` before its step.
pub fn render(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    kind: &str,
) -> Result<Document, DomainError> {
    let Some((_, title, needs)) = KINDS.iter().find(|k| k.0 == kind) else {
        return Err(DomainError::NotFound);
    };
    let v = super::get(conn, ctx, id)?;
    if rank(v.stage()?) < rank(*needs) {
        return Err(DomainError::Conflict {
            code: "document_not_ready",
            message: format!(
                "{kind} is produced at the stage {}; the list is at {}",
                needs.as_str(),
                v.list.stage
            ),
        });
    }
    let village = stored_code(v.list.region_code)?;
    let township = name_of(conn, village.ancestor_at(Level::Township).as_i64())?;
    let county = name_of(conn, village.ancestor_at(Level::County).as_i64())?;
    let year = v.list.year;
    let vn = esc(&v.village_name);
    let body = match kind {
        "application" => {
            let nominated = step(&v, "nomination")
                .map(|s| date(s.taken_at))
                .unwrap_or_default();
            v.entries
                .iter()
                .filter(|e| !e.entry.removed)
                .map(|e| {
                    format!(
                        "<section><h1>{title}</h1><p>{vn}村民委员会:</p>\
                         <p>我户(户编号{hn})家庭人口{p}人,{year}年家庭人均纯收入{inc}元,稳定超过当年省定扶贫标准{line}元,\
                         不愁吃、不愁穿,义务教育、基本医疗和住房安全有保障,家庭无因贫辍学学生。经全家商议,自愿申请退出建档立卡贫困户。</p>\
                         <p class=\"sign\">申请人(户主):{head}<br>{nominated}</p></section>",
                        hn = esc(&e.household_number),
                        p = e.entry.people,
                        inc = yuan(e.entry.income_per_capita_fen),
                        line = yuan(e.entry.poverty_line_fen),
                        head = esc(&e.head_name),
                    )
                })
                .collect::<String>()
        }
        "assembly_minutes" => {
            let s = step(&v, "appraisal").ok_or(DomainError::NotFound)?;
            let passed = v.entries.iter().filter(|e| !e.entry.removed).count();
            format!(
                "<h1>{title}</h1><p>时间:{held}</p><p>地点:{vn}村委会</p><p>参会村民代表:{att}人</p>\
                 <p>议题:对{group}提名的{year}年建档立卡贫困户退出名单进行民主评议。</p>\
                 <p>会议记录:{minutes}</p><p>评议结果:{passed}户通过评议,形成初步名单。</p>\
                 <p class=\"sign\">记录人:{actor}</p>",
                held = esc(&text(&s.details, "held_on")),
                att = esc(&text(&s.details, "attendees")),
                group = esc(&v.list.villager_group),
                minutes = esc(&text(&s.details, "minutes")),
                actor = esc(&s.actor_username),
            )
        }
        "appraisal_tally" => {
            let s = step(&v, "appraisal").ok_or(DomainError::NotFound)?;
            let rows: String = v
                .entries
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    let n = |x: Option<i32>| x.map_or_else(String::new, |x| x.to_string());
                    format!(
                        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        i + 1,
                        esc(&e.household_number),
                        esc(&e.head_name),
                        n(e.entry.votes_for),
                        n(e.entry.votes_against),
                        n(e.entry.votes_abstain),
                        if !e
                            .entry
                            .removed_reason
                            .as_deref()
                            .is_some_and(|r| r.starts_with("not passed"))
                        {
                            "通过"
                        } else {
                            "未通过"
                        }
                    )
                })
                .collect();
            format!(
                "<h1>{title}</h1><p>{vn} 评议日期:{held} 参会代表:{att}人</p>\
                 <table><tr><th>序号</th><th>户编号</th><th>户主姓名</th><th>赞成</th><th>反对</th><th>弃权</th><th>结果</th></tr>{rows}</table>",
                held = esc(&text(&s.details, "held_on")),
                att = esc(&text(&s.details, "attendees")),
            )
        }
        "village_notice" => {
            let (from, to, place) = notice_window(&v, "first_notice");
            format!(
                "<h1>{title}</h1><p>经村民小组提名、村民代表大会民主评议、村委会和驻村工作队核实,\
                 {vn}{year}年建档立卡贫困户退出初选名单公示如下:</p>{t}\
                 <p>公示期:{from}至{to}。公示地点:{place}。如有异议,请在公示期内向村委会或驻村工作队反映。</p>\
                 <p class=\"sign\">{vn}村民委员会<br>{from}</p>",
                t = households_table(std::slice::from_ref(&v), false),
                place = esc(&place),
            )
        }
        "township_report" => {
            let lists = siblings(conn, ctx, &v, Level::Township, Stage::TownshipReviewed)?;
            let s = step(&v, "township_review").ok_or(DomainError::NotFound)?;
            format!(
                "<h1>{title}</h1><p>县扶贫开发领导小组办公室:</p>\
                 <p>{tn}对各村上报的{year}年建档立卡贫困户退出初选名单进行了审核,审核意见:{op}。确定全镇退出名单如下:</p>{t}\
                 <p class=\"sign\">{tn}人民政府<br>{d}</p>",
                tn = esc(&township),
                op = esc(&text(&s.details, "opinion")),
                t = households_table(&lists, true),
                d = date(s.taken_at),
            )
        }
        "township_notice" => {
            let lists = siblings(conn, ctx, &v, Level::Township, Stage::SecondNotice)?;
            let (from, to, place) = notice_window(&v, "second_notice");
            format!(
                "<h1>{title}</h1><p>经{tn}人民政府审核,{year}年建档立卡贫困户退出名单在各行政村公示如下:</p>{t}\
                 <p>公示期:{from}至{to}。公示地点:{place}。如有异议,请在公示期内向镇人民政府反映。</p>\
                 <p class=\"sign\">{tn}人民政府<br>{from}</p>",
                tn = esc(&township),
                t = households_table(&lists, true),
                place = esc(&place),
            )
        }
        "county_report" => {
            let lists = siblings(conn, ctx, &v, Level::County, Stage::Approved)?;
            let s = step(&v, "approval").ok_or(DomainError::NotFound)?;
            format!(
                "<h1>{title}</h1><p>{cn}扶贫开发领导小组:</p>\
                 <p>经村民小组提名、民主评议、村级核实公示、乡镇审核公示,{year}年拟退出建档立卡贫困户名单如下,\
                 审批意见:{op}(文号:{no})。</p>{t}<p class=\"sign\">{cn}扶贫开发领导小组办公室<br>{d}</p>",
                cn = esc(&county),
                op = esc(&text(&s.details, "opinion")),
                no = esc(&text(&s.details, "decision_no")),
                t = households_table(&lists, true),
                d = date(s.taken_at),
            )
        }
        "county_announcement" => {
            let (from, to, place) = notice_window(&v, "announcement");
            format!(
                "<h1>{title}</h1><p>经{cn}扶贫开发领导小组审批,{vn}以下建档立卡贫困户{year}年退出,现予公告:</p>{t}\
                 <p>公告期:{from}至{to}。公告地点:{place}。</p><p class=\"sign\">{cn}扶贫开发领导小组<br>{from}</p>",
                cn = esc(&county),
                t = households_table(std::slice::from_ref(&v), false),
                place = esc(&place),
            )
        }
        _ => return Err(DomainError::NotFound),
    };
    ctx.audit(
        conn,
        "exit_list.document",
        "exit_list",
        id,
        village,
        serde_json::json!({ "kind": kind }),
    )?;
    Ok(Document {
        title: (*title).to_string(),
        html: page(title, &body),
    })
}
