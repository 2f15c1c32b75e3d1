//! The JSON request body, with the contract's statuses: 400 for a body
//! that is not JSON (or not sent as JSON), 422 naming the field that
//! fails to deserialize, 413 for one over the size limit.

use crate::error::ApiError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

/// A JSON body of type `T`.
#[derive(Debug, Clone)]
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(rejected(&rejection)),
        }
    }
}

fn rejected(rejection: &JsonRejection) -> ApiError {
    let text = rejection.body_text();
    match rejection {
        JsonRejection::JsonDataError(_) => {
            let (field, message) = field_of(&text);
            ApiError::invalid(&field, message)
        }
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::bad_request("send the body as JSON (Content-Type: application/json)")
        }
        _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "the request body is larger than api.max_body_bytes",
        ),
        _ => ApiError::bad_request(format!("the body is not valid JSON: {text}")),
    }
}

/// An optional whole number that may be written `30` or `30.0`: JSON
/// Schema's `integer` takes both, so the API does too.
pub fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    use serde::Deserialize;
    let Some(n) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    n.as_u64()
        .or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= f64::from(u32::MAX))
                .map(|f| f as u64)
        })
        .and_then(|v| u32::try_from(v).ok())
        .map(Some)
        .ok_or_else(|| {
            serde::de::Error::custom(format!("`{n}` is not a whole number from 0 to 4294967295"))
        })
}

/// The field a deserialisation error names: axum reports `PATH: ERROR`
/// after its own prefix; a missing field is named in backticks.
fn field_of(text: &str) -> (String, String) {
    let detail = text
        .split_once("target type: ")
        .map_or(text, |(_, rest)| rest);
    let (path, error) = detail.split_once(": ").unwrap_or((".", detail));
    let field = if path == "." || path.is_empty() {
        error
            .split('`')
            .nth(1)
            .map_or_else(|| "body".to_string(), str::to_string)
    } else {
        path.to_string()
    };
    (field, error.to_string())
}

#[cfg(test)]
mod tests {
    use super::field_of;

    #[test]
    fn whole_numbers_may_be_written_as_floats() {
        #[derive(serde::Deserialize)]
        struct T {
            #[serde(default, deserialize_with = "super::whole_number")]
            n: Option<u32>,
        }
        let n = |json: &str| serde_json::from_str::<T>(json).map(|t| t.n);
        assert_eq!(n(r#"{"n": 30}"#).ok(), Some(Some(30)));
        assert_eq!(n(r#"{"n": 30.0}"#).ok(), Some(Some(30)));
        assert_eq!(n(r#"{"n": null}"#).ok(), Some(None));
        assert_eq!(n("{}").ok(), Some(None));
        for bad in [
            r#"{"n": 1.5}"#,
            r#"{"n": -1}"#,
            r#"{"n": 5e9}"#,
            r#"{"n": "3"}"#,
        ] {
            assert!(n(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fields_are_named_from_the_error() {
        let missing = "Failed to deserialize the JSON body into the target type: .: missing field `password` at line 1 column 20";
        assert_eq!(field_of(missing).0, "password");
        let bad = "Failed to deserialize the JSON body into the target type: role: unknown variant `boss`, expected one of `admin`";
        assert_eq!(field_of(bad).0, "role");
    }
}
