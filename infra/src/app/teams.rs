//! Assistance teams (帮扶队伍): resident work teams per village with members and terms, cadres
//! paired with households, visit logs, expert advisers, strong-weak village pairings, and the
//! coverage rules reported up the hierarchy.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Bytea, Date, Nullable};
use domain::authz::perm;
use domain::cases::IdNumber;
use domain::{DomainError, Level, RegionCode, Scope};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::{Ctx, stored_code};
use crate::db::{DbResultExt as _, map_db_error};
use crate::pii::DataKeys;
use crate::schema::{pairings, team_members, teams, village_advisers, village_pairings, visits};

/// A team.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = teams)]
pub struct TeamRow {
    /// Id.
    pub id: Uuid,
    /// Village.
    pub region_code: i64,
    /// Name.
    pub name: String,
}

/// A team member (ID number kept only as a blind index and a masked copy).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = team_members)]
pub struct MemberRow {
    /// Tenant.
    pub county_code: i32,
    /// Id.
    pub id: Uuid,
    /// Team.
    pub team_id: Uuid,
    /// Village.
    pub region_code: i64,
    /// Name.
    pub name: String,
    /// Masked ID number.
    pub id_masked: String,
    /// 派出单位.
    pub dispatching_unit: String,
    /// `first_secretary`, `leader`, `member`.
    pub position: String,
    /// Term start.
    pub term_start: NaiveDate,
    /// Term end.
    pub term_end: NaiveDate,
    /// The account that writes visit logs as this member.
    pub user_id: Option<Uuid>,
}

/// A team with its members.
#[derive(Debug, Clone)]
pub struct TeamView {
    /// The team.
    pub team: TeamRow,
    /// Members.
    pub members: Vec<MemberRow>,
}

fn in_scope_village(ctx: &Ctx, code: RegionCode, field: &str) -> Result<(), DomainError> {
    if code.level() != Level::Village || !ctx.caller.scope().contains(code) {
        return Err(DomainError::field(
            field,
            domain::Rule::not_in_scope(domain::ScopeKind::Village),
        ));
    }
    Ok(())
}

fn manage(ctx: &Ctx, code: RegionCode) -> Result<(), DomainError> {
    ctx.caller
        .require_at_level(perm::VILLAGES_MANAGE, Level::County, code)
}

/// Creates a village's resident work team (county step).
///
/// # Errors
/// `Validation`, `Forbidden`.
pub fn create_team(
    conn: &mut PgConnection,
    ctx: &Ctx,
    village: RegionCode,
    name: &str,
) -> Result<TeamView, DomainError> {
    in_scope_village(ctx, village, "village_code")?;
    manage(ctx, village)?;
    super::users::check_org_unit(conn, "village_code", village)?;
    let team: TeamRow = diesel::insert_into(teams::table)
        .values((
            teams::county_code.eq(village.county_code()),
            teams::id.eq(Uuid::new_v4()),
            teams::region_code.eq(village.as_i64()),
            teams::name.eq(name),
            teams::created_by.eq(ctx.caller.user_id),
            teams::created_at.eq(ctx.now),
        ))
        .returning(TeamRow::as_returning())
        .get_result(conn)
        .db()?;
    ctx.audit(
        conn,
        "team.created",
        "team",
        team.id,
        village,
        json!({ "name": name }),
    )?;
    Ok(TeamView {
        team,
        members: Vec::new(),
    })
}

/// A team with its members.
///
/// # Errors
/// `NotFound` outside scope.
pub fn get_team(conn: &mut PgConnection, id: Uuid) -> Result<TeamView, DomainError> {
    let team: TeamRow = teams::table
        .filter(teams::id.eq(id))
        .select(TeamRow::as_select())
        .first(conn)
        .db()?;
    let members = team_members::table
        .filter(team_members::team_id.eq(id))
        .order((team_members::term_start, team_members::name))
        .select(MemberRow::as_select())
        .load(conn)
        .db()?;
    Ok(TeamView { team, members })
}

/// Teams in `within`.
///
/// # Errors
/// Database failures.
pub fn list_teams(conn: &mut PgConnection, within: Scope) -> Result<Vec<TeamView>, DomainError> {
    let rows: Vec<TeamRow> = teams::table
        .filter(teams::region_code.between(within.lo(), within.hi()))
        .order((teams::region_code, teams::name))
        .select(TeamRow::as_select())
        .limit(2000)
        .load(conn)
        .db()?;
    let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
    let mut members: HashMap<Uuid, Vec<MemberRow>> = HashMap::new();
    for m in team_members::table
        .filter(team_members::team_id.eq_any(&ids))
        .order((team_members::term_start, team_members::name))
        .select(MemberRow::as_select())
        .load::<MemberRow>(conn)
        .db()?
    {
        members.entry(m.team_id).or_default().push(m);
    }
    Ok(rows
        .into_iter()
        .map(|team| TeamView {
            members: members.remove(&team.id).unwrap_or_default(),
            team,
        })
        .collect())
}

/// A member to add.
#[derive(Debug, Clone)]
pub struct NewMember {
    /// Name.
    pub name: String,
    /// ID number (kept as a blind index and masked copy only).
    pub id_number: IdNumber,
    /// 派出单位.
    pub dispatching_unit: String,
    /// Position code.
    pub position: String,
    /// Term.
    pub term: (NaiveDate, NaiveDate),
    /// Their account, for visit logs.
    pub user_id: Option<Uuid>,
}

/// Adds a member to a team (county step). A person serves on at most one team at a time,
/// across every county: an overlapping term is refused. The number's try must have been
/// recorded first ([`super::cases::tries::try_numbers`] with `Register::Teams`, or the
/// team-member import's gate): the answer tells whether it serves on a team.
///
/// # Errors
/// `Conflict` `term_overlaps`; `Validation` for an account that does not log visits in the
/// village ([`accounts`]);
/// `Unexpected` for a number whose try was not recorded.
pub fn add_member(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    team_id: Uuid,
    m: &NewMember,
) -> Result<TeamView, DomainError> {
    let team = get_team(conn, team_id)?.team;
    let village = stored_code(team.region_code)?;
    manage(ctx, village)?;
    if let Some(u) = m.user_id
        && !accounts::linkable_id(conn, village, u)?
    {
        return Err(DomainError::field("user_id", accounts::not_linkable()));
    }
    // Whether the number serves on a team anywhere is what the answer tells: its try must have
    // been recorded first, in a transaction of its own that counted it against its masked
    // form's daily limit (`cases::tries::try_numbers`, or an import's gate).
    let tries = super::cases::tries::Register::Teams;
    if !super::cases::tries::tried_before(conn, ctx, keys, tries, &m.id_number)? {
        return Err(DomainError::Unexpected(anyhow::anyhow!(
            "a team member's ID number was checked without its try recorded first"
        )));
    }
    let blind = keys.blind_index(&m.id_number);
    super::cases::households::lock_people(conn, std::slice::from_ref(&blind))?;
    #[derive(QueryableByName)]
    struct Overlap {
        #[diesel(sql_type = Bool)]
        overlaps: bool,
    }
    let o: Overlap = diesel::sql_query("SELECT zx_team_term_overlaps($1, $2, $3, $4) AS overlaps")
        .bind::<Bytea, _>(&blind)
        .bind::<Date, _>(m.term.0)
        .bind::<Date, _>(m.term.1)
        .bind::<Nullable<diesel::sql_types::Uuid>, _>(None::<Uuid>)
        .get_result(conn)
        .db()?;
    if o.overlaps {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::TermOverlaps,
            message: format!(
                "{} serves on another team during that term; a person serves on one team at a time",
                m.name
            ),
        });
    }
    let id = Uuid::new_v4();
    diesel::insert_into(team_members::table)
        .values((
            team_members::county_code.eq(village.county_code()),
            team_members::id.eq(id),
            team_members::team_id.eq(team_id),
            team_members::region_code.eq(team.region_code),
            team_members::name.eq(&m.name),
            team_members::id_blind.eq(&blind),
            team_members::id_masked.eq(m.id_number.masked()),
            team_members::dispatching_unit.eq(&m.dispatching_unit),
            team_members::position.eq(&m.position),
            team_members::term_start.eq(m.term.0),
            team_members::term_end.eq(m.term.1),
            team_members::user_id.eq(m.user_id),
            team_members::created_by.eq(ctx.caller.user_id),
            team_members::created_at.eq(ctx.now),
        ))
        .execute(conn)
        .db()?;
    ctx.audit(
        conn,
        "team.member_added",
        "team",
        team_id,
        village,
        json!({ "member_id": id, "position": m.position, "term": [m.term.0, m.term.1] }),
    )?;
    get_team(conn, team_id)
}

/// A pairing of a cadre (team member) with a household.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = pairings)]
pub struct PairingRow {
    /// Id.
    pub id: Uuid,
    /// Household.
    pub household_id: Uuid,
    /// Village.
    pub region_code: i64,
    /// The cadre.
    pub member_id: Uuid,
    /// From.
    pub start_date: NaiveDate,
    /// Until (open when null).
    pub end_date: Option<NaiveDate>,
}

/// Pairs a team member with a household of the team's village (county step).
///
/// # Errors
/// `Validation` when the household is outside the member's village; `Conflict` when paired.
pub fn pair(
    conn: &mut PgConnection,
    ctx: &Ctx,
    household_id: Uuid,
    member_id: Uuid,
    start: NaiveDate,
) -> Result<PairingRow, DomainError> {
    let h = super::cases::find(conn, household_id).map_err(|_| {
        DomainError::field(
            "household_id",
            domain::Rule::not_in_scope(domain::ScopeKind::Household),
        )
    })?;
    let m: MemberRow = team_members::table
        .filter(team_members::id.eq(member_id))
        .select(MemberRow::as_select())
        .first(conn)
        .optional()
        .db()?
        .ok_or_else(|| {
            DomainError::field(
                "member_id",
                domain::Rule::not_in_scope(domain::ScopeKind::TeamMember),
            )
        })?;
    let village = stored_code(h.region_code)?;
    manage(ctx, village)?;
    if m.region_code != h.region_code {
        return Err(DomainError::field(
            "member_id",
            domain::Rule::other(
                "serves on another village's team than the household's",
                "所在工作队不属于该户所在村",
            ),
        ));
    }
    if start < m.term_start || start > m.term_end {
        return Err(DomainError::field(
            "start_date",
            domain::Rule::other(
                format!(
                    "must fall within the member's term ({} to {})",
                    m.term_start, m.term_end
                ),
                format!("必须在该成员任期内({} 至 {})", m.term_start, m.term_end),
            ),
        ));
    }
    let row: PairingRow = diesel::insert_into(pairings::table)
        .values((
            pairings::county_code.eq(h.county_code),
            pairings::id.eq(Uuid::new_v4()),
            pairings::household_id.eq(h.id),
            pairings::region_code.eq(h.region_code),
            pairings::member_id.eq(member_id),
            pairings::start_date.eq(start),
            pairings::created_by.eq(ctx.caller.user_id),
            pairings::created_at.eq(ctx.now),
        ))
        .returning(PairingRow::as_returning())
        .get_result(conn)
        .map_err(|e| match map_db_error(e) {
            DomainError::Conflict { .. } => DomainError::Conflict {
                code: domain::ErrorCode::Paired,
                message: "this cadre is paired with the household already".into(),
            },
            other => other,
        })?;
    super::cases::record_change(
        conn,
        ctx,
        h.id,
        "paired",
        json!({ "pairing_id": row.id, "member_id": member_id, "cadre": m.name, "start_date": start }),
        None,
    )?;
    Ok(row)
}

/// Ends a pairing (county step).
///
/// # Errors
/// `NotFound`; `Conflict` when ended already.
pub fn end_pairing(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    end: NaiveDate,
) -> Result<PairingRow, DomainError> {
    let p: PairingRow = pairings::table
        .filter(pairings::id.eq(id))
        .select(PairingRow::as_select())
        .for_update()
        .first(conn)
        .db()?;
    manage(ctx, stored_code(p.region_code)?)?;
    if p.end_date.is_some() {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::Ended,
            message: "the pairing has ended already".into(),
        });
    }
    if end < p.start_date {
        return Err(DomainError::field(
            "end_date",
            domain::Rule::other("is before the pairing began", "早于结对开始日期"),
        ));
    }
    let row = diesel::update(pairings::table.filter(pairings::id.eq(id)))
        .set(pairings::end_date.eq(end))
        .returning(PairingRow::as_returning())
        .get_result(conn)
        .db()?;
    ctx.audit(
        conn,
        "pairing.ended",
        "pairing",
        id,
        stored_code(p.region_code)?,
        json!({ "end_date": end }),
    )?;
    Ok(row)
}

/// Pairings in `within` (or of one household), by village, start and id, after the cursor
/// `after`; at most `limit`.
///
/// # Errors
/// Database failures.
pub fn list_pairings(
    conn: &mut PgConnection,
    within: Scope,
    household: Option<Uuid>,
    after: Option<(i64, NaiveDate, Uuid)>,
    limit: i64,
) -> Result<Vec<PairingRow>, DomainError> {
    let mut q = pairings::table
        .filter(pairings::region_code.between(within.lo(), within.hi()))
        .order((pairings::region_code, pairings::start_date, pairings::id))
        .select(PairingRow::as_select())
        .limit(limit)
        .into_boxed();
    if let Some(h) = household {
        // One household's pairings (one village: the same order), from
        // `pairings_household_walk`.
        q = q
            .filter(
                diesel::dsl::sql::<Bool>("pairings.county_code = (SELECT zx_household_county(")
                    .bind::<diesel::sql_types::Uuid, _>(h)
                    .sql("))"),
            )
            .filter(pairings::household_id.eq(h))
            .order((pairings::start_date, pairings::id));
        if let Some((_, d, id)) = after {
            q = q.filter(
                diesel::dsl::sql::<Bool>("(pairings.start_date, pairings.id) > (")
                    .bind::<diesel::sql_types::Date, _>(d)
                    .sql(", ")
                    .bind::<diesel::sql_types::Uuid, _>(id)
                    .sql(")"),
            );
        }
    } else if let Some((r, d, id)) = after {
        q = q.filter(
            diesel::dsl::sql::<Bool>(
                "(pairings.region_code, pairings.start_date, pairings.id) > (",
            )
            .bind::<diesel::sql_types::BigInt, _>(r)
            .sql(", ")
            .bind::<diesel::sql_types::Date, _>(d)
            .sql(", ")
            .bind::<diesel::sql_types::Uuid, _>(id)
            .sql(")"),
        );
    }
    crate::db::load_page(conn, q)
}

/// A visit log entry.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = visits)]
pub struct VisitRow {
    /// Id.
    pub id: Uuid,
    /// Household.
    pub household_id: Uuid,
    /// Village.
    pub region_code: i64,
    /// The cadre who visited.
    pub member_id: Uuid,
    /// Date.
    pub visited_on: NaiveDate,
    /// What was found.
    pub found: String,
    /// What was done.
    pub done: String,
}

/// Writes a visit log: only a team member, as the cadre paired with the household on that day.
///
/// # Errors
/// `Forbidden` when the caller is not paired with the household then.
pub fn log_visit(
    conn: &mut PgConnection,
    ctx: &Ctx,
    household_id: Uuid,
    visited_on: NaiveDate,
    found: &str,
    done: &str,
) -> Result<VisitRow, DomainError> {
    let h = super::cases::find(conn, household_id).map_err(|_| {
        DomainError::field(
            "household_id",
            domain::Rule::not_in_scope(domain::ScopeKind::Household),
        )
    })?;
    ctx.caller
        .require_at(perm::VISITS_WRITE, stored_code(h.region_code)?)?;
    let paired: Option<Uuid> = pairings::table
        .inner_join(
            team_members::table.on(team_members::county_code
                .eq(pairings::county_code)
                .and(team_members::id.eq(pairings::member_id))),
        )
        .filter(pairings::county_code.eq(h.county_code))
        .filter(pairings::household_id.eq(h.id))
        .filter(team_members::user_id.eq(ctx.caller.user_id))
        .filter(team_members::term_start.le(visited_on))
        .filter(team_members::term_end.ge(visited_on))
        .filter(pairings::start_date.le(visited_on))
        .filter(
            pairings::end_date
                .is_null()
                .or(pairings::end_date.ge(visited_on)),
        )
        .select(pairings::member_id)
        .first(conn)
        .optional()
        .db()?;
    let Some(member_id) = paired else {
        return Err(DomainError::Forbidden(
            "you are not the cadre paired with this household on that day".into(),
        ));
    };
    let row: VisitRow = diesel::insert_into(visits::table)
        .values((
            visits::county_code.eq(h.county_code),
            visits::id.eq(Uuid::new_v4()),
            visits::household_id.eq(h.id),
            visits::region_code.eq(h.region_code),
            visits::member_id.eq(member_id),
            visits::visited_on.eq(visited_on),
            visits::found.eq(found),
            visits::done.eq(done),
            visits::created_by.eq(ctx.caller.user_id),
            visits::created_at.eq(ctx.now),
        ))
        .returning(VisitRow::as_returning())
        .get_result(conn)
        .db()?;
    ctx.audit(
        conn,
        "visit.logged",
        "visit",
        row.id,
        stored_code(h.region_code)?,
        json!({ "household_id": h.id, "visited_on": visited_on }),
    )?;
    Ok(row)
}

/// A page of visits in `within` (or of one household) by village, newest first in each — the
/// order of `visits_walk`, so every scope walks the index and stops after the page; keyset after
/// `(village, date, id)`. One household's visits come from its own index (its county is found
/// from its id).
///
/// # Errors
/// Database failures.
pub fn list_visits(
    conn: &mut PgConnection,
    within: Scope,
    household: Option<Uuid>,
    after: Option<(i64, NaiveDate, Uuid)>,
    limit: i64,
) -> Result<Vec<VisitRow>, DomainError> {
    let mut q = visits::table
        .filter(visits::region_code.between(within.lo(), within.hi()))
        .order((visits::region_code, visits::visited_on.desc(), visits::id))
        .select(VisitRow::as_select())
        .limit(limit)
        .into_boxed();
    if let Some(h) = household {
        // One household's visits, newest first, from `visits_household_walk`.
        q = q
            .filter(
                diesel::dsl::sql::<Bool>("visits.county_code = (SELECT zx_household_county(")
                    .bind::<diesel::sql_types::Uuid, _>(h)
                    .sql("))"),
            )
            .filter(visits::household_id.eq(h))
            .order((visits::visited_on.desc(), visits::id));
        if let Some((_, d, id)) = after {
            q = q.filter(
                visits::visited_on
                    .lt(d)
                    .or(visits::visited_on.eq(d).and(visits::id.gt(id))),
            );
        }
    } else if let Some((r, d, id)) = after {
        // The bound on the village is the walk's start; the rest skips the earlier visits of the
        // cursor's village.
        q = q.filter(
            visits::region_code.ge(r).and(
                visits::region_code
                    .gt(r)
                    .or(visits::visited_on.lt(d))
                    .or(visits::visited_on.eq(d).and(visits::id.gt(id))),
            ),
        );
    }
    crate::db::load_page(conn, q)
}

/// An expert adviser of a village.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = village_advisers)]
pub struct AdviserRow {
    /// Id.
    pub id: Uuid,
    /// Village.
    pub region_code: i64,
    /// Name.
    pub name: String,
    /// Field.
    pub specialty: String,
    /// Unit.
    pub unit: String,
    /// From.
    pub from_date: NaiveDate,
    /// Until.
    pub to_date: Option<NaiveDate>,
}

/// Adds an expert adviser (专家特派员) to a village (county step).
///
/// # Errors
/// `Validation`, `Forbidden`.
pub fn add_adviser(
    conn: &mut PgConnection,
    ctx: &Ctx,
    village: RegionCode,
    (name, specialty, unit): (&str, &str, &str),
    (from, to): (NaiveDate, Option<NaiveDate>),
) -> Result<AdviserRow, DomainError> {
    in_scope_village(ctx, village, "village_code")?;
    manage(ctx, village)?;
    super::users::check_org_unit(conn, "village_code", village)?;
    let row: AdviserRow = diesel::insert_into(village_advisers::table)
        .values((
            village_advisers::county_code.eq(village.county_code()),
            village_advisers::id.eq(Uuid::new_v4()),
            village_advisers::region_code.eq(village.as_i64()),
            village_advisers::name.eq(name),
            village_advisers::specialty.eq(specialty),
            village_advisers::unit.eq(unit),
            village_advisers::from_date.eq(from),
            village_advisers::to_date.eq(to),
            village_advisers::created_by.eq(ctx.caller.user_id),
        ))
        .returning(AdviserRow::as_returning())
        .get_result(conn)
        .db()?;
    ctx.audit(
        conn,
        "adviser.added",
        "adviser",
        row.id,
        village,
        json!({ "name": name }),
    )?;
    Ok(row)
}

/// Advisers in `within`.
///
/// # Errors
/// Database failures.
pub fn list_advisers(
    conn: &mut PgConnection,
    within: Scope,
) -> Result<Vec<AdviserRow>, DomainError> {
    village_advisers::table
        .filter(village_advisers::region_code.between(within.lo(), within.hi()))
        .order((village_advisers::region_code, village_advisers::from_date))
        .select(AdviserRow::as_select())
        .limit(5000)
        .load(conn)
        .db()
}

/// A strong village paired with a weak one (强村带弱村).
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = village_pairings)]
pub struct VillagePairingRow {
    /// Id.
    pub id: Uuid,
    /// The weak village.
    pub region_code: i64,
    /// The strong village.
    pub strong_village: i64,
    /// From.
    pub from_year: i32,
    /// Until.
    pub to_year: i32,
    /// What the strong village does.
    pub content: String,
}

/// Pairs a strong village with a weak one of the county (county step).
///
/// # Errors
/// `Validation` for villages outside the county or the same village twice.
pub fn pair_villages(
    conn: &mut PgConnection,
    ctx: &Ctx,
    (strong, weak): (RegionCode, RegionCode),
    years: (i32, i32),
    content: &str,
) -> Result<VillagePairingRow, DomainError> {
    in_scope_village(ctx, weak, "weak_village_code")?;
    in_scope_village(ctx, strong, "strong_village_code")?;
    if strong == weak {
        return Err(DomainError::field(
            "strong_village_code",
            domain::Rule::other("must differ from the weak village", "不能与薄弱村相同"),
        ));
    }
    manage(ctx, weak)?;
    manage(ctx, strong)?;
    super::users::check_org_unit(conn, "weak_village_code", weak)?;
    super::users::check_org_unit(conn, "strong_village_code", strong)?;
    let row: VillagePairingRow = diesel::insert_into(village_pairings::table)
        .values((
            village_pairings::county_code.eq(weak.county_code()),
            village_pairings::id.eq(Uuid::new_v4()),
            village_pairings::region_code.eq(weak.as_i64()),
            village_pairings::strong_village.eq(strong.as_i64()),
            village_pairings::from_year.eq(years.0),
            village_pairings::to_year.eq(years.1),
            village_pairings::content.eq(content),
            village_pairings::created_by.eq(ctx.caller.user_id),
        ))
        .returning(VillagePairingRow::as_returning())
        .get_result(conn)
        .db()?;
    ctx.audit(
        conn,
        "village_pairing.created",
        "village_pairing",
        row.id,
        weak,
        json!({ "strong_village": strong.to_code_string() }),
    )?;
    Ok(row)
}

/// Village pairings in `within` (by the weak village).
///
/// # Errors
/// Database failures.
pub fn list_village_pairings(
    conn: &mut PgConnection,
    within: Scope,
) -> Result<Vec<VillagePairingRow>, DomainError> {
    village_pairings::table
        .filter(village_pairings::region_code.between(within.lo(), within.hi()))
        .order((village_pairings::region_code, village_pairings::from_year))
        .select(VillagePairingRow::as_select())
        .limit(5000)
        .load(conn)
        .db()
}

pub use super::coverage::{Coverage, CoverageCounts, coverage};
pub use conflicts::{TERM_CONFLICT_ALERT_AFTER, record_term_conflict};

pub mod accounts;
mod conflicts;
