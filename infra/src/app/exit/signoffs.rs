//! Verification as two sign-offs (issue 22, seed 1: 村两委和驻村工作队核实): the village
//! committee's, given by a village user with `workflow:village` (the `verification` step), and
//! the resident team's, given by a `team_member` linked to a member, in term, of a team serving
//! the village. Each is its own record (who, which body, when, opinion); the list is `verified`
//! when the village committee has signed and — with `exit.team_verification_required` — the team
//! too, by another person. The sign-off completing it records the `verification` step.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::DomainError;
use domain::exit::{self as rules, SignoffBody, Stage, Step};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    Attachment, ListRow, ListView, get, last_step, lock_list, record_step, state_of,
    stored_evidence, touch,
};
use crate::app::{Ctx, stored_code};
use crate::db::DbResultExt as _;
use crate::schema::{exit_signoffs, team_members, teams};

/// A recorded sign-off.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = exit_signoffs)]
pub struct SignoffRow {
    /// Id.
    pub id: Uuid,
    /// `village_committee` or `resident_team`.
    pub body: String,
    /// Who signed.
    pub user_id: Uuid,
    /// Who, by name.
    pub username: String,
    /// The team they signed for (resident team only).
    pub team_id: Option<Uuid>,
    /// The day of the verification.
    pub signed_on: NaiveDate,
    /// When it was recorded.
    pub signed_at: DateTime<Utc>,
    /// Their opinion.
    pub opinion: String,
    /// What else was recorded (the village committee's verifiers and findings).
    pub details: Value,
    /// Attached documents.
    pub attachments: Value,
}

/// The sign-offs of a list, in order.
///
/// # Errors
/// Database failures.
pub fn of_list(conn: &mut PgConnection, list: &ListRow) -> Result<Vec<SignoffRow>, DomainError> {
    exit_signoffs::table
        .filter(exit_signoffs::county_code.eq(list.county_code))
        .filter(exit_signoffs::list_id.eq(list.id))
        .order((exit_signoffs::signed_at, exit_signoffs::id))
        .select(SignoffRow::as_select())
        .load(conn)
        .db()
}

/// What a sign-off records.
pub(super) struct Signing<'a> {
    pub body: SignoffBody,
    pub team_id: Option<Uuid>,
    pub on: NaiveDate,
    pub opinion: &'a str,
    pub details: Value,
    pub attachments: &'a [Attachment],
}

/// Records a sign-off on a locked, appraised list (its order and date checked by the caller)
/// and, when it completes the verification, the `verification` step. Returns whether it did.
pub(super) fn sign(
    conn: &mut PgConnection,
    ctx: &Ctx,
    list: &ListRow,
    s: &Signing<'_>,
) -> Result<bool, DomainError> {
    let village = stored_code(list.region_code)?;
    let required = crate::app::settings::effective_for(conn, ctx, village)?
        .exit
        .team_verification_required;
    let recorded = of_list(conn, list)?;
    let pairs = recorded
        .iter()
        .filter_map(|r| SignoffBody::parse(&r.body).ok().map(|b| (b, r.user_id)))
        .collect::<Vec<_>>();
    let complete = rules::check_signoff(
        super::parse_stage(&list.stage)?,
        &pairs,
        s.body,
        ctx.caller.user_id,
        required,
    )?;
    stored_evidence(conn, list, s.attachments)?;
    let id = Uuid::new_v4();
    diesel::insert_into(exit_signoffs::table)
        .values((
            exit_signoffs::county_code.eq(list.county_code),
            exit_signoffs::id.eq(id),
            exit_signoffs::list_id.eq(list.id),
            exit_signoffs::region_code.eq(list.region_code),
            exit_signoffs::body.eq(s.body.as_str()),
            exit_signoffs::user_id.eq(ctx.caller.user_id),
            exit_signoffs::username.eq(&ctx.caller.username),
            exit_signoffs::team_id.eq(s.team_id),
            exit_signoffs::signed_on.eq(s.on),
            exit_signoffs::signed_at.eq(ctx.now),
            exit_signoffs::opinion.eq(s.opinion),
            exit_signoffs::details.eq(&s.details),
            exit_signoffs::attachments.eq(json!(s.attachments)),
        ))
        .execute(conn)
        .db()?;
    ctx.audit(
        conn,
        "exit_list.signoff",
        "exit_list",
        list.id,
        village,
        json!({ "signoff_id": id, "body": s.body.as_str(), "team_id": s.team_id,
                "signed_on": s.on, "opinion": s.opinion, "complete": complete }),
    )?;
    if !complete {
        touch(conn, list, None)?;
        return Ok(false);
    }
    let all = of_list(conn, list)?;
    let village_signoff = all
        .iter()
        .find(|r| r.body == SignoffBody::VillageCommittee.as_str());
    let mut details = village_signoff.map_or_else(|| json!({}), |r| r.details.clone());
    let latest = all.iter().map(|r| r.signed_on).max().unwrap_or(s.on);
    details["verified_on"] = json!(latest);
    details["signoffs"] = json!(
        all.iter()
            .map(|r| json!({
                "id": r.id, "body": r.body, "username": r.username, "team_id": r.team_id,
                "signed_on": r.signed_on, "opinion": r.opinion,
            }))
            .collect::<Vec<_>>()
    );
    let attachments: Vec<Attachment> = all
        .iter()
        .flat_map(|r| {
            serde_json::from_value::<Vec<Attachment>>(r.attachments.clone()).unwrap_or_default()
        })
        .collect();
    touch(conn, list, Some((Stage::Verified, None, None)))?;
    record_step(
        conn,
        ctx,
        list,
        Step::Verification.as_str(),
        (Some(Stage::Appraised), Stage::Verified),
        details,
        &attachments,
    )?;
    Ok(true)
}

/// The resident team's sign-off.
#[derive(Debug, Clone)]
pub struct TeamSignoff {
    /// The day of the verification (today when absent).
    pub signed_on: Option<NaiveDate>,
    /// The team's opinion.
    pub opinion: String,
    /// Attached documents.
    pub attachments: Vec<Attachment>,
}

/// Records the resident team's sign-off on a list's verification.
///
/// # Errors
/// `NotFound` outside scope; `Forbidden` unless the caller holds `team_member` over the village
/// and is linked to a member, in term, of a team serving it (both named); `Conflict` as
/// [`rules::check_signoff`] and [`rules::check_step`] say; `Validation` for the date.
pub fn sign_for_team(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    input: &TeamSignoff,
) -> Result<ListView, DomainError> {
    let list = lock_list(conn, ctx, id)?;
    let village = stored_code(list.region_code)?;
    let role_ok = ctx
        .caller
        .grants
        .iter()
        .any(|(g, _)| g.role == "team_member" && g.unit.subtree().contains(village));
    if !role_ok {
        return Err(DomainError::Forbidden(format!(
            "the resident team's sign-off is given by a team_member of village {village}; \
             {} holds no such role there",
            ctx.caller.username
        )));
    }
    let today = ctx.today();
    let on = input.signed_on.unwrap_or(today);
    let team: Option<Uuid> = team_members::table
        .inner_join(
            teams::table.on(teams::county_code
                .eq(team_members::county_code)
                .and(teams::id.eq(team_members::team_id))),
        )
        .filter(team_members::county_code.eq(list.county_code))
        .filter(team_members::user_id.eq(ctx.caller.user_id))
        .filter(teams::region_code.eq(list.region_code))
        .filter(team_members::term_start.le(on))
        .filter(team_members::term_end.ge(on))
        .select(teams::id)
        .first(conn)
        .optional()
        .db()?;
    let Some(team_id) = team else {
        return Err(DomainError::Forbidden(format!(
            "{} is not a member, on {on}, of a resident team serving village {village}",
            ctx.caller.username
        )));
    };
    let state = state_of(conn, &list)?;
    rules::check_step(&state, Step::Verification, ctx.now)?;
    let backdate = crate::app::settings::effective_for(conn, ctx, village)?
        .exit
        .backdate_days;
    rules::check_step_date(
        "signed_on",
        on,
        today,
        backdate,
        last_step(conn, &list)?.as_ref(),
    )?;
    sign(
        conn,
        ctx,
        &list,
        &Signing {
            body: SignoffBody::ResidentTeam,
            team_id: Some(team_id),
            on,
            opinion: &input.opinion,
            details: json!({}),
            attachments: &input.attachments,
        },
    )?;
    get(conn, ctx, id)
}
