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
