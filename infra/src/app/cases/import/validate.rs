//! Checking a batch's households: the checks of their rows that need no database, then the
//! village and number checks; every error kept.

use super::*;

/// One household read from the file, valid.
#[derive(Debug, Clone)]
pub(super) struct Parsed {
    pub(super) rows: Vec<u32>,
    pub(super) household: ValidHousehold,
    pub(super) members: Vec<(u32, ValidMember)>,
    pub(super) year: Option<(i32, YearRecord)>,
}

/// A row error (shared with the other sheets' imports).
pub(crate) fn err(row: u32, column: &str, rule: domain::Rule) -> RowError {
    RowError {
        row: i32::try_from(row).unwrap_or(i32::MAX),
        column: column.to_string(),
        rule,
    }
}

pub(super) const HOUSEHOLD_KEYS: &[&str] = &[
    "village_code",
    "address",
    "residence",
    "attribute",
    "poverty_causes",
    "year_identified",
    "responsible_cadre",
    "notes",
];

pub(super) fn member_input(r: &Row, errs: &mut Vec<RowError>) -> MemberInput {
    let flag = |key: &str, errs: &mut Vec<RowError>| match yes_no(r.get(key)) {
        Ok(v) => v.unwrap_or(false),
        Err(m) => {
            errs.push(err(r.number, key, m));
            false
        }
    };
    MemberInput {
        name: r.get("name").into(),
        id_number: r.get("id_number").into(),
        relationship: r.get("relationship").into(),
        education: r.get("education").into(),
        school_status: r.get("school_status").into(),
        health: r.get("health").into(),
        disability: r.get("disability").into(),
        labour_ability: r.get("labour_ability").into(),
        medical_insurance: flag("medical_insurance", errs),
        pension: flag("pension", errs),
        phone: r.get("phone").into(),
    }
}

/// The yearly record of a row, when its 年度 is given (shared with the yearly-record import).
pub(crate) fn year_record(r: &Row, errs: &mut Vec<RowError>) -> Option<(i32, YearRecord)> {
    let year_text = r.get("year");
    if year_text.is_empty() {
        return None;
    }
    let before = errs.len();
    let year = year_text
        .parse::<i32>()
        .map_err(|_| {
            errs.push(err(
                r.number,
                "year",
                domain::Rule::other("must be a year", "必须是年份"),
            ))
        })
        .unwrap_or(0);
    let money = |key: &str, required: bool, errs: &mut Vec<RowError>| {
        let t = r.get(key);
        if t.is_empty() {
            if required {
                errs.push(err(
                    r.number,
                    key,
                    domain::Rule::other("is required when 年度 is given", "填写年度时必填"),
                ));
            }
            return 0;
        }
        yuan_to_fen(t)
            .map_err(|m| errs.push(err(r.number, key, m)))
            .unwrap_or(0)
    };
    let flag = |key: &str, errs: &mut Vec<RowError>| match yes_no(r.get(key)) {
        Ok(Some(v)) => v,
        Ok(None) => {
            errs.push(err(
                r.number,
                key,
                domain::Rule::other(
                    "is required when 年度 is given (是 or 否)",
                    "填写年度时必填(是或否)",
                ),
            ));
            false
        }
        Err(m) => {
            errs.push(err(r.number, key, m));
            false
        }
    };
    let rec = YearRecord {
        income_per_capita_fen: money("income_per_capita", true, errs),
        wage_income_fen: money("wage_income", false, errs),
        production_income_fen: money("production_income", false, errs),
        property_income_fen: money("property_income", false, errs),
        transfer_income_fen: money("transfer_income", false, errs),
        enough_food: flag("enough_food", errs),
        enough_clothing: flag("enough_clothing", errs),
        compulsory_education: flag("compulsory_education", errs),
        basic_medical: flag("basic_medical", errs),
        safe_housing: flag("safe_housing", errs),
        safe_drinking_water: flag("safe_drinking_water", errs),
    };
    if let Err(e) = validate_year(year, &rec, "") {
        errs.extend(e.into_iter().map(|e| err(r.number, &e.field, e.rule)));
    }
    (errs.len() == before).then_some((year, rec))
}

/// One household of the file after the checks that need no database.
pub(super) struct Checked<'a> {
    n: &'a str,
    group: &'a [&'a Row],
    household: Option<ValidHousehold>,
    members: Vec<(u32, ValidMember)>,
    year: Option<(i32, YearRecord)>,
    errs: Vec<RowError>,
}

/// The checks of `checked` that ask the database, and the households that pass them; every
/// row of a refused household is reported.
/// A village's verdict is asked about once per import (`villages`, shared by the workers; two
/// may both ask about one that neither had).
pub(super) fn village_checks(
    conn: &mut PgConnection,
    ctx: &Ctx,
    checked: Vec<Checked<'_>>,
    villages: &Villages,
) -> Result<(Vec<Parsed>, Vec<RowError>), DomainError> {
    let poisoned = || DomainError::Unexpected(anyhow::anyhow!("an import worker panicked"));
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for c in checked {
        let Checked {
            n,
            group,
            household,
            members,
            year,
            mut errs,
        } = c;
        let first = group[0];
        if let Some(h) = &household {
            let known = villages
                .verdicts
                .lock()
                .map_err(|_| poisoned())?
                .get(&h.village.as_i64())
                .cloned();
            let verdict = match known {
                Some(v) => v,
                None => {
                    let v = check_village(conn, ctx, h.village, "village_code", perm::CASES_IMPORT)
                        .err()
                        .map(|e| e.to_rule(false));
                    villages
                        .verdicts
                        .lock()
                        .map_err(|_| poisoned())?
                        .insert(h.village.as_i64(), v.clone());
                    v
                }
            };
            if let Some(m) = verdict {
                errs.push(err(first.number, "village_code", m));
            }
            if let Err(m) = check_number_county(conn, &h.household_number, h.village)? {
                errs.push(err(first.number, "household_number", m));
            }
        }
        match household {
            Some(household) if errs.is_empty() => parsed.push(Parsed {
                rows: group.iter().map(|r| r.number).collect(),
                household,
                members,
                year,
            }),
            _ => {
                // Every row of a refused household is reported, so nothing is silently dropped.
                let mut with_errors: HashSet<i32> = errs.iter().map(|e| e.row).collect();
                for r in group {
                    if with_errors.insert(i32::try_from(r.number).unwrap_or(i32::MAX)) {
                        errs.push(err(
                            r.number,
                            "household",
                            domain::Rule::other(format!(
                                "household {n} has errors in other rows; nothing of it was imported"
                            ), format!(
                                "户 {n} 的其他行有错误;该户未导入任何内容"
                            )),
                        ));
                    }
                }
                errors.extend(errs);
            }
        }
    }
    Ok((parsed, errors))
}

/// The checks of one household's rows that need no database.
pub(super) fn check_group<'a>(
    n: &'a str,
    group: &'a [&'a Row],
    causes: &[(String, String)],
    today: NaiveDate,
) -> Checked<'a> {
    let first = group[0];
    let mut errs = Vec::new();
    // A row cut off, with cells past the header, or with a giant cell: its own errors, and
    // its household is left out whole.
    for r in group {
        errs.extend(r.problems.iter().map(|(c, m)| err(r.number, c, m.clone())));
    }
    for r in &group[1..] {
        for key in HOUSEHOLD_KEYS {
            if !r.get(key).is_empty() && r.get(key) != first.get(key) {
                errs.push(err(
                    r.number,
                    key,
                    domain::Rule::other(
                        format!("differs from row {} of the same household", first.number),
                        format!("与同户第 {} 行不一致", first.number),
                    ),
                ));
            }
        }
    }
    let input = HouseholdInput {
        household_number: n.to_string(),
        village_code: first.get("village_code").into(),
        address: first.get("address").into(),
        residence: first.get("residence").into(),
        attribute: first.get("attribute").into(),
        poverty_causes: first
            .get("poverty_causes")
            .split([';', '；', '、', ',', '，', '|'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        year_identified: first.get("year_identified").parse().unwrap_or(0),
        responsible_cadre: first.get("responsible_cadre").into(),
        notes: first.get("notes").into(),
    };
    let household = validate_household(&input, causes, "")
        .map_err(|e| {
            errs.extend(e.into_iter().map(|e| {
                let column = e.field.split('[').next().unwrap_or(&e.field).to_string();
                err(first.number, &column, e.rule)
            }));
        })
        .ok();
    let mut members = Vec::new();
    let mut year = None;
    for r in group {
        let input = member_input(r, &mut errs);
        match validate_member(&input, today, "") {
            Ok(m) => members.push((r.number, m)),
            Err(e) => errs.extend(e.into_iter().map(|e| err(r.number, &e.field, e.rule))),
        }
        if let Some(y) = year_record(r, &mut errs) {
            let is_head = r.get("relationship") == "head" || r.get("relationship") == "户主";
            if year.is_none() || is_head {
                year = Some(y);
            }
        }
    }
    let heads = group
        .iter()
        .filter(|r| r.get("relationship") == "head" || r.get("relationship") == "户主")
        .count();
    if heads != 1 {
        errs.push(err(
            first.number,
            "relationship",
            domain::Rule::other(
                format!("household {n} needs exactly one head (户主); found {heads}"),
                format!("户 {n} 须有且只有一名户主;现有 {heads} 名"),
            ),
        ));
    }
    for (i, (row, m)) in members.iter().enumerate() {
        if members[..i].iter().any(|(_, o)| o.id_number == m.id_number) {
            errs.push(err(
                *row,
                "id_number",
                domain::Rule::other("appears twice in this household", "在本户中出现两次"),
            ));
        }
    }
    Checked {
        n,
        group,
        household,
        members,
        year,
        errs,
    }
}
