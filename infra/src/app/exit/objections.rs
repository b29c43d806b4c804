//! Objections raised during a notice, their resolution and the list of them.

use super::*;

/// Records an objection raised during the running notice, by the level that owns the notice.
///
/// # Errors
/// `Conflict` `no_notice_running`; `Validation` when the household is not on the list;
/// `Forbidden` for a caller of another level.
pub fn raise_objection(
    conn: &mut PgConnection,
    ctx: &Ctx,
    list_id: Uuid,
    household_id: Uuid,
    raised_by: &str,
    content: &str,
) -> Result<ObjectionRow, DomainError> {
    let list = lock_list(conn, ctx, list_id)?;
    let village = stored_code(list.region_code)?;
    let state = state_of(conn, &list)?;
    let owner = rules::check_objection(&state, ctx.now)?;
    ctx.caller
        .require_at_level(perm::workflow_at(owner), owner, village)?;
    if !listed_ids(conn, &list)?.contains(&household_id) {
        return Err(DomainError::field("household_id", domain::Rule::NotOnList));
    }
    let row: ObjectionRow = diesel::insert_into(exit_objections::table)
        .values((
            exit_objections::county_code.eq(list.county_code),
            exit_objections::id.eq(Uuid::new_v4()),
            exit_objections::list_id.eq(list.id),
            exit_objections::household_id.eq(household_id),
            exit_objections::region_code.eq(list.region_code),
            exit_objections::stage.eq(&list.stage),
            exit_objections::raised_by.eq(raised_by),
            exit_objections::content.eq(content),
            exit_objections::raised_at.eq(ctx.now),
            exit_objections::recorded_by.eq(ctx.caller.user_id),
        ))
        .returning(ObjectionRow::as_returning())
        .get_result(conn)
        .db()?;
    touch(conn, &list, None)?;
    ctx.audit(
        conn,
        "exit_objection.raised",
        "exit_objection",
        row.id,
        village,
        json!({ "list_id": list.id, "household_id": household_id, "stage": list.stage }),
    )?;
    Ok(row)
}

/// Resolves an open objection: upheld takes the household off the list, dismissed keeps it;
/// both with a reason. Taken by the level that owns the notice it was raised in.
///
/// # Errors
/// `NotFound`, `Forbidden`, `Conflict` `already_resolved`.
pub fn resolve_objection(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    upheld: bool,
    reason: &str,
) -> Result<ObjectionRow, DomainError> {
    let list_id: Uuid = exit_objections::table
        .filter(exit_objections::id.eq(id))
        .select(exit_objections::list_id)
        .first(conn)
        .db()?;
    let list = lock_list(conn, ctx, list_id)?;
    // Read again under the list's lock: a concurrent resolution has committed by now.
    let o: ObjectionRow = exit_objections::table
        .filter(exit_objections::county_code.eq(list.county_code))
        .filter(exit_objections::id.eq(id))
        .select(ObjectionRow::as_select())
        .for_update()
        .first(conn)
        .db()?;
    let village = stored_code(list.region_code)?;
    let owner = parse_stage(&o.stage)?
        .notice_owner()
        .ok_or_else(|| DomainError::Unexpected(anyhow::anyhow!("objection outside a notice")))?;
    ctx.caller
        .require_at_level(perm::workflow_at(owner), owner, village)?;
    if o.status != "open" {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::AlreadyResolved,
            message: format!("the objection was {} already", o.status),
        });
    }
    let status = if upheld { "upheld" } else { "dismissed" };
    if upheld {
        remove_entry(
            conn,
            ctx,
            &list,
            o.household_id,
            &format!("objection upheld: {reason}"),
        )?;
    }
    let row: ObjectionRow = diesel::update(
        exit_objections::table
            .filter(exit_objections::county_code.eq(o.county_code))
            .filter(exit_objections::id.eq(id)),
    )
    .set((
        exit_objections::status.eq(status),
        exit_objections::resolution_reason.eq(reason),
        exit_objections::resolved_by.eq(ctx.caller.user_id),
        exit_objections::resolved_at.eq(ctx.now),
    ))
    .returning(ObjectionRow::as_returning())
    .get_result(conn)
    .db()?;
    touch(conn, &list, None)?;
    ctx.audit(
        conn,
        &format!("exit_objection.{status}"),
        "exit_objection",
        id,
        village,
        json!({ "list_id": list.id, "household_id": o.household_id, "reason": reason }),
    )?;
    Ok(row)
}

/// Objections in scope, oldest first (the open ones are the work queue).
///
/// # Errors
/// Database failures.
pub fn objections(
    conn: &mut PgConnection,
    ctx: &Ctx,
    within: Scope,
    status: Option<&str>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<ObjectionRow>, DomainError> {
    let mut q = exit_objections::table
        .inner_join(
            exit_lists::table.on(exit_lists::county_code
                .eq(exit_objections::county_code)
                .and(exit_lists::id.eq(exit_objections::list_id))),
        )
        .filter(exit_objections::region_code.between(within.lo(), within.hi()))
        .select(ObjectionRow::as_select())
        .order((exit_objections::raised_at, exit_objections::id))
        .limit(limit)
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(exit_objections::status.eq(s.to_string()));
    }
    if ctx.caller.org.level() < Level::County {
        q = q.filter(exit_lists::stage.eq(Stage::Filed.as_str()));
    }
    if let Some((at, id)) = after {
        q = q.filter(
            exit_objections::raised_at
                .gt(at)
                .or(exit_objections::raised_at
                    .eq(at)
                    .and(exit_objections::id.gt(id))),
        );
    }
    q.load(conn).db()
}
