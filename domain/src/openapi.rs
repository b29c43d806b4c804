//! The closed vocabularies as schemas of the published contract (feature `openapi`): `api`
//! refers to them from its DTOs, so the document's enums come from where each vocabulary is
//! defined.

use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

/// A string enum of `codes` (each described with its label); with `accept_labels`, the Chinese
/// labels are values too (request fields, which take either).
pub(crate) fn vocabulary_schema(codes: &[&str], labels: &[&str], accept_labels: bool) -> Object {
    let mut values: Vec<&str> = codes.to_vec();
    let pairs: Vec<String> = codes
        .iter()
        .zip(labels)
        .map(|(c, l)| format!("`{c}` ({l})"))
        .collect();
    let description = if accept_labels {
        values.extend_from_slice(labels);
        format!("A code, or its Chinese label: {}", pairs.join(", "))
    } else {
        pairs.join(", ")
    };
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(description))
        .build()
}

/// `schema`, or `null` (an optional field the server also takes as `null`).
pub(crate) fn or_null(mut schema: Object) -> Object {
    schema.schema_type = SchemaType::from_iter([Type::String, Type::Null]);
    if let Some(values) = schema.enum_values.as_mut() {
        values.push(serde_json::Value::Null);
    }
    schema
}

/// `Problem.code`: every code an answer can carry, each with what it means.
impl utoipa::PartialSchema for crate::ErrorCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let sent = Self::ALL.iter().copied().filter(|c| c.is_sent());
        let lines: Vec<String> = sent
            .clone()
            .map(|c| format!("- `{}`: {}", c.as_str(), c.description()))
            .collect();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(sent.map(Self::as_str)))
            .description(Some(format!(
                "Stable machine-readable code of a problem; clients branch on it.\n\n{}",
                lines.join("\n")
            )))
            .into()
    }
}

impl utoipa::ToSchema for crate::ErrorCode {}

/// A string enum of `values`, described by `description`.
fn string_enum(
    values: Vec<&'static str>,
    description: String,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(description))
        .into()
}

/// `FieldError.format`: the shape a text field must have.
impl utoipa::PartialSchema for crate::Format {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        string_enum(
            Self::ALL.iter().map(|f| f.as_str()).collect(),
            "The shape the value must have (with `rule` `format`).".into(),
        )
    }
}

impl utoipa::ToSchema for crate::Format {}

/// `FieldError.scope`: what the value must name in the caller's scope.
impl utoipa::PartialSchema for crate::ScopeKind {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        string_enum(
            Self::ALL.iter().map(|s| s.as_str()).collect(),
            "What the value must name in your scope (with `rule` `not_in_scope`).".into(),
        )
    }
}

impl utoipa::ToSchema for crate::ScopeKind {}

/// `FieldError.rule`: why a field was refused.
impl utoipa::PartialSchema for crate::rule::RuleName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        string_enum(
            crate::Rule::NAMES.to_vec(),
            "Why the field was refused, stable for clients to build their own message. \
             Parameters come beside it: `too_long` `max`; `length`, `out_of_range`, `year_range`, \
             `area` `min` and `max`; `at_least` `min`; `at_most` `max`; `one_of` `allowed`; \
             `not_before` `other` (a field or a date); `format` `format`; `not_in_scope` \
             `scope`. `other` is a rule particular to one operation: its `message` says it."
                .into(),
        )
    }
}

impl utoipa::ToSchema for crate::rule::RuleName {}
