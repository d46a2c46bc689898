//! Route handlers: parse, call the search engine on a blocking thread, answer JSON.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::search::suggest::SuggestResponse;
use crate::search::{
    CorroborateRequest, CorroborateResponse, FacetResults, PassageContext, SearchError, SearchRequest, TestimonyView,
};

use super::auth::{audit_restricted_read, Caller};
use super::error::ApiError;
use super::params;
use super::AppState;

/// Runs blocking search work off the async threads.
async fn blocking<T: Send + 'static>(
    state: Arc<AppState>,
    f: impl FnOnce(&AppState) -> Result<T, SearchError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(move || f(&state))
        .await
        .map_err(|_| ApiError::new("internal", "the request could not be completed"))?
        .map_err(ApiError::from)
}

/// Whether the audit log needs to hear of this answer: only trusted callers read restricted text.
fn restricted(access: crate::ingest::Access, id: &str) -> Option<&str> {
    (access == crate::ingest::Access::Restricted).then_some(id)
}

async fn search(state: Arc<AppState>, caller: Caller, request: SearchRequest) -> Result<Response, ApiError> {
    let viewer = caller.viewer(&state.config);
    let answer = blocking(state, move |s| s.engine.search_json(request, viewer)).await?;
    audit_restricted_read(&caller, "search", answer.restricted.iter().map(String::as_str));
    Ok(([(header::CONTENT_TYPE, "application/json")], answer.body).into_response())
}

pub async fn search_get(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let (query, format) = super::export::take_format(query.as_deref())?;
    let request = params::search_request(Some(&query))?;
    if let Some(format) = format {
        return super::export::search(state, caller, request, format);
    }
    search(state, caller, request).await
}

pub async fn quotes(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let (query, format) = super::export::take_format(query.as_deref())?;
    let (request, per_testimony) = params::quotes_request(Some(&query))?;
    let viewer = caller.viewer(&state.config);
    let answer = blocking(state, move |s| s.engine.quotes(request, per_testimony, viewer)).await?;
    audit_restricted_read(
        &caller,
        "quotes",
        answer.quotes.iter().filter_map(|q| restricted(q.access, &q.testimony_id)),
    );
    Ok(match format {
        Some(format) => super::export::quotes(answer, format),
        None => Json(answer).into_response(),
    })
}

pub async fn search_post(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    RawQuery(query): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    no_query(query.as_deref(), "/api/search")?;
    let request: SearchRequest = json_body(body, "search parameters")?;
    search(state, caller, request).await
}

/// A JSON object body into a request; an empty body is the default request.
fn json_body<T: serde::de::DeserializeOwned + Default>(
    body: Result<Bytes, BytesRejection>,
    what: &str,
) -> Result<T, ApiError> {
    let body = body.map_err(|e| ApiError::from_status(e.status()))?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let value: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| ApiError::new("invalid_json", format!("invalid JSON body: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::new("invalid_json", format!("the body must be a JSON object of {what}")));
    }
    serde_json::from_value(value).map_err(|e| ApiError::new("invalid_json", format!("invalid JSON body: {e}")))
}

/// No parameters in the URL of a POST that takes a JSON body.
fn no_query(query: Option<&str>, route: &str) -> Result<(), ApiError> {
    if query.is_some_and(|q| !q.is_empty()) {
        return Err(ApiError::new(
            "invalid_parameter",
            format!("POST {route} takes its parameters in the JSON body, not the URL"),
        ));
    }
    Ok(())
}

fn audit_corroboration(caller: &Caller, answer: &CorroborateResponse) {
    audit_restricted_read(
        caller,
        "corroborate",
        answer.hits.iter().filter_map(|h| restricted(h.access, &h.testimony_id)),
    );
}

pub async fn corroborate_passage(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    id: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Json<CorroborateResponse>, ApiError> {
    let request = params::corroborate_request(query.as_deref())?;
    let id = path_id(id)?;
    let viewer = caller.viewer(&state.config);
    let answer = blocking(state, move |s| s.engine.corroborate_passage(&id, request, viewer)).await?;
    audit_corroboration(&caller, &answer);
    Ok(Json(answer))
}

pub async fn corroborate_text(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    RawQuery(query): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<CorroborateResponse>, ApiError> {
    no_query(query.as_deref(), "/api/corroborate")?;
    let request: CorroborateRequest = json_body(body, "corroboration parameters")?;
    let viewer = caller.viewer(&state.config);
    let answer = blocking(state, move |s| s.engine.corroborate_text(request, viewer)).await?;
    audit_corroboration(&caller, &answer);
    Ok(Json(answer))
}

pub async fn facets(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<FacetResults>, ApiError> {
    let p = params::simple(query.as_deref(), &["provenance"])?;
    let coded_only = match p.first().map(|(_, v)| v.as_str()) {
        None | Some("all") | Some("") => false,
        Some("coded") => true,
        Some(other) => {
            return Err(ApiError::new(
                "invalid_parameter",
                format!("invalid parameter provenance: must be all or coded, got {other:?}"),
            ))
        }
    };
    let viewer = caller.viewer(&state.config);
    Ok(Json(blocking(state, move |s| s.engine.all_facets(coded_only, viewer)).await?))
}

pub async fn suggest(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<SuggestResponse>, ApiError> {
    let request = params::suggest_request(query.as_deref())?;
    let viewer = caller.viewer(&state.config);
    Ok(Json(blocking(state, move |s| s.engine.suggest(&request, viewer)).await?))
}

fn path_id(id: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let Path(id) = id.map_err(|e| ApiError::new("invalid_path", e.body_text()))?;
    if id.is_empty() || id.chars().count() > 200 {
        return Err(ApiError::new("invalid_path", "the id must have 1 to 200 characters"));
    }
    Ok(id)
}

pub async fn testimony(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    id: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Json<TestimonyView>, ApiError> {
    params::simple(query.as_deref(), &[])?;
    let id = path_id(id)?;
    let viewer = caller.viewer(&state.config);
    let answer = blocking(state, move |s| s.engine.testimony(&id, viewer)).await?;
    let t = &answer.testimony;
    audit_restricted_read(&caller, "testimony", restricted(t.access, &t.id).into_iter());
    Ok(Json(answer))
}

pub async fn passage(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    id: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Json<PassageContext>, ApiError> {
    params::simple(query.as_deref(), &[])?;
    let id = path_id(id)?;
    let viewer = caller.viewer(&state.config);
    let answer = blocking(state, move |s| s.engine.passage(&id, viewer)).await?;
    let p = &answer.passage;
    audit_restricted_read(&caller, "passage", restricted(p.access, &p.testimony_id).into_iter());
    Ok(Json(answer))
}

#[derive(Serialize)]
pub struct Health {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    testimonies: Option<usize>,
}

pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok", testimonies: None })
}

pub async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    match state.engine.index().testimony_count() {
        Ok(n) => Json(Health { status: "ready", testimonies: Some(n) }).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "index not readable");
            (StatusCode::SERVICE_UNAVAILABLE, ApiError::new("unavailable", "the index cannot be read")).into_response()
        }
    }
}

pub async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let n = state.engine.index().testimony_count().unwrap_or(0);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render(n)).into_response()
}
