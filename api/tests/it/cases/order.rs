//! A household's members are shown head first, then by year of birth, then by id: never in the
//! order of their birth dates, which the masked numbers hide (docs/security.md §16).

use super::*;

/// The ids of the members after the head, as a household read shows them.
fn others(body: &Value) -> Vec<String> {
    body["members"]
        .as_array()
        .map(|ms| {
            ms.iter()
                .skip(1)
                .map(|m| m["id"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[actix_web::test]
async fn members_born_in_one_year_are_not_shown_in_birth_date_order() {
    let (app, t) = setup().await;
    // A head and six children born in 2010, in date order: were the members sorted by their
    // birth dates, the children's ids would come in ascending order once in 720 households.
    let mut ids = vec![id_number("370831", 77)];
    for (i, date) in ["0105", "0310", "0520", "0715", "0909", "1201"]
        .iter()
        .enumerate()
    {
        ids.push(
            with_check_character(&format!("3708312010{date}{:03}", 101 + i)).unwrap_or_default(),
        );
    }
    let r = app
        .post(
            "/api/v1/households",
            &t,
            household("ORD1", "370831001003", &ids),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let now = app.get(&format!("/api/v1/households/{id}"), &t).await;
    assert_eq!(now.body["members"][0]["relationship"], "head");
    let children = others(&now.body);
    assert_eq!(children.len(), 6, "{:?}", now.body);
    let mut sorted = children.clone();
    sorted.sort();
    assert_eq!(
        children, sorted,
        "same-year members by id, not by birth date"
    );
    for m in now.body["members"].as_array().into_iter().flatten().skip(1) {
        assert_eq!(m["birth_year"], 2010);
    }
    // The household as of today (its history's snapshot) in the same order, even when the
    // snapshot keeps its members otherwise (snapshots written before this order kept them by
    // birth date): stored here in descending id order, the read must sort them again.
    let rewritten = app.db.as_owner("370831", |c| {
        diesel::sql_query(format!(
            "UPDATE household_events SET snapshot = jsonb_set(snapshot, '{{members}}', \
             (SELECT jsonb_agg(m ORDER BY m->>'id' DESC) FROM jsonb_array_elements(snapshot->'members') m)) \
             WHERE household_id = '{id}'"
        ))
        .execute(c)
    });
    assert_eq!(rewritten, 1, "the registration's snapshot");
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let then = app
        .get(&format!("/api/v1/households/{id}?as_of={today}"), &t)
        .await;
    assert_eq!(then.status, 200, "{:?}", then.body);
    assert_eq!(others(&then.body), children);
}
