//! Zhenxing's business rules, free of I/O: region codes and scopes, roles and who may grant
//! what, the typed settings record, validation of user input, and the workflows.
//!
//! Everything here is synchronous and deterministic (time comes in as an argument), so it is
//! unit-tested without a database. Adapters live in `infra`, HTTP in `api`.

/// Declares a closed vocabulary: stable English codes, Chinese labels, parsing from either.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal / $label:literal),+ $(,)? }) => {
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
            pub fn parse(text: &str) -> Result<Self, String> {
                let t = text.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == t || v.label() == t)
                    .ok_or_else(|| format!(
                        "must be one of {}",
                        Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
                    ))
            }
        }
    };
}

pub mod authz;
pub mod calendar;
pub mod cases;
pub mod error;
pub mod exit;
pub mod funds;
pub mod monitoring;
pub mod net;
pub mod organ;
pub mod password;
pub mod property;
pub mod ranger;
pub mod region;
pub mod settings;
pub mod user;
pub mod villages;
pub mod webhooks;

pub use error::{DomainError, FieldError};
pub use region::{Level, RegionCode, Scope};
