//! Ingest and delete over HTTP: off without a configured key, refused with a wrong one or a
//! researcher's, and with the admin key an ingest report back and the records searchable at once
//! (by trusted callers: records that do not say are restricted).

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use axum::Router;
use common::{send, taxonomy};
use testimony_search::api::{self, AppState};
use testimony_search::config::{hash_key, ApiKey, Config, Role};
use testimony_search::index::TestimonyIndex;
use testimony_search::search::SearchEngine;
use testimony_search::taxonomy::SchemaSource;

const KEY: &str = "test-admin-key-0123456789";
const RESEARCHER: &str = "test-researcher-key-0123456789";

fn router(key: Option<&str>) -> (tempfile::TempDir, Router) {
    let dir = tempfile::tempdir().unwrap();
    let index = Arc::new(TestimonyIndex::open_or_create(dir.path(), &SchemaSource::Embedded).unwrap());
    let mut api_keys: Vec<ApiKey> =
        key.map(|k| ApiKey { name: "test-admin".into(), role: Role::Admin, sha256: hash_key(k) }).into_iter().collect();
    api_keys.push(ApiKey { name: "test-researcher".into(), role: Role::Researcher, sha256: hash_key(RESEARCHER) });
    let config = Config { api_keys, ..Config::default() };
    // With the answer cache on, as `serve` runs: every write must be visible to the next search.
    let engine = SearchEngine::new(index, taxonomy()).with_cache(64);
    (dir, api::router(AppState::with_engine(engine, config)))
}

fn post(body: &str, key: Option<&str>) -> Request<Body> {
    let mut r = Request::post("/api/testimonies").header("content-type", "application/x-ndjson");
    if let Some(k) = key {
        r = r.header("authorization", format!("Bearer {k}"));
    }
    r.body(Body::from(body.to_string())).unwrap()
}

const RECORDS: &str =
    "{\"id\":\"HTTP-1\",\"transcript\":\"A: We crossed the river near Musan in the winter of 2009.\"}\n\
not json\n\
{\"id\":\"HTTP-2\",\"transcript\":\"답변: 온성 보위부에서 조사를 받았어요.\"}\n";

#[tokio::test]
async fn ingest_over_http_needs_a_configured_key() {
    let (_d, off) = router(None);
    let (status, body) = send(off.clone(), post(RECORDS, Some(KEY))).await;
    assert_eq!((status.as_u16(), body["error"]["code"].as_str()), (401, Some("unauthorized")));
    // A researcher reads everything but may not write.
    let (status, body) = send(off, post(RECORDS, Some(RESEARCHER))).await;
    assert_eq!((status.as_u16(), body["error"]["code"].as_str()), (403, Some("forbidden")));

    let (_d, on) = router(Some(KEY));
    let (status, body) = send(on.clone(), post(RECORDS, None)).await;
    assert_eq!((status.as_u16(), body["error"]["code"].as_str()), (401, Some("unauthorized")));
    let (status, _) = send(on.clone(), post(RECORDS, Some("wrong-key-wrong-key-wrong"))).await;
    assert_eq!(status, 401);
    let req = Request::delete("/api/testimonies/HTTP-1").body(Body::empty()).unwrap();
    assert_eq!(send(on, req).await.0, 401);
}

#[tokio::test]
async fn ingest_returns_the_report_and_records_are_searchable_then_deletable() {
    let (_d, r) = router(Some(KEY));
    let search = |q: &str| {
        Request::get(format!("/api/search?q={q}")).header("x-api-key", RESEARCHER).body(Body::empty()).unwrap()
    };
    let (_, before) = send(r.clone(), search("Musan")).await;
    assert_eq!(before["total"], 0, "{before}");
    let (status, report) = send(r.clone(), post(RECORDS, Some(KEY))).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["added"], 2);
    assert_eq!(report["rejected"][0]["line"], 2);
    assert_eq!(report["rejected"][0]["file"], "request body");

    let (_, found) = send(r.clone(), search("Musan")).await;
    assert_eq!(found["total"], 1, "{found}");
    // The records did not say their access: restricted, so the public does not see them.
    let (_, public) = send(r.clone(), Request::get("/api/search?q=Musan").body(Body::empty()).unwrap()).await;
    assert_eq!(public["total"], 0, "{public}");

    // Re-ingesting one object replaces.
    let one = r#"{"id":"HTTP-1","transcript":"A: A corrected transcript about Hyesan."}"#;
    let (status, report) = send(r.clone(), post(one, Some(KEY))).await;
    assert_eq!((status.as_u16(), report["replaced"].as_u64()), (200, Some(1)));
    assert_eq!(send(r.clone(), search("Hyesan")).await.1["total"], 1);

    let del = |id: &str| {
        Request::delete(format!("/api/testimonies/{id}"))
            .header("authorization", format!("Bearer {KEY}"))
            .body(Body::empty())
            .unwrap()
    };
    let (status, body) = send(r.clone(), del("HTTP-1")).await;
    assert_eq!((status.as_u16(), body["deleted"].as_str()), (200, Some("HTTP-1")));
    let (status, body) = send(r.clone(), del("HTTP-1")).await;
    assert_eq!((status.as_u16(), body["error"]["code"].as_str()), (404, Some("not_found")));
    let (_, gone) = send(r.clone(), Request::get("/api/testimonies/HTTP-1").body(Body::empty()).unwrap()).await;
    assert_eq!(gone["error"]["code"], "not_found");
    // The cached answer from before the delete is not served.
    let (_, after) = send(r.clone(), search("Hyesan")).await;
    assert_eq!(after["total"], 0, "{after}");
}

#[tokio::test]
async fn a_batch_with_no_good_record_is_400_with_the_report() {
    let (_d, r) = router(Some(KEY));
    let (status, body) = send(r.clone(), post("{\"id\":\"X\"}\n", Some(KEY))).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "invalid_records");
    assert_eq!(body["error"]["details"]["rejected"][0]["id"], "X");
    let (status, body) = send(r, post("   ", Some(KEY))).await;
    assert_eq!((status.as_u16(), body["error"]["code"].as_str()), (400, Some("invalid_records")));
}
