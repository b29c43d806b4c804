//! The layers' rules (docs/architecture.md), checked on the manifests and the sources: a
//! change that breaks one fails here with the rule it breaks, not in review.

use std::path::Path;

/// The crate names under `[dependencies]` of a workspace member's manifest.
fn dependencies(member: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(member)
        .join("Cargo.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut inside = false;
    let mut names = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == "[dependencies]";
            continue;
        }
        if inside && !line.is_empty() && !line.starts_with('#') {
            let name = line
                .split(['.', '=', ' '])
                .next()
                .unwrap_or_default()
                .to_string();
            names.push(name);
        }
    }
    assert!(
        !names.is_empty(),
        "{member} lists no dependencies: parsing went wrong"
    );
    names
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.map(|e| e.path()).unwrap_or_default();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_rules_core_has_no_io_and_the_http_layer_no_database_library() {
    let domain = dependencies("domain");
    for banned in ["diesel", "actix-web", "infra", "tokio", "reqwest", "r2d2"] {
        assert!(
            !domain.iter().any(|d| d == banned),
            "domain depends on {banned}: the rules core does no I/O"
        );
    }
    let infra = dependencies("infra");
    for banned in ["actix-web", "api", "utoipa"] {
        assert!(
            !infra.iter().any(|d| d == banned),
            "infra depends on {banned}: HTTP belongs to api"
        );
    }
    assert!(
        infra.iter().any(|d| d == "diesel"),
        "parsing infra's manifest went wrong"
    );
    let api = dependencies("api");
    assert!(
        api.iter().any(|d| d == "infra"),
        "parsing api's manifest went wrong"
    );
    for banned in ["diesel", "diesel_migrations", "r2d2"] {
        assert!(
            !api.iter().any(|d| d == banned),
            "api depends on {banned}: the server reaches the database only through infra's Tx"
        );
    }
}

#[test]
fn the_server_names_no_sql_and_no_schema() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(files.len() > 50, "found only {} source files", files.len());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for banned in ["diesel::", "infra::schema", "sql_query("] {
            assert!(
                !text.contains(banned),
                "{} uses {banned}: database access belongs in infra",
                f.display()
            );
        }
    }
}
