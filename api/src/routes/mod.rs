//! The route table: every route, its method, and the access it needs. The gate middleware
//! denies any registered route missing from it, and a test fails when the table and the
//! registered routes (the OpenAPI document) differ.

pub mod attachments;
pub mod audit;
pub mod auth;
pub mod benefit_cards;
pub mod calendar;
pub mod campaign;
pub mod cases_dto;
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

/// Every route: each module declares its own beside its handlers. Keep in step with
/// [`configure`]; the tests check both directions.
pub static RULES: std::sync::LazyLock<Vec<Rule>> = std::sync::LazyLock::new(|| {
    [
        auth::RULES,
        health::RULES,
        me::RULES,
        tasks::RULES,
        regions::RULES,
        roles::RULES,
        tenants::RULES,
        settings::RULES,
        calendar::RULES,
        users::RULES,
        grant_requests::RULES,
        audit::RULES,
        members::RULES,
        vocabularies::RULES,
        households::RULES,
        transfer::RULES,
        imports::RULES,
        campaign::RULES,
        township_plans::RULES,
        intake::RULES,
        intake_objections::RULES,
        exit::RULES,
        exit_rounds::RULES,
        exit_inspections::RULES,
        attachments::RULES,
        monitoring::RULES,
        property::RULES,
        property_appraisals::RULES,
        property_routing::RULES,
        villages::RULES,
        village_indicators::RULES,
        key_village_leaders::RULES,
        teams::RULES,
        demonstration_villages::RULES,
        funds::RULES,
        project_rules::RULES,
        fund_matching::RULES,
        benefit_cards::RULES,
        fund_execution::RULES,
        relocation::RULES,
        rangers::RULES,
        ranger_record::RULES,
        reports::RULES,
        webhooks::RULES,
    ]
    .concat()
});

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
/// households (monitoring cases and leads, pairings, visit logs), as opposed to aggregates:
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
    let naming_households = rule.method == "GET"
        && [
            "/api/v1/monitoring-cases",
            "/api/v1/monitoring-leads",
            "/api/v1/pairings",
            "/api/v1/visits",
        ]
        .iter()
        .any(|p| rule.path.starts_with(p));
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
    cfg.service(health::live)
        .service(health::ready)
        .service(auth::jwks)
        .service(
            scope::scope("/api/v1")
                .service(auth::login)
                .service(auth::refresh)
                .service(auth::logout)
                .service(me::get_me)
                .service(me::change_password)
                .service(tasks::list_tasks)
                .service(regions::get_region)
                .service(regions::list_children)
                .service(roles::list_roles)
                .service(tenants::list_tenants)
                .service(tenants::create_tenant)
                .service(tenants::get_tenant)
                .service(settings::get_settings)
                .service(settings::put_settings)
                .service(calendar::get_calendar_year)
                .service(calendar::put_calendar_year)
                .service(users::list_users)
                .service(users::create_user)
                .service(users::get_user)
                .service(users::update_user)
                .service(users::disable_user)
                .service(users::enable_user)
                .service(users::reset_password)
                .service(users::list_grants)
                .service(users::create_grant)
                .service(users::delete_grant)
                .service(grant_requests::list_grant_requests)
                .service(grant_requests::get_grant_request)
                .service(grant_requests::approve_grant_request)
                .service(grant_requests::reject_grant_request)
                .service(audit::list_audit_events)
                .service(members::list_causes)
                .service(vocabularies::list_vocabularies)
                .service(households::list_households)
                .service(households::create_household)
                .service(households::count_households)
                .service(households::get_household)
                .service(households::household_card)
                .service(households::update_household)
                .service(households::household_history)
                .service(members::list_members)
                .service(members::add_member)
                .service(members::get_member)
                .service(members::update_member)
                .service(members::remove_member)
                .service(households::list_years)
                .service(households::get_year)
                .service(households::put_year)
                .service(households::list_measures)
                .service(households::add_measure)
                .service(members::search_members)
                .service(members::reveal_member)
                .service(transfer::import_template)
                .service(transfer::import_households)
                .service(imports::household_years_template)
                .service(imports::import_household_years)
                .service(imports::village_profiles_template)
                .service(imports::import_village_profiles)
                .service(imports::visits_template)
                .service(imports::import_visits)
                .service(imports::team_members_template)
                .service(imports::import_team_members)
                .service(imports::benefit_cards_template)
                .service(imports::import_benefit_cards)
                .service(imports::ranger_patrols_template)
                .service(imports::import_ranger_patrols)
                .service(imports::ranger_inspections_template)
                .service(imports::import_ranger_inspections)
                .service(transfer::list_jobs)
                .service(transfer::get_job)
                .service(transfer::job_errors)
                .service(transfer::export_households)
                .service(exit::list_exit_lists)
                .service(exit::nominate)
                .service(exit::get_exit_list)
                .service(exit::add_entries)
                .service(exit::appraisal)
                .service(exit::verification)
                .service(exit::team_verification)
                .service(exit::acknowledgement)
                .service(exit::first_notice)
                .service(exit::township_review)
                .service(exit::second_notice)
                .service(exit::approval)
                .service(exit::announcement)
                .service(exit::filing)
                .service(exit::document)
                .service(exit::raise_objection)
                .service(attachments::upload_attachment)
                .service(attachments::list_attachments)
                .service(attachments::get_attachment)
                .service(attachments::attachment_content)
                .service(exit::list_objections)
                .service(exit::resolve_objection)
                .service(exit::put_target)
                .service(exit::exit_progress)
                .service(exit::exit_criteria)
                .service(exit_rounds::open_exit_round)
                .service(exit_rounds::list_exit_rounds)
                .service(exit_rounds::get_exit_round)
                .service(exit_rounds::review_exit_round)
                .service(exit_rounds::second_notice_exit_round)
                .service(exit_rounds::approve_exit_round)
                .service(exit_rounds::announce_exit_round)
                .service(exit_rounds::file_county_exits)
                .service(exit_inspections::create_exit_inspection)
                .service(exit_inspections::list_exit_inspections)
                .service(exit_inspections::get_exit_inspection)
                .service(exit_inspections::visit_exit_inspection_household)
                .service(campaign::list_campaigns)
                .service(campaign::open_campaign)
                .service(campaign::get_campaign)
                .service(campaign::campaign_villages)
                .service(campaign::excuse_village)
                .service(campaign::close_campaign)
                .service(campaign::put_intake_target)
                .service(township_plans::list_township_plans)
                .service(township_plans::township_plans_rollup)
                .service(township_plans::get_township_plan)
                .service(township_plans::put_township_plan)
                .service(township_plans::approve_township_plan)
                .service(township_plans::reopen_township_plan)
                .service(intake::list_intake_lists)
                .service(intake::create_intake_list)
                .service(intake::get_intake_list)
                .service(intake::intake_appraisal)
                .service(intake::intake_notice)
                .service(intake::intake_township_review)
                .service(intake::intake_approval)
                .service(intake::intake_announcement)
                .service(intake_objections::raise_intake_objection)
                .service(intake_objections::resolve_intake_objection)
                .service(monitoring::list_cases)
                .service(monitoring::open_case)
                .service(monitoring::get_case)
                .service(monitoring::township_review)
                .service(monitoring::confirmation)
                .service(monitoring::post_verification)
                .service(monitoring::risk_elimination)
                .service(monitoring::return_to_poverty)
                .service(monitoring::add_measure)
                .service(monitoring::assign_contact)
                .service(monitoring::list_leads)
                .service(monitoring::scan)
                .service(monitoring::report)
                .service(monitoring::verify_lead)
                .service(property::template)
                .service(property::import)
                .service(property::list_batches)
                .service(property::get_batch)
                .service(property::list_hits)
                .service(property::get_hit)
                .service(property::verify)
                .service(property_appraisals::appraise)
                .service(property_appraisals::send_back)
                .service(property_appraisals::list_appraisals)
                .service(property_routing::set_liaisons)
                .service(property_routing::list_liaisons)
                .service(property_routing::forward_township)
                .service(property_routing::forward_village)
                .service(property_routing::routing)
                .service(property::opinions)
                .service(property::statistics)
                .service(property::check_sheet)
                .service(property::opinion_sheet)
                .service(property::statistics_sheet)
                .service(property::submit)
                .service(property::confirm)
                .service(property::reverse)
                .service(property::veto_conditions)
                .service(villages::list_profiles)
                .service(villages::get_profile)
                .service(villages::put_profile)
                .service(villages::put_county_figure)
                .service(villages::designate)
                .service(villages::list_key_villages)
                .service(villages::get_key_village)
                .service(villages::indicator_table)
                .service(villages::assess)
                .service(villages::exit_key)
                .service(village_indicators::put_industry_plan)
                .service(key_village_leaders::link_leader)
                .service(key_village_leaders::list_leaders)
                .service(demonstration_villages::designate_demonstration_village)
                .service(demonstration_villages::list)
                .service(teams::create_team)
                .service(teams::list_teams)
                .service(teams::get_team)
                .service(teams::add_member)
                .service(teams::pair)
                .service(teams::list_pairings)
                .service(teams::end_pairing)
                .service(teams::log_visit)
                .service(teams::list_visits)
                .service(teams::add_adviser)
                .service(teams::list_advisers)
                .service(teams::pair_villages)
                .service(teams::list_village_pairings)
                .service(teams::coverage)
                .service(funds::create_fund)
                .service(funds::list_funds)
                .service(funds::create_project)
                .service(funds::list_projects)
                .service(funds::get_project)
                .service(funds::record_progress)
                .service(funds::set_project_manager)
                .service(project_rules::create_project_posting)
                .service(project_rules::get_project_posting)
                .service(project_rules::project_notice)
                .service(project_rules::key_village_funding)
                .service(fund_matching::city_matching)
                .service(funds::allocate)
                .service(funds::reverse_allocation)
                .service(funds::disburse)
                .service(funds::reverse_disbursement)
                .service(benefit_cards::get_benefit_card)
                .service(benefit_cards::put_benefit_card)
                .service(benefit_cards::payment_file)
                .service(fund_execution::execution)
                .service(fund_execution::linking_share)
                .service(relocation::plan_relocation)
                .service(relocation::list_relocation)
                .service(relocation::relocation_roster)
                .service(rangers::sign_contract)
                .service(rangers::list_contracts)
                .service(rangers::inspect)
                .service(rangers::incident)
                .service(rangers::log_patrol)
                .service(rangers::list_patrols)
                .service(rangers::late_payouts)
                .service(rangers::compute_payout)
                .service(rangers::contract_document)
                .service(rangers::payout_document)
                .service(rangers::pay)
                .service(rangers::terminate)
                .service(ranger_record::contract_record)
                .service(reports::report)
                .service(transfer::export_job)
                .service(transfer::job_result)
                .service(webhooks::create_webhook)
                .service(webhooks::list_webhooks)
                .service(webhooks::list_event_kinds)
                .service(webhooks::get_webhook)
                .service(webhooks::patch_webhook)
                .service(webhooks::delete_webhook)
                .service(webhooks::list_deliveries)
                .service(webhooks::retry_delivery)
                .service(webhooks::get_cors)
                .service(webhooks::put_cors),
        );
}
