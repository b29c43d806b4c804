//! HTTP conventions, the route table, and the OpenAPI document.

use std::collections::BTreeSet;

use api::routes::{Access, RULES};
use serde_json::json;

use crate::helpers::TestApp;

fn documented_operations() -> BTreeSet<(String, String)> {
    let doc = serde_json::to_value(api::api_doc()).unwrap_or_default();
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().cloned().unwrap_or_default() {
        for method in item
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            ops.insert((method.to_uppercase(), path.clone()));
        }
    }
    ops
}

/// utoipa takes an operation's id from its handler's name: two handlers of one name in two
/// route modules give two operations one id, which code generators for front ends refuse.
#[test]
fn every_operation_id_is_unique() {
    let doc = serde_json::to_value(api::api_doc()).unwrap_or_else(|e| panic!("{e}"));
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut clashes = Vec::new();
    for (path, ops) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in ops.as_object().into_iter().flatten() {
            let Some(id) = op["operationId"].as_str() else {
                continue;
            };
            let here = format!("{} {path}", method.to_uppercase());
            if let Some(first) = seen.insert(id.to_string(), here.clone()) {
                clashes.push(format!("{id}: {first} and {here}"));
            }
        }
    }
    assert!(clashes.is_empty(), "operation ids used twice: {clashes:?}");
}

/// utoipa names a component schema after its type, and two types of one name merge silently
/// into one entry of the document (the second route then documents the first type's body): every
/// `ToSchema` type in `api/src` has a name of its own.
#[test]
fn no_two_schema_types_share_a_name() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut seen: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    let mut clashes = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let mut derives_schema = false;
        let mut renamed: Option<String> = None;
        for line in text.lines() {
            let l = line.trim();
            if l.starts_with("#[derive(") {
                derives_schema = l.contains("ToSchema");
            } else if let Some(rest) = l.strip_prefix("#[schema(as = ") {
                // `#[schema(as = Name)]` gives the schema a name other than the type's.
                renamed = Some(rest.trim_end_matches(")]").trim().to_string());
            } else if let Some(rest) = l
                .strip_prefix("pub struct ")
                .or_else(|| l.strip_prefix("pub enum "))
            {
                if derives_schema {
                    let name: String = renamed.take().unwrap_or_else(|| {
                        rest.chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect()
                    });
                    let here = f.display().to_string();
                    if let Some(first) = seen.insert(name.clone(), here.clone()) {
                        clashes.push(format!("{name}: {first} and {here}"));
                    }
                }
                derives_schema = false;
                renamed = None;
            } else if !l.starts_with("#[") && !l.starts_with("///") && !l.is_empty() {
                derives_schema = false;
                renamed = None;
            }
        }
    }
    assert!(!seen.is_empty(), "no schema types found under api/src");
    assert!(clashes.is_empty(), "schema names used twice: {clashes:?}");
}

#[test]
fn every_registered_route_has_a_rule_and_every_rule_a_route() {
    let documented = documented_operations();
    let table: BTreeSet<(String, String)> = RULES
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    let missing: Vec<_> = documented.difference(&table).collect();
    let stale: Vec<_> = table.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "routes without an entry in the route table: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "route-table entries without a route: {stale:?}"
    );
}

#[test]
fn committed_openapi_matches_the_running_route_table() {
    let generated = serde_json::to_string_pretty(&api::api_doc()).unwrap_or_default() + "\n";
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
        std::fs::write(path, &generated).unwrap_or_else(|e| panic!("{e}"));
        return;
    }
    assert!(
        openapi::COMMITTED == generated,
        "openapi/openapi.json is out of date: run `UPDATE_OPENAPI=1 cargo test -p api --test it committed_openapi` \
         or `cargo run -p api -- openapi > openapi/openapi.json`"
    );
}

/// A "not blank" pattern must mean what the server's `str::trim` means: ECMA-262's `\s` (what a
/// validator reads) leaves out U+0085 and takes in U+FEFF, Rust's whitespace the other way round.
/// A bare `\S` let "\u{85}" through the document and the server refused it as blank (the fuzzer's
/// ST202 on POST /intake-lists/{id}/objections); `[^\s\u0085]|\ufeff` is the same set in both.
#[test]
fn no_pattern_reads_blank_differently_from_the_server() {
    fn patterns(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    match (k.as_str(), x) {
                        ("pattern", serde_json::Value::String(p)) => out.push(p.clone()),
                        _ => patterns(x, out),
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| patterns(x, out)),
            _ => {}
        }
    }
    let doc = serde_json::to_value(api::api_doc()).unwrap_or_default();
    let mut all = Vec::new();
    patterns(&doc, &mut all);
    assert!(all.iter().any(|p| p.contains("[^\\s\\u0085]|\\ufeff")));
    for p in &all {
        let bare = p.replace("[\\s\\S]", "");
        assert!(
            !bare.contains("\\S"),
            "pattern {p:?} uses \\S: write [^\\s\\u0085]|\\ufeff so the document and the server agree on blank"
        );
    }
}

#[test]
fn every_secured_operation_declares_bearer_security_and_problem_errors() {
    let doc = serde_json::to_value(api::api_doc()).unwrap_or_default();
    for rule in RULES.iter() {
        let op = &doc["paths"][rule.path][rule.method.to_lowercase()];
        assert!(
            op.is_object(),
            "{} {} is not documented",
            rule.method,
            rule.path
        );
        let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
        assert_eq!(
            secured,
            rule.access != Access::Public,
            "{} {}: security does not match the route table",
            rule.method,
            rule.path
        );
        if rule.access != Access::Public {
            assert!(
                op["responses"]["401"].is_object(),
                "{} {} does not document 401",
                rule.method,
                rule.path
            );
        }
    }
}

/// Fills path parameters with well-formed values.
pub fn concrete(path: &str) -> String {
    let path = &if path.starts_with("/api/v1/villages/") || path.contains("/villages/{code}/") {
        path.replace("{code}", "370831001003")
    } else if path.starts_with("/api/v1/reports/") {
        path.replace("{kind}", "households")
    } else {
        path.to_string()
    };
    path.replace("{id}", "6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6b")
        .replace("{grant_id}", "6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6c")
        .replace("{code}", "370831")
        .replace("{county_code}", "370831")
        .replace("{township_code}", "370831001")
        .replace("{region_code}", "370831")
        .replace("{member_id}", "6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6d")
        .replace("{household_id}", "6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6f")
        .replace("{village_code}", "370831001003")
        .replace("{township_code}", "370831001")
        .replace("{delivery_id}", "6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6e")
        .replace("{objection_id}", "6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a70")
        .replace("{measure_id}", "6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a71")
        .replace("{year}", "2020")
        .replace("{kind}", "application")
        .replace("{month}", "2021-01")
        + match path.as_str() {
            "/api/v1/exit-progress" | "/api/v1/households/{id}/exit-criteria" => "?year=2020",
            "/api/v1/property-checks" => "?name=batch",
            "/api/v1/fund-execution" => "?year=2021",
            "/api/v1/township-plans" => "?year=2020",
            "/api/v1/township-plans/rollup" => "?county_code=370831&year=2020",
            _ => "",
        }
}

/// A well-formed body per route, so that authorization, not validation, decides the answer.
pub fn sample_body(method: &str, path: &str) -> serde_json::Value {
    match (method, path) {
        ("POST", "/api/v1/tenants") => {
            json!({"county_code": "370832", "admin_username": "admin.x", "admin_display_name": "x", "admin_password": "a-good-password"})
        }
        ("POST", "/api/v1/users") => {
            json!({"username": "some.one", "display_name": "x", "password": "a-good-password", "org_unit": "370831001003"})
        }
        ("PATCH", "/api/v1/users/{id}") => json!({"display_name": "x"}),
        ("POST", "/api/v1/webhooks") => {
            json!({"url": "https://hooks.example.cn/zx", "events": ["household.created"]})
        }
        ("PATCH", "/api/v1/webhooks/{id}") => json!({"active": false}),
        ("POST", "/api/v1/exit-inspections") => {
            json!({"region": "370831000000", "year": 2023, "size": 1})
        }
        ("POST", "/api/v1/exit-inspections/{id}/households/{household_id}/visit") => {
            json!({"visited_on": "2026-01-01", "findings": "x", "outcome": "confirmed"})
        }
        ("PUT", "/api/v1/households/{id}/benefit-card") => {
            json!({"bank_name": "x", "card_number": crate::benefit_cards::CARD})
        }
        ("PUT", "/api/v1/township-plans/{township_code}/{year}") => {
            json!({"exit_households": 1, "exit_people": 2})
        }
        ("PUT", "/api/v1/cors-origins") => json!({"origins": ["https://app.example.cn"]}),
        ("POST", "/api/v1/users/{id}/password-reset") => json!({"new_password": "a-good-password"}),
        ("POST", "/api/v1/users/{id}/roles") => {
            json!({"role": "village_clerk", "org_unit": "370831001003"})
        }
        ("PUT", "/api/v1/settings/{region_code}") => json!({"overrides": {}}),
        ("PUT", "/api/v1/calendar/{year}") => {
            let days: Vec<serde_json::Value> = domain::calendar::fixed_holidays(2020)
                .into_iter()
                .map(|(d, en, zh)| json!({"date": d, "kind": "holiday", "festival": en, "festival_zh": zh}))
                .collect();
            json!({"source": "matrix", "days": days})
        }
        ("PUT", "/api/v1/me/password") => {
            json!({"current_password": "x", "new_password": "a-good-password"})
        }
        ("POST", "/api/v1/households") => crate::cases::household(
            "X1",
            "370831001003",
            &[crate::cases::id_number("370831", 1)],
        ),
        ("POST", "/api/v1/households/{id}/members") => {
            json!({"name": "x", "id_number": crate::cases::id_number("370831", 2), "relationship": "child"})
        }
        ("PATCH", "/api/v1/households/{id}")
        | ("PATCH", "/api/v1/households/{id}/members/{member_id}") => json!({}),
        ("PUT", "/api/v1/households/{id}/years/{year}") => {
            json!({"income_per_capita_fen": 1, "enough_food": true, "enough_clothing": true,
            "compulsory_education": true, "basic_medical": true, "safe_housing": true, "safe_drinking_water": true})
        }
        ("POST", "/api/v1/households/{id}/measures")
        | ("PUT", "/api/v1/households/{id}/measures/{measure_id}") => {
            json!({"kind": "industry", "date": "2020-01-01", "responsible": "x"})
        }
        ("POST", "/api/v1/members/search") => {
            json!({"id_number": crate::cases::id_number("370831", 3)})
        }
        ("POST", "/api/v1/members/{member_id}/reveal") => json!({"reason": "a good reason"}),
        ("POST", "/api/v1/exit-lists") => {
            json!({"village_code": "370831001003", "year": 2020, "villager_group": "一组",
                "nominated_on": "2020-01-01", "households": ["6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6e"]})
        }
        ("POST", "/api/v1/exit-lists/{id}/entries") => {
            json!({"households": ["6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6e"]})
        }
        ("POST", "/api/v1/exit-lists/{id}/appraisal") => {
            json!({"held_on": "2020-01-01", "attendees": 10, "minutes": "m", "votes": []})
        }
        ("POST", "/api/v1/exit-lists/{id}/verification") => {
            json!({"verified_on": "2020-01-01", "verifiers": ["a"], "findings": "f"})
        }
        ("POST", "/api/v1/exit-lists/{id}/first-notice")
        | ("POST", "/api/v1/exit-lists/{id}/second-notice")
        | ("POST", "/api/v1/exit-lists/{id}/announcement") => json!({"location": "x"}),
        ("POST", "/api/v1/exit-lists/{id}/township-review")
        | ("POST", "/api/v1/exit-lists/{id}/approval") => json!({"opinion": "ok"}),
        ("POST", "/api/v1/exit-lists/{id}/verification/team") => json!({"opinion": "ok"}),
        ("POST", "/api/v1/exit-lists/{id}/acknowledgement") => json!({"note": "ok"}),
        ("POST", "/api/v1/exit-lists/{id}/filing") => json!({"reference": "r"}),
        ("POST", "/api/v1/exit-rounds") => {
            json!({"township": "370831001", "year": 2016, "opinion": "ok"})
        }
        ("POST", "/api/v1/exit-rounds/{id}/township-review")
        | ("POST", "/api/v1/exit-rounds/{id}/approval") => json!({"opinion": "ok"}),
        ("POST", "/api/v1/exit-rounds/{id}/second-notice") => {
            json!({"postings": [{"village_code": "370831001003", "location": "x"}]})
        }
        ("POST", "/api/v1/exit-rounds/{id}/announcement") => json!({"location": "x"}),
        ("POST", "/api/v1/exit-filings") => {
            json!({"county_code": "370831", "year": 2016, "reference": "r"})
        }
        ("PUT", "/api/v1/townships/{township_code}/liaisons") => json!({"liaisons": []}),
        ("POST", "/api/v1/property-checks/{id}/villages/{village_code}/send-back") => {
            json!({"reason": "r"})
        }
        ("POST", "/api/v1/exit-lists/{id}/objections")
        | ("POST", "/api/v1/intake-lists/{id}/objections") => {
            json!({"household_id": "6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6e", "raised_by": "x", "content": "y"})
        }
        ("POST", "/api/v1/objections/{id}/resolution")
        | ("POST", "/api/v1/intake-lists/{id}/objections/{objection_id}/resolution") => {
            json!({"outcome": "dismissed", "reason": "r"})
        }
        ("PUT", "/api/v1/exit-targets/{county_code}/{year}")
        | ("PUT", "/api/v1/intake-targets/{county_code}/{year}") => json!({"people": 10}),
        ("POST", "/api/v1/campaigns") => json!({"county_code": "370831", "year": 2020}),
        ("POST", "/api/v1/campaigns/{id}/excuses") => {
            json!({"village_code": "370831001003", "reason": "本年度无增减"})
        }
        ("POST", "/api/v1/intake-lists") => {
            json!({"village_code": "370831001003", "year": 2020, "source": "application",
                "applied_on": "2020-01-01",
                "entries": [{"household_id": "6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6e", "kind": "new"}]})
        }
        ("POST", "/api/v1/intake-lists/{id}/appraisal") => {
            json!({"held_on": "2020-01-01", "attendees": 10, "minutes": "m", "votes": []})
        }
        ("POST", "/api/v1/intake-lists/{id}/notice")
        | ("POST", "/api/v1/intake-lists/{id}/announcement") => json!({"location": "x"}),
        ("POST", "/api/v1/intake-lists/{id}/township-review")
        | ("POST", "/api/v1/intake-lists/{id}/approval") => json!({"opinion": "ok"}),
        ("POST", "/api/v1/monitoring-cases") => {
            json!({"household_id": "6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6e", "kind": "marginal", "risk_types": ["illness"],
                "found_on": "2020-01-01", "description": "d"})
        }
        ("POST", "/api/v1/monitoring-cases/{id}/township-review")
        | ("POST", "/api/v1/monitoring-cases/{id}/confirmation")
        | ("POST", "/api/v1/monitoring-cases/{id}/post-verification") => {
            json!({"approve": true, "opinion": "o"})
        }
        ("POST", "/api/v1/monitoring-cases/{id}/risk-elimination")
        | ("POST", "/api/v1/monitoring-cases/{id}/return-to-poverty") => json!({"opinion": "o"}),
        ("POST", "/api/v1/monitoring-cases/{id}/measures") => {
            json!({"kind": "industry", "date": "2020-01-01", "responsible": "x"})
        }
        ("POST", "/api/v1/monitoring-leads") => {
            json!({"household_id": "6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6e", "rule": "disaster", "occurred_on": "2020-01-01", "description": "d"})
        }
        ("POST", "/api/v1/property-hits/{id}/verification") => json!({"is_true": false}),
        ("POST", "/api/v1/property-checks/{id}/appraisals") => {
            json!({"village_code": "370831001003", "held_on": "2020-01-01", "attendees": 21, "minutes": "村评议会逐户评议检索结果", "opinions": []})
        }
        ("POST", "/api/v1/property-checks/{id}/submissions")
        | ("POST", "/api/v1/property-checks/{id}/confirmations") => {
            json!({"township_code": "370831001"})
        }
        ("POST", "/api/v1/property-hits/{id}/reversal") => json!({"reason": "r"}),
        ("PUT", "/api/v1/villages/{code}/profiles/{year}") => {
            json!({"households": 1, "population": 1, "per_capita_income_fen": 1,
                "collective_income_fen": 1, "cultivated_mu": 1.0, "forest_mu": 1.0})
        }
        ("PUT", "/api/v1/county-figures/{county_code}/{year}") => {
            json!({"per_capita_income_fen": 1})
        }
        ("POST", "/api/v1/key-villages") => {
            json!({"village_code": "370831001003", "from_year": 2021, "to_year": 2025, "plan": "p"})
        }
        ("POST", "/api/v1/key-villages/{id}/assessments") => json!({"year": 2021, "grade": "good"}),
        ("POST", "/api/v1/key-villages/{id}/exit") => {
            json!({"decided_on": "2021-01-01", "reason": "r"})
        }
        ("PUT", "/api/v1/key-villages/{id}/industry-plan") => {
            json!({"adopted_on": "2021-01-01"})
        }
        ("POST", "/api/v1/key-villages/{id}/leaders") => {
            json!({"name": "王某", "position": "副县长", "from_date": "2021-01-01"})
        }
        ("POST", "/api/v1/teams") => json!({"village_code": "370831001003", "name": "t"}),
        ("POST", "/api/v1/teams/{id}/members") => {
            json!({"name": "n", "id_number": crate::cases::id_number("370831", 4),
                "dispatching_unit": "u", "position": "member",
                "term_start": "2021-01-01", "term_end": "2022-01-01"})
        }
        ("POST", "/api/v1/pairings") => {
            json!({"household_id": "6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6e", "member_id": "6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6e", "start_date": "2021-01-01"})
        }
        ("POST", "/api/v1/pairings/{id}/end") => json!({"end_date": "2021-01-01"}),
        ("POST", "/api/v1/visits") => {
            json!({"household_id": "6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6e", "visited_on": "2021-01-01", "found": "f", "done": "d"})
        }
        ("POST", "/api/v1/advisers") => {
            json!({"village_code": "370831001003", "name": "n", "specialty": "s", "unit": "u",
                "from_date": "2021-01-01"})
        }
        ("POST", "/api/v1/demonstration-villages") => {
            json!({"village_code": "370831001003", "level": "province", "designated_year": 2021})
        }
        ("POST", "/api/v1/village-pairings") => {
            json!({"strong_village_code": "370831001003", "weak_village_code": "370831001010",
                "from_year": 2021, "to_year": 2022})
        }
        ("POST", "/api/v1/funds") => {
            json!({"county_code": "370831", "year": 2021, "level": "province", "source": "s",
                "purpose": "other", "amount_fen": 1, "received_on": "2021-01-01"})
        }
        ("POST", "/api/v1/projects") => {
            json!({"region_code": "370831001003", "year": 2021, "name": "n", "purpose": "other",
                "budget_fen": 1, "account": "a"})
        }
        ("POST", "/api/v1/projects/{id}/progress") => {
            json!({"progress_pct": 10, "recorded_on": "2021-01-01"})
        }
        ("PUT", "/api/v1/projects/{id}/manager") => json!({"manager_user_id": null}),
        ("POST", "/api/v1/projects/{id}/posting") => {
            json!({"posted_on": "2021-01-01", "location": "村务公开栏"})
        }
        ("POST", "/api/v1/allocations") => {
            json!({"fund_id": "6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6e", "project_id": "6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6e", "amount_fen": 1})
        }
        ("POST", "/api/v1/allocations/{id}/reversal")
        | ("POST", "/api/v1/disbursements/{id}/reversal") => json!({"note": "n"}),
        ("POST", "/api/v1/projects/{id}/disbursements") => {
            json!({"amount_fen": 1, "payee": "p", "paid_on": "2021-01-01"})
        }
        ("POST", "/api/v1/relocation-plans") => {
            json!({"region_code": "370831", "year": 2021, "name": "n", "households": 1, "people": 1})
        }
        ("POST", "/api/v1/ranger-contracts") => {
            json!({"member_id": "6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6e", "station": "s", "area_mu": 1.0, "bound_east": "e",
                "bound_south": "s", "bound_west": "w", "bound_north": "n",
                "start_date": "2021-01-01", "end_date": "2021-12-31", "project_id": "6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6e"})
        }
        ("POST", "/api/v1/ranger-contracts/{id}/inspections") => {
            json!({"inspected_on": "2021-01-01", "present": true})
        }
        ("POST", "/api/v1/ranger-contracts/{id}/patrols") => {
            json!({"patrolled_on": "2020-01-01", "area": "x"})
        }
        ("POST", "/api/v1/ranger-contracts/{id}/incidents") => {
            json!({"occurred_on": "2021-01-01", "kind": "fire", "through_negligence": false})
        }
        ("POST", "/api/v1/ranger-contracts/{id}/termination") => {
            json!({"terminated_on": "2021-01-01", "reason": "r"})
        }
        ("POST", "/api/v1/monitoring-leads/scan") => json!({"county_code": "370831", "year": 2021}),
        ("PUT", "/api/v1/demo/clock") => json!({"offset_days": 1}),
        ("POST", "/api/v1/monitoring-leads/{id}/verification") => {
            json!({"outcome": "dismiss", "reason": "r"})
        }
        _ => json!({}),
    }
}

#[actix_web::test]
async fn a_user_without_roles_is_refused_every_permissioned_route() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    app.user("nobody", "370831001003", &[]);
    let t = app.token("nobody").await;
    for rule in RULES.iter() {
        let body = sample_body(rule.method, rule.path);
        let r = app
            .send(
                rule.method,
                &concrete(rule.path),
                Some(&t),
                Some(&body),
                &[("if-match", "\"1\"")],
            )
            .await;
        match rule.access {
            Access::Permission(p) => {
                assert_eq!(
                    r.status, 403,
                    "{} {} ({p}) answered {}: {:?}",
                    rule.method, rule.path, r.status, r.body
                );
            }
            // Reports need the permission of the kind asked for (households: cases:read).
            Access::Authenticated if rule.path == "/api/v1/reports/{kind}" => {
                assert_eq!(r.status, 403, "{} {}", rule.method, rule.path)
            }
            Access::Authenticated | Access::Public => {
                assert_ne!(r.status, 403, "{} {}", rule.method, rule.path)
            }
        }
        // Without a token every non-public route answers 401.
        if rule.access != Access::Public {
            let r = app
                .send(rule.method, &concrete(rule.path), None, Some(&body), &[])
                .await;
            assert_eq!(
                r.status, 401,
                "{} {} without a token",
                rule.method, rule.path
            );
        }
    }
}

#[actix_web::test]
async fn conventions_hold() {
    let mut app = TestApp::spawn().await;
    let admin = app.onboard("370831");
    let t = app.token(&admin).await;
    // Security headers and request ids on every answer, errors as problem+json.
    let r = app.get("/api/v1/me", &t).await;
    for h in [
        "x-content-type-options",
        "cache-control",
        "x-frame-options",
        "content-security-policy",
        "x-request-id",
    ] {
        assert!(r.header(h).is_some(), "missing {h}");
    }
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    assert!(r.header("access-control-allow-origin").is_none());
    let r = app.get("/api/v1/nothing-here", &t).await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(r.body["code"], "not_found");
    assert_eq!(
        r.body["request_id"].as_str(),
        r.header("x-request-id").as_deref()
    );
    // 405 with Allow.
    let r = app.send("DELETE", "/api/v1/me", Some(&t), None, &[]).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow").as_deref(), Some("GET"));
    // 415 for another content type, 413 over the limit, 422 for malformed or unknown fields.
    let r = app
        .post_raw("/api/v1/users", Some(&t), "text/plain", b"{}".to_vec())
        .await;
    assert_eq!(r.status, 415);
    let big = format!("{{\"username\": \"{}\"}}", "x".repeat(100_000));
    let r = app
        .post_raw(
            "/api/v1/users",
            Some(&t),
            "application/json",
            big.into_bytes(),
        )
        .await;
    assert_eq!(r.status, 413);
    let r = app
        .post_raw(
            "/api/v1/auth/login",
            None,
            "application/json",
            b"{not json".to_vec(),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "body", "{:?}", r.body);
    let r = app
        .post_raw(
            "/api/v1/auth/login",
            None,
            "application/json",
            br#"{"username":"a","password":"b","role":"admin"}"#.to_vec(),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "role");
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("unknown field")
    );
    // A body is a JSON object: serde's positional form of a struct (an array of its fields)
    // was taken, and a bare value was answered naming the value as the field.
    for body in [
        r#"["a","b"]"#.as_bytes(),
        b"1",
        b"true",
        b"\"text\"",
        b"null",
    ] {
        let r = app
            .post_raw(
                "/api/v1/auth/login",
                None,
                "application/json",
                body.to_vec(),
            )
            .await;
        assert_eq!(
            (r.status, r.body["errors"][0]["field"].as_str()),
            (422, Some("body")),
            "{}: {:?}",
            String::from_utf8_lossy(body),
            r.body
        );
    }
    // A query value that cannot be read is refused naming its parameter (actix named only
    // "query"), on paged lists and filters alike; a parameter a route does not take is ignored.
    for (path, field) in [
        ("/api/v1/users?limit=abc", "limit"),
        ("/api/v1/users?limit=1.5", "limit"),
        ("/api/v1/users?limit=5&limit=6", "limit"),
        ("/api/v1/jobs?limit=x", "limit"),
        ("/api/v1/ranger-payouts/late?as_of=2020-13-45", "as_of"),
        ("/api/v1/users?disabled=perhaps", "disabled"),
    ] {
        let r = app.get(path, &t).await;
        assert_eq!(
            (r.status, r.body["errors"][0]["field"].as_str()),
            (422, Some(field)),
            "{path}: {:?}",
            r.body
        );
    }
    let r = app.get("/api/v1/users?limit=5&zz_unknown=1", &t).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // Dates outside 1900–2100, in a body or a query, are refused naming the field (a year
    // typed 2205 was stored; -5000-01-01 reached PostgreSQL and answered 500; a query's
    // +262142-12-31 overflowed chrono and panicked).
    app.user("clerk.dates", "370831101201", &["village_clerk"]);
    let clerk = app.token("clerk.dates").await;
    for (found_on, field) in [("-5000-01-01", "found_on"), ("2205-06-01", "found_on")] {
        let r = app
            .post(
                "/api/v1/monitoring-cases",
                &clerk,
                json!({"household_id": uuid::Uuid::new_v4(), "kind": "marginal",
                    "risk_types": ["income_drop"], "found_on": found_on}),
            )
            .await;
        assert_eq!(
            (r.status, r.body["errors"][0]["field"].as_str()),
            (422, Some(field)),
            "{found_on}: {:?}",
            r.body
        );
    }
    let r = app
        .get("/api/v1/ranger-payouts/late?as_of=%2B262142-12-31", &t)
        .await;
    assert_eq!(
        (r.status, r.body["errors"][0]["field"].as_str()),
        (422, Some("as_of")),
        "{:?}",
        r.body
    );
    // Docs, the document, keys and health are public.
    for path in [
        "/api/v1/openapi.json",
        "/.well-known/jwks.json",
        "/health/live",
        "/health/ready",
        "/docs/",
    ] {
        let r = app.send("GET", path, None, None, &[]).await;
        assert_eq!(r.status, 200, "{path}");
    }
    let ready = app.send("GET", "/health/ready", None, None, &[]).await;
    assert_eq!(ready.body["status"], "ok");
    // The bare address leads to Swagger UI (the client follows the redirect).
    let docs = app.send("GET", "/docs", None, None, &[]).await;
    assert_eq!(docs.status, 200);
    assert!(
        docs.body
            .as_str()
            .unwrap_or_default()
            .contains("swagger-ui"),
        "{:?}",
        docs.body
    );
    // A response that flattens a strict request body is documented as one object, so real
    // answers match it (allOf with additionalProperties: false would refuse them).
    let doc = app
        .send("GET", "/api/v1/openapi.json", None, None, &[])
        .await;
    let year = &doc.body["components"]["schemas"]["YearDto"];
    assert!(year.get("allOf").is_none(), "{year}");
    assert!(
        year["properties"]["income_per_capita_fen"].is_object(),
        "{year}"
    );
    assert!(year["properties"]["version"].is_object(), "{year}");
    // Prometheus metrics: labelled by route pattern, never by a concrete path.
    let id = "6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6b";
    assert_eq!(
        app.get(&format!("/api/v1/households/{id}"), &t)
            .await
            .status,
        403
    );
    let m = app
        .send(
            "GET",
            "/metrics",
            Some(crate::helpers::METRICS_TOKEN),
            None,
            &[],
        )
        .await;
    assert_eq!(m.status, 200);
    let text = m.body.as_str().unwrap_or_default();
    assert!(
        text.contains(r#"zx_http_requests_total{method="GET",route="/api/v1/me",status="200"}"#),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/api/v1/households/{id}",status="403""#),
        "{text}"
    );
    assert!(!text.contains(id));
    assert!(text.contains("zx_http_request_duration_seconds_bucket"));
    assert!(
        text.contains("zx_db_pool_connections{state=\"max\"} 4"),
        "{text}"
    );
}

/// Issue 23, item 4: `/metrics` was public, and a request with a 4,000-character method added
/// series that never went away. Now it needs the token (or its own listener), and labels come
/// from closed sets.
#[actix_web::test]
async fn metrics_need_the_token_and_labels_are_bounded() {
    use crate::helpers::METRICS_TOKEN;
    let app = TestApp::spawn().await;
    assert_eq!(
        app.send("GET", "/metrics", None, None, &[]).await.status,
        401
    );
    let wrong = app
        .send(
            "GET",
            "/metrics",
            Some("test-metrics-token-0124"),
            None,
            &[],
        )
        .await;
    assert_eq!(wrong.status, 401);
    // A made-up method and a made-up path, each repeated: no new series, no text of theirs.
    let long = "X".repeat(4000);
    for _ in 0..3 {
        app.send(&long, "/api/v1/me", None, None, &[]).await;
        app.send("GET", &format!("/api/v1/{long}"), None, None, &[])
            .await;
        app.send(
            "GET",
            &format!("/nowhere/{}", "y".repeat(100)),
            None,
            None,
            &[],
        )
        .await;
    }
    let m = app
        .send("GET", "/metrics", Some(METRICS_TOKEN), None, &[])
        .await;
    assert_eq!(m.status, 200);
    let text = m.body.as_str().unwrap_or_default();
    assert!(!text.contains("XXXX") && !text.contains("yyyy"), "{text}");
    assert!(text.contains(r#"method="OTHER""#), "{text}");
    assert!(text.contains(r#"route="unmatched""#), "{text}");
    let series = text
        .lines()
        .filter(|l| l.starts_with("zx_http_requests_total{"))
        .count();
    assert!(series <= 6, "{text}");

    // The default: neither a token nor a listener of its own, so nobody reads metrics on the
    // API listener; the separate listener serves them (and nothing else).
    let closed =
        TestApp::spawn_with(|c| c.metrics = api::config::MetricsConfig::default(), None).await;
    for token in [None, Some(METRICS_TOKEN)] {
        assert_eq!(
            closed
                .send("GET", "/metrics", token, None, &[])
                .await
                .status,
            404
        );
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let data = actix_web::web::Data::new(closed.state.clone());
    actix_web::rt::spawn(
        actix_web::HttpServer::new(move || api::build_metrics_app(data.clone()))
            .workers(1)
            .disable_signals()
            .listen(listener)
            .unwrap_or_else(|e| panic!("{e}"))
            .run(),
    );
    let client = awc::Client::default();
    let mut r = client
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 200);
    let body = r.body().await.unwrap_or_default();
    assert!(String::from_utf8_lossy(&body).contains("zx_uptime_seconds"));
    let r = client
        .get(format!("http://{addr}/api/v1/me"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 404);
}
