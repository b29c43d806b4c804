//! The published contract of the Zhenxing API.
//!
//! [`base`] is the hand-written part of the document (info, tags, security scheme); `api` adds
//! every route from its route table. The committed copy, `openapi/openapi.json`, is what front
//! ends build against; a test in `api` fails when it differs from the running route table
//! (regenerate it with `cargo run -p api -- openapi > openapi/openapi.json`).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::server::Server;
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, LicenseBuilder, OpenApi, OpenApiBuilder};

/// The committed document.
pub const COMMITTED: &str = include_str!("../openapi.json");

/// Name of the bearer security scheme operations refer to.
pub const BEARER: &str = "bearer";

const DESCRIPTION: &str = "\
REST API of Zhenxing (振兴), the multi-tenant system of record for targeted poverty \
alleviation and rural revitalization. Counties are the tenants; users work at province, city, \
county, township and village level and see exactly their own subtree.

Conventions: JSON bodies with snake_case fields (unknown fields are refused with 422); errors \
are RFC 9457 `application/problem+json` with a stable `code` and, for validation, per-field \
`errors`; lists use cursor pagination (`limit` ≤ 200, `cursor` from `next_cursor`); mutable \
resources carry an `ETag` and updates require `If-Match`; objects outside your scope answer \
404; every response carries `X-Request-Id`. Money is integer fen, codes are 12-digit division \
codes (6 digits for a county).";

/// The base document: info (with the licence), the server, tags and the bearer scheme.
pub fn base() -> OpenApi {
    let tag = |name: &str, description: &str| {
        TagBuilder::new()
            .name(name)
            .description(Some(description))
            .build()
    };
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Zhenxing API")
                .version("1.0.0")
                .description(Some(DESCRIPTION))
                .license(Some(
                    LicenseBuilder::new()
                        .name("MIT")
                        .identifier(Some("MIT"))
                        .build(),
                ))
                .build(),
        )
        // Paths are absolute on the host that serves the document.
        .servers(Some(vec![Server::new("/")]))
        .tags(Some(vec![
            tag("auth", "Login, token refresh and logout; public signing keys"),
            tag("me", "The caller: identity, scope, own password"),
            tag("regions", "The five-level division hierarchy (reference data)"),
            tag("tenants", "Counties onboarded as tenants"),
            tag("settings", "Typed settings per province and county, with inheritance"),
            tag("calendar", "The platform's working calendar: statutory holidays and adjusted working days (调休) per year, which every notice period and deadline follows (Civil Code §201, §203)"),
            tag("users", "Accounts and role grants inside the caller's subtree"),
            tag("roles", "The role catalog and its permissions"),
            tag("audit", "The append-only audit log"),
            tag("households", "Registered households (建档立卡): registration, lists, history, yearly records, measures"),
            tag("members", "Household members, exact search by ID number, the audited reveal"),
            tag("imports", "Bulk import as jobs with row errors, the template, streamed exports"),
            tag("exit", "Exit of households (贫困户退出): exit lists through nomination, appraisal, verification, notices, reviews, approval, announcement and filing; objections; the eight documents; targets and progress"),
            tag("campaign", "The yearly dynamic-adjustment campaign (动态调整): due dates per step, every village's progress derived from its exit and intake lists, excuses, closing; exits, entries and returns against the targets (总量控制)"),
            tag("intake", "Intake of households (新识别和返贫户及时纳入): intake lists through application, appraisal, notice, township review, county approval and announcement, which registers new households and returns others to poverty"),
            tag("attachments", "Files stored by the system for an exit list or a property hit (sign-in sheets, photos of posted notices, scans of signed forms): type told by content, size-limited, SHA-256, scoped like their object; a property hit's are confidential and audited"),
            tag("monitoring", "Return-to-poverty monitoring (防止返贫动态监测): monitored households, decisions within the deadline, early-warning leads"),
            tag("property", "Property check of registered people (财产检索核查): batches of hits, village verification against the cut-off and the one-vote veto conditions, opinion and statistics tables, county confirmation; confidential and audited"),
            tag("villages", "Village profiles per year, county figures, key assistance villages (乡村振兴重点帮扶村): plans, targets evaluated from the profiles, rankings, assessments, exit"),
            tag("teams", "Resident work teams and members, cadre-household pairings, visit logs, expert advisers, strong-weak village pairings, coverage"),
            tag("funds", "Funds by year, level and source; projects; allocations and disbursements as append-only ledgers; execution rates; the key-village share of linking funds; relocation plans"),
            tag("rangers", "Forest-ranger subsidy contracts (生态护林员): patrol log, inspections, incidents, monthly payouts explained line by line with the clauses applied"),
            tag("reports", "Rollups and dashboards for any region in scope, one level of drill-down at a time, with small-cell suppression above the county; JSON with a chart shape, CSV, XLSX; as-of dates"),
            tag("webhooks", "Endpoints a county registers for domain events (household created or changed, workflow step taken, notice period ended, monitoring lead raised, disbursement made); signed deliveries with retries, listable with their status. Each POST carries `Zhenxing-Event`, `Zhenxing-Event-Id` (deduplicate on it: delivery is at least once), `Zhenxing-Delivery` and `Zhenxing-Signature: t=<unix>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" with the endpoint's secret>`"),
            tag("cors", "Origins the county's browser front ends are served from; none by default"),
            tag("health", "Liveness and readiness"),
        ]))
        .components(Some(
            ComponentsBuilder::new()
                .security_scheme(
                    BEARER,
                    SecurityScheme::Http(
                        HttpBuilder::new()
                            .scheme(HttpAuthScheme::Bearer)
                            .bearer_format("JWT")
                            .description(Some(
                                "EdDSA-signed access token from POST /api/v1/auth/login (15 minutes); \
                                 public keys at /.well-known/jwks.json",
                            ))
                            .build(),
                    ),
                )
                .build(),
        ))
        .build()
}
