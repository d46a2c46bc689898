//! The one error type of the HTTP API: a stable snake_case code, a human message, and the status
//! that the code maps to (one table, below). Every failure reaches the client as
//! `{"error":{"code":…,"message":…}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::search::SearchError;

/// An API error.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: &'static str,
    pub message: String,
    /// Structured detail for the client (an ingest report), when there is one.
    pub details: Option<serde_json::Value>,
}

/// Each error code and its HTTP status.
pub const STATUS_OF_CODE: &[(&str, u16)] = &[
    ("invalid_parameter", 400),
    ("unknown_parameter", 400),
    ("invalid_filter", 400),
    ("invalid_query", 400),
    ("query_too_long", 400),
    ("page_too_deep", 400),
    ("invalid_json", 400),
    ("invalid_path", 400),
    ("invalid_records", 400),
    ("unauthorized", 401),
    ("forbidden", 403),
    ("not_found", 404),
    ("method_not_allowed", 405),
    ("timeout", 408),
    ("index_busy", 409),
    ("payload_too_large", 413),
    ("unsupported_media_type", 415),
    ("too_many_requests", 429),
    ("rate_limited", 429),
    ("internal", 500),
    ("unavailable", 503),
    ("overloaded", 503),
];

impl ApiError {
    pub fn new(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { code, message: message.into(), details: None }
    }

    pub fn with_details(mut self, details: serde_json::Value) -> ApiError {
        self.details = Some(details);
        self
    }

    pub fn status(&self) -> StatusCode {
        let code = STATUS_OF_CODE.iter().find(|(c, _)| *c == self.code).map(|(_, s)| *s).unwrap_or(500);
        StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The error for a status that arrived without one of ours (from a layer or axum itself).
    pub fn from_status(status: StatusCode) -> ApiError {
        let code = STATUS_OF_CODE
            .iter()
            .find(|(_, s)| *s == status.as_u16())
            .map(|(c, _)| *c)
            .unwrap_or(if status.is_client_error() { "invalid_parameter" } else { "internal" });
        ApiError::new(code, status.canonical_reason().unwrap_or("error").to_lowercase())
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a serde_json::Value>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(code = self.code, message = %self.message, "request failed");
        }
        (
            status,
            Json(Body { error: Inner { code: self.code, message: &self.message, details: self.details.as_ref() } }),
        )
            .into_response()
    }
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> ApiError {
        let code = e.code();
        let message = if code == "internal" {
            // Details go to the log, not to the client.
            tracing::error!(error = %e, "search failed");
            "the search could not be completed".to_string()
        } else {
            e.to_string()
        };
        ApiError::new(code, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_4xx_or_5xx_status() {
        for (code, status) in STATUS_OF_CODE {
            assert!((400..600).contains(status), "{code}");
            assert_eq!(ApiError::new(code, "x").status().as_u16(), *status);
        }
    }

    #[test]
    fn search_errors_keep_their_code() {
        let e: ApiError = SearchError::QueryTooLong { max: 5 }.into();
        assert_eq!((e.code, e.status().as_u16()), ("query_too_long", 400));
    }
}
