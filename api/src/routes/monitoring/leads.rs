//! Early-warning leads: the verification queue, reported signals and the county's scan.

use super::*;
use crate::error::answers::{BadField, NotFound, NotSignedIn};
use crate::http::idempotency::{IdempotencyKey, Once};

/// An early-warning lead.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadDto {
    /// Id.
    pub id: Uuid,
    /// Household.
    pub household_id: Uuid,
    /// The name of the household's head (`""` when none is recorded).
    pub head_name: String,
    /// Village.
    pub village_code: String,
    /// `income_below_line`, `medical_expense`, `disaster`, `returned_case`.
    #[schema(value_type = domain::monitoring::LeadRule)]
    pub rule: String,
    /// The year (income, returned) or date (reports) it concerns.
    pub period: String,
    /// The data that raised it.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// `pending`, `case_opened`, `dismissed`.
    #[schema(value_type = domain::monitoring::LeadStatus)]
    pub status: String,
    /// The case opened from it.
    pub case_id: Option<Uuid>,
    /// Why it was dismissed.
    pub resolution_reason: Option<String>,
    /// When raised.
    pub raised_at: DateTime<Utc>,
    /// When verified.
    pub resolved_at: Option<DateTime<Utc>>,
}

impl LeadDto {
    /// The lead with its household head's name.
    pub fn new(l: LeadRow, head_name: String) -> Self {
        Self {
            id: l.id,
            household_id: l.household_id,
            head_name,
            village_code: format!("{:012}", l.region_code),
            rule: l.rule,
            period: l.period,
            details: l.details,
            status: l.status,
            case_id: l.case_id,
            resolution_reason: l.resolution_reason,
            raised_at: l.raised_at,
            resolved_at: l.resolved_at,
        }
    }
}

/// Filters of the lead queue.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeadParams {
    /// Any region code; capped by your scope.
    pub region: Option<String>,
    /// `pending`, `case_opened`, `dismissed`.
    #[param(schema_with = domain::monitoring::LeadStatus::input_schema)]
    pub status: Option<String>,
    /// A rule.
    #[param(schema_with = domain::monitoring::LeadRule::input_schema)]
    pub rule: Option<String>,
}

/// Leads in your scope, by village, oldest first in each; `status=pending` is the verification queue.
/// Every page read is audited (`monitoring_lead.list`, with the filters and the number of rows).
#[utoipa::path(
    tag = "monitoring",
    security(("bearer" = [])),
    params(LeadParams, PageParams),
    responses(
        (status = 200, description = "A page of leads", body = Page<LeadDto>),
        NotSignedIn,
        (status = 403, description = "Lacks workflow:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/monitoring-leads")]
pub async fn list_leads(
    state: web::Data<AppState>,
    auth: Auth,
    params: crate::http::query::Query<LeadParams>,
    page: crate::http::query::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let after: Option<(i64, DateTime<Utc>, Uuid)> = page.cursor()?;
    let p = params.into_inner();
    // Leads name households and what a department reported (medical costs): audited as a list.
    let audited = serde_json::json!({ "region": p.region, "status": p.status, "rule": p.rule });
    let rows = state
        .read_page(
            auth,
            move |conn, ctx| {
                let f = LeadFilter {
                    within: within(p.region.as_deref(), ctx.caller.scope())?,
                    status: p
                        .status
                        .as_deref()
                        .map(LeadStatus::parse)
                        .transpose()
                        .map_err(|m| DomainError::field("status", m))?,
                    rule: p
                        .rule
                        .as_deref()
                        .map(LeadRule::parse)
                        .transpose()
                        .map_err(|m| DomainError::field("rule", m))?,
                };
                let rows = monitoring::leads(conn, &f, after, limit + 1)?;
                let heads = monitoring::lead_heads(conn, &rows)?;
                Ok((rows, heads))
            },
            move |conn, ctx, (rows, _)| {
                super::list_audit(conn, ctx, "monitoring_lead", audited, rows.len())
            },
        )
        .await?;
    let (rows, heads) = rows;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |l| (l.region_code, l.raised_at, l.id),
        |l| {
            let head = heads.get(&l.household_id).cloned().unwrap_or_default();
            LeadDto::new(l, head)
        },
    )))
}

/// A signal about a household from a department or the village.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignalBody {
    /// The household.
    pub household_id: Uuid,
    /// `medical_expense` or `disaster`.
    #[schema(schema_with = crate::routes::input::reported_lead_rules)]
    pub rule: String,
    /// For a medical expense: the amount, fen (at least `monitoring.large_medical_expense_fen`).
    #[serde(default)]
    pub amount_fen: Option<i64>,
    /// When it happened.
    pub occurred_on: NaiveDate,
    /// What happened, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub description: String,
}

/// Reports a large medical expense or a disaster as a lead (village or county users).
#[utoipa::path(
    operation_id = "report_monitoring_lead",
    tag = "monitoring",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = SignalBody,
    responses(
        (status = 201, description = "The lead", body = LeadDto),
        NotSignedIn,
        (status = 403, description = "Neither a village nor a county user with the workflow permission there", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same lead exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field (an expense below the threshold, …)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/monitoring-leads")]
pub async fn report(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<SignalBody>,
) -> ApiResult<HttpResponse> {
    let once = Once::of(&req, &body.0)?;
    let b = body.0;
    let mut errs = Vec::new();
    let signal = match (b.rule.as_str(), b.amount_fen) {
        ("medical_expense", Some(a)) if a > 0 => Some(Signal::MedicalExpense { amount_fen: a }),
        ("medical_expense", _) => {
            errs.push(FieldError::new(
                "amount_fen",
                domain::Rule::other(
                    "is required for a medical expense and must be positive",
                    "医疗支出必填,且必须为正数",
                ),
            ));
            None
        }
        ("disaster", None) => Some(Signal::Disaster),
        ("disaster", Some(_)) => {
            errs.push(FieldError::new(
                "amount_fen",
                domain::Rule::other("is only for a medical expense", "仅适用于医疗支出"),
            ));
            None
        }
        _ => {
            errs.push(FieldError::new(
                "rule",
                domain::Rule::other(
                    "must be medical_expense or disaster (the other rules come from scans)",
                    "必须是 medical_expense 或 disaster(其他规则来自比对扫描)",
                ),
            ));
            None
        }
    };
    let description = text(&mut errs, "description", &b.description, true, 2000);
    done(errs)?;
    let signal = signal.unwrap_or(Signal::Disaster);
    once.create(&state, auth, move |conn, ctx| {
        let row = monitoring::report(
            conn,
            ctx,
            b.household_id,
            &signal,
            b.occurred_on,
            &description,
        )?;
        let head = monitoring::lead_heads(conn, std::slice::from_ref(&row))?
            .remove(&row.household_id)
            .unwrap_or_default();
        Ok(LeadDto::new(row, head))
    })
    .await
}

/// A scan of a county's data.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanBody {
    /// The county, 6 digits.
    pub county_code: String,
    /// The year of the income records to check against that year's monitoring line.
    pub year: i32,
}

/// How many leads a scan raised.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScanDto {
    /// Households below the monitoring line.
    pub income_below_line: i64,
    /// Returned households without an open case.
    pub returned_case: i64,
}

impl From<ScanReport> for ScanDto {
    fn from(r: ScanReport) -> Self {
        Self {
            income_below_line: r.income_below_line,
            returned_case: r.returned_case,
        }
    }
}

/// Runs the early-warning rules over a county (county step): exited and non-poor households
/// whose per-capita income for the year is below the monitoring line (a setting per province
/// and year), and returned households without an open case. A lead is raised once per
/// household, rule and year.
#[utoipa::path(
    tag = "monitoring",
    security(("bearer" = [])),
    request_body = ScanBody,
    responses(
        (status = 200, description = "Leads raised", body = ScanDto),
        NotSignedIn,
        (status = 403, description = "Not a county user with workflow:county", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field, or no monitoring line for the year", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/monitoring-leads/scan")]
pub async fn scan(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<ScanBody>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    let mut errs = Vec::new();
    check_year(&mut errs, "year", b.year);
    let county = RegionCode::parse(&b.county_code)
        .ok()
        .filter(|c| c.level() == Level::County);
    if county.is_none() {
        errs.push(FieldError::new(
            "county_code",
            domain::Rule::format(domain::Format::CountyCode),
        ));
    }
    done(errs)?;
    let county = county.unwrap_or(RegionCode::PLATFORM);
    let year = b.year;
    let r = state
        .run(auth, move |conn, ctx| {
            monitoring::scan(conn, ctx, county, year)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ScanDto::from(r)))
}

/// The verification of a lead.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadVerificationBody {
    /// `dismiss` (no risk) or `open_case`.
    #[schema(schema_with = crate::routes::input::dismiss_or_open_case)]
    pub outcome: String,
    /// For `dismiss`: why, 1–2000 characters.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 2000, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub reason: String,
    /// For `open_case`: the kind.
    #[serde(default)]
    pub kind: String,
    /// For `open_case`: risk types.
    #[serde(default)]
    pub risk_types: Vec<String>,
    /// For `open_case`: what was found.
    #[serde(default)]
    pub description: String,
    /// For `open_case` on a disaster: help first, verify after.
    #[serde(default)]
    pub rescue_first: bool,
}

/// The lead after verification, and the case opened from it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadVerifiedDto {
    /// The lead.
    pub lead: LeadDto,
    /// The case, when one was opened.
    pub case: Option<CaseDto>,
}

/// Verifies a pending lead (village step): dismiss it with a reason, or open a case from it.
#[utoipa::path(
    tag = "monitoring",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Lead id")),
    request_body = LeadVerificationBody,
    responses(
        (status = 200, description = "Verified", body = LeadVerifiedDto),
        NotSignedIn,
        (status = 403, description = "Not a village user with workflow:village there", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Verified already, or the household has an open case", body = Problem, content_type = "application/problem+json"),
        BadField,
    )
)]
#[post("/monitoring-leads/{id}/verification")]
pub async fn verify_lead(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<LeadVerificationBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let b = body.0;
    let mut errs = Vec::new();
    let verdict = match b.outcome.as_str() {
        "dismiss" => Some(Verdict::Dismiss {
            reason: text(&mut errs, "reason", &b.reason, true, 2000),
        }),
        "open_case" => {
            let (k, r, d) = case_fields(&mut errs, &b.kind, &b.risk_types, &b.description);
            k.map(|kind| Verdict::OpenCase {
                kind,
                risk_types: r,
                description: d,
                rescue_first: b.rescue_first,
            })
        }
        _ => {
            errs.push(FieldError::new(
                "outcome",
                domain::Rule::one_of(["dismiss", "open_case"]),
            ));
            None
        }
    };
    done(errs)?;
    let Some(verdict) = verdict else {
        return Err(DomainError::field("outcome", domain::Rule::Required).into());
    };
    let keys = state.data_keys.clone();
    let (lead, case) = state
        .run(auth, move |conn, ctx| {
            let (lead, case) = monitoring::verify_lead(conn, ctx, &keys, id, &verdict)?;
            let head = monitoring::lead_heads(conn, std::slice::from_ref(&lead))?
                .remove(&lead.household_id)
                .unwrap_or_default();
            Ok((LeadDto::new(lead, head), case))
        })
        .await?;
    Ok(HttpResponse::Ok().json(LeadVerifiedDto {
        lead,
        case: case.map(CaseDto::from),
    }))
}
