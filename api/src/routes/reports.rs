//! Reports and dashboards: rollups for any region in scope, one level of drill-down at a time,
//! as JSON with a chart-ready shape, CSV or XLSX; household figures as of a past date.

use actix_web::{HttpResponse, get, web};
use chrono::{Datelike as _, NaiveDate};
use domain::{DomainError, RegionCode};
use infra::app::cases::sheet;
use infra::app::reports::{self, Line, Report, Request};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::transfer::{XLSX, attachment};
use crate::error::answers::NotSignedIn;
use crate::error::{ApiResult, Problem};
use crate::state::{AppState, Auth};

/// `?region=&by=&as_of=&year=&format=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// Any region in your scope (default: your org unit); rows are its children.
    pub region: Option<String>,
    /// Households: `status` (default), `attribute` or `cause`.
    pub by: Option<String>,
    /// Households, monitoring and coverage: the figures as they were at the end of this day
    /// (not in the future); other kinds take `year` and refuse it (422).
    pub as_of: Option<NaiveDate>,
    /// Exits, key villages, funds, rangers: the year (default: this year).
    pub year: Option<i32>,
    /// `json` (default; includes a chart shape), `csv` or `xlsx`.
    #[param(inline, value_type = Option<crate::documents::TableFormat>)]
    pub format: Option<String>,
}

/// A column of a report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportColumnDto {
    /// Stable code.
    pub code: String,
    /// Label in Chinese.
    pub label: String,
}

/// One region's line.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportLineDto {
    /// Region code (12 digits).
    pub region_code: String,
    /// Name.
    pub name: String,
    /// One value per column; `null` where suppressed (or not applicable).
    pub values: Vec<Option<i64>>,
}

/// One series of the chart: a column's values over the rows.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportSeriesDto {
    /// The column's code.
    pub code: String,
    /// Its label.
    pub name: String,
    /// One value per category; `null` where suppressed.
    pub data: Vec<Option<i64>>,
}

/// The report in a chart-ready shape.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportChartDto {
    /// The rows' region names.
    pub categories: Vec<String>,
    /// One series per column.
    pub series: Vec<ReportSeriesDto>,
}

/// A report: the region's total and one line per region one level down.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDto {
    /// Kind.
    #[schema(value_type = domain::work::ReportKind)]
    pub kind: String,
    /// Grouping (`status`, `attribute`, `cause` for households).
    pub by: Option<String>,
    /// The region (12 digits).
    pub region_code: String,
    /// The date reported on (absent: now).
    pub as_of: Option<NaiveDate>,
    /// The year reported on, for yearly kinds.
    pub year: Option<i32>,
    /// Columns.
    pub columns: Vec<ReportColumnDto>,
    /// The region itself.
    pub total: ReportLineDto,
    /// Each region one level down.
    pub rows: Vec<ReportLineDto>,
    /// Cells hidden (as `null`) because they count fewer than `min_cell` people (callers above
    /// the county).
    pub suppressed_cells: usize,
    /// The threshold applied, when suppression applies.
    pub min_cell: Option<i64>,
    /// Chart shape: categories and series.
    pub chart: ReportChartDto,
}

fn line(l: Line) -> ReportLineDto {
    ReportLineDto {
        region_code: l.region_code,
        name: l.name,
        values: l.values,
    }
}

impl From<Report> for ReportDto {
    fn from(r: Report) -> Self {
        let chart = ReportChartDto {
            categories: r.rows.iter().map(|l| l.name.clone()).collect(),
            series: r
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| ReportSeriesDto {
                    code: c.code.clone(),
                    name: c.label.clone(),
                    data: r
                        .rows
                        .iter()
                        .map(|l| l.values.get(i).copied().flatten())
                        .collect(),
                })
                .collect(),
        };
        Self {
            kind: r.kind,
            by: r.by,
            region_code: r.region_code,
            as_of: r.as_of,
            year: r.year,
            columns: r
                .columns
                .into_iter()
                .map(|c| ReportColumnDto {
                    code: c.code,
                    label: c.label,
                })
                .collect(),
            total: line(r.total),
            rows: r.rows.into_iter().map(line).collect(),
            suppressed_cells: r.suppressed_cells,
            min_cell: r.min_cell,
            chart,
        }
    }
}

/// A report for a region and each region one level down. Kinds: `households` (households and
/// people by status, attribute or poverty cause; `as_of` for a past date), `exits` (against
/// targets, by year), `monitoring` (cases by stage and kind, overdue identifications, pending
/// leads; `as_of` for a past date), `key_villages` (target statuses), `coverage` (team coverage gaps), `funds`
/// (execution), `rangers` (contracts and payouts). Users above the county see cells counting
/// fewer than `reports.min_cell_people` people as `null` (`suppressed_cells` says how many).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("kind" = domain::work::ReportKind, Path, description = "Report kind: `households`, `exits`, `monitoring`, `key_villages`, `coverage`, `funds`, `rangers`"), ReportParams),
    responses(
        (status = 200, description = "The report: columns, total, rows, chart (categories and series); or a CSV/XLSX file (`format=csv|xlsx`)", content((ReportDto = "application/json"), (String = "text/csv"), (crate::documents::FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        NotSignedIn,
        (status = 403, description = "Lacks the permission the kind needs", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown kind, grouping or format; a region outside your scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/{kind}")]
pub async fn report(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    q: crate::http::query::Query<ReportParams>,
) -> ApiResult<HttpResponse> {
    let kind = path.into_inner();
    let q = q.into_inner();
    let format = q.format.clone().unwrap_or_else(|| "json".into());
    if !["json", "csv", "xlsx"].contains(&format.as_str()) {
        return Err(
            DomainError::field("format", domain::Rule::one_of(["json", "csv", "xlsx"])).into(),
        );
    }
    let region = q
        .region
        .as_deref()
        .map(RegionCode::parse)
        .transpose()
        .map_err(|m| DomainError::field("region", m))?;
    if let Some(y) = q.year
        && !domain::input::YEARS.contains(&y)
    {
        return Err(DomainError::field("year", domain::input::YEAR_RULE).into());
    }
    // Reports may be read from the replica (within its lag bound, after the caller's own
    // writes); the read is audited on the primary.
    let r = state
        .read(
            auth,
            move |conn, ctx| {
                // The kind decides the permission: the report is bounded by where it is held.
                let mut ctx = ctx.clone();
                if let Some(p) = reports::permission_of(&kind) {
                    crate::state::bound_by(conn, &mut ctx.caller, p)?;
                }
                let ctx = &ctx;
                let req = Request {
                    kind: kind.clone(),
                    region: region.unwrap_or(ctx.caller.unit()),
                    by: q.by.clone().unwrap_or_else(|| "status".into()),
                    as_of: q.as_of,
                    year: q.year.unwrap_or_else(|| ctx.today().year()),
                };
                if req.as_of.is_some_and(|d| d > ctx.today()) {
                    return Err(DomainError::field("as_of", domain::Rule::NotInFuture));
                }
                let r = reports::report(conn, ctx, &req)?;
                Ok((r, req.region))
            },
            |conn, ctx, (r, region)| {
                ctx.audit(
                    conn,
                    "report.read",
                    "report",
                    &r.kind,
                    *region,
                    serde_json::json!({ "by": r.by, "as_of": r.as_of, "year": r.year }),
                )
            },
        )
        .await?
        .0;
    let header: Vec<&str> = std::iter::once("地区代码")
        .chain(std::iter::once("地区"))
        .chain(r.columns.iter().map(|c| c.label.as_str()))
        .collect();
    let rows: Vec<Vec<String>> = r
        .rows
        .iter()
        .chain(std::iter::once(&r.total))
        .map(|l| {
            [l.region_code.clone(), l.name.clone()]
                .into_iter()
                .chain(
                    l.values
                        .iter()
                        .map(|v| v.map_or_else(|| "*".to_string(), |n| n.to_string())),
                )
                .collect()
        })
        .collect();
    let name = format!("{}-{}", r.kind, r.region_code);
    match format.as_str() {
        "csv" => Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header(attachment(&format!("{name}.csv")))
            .body(sheet::table_csv(&header, &rows))),
        "xlsx" => Ok(HttpResponse::Ok()
            .content_type(XLSX)
            .insert_header(attachment(&format!("{name}.xlsx")))
            .body(sheet::table_xlsx(&header, &rows)?)),
        _ => Ok(HttpResponse::Ok().json(ReportDto::from(r))),
    }
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        report => Authenticated,
    },
}
