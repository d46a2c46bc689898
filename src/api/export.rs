//! Export of search hits and quotes as CSV or JSON Lines (`format=csv|jsonl`), streamed: rows are
//! made on a blocking thread, page by page, and sent through a small channel, so an export of
//! thousands of passages never sits in memory whole and stops when the client goes away.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::auth::Caller;
use super::error::ApiError;
use super::AppState;
use crate::search::export::{encode, quote_row, Format, Row, HIT_COLUMNS, QUOTE_COLUMNS};
use crate::search::SearchRequest;

/// Takes `format` out of a query string: the rest, and the format when one was asked for.
pub fn take_format(query: Option<&str>) -> Result<(String, Option<Format>), ApiError> {
    let (rest, value) = super::params::take(query, "format")?;
    let format = match value.as_deref() {
        None | Some("json") => None,
        Some(other) => Some(Format::parse(other).ok_or_else(|| {
            ApiError::new(
                "invalid_parameter",
                format!("invalid parameter format: must be json, csv or jsonl, got {other:?}"),
            )
        })?),
    };
    Ok((rest, format))
}

/// Streams rows made by `produce` (which calls `emit` per row and stops when it returns false).
fn stream(
    format: Format,
    columns: &'static [&'static str],
    name: &str,
    produce: impl FnOnce(&mut dyn FnMut(Row) -> bool) + Send + 'static,
) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
    tokio::task::spawn_blocking(move || {
        if format == Format::Csv && tx.blocking_send(Bytes::from(encode(format, columns, None))).is_err() {
            return;
        }
        produce(&mut |row| tx.blocking_send(Bytes::from(encode(format, columns, Some(&row)))).is_ok());
    });
    let body = Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|bytes| (Ok::<_, std::convert::Infallible>(bytes), rx))
    }));
    let mime = match format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Jsonl => "application/x-ndjson",
    };
    let disposition = format!("attachment; filename=\"{name}.{}\"", format.extension());
    let mut response = body.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// Exports the hits of a search, every page up to the configured limit.
pub fn search(
    state: Arc<AppState>,
    caller: Caller,
    request: SearchRequest,
    format: Format,
) -> Result<Response, ApiError> {
    // Bad parameters are a 400 before anything is streamed.
    request.clone().validate(state.engine.taxonomy())?;
    let limit = state.config.export_limit;
    let viewer = caller.viewer(&state.config);
    if caller.key.is_some() {
        tracing::info!(target: "audit", event = "export", key = caller.key.as_deref().unwrap_or("-"), role = ?caller.role, filters = ?(&request.location, &request.violation, &request.sdg, request.year_from, request.year_to), "search export");
    }
    Ok(stream(format, HIT_COLUMNS, "search", move |emit| {
        if let Err(e) = state.engine.export_hits(request, limit, viewer, emit) {
            tracing::warn!(error = %e, "export stopped");
        }
    }))
}

/// Exports quotes (at most 100: the quotes endpoint's own limit).
pub fn quotes(answer: crate::search::quotes::QuotesResponse, format: Format) -> Response {
    stream(format, QUOTE_COLUMNS, "quotes", move |emit| {
        for q in &answer.quotes {
            if !emit(quote_row(q)) {
                return;
            }
        }
    })
}
