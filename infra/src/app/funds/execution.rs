//! Execution rates of funds and the key-village share of linking funds.

use super::*;

/// Execution of one region.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Execution {
    /// Region (12 digits).
    pub region_code: String,
    /// Name.
    pub name: String,
    /// Funds received (counties only carry funds), fen.
    pub received_fen: i64,
    /// Allocated to projects in the region, fen.
    pub allocated_fen: i64,
    /// Disbursed by projects in the region, fen.
    pub disbursed_fen: i64,
    /// Disbursed over allocated, basis points.
    pub execution_bp: i64,
}

/// Execution rates of a region and each region one level down for a year: received,
/// allocated, disbursed, disbursed over allocated.
///
/// # Errors
/// `Validation` outside scope.
pub fn execution(
    conn: &mut PgConnection,
    ctx: &Ctx,
    region: RegionCode,
    year: i32,
) -> Result<(Execution, Vec<Execution>), DomainError> {
    if !ctx.caller.scope().contains(region) {
        return Err(DomainError::field("region", domain::Rule::OutsideScope));
    }
    let scope = region.subtree();
    let received: Vec<(i64, i64)> = funds::table
        .filter(funds::region_code.between(scope.lo(), scope.hi()))
        .filter(funds::year.eq(year))
        .select((funds::region_code, funds::amount_fen))
        .load(conn)
        .db()?;
    let allocated: Vec<(i64, i64)> = allocations::table
        .inner_join(
            projects::table.on(projects::county_code
                .eq(allocations::county_code)
                .and(projects::id.eq(allocations::project_id))),
        )
        .filter(allocations::region_code.between(scope.lo(), scope.hi()))
        .filter(projects::year.eq(year))
        .select((allocations::region_code, allocations::amount_fen))
        .load(conn)
        .db()?;
    let disbursed: Vec<(i64, i64)> = disbursements::table
        .inner_join(
            projects::table.on(projects::county_code
                .eq(disbursements::county_code)
                .and(projects::id.eq(disbursements::project_id))),
        )
        .filter(disbursements::region_code.between(scope.lo(), scope.hi()))
        .filter(projects::year.eq(year))
        .select((disbursements::region_code, disbursements::amount_fen))
        .load(conn)
        .db()?;
    let names: Vec<(i64, String)> = regions::table
        .filter(
            regions::parent_code
                .eq(region.as_i64())
                .or(regions::code.eq(region.as_i64())),
        )
        .order(regions::code)
        .select((regions::code, regions::name))
        .load(conn)
        .db()?;
    let make = |code: i64, name: String, s: Scope| {
        let inn = |c: &i64| (s.lo()..=s.hi()).contains(c);
        let total = |v: &[(i64, i64)]| {
            v.iter()
                .filter(|(c, _)| inn(c))
                .map(|(_, a)| a)
                .sum::<i64>()
        };
        let a = total(&allocated);
        let d = total(&disbursed);
        Execution {
            region_code: format!("{code:012}"),
            name,
            received_fen: total(&received),
            allocated_fen: a,
            disbursed_fen: d,
            execution_bp: rules::rate_bp(d, a),
        }
    };
    let own = names
        .iter()
        .find(|(c, _)| *c == region.as_i64())
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    let total = make(region.as_i64(), own, scope);
    let children = names
        .into_iter()
        .filter(|(c, _)| *c != region.as_i64())
        .filter_map(|(c, n)| Some(make(c, n, RegionCode::from_i64(c).ok()?.subtree())))
        .collect();
    Ok((total, children))
}

/// The key-village share of a county's linking funds in a year (seed 4: at least 12%).
#[derive(Debug, Clone, Serialize)]
pub struct LinkingShare {
    /// County (6 digits).
    pub county_code: String,
    /// Year.
    pub year: i32,
    /// Linking funds received.
    pub linking_received_fen: i64,
    /// Of which allocated to projects in active key villages.
    pub to_key_villages_fen: i64,
    /// Share, basis points of received.
    pub share_bp: i64,
    /// The minimum (setting `key_village.min_linking_fund_share_bp`).
    pub minimum_bp: i64,
    /// Present when the share falls short.
    pub warning: Option<String>,
}

/// The share of a county's linking funds of a year allocated to key villages.
///
/// # Errors
/// `NotFound` for a county outside scope.
pub fn linking_share(
    conn: &mut PgConnection,
    ctx: &Ctx,
    county: RegionCode,
    year: i32,
) -> Result<LinkingShare, DomainError> {
    if county.level() != Level::County || !ctx.caller.scope().contains(county) {
        return Err(DomainError::NotFound);
    }
    let minimum = i64::from(
        crate::app::settings::effective_for(conn, ctx, county)?
            .key_village
            .min_linking_fund_share_bp,
    );
    let c = county.county_code();
    let received: i64 = funds::table
        .filter(funds::county_code.eq(c))
        .filter(funds::year.eq(year))
        .filter(funds::linking.eq(true))
        .select(total("funds.amount_fen"))
        .first::<i64>(conn)
        .db()?;
    // The villages that were key in that year, whether or not they have left key status
    // since (a 2021 share fell to nothing when its villages left in 2024).
    let keys: Vec<i64> = key_villages::table
        .filter(key_villages::county_code.eq(c))
        .filter(key_villages::from_year.le(year))
        .filter(key_villages::to_year.ge(year))
        .select((
            key_villages::region_code,
            key_villages::from_year,
            key_villages::to_year,
            key_villages::exit_decided_on,
        ))
        .load::<(i64, i32, i32, Option<chrono::NaiveDate>)>(conn)
        .db()?
        .into_iter()
        .filter(|&(_, from, to, out)| domain::villages::key_in(from, to, out, year))
        .map(|(code, ..)| code)
        .collect();
    let to_keys: i64 = allocations::table
        .inner_join(
            funds::table.on(funds::county_code
                .eq(allocations::county_code)
                .and(funds::id.eq(allocations::fund_id))),
        )
        .filter(allocations::county_code.eq(c))
        .filter(funds::year.eq(year))
        .filter(funds::linking.eq(true))
        .filter(allocations::region_code.eq_any(&keys))
        .select(total("allocations.amount_fen"))
        .first::<i64>(conn)
        .db()?;
    let share = rules::rate_bp(to_keys, received);
    Ok(LinkingShare {
        county_code: format!("{c:06}"),
        year,
        linking_received_fen: received,
        to_key_villages_fen: to_keys,
        share_bp: share,
        minimum_bp: minimum,
        warning: (received > 0 && share < minimum).then(|| {
            format!(
                "only {}.{:02}% of {year}'s linking funds go to key villages; at least {}.{:02}% must",
                share / 100,
                share % 100,
                minimum / 100,
                minimum % 100
            )
        }),
    })
}
