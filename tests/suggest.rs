//! GET /api/suggest over the sample corpus: completions of places in every spelling, violation
//! labels and frequent words, prefix-matched on jamo; parameters validated into 400s.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::{enc, get};
use serde_json::Value;

async fn suggest(query: &str) -> Value {
    let (status, body) = get(&format!("/api/suggest?{query}")).await;
    assert_eq!(status, 200, "{query}: {body}");
    body
}

async fn suggest_q(q: &str, extra: &str) -> Value {
    suggest(&format!("q={}{extra}", enc(q))).await
}

/// The (kind, value) of each suggestion, in order.
fn kinds_values(body: &Value) -> Vec<(String, String)> {
    body["suggestions"]
        .as_array()
        .expect("suggestions")
        .iter()
        .map(|s| (s["kind"].as_str().unwrap().to_string(), s["value"].as_str().unwrap().to_string()))
        .collect()
}

fn position(body: &Value, kind: &str, value: &str) -> Option<usize> {
    kinds_values(body).iter().position(|(k, v)| k == kind && v == value)
}

const HOERYONG: &str = "kp/north-hamgyong/hoeryong";
const YODOK: &str = "kp/south-hamgyong/yodok";

#[tokio::test]
async fn a_lone_initial_consonant_already_suggests_hoeryong() {
    let body = suggest_q("ㅎ", "&limit=20").await;
    assert!(position(&body, "place", HOERYONG).is_some(), "{body}");
    // Places come before words.
    let kinds: Vec<String> = kinds_values(&body).into_iter().map(|(k, _)| k).collect();
    let first_term = kinds.iter().position(|k| k == "term").unwrap_or(kinds.len());
    assert!(kinds[..first_term].iter().all(|k| k != "term"));
}

#[tokio::test]
async fn each_state_of_the_input_method_finds_hoeryong_first() {
    for typed in ["회", "호", "회려", "회령"] {
        let body = suggest_q(typed, "").await;
        assert_eq!(position(&body, "place", HOERYONG), Some(0), "{typed}: {body}");
        let first = &body["suggestions"][0];
        assert_eq!(first["text"], "회령", "{typed}: {body}");
        assert_eq!(first["label_en"], "Hoeryong");
        assert_eq!(first["label_ko"], "회령시");
        assert_eq!(first["filter"], "location");
        assert!(first["count"].as_u64().unwrap() >= 2, "{body}");
    }
}

#[tokio::test]
async fn romanized_prefixes_find_the_place_in_its_typed_spelling() {
    for (typed, shown) in [("Hoer", "Hoeryong"), ("hoery", "Hoeryong"), ("Hoeryeo", "Hoeryeong"), ("hoiry", "Hoiryong")]
    {
        let body = suggest_q(typed, "").await;
        assert_eq!(position(&body, "place", HOERYONG), Some(0), "{typed}: {body}");
        assert_eq!(body["suggestions"][0]["text"], shown, "{typed}: {body}");
    }
    // Breves and apostrophes are folded on both sides.
    let body = suggest_q("Hoeryŏ", "").await;
    assert_eq!(position(&body, "place", HOERYONG), Some(0), "{body}");
}

#[tokio::test]
async fn yodok_in_hangul_and_romanized() {
    for typed in ["요덕", "Yodok", "yod", "Yodŏk"] {
        let body = suggest_q(typed, "").await;
        assert_eq!(position(&body, "place", YODOK), Some(0), "{typed}: {body}");
        // The camp in Yodok follows the county.
        assert!(position(&body, "place", "kp/south-hamgyong/yodok/kwanliso-15").is_some(), "{typed}: {body}");
    }
}

#[tokio::test]
async fn violation_labels_complete_in_both_languages() {
    let body = suggest_q("public ex", "").await;
    let first = &body["suggestions"][0];
    assert_eq!((first["kind"].as_str(), first["value"].as_str()), (Some("violation"), Some("life/public-execution")));
    assert_eq!(first["label_ko"], "공개처형");
    assert_eq!(first["filter"], "violation");
    let body = suggest_q("공개", "").await;
    let at = position(&body, "violation", "life/public-execution").expect("공개처형");
    assert!(body["suggestions"][at]["text"].as_str().unwrap().starts_with("공개"), "{body}");
    // A later word of a label: "execution" finds "Public execution".
    let body = suggest_q("executi", "").await;
    assert!(position(&body, "violation", "life/public-execution").is_some(), "{body}");
}

#[tokio::test]
async fn frequent_words_of_the_corpus_are_suggested() {
    let body = suggest_q("보위", "&limit=20").await;
    let terms: Vec<String> = kinds_values(&body).into_iter().filter(|(k, _)| k == "term").map(|(_, v)| v).collect();
    assert!(terms.contains(&"보위부".to_string()), "{body}");
    assert!(terms.iter().all(|t| t.starts_with("보위")), "{body}");
    for s in body["suggestions"].as_array().unwrap().iter().filter(|s| s["kind"] == "term") {
        assert!(s["count"].as_u64().unwrap() >= 1, "{s}");
    }
    // English words too, unstemmed.
    let body = suggest_q("interro", "&limit=20").await;
    assert!(kinds_values(&body).iter().any(|(k, v)| k == "term" && v.starts_with("interrogat")), "{body}");
}

#[tokio::test]
async fn lang_keeps_one_script_and_limit_bounds_the_list() {
    assert!(kinds_values(&suggest_q("회", "&lang=en").await).is_empty());
    assert_eq!(position(&suggest_q("회", "&lang=ko").await, "place", HOERYONG), Some(0));
    assert_eq!(kinds_values(&suggest_q("ㅎ", "&limit=3").await).len(), 3);
    assert!(kinds_values(&suggest_q("ㅎ", "").await).len() <= 8);
}

#[tokio::test]
async fn blank_q_gives_no_completions_and_missing_q_is_an_error() {
    for q in ["", "%20%20", "%21%3F"] {
        let body = suggest(&format!("q={q}")).await;
        assert_eq!(body["suggestions"], serde_json::json!([]), "{q}");
    }
    let (status, body) = get("/api/suggest").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "invalid_parameter");
    assert!(body["error"]["message"].as_str().unwrap().contains(" q"), "{body}");
}

#[tokio::test]
async fn bad_parameters_are_400s_that_name_them() {
    let long = enc(&"회".repeat(101));
    for (query, param) in [
        (format!("q={long}"), "q"),
        ("q=a&limit=0".to_string(), "limit"),
        ("q=a&limit=21".to_string(), "limit"),
        ("q=a&limit=many".to_string(), "limit"),
        ("q=a&lang=fr".to_string(), "lang"),
        ("q=a&page=2".to_string(), "page"),
        ("q=a&q=b".to_string(), "q"),
    ] {
        let (status, body) = get(&format!("/api/suggest?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(body["error"]["message"].as_str().unwrap().contains(param), "{query}: {body}");
    }
}

#[tokio::test]
async fn words_of_restricted_testimonies_are_never_suggested() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("records.jsonl");
    let record = |id: &str, access: &str, word: &str| {
        serde_json::json!({
            "id": id, "access": access, "language": "en",
            "transcript": format!("A: The {word} was near the river.\n\nA: Later the {word} was gone.")
        })
        .to_string()
    };
    std::fs::write(
        &file,
        [record("EN-9000-0001", "public", "kingfisher"), record("EN-9000-0002", "restricted", "kingcrab")].join("\n"),
    )
    .unwrap();
    let (_index_dir, index, report) = common::build_index(&[file]);
    assert_eq!(report.accepted(), 2);
    let router = common::router_over(index);
    let request = Request::get("/api/suggest?q=king").body(Body::empty()).unwrap();
    let (status, body) = common::send(router, request).await;
    assert_eq!(status, 200, "{body}");
    let words: Vec<String> = kinds_values(&body).into_iter().filter(|(k, _)| k == "term").map(|(_, v)| v).collect();
    assert_eq!(words, ["kingfisher"], "{body}");
}
