//! Ingest and delete over HTTP, for holders of an admin key (see `auth`); each one is written to
//! the audit log with the key's name.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use axum::Json;
use serde::Serialize;

use crate::index::IndexError;
use crate::ingest::{self, IngestReport, IngestRules, Origin, RawRecord};

use super::auth::Caller;
use super::error::ApiError;
use super::AppState;
use crate::config::Role;

fn index_error(e: IndexError) -> ApiError {
    match e {
        IndexError::Locked { .. } => ApiError::new("index_busy", e.to_string()),
        other => {
            tracing::error!(error = %other, "index write failed");
            ApiError::new("internal", "the index could not be written; nothing of this batch was committed")
        }
    }
}

/// Records of a request body: one JSON object, a JSON array of objects, or JSON Lines.
fn records(body: &[u8]) -> Vec<RawRecord> {
    const SOURCE: &str = "request body";
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        let origin = Origin { file: SOURCE.into(), line: 1 };
        return match value {
            serde_json::Value::Array(items) => {
                items.into_iter().map(|v| RawRecord { origin: origin.clone(), value: Ok(v) }).collect()
            }
            v => vec![RawRecord { origin, value: Ok(v) }],
        };
    }
    ingest::source::read_jsonl(body, SOURCE).unwrap_or_default()
}

/// The query of an ingest: `redact` (true or false; the configured `pii_redact` when absent)
/// masks personal data instead of rejecting the record.
fn redact_param(query: Option<&str>) -> Result<Option<bool>, ApiError> {
    let mut redact = None;
    for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if key != "redact" {
            return Err(ApiError::new(
                "unknown_parameter",
                format!("unknown parameter {key:?}; this endpoint takes redact"),
            ));
        }
        if redact.is_some() {
            return Err(ApiError::new("invalid_parameter", "invalid parameter redact: given more than once"));
        }
        redact = Some(match value.trim() {
            "true" | "1" => true,
            "false" | "0" => false,
            other => {
                return Err(ApiError::new(
                    "invalid_parameter",
                    format!("invalid parameter redact: must be true or false, got {other:?}"),
                ))
            }
        });
    }
    Ok(redact)
}

pub async fn ingest(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    RawQuery(query): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<IngestReport>, ApiError> {
    caller.require(Role::Admin, "ingest over HTTP")?;
    let redact = redact_param(query.as_deref())?.unwrap_or(state.config.pii.redacts());
    let body = body.map_err(|e| ApiError::from_status(e.status()))?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::new("invalid_records", "the body holds no record"));
    }
    let report = tokio::task::spawn_blocking(move || {
        let records = records(&body);
        let pii = state.config.pii.clone().redacting(redact);
        let batch = ingest::prepare_batch(records, IngestRules::new(state.engine.taxonomy(), &pii), &mut |_| {});
        let _writing = state.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        let report = state.engine.index().write_batch(batch, state.config.default_access, state.config.writer_memory);
        if let Err(e) = state.engine.warm() {
            tracing::warn!(error = %e, "could not warm the search tables");
        }
        report
    })
    .await
    .map_err(|_| ApiError::new("internal", "the ingest could not be completed"))?
    .map_err(index_error)?;
    tracing::info!(
        target: "audit",
        event = "ingest",
        key = caller.key.as_deref().unwrap_or("-"),
        added = report.added,
        replaced = report.replaced,
        rejected = report.rejected.len(),
        committed = report.committed,
        redact,
        "ingest over HTTP"
    );
    if report.accepted() == 0 {
        let details = serde_json::to_value(&report).unwrap_or_default();
        return Err(ApiError::new(
            "invalid_records",
            format!("no record could be ingested ({} rejected)", report.rejected.len()),
        )
        .with_details(details));
    }
    Ok(Json(report))
}

#[derive(Serialize)]
pub struct Deleted {
    deleted: String,
}

pub async fn delete(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Deleted>, ApiError> {
    caller.require(Role::Admin, "delete over HTTP")?;
    let Path(id) = id.map_err(|e| ApiError::new("invalid_path", e.body_text()))?;
    let target = id.clone();
    let deleted = tokio::task::spawn_blocking(move || {
        let _writing = state.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        state.engine.index().delete(&[target], state.config.writer_memory)
    })
    .await
    .map_err(|_| ApiError::new("internal", "the delete could not be completed"))?
    .map_err(index_error)?;
    if deleted.is_empty() {
        return Err(ApiError::new("not_found", format!("testimony {id:?} not found")));
    }
    tracing::info!(target: "audit", event = "delete", key = caller.key.as_deref().unwrap_or("-"), id = %id, "testimony deleted over HTTP");
    Ok(Json(Deleted { deleted: id }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_redact_parameter_is_true_or_false_and_nothing_else_is_taken() {
        assert_eq!(redact_param(None).unwrap(), None);
        assert_eq!(redact_param(Some("redact=true")).unwrap(), Some(true));
        assert_eq!(redact_param(Some("redact=0")).unwrap(), Some(false));
        assert_eq!(redact_param(Some("redact=maybe")).unwrap_err().code, "invalid_parameter");
        assert_eq!(redact_param(Some("redact=1&redact=1")).unwrap_err().code, "invalid_parameter");
        assert_eq!(redact_param(Some("mask=true")).unwrap_err().code, "unknown_parameter");
    }

    #[test]
    fn bodies_of_one_record_an_array_or_lines() {
        assert_eq!(records(br#"{"id":"a","transcript":"x"}"#).len(), 1);
        assert_eq!(records(br#"[{"id":"a"},{"id":"b"}]"#).len(), 2);
        let lines = records(b"{\"id\":\"a\"}\n{\"id\":\"b\"}\nnot json\n");
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[2].origin.line, 3);
    }
}
