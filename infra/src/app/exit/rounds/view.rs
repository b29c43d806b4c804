//! What a township round shows: its lists by village (with names), the second notice's postings,
//! its decisions; and the reads (one round, the rounds of a scope).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamptz};
use domain::exit::Stage;
use domain::{DomainError, Level};
use serde_json::Value;
use uuid::Uuid;

use super::super::Attachment;
use super::{Held, ROUND_COLS, RoundRow, find};
use crate::app::Ctx;
use crate::db::DbResultExt as _;
use crate::schema::{exit_round_decisions, exit_round_postings, exit_rounds};

/// A list of the round.
#[derive(Debug, Clone, QueryableByName)]
pub struct RoundList {
    /// The list.
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: Uuid,
    /// Its village.
    #[diesel(sql_type = BigInt)]
    pub village_code: i64,
    /// The village's name.
    #[diesel(sql_type = Text)]
    pub village_name: String,
    /// 村民小组.
    #[diesel(sql_type = Text)]
    pub villager_group: String,
    /// Its stage.
    #[diesel(sql_type = Text)]
    pub stage: String,
    /// End of its running notice.
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub notice_ends_at: Option<DateTime<Utc>>,
    /// Households on it.
    #[diesel(sql_type = BigInt)]
    pub households: i64,
    /// Objections not yet resolved.
    #[diesel(sql_type = BigInt)]
    pub open_objections: i64,
}

/// A posting of the second notice in a village.
#[derive(Debug, Clone)]
pub struct RoundPosting {
    /// The village.
    pub village_code: i64,
    /// Where.
    pub location: String,
    /// Posted on.
    pub posted_on: NaiveDate,
    /// The notice's last day (on the working calendar).
    pub last_day: NaiveDate,
    /// The instant it ends.
    pub ends_at: DateTime<Utc>,
    /// Recorded by.
    pub posted_by: Uuid,
    /// Recorded at.
    pub posted_at: DateTime<Utc>,
    /// Photo and documents.
    pub attachments: Vec<Attachment>,
}

/// A decision taken on the round.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The step.
    pub step: String,
    /// Taken by.
    pub actor_username: String,
    /// Taken at.
    pub taken_at: DateTime<Utc>,
    /// The lists it moved.
    pub moved: Vec<Uuid>,
    /// The lists it held back.
    pub held: Vec<Held>,
    /// Its documents.
    pub attachments: Vec<Attachment>,
}

/// A round as its township and county see it.
#[derive(Debug, Clone)]
pub struct RoundView {
    /// Id.
    pub id: Uuid,
    /// The township.
    pub township_code: i64,
    /// The township's name.
    pub township_name: String,
    /// Exit year.
    pub year: i32,
    /// The least advanced stage of its lists: where the round as a whole stands.
    pub stage: Stage,
    /// Opened by.
    pub created_by: Uuid,
    /// Opened at.
    pub created_at: DateTime<Utc>,
    /// Last decision at.
    pub updated_at: DateTime<Utc>,
    /// Its lists, by village.
    pub lists: Vec<RoundList>,
    /// The second notice's postings.
    pub postings: Vec<RoundPosting>,
    /// Its decisions, oldest first.
    pub decisions: Vec<Decision>,
}

/// Rounds in the caller's scope, newest year first.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &mut PgConnection,
    ctx: &Ctx,
    year: Option<i32>,
) -> Result<Vec<RoundView>, DomainError> {
    if ctx.caller.org.level() < Level::County {
        return Ok(Vec::new());
    }
    let scope = ctx.caller.scope();
    let mut q = exit_rounds::table
        .filter(exit_rounds::region_code.between(scope.lo(), scope.hi()))
        .order((
            exit_rounds::year.desc(),
            exit_rounds::region_code,
            exit_rounds::id,
        ))
        .select(ROUND_COLS)
        .limit(500)
        .into_boxed();
    if let Some(y) = year {
        q = q.filter(exit_rounds::year.eq(y));
    }
    let rows: Vec<RoundRow> = q.load(conn).db()?;
    rows.iter().map(|r| view(conn, r)).collect()
}

/// One round.
///
/// # Errors
/// `NotFound` for a round the caller does not see.
pub fn get(conn: &mut PgConnection, ctx: &Ctx, id: Uuid) -> Result<RoundView, DomainError> {
    let round = find(conn, ctx, id, false)?;
    view(conn, &round)
}

const LISTS: &str = "SELECT l.id, l.region_code AS village_code,
       coalesce((SELECT r.name FROM regions r WHERE r.code = l.region_code), '') AS village_name,
       l.villager_group, l.stage,
       l.notice_ends_at,
       (SELECT count(*) FROM exit_entries e
         WHERE e.county_code = l.county_code AND e.list_id = l.id AND NOT e.removed) AS households,
       (SELECT count(*) FROM exit_objections o
         WHERE o.county_code = l.county_code AND o.list_id = l.id AND o.status = 'open') AS open_objections
  FROM exit_lists l
 WHERE l.county_code = $1 AND l.round_id = $2
 ORDER BY l.region_code, l.created_at, l.id";

pub(super) fn view(conn: &mut PgConnection, round: &RoundRow) -> Result<RoundView, DomainError> {
    let lists: Vec<RoundList> = diesel::sql_query(LISTS)
        .bind::<Integer, _>(round.county_code)
        .bind::<diesel::sql_types::Uuid, _>(round.id)
        .load(conn)
        .db()?;
    #[expect(clippy::type_complexity, reason = "one posting row, named below")]
    let postings: Vec<(
        i64,
        String,
        NaiveDate,
        NaiveDate,
        DateTime<Utc>,
        Uuid,
        DateTime<Utc>,
        Value,
    )> = exit_round_postings::table
        .filter(exit_round_postings::county_code.eq(round.county_code))
        .filter(exit_round_postings::round_id.eq(round.id))
        .order((
            exit_round_postings::region_code,
            exit_round_postings::posted_at,
        ))
        .select((
            exit_round_postings::region_code,
            exit_round_postings::location,
            exit_round_postings::posted_on,
            exit_round_postings::last_day,
            exit_round_postings::ends_at,
            exit_round_postings::posted_by,
            exit_round_postings::posted_at,
            exit_round_postings::attachments,
        ))
        .load(conn)
        .db()?;
    let decisions: Vec<(String, String, DateTime<Utc>, Value, Value)> = exit_round_decisions::table
        .filter(exit_round_decisions::county_code.eq(round.county_code))
        .filter(exit_round_decisions::round_id.eq(round.id))
        .order((exit_round_decisions::taken_at, exit_round_decisions::id))
        .select((
            exit_round_decisions::step,
            exit_round_decisions::actor_username,
            exit_round_decisions::taken_at,
            exit_round_decisions::details,
            exit_round_decisions::attachments,
        ))
        .load(conn)
        .db()?;
    // The round stands where its least advanced list stands, leaving out a list emptied by
    // upheld objections (it has no step left) unless every list is.
    let left = lists.iter().any(|l| l.households > 0);
    let stage = lists
        .iter()
        .filter(|l| l.households > 0 || !left)
        .filter_map(|l| Stage::parse(&l.stage).ok())
        .min_by_key(|s| Stage::ALL.iter().position(|x| x == s))
        .unwrap_or(Stage::TownshipReviewed);
    let township_name: String = crate::schema::regions::table
        .filter(crate::schema::regions::code.eq(round.region_code))
        .select(crate::schema::regions::name)
        .first(conn)
        .optional()
        .db()?
        .unwrap_or_default();
    Ok(RoundView {
        id: round.id,
        township_code: round.region_code,
        township_name,
        year: round.year,
        stage,
        created_by: round.created_by,
        created_at: round.created_at,
        updated_at: round.updated_at,
        lists,
        postings: postings
            .into_iter()
            .map(|p| RoundPosting {
                village_code: p.0,
                location: p.1,
                posted_on: p.2,
                last_day: p.3,
                ends_at: p.4,
                posted_by: p.5,
                posted_at: p.6,
                attachments: serde_json::from_value(p.7).unwrap_or_default(),
            })
            .collect(),
        decisions: decisions
            .into_iter()
            .map(|(step, actor_username, taken_at, details, att)| Decision {
                step,
                actor_username,
                taken_at,
                moved: details["moved"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|m| m["list_id"].as_str().and_then(|s| s.parse().ok()))
                    .collect(),
                held: details["held"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|h| Held {
                        list_id: h["list_id"]
                            .as_str()
                            .and_then(|s| s.parse().ok())
                            .unwrap_or_default(),
                        village_code: h["village_code"]
                            .as_str()
                            .and_then(|s| s.parse().ok())
                            .unwrap_or_default(),
                        stage: h["stage"].as_str().unwrap_or_default().to_string(),
                        code: h["code"].as_str().unwrap_or_default().to_string(),
                        reason: h["reason"].as_str().unwrap_or_default().to_string(),
                    })
                    .collect(),
                attachments: serde_json::from_value(att).unwrap_or_default(),
            })
            .collect(),
    })
}
