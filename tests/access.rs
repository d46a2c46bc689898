//! Roles and disclosure control over HTTP: restricted testimony never reaches a public caller
//! through any endpoint, however it is asked for; facet counts under k are hidden from the public
//! and a search that narrows to fewer than k testimonies shows it no facets; interviewee
//! descriptors are never shown to the public; rate limits answer 429 in JSON.

mod common;

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::Request;
use common::{enc, get, get_as, post_json_as, send, RESEARCHER_KEY};
use serde_json::Value;
use testimony_search::api::{self, AppState};
use testimony_search::search::SearchEngine;

type Passages = Vec<(String, String)>;

/// Every testimony of the sample corpus with its passages, read as a researcher: (restricted, public).
async fn by_access() -> (Vec<(String, Passages)>, Vec<String>) {
    let (_, all) = get("/api/search?group=testimony&per_page=100").await;
    let ids: BTreeSet<String> = common::hit_testimonies(&all).into_iter().collect();
    let (mut restricted, mut public) = (Vec::new(), Vec::new());
    for id in ids {
        let (_, t) = get(&format!("/api/testimonies/{id}")).await;
        let passages: Passages = t["passage_list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["passage_id"].as_str().unwrap().to_string(), p["text"].as_str().unwrap().to_string()))
            .collect();
        if t["access"] == "restricted" {
            restricted.push((id, passages));
        } else {
            public.extend(passages.into_iter().map(|(_, text)| text));
        }
    }
    (restricted, public)
}

/// Pieces of restricted text long enough to be recognised anywhere.
fn fragments(text: &str) -> Vec<String> {
    text.split(['.', '?', '!', '\n'])
        .map(str::trim)
        .filter(|s| s.chars().count() >= 24)
        .map(|s| s.chars().take(40).collect())
        .collect()
}

fn leaks(body: &str, ids: &[String], fragments: &[String]) -> Option<String> {
    ids.iter().chain(fragments).find(|f| body.contains(f.as_str())).cloned()
}

async fn text_of(uri: &str) -> (u16, String) {
    let (status, body) = get_as(uri, None).await;
    (status.as_u16(), body.to_string())
}

#[tokio::test]
async fn restricted_text_never_reaches_the_public() {
    let (restricted, public) = by_access().await;
    assert!(restricted.len() >= 5, "the sample corpus has restricted testimonies");
    let ids: Vec<String> = restricted.iter().map(|(id, _)| id.clone()).collect();
    // Only what the restricted testimonies alone say ("The interviewee is a man born in…" is everywhere).
    let frags: Vec<String> = restricted
        .iter()
        .flat_map(|(_, ps)| ps.iter().flat_map(|(_, t)| fragments(t)))
        .filter(|f| !public.iter().any(|p| p.contains(f.as_str())))
        .collect();
    assert!(frags.len() > 50);
    let mut requests = 0;
    for (id, passages) in &restricted {
        // Asked for by id: not found, as if it did not exist.
        for uri in [format!("/api/testimonies/{id}"), format!("/api/passages/{}", enc(&passages[0].0))] {
            let (status, body) = text_of(&uri).await;
            assert_eq!(status, 404, "{uri}: {body}");
            requests += 1;
        }
        let (status, _) = text_of(&format!("/api/passages/{}/corroborate", enc(&passages[1].0))).await;
        assert_eq!(status, 404);
        for (_, text) in passages.iter().step_by(3) {
            // Asked for by its own words, on every endpoint that returns text.
            let words: Vec<&str> = text.split_whitespace().skip(2).take(4).collect();
            let q = enc(&words.join(" "));
            for uri in [
                format!("/api/search?q={q}&per_page=100"),
                format!("/api/search?q={q}&group=testimony"),
                format!("/api/quotes?q={q}&per_page=100"),
                format!("/api/search?q={q}&format=csv"),
                format!("/api/quotes?q={q}&format=jsonl"),
            ] {
                let (status, body) = text_of(&uri).await;
                assert_eq!(status, 200, "{uri}: {body}");
                assert_eq!(leaks(&body, &ids, &frags), None, "{uri} leaked restricted text");
                requests += 1;
            }
            let quote = serde_json::json!({ "text": text.chars().take(400).collect::<String>() }).to_string();
            let (status, body) = post_json_as("/api/corroborate", &quote, None).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(leaks(&body.to_string(), &ids, &frags), None, "corroborate leaked restricted text");
            requests += 1;
        }
    }
    // Browsing everything.
    for uri in ["/api/search?per_page=100", "/api/facets", "/api/search?format=jsonl"] {
        let (_, body) = text_of(uri).await;
        assert_eq!(leaks(&body, &ids, &frags), None, "{uri} leaked restricted text");
        requests += 1;
    }
    eprintln!(
        "{requests} public requests, {} restricted testimonies, {} fragments: nothing leaked",
        ids.len(),
        frags.len()
    );
    // The researcher does read them (the test can fail).
    let (status, body) = get(&format!("/api/testimonies/{}", ids[0])).await;
    assert_eq!(status, 200, "{body}");
}

fn counts(facets: &Value) -> Vec<Value> {
    ["location", "year", "violation", "sdg"]
        .iter()
        .flat_map(|k| facets[k].as_array().cloned().unwrap_or_default())
        .flat_map(|f| [f["count"].clone(), f["coded"].clone(), f["extracted"].clone()])
        .collect()
}

#[tokio::test]
async fn the_public_sees_no_count_under_k() {
    for uri in ["/api/facets", "/api/search?q=%EC%88%98%EC%9A%A9%EC%86%8C"] {
        let (_, public) = get_as(uri, None).await;
        let facets = if public["facets"].is_object() { &public["facets"] } else { &public };
        let all = counts(facets);
        assert!(!all.is_empty());
        for c in &all {
            assert!(c == "<3" || c.as_u64().is_some_and(|n| n >= 3), "{uri}: count {c} shown to the public");
        }
        assert!(all.iter().any(|c| c == "<3"), "{uri}: some counts are small");
        assert_eq!(facets["disclosure"]["min_count"], 3);
        // A researcher sees the exact small numbers.
        let (_, researcher) = get(uri).await;
        let facets = if researcher["facets"].is_object() { &researcher["facets"] } else { &researcher };
        assert!(counts(facets).iter().any(|c| c == 1 || c == 2));
        assert!(facets.get("disclosure").is_none());
    }
}

#[tokio::test]
async fn a_search_that_singles_out_fewer_than_k_testimonies_shows_the_public_no_facets() {
    // One testimony: a place and a year only it has.
    let uri = format!("/api/search?location={}&year_from=2019&year_to=2019", enc("Sinuiju"));
    let (_, researcher) = get(&uri).await;
    assert!(researcher["testimonies"].as_u64().unwrap() < 3, "{}", researcher["testimonies"]);
    assert!(!researcher["facets"]["violation"].as_array().unwrap().is_empty());
    let (status, public) = get_as(&uri, None).await;
    assert_eq!(status, 200);
    for k in ["location", "year", "violation", "sdg"] {
        assert_eq!(public["facets"][k], serde_json::json!([]), "{k}: {}", public["facets"][k]);
    }
    assert_eq!(public["facets"]["disclosure"]["facets_suppressed"], true);
}

#[tokio::test]
async fn interviewee_descriptors_are_never_shown_to_the_public() {
    let (_, researcher) = get("/api/testimonies/KR-2012-0007").await;
    assert!(researcher["interviewee"].is_object(), "{researcher}");
    let (status, public) = get_as("/api/testimonies/KR-2012-0007", None).await;
    assert_eq!(status, 200);
    assert!(public.get("interviewee").is_none() && public.get("origin_place").is_none(), "{public}");
    let (_, c) = get_as("/api/passages/KR-2021-0075%235/corroborate", None).await;
    for hit in c["hits"].as_array().unwrap() {
        assert!(hit["independence"]["origin_province"].is_null(), "{hit}");
    }
}

#[tokio::test]
async fn a_wrong_key_is_refused_not_served_as_the_public() {
    let (status, body) = get_as("/api/search?q=x", Some("not-a-key-not-a-key-not-a-key")).await;
    assert_eq!((status.as_u16(), body["error"]["code"].as_str()), (401, Some("unauthorized")));
    let (status, _) = get_as("/api/search?q=x", Some(RESEARCHER_KEY)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn callers_over_their_rate_get_a_json_429() {
    let (_dir, index, _) = common::build_index(&[common::repo_path("tests/fixtures/mixed")]);
    let config = testimony_search::config::Config { rate_limit_per_minute: 60, ..common::test_config() };
    let router = api::router(AppState::with_engine(SearchEngine::new(index, common::taxonomy()), config));
    let mut limited = 0;
    for _ in 0..20 {
        let (status, body) = send(router.clone(), Request::get("/healthz").body(Body::empty()).unwrap()).await;
        if status == 429 {
            assert_eq!(body["error"]["code"], "rate_limited");
            limited += 1;
        }
    }
    // A burst of a tenth of the minute's 60 passes, the rest is refused.
    assert!((10..=14).contains(&limited), "{limited} of 20 refused");
    // Another caller (a key) has its own allowance.
    let req = Request::get("/healthz").header("x-api-key", RESEARCHER_KEY).body(Body::empty()).unwrap();
    assert_eq!(send(router, req).await.0, 200);
}
