//! The coverage rules reported up the hierarchy (seed 4, DOMAIN §7): every active key village
//! has a first secretary, an expert adviser and a county-level leader in term; every registered,
//! returned or monitored household has a paired cadre and a recent visit.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::{DomainError, Level, RegionCode, Scope};
use serde::Serialize;
use uuid::Uuid;

use super::Ctx;
use crate::db::DbResultExt as _;
use crate::schema::{
    households, key_villages, pairings, regions, team_members, village_advisers, visits,
};

/// Coverage counts of one region.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CoverageCounts {
    /// Region code.
    pub region_code: String,
    /// Name.
    pub name: String,
    /// Active key villages.
    pub key_villages: i64,
    /// Of which without a team whose first secretary is in term.
    pub key_villages_without_first_secretary: i64,
    /// Of which without an expert adviser (专家特派员) in term (seed 4: one per village).
    pub key_villages_without_adviser: i64,
    /// Of which without a county-level leader linked (县级领导联系, seed 4).
    pub key_villages_without_leader: i64,
    /// Province- and city-level demonstration villages (示范村).
    pub demonstration_villages: i64,
    /// Of which helping no active key village that year (seed 4: 帮带不少于1个重点帮扶村).
    pub demonstration_villages_unpaired: i64,
    /// Registered, returned or monitored households.
    pub households: i64,
    /// Of which without a paired cadre.
    pub households_without_cadre: i64,
    /// Of which not visited within the interval.
    pub households_unvisited: i64,
}

/// Coverage of a region as of a date: counts for it and each region one level down, and the
/// gaps themselves.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// The date.
    pub as_of: NaiveDate,
    /// The visit interval applied (days).
    pub visit_interval_days: i32,
    /// The region.
    pub total: CoverageCounts,
    /// Each child region.
    pub children: Vec<CoverageCounts>,
    /// Key villages without a first secretary in term (village codes).
    pub villages_without_first_secretary: Vec<String>,
    /// Key villages without an expert adviser in term (village codes).
    pub villages_without_adviser: Vec<String>,
    /// Key villages without a county-level leader linked (village codes).
    pub villages_without_leader: Vec<String>,
    /// Demonstration villages helping no active key village that year (village codes).
    pub demonstration_villages_unpaired: Vec<String>,
    /// Households without a paired cadre (ids).
    pub households_without_cadre: Vec<Uuid>,
    /// Households not visited within the interval (ids).
    pub households_unvisited: Vec<Uuid>,
}

/// The households that count on `as_of` (registered, returned or monitored), with their
/// village: today's from the registry; a past day's from each household's last history
/// snapshot before that day ended (a household registered since, or exited since, is as it was).
fn households_on(
    conn: &mut PgConnection,
    ctx: &Ctx,
    scope: Scope,
    as_of: NaiveDate,
) -> Result<Vec<(Uuid, i64)>, DomainError> {
    const COUNTED: [&str; 3] = ["registered", "returned", "monitored"];
    if as_of >= ctx.today() {
        return households::table
            .filter(households::region_code.between(scope.lo(), scope.hi()))
            .filter(households::status.eq_any(COUNTED))
            .select((households::id, households::region_code))
            .load(conn)
            .db();
    }
    #[derive(QueryableByName)]
    struct Then {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        household_id: Uuid,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        region_code: i64,
        #[diesel(sql_type = diesel::sql_types::Text)]
        status: String,
    }
    let rows: Vec<Then> = diesel::sql_query(format!(
        "SELECT household_id, region_code, status FROM ({}) AS e",
        super::cases::snapshots_before_sql(
            "coalesce(snapshot->>'status', '') AS status",
            "$1",
            "$2",
            "$3"
        )
    ))
    .bind::<diesel::sql_types::BigInt, _>(scope.lo())
    .bind::<diesel::sql_types::BigInt, _>(scope.hi())
    .bind::<diesel::sql_types::Timestamptz, _>(domain::calendar::end_of_day(as_of))
    .load(conn)
    .db()?;
    Ok(rows
        .into_iter()
        .filter(|r| COUNTED.contains(&r.status.as_str()))
        .map(|r| (r.household_id, r.region_code))
        .collect())
}

/// Checks the coverage rules over `region` as of `as_of`: every active key village has a team
/// with a first secretary in term, an expert adviser in term (seed 4: 每村一名专家特派员) and a
/// county-level leader linked (县级领导联系); every demonstration village helps an active key
/// village that year;
/// every household registered, returned or monitored on that day has a
/// paired cadre; none has gone unvisited longer than `teams.visit_interval_days`.
///
/// # Errors
/// `Validation` for a region outside scope.
pub fn coverage(
    conn: &mut PgConnection,
    ctx: &Ctx,
    region: RegionCode,
    as_of: NaiveDate,
) -> Result<Coverage, DomainError> {
    if !ctx.caller.scope().contains(region) {
        return Err(DomainError::field("region", domain::Rule::OutsideScope));
    }
    // Below the county the county's settings apply; above it, the province's.
    let interval = match region.level() {
        l if l >= Level::County => super::settings::effective_for(conn, ctx, region)?,
        Level::Province | Level::City => {
            super::settings::get(conn, ctx, region.ancestor_at(Level::Province))?.effective
        }
        _ => domain::settings::Settings::default(),
    }
    .teams
    .visit_interval_days;
    let scope = region.subtree();
    // The villages key on that day (designated for its year, not yet out): a past day's
    // coverage counted the villages key today.
    let year = chrono::Datelike::year(&as_of);
    let active: Vec<i64> = key_villages::table
        .filter(key_villages::region_code.between(scope.lo(), scope.hi()))
        .filter(key_villages::from_year.le(year))
        .filter(key_villages::to_year.ge(year))
        .select((key_villages::region_code, key_villages::exit_decided_on))
        .load::<(i64, Option<NaiveDate>)>(conn)
        .db()?
        .into_iter()
        .filter(|(_, out)| out.is_none_or(|d| d > as_of))
        .map(|(code, _)| code)
        .collect();
    let with_secretary: HashSet<i64> = team_members::table
        .filter(team_members::region_code.between(scope.lo(), scope.hi()))
        .filter(team_members::position.eq("first_secretary"))
        .filter(team_members::term_start.le(as_of))
        .filter(team_members::term_end.ge(as_of))
        .select(team_members::region_code)
        .load::<i64>(conn)
        .db()?
        .into_iter()
        .collect();
    let with_adviser: HashSet<i64> = village_advisers::table
        .filter(village_advisers::region_code.between(scope.lo(), scope.hi()))
        .filter(village_advisers::from_date.le(as_of))
        .filter(
            village_advisers::to_date
                .is_null()
                .or(village_advisers::to_date.ge(as_of)),
        )
        .select(village_advisers::region_code)
        .load::<i64>(conn)
        .db()?
        .into_iter()
        .collect();
    let with_leader = super::key_village_leaders::villages_with_leader(conn, scope, as_of)?;
    let (demo, demo_unpaired) = super::demonstration_villages::unpaired(conn, scope, as_of)?;
    let hh = households_on(conn, ctx, scope, as_of)?;
    // A pairing counts while it runs and its cadre's term runs.
    let paired: HashSet<Uuid> = pairings::table
        .inner_join(
            team_members::table.on(team_members::county_code
                .eq(pairings::county_code)
                .and(team_members::id.eq(pairings::member_id))),
        )
        .filter(pairings::region_code.between(scope.lo(), scope.hi()))
        .filter(pairings::start_date.le(as_of))
        .filter(
            pairings::end_date
                .is_null()
                .or(pairings::end_date.ge(as_of)),
        )
        .filter(team_members::term_start.le(as_of))
        .filter(team_members::term_end.ge(as_of))
        .select(pairings::household_id)
        .load::<Uuid>(conn)
        .db()?
        .into_iter()
        .collect();
    let since = as_of - Duration::days(i64::from(interval));
    let visited: HashSet<Uuid> = visits::table
        .filter(visits::region_code.between(scope.lo(), scope.hi()))
        .filter(visits::visited_on.ge(since))
        .filter(visits::visited_on.le(as_of))
        .select(visits::household_id)
        .load::<Uuid>(conn)
        .db()?
        .into_iter()
        .collect();
    let no_secretary: Vec<i64> = active
        .iter()
        .copied()
        .filter(|v| !with_secretary.contains(v))
        .collect();
    let no_adviser: Vec<i64> = active
        .iter()
        .copied()
        .filter(|v| !with_adviser.contains(v))
        .collect();
    let no_leader: Vec<i64> = active
        .iter()
        .copied()
        .filter(|v| !with_leader.contains(v))
        .collect();
    let no_cadre: Vec<(Uuid, i64)> = hh
        .iter()
        .copied()
        .filter(|(id, _)| !paired.contains(id))
        .collect();
    let unvisited: Vec<(Uuid, i64)> = hh
        .iter()
        .copied()
        .filter(|(id, _)| !visited.contains(id))
        .collect();
    let count = |code: i64, name: String, s: Scope| {
        let inn = |c: &i64| (s.lo()..=s.hi()).contains(c);
        CoverageCounts {
            region_code: format!("{code:012}"),
            name,
            key_villages: active.iter().filter(|c| inn(c)).count() as i64,
            key_villages_without_first_secretary: no_secretary.iter().filter(|c| inn(c)).count()
                as i64,
            key_villages_without_adviser: no_adviser.iter().filter(|c| inn(c)).count() as i64,
            key_villages_without_leader: no_leader.iter().filter(|c| inn(c)).count() as i64,
            demonstration_villages: demo.iter().filter(|c| inn(c)).count() as i64,
            demonstration_villages_unpaired: demo_unpaired.iter().filter(|c| inn(c)).count() as i64,
            households: hh.iter().filter(|(_, c)| inn(c)).count() as i64,
            households_without_cadre: no_cadre.iter().filter(|(_, c)| inn(c)).count() as i64,
            households_unvisited: unvisited.iter().filter(|(_, c)| inn(c)).count() as i64,
        }
    };
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
    let own = names
        .iter()
        .find(|(c, _)| *c == region.as_i64())
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    let children = names
        .iter()
        .filter(|(c, _)| *c != region.as_i64())
        .filter_map(|(c, n)| {
            let s = RegionCode::from_i64(*c).ok()?.subtree();
            Some(count(*c, n.clone(), s))
        })
        .collect();
    let cap = 1000;
    Ok(Coverage {
        as_of,
        visit_interval_days: interval,
        total: count(region.as_i64(), own, scope),
        children,
        villages_without_first_secretary: no_secretary
            .iter()
            .take(cap)
            .map(|c| format!("{c:012}"))
            .collect(),
        villages_without_adviser: no_adviser
            .iter()
            .take(cap)
            .map(|c| format!("{c:012}"))
            .collect(),
        villages_without_leader: no_leader
            .iter()
            .take(cap)
            .map(|c| format!("{c:012}"))
            .collect(),
        demonstration_villages_unpaired: demo_unpaired
            .iter()
            .take(cap)
            .map(|c| format!("{c:012}"))
            .collect(),
        households_without_cadre: no_cadre.iter().take(cap).map(|(id, _)| *id).collect(),
        households_unvisited: unvisited.iter().take(cap).map(|(id, _)| *id).collect(),
    })
}
