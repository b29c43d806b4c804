//! Zhenxing's business rules, free of I/O: region codes and scopes, roles and who may grant
//! what, the typed settings record, validation of user input, and the workflows.
//!
//! Everything here is synchronous and deterministic (time comes in as an argument), so it is
//! unit-tested without a database. Adapters live in `infra`, HTTP in `api`.

/// Declares a closed vocabulary: stable English codes, Chinese labels, parsing from either.
///
/// With the `openapi` feature, the vocabulary is also a schema for the published contract: a
/// string enum of its codes (named after the type, or `Name as "SchemaName"` where the type's
/// own name is ambiguous), and [`input_schema`](#method.input_schema) for request fields, which
/// take a code or its Chinese label.
macro_rules! vocabulary {
    (@def $schema:expr; $(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal / $label:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stable code.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $code),+ }
            }

            /// The Chinese label.
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }

            /// From a code or a Chinese label.
            ///
            /// # Errors
            /// A message listing the accepted codes.
            pub fn parse(text: &str) -> Result<Self, crate::Rule> {
                let t = text.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == t || v.label() == t)
                    .ok_or_else(|| crate::Rule::one_of(Self::ALL.iter().map(|v| v.as_str())))
            }
        }

        impl crate::vocabularies::Vocabulary for $name {
            const NAME: &'static str = $schema;

            fn entries() -> Vec<(&'static str, &'static str)> {
                Self::ALL.iter().map(|v| (v.as_str(), v.label())).collect()
            }
        }

        #[cfg(feature = "openapi")]
        impl $name {
            /// The schema of a request field: a code or its Chinese label.
            pub fn input_schema() -> ::utoipa::openapi::schema::Object {
                crate::openapi::vocabulary_schema(
                    &[$($code),+],
                    &[$($label),+],
                    true,
                )
            }

            /// The schema of an optional request field that may also be `null`.
            pub fn input_schema_or_null() -> ::utoipa::openapi::schema::Object {
                crate::openapi::or_null(Self::input_schema())
            }

            /// The schema of a request field listing codes (or labels).
            pub fn input_list_schema() -> ::utoipa::openapi::schema::Array {
                ::utoipa::openapi::schema::Array::new(Self::input_schema())
            }

            /// The schema of an optional request field listing codes, or `null`.
            pub fn input_list_schema_or_null() -> ::utoipa::openapi::schema::Array {
                ::utoipa::openapi::schema::ArrayBuilder::new()
                    .schema_type(::utoipa::openapi::schema::SchemaType::from_iter([
                        ::utoipa::openapi::schema::Type::Array,
                        ::utoipa::openapi::schema::Type::Null,
                    ]))
                    .items(Self::input_schema())
                    .build()
            }
        }

        #[cfg(feature = "openapi")]
        impl ::utoipa::PartialSchema for $name {
            fn schema() -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
                crate::openapi::vocabulary_schema(&[$($code),+], &[$($label),+], false).into()
            }
        }

        #[cfg(feature = "openapi")]
        impl ::utoipa::ToSchema for $name {
            fn name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed($schema)
            }
        }
    };
    ($(#[$doc:meta])* $name:ident as $schema:literal { $($body:tt)+ }) => {
        vocabulary! { @def $schema; $(#[$doc])* $name { $($body)+ } }
    };
    ($(#[$doc:meta])* $name:ident { $($body:tt)+ }) => {
        vocabulary! { @def stringify!($name); $(#[$doc])* $name { $($body)+ } }
    };
}

pub mod authz;
pub mod benefit_card;
pub mod calendar;
pub mod campaign;
pub mod cases;
pub mod error;
pub mod exit;
pub mod funds;
pub mod income_growth;
pub mod input;
pub mod inspection;
pub mod intake;
pub mod monitoring;
pub mod net;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod organ;
pub mod password;
pub mod property;
pub mod ranger;
pub mod region;
pub mod rule;
pub mod settings;
pub mod township_plan;
pub mod user;
pub mod village_indicators;
pub mod villages;
pub mod vocabularies;
pub mod webhooks;
pub mod work;

pub use error::{DomainError, ErrorCode, FieldError};
pub use region::{Level, RegionCode, Scope};
pub use rule::{Format, Lang, Rule, RuleName, ScopeKind};
