//! Funds and projects as they are read: received, allocated, disbursed; a project with its
//! ledger.

use super::*;

/// A fund with its totals.
#[derive(Debug, Clone, Serialize)]
pub struct FundView {
    /// The fund.
    #[serde(flatten)]
    pub fund: FundRow,
    /// County (6 digits).
    pub county_code: String,
    /// Allocated (net).
    pub allocated_fen: i64,
    /// Received and not allocated.
    pub unallocated_fen: i64,
    /// Disbursed out of its allocations: each project's disbursements shared among the funds
    /// that allocated to it, in proportion to their allocations.
    pub disbursed_fen: i64,
    /// Disbursed over received, basis points.
    pub execution_bp: i64,
}

/// A fund's share of what its projects disbursed (pro rata to the allocations).
fn fund_disbursed(conn: &mut PgConnection, f: &FundRow) -> Result<i64, DomainError> {
    #[derive(QueryableByName)]
    struct D {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        disbursed: i64,
    }
    let d: D = diesel::sql_query(
        "SELECT coalesce(sum(fa.amount * d.disbursed / nullif(pa.total, 0)), 0)::bigint AS disbursed \
           FROM (SELECT project_id, sum(amount_fen) AS amount FROM allocations \
                  WHERE county_code = $1 AND fund_id = $2 GROUP BY 1) fa \
           JOIN (SELECT project_id, sum(amount_fen) AS total FROM allocations WHERE county_code = $1 GROUP BY 1) pa USING (project_id) \
           JOIN (SELECT project_id, sum(amount_fen) AS disbursed FROM disbursements WHERE county_code = $1 GROUP BY 1) d USING (project_id)",
    )
    .bind::<diesel::sql_types::Integer, _>(f.county_code)
    .bind::<diesel::sql_types::Uuid, _>(f.id)
    .get_result(conn)
    .db()?;
    Ok(d.disbursed)
}

/// Funds in `within` (optionally of a year).
///
/// # Errors
/// Database failures.
pub fn list_funds(
    conn: &mut PgConnection,
    within: Scope,
    year: Option<i32>,
) -> Result<Vec<FundView>, DomainError> {
    let mut q = funds::table
        .filter(funds::region_code.between(within.lo(), within.hi()))
        .order((funds::year.desc(), funds::received_on, funds::id))
        .select(FundRow::as_select())
        .limit(5000)
        .into_boxed();
    if let Some(y) = year {
        q = q.filter(funds::year.eq(y));
    }
    let rows: Vec<FundRow> = q.load(conn).db()?;
    let mut out = Vec::with_capacity(rows.len());
    for f in rows {
        let allocated = fund_allocated(conn, &f)?;
        let disbursed = fund_disbursed(conn, &f)?;
        out.push(FundView {
            county_code: format!("{:06}", f.county_code),
            unallocated_fen: f.amount_fen - allocated,
            allocated_fen: allocated,
            disbursed_fen: disbursed,
            execution_bp: rules::rate_bp(disbursed, f.amount_fen),
            fund: f,
        });
    }
    Ok(out)
}

/// A project with its ledgers and totals.
#[derive(Debug, Clone)]
pub struct ProjectView {
    /// The project.
    pub project: ProjectRow,
    /// Allocated (net).
    pub allocated_fen: i64,
    /// Disbursed (net).
    pub disbursed_fen: i64,
    /// Allocations, in order.
    pub allocations: Vec<Entry>,
    /// Disbursements, in order.
    pub disbursements: Vec<Entry>,
    /// Whether its village is an active key village.
    pub key_village: bool,
    /// The named manager (专人): id and display name.
    pub manager: Option<(Uuid, String)>,
    /// Its public posting (张榜公布), when posted.
    pub posting: Option<crate::app::project_rules::PostingRow>,
}

/// A project with its ledgers.
///
/// # Errors
/// `NotFound` outside scope.
pub fn get_project(conn: &mut PgConnection, id: Uuid) -> Result<ProjectView, DomainError> {
    let project: ProjectRow = projects::table
        .filter(projects::id.eq(id))
        .select(ProjectRow::as_select())
        .first(conn)
        .db()?;
    project_view(conn, project)
}

/// A project with its ledgers, each read in order from its `(county, project, created_at, id)`
/// index.
fn project_view(conn: &mut PgConnection, project: ProjectRow) -> Result<ProjectView, DomainError> {
    let id = project.id;
    #[derive(Queryable)]
    struct A {
        id: Uuid,
        fund: Uuid,
        amount: i64,
        reverses: Option<Uuid>,
        note: String,
        at: DateTime<Utc>,
    }
    let allocs: Vec<A> = crate::db::load_page(
        conn,
        allocations::table
            .filter(allocations::county_code.eq(project.county_code))
            .filter(allocations::project_id.eq(id))
            .order((allocations::created_at, allocations::id))
            .select((
                allocations::id,
                allocations::fund_id,
                allocations::amount_fen,
                allocations::reverses,
                allocations::note,
                allocations::created_at,
            )),
    )?;
    #[derive(Queryable)]
    struct D {
        id: Uuid,
        amount_fen: i64,
        kind: String,
        payee: String,
        household_id: Option<Uuid>,
        reverses: Option<Uuid>,
        paid_on: NaiveDate,
        note: String,
        created_at: DateTime<Utc>,
        card_masked: Option<String>,
    }
    let disbs: Vec<D> = crate::db::load_page(
        conn,
        disbursements::table
            .filter(disbursements::county_code.eq(project.county_code))
            .filter(disbursements::project_id.eq(id))
            .order((disbursements::created_at, disbursements::id))
            .select((
                disbursements::id,
                disbursements::amount_fen,
                disbursements::kind,
                disbursements::payee,
                disbursements::household_id,
                disbursements::reverses,
                disbursements::paid_on,
                disbursements::note,
                disbursements::created_at,
                disbursements::card_masked,
            )),
    )?;
    let key: i64 = key_villages::table
        .filter(key_villages::county_code.eq(project.county_code))
        .filter(key_villages::region_code.eq(project.region_code))
        .filter(key_villages::status.eq("active"))
        .count()
        .get_result(conn)
        .db()?;
    Ok(ProjectView {
        allocated_fen: allocs.iter().map(|a| a.amount).sum(),
        disbursed_fen: disbs.iter().map(|d| d.amount_fen).sum(),
        allocations: allocs
            .into_iter()
            .map(|a| Entry {
                id: a.id,
                amount_fen: a.amount,
                reverses: a.reverses,
                fund_id: Some(a.fund),
                project_id: project.id,
                kind: None,
                payee: None,
                household_id: None,
                card_masked: None,
                paid_on: None,
                note: a.note,
                created_at: a.at,
            })
            .collect(),
        disbursements: disbs
            .into_iter()
            .map(|d| Entry {
                id: d.id,
                amount_fen: d.amount_fen,
                reverses: d.reverses,
                fund_id: None,
                project_id: project.id,
                kind: Some(d.kind),
                payee: Some(d.payee),
                household_id: d.household_id,
                card_masked: d.card_masked,
                paid_on: Some(d.paid_on),
                note: d.note,
                created_at: d.created_at,
            })
            .collect(),
        key_village: key > 0,
        manager: crate::app::project_rules::manager_of(conn, &project)?,
        posting: crate::app::project_rules::posting_of(conn, &project)?,
        project,
    })
}

/// A page of projects in `within` (optionally of a year), with their ledgers, by village, then
/// name — the order of `projects_walk` (`projects_year_walk` with a year), so every scope walks
/// the index and stops after the page; keyset after `(village, name, id)`.
///
/// # Errors
/// Database failures.
pub fn list_projects(
    conn: &mut PgConnection,
    within: Scope,
    year: Option<i32>,
    after: Option<(i64, String, Uuid)>,
    limit: i64,
) -> Result<Vec<ProjectView>, DomainError> {
    let mut q = projects::table
        .filter(projects::region_code.between(within.lo(), within.hi()))
        .order((projects::region_code, projects::name, projects::id))
        .select(ProjectRow::as_select())
        .limit(limit)
        .into_boxed();
    if let Some(y) = year {
        q = q.filter(projects::year.eq(y));
    }
    if let Some((r, name, id)) = after {
        q = q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(projects.region_code, projects.name, projects.id) > (",
            )
            .bind::<diesel::sql_types::BigInt, _>(r)
            .sql(", ")
            .bind::<diesel::sql_types::Text, _>(name)
            .sql(", ")
            .bind::<diesel::sql_types::Uuid, _>(id)
            .sql(")"),
        );
    }
    let rows: Vec<ProjectRow> = crate::db::load_page(conn, q)?;
    rows.into_iter().map(|p| project_view(conn, p)).collect()
}
