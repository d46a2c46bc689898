//! The PII check at ingest, end to end: records seeded with a phone number, an e-mail address, a
//! resident registration number, a birth date and a listed name are rejected with the rule and
//! the position by the library call, the `check` and `ingest` commands and the HTTP ingest; with
//! redaction they are ingested and the values appear nowhere (search, quotes, testimony view),
//! while the words around them are still found. The bundled corpora and the generator trip nothing.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use axum::Router;
use common::{enc, repo_path, send, taxonomy};
use serde_json::{json, Value};
use testimony_search::api::{self, AppState};
use testimony_search::config::{hash_key, ApiKey, Config, Role};
use testimony_search::generate::{self, GeneratorConfig};
use testimony_search::index::TestimonyIndex;
use testimony_search::ingest::{self, pii::Verdict, IngestRules, PiiCheck};
use testimony_search::search::SearchEngine;
use testimony_search::taxonomy::SchemaSource;

const KEY: &str = "test-admin-key-0123456789";
const PHONE: &str = "010-4821-7730";
const EMAIL: &str = "seoyun.test@example.org";
const RRN: &str = "880514-2345678";
const BIRTH: &str = "1988년 5월 14일";
const NAME: &str = "박순자";

/// Every value that must never come back, and parts of them that would betray them.
const SECRETS: &[&str] = &[PHONE, "4821", EMAIL, "seoyun", RRN, "2345678", BIRTH, NAME];

/// One record per rule, and one clean record; all public, so that every endpoint shows text.
fn records() -> String {
    let lines = [
        json!({"id": "PII-PHONE", "access": "public", "transcript": format!(
            "Q: Where did you go after Musan?\n\nA: A broker in Yanji gave me his number, {PHONE}, and told me to wait by the riverbank market.")}),
        json!({"id": "PII-EMAIL", "access": "public", "title": format!("Letters sent to {EMAIL}"),
            "transcript": "A: We wrote to the aid office about the sawmill at Kilju."}),
        json!({"id": "PII-RRN", "access": "public", "transcript": format!(
            "답변: 남한에서 받은 번호는 {RRN}이고 지금은 인천 해안 창고에서 일합니다.")}),
        json!({"id": "PII-BIRTH", "access": "public", "interviewee": {"gender": "female"}, "transcript": format!(
            "질문: 고향은 어디입니까?\n\n답변: 저는 {BIRTH}생이고 온성 탄광 마을에서 자랐습니다.")}),
        json!({"id": "PII-NAME", "access": "public", "events": [{"violation": "detention/arbitrary", "location": "Onsong"}],
            "transcript": format!("A: The guard called {NAME} out of the cell at the lumber yard.")}),
        json!({"id": "CLEAN-1", "access": "public", "interview_date": "2016-03-02",
            "transcript": "A: In March 1998 we crossed near Hoeryong; I was born in 1965. KR-2016-0031 is my cousin's file."}),
    ];
    lines.iter().map(|l| l.to_string() + "\n").collect()
}

/// What each PII record is rejected for: rule and position, as the reason shows them.
const EXPECTED: &[(&str, &str)] = &[
    ("PII-PHONE", "phone_number in transcript ¶2 (line 3, column 42): 010-****-7730"),
    ("PII-EMAIL", "email_address in title (column 17): s*****.****@*******.org"),
    ("PII-RRN", "resident_registration_number in transcript ¶1 (line 1, column 17): ******-*******"),
    ("PII-BIRTH", "birth_date in transcript ¶2 (line 3, column 8): ****년 *월 **일"),
    ("PII-NAME", "listed_term in transcript ¶1 (line 1, column 21): ***"),
];

fn assert_no_secret(text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{s:?} leaked into {text}");
    }
}

fn write_records(dir: &Path) -> std::path::PathBuf {
    let file = dir.join("seeded.jsonl");
    std::fs::write(&file, records()).unwrap();
    file
}

#[test]
fn the_library_call_rejects_each_seeded_record_with_rule_field_and_position() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_records(dir.path());
    let pii = PiiCheck::with_terms(&[NAME]).unwrap();
    let batch = ingest::collect(&[&file], IngestRules::new(&taxonomy(), &pii), &mut |_| {});
    let accepted: Vec<&str> = batch.testimonies.iter().map(|(_, p)| p.testimony.id.as_str()).collect();
    assert_eq!(accepted, ["CLEAN-1"]);
    assert_eq!(batch.report.rejected.len(), EXPECTED.len());
    for (id, finding) in EXPECTED {
        let r = batch.report.rejected.iter().find(|r| r.id.as_deref() == Some(id)).expect(id);
        assert!(r.reason.contains(finding), "{id}: {}", r.reason);
        assert!(r.reason.contains("--redact"), "the reason says how to go on: {}", r.reason);
    }
    assert_no_secret(&serde_json::to_string(&batch.report).unwrap());
}

#[test]
fn reasons_and_warnings_that_quote_a_bad_value_mask_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.jsonl");
    let lines = [
        json!({"id": "BAD-YEAR", "transcript": "A: text", "events": [{"year": PHONE}]}),
        json!({"id": "BAD-LANG", "language": EMAIL, "transcript": "A: text"}),
        json!({"id": PHONE, "transcript": "A: text"}),
    ];
    std::fs::write(&file, lines.iter().map(|l| l.to_string() + "\n").collect::<String>()).unwrap();
    let batch = ingest::collect(&[&file], &*taxonomy(), &mut |_| {});
    let report = serde_json::to_string(&batch.report).unwrap();
    assert_eq!(batch.report.rejected.len(), 2, "{report}");
    assert!(
        batch.report.rejected[0].reason.contains("events[1].year") && report.contains("[redacted:phone]"),
        "{report}"
    );
    assert!(batch.report.warnings[0].message.contains("[redacted:email]"), "{report}");
    assert_no_secret(&report);
}

#[test]
fn without_configured_terms_a_name_passes_and_the_built_in_rules_still_apply() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_records(dir.path());
    let batch = ingest::collect(&[&file], &*taxonomy(), &mut |_| {});
    let mut accepted: Vec<&str> = batch.testimonies.iter().map(|(_, p)| p.testimony.id.as_str()).collect();
    accepted.sort();
    assert_eq!(accepted, ["CLEAN-1", "PII-NAME"]);
}

fn run(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_testimony-search")).args(args).output().expect("the binary runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn check_and_ingest_commands_reject_by_default_and_mask_with_redact() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_records(dir.path());
    let config = dir.path().join("config.toml");
    std::fs::write(&config, format!("pii_terms = [{NAME:?}]\n")).unwrap();
    let (file, config) = (file.to_str().unwrap(), config.to_str().unwrap());

    let (ok, out) = run(&["check", "--config", config, file]);
    assert!(!ok, "check fails when a record is rejected: {out}");
    assert!(out.contains("1 added") && out.contains("5 rejected"), "{out}");
    for (_, finding) in EXPECTED {
        assert!(out.contains(finding), "{finding} missing in {out}");
    }
    assert_no_secret(&out);

    let (ok, out) = run(&["check", "--redact", "--config", config, file]);
    assert!(ok, "{out}");
    assert!(out.contains("6 added") && out.contains("0 rejected"), "{out}");
    assert!(out.contains("personal data masked: phone_number in transcript ¶2 (line 3, column 42)"), "{out}");
    assert_no_secret(&out);

    let index = dir.path().join("index");
    let index = index.to_str().unwrap();
    let (ok, out) = run(&["ingest", "--index", index, "--config", config, file]);
    assert!(ok && out.contains("1 added") && out.contains("5 rejected"), "{out}");
    let (ok, out) = run(&["ingest", "--redact", "--index", index, "--config", config, file]);
    assert!(ok && out.contains("5 added") && out.contains("1 replaced"), "{out}");
    assert_no_secret(&out);
    let (ok, out) = run(&["search", "--index", index, "--json", "riverbank", "market"]);
    assert!(ok && out.contains("[redacted:phone]") && out.contains("PII-PHONE"), "{out}");
    assert_no_secret(&out);
    let (ok, out) = run(&["search", "--index", index, "--json", PHONE]);
    assert!(ok && !out.contains("PII-PHONE"), "{out}");
}

fn router(config: Config) -> (tempfile::TempDir, Router) {
    let dir = tempfile::tempdir().unwrap();
    let index = Arc::new(TestimonyIndex::open_or_create(dir.path(), &SchemaSource::Embedded).unwrap());
    let engine = SearchEngine::new(index, taxonomy()).with_cache(64);
    let keys = vec![ApiKey { name: "test-admin".into(), role: Role::Admin, sha256: hash_key(KEY) }];
    (dir, api::router(AppState::with_engine(engine, Config { api_keys: keys, ..config })))
}

fn post(uri: &str, body: String) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/x-ndjson")
        .header("authorization", format!("Bearer {KEY}"))
        .body(Body::from(body))
        .unwrap()
}

async fn get(r: &Router, uri: &str) -> Value {
    // As the admin: the ingested records are restricted (the default), and the point is that
    // not even a trusted reader sees the masked values.
    let request = Request::get(uri).header("authorization", format!("Bearer {KEY}")).body(Body::empty()).unwrap();
    let (status, body) = send(r.clone(), request).await;
    assert_eq!(status, 200, "{uri}: {body}");
    body
}

#[tokio::test]
async fn http_ingest_rejects_by_default_and_masks_with_redact_true() {
    let config = Config { pii: PiiCheck::with_terms(&[NAME]).unwrap(), ..Config::default() };
    let (_d, r) = router(config);

    let pii_only: String = records().lines().filter(|l| !l.contains("CLEAN-1")).map(|l| l.to_string() + "\n").collect();
    let (status, body) = send(r.clone(), post("/api/testimonies", pii_only)).await;
    assert_eq!((status.as_u16(), body["error"]["code"].as_str()), (400, Some("invalid_records")), "{body}");
    let rejected = body["error"]["details"]["rejected"].as_array().unwrap();
    for (id, finding) in EXPECTED {
        let r = rejected.iter().find(|r| r["id"] == *id).expect(id);
        assert!(r["reason"].as_str().unwrap().contains(finding), "{r}");
    }
    assert_no_secret(&body.to_string());
    let (status, body) = send(r.clone(), post("/api/testimonies?redact=maybe", records())).await;
    assert_eq!((status.as_u16(), body["error"]["code"].as_str()), (400, Some("invalid_parameter")));

    let (status, report) = send(r.clone(), post("/api/testimonies?redact=true", records())).await;
    assert_eq!((status.as_u16(), report["added"].as_u64()), (200, Some(6)), "{report}");
    let warnings = report["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 5, "{report}");
    assert!(warnings.iter().any(|w| w["id"] == "PII-PHONE"
        && w["message"].as_str().unwrap().contains("phone_number in transcript ¶2 (line 3, column 42)")));
    assert_no_secret(&report.to_string());

    // The values are not found, the words around them are, and nothing shown holds a value.
    for secret in [PHONE, "4821", "7730", EMAIL, "seoyun", RRN, "2345678", NAME, "1988년"] {
        let body = get(&r, &format!("/api/search?q={}", enc(secret))).await;
        let ids = common::hit_testimonies(&body);
        assert!(!ids.iter().any(|i| i.starts_with("PII-")), "{secret}: {body}");
    }
    for (q, id, mask) in [
        ("riverbank market", "PII-PHONE", "[redacted:phone]"),
        ("인천 해안 창고", "PII-RRN", "[redacted:rrn]"),
        ("온성 탄광", "PII-BIRTH", "[redacted:birth_date]"),
        ("lumber yard", "PII-NAME", "[redacted:term]"),
    ] {
        let body = get(&r, &format!("/api/search?q={}", enc(q))).await;
        assert_eq!(common::hit_testimonies(&body).first().map(String::as_str), Some(id), "{q}: {body}");
        assert!(body["hits"][0]["text"].as_str().unwrap().contains(mask), "{q}: {body}");
        assert_no_secret(&body.to_string());
        let quotes = get(&r, &format!("/api/quotes?q={}", enc(q))).await;
        assert_no_secret(&quotes.to_string());
        let view = get(&r, &format!("/api/testimonies/{id}")).await;
        assert!(view.to_string().contains(mask), "{view}");
        assert_no_secret(&view.to_string());
    }
    let view = get(&r, "/api/testimonies/PII-EMAIL").await;
    assert!(view.to_string().contains("Letters sent to [redacted:email]"), "{view}");
}

#[test]
fn the_bundled_corpora_and_the_generator_trip_no_rule() {
    for dir in ["data/sample", "tests/eval/corpus"] {
        let batch = ingest::collect(&[repo_path(dir)], &*taxonomy(), &mut |_| {});
        assert!(batch.testimonies.len() > 10, "{dir}");
        let pii: Vec<_> = batch.report.rejected.iter().filter(|r| r.reason.contains("personal data")).collect();
        assert!(pii.is_empty(), "{dir}: {pii:?}");
    }
    let taxonomy = taxonomy();
    let cfg = GeneratorConfig { testimonies: 400, seed: 7, queries: 0 };
    let mut checked = 0;
    for g in generate::testimonies(&cfg, &taxonomy).unwrap() {
        let mut t = ingest::record::validate(serde_json::to_value(&g).unwrap()).unwrap().testimony;
        assert_eq!(PiiCheck::builtin().check(&mut t), Verdict::Clean, "{}", g.id);
        checked += 1;
    }
    assert_eq!(checked, 400);
}
