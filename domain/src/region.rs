//! Division codes (`PP CC DD TTT VVV`), their levels, and scopes as code ranges.
//!
//! A node's subtree is one contiguous range of 12-digit codes, so "everything under Jining" is
//! `370800000000..=370899999999`: scope checks are two comparisons and an index range scan.

use std::fmt;

/// Largest 12-digit code.
const MAX_CODE: i64 = 999_999_999_999;

/// The five administrative levels, plus the platform root above them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The SaaS operator's root (code 0).
    Platform = 0,
    /// 省
    Province = 1,
    /// 市 (地级)
    City = 2,
    /// 县 (县级): the tenant level.
    County = 3,
    /// 乡镇 / 街道
    Township = 4,
    /// 村 / 居委会
    Village = 5,
}

impl Level {
    /// The level with this number (0 platform … 5 village).
    pub fn from_number(n: i16) -> Option<Self> {
        Some(match n {
            0 => Self::Platform,
            1 => Self::Province,
            2 => Self::City,
            3 => Self::County,
            4 => Self::Township,
            5 => Self::Village,
            _ => return None,
        })
    }

    /// The level's name as the API shows it (`village`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::Platform => "platform",
            Self::Province => "province",
            Self::City => "city",
            Self::County => "county",
            Self::Township => "township",
            Self::Village => "village",
        }
    }

    /// 0 platform … 5 village.
    pub fn number(self) -> i16 {
        self as i16
    }

    /// Every level, from the platform down to the village.
    pub const ALL: [Self; 6] = [
        Self::Platform,
        Self::Province,
        Self::City,
        Self::County,
        Self::Township,
        Self::Village,
    ];

    /// The Chinese label (`村级`), as front ends show it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Platform => "平台",
            Self::Province => "省级",
            Self::City => "市级",
            Self::County => "县级",
            Self::Township => "乡镇级",
            Self::Village => "村级",
        }
    }

    /// How many trailing digits of a code at this level are zero padding.
    fn padding_digits(self) -> u32 {
        match self {
            Self::Platform => 12,
            Self::Province => 10,
            Self::City => 8,
            Self::County => 6,
            Self::Township => 3,
            Self::Village => 0,
        }
    }

    /// Digits of the code that name a node at this level (2 for a province … 12 for a village).
    pub fn significant_digits(self) -> u32 {
        12 - self.padding_digits()
    }
}

/// The published schema of a level: its name (`platform` … `village`).
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Level {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(Self::ALL.map(Self::name)))
            .description(Some(
                "An administrative level: platform (the operator's root), province, city, \
                 county (the tenant), township, village",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Level {}

impl crate::vocabularies::Vocabulary for Level {
    const NAME: &'static str = "Level";

    fn entries() -> Vec<(&'static str, &'static str)> {
        Self::ALL.iter().map(|l| (l.name(), l.label())).collect()
    }
}

/// A 12-digit statistical division code, or 0 for the platform root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode(i64);

impl RegionCode {
    /// The platform root, above every province.
    pub const PLATFORM: Self = Self(0);

    /// Accepts a code of 2, 4, 6, 9 or 12 digits (a node's own code as the NBS publishes it)
    /// and pads it to 12.
    ///
    /// # Errors
    /// A message saying why the text is not a division code.
    pub fn parse(text: &str) -> Result<Self, crate::Rule> {
        let digits = text.trim();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(crate::Rule::format(crate::Format::DivisionCode));
        }
        let len = u32::try_from(digits.len())
            .map_err(|_| crate::Rule::format(crate::Format::DivisionCode))?;
        if ![2, 4, 6, 9, 12].contains(&len) {
            return Err(crate::Rule::format(crate::Format::DivisionCode));
        }
        let value: i64 = digits
            .parse()
            .map_err(|_| crate::Rule::format(crate::Format::DivisionCode))?;
        let code = Self(value * 10_i64.pow(12 - len));
        if code.0 == 0 && len != 12 {
            return Err(crate::Rule::format(crate::Format::DivisionCode));
        }
        Ok(code)
    }

    /// Wraps a stored 12-digit value.
    ///
    /// # Errors
    /// When the value is negative or longer than 12 digits.
    pub fn from_i64(value: i64) -> Result<Self, crate::Rule> {
        if (0..=MAX_CODE).contains(&value) {
            Ok(Self(value))
        } else {
            Err(crate::Rule::format(crate::Format::DivisionCode))
        }
    }

    /// The 12-digit value.
    pub fn as_i64(self) -> i64 {
        self.0
    }

    /// The level this code's zero padding implies.
    pub fn level(self) -> Level {
        let c = self.0;
        if c == 0 {
            Level::Platform
        } else if c % 10_000_000_000 == 0 {
            Level::Province
        } else if c % 100_000_000 == 0 {
            Level::City
        } else if c % 1_000_000 == 0 {
            Level::County
        } else if c % 1000 == 0 {
            Level::Township
        } else {
            Level::Village
        }
    }

    /// The ancestor of this node at `level` (itself when it is at that level).
    pub fn ancestor_at(self, level: Level) -> Self {
        let unit = 10_i64.pow(level.padding_digits());
        Self(self.0 / unit * unit)
    }

    /// The parent node implied by the code (the platform root for a province).
    pub fn parent(self) -> Option<Self> {
        let level = self.level();
        let parent_level = Level::from_number(level.number() - 1)?;
        Some(self.ancestor_at(parent_level))
    }

    /// The nearest node whose subtree holds both `self` and `other` (the platform root at
    /// worst).
    pub fn common_ancestor(self, other: Self) -> Self {
        let mut a = self;
        while !a.subtree().contains(other) {
            match a.parent() {
                Some(p) => a = p,
                None => return Self::PLATFORM,
            }
        }
        a
    }

    /// The tenant key: the first six digits (a county, or a padded city/province prefix; 0 for
    /// the platform).
    pub fn county_code(self) -> i32 {
        // 12-digit codes divided by 10^6 always fit in i32 (max 999,999).
        i32::try_from(self.0 / 1_000_000).unwrap_or(i32::MAX)
    }

    /// Every code in this node's subtree, itself included.
    pub fn subtree(self) -> Scope {
        let span = 10_i64.pow(self.level().padding_digits()) - 1;
        let hi = if self.0 == 0 { MAX_CODE } else { self.0 + span };
        Scope { lo: self.0, hi }
    }

    /// The code as the API shows it: 12 digits.
    pub fn to_code_string(self) -> String {
        format!("{:012}", self.0)
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:012}", self.0)
    }
}

/// A county's 6-digit code as the API shows it (`370831`).
pub fn county_code_string(county_code: i32) -> String {
    format!("{county_code:06}")
}

/// A contiguous range of codes `[lo, hi]`: the subtree a caller may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    lo: i64,
    hi: i64,
}

impl Scope {
    /// The smallest code in the scope.
    pub fn lo(self) -> i64 {
        self.lo
    }

    /// The largest code in the scope.
    pub fn hi(self) -> i64 {
        self.hi
    }

    /// Whether `code` lies inside.
    pub fn contains(self, code: RegionCode) -> bool {
        (self.lo..=self.hi).contains(&code.0)
    }

    /// Whether `other` lies wholly inside.
    pub fn covers(self, other: Scope) -> bool {
        self.lo <= other.lo && other.hi <= self.hi
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap_or(RegionCode::PLATFORM)
    }

    #[test]
    fn pads_short_codes_and_detects_levels() {
        assert_eq!(code("37").as_i64(), 370_000_000_000);
        assert_eq!(code("37").level(), Level::Province);
        assert_eq!(code("3708").level(), Level::City);
        assert_eq!(code("370831").level(), Level::County);
        assert_eq!(code("370831101").level(), Level::Township);
        assert_eq!(code("370831101201").level(), Level::Village);
        assert_eq!(code("000000000000").level(), Level::Platform);
    }

    #[test]
    fn rejects_malformed_codes() {
        for bad in [
            "",
            "3",
            "37083",
            "37x831",
            "3708311012011",
            "-37",
            "00",
            "0000",
        ] {
            assert!(RegionCode::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn subtree_is_one_contiguous_range() {
        let jining = code("3708").subtree();
        assert_eq!(
            (jining.lo(), jining.hi()),
            (370_800_000_000, 370_899_999_999)
        );
        assert!(jining.contains(code("370831101201")));
        assert!(!jining.contains(code("370901001001")));
        let village = code("370831101201").subtree();
        assert_eq!(village.lo(), village.hi());
        assert!(RegionCode::PLATFORM.subtree().covers(jining));
        assert!(!code("370831").subtree().covers(jining));
    }

    #[test]
    fn parents_and_county_codes() {
        assert_eq!(code("370831101201").parent(), Some(code("370831101")));
        assert_eq!(code("370831101").parent(), Some(code("370831")));
        assert_eq!(code("37").parent(), Some(RegionCode::PLATFORM));
        assert_eq!(RegionCode::PLATFORM.parent(), None);
        assert_eq!(code("370831101201").county_code(), 370_831);
        assert_eq!(code("3708").county_code(), 370_800);
        assert_eq!(code("370831101201").to_code_string(), "370831101201");
        assert_eq!(county_code_string(code("37").county_code()), "370000");
    }
}
