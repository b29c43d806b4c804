//! `Query<T>`: the only query-string extractor. Like actix's `web::Query`, but a value serde
//! refuses (`limit=abc`, `as_of=2020-13-45`, `status=zz`, a repeated parameter) is answered 422
//! naming the parameter, where actix's names only "query".

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use domain::FieldError;
use serde::de::DeserializeOwned;

use super::json::{redact_digits, refusal};
use crate::error::ApiError;

/// The query string, deserialized.
#[derive(Debug, Clone)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    /// The parameters.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Query<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse(req.query_string()).map(Query))
    }
}

/// Parses a query string into `T`; a refusal names the parameter.
///
/// # Errors
/// 422 naming the parameter and the reason.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        // A value is never repeated back whole: it could be an ID or a phone number.
        let (named, rule) = refusal(redact_digits(&e.inner().to_string()), "未知参数");
        let field = if path.is_empty() || path == "." {
            named.unwrap_or_else(|| "query".into())
        } else {
            path
        };
        ApiError::BadParameter(FieldError::new(field, rule))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[expect(dead_code, reason = "fields exist to be deserialized")]
    struct Params {
        limit: Option<u32>,
        as_of: Option<chrono::NaiveDate>,
        late: Option<bool>,
        status: Option<Kind>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Open,
    }

    fn field(query: &str) -> String {
        match parse::<Params>(query) {
            Ok(p) => format!("accepted {p:?}"),
            Err(ApiError::BadParameter(f)) => f.field,
            Err(e) => format!("other error {e:?}"),
        }
    }

    #[test]
    fn a_refused_value_names_its_parameter() {
        assert_eq!(field("limit=abc"), "limit");
        assert_eq!(field("limit=1.5"), "limit");
        assert_eq!(field("as_of=2020-13-45"), "as_of");
        assert_eq!(field("late=perhaps"), "late");
        assert_eq!(field("status=zz"), "status");
        assert_eq!(field("limit=5&limit=6"), "limit");
    }

    #[test]
    fn good_values_and_other_parameters_pass() {
        let p = parse::<Params>("limit=5&as_of=2020-01-31&late=true&status=open&other=1");
        assert!(
            p.as_ref()
                .is_ok_and(|p| p.limit == Some(5) && p.late == Some(true)),
            "{p:?}"
        );
    }

    #[test]
    fn the_refusal_never_repeats_a_long_number() {
        let Err(ApiError::BadParameter(f)) = parse::<Params>("limit=370831198001020011") else {
            panic!("not refused")
        };
        assert!(!format!("{f:?}").contains("370831198001020011"), "{f:?}");
    }
}
