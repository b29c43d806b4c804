//! The append-only audit log: writing entries (inside the transaction of the change they
//! record, so both commit or neither) and querying them within scope.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::{DomainError, RegionCode};
use uuid::Uuid;

use crate::db::DbResultExt as _;
use crate::schema::audit_events;

/// Who acted: a signed-in user, or an anonymous client (failed logins).
#[derive(Debug, Clone, Default)]
pub struct Actor {
    /// User id.
    pub id: Option<Uuid>,
    /// Login name.
    pub username: Option<String>,
    /// Roles held at the time.
    pub roles: Vec<String>,
    /// Org unit.
    pub org: Option<RegionCode>,
    /// The request that carried the action.
    pub request_id: Option<String>,
}

/// One audit entry to write.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// `user.create`, `auth.login`, …
    pub action: &'a str,
    /// `user`, `tenant`, `settings`, …
    pub object_type: &'a str,
    /// The object's id.
    pub object_id: Option<String>,
    /// The region the object belongs to (decides who may read the entry).
    pub region: RegionCode,
    /// Why, when the caller gave a reason.
    pub reason: Option<String>,
    /// Extra structured detail (never secrets or full ID numbers).
    pub details: serde_json::Value,
}

#[derive(Insertable)]
#[diesel(table_name = audit_events)]
struct NewAuditRow<'a> {
    county_code: i32,
    id: Uuid,
    request_id: Option<&'a str>,
    actor_id: Option<Uuid>,
    actor_username: Option<&'a str>,
    actor_roles: &'a [String],
    actor_org: Option<i64>,
    action: &'a str,
    object_type: &'a str,
    object_id: Option<&'a str>,
    region_code: i64,
    reason: Option<&'a str>,
    details: &'a serde_json::Value,
}

/// Writes one entry.
///
/// The usual case is one statement straight into the log, its action and actor resolved by
/// key in the two dictionaries; only when either is not there yet (the first entry of a kind
/// or of a user's role set) does it go through the `audit_events` view, whose trigger adds
/// them. Both write the same row; the first spares every read the trigger's three queries.
///
/// # Errors
/// Database failures (the surrounding change then rolls back too).
pub fn record(
    conn: &mut PgConnection,
    actor: &Actor,
    entry: &Entry<'_>,
) -> Result<(), DomainError> {
    let row = NewAuditRow {
        county_code: entry.region.county_code(),
        id: Uuid::new_v4(),
        request_id: actor.request_id.as_deref(),
        actor_id: actor.id,
        actor_username: actor.username.as_deref(),
        actor_roles: &actor.roles,
        actor_org: actor.org.map(RegionCode::as_i64),
        action: entry.action,
        object_type: entry.object_type,
        object_id: entry.object_id.as_deref(),
        region_code: entry.region.as_i64(),
        reason: entry.reason.as_deref(),
        details: &entry.details,
    };
    if record_known(conn, &row)? == 0 {
        diesel::insert_into(audit_events::table)
            .values(&row)
            .execute(conn)
            .db()?;
    }
    Ok(())
}

/// Inserts `row` into the log when its kind and (if it has one) its actor are in the
/// dictionaries; returns the rows written (0: one of them is missing, nothing written).
/// The view's trigger does the same with the dictionaries filled first.
fn record_known(conn: &mut PgConnection, row: &NewAuditRow<'_>) -> Result<usize, DomainError> {
    let anonymous = row.actor_id.is_none()
        && row.actor_username.is_none()
        && row.actor_org.is_none()
        && row.actor_roles.is_empty();
    KnownInsert { row, anonymous }.execute(conn).db()
}

/// [`record_known`]'s statement. Its text never changes, so diesel prepares it once per
/// connection and PostgreSQL plans it once (unless prepared statements are off, behind an old
/// PgBouncer; `sql_query` would be parsed and planned on every read the server audits).
struct KnownInsert<'r, 'a> {
    row: &'r NewAuditRow<'a>,
    anonymous: bool,
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for KnownInsert<'_, '_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Array, BigInt, Bool, Integer, Jsonb, Nullable, Text, Uuid as Id};
        let r = self.row;
        out.push_sql(
            "INSERT INTO audit_log (at, region_code, county_code, actor, kind, id, actor_id, \
             request_id, object_id, reason, details) SELECT clock_timestamp(), ",
        );
        out.push_bind_param::<BigInt, _>(&r.region_code)?;
        out.push_sql(", ");
        out.push_bind_param::<Integer, _>(&r.county_code)?;
        out.push_sql(", a.id, k.id, ");
        out.push_bind_param::<Id, _>(&r.id)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Id>, _>(&r.actor_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&r.request_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&r.object_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&r.reason)?;
        out.push_sql(", ");
        out.push_bind_param::<Jsonb, _>(r.details)?;
        out.push_sql(" FROM audit_kinds k LEFT JOIN audit_actors a ON NOT ");
        out.push_bind_param::<Bool, _>(&self.anonymous)?;
        out.push_sql(" AND a.key = zx_audit_actor_key(");
        out.push_bind_param::<Nullable<Id>, _>(&r.actor_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&r.actor_username)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(r.actor_roles)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<BigInt>, _>(&r.actor_org)?;
        out.push_sql(") WHERE k.action = ");
        out.push_bind_param::<Text, _>(r.action)?;
        out.push_sql(" AND k.object_type = ");
        out.push_bind_param::<Text, _>(r.object_type)?;
        out.push_sql(" AND (");
        out.push_bind_param::<Bool, _>(&self.anonymous)?;
        out.push_sql(" OR a.id IS NOT NULL)");
        Ok(())
    }
}

impl diesel::query_builder::QueryId for KnownInsert<'_, '_> {
    type QueryId = KnownInsert<'static, 'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl RunQueryDsl<PgConnection> for KnownInsert<'_, '_> {}

/// A stored entry.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    /// Entry id.
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// Request id.
    pub request_id: Option<String>,
    /// Acting user.
    pub actor_id: Option<Uuid>,
    /// Acting user's name.
    pub actor_username: Option<String>,
    /// Acting user's roles.
    pub actor_roles: Vec<String>,
    /// Acting user's org unit.
    pub actor_org: Option<i64>,
    /// Action.
    pub action: String,
    /// Object type.
    pub object_type: String,
    /// Object id.
    pub object_id: Option<String>,
    /// Region of the object.
    pub region_code: i64,
    /// Reason given.
    pub reason: Option<String>,
    /// Details.
    pub details: serde_json::Value,
}

/// Filters of an audit query.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Exact action.
    pub action: Option<String>,
    /// Exact object type.
    pub object_type: Option<String>,
    /// Exact object id.
    pub object_id: Option<String>,
    /// Acting user.
    pub actor_id: Option<Uuid>,
    /// Codes range to search (already capped to what the caller may audit).
    pub region_lo: i64,
    /// Upper end of the range.
    pub region_hi: i64,
    /// From this time (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Until this time (exclusive).
    pub to: Option<DateTime<Utc>>,
    /// Keyset position: entries strictly before (at, id).
    pub before: Option<(DateTime<Utc>, Uuid)>,
    /// Page size.
    pub limit: i64,
}

/// Entries matching `f`, newest first.
///
/// # Errors
/// Database failures.
pub fn query(conn: &mut PgConnection, f: &AuditFilter) -> Result<Vec<AuditRow>, DomainError> {
    build(f).load(conn).db()
}

/// The plan of [`query`] for `f`, executed (`EXPLAIN (ANALYZE, FORMAT JSON)`).
///
/// # Errors
/// Database failures.
pub fn explain_query(
    conn: &mut PgConnection,
    f: &AuditFilter,
) -> Result<serde_json::Value, DomainError> {
    crate::db::explain(conn, build(f))
}

type Boxed = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::Limit<
        diesel::dsl::Order<
            diesel::dsl::Filter<
                diesel::dsl::Select<
                    audit_events::table,
                    diesel::dsl::AsSelect<AuditRow, diesel::pg::Pg>,
                >,
                diesel::dsl::Between<audit_events::region_code, i64, i64>,
            >,
            (
                diesel::dsl::Desc<audit_events::at>,
                diesel::dsl::Desc<audit_events::id>,
            ),
        >,
    >,
    diesel::pg::Pg,
>;

fn build(f: &AuditFilter) -> Boxed {
    use audit_events::dsl as a;
    let mut q = a::audit_events
        .select(AuditRow::as_select())
        .filter(a::region_code.between(f.region_lo, f.region_hi))
        .order((a::at.desc(), a::id.desc()))
        .limit(f.limit)
        .into_boxed();
    // The county too, as equality when the range lies in one county: the log's primary key
    // (county_code, at, id) then walks that county newest first and stops after the page.
    let (county_lo, county_hi) = (f.region_lo / 1_000_000, f.region_hi / 1_000_000);
    if county_lo == county_hi {
        q = q.filter(a::county_code.eq(i32::try_from(county_lo).unwrap_or(i32::MAX)));
    } else {
        q = q.filter(a::county_code.between(
            i32::try_from(county_lo).unwrap_or(0),
            i32::try_from(county_hi).unwrap_or(i32::MAX),
        ));
    }
    if let Some(v) = &f.action {
        q = q.filter(a::action.eq(v.clone()));
    }
    if let Some(v) = &f.object_type {
        q = q.filter(a::object_type.eq(v.clone()));
    }
    if let Some(v) = &f.object_id {
        q = q.filter(a::object_id.eq(v.clone()));
    }
    if let Some(v) = f.actor_id {
        q = q.filter(a::actor_id.eq(v));
    }
    if let Some(v) = f.from {
        q = q.filter(a::at.ge(v));
    }
    if let Some(v) = f.to {
        q = q.filter(a::at.lt(v));
    }
    if let Some((at, id)) = f.before {
        // A row comparison: one index condition on (…, at, id), where an OR would be two.
        q = q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("(audit_events.at, audit_events.id) < (")
                .bind::<diesel::sql_types::Timestamptz, _>(at)
                .sql(", ")
                .bind::<diesel::sql_types::Uuid, _>(id)
                .sql(")"),
        );
    }
    q
}

/// Removes audit rows past their retention (`audit.retention_days` of the county, else of the
/// province, else the default), never sooner than the legal minimum; returns how many went.
///
/// # Errors
/// Database failures.
pub fn prune(db: &crate::db::Db, now: chrono::DateTime<chrono::Utc>) -> Result<i64, DomainError> {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::Int8)]
        n: i64,
    }
    let default = domain::settings::Settings::default().audit.retention_days;
    db.unscoped_conn(|c| {
        diesel::sql_query("SELECT zx_prune_audit($1, $2, $3) AS n")
            .bind::<diesel::sql_types::Timestamptz, _>(now)
            .bind::<diesel::sql_types::Int4, _>(i32::try_from(default).unwrap_or(1095))
            .bind::<diesel::sql_types::Int4, _>(
                i32::try_from(domain::settings::MIN_AUDIT_RETENTION_DAYS).unwrap_or(183),
            )
            .get_result::<N>(c)
            .map(|n| n.n)
            .map_err(crate::db::map_db_error)
    })
}

/// Refreshes the statistics of changed months (of the audit log and every other table
/// partitioned by month): [`crate::partitions::analyze`].
///
/// # Errors
/// Database failures.
pub fn analyze_months(db: &crate::db::Db) -> Result<i32, DomainError> {
    crate::partitions::analyze(db)
}

/// Months kept ready ahead of the current one.
pub const MONTHS_AHEAD: u32 = crate::partitions::MONTHS_AHEAD;

/// Makes sure the audit log, and every other table partitioned by month, has its months from
/// the month of `now` (and of the database's own clock, when earlier) to [`MONTHS_AHEAD`] months
/// after the later of the two: [`crate::partitions::ensure`]. Returns how many it created.
///
/// # Errors
/// Database failures, or a lock not granted within two seconds (try again later).
pub fn ensure_partitions(
    db: &crate::db::Db,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<i32, DomainError> {
    crate::partitions::ensure(db, now)
}
