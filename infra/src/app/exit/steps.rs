//! The steps of the procedure on a list: evidence, the step record and its event, the
//! stage change, and each step's rules.

use super::*;

/// The stored attachments `list` cites (`/api/v1/attachments/{id}`), each checked to be one
/// stored for this list: another list's or county's file is refused by name, so a step can
/// never point its readers at what they may not read.
pub(super) fn stored_evidence(
    conn: &mut PgConnection,
    list: &ListRow,
    attachments: &[Attachment],
) -> Result<Vec<Uuid>, DomainError> {
    crate::app::attachments::cited(
        conn,
        (
            crate::app::attachments::ObjectType::ExitList,
            list.county_code,
            list.id,
        ),
        attachments,
    )
}

pub(super) fn record_step(
    conn: &mut PgConnection,
    ctx: &Ctx,
    list: &ListRow,
    step: &str,
    (from, to): (Option<Stage>, Stage),
    details: Value,
    attachments: &[Attachment],
) -> Result<(), DomainError> {
    stored_evidence(conn, list, attachments)?;
    diesel::insert_into(exit_steps::table)
        .values((
            exit_steps::county_code.eq(list.county_code),
            exit_steps::id.eq(Uuid::new_v4()),
            exit_steps::list_id.eq(list.id),
            exit_steps::region_code.eq(list.region_code),
            exit_steps::step.eq(step),
            exit_steps::stage_from.eq(from.map(Stage::as_str)),
            exit_steps::stage_to.eq(to.as_str()),
            exit_steps::actor_id.eq(ctx.caller.user_id),
            exit_steps::actor_username.eq(&ctx.caller.username),
            exit_steps::actor_org.eq(ctx.caller.org.as_i64()),
            exit_steps::taken_at.eq(ctx.now),
            exit_steps::details.eq(&details),
            exit_steps::attachments.eq(json!(attachments)),
        ))
        .execute(conn)
        .db()?;
    step_event(
        conn,
        ctx,
        &StepEvent {
            workflow: "exit",
            object_type: "exit_list",
            list_id: list.id,
            region_code: list.region_code,
            year: list.year,
            step,
            from: from.map(Stage::as_str),
            to: to.as_str(),
        },
        details,
    )
}

/// A step taken on a village list (exit or intake), as its audit row and its
/// `workflow.step_taken` event say it.
pub(crate) struct StepEvent<'a> {
    /// `exit` or `intake`.
    pub workflow: &'a str,
    /// `exit_list` or `intake_list`.
    pub object_type: &'a str,
    /// The list.
    pub list_id: Uuid,
    /// Its village.
    pub region_code: i64,
    /// Its year.
    pub year: i32,
    /// The step.
    pub step: &'a str,
    /// The stage before.
    pub from: Option<&'a str>,
    /// The stage after.
    pub to: &'a str,
}

/// Writes a list step's audit row (`<object_type>.<step>`, with what was entered) and emits its
/// `workflow.step_taken` webhook event: the one place both workflows announce a step.
pub(crate) fn step_event(
    conn: &mut PgConnection,
    ctx: &Ctx,
    e: &StepEvent<'_>,
    details: Value,
) -> Result<(), DomainError> {
    let village = stored_code(e.region_code)?;
    ctx.audit(
        conn,
        &format!("{}.{}", e.object_type, e.step),
        e.object_type,
        e.list_id,
        village,
        json!({ "from": e.from, "to": e.to, "details": details }),
    )?;
    crate::app::webhooks::emit(
        conn,
        ctx,
        domain::webhooks::EventKind::WorkflowStep,
        village,
        e.object_type,
        e.list_id,
        json!({
            "workflow": e.workflow, format!("{}_id", e.object_type): e.list_id,
            "village": format!("{:012}", e.region_code), "year": e.year, "step": e.step,
            "from": e.from, "to": e.to,
        }),
    )
}

/// Sets the stage (and the notice window), bumps the version.
pub(super) fn touch(
    conn: &mut PgConnection,
    list: &ListRow,
    change: Option<StageChange>,
) -> Result<(), DomainError> {
    let target = exit_lists::table
        .filter(exit_lists::county_code.eq(list.county_code))
        .filter(exit_lists::id.eq(list.id));
    match change {
        None => diesel::update(target)
            .set(exit_lists::version.eq(exit_lists::version + 1))
            .execute(conn),
        Some((stage, notice, filed)) => diesel::update(target)
            .set((
                exit_lists::stage.eq(stage.as_str()),
                exit_lists::notice_started_at.eq(notice.map(|n| n.0)),
                exit_lists::notice_ends_at.eq(notice.map(|n| n.1)),
                exit_lists::filed_at.eq(filed),
                exit_lists::version.eq(exit_lists::version + 1),
            ))
            .execute(conn),
    }
    .db()?;
    Ok(())
}

pub(super) fn remove_entry(
    conn: &mut PgConnection,
    ctx: &Ctx,
    list: &ListRow,
    household_id: Uuid,
    reason: &str,
) -> Result<bool, DomainError> {
    let n = diesel::update(
        exit_entries::table
            .filter(exit_entries::county_code.eq(list.county_code))
            .filter(exit_entries::list_id.eq(list.id))
            .filter(exit_entries::household_id.eq(household_id))
            .filter(exit_entries::removed.eq(false)),
    )
    .set((
        exit_entries::removed.eq(true),
        exit_entries::removed_reason.eq(reason),
        exit_entries::removed_at.eq(ctx.now),
    ))
    .execute(conn)
    .db()?;
    Ok(n == 1)
}

pub(crate) fn listed_ids(
    conn: &mut PgConnection,
    list: &ListRow,
) -> Result<Vec<Uuid>, DomainError> {
    exit_entries::table
        .filter(exit_entries::county_code.eq(list.county_code))
        .filter(exit_entries::list_id.eq(list.id))
        .filter(exit_entries::removed.eq(false))
        .select(exit_entries::household_id)
        // In id order: filing locks them in this order, as a nomination does.
        .order(exit_entries::household_id)
        .load(conn)
        .db()
}

/// The keys that date a step in its details, by step kind.
pub const DATE_KEYS: &[&str] = &[
    "nominated_on",
    "posted_on",
    "held_on",
    "verified_on",
    "decided_on",
    "filed_on",
];

/// The date a recorded step happened: the date it was given, or the day it was entered.
pub fn step_on(details: &Value, taken_at: DateTime<Utc>) -> NaiveDate {
    DATE_KEYS
        .iter()
        .find_map(|k| details.get(*k).and_then(Value::as_str))
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| crate::clock::china_date(taken_at))
}

/// The last step taken on the list, as the next step's date must respect.
pub(crate) fn last_step(
    conn: &mut PgConnection,
    list: &ListRow,
) -> Result<Option<rules::Follows>, DomainError> {
    let row: Option<(String, Value, DateTime<Utc>)> = exit_steps::table
        .filter(exit_steps::county_code.eq(list.county_code))
        .filter(exit_steps::list_id.eq(list.id))
        .order(exit_steps::taken_at.desc())
        .select((exit_steps::step, exit_steps::details, exit_steps::taken_at))
        .first(conn)
        .optional()
        .db()?;
    Ok(row.map(|(step, details, taken_at)| rules::Follows {
        on: step_on(&details, taken_at),
        notice_last_day: details
            .get("last_day")
            .and_then(Value::as_str)
            .and_then(|t| t.parse().ok()),
        step,
    }))
}

pub(crate) fn notice_days(
    conn: &mut PgConnection,
    ctx: &Ctx,
    village: RegionCode,
    step: Step,
) -> Result<i32, DomainError> {
    let s = crate::app::settings::effective_for(conn, ctx, village)?.exit;
    Ok(match step {
        Step::FirstNotice => s.first_notice_days,
        Step::SecondNotice => s.second_notice_days,
        _ => s.announcement_days,
    })
}

/// Takes `step` on a list.
///
/// # Errors
/// `Forbidden` unless the caller holds the step's level permission over the village;
/// `Conflict` when the step is out of order, a notice runs, objections are open or the list is
/// empty; `Validation` for bad input (naming the field).
pub fn take_step(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    step: Step,
    input: &StepInput,
    attachments: &[Attachment],
) -> Result<ListView, DomainError> {
    let list = lock_list(conn, ctx, id)?;
    take_step_on(conn, ctx, &list, step, input, attachments, None)?;
    get(conn, ctx, id)
}

/// The steps a township round takes on its lists (`rounds`).
pub fn round_step(step: Step) -> bool {
    matches!(
        step,
        Step::TownshipReview | Step::SecondNotice | Step::Approval | Step::Announcement
    )
}

/// Takes `step` on a locked list: for the list's own route (`round` `None`), or for the township
/// round `round` taking it on each of its lists.
pub(crate) fn take_step_on(
    conn: &mut PgConnection,
    ctx: &Ctx,
    list: &ListRow,
    step: Step,
    input: &StepInput,
    attachments: &[Attachment],
    round: Option<Uuid>,
) -> Result<(), DomainError> {
    let village = stored_code(list.region_code)?;
    let owner = step.owner();
    ctx.caller
        .require_at_level(perm::workflow_at(owner), owner, village)?;
    if round.is_none() && round_step(step) {
        if let Some(r) = list.round_id {
            return Err(refuse_in_round(r));
        }
        if step == Step::TownshipReview
            && crate::app::settings::effective_for(conn, ctx, village)?
                .exit
                .township_round_required
        {
            return Err(DomainError::Conflict {
                code: domain::ErrorCode::TownshipRoundRequired,
                message: "the county reviews exit lists in township rounds \
                          (exit.township_round_required): POST /api/v1/exit-rounds"
                    .into(),
            });
        }
    }
    let state = state_of(conn, list)?;
    let to = rules::check_step(&state, step, ctx.now)?;
    if !input.fits(step) {
        return Err(DomainError::field(
            "step",
            domain::Rule::other("the body does not fit this step", "请求内容与此步骤不符"),
        ));
    }
    let (date_field, on) = input.date(ctx.today());
    let settings = crate::app::settings::effective_for(conn, ctx, village)?;
    let backdate = settings.exit.backdate_days;
    if settings.exit.require_stored_evidence
        && step.needs_evidence()
        && stored_evidence(conn, list, attachments)?.is_empty()
    {
        return Err(DomainError::field(
            "attachments",
            domain::Rule::other(
                "this step needs evidence stored by the system (exit.require_stored_evidence): \
                 upload it for this list (POST /api/v1/attachments) and cite /api/v1/attachments/{id}",
                "此步骤需要系统存储的证明材料(exit.require_stored_evidence):请为该名单上传\
                 (POST /api/v1/attachments)并引用 /api/v1/attachments/{id}",
            ),
        ));
    }
    rules::check_step_date(
        date_field,
        on,
        ctx.today(),
        backdate,
        last_step(conn, list)?.as_ref(),
    )?;
    let mut notice = None;
    let mut filed = None;
    let details = match input {
        StepInput::Appraisal {
            held_on,
            attendees,
            minutes,
            votes,
        } => appraise(conn, ctx, list, *held_on, *attendees, minutes, votes)?,
        StepInput::Verification {
            verified_on,
            verifiers,
            findings,
        } => {
            // The village committee's sign-off (村两委); the list is verified, and the step
            // recorded, once the sign-offs it needs are all there.
            signoffs::sign(
                conn,
                ctx,
                list,
                &signoffs::Signing {
                    body: rules::SignoffBody::VillageCommittee,
                    team_id: None,
                    on: *verified_on,
                    opinion: findings,
                    details: json!({ "verified_on": verified_on, "verifiers": verifiers, "findings": findings }),
                    attachments,
                },
            )?;
            return Ok(());
        }
        StepInput::Notice { location, .. } => {
            let days = notice_days(conn, ctx, village, step)?;
            let (running, details) = crate::app::calendar::notice(conn, ctx, on, days, location)?;
            notice = Some(running);
            details
        }
        StepInput::Review {
            opinion,
            decision_no,
            removals,
            ..
        } => {
            let listed = listed_ids(conn, list)?;
            let removed: Vec<Uuid> = removals.iter().map(|r| r.household_id).collect();
            domain::exit::check_removals(&removed, &listed)?;
            for r in removals {
                remove_entry(
                    conn,
                    ctx,
                    list,
                    r.household_id,
                    &format!("{}: {}", step.as_str(), r.reason),
                )?;
            }
            json!({
                "opinion": opinion, "decision_no": decision_no, "decided_on": on,
                "removed": removals.iter().map(|r| json!({"household_id": r.household_id, "reason": r.reason})).collect::<Vec<_>>(),
            })
        }
        StepInput::Filing { reference, .. } => {
            filed = Some(ctx.now);
            let listed = listed_ids(conn, list)?;
            let (mut ids, mut not_filed) = (Vec::new(), Vec::new());
            for hid in &listed {
                let row = cases::find_for_update(conn, *hid)?;
                // Only a household still in poverty exits. One whose status changed since it
                // was listed (taken into monitoring: its open case would be left behind;
                // removed by a property-check veto) is taken off the list here, with why: no
                // step after the announcement could take it off, and the list would never be
                // filed.
                if !matches!(
                    Status::parse(&row.status),
                    Ok(Status::Registered | Status::Returned)
                ) {
                    remove_entry(
                        conn,
                        ctx,
                        list,
                        *hid,
                        &format!(
                            "filing: the household is {} now, not in poverty as when listed; not filed",
                            row.status
                        ),
                    )?;
                    not_filed.push(json!({"household_id": hid, "status": row.status}));
                    continue;
                }
                // Nor one whose yearly record, corrected since the nomination, no longer meets
                // the criteria (income below the line, a guarantee not met). Judged again only
                // when a record changed: a setting changed since (the years of stable income,
                // a line) does not take announced households off.
                let unmet = if super::nomination::records_changed_since_listed(conn, list, *hid)? {
                    super::nomination::unmet_criteria(
                        conn,
                        ctx,
                        stored_code(list.region_code)?,
                        *hid,
                        list.year,
                    )?
                } else {
                    Vec::new()
                };
                if !unmet.is_empty() {
                    let reason = format!(
                        "filing: the household no longer meets the exit criteria of {}: {}; not filed",
                        list.year,
                        unmet.join("; ")
                    );
                    remove_entry(conn, ctx, list, *hid, &reason)?;
                    not_filed.push(
                        json!({"household_id": hid, "status": row.status, "criteria": unmet}),
                    );
                    continue;
                }
                ids.push(*hid);
                apply_status(
                    conn,
                    ctx,
                    &row,
                    Status::Exited,
                    &format!("exit filed ({}, list {})", list.year, list.id),
                )?;
            }
            json!({ "reference": reference, "filed_on": on, "households": ids, "not_filed": not_filed })
        }
    };
    touch(conn, list, Some((to, notice, filed)))?;
    let details = match (round, details) {
        (Some(r), Value::Object(mut m)) => {
            m.insert("round_id".into(), json!(r));
            Value::Object(m)
        }
        (_, d) => d,
    };
    record_step(
        conn,
        ctx,
        list,
        step.as_str(),
        (Some(state.stage), to),
        details,
        attachments,
    )?;
    Ok(())
}

/// The refusal of a round's step on one of its lists.
pub(crate) fn refuse_in_round(round: Uuid) -> DomainError {
    DomainError::Conflict {
        code: domain::ErrorCode::ListInRound,
        message: format!(
            "this list is in township round {round}: take the step on the round \
             (POST /api/v1/exit-rounds/{round}/…)"
        ),
    }
}

fn appraise(
    conn: &mut PgConnection,
    ctx: &Ctx,
    list: &ListRow,
    held_on: NaiveDate,
    attendees: i32,
    minutes: &str,
    votes: &[(Uuid, Votes)],
) -> Result<Value, DomainError> {
    let listed = listed_ids(conn, list)?;
    let mut errs = Vec::new();
    let mut outcomes = Vec::new();
    for (i, (hid, v)) in votes.iter().enumerate() {
        if !listed.contains(hid) {
            errs.push(FieldError::new(
                format!("votes[{i}].household_id"),
                domain::Rule::NotOnList,
            ));
            continue;
        }
        match v.passes(attendees) {
            Ok(p) => outcomes.push((*hid, *v, p)),
            Err(m) => errs.push(FieldError::new(format!("votes[{i}]"), m)),
        }
    }
    for hid in &listed {
        if votes.iter().filter(|(h, _)| h == hid).count() != 1 {
            errs.push(FieldError::new(
                "votes",
                domain::Rule::other(
                    format!("household {hid} on the list needs exactly one tally"),
                    format!("名单上的户 {hid} 须有且只有一条计票"),
                ),
            ));
        }
    }
    if !errs.is_empty() {
        return Err(DomainError::Validation(errs));
    }
    let mut failed = Vec::new();
    for (hid, v, pass) in &outcomes {
        diesel::update(
            exit_entries::table
                .filter(exit_entries::county_code.eq(list.county_code))
                .filter(exit_entries::list_id.eq(list.id))
                .filter(exit_entries::household_id.eq(hid)),
        )
        .set((
            exit_entries::votes_for.eq(v.for_),
            exit_entries::votes_against.eq(v.against),
            exit_entries::votes_abstain.eq(v.abstain),
        ))
        .execute(conn)
        .db()?;
        if !pass {
            remove_entry(
                conn,
                ctx,
                list,
                *hid,
                &format!(
                    "not passed by the democratic appraisal: {} of {attendees} representatives for",
                    v.for_
                ),
            )?;
            failed.push(*hid);
        }
    }
    if failed.len() == listed.len() {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::ListEmpty,
            message: "no household passed the democratic appraisal; nothing was recorded".into(),
        });
    }
    Ok(json!({
        "held_on": held_on, "attendees": attendees, "minutes": minutes,
        "votes": outcomes.iter().map(|(h, v, p)| json!({
            "household_id": h, "for": v.for_, "against": v.against, "abstain": v.abstain, "passed": p
        })).collect::<Vec<_>>(),
        "not_passed": failed,
    }))
}
