//! Every 4xx path of the API answers a JSON error with a stable code, and hostile parameters never
//! get a 5xx or a dropped connection.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::{get, post_json, sample_router, send};
use proptest::prelude::*;
use serde_json::Value;

fn assert_error(status: u16, body: &Value, want_status: u16, want_code: &str, context: &str) {
    let shown: String = body.to_string().chars().take(300).collect();
    assert_eq!(status, want_status, "{context}: {shown}");
    assert_eq!(body["error"]["code"], want_code, "{context}: {body}");
    assert!(!body["error"]["message"].as_str().unwrap_or("").is_empty(), "{context}: message missing");
}

#[tokio::test]
async fn bad_search_parameters_are_400_with_the_parameter_named() {
    let long = "가".repeat(501);
    let cases: Vec<(String, &str, &str)> = vec![
        ("/api/search?per_page=101".into(), "invalid_parameter", "per_page"),
        ("/api/search?per_page=-1".into(), "invalid_parameter", "per_page"),
        ("/api/search?page=0".into(), "invalid_parameter", "page"),
        ("/api/search?page=abc".into(), "invalid_parameter", "page"),
        ("/api/search?page=1000&per_page=100".into(), "page_too_deep", "narrow"),
        ("/api/search?page=99999999999999999999".into(), "invalid_parameter", "page"),
        (format!("/api/search?q={long}"), "query_too_long", "500"),
        (format!("/api/search?q={}", "a+OR+".repeat(20)), "invalid_parameter", "32 words"),
        ("/api/search?lang=fr".into(), "invalid_parameter", "lang"),
        ("/api/search?group=family".into(), "invalid_parameter", "group"),
        ("/api/search?sort=date".into(), "invalid_parameter", "sort"),
        ("/api/search?provenance=guess".into(), "invalid_parameter", "provenance"),
        ("/api/search?year_from=2010&year_to=2000".into(), "invalid_parameter", "year_from"),
        ("/api/search?year_from=1066".into(), "invalid_parameter", "year_from"),
        ("/api/search?year_to=20x0".into(), "invalid_parameter", "year_to"),
        ("/api/search?location=Atlantis".into(), "invalid_filter", "location"),
        ("/api/search?violation=jaywalking".into(), "invalid_filter", "violation"),
        ("/api/search?sdg=18".into(), "invalid_filter", "sdg"),
        ("/api/search?location=".into(), "invalid_filter", ""),
        ("/api/search?colour=red".into(), "unknown_parameter", "colour"),
        ("/api/search?q=a&q=b".into(), "invalid_parameter", "more than once"),
        ("/api/search?q=%00%01".into(), "invalid_parameter", "control"),
        ("/api/facets?provenance=x".into(), "invalid_parameter", "provenance"),
        ("/api/facets?q=x".into(), "unknown_parameter", "q"),
    ];
    for (uri, code, mention) in cases {
        let (status, body) = get(&uri).await;
        if uri.ends_with("location=") {
            // An empty form field means "not given".
            assert_eq!(status, 200, "{uri}: {body}");
            continue;
        }
        assert_error(status.as_u16(), &body, 400, code, &uri);
        assert!(body["error"]["message"].as_str().unwrap().contains(mention), "{uri}: {body}");
    }
}

#[tokio::test]
async fn bad_json_bodies_are_400() {
    for (body, code) in [
        ("{", "invalid_json"),
        ("[]", "invalid_json"),
        (r#"{"q": 5}"#, "invalid_json"),
        (r#"{"colour": "red"}"#, "invalid_json"),
        (r#"{"per_page": 1000}"#, "invalid_parameter"),
        (r#"{"location": ["Atlantis"]}"#, "invalid_filter"),
        ("\u{feff}garbage", "invalid_json"),
    ] {
        let (status, resp) = post_json("/api/search", body).await;
        assert_error(status.as_u16(), &resp, 400, code, body);
    }
    let (status, resp) = post_json("/api/search?q=x", "{}").await;
    assert_error(status.as_u16(), &resp, 400, "invalid_parameter", "query string on POST");
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let big = format!(r#"{{"q": "{}"}}"#, "a".repeat(200_000));
    let (status, resp) = post_json("/api/search", &big).await;
    assert_error(status.as_u16(), &resp, 413, "payload_too_large", "big body");
}

#[tokio::test]
async fn unknown_things_are_404_and_wrong_methods_405() {
    for uri in [
        "/api/testimonies/NO-SUCH-ID",
        "/api/passages/KR-2012-0007%23999",
        "/api/passages/no-hash",
        "/api/nothing",
        "/nothing",
    ] {
        let (status, body) = get(uri).await;
        assert_error(status.as_u16(), &body, 404, "not_found", uri);
    }
    let req = Request::delete("/api/search").body(Body::empty()).unwrap();
    let (status, body) = send(sample_router(), req).await;
    assert_error(status.as_u16(), &body, 405, "method_not_allowed", "DELETE /api/search");
    let req = Request::put("/api/facets").body(Body::empty()).unwrap();
    let (status, body) = send(sample_router(), req).await;
    assert_error(status.as_u16(), &body, 405, "method_not_allowed", "PUT /api/facets");
}

#[tokio::test]
async fn an_invalid_percent_encoding_in_a_path_is_400() {
    let (status, body) = get("/api/testimonies/%FF%FE").await;
    assert_error(status.as_u16(), &body, 400, "invalid_path", "bad utf-8 in path");
}

#[tokio::test]
async fn queries_of_only_punctuation_or_stopwords_answer_empty_not_error() {
    for q in ["%21%21%21", "the", "%20%20", "%E2%80%A6"] {
        let (status, body) = get(&format!("/api/search?q={q}")).await;
        assert_eq!(status, 200, "{q}: {body}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Any query string at all: a JSON answer, never a 5xx.
    #[test]
    fn hostile_query_strings_never_get_a_5xx(
        key in prop_oneof![Just("q".to_string()), Just("location".to_string()), Just("violation".to_string()),
            Just("sdg".to_string()), Just("year_from".to_string()), Just("page".to_string()), Just("per_page".to_string()),
            Just("lang".to_string()), "[a-z_]{1,8}"],
        value in prop_oneof!["\\PC{0,40}", "[0-9-]{0,25}", "[\"()*:~^\\-]{0,10}", Just("\u{0}".to_string())],
        extra in "[a-z=&%0-9]{0,20}",
    ) {
        let uri = format!("/api/search?{}={}&{}", key, common::enc(&value), extra);
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (status, body) = rt.block_on(async {
            match Request::get(&uri).body(Body::empty()) {
                Ok(req) => send(sample_router(), req).await,
                Err(_) => (axum::http::StatusCode::BAD_REQUEST, serde_json::json!({"error": {"code": "x"}})),
            }
        });
        prop_assert!(status.as_u16() < 500, "{uri}: {status} {body}");
        if !status.is_success() {
            prop_assert!(body["error"]["code"].is_string(), "{uri}: {body}");
        }
    }

    /// Any JSON body: never a 5xx.
    #[test]
    fn hostile_json_bodies_never_get_a_5xx(body in "\\PC{0,120}") {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (status, resp) = rt.block_on(post_json("/api/search", &body));
        prop_assert!(status.as_u16() < 500, "{body:?}: {status} {resp}");
    }
}
