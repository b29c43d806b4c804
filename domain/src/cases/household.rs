//! Households and members as users enter them, and the rules they must meet.
//!
//! Codes are English (`subsistence_allowance`); the Chinese labels the county spreadsheets use
//! (`低保贫困户`) are accepted too, so an import reads the sheets people already keep.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::id_number::IdNumber;
use crate::error::FieldError;
use crate::region::{Level, RegionCode};

vocabulary! {
    /// 户属性.
    Attribute as "HouseholdAttribute" {
        /// 一般贫困户
        General = "general" / "一般贫困户",
        /// 低保贫困户
        SubsistenceAllowance = "subsistence_allowance" / "低保贫困户",
        /// 特困供养贫困户
        ExtremePovertySupport = "extreme_poverty_support" / "特困供养贫困户",
    }
}

vocabulary! {
    /// Where a household stands. Changes only through domain operations (exit, monitoring).
    Status as "HouseholdStatus" {
        /// In poverty, registered.
        Registered = "registered" / "未脱贫",
        /// Out of poverty (脱贫).
        Exited = "exited" / "已脱贫",
        /// Exited but watched for relapse (监测).
        Monitored = "monitored" / "监测",
        /// Fell back into poverty (返贫).
        Returned = "returned" / "返贫",
        /// Never registered as poor, in the registry because it is or was monitored
        /// (一般农户: marginal or sudden-hardship households).
        NonPoor = "non_poor" / "一般农户",
        /// Taken out of the registry by a confirmed one-vote veto (清退); the county may
        /// reverse it.
        Removed = "removed" / "已清退",
    }
}

impl Status {
    /// Whether the lifecycle allows moving from `self` to `to`.
    pub fn can_become(self, to: Status) -> bool {
        use Status::{Exited, Monitored, NonPoor, Registered, Removed, Returned};
        if (self == Removed) != (to == Removed) {
            // A veto takes any household out; a reversal puts it back as it was.
            return true;
        }
        matches!(
            (self, to),
            (Registered, Exited)
                | (Exited, Monitored)
                | (Exited, Returned)
                | (Monitored, Exited)
                | (Monitored, Returned)
                | (Returned, Exited)
                | (Returned, Monitored)
                | (NonPoor, Monitored)
                | (Monitored, NonPoor)
                | (Monitored, Registered)
                // A sampling inspection finds the exit false (被脱贫, 错退): the household is
                // back in poverty (domain::inspection).
                | (Exited, Registered)
                // Intake (新识别, seed 1): a non-poor household newly identified as poor, once
                // its intake list is announced (domain::intake).
                | (NonPoor, Registered)
        )
    }
}

vocabulary! {
    /// 与户主关系.
    Relationship {
        /// 户主
        Head = "head" / "户主",
        /// 配偶
        Spouse = "spouse" / "配偶",
        /// 子女
        Child = "child" / "子女",
        /// 儿媳、女婿
        ChildInLaw = "child_in_law" / "儿媳女婿",
        /// 孙子女
        Grandchild = "grandchild" / "孙子女",
        /// 父母
        Parent = "parent" / "父母",
        /// 祖父母
        Grandparent = "grandparent" / "祖父母",
        /// 兄弟姐妹
        Sibling = "sibling" / "兄弟姐妹",
        /// 其他
        Other = "other" / "其他",
    }
}

vocabulary! {
    /// 帮扶措施类别.
    MeasureKind {
        /// 产业帮扶
        Industry = "industry" / "产业帮扶",
        /// 就业帮扶
        Employment = "employment" / "就业帮扶",
        /// 教育帮扶
        Education = "education" / "教育帮扶",
        /// 健康帮扶
        Health = "health" / "健康帮扶",
        /// 住房保障
        Housing = "housing" / "住房保障",
        /// 易地扶贫搬迁
        Relocation = "relocation" / "易地扶贫搬迁",
        /// 生态护林员等公益岗位
        EcologicalJob = "ecological_job" / "生态公益岗位",
        /// 社会保障兜底
        SocialSecurity = "social_security" / "社会保障兜底",
        /// 小额信贷 (seed 4): the amount lent and its term in months.
        SmallLoan = "small_loan" / "小额信贷",
        /// 其他
        Other = "other" / "其他",
    }
}

/// A household as entered (API body or spreadsheet row), before validation.
#[derive(Debug, Clone, Default)]
pub struct HouseholdInput {
    /// 户编号, unique in the county.
    pub household_number: String,
    /// The village of registration (户籍).
    pub village_code: String,
    /// Address.
    pub address: String,
    /// Actual residence when elsewhere.
    pub residence: String,
    /// Attribute code or label.
    pub attribute: String,
    /// Poverty-cause codes or labels.
    pub poverty_causes: Vec<String>,
    /// Year identified.
    pub year_identified: i32,
    /// 帮扶责任人.
    pub responsible_cadre: String,
    /// Notes.
    pub notes: String,
}

/// A valid household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidHousehold {
    /// 户编号.
    pub household_number: String,
    /// Village.
    pub village: RegionCode,
    /// Address.
    pub address: String,
    /// Residence.
    pub residence: String,
    /// Attribute.
    pub attribute: Attribute,
    /// Cause codes, from the catalog, without repeats.
    pub poverty_causes: Vec<String>,
    /// Year identified.
    pub year_identified: i32,
    /// 帮扶责任人.
    pub responsible_cadre: String,
    /// Notes.
    pub notes: String,
}

/// A member as entered.
#[derive(Debug, Clone, Default)]
pub struct MemberInput {
    /// Name.
    pub name: String,
    /// ID number.
    pub id_number: String,
    /// Relationship code or label.
    pub relationship: String,
    /// 文化程度.
    pub education: String,
    /// 在校生状况.
    pub school_status: String,
    /// 健康状况.
    pub health: String,
    /// 残疾.
    pub disability: String,
    /// 劳动能力.
    pub labour_ability: String,
    /// 参加医保.
    pub medical_insurance: bool,
    /// 参加养老保险.
    pub pension: bool,
    /// Phone.
    pub phone: String,
}

/// A valid member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidMember {
    /// Name.
    pub name: String,
    /// ID number.
    pub id_number: IdNumber,
    /// Relationship.
    pub relationship: Relationship,
    /// 文化程度.
    pub education: String,
    /// 在校生状况.
    pub school_status: String,
    /// 健康状况.
    pub health: String,
    /// 残疾.
    pub disability: String,
    /// 劳动能力.
    pub labour_ability: String,
    /// 医保.
    pub medical_insurance: bool,
    /// 养老保险.
    pub pension: bool,
    /// Phone.
    pub phone: String,
}

fn text(
    errs: &mut Vec<FieldError>,
    field: String,
    value: &str,
    required: bool,
    max: usize,
) -> String {
    let v = value.trim();
    if required && v.is_empty() {
        errs.push(FieldError::new(field, crate::Rule::Required));
    } else if v.chars().count() > max {
        errs.push(FieldError::new(field, crate::Rule::too_long(max)));
    } else if v.chars().any(char::is_control) {
        errs.push(FieldError::new(field, crate::Rule::ControlCharacters));
    }
    v.to_string()
}

fn join(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_string()
    } else {
        format!("{prefix}.{field}")
    }
}

/// Checks poverty causes against the catalog (codes or labels); returns codes without repeats.
///
/// # Errors
/// One error per unknown cause (`field[i]`), or `field` when none is given.
pub fn check_causes(
    input: &[String],
    causes: &[(String, String)],
    field: &str,
) -> Result<Vec<String>, Vec<FieldError>> {
    let mut errs = Vec::new();
    let mut codes: Vec<String> = Vec::new();
    if input.is_empty() {
        errs.push(FieldError::new(
            field,
            crate::Rule::other("must name at least one cause", "至少选择一项致贫原因"),
        ));
    }
    for (i, c) in input.iter().enumerate() {
        let c = c.trim();
        match causes.iter().find(|(code, label)| code == c || label == c) {
            Some((code, _)) if !codes.contains(code) => codes.push(code.clone()),
            Some(_) => {}
            None => errs.push(FieldError::new(
                format!("{field}[{i}]"),
                crate::Rule::other(
                    format!(
                        "is not a known cause; use one of {}",
                        causes
                            .iter()
                            .map(|(c, _)| c.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    format!(
                        "不是已知的致贫原因;请使用以下之一:{}",
                        causes
                            .iter()
                            .map(|(c, _)| c.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
            )),
        }
    }
    if errs.is_empty() {
        Ok(codes)
    } else {
        Err(errs)
    }
}

/// Checks a free-text field: trimmed, at most `max` characters, no control characters.
///
/// # Errors
/// The field error.
pub fn check_text(
    field: &str,
    value: &str,
    required: bool,
    max: usize,
) -> Result<String, FieldError> {
    let mut errs = Vec::new();
    let v = text(&mut errs, field.to_string(), value, required, max);
    errs.pop().map_or(Ok(v), Err)
}

/// Checks a year of identification or of a record.
///
/// # Errors
/// The field error.
pub fn check_year(field: &str, year: i32) -> Result<i32, FieldError> {
    if crate::input::YEARS.contains(&year) {
        Ok(year)
    } else {
        Err(FieldError::new(field, crate::input::YEAR_RULE))
    }
}

/// Validates a household. `causes` is the catalog (codes and labels, as pairs).
///
/// # Errors
/// Every bad field, with `prefix` before its name.
pub fn validate_household(
    input: &HouseholdInput,
    causes: &[(String, String)],
    prefix: &str,
) -> Result<ValidHousehold, Vec<FieldError>> {
    let mut errs = Vec::new();
    let f = |name: &str| join(prefix, name);
    let number = input.household_number.trim();
    if number.is_empty()
        || number.len() > 40
        || !number
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        errs.push(FieldError::new(
            f("household_number"),
            crate::Rule::other(
                "must be 1 to 40 letters, digits or '-'",
                "须为 1 至 40 个字母、数字或“-”",
            ),
        ));
    }
    let village = match RegionCode::parse(&input.village_code) {
        Ok(c) if c.level() == Level::Village => Some(c),
        Ok(_) => {
            errs.push(FieldError::new(
                f("village_code"),
                crate::Rule::format(crate::Format::VillageCode),
            ));
            None
        }
        Err(m) => {
            errs.push(FieldError::new(f("village_code"), m));
            None
        }
    };
    let address = text(&mut errs, f("address"), &input.address, false, 200);
    let residence = text(&mut errs, f("residence"), &input.residence, false, 200);
    let attribute = Attribute::parse(&input.attribute)
        .map_err(|m| errs.push(FieldError::new(f("attribute"), m)))
        .ok();
    let codes = check_causes(&input.poverty_causes, causes, &f("poverty_causes"))
        .map_err(|e| errs.extend(e))
        .unwrap_or_default();
    if let Err(e) = check_year(&f("year_identified"), input.year_identified) {
        errs.push(e);
    }
    let responsible_cadre = text(
        &mut errs,
        f("responsible_cadre"),
        &input.responsible_cadre,
        false,
        50,
    );
    let notes = text(&mut errs, f("notes"), &input.notes, false, 2000);
    match (errs.is_empty(), village, attribute) {
        (true, Some(village), Some(attribute)) => Ok(ValidHousehold {
            household_number: number.to_string(),
            village,
            address,
            residence,
            attribute,
            poverty_causes: codes,
            year_identified: input.year_identified,
            responsible_cadre,
            notes,
        }),
        _ => Err(errs),
    }
}

/// Validates one member.
///
/// # Errors
/// Every bad field, with `prefix` before its name.
pub fn validate_member(
    input: &MemberInput,
    today: NaiveDate,
    prefix: &str,
) -> Result<ValidMember, Vec<FieldError>> {
    let mut errs = Vec::new();
    let f = |name: &str| join(prefix, name);
    let name = text(&mut errs, f("name"), &input.name, true, 50);
    let id = IdNumber::parse(&input.id_number, today)
        .map_err(|m| errs.push(FieldError::new(f("id_number"), m)))
        .ok();
    let relationship = Relationship::parse(&input.relationship)
        .map_err(|m| errs.push(FieldError::new(f("relationship"), m)))
        .ok();
    let education = text(&mut errs, f("education"), &input.education, false, 50);
    let school_status = text(
        &mut errs,
        f("school_status"),
        &input.school_status,
        false,
        50,
    );
    let health = text(&mut errs, f("health"), &input.health, false, 50);
    let disability = text(&mut errs, f("disability"), &input.disability, false, 50);
    let labour_ability = text(
        &mut errs,
        f("labour_ability"),
        &input.labour_ability,
        false,
        50,
    );
    let phone = input.phone.trim().to_string();
    if !crate::input::phone_ok(&phone) {
        errs.push(FieldError::new(
            f("phone"),
            crate::Rule::format(crate::Format::Phone),
        ));
    }
    match (errs.is_empty(), id, relationship) {
        (true, Some(id_number), Some(relationship)) => Ok(ValidMember {
            name,
            id_number,
            relationship,
            education,
            school_status,
            health,
            disability,
            labour_ability,
            medical_insurance: input.medical_insurance,
            pension: input.pension,
            phone,
        }),
        _ => Err(errs),
    }
}

/// Validates a household's members: each valid, exactly one head, no ID number twice.
///
/// # Errors
/// Every bad field (`members[i].field`), and `members` for the head and duplicate rules.
pub fn validate_members(
    inputs: &[MemberInput],
    today: NaiveDate,
) -> Result<Vec<ValidMember>, Vec<FieldError>> {
    let mut errs = Vec::new();
    let mut valid = Vec::new();
    if inputs.is_empty() {
        errs.push(FieldError::new(
            "members",
            crate::Rule::other(
                "a household needs at least one member, its head",
                "一户至少要有一名成员,即户主",
            ),
        ));
    }
    if inputs.len() > 30 {
        errs.push(FieldError::new(
            "members",
            crate::Rule::other("a household has at most 30 members", "一户最多 30 名成员"),
        ));
    }
    for (i, m) in inputs.iter().enumerate() {
        match validate_member(m, today, &format!("members[{i}]")) {
            Ok(v) => valid.push(v),
            Err(e) => errs.extend(e),
        }
    }
    let heads = inputs
        .iter()
        .filter(|m| Relationship::parse(&m.relationship) == Ok(Relationship::Head))
        .count();
    if !inputs.is_empty() && heads != 1 {
        errs.push(FieldError::new(
            "members",
            crate::Rule::other(
                format!("exactly one member must be the head (户主); found {heads}"),
                format!("必须有且只有一名成员为户主;现有 {heads} 名"),
            ),
        ));
    }
    for (i, m) in valid.iter().enumerate() {
        if valid[..i].iter().any(|o| o.id_number == m.id_number) {
            errs.push(FieldError::new(
                format!("members[{i}].id_number"),
                crate::Rule::other("appears twice in this household", "在本户中出现两次"),
            ));
        }
    }
    if errs.is_empty() {
        Ok(valid)
    } else {
        Err(errs)
    }
}

/// A yearly record: income (fen) and the two-no-worries-three-guarantees indicators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearRecord {
    /// 人均纯收入, fen.
    pub income_per_capita_fen: i64,
    /// 工资性收入 (household), fen.
    pub wage_income_fen: i64,
    /// 生产经营性收入, fen.
    pub production_income_fen: i64,
    /// 财产性收入, fen.
    pub property_income_fen: i64,
    /// 转移性收入, fen.
    pub transfer_income_fen: i64,
    /// 不愁吃.
    pub enough_food: bool,
    /// 不愁穿.
    pub enough_clothing: bool,
    /// 义务教育有保障 (no child out of school because of poverty).
    pub compulsory_education: bool,
    /// 基本医疗有保障.
    pub basic_medical: bool,
    /// 住房安全有保障.
    pub safe_housing: bool,
    /// 饮水安全.
    pub safe_drinking_water: bool,
}

/// Validates a yearly record.
///
/// # Errors
/// Every bad field.
pub fn validate_year(year: i32, r: &YearRecord, prefix: &str) -> Result<(), Vec<FieldError>> {
    let mut errs = Vec::new();
    if !crate::input::YEARS.contains(&year) {
        errs.push(FieldError::new(
            join(prefix, "year"),
            crate::input::YEAR_RULE,
        ));
    }
    for (v, name) in [
        (r.income_per_capita_fen, "income_per_capita_fen"),
        (r.wage_income_fen, "wage_income_fen"),
        (r.production_income_fen, "production_income_fen"),
        (r.property_income_fen, "property_income_fen"),
        (r.transfer_income_fen, "transfer_income_fen"),
    ] {
        if v < 0 {
            errs.push(FieldError::new(
                join(prefix, name),
                crate::Rule::NotNegative,
            ));
        } else if v > 100_000_000_000 {
            errs.push(FieldError::new(
                join(prefix, name),
                crate::Rule::other("is implausibly large", "数值过大,不合常理"),
            ));
        }
    }
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

/// An assistance measure as entered.
#[derive(Debug, Clone, Default)]
pub struct MeasureInput {
    /// Kind code or label.
    pub kind: String,
    /// Date.
    pub date: Option<NaiveDate>,
    /// Amount, fen.
    pub amount_fen: i64,
    /// Responsible person.
    pub responsible: String,
    /// Description.
    pub description: String,
    /// A small loan's term, months.
    pub term_months: Option<i32>,
}

/// A valid measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidMeasure {
    /// Kind.
    pub kind: MeasureKind,
    /// Date.
    pub date: NaiveDate,
    /// Amount, fen.
    pub amount_fen: i64,
    /// Responsible person.
    pub responsible: String,
    /// Description.
    pub description: String,
    /// A small loan's term, months.
    pub term_months: Option<i32>,
}

/// Validates a measure.
///
/// # Errors
/// Every bad field.
pub fn validate_measure(
    m: &MeasureInput,
    today: NaiveDate,
) -> Result<ValidMeasure, Vec<FieldError>> {
    let mut errs = Vec::new();
    let kind = MeasureKind::parse(&m.kind)
        .map_err(|e| errs.push(FieldError::new("kind", e)))
        .ok();
    match m.date {
        None => errs.push(FieldError::new(
            "date",
            crate::Rule::other("is required (YYYY-MM-DD)", "必填(YYYY-MM-DD)"),
        )),
        Some(d) if d > today => errs.push(FieldError::new("date", crate::Rule::NotInFuture)),
        Some(_) => {}
    }
    if m.amount_fen < 0 {
        errs.push(FieldError::new("amount_fen", crate::Rule::NotNegative));
    }
    let responsible = text(&mut errs, "responsible".into(), &m.responsible, true, 50);
    let description = text(&mut errs, "description".into(), &m.description, false, 2000);
    super::small_loan::check(&mut errs, kind, m.amount_fen, m.term_months);
    match (errs.is_empty(), kind, m.date) {
        (true, Some(kind), Some(date)) => Ok(ValidMeasure {
            kind,
            date,
            amount_fen: m.amount_fen,
            responsible,
            description,
            term_months: m.term_months,
        }),
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::id_number::with_check_character;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default()
    }

    fn causes() -> Vec<(String, String)> {
        vec![
            ("illness".into(), "因病".into()),
            ("disability".into(), "因残".into()),
        ]
    }

    fn member(rel: &str, id17: &str) -> MemberInput {
        MemberInput {
            name: "张三".into(),
            id_number: with_check_character(id17).unwrap_or_default(),
            relationship: rel.into(),
            ..MemberInput::default()
        }
    }

    #[test]
    fn household_fields_are_checked_and_labels_accepted() {
        let input = HouseholdInput {
            household_number: "3708310010030001".into(),
            village_code: "370831001003".into(),
            attribute: "低保贫困户".into(),
            poverty_causes: vec!["因病".into(), "illness".into(), "disability".into()],
            year_identified: 2015,
            ..HouseholdInput::default()
        };
        let v = validate_household(&input, &causes(), "").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(v.attribute, Attribute::SubsistenceAllowance);
        assert_eq!(v.poverty_causes, vec!["illness", "disability"]);
        let bad = HouseholdInput {
            household_number: "no spaces".into(),
            village_code: "370831001".into(),
            attribute: "rich".into(),
            poverty_causes: vec!["laziness".into()],
            year_identified: 1900,
            ..HouseholdInput::default()
        };
        let fields: Vec<String> = validate_household(&bad, &causes(), "")
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            vec![
                "household_number",
                "village_code",
                "attribute",
                "poverty_causes[0]",
                "year_identified"
            ]
        );
    }

    #[test]
    fn members_need_exactly_one_head_and_distinct_ids() {
        let ok = [
            member("head", "37083119800101001"),
            member("配偶", "37083119820202002"),
        ];
        assert!(validate_members(&ok, today()).is_ok());
        let two_heads = [
            member("head", "37083119800101001"),
            member("head", "37083119820202002"),
        ];
        let e = validate_members(&two_heads, today())
            .err()
            .unwrap_or_default();
        assert!(
            e.iter()
                .any(|e| e.field == "members" && e.rule.to_string().contains("found 2"))
        );
        let no_head = [member("child", "37083119800101001")];
        assert!(validate_members(&no_head, today()).is_err());
        let twice = [
            member("head", "37083119800101001"),
            member("child", "37083119800101001"),
        ];
        let e = validate_members(&twice, today()).err().unwrap_or_default();
        assert_eq!(e[0].field, "members[1].id_number");
        let mut bad = member("head", "37083119800101001");
        bad.id_number.replace_range(17..18, "0");
        bad.phone = "abc".into();
        let e = validate_members(&[bad], today()).err().unwrap_or_default();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"members[0].phone"));
    }

    #[test]
    fn lifecycle_and_records() {
        assert!(Status::Registered.can_become(Status::Exited));
        assert!(!Status::Registered.can_become(Status::Returned));
        assert!(Status::Exited.can_become(Status::Monitored));
        assert!(Status::Exited.can_become(Status::Registered));
        assert!(!Status::Returned.can_become(Status::Registered));
        let mut r = YearRecord {
            income_per_capita_fen: 450_000,
            wage_income_fen: 0,
            production_income_fen: 0,
            property_income_fen: 0,
            transfer_income_fen: 0,
            enough_food: true,
            enough_clothing: true,
            compulsory_education: true,
            basic_medical: true,
            safe_housing: true,
            safe_drinking_water: true,
        };
        assert!(validate_year(2020, &r, "").is_ok());
        r.income_per_capita_fen = -1;
        assert_eq!(
            validate_year(2020, &r, "").err().unwrap_or_default()[0].field,
            "income_per_capita_fen"
        );
        let m = MeasureInput {
            kind: "产业帮扶".into(),
            date: NaiveDate::from_ymd_opt(2020, 1, 1),
            amount_fen: 100,
            responsible: "李".into(),
            description: String::new(),
            term_months: None,
        };
        assert_eq!(
            validate_measure(&m, today()).map(|v| v.kind),
            Ok(MeasureKind::Industry)
        );
    }
}
