//! The household import's bulk path (issue 16, item 3): batches copied into temporary tables and
//! moved with set-based inserts under row-level security, people registered once across
//! counties by a unique index instead of a lock per person.

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde_json::json;

use super::{HEADER, errors, import_households, row, setup};
use crate::cases::id_number;

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Counts in Sishui's scope, as the app role.
fn count(app: &crate::helpers::TestApp, sql: &str) -> i64 {
    let mut c = app.db.app_conn();
    c.transaction(|c| {
        diesel::sql_query(
            "SELECT set_config('app.scope_lo', '370831000000', true), set_config('app.scope_hi', '370831999999', true)",
        )
        .execute(c)?;
        diesel::sql_query(sql).get_result::<N>(c).map(|n| n.n)
    })
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[actix_web::test]
async fn duplicates_across_batches_and_counties_are_reported_by_row_and_the_rest_lands_whole() {
    let (mut app, t) = setup().await;
    app.user("clerk.b", "370830001001", &["village_clerk"]);
    let tb = app.token("clerk.b").await;
    // Someone registered in the other county.
    let elsewhere = id_number("370831", 9_000);
    let theirs = json!({
        "household_number": "W1", "village_code": "370830001001", "attribute": "general",
        "poverty_causes": ["illness"], "year_identified": 2016,
        "members": [{"name": "外县人", "id_number": elsewhere, "relationship": "head"}]
    });
    assert_eq!(
        app.post("/api/v1/households", &tb, theirs).await.status,
        201
    );
    // 1,100 households of two members: more than one batch (1,000 households), so the person
    // listed twice below is met by two different transactions.
    let mut lines = vec![HEADER.to_string()];
    for i in 0..1100u32 {
        let number = format!("P{i:04}");
        let head = id_number("370831", 2 * i);
        let mut child = id_number("370831", 2 * i + 1);
        if i == 1050 {
            // The child of P010 (file row 23), again (file row 3 + 2 * 1050 = 2103).
            child = id_number("370831", 21);
        }
        if i == 5 {
            // Registered in the other county (file row 13).
            child.clone_from(&elsewhere);
        }
        lines.push(row(
            &number,
            "370831001003",
            "户主",
            &head,
            "户主",
            "因病",
            "4200",
        ));
        lines.push(row(
            &number,
            "370831001003",
            "子女",
            &child,
            "子女",
            "因病",
            "",
        ));
    }
    let csv = lines.join("\n") + "\n";
    let job = import_households(&app, &t, csv.clone().into_bytes()).await;
    assert_eq!(job["status"], "succeeded", "{job:?}");
    assert_eq!(job["summary"]["households_created"], 1098, "{job:?}");
    assert_eq!(job["summary"]["households_refused"], 2, "{job:?}");
    let errs = errors(&app, &t, &job).await;
    let has = |row: i64, column: &str, text: &str| {
        errs.iter()
            .any(|(r, c, m)| *r == row && c == column && m.contains(text))
    };
    assert!(has(13, "id_number", "already registered"), "{errs:?}");
    // Whichever of the two batches commits first keeps the person; the other household is
    // refused at the person's row (P0010's child is row 23, P1050's row 2103).
    assert!(
        has(2103, "id_number", "already registered") != has(23, "id_number", "already registered"),
        "{errs:?}"
    );
    assert!(
        !errs
            .iter()
            .any(|(_, _, m)| m.contains("370830") || m.contains("W1")),
        "errors name nothing of the other county: {errs:?}"
    );
    // Each refused household is left out whole; every other one is whole, with its yearly
    // record, its history event and its audit row.
    assert_eq!(count(&app, "SELECT count(*) AS n FROM households"), 1098);
    assert_eq!(count(&app, "SELECT count(*) AS n FROM members"), 2196);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM households WHERE household_number IN ('P0005', 'P0010', 'P1050')"
        ),
        1
    );
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM household_years"),
        1098
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM households h WHERE NOT EXISTS (SELECT 1 FROM household_events e \
             WHERE e.county_code = h.county_code AND e.household_id = h.id AND e.kind = 'created' \
             AND e.actor_username = 'approver' AND e.snapshot->>'household_number' = h.household_number)"
        ),
        0,
        "every household has its history event"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM households h WHERE NOT EXISTS (SELECT 1 FROM audit_events a \
             WHERE a.action = 'household.created' AND a.object_id = h.id::text \
             AND a.actor_username = 'approver' AND a.details->>'household_number' = h.household_number)"
        ),
        0,
        "every household has its audit row"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM members WHERE id_masked LIKE '%*%' AND length(id_cipher) > 18 \
             AND length(id_blind) = 32"
        ),
        2196,
        "ID numbers are stored encrypted, masked and blind-indexed"
    );
    // The same file again changes nothing.
    let again = import_households(&app, &t, csv.into_bytes()).await;
    assert_eq!(again["summary"]["households_created"], 0, "{again:?}");
    assert_eq!(again["summary"]["households_unchanged"], 1098, "{again:?}");
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM household_events"),
        1098
    );
}

#[actix_web::test]
async fn the_database_refuses_one_person_in_two_counties_whatever_the_path() {
    let (app, _t) = setup().await;
    // Straight into the table, as the app role in scope: the unique index stops it even
    // without the application's check.
    let mut c = app.db.app_conn();
    let r = c.transaction::<_, diesel::result::Error, _>(|c| {
        diesel::sql_query(
            "SELECT set_config('app.scope_lo', '370830000000', true), set_config('app.scope_hi', '370831999999', true)",
        )
        .execute(c)?;
        for (county, village) in [(370_831, 370_831_001_003_i64), (370_830, 370_830_001_001)] {
            diesel::sql_query(format!(
                "WITH h AS (INSERT INTO households (county_code, id, region_code, household_number,
                   attribute, poverty_causes, year_identified, head_name)
                 VALUES ({county}, gen_random_uuid(), {village}, 'X1', 'general', '{{illness}}', 2016, '甲')
                 RETURNING id)
                 INSERT INTO members (county_code, id, household_id, region_code, name, id_cipher,
                   id_key, id_blind, id_masked, sex, birth_date, relationship)
                 SELECT {county}, gen_random_uuid(), h.id, {village}, '甲', '\\x00', 1,
                   decode(repeat('ab', 32), 'hex'), '3708**', 'male', '1980-01-01', 'head' FROM h"
            ))
            .execute(c)?;
        }
        Ok(())
    });
    let msg = r.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        msg.contains("members_blind_once"),
        "a second registration was not refused: {msg}"
    );
}

/// The import reads the file twice and hands each household on when its last row is read
/// (item 3: a few batches held, never the file's rows): a household whose rows are spread over
/// the file, even across batches, is still one household; a row that names no household and a
/// household with a bad row are reported wherever they fall, and the counts add up.
#[actix_web::test]
async fn a_households_rows_anywhere_in_the_file_import_as_one_household() {
    let (app, t) = setup().await;
    let mut lines = vec![HEADER.to_string()];
    let member = |number: &str, i: u32, rel: &str, year: &str| {
        row(
            number,
            "370831001003",
            rel,
            &id_number("370831", 40_000 + i),
            rel,
            "因病",
            year,
        )
    };
    // Row 2: the head of S0000, whose child is the file's last row (past the first batch of
    // 1,000 households and the second).
    lines.push(member("S0000", 0, "户主", "4200"));
    for i in 1..1500u32 {
        let number = format!("S{i:04}");
        lines.push(member(&number, 2 * i, "户主", "4200"));
        if i == 700 {
            // A row that names no household (row 2 + 700 = 702 … counted below).
            lines.push(row(
                "",
                "370831001003",
                "无户",
                &id_number("370831", 39_000),
                "户主",
                "因病",
                "",
            ));
        }
        if i == 1200 {
            // Two heads: the household is refused whole, both rows reported.
            lines.push(member(&number, 2 * i + 1, "户主", ""));
        } else if i % 2 == 0 {
            lines.push(member(&number, 2 * i + 1, "子女", ""));
        }
    }
    lines.push(member("S0000", 1, "子女", ""));
    let total_rows = lines.len() - 1;
    let file_row = |needle: &str, nth: usize| -> i64 {
        let at = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.starts_with(needle))
            .nth(nth)
            .map_or(0, |(i, _)| i);
        i64::try_from(at).unwrap_or(0) + 1
    };
    let loose_row = lines
        .iter()
        .position(|l| l.starts_with(','))
        .map_or(0, |i| i64::try_from(i).unwrap_or(0) + 1);
    let (bad_a, bad_b) = (file_row("S1200,", 0), file_row("S1200,", 1));
    let csv = lines.join("\n") + "\n";
    let job = import_households(&app, &t, csv.into_bytes()).await;
    assert_eq!(job["status"], "succeeded", "{job:?}");
    let s = &job["summary"];
    assert_eq!(s["rows"], total_rows, "{job:?}");
    assert_eq!(s["households_created"], 1499, "{job:?}");
    assert_eq!(s["households_refused"], 1, "{job:?}");
    assert_eq!(s["rows_refused"], 3, "{job:?}");
    assert_eq!(
        job["processed_rows"], total_rows,
        "every row is counted done: {job:?}"
    );
    let errs = errors(&app, &t, &job).await;
    let rows: std::collections::BTreeSet<i64> = errs.iter().map(|(r, _, _)| *r).collect();
    assert_eq!(
        rows,
        [loose_row, bad_a, bad_b].into_iter().collect(),
        "the loose row and both rows of the refused household: {errs:?}"
    );
    assert!(
        errs.iter()
            .any(|(r, c, _)| *r == loose_row && c == "household_number"),
        "{errs:?}"
    );
    // S0000 is one household with both members, head and child.
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM members m JOIN households h ON h.county_code = m.county_code \
             AND h.id = m.household_id WHERE h.household_number = 'S0000'"
        ),
        2
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM households WHERE household_number = 'S1200'"
        ),
        0
    );
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM members"),
        i64::try_from(total_rows).unwrap_or(0) - 3
    );
}

/// The file is read twice; if it changes in between (a file on disk replaced while
/// `zhenxing import` runs), the households the second reading did not read whole are not
/// written, the import fails, and the whole households are written as usual.
#[actix_web::test]
async fn a_file_changed_between_the_readings_writes_no_household_in_part() {
    use infra::app::cases::{import, sheet};
    let (app, t) = setup().await;
    let ctx = api::ops::acting_as(&app.state, "approver").unwrap_or_else(|e| panic!("{e:#}"));
    let line = |number: &str, seq: u32, rel: &str| {
        row(
            number,
            "370831001003",
            rel,
            &id_number("370831", 60_000 + seq),
            rel,
            "因病",
            if rel == "户主" { "4200" } else { "" },
        )
    };
    let first = [
        HEADER.to_string(),
        line("C1", 0, "户主"),
        line("C1", 1, "子女"),
        line("C2", 2, "户主"),
    ]
    .join("\n")
        + "\n";
    // The second time C1's child is gone.
    let second = [
        HEADER.to_string(),
        line("C1", 0, "户主"),
        line("C2", 2, "户主"),
    ]
    .join("\n")
        + "\n";
    let (job, claimed) = app
        .state
        .db
        .in_scope(ctx.caller.scope(), |conn| {
            let job = infra::app::jobs::create(conn, &ctx, "household_import", false, 3, None)?;
            let claimed = infra::app::jobs::take(conn, &job, "test")?;
            Ok((job, claimed))
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
    let mut readings = 0;
    let mut source = |sink: &mut dyn FnMut(sheet::Row)| {
        readings += 1;
        let text = if readings == 1 { &first } else { &second };
        sheet::read_job(
            std::io::Cursor::new(text.as_bytes()),
            sheet::COLUMNS,
            usize::MAX,
            sink,
        )
    };
    let index = import::FileIndex::read(&mut source).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(index.rows, 3);
    let outcome = import::run(
        &app.state.db,
        &ctx,
        &app.state.data_keys,
        &claimed.held("test"),
        &index,
        &mut source,
        false,
        app.state.today(),
        import::Pace::FULL,
    );
    let Err(e) = outcome else {
        panic!("a file that changed fails the import: {outcome:?}")
    };
    let errs = errors(&app, &t, &serde_json::json!({"id": job.id.to_string()})).await;
    assert!(errs.is_empty(), "{errs:?}");
    assert!(format!("{e:?}").contains("changed between"), "{e:?}");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM households WHERE household_number = 'C1'"
        ),
        0,
        "C1 was not read whole the second time: none of it is written"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM households WHERE household_number = 'C2'"
        ),
        1,
        "C2, read whole, is written"
    );
}

/// A run that lost its job to another worker (its lease ran out while it went on) records
/// nothing more: its progress is refused, so the run stops. It wrote its row errors again
/// beside the new run's (each listed twice) and could put a finished job back to running.
#[actix_web::test]
async fn a_run_that_lost_its_job_records_nothing_more() {
    use infra::app::jobs;
    let (app, _t) = setup().await;
    let ctx = api::ops::acting_as(&app.state, "approver").unwrap_or_else(|e| panic!("{e:#}"));
    let progress = |held: &jobs::Held, n: usize| {
        app.state.db.in_scope(ctx.caller.scope(), |conn| {
            jobs::progress(conn, &ctx, held, n, &[], "running")
        })
    };
    let (job, claimed) = app
        .state
        .db
        .in_scope(ctx.caller.scope(), |conn| {
            let job = jobs::create(conn, &ctx, "household_import", false, 3, None)?;
            let claimed = jobs::take(conn, &job, "worker-a")?;
            Ok((job, claimed))
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
    let a = claimed.held("worker-a");
    assert!(progress(&a, 1).is_ok());
    // Another worker takes it over (the next attempt).
    let sql = format!(
        "UPDATE jobs SET locked_by = 'worker-b', attempts = attempts + 1 WHERE id = '{}'",
        job.id
    );
    app.db
        .as_owner("370831", |c| diesel::sql_query(&sql).execute(c));
    assert!(progress(&a, 2).is_err(), "the first run went on recording");
    let mut b = a.clone();
    b.worker = "worker-b".into();
    b.attempts += 1;
    assert!(progress(&b, 2).is_ok());
}
