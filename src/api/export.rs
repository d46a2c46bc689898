//! Export of search hits and quotes as CSV or JSON Lines (`format=csv|jsonl`), streamed: rows are
//! made on a blocking thread, page by page, and sent through a small channel, so an export of
//! thousands of passages never sits in memory whole and stops when the client goes away.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::error::ApiError;
use super::AppState;
use crate::search::{Hit, SearchRequest};

/// Rows per page of the search an export walks through.
const PAGE: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
}

/// Takes `format` out of a query string: the rest, and the format when one was asked for.
pub fn take_format(query: Option<&str>) -> Result<(String, Option<Format>), ApiError> {
    let (rest, value) = super::params::take(query, "format")?;
    let format = match value.as_deref() {
        None | Some("json") => None,
        Some("csv") => Some(Format::Csv),
        Some("jsonl") => Some(Format::Jsonl),
        Some(other) => {
            return Err(ApiError::new(
                "invalid_parameter",
                format!("invalid parameter format: must be json, csv or jsonl, got {other:?}"),
            ))
        }
    };
    Ok((rest, format))
}

/// One row: column name → value, in column order.
type Row = Vec<(&'static str, Value)>;

pub const HIT_COLUMNS: &[&str] = &[
    "passage_id",
    "testimony_id",
    "paragraph",
    "language",
    "speaker",
    "citation",
    "score",
    "places",
    "years",
    "violations",
    "sdg",
    "text",
];

fn hit_row(h: &Hit) -> Row {
    let ids = |v: &[crate::search::TaggedValue]| Value::from(v.iter().map(|t| t.id.clone()).collect::<Vec<_>>());
    vec![
        ("passage_id", h.passage_id.clone().into()),
        ("testimony_id", h.testimony_id.clone().into()),
        ("paragraph", h.paragraph.into()),
        ("language", serde_json::to_value(h.language).unwrap_or(Value::Null)),
        ("speaker", serde_json::to_value(h.speaker).unwrap_or(Value::Null)),
        ("citation", h.citation.clone().into()),
        ("score", f64::from(h.score).into()),
        ("places", ids(&h.places)),
        ("years", Value::from(h.years.clone())),
        ("violations", ids(&h.violations)),
        ("sdg", ids(&h.sdg)),
        ("text", h.text.clone().into()),
    ]
}

pub const QUOTE_COLUMNS: &[&str] = &[
    "testimony_id",
    "passage_id",
    "paragraph",
    "sentence",
    "citation",
    "citation_markdown",
    "text",
    "context_before",
    "context_after",
];

fn quote_row(q: &crate::search::quotes::Quote) -> Row {
    vec![
        ("testimony_id", q.testimony_id.clone().into()),
        ("passage_id", q.passage_id.clone().into()),
        ("paragraph", q.paragraph.into()),
        ("sentence", q.sentence.into()),
        ("citation", q.citation.plain.clone().into()),
        ("citation_markdown", q.citation.markdown.clone().into()),
        ("text", q.text.clone().into()),
        ("context_before", q.context_before.clone().into()),
        ("context_after", q.context_after.clone().into()),
    ]
}

/// A cell of a CSV row: lists joined with "; ", nulls empty.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

fn encode(format: Format, columns: &[&str], row: Option<&Row>) -> Bytes {
    match format {
        Format::Csv => {
            let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
            let ok = match row {
                None => w.write_record(columns),
                Some(r) => w.write_record(r.iter().map(|(_, v)| cell(v))),
            };
            Bytes::from(if ok.is_ok() { w.into_inner().unwrap_or_default() } else { Vec::new() })
        }
        Format::Jsonl => match row {
            None => Bytes::new(),
            Some(r) => {
                let map: Map<String, Value> = r.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
                let mut line = serde_json::to_vec(&map).unwrap_or_default();
                line.push(b'\n');
                Bytes::from(line)
            }
        },
    }
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
        if format == Format::Csv && tx.blocking_send(encode(format, columns, None)).is_err() {
            return;
        }
        produce(&mut |row| tx.blocking_send(encode(format, columns, Some(&row))).is_ok());
    });
    let body = Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|bytes| (Ok::<_, std::convert::Infallible>(bytes), rx))
    }));
    let (mime, ext) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Jsonl => ("application/x-ndjson", "jsonl"),
    };
    let disposition = format!("attachment; filename=\"{name}.{ext}\"");
    let mut response = body.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// Exports the hits of a search, every page up to the configured limit.
pub fn search(state: Arc<AppState>, request: SearchRequest, format: Format) -> Result<Response, ApiError> {
    // Bad parameters are a 400 before anything is streamed.
    request.clone().validate(state.engine.taxonomy())?;
    let limit = state.config.export_limit;
    Ok(stream(format, HIT_COLUMNS, "search", move |emit| {
        let mut sent = 0;
        for page in 1.. {
            let mut r = request.clone();
            r.page = Some(page);
            r.per_page = Some(PAGE as i64);
            r.facets = Some("none".into());
            let Ok(answer) = state.engine.search(r) else { return };
            if answer.hits.is_empty() {
                return;
            }
            for hit in &answer.hits {
                if sent >= limit || !emit(hit_row(hit)) {
                    return;
                }
                sent += 1;
            }
            if answer.hits.len() < PAGE {
                return;
            }
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
