//! The data-key check: a process started with keys that are not the database's refuses to run
//! (main exits with status 3) instead of answering reveals with server errors.

use infra::key_check::verify;
use infra::pii::DataKeys;

use crate::helpers::TestDb;

fn keys() -> DataKeys {
    DataKeys::random().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn keys_of_another_database_are_refused_and_a_new_key_is_recorded() {
    let db = TestDb::new();
    let mut conn = db.app_conn();
    let first = keys();
    // First start: both keys recorded, as the app role (no scope needed, no tenant data).
    let check = verify(&mut conn, &first)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(check.recorded.len(), 2, "{check:?}");
    assert!(check.matched.is_empty());
    // The same keys again: both match.
    let again = verify(&mut conn, &first)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.matched.len(), 2, "{again:?}");
    // Other keys: refused, the data key named first.
    let other = verify(&mut conn, &keys()).unwrap_or_else(|e| panic!("{e}"));
    let err = other.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("data key 1 of ZX_DATA_KEYS"), "{err}");

    // A rotation adds key 2 beside key 1: key 1 matches, key 2 is recorded.
    let rotated = first
        .with_new_random_key()
        .unwrap_or_else(|e| panic!("{e}"));
    let check = verify(&mut conn, &rotated)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        check.recorded,
        vec!["data key 2 of ZX_DATA_KEYS".to_string()]
    );
    // A key 2 that is not the recorded one: refused, named.
    let wrong_two = first
        .with_new_random_key()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = verify(&mut conn, &wrong_two)
        .unwrap_or_else(|e| panic!("{e}"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("data key 2 of ZX_DATA_KEYS is not the key"),
        "{err}"
    );
}

/// The server itself: started with keys that are not the database's, it exits with status 3
/// and names the key, before it listens.
#[test]
fn the_server_refuses_to_start_with_keys_that_are_not_the_databases() {
    use base64::Engine as _;
    use secrecy::ExposeSecret as _;
    let db = TestDb::new();
    verify(&mut db.app_conn(), &keys())
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e}"));
    let b64 = |n: u8| base64::engine::general_purpose::STANDARD.encode([n; 32]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zhenxing"))
        .arg("serve")
        .env("DATABASE_URL", db.app_url().expose_secret())
        .env("ZX_DATA_KEYS", format!("1:{}", b64(7)))
        .env("ZX_BLIND_INDEX_KEY", b64(8))
        .env("ZX_BIND", "127.0.0.1:0")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(
            "data key 1 of ZX_DATA_KEYS is not the key the personal data in this database"
        ),
        "{err}"
    );
}

/// A database written before the check existed (ID numbers stored, no check values): the
/// first start with keys that do not fit the stored numbers is refused and records nothing;
/// the right keys are recorded.
#[actix_web::test]
async fn keys_that_do_not_fit_the_stored_id_numbers_are_refused_before_anything_is_recorded() {
    use diesel::RunQueryDsl as _;
    let x = crate::exit::setup().await;
    let app = &x.app;
    let r = app
        .post(
            "/api/v1/households",
            &x.clerk,
            crate::cases::household(
                "KC1",
                crate::exit::V1,
                &[crate::cases::id_number("370831", 901)],
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let check = |k: DataKeys| {
        app.db.as_owner("370831", move |c| {
            Ok(verify(c, &k)
                .unwrap_or_else(|e| panic!("{e}"))
                .map_err(|e| e.to_string()))
        })
    };
    let rows = || {
        app.db.as_owner("370831", |c| {
            diesel::sql_query("SELECT 1 FROM data_key_checks").execute(c)
        })
    };
    assert_eq!(rows(), 0, "the test server records no check values");
    let err = check(keys()).err().unwrap_or_default();
    assert!(err.contains("data key 1 of ZX_DATA_KEYS"), "{err}");
    assert_eq!(rows(), 0, "nothing recorded for refused keys");
    let ok = check((*app.state.data_keys).clone());
    assert_eq!(
        ok.map(|c| c.recorded.len()),
        Ok(2),
        "the server's own keys fit and are recorded"
    );
    assert_eq!(rows(), 2);
}
