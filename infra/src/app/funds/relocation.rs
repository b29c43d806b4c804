//! Relocation plans: the entitlement from the per-person subsidy in force for the county, and
//! totals.

use super::*;

/// A relocation plan.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = relocation_plans)]
pub struct RelocationRow {
    /// Id.
    pub id: Uuid,
    /// Region (county or village).
    #[serde(skip)]
    pub region_code: i64,
    /// Year.
    pub year: i32,
    /// Name.
    pub name: String,
    /// Households to move.
    pub households: i32,
    /// People to move.
    pub people: i32,
    /// Subsidy per person (the county's setting when planned), fen.
    pub subsidy_per_person_fen: i64,
    /// People × subsidy, fen.
    pub entitlement_fen: i64,
    /// The project that pays it.
    pub project_id: Uuid,
}

/// Plans a relocation: the entitlement is computed from the county's per-person subsidy
/// (a setting) and a subsidy project (paid by entitlement, not by progress) is created for it.
///
/// # Errors
/// As [`create_project`].
pub fn plan_relocation(
    conn: &mut PgConnection,
    ctx: &Ctx,
    region: RegionCode,
    year: i32,
    name: &str,
    (households, people): (i32, i32),
) -> Result<RelocationRow, DomainError> {
    if region.level() < Level::County || !ctx.caller.scope().contains(region) {
        return Err(DomainError::field(
            "region_code",
            domain::Rule::not_in_scope(domain::ScopeKind::Region),
        ));
    }
    manage_at(ctx, region)?;
    let per_person = crate::app::settings::effective_for(conn, ctx, region)?
        .funds
        .relocation_subsidy_per_person_fen;
    let entitlement = per_person.checked_mul(i64::from(people)).ok_or_else(|| {
        DomainError::field(
            "people",
            domain::Rule::other(
                "is too many for the subsidy per person: the entitlement would not fit",
                "人数过多:按人均补助计算的金额超出上限",
            ),
        )
    })?;
    let project = create_project(
        conn,
        ctx,
        &NewProject {
            region,
            year,
            name: format!("{name}(搬迁补助)"),
            purpose: Purpose::Relocation,
            budget_fen: entitlement.max(1),
            pay_by_progress: false,
            account: "易地扶贫搬迁补助专户".into(),
            assets: String::new(),
            asset_holder: String::new(),
            manager_user_id: None,
        },
    )?;
    let row: RelocationRow = diesel::insert_into(relocation_plans::table)
        .values((
            relocation_plans::county_code.eq(region.county_code()),
            relocation_plans::id.eq(Uuid::new_v4()),
            relocation_plans::region_code.eq(region.as_i64()),
            relocation_plans::year.eq(year),
            relocation_plans::name.eq(name),
            relocation_plans::households.eq(households),
            relocation_plans::people.eq(people),
            relocation_plans::subsidy_per_person_fen.eq(per_person),
            relocation_plans::entitlement_fen.eq(entitlement),
            relocation_plans::project_id.eq(project.id),
            relocation_plans::created_by.eq(ctx.caller.user_id),
            relocation_plans::created_at.eq(ctx.now),
        ))
        .returning(RelocationRow::as_returning())
        .get_result(conn)
        .map_err(map_db_error)?;
    ctx.audit(
        conn,
        "relocation.planned",
        "relocation_plan",
        row.id,
        region,
        json!({ "households": households, "people": people, "entitlement_fen": entitlement }),
    )?;
    Ok(row)
}

/// Relocation in a region: plans and totals, with the funds of relocation purpose by level.
#[derive(Debug, Clone, Serialize)]
pub struct RelocationSummary {
    /// Plans.
    pub plans: Vec<RelocationRow>,
    /// Households planned.
    pub households: i64,
    /// People planned.
    pub people: i64,
    /// Entitlements, fen.
    pub entitlement_fen: i64,
    /// Paid to households (subsidy disbursements of the plans' projects), fen.
    pub paid_fen: i64,
    /// Relocation funds received, by level (central, province, city, county), fen.
    pub funds_by_level: std::collections::BTreeMap<String, i64>,
    /// All relocation funds received, fen.
    pub funds_total_fen: i64,
}

/// Relocation plans and funding in `within` for a year.
///
/// # Errors
/// Database failures.
pub fn relocation(
    conn: &mut PgConnection,
    within: Scope,
    year: Option<i32>,
) -> Result<RelocationSummary, DomainError> {
    let mut q = relocation_plans::table
        .filter(relocation_plans::region_code.between(within.lo(), within.hi()))
        .order((relocation_plans::region_code, relocation_plans::id))
        .select(RelocationRow::as_select())
        .into_boxed();
    if let Some(y) = year {
        q = q.filter(relocation_plans::year.eq(y));
    }
    let plans: Vec<RelocationRow> = q.load(conn).db()?;
    let ids: Vec<Uuid> = plans.iter().map(|p| p.project_id).collect();
    let paid: i64 = disbursements::table
        .filter(disbursements::region_code.between(within.lo(), within.hi()))
        .filter(disbursements::project_id.eq_any(&ids))
        .select(total("disbursements.amount_fen"))
        .first::<i64>(conn)
        .db()?;
    let mut fq = funds::table
        .filter(funds::region_code.between(within.lo(), within.hi()))
        .filter(funds::purpose.eq(Purpose::Relocation.as_str()))
        .select((funds::level, funds::amount_fen))
        .into_boxed();
    if let Some(y) = year {
        fq = fq.filter(funds::year.eq(y));
    }
    let mut by_level = std::collections::BTreeMap::new();
    for (level, amount) in fq.load::<(String, i64)>(conn).db()? {
        *by_level.entry(level).or_insert(0) += amount;
    }
    Ok(RelocationSummary {
        households: plans.iter().map(|p| i64::from(p.households)).sum(),
        people: plans.iter().map(|p| i64::from(p.people)).sum(),
        entitlement_fen: plans.iter().map(|p| p.entitlement_fen).sum(),
        paid_fen: paid,
        funds_total_fen: by_level.values().sum(),
        funds_by_level: by_level,
        plans,
    })
}
