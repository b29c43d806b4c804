//! The tables partitioned by month (months of China time): the audit log and the other
//! append-only tables that grow with use. The server makes their months ahead (at start and
//! with housekeeping) and keeps the statistics of changed months; `crate::retire` retires old
//! months by detaching them.

use domain::DomainError;

/// One table partitioned by month.
#[derive(Debug, Clone, Copy)]
pub struct Monthly {
    /// The partitioned table; its months are `<parent>_YYYY_MM`.
    pub parent: &'static str,
    /// The name rows carry in an archive (`{"table":…,"row":…}`) and archives are named by.
    pub archive_as: &'static str,
    /// The archive's rows of month `{table}`: one `v` per row (the audit log's dictionaries
    /// resolved).
    pub rows: &'static str,
    /// A month holding a row (`t`) that matches this condition is not retired yet (work in
    /// flight).
    pub busy: Option<&'static str>,
    /// What the months after it still need from a retiring month `{table}`, written into the
    /// table at `{end}` (the month's end) in the transaction that drops it.
    pub carry: Option<&'static str>,
}

/// The audit log.
pub const AUDIT: Monthly = Monthly {
    parent: "audit_log",
    archive_as: "audit_events",
    rows: "SELECT l.county_code, l.id, l.at, l.request_id, l.actor_id,
                  a.username AS actor_username, coalesce(a.roles, '{}'::text[]) AS actor_roles,
                  a.org AS actor_org, k.action, k.object_type, l.object_id, l.region_code,
                  l.reason, l.details
             FROM \"{table}\" l
             JOIN audit_kinds k ON k.id = l.kind
             LEFT JOIN audit_actors a ON a.id = l.actor",
    busy: None,
    carry: None,
};

/// Failed logins (hashed keys), for the login throttles.
pub const LOGIN_ATTEMPTS: Monthly = Monthly {
    parent: "login_attempts",
    archive_as: "login_attempts",
    rows: "SELECT * FROM \"{table}\"",
    busy: None,
    carry: None,
};

/// Households' history (timelines and as-of reads).
///
/// A retiring month carries each of its households' last state to the month's end as a
/// `baseline` event (`changes`: `{"last_change_at": …}`, the time of the change it holds), so a
/// household unchanged since stays in past-day reports and as-of reads of the months kept.
pub const HOUSEHOLD_EVENTS: Monthly = Monthly {
    parent: "household_events",
    archive_as: "household_events",
    rows: "SELECT * FROM \"{table}\"",
    busy: None,
    carry: Some(
        "INSERT INTO household_events (county_code, id, household_id, region_code, at, kind, reason, changes, snapshot)
         SELECT DISTINCT ON (e.county_code, e.household_id) e.county_code, gen_random_uuid(), e.household_id,
                e.region_code, '{end}'::timestamptz, 'baseline', NULL,
                CASE WHEN e.kind = 'baseline' THEN e.changes
                     ELSE jsonb_build_object('last_change_at',
                            to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')) END,
                e.snapshot
           FROM \"{table}\" e
           JOIN households h ON h.county_code = e.county_code AND h.id = e.household_id
          ORDER BY e.county_code, e.household_id, e.at DESC, e.id DESC",
    ),
};

/// Row errors of import jobs.
pub const JOB_ERRORS: Monthly = Monthly {
    parent: "job_errors",
    archive_as: "job_errors",
    rows: "SELECT * FROM \"{table}\"",
    busy: None,
    carry: None,
};

/// Webhook deliveries; a month with a delivery still pending to an active endpoint waits (a
/// paused endpoint's would hold the month for every county until someone resumes it).
pub const WEBHOOK_DELIVERIES: Monthly = Monthly {
    parent: "webhook_deliveries",
    archive_as: "webhook_deliveries",
    rows: "SELECT * FROM \"{table}\"",
    busy: Some(
        "t.status = 'pending' AND EXISTS (SELECT 1 FROM webhook_endpoints e \
         WHERE e.county_code = t.county_code AND e.id = t.endpoint_id AND e.active)",
    ),
    carry: None,
};

/// Every table partitioned by month (the same list as the database's `zx_month_partitions`).
pub const TABLES: [Monthly; 5] = [
    AUDIT,
    LOGIN_ATTEMPTS,
    HOUSEHOLD_EVENTS,
    JOB_ERRORS,
    WEBHOOK_DELIVERIES,
];

/// Months kept ready ahead of the current one.
pub const MONTHS_AHEAD: u32 = 2;

#[derive(diesel::QueryableByName)]
struct N {
    #[diesel(sql_type = diesel::sql_types::Int4)]
    n: i32,
}

/// Makes sure every table in [`TABLES`] has its months from the month of `now` (and of the
/// database's own clock, when earlier) to [`MONTHS_AHEAD`] months after the later of the two;
/// returns how many it created. Idempotent and safe on every instance.
///
/// # Errors
/// Database failures, or a lock not granted within two seconds (try again later).
pub fn ensure(db: &crate::db::Db, now: chrono::DateTime<chrono::Utc>) -> Result<i32, DomainError> {
    use diesel::RunQueryDsl as _;
    db.unscoped_conn(|c| {
        diesel::sql_query(format!(
            "SELECT zx_partitions(least($1, now()), greatest($1, now()) + interval '{MONTHS_AHEAD} months') AS n"
        ))
        .bind::<diesel::sql_types::Timestamptz, _>(now)
        .get_result::<N>(c)
        .map(|n| n.n)
        .map_err(crate::db::map_db_error)
    })
}

/// Refreshes the statistics of the months (of every table in [`TABLES`]) that changed by more
/// than a tenth since they were last analyzed (or never were); one instance at a time. Returns
/// how many.
///
/// # Errors
/// Database failures.
pub fn analyze(db: &crate::db::Db) -> Result<i32, DomainError> {
    use diesel::RunQueryDsl as _;
    db.unscoped_conn(|c| {
        diesel::sql_query("SELECT zx_partitions_analyze() AS n")
            .get_result::<N>(c)
            .map(|n| n.n)
            .map_err(crate::db::map_db_error)
    })
}
