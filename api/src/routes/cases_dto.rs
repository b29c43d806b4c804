//! Request and response shapes of the cases resources.

use chrono::{DateTime, Datelike as _, NaiveDate, Utc};
use domain::cases::{HouseholdInput, MeasureInput, MemberInput, YearRecord};
use infra::app::cases::records::{MeasureRow, YearRow};
use infra::app::cases::{HouseholdRow, HouseholdView, MemberRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A member as entered.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberBody {
    /// Name.
    #[schema(example = "王秀英")]
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*[^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff)[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub name: String,
    /// 18-character ID number (sent in bodies only, never in URLs).
    #[schema(example = "37083119800101001X")]
    pub id_number: String,
    /// `head`, `spouse`, `child`, `child_in_law`, `grandchild`, `parent`, `grandparent`,
    /// `sibling`, `other` (or the Chinese label, e.g. `户主`).
    #[schema(example = "head")]
    #[schema(schema_with = domain::cases::Relationship::input_schema)]
    pub relationship: String,
    /// 文化程度.
    #[serde(default)]
    #[schema(
        max_length = 50,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*([^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff))?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub education: String,
    /// 在校生状况.
    #[serde(default)]
    #[schema(
        max_length = 50,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*([^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff))?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub school_status: String,
    /// 健康状况.
    #[serde(default)]
    #[schema(
        max_length = 50,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*([^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff))?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub health: String,
    /// 残疾.
    #[serde(default)]
    #[schema(
        max_length = 50,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*([^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff))?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub disability: String,
    /// 劳动能力.
    #[serde(default)]
    #[schema(
        max_length = 50,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*([^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff))?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub labour_ability: String,
    /// 参加城乡居民基本医疗保险.
    #[serde(default)]
    pub medical_insurance: bool,
    /// 参加城乡居民基本养老保险.
    #[serde(default)]
    pub pension: bool,
    /// Phone.
    #[serde(default)]
    #[schema(pattern = "^\\s*([0-9+-]{7,20})?\\s*$")]
    pub phone: String,
}

impl From<MemberBody> for MemberInput {
    fn from(m: MemberBody) -> Self {
        Self {
            name: m.name,
            id_number: m.id_number,
            relationship: m.relationship,
            education: m.education,
            school_status: m.school_status,
            health: m.health,
            disability: m.disability,
            labour_ability: m.labour_ability,
            medical_insurance: m.medical_insurance,
            pension: m.pension,
            phone: m.phone,
        }
    }
}

/// A household to register, with its members.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateHouseholdBody {
    /// 户编号, unique in the county. A number whose first six digits are a county's code (as
    /// the national system's are) must carry the household's own county (422 otherwise).
    #[schema(example = "3708310010030001")]
    #[schema(pattern = "^[A-Za-z0-9-]{1,40}$")]
    pub household_number: String,
    /// The village of registration (户籍), 12 digits.
    #[schema(example = "370831001003")]
    pub village_code: String,
    /// Address.
    #[serde(default)]
    #[schema(
        max_length = 200,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*([^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff))?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub address: String,
    /// Actual residence, when elsewhere.
    #[serde(default)]
    #[schema(
        max_length = 200,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*([^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff))?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub residence: String,
    /// `general`, `subsistence_allowance` or `extreme_poverty_support`.
    #[schema(example = "general")]
    #[schema(schema_with = domain::cases::Attribute::input_schema)]
    pub attribute: String,
    /// Cause codes from `GET /api/v1/poverty-causes`.
    #[schema(example = json!(["illness"]))]
    #[schema(min_items = 1)]
    pub poverty_causes: Vec<String>,
    /// Year identified.
    #[schema(example = 2015)]
    pub year_identified: i32,
    /// 帮扶责任人.
    #[serde(default)]
    #[schema(
        max_length = 50,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*([^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff))?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub responsible_cadre: String,
    /// Notes.
    #[serde(default)]
    #[schema(
        max_length = 2000,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*([^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff))?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub notes: String,
    /// Members: exactly one head.
    #[schema(min_items = 1)]
    pub members: Vec<MemberBody>,
}

impl CreateHouseholdBody {
    /// Splits into the domain inputs.
    pub fn into_inputs(self) -> (HouseholdInput, Vec<MemberInput>) {
        (
            HouseholdInput {
                household_number: self.household_number,
                village_code: self.village_code,
                address: self.address,
                residence: self.residence,
                attribute: self.attribute,
                poverty_causes: self.poverty_causes,
                year_identified: self.year_identified,
                responsible_cadre: self.responsible_cadre,
                notes: self.notes,
            },
            self.members.into_iter().map(Into::into).collect(),
        )
    }
}

/// A member as shown (ID number masked).
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDto {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Masked ID number; the full number only through `POST /api/v1/members/{id}/reveal`.
    #[schema(example = "370831********001X")]
    pub id_number_masked: String,
    /// `male` or `female`, from the ID number.
    pub sex: String,
    /// The year of birth, from the ID number. The full date is not shown: with the masked
    /// number's first six and last four digits it would spell the whole number (its digits 7 to
    /// 14 are the date), so it comes only with `POST /api/v1/members/{id}/reveal`.
    #[schema(example = 1980)]
    pub birth_year: i32,
    /// Relationship code.
    #[schema(value_type = domain::cases::Relationship)]
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
    /// 医保.
    pub medical_insurance: bool,
    /// 养老保险.
    pub pension: bool,
    /// Phone.
    pub phone: String,
    /// Version (the member's ETag).
    pub version: i32,
}

impl From<MemberRow> for MemberDto {
    fn from(m: MemberRow) -> Self {
        Self {
            id: m.id,
            name: m.name,
            id_number_masked: m.id_masked,
            sex: m.sex,
            birth_year: m.birth_date.year(),
            relationship: m.relationship,
            education: m.education,
            school_status: m.school_status,
            health: m.health,
            disability: m.disability,
            labour_ability: m.labour_ability,
            medical_insurance: m.medical_insurance,
            pension: m.pension,
            phone: m.phone,
            version: m.version,
        }
    }
}

/// A household in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdSummary {
    /// Id.
    pub id: Uuid,
    /// 户编号.
    pub household_number: String,
    /// Village, 12 digits.
    pub village_code: String,
    /// Head's name.
    pub head_name: String,
    /// Members.
    pub member_count: i32,
    /// Attribute code.
    #[schema(value_type = domain::cases::Attribute)]
    pub attribute: String,
    /// Cause codes.
    pub poverty_causes: Vec<String>,
    /// Year identified.
    pub year_identified: i32,
    /// `registered`, `exited`, `monitored` or `returned`.
    #[schema(value_type = domain::cases::Status)]
    pub status: String,
    /// Version.
    pub version: i32,
    /// Changed.
    pub updated_at: DateTime<Utc>,
}

impl From<HouseholdRow> for HouseholdSummary {
    fn from(h: HouseholdRow) -> Self {
        Self {
            id: h.id,
            household_number: h.household_number,
            village_code: format!("{:012}", h.region_code),
            head_name: h.head_name,
            member_count: h.member_count,
            attribute: h.attribute,
            poverty_causes: h.poverty_causes,
            year_identified: h.year_identified,
            status: h.status,
            version: h.version,
            updated_at: h.updated_at,
        }
    }
}

/// A household with its members.
#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdDto {
    /// Id.
    pub id: Uuid,
    /// 户编号.
    pub household_number: String,
    /// Village, 12 digits.
    pub village_code: String,
    /// Village name.
    pub village_name: String,
    /// Address.
    pub address: String,
    /// Residence.
    pub residence: String,
    /// Attribute code.
    #[schema(value_type = domain::cases::Attribute)]
    pub attribute: String,
    /// Cause codes.
    pub poverty_causes: Vec<String>,
    /// Year identified.
    pub year_identified: i32,
    /// Status code.
    #[schema(value_type = domain::cases::Status)]
    pub status: String,
    /// 帮扶责任人.
    pub responsible_cadre: String,
    /// Notes.
    pub notes: String,
    /// Head's name.
    pub head_name: String,
    /// Members, head first.
    pub members: Vec<MemberDto>,
    /// Version (the `ETag`).
    pub version: i32,
    /// Registered.
    pub created_at: DateTime<Utc>,
    /// Changed.
    pub updated_at: DateTime<Utc>,
}

impl From<HouseholdView> for HouseholdDto {
    fn from(v: HouseholdView) -> Self {
        let h = v.household;
        Self {
            id: h.id,
            household_number: h.household_number,
            village_code: format!("{:012}", h.region_code),
            village_name: v.village_name,
            address: h.address,
            residence: h.residence,
            attribute: h.attribute,
            poverty_causes: h.poverty_causes,
            year_identified: h.year_identified,
            status: h.status,
            responsible_cadre: h.responsible_cadre,
            notes: h.notes,
            head_name: h.head_name,
            members: v.members.into_iter().map(Into::into).collect(),
            version: h.version,
            created_at: h.created_at,
            updated_at: h.updated_at,
        }
    }
}

/// A yearly record as entered.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct YearBody {
    /// 人均纯收入, fen.
    #[schema(example = 450_000)]
    #[schema(minimum = 0, maximum = 100000000000_i64)]
    pub income_per_capita_fen: i64,
    /// 工资性收入 of the household, fen.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000000000_i64)]
    pub wage_income_fen: i64,
    /// 生产经营性收入, fen.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000000000_i64)]
    pub production_income_fen: i64,
    /// 财产性收入, fen.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000000000_i64)]
    pub property_income_fen: i64,
    /// 转移性收入, fen.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000000000_i64)]
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
    /// 饮水安全有保障.
    pub safe_drinking_water: bool,
}

impl From<YearBody> for YearRecord {
    fn from(b: YearBody) -> Self {
        Self {
            income_per_capita_fen: b.income_per_capita_fen,
            wage_income_fen: b.wage_income_fen,
            production_income_fen: b.production_income_fen,
            property_income_fen: b.property_income_fen,
            transfer_income_fen: b.transfer_income_fen,
            enough_food: b.enough_food,
            enough_clothing: b.enough_clothing,
            compulsory_education: b.compulsory_education,
            basic_medical: b.basic_medical,
            safe_housing: b.safe_housing,
            safe_drinking_water: b.safe_drinking_water,
        }
    }
}

/// A yearly record as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct YearDto {
    /// Year.
    pub year: i32,
    /// The record.
    #[serde(flatten)]
    pub record: YearBody,
    /// Version (the `ETag`).
    pub version: i32,
    /// Changed.
    pub updated_at: DateTime<Utc>,
}

impl From<YearRow> for YearDto {
    fn from(r: YearRow) -> Self {
        Self {
            year: r.year,
            record: YearBody {
                income_per_capita_fen: r.income_per_capita_fen,
                wage_income_fen: r.wage_income_fen,
                production_income_fen: r.production_income_fen,
                property_income_fen: r.property_income_fen,
                transfer_income_fen: r.transfer_income_fen,
                enough_food: r.enough_food,
                enough_clothing: r.enough_clothing,
                compulsory_education: r.compulsory_education,
                basic_medical: r.basic_medical,
                safe_housing: r.safe_housing,
                safe_drinking_water: r.safe_drinking_water,
            },
            version: r.version,
            updated_at: r.updated_at,
        }
    }
}

/// An assistance measure as entered.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureBody {
    /// `industry`, `employment`, `education`, `health`, `housing`, `relocation`,
    /// `ecological_job`, `social_security`, `small_loan` (with `term_months`) or `other`.
    #[schema(example = "industry")]
    #[schema(schema_with = domain::cases::MeasureKind::input_schema)]
    pub kind: String,
    /// Date.
    pub date: NaiveDate,
    /// Amount, fen.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub amount_fen: i64,
    /// Responsible person.
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*[^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff)[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub responsible: String,
    /// Description.
    #[serde(default)]
    #[schema(
        max_length = 2000,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*([^\\u0000-\\u001f\\u007f-\\u009f]*(?:[^\\s\\u0000-\\u001f\\u007f-\\u009f]|\\ufeff))?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub description: String,
    /// A small loan's term in months (1–120); required for `small_loan`, refused otherwise.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 120)]
    pub term_months: Option<i32>,
}

impl From<MeasureBody> for MeasureInput {
    fn from(b: MeasureBody) -> Self {
        Self {
            kind: b.kind,
            date: Some(b.date),
            amount_fen: b.amount_fen,
            responsible: b.responsible,
            description: b.description,
            term_months: b.term_months,
        }
    }
}

/// A measure as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureDto {
    /// Id.
    pub id: Uuid,
    /// Kind.
    #[schema(value_type = domain::cases::MeasureKind)]
    pub kind: String,
    /// Date.
    pub date: NaiveDate,
    /// Amount, fen.
    pub amount_fen: i64,
    /// Responsible person.
    pub responsible: String,
    /// Description.
    pub description: String,
    /// A small loan's term in months.
    pub term_months: Option<i32>,
    /// Recorded.
    pub created_at: DateTime<Utc>,
    /// Version: a correction (`PUT …/measures/{measure_id}`) sends it back as `If-Match: "<version>"`
    /// (the ETag the correction answers with).
    pub version: i32,
    /// Last written.
    pub updated_at: DateTime<Utc>,
}

impl From<MeasureRow> for MeasureDto {
    fn from(m: MeasureRow) -> Self {
        Self {
            id: m.id,
            kind: m.kind,
            date: m.date,
            amount_fen: m.amount_fen,
            responsible: m.responsible,
            description: m.description,
            term_months: m.term_months,
            created_at: m.created_at,
            version: m.version,
            updated_at: m.updated_at,
        }
    }
}
