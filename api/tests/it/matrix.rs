//! The authorization matrix: for every route and method, the status each role (granted at its
//! usual level) gets for a well-formed request, checked in as `authz_matrix.csv` and executed
//! here. A route missing from the table, or a table row for a route that no longer exists,
//! fails the test; so does any cell that changed. `UPDATE_MATRIX=1` rewrites the file (review
//! the diff: it is the access policy).

use std::collections::BTreeMap;

use api::routes::{Access, RULES};

use crate::helpers::TestApp;
use crate::http::{concrete, sample_body};

/// (column, username, org unit, role).
const ROLES: &[(&str, &str, &str, &str)] = &[
    ("tenant_admin@county", "m.admin", "370831", "tenant_admin"),
    (
        "village_clerk@village",
        "m.clerk",
        "370831001003",
        "village_clerk",
    ),
    (
        "township_reviewer@township",
        "m.reviewer",
        "370831001",
        "township_reviewer",
    ),
    (
        "county_approver@county",
        "m.approver",
        "370831",
        "county_approver",
    ),
    ("fund_officer@county", "m.funds", "370831", "fund_officer"),
    (
        "team_member@village",
        "m.team",
        "370831001003",
        "team_member",
    ),
    ("auditor@county", "m.auditor", "370831", "auditor"),
    ("auditor@city", "m.auditor.city", "3708", "auditor"),
    ("observer@city", "m.observer", "3708", "observer"),
    ("city_admin@city", "m.city_admin", "3708", "city_admin"),
    (
        "property_checker@city",
        "m.checker",
        "3708",
        "property_checker",
    ),
];

fn file() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/authz_matrix.csv")
}

#[actix_web::test]
async fn every_route_answers_every_role_as_the_matrix_says() {
    let mut app = TestApp::spawn().await;
    app.onboard("370831");
    let mut tokens = Vec::new();
    for (_, user, org, role) in ROLES {
        app.user(user, org, &[role]);
        tokens.push(app.token(user).await);
    }
    let platform = app.token("platform.admin").await;
    let mut observed: BTreeMap<(String, String), Vec<u16>> = BTreeMap::new();
    for rule in RULES.iter().filter(|r| r.access != Access::Public) {
        let body = sample_body(rule.method, rule.path);
        let mut row = Vec::new();
        for t in std::iter::once(&platform).chain(tokens.iter()) {
            let r = app
                .send(
                    rule.method,
                    &concrete(rule.path),
                    Some(t),
                    Some(&body),
                    &[("if-match", "\"1\"")],
                )
                .await;
            assert!(
                r.status < 500,
                "{} {}: {} {:?}",
                rule.method,
                rule.path,
                r.status,
                r.body
            );
            row.push(r.status);
        }
        observed.insert((rule.method.to_string(), rule.path.to_string()), row);
    }
    let header = std::iter::once("method,path,platform_admin@platform".to_string())
        .chain(ROLES.iter().map(|r| r.0.to_string()))
        .collect::<Vec<_>>()
        .join(",");
    let text: String = std::iter::once(header)
        .chain(observed.iter().map(|((m, p), row)| {
            format!(
                "{m},{p},{}",
                row.iter().map(u16::to_string).collect::<Vec<_>>().join(",")
            )
        }))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    if std::env::var("UPDATE_MATRIX").is_ok() {
        std::fs::write(file(), &text).unwrap_or_else(|e| panic!("{e}"));
        return;
    }
    let committed = std::fs::read_to_string(file()).unwrap_or_default();
    let want: BTreeMap<(String, String), String> = committed
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut parts = l.splitn(3, ',');
            Some((
                (parts.next()?.to_string(), parts.next()?.to_string()),
                parts.next()?.to_string(),
            ))
        })
        .collect();
    let mut problems = Vec::new();
    for ((m, p), row) in &observed {
        let got = row.iter().map(u16::to_string).collect::<Vec<_>>().join(",");
        match want.get(&(m.clone(), p.clone())) {
            None => problems.push(format!("{m} {p}: not in the matrix (got {got})")),
            Some(w) if *w != got => problems.push(format!("{m} {p}: matrix says {w}, got {got}")),
            Some(_) => {}
        }
    }
    for (m, p) in want.keys() {
        if !observed.contains_key(&(m.clone(), p.clone())) {
            problems.push(format!("{m} {p}: in the matrix but no such route"));
        }
    }
    assert!(
        problems.is_empty(),
        "the authorization matrix differs (UPDATE_MATRIX=1 rewrites it; review the diff):\n{}",
        problems.join("\n")
    );
}
