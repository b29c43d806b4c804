//! Bulk entry of what offices keep in spreadsheets besides households (issue 19, item 5): the
//! generic part every such import shares, and one module per kind that supplies only its
//! columns and a row handler.
//!
//! The shape is the household import's: the file is read whole first with the shared sheet
//! reader (file-level problems refuse it before anything is written); the import runs as a job;
//! every row is handled on its own (a savepoint per row inside a batch transaction), so a bad
//! row is reported with its row number, column and reason and no good row is lost; a row's
//! handler is the same use case the one-by-one route calls, so the business rules, scope and
//! permission checks are the same; it writes only what differs, so importing the same file
//! again changes nothing. A dry run does every check, database ones included, and rolls back.

pub mod cards;
pub mod rangers;
pub mod teams;
pub mod villages;
pub mod visits;
pub mod yearly;

use std::collections::HashMap;

use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::{DomainError, ErrorCode, Rule};

use super::Ctx;
use super::cases::import::err;
use super::cases::sheet::{self, Column, Row};
use super::cases::tries::{Register, too_many_tries};
use super::jobs::{self, RowError};
use crate::db::{Db, DbResultExt as _};
use crate::pii::DataKeys;

/// Rows per transaction.
const BATCH: usize = 200;

/// The sheets that can be imported in bulk (besides households, which have their own import).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Yearly household records (`household_years`): the annual income survey.
    HouseholdYears,
    /// Village profiles (`village_profiles`), one per village and year.
    VillageProfiles,
    /// Visit logs (`visits`), by the team member paired with each household.
    Visits,
    /// Members of resident work teams (`team_members`).
    TeamMembers,
    /// Ranger patrol logs (`ranger_patrols`).
    RangerPatrols,
    /// Ranger inspections (`ranger_inspections`).
    RangerInspections,
    /// Households' benefit cards (`benefit_cards`, 一卡兑付).
    BenefitCards,
}

/// What a row's handler did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// A new object.
    Created,
    /// An existing object, changed.
    Updated,
    /// An existing object, already as the row says.
    Unchanged,
}

/// What a handler needs besides the connection and the caller.
pub struct Env<'a> {
    /// For ID numbers' blind index.
    pub keys: &'a DataKeys,
}

impl std::fmt::Debug for Env<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env").finish_non_exhaustive()
    }
}

/// The template's header (the sheet's Chinese label) of `column` in the sheet of a job of
/// `job_kind` (`household_import` or one of these imports); `None` for anything else (a row
/// left out with its household is reported under `household`, which is no column).
pub fn header_of(job_kind: &str, column: &str) -> Option<&'static str> {
    sheet_of(job_kind)?
        .iter()
        .find(|c| c.key == column)
        .map(|c| c.label)
}

/// The columns of the sheet an import job of `job_kind` reads (`household_import` or one of
/// these imports); `None` for a job that reads no sheet.
pub fn sheet_of(job_kind: &str) -> Option<&'static [Column]> {
    if job_kind == "household_import" {
        Some(sheet::COLUMNS)
    } else {
        Kind::from_job_kind(job_kind).map(Kind::columns)
    }
}

impl Kind {
    /// Every kind.
    pub const ALL: &'static [Kind] = &[
        Kind::HouseholdYears,
        Kind::VillageProfiles,
        Kind::Visits,
        Kind::TeamMembers,
        Kind::RangerPatrols,
        Kind::RangerInspections,
        Kind::BenefitCards,
    ];

    /// The job's `kind`.
    pub const fn job_kind(self) -> &'static str {
        match self {
            Kind::HouseholdYears => "household_year_import",
            Kind::VillageProfiles => "village_profile_import",
            Kind::Visits => "visit_import",
            Kind::TeamMembers => "team_member_import",
            Kind::RangerPatrols => "ranger_patrol_import",
            Kind::RangerInspections => "ranger_inspection_import",
            Kind::BenefitCards => "benefit_card_import",
        }
    }

    /// The kind of a job, when it is one of these imports.
    pub fn from_job_kind(kind: &str) -> Option<Kind> {
        Self::ALL.iter().copied().find(|k| k.job_kind() == kind)
    }

    /// The register the rows' ID numbers are checked against (for the count of tries, see
    /// [`gate_rows`]).
    pub const fn register(self) -> Register {
        match self {
            Kind::TeamMembers => Register::Teams,
            _ => Register::Members,
        }
    }

    /// The permission that starts the import (the route's), which also lets someone other than
    /// its starter cancel it.
    pub const fn permission(self) -> &'static str {
        use domain::authz::perm;
        match self {
            Kind::HouseholdYears => perm::CASES_IMPORT,
            Kind::VillageProfiles => perm::VILLAGES_WRITE,
            Kind::Visits => perm::VISITS_WRITE,
            Kind::TeamMembers => perm::VILLAGES_MANAGE,
            Kind::RangerPatrols | Kind::RangerInspections | Kind::BenefitCards => {
                perm::FUNDS_MANAGE
            }
        }
    }

    /// The audit action of starting the import.
    pub const fn audit_action(self) -> &'static str {
        match self {
            Kind::HouseholdYears => "household_year.import",
            Kind::VillageProfiles => "village_profile.import",
            Kind::Visits => "visit.import",
            Kind::TeamMembers => "team_member.import",
            Kind::RangerPatrols => "ranger_patrol.import",
            Kind::RangerInspections => "ranger_inspection.import",
            Kind::BenefitCards => "benefit_card.import",
        }
    }

    /// The template's file name, without extension.
    pub const fn file_stem(self) -> &'static str {
        match self {
            Kind::HouseholdYears => "household-years-template",
            Kind::VillageProfiles => "village-profiles-template",
            Kind::Visits => "visits-template",
            Kind::TeamMembers => "team-members-template",
            Kind::RangerPatrols => "ranger-patrols-template",
            Kind::RangerInspections => "ranger-inspections-template",
            Kind::BenefitCards => "benefit-cards-template",
        }
    }

    /// The sheet's columns.
    pub const fn columns(self) -> &'static [Column] {
        match self {
            Kind::HouseholdYears => yearly::COLUMNS,
            Kind::VillageProfiles => villages::COLUMNS,
            Kind::Visits => visits::COLUMNS,
            Kind::TeamMembers => teams::COLUMNS,
            Kind::RangerPatrols => rangers::PATROL_COLUMNS,
            Kind::RangerInspections => rangers::INSPECTION_COLUMNS,
            Kind::BenefitCards => cards::COLUMNS,
        }
    }

    /// The template's example row.
    pub const fn example(self) -> &'static [&'static str] {
        match self {
            Kind::HouseholdYears => yearly::EXAMPLE,
            Kind::VillageProfiles => villages::EXAMPLE,
            Kind::Visits => visits::EXAMPLE,
            Kind::TeamMembers => teams::EXAMPLE,
            Kind::RangerPatrols => rangers::PATROL_EXAMPLE,
            Kind::RangerInspections => rangers::INSPECTION_EXAMPLE,
            Kind::BenefitCards => cards::EXAMPLE,
        }
    }

    /// What identifies the object a row writes, when the row names it well enough: two rows
    /// of one file with the same identity are refused as duplicates (the later one).
    fn identity(self, row: &Row) -> Option<String> {
        match self {
            Kind::HouseholdYears => yearly::identity(row),
            Kind::VillageProfiles => villages::identity(row),
            Kind::Visits => visits::identity(row),
            Kind::TeamMembers => teams::identity(row),
            Kind::RangerPatrols => rangers::patrol_identity(row),
            Kind::RangerInspections => rangers::inspection_identity(row),
            Kind::BenefitCards => cards::identity(row),
        }
    }

    /// Where a row naming an unknown object (or one outside the caller's scope: the same
    /// thing) is reported, and the one message it gets.
    const fn not_found(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Kind::HouseholdYears => yearly::NOT_FOUND,
            Kind::VillageProfiles => villages::NOT_FOUND,
            Kind::Visits => visits::NOT_FOUND,
            Kind::TeamMembers => teams::NOT_FOUND,
            Kind::RangerPatrols | Kind::RangerInspections => rangers::NOT_FOUND,
            Kind::BenefitCards => cards::NOT_FOUND,
        }
    }

    fn apply(
        self,
        conn: &mut PgConnection,
        ctx: &Ctx,
        env: &Env<'_>,
        row: &Row,
    ) -> Result<Written, DomainError> {
        match self {
            Kind::HouseholdYears => yearly::apply(conn, ctx, env, row),
            Kind::VillageProfiles => villages::apply(conn, ctx, env, row),
            Kind::Visits => visits::apply(conn, ctx, env, row),
            Kind::TeamMembers => teams::apply(conn, ctx, env, row),
            Kind::RangerPatrols => rangers::apply_patrol(conn, ctx, env, row),
            Kind::RangerInspections => rangers::apply_inspection(conn, ctx, env, row),
            Kind::BenefitCards => cards::apply(conn, ctx, env, row),
        }
    }

    /// Reads an upload of this kind, at most `max_rows` rows (file-level problems refuse it
    /// whole).
    ///
    /// # Errors
    /// `Validation` naming `file`, `header` or a column.
    pub fn parse(self, bytes: &[u8], max_rows: usize) -> Result<Vec<Row>, DomainError> {
        sheet::parse_job(bytes, self.columns(), max_rows)
    }

    /// The template as XLSX.
    ///
    /// # Errors
    /// When the workbook cannot be written.
    pub fn template_xlsx(self) -> Result<Vec<u8>, DomainError> {
        sheet::template_xlsx_of(self.columns(), self.example())
    }

    /// The template as CSV.
    pub fn template_csv(self) -> Vec<u8> {
        sheet::template_csv_of(self.columns(), self.example())
    }
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Default, Clone, serde::Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Data rows read.
    pub rows: usize,
    /// Rows that created an object.
    pub created: usize,
    /// Rows that changed an existing object.
    pub updated: usize,
    /// Rows whose object was already as they say.
    pub unchanged: usize,
    /// Rows refused (each listed in the job's errors).
    pub rows_refused: usize,
    /// Nothing was written.
    pub dry_run: bool,
}

/// Refuses to go on when the importing account was disabled since the job started (checked
/// per batch, so a long import stops part-way).
///
/// # Errors
/// `Forbidden` when disabled or gone; database failures.
pub fn still_enabled(db: &Db, ctx: &Ctx) -> Result<(), DomainError> {
    use crate::schema::users;
    // The account lies at the user's org unit (not at the unit a job is bounded by).
    let disabled: bool = db.in_scope_conn(ctx.caller.org.subtree(), |conn| {
        users::table
            .filter(users::county_code.eq(ctx.caller.org.county_code()))
            .filter(users::id.eq(ctx.caller.user_id))
            .select(users::disabled)
            .first::<bool>(conn)
            .optional()
            .db()
            .map(|d| d.unwrap_or(true))
    })?;
    if disabled {
        return Err(DomainError::Forbidden(
            "the importing account was disabled".into(),
        ));
    }
    Ok(())
}

/// The row errors a handler's refusal becomes. `NotFound` gets the kind's one message, the
/// same whether the object does not exist or lies in another county or subtree.
fn row_errors(kind: Kind, row: u32, e: DomainError) -> Result<Vec<RowError>, DomainError> {
    let (key, unknown, unknown_zh) = kind.not_found();
    Ok(match e {
        DomainError::Validation(v) => v
            .into_iter()
            .map(|f| {
                let column = f.field.split(['[', '.']).next().unwrap_or(&f.field);
                err(row, if column.is_empty() { key } else { column }, f.rule)
            })
            .collect(),
        DomainError::NotFound => vec![err(row, key, Rule::other(unknown, unknown_zh))],
        DomainError::Forbidden(m) => {
            let zh = format!("{}({m})", ErrorCode::Forbidden.description_zh());
            vec![err(row, key, Rule::other(m, zh))]
        }
        DomainError::Conflict { code, message } => {
            let zh = format!("{}({message})", code.description_zh());
            vec![err(row, key, Rule::other(message, zh))]
        }
        DomainError::PreconditionFailed | DomainError::PreconditionRequired => vec![err(
            row,
            key,
            Rule::other(
                "was changed by someone else while importing; import the file again",
                "导入期间已被他人修改;请重新导入文件",
            ),
        )],
        e @ (DomainError::Unavailable | DomainError::Unauthorized(_)) => return Err(e),
        other => {
            tracing::error!(error = ?other, "an import row could not be saved");
            vec![err(
                row,
                key,
                Rule::other(
                    "could not be saved; nothing of this row was written",
                    "无法保存;此行未写入任何内容",
                ),
            )]
        }
    })
}

/// Runs one row in a savepoint: its writes stay only when it succeeds.
fn in_savepoint(
    conn: &mut PgConnection,
    f: impl FnOnce(&mut PgConnection) -> Result<Written, DomainError>,
) -> Result<Written, DomainError> {
    diesel::sql_query("SAVEPOINT zx_import_row")
        .execute(conn)
        .db()?;
    let out = f(conn);
    let end = if out.is_ok() {
        "RELEASE SAVEPOINT zx_import_row"
    } else {
        "ROLLBACK TO SAVEPOINT zx_import_row"
    };
    diesel::sql_query(end).execute(conn).db()?;
    out
}

/// Runs an import of `kind` for job `job`: progress and row errors go to the job per batch.
///
/// # Errors
/// Only failures that stop the whole import (the database going away, the account disabled);
/// row problems are in the job's errors.
pub fn run(
    db: &Db,
    ctx: &Ctx,
    env: &Env<'_>,
    kind: Kind,
    job: &jobs::Held,
    rows: &[Row],
    dry_run: bool,
) -> Result<Summary, DomainError> {
    const ROLLBACK: domain::ErrorCode = domain::ErrorCode::DryRunRollback;
    let scope = ctx.caller.scope();
    let mut summary = Summary {
        rows: rows.len(),
        dry_run,
        ..Summary::default()
    };
    // Two rows of the file writing the same object: the first counts, the later are refused,
    // so what lands never depends on the order rows happen to be written in.
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut duplicates: HashMap<u32, u32> = HashMap::new();
    for r in rows {
        if let Some(id) = kind.identity(r) {
            match seen.get(&id) {
                Some(first) => {
                    duplicates.insert(r.number, *first);
                }
                None => {
                    seen.insert(id, r.number);
                }
            }
        }
    }
    let mut processed = 0;
    for batch in rows.chunks(BATCH) {
        still_enabled(db, ctx)?;
        let mut errors: Vec<RowError> = Vec::new();
        let mut written: Vec<Written> = Vec::new();
        let over = gate_tries(db, ctx, env, kind, batch, &duplicates)?;
        let outcome = db.in_scope_conn(scope, |conn| {
            for r in batch {
                // A row cut off, with cells past the header, or with a giant cell.
                if !r.problems.is_empty() {
                    errors.extend(r.problems.iter().map(|(c, m)| err(r.number, c, m.clone())));
                    continue;
                }
                if let Some(first) = duplicates.get(&r.number) {
                    errors.push(err(
                        r.number,
                        kind.not_found().0,
                        Rule::other(
                            format!("names the same record as row {first}; keep one of them"),
                            format!("与第 {first} 行指向同一条记录;请只保留其一"),
                        ),
                    ));
                    continue;
                }
                if over.contains(&r.number) {
                    errors.push(err(r.number, "id_number", too_many_tries(kind.register())));
                    continue;
                }
                match in_savepoint(conn, |c| kind.apply(c, ctx, env, r)) {
                    Ok(w) => written.push(w),
                    Err(e) => errors.extend(row_errors(kind, r.number, e)?),
                }
            }
            if dry_run {
                return Err(DomainError::Conflict {
                    code: ROLLBACK,
                    message: String::new(),
                });
            }
            Ok(())
        });
        match outcome {
            Ok(()) | Err(DomainError::Conflict { code: ROLLBACK, .. }) => {}
            Err(e) => return Err(e),
        }
        for w in written {
            match w {
                Written::Created => summary.created += 1,
                Written::Updated => summary.updated += 1,
                Written::Unchanged => summary.unchanged += 1,
            }
        }
        summary.rows_refused += errors
            .iter()
            .map(|e| e.row)
            .collect::<std::collections::HashSet<_>>()
            .len();
        processed += batch.len();
        db.in_scope_conn(scope, |conn| {
            jobs::progress(conn, ctx, job, processed, &errors, "running")
        })?
        .go_on()?;
    }
    Ok(summary)
}

/// The rows of a batch past the caller's daily limit of tries of a masked form and birth year
/// (of a masked form, for team members), counted in a transaction of their own before the batch's (a dry run rolls its batch back;
/// the tries stay); see [`gate_rows`].
fn gate_tries(
    db: &Db,
    ctx: &Ctx,
    env: &Env<'_>,
    kind: Kind,
    batch: &[Row],
    duplicates: &HashMap<u32, u32>,
) -> Result<std::collections::HashSet<u32>, DomainError> {
    if !kind.columns().iter().any(|c| c.key == "id_number") {
        return Ok(std::collections::HashSet::new());
    }
    let rows = batch
        .iter()
        .filter(|r| r.problems.is_empty() && !duplicates.contains_key(&r.number));
    db.in_scope_conn(ctx.caller.scope(), |conn| {
        gate_rows(conn, ctx, env.keys, kind.register(), rows)
    })
}

/// The rows, among `rows`, past the caller's daily limit of tries of a masked form and birth
/// year (security.md §16), recording the new tries: call it in a transaction of its own,
/// committed before the rows are handled. A row that names a person by full ID number
/// (column `id_number`) answers whether that number is registered in the caller's scope
/// (found, or "not in your area"), so a row whose number is not found, where the caller's
/// scope holds a member of its masked form and birth year, counts as a try; once the form and
/// year are full, every row of them with a number not tried before is refused unchecked, found
/// or not, so the refusal tells nothing.
///
/// A team-member row ([`Register::Teams`]) answers whether its number is on a team anywhere,
/// for a term (the row unchanged, or "serves on another team"), and a reader sees no birth date
/// of a team member: every such row is a try, counted per masked form.
///
/// # Errors
/// Database failures.
pub fn gate_rows<'r>(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    register: Register,
    rows: impl Iterator<Item = &'r Row>,
) -> Result<std::collections::HashSet<u32>, DomainError> {
    use domain::cases::IdNumber;

    use super::cases::tries::{Standing, gate_import, targets};
    // Tomorrow's births too: the row's handler parses with its own clock, which may have passed
    // midnight since (see `api::routes::members::entered_numbers`).
    let today = ctx.today().succ_opt().unwrap_or_else(|| ctx.today());
    let numbered: Vec<(u32, IdNumber)> = rows
        .filter_map(|r| {
            IdNumber::parse(r.get("id_number"), today)
                .ok()
                .map(|id| (r.number, id))
        })
        .collect();
    if numbered.is_empty() {
        return Ok(std::collections::HashSet::new());
    }
    let ids: Vec<&IdNumber> = numbered.iter().map(|(_, id)| id).collect();
    let standings: Vec<_> = match register {
        Register::Teams => ids.iter().map(|id| (*id, Standing::Try)).collect(),
        Register::Members => {
            let found = targets(conn, ctx, &ids)?;
            if found.is_empty() {
                return Ok(std::collections::HashSet::new());
            }
            ids.iter()
                .map(|id| (*id, found.standing(keys, id, None)))
                .collect()
        }
    };
    let allowed = gate_import(conn, ctx, keys, register, &standings)?;
    Ok(numbered
        .iter()
        .zip(allowed)
        .filter(|(_, ok)| !ok)
        .map(|((row, _), _)| *row)
        .collect())
}
