//! Shared by the integration tests: a real on-disk index of the sample corpus, built once per test
//! binary, and helpers to call the real router without sockets.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use testimony_search::api::{self, AppState};
use testimony_search::config::Config;
use testimony_search::index::TestimonyIndex;
use testimony_search::ingest::{self, Access, IngestReport};
use testimony_search::search::SearchEngine;
use testimony_search::taxonomy::{SchemaSource, Taxonomy};
use tower::ServiceExt;

pub fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

pub fn taxonomy() -> Arc<Taxonomy> {
    static T: OnceLock<Arc<Taxonomy>> = OnceLock::new();
    T.get_or_init(|| Arc::new(Taxonomy::embedded().expect("embedded taxonomy"))).clone()
}

/// Ingests paths into a fresh index in a new temporary folder.
pub fn build_index(paths: &[PathBuf]) -> (tempfile::TempDir, Arc<TestimonyIndex>, IngestReport) {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = TestimonyIndex::open_or_create(dir.path(), &SchemaSource::Embedded).expect("index");
    let batch = ingest::collect(paths, &taxonomy(), &mut |_| {});
    let report = index.write_batch(batch, Access::Restricted, 64 << 20).expect("write");
    (dir, Arc::new(index), report)
}

struct Shared {
    _dir: tempfile::TempDir,
    router: Router,
    report: IngestReport,
}

fn shared() -> &'static Shared {
    static S: OnceLock<Shared> = OnceLock::new();
    S.get_or_init(|| {
        let (dir, index, report) = build_index(&[repo_path("data/sample")]);
        let router = router_over(index);
        Shared { _dir: dir, router, report }
    })
}

/// A researcher's key (reads everything) and an admin's, configured on every test router.
pub const RESEARCHER_KEY: &str = "test-researcher-key-0123456789";
pub const ADMIN_KEY: &str = "test-admin-key-0123456789abcdef";

pub fn test_config() -> Config {
    use testimony_search::config::{hash_key, ApiKey, Role};
    Config {
        api_keys: vec![
            ApiKey { name: "test-researcher".into(), role: Role::Researcher, sha256: hash_key(RESEARCHER_KEY) },
            ApiKey { name: "test-admin".into(), role: Role::Admin, sha256: hash_key(ADMIN_KEY) },
        ],
        ..Config::default()
    }
}

pub fn router_over(index: Arc<TestimonyIndex>) -> Router {
    let engine = SearchEngine::new(index, taxonomy());
    api::router(AppState::with_engine(engine, test_config()))
}

/// The router over the sample corpus.
pub fn sample_router() -> Router {
    shared().router.clone()
}

pub fn sample_report() -> &'static IngestReport {
    &shared().report
}

/// Sends a request; returns status and body (JSON when it parses, else a string value).
pub async fn send(router: Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = router.oneshot(request).await.expect("the router answers");
    let status = response.status();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, body)
}

/// GET as a researcher (sees restricted testimonies too; what most tests are about).
pub async fn get(uri: &str) -> (StatusCode, Value) {
    get_as(uri, Some(RESEARCHER_KEY)).await
}

/// GET as the public (no key) or with the given key.
pub async fn get_as(uri: &str, key: Option<&str>) -> (StatusCode, Value) {
    let mut req = Request::get(uri);
    if let Some(k) = key {
        req = req.header("authorization", format!("Bearer {k}"));
    }
    send(sample_router(), req.body(Body::empty()).expect("request")).await
}

/// POST a JSON body as a researcher.
pub async fn post_json(uri: &str, body: &str) -> (StatusCode, Value) {
    post_json_as(uri, body, Some(RESEARCHER_KEY)).await
}

pub async fn post_json_as(uri: &str, body: &str, key: Option<&str>) -> (StatusCode, Value) {
    let mut req = Request::post(uri).header("content-type", "application/json");
    if let Some(k) = key {
        req = req.header("authorization", format!("Bearer {k}"));
    }
    send(sample_router(), req.body(Body::from(body.to_string())).expect("request")).await
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The testimony ids of a search response's hits.
pub fn hit_testimonies(body: &Value) -> Vec<String> {
    let mut ids: Vec<String> = body["hits"]
        .as_array()
        .map(|h| h.iter().filter_map(|x| x["testimony_id"].as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    ids.dedup();
    ids
}

/// The count of a facet value in a response, 0 when absent.
pub fn facet_count(body: &Value, facet: &str, value: &Value) -> u64 {
    body["facets"][facet]
        .as_array()
        .and_then(|l| l.iter().find(|f| &f["value"] == value))
        .and_then(|f| f["count"].as_u64())
        .unwrap_or(0)
}
