//! The OpenAPI document at /api/openapi.json against the real router: every route the router
//! declares is documented, every documented operation is routed, and documented bounds are the
//! ones the server enforces. (benches/schemathesis.sh checks responses against the schemas.)

mod common;

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{enc, get, get_as, post_json, sample_router, send};
use serde_json::Value;

async fn document() -> Value {
    let (status, doc) = get_as("/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    doc
}

/// Documented operations, as (METHOD, path template).
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            out.insert((method.to_uppercase(), path.clone()));
        }
    }
    out
}

/// Operations the router declares, read from the `router` function of src/api/mod.rs: routes
/// before `.nest("/api", …)` belong to the API routers; the rest are at the root. Reading the
/// source means a route added without documenting it fails here without anyone listing it.
fn routed() -> BTreeSet<(String, String)> {
    let source = std::fs::read_to_string(common::repo_path("src/api/mod.rs")).expect("src/api/mod.rs");
    let body = source.split("pub fn router(").nth(1).expect("the router function");
    let body = body.split("\n}\n").next().expect("its end");
    let (nested, root) = body.split_once(".nest(\"/api\"").expect("the /api nest");
    let mut out = BTreeSet::new();
    for (prefix, part) in [("/api", nested), ("", root)] {
        for call in part.split(".route(\"").skip(1) {
            let (path, rest) = call.split_once('"').expect("a quoted path");
            // The search page's script and style sheet are files, not API.
            if path.starts_with("/assets/") {
                continue;
            }
            let handlers = rest.split("\n").next().unwrap_or("");
            for method in ["get", "post", "delete", "put", "patch"] {
                if handlers.contains(&format!("{method}(")) {
                    out.insert((method.to_uppercase(), format!("{prefix}{path}")));
                }
            }
        }
    }
    assert!(out.len() >= 10, "the route parser found only {out:?}");
    out
}

/// Documented and not routed yet (none since /api/suggest landed).
const PENDING: &[&str] = &[];

#[tokio::test]
async fn the_document_is_openapi_3_1_with_components_that_resolve() {
    let doc = document().await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer");
    assert!(doc["components"]["securitySchemes"]["apiKey"]["name"] == "X-API-Key");
    // Every $ref points at something.
    fn walk(v: &Value, doc: &Value, seen: &mut usize) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    let pointer = r.strip_prefix('#').expect("a local $ref");
                    assert!(doc.pointer(pointer).is_some(), "dangling $ref {r}");
                    *seen += 1;
                }
                m.values().for_each(|x| walk(x, doc, seen));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, doc, seen)),
            _ => {}
        }
    }
    let mut refs = 0;
    walk(&doc, &doc, &mut refs);
    assert!(refs > 50, "{refs} $refs");
    // Every operation documents a 200 and the JSON error of a bad key.
    for (method, path) in documented(&doc) {
        let responses = &doc["paths"][&path][method.to_lowercase()]["responses"];
        assert!(responses.get("200").is_some(), "{method} {path}: no 200");
        assert!(responses.get("401").is_some(), "{method} {path}: no 401");
    }
}

#[tokio::test]
async fn every_routed_operation_is_documented_and_every_documented_one_is_routed() {
    let doc = document().await;
    let documented = documented(&doc);
    let routed = routed();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    assert!(undocumented.is_empty(), "routed but not documented: {undocumented:?}");
    let unrouted: Vec<_> = documented.difference(&routed).filter(|(_, p)| !PENDING.contains(&p.as_str())).collect();
    assert!(unrouted.is_empty(), "documented but not routed: {unrouted:?}");
}

/// The route-level 404 (no handler) as opposed to a handler's 404 for an unknown id.
fn no_route(status: StatusCode, body: &Value) -> bool {
    status == StatusCode::NOT_FOUND && body["error"]["message"].as_str().is_some_and(|m| m.starts_with("no route"))
}

#[tokio::test]
async fn every_documented_operation_answers_from_the_router() {
    let doc = document().await;
    let (_, found) = get("/api/search?q=Hyesan&per_page=1").await;
    let passage = found["hits"][0]["passage_id"].as_str().expect("a hit").to_string();
    let testimony = found["hits"][0]["testimony_id"].as_str().expect("a hit").to_string();
    let routed = routed();
    for (method, path) in documented(&doc) {
        let id = if path.starts_with("/api/passages/") { &passage } else { &testimony };
        let uri = path.replace("{id}", &enc(id)).replace('+', "%20");
        let query = match path.as_str() {
            "/api/quotes" | "/api/suggest" => "?q=Hyesan",
            _ => "",
        };
        let mut request = Request::builder().method(method.as_str()).uri(format!("{uri}{query}"));
        // GET and POST as a researcher; the admin operations with no key (so nothing changes).
        if method != "DELETE" && path != "/api/testimonies" {
            request = request.header("authorization", format!("Bearer {}", common::RESEARCHER_KEY));
        }
        let body = if method == "POST" && path == "/api/corroborate" { r#"{"text":"Hyesan 2009"}"# } else { "" };
        let (status, body) = send(sample_router(), request.body(Body::from(body)).expect("request")).await;
        if PENDING.contains(&path.as_str()) && !routed.contains(&(method.clone(), path.clone())) {
            continue;
        }
        assert!(!no_route(status, &body), "{method} {path}: {status} {body}");
        let documented_statuses =
            doc["paths"][&path][method.to_lowercase()]["responses"].as_object().expect("responses");
        assert!(
            documented_statuses.contains_key(status.as_str()),
            "{method} {path} answered {status}, which is not documented"
        );
        let expected = if matches!(method.as_str(), "DELETE") || path == "/api/testimonies" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::OK
        };
        assert_eq!(status, expected, "{method} {path}: {body}");
    }
}

/// A documented integer parameter's bounds.
fn bounds(doc: &Value, component: &str) -> (i64, i64) {
    let schema = &doc["components"]["parameters"][component]["schema"];
    (schema["minimum"].as_i64().expect("minimum"), schema["maximum"].as_i64().expect("maximum"))
}

#[tokio::test]
async fn documented_bounds_are_the_enforced_ones() {
    let doc = document().await;
    let cases: &[(&str, &str, &str)] = &[
        ("per_page", "per_page", "/api/search?q=Hyesan&"),
        ("year_from", "year_from", "/api/search?"),
        ("year_to", "year_to", "/api/search?"),
        ("quotes_per_page", "per_page", "/api/quotes?q=Hyesan&"),
        ("quotes_per_testimony", "per_testimony", "/api/quotes?q=Hyesan&"),
        ("year_window", "year_window", "/api/passages/PASSAGE/corroborate?"),
        ("corroborate_per_page", "per_page", "/api/passages/PASSAGE/corroborate?"),
        ("corroborate_per_testimony", "per_testimony", "/api/passages/PASSAGE/corroborate?"),
    ];
    let (_, found) = get("/api/search?q=Hyesan&per_page=1").await;
    let passage = enc(found["hits"][0]["passage_id"].as_str().expect("a hit"));
    for (component, name, prefix) in cases {
        let (min, max) = bounds(&doc, component);
        let prefix = prefix.replace("PASSAGE", &passage);
        for (value, ok) in [(min, true), (max, true), (min - 1, false), (max + 1, false)] {
            let (status, body) = get(&format!("{prefix}{name}={value}")).await;
            let want = if ok { StatusCode::OK } else { StatusCode::BAD_REQUEST };
            assert_eq!(status, want, "{component} = {value} (documented {min}..={max}): {body}");
            if !ok {
                assert_eq!(body["error"]["code"], "invalid_parameter", "{component} = {value}");
            }
        }
    }
    // The query's documented length.
    let max_q = doc["components"]["parameters"]["q"]["schema"]["maxLength"].as_u64().expect("maxLength") as usize;
    let (status, _) = get(&format!("/api/search?per_page=0&q={}", "a".repeat(max_q))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = get(&format!("/api/search?per_page=0&q={}", "a".repeat(max_q + 1))).await;
    assert_eq!((status, &body["error"]["code"]), (StatusCode::BAD_REQUEST, &Value::from("query_too_long")));
}

#[tokio::test]
async fn documented_enums_and_repeatable_filters_are_accepted() {
    let doc = document().await;
    let params = &doc["components"]["parameters"];
    for component in ["lang", "group", "sort", "provenance", "format"] {
        let name = params[component]["name"].as_str().expect("name");
        for value in params[component]["schema"]["enum"].as_array().expect("enum") {
            let value = value.as_str().expect("a string");
            let (status, body) = get(&format!("/api/search?q=Hyesan&per_page=1&{name}={value}")).await;
            assert_eq!(status, StatusCode::OK, "{name}={value}: {body}");
        }
        let (status, _) = get(&format!("/api/search?{name}=not-a-documented-value")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name} outside its enum");
    }
    for filter in ["location", "violation", "sdg"] {
        let p = &params[filter];
        assert_eq!((p["style"].as_str(), p["explode"].as_bool()), (Some("form"), Some(true)), "{filter}");
        let examples: Vec<&str> =
            p["schema"]["items"]["examples"].as_array().expect("examples").iter().filter_map(Value::as_str).collect();
        let query: String = examples.iter().map(|e| format!("&{filter}={}", enc(e))).collect();
        let (status, body) = get(&format!("/api/search?per_page=0{query}")).await;
        assert_eq!(status, StatusCode::OK, "{filter} examples repeated: {body}");
    }
    // The JSON body of POST /api/search refuses what the schema does not allow.
    let request = &doc["components"]["schemas"]["SearchRequest"];
    assert_eq!(request["additionalProperties"], false);
    let (status, _) = post_json("/api/search", r#"{"q":"Hyesan","per_page":1}"#).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = post_json("/api/search", r#"{"q":"Hyesan","undocumented":1}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
