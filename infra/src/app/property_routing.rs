//! Routing of a property-check batch through the township (issue 22, seed 2: 检索结果下发与核查。
//! 乡脱贫攻坚工作站将检索结果转给各挂点领导,各挂点领导将有关信息分别下发对应的村委).
//!
//! The township station (`property:review` at the township) assigns each of its villages a
//! liaison leader (挂点领导), a user of the township holding a township role with
//! `property:forward`. For each batch the station forwards the township's hits to its leaders
//! (villages without a leader are forwarded directly, and the record says so); each leader, or
//! the station on his behalf, forwards his village's hits to the village committee. With
//! `property_check.routing_required` (on by default) the village verifies only then.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::perm;
use domain::{DomainError, ErrorCode, FieldError, Level, RegionCode};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::property::{HitRow, require_read};
use super::{Ctx, stored_code};
use crate::db::DbResultExt as _;
use crate::schema::{
    property_hits, property_routes, regions, role_grants, role_permissions, township_liaisons,
    users,
};

/// A village of a township with its liaison leader, if any.
#[derive(Debug, Clone, Serialize)]
pub struct Liaison {
    /// The village.
    pub village_code: i64,
    /// Its name.
    pub village_name: String,
    /// The leader (a user of the township), when assigned.
    pub user_id: Option<Uuid>,
    /// The leader's display name.
    pub display_name: Option<String>,
    /// Assigned by.
    pub assigned_by: Option<Uuid>,
    /// Assigned at.
    pub assigned_at: Option<DateTime<Utc>>,
}

/// How one village's hits of a batch were forwarded.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Route {
    /// When they were forwarded to the village committee.
    pub routed_at: DateTime<Utc>,
    /// By whom (the leader, or the station).
    pub routed_by: Uuid,
    /// The liaison leader they went through (`None` when direct).
    pub leader_id: Option<Uuid>,
    /// Forwarded directly by the station: the village had no liaison leader.
    pub direct: bool,
}

/// One village in the routing table of a batch.
#[derive(Debug, Clone, Serialize)]
pub struct VillageRouting {
    /// The village.
    pub village_code: i64,
    /// Its hits in the batch.
    pub hits: i64,
    /// Of those, not verified yet.
    pub pending: i64,
    /// Its liaison leader now.
    pub liaison_id: Option<Uuid>,
    /// The liaison leader's display name (`None`: no leader, or the account is not visible
    /// from the caller's scope).
    pub liaison_name: Option<String>,
    /// How the hits were forwarded (`None`: not yet).
    pub route: Option<Route>,
    /// The display name of the leader the hits went through (`None`: direct, not yet, or not
    /// visible from the caller's scope).
    pub leader_name: Option<String>,
}

/// One township in the routing table of a batch.
#[derive(Debug, Clone, Serialize)]
pub struct TownshipRouting {
    /// The township.
    pub township_code: i64,
    /// When the station forwarded the batch to the leaders (`None`: not yet, or not visible
    /// from a village).
    pub forwarded_at: Option<DateTime<Utc>>,
    /// By whom.
    pub forwarded_by: Option<Uuid>,
    /// Its villages with hits in the batch.
    pub villages: Vec<VillageRouting>,
}

fn township_in_scope(ctx: &Ctx, township: RegionCode) -> Result<(), DomainError> {
    if township.level() != Level::Township {
        return Err(DomainError::field(
            "township_code",
            domain::Rule::other(
                "must be a township (9 or 12 digits)",
                "必须是乡镇(9 或 12 位)",
            ),
        ));
    }
    if !ctx.caller.scope().contains(township) {
        return Err(DomainError::NotFound);
    }
    Ok(())
}

/// The villages of `township`, by code, with their names.
fn villages_of(
    conn: &mut PgConnection,
    township: RegionCode,
) -> Result<BTreeMap<i64, String>, DomainError> {
    Ok(regions::table
        .filter(regions::parent_code.eq(township.as_i64()))
        .select((regions::code, regions::name))
        .load::<(i64, String)>(conn)
        .db()?
        .into_iter()
        .collect())
}

/// The villages of `township` with their liaison leaders (`property:read`, in scope).
///
/// # Errors
/// `Validation` naming `township_code`; `NotFound` outside scope; `Forbidden`.
pub fn liaisons(
    conn: &mut PgConnection,
    ctx: &Ctx,
    township: RegionCode,
) -> Result<Vec<Liaison>, DomainError> {
    township_in_scope(ctx, township)?;
    require_read(ctx)?;
    let scope = township.subtree();
    let rows: Vec<(i64, Uuid, Uuid, DateTime<Utc>)> = township_liaisons::table
        .filter(township_liaisons::county_code.eq(township.county_code()))
        .filter(township_liaisons::region_code.between(scope.lo(), scope.hi()))
        .select((
            township_liaisons::region_code,
            township_liaisons::user_id,
            township_liaisons::assigned_by,
            township_liaisons::assigned_at,
        ))
        .load(conn)
        .db()?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.1).collect();
    let names: HashMap<Uuid, String> = users::table
        .filter(users::county_code.eq(township.county_code()))
        .filter(users::id.eq_any(&ids))
        .select((users::id, users::display_name))
        .load::<(Uuid, String)>(conn)
        .db()?
        .into_iter()
        .collect();
    let by_village: HashMap<i64, (Uuid, Uuid, DateTime<Utc>)> = rows
        .into_iter()
        .map(|(v, u, b, a)| (v, (u, b, a)))
        .collect();
    Ok(villages_of(conn, township)?
        .into_iter()
        .map(|(code, name)| {
            let l = by_village.get(&code);
            Liaison {
                village_code: code,
                village_name: name,
                user_id: l.map(|l| l.0),
                display_name: l.and_then(|l| names.get(&l.0).cloned()),
                assigned_by: l.map(|l| l.1),
                assigned_at: l.map(|l| l.2),
            }
        })
        .collect())
}

/// Whether `user` is an enabled user of `township` holding there a role with
/// `property:forward`: `Err` with one reason otherwise, whatever is missing (an unknown id, a
/// user elsewhere, a disabled one, one without the role), since the station does not read
/// accounts (`users:read`): the answer must not tell which accounts exist, what they hold or
/// whether they are disabled (security.md §14).
fn check_leader(
    conn: &mut PgConnection,
    township: RegionCode,
    user: Uuid,
) -> Result<Result<(), domain::Rule>, DomainError> {
    let forwarding_roles = role_permissions::table
        .filter(role_permissions::permission.eq(perm::PROPERTY_FORWARD))
        .select(role_permissions::role);
    let holds = role_grants::table
        .filter(role_grants::county_code.eq(township.county_code()))
        .filter(role_grants::user_id.eq(user))
        .filter(role_grants::region_code.eq(township.as_i64()))
        .filter(role_grants::role.eq_any(forwarding_roles))
        .select(role_grants::user_id);
    let found: i64 = users::table
        .filter(users::county_code.eq(township.county_code()))
        .filter(users::id.eq(user))
        .filter(users::region_code.eq(township.as_i64()))
        .filter(users::disabled.eq(false))
        .filter(users::id.eq_any(holds))
        .count()
        .get_result(conn)
        .db()?;
    if found == 0 {
        return Ok(Err(domain::Rule::other(
            format!(
                "is not an enabled user of township {township} holding there a role that forwards \
                 property-check hits ({}, e.g. township_liaison)",
                perm::PROPERTY_FORWARD
            ),
            format!(
                "不是乡镇 {township} 在该乡镇持有可转发比对结果角色({},如 township_liaison)的在用用户",
                perm::PROPERTY_FORWARD
            ),
        )));
    }
    Ok(Ok(()))
}

/// Sets the liaison leaders of `township`'s villages (township station: `property:review` at
/// the township): the list given replaces the township's list; a village left out has none.
/// Audited.
///
/// # Errors
/// `Validation` naming `liaisons[i].village_code` (not a village of the township, or twice) or
/// `liaisons[i].user_id` (not a user of the township, disabled, or without a forwarding
/// township role); `NotFound` outside scope; `Forbidden`.
pub fn set_liaisons(
    conn: &mut PgConnection,
    ctx: &Ctx,
    township: RegionCode,
    given: &[(RegionCode, Uuid)],
) -> Result<Vec<Liaison>, DomainError> {
    township_in_scope(ctx, township)?;
    ctx.caller
        .require_at_level(perm::PROPERTY_REVIEW, Level::Township, township)?;
    let villages = villages_of(conn, township)?;
    let mut errs = Vec::new();
    let mut seen = HashMap::new();
    for (i, (village, user)) in given.iter().enumerate() {
        if !villages.contains_key(&village.as_i64()) {
            errs.push(FieldError::new(
                format!("liaisons[{i}].village_code"),
                domain::Rule::other(
                    format!("{village} is not a village of township {township}"),
                    format!("{village} 不是乡镇 {township} 的村"),
                ),
            ));
        } else if let Some(first) = seen.insert(village.as_i64(), i) {
            errs.push(FieldError::new(
                format!("liaisons[{i}].village_code"),
                domain::Rule::other(
                    format!("{village} is given twice (also at liaisons[{first}])"),
                    format!("{village} 重复出现(另见 liaisons[{first}])"),
                ),
            ));
        }
        if let Err(m) = check_leader(conn, township, *user)? {
            errs.push(FieldError::new(format!("liaisons[{i}].user_id"), m));
        }
    }
    if !errs.is_empty() {
        return Err(DomainError::Validation(errs));
    }
    // One replacement of a township's list at a time: two at once each deleted what the other
    // had not yet written, and the list became both or a 409.
    crate::db::lock_key(conn, 31, &township.to_code_string())?;
    let scope = township.subtree();
    diesel::delete(
        township_liaisons::table
            .filter(township_liaisons::county_code.eq(township.county_code()))
            .filter(township_liaisons::region_code.between(scope.lo(), scope.hi())),
    )
    .execute(conn)
    .db()?;
    for (village, user) in given {
        diesel::insert_into(township_liaisons::table)
            .values((
                township_liaisons::county_code.eq(township.county_code()),
                township_liaisons::region_code.eq(village.as_i64()),
                township_liaisons::township_code.eq(township.as_i64()),
                township_liaisons::user_id.eq(user),
                township_liaisons::assigned_by.eq(ctx.caller.user_id),
                township_liaisons::assigned_at.eq(ctx.now),
            ))
            .execute(conn)
            .db()?;
    }
    ctx.audit(
        conn,
        "township.liaisons_set",
        "township",
        township.to_code_string(),
        township,
        json!({ "liaisons": given.iter()
            .map(|(v, u)| json!({ "village_code": v.to_code_string(), "user_id": u }))
            .collect::<Vec<_>>() }),
    )?;
    liaisons(conn, ctx, township)
}

fn liaison_of(conn: &mut PgConnection, village: RegionCode) -> Result<Option<Uuid>, DomainError> {
    township_liaisons::table
        .filter(township_liaisons::county_code.eq(village.county_code()))
        .filter(township_liaisons::region_code.eq(village.as_i64()))
        .select(township_liaisons::user_id)
        .first(conn)
        .optional()
        .db()
}

/// A forwarding recorded for `region` (append-only: two at once meet the primary key).
fn route_at(
    conn: &mut PgConnection,
    batch: Uuid,
    region: RegionCode,
) -> Result<Option<(DateTime<Utc>, Uuid)>, DomainError> {
    property_routes::table
        .filter(property_routes::county_code.eq(region.county_code()))
        .filter(property_routes::batch_id.eq(batch))
        .filter(property_routes::region_code.eq(region.as_i64()))
        .select((property_routes::forwarded_at, property_routes::forwarded_by))
        .first(conn)
        .optional()
        .db()
}

fn insert_route(
    conn: &mut PgConnection,
    ctx: &Ctx,
    batch: Uuid,
    region: RegionCode,
    leader: Option<Uuid>,
) -> Result<(), DomainError> {
    diesel::insert_into(property_routes::table)
        .values((
            property_routes::county_code.eq(region.county_code()),
            property_routes::batch_id.eq(batch),
            property_routes::region_code.eq(region.as_i64()),
            property_routes::leader_id.eq(leader),
            property_routes::direct.eq(region.level() == Level::Village && leader.is_none()),
            property_routes::forwarded_by.eq(ctx.caller.user_id),
            property_routes::forwarded_at.eq(ctx.now),
        ))
        .execute(conn)
        .db()?;
    Ok(())
}

/// The villages of `within` with hits in `batch`.
fn hit_villages(
    conn: &mut PgConnection,
    batch: Uuid,
    county: i32,
    within: domain::Scope,
) -> Result<Vec<i64>, DomainError> {
    property_hits::table
        .filter(property_hits::county_code.eq(county))
        .filter(property_hits::batch_id.eq(batch))
        .filter(property_hits::region_code.between(within.lo(), within.hi()))
        .select(property_hits::region_code)
        .distinct()
        .order(property_hits::region_code)
        .load(conn)
        .db()
}

/// The township station forwards the township's hits of `batch` to its liaison leaders
/// (township step, `property:review`); a village without a leader is forwarded directly, and
/// its record says so. Audited.
///
/// # Errors
/// `Validation` naming `township_code`; `NotFound` outside scope or when the batch has no hit
/// in the township; `Forbidden`; `Conflict` `forwarded` the second time.
pub fn forward_township(
    conn: &mut PgConnection,
    ctx: &Ctx,
    batch: Uuid,
    township: RegionCode,
) -> Result<TownshipRouting, DomainError> {
    township_in_scope(ctx, township)?;
    ctx.caller
        .require_at_level(perm::PROPERTY_REVIEW, Level::Township, township)?;
    let villages = hit_villages(conn, batch, township.county_code(), township.subtree())?;
    if villages.is_empty() {
        return Err(DomainError::NotFound);
    }
    if let Some((at, _)) = route_at(conn, batch, township)? {
        return Err(DomainError::Conflict {
            code: ErrorCode::Forwarded,
            message: format!("the station forwarded this batch to the township's leaders at {at}"),
        });
    }
    insert_route(conn, ctx, batch, township, None)?;
    let mut direct = Vec::new();
    let mut leaders = Vec::new();
    for v in villages {
        let village = stored_code(v)?;
        match liaison_of(conn, village)? {
            Some(l) => {
                leaders.push(json!({ "village_code": village.to_code_string(), "leader": l }))
            }
            None => {
                if route_at(conn, batch, village)?.is_none() {
                    insert_route(conn, ctx, batch, village, None)?;
                    direct.push(village.to_code_string());
                }
            }
        }
    }
    ctx.audit(
        conn,
        "property_check.forwarded_to_leaders",
        "property_check",
        batch,
        township,
        json!({ "leaders": leaders, "direct": direct }),
    )?;
    routing_of(conn, batch, township)
}

/// The village's hits of `batch` go to its committee: forwarded by its liaison leader
/// (`property:forward` at the township) or by the station on his behalf (`property:review`);
/// the station forwards directly a village without a leader. Audited.
///
/// # Errors
/// `Validation` naming `village_code`; `NotFound` outside scope or when the batch has no hit of
/// the village; `Forbidden` for a leader of other villages; `Conflict` `not_forwarded` before
/// the station forwarded the batch, `forwarded` the second time.
pub fn forward_village(
    conn: &mut PgConnection,
    ctx: &Ctx,
    batch: Uuid,
    village: RegionCode,
) -> Result<VillageRouting, DomainError> {
    if village.level() != Level::Village {
        return Err(DomainError::field(
            "village_code",
            domain::Rule::format(domain::Format::VillageCode),
        ));
    }
    if !ctx.caller.scope().contains(village) {
        return Err(DomainError::NotFound);
    }
    let township = village.ancestor_at(Level::Township);
    let station = ctx
        .caller
        .require_at_level(perm::PROPERTY_REVIEW, Level::Township, village)
        .is_ok();
    let liaison = liaison_of(conn, village)?;
    let leader = liaison == Some(ctx.caller.user_id)
        && ctx
            .caller
            .require_at_level(perm::PROPERTY_FORWARD, Level::Township, village)
            .is_ok();
    if !station && !leader {
        return Err(DomainError::Forbidden(format!(
            "only the liaison leader of village {village} or the township station \
             (property:review) forwards its hits"
        )));
    }
    if hit_villages(conn, batch, village.county_code(), village.subtree())?.is_empty() {
        return Err(DomainError::NotFound);
    }
    if route_at(conn, batch, township)?.is_none() {
        return Err(DomainError::Conflict {
            code: ErrorCode::NotForwarded,
            message: format!(
                "the township station has not forwarded this batch to the leaders of {township} yet"
            ),
        });
    }
    if let Some((at, _)) = route_at(conn, batch, village)? {
        return Err(DomainError::Conflict {
            code: ErrorCode::Forwarded,
            message: format!("the village's hits were forwarded to it at {at}"),
        });
    }
    insert_route(conn, ctx, batch, village, liaison)?;
    ctx.audit(
        conn,
        "property_check.forwarded_to_village",
        "property_check",
        batch,
        village,
        json!({ "leader": liaison, "direct": liaison.is_none(), "on_behalf": !leader }),
    )?;
    routing_of(conn, batch, township)?
        .villages
        .into_iter()
        .find(|v| v.village_code == village.as_i64())
        .ok_or(DomainError::NotFound)
}

/// Whether the hit's village received the hits of its batch (for verification).
///
/// # Errors
/// Database failures.
pub fn routed(conn: &mut PgConnection, hit: &HitRow) -> Result<bool, DomainError> {
    let n: i64 = property_routes::table
        .filter(property_routes::county_code.eq(hit.county_code))
        .filter(property_routes::batch_id.eq(hit.batch_id))
        .filter(property_routes::region_code.eq(hit.region_code))
        .count()
        .get_result(conn)
        .db()?;
    Ok(n > 0)
}

/// The (batch, village) pairs in `scope` whose hits were forwarded to the village.
///
/// # Errors
/// Database failures.
pub fn routed_in(
    conn: &mut PgConnection,
    scope: domain::Scope,
) -> Result<std::collections::HashSet<(Uuid, i64)>, DomainError> {
    Ok(property_routes::table
        .filter(property_routes::region_code.between(scope.lo(), scope.hi()))
        .select((property_routes::batch_id, property_routes::region_code))
        .load::<(Uuid, i64)>(conn)
        .db()?
        .into_iter()
        .collect())
}

/// How the villages of `hits` received them, by (batch, village).
///
/// # Errors
/// Database failures.
pub fn routes_of(
    conn: &mut PgConnection,
    hits: &[HitRow],
) -> Result<HashMap<(Uuid, i64), Route>, DomainError> {
    let batches: Vec<Uuid> = hits.iter().map(|h| h.batch_id).collect();
    let villages: Vec<i64> = hits.iter().map(|h| h.region_code).collect();
    let counties: Vec<i32> = hits.iter().map(|h| h.county_code).collect();
    if hits.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(property_routes::table
        .filter(property_routes::county_code.eq_any(&counties))
        .filter(property_routes::batch_id.eq_any(&batches))
        .filter(property_routes::region_code.eq_any(&villages))
        .select((
            property_routes::batch_id,
            property_routes::region_code,
            property_routes::forwarded_at,
            property_routes::forwarded_by,
            property_routes::leader_id,
            property_routes::direct,
        ))
        .load::<(Uuid, i64, DateTime<Utc>, Uuid, Option<Uuid>, bool)>(conn)
        .db()?
        .into_iter()
        .map(|(b, v, at, by, leader_id, direct)| {
            (
                (b, v),
                Route {
                    routed_at: at,
                    routed_by: by,
                    leader_id,
                    direct,
                },
            )
        })
        .collect())
}

/// The routing of `batch` in `township` as the caller's scope shows it.
fn routing_of(
    conn: &mut PgConnection,
    batch: Uuid,
    township: RegionCode,
) -> Result<TownshipRouting, DomainError> {
    let scope = township.subtree();
    let rows: Vec<(i64, String)> = property_hits::table
        .filter(property_hits::county_code.eq(township.county_code()))
        .filter(property_hits::batch_id.eq(batch))
        .filter(property_hits::region_code.between(scope.lo(), scope.hi()))
        .select((property_hits::region_code, property_hits::status))
        .load(conn)
        .db()?;
    let mut counts: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for (v, status) in rows {
        let c = counts.entry(v).or_default();
        c.0 += 1;
        if status == "pending" {
            c.1 += 1;
        }
    }
    let routes: HashMap<i64, (DateTime<Utc>, Uuid, Option<Uuid>, bool)> = property_routes::table
        .filter(property_routes::county_code.eq(township.county_code()))
        .filter(property_routes::batch_id.eq(batch))
        .filter(property_routes::region_code.between(scope.lo(), scope.hi()))
        .select((
            property_routes::region_code,
            property_routes::forwarded_at,
            property_routes::forwarded_by,
            property_routes::leader_id,
            property_routes::direct,
        ))
        .load::<(i64, DateTime<Utc>, Uuid, Option<Uuid>, bool)>(conn)
        .db()?
        .into_iter()
        .map(|(r, at, by, l, d)| (r, (at, by, l, d)))
        .collect();
    let liaisons: HashMap<i64, Uuid> = township_liaisons::table
        .filter(township_liaisons::county_code.eq(township.county_code()))
        .filter(township_liaisons::region_code.between(scope.lo(), scope.hi()))
        .select((township_liaisons::region_code, township_liaisons::user_id))
        .load::<(i64, Uuid)>(conn)
        .db()?
        .into_iter()
        .collect();
    // Who the leaders are: the users named as today's liaisons or as the ones the hits went
    // through (users of the township, read through the caller's row-level scope).
    let people: Vec<Uuid> = liaisons
        .values()
        .copied()
        .chain(routes.values().filter_map(|r| r.2))
        .collect();
    let names: HashMap<Uuid, String> = if people.is_empty() {
        HashMap::new()
    } else {
        users::table
            .filter(users::county_code.eq(township.county_code()))
            .filter(users::id.eq_any(&people))
            .select((users::id, users::display_name))
            .load::<(Uuid, String)>(conn)
            .db()?
            .into_iter()
            .collect()
    };
    let name = |id: Option<Uuid>| id.and_then(|id| names.get(&id).cloned());
    let station = routes.get(&township.as_i64());
    Ok(TownshipRouting {
        township_code: township.as_i64(),
        forwarded_at: station.map(|s| s.0),
        forwarded_by: station.map(|s| s.1),
        villages: counts
            .into_iter()
            .map(|(v, (hits, pending))| VillageRouting {
                village_code: v,
                hits,
                pending,
                liaison_id: liaisons.get(&v).copied(),
                liaison_name: name(liaisons.get(&v).copied()),
                route: routes.get(&v).map(|r| Route {
                    routed_at: r.0,
                    routed_by: r.1,
                    leader_id: r.2,
                    direct: r.3,
                }),
                leader_name: name(routes.get(&v).and_then(|r| r.2)),
            })
            .collect(),
    })
}

/// The routing table of `batch`: per township in scope, when the station forwarded it, and per
/// village its hits, its leader and how they reached it (`property:read`). Audited.
///
/// # Errors
/// `NotFound` for a batch outside scope; `Forbidden` without `property:read`.
pub fn routing(
    conn: &mut PgConnection,
    ctx: &Ctx,
    batch: Uuid,
) -> Result<Vec<TownshipRouting>, DomainError> {
    let found = super::property::batches(conn, ctx, Some(batch))?;
    if found.is_empty() {
        return Err(DomainError::NotFound);
    }
    let scope = ctx.caller.scope();
    let mut townships: Vec<RegionCode> = Vec::new();
    for county in found.into_iter().flat_map(|b| b.counties) {
        let county: i32 = county.parse().unwrap_or_default();
        for v in hit_villages(conn, batch, county, scope)? {
            let t = stored_code(v)?.ancestor_at(Level::Township);
            if !townships.contains(&t) {
                townships.push(t);
            }
        }
    }
    let mut out = Vec::new();
    for t in townships {
        out.push(routing_of(conn, batch, t)?);
    }
    ctx.audit(
        conn,
        "property_check.routing",
        "property_check",
        batch,
        ctx.caller.unit(),
        json!({ "townships": out.len() }),
    )?;
    Ok(out)
}
