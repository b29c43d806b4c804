//! A ranger's patrol log (巡护记录, seed 3 §四(一)2): one record per day, newest first.

use super::*;

/// One day's patrol of a ranger (巡护记录).
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = ranger_patrols)]
pub struct PatrolRow {
    /// Id.
    pub id: Uuid,
    /// The contract.
    pub contract_id: Uuid,
    /// Day of the patrol.
    pub patrolled_on: NaiveDate,
    /// Route or area covered.
    pub area: String,
    /// What was found (empty: nothing).
    pub findings: String,
    /// The findings were reported to the station (发现问题及时向甲方报告).
    pub reported: bool,
    /// Who entered it.
    pub created_by: Uuid,
    /// When it was entered.
    pub created_at: DateTime<Utc>,
}

/// A patrol to record.
#[derive(Debug, Clone)]
pub struct NewPatrol {
    /// Day of the patrol: inside the contract (a terminated contract ends on its termination
    /// day), not after today.
    pub patrolled_on: NaiveDate,
    /// Route or area covered.
    pub area: String,
    /// What was found.
    pub findings: String,
    /// Reported to the station.
    pub reported: bool,
}

/// Records a day's patrol in the contract's log (seed 3 §四(一)2: 将巡护结果记录在案).
///
/// # Errors
/// `Validation` naming `patrolled_on` for a day outside the contract (after a termination
/// included) or after today; `NotFound` outside scope; `Forbidden` without `funds:manage` there.
pub fn patrol(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    p: &NewPatrol,
) -> Result<PatrolRow, DomainError> {
    let c = lock(conn, ctx, id)?;
    if let Some(t) = c.terminated_on.filter(|t| p.patrolled_on > *t) {
        return Err(DomainError::field(
            "patrolled_on",
            domain::Rule::other(
                format!(
                    "the contract was terminated on {t}; a patrol on {} cannot be logged under it",
                    p.patrolled_on
                ),
                format!(
                    "合同已于 {t} 解除;{} 的巡护不能记在该合同下",
                    p.patrolled_on
                ),
            ),
        ));
    }
    within_contract(&c, p.patrolled_on, "patrolled_on")?;
    if p.patrolled_on > ctx.today() {
        return Err(DomainError::field(
            "patrolled_on",
            domain::Rule::other(
                format!("{} is in the future", p.patrolled_on),
                format!("{} 晚于今天", p.patrolled_on),
            ),
        ));
    }
    let row: PatrolRow = diesel::insert_into(ranger_patrols::table)
        .values((
            ranger_patrols::county_code.eq(c.county_code),
            ranger_patrols::id.eq(Uuid::new_v4()),
            ranger_patrols::contract_id.eq(id),
            ranger_patrols::region_code.eq(c.region_code),
            ranger_patrols::patrolled_on.eq(p.patrolled_on),
            ranger_patrols::area.eq(&p.area),
            ranger_patrols::findings.eq(&p.findings),
            ranger_patrols::reported.eq(p.reported),
            ranger_patrols::created_by.eq(ctx.caller.user_id),
            ranger_patrols::created_at.eq(ctx.now),
        ))
        .returning(PatrolRow::as_returning())
        .get_result(conn)
        .db()?;
    ctx.audit(
        conn,
        "ranger_contract.patrolled",
        "ranger_contract",
        id,
        stored_code(c.region_code)?,
        json!({ "on": p.patrolled_on, "reported": p.reported }),
    )?;
    Ok(row)
}

/// A page of one contract's patrol log, newest first; keyset after `(day, id)`.
///
/// # Errors
/// `NotFound` for a contract outside scope.
pub fn patrols(
    conn: &mut PgConnection,
    id: Uuid,
    after: Option<(NaiveDate, Uuid)>,
    limit: i64,
) -> Result<Vec<PatrolRow>, DomainError> {
    let c = get(conn, id)?;
    let mut q = ranger_patrols::table
        .filter(ranger_patrols::county_code.eq(c.county_code))
        .filter(ranger_patrols::contract_id.eq(c.id))
        .order((ranger_patrols::patrolled_on.desc(), ranger_patrols::id))
        .select(PatrolRow::as_select())
        .limit(limit)
        .into_boxed();
    if let Some((d, pid)) = after {
        q = q.filter(
            ranger_patrols::patrolled_on
                .lt(d)
                .or(ranger_patrols::patrolled_on
                    .eq(d)
                    .and(ranger_patrols::id.gt(pid))),
        );
    }
    crate::db::load_page(conn, q)
}
