//! Tries of full ID numbers against the registers (security.md §16): each search, registration
//! or import row that tells whether a number is registered counts toward the caller's daily
//! limit per masked form and birth year (per masked form alone for a team member's number).

use std::collections::HashMap;

use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::DomainError;
use domain::cases::IdNumber;
use serde_json::json;

use super::members::window_full;
use crate::app::Ctx;
use crate::db::DbResultExt as _;
use crate::pii::DataKeys;

/// A tag of a full ID number: the first 8 bytes of a keyed hash (under the blind-index key and a
/// purpose of its own), which tells two numbers apart and nothing else.
fn number_tag(keys: &DataKeys, id: &IdNumber) -> String {
    keys.blind_mac(&format!("member.search {}", id.expose()))
        .iter()
        .take(8)
        .fold(String::with_capacity(16), |mut s, b| {
            use std::fmt::Write as _;
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// A full ID number let through [`try_number`].
pub(crate) struct Tried {
    /// Its tag, for the audit row that records the try.
    pub tag: String,
    /// Whether the caller tried it already in the last 24 hours.
    pub before: bool,
}

/// What a try is counted under: what a reader sees of the person. A household's member shows
/// the masked form and the birth year (the hidden digits are then a month and a day); a team
/// member shows the masked form alone (`None`: the hidden digits are a whole birth date, and
/// the bucket holds the tries of every year).
type Bucket = (String, Option<i32>);

/// The register a full ID number is tried against, which decides its bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Register {
    /// The households' members (registering, searching, the imports that find a person).
    Members,
    /// The assistance teams' members (adding a cadre to a team, the team-member import): their
    /// answer ("serves on another team during that term", or a row unchanged) tells whether the
    /// number is on a team anywhere.
    Teams,
}

impl Register {
    fn bucket(self, id: &IdNumber) -> Bucket {
        match self {
            Self::Members => bucket_of(id),
            Self::Teams => (id.masked(), None),
        }
    }
}

fn bucket_of(id: &IdNumber) -> Bucket {
    use chrono::Datelike as _;
    (id.masked(), Some(id.birth_date().year()))
}

/// Whether a try recorded under `recorded` (a year, or `None`: a team member's, or one from
/// before years were recorded) counts in a bucket of `year`: a bucket of every year counts
/// every try of its form, and a try of every year counts in every bucket of its form.
fn counts_in(recorded: Option<i32>, year: Option<i32>) -> bool {
    recorded.is_none() || year.is_none() || recorded == year
}

/// The start of the window tries are counted in.
fn window_start() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now() - chrono::Duration::days(1)
}

/// Takes the caller's lock of their tries (across instances): two tries sent at once, by two
/// requests or an import's two workers, would each count the other's audit row as not yet
/// there. One lock per user, not per form: an import batch may check thousands of forms, more
/// than PostgreSQL's lock table holds for one transaction.
fn lock_tries(conn: &mut PgConnection, ctx: &Ctx) -> Result<(), DomainError> {
    crate::db::lock_key(conn, 53, &format!("{}:tries", ctx.caller.user_id))
}

/// The caller's tries of these buckets in the window: per bucket, each tag with its latest
/// try. Counted by the actor wherever the rows were written (the request's row-level-security
/// scope may not reach them all), through a function that returns forms, years, tags and times
/// only. A try recorded without a year (a team member's, or from before years were recorded)
/// counts for every year of its form, and a bucket without a year counts every try of its form.
fn tries_of(
    conn: &mut PgConnection,
    ctx: &Ctx,
    buckets: &std::collections::BTreeSet<Bucket>,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<HashMap<Bucket, HashMap<String, chrono::DateTime<chrono::Utc>>>, DomainError> {
    #[derive(diesel::QueryableByName)]
    struct Try {
        #[diesel(sql_type = diesel::sql_types::Text)]
        masked: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
        birth_year: Option<i32>,
        #[diesel(sql_type = diesel::sql_types::Text)]
        tag: String,
        #[diesel(sql_type = diesel::sql_types::Timestamptz)]
        at: chrono::DateTime<chrono::Utc>,
    }
    let mut out: HashMap<Bucket, HashMap<String, chrono::DateTime<chrono::Utc>>> = buckets
        .iter()
        .map(|b| (b.clone(), HashMap::new()))
        .collect();
    if buckets.is_empty() {
        return Ok(out);
    }
    let mut forms: Vec<&str> = buckets.iter().map(|(m, _)| m.as_str()).collect();
    forms.dedup();
    let rows: Vec<Try> =
        diesel::sql_query("SELECT masked, birth_year, tag, at FROM zx_number_tries($1, $2, $3)")
            .bind::<diesel::sql_types::Uuid, _>(ctx.caller.user_id)
            .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(&forms)
            .bind::<diesel::sql_types::Timestamptz, _>(since)
            .load(conn)
            .db()?;
    let mut years: HashMap<&str, Vec<Option<i32>>> = HashMap::new();
    for (masked, year) in buckets {
        years.entry(masked.as_str()).or_default().push(*year);
    }
    for t in rows {
        let of_form = years.get(t.masked.as_str()).map_or(&[][..], Vec::as_slice);
        for year in of_form {
            if counts_in(t.birth_year, *year) {
                let tags = out.entry((t.masked.clone(), *year)).or_default();
                let e = tags.entry(t.tag.clone()).or_insert(t.at);
                *e = (*e).max(t.at);
            }
        }
    }
    Ok(out)
}

/// Lets the caller try one more full ID number against a register, or refuses with
/// `TooManyRequests` when they have tried `keys.tries_per_form()` other numbers of its bucket
/// (masked form and birth year; for [`Register::Teams`], the masked form) in the last 24 hours
/// (by search, by registering them, or in an import).
/// The caller records the try with the tag, as `member.search` or `member.id_check` (the
/// actions `zx_number_tries` counts), with the masked number and the birth year.
///
/// The masked form hides only digits 7 to 14, the birth date: numbers that share it and the
/// year differ in their month and day alone, about thirty for a member. Each try tells
/// whether one of them is registered (a search finds it; a registration is refused, or goes
/// through), so trying the dates one by one would rebuild the number without the audited
/// reveal. Trying one number again counts once.
///
/// # Errors
/// `TooManyRequests` past the limit, with the time until a try leaves the window; database
/// failures.
pub(crate) fn try_number(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    register: Register,
    id: &IdNumber,
) -> Result<Tried, DomainError> {
    let bucket = register.bucket(id);
    let tag = number_tag(keys, id);
    lock_tries(conn, ctx)?;
    let since = window_start();
    let mut latest = tries_in(conn, ctx, &bucket, since)?;
    let before = latest.remove(&tag).is_some();
    let limit = usize::try_from(keys.tries_per_form()).unwrap_or(0);
    if !before && latest.len() >= limit {
        // Free again once enough numbers have had no try in the window: the `over + 1`-th
        // oldest latest try leaves it.
        let over = latest.len() - limit;
        let mut ends: Vec<_> = latest.into_values().collect();
        ends.sort();
        return Err(window_full(ends.get(over).copied(), since));
    }
    Ok(Tried { tag, before })
}

/// Whether the caller's try of this number was recorded (within the window, and an hour more:
/// a try the import's gate found still in the window may leave it before the batch reaches the
/// row). For a write whose answer tells whether the number is registered, after its try was
/// recorded in a transaction of its own, which counted it against the limit: no lock is taken
/// (a write holds its people's locks, and a batch of them would hold the caller's tries' lock
/// until it commits).
///
/// # Errors
/// Database failures.
pub(crate) fn tried_before(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    register: Register,
    id: &IdNumber,
) -> Result<bool, DomainError> {
    let since = window_start() - chrono::Duration::hours(1);
    Ok(tries_in(conn, ctx, &register.bucket(id), since)?.contains_key(&number_tag(keys, id)))
}

/// The caller's tries of one bucket since `since` ([`tries_of`]).
fn tries_in(
    conn: &mut PgConnection,
    ctx: &Ctx,
    bucket: &Bucket,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<HashMap<String, chrono::DateTime<chrono::Utc>>, DomainError> {
    let buckets = std::collections::BTreeSet::from([bucket.clone()]);
    Ok(tries_of(conn, ctx, &buckets, since)?
        .remove(bucket)
        .unwrap_or_default())
}

/// The details of a try's audit row: the masked number, the year it is counted under (none for
/// a team member's: it counts in every year's bucket of its form), the tag, and for a team
/// member's, `"register": "teams"`.
pub(super) fn try_details(register: Register, id: &IdNumber, tag: &str) -> serde_json::Value {
    let (masked, year) = register.bucket(id);
    let mut d = json!({ "id_number": masked, "birth_year": year, "tag": tag });
    if register == Register::Teams {
        d["register"] = json!("teams");
    }
    d
}

/// Records a try of a full ID number as a `member.id_check` audit row (what
/// `zx_number_tries` counts), with [`try_details`].
fn record_id_check(
    conn: &mut PgConnection,
    ctx: &Ctx,
    details: serde_json::Value,
) -> Result<(), DomainError> {
    crate::audit::record(
        conn,
        &ctx.actor(),
        &crate::audit::Entry {
            action: "member.id_check",
            object_type: "person",
            object_id: None,
            region: ctx.caller.unit(),
            reason: None,
            details,
        },
    )
}

/// How a full ID number of an import's row stands to the members of the caller's scope that
/// share its masked form and birth year (what a reader sees of a member: the only members
/// whose numbers the row could be a guess at).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// No such member, or only members the caller registered with their household and nobody
    /// changed since (whose numbers they know): nothing to guess, not counted.
    Free,
    /// The row names the member itself (its own household on a re-import, the person a visit
    /// is for): not counted while the bucket has room, refused with the rest once it is full,
    /// so a refusal never tells a right number from a wrong one.
    Known,
    /// Another number of such a member's bucket: counted as a try.
    Try,
}

/// The members of the caller's scope with the masked form and birth year of one of these
/// numbers: the members an import row's number could be a guess at, when the import answers
/// whether a number is found in the caller's scope (unless the caller registered them with
/// their household, unchanged since, and knows their numbers). For [`gate_import`]'s
/// standings. Sets `enable_seqscan` back to `on` for the rest of the transaction.
///
/// # Errors
/// Database failures.
pub fn targets(
    conn: &mut PgConnection,
    ctx: &Ctx,
    ids: &[&IdNumber],
) -> Result<Targets, DomainError> {
    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Text)]
        masked: String,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        year: i32,
        #[diesel(sql_type = diesel::sql_types::Bytea)]
        blind: Vec<u8>,
        #[diesel(sql_type = diesel::sql_types::Text)]
        household_number: String,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        mine: bool,
    }
    let buckets: std::collections::BTreeSet<Bucket> = ids.iter().map(|id| bucket_of(id)).collect();
    let mut out = Targets::default();
    let all: Vec<Bucket> = buckets.into_iter().collect();
    for chunk in all.chunks(2_000) {
        let forms: Vec<&str> = chunk.iter().map(|(m, _)| m.as_str()).collect();
        let years: Vec<i32> = chunk.iter().map(|(_, y)| y.unwrap_or_default()).collect();
        // One probe of `members_masked` per bucket, whatever the county's size or its
        // statistics (a bulk load's new rows have none, and the planner then takes the table
        // for empty and scans it per bucket: sequential scans are priced out for this one
        // statement); the `LIMIT` keeps the lateral join from being flattened (a bucket's
        // numbers differ in month and day alone: at most 366 people).
        diesel::sql_query("SET LOCAL enable_seqscan = off")
            .execute(conn)
            .db()?;
        let found: Vec<Found> = diesel::sql_query(
            "SELECT t.masked, t.year, t.blind, t.household_number, t.mine \
             FROM unnest($1::text[], $2::int[]) AS u(masked, year) \
             CROSS JOIN LATERAL ( \
               SELECT m.id_masked AS masked, u.year, m.id_blind AS blind, h.household_number, \
                      coalesce(h.created_by = $3, false) AND m.created_at = h.created_at \
                        AND m.updated_at = m.created_at AS mine \
                 FROM members m \
                 JOIN households h ON h.county_code = m.county_code AND h.id = m.household_id \
                WHERE m.id_masked = u.masked \
                  AND m.birth_date >= make_date(u.year, 1, 1) \
                  AND m.birth_date < make_date(u.year + 1, 1, 1) \
                LIMIT 400) AS t",
        )
        .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(&forms)
        .bind::<diesel::sql_types::Array<diesel::sql_types::Integer>, _>(&years)
        .bind::<diesel::sql_types::Uuid, _>(ctx.caller.user_id)
        .load(conn)
        .db()?;
        diesel::sql_query("SET LOCAL enable_seqscan = on")
            .execute(conn)
            .db()?;
        for f in found {
            out.0
                .entry((f.masked, Some(f.year)))
                .or_default()
                .push(Target {
                    blind: f.blind,
                    household_number: f.household_number,
                    mine: f.mine,
                });
        }
    }
    Ok(out)
}

/// A member [`targets`] found.
#[derive(Debug)]
struct Target {
    blind: Vec<u8>,
    household_number: String,
    /// Registered with its household by the caller and not changed since: they know its
    /// number.
    mine: bool,
}

/// What [`targets`] found, per bucket.
#[derive(Debug, Default)]
pub struct Targets(HashMap<Bucket, Vec<Target>>);

impl Targets {
    /// No member of any bucket asked about: every row is free.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The standing of a row's number: `Free` when its bucket has no member, or only
    /// members the caller registered (and nobody changed); else `Known` when one of the bucket's
    /// members has this number (and, with `household`, is in that household), `Try` when not.
    pub fn standing(&self, keys: &DataKeys, id: &IdNumber, household: Option<&str>) -> Standing {
        let Some(found) = self.0.get(&bucket_of(id)) else {
            return Standing::Free;
        };
        if found.iter().all(|t| t.mine) {
            return Standing::Free;
        }
        let blind = keys.blind_index(id);
        let own = found
            .iter()
            .any(|t| t.blind == blind && household.is_none_or(|h| h == t.household_number));
        if own { Standing::Known } else { Standing::Try }
    }
}

/// The standings of a household import's rows against the registry's members of each row's
/// masked form and birth year **in every county** (the import answers "already registered"
/// for any county, so its guesses count whoever they aim at): `Known` for the row's own
/// person in its own household (`county`, `household` number) within the caller's scope, `Free` when the bucket holds no
/// member or only members the caller registered with their household, unchanged since.
/// Through `zx_import_standings`, which returns the standings and nothing of the members.
///
/// # Errors
/// Database failures.
pub fn registry_standings(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    rows: &[(&IdNumber, i32, &str)],
) -> Result<Vec<Standing>, DomainError> {
    use diesel::sql_types::{Array, Bytea, Integer, Text};
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Integer)]
        i: i32,
        #[diesel(sql_type = Text)]
        standing: String,
    }
    let mut out = vec![Standing::Free; rows.len()];
    for (n, chunk) in rows.chunks(2_000).enumerate() {
        let buckets: Vec<Bucket> = chunk.iter().map(|(id, _, _)| bucket_of(id)).collect();
        let masked: Vec<&str> = buckets.iter().map(|(m, _)| m.as_str()).collect();
        let years: Vec<i32> = buckets.iter().map(|(_, y)| y.unwrap_or_default()).collect();
        let blinds: Vec<Vec<u8>> = chunk
            .iter()
            .map(|(id, _, _)| keys.blind_index(id))
            .collect();
        let counties: Vec<i32> = chunk.iter().map(|(_, c, _)| *c).collect();
        let numbers: Vec<&str> = chunk.iter().map(|(_, _, h)| *h).collect();
        let found: Vec<Row> = diesel::sql_query(
            "SELECT i, standing FROM zx_import_standings($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind::<diesel::sql_types::Uuid, _>(ctx.caller.user_id)
        .bind::<Array<Text>, _>(&masked)
        .bind::<Array<Integer>, _>(&years)
        .bind::<Array<Bytea>, _>(&blinds)
        .bind::<Array<Integer>, _>(&counties)
        .bind::<Array<Text>, _>(&numbers)
        .bind::<diesel::sql_types::BigInt, _>(ctx.caller.scope().lo())
        .bind::<diesel::sql_types::BigInt, _>(ctx.caller.scope().hi())
        .load(conn)
        .db()?;
        for r in found {
            let at = n * 2_000 + usize::try_from(r.i - 1).unwrap_or(usize::MAX);
            if let Some(slot) = out.get_mut(at) {
                *slot = match r.standing.as_str() {
                    "free" => Standing::Free,
                    "known" => Standing::Known,
                    _ => Standing::Try,
                };
            }
        }
    }
    Ok(out)
}

/// Counts an import's rows against the caller's daily tries of each bucket of `register`
/// ([`try_number`]), the tries in the order given before the `Known` rows, and records a
/// `member.id_check` audit row for each new try. Returns, per row, whether it may be checked: a row past the limit is not
/// checked at all (a `Known` one neither, so the refusal tells nothing); rows refused raise an
/// `alert.quota_exceeded` audit row.
///
/// Run it in a transaction of its own, before the batch's (a dry run rolls the batch back;
/// the tries stay).
///
/// # Errors
/// Database failures.
pub fn gate_import(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    register: Register,
    rows: &[(&IdNumber, Standing)],
) -> Result<Vec<bool>, DomainError> {
    let buckets: std::collections::BTreeSet<Bucket> = rows
        .iter()
        .filter(|(_, s)| *s != Standing::Free)
        .map(|(id, _)| register.bucket(id))
        .collect();
    if buckets.is_empty() {
        return Ok(vec![true; rows.len()]);
    }
    lock_tries(conn, ctx)?;
    let mut tried = tries_of(conn, ctx, &buckets, window_start())?;
    let limit = usize::try_from(keys.tries_per_form()).unwrap_or(0);
    let mut allowed = vec![true; rows.len()];
    // The tries first, then the rows of members themselves: a `Known` row is let through only
    // while its bucket has room, and is not recorded, so were it judged in file order, a
    // second run of the same file (the real import after its dry run) would find the bucket
    // filled by the tries the first run recorded after it, and answer differently.
    let order = rows
        .iter()
        .enumerate()
        .filter(|(_, (_, s))| *s == Standing::Try)
        .chain(
            rows.iter()
                .enumerate()
                .filter(|(_, (_, s))| *s == Standing::Known),
        );
    for (at, (id, standing)) in order {
        let tags = tried.entry(register.bucket(id)).or_default();
        let tag = number_tag(keys, id);
        let ok = tags.contains_key(&tag) || tags.len() < limit;
        if let Some(slot) = allowed.get_mut(at) {
            *slot = ok;
        }
        if ok && *standing == Standing::Try && !tags.contains_key(&tag) {
            tags.insert(tag.clone(), chrono::Utc::now());
            record_id_check(conn, ctx, try_details(register, id, &tag))?;
        }
    }
    let refused = allowed.iter().filter(|ok| !**ok).count();
    if refused > 0 {
        // For the county's auditors, as a route's refusal past a quota raises one.
        tracing::warn!(user = %ctx.caller.username, refused, "import rows past the daily tries of a masked form");
        ctx.audit(
            conn,
            "alert.quota_exceeded",
            "import",
            "id_check",
            ctx.caller.unit(),
            json!({ "quota": "ZX_SEARCH_SAME_MASK_DAILY_LIMIT", "rows_not_checked": refused }),
        )?;
    }
    Ok(allowed)
}

/// The row error of an import row past the limit of tries of its masked form (and birth year,
/// for a household's member).
pub fn too_many_tries(register: Register) -> domain::Rule {
    match register {
        Register::Members => domain::Rule::other(
            "not checked: too many different numbers of this masked form and birth year were tried today; import this row tomorrow, or ask someone who may read full ID numbers",
            "未核验:今日已核验过多同一掩码和出生年份的身份证号;请明日再导入此行,或请有权查看完整身份证号的人员导入",
        ),
        Register::Teams => domain::Rule::other(
            "not checked: too many different numbers of this masked form were tried today; import this row tomorrow",
            "未核验:今日已核验过多同一掩码的身份证号;请明日再导入此行",
        ),
    }
}

/// Records the tries of the full ID numbers a write is about to check against a register
/// (registering a household, adding a member, correcting a number, a monitoring case's new
/// household; adding a team member), one `member.id_check` audit row each with the masked
/// number, the tag and, for the households' register, whether it is registered; refuses with
/// `TooManyRequests` past the limit of [`try_number`].
///
/// Run it in a transaction of its own, before the write's: a write refused after its check
/// (a field found bad later, a conflict) rolls back, and would take an uncounted try with it,
/// while its answer (409, or the later refusal) still told whether the number is registered.
/// The write's check ([`super::households::already_registered`],
/// [`crate::app::teams::add_member`]) requires this record.
///
/// # Errors
/// `TooManyRequests`; database failures.
pub fn try_numbers(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    register: Register,
    ids: &[IdNumber],
) -> Result<(), DomainError> {
    for id in ids {
        let tried = try_number(conn, ctx, keys, register, id)?;
        let mut details = try_details(register, id, &tried.tag);
        if register == Register::Members {
            details["found"] = json!(super::households::registered_anywhere(conn, keys, id)?);
        }
        record_id_check(conn, ctx, details)?;
    }
    Ok(())
}
