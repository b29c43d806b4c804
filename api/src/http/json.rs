//! `ValidJson<T>`: the only JSON body extractor. It answers 415 for another content type, 413
//! over the body limit, and 422 naming the field for anything serde refuses — including
//! unknown fields, since every request DTO has `deny_unknown_fields`.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use domain::{DomainError, FieldError, Rule};
use futures_util::StreamExt as _;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Body limit, stored as app data.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON body, validated.
#[derive(Debug)]
pub struct ValidJson<T>(pub T);

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .is_some_and(|m| {
            m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
        })
}

/// Turns a serde error with its path into a field error.
fn field_error(e: &serde_path_to_error::Error<serde_json::Error>) -> FieldError {
    // serde_path_to_error writes `?` for a place it cannot name (a syntax error): the body.
    let path = e.path().to_string();
    let path = match path.trim_end_matches(".?") {
        "?" | "" => ".".to_string(),
        p => p.to_string(),
    };
    let inner = e.inner();
    let message = inner.to_string();
    // Strip serde's " at line 1 column 9" suffix: the field path says where.
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_string();
    // serde quotes the offending value ("invalid type: integer `370831…`"): never let a value
    // that could be an ID number or a phone number reach a response or a log.
    let (named, rule) = refusal(redact_digits(&message), "未知字段");
    let field = match (path.as_str(), named) {
        (".", named) => named.unwrap_or_else(|| "body".into()),
        (_, Some(missing)) if rule == Rule::Required => format!("{path}.{missing}"),
        _ => path,
    };
    FieldError::new(field, rule)
}

/// What a serde refusal (its message, values already redacted) says: the field it names, when
/// it names one — missing, unknown and repeated fields are reported at their parent, and other
/// messages quote a value, never a name — and the rule it broke. `unknown` is the Chinese for an
/// unknown field (of a body) or parameter (of a query).
pub(crate) fn refusal(message: String, unknown: &str) -> (Option<String>, Rule) {
    let names_a_field = ["missing field", "unknown field", "duplicate field"]
        .iter()
        .any(|p| message.starts_with(p));
    let named = names_a_field.then(|| grab_backticked(&message)).flatten();
    let rule = if message.starts_with("missing field") {
        Rule::Required
    } else if message.starts_with("unknown field") {
        Rule::other(message, unknown)
    } else {
        Rule::unreadable(message)
    };
    (named, rule)
}

/// The path of the first string (or key) that `bad` holds true of, if any.
fn path_where(v: &serde_json::Value, at: String, bad: &dyn Fn(&str) -> bool) -> Option<String> {
    let join = |at: &str, k: &str| {
        if at.is_empty() {
            k.to_string()
        } else {
            format!("{at}.{k}")
        }
    };
    match v {
        serde_json::Value::String(s) if bad(s) => {
            Some(if at.is_empty() { "body".into() } else { at })
        }
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| path_where(x, format!("{at}[{i}]"), bad)),
        serde_json::Value::Object(m) => m.iter().find_map(|(k, x)| {
            if bad(k) {
                Some(join(&at, "key"))
            } else {
                path_where(x, join(&at, k), bad)
            }
        }),
        _ => None,
    }
}

/// Whether a JSON text may hold a date outside 1900–2100 (a quick look at every quoted run;
/// the path is found by parsing only when one does).
pub(crate) fn may_hold_bad_date(json: &[u8]) -> bool {
    json.split(|&b| b == b'"').any(|s| {
        s.len() <= 40 && std::str::from_utf8(s).is_ok_and(domain::input::date_text_out_of_range)
    })
}

/// Replaces runs of seven or more digits (ID and phone numbers) with `…`.
pub fn redact_digits(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() || (c == 'X' && !run.is_empty()) {
            run.push(c);
            continue;
        }
        out.push_str(if run.len() >= 7 { "…" } else { &run });
        run.clear();
        out.push(c);
    }
    out.push_str(if run.len() >= 7 { "…" } else { &run });
    out
}

fn grab_backticked(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_string())
}

impl<T: DeserializeOwned + 'static> FromRequest for ValidJson<T> {
    type Error = ApiError;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<BodyLimit>>()
            .map_or(65_536, |l| l.0);
        let json = is_json(req);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !json {
                return Err(ApiError::UnsupportedMediaType);
            }
            if declared.is_some_and(|n| n > limit) {
                return Err(ApiError::PayloadTooLarge(limit));
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    DomainError::field(
                        "body",
                        Rule::other(
                            format!("could not read the body: {e}"),
                            format!("无法读取请求内容:{e}"),
                        ),
                    )
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge(limit));
                }
                body.extend_from_slice(&chunk);
            }
            if body.is_empty() {
                return Err(DomainError::field(
                    "body",
                    domain::Rule::other("a JSON body is required", "需要 JSON 请求体"),
                )
                .into());
            }
            // PostgreSQL cannot store U+0000 in text; in JSON it can only come escaped.
            if body.windows(6).any(|w| w == b"\\u0000")
                && let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body)
                && let Some(path) = path_where(&v, String::new(), &|s| s.contains('\0'))
            {
                return Err(DomainError::field(
                    path,
                    domain::Rule::other("must not contain the NUL character", "不能包含 NUL 字符"),
                )
                .into());
            }
            // Every date field takes 1900–2100: a slip of the year (2205, 0024) is refused
            // here, once for every route, and no date past what PostgreSQL stores reaches it.
            if may_hold_bad_date(&body)
                && let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(&body)
                && let Some(path) = {
                    // A password is whatever its owner chose, a date-shaped one included.
                    if let Some(o) = v.as_object_mut() {
                        o.retain(|k, _| !k.contains("password"));
                    }
                    path_where(&v, String::new(), &domain::input::date_text_out_of_range)
                }
            {
                return Err(DomainError::field(path, domain::input::date_rule()).into());
            }
            // Every request body is a JSON object: serde would also take a struct from an
            // array of its fields in order, which no schema of ours allows.
            if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
                return Err(DomainError::field(
                    "body",
                    domain::Rule::other("must be a JSON object", "必须是 JSON 对象"),
                )
                .into());
            }
            let de = &mut serde_json::Deserializer::from_slice(&body);
            let value = serde_path_to_error::deserialize(de)
                .map_err(|e| ApiError::Domain(DomainError::Validation(vec![field_error(&e)])))?;
            Ok(Self(value))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields exist to be deserialized")]
    struct Body {
        name: String,
        inner: Option<Inner>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields exist to be deserialized")]
    struct Inner {
        n: u8,
    }

    fn err(json: &str) -> FieldError {
        let de = &mut serde_json::Deserializer::from_str(json);
        match serde_path_to_error::deserialize::<_, Body>(de) {
            Ok(_) => FieldError::new("", domain::Rule::other("", "")),
            Err(e) => field_error(&e),
        }
    }

    #[test]
    fn numbers_in_messages_are_redacted() {
        assert_eq!(
            redact_digits("invalid type: integer `370831198001010015`"),
            "invalid type: integer `…`"
        );
        assert_eq!(
            redact_digits("must have 18 characters"),
            "must have 18 characters"
        );
        assert_eq!(redact_digits("x 37083119800101001X y"), "x … y");
    }

    #[test]
    fn finds_nul_characters() {
        let v: serde_json::Value =
            serde_json::from_str(r#"{"a":"ok","b":[{"c":"x\u0000y"}]}"#).unwrap_or_default();
        let nul = |s: &str| s.contains('\0');
        assert_eq!(
            path_where(&v, String::new(), &nul).as_deref(),
            Some("b[0].c")
        );
        let v: serde_json::Value = serde_json::from_str(r#"{"a":"\\u0000"}"#).unwrap_or_default();
        assert_eq!(path_where(&v, String::new(), &nul), None);
        // Dates outside 1900–2100, by path; a JSON text is looked at only when it may hold one.
        let body = br#"{"term":{"start":"2024-03-15","end":"2205-12-31"},"note":"2205"}"#;
        assert!(may_hold_bad_date(body));
        let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        assert_eq!(
            path_where(&v, String::new(), &domain::input::date_text_out_of_range).as_deref(),
            Some("term.end")
        );
        assert!(!may_hold_bad_date(br#"{"on":"2024-03-15","n":"-5"}"#));
    }

    #[test]
    fn names_the_field() {
        assert_eq!(
            err(r#"{"name":"a","county_code":"1"}"#).field,
            "county_code"
        );
        assert!(
            err(r#"{"name":"a","county_code":"1"}"#)
                .rule
                .to_string()
                .contains("unknown field")
        );
        assert_eq!(
            err(r#"{"name":"a","county_code":"1"}"#).message(domain::Lang::Zh),
            "未知字段"
        );
        assert_eq!(err(r#"{}"#).field, "name");
        assert_eq!(err(r#"{}"#).rule, Rule::Required);
        assert_eq!(err(r#"{"name":3}"#).field, "name");
        assert_eq!(err(r#"{"name":"a","inner":{"n":300}}"#).field, "inner.n");
        assert_eq!(err(r#"{"name":"a","inner":{}}"#).field, "inner.n");
        assert_eq!(err(r#"{"name":"a","inner":{"m":1}}"#).field, "inner.m");
    }
}
