//! Export over HTTP: search hits and quotes as CSV and JSON Lines, read back with a CSV reader and
//! a JSON Lines reader, every field equal to the JSON answer's.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::{enc, get, sample_router};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

async fn raw(uri: &str) -> (u16, String, String) {
    let request = Request::get(uri).header("x-api-key", common::RESEARCHER_KEY).body(Body::empty()).unwrap();
    let response = sample_router().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let mime = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, mime, String::from_utf8(bytes.to_vec()).unwrap())
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn search_exports_as_csv_and_jsonl_with_every_hit_and_field() {
    let q = enc("public execution");
    let (_, json) = get(&format!("/api/search?q={q}&per_page=100")).await;
    let hits = json["hits"].as_array().unwrap();
    assert_eq!(json["total"].as_u64().unwrap() as usize, hits.len(), "every hit on one page");
    assert!(hits.len() >= 3);

    let (status, mime, csv_text) = raw(&format!("/api/search?q={q}&format=csv")).await;
    assert_eq!((status, mime.as_str()), (200, "text/csv; charset=utf-8"));
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header[..3], ["passage_id", "testimony_id", "paragraph"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), hits.len());
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for (row, hit) in rows.iter().zip(hits) {
        assert_eq!(&row[col("passage_id")], hit["passage_id"].as_str().unwrap());
        assert_eq!(&row[col("text")], hit["text"].as_str().unwrap(), "text round-trips exactly");
        assert_eq!(&row[col("citation")], hit["citation"].as_str().unwrap());
        assert_eq!(&row[col("paragraph")], hit["paragraph"].to_string());
        assert_eq!(row[col("places")].split("; ").filter(|s| !s.is_empty()).collect::<Vec<_>>(), ids(&hit["places"]));
    }

    let (status, mime, lines) = raw(&format!("/api/search?q={q}&format=jsonl")).await;
    assert_eq!((status, mime.as_str()), (200, "application/x-ndjson"));
    let rows: Vec<Value> = lines.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), hits.len());
    for (row, hit) in rows.iter().zip(hits) {
        for field in ["passage_id", "testimony_id", "paragraph", "language", "speaker", "citation", "years", "text"] {
            assert_eq!(row[field], hit[field], "{field}");
        }
        assert_eq!(row["violations"].as_array().unwrap().len(), hit["violations"].as_array().unwrap().len());
    }
}

#[tokio::test]
async fn an_export_walks_every_page() {
    let q = enc("수용소");
    let (_, json) = get(&format!("/api/search?q={q}&per_page=0")).await;
    let total = json["total"].as_u64().unwrap() as usize;
    assert!(total > 100, "the query should span several pages, total {total}");
    let (_, _, lines) = raw(&format!("/api/search?q={q}&format=jsonl")).await;
    let ids: Vec<String> = lines
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["passage_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), total);
    let distinct: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), total, "no passage twice across pages");
}

#[tokio::test]
async fn quotes_export_with_citations() {
    let q = enc("public execution");
    let (_, json) = get(&format!("/api/quotes?q={q}&per_page=5")).await;
    let (status, _, csv_text) = raw(&format!("/api/quotes?q={q}&per_page=5&format=csv")).await;
    assert_eq!(status, 200);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let quotes = json["quotes"].as_array().unwrap();
    assert_eq!(rows.len(), quotes.len());
    for (row, quote) in rows.iter().zip(quotes) {
        assert_eq!(&row[6], quote["text"].as_str().unwrap());
        assert_eq!(&row[4], quote["citation"]["plain"].as_str().unwrap());
    }
}

#[tokio::test]
async fn an_unknown_format_is_a_400() {
    let (status, body) = get("/api/search?q=camp&format=xml").await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("format"));
    let (status, _) = get("/api/search?q=camp&format=csv&year_from=3000").await;
    assert_eq!(status, 400, "bad parameters fail before streaming");
}

#[tokio::test]
async fn the_export_command_writes_what_the_api_exports() {
    let (dir, index, _) = common::build_index(&[common::repo_path("data/sample")]);
    drop(index);
    let out = dir.path().join("hits.csv");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_testimony-search"))
            .arg("export")
            .arg("--index")
            .arg(dir.path())
            .args(args)
            .output()
            .expect("run export")
    };
    let done = run(&["--location", "Hyesan", "-o", out.to_str().unwrap(), "공개처형"]);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    let (_, _, api) = raw(&format!("/api/search?q={}&location=Hyesan&format=csv", enc("공개처형"))).await;
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written, api);
    assert!(csv::Reader::from_reader(written.as_bytes()).records().count() >= 3, "{written}");

    let done = run(&["--format", "jsonl", "--quotes", "--per-testimony", "1", "public", "execution"]);
    assert!(done.status.success());
    let lines: Vec<Value> =
        String::from_utf8(done.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines.len() >= 3);
    let witnesses: std::collections::BTreeSet<&str> =
        lines.iter().map(|q| q["testimony_id"].as_str().unwrap()).collect();
    assert_eq!(witnesses.len(), lines.len(), "one quote per testimony");
    assert!(lines.iter().all(|q| q["citation"].as_str().unwrap().contains('¶')));

    // A bad filter fails before anything is written.
    let bad = dir.path().join("bad.csv");
    let done = run(&["--location", "Atlantis", "-o", bad.to_str().unwrap(), "x"]);
    assert!(!done.status.success());
    assert!(String::from_utf8_lossy(&done.stderr).contains("Atlantis"));
    assert!(!bad.exists());
}
