//! Sessions: login, refresh with rotation and reuse detection, logout, and loading the caller
//! of each authenticated request.
//!
//! A session is a refresh-token family. Every refresh spends its token and issues the next one;
//! presenting a spent token again means it leaked, so the whole family is revoked. Access
//! tokens carry the session id and are refused as soon as the session is revoked, the user is
//! disabled or moved, or the password changes (which revokes every session of the user).

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Bytea, Int4, Int8, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use domain::authz::{Caller, Catalog, Grant};
use domain::{DomainError, RegionCode};
use uuid::Uuid;

use super::stored_code;
use crate::audit::{self, Actor, Entry};
use crate::crypto::{new_refresh_token, token_hash};
use crate::db::{Db, DbResultExt as _};
use crate::jwt::{AccessClaims, KeyRing, TokenPolicy};
use crate::schema::{refresh_tokens, role_grants, sessions, users};

/// Session lifetimes.
#[derive(Debug, Clone)]
pub struct SessionPolicy {
    /// Access tokens.
    pub tokens: TokenPolicy,
    /// How long one refresh token stays usable.
    pub refresh_ttl: Duration,
    /// Absolute lifetime of a session, however often it is refreshed.
    pub session_ttl: Duration,
}

/// What login needs to know about an account, found before any scope exists.
#[derive(Debug, Clone, QueryableByName)]
pub struct LoginCandidate {
    /// User id.
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// Tenant key.
    #[diesel(sql_type = Int4)]
    pub county_code: i32,
    /// Org unit.
    #[diesel(sql_type = Int8)]
    pub region_code: i64,
    /// PHC string.
    #[diesel(sql_type = Text)]
    pub password_hash: String,
    /// Disabled accounts cannot log in.
    #[diesel(sql_type = Bool)]
    pub disabled: bool,
}

/// Tokens handed to a client.
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    /// JWT access token.
    pub access_token: String,
    /// Opaque refresh token.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

/// Asks the shared throttle (`zx_login_admit`) whether a login may be tried; returns how long
/// the caller must wait (zero: go ahead, an attempt reserved against the account name and the
/// address, settled by [`throttle_result`]).
///
/// # Errors
/// Database failures.
pub fn throttle_admit(
    db: &Db,
    account: &str,
    address: Option<&str>,
    window: std::time::Duration,
    max_failures: u32,
    max_address_failures: u32,
) -> Result<std::time::Duration, DomainError> {
    #[derive(QueryableByName)]
    struct Wait {
        #[diesel(sql_type = diesel::sql_types::Double)]
        wait: f64,
    }
    let w: Wait = db.unscoped_conn(|c| {
        diesel::sql_query("SELECT zx_login_admit($1, $2, $3, $4, $5) AS wait")
            .bind::<diesel::sql_types::Text, _>(account)
            .bind::<diesel::sql_types::Nullable<diesel::sql_types::Text>, _>(address)
            .bind::<diesel::sql_types::Double, _>(window.as_secs_f64())
            .bind::<diesel::sql_types::Integer, _>(i32::try_from(max_failures).unwrap_or(i32::MAX))
            .bind::<diesel::sql_types::Integer, _>(
                i32::try_from(max_address_failures).unwrap_or(i32::MAX),
            )
            .get_result(c)
            .db()
    })?;
    Ok(std::time::Duration::from_secs_f64(w.wait.max(0.0).ceil()))
}

/// Records the outcome of a login in the shared throttle: a failure turns its reservations
/// into failures against the account name and the client address (when given); a success
/// removes its reservations and clears the account name's failures (never the address's: one
/// good account must not reset a spray's count).
///
/// # Errors
/// Database failures.
pub fn throttle_result(
    db: &Db,
    account: &str,
    address: Option<&str>,
    succeeded: bool,
) -> Result<(), DomainError> {
    db.unscoped_conn(|c| settle(c, account, address, succeeded))
}

fn settle(
    c: &mut PgConnection,
    account: &str,
    address: Option<&str>,
    succeeded: bool,
) -> Result<(), DomainError> {
    let f = if succeeded {
        "SELECT zx_login_succeeded($1, $2)::text AS done"
    } else {
        "SELECT zx_login_failed($1, $2)::text AS done"
    };
    diesel::sql_query(f)
        .bind::<diesel::sql_types::Text, _>(account)
        .bind::<diesel::sql_types::Nullable<diesel::sql_types::Text>, _>(address)
        .execute(c)
        .db()?;
    Ok(())
}

/// Looks an account up by name through the narrow `SECURITY DEFINER` function.
///
/// # Errors
/// Database failures.
pub fn lookup_login(db: &Db, username: &str) -> Result<Option<LoginCandidate>, DomainError> {
    db.unscoped_conn(|c| {
        diesel::sql_query(
            "SELECT id, county_code, region_code, password_hash, disabled FROM zx_login_lookup($1)",
        )
        .bind::<Text, _>(username)
        .get_result(c)
        .optional()
        .db()
    })
}

fn chrono_dur(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::days(1))
}

fn actor_for(user: Uuid, username: Option<String>, org: RegionCode, request_id: &str) -> Actor {
    Actor {
        id: Some(user),
        username,
        roles: Vec::new(),
        org: Some(org),
        request_id: Some(request_id.to_string()),
    }
}

/// Inserts a refresh token for `session` and signs an access token.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site per flow; a struct would only rename them"
)]
fn issue(
    conn: &mut PgConnection,
    keys: &KeyRing,
    policy: &SessionPolicy,
    user: Uuid,
    session: Uuid,
    org: RegionCode,
    session_expires: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<IssuedTokens, DomainError> {
    let refresh = new_refresh_token()?;
    let refresh_expires = (now + chrono_dur(policy.refresh_ttl)).min(session_expires);
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::county_code.eq(org.county_code()),
            refresh_tokens::token_hash.eq(token_hash(&refresh)),
            refresh_tokens::session_id.eq(session),
            refresh_tokens::region_code.eq(org.as_i64()),
            refresh_tokens::issued_at.eq(now),
            refresh_tokens::expires_at.eq(refresh_expires),
        ))
        .execute(conn)
        .db()?;
    let (access, _) =
        keys.sign_access(&policy.tokens, user, session, &org.to_code_string(), now)?;
    Ok(IssuedTokens {
        access_token: access,
        refresh_token: refresh,
        expires_in: policy.tokens.access_ttl.as_secs(),
    })
}

/// Starts a session for a verified account: session row, first refresh token, access token,
/// audit entry — in one transaction, while the account is still as it was verified.
///
/// # Errors
/// `Unauthorized` when the password changed or the account was disabled or moved since it was
/// read; database failures.
pub fn start_session(
    db: &Db,
    keys: &KeyRing,
    policy: &SessionPolicy,
    user: &LoginCandidate,
    username: &str,
    request_id: &str,
) -> Result<IssuedTokens, DomainError> {
    let org = stored_code(user.region_code)?;
    db.in_scope_conn(org.subtree(), |conn| {
        // The account as the password was checked against, held until this commits: a
        // password change, reset, disabling or move that committed meanwhile ended every
        // session there was, and would not end this one (it waits for us instead, and then
        // ends it).
        let still: Option<Uuid> = users::table
            .filter(users::county_code.eq(user.county_code))
            .filter(users::id.eq(user.id))
            .filter(users::region_code.eq(user.region_code))
            .filter(users::password_hash.eq(&user.password_hash))
            .filter(users::disabled.eq(false))
            .select(users::id)
            .for_share()
            .first(conn)
            .optional()
            .db()?;
        if still.is_none() {
            return Err(DomainError::Unauthorized("invalid credentials"));
        }
        let now = Utc::now();
        let session = Uuid::new_v4();
        let expires = now + chrono_dur(policy.session_ttl);
        diesel::insert_into(sessions::table)
            .values((
                sessions::county_code.eq(user.county_code),
                sessions::id.eq(session),
                sessions::user_id.eq(user.id),
                sessions::region_code.eq(org.as_i64()),
                sessions::created_at.eq(now),
                sessions::expires_at.eq(expires),
            ))
            .execute(conn)
            .db()?;
        let tokens = issue(conn, keys, policy, user.id, session, org, expires, now)?;
        audit::record(
            conn,
            &actor_for(user.id, Some(username.to_string()), org, request_id),
            &Entry {
                action: "auth.login",
                object_type: "session",
                object_id: Some(session.to_string()),
                region: org,
                reason: None,
                details: serde_json::json!({}),
            },
        )?;
        Ok(tokens)
    })
}

/// Records a failed login in the throttle (against `account` and `address`) and, for an
/// existing account, in its tenant's audit log, in one transaction either way: a wrong password
/// for a real account costs one INSERT more than an unknown name, no longer a commit more (less
/// time to tell the two apart by). Unknown names leave no audit row: there is no tenant to file
/// it under. Should the audit row fail, the failure is still counted (in a transaction of its
/// own) before the error is returned.
///
/// # Errors
/// Database failures.
pub fn login_failed(
    db: &Db,
    account: &str,
    address: Option<&str>,
    user: Option<&LoginCandidate>,
    request_id: &str,
) -> Result<(), DomainError> {
    let count = || db.unscoped_conn(|c| settle(c, account, address, false));
    let Some(user) = user else {
        return count();
    };
    let org = match stored_code(user.region_code) {
        Ok(org) => org,
        Err(e) => {
            count()?;
            return Err(e);
        }
    };
    let out = db.in_scope_conn(org.subtree(), |conn| {
        settle(conn, account, address, false)?;
        audit::record(
            conn,
            &actor_for(user.id, Some(account.to_string()), org, request_id),
            &Entry {
                action: "auth.login_failed",
                object_type: "user",
                object_id: Some(user.id.to_string()),
                region: org,
                reason: None,
                details: serde_json::json!({ "disabled": user.disabled }),
            },
        )
    });
    if out.is_err() {
        count()?;
    }
    out
}

#[derive(QueryableByName)]
struct RefreshFound {
    #[diesel(sql_type = SqlUuid)]
    session_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    user_id: Uuid,
    #[diesel(sql_type = Int4)]
    county_code: i32,
    #[diesel(sql_type = Int8)]
    region_code: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    used_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Timestamptz)]
    expires_at: DateTime<Utc>,
    #[diesel(sql_type = Bool)]
    session_revoked: bool,
    #[diesel(sql_type = Bool)]
    user_disabled: bool,
}

fn find_refresh(db: &Db, token: &str) -> Result<Option<RefreshFound>, DomainError> {
    db.unscoped_conn(|c| {
        diesel::sql_query(
            "SELECT session_id, user_id, county_code, region_code, used_at, expires_at, \
             session_revoked, user_disabled FROM zx_refresh_lookup($1)",
        )
        .bind::<Bytea, _>(token_hash(token))
        .get_result(c)
        .optional()
        .db()
    })
}

/// Which open sessions to end.
#[derive(Debug, Clone, Copy)]
enum Sessions {
    /// One session.
    One(Uuid),
    /// Every session of a user.
    OfUser(Uuid),
}

/// Ends open sessions; returns how many.
fn revoke(
    conn: &mut PgConnection,
    county_code: i32,
    which: Sessions,
    reason: &str,
) -> Result<usize, DomainError> {
    let open = sessions::table
        .filter(sessions::county_code.eq(county_code))
        .filter(sessions::revoked_at.is_null());
    let now = Utc::now();
    match which {
        Sessions::One(id) => diesel::update(open.filter(sessions::id.eq(id)))
            .set((
                sessions::revoked_at.eq(now),
                sessions::revoke_reason.eq(reason),
            ))
            .execute(conn),
        Sessions::OfUser(user) => diesel::update(open.filter(sessions::user_id.eq(user)))
            .set((
                sessions::revoked_at.eq(now),
                sessions::revoke_reason.eq(reason),
            ))
            .execute(conn),
    }
    .db()
}

/// Ends every open session of a user (password change, disabling, moving).
///
/// # Errors
/// Database failures.
pub fn revoke_user_sessions(
    conn: &mut PgConnection,
    county_code: i32,
    user: Uuid,
    reason: &str,
) -> Result<usize, DomainError> {
    revoke(conn, county_code, Sessions::OfUser(user), reason)
}

/// Spends a refresh token and issues the next pair. A spent token presented again revokes
/// its whole session.
///
/// # Errors
/// `Unauthorized` for an unknown, spent, expired or revoked token; database failures.
pub fn refresh(
    db: &Db,
    keys: &KeyRing,
    policy: &SessionPolicy,
    token: &str,
    request_id: &str,
) -> Result<IssuedTokens, DomainError> {
    const REFUSED: DomainError = DomainError::Unauthorized("invalid refresh token");
    let Some(found) = find_refresh(db, token)? else {
        return Err(REFUSED);
    };
    let org = stored_code(found.region_code)?;
    let now = Utc::now();
    let outcome = db.in_scope_conn(org.subtree(), |conn| {
        let reuse = |conn: &mut PgConnection| -> Result<Option<IssuedTokens>, DomainError> {
            revoke(
                conn,
                found.county_code,
                Sessions::One(found.session_id),
                "refresh token reuse",
            )?;
            audit::record(
                conn,
                &actor_for(found.user_id, None, org, request_id),
                &Entry {
                    action: "auth.refresh_reuse",
                    object_type: "session",
                    object_id: Some(found.session_id.to_string()),
                    region: org,
                    reason: None,
                    details: serde_json::json!({}),
                },
            )?;
            Ok(None)
        };
        if found.used_at.is_some() {
            return reuse(conn);
        }
        if found.session_revoked || found.user_disabled || found.expires_at <= now {
            return Ok(None);
        }
        // Spend the token; zero rows means a concurrent refresh spent it first: reuse.
        let spent = diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::county_code.eq(found.county_code))
                .filter(refresh_tokens::token_hash.eq(token_hash(token)))
                .filter(refresh_tokens::used_at.is_null()),
        )
        .set(refresh_tokens::used_at.eq(now))
        .execute(conn)
        .db()?;
        if spent == 0 {
            return reuse(conn);
        }
        let session_expires: DateTime<Utc> = sessions::table
            .filter(sessions::county_code.eq(found.county_code))
            .filter(sessions::id.eq(found.session_id))
            .select(sessions::expires_at)
            .first(conn)
            .db()?;
        issue(
            conn,
            keys,
            policy,
            found.user_id,
            found.session_id,
            org,
            session_expires,
            now,
        )
        .map(Some)
    })?;
    outcome.ok_or(REFUSED)
}

/// Ends the session a refresh token belongs to. Unknown tokens are ignored (the answer is the
/// same either way, so it tells nothing).
///
/// # Errors
/// Database failures.
pub fn logout(db: &Db, token: &str, request_id: &str) -> Result<(), DomainError> {
    let Some(found) = find_refresh(db, token)? else {
        return Ok(());
    };
    let org = stored_code(found.region_code)?;
    db.in_scope_conn(org.subtree(), |conn| {
        if revoke(
            conn,
            found.county_code,
            Sessions::One(found.session_id),
            "logout",
        )? > 0
        {
            audit::record(
                conn,
                &actor_for(found.user_id, None, org, request_id),
                &Entry {
                    action: "auth.logout",
                    object_type: "session",
                    object_id: Some(found.session_id.to_string()),
                    region: org,
                    reason: None,
                    details: serde_json::json!({}),
                },
            )?;
        }
        Ok(())
    })
}

/// Loads the caller of an authenticated request inside its scoped transaction: the user must
/// exist in the token's org unit, be enabled, and its session must be open. With it, whether
/// an administrator's reset obliges the user to change the password before anything else
/// (`must_change_password`).
///
/// # Errors
/// `Unauthorized` when any of that fails; database failures.
pub fn load_caller(
    conn: &mut PgConnection,
    catalog: &Catalog,
    claims: &AccessClaims,
) -> Result<(Caller, bool), DomainError> {
    const GONE: DomainError = DomainError::Unauthorized("session ended");
    let org = RegionCode::parse(&claims.org).map_err(|_| GONE)?;
    // One query (every request pays it): the user, enabled, still in the token's org unit, with
    // the token's session open, and a row per grant (one row without a grant when it has none).
    type Row = (String, bool, Option<Uuid>, Option<String>, Option<i64>);
    let rows: Vec<Row> = users::table
        .inner_join(
            sessions::table.on(sessions::county_code
                .eq(users::county_code)
                .and(sessions::user_id.eq(users::id))),
        )
        .left_join(
            role_grants::table.on(role_grants::county_code
                .eq(users::county_code)
                .and(role_grants::user_id.eq(users::id))),
        )
        .filter(users::county_code.eq(org.county_code()))
        .filter(users::id.eq(claims.sub))
        .filter(users::region_code.eq(org.as_i64()))
        .filter(users::disabled.eq(false))
        .filter(sessions::id.eq(claims.sid))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(Utc::now()))
        .select((
            users::username,
            users::must_change_password,
            role_grants::id.nullable(),
            role_grants::role.nullable(),
            role_grants::region_code.nullable(),
        ))
        .load(conn)
        .db()?;
    let Some((username, forced)) = rows.first().map(|r| (r.0.clone(), r.1)) else {
        return Err(GONE);
    };
    let grants = rows
        .into_iter()
        .filter_map(|(_, _, id, role, unit)| Some((id?, role?, unit?)))
        .collect();
    let caller = caller_from(catalog, claims.sub, username, org, claims.sid, grants)?;
    Ok((caller, forced))
}

/// The caller a job runs as: the user who queued it, with their grants as they are now;
/// `None` when the user is disabled or gone. Runs in the job's county scope.
///
/// # Errors
/// Database failures.
pub fn caller_for_job(
    conn: &mut PgConnection,
    catalog: &Catalog,
    user: Uuid,
) -> Result<Option<Caller>, DomainError> {
    let found: Option<(String, i64)> = users::table
        .filter(users::id.eq(user))
        .filter(users::disabled.eq(false))
        .select((users::username, users::region_code))
        .first(conn)
        .optional()
        .db()?;
    let Some((username, region)) = found else {
        return Ok(None);
    };
    let org = stored_code(region)?;
    caller_with_grants(conn, catalog, user, username, org, Uuid::nil()).map(Some)
}

/// Builds a caller with its grants (for requests, and for operator commands acting as a user).
///
/// # Errors
/// Database failures.
pub fn caller_with_grants(
    conn: &mut PgConnection,
    catalog: &Catalog,
    user: Uuid,
    username: String,
    org: RegionCode,
    session_id: Uuid,
) -> Result<Caller, DomainError> {
    let grants: Vec<(Uuid, String, i64)> = role_grants::table
        .filter(role_grants::county_code.eq(org.county_code()))
        .filter(role_grants::user_id.eq(user))
        .select((role_grants::id, role_grants::role, role_grants::region_code))
        .load(conn)
        .db()?;
    caller_from(catalog, user, username, org, session_id, grants)
}

/// A caller from its grants as stored (id, role, unit), with each role's permissions.
fn caller_from(
    catalog: &Catalog,
    user: Uuid,
    username: String,
    org: RegionCode,
    session_id: Uuid,
    grants: Vec<(Uuid, String, i64)>,
) -> Result<Caller, DomainError> {
    let grants = grants
        .into_iter()
        .map(|(id, role, unit)| {
            let perms = catalog
                .role(&role)
                .map(|r| r.permissions.clone())
                .unwrap_or_default();
            Ok((
                Grant {
                    id,
                    role,
                    unit: stored_code(unit)?,
                },
                perms,
            ))
        })
        .collect::<Result<Vec<_>, DomainError>>()?;
    Ok(Caller {
        user_id: user,
        username,
        org,
        session_id,
        grants,
        bound: None,
    })
}

/// The caller's own password hash (to check the current password before a change).
///
/// # Errors
/// Database failures.
pub fn own_password_hash(conn: &mut PgConnection, caller: &Caller) -> Result<String, DomainError> {
    users::table
        .filter(users::county_code.eq(caller.org.county_code()))
        .filter(users::id.eq(caller.user_id))
        .select(users::password_hash)
        .first(conn)
        .db()
}

/// Replaces a user's password hash if it is still `expected` (so two concurrent changes do
/// not both win), and ends every session of the user. Without `expected` (an administrator's
/// reset) the user must change the password at the next sign-in (`must_change_password`).
///
/// # Errors
/// `PreconditionFailed` when the password changed meanwhile; database failures.
pub fn set_password_hash(
    conn: &mut PgConnection,
    county_code: i32,
    user: Uuid,
    expected: Option<&str>,
    new_hash: &str,
) -> Result<(), DomainError> {
    let target = users::table
        .filter(users::county_code.eq(county_code))
        .filter(users::id.eq(user));
    let changes = (
        users::password_hash.eq(new_hash),
        users::password_changed_at.eq(Utc::now()),
        users::updated_at.eq(Utc::now()),
        users::version.eq(users::version + 1),
        // An administrator's reset (no expected hash) obliges a change at the next sign-in; the
        // user's own change clears that.
        users::must_change_password.eq(expected.is_none()),
    );
    let n = match expected {
        Some(old) => diesel::update(target.filter(users::password_hash.eq(old)))
            .set(changes)
            .execute(conn),
        None => diesel::update(target).set(changes).execute(conn),
    }
    .db()?;
    if n == 0 {
        return Err(if expected.is_some() {
            DomainError::PreconditionFailed
        } else {
            DomainError::NotFound
        });
    }
    revoke_user_sessions(conn, county_code, user, "password changed")?;
    Ok(())
}

/// Deletes sessions ended or expired more than `keep` ago, and refresh tokens expired that long
/// ago, in every tenant (through the narrow `zx_prune_sessions` function). Returns how many
/// sessions went.
///
/// # Errors
/// Database failures.
pub fn prune_sessions(db: &Db, keep: Duration) -> Result<i64, DomainError> {
    #[derive(QueryableByName)]
    struct Gone {
        #[diesel(sql_type = Int8)]
        gone: i64,
    }
    db.unscoped_conn(|c| {
        diesel::sql_query("SELECT zx_prune_sessions(make_interval(secs => $1)) AS gone")
            .bind::<diesel::sql_types::Double, _>(keep.as_secs_f64())
            .get_result::<Gone>(c)
            .db()
            .map(|g| g.gone)
    })
}
