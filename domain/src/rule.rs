//! Why a field was refused, as a closed set of rules with their parameters, and its message in
//! each language the API answers in. A field error carries a [`Rule`], never a sentence: the
//! English and the Chinese are both rendered from it, and clients get the rule's name and
//! parameters to build their own text.

use std::fmt;

/// A language messages are rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// The `Content-Language` tag.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Zh => "zh-CN",
        }
    }

    /// The preferred language of an `Accept-Language` header (`zh-CN,zh;q=0.9,en;q=0.8`): the
    /// supported one with the highest weight; English when none is supported.
    pub fn from_accept_language(header: Option<&str>) -> Self {
        let Some(h) = header else {
            return Self::En;
        };
        let mut best: Option<(f32, Self)> = None;
        for part in h.split(',') {
            let mut it = part.trim().split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q=").map(str::to_owned))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = if tag == "zh" || tag.starts_with("zh-") {
                // Traditional-script tags are not served: fall through to other preferences.
                if tag.contains("hant") || tag == "zh-tw" || tag == "zh-hk" || tag == "zh-mo" {
                    continue;
                }
                Self::Zh
            } else if tag == "en" || tag.starts_with("en-") {
                Self::En
            } else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map_or(Self::En, |(_, l)| l)
    }
}

/// The name of a [`Rule`] (`too_long`): `FieldError.rule` in the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct RuleName(pub &'static str);

/// A shape a text field must have ([`Rule::Format`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A month, `YYYY-MM`.
    YearMonth,
    /// A 6-digit county code.
    CountyCode,
    /// A township's 9-digit code.
    TownshipCode,
    /// A village's 12-digit code.
    VillageCode,
    /// A division code of 2, 4, 6, 9 or 12 digits.
    DivisionCode,
    /// A number.
    Number,
    /// A whole number.
    WholeNumber,
    /// A JSON object.
    JsonObject,
    /// 64 hexadecimal digits (SHA-256).
    Sha256,
    /// A telephone number: 7 to 20 digits, `-` or `+`.
    Phone,
    /// An 18-character resident identity card number.
    IdNumber,
    /// A bank card number.
    CardNumber,
    /// Visible ASCII only.
    VisibleAscii,
    /// An absolute `https://` URL.
    HttpsUrl,
    /// `/api/v1/attachments/{id}` or an https URI.
    AttachmentUri,
}

impl serde::Serialize for Format {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl serde::Serialize for ScopeKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Format {
    /// Every format.
    pub const ALL: &'static [Self] = &[
        Self::Date,
        Self::YearMonth,
        Self::CountyCode,
        Self::TownshipCode,
        Self::VillageCode,
        Self::DivisionCode,
        Self::Number,
        Self::WholeNumber,
        Self::JsonObject,
        Self::Sha256,
        Self::Phone,
        Self::IdNumber,
        Self::CardNumber,
        Self::VisibleAscii,
        Self::HttpsUrl,
        Self::AttachmentUri,
    ];

    /// The stable name (`date`, `year_month`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Date => "date",
            Self::YearMonth => "year_month",
            Self::CountyCode => "county_code",
            Self::TownshipCode => "township_code",
            Self::VillageCode => "village_code",
            Self::DivisionCode => "division_code",
            Self::Number => "number",
            Self::WholeNumber => "whole_number",
            Self::JsonObject => "json_object",
            Self::Sha256 => "sha256",
            Self::Phone => "phone",
            Self::IdNumber => "id_number",
            Self::CardNumber => "card_number",
            Self::VisibleAscii => "visible_ascii",
            Self::HttpsUrl => "https_url",
            Self::AttachmentUri => "attachment_uri",
        }
    }

    fn message(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::Date, Lang::En) => "must be a date such as 2024-03-15",
            (Self::Date, Lang::Zh) => "必须是日期,如 2024-03-15",
            (Self::YearMonth, Lang::En) => "must be YYYY-MM",
            (Self::YearMonth, Lang::Zh) => "格式必须为 YYYY-MM",
            (Self::CountyCode, Lang::En) => "must be a 6-digit county code",
            (Self::CountyCode, Lang::Zh) => "必须是 6 位县级代码",
            (Self::TownshipCode, Lang::En) => "must be a township (9 digits)",
            (Self::TownshipCode, Lang::Zh) => "必须是乡镇代码(9 位)",
            (Self::VillageCode, Lang::En) => "must be a village's 12-digit code",
            (Self::VillageCode, Lang::Zh) => "必须是村的 12 位代码",
            (Self::DivisionCode, Lang::En) => "must be a division code of 2, 4, 6, 9 or 12 digits",
            (Self::DivisionCode, Lang::Zh) => "必须是 2、4、6、9 或 12 位数字的行政区划代码",
            (Self::Number, Lang::En) => "must be a number",
            (Self::Number, Lang::Zh) => "必须是数字",
            (Self::WholeNumber, Lang::En) => "must be a whole number",
            (Self::WholeNumber, Lang::Zh) => "必须是整数",
            (Self::JsonObject, Lang::En) => "must be a JSON object",
            (Self::JsonObject, Lang::Zh) => "必须是 JSON 对象",
            (Self::Sha256, Lang::En) => "must be 64 hexadecimal digits",
            (Self::Sha256, Lang::Zh) => "必须是 64 位十六进制数字",
            (Self::Phone, Lang::En) => "must be 7 to 20 digits, '-' or '+'",
            (Self::Phone, Lang::Zh) => "必须由 7 至 20 个数字、“-”或“+”组成",
            (Self::IdNumber, Lang::En) => "is not a valid ID number",
            (Self::IdNumber, Lang::Zh) => "不是有效的身份证号",
            (Self::CardNumber, Lang::En) => "is not a card number",
            (Self::CardNumber, Lang::Zh) => "不是有效的卡号",
            (Self::VisibleAscii, Lang::En) => "must be visible ASCII",
            (Self::VisibleAscii, Lang::Zh) => "只能包含可见的 ASCII 字符",
            (Self::HttpsUrl, Lang::En) => "must be an absolute URL (https://…)",
            (Self::HttpsUrl, Lang::Zh) => "必须是完整网址(https://…)",
            (Self::AttachmentUri, Lang::En) => "must be /api/v1/attachments/{id} or an https URI",
            (Self::AttachmentUri, Lang::Zh) => "必须是 /api/v1/attachments/{id} 或 https 地址",
        }
    }
}

/// What a field must name in the caller's scope ([`Rule::NotInScope`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    /// A village.
    Village,
    /// A township.
    Township,
    /// A county.
    County,
    /// A county, township or village.
    Region,
    /// A household.
    Household,
    /// A user.
    User,
    /// A fund.
    Fund,
    /// A project.
    Project,
    /// A registered person.
    Person,
    /// A member of a village work team.
    TeamMember,
}

impl ScopeKind {
    /// Every kind.
    pub const ALL: &'static [Self] = &[
        Self::Village,
        Self::Township,
        Self::County,
        Self::Region,
        Self::Household,
        Self::User,
        Self::Fund,
        Self::Project,
        Self::Person,
        Self::TeamMember,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Village => "village",
            Self::Township => "township",
            Self::County => "county",
            Self::Region => "region",
            Self::Household => "household",
            Self::User => "user",
            Self::Fund => "fund",
            Self::Project => "project",
            Self::Person => "person",
            Self::TeamMember => "team_member",
        }
    }

    fn message(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::Village, Lang::En) => "must be a village in your scope",
            (Self::Village, Lang::Zh) => "必须是您管辖范围内的村",
            (Self::Township, Lang::En) => "must be a township in your scope",
            (Self::Township, Lang::Zh) => "必须是您管辖范围内的乡镇",
            (Self::County, Lang::En) => "must be a county in your scope",
            (Self::County, Lang::Zh) => "必须是您管辖范围内的县",
            (Self::Region, Lang::En) => "must be a county, township or village in your scope",
            (Self::Region, Lang::Zh) => "必须是您管辖范围内的县、乡镇或村",
            (Self::Household, Lang::En) => "is not a household in your scope",
            (Self::Household, Lang::Zh) => "不是您管辖范围内的户",
            (Self::User, Lang::En) => "is not a user in your scope",
            (Self::User, Lang::Zh) => "不是您管辖范围内的用户",
            (Self::Fund, Lang::En) => "is not a fund in your scope",
            (Self::Fund, Lang::Zh) => "不是您管辖范围内的资金",
            (Self::Project, Lang::En) => "is not a project in your scope",
            (Self::Project, Lang::Zh) => "不是您管辖范围内的项目",
            (Self::Person, Lang::En) => "is not a registered person in your scope",
            (Self::Person, Lang::Zh) => "不是您管辖范围内的在册人员",
            (Self::TeamMember, Lang::En) => "is not a team member in your scope",
            (Self::TeamMember, Lang::Zh) => "不是您管辖范围内的工作队成员",
        }
    }
}

/// Why a field was refused: a closed set, each with its parameters. [`Rule::message`] renders
/// it in a language; [`Rule::name`] is its stable snake_case name in the contract.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// The field is missing or empty.
    Required,
    /// Text longer than `max` characters.
    TooLong {
        /// Most characters.
        max: i64,
    },
    /// Text whose length is not within `min..=max` characters.
    Length {
        /// Fewest characters.
        min: i64,
        /// Most characters.
        max: i64,
    },
    /// A number outside `min..=max`.
    OutOfRange {
        /// Least value.
        min: i64,
        /// Greatest value.
        max: i64,
    },
    /// A number below `min`.
    AtLeast {
        /// Least value.
        min: i64,
    },
    /// A number above `max`.
    AtMost {
        /// Greatest value.
        max: i64,
    },
    /// A year outside `min..=max`.
    YearRange {
        /// First year.
        min: i64,
        /// Last year.
        max: i64,
    },
    /// An area in mu outside `min..=max` or with more than one decimal.
    Area {
        /// Least area.
        min: f64,
        /// Greatest area.
        max: f64,
    },
    /// A percentage outside 0 to 100 or with more than one decimal.
    Percentage,
    /// A value not among `allowed`.
    OneOf {
        /// The accepted values.
        allowed: Vec<String>,
    },
    /// A negative number.
    NotNegative,
    /// Zero or a negative number.
    Positive,
    /// A date after today.
    NotInFuture,
    /// A date (or year) before `other` (a field name, or a date).
    NotBefore {
        /// The field or date it may not precede.
        other: String,
    },
    /// Text not of the shape `format`.
    Format {
        /// The shape.
        format: Format,
    },
    /// An id or code that names nothing of `scope` in the caller's scope.
    NotInScope {
        /// What it must name.
        scope: ScopeKind,
    },
    /// A region outside the caller's scope.
    OutsideScope,
    /// A code that is no known division.
    UnknownCode,
    /// A value listed twice.
    ListedTwice,
    /// A household (or object) that is not on the list at hand.
    NotOnList,
    /// A pagination cursor this API did not issue.
    InvalidCursor,
    /// Text with control characters.
    ControlCharacters,
    /// Invalid, with no more to say.
    Invalid,
    /// A rule particular to one operation, told in both languages.
    Other {
        /// The English message.
        en: String,
        /// The Chinese message.
        zh: String,
    },
}

impl Rule {
    /// Every rule's name, as the contract's enum lists them.
    pub const NAMES: &'static [&'static str] = &[
        "required",
        "too_long",
        "length",
        "out_of_range",
        "at_least",
        "at_most",
        "year_range",
        "area",
        "percentage",
        "one_of",
        "not_negative",
        "positive",
        "not_in_future",
        "not_before",
        "format",
        "not_in_scope",
        "outside_scope",
        "unknown_code",
        "listed_twice",
        "not_on_list",
        "invalid_cursor",
        "control_characters",
        "invalid",
        "other",
    ];

    /// A rule particular to one operation, with its English and Chinese message.
    pub fn other(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Self::Other {
            en: en.into(),
            zh: zh.into(),
        }
    }

    /// A value the parser could not read (a JSON type or shape error): its English explanation,
    /// and in Chinese a sentence that keeps it for the details.
    pub fn unreadable(e: impl fmt::Display) -> Self {
        Self::other(e.to_string(), format!("无法读取该值({e})"))
    }

    /// Text of `min..=max` characters (`min` 1: required text).
    pub fn length(min: usize, max: usize) -> Self {
        Self::Length {
            min: i64::try_from(min).unwrap_or(i64::MAX),
            max: i64::try_from(max).unwrap_or(i64::MAX),
        }
    }

    /// Text of at most `max` characters.
    pub fn too_long(max: usize) -> Self {
        Self::TooLong {
            max: i64::try_from(max).unwrap_or(i64::MAX),
        }
    }

    /// A number within `min..=max`.
    pub fn range(min: impl Into<i64>, max: impl Into<i64>) -> Self {
        Self::OutOfRange {
            min: min.into(),
            max: max.into(),
        }
    }

    /// One of `allowed`.
    pub fn one_of<S: AsRef<str>>(allowed: impl IntoIterator<Item = S>) -> Self {
        Self::OneOf {
            allowed: allowed
                .into_iter()
                .map(|s| s.as_ref().to_string())
                .collect(),
        }
    }

    /// Not before `other`.
    pub fn not_before(other: impl Into<String>) -> Self {
        Self::NotBefore {
            other: other.into(),
        }
    }

    /// Of the shape `format`.
    pub fn format(format: Format) -> Self {
        Self::Format { format }
    }

    /// Naming a `scope` in the caller's scope.
    pub fn not_in_scope(scope: ScopeKind) -> Self {
        Self::NotInScope { scope }
    }

    /// The name as the contract's enum ([`RuleName`]).
    pub fn rule_name(&self) -> RuleName {
        RuleName(self.name())
    }

    /// The stable snake_case name (one of [`Rule::NAMES`]).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::TooLong { .. } => "too_long",
            Self::Length { .. } => "length",
            Self::OutOfRange { .. } => "out_of_range",
            Self::AtLeast { .. } => "at_least",
            Self::AtMost { .. } => "at_most",
            Self::YearRange { .. } => "year_range",
            Self::Area { .. } => "area",
            Self::Percentage => "percentage",
            Self::OneOf { .. } => "one_of",
            Self::NotNegative => "not_negative",
            Self::Positive => "positive",
            Self::NotInFuture => "not_in_future",
            Self::NotBefore { .. } => "not_before",
            Self::Format { .. } => "format",
            Self::NotInScope { .. } => "not_in_scope",
            Self::OutsideScope => "outside_scope",
            Self::UnknownCode => "unknown_code",
            Self::ListedTwice => "listed_twice",
            Self::NotOnList => "not_on_list",
            Self::InvalidCursor => "invalid_cursor",
            Self::ControlCharacters => "control_characters",
            Self::Invalid => "invalid",
            Self::Other { .. } => "other",
        }
    }

    /// The parameters a client needs to build its own message: `(min, max)` bounds as JSON
    /// numbers, the allowed values, the other field or date, the format and the scope kind.
    pub fn params(&self) -> RuleParams {
        let mut p = RuleParams::default();
        let int = |v: i64| Some(serde_json::Number::from(v));
        match self {
            Self::TooLong { max } | Self::AtMost { max } => p.max = int(*max),
            Self::AtLeast { min } => p.min = int(*min),
            Self::Length { min, max }
            | Self::OutOfRange { min, max }
            | Self::YearRange { min, max } => {
                p.min = int(*min);
                p.max = int(*max);
            }
            Self::Area { min, max } => {
                p.min = serde_json::Number::from_f64(*min);
                p.max = serde_json::Number::from_f64(*max);
            }
            Self::Percentage => {
                p.min = int(0);
                p.max = int(100);
            }
            Self::OneOf { allowed } => p.allowed = Some(allowed.clone()),
            Self::NotBefore { other } => p.other = Some(other.clone()),
            Self::Format { format } => p.format = Some(*format),
            Self::NotInScope { scope } => p.scope = Some(*scope),
            _ => {}
        }
        p
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let pick = |en: &str, cn: &str| if zh { cn.to_string() } else { en.to_string() };
        match self {
            Self::Required => pick("is required", "必填"),
            Self::TooLong { max } => {
                if zh {
                    format!("最多 {max} 个字符")
                } else {
                    format!("must have at most {max} characters")
                }
            }
            Self::Length { min, max } => {
                if zh {
                    format!("须为 {min} 至 {max} 个字符")
                } else {
                    format!("must have {min} to {max} characters")
                }
            }
            Self::OutOfRange { min, max } => {
                if zh {
                    format!("必须在 {min} 与 {max} 之间")
                } else {
                    format!("must be between {min} and {max}")
                }
            }
            Self::AtLeast { min } => {
                if zh {
                    format!("不能小于 {min}")
                } else {
                    format!("must be at least {min}")
                }
            }
            Self::AtMost { max } => {
                if zh {
                    format!("不能大于 {max}")
                } else {
                    format!("must be at most {max}")
                }
            }
            Self::YearRange { min, max } => {
                if zh {
                    format!("必须是 {min} 至 {max} 之间的年份")
                } else {
                    format!("must be a year between {min} and {max}")
                }
            }
            Self::Area { min, max } => {
                if zh {
                    format!("必须是 {min} 至 {max} 亩之间的面积,最多一位小数")
                } else {
                    format!("must be an area from {min} to {max} mu with at most one decimal")
                }
            }
            Self::Percentage => pick(
                "must be a percentage from 0 to 100 with at most one decimal",
                "必须是 0 至 100 之间的百分比,最多一位小数",
            ),
            Self::OneOf { allowed } => {
                if zh {
                    format!("必须是以下之一:{}", allowed.join(", "))
                } else {
                    format!("must be one of {}", allowed.join(", "))
                }
            }
            Self::NotNegative => pick("must not be negative", "不能为负数"),
            Self::Positive => pick("must be positive", "必须为正数"),
            Self::NotInFuture => pick("must not be in the future", "不能晚于今天"),
            Self::NotBefore { other } => {
                if zh {
                    format!("不能早于 {other}")
                } else {
                    format!("must not be before {other}")
                }
            }
            Self::Format { format } => format.message(lang).to_string(),
            Self::NotInScope { scope } => scope.message(lang).to_string(),
            Self::OutsideScope => pick("lies outside your scope", "超出您的管辖范围"),
            Self::UnknownCode => pick("is not a known division code", "不是有效的行政区划代码"),
            Self::ListedTwice => pick("is listed twice", "重复列出"),
            Self::NotOnList => pick("is not on this list", "不在此名单上"),
            Self::InvalidCursor => pick(
                "is not a cursor this API issued",
                "不是本接口返回的分页游标",
            ),
            Self::ControlCharacters => {
                pick("must not contain control characters", "不能包含控制字符")
            }
            Self::Invalid => pick("is invalid", "无效"),
            Self::Other { en, zh: cn } => pick(en, cn),
        }
    }
}

/// A rule's parameters ([`Rule::params`]); each absent when the rule has none of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleParams {
    /// Least value or length.
    pub min: Option<serde_json::Number>,
    /// Greatest value or length.
    pub max: Option<serde_json::Number>,
    /// The accepted values.
    pub allowed: Option<Vec<String>>,
    /// The field or date the value may not precede.
    pub other: Option<String>,
    /// The shape the value must have.
    pub format: Option<Format>,
    /// What the value must name in the caller's scope.
    pub scope: Option<ScopeKind>,
}

/// The English message (logs, import error rows, `anyhow` contexts).
impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for Rule {}

impl serde::Serialize for Rule {
    /// The English message (the shape `FieldError` serialized to before it carried a rule).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.message(Lang::En))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of every variant (and of every format and scope kind).
    fn every_rule() -> Vec<Rule> {
        let mut all = vec![
            Rule::Required,
            Rule::too_long(20),
            Rule::length(1, 20),
            Rule::range(0, 100),
            Rule::AtLeast { min: 1 },
            Rule::AtMost { max: 50 },
            Rule::YearRange {
                min: 1980,
                max: 2100,
            },
            Rule::Area { min: 0.0, max: 1e6 },
            Rule::Percentage,
            Rule::one_of(["csv", "xlsx"]),
            Rule::NotNegative,
            Rule::Positive,
            Rule::NotInFuture,
            Rule::not_before("start_date"),
            Rule::OutsideScope,
            Rule::UnknownCode,
            Rule::ListedTwice,
            Rule::NotOnList,
            Rule::InvalidCursor,
            Rule::ControlCharacters,
            Rule::Invalid,
            Rule::other("is odd", "不对"),
        ];
        all.extend(Format::ALL.iter().map(|f| Rule::format(*f)));
        all.extend(ScopeKind::ALL.iter().map(|s| Rule::not_in_scope(*s)));
        all
    }

    #[test]
    fn every_rule_renders_chinese_without_english_words() {
        let names: std::collections::HashSet<_> = Rule::NAMES.iter().copied().collect();
        let mut seen = std::collections::HashSet::new();
        for r in every_rule() {
            let en = r.message(Lang::En);
            let zh = r.message(Lang::Zh);
            assert!(!en.is_empty() && !zh.is_empty(), "{r:?}");
            assert_ne!(en, zh, "{r:?}");
            assert!(names.contains(r.name()), "{r:?}");
            seen.insert(r.name());
            // Chinese text keeps only field names, parameters, units and formats in Latin
            // letters: no English word of the message's own.
            let latin: String = zh
                .split(|c: char| !(c.is_ascii_alphabetic() || c == '_'))
                .filter(|w| !w.is_empty())
                .filter(|w| {
                    ![
                        "start_date",
                        "csv",
                        "xlsx",
                        "YYYY",
                        "MM",
                        "ASCII",
                        "JSON",
                        "https",
                        "api",
                        "v",
                        "attachments",
                        "id",
                        "e",
                    ]
                    .contains(w)
                })
                .collect::<Vec<_>>()
                .join(" ");
            assert!(latin.is_empty(), "{r:?}: {zh} has English: {latin}");
            assert_eq!(r.to_string(), en);
        }
        assert_eq!(seen.len(), Rule::NAMES.len(), "a variant lacks a case here");
    }

    #[test]
    fn english_keeps_the_former_wording() {
        assert_eq!(Rule::Required.message(Lang::En), "is required");
        assert_eq!(
            Rule::length(1, 200).message(Lang::En),
            "must have 1 to 200 characters"
        );
        assert_eq!(
            Rule::length(1, 200).message(Lang::Zh),
            "须为 1 至 200 个字符"
        );
        assert_eq!(
            Rule::not_in_scope(ScopeKind::Household).message(Lang::Zh),
            "不是您管辖范围内的户"
        );
    }

    #[test]
    fn accept_language_picks_the_best_supported() {
        assert_eq!(Lang::from_accept_language(None), Lang::En);
        assert_eq!(
            Lang::from_accept_language(Some("zh-CN,zh;q=0.9,en;q=0.8")),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language(Some("en-US,zh;q=0.5")), Lang::En);
        assert_eq!(
            Lang::from_accept_language(Some("fr, zh-Hans;q=0.3")),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language(Some("zh-TW")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("zh;q=0, en")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("de")), Lang::En);
    }
}
