//! Writing a batch: new households and members, and existing ones brought in line with the file.

use super::*;

/// What happened to one household of a batch.
pub(super) enum Outcome {
    Created(usize),
    Updated(usize),
    Unchanged,
    Refused(Vec<RowError>),
}

/// Existing members of a household, by blind index.
#[derive(Queryable)]
pub(super) struct Existing {
    id: Uuid,
    household_id: Uuid,
    blind: Vec<u8>,
    member: MemberRow,
}

pub(super) fn member_row(id: Uuid, household_id: Uuid, region: i64, m: &ValidMember) -> MemberRow {
    MemberRow {
        id,
        household_id,
        region_code: region,
        name: m.name.clone(),
        id_masked: m.id_number.masked(),
        sex: m.id_number.sex().as_str().into(),
        birth_date: m.id_number.birth_date(),
        relationship: m.relationship.as_str().into(),
        education: m.education.clone(),
        school_status: m.school_status.clone(),
        health: m.health.clone(),
        disability: m.disability.clone(),
        labour_ability: m.labour_ability.clone(),
        medical_insurance: m.medical_insurance,
        pension: m.pension,
        phone: m.phone.clone(),
        version: 1,
    }
}

pub(super) fn same_member(row: &MemberRow, m: &ValidMember) -> bool {
    row.name == m.name
        && row.relationship == m.relationship.as_str()
        && row.education == m.education
        && row.school_status == m.school_status
        && row.health == m.health
        && row.disability == m.disability
        && row.labour_ability == m.labour_ability
        && row.medical_insurance == m.medical_insurance
        && row.pension == m.pension
        && row.phone == m.phone
}

#[expect(
    clippy::too_many_lines,
    reason = "one pass over the batch keeps the round trips few; split it and they multiply"
)]
/// Writes one batch in the current transaction. `attempts` receives every person found
/// registered already (blind index, village), to be recorded outside this transaction.
pub(super) fn write_batch(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    batch: &[Parsed],
    names: &HashMap<i64, String>,
    attempts: &mut Vec<(Vec<u8>, i64)>,
) -> Result<Vec<Outcome>, DomainError> {
    let now = Utc::now();
    // The batch's keys in one order, (county, number), whatever the file's: two imports
    // overlapping in different row orders lock (and insert) the same households in the same
    // order, so they wait for each other instead of deadlocking.
    let mut keyed: Vec<(i32, &str)> = batch
        .iter()
        .map(|p| {
            (
                p.household.village.county_code(),
                p.household.household_number.as_str(),
            )
        })
        .collect();
    keyed.sort_unstable();
    let (keys_county, numbers): (Vec<i32>, Vec<&str>) = keyed.into_iter().unzip();
    let counties: Vec<i32> = batch
        .iter()
        .map(|p| p.household.village.county_code())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    // One probe of the (county_code, household_number) key per household of the batch: the
    // `LIMIT 1` subquery cannot be flattened, so the planner cannot AND the key with a scan of
    // the whole scope range (which it did without statistics: every batch then read the whole
    // county, and an import of one large county slowed with every batch). Found households
    // are locked: their members and records are read next and compared with the file, and a
    // clerk's change to one meanwhile would be counted over.
    let existing: Vec<HouseholdRow> = diesel::sql_query(
        "SELECT h.* FROM unnest($1::integer[], $2::text[]) AS k(county_code, household_number)
         CROSS JOIN LATERAL (SELECT * FROM households x WHERE x.county_code = k.county_code
                               AND x.household_number = k.household_number LIMIT 1 FOR UPDATE) AS h",
    )
    .bind::<Array<diesel::sql_types::Integer>, _>(&keys_county)
    .bind::<Array<diesel::sql_types::Text>, _>(&numbers)
    .load(conn)
    .db()?;
    let existing: HashMap<(i32, String), HouseholdRow> = existing
        .into_iter()
        .map(|h| ((h.county_code, h.household_number.clone()), h))
        .collect();
    let existing_ids: Vec<Uuid> = existing.values().map(|h| h.id).collect();
    let current: Vec<Existing> = members::table
        .filter(members::county_code.eq_any(&counties))
        .filter(members::household_id.eq_any(&existing_ids))
        .select((
            members::id,
            members::household_id,
            members::id_blind,
            MemberRow::as_select(),
        ))
        .load(conn)
        .db()?;
    // Yearly records of the existing households, so unchanged ones cost no query each.
    let stored_years: HashMap<(Uuid, i32), super::super::records::YearRow> = household_years::table
        .filter(household_years::county_code.eq_any(&counties))
        .filter(household_years::household_id.eq_any(&existing_ids))
        .select((
            household_years::household_id,
            super::super::records::YearRow::as_select(),
        ))
        .load::<(Uuid, super::super::records::YearRow)>(conn)
        .db()?
        .into_iter()
        .map(|(id, y)| ((id, y.year), y))
        .collect();
    let own: HashMap<Vec<u8>, Uuid> = current
        .iter()
        .map(|e| (e.blind.clone(), e.household_id))
        .collect();
    let blinds: Vec<Vec<Vec<u8>>> = batch
        .iter()
        .map(|p| {
            p.members
                .iter()
                .map(|(_, m)| keys.blind_index(&m.id_number))
                .collect()
        })
        .collect();
    let all: Vec<Vec<u8>> = blinds.iter().flatten().cloned().collect();
    // No lock per person: the unique index on the blind index settles races between
    // transactions (the loser's batch fails and is retried household by household, when this
    // check then sees the person registered).
    #[derive(QueryableByName)]
    struct Blind {
        #[diesel(sql_type = Bytea)]
        b: Vec<u8>,
    }
    let registered: HashSet<Vec<u8>> = diesel::sql_query("SELECT zx_ids_registered_any($1) AS b")
        .bind::<Array<Bytea>, _>(&all)
        .load::<Blind>(conn)
        .db()?
        .into_iter()
        .map(|b| b.b)
        .collect();
    let mut seen_in_batch: HashSet<&[u8]> = HashSet::new();
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut new_households = Vec::new();
    let mut new_members = Vec::new();
    let mut views = Vec::new();
    let mut years = Vec::new();
    for (p, bl) in batch.iter().zip(&blinds) {
        let h = &p.household;
        let key = (h.village.county_code(), h.household_number.clone());
        let mine = existing.get(&key).map(|e| e.id);
        let mut refused = Vec::new();
        for ((row, _), b) in p.members.iter().zip(bl) {
            let belongs_here = mine.is_some() && own.get(b) == mine.as_ref();
            if (registered.contains(b) && !belongs_here) || !seen_in_batch.insert(b.as_slice()) {
                refused.push(err(
                    *row,
                    "id_number",
                    domain::Rule::other("this person is already registered", "此人已登记"),
                ));
                attempts.push((b.clone(), h.village.as_i64()));
            }
        }
        if !refused.is_empty() {
            outcomes.push(Outcome::Refused(refused));
            continue;
        }
        if let Some(row) = existing.get(&key) {
            outcomes.push(update_existing(
                conn,
                ctx,
                keys,
                row,
                p,
                &current,
                &stored_years,
            )?);
            continue;
        }
        // A new household: rows built in memory, inserted together below.
        let id = Uuid::new_v4();
        let region = h.village.as_i64();
        let head = p
            .members
            .iter()
            .find(|(_, m)| m.relationship == domain::cases::Relationship::Head)
            .map(|(_, m)| m.name.clone())
            .unwrap_or_default();
        let mut rows = Vec::new();
        for ((_, m), b) in p.members.iter().zip(bl) {
            let mid = Uuid::new_v4();
            let (key_id, cipher) = keys.encrypt(mid, &m.id_number)?;
            new_members.push(NewMemberRow {
                county_code: h.village.county_code(),
                id: mid,
                household_id: id,
                region_code: region,
                name: &m.name,
                id_cipher: cipher,
                id_key: key_id,
                id_blind: b.clone(),
                id_masked: m.id_number.masked(),
                sex: m.id_number.sex().as_str(),
                birth_date: m.id_number.birth_date(),
                relationship: m.relationship.as_str(),
                education: &m.education,
                school_status: &m.school_status,
                health: &m.health,
                disability: &m.disability,
                labour_ability: &m.labour_ability,
                medical_insurance: m.medical_insurance,
                pension: m.pension,
                phone: &m.phone,
            });
            rows.push(member_row(mid, id, region, m));
        }
        let count = i32::try_from(p.members.len()).unwrap_or(i32::MAX);
        views.push(HouseholdView {
            household: HouseholdRow {
                county_code: h.village.county_code(),
                id,
                region_code: region,
                household_number: h.household_number.clone(),
                address: h.address.clone(),
                residence: h.residence.clone(),
                attribute: h.attribute.as_str().into(),
                poverty_causes: h.poverty_causes.clone(),
                year_identified: h.year_identified,
                status: "registered".into(),
                responsible_cadre: h.responsible_cadre.clone(),
                notes: h.notes.clone(),
                head_name: head,
                member_count: count,
                version: 1,
                created_at: now,
                updated_at: now,
            },
            village_name: names.get(&region).cloned().unwrap_or_default(),
            members: rows,
        });
        if let Some((y, r)) = &p.year {
            years.push((h.village.county_code(), id, *y, region, r.clone()));
        }
        outcomes.push(Outcome::Created(p.members.len()));
    }
    for v in &views {
        let h = &v.household;
        new_households.push(NewHouseholdRow {
            county_code: h.county_code,
            id: h.id,
            region_code: h.region_code,
            household_number: &h.household_number,
            address: &h.address,
            residence: &h.residence,
            attribute: &h.attribute,
            poverty_causes: &h.poverty_causes,
            year_identified: h.year_identified,
            status: &h.status,
            responsible_cadre: &h.responsible_cadre,
            notes: &h.notes,
            head_name: &h.head_name,
            member_count: h.member_count,
            created_by: ctx.caller.user_id,
        });
    }
    if !new_households.is_empty() {
        super::copy::insert_new(conn, ctx, &new_households, &new_members, &years, &views)?;
        // The outbox, only when some endpoint of the county listens (bulk work skips it).
        if let Some(first) = views.first()
            && crate::app::webhooks::listening(
                conn,
                first.household.county_code,
                domain::webhooks::EventKind::HouseholdCreated,
            )?
        {
            for v in &views {
                super::super::emit_household(conn, ctx, v, "created", &["imported".to_string()])?;
            }
        }
    }
    Ok(outcomes)
}

/// Brings an existing household in line with the file, touching only what differs.
pub(super) fn update_existing(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    row: &HouseholdRow,
    p: &Parsed,
    current: &[Existing],
    stored_years: &HashMap<(Uuid, i32), super::super::records::YearRow>,
) -> Result<Outcome, DomainError> {
    let region = stored_code(row.region_code)?;
    if !ctx.caller.can_at(perm::CASES_WRITE, region) {
        return Ok(Outcome::Refused(vec![err(
            p.rows[0],
            "household_number",
            domain::Rule::other(
                "exists in a village where you may not write cases",
                "所在村不在您可录入档案的范围内",
            ),
        )]));
    }
    if region != p.household.village {
        return Ok(Outcome::Refused(vec![err(
            p.rows[0],
            "village_code",
            domain::Rule::other(
                "differs from the registered village; move households in the system, not by import",
                "与登记的村不同;请在系统中迁移农户,不能通过导入迁移",
            ),
        )]));
    }
    let h = &p.household;
    let mut changes = serde_json::Map::new();
    let mut diff = |field: &str, old: Value, new: Value| {
        if old != new {
            changes.insert(field.into(), json!([old, new]));
        }
    };
    diff("address", json!(row.address), json!(h.address));
    diff("residence", json!(row.residence), json!(h.residence));
    diff(
        "attribute",
        json!(row.attribute),
        json!(h.attribute.as_str()),
    );
    diff(
        "poverty_causes",
        json!(row.poverty_causes),
        json!(h.poverty_causes),
    );
    diff(
        "year_identified",
        json!(row.year_identified),
        json!(h.year_identified),
    );
    diff(
        "responsible_cadre",
        json!(row.responsible_cadre),
        json!(h.responsible_cadre),
    );
    diff("notes", json!(row.notes), json!(h.notes));
    if !changes.is_empty() {
        diesel::update(
            households::table
                .filter(households::county_code.eq(row.county_code))
                .filter(households::id.eq(row.id)),
        )
        .set((
            households::address.eq(&h.address),
            households::residence.eq(&h.residence),
            households::attribute.eq(h.attribute.as_str()),
            households::poverty_causes.eq(&h.poverty_causes),
            households::year_identified.eq(h.year_identified),
            households::responsible_cadre.eq(&h.responsible_cadre),
            households::notes.eq(&h.notes),
        ))
        .execute(conn)
        .db()?;
    }
    let mine: Vec<&Existing> = current
        .iter()
        .filter(|e| e.household_id == row.id)
        .collect();
    let mut written = 0;
    let file_head = p
        .members
        .iter()
        .find(|(_, m)| m.relationship == domain::cases::Relationship::Head)
        .map(|(_, m)| keys.blind_index(&m.id_number));
    if let Some(old_head) = mine.iter().find(|e| e.member.relationship == "head")
        && file_head.as_ref() != Some(&old_head.blind)
        && !p
            .members
            .iter()
            .any(|(_, m)| keys.blind_index(&m.id_number) == old_head.blind)
    {
        return Ok(Outcome::Refused(vec![err(
            p.rows[0],
            "relationship",
            domain::Rule::other(
                "the file names another head than the registry, whose head is not in the file; change the head in the system first",
                "文件中的户主与登记的不同,且登记的户主不在文件中;请先在系统中变更户主",
            ),
        )]));
    }
    // Demote a changed head first so the one-head rule holds at every statement.
    for (_, m) in &p.members {
        let b = keys.blind_index(&m.id_number);
        if let Some(e) = mine.iter().find(|e| e.blind == b)
            && e.member.relationship == "head"
            && m.relationship != domain::cases::Relationship::Head
        {
            diesel::update(
                members::table
                    .filter(members::county_code.eq(row.county_code))
                    .filter(members::id.eq(e.id)),
            )
            .set(members::relationship.eq(m.relationship.as_str()))
            .execute(conn)
            .db()?;
        }
    }
    for (_, m) in &p.members {
        let b = keys.blind_index(&m.id_number);
        match mine.iter().find(|e| e.blind == b) {
            Some(e) if same_member(&e.member, m) => {}
            Some(e) => {
                diesel::update(
                    members::table
                        .filter(members::county_code.eq(row.county_code))
                        .filter(members::id.eq(e.id)),
                )
                .set((
                    members::name.eq(&m.name),
                    members::relationship.eq(m.relationship.as_str()),
                    members::education.eq(&m.education),
                    members::school_status.eq(&m.school_status),
                    members::health.eq(&m.health),
                    members::disability.eq(&m.disability),
                    members::labour_ability.eq(&m.labour_ability),
                    members::medical_insurance.eq(m.medical_insurance),
                    members::pension.eq(m.pension),
                    members::phone.eq(&m.phone),
                    members::version.eq(members::version + 1),
                ))
                .execute(conn)
                .db()?;
                changes.insert(format!("member {}", e.member.id_masked), json!("updated"));
                written += 1;
            }
            None => {
                super::super::households::insert_member(conn, keys, row, m)?;
                changes.insert(format!("member {}", m.id_number.masked()), json!("added"));
                written += 1;
            }
        }
    }
    if let Some((y, r)) = &p.year {
        let stored = stored_years.get(&(row.id, *y));
        let same = stored.as_ref().is_some_and(|s| s.record() == *r);
        if !same {
            super::super::records::put_year(conn, ctx, row.id, *y, stored.map(|s| s.version), r)?;
            changes.insert(format!("year {y}"), json!("recorded"));
        }
    }
    if changes.is_empty() {
        return Ok(Outcome::Unchanged);
    }
    changes.insert("imported".into(), json!(true));
    record_change(
        conn,
        ctx,
        row.id,
        "updated",
        Value::Object(changes),
        Some("import"),
    )?;
    Ok(Outcome::Updated(written))
}
