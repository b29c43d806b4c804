//! Nomination of households for exit: the criteria of a year, the admission of
//! households to a list, and adding them.

use super::*;

/// The exit criteria of a household for `year`, as the rules evaluate them now.
///
/// # Errors
/// `NotFound` outside scope.
pub fn criteria(
    conn: &mut PgConnection,
    ctx: &Ctx,
    household_id: Uuid,
    year: i32,
) -> Result<(i64, Option<i64>, Vec<Criterion>), DomainError> {
    let h = cases::find(conn, household_id)?;
    let settings = crate::app::settings::effective_for(conn, ctx, stored_code(h.region_code)?)?;
    let line = settings.poverty_line_for(year);
    let record = indicators(conn, household_id, year)?;
    let income = record.map_or(0, |r| r.income_per_capita_fen);
    let years = income_years(conn, &settings, household_id, year, record.as_ref())?;
    Ok((income, line, rules::evaluate(year, record.as_ref(), &years)))
}

/// The income criterion's years for an exit in `year` (`exit.stable_income_years` of them,
/// ending with it): each year's recorded income and the province's line of that year.
fn income_years(
    conn: &mut PgConnection,
    settings: &domain::settings::Settings,
    household_id: Uuid,
    year: i32,
    record: Option<&Indicators>,
) -> Result<Vec<IncomeYear>, DomainError> {
    rules::income_years(year, settings.exit.stable_income_years)
        .map(|y| {
            let income = if y == year {
                record.map(|r| r.income_per_capita_fen)
            } else {
                indicators(conn, household_id, y)?.map(|r| r.income_per_capita_fen)
            };
            Ok(IncomeYear {
                year: y,
                income_per_capita_fen: income,
                poverty_line_fen: settings.poverty_line_for(y),
            })
        })
        .collect()
}

fn indicators(
    conn: &mut PgConnection,
    household_id: Uuid,
    year: i32,
) -> Result<Option<Indicators>, DomainError> {
    match records::get_year(conn, household_id, year) {
        Ok(r) => Ok(Some(Indicators {
            income_per_capita_fen: r.income_per_capita_fen,
            enough_food: r.enough_food,
            enough_clothing: r.enough_clothing,
            compulsory_education: r.compulsory_education,
            basic_medical: r.basic_medical,
            safe_housing: r.safe_housing,
            safe_drinking_water: r.safe_drinking_water,
        })),
        Err(DomainError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A nomination: the households a villager group puts forward in a village for a year.
#[derive(Debug, Clone)]
pub struct Nomination {
    /// Village.
    pub village: RegionCode,
    /// Year.
    pub year: i32,
    /// 村民小组.
    pub villager_group: String,
    /// Date of the group's nomination.
    pub nominated_on: NaiveDate,
    /// Households.
    pub households: Vec<Uuid>,
    /// Attachments (the households' exit applications).
    pub attachments: Vec<Attachment>,
}

/// A household admitted to a list: the row, the line, its indicators, the criteria.
type Admitted = (cases::HouseholdRow, i64, Indicators, Vec<Criterion>);

/// A new stage, the notice window it opens, the filing time.
pub(super) type StageChange = (
    Stage,
    Option<(DateTime<Utc>, DateTime<Utc>)>,
    Option<DateTime<Utc>>,
);

/// Checks each household against the criteria and the list rules; returns the entries to
/// insert or every refusal, naming `field[i]`.
fn admit(
    conn: &mut PgConnection,
    ctx: &Ctx,
    village: RegionCode,
    year: i32,
    field: &str,
    ids: &[Uuid],
) -> Result<Vec<Admitted>, DomainError> {
    let settings = crate::app::settings::effective_for(conn, ctx, village)?;
    let line = settings.poverty_line_for(year);
    let mut errs = Vec::new();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // Each household locked, in one order, before it is checked: two lists naming it at once
    // (of two years) both found it on no list not yet filed, and both admitted it.
    cases::lock_in_order(conn, ids)?;
    for (i, id) in ids.iter().enumerate() {
        let f = format!("{field}[{i}]");
        if !seen.insert(*id) {
            errs.push(FieldError::new(f, domain::Rule::ListedTwice));
            continue;
        }
        let h = match cases::find(conn, *id) {
            Ok(h) => h,
            Err(DomainError::NotFound) => {
                errs.push(FieldError::new(
                    f,
                    domain::Rule::not_in_scope(domain::ScopeKind::Household),
                ));
                continue;
            }
            Err(e) => return Err(e),
        };
        if h.region_code != village.as_i64() {
            errs.push(FieldError::new(
                f,
                domain::Rule::other(
                    format!(
                        "household {} is registered in another village",
                        h.household_number
                    ),
                    format!("户 {} 登记在其他村", h.household_number),
                ),
            ));
            continue;
        }
        let status =
            Status::parse(&h.status).map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))?;
        // Only households in poverty exit: registered, or returned to poverty. (A monitored
        // household leaves monitoring through its case, not through an exit list.)
        if !matches!(status, Status::Registered | Status::Returned) {
            errs.push(FieldError::new(
                f,
                domain::Rule::other(format!(
                    "household {} is {} and cannot exit: only registered or returned households can",
                    h.household_number, h.status
                ), format!(
                    "户 {} 状态为 {},不能退出:只有在册或返贫户可以退出",
                    h.household_number, h.status
                )),
            ));
            continue;
        }
        // On a list of this year, or on any list not yet filed.
        let on_list: Option<(Uuid, i32)> = exit_entries::table
            .inner_join(
                exit_lists::table.on(exit_lists::county_code
                    .eq(exit_entries::county_code)
                    .and(exit_lists::id.eq(exit_entries::list_id))),
            )
            .filter(exit_entries::county_code.eq(h.county_code))
            .filter(exit_entries::household_id.eq(h.id))
            .filter(exit_entries::removed.eq(false))
            .filter(
                exit_entries::year
                    .eq(year)
                    .or(exit_lists::stage.ne(Stage::Filed.as_str())),
            )
            .select((exit_entries::list_id, exit_entries::year))
            .first(conn)
            .optional()
            .db()?;
        if let Some((l, y)) = on_list {
            errs.push(FieldError::new(
                f,
                domain::Rule::other(
                    format!(
                        "household {} is already on the {y} exit list {l}",
                        h.household_number
                    ),
                    format!("户 {} 已在 {y} 年退出名单 {l} 上", h.household_number),
                ),
            ));
            continue;
        }
        let record = indicators(conn, h.id, year)?;
        let years = income_years(conn, &settings, h.id, year, record.as_ref())?;
        let crit = rules::evaluate(year, record.as_ref(), &years);
        let failed: Vec<&str> = crit
            .iter()
            .filter(|c| !c.met)
            .map(|c| c.detail.as_str())
            .collect();
        match (record, line) {
            (Some(r), Some(l)) if failed.is_empty() => out.push((h, l, r, crit)),
            _ => errs.push(FieldError::new(
                f,
                domain::Rule::other(
                    format!(
                        "household {} does not meet the exit criteria: {}",
                        h.household_number,
                        failed.join("; ")
                    ),
                    format!(
                        "户 {} 不符合退出标准:{}",
                        h.household_number,
                        failed.join("; ")
                    ),
                ),
            )),
        }
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(DomainError::Validation(errs))
    }
}

/// The exit criteria `household_id` fails for `year` as its record stands now (each the
/// criterion's detail; empty when it meets them all): filing checks them again, since the
/// yearly record may be corrected after the nomination.
///
/// # Errors
/// Database failures.
pub(super) fn unmet_criteria(
    conn: &mut PgConnection,
    ctx: &Ctx,
    village: RegionCode,
    household_id: Uuid,
    year: i32,
) -> Result<Vec<String>, DomainError> {
    let settings = crate::app::settings::effective_for(conn, ctx, village)?;
    let record = indicators(conn, household_id, year)?;
    let years = income_years(conn, &settings, household_id, year, record.as_ref())?;
    let mut failed: Vec<String> = rules::evaluate(year, record.as_ref(), &years)
        .into_iter()
        .filter(|c| !c.met)
        .map(|c| c.detail)
        .collect();
    if record.is_none() && failed.is_empty() {
        failed.push(format!("no record of {year}"));
    }
    Ok(failed)
}

/// Whether a yearly record of the household changed after it was put on `list`.
///
/// # Errors
/// Database failures.
pub(super) fn records_changed_since_listed(
    conn: &mut PgConnection,
    list: &ListRow,
    household_id: Uuid,
) -> Result<bool, DomainError> {
    #[derive(QueryableByName)]
    struct Changed {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        changed: bool,
    }
    diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM exit_entries e \
           JOIN household_years y ON y.county_code = e.county_code AND y.household_id = e.household_id \
          WHERE e.county_code = $1 AND e.list_id = $2 AND e.household_id = $3 \
            AND y.updated_at > e.added_at) AS changed",
    )
    .bind::<diesel::sql_types::Int4, _>(list.county_code)
    .bind::<diesel::sql_types::Uuid, _>(list.id)
    .bind::<diesel::sql_types::Uuid, _>(household_id)
    .get_result::<Changed>(conn)
    .db()
    .map(|c| c.changed)
}

fn insert_entries(
    conn: &mut PgConnection,
    ctx: &Ctx,
    list: &ListRow,
    admitted: Vec<Admitted>,
) -> Result<(), DomainError> {
    for (h, line, r, crit) in admitted {
        diesel::insert_into(exit_entries::table)
            .values((
                exit_entries::county_code.eq(list.county_code),
                exit_entries::list_id.eq(list.id),
                exit_entries::household_id.eq(h.id),
                exit_entries::region_code.eq(list.region_code),
                exit_entries::year.eq(list.year),
                exit_entries::people.eq(h.member_count),
                exit_entries::income_per_capita_fen.eq(r.income_per_capita_fen),
                exit_entries::poverty_line_fen.eq(line),
                exit_entries::criteria.eq(json!(crit)),
                exit_entries::added_at.eq(ctx.now),
            ))
            .execute(conn)
            .map_err(|e| match map_db_error(e) {
                DomainError::Conflict { .. } => DomainError::Conflict {
                    code: domain::ErrorCode::AlreadyListed,
                    message: format!(
                        "household {} was put on another {} exit list at the same time",
                        h.household_number, list.year
                    ),
                },
                other => other,
            })?;
    }
    Ok(())
}

/// Nominates households of a village for exit: every household must meet the criteria of the
/// year, or nothing is written and each refusal says which criterion fails and by how much.
///
/// # Errors
/// `Validation` naming `households[i]`; `Forbidden` without the village permission there.
pub fn nominate(
    conn: &mut PgConnection,
    ctx: &Ctx,
    n: &Nomination,
) -> Result<ListView, DomainError> {
    if !ctx.caller.scope().contains(n.village) {
        return Err(DomainError::field(
            "village_code",
            domain::Rule::OutsideScope,
        ));
    }
    if n.village.level() != Level::Village {
        return Err(DomainError::field(
            "village_code",
            domain::Rule::other("must be a village", "必须是村"),
        ));
    }
    ctx.caller
        .require_at_level(perm::WORKFLOW_VILLAGE, Level::Village, n.village)?;
    crate::app::users::check_org_unit(conn, "village_code", n.village)?;
    let admitted = admit(conn, ctx, n.village, n.year, "households", &n.households)?;
    let list: ListRow = diesel::insert_into(exit_lists::table)
        .values((
            exit_lists::county_code.eq(n.village.county_code()),
            exit_lists::id.eq(Uuid::new_v4()),
            exit_lists::region_code.eq(n.village.as_i64()),
            exit_lists::year.eq(n.year),
            exit_lists::stage.eq(Stage::Nominated.as_str()),
            exit_lists::villager_group.eq(&n.villager_group),
            exit_lists::created_by.eq(ctx.caller.user_id),
            exit_lists::created_at.eq(ctx.now),
            exit_lists::updated_at.eq(ctx.now),
        ))
        .returning(ListRow::as_returning())
        .get_result(conn)
        .db()?;
    let ids: Vec<Uuid> = admitted.iter().map(|a| a.0.id).collect();
    insert_entries(conn, ctx, &list, admitted)?;
    record_step(
        conn,
        ctx,
        &list,
        "nomination",
        (None, Stage::Nominated),
        json!({ "villager_group": n.villager_group, "nominated_on": n.nominated_on, "households": ids }),
        &n.attachments,
    )?;
    view_of(conn, list)
}

/// Adds households to a list still at nomination.
///
/// # Errors
/// As [`nominate`]; `Conflict` once the list has moved on.
pub fn add_entries(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    ids: &[Uuid],
) -> Result<ListView, DomainError> {
    let list = lock_list(conn, ctx, id)?;
    let village = stored_code(list.region_code)?;
    ctx.caller
        .require_at_level(perm::WORKFLOW_VILLAGE, Level::Village, village)?;
    if list.stage != Stage::Nominated.as_str() {
        return Err(DomainError::Conflict {
            code: domain::ErrorCode::StepOutOfOrder,
            message: format!(
                "households are added while the list is nominated; it is at {}",
                list.stage
            ),
        });
    }
    let admitted = admit(conn, ctx, village, list.year, "households", ids)?;
    insert_entries(conn, ctx, &list, admitted)?;
    touch(conn, &list, None)?;
    record_step(
        conn,
        ctx,
        &list,
        "nomination",
        (Some(Stage::Nominated), Stage::Nominated),
        json!({ "added": ids }),
        &[],
    )?;
    get(conn, ctx, id)
}
