//! The eight attachments of seed 1, generated from what was recorded, as printable HTML pages in
//! Chinese. A document exists once the step that produces it has been taken; township and county
//! documents cover every list of the township or county (for the year) the caller can see that
//! has reached that step. The submission report (附件7, `county_report`: the township's, to the
//! county) is the exception: it asks for the county's approval, so it exists once the second
//! notice has ended without objection (before the approval) and never prints the approval, which
//! is its own step.

use chrono::NaiveDate;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::calendar::date_zh;
use domain::exit::{ListState, Stage, check_submission_ready, yuan};
use domain::{DomainError, Level};
use render::{Block, Table};
use serde_json::Value;
use uuid::Uuid;

use super::{ListView, find_list, view_of};
use crate::app::{Ctx, stored_code};
use crate::db::DbResultExt as _;
use crate::schema::{exit_lists, regions};

/// The eight documents. The titles of the three notices are printed after the name of the unit
/// that posts them ([`UNIT_TITLED`]): "卞桥二村建档立卡贫困户退出初选名单公示".
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
        "建档立卡贫困户退出初选名单公示",
        Stage::FirstNotice,
    ),
    (
        "township_report",
        "关于审核确认建档立卡贫困户退出的报告",
        Stage::TownshipReviewed,
    ),
    (
        "township_notice",
        "建档立卡贫困户退出名单公示",
        Stage::SecondNotice,
    ),
    // Produced once the second notice has ended without objection: see
    // [`domain::exit::check_submission_ready`].
    (
        "county_report",
        "关于送审建档立卡贫困户退出的报告",
        Stage::SecondNotice,
    ),
    (
        "county_announcement",
        "建档立卡贫困户退出名单公告",
        Stage::Announced,
    ),
];

/// English titles, in the order of [`KINDS`] (those of [`UNIT_TITLED`] end with "of" and the
/// unit's name).
const TITLES_EN: &[&str] = &[
    "Application to Exit the Register of Poor Households",
    "Minutes of the Villager Representatives' Assembly: Democratic Appraisal",
    "Tally of the Democratic Appraisal",
    "Public Notice of the Preliminary Exit List of",
    "Report on the Review and Confirmation of Household Exits",
    "Public Notice of the Exit List of",
    "Report Submitting Household Exits for Approval",
    "Announcement of the Exit List of",
];

/// The documents whose title names the unit that posts them, and its level: the village's
/// first notice, the township's second notice, the county's announcement. Without it every
/// list's notice (and its download) would bear the same name.
const UNIT_TITLED: &[(&str, Level)] = &[
    ("village_notice", Level::Village),
    ("township_notice", Level::Township),
    ("county_announcement", Level::County),
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
    /// The document, for the writer the caller asks for (HTML, PDF, DOCX).
    pub doc: render::Doc,
}

impl Document {
    /// The printable HTML page.
    #[must_use]
    pub fn html(&self) -> String {
        self.doc.html()
    }
}

fn rank(s: Stage) -> usize {
    Stage::ALL.iter().position(|x| *x == s).unwrap_or(0)
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

/// The display name of the user who took step `s` (the minutes' 记录人), else the login name.
/// Looked up by id within the list's county through `zx_contact_candidate`, the security-definer
/// look-up of a county's user: a village clerk's scope does not show a township user who may have
/// recorded the step.
fn actor_name(
    conn: &mut PgConnection,
    county: i32,
    s: &super::StepRow,
) -> Result<String, DomainError> {
    #[derive(QueryableByName)]
    struct Named {
        #[diesel(sql_type = diesel::sql_types::Text)]
        display_name: String,
    }
    let found: Option<Named> =
        diesel::sql_query("SELECT display_name FROM zx_contact_candidate($1, $2)")
            .bind::<diesel::sql_types::Integer, _>(county)
            .bind::<diesel::sql_types::Uuid, _>(s.actor_id)
            .get_result(conn)
            .optional()
            .db()?;
    Ok(found
        .map(|n| n.display_name)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| s.actor_username.clone()))
}

fn households_table(lists: &[ListView], with_village: bool, lang: Lang) -> Block {
    let mut head: Vec<&str> = match lang {
        Lang::Zh => vec!["序号", "户编号", "户主姓名", "家庭人口", "人均纯收入（元）"],
        Lang::En => vec![
            "No.",
            "Household no.",
            "Head of household",
            "People",
            "Net income per person (yuan)",
        ],
    };
    let mut numeric = vec![true, false, false, true, true];
    if with_village {
        head.insert(1, if lang == Lang::En { "Village" } else { "村" });
        numeric.insert(1, false);
    }
    let mut t = Table::new(&head, &numeric);
    let mut n = 0;
    let mut people = 0_i64;
    for l in lists {
        for e in l.entries.iter().filter(|e| !e.entry.removed) {
            n += 1;
            people += i64::from(e.entry.people);
            let mut row = vec![
                n.to_string(),
                e.household_number.clone(),
                e.head_name.clone(),
                e.entry.people.to_string(),
                yuan(e.entry.income_per_capita_fen),
            ];
            if with_village {
                row.insert(1, l.village_name.clone());
            }
            t.rows.push(row);
        }
    }
    let mut totals = vec![String::new(); head.len()];
    totals[0] = match lang {
        Lang::Zh => "合计".to_string(),
        Lang::En => "Total".to_string(),
    };
    let at = if with_village { 2 } else { 1 };
    totals[at] = match lang {
        Lang::Zh => format!("{n}户"),
        Lang::En => format!("{n} households"),
    };
    totals[at + 2] = people.to_string();
    t.totals = Some(totals);
    Block::Table(t)
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

/// What the rules need to know about a list, from its view.
fn state_of(v: &ListView) -> Result<ListState, DomainError> {
    let open = v.objections.iter().filter(|o| o.status == "open").count();
    Ok(ListState {
        stage: v.stage()?,
        notice_ends_at: v.list.notice_ends_at,
        open_objections: i64::try_from(open).unwrap_or(i64::MAX),
        listed: v.listed().0,
    })
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
    let v = super::get(conn, ctx, id)?;
    if kind == "county_report" {
        check_submission_ready(&state_of(&v)?, ctx.now)?;
    } else if rank(v.stage()?) < rank(*needs) {
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
    let base = match lang {
        Lang::Zh => *zh_title,
        Lang::En => TITLES_EN.get(at).copied().unwrap_or(zh_title),
    };
    let title = match UNIT_TITLED.iter().find(|u| u.0 == kind).map(|u| u.1) {
        Some(level) => {
            let unit = match level {
                Level::Village => domain::organ::village_place(&v.village_name),
                Level::Township => township.clone(),
                _ => county.clone(),
            };
            match lang {
                Lang::Zh => format!("{unit}{base}"),
                Lang::En => format!("{base} {unit}"),
            }
        }
        None => base.to_string(),
    };
    let year = v.list.year;
    let vn = v.village_name.clone();
    // The signing organs, named as DOCUMENTS.md says (no suffix on a full committee name; a
    // 街道 signs as its 办事处).
    let vo = domain::organ::village(&v.village_name);
    let tgov = domain::organ::township(&township);
    let en = lang == Lang::En;
    let t = || Block::Title(vec![title.clone()]);
    let sign = |organ: String, date: String| Block::Signature { organ, date };
    let mut sections: Vec<Vec<Block>> = Vec::new();
    match kind {
        "application" => {
            let nominated = step(&v, "nomination")
                .map(|s| day(super::step_on(&s.details, s.taken_at), lang))
                .unwrap_or_default();
            for e in v.entries.iter().filter(|e| !e.entry.removed) {
                let (hn, p, inc, line, head) = (
                    &e.household_number,
                    e.entry.people,
                    yuan(e.entry.income_per_capita_fen),
                    yuan(e.entry.poverty_line_fen),
                    &e.head_name,
                );
                sections.push(if en {
                    vec![
                        t(),
                        Block::Addressee(format!("To {}:", domain::organ::village_en(&v.village_name))),
                        Block::Para(format!(
                            "Our household (no. {hn}) has {p} people. In {year} its net income per person was {inc} yuan, \
                             steadily above the province's poverty line of {line} yuan for that year. We have enough to eat and to wear; \
                             compulsory education, basic medical care and safe housing are assured, and no child has left school because of poverty. \
                             Having discussed it as a family, we apply of our own will to leave the register of poor households."
                        )),
                        sign(format!("Applicant (head of household): {head}"), nominated.clone()),
                    ]
                } else {
                    vec![
                        t(),
                        Block::Addressee(format!("{vo}：")),
                        Block::Para(format!(
                            "我户（户编号{hn}）家庭人口{p}人，{year}年家庭人均纯收入{inc}元，稳定超过当年省定扶贫标准{line}元，\
                             不愁吃、不愁穿，义务教育、基本医疗和住房安全有保障，家庭无因贫辍学学生。经全家商议，自愿申请退出建档立卡贫困户。"
                        )),
                        sign(format!("申请人（户主）：{head}"), nominated.clone()),
                    ]
                });
            }
        }
        "assembly_minutes" => {
            let s = step(&v, "appraisal").ok_or(DomainError::NotFound)?;
            let passed = v.entries.iter().filter(|e| !e.entry.removed).count();
            let (held, att, group, minutes, actor) = (
                day(super::step_on(&s.details, s.taken_at), lang),
                text(&s.details, "attendees"),
                &v.list.villager_group,
                text(&s.details, "minutes"),
                actor_name(conn, v.list.county_code, s)?,
            );
            sections.push(if en {
                vec![
                    t(),
                    Block::Line(format!("Held on: {held}")),
                    Block::Line(format!("Place: the villagers' committee of {vn}")),
                    Block::Line(format!("Representatives present: {att}")),
                    Block::Line(format!(
                        "Agenda: democratic appraisal of the {year} exit list nominated by {group}."
                    )),
                    Block::Para(format!("Minutes: {minutes}")),
                    Block::Para(format!(
                        "Outcome: {passed} households passed the appraisal and form the preliminary list."
                    )),
                    sign(format!("Recorded by: {actor}"), String::new()),
                ]
            } else {
                vec![
                    t(),
                    Block::Line(format!("时间：{held}")),
                    Block::Line(format!("地点：{vo}")),
                    Block::Line(format!("参会村民代表：{att}人")),
                    Block::Line(format!(
                        "议题：对{group}提名的{year}年建档立卡贫困户退出名单进行民主评议。"
                    )),
                    Block::Para(format!("会议记录：{minutes}")),
                    Block::Para(format!("评议结果：{passed}户通过评议，形成初步名单。")),
                    sign(format!("记录人：{actor}"), String::new()),
                ]
            });
        }
        "appraisal_tally" => {
            let s = step(&v, "appraisal").ok_or(DomainError::NotFound)?;
            let head: &[&str] = if en {
                &[
                    "No.",
                    "Household no.",
                    "Head of household",
                    "For",
                    "Against",
                    "Abstain",
                    "Result",
                ]
            } else {
                &["序号", "户编号", "户主姓名", "赞成", "反对", "弃权", "结果"]
            };
            let mut tally = Table::new(head, &[true, false, false, true, true, true, false]);
            for (i, e) in v.entries.iter().enumerate() {
                let n = |x: Option<i32>| x.map_or_else(String::new, |x| x.to_string());
                let passed = !e
                    .entry
                    .removed_reason
                    .as_deref()
                    .is_some_and(|r| r.starts_with("not passed"));
                tally.rows.push(vec![
                    (i + 1).to_string(),
                    e.household_number.clone(),
                    e.head_name.clone(),
                    n(e.entry.votes_for),
                    n(e.entry.votes_against),
                    n(e.entry.votes_abstain),
                    match (en, passed) {
                        (false, true) => "通过",
                        (false, false) => "未通过",
                        (true, true) => "passed",
                        (true, false) => "not passed",
                    }
                    .to_string(),
                ]);
            }
            let (held, att) = (
                day(super::step_on(&s.details, s.taken_at), lang),
                text(&s.details, "attendees"),
            );
            sections.push(vec![
                t(),
                Block::Line(if en {
                    format!("{vn}. Appraised on {held}; representatives present: {att}")
                } else {
                    format!("{vn} 评议日期：{held} 参会代表：{att}人")
                }),
                Block::Table(tally),
            ]);
        }
        "village_notice" => {
            let (posted, from, to, place) = notice_window(&v, "first_notice", lang);
            let table = households_table(std::slice::from_ref(&v), false, lang);
            sections.push(if en {
                vec![
                    t(),
                    Block::Para(format!(
                        "Nominated by the villagers' groups, appraised by the villager representatives' assembly \
                         and verified by the villagers' committee and the resident work team, the preliminary list of households of {vn} \
                         leaving the register in {year} is published as follows:"
                    )),
                    table,
                    Block::Para(format!(
                        "Notice period: {from} to {to} (until 24:00 Beijing time). Posted at: {place}. Objections may be raised with the villagers' committee \
                         or the resident work team during the notice period."
                    )),
                    sign(domain::organ::village_en(&v.village_name), posted),
                ]
            } else {
                vec![
                    t(),
                    Block::Para(format!(
                        "经村民小组提名、村民代表大会民主评议、村委会和驻村工作队核实，{vn}{year}年建档立卡贫困户退出初选名单公示如下："
                    )),
                    table,
                    Block::Para(format!(
                        "公示期：自{from}至{to}24时。公示地点：{place}。如有异议，请在公示期内向村委会或驻村工作队反映。"
                    )),
                    sign(vo.clone(), posted),
                ]
            });
        }
        "township_report" => {
            let lists = siblings(conn, ctx, &v, Level::Township, Stage::TownshipReviewed)?;
            let s = step(&v, "township_review").ok_or(DomainError::NotFound)?;
            let op = text(&s.details, "opinion");
            let d = day(super::step_on(&s.details, s.taken_at), lang);
            let table = households_table(&lists, true, lang);
            sections.push(if en {
                vec![
                    Block::Issuer(domain::organ::township_en(&township)),
                    t(),
                    Block::Addressee(format!(
                        "To the Office of the Leading Group for Poverty Alleviation and Development of {county}:"
                    )),
                    Block::Para(format!(
                        "{township} has reviewed the preliminary {year} exit lists reported by its villages. Opinion: {op}. \
                         The township's exit list is as follows:"
                    )),
                    table,
                    sign(domain::organ::township_en(&township), d),
                ]
            } else {
                vec![
                    Block::Issuer(tgov.clone()),
                    t(),
                    Block::Addressee(format!("{county}扶贫开发领导小组办公室：")),
                    Block::Para(format!(
                        "{township}对各村上报的{year}年建档立卡贫困户退出初选名单进行了审核，审核意见：{op}。确定全{}退出名单如下：",
                        domain::organ::township_kind(&township)
                    )),
                    table,
                    sign(tgov.clone(), d),
                ]
            });
        }
        "township_notice" => {
            let lists = siblings(conn, ctx, &v, Level::Township, Stage::SecondNotice)?;
            let (posted, from, to, place) = notice_window(&v, "second_notice", lang);
            let table = households_table(&lists, true, lang);
            sections.push(if en {
                vec![
                    t(),
                    Block::Para(format!(
                        "Reviewed by {}, the {year} list of households leaving the register \
                         is published in every administrative village as follows:",
                        domain::organ::township_en(&township)
                    )),
                    table,
                    Block::Para(format!(
                        "Notice period: {from} to {to} (until 24:00 Beijing time). Posted at: {place}. Objections may be raised with {} \
                         during the notice period.",
                        domain::organ::township_en(&township)
                    )),
                    sign(domain::organ::township_en(&township), posted),
                ]
            } else {
                vec![
                    t(),
                    Block::Para(format!(
                        "经{tgov}审核，{year}年建档立卡贫困户退出名单在各行政村公示如下："
                    )),
                    table,
                    Block::Para(format!(
                        "公示期：自{from}至{to}24时。公示地点：{place}。如有异议，请在公示期内向{tgov}反映。"
                    )),
                    sign(tgov.clone(), posted),
                ]
            });
        }
        "county_report" => {
            // The township's submission (seed 1: 镇(街道)人民政府…在各行政村进行第二次公示，经公
            // 示无异议后报县扶贫开发领导小组审批; DOCUMENTS.md: township to county). It asks for
            // the approval, so it covers the township's lists whose second notice has ended
            // without objection and prints no opinion, decision or number — the county's
            // decision is the `approval` step, recorded on its own.
            let mut lists = Vec::new();
            for l in siblings(conn, ctx, &v, Level::Township, Stage::SecondNotice)? {
                if check_submission_ready(&state_of(&l)?, ctx.now).is_ok() {
                    lists.push(l);
                }
            }
            let (households, people) = lists.iter().fold((0, 0), |(h, p), l| {
                let (lh, lp) = l.listed();
                (h + lh, p + lp)
            });
            // The last day of the latest second notice among them (each as recorded when posted).
            let ended = lists
                .iter()
                .filter_map(|l| step(l, "second_notice"))
                .filter_map(|s| s.details.get("last_day").and_then(Value::as_str))
                .filter_map(|d| d.parse::<NaiveDate>().ok())
                .max()
                .map(|d| day(d, lang))
                .unwrap_or_default();
            let table = households_table(&lists, true, lang);
            sections.push(if en {
                let organ = domain::organ::township_en(&township);
                vec![
                    Block::Issuer(organ.clone()),
                    t(),
                    Block::Addressee(format!(
                        "To the Leading Group for Poverty Alleviation and Development of {county}:"
                    )),
                    Block::Para(format!(
                        "Nominated by the villagers' groups, appraised democratically, verified and published by the villages, \
                         then reviewed by {organ} and published again in every village (the second notice ended on \
                         {ended}, with no objection), the {year} list of {households} households ({people} people) \
                         proposed to leave the register follows. It is hereby submitted for your approval."
                    )),
                    table,
                    // Dated by hand when submitted: the submission is not a recorded step.
                    sign(organ, "Date: ____________".into()),
                ]
            } else {
                vec![
                    Block::Issuer(tgov.clone()),
                    t(),
                    Block::Addressee(format!("{county}扶贫开发领导小组：")),
                    Block::Para(format!(
                        "经村民小组提名、村民代表大会民主评议、村委会和驻村工作队核实并公示，{township}审核并在各行政村\
                         第二次公示（公示期至{ended}期满）无异议，全{}{year}年拟退出建档立卡贫困户共{households}户{people}人，\
                         名单如下。现报请审批。",
                        domain::organ::township_kind(&township)
                    )),
                    table,
                    // Dated by hand when submitted: the submission is not a recorded step.
                    sign(tgov.clone(), "　　年　　月　　日".into()),
                ]
            });
        }
        "county_announcement" => {
            let (posted, from, to, place) = notice_window(&v, "announcement", lang);
            let table = households_table(std::slice::from_ref(&v), false, lang);
            sections.push(if en {
                vec![
                    t(),
                    Block::Para(format!(
                        "Approved by the Leading Group for Poverty Alleviation and Development of {county}, \
                         the following registered households of {vn} leave the register in {year}; this is hereby announced:"
                    )),
                    table,
                    Block::Para(format!(
                        "Announcement period: {from} to {to} (until 24:00 Beijing time). Posted at: {place}."
                    )),
                    sign(
                        format!("Leading Group for Poverty Alleviation and Development of {county}"),
                        posted,
                    ),
                ]
            } else {
                vec![
                    t(),
                    Block::Para(format!(
                        "经{county}扶贫开发领导小组审批，{vn}以下建档立卡贫困户{year}年退出，现予公告："
                    )),
                    table,
                    Block::Para(format!("公告期：自{from}至{to}24时。公告地点：{place}。")),
                    sign(format!("{county}扶贫开发领导小组"), posted),
                ]
            });
        }
        _ => return Err(DomainError::NotFound),
    }
    ctx.audit(
        conn,
        "exit_list.document",
        "exit_list",
        id,
        village,
        serde_json::json!({ "kind": kind, "lang": if en { "en" } else { "zh" } }),
    )?;
    Ok(Document {
        title: title.clone(),
        doc: render::Doc {
            title,
            lang: if en {
                render::Lang::En
            } else {
                render::Lang::Zh
            },
            sections: sections
                .into_iter()
                .map(|blocks| render::Section { blocks })
                .collect(),
        },
    })
}
