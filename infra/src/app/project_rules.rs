//! Seed 5's project rules (issue 22; issue 18 item 3 for the printed notice):
//!
//! - a named manager per project (专人管理) beside its dedicated account (专户): a user of the
//!   project's county holding `funds:manage`;
//! - the public posting of a construction project before work starts (张榜公布): one posting per
//!   project, its notice period counted on the working calendar like the exit notices, and — for
//!   projects created while `funds.require_project_posting` is on — no disbursement and no
//!   recorded progress until the period has ended (409 `notice_period_running`);
//! - the printed notice (项目公示) in the GB/T 9704 layout;
//! - the construction money each key village got against `funds.min_key_village_construction_fen`
//!   (seed 5: 每个启动建设的重点村建设资金均在150万元以上), shortfalls flagged.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use domain::authz::perm;
use domain::calendar::date_zh;
use domain::exit::yuan;
use domain::{DomainError, Level, RegionCode, Scope};
use render::{Block, Doc, Lang, Section};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::funds::ProjectRow;
use super::{Ctx, stored_code};
use crate::db::DbResultExt as _;
use crate::schema::{allocations, key_villages, project_postings, projects, regions, users};

/// What a manager that cannot be named is told, the same for an unknown user and another
/// county's (which must not be told apart).
fn not_a_manager() -> domain::Rule {
    domain::Rule::other(
        "is not a user of the project's county holding funds:manage",
        "不是项目所在县持有 funds:manage 权限的用户",
    )
}

/// Who may be named a project's manager in `county`: an enabled user of the county (their org
/// unit in its subtree) holding a role with `funds:manage`. One condition for the check
/// ([`check_manager`]) and the list ([`manager_candidates`]), so what is offered is what is
/// accepted.
fn may_manage(
    county: RegionCode,
) -> Box<dyn BoxableExpression<users::table, Pg, SqlType = diesel::sql_types::Bool>> {
    let subtree = county.subtree();
    Box::new(
        users::county_code
            .eq(county.county_code())
            .and(users::region_code.between(subtree.lo(), subtree.hi()))
            .and(users::disabled.eq(false))
            .and(
                diesel::dsl::sql::<diesel::sql_types::Bool>(
                    "EXISTS (SELECT 1 FROM role_grants g JOIN role_permissions p ON p.role = g.role \
                     WHERE g.county_code = users.county_code AND g.user_id = users.id \
                     AND p.permission = ",
                )
                .bind::<diesel::sql_types::Text, _>(perm::FUNDS_MANAGE)
                .sql(")"),
            ),
    )
}

/// Checks that `user` can manage a project in `region`: an enabled user of the same county
/// holding a role with `funds:manage`.
///
/// # Errors
/// `Validation` naming `manager_user_id`.
pub fn check_manager(
    conn: &mut PgConnection,
    region: RegionCode,
    user: Uuid,
) -> Result<(), DomainError> {
    let county = region.ancestor_at(Level::County);
    let found: i64 = users::table
        .filter(users::id.eq(user))
        .filter(may_manage(county))
        .count()
        .get_result(conn)
        .db()?;
    if found == 0 {
        return Err(DomainError::field("manager_user_id", not_a_manager()));
    }
    Ok(())
}

/// A user who may be named a project's manager: nothing more personal than who they are and
/// where.
#[derive(Debug, Clone)]
pub struct ManagerCandidate {
    /// User id (what `manager_user_id` takes).
    pub id: Uuid,
    /// Username.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Org unit.
    pub org_unit: RegionCode,
    /// Its name.
    pub org_unit_name: String,
}

/// The users who may be named the manager of project `id`, by username: the caller must be
/// able to name one (`funds:manage` where the project is). `prefix` filters on the start of the
/// username or of the display name; `after` is the last username of the previous page.
///
/// # Errors
/// `NotFound` outside scope; `Forbidden` without `funds:manage` there.
pub fn manager_candidates(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    prefix: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<ManagerCandidate>, DomainError> {
    let p = project_in_scope(conn, ctx, id)?;
    let region = stored_code(p.region_code)?;
    ctx.caller.require_at(perm::FUNDS_MANAGE, region)?;
    let mut q = users::table
        .filter(may_manage(region.ancestor_at(Level::County)))
        .order(users::username)
        .select((
            users::id,
            users::username,
            users::display_name,
            users::region_code,
        ))
        .limit(limit)
        .into_boxed();
    if let Some(prefix) = prefix.map(str::trim).filter(|s| !s.is_empty()) {
        let escaped = prefix
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let pattern = format!("{escaped}%");
        q = q.filter(
            users::username
                .ilike(pattern.clone())
                .or(users::display_name.like(pattern)),
        );
    }
    if let Some(a) = after {
        q = q.filter(users::username.gt(a.to_string()));
    }
    let rows: Vec<(Uuid, String, String, i64)> = q.load(conn).db()?;
    let codes: Vec<i64> = rows.iter().map(|r| r.3).collect();
    let names = super::users::names_of(conn, &codes)?;
    rows.into_iter()
        .map(|(id, username, display_name, code)| {
            Ok(ManagerCandidate {
                id,
                username,
                display_name,
                org_unit: stored_code(code)?,
                org_unit_name: names.get(&code).cloned().unwrap_or_default(),
            })
        })
        .collect()
}

/// The project's manager: id and display name.
///
/// # Errors
/// Database failures.
pub fn manager_of(
    conn: &mut PgConnection,
    p: &ProjectRow,
) -> Result<Option<(Uuid, String)>, DomainError> {
    let Some(m) = p.manager_user_id else {
        return Ok(None);
    };
    let name: Option<String> = users::table
        .filter(users::county_code.eq(p.county_code))
        .filter(users::id.eq(m))
        .select(users::display_name)
        .first(conn)
        .optional()
        .db()?;
    Ok(Some((m, name.unwrap_or_default())))
}

/// A project's public posting (张榜公布).
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = project_postings)]
pub struct PostingRow {
    /// Tenant.
    #[serde(skip)]
    pub county_code: i32,
    /// Project.
    pub project_id: Uuid,
    /// Region (the project's).
    #[serde(skip)]
    pub region_code: i64,
    /// Posted on.
    pub posted_on: NaiveDate,
    /// Where it is posted.
    pub location: String,
    /// Where objections go (office, phone).
    pub contact: String,
    /// A photo or scan of the posting.
    pub attachment_uri: Option<String>,
    /// The notice period's length (`funds.project_notice_days` when posted).
    pub notice_days: i32,
    /// The day after posting (Civil Code §201).
    pub first_day: NaiveDate,
    /// Its last day, moved past rest days (§203).
    pub last_day: NaiveDate,
    /// 24:00 Beijing time of the last day.
    pub ends_at: DateTime<Utc>,
    /// Recorded by.
    #[serde(skip)]
    pub created_by: Uuid,
    /// Recorded at.
    pub created_at: DateTime<Utc>,
}

/// The project's posting, if posted.
///
/// # Errors
/// Database failures.
pub fn posting_of(
    conn: &mut PgConnection,
    p: &ProjectRow,
) -> Result<Option<PostingRow>, DomainError> {
    project_postings::table
        .filter(project_postings::county_code.eq(p.county_code))
        .filter(project_postings::project_id.eq(p.id))
        .select(PostingRow::as_select())
        .first(conn)
        .optional()
        .db()
}

/// Refuses a payment or a record of work dated after today (`field` names the date): it is
/// recorded once it has happened.
///
/// # Errors
/// `Validation` naming `field`.
pub fn check_not_ahead(ctx: &Ctx, field: &str, on: NaiveDate) -> Result<(), DomainError> {
    if on > ctx.today() {
        return Err(DomainError::field(
            field,
            domain::Rule::other(
                format!("{on} is after today: record it once it has happened"),
                format!("{on} 晚于今天:发生后才能登记"),
            ),
        ));
    }
    Ok(())
}

/// Refuses work on a project that must be posted until its notice period has ended, and work
/// dated (`dated`: the field and its date) in the notice or after today: a payment entered
/// after the notice ended but dated inside it would put money paid during the notice in the
/// ledger and the bank's payment file.
///
/// # Errors
/// `Conflict` `notice_period_running`; `Validation` naming the date's field.
pub fn check_work_may_start(
    conn: &mut PgConnection,
    ctx: &Ctx,
    p: &ProjectRow,
    dated: (&str, NaiveDate),
) -> Result<(), DomainError> {
    let (field, on) = dated;
    check_not_ahead(ctx, field, on)?;
    if !p.posting_required {
        return Ok(());
    }
    match posting_of(conn, p)? {
        None => Err(DomainError::Conflict {
            code: domain::ErrorCode::NoticePeriodRunning,
            message: "the project has not been posted publicly (张榜公布, funds.require_project_posting): \
                      post it (POST /api/v1/projects/{id}/posting) and wait for its notice period to end"
                .into(),
        }),
        Some(posting) if ctx.now < posting.ends_at => Err(DomainError::Conflict {
            code: domain::ErrorCode::NoticePeriodRunning,
            message: format!(
                "the project's public notice runs until 24:00 on {} (Beijing time): no money is paid \
                 and no work recorded before it ends",
                posting.last_day
            ),
        }),
        Some(posting) if on <= posting.last_day => Err(DomainError::field(
            field,
            domain::Rule::other(
                format!(
                    "{on} falls in the project's public notice (to {}): work and payments are dated after it",
                    posting.last_day
                ),
                format!(
                    "{on} 在项目公示期内(至 {}):资金拨付和项目实施须在公示期满后",
                    posting.last_day
                ),
            ),
        )),
        Some(_) => Ok(()),
    }
}

/// A posting to record.
#[derive(Debug, Clone)]
pub struct NewPosting {
    /// Posted on (today, or back to `exit.backdate_days` before).
    pub posted_on: NaiveDate,
    /// Where.
    pub location: String,
    /// Where objections go.
    pub contact: String,
    /// A photo or scan.
    pub attachment_uri: Option<String>,
}

fn project_in_scope(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
) -> Result<ProjectRow, DomainError> {
    let p: ProjectRow = projects::table
        .filter(projects::id.eq(id))
        .select(ProjectRow::as_select())
        .first(conn)
        .db()?;
    if !ctx.caller.scope().contains(stored_code(p.region_code)?) {
        return Err(DomainError::NotFound);
    }
    Ok(p)
}

/// Records a project's public posting (once): the period of `funds.project_notice_days` on the
/// working calendar, from the day after `posted_on`.
///
/// # Errors
/// `NotFound` outside scope; `Forbidden` without `funds:manage`; `Validation` naming
/// `posted_on` (future, or further back than `exit.backdate_days`); `Conflict`
/// `already_exists` when posted already.
pub fn post(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    n: &NewPosting,
) -> Result<PostingRow, DomainError> {
    let p = project_in_scope(conn, ctx, id)?;
    let region = stored_code(p.region_code)?;
    ctx.caller.require_at(perm::FUNDS_MANAGE, region)?;
    let settings = super::settings::effective_for(conn, ctx, region)?;
    domain::exit::check_step_date(
        "posted_on",
        n.posted_on,
        ctx.today(),
        settings.exit.backdate_days,
        None,
    )?;
    if posting_of(conn, &p)?.is_some() {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::AlreadyExists,
            message: "the project is posted already".into(),
        });
    }
    let days = settings.funds.project_notice_days;
    let period = super::calendar::period(conn, n.posted_on, u32::try_from(days).unwrap_or(0))?;
    let row: PostingRow = diesel::insert_into(project_postings::table)
        .values((
            project_postings::county_code.eq(p.county_code),
            project_postings::project_id.eq(p.id),
            project_postings::region_code.eq(p.region_code),
            project_postings::posted_on.eq(n.posted_on),
            project_postings::location.eq(&n.location),
            project_postings::contact.eq(&n.contact),
            project_postings::attachment_uri.eq(&n.attachment_uri),
            project_postings::notice_days.eq(days),
            project_postings::first_day.eq(period.first_day),
            project_postings::last_day.eq(period.last_day),
            project_postings::ends_at.eq(period.ends_at()),
            project_postings::created_by.eq(ctx.caller.user_id),
            project_postings::created_at.eq(ctx.now),
        ))
        .returning(PostingRow::as_returning())
        .get_result(conn)
        .map_err(|e| match crate::db::map_db_error(e) {
            DomainError::Conflict { .. } => DomainError::Conflict {
                code: domain::ErrorCode::AlreadyExists,
                message: "the project is posted already".into(),
            },
            other => other,
        })?;
    ctx.audit(
        conn,
        "project.posted",
        "project",
        p.id,
        region,
        json!({ "posted_on": n.posted_on, "days": days, "last_day": period.last_day }),
    )?;
    Ok(row)
}

/// The project's posting.
///
/// # Errors
/// `NotFound` outside scope or when not posted.
pub fn get_posting(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
) -> Result<PostingRow, DomainError> {
    let p = project_in_scope(conn, ctx, id)?;
    posting_of(conn, &p)?.ok_or(DomainError::NotFound)
}

fn region_name(conn: &mut PgConnection, code: RegionCode) -> Result<String, DomainError> {
    regions::table
        .filter(regions::code.eq(code.as_i64()))
        .select(regions::name)
        .first(conn)
        .db()
}

/// The printed public notice of a project (项目公示, 张榜公布): issued by the county's
/// poverty-alleviation leading group, with the project's name, place, purpose, budget,
/// dedicated account, manager, the period "自…至…24时", the place of posting, where objections
/// go, and the date. Audited (`project.document`).
///
/// # Errors
/// `NotFound` outside scope; `Conflict` `document_not_ready` before the project is posted.
pub fn notice(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    lang: Lang,
) -> Result<Doc, DomainError> {
    let p = project_in_scope(conn, ctx, id)?;
    let region = stored_code(p.region_code)?;
    let Some(posting) = posting_of(conn, &p)? else {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::DocumentNotReady,
            message: "the notice is printed once the project is posted (POST …/posting)".into(),
        });
    };
    let county = region_name(conn, region.ancestor_at(Level::County))?;
    let place = if region.level() == Level::County {
        county.clone()
    } else {
        region_name(conn, region)?
    };
    let manager = manager_of(conn, &p)?.map(|(_, n)| n);
    let purpose = domain::funds::Purpose::parse(&p.purpose).ok();
    let organ = format!("{county}扶贫开发领导小组");
    let contact = if posting.contact.is_empty() {
        None
    } else {
        Some(posting.contact.clone())
    };
    let (title, blocks) = if lang == Lang::En {
        notice_en(&p, &posting, &place, &organ, manager, purpose, contact)
    } else {
        notice_zh(&p, &posting, &place, &organ, manager, purpose, contact)
    };
    ctx.audit(
        conn,
        "project.document",
        "project",
        p.id,
        region,
        json!({ "document": "notice" }),
    )?;
    Ok(Doc {
        title,
        lang,
        sections: vec![Section { blocks }],
    })
}

/// The notice's text in Chinese: the posting as it goes on the board.
fn notice_zh(
    p: &ProjectRow,
    posting: &PostingRow,
    place: &str,
    organ: &str,
    manager: Option<String>,
    purpose: Option<domain::funds::Purpose>,
    contact: Option<String>,
) -> (String, Vec<Block>) {
    let title = format!("关于{}的公示", p.name);
    let purpose = purpose.map_or_else(|| p.purpose.clone(), |x| x.label().to_string());
    let blocks = vec![
        Block::Issuer(format!("{organ}办公室")),
        Block::Title(vec![title.clone()]),
        Block::Para(format!(
            "按照资金到项目、管理到项目、核算到项目和专户储存、专款专用、专人管理的要求，现将{}年{place}扶贫项目有关情况张榜公布如下：",
            p.year
        )),
        Block::Line(format!("项目名称：{}", p.name)),
        Block::Line(format!("实施地点：{place}")),
        Block::Line(format!("资金用途：{purpose}")),
        Block::Line(format!("项目预算：{}元", yuan(p.budget_fen))),
        Block::Line(format!("资金专户：{}", p.account)),
        Block::Line(format!(
            "项目管理人：{}",
            manager.unwrap_or_else(|| "（未指定）".into())
        )),
        Block::Para(format!(
            "公示期：自{}至{}24时。公示地点：{}。公示期满无异议后项目方可开工、拨付资金。",
            date_zh(posting.first_day),
            date_zh(posting.last_day),
            posting.location
        )),
        Block::Para(format!(
            "如有异议，请在公示期内向{}反映。",
            contact.unwrap_or_else(|| organ.to_string())
        )),
        Block::Signature {
            organ: organ.to_string(),
            date: date_zh(posting.posted_on),
        },
    ];
    (title, blocks)
}

/// The notice in English (`Accept-Language: en`), for readers of the platform who do not read
/// Chinese; the posting on the board is the Chinese one. Names stay as recorded.
fn notice_en(
    p: &ProjectRow,
    posting: &PostingRow,
    place: &str,
    organ: &str,
    manager: Option<String>,
    purpose: Option<domain::funds::Purpose>,
    contact: Option<String>,
) -> (String, Vec<Block>) {
    let title = format!("Public notice of the project {}", p.name);
    let purpose = purpose.map_or_else(|| p.purpose.clone(), |x| x.as_str().replace('_', " "));
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let blocks = vec![
        Block::Issuer(format!(
            "{organ}办公室 (Poverty Alleviation Leading Group Office)"
        )),
        Block::Title(vec![title.clone()]),
        Block::Para(format!(
            "Funds go to projects, are managed and accounted for by project, kept in a dedicated \
             account, used only for their purpose and managed by a named person. The {} project at \
             {place} is posted publicly as follows:",
            p.year
        )),
        Block::Line(format!("Project: {}", p.name)),
        Block::Line(format!("Place: {place}")),
        Block::Line(format!("Purpose: {purpose}")),
        Block::Line(format!("Budget: {} yuan", yuan(p.budget_fen))),
        Block::Line(format!("Dedicated account: {}", p.account)),
        Block::Line(format!(
            "Project manager: {}",
            manager.unwrap_or_else(|| "(not named)".into())
        )),
        Block::Para(format!(
            "Notice period: from {} to the end of {} (24:00 Beijing time), posted at {}. Work starts \
             and money is paid only after the period ends with no objection.",
            day(posting.first_day),
            day(posting.last_day),
            posting.location
        )),
        Block::Para(format!(
            "Objections may be raised with {} within the notice period.",
            contact.unwrap_or_else(|| format!("{organ}办公室"))
        )),
        Block::Signature {
            organ: organ.to_string(),
            date: day(posting.posted_on),
        },
    ];
    (title, blocks)
}

/// One key village's construction money against the minimum.
#[derive(Debug, Clone, Serialize)]
pub struct KeyVillageFunding {
    /// The designation's id.
    pub key_village_id: Uuid,
    /// Village (12 digits).
    pub region_code: String,
    /// Village name.
    pub name: String,
    /// Designated from year.
    pub from_year: i32,
    /// To year.
    pub to_year: i32,
    /// `active` or exited.
    pub status: String,
    /// Net allocations to construction projects (paid by progress) in the village whose year
    /// falls in the designation, fen.
    pub construction_fen: i64,
    /// `funds.min_key_village_construction_fen` of its county, fen.
    pub minimum_fen: i64,
    /// Minimum − construction when short, else 0.
    pub shortfall_fen: i64,
    /// Whether it is short.
    pub short: bool,
}

/// A page of key villages in `within` designated for `year` (all designations when `None`), by
/// village, with the construction money allocated to them against the minimum. Keyset after
/// `(village, designation id)`.
///
/// # Errors
/// Database failures.
pub fn key_village_funding(
    conn: &mut PgConnection,
    ctx: &Ctx,
    within: Scope,
    year: Option<i32>,
    after: Option<(i64, Uuid)>,
    limit: i64,
) -> Result<Vec<KeyVillageFunding>, DomainError> {
    #[derive(Queryable)]
    struct K {
        county_code: i32,
        id: Uuid,
        region_code: i64,
        from_year: i32,
        to_year: i32,
        status: String,
    }
    let mut q = key_villages::table
        .filter(key_villages::region_code.between(within.lo(), within.hi()))
        .order((key_villages::region_code, key_villages::id))
        .select((
            key_villages::county_code,
            key_villages::id,
            key_villages::region_code,
            key_villages::from_year,
            key_villages::to_year,
            key_villages::status,
        ))
        .limit(limit)
        .into_boxed();
    if let Some(y) = year {
        q = q
            .filter(key_villages::from_year.le(y))
            .filter(key_villages::to_year.ge(y));
    }
    if let Some((r, id)) = after {
        q = q.filter(
            key_villages::region_code
                .gt(r)
                .or(key_villages::region_code.eq(r).and(key_villages::id.gt(id))),
        );
    }
    let rows: Vec<K> = crate::db::load_page(conn, q)?;
    let mut minimum: HashMap<i32, i64> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for k in rows {
        let village = stored_code(k.region_code)?;
        let min = match minimum.get(&k.county_code) {
            Some(m) => *m,
            None => {
                let m = super::settings::effective_for(conn, ctx, village)?
                    .funds
                    .min_key_village_construction_fen;
                minimum.insert(k.county_code, m);
                m
            }
        };
        let construction: i64 = allocations::table
            .inner_join(
                projects::table.on(projects::county_code
                    .eq(allocations::county_code)
                    .and(projects::id.eq(allocations::project_id))),
            )
            .filter(allocations::county_code.eq(k.county_code))
            .filter(projects::region_code.eq(k.region_code))
            .filter(projects::pay_by_progress.eq(true))
            .filter(projects::year.between(k.from_year, k.to_year))
            .select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "coalesce(sum(allocations.amount_fen), 0)::bigint",
            ))
            .first(conn)
            .db()?;
        let shortfall = (min - construction).max(0);
        out.push(KeyVillageFunding {
            key_village_id: k.id,
            region_code: format!("{:012}", k.region_code),
            name: region_name(conn, village)?,
            from_year: k.from_year,
            to_year: k.to_year,
            status: k.status,
            construction_fen: construction,
            minimum_fen: min,
            shortfall_fen: shortfall,
            short: shortfall > 0,
        });
    }
    Ok(out)
}

/// Names (or, with `None`, clears) a project's manager, if the project is at
/// `expected_version`.
///
/// # Errors
/// `NotFound` outside scope; `Forbidden` without `funds:manage`; `PreconditionFailed` when the
/// project changed since; `Validation` naming `manager_user_id` as [`check_manager`].
pub fn set_manager(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i32,
    manager: Option<Uuid>,
) -> Result<(), DomainError> {
    let seen = project_in_scope(conn, ctx, id)?;
    let region = stored_code(seen.region_code)?;
    ctx.caller.require_at(perm::FUNDS_MANAGE, region)?;
    // Locked and compared: the audit row's `from` is the manager replaced, not one read before
    // a concurrent change.
    let p: ProjectRow = projects::table
        .filter(projects::county_code.eq(seen.county_code))
        .filter(projects::id.eq(seen.id))
        .select(ProjectRow::as_select())
        .for_update()
        .first(conn)
        .db()?;
    if p.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    if let Some(m) = manager {
        check_manager(conn, region, m)?;
    }
    diesel::update(
        projects::table
            .filter(projects::county_code.eq(p.county_code))
            .filter(projects::id.eq(p.id)),
    )
    .set((
        projects::manager_user_id.eq(manager),
        projects::version.eq(projects::version + 1),
        projects::updated_at.eq(ctx.now),
    ))
    .execute(conn)
    .db()?;
    ctx.audit(
        conn,
        "project.manager",
        "project",
        p.id,
        region,
        json!({ "from": p.manager_user_id, "to": manager }),
    )
}
