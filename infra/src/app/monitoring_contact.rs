//! The monitoring contact (监测联系人, seed 4 §二(一) "落实监测联系人"): each monitored household
//! has a named contact, a user of its county who works at or above its village (a village
//! cadre, a member of the resident team with an account, a township official). The village
//! assigns or changes the contact while the case is open; each assignment is a case event and an
//! audit row.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::{DomainError, ErrorCode};
use serde_json::json;
use uuid::Uuid;

use super::monitoring::{self, CaseView};
use super::{Ctx, stored_code};
use crate::db::DbResultExt as _;
use crate::schema::monitoring_cases;

/// Assigns `user` as the contact of case `id` (checked once the case is found and the caller
/// may act on it).
///
/// # Errors
/// `NotFound` outside the caller's scope; `Forbidden` without the village step there; 409
/// `case_closed` for a closed case; `Validation` (`user_id`) for a user who is not an enabled
/// account of the county working at or above the household's village (another county's user
/// gets the same answer as an unknown id).
pub fn assign(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    user: Option<Uuid>,
) -> Result<CaseView, DomainError> {
    let case = monitoring::find_case(conn, id, true)?;
    let village = monitoring::require_village(ctx, case.region_code)?;
    let user = user.ok_or_else(|| DomainError::field("user_id", domain::Rule::Required))?;
    let stage = domain::monitoring::CaseStage::parse(&case.stage)
        .map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))?;
    if !stage.is_open() {
        return Err(DomainError::Conflict {
            code: ErrorCode::CaseClosed,
            message: format!("the case is {}", stage.as_str()),
        });
    }
    // Looked up within the case's county only (a village clerk's scope does not show the
    // township's users, who may be the contact).
    #[derive(QueryableByName)]
    struct Candidate {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        region_code: i64,
        #[diesel(sql_type = diesel::sql_types::Text)]
        display_name: String,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        disabled: bool,
    }
    let found: Option<Candidate> = diesel::sql_query("SELECT * FROM zx_contact_candidate($1, $2)")
        .bind::<diesel::sql_types::Integer, _>(case.county_code)
        .bind::<diesel::sql_types::Uuid, _>(user)
        .get_result(conn)
        .optional()
        .db()?;
    let unfit = || {
        DomainError::field(
            "user_id",
            domain::Rule::other(
                "is not an enabled user of this county working at or above the household's village",
                "不是本县在该户所在村或以上层级工作的启用用户",
            ),
        )
    };
    let Some(Candidate {
        region_code: org,
        display_name: name,
        disabled,
    }) = found
    else {
        return Err(unfit());
    };
    if disabled || !stored_code(org)?.subtree().contains(village) {
        return Err(unfit());
    }
    diesel::update(
        monitoring_cases::table
            .filter(monitoring_cases::county_code.eq(case.county_code))
            .filter(monitoring_cases::id.eq(id)),
    )
    .set((
        monitoring_cases::contact_user_id.eq(user),
        monitoring_cases::contact_name.eq(&name),
        monitoring_cases::contact_assigned_at.eq(ctx.now),
        monitoring_cases::version.eq(case.version + 1),
        monitoring_cases::updated_at.eq(ctx.now),
    ))
    .execute(conn)
    .db()?;
    let details = json!({ "contact_user_id": user, "contact_name": name,
                          "previous": case.contact_user_id });
    monitoring::event(
        conn,
        ctx,
        &case,
        "contact",
        Some(stage.as_str()),
        stage.as_str(),
        details.clone(),
    )?;
    ctx.audit(
        conn,
        "monitoring_case.contact",
        "monitoring_case",
        id,
        village,
        details,
    )?;
    monitoring::get(conn, ctx, id)
}
