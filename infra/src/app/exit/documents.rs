//! The eight attachments of seed 1, generated from what was recorded, as printable HTML pages in
//! Chinese. A document exists once the step that produces it has been taken; township and county
//! documents cover every list of the township or county (for the year) the caller can see that
//! has reached that step.

use chrono::NaiveDate;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::calendar::date_zh;
use domain::exit::{Stage, yuan};
use domain::{DomainError, Level};
use serde_json::Value;
use uuid::Uuid;

use super::{ListView, find_list, view_of};
use crate::app::{Ctx, stored_code};
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

/// English titles, in the order of [`KINDS`].
const TITLES_EN: &[&str] = &[
    "Application to Exit the Register of Poor Households",
    "Minutes of the Villager Representatives' Assembly: Democratic Appraisal",
    "Tally of the Democratic Appraisal",
    "Village Public Notice of the Preliminary Exit List",
    "Report on the Review and Confirmation of Household Exits",
    "Township Public Notice of the Exit List",
    "Report Submitting Household Exits for Approval",
    "County Announcement of the Exit List",
];

/// The language of a generated document. The Chinese text is the official form; the English
/// one says the same for readers who need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Simplified Chinese (the default).
    #[default]
    Zh,
    /// English.
    En,
}

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

/// A date as the documents print it: "2026年12月4日" (GB/T 9704: no leading zeros).
fn day(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Zh => date_zh(d),
        Lang::En => d.format("%Y-%m-%d").to_string(),
    }
}

fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn page(title: &str, body: &str, lang: Lang) -> String {
    format!(
        "<!doctype html>\n<html lang=\"{l}\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:\"SimSun\",\"Songti SC\",serif;max-width:210mm;margin:20mm auto;line-height:1.8}}\
         h1{{text-align:center;font-size:22pt}}table{{border-collapse:collapse;width:100%}}\
         td,th{{border:1px solid #000;padding:4px 6px;text-align:center}}.sign{{text-align:right;margin-top:3em}}\
         section{{page-break-after:always}}@media print{{body{{margin:0}}}}</style></head>\
         <body>{body}</body></html>\n",
        t = esc(title),
        l = if lang == Lang::En { "en" } else { "zh-CN" }
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

fn households_table(lists: &[ListView], with_village: bool, lang: Lang) -> String {
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
    match lang {
        Lang::Zh => {
            let vh = if with_village { "<th>村</th>" } else { "" };
            format!(
                "<table><tr><th>序号</th>{vh}<th>户编号</th><th>户主姓名</th><th>家庭人口</th><th>人均纯收入(元)</th></tr>{rows}</table>\
                 <p>合计:{n}户{people}人。</p>"
            )
        }
        Lang::En => {
            let vh = if with_village { "<th>Village</th>" } else { "" };
            format!(
                "<table><tr><th>No.</th>{vh}<th>Household no.</th><th>Head of household</th><th>People</th><th>Net income per person (yuan)</th></tr>{rows}</table>\
                 <p>Total: {n} households, {people} people.</p>"
            )
        }
    }
}

fn notice_window(v: &ListView, step_name: &str, lang: Lang) -> (String, String, String, String) {
    step(v, step_name).map_or_else(
        || (String::new(), String::new(), String::new(), String::new()),
        |s| {
            // The period's first and last days (Civil Code §201, §203), as recorded when the
            // notice was posted.
            let on = |k: &str| {
                s.details
                    .get(k)
                    .and_then(Value::as_str)
                    .and_then(|t| t.parse::<NaiveDate>().ok())
                    .map(|d| day(d, lang))
                    .unwrap_or_default()
            };
            (
                on("posted_on"),
                on("first_day"),
                on("last_day"),
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
    lang: Lang,
) -> Result<Document, DomainError> {
    let Some(at) = KINDS.iter().position(|k| k.0 == kind) else {
        return Err(DomainError::NotFound);
    };
    let (_, zh_title, needs) = &KINDS[at];
    let title = match lang {
        Lang::Zh => *zh_title,
        Lang::En => TITLES_EN.get(at).copied().unwrap_or(zh_title),
    };
    let v = super::get(conn, ctx, id)?;
    if rank(v.stage()?) < rank(*needs) {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::DocumentNotReady,
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
    // The signing organs, named as DOCUMENTS.md says (no suffix on a full committee name; a
    // 街道 signs as its 办事处).
    let vo = esc(&domain::organ::village(&v.village_name));
    let tgov = esc(&domain::organ::township(&township));
    let body = match kind {
        "application" => {
            let nominated = step(&v, "nomination")
                .map(|s| day(super::step_on(&s.details, s.taken_at), lang))
                .unwrap_or_default();
            v.entries
                .iter()
                .filter(|e| !e.entry.removed)
                .map(|e| {
                    if lang == Lang::En {
                        return format!(
                            "<section><h1>{title}</h1><p>To the Villagers' Committee of {vn}:</p>\
                             <p>Our household (no. {hn}) has {p} people. In {year} its net income per person was {inc} yuan, \
                             steadily above the province's poverty line of {line} yuan for that year. We have enough to eat and to wear; \
                             compulsory education, basic medical care and safe housing are assured, and no child has left school because of poverty. \
                             Having discussed it as a family, we apply of our own will to leave the register of poor households.</p>\
                             <p class=\"sign\">Applicant (head of household): {head}<br>{nominated}</p></section>",
                            hn = esc(&e.household_number),
                            p = e.entry.people,
                            inc = yuan(e.entry.income_per_capita_fen),
                            line = yuan(e.entry.poverty_line_fen),
                            head = esc(&e.head_name),
                        );
                    }
                    format!(
                        "<section><h1>{title}</h1><p>{vo}:</p>\
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
            if lang == Lang::En {
                return finish(
                    conn,
                    ctx,
                    id,
                    village,
                    kind,
                    title,
                    lang,
                    format!(
                        "<h1>{title}</h1><p>Held on: {held}</p><p>Place: the villagers' committee of {vn}</p><p>Representatives present: {att}</p>\
                     <p>Agenda: democratic appraisal of the {year} exit list nominated by {group}.</p>\
                     <p>Minutes: {minutes}</p><p>Outcome: {passed} households passed the appraisal and form the preliminary list.</p>\
                     <p class=\"sign\">Recorded by: {actor}</p>",
                        held = esc(&text(&s.details, "held_on")),
                        att = esc(&text(&s.details, "attendees")),
                        group = esc(&v.list.villager_group),
                        minutes = esc(&text(&s.details, "minutes")),
                        actor = esc(&s.actor_username),
                    ),
                );
            }
            format!(
                "<h1>{title}</h1><p>时间:{held}</p><p>地点:{vo}</p><p>参会村民代表:{att}人</p>\
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
                        match (
                            lang,
                            !e.entry
                                .removed_reason
                                .as_deref()
                                .is_some_and(|r| r.starts_with("not passed")),
                        ) {
                            (Lang::Zh, true) => "通过",
                            (Lang::Zh, false) => "未通过",
                            (Lang::En, true) => "passed",
                            (Lang::En, false) => "not passed",
                        }
                    )
                })
                .collect();
            let (held, att) = (
                esc(&text(&s.details, "held_on")),
                esc(&text(&s.details, "attendees")),
            );
            match lang {
                Lang::Zh => format!(
                    "<h1>{title}</h1><p>{vn} 评议日期:{held} 参会代表:{att}人</p>\
                     <table><tr><th>序号</th><th>户编号</th><th>户主姓名</th><th>赞成</th><th>反对</th><th>弃权</th><th>结果</th></tr>{rows}</table>"
                ),
                Lang::En => format!(
                    "<h1>{title}</h1><p>{vn}. Appraised on {held}; representatives present: {att}</p>\
                     <table><tr><th>No.</th><th>Household no.</th><th>Head of household</th><th>For</th><th>Against</th><th>Abstain</th><th>Result</th></tr>{rows}</table>"
                ),
            }
        }
        "village_notice" => {
            let (posted, from, to, place) = notice_window(&v, "first_notice", lang);
            if lang == Lang::En {
                return finish(
                    conn,
                    ctx,
                    id,
                    village,
                    kind,
                    title,
                    lang,
                    format!(
                        "<h1>{title}</h1><p>Nominated by the villagers' groups, appraised by the villager representatives' assembly \
                     and verified by the villagers' committee and the resident work team, the preliminary list of households of {vn} \
                     leaving the register in {year} is published as follows:</p>{t}\
                     <p>Notice period: {from} to {to} (until 24:00 Beijing time). Posted at: {place}. Objections may be raised with the villagers' committee \
                     or the resident work team during the notice period.</p>\
                     <p class=\"sign\">Villagers' Committee of {vn}<br>{posted}</p>",
                        t = households_table(std::slice::from_ref(&v), false, lang),
                        place = esc(&place),
                    ),
                );
            }
            format!(
                "<h1>{title}</h1><p>经村民小组提名、村民代表大会民主评议、村委会和驻村工作队核实,\
                 {vn}{year}年建档立卡贫困户退出初选名单公示如下:</p>{t}\
                 <p>公示期:自{from}至{to}24时。公示地点:{place}。如有异议,请在公示期内向村委会或驻村工作队反映。</p>\
                 <p class=\"sign\">{vo}<br>{posted}</p>",
                t = households_table(std::slice::from_ref(&v), false, lang),
                place = esc(&place),
            )
        }
        "township_report" => {
            let lists = siblings(conn, ctx, &v, Level::Township, Stage::TownshipReviewed)?;
            let s = step(&v, "township_review").ok_or(DomainError::NotFound)?;
            if lang == Lang::En {
                return finish(
                    conn,
                    ctx,
                    id,
                    village,
                    kind,
                    title,
                    lang,
                    format!(
                        "<h1>{title}</h1><p>To the Office of the County Leading Group for Poverty Alleviation and Development:</p>\
                     <p>{tn} has reviewed the preliminary {year} exit lists reported by its villages. Opinion: {op}. \
                     The township's exit list is as follows:</p>{t}\
                     <p class=\"sign\">People's Government of {tn}<br>{d}</p>",
                        tn = esc(&township),
                        op = esc(&text(&s.details, "opinion")),
                        t = households_table(&lists, true, lang),
                        d = day(super::step_on(&s.details, s.taken_at), lang),
                    ),
                );
            }
            format!(
                "<h1>{title}</h1><p>县扶贫开发领导小组办公室:</p>\
                 <p>{tn}对各村上报的{year}年建档立卡贫困户退出初选名单进行了审核,审核意见:{op}。确定全镇退出名单如下:</p>{t}\
                 <p class=\"sign\">{tgov}<br>{d}</p>",
                tn = esc(&township),
                op = esc(&text(&s.details, "opinion")),
                t = households_table(&lists, true, lang),
                d = day(super::step_on(&s.details, s.taken_at), lang),
            )
        }
        "township_notice" => {
            let lists = siblings(conn, ctx, &v, Level::Township, Stage::SecondNotice)?;
            let (posted, from, to, place) = notice_window(&v, "second_notice", lang);
            if lang == Lang::En {
                return finish(
                    conn,
                    ctx,
                    id,
                    village,
                    kind,
                    title,
                    lang,
                    format!(
                        "<h1>{title}</h1><p>Reviewed by the People's Government of {tn}, the {year} list of households leaving the register \
                     is published in every administrative village as follows:</p>{t}\
                     <p>Notice period: {from} to {to} (until 24:00 Beijing time). Posted at: {place}. Objections may be raised with the township government \
                     during the notice period.</p>\
                     <p class=\"sign\">People's Government of {tn}<br>{posted}</p>",
                        tn = esc(&township),
                        t = households_table(&lists, true, lang),
                        place = esc(&place),
                    ),
                );
            }
            format!(
                "<h1>{title}</h1><p>经{tgov}审核,{year}年建档立卡贫困户退出名单在各行政村公示如下:</p>{t}\
                 <p>公示期:自{from}至{to}24时。公示地点:{place}。如有异议,请在公示期内向{tgov}反映。</p>\
                 <p class=\"sign\">{tgov}<br>{posted}</p>",
                t = households_table(&lists, true, lang),
                place = esc(&place),
            )
        }
        "county_report" => {
            let lists = siblings(conn, ctx, &v, Level::County, Stage::Approved)?;
            let s = step(&v, "approval").ok_or(DomainError::NotFound)?;
            if lang == Lang::En {
                return finish(
                    conn,
                    ctx,
                    id,
                    village,
                    kind,
                    title,
                    lang,
                    format!(
                        "<h1>{title}</h1><p>To the Leading Group for Poverty Alleviation and Development of {cn}:</p>\
                     <p>Nominated by the villagers' groups, appraised democratically, verified and published by the villages and \
                     reviewed and published by the townships, the {year} list of households proposed to leave the register follows. \
                     Approval: {op} (decision no. {no}).</p>{t}\
                     <p class=\"sign\">Office of the Leading Group for Poverty Alleviation and Development of {cn}<br>{d}</p>",
                        cn = esc(&county),
                        op = esc(&text(&s.details, "opinion")),
                        no = esc(&text(&s.details, "decision_no")),
                        t = households_table(&lists, true, lang),
                        d = day(super::step_on(&s.details, s.taken_at), lang),
                    ),
                );
            }
            format!(
                "<h1>{title}</h1><p>{cn}扶贫开发领导小组:</p>\
                 <p>经村民小组提名、民主评议、村级核实公示、乡镇审核公示,{year}年拟退出建档立卡贫困户名单如下,\
                 审批意见:{op}(文号:{no})。</p>{t}<p class=\"sign\">{cn}扶贫开发领导小组办公室<br>{d}</p>",
                cn = esc(&county),
                op = esc(&text(&s.details, "opinion")),
                no = esc(&text(&s.details, "decision_no")),
                t = households_table(&lists, true, lang),
                d = day(super::step_on(&s.details, s.taken_at), lang),
            )
        }
        "county_announcement" => {
            let (posted, from, to, place) = notice_window(&v, "announcement", lang);
            if lang == Lang::En {
                return finish(
                    conn,
                    ctx,
                    id,
                    village,
                    kind,
                    title,
                    lang,
                    format!(
                        "<h1>{title}</h1><p>Approved by the Leading Group for Poverty Alleviation and Development of {cn}, \
                     the following registered households of {vn} leave the register in {year}; this is hereby announced:</p>{t}\
                     <p>Announcement period: {from} to {to} (until 24:00 Beijing time). Posted at: {place}.</p>\
                     <p class=\"sign\">Leading Group for Poverty Alleviation and Development of {cn}<br>{posted}</p>",
                        cn = esc(&county),
                        t = households_table(std::slice::from_ref(&v), false, lang),
                        place = esc(&place),
                    ),
                );
            }
            format!(
                "<h1>{title}</h1><p>经{cn}扶贫开发领导小组审批,{vn}以下建档立卡贫困户{year}年退出,现予公告:</p>{t}\
                 <p>公告期:自{from}至{to}24时。公告地点:{place}。</p><p class=\"sign\">{cn}扶贫开发领导小组<br>{posted}</p>",
                cn = esc(&county),
                t = households_table(std::slice::from_ref(&v), false, lang),
                place = esc(&place),
            )
        }
        _ => return Err(DomainError::NotFound),
    };
    finish(conn, ctx, id, village, kind, title, lang, body)
}

/// Audits the document and wraps it in its page.
#[expect(clippy::too_many_arguments, reason = "the parts of one document")]
fn finish(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    village: domain::RegionCode,
    kind: &str,
    title: &str,
    lang: Lang,
    body: String,
) -> Result<Document, DomainError> {
    ctx.audit(
        conn,
        "exit_list.document",
        "exit_list",
        id,
        village,
        serde_json::json!({ "kind": kind, "lang": if lang == Lang::En { "en" } else { "zh" } }),
    )?;
    Ok(Document {
        title: title.to_string(),
        html: page(title, &body, lang),
    })
}
