//! Yearly exit targets, progress against them, and how long exited households keep their
//! support policies.

use super::*;

/// Sets a county's exit target (people) for a year.
///
/// # Errors
/// `Forbidden` without the county permission there.
pub fn set_target(
    conn: &mut PgConnection,
    ctx: &Ctx,
    county: RegionCode,
    year: i32,
    people: i32,
) -> Result<(), DomainError> {
    if !ctx.caller.scope().contains(county) {
        return Err(DomainError::NotFound);
    }
    ctx.caller
        .require_at_level(perm::WORKFLOW_COUNTY, Level::County, county)?;
    crate::app::users::check_org_unit(conn, "county_code", county)?;
    diesel::insert_into(exit_targets::table)
        .values((
            exit_targets::county_code.eq(county.county_code()),
            exit_targets::year.eq(year),
            exit_targets::region_code.eq(county.as_i64()),
            exit_targets::people.eq(people),
            exit_targets::set_by.eq(ctx.caller.user_id),
            exit_targets::updated_at.eq(ctx.now),
        ))
        .on_conflict((exit_targets::county_code, exit_targets::year))
        .do_update()
        .set((
            exit_targets::people.eq(people),
            exit_targets::set_by.eq(ctx.caller.user_id),
            exit_targets::updated_at.eq(ctx.now),
        ))
        .execute(conn)
        .db()?;
    ctx.audit(
        conn,
        "exit_target.set",
        "exit_target",
        format!("{}/{year}", county.county_code()),
        county,
        json!({ "year": year, "people": people }),
    )
}

/// Progress of one region in one year.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    /// Region code (12 digits).
    pub region_code: String,
    /// Name.
    pub name: String,
    /// Sum of the targets of the counties in the region (none below the county).
    pub target_people: Option<i64>,
    /// People in filed exits of the year.
    pub exited_people: i64,
    /// Households in filed exits of the year.
    pub exited_households: i64,
    /// People on lists still in progress.
    pub in_progress_people: i64,
    /// Exited people as a percentage of the target, one decimal.
    pub percent_of_target: Option<f64>,
}

#[derive(QueryableByName)]
struct Bucket {
    #[diesel(sql_type = BigInt)]
    code: i64,
    #[diesel(sql_type = BigInt)]
    exited_people: i64,
    #[diesel(sql_type = BigInt)]
    exited_households: i64,
    #[diesel(sql_type = BigInt)]
    in_progress_people: i64,
}

/// Progress against targets for `region` and each of its children, one level down.
///
/// # Errors
/// `Validation` for a region outside scope.
pub fn progress(
    conn: &mut PgConnection,
    ctx: &Ctx,
    region: RegionCode,
    year: i32,
) -> Result<(Progress, Vec<Progress>), DomainError> {
    if !ctx.caller.scope().contains(region) {
        return Err(DomainError::field("region", domain::Rule::OutsideScope));
    }
    let scope = region.subtree();
    let child_level = Level::from_number(region.level().number() + 1);
    // Children are found by truncating codes: the unit of the child level.
    let unit: i64 = match child_level {
        Some(l) => 10_i64.pow(12 - l.significant_digits()),
        None => 1,
    };
    // Callers above the county count filed exits only (they do not see lists in progress).
    let sees_progress = ctx.caller.org.level() >= Level::County;
    let buckets: Vec<Bucket> = diesel::sql_query(
        "SELECT (l.region_code / $3) * $3 AS code, \
                coalesce(sum(e.people) FILTER (WHERE l.stage = 'filed'), 0)::bigint AS exited_people, \
                count(*) FILTER (WHERE l.stage = 'filed') AS exited_households, \
                coalesce(sum(e.people) FILTER (WHERE l.stage <> 'filed' AND $4), 0)::bigint AS in_progress_people \
           FROM exit_lists l JOIN exit_entries e ON e.county_code = l.county_code AND e.list_id = l.id \
          WHERE l.region_code BETWEEN $1 AND $2 AND l.year = $5 AND NOT e.removed \
            AND e.overturned_at IS NULL \
          GROUP BY 1",
    )
    .bind::<BigInt, _>(scope.lo())
    .bind::<BigInt, _>(scope.hi())
    .bind::<BigInt, _>(unit)
    .bind::<Bool, _>(sees_progress)
    .bind::<diesel::sql_types::Integer, _>(year)
    .load(conn)
    .db()?;
    let targets: Vec<(i64, i32)> = exit_targets::table
        .filter(exit_targets::region_code.between(scope.lo(), scope.hi()))
        .filter(exit_targets::year.eq(year))
        .select((exit_targets::region_code, exit_targets::people))
        .load(conn)
        .db()?;
    let children: Vec<(i64, String)> = match child_level {
        Some(_) => crate::schema::regions::table
            .filter(crate::schema::regions::parent_code.eq(region.as_i64()))
            .order(crate::schema::regions::code)
            .select((crate::schema::regions::code, crate::schema::regions::name))
            .load(conn)
            .db()?,
        None => Vec::new(),
    };
    let name = crate::schema::regions::table
        .filter(crate::schema::regions::code.eq(region.as_i64()))
        .select(crate::schema::regions::name)
        .first::<String>(conn)
        .optional()
        .db()?
        .unwrap_or_default();
    let make = |code: i64, name: String, lo: i64, hi: i64| {
        let mine: Vec<&Bucket> = buckets
            .iter()
            .filter(|b| (lo..=hi).contains(&b.code))
            .collect();
        let exited_people: i64 = mine.iter().map(|b| b.exited_people).sum();
        let level = RegionCode::from_i64(code).map_or(Level::Village, RegionCode::level);
        let target_people = (level <= Level::County).then(|| {
            targets
                .iter()
                .filter(|(r, _)| (lo..=hi).contains(r))
                .map(|(_, p)| i64::from(*p))
                .sum::<i64>()
        });
        let percent_of_target = target_people
            .filter(|t| *t > 0)
            .and_then(|t| i32::try_from((exited_people * 1000 + t / 2) / t).ok())
            .map(|permille| f64::from(permille) / 10.0);
        Progress {
            region_code: format!("{code:012}"),
            name,
            target_people,
            exited_people,
            exited_households: mine.iter().map(|b| b.exited_households).sum(),
            in_progress_people: mine.iter().map(|b| b.in_progress_people).sum(),
            percent_of_target,
        }
    };
    let total = make(region.as_i64(), name, scope.lo(), scope.hi());
    let kids = children
        .into_iter()
        .filter_map(|(c, n)| {
            let s = RegionCode::from_i64(c).ok()?.subtree();
            Some(make(c, n, s.lo(), s.hi()))
        })
        .collect();
    Ok((total, kids))
}

/// The effective exit settings' retention: whether an exited household still keeps its
/// support policies in `year` (脱贫不脱政策).
///
/// # Errors
/// Database failures.
pub fn policies_retained_until(
    conn: &mut PgConnection,
    ctx: &Ctx,
    household_id: Uuid,
) -> Result<Option<i32>, DomainError> {
    let h = cases::find(conn, household_id)?;
    let years = crate::app::settings::effective_for(conn, ctx, stored_code(h.region_code)?)?
        .exit
        .policy_retention_years;
    let filed: Option<i32> = exit_entries::table
        .inner_join(
            exit_lists::table.on(exit_lists::county_code
                .eq(exit_entries::county_code)
                .and(exit_lists::id.eq(exit_entries::list_id))),
        )
        .filter(exit_entries::county_code.eq(h.county_code))
        .filter(exit_entries::household_id.eq(household_id))
        .filter(exit_entries::removed.eq(false))
        .filter(exit_entries::overturned_at.is_null())
        .filter(exit_lists::stage.eq(Stage::Filed.as_str()))
        .select(diesel::dsl::max(exit_lists::year))
        .first(conn)
        .db()?;
    Ok(filed.map(|y| y + years))
}
