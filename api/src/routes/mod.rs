//! The route table: every route, its method, and the access it needs. The gate middleware
//! denies any registered route missing from it, and a test fails when the table and the
//! registered routes (the OpenAPI document) differ.

/// Declares a route module's routes in one place: each handler with what it requires, grouped
/// by the prefix it is served under (`"/api/v1"`, or `""` for the few at the root). The method
/// and path are not repeated: they come from the handler's own `#[get("…")]`-style attribute,
/// read back through the OpenAPI path that `#[utoipa::path]` generates for it. Expands to the
/// module's `rules()` (its part of the gate's table, [`RULES`]) and `services()` (its part of
/// [`configure`]), so the table and the registered services cannot disagree. Within a prefix,
/// the order is the order actix matches in: a literal path (`/households/count`) before the
/// parameter that would also match it (`/households/{id}`).
macro_rules! routes {
    ($($prefix:literal => { $($handler:ident => $kind:ident $(($($p:tt)*))?),* $(,)? }),* $(,)?) => {
        /// This module's routes and what each requires (its part of the gate's table).
        pub fn rules() -> Vec<super::Rule> {
            vec![$($(super::rule_of(&$handler, $prefix, super::access!($kind $(($($p)*))?))),*),*]
        }

        /// Registers this module's handlers served under `prefix`.
        pub fn services(
            prefix: &str,
            cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>,
        ) {
            $(if prefix == $prefix {
                $(cfg.service($handler);)*
            })*
        }
    };
}

/// An access as `routes!` writes it: `Public`, `Authenticated` or `Permission(perm::NAME)`.
macro_rules! access {
    (Public) => {
        super::Access::Public
    };
    (Authenticated) => {
        super::Access::Authenticated
    };
    (Permission(perm::$p:ident)) => {
        super::Access::Permission(domain::authz::perm::$p)
    };
}
pub(crate) use access;
pub(crate) use routes;

pub mod attachments;
pub mod audit;
pub mod auth;
pub mod benefit_cards;
pub mod calendar;
pub mod campaign;
pub mod cases_dto;
pub mod demo;
pub mod demonstration_villages;
pub mod dto;
pub mod exit;
pub mod exit_dto;
pub mod exit_inspections;
pub mod exit_rounds;
pub mod fund_execution;
pub mod fund_matching;
pub mod funds;
pub mod funds_dto;
pub mod grant_requests;
pub mod health;
pub mod households;
pub mod imports;
pub mod income_growth;
pub mod input;
pub mod intake;
pub mod intake_objections;
pub mod key_village_leaders;
pub mod me;
pub mod members;
pub mod monitoring;
pub mod project_rules;
pub mod property;
pub mod property_appraisals;
pub mod property_routing;
pub mod ranger_record;
pub mod rangers;
pub mod regions;
pub mod relocation;
pub mod reports;
pub mod roles;
pub mod settings;
pub mod tasks;
pub mod teams;
pub mod teams_dto;
pub mod tenants;
pub mod township_plans;
pub mod transfer;
pub mod users;
pub mod village_indicators;
pub mod villages;
pub mod vocabularies;
pub mod webhooks;

use domain::authz::perm;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// What a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (login, refresh, keys, health, docs).
    Public,
    /// Any signed-in user.
    Authenticated,
    /// A signed-in user holding this permission (where it applies is checked by the use case).
    Permission(&'static str),
}

/// One row of the route table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// HTTP method.
    pub method: &'static str,
    /// Path pattern as actix and OpenAPI write it.
    pub path: &'static str,
    /// Required access.
    pub access: Access,
}

const fn r(method: &'static str, path: &'static str, access: Access) -> Rule {
    Rule {
        method,
        path,
        access,
    }
}

use Access::Public;

/// The route modules in the order their services are registered, each with its table and its
/// registration (both from its `routes!`).
type Module = (fn() -> Vec<Rule>, fn(&str, &mut ServiceConfig<'_>));

const MODULES: &[Module] = &[
    (health::rules, health::services),
    (auth::rules, auth::services),
    (me::rules, me::services),
    (tasks::rules, tasks::services),
    (regions::rules, regions::services),
    (roles::rules, roles::services),
    (tenants::rules, tenants::services),
    (settings::rules, settings::services),
    (calendar::rules, calendar::services),
    (demo::rules, demo::services),
    (users::rules, users::services),
    (grant_requests::rules, grant_requests::services),
    (audit::rules, audit::services),
    (members::rules, members::services),
    (vocabularies::rules, vocabularies::services),
    (households::rules, households::services),
    (transfer::rules, transfer::services),
    (imports::rules, imports::services),
    (exit::rules, exit::services),
    (attachments::rules, attachments::services),
    (exit_rounds::rules, exit_rounds::services),
    (exit_inspections::rules, exit_inspections::services),
    (campaign::rules, campaign::services),
    (township_plans::rules, township_plans::services),
    (intake::rules, intake::services),
    (intake_objections::rules, intake_objections::services),
    (monitoring::rules, monitoring::services),
    (property::rules, property::services),
    (property_appraisals::rules, property_appraisals::services),
    (property_routing::rules, property_routing::services),
    (villages::rules, villages::services),
    (village_indicators::rules, village_indicators::services),
    (key_village_leaders::rules, key_village_leaders::services),
    (
        demonstration_villages::rules,
        demonstration_villages::services,
    ),
    (teams::rules, teams::services),
    (funds::rules, funds::services),
    (project_rules::rules, project_rules::services),
    (fund_matching::rules, fund_matching::services),
    (benefit_cards::rules, benefit_cards::services),
    (fund_execution::rules, fund_execution::services),
    (relocation::rules, relocation::services),
    (rangers::rules, rangers::services),
    (ranger_record::rules, ranger_record::services),
    (reports::rules, reports::services),
    (webhooks::rules, webhooks::services),
];

/// Every API route with what it requires: each module declares its own beside its handlers
/// (`routes!`), and [`configure`] registers the same handlers from the same declarations.
pub static RULES: std::sync::LazyLock<Vec<Rule>> =
    std::sync::LazyLock::new(|| MODULES.iter().flat_map(|(rules, _)| rules()).collect());

/// The rule of one handler: its method and path from the OpenAPI path its `#[utoipa::path]`
/// generates, under `prefix`. Called once per route when [`RULES`] is first read (the path is
/// kept for the life of the process, as the table is).
///
/// # Panics
/// When the handler documents no path or no method: a programming error that the first test
/// run shows.
pub fn rule_of(
    handler: &impl utoipa_actix_web::OpenApiFactory,
    prefix: &str,
    access: Access,
) -> Rule {
    let paths = handler.paths();
    let Some((path, item)) = paths.paths.into_iter().next() else {
        panic!("a handler under {prefix} documents no path")
    };
    let method = [
        ("GET", item.get.is_some()),
        ("POST", item.post.is_some()),
        ("PUT", item.put.is_some()),
        ("PATCH", item.patch.is_some()),
        ("DELETE", item.delete.is_some()),
    ]
    .into_iter()
    .find_map(|(m, present)| present.then_some(m))
    .unwrap_or_else(|| panic!("{prefix}{path} documents no method"));
    Rule {
        method,
        path: Box::leak(format!("{prefix}{path}").into_boxed_str()),
        access,
    }
}

/// Routes that are not API operations, so not in the OpenAPI document: Swagger UI and the
/// document itself, the metrics, and the built console (`/console/`, docs/console.md).
pub const DOCS_RULES: &[Rule] = &[
    r("GET", "/console", Public),
    r("GET", "/console/{_:.*}", Public),
    r("GET", "/docs", Public),
    r("GET", "/docs/{_:.*}", Public),
    r("GET", "/api/v1/openapi.json", Public),
    r("GET", "/metrics", Public),
];

/// Whether a route reads individual household or member records, or records naming
/// households (monitoring cases and leads, pairings, visit logs, rangers' contracts and payout
/// sheets, relocation rosters, exit criteria), as opposed to aggregates:
/// users above the county need `cases:drilldown` for these. Filed exit lists stay open to them:
/// they were announced publicly in the villages.
pub fn is_record_route(rule: &Rule) -> bool {
    let household_records = matches!(
        rule.access,
        Access::Permission(perm::CASES_READ | perm::CASES_EXPORT | perm::CASES_REVEAL)
    ) && (rule.path.starts_with("/api/v1/households")
        || rule.path.starts_with("/api/v1/members")
        || rule.path.starts_with("/api/v1/exports/households")
        || rule.path == "/api/v1/jobs/{id}/result")
        && rule.path != "/api/v1/households/count";
    // Rangers are members of registered households (names, ID, phone, address on their
    // contracts and payout sheets); a relocation roster lists each household with its head; a
    // household's exit criteria are its yearly incomes and guarantees.
    let naming_households = rule.method == "GET"
        && ([
            "/api/v1/monitoring-cases",
            "/api/v1/monitoring-leads",
            "/api/v1/pairings",
            "/api/v1/visits",
            "/api/v1/ranger-contracts",
            "/api/v1/ranger-payouts",
        ]
        .iter()
        .any(|p| rule.path.starts_with(p))
            || rule.path == "/api/v1/relocation-plans/{id}/roster"
            || rule.path == "/api/v1/households/{id}/exit-criteria");
    // A household's benefit card, and the payment file naming households with their cards.
    let cards =
        rule.path.ends_with("/benefit-card") || rule.path == "/api/v1/projects/{id}/payment-file";
    household_records || naming_households || cards
}

/// The rule for `method` on `pattern`.
pub fn rule(method: &str, pattern: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .chain(DOCS_RULES)
        .find(|r| r.method == method && r.path == pattern)
}

/// Methods the table allows on `pattern` (for 405's `Allow`).
pub fn methods(pattern: &str) -> Vec<&'static str> {
    RULES
        .iter()
        .chain(DOCS_RULES)
        .filter(|r| r.path == pattern)
        .map(|r| r.method)
        .collect()
}

/// Registers every API route (documented through utoipa).
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    for (_, services) in MODULES {
        services("", cfg);
    }
    cfg.service(scope::scope("/api/v1").configure(|api| {
        for (_, services) in MODULES {
            services("/api/v1", api);
        }
    }));
}
