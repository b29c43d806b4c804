//! The connection pool and the one way the server touches tenant data: a transaction opened
//! by one message, `BEGIN` and the `SET LOCAL` of the caller's scope.
//!
//! The setting is transaction-local, so a pooled connection never carries one request's scope
//! into the next; without it the RLS policies see NULL and return nothing (fail closed).

use std::time::Duration;

use anyhow::Context as _;
use diesel::connection::{
    AnsiTransactionManager, CacheSize, SimpleConnection as _, TransactionManager as _,
};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::{Bool, Text};
use domain::{DomainError, Scope};
use secrecy::{ExposeSecret as _, SecretString};

diesel::define_sql_function! {
    /// Postgres `set_config(name, value, is_local)`.
    fn set_config(setting_name: Text, new_value: Text, is_local: Bool) -> Text;
}

/// An r2d2 pool of app-role connections.
pub type PgPool = Pool<ConnectionManager<PgConnection>>;

/// Pool options.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Most connections held.
    pub max_size: u32,
    /// How long a request waits for a connection before answering 503.
    pub acquire_timeout: Duration,
    /// Per-transaction `statement_timeout`.
    pub statement_timeout: Duration,
    /// Keep diesel's per-connection cache of named prepared statements. Off behind PgBouncer
    /// in transaction mode (before 1.21 it cannot follow named statements across server
    /// connections): every query is then sent with its parameters in one protocol step.
    pub prepared_statements: bool,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_size: 10,
            acquire_timeout: Duration::from_secs(3),
            statement_timeout: Duration::from_secs(10),
            prepared_statements: true,
        }
    }
}

/// Sets up each new connection of the pool as the options say.
#[derive(Debug, Clone, Copy)]
struct Customizer {
    prepared_statements: bool,
}

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for Customizer {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        if !self.prepared_statements {
            conn.set_prepared_statement_cache_size(CacheSize::Disabled);
        }
        Ok(())
    }
}

/// One open transaction of [`Db`], scoped to the caller's region (or to nothing), as the
/// layers above infra see it: the only handle through which `api` reaches the database.
///
/// `api` does not depend on diesel, so all it can do with a `Tx` is hand it to an infra use
/// case (`infra::app::…`), whose signature takes the connection: the dereference below is for
/// those calls, and gives code without diesel no way to build or run a query of its own. The
/// transaction begins and ends in [`Db`]; a `Tx` cannot outlive it, commit it or open another.
pub struct Tx<'c>(&'c mut PgConnection);

impl<'c> Tx<'c> {
    /// Infra's own handle on a connection already inside a scoped transaction, for use cases
    /// that call back into code of the layer above.
    pub(crate) fn new(conn: &'c mut PgConnection) -> Self {
        Self(conn)
    }

    /// Narrows the transaction's scope to `scope` for the rest of the transaction: row-level
    /// security then shows and accepts only rows inside it. Only ever called with a scope
    /// inside the one the transaction began with (the caller's org unit's subtree).
    ///
    /// # Errors
    /// Database failures.
    pub fn narrow(&mut self, scope: Scope) -> Result<(), DomainError> {
        set_scope(self.0, scope)
    }
}

/// Holds a transaction-level advisory lock on `key` within `space` (a number per kind of
/// thing locked, so two kinds never share a lock) until the transaction ends: for work that
/// must run one at a time per key where no row exists yet to lock.
///
/// # Errors
/// Database failures.
pub(crate) fn lock_key(conn: &mut PgConnection, space: i64, key: &str) -> Result<(), DomainError> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, $2))")
        .bind::<Text, _>(key)
        .bind::<diesel::sql_types::BigInt, _>(space)
        .execute(conn)
        .db()?;
    Ok(())
}

/// Sets the transaction's scope to `scope` (transaction-local, as at its start).
pub(crate) fn set_scope(conn: &mut PgConnection, scope: Scope) -> Result<(), DomainError> {
    diesel::select((
        set_config("app.scope_lo", scope.lo().to_string(), true),
        set_config("app.scope_hi", scope.hi().to_string(), true),
    ))
    .execute(conn)
    .map(|_| ())
    .map_err(map_db_error)
}

impl std::fmt::Debug for Tx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tx")
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        self.0
    }
}

impl std::ops::DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut PgConnection {
        self.0
    }
}

/// The database as the server sees it: the app role, always inside a scoped transaction.
#[derive(Clone, Debug)]
pub struct Db {
    pool: PgPool,
    statement_timeout_ms: u128,
}

impl Db {
    /// Connections open in the pool, those idle, and the most it opens (for metrics).
    pub fn pool_state(&self) -> (u32, u32, u32) {
        let s = self.pool.state();
        (s.connections, s.idle_connections, self.pool.max_size())
    }

    /// Builds the pool; fails fast when the database does not answer.
    ///
    /// # Errors
    /// When no connection can be made within the acquire timeout.
    pub fn connect(url: &SecretString, opts: &PoolOptions) -> anyhow::Result<Self> {
        let manager = ConnectionManager::<PgConnection>::new(url.expose_secret());
        // No test query on every checkout: a broken connection fails its request once and is
        // then dropped by the pool, which is cheaper than a round trip on every request.
        let pool = Pool::builder()
            .test_on_check_out(false)
            .connection_customizer(Box::new(Customizer {
                prepared_statements: opts.prepared_statements,
            }))
            .max_size(opts.max_size)
            .connection_timeout(opts.acquire_timeout)
            .build(manager)
            .context("cannot connect to the database as the app role")?;
        Ok(Self {
            pool,
            statement_timeout_ms: opts.statement_timeout.as_millis(),
        })
    }

    /// Builds the pool without connecting: for a replica that may be down at start.
    ///
    /// # Errors
    /// Never at present (kept fallible like [`Db::connect`]).
    pub fn connect_lazy(url: &SecretString, opts: &PoolOptions) -> anyhow::Result<Self> {
        let manager = ConnectionManager::<PgConnection>::new(url.expose_secret());
        let pool = Pool::builder()
            .test_on_check_out(false)
            .connection_customizer(Box::new(Customizer {
                prepared_statements: opts.prepared_statements,
            }))
            .min_idle(Some(0))
            .max_size(opts.max_size)
            .connection_timeout(opts.acquire_timeout)
            .build_unchecked(manager);
        Ok(Self {
            pool,
            statement_timeout_ms: opts.statement_timeout.as_millis(),
        })
    }

    /// Runs `f` in one transaction restricted to `scope`.
    ///
    /// # Errors
    /// Whatever `f` returns; database errors mapped by [`map_db_error`]; `Unavailable` when no
    /// connection is free in time.
    pub fn in_scope<T>(
        &self,
        scope: Scope,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, DomainError>,
    ) -> Result<T, DomainError> {
        self.run(Some(scope), false, |c| f(&mut Tx::new(c)))
    }

    /// [`Db::in_scope`] for infra's own code, which speaks diesel directly.
    pub(crate) fn in_scope_conn<T>(
        &self,
        scope: Scope,
        f: impl FnOnce(&mut PgConnection) -> Result<T, DomainError>,
    ) -> Result<T, DomainError> {
        self.run(Some(scope), false, f)
    }

    /// [`Db::in_scope`] for a request that reads one page of a list: sorting is priced out
    /// for the whole transaction from its opening message (see [`load_page`], which then sends
    /// no setting of its own: two round trips fewer). Only for transactions whose other
    /// statements sort nothing an index could serve instead (the caller's reload, the page's
    /// related rows, the read's audit row).
    ///
    /// # Errors
    /// As [`Db::in_scope`].
    pub fn in_scope_pages<T>(
        &self,
        scope: Scope,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, DomainError>,
    ) -> Result<T, DomainError> {
        self.run_planned(Some(scope), false, true, |c| f(&mut Tx::new(c)))
    }

    /// Runs `f` in one read-only, repeatable-read transaction restricted to `scope`: one
    /// consistent snapshot for long reads (exports).
    ///
    /// # Errors
    /// As [`Db::in_scope`].
    pub fn in_scope_snapshot<T>(
        &self,
        scope: Scope,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, DomainError>,
    ) -> Result<T, DomainError> {
        self.run(Some(scope), true, |c| f(&mut Tx::new(c)))
    }

    /// [`Db::in_scope_snapshot`] for infra's own code.
    pub(crate) fn in_scope_snapshot_conn<T>(
        &self,
        scope: Scope,
        f: impl FnOnce(&mut PgConnection) -> Result<T, DomainError>,
    ) -> Result<T, DomainError> {
        self.run(Some(scope), true, f)
    }

    /// Runs `f` in one transaction with *no* scope: RLS shows it nothing. Only for the
    /// `SECURITY DEFINER` lookups of login and refresh, and for health checks.
    ///
    /// # Errors
    /// As [`Db::in_scope`].
    pub fn unscoped<T>(
        &self,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, DomainError>,
    ) -> Result<T, DomainError> {
        self.run(None, false, |c| f(&mut Tx::new(c)))
    }

    /// [`Db::unscoped`] for infra's own code.
    pub(crate) fn unscoped_conn<T>(
        &self,
        f: impl FnOnce(&mut PgConnection) -> Result<T, DomainError>,
    ) -> Result<T, DomainError> {
        self.run(None, false, f)
    }

    fn run<T>(
        &self,
        scope: Option<Scope>,
        snapshot: bool,
        f: impl FnOnce(&mut PgConnection) -> Result<T, DomainError>,
    ) -> Result<T, DomainError> {
        self.run_planned(scope, snapshot, false, f)
    }

    fn run_planned<T>(
        &self,
        scope: Option<Scope>,
        snapshot: bool,
        pages: bool,
        f: impl FnOnce(&mut PgConnection) -> Result<T, DomainError>,
    ) -> Result<T, DomainError> {
        let mut conn = self.pool.get().map_err(|e| {
            tracing::warn!(error = %e, "no database connection available");
            DomainError::Unavailable
        })?;
        // This thread's transaction prices sorting out from the start, or not yet (whatever an
        // enclosing transaction of the thread did is put back when this one ends).
        let _sorting = SortingOff::enter(pages);
        let conn: &mut PgConnection = &mut conn;
        begin(conn, &self.begin_sql(scope, snapshot, pages))?;
        match f(conn) {
            Ok(value) => AnsiTransactionManager::commit_transaction(conn)
                .map(|()| value)
                .map_err(map_db_error),
            Err(e) => match AnsiTransactionManager::rollback_transaction(conn) {
                // The original error says more than the rollback's (as diesel's own
                // `transaction` decides).
                Ok(()) | Err(DieselError::BrokenTransactionManager) => Err(e),
                Err(rollback) => Err(map_db_error(rollback)),
            },
        }
    }

    /// The first round trip of a transaction: `BEGIN` and, in the same simple-protocol
    /// message, the statement budget and the caller's scope, transaction-local (and for a
    /// page, sorting priced out). `SET LOCAL` rather than `SELECT set_config(…)`: a setting
    /// is parsed and applied, where a `SELECT` sent as text is also planned and run on every
    /// request (measured in docs/benchmarks.md). Every value is a number formatted here, never
    /// text from a request.
    fn begin_sql(&self, scope: Option<Scope>, snapshot: bool, pages: bool) -> String {
        let (lo, hi) = scope.map_or((String::new(), String::new()), |s| {
            (s.lo().to_string(), s.hi().to_string())
        });
        format!(
            "BEGIN{mode}; SET LOCAL statement_timeout = {timeout}; \
             SET LOCAL app.scope_lo = '{lo}'; SET LOCAL app.scope_hi = '{hi}'{sort}",
            mode = if snapshot {
                " ISOLATION LEVEL REPEATABLE READ READ ONLY"
            } else {
                ""
            },
            timeout = self.statement_timeout_ms,
            sort = if pages {
                "; SET LOCAL enable_sort = off"
            } else {
                ""
            },
        )
    }

    /// A raw pooled connection, for readiness checks.
    ///
    /// # Errors
    /// `Unavailable` when none is free in time.
    pub(crate) fn raw(
        &self,
    ) -> Result<diesel::r2d2::PooledConnection<ConnectionManager<PgConnection>>, DomainError> {
        self.pool.get().map_err(|_| DomainError::Unavailable)
    }
}

/// Opens a transaction with `sql` (`BEGIN` and what goes with it, one message) and tells
/// diesel's transaction manager, so that nested `transaction` calls take savepoints and
/// commit and rollback work as usual. When a statement after `BEGIN` fails, the server is
/// left in an aborted transaction that diesel does not count as its own: it is rolled back
/// here, so the connection goes back to the pool clean.
fn begin(conn: &mut PgConnection, sql: &str) -> Result<(), DomainError> {
    AnsiTransactionManager::begin_transaction_sql(conn, sql).map_err(|e| {
        // (Never when diesel refused because a transaction was open already: not ours.)
        if !matches!(e, DieselError::AlreadyInTransaction)
            && let Err(rollback) = conn.batch_execute("ROLLBACK")
        {
            // A dead connection: diesel marks it broken and the pool drops it.
            tracing::warn!(error = %rollback, "could not roll back a transaction that failed to begin");
        }
        map_db_error(e)
    })
}

/// Maps a database error to the domain vocabulary. Constraint names and other tenants' values
/// never reach the message.
pub fn map_db_error(e: DieselError) -> DomainError {
    match e {
        DieselError::NotFound => DomainError::NotFound,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            DomainError::Conflict {
                code: domain::ErrorCode::AlreadyExists,
                message: "an object with the same key already exists".into(),
            }
        }
        DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
            DomainError::Unavailable
        }
        // The database went away (restart, failover, network): 503 and retry, not a 500.
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        )
        | DieselError::BrokenTransactionManager => {
            tracing::warn!("the database connection broke");
            DomainError::Unavailable
        }
        DieselError::DatabaseError(_, info)
            if info.message().contains("terminating connection")
                || info.message().contains("server closed the connection")
                || info.message().contains("the database system is")
                // PgBouncer's words for a server connection it lost or cannot make.
                || info.message().contains("server conn crashed")
                || info.message().contains("server login failed")
                || info.message().contains("pgbouncer cannot connect")
                || info.message().contains("query_wait_timeout")
                || info.message().contains("database shutting down") =>
        {
            tracing::warn!(message = info.message(), "the database is going away");
            DomainError::Unavailable
        }
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
            DomainError::Conflict {
                code: domain::ErrorCode::Referenced,
                message:
                    "other records refer to this one (or it refers to one that does not exist)"
                        .into(),
            }
        }
        DieselError::DatabaseError(_, info) if info.message().contains("deadlock detected") => {
            DomainError::Unavailable
        }
        DieselError::DatabaseError(_, info)
            if info.message().contains("row-level security policy") =>
        {
            DomainError::Forbidden("the object lies outside your scope".into())
        }
        DieselError::DatabaseError(_, info)
            if info
                .message()
                .contains("canceling statement due to statement timeout") =>
        {
            DomainError::Unavailable
        }
        other => DomainError::Unexpected(anyhow::Error::new(other)),
    }
}

/// `.db()?` turns a diesel result into a domain result.
pub trait DbResultExt<T> {
    /// Maps the error with [`map_db_error`].
    ///
    /// # Errors
    /// The mapped error.
    fn db(self) -> Result<T, DomainError>;
}

impl<T> DbResultExt<T> for QueryResult<T> {
    fn db(self) -> Result<T, DomainError> {
        self.map_err(map_db_error)
    }
}

/// `EXPLAIN (ANALYZE, BUFFERS false, FORMAT JSON)` of a query, with its binds: the plan the
/// server would run, and the rows each node really read. For the plan tests and the benchmark.
#[derive(Debug)]
pub struct Explain<Q>(pub Q);

impl<Q: diesel::query_builder::QueryFragment<diesel::pg::Pg>>
    diesel::query_builder::QueryFragment<diesel::pg::Pg> for Explain<Q>
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        out.unsafe_to_cache_prepared();
        out.push_sql("EXPLAIN (ANALYZE, FORMAT JSON) ");
        self.0.walk_ast(out.reborrow())
    }
}

impl<Q> diesel::query_builder::QueryId for Explain<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q> diesel::query_builder::Query for Explain<Q> {
    type SqlType = diesel::sql_types::Json;
}

impl<Q> RunQueryDsl<PgConnection> for Explain<Q> {}

thread_local! {
    /// Plans captured by [`capture_plans`] on this thread, if capturing.
    static CAPTURED: std::cell::RefCell<Option<Vec<serde_json::Value>>> =
        const { std::cell::RefCell::new(None) };
    /// Whether the transaction this thread runs priced sorting out from its opening message
    /// ([`Db::in_scope_pages`]). A transaction runs on one thread from start to end, and every
    /// connection the server queries comes from [`Db`] (which sets the mark for each of its
    /// transactions): a connection opened another way must not call [`load_page`] inside a
    /// page's transaction.
    static SORTING_OFF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks this thread's transaction as [`Db::in_scope_pages`] or not until dropped, then puts
/// back the mark of the transaction around it (if any).
struct SortingOff(bool);

impl SortingOff {
    fn enter(pages: bool) -> Self {
        Self(SORTING_OFF.with(|c| c.replace(pages)))
    }
}

impl Drop for SortingOff {
    fn drop(&mut self) {
        SORTING_OFF.with(|c| c.set(self.0));
    }
}

/// Runs `f` and returns, beside its result, the executed plan (see [`Explain`]) of every page
/// query it ran through [`load_page`] on this thread. For the plan tests: they call the real
/// list functions and check the plans of the queries those really send.
pub fn capture_plans<T>(f: impl FnOnce() -> T) -> (T, Vec<serde_json::Value>) {
    let before = CAPTURED.with(|c| c.replace(Some(Vec::new())));
    let out = f();
    let plans = CAPTURED.with(|c| c.replace(before)).unwrap_or_default();
    (out, plans)
}

/// Loads one page of a list whose ORDER BY an index supplies, with sorting priced out for this
/// query (`enable_sort = off`, then back on; in a [`Db::in_scope_pages`] transaction it is off
/// already, and stays off): without statistics (autovacuum may be off) the planner guesses that
/// a scope holds a handful of rows and would rather collect them all with a bitmap scan and
/// sort them than walk the index and stop after the page. Where no index serves the order,
/// every plan sorts and the cheapest still wins. Under [`capture_plans`] it also records the
/// query's executed plan first (the query then runs twice; it is a read).
///
/// # Errors
/// Database failures.
pub fn load_page<'q, Q, U>(conn: &mut PgConnection, query: Q) -> Result<Vec<U>, DomainError>
where
    Q: diesel::query_dsl::LoadQuery<'q, PgConnection, U>
        + diesel::query_builder::QueryFragment<diesel::pg::Pg>,
{
    if SORTING_OFF.with(std::cell::Cell::get) {
        return load_page_sorted_last(conn, query);
    }
    diesel::sql_query("SET LOCAL enable_sort = off")
        .execute(conn)
        .db()?;
    // A failed page aborts the transaction: its error is the answer (a statement timeout stays
    // a 503), not the failure of a setting sent after it.
    let rows = load_page_sorted_last(conn, query)?;
    diesel::sql_query("SET LOCAL enable_sort = on")
        .execute(conn)
        .db()?;
    Ok(rows)
}

fn load_page_sorted_last<'q, Q, U>(conn: &mut PgConnection, query: Q) -> Result<Vec<U>, DomainError>
where
    Q: diesel::query_dsl::LoadQuery<'q, PgConnection, U>
        + diesel::query_builder::QueryFragment<diesel::pg::Pg>,
{
    if CAPTURED.with(|c| c.borrow().is_some()) {
        let plan = Explain(&query).get_result::<serde_json::Value>(conn).db()?;
        CAPTURED.with(|c| {
            if let Some(v) = c.borrow_mut().as_mut() {
                v.push(plan);
            }
        });
    }
    query.load(conn).db()
}

/// The executed plan of `query` (see [`Explain`]).
///
/// # Errors
/// Database failures.
pub fn explain<Q>(conn: &mut PgConnection, query: Q) -> Result<serde_json::Value, DomainError>
where
    Q: diesel::query_builder::QueryFragment<diesel::pg::Pg>,
{
    Explain(query).get_result::<serde_json::Value>(conn).db()
}

/// Refreshes the planner's statistics of `tables` after a bulk write, so plans do not wait for
/// autovacuum (which may be off). Runs as the owner through `zx_analyze`, on a fixed list of
/// tables. Rows written earlier in the same transaction count.
///
/// # Errors
/// Database failures.
pub fn analyze(conn: &mut PgConnection, tables: &[&str]) -> Result<(), DomainError> {
    diesel::sql_query("SELECT zx_analyze($1)")
        .bind::<diesel::sql_types::Array<Text>, _>(tables)
        .execute(conn)
        .db()?;
    Ok(())
}
