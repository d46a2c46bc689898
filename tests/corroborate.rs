//! Corroboration over HTTP on the sample corpus: the planted witnesses of one event (two Korean,
//! one English, one of them never coded) find each other in the top 5, the near misses (same
//! place and type a decade earlier; same type and year elsewhere) rank below every witness, and
//! no testimony ever corroborates itself.

mod common;

use common::{enc, get, post_json};
use serde_json::Value;

/// The planted event: three smugglers publicly executed by the Yalu in Hyesan, spring 2009.
const WITNESSES: &[(&str, &[u32])] = &[("KR-2021-0075", &[4, 5]), ("EN-2022-0016", &[4, 5]), ("KR-2023-0078", &[4, 5])];
/// Same place and type in 1997; same type and year in Hamhung.
const NEAR_MISSES: &[&str] = &["KR-2020-0080", "EN-2021-0017"];

fn testimonies(body: &Value) -> Vec<String> {
    body["hits"].as_array().expect("hits").iter().map(|h| h["testimony_id"].as_str().unwrap().to_string()).collect()
}

fn rank(list: &[String], id: &str) -> Option<usize> {
    list.iter().position(|t| t == id)
}

async fn corroborate(passage: &str, params: &str) -> Value {
    let (status, body) = get(&format!("/api/passages/{}/corroborate{params}", enc(passage))).await;
    assert_eq!(status, 200, "{passage}: {body}");
    body
}

#[tokio::test]
async fn planted_witnesses_find_each_other_in_the_top_5() {
    for (witness, paragraphs) in WITNESSES {
        for n in *paragraphs {
            let body = corroborate(&format!("{witness}#{n}"), "").await;
            let found = testimonies(&body);
            for (other, _) in WITNESSES.iter().filter(|(o, _)| o != witness) {
                let r = rank(&found, other);
                assert!(r.is_some_and(|r| r < 5), "{witness}#{n}: {other} not in the top 5 of {found:?}");
            }
            let last_witness =
                WITNESSES.iter().filter(|(o, _)| o != witness).filter_map(|(o, _)| rank(&found, o)).max().unwrap();
            for miss in NEAR_MISSES {
                if let Some(r) = rank(&found, miss) {
                    assert!(r > last_witness, "{witness}#{n}: near miss {miss} ranks above a witness: {found:?}");
                }
            }
        }
    }
}

#[tokio::test]
async fn each_hit_says_why_and_how_independent() {
    let body = corroborate("KR-2021-0075#5", "").await;
    assert_eq!(body["source"]["places"][0]["id"], "kp/ryanggang/hyesan", "{}", body["source"]);
    assert!(body["source"]["violations"].as_array().unwrap().iter().any(|v| v["id"] == "life/public-execution"));
    assert!(body["source"]["years"].as_array().unwrap().contains(&Value::from(2009)));
    let english = body["hits"].as_array().unwrap().iter().find(|h| h["testimony_id"] == "EN-2022-0016").expect("hit");
    // The English witness was never coded: what it shares was read from its words.
    let why = &english["why"];
    assert!(
        why["places"].as_array().unwrap().iter().any(|p| p["id"] == "kp/ryanggang/hyesan" && p["relation"] == "same"),
        "{why}"
    );
    assert!(why["violations"].as_array().unwrap().iter().any(|v| v["id"] == "life/public-execution"));
    assert_eq!(why["years"], serde_json::json!([2009]));
    let ind = &english["independence"];
    assert_eq!(ind["different_testimony"], true);
    assert_eq!(ind["interview_year"], 2022);
    assert_eq!(ind["same_interview_year"], false);
    assert_eq!(ind["other_language"], true);
    assert_eq!(ind["same_origin_province"], true);
    assert!(english["highlight"].as_str().unwrap().contains("<mark>"), "{english}");
    assert!(english["citation"].as_str().unwrap().starts_with("EN-2022-0016 ¶"));
    let scores: Vec<f64> = body["hits"].as_array().unwrap().iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[tokio::test]
async fn the_other_witnesses_of_older_events_too() {
    // Hoeryong, autumn 2008: two Korean witnesses and one English.
    let found = testimonies(&corroborate("KR-2012-0007#5", "").await);
    for other in ["EN-2014-0003", "KR-2019-0044"] {
        assert!(rank(&found, other).is_some_and(|r| r < 5), "{other} in {found:?}");
    }
    // Yodok, 1999-2001.
    let found = testimonies(&corroborate("KR-2005-0012#5", "").await);
    assert!(rank(&found, "EN-2010-0002").is_some_and(|r| r < 5), "{found:?}");
}

#[tokio::test]
async fn no_testimony_corroborates_itself() {
    let mut checked = 0;
    for (id, _) in WITNESSES.iter().chain(&[("KR-2012-0007", &[][..]), ("EN-2013-0005", &[][..])]) {
        let (_, t) = get(&format!("/api/testimonies/{id}")).await;
        for p in t["passage_list"].as_array().unwrap() {
            let pid = p["passage_id"].as_str().unwrap();
            let body = corroborate(pid, "?per_testimony=3&per_page=50").await;
            assert!(!testimonies(&body).iter().any(|t| t == id), "{pid} corroborated by its own testimony");
            checked += 1;
        }
    }
    assert!(checked >= 30, "{checked}");
}

#[tokio::test]
async fn a_quote_in_english_finds_the_korean_witnesses() {
    let quote = "In the spring of 2009 three smugglers were shot in public by the Yalu riverbank in Hyesan.";
    let (status, body) = post_json("/api/corroborate", &serde_json::json!({ "text": quote }).to_string()).await;
    assert_eq!(status, 200, "{body}");
    let found = testimonies(&body);
    for (w, _) in WITNESSES {
        assert!(rank(&found, w).is_some_and(|r| r < 5), "{w} not in the top 5 of {found:?}");
    }
    // The quote's own testimony is left out when named.
    let request = serde_json::json!({ "text": quote, "testimony_id": "EN-2022-0016" });
    let (status, body) = post_json("/api/corroborate", &request.to_string()).await;
    assert_eq!(status, 200, "{body}");
    assert!(!testimonies(&body).iter().any(|t| t == "EN-2022-0016"));
}

#[tokio::test]
async fn filters_and_window_narrow_the_witnesses() {
    // A window of 0 years still keeps the exact-year witnesses.
    let found = testimonies(&corroborate("EN-2022-0016#5", "?year_window=0").await);
    assert!(rank(&found, "KR-2021-0075").is_some());
    // A filter on another province leaves only testimonies there.
    let body = corroborate("EN-2022-0016#5", &format!("?location={}", enc("함경남도"))).await;
    let (_, there) = get(&format!("/api/search?location={}&group=testimony&per_page=100", enc("함경남도"))).await;
    let there = common::hit_testimonies(&there);
    let found = testimonies(&body);
    assert!(found.contains(&"EN-2021-0017".to_string()), "{found:?}");
    assert!(found.iter().all(|t| there.contains(t)), "{found:?} not all in {there:?}");
    let body = corroborate("EN-2022-0016#5", "?per_testimony=2&per_page=2").await;
    let found = testimonies(&body);
    let distinct: std::collections::BTreeSet<_> = found.iter().collect();
    assert!(distinct.len() <= 2 && found.len() <= 4, "{found:?}");
}

#[tokio::test]
async fn bad_requests_get_a_json_4xx() {
    let cases = [
        ("/api/passages/NOPE-1%231/corroborate", 404, "not_found"),
        ("/api/passages/KR-2021-0075%234/corroborate?year_window=50", 400, "invalid_parameter"),
        ("/api/passages/KR-2021-0075%234/corroborate?per_page=0", 400, "invalid_parameter"),
        ("/api/passages/KR-2021-0075%234/corroborate?q=x", 400, "unknown_parameter"),
        ("/api/passages/KR-2021-0075%234/corroborate?location=Atlantis", 400, "invalid_filter"),
    ];
    for (uri, status, code) in cases {
        let (s, body) = get(uri).await;
        assert_eq!((s.as_u16(), body["error"]["code"].as_str().unwrap()), (status, code), "{uri}: {body}");
    }
    for (body, code) in [
        ("{}", "invalid_parameter"),
        ("[1]", "invalid_json"),
        ("{\"text\": 3}", "invalid_json"),
        ("{\"text\": \"x\", \"what\": 1}", "invalid_json"),
    ] {
        let (s, answer) = post_json("/api/corroborate", body).await;
        assert_eq!((s.as_u16(), answer["error"]["code"].as_str().unwrap()), (400, code), "{body}: {answer}");
    }
    let long = "가".repeat(5_001);
    let (s, answer) = post_json("/api/corroborate", &serde_json::json!({ "text": long }).to_string()).await;
    assert_eq!(s, 400, "{answer}");
}
