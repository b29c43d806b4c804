//! Cases: registered households (建档立卡贫困户), their members, yearly records and assistance
//! measures — the vocabularies, validation of what users enter, and the status lifecycle.

pub mod household;
pub mod id_number;
pub mod small_loan;

pub use household::{
    Attribute, HouseholdInput, MeasureInput, MeasureKind, MemberInput, Relationship, Status,
    ValidHousehold, ValidMeasure, ValidMember, YearRecord, check_causes, check_text, check_year,
    validate_household, validate_measure, validate_member, validate_members, validate_year,
};
pub use id_number::{IdNumber, Sex};
