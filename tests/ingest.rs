//! Ingest on a real on-disk index: bad records reported with file, line and id while the rest
//! are ingested; upsert; delete; the index holds only committed batches; the CLI.

mod common;

use std::process::Command;

use common::{build_index, enc, repo_path, router_over, send, taxonomy};
use serde_json::Value;
use testimony_search::index::{IndexError, TestimonyIndex};
use testimony_search::ingest::{self, Access};
use testimony_search::taxonomy::SchemaSource;

async fn search(index: std::sync::Arc<TestimonyIndex>, q: &str) -> Value {
    let req = axum::http::Request::get(format!("/api/search?q={}", enc(q)))
        .header("x-api-key", common::RESEARCHER_KEY)
        .body(axum::body::Body::empty())
        .unwrap();
    let (status, body) = send(router_over(index), req).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn bad_records_are_reported_while_the_rest_are_ingested() {
    let (_dir, index, report) = build_index(&[repo_path("tests/fixtures/mixed")]);
    let rejected: Vec<(String, usize, Option<String>, String)> = report
        .rejected
        .iter()
        .map(|r| (r.file.rsplit('/').next().unwrap().to_string(), r.line, r.id.clone(), r.reason.clone()))
        .collect();
    let find = |file: &str, line: usize| {
        rejected
            .iter()
            .find(|r| r.0 == file && r.1 == line)
            .unwrap_or_else(|| panic!("no rejection at {file}:{line} in {rejected:#?}"))
    };
    assert!(find("batch.jsonl", 2).3.contains("invalid JSON"));
    assert!(find("batch.jsonl", 3).3.contains("missing required field id"));
    assert_eq!(find("batch.jsonl", 4).2.as_deref(), Some("FX-BAD-NOTEXT"));
    assert!(find("batch.jsonl", 5).3.contains("interview_date"));
    assert!(find("batch.jsonl", 6).3.contains("access"));
    assert!(find("batch.jsonl", 7).3.contains("events[1].year"));
    assert!(find("batch.jsonl", 8).3.contains("JSON object"));
    assert!(find("batch.jsonl", 11).3.contains("character"));
    assert!(find("latin1.jsonl", 1).3.contains("UTF-8"));
    assert!(find("no-front-matter.md", 1).3.contains("front matter"));
    assert!(find("bad-yaml.md", 1).3.contains("YAML"));
    assert_eq!(rejected.len(), 11, "{rejected:#?}");

    // The good ones are all in, once each; the later FX-GOOD-1 replaced the earlier in the batch.
    assert_eq!(report.added, 3);
    assert!(report.committed);
    assert_eq!(index.testimony_count().unwrap(), 3);
    assert!(report.warnings.iter().any(|w| w.id == "FX-GOOD-1" && w.message.contains("replaces")));
    assert!(report.unresolved.iter().any(|u| u.label == "Nowhere Town"));
    assert!(report.unresolved.iter().any(|u| u.label == "장마당 단속"));
    assert_eq!(search(index.clone(), "quagga").await["total"], 1);
    assert_eq!(search(index.clone(), "zebrafish").await["total"], 0, "the replaced version is gone");
    assert_eq!(search(index.clone(), "얼룩말무늬").await["total"], 1);
    assert_eq!(search(index.clone(), "카멜레온").await["total"], 1);
    // Unresolved labels stay searchable as text (with the testimony's first passage).
    let by_label = search(index.clone(), "Nowhere Town").await;
    assert_eq!(by_label["hits"][0]["passage_id"], "FX-GOOD-2#1", "{by_label}");
}

#[tokio::test]
async fn reingesting_replaces_and_delete_removes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("one.jsonl");
    let index =
        std::sync::Arc::new(TestimonyIndex::open_or_create(&dir.path().join("ix"), &SchemaSource::Embedded).unwrap());
    let ingest_text = |text: &str| {
        std::fs::write(&file, format!("{{\"id\":\"UP-1\",\"transcript\":\"{text}\"}}\n")).unwrap();
        let batch = ingest::collect(&[&file], &taxonomy(), &mut |_| {});
        index.write_batch(batch, Access::Public, 64 << 20).unwrap()
    };
    let first = ingest_text("A: the first telling mentions an aardvark.\\n\\nA: and a second paragraph.");
    assert_eq!((first.added, first.replaced), (1, 0));
    let second = ingest_text("A: the second telling mentions a pangolin.");
    assert_eq!((second.added, second.replaced), (0, 1));
    assert_eq!(index.testimony_count().unwrap(), 1);
    assert_eq!(search(index.clone(), "aardvark").await["total"], 0);
    assert_eq!(search(index.clone(), "pangolin").await["total"], 1);
    assert_eq!(index.passages_of("UP-1").unwrap().len(), 1, "old passages are gone");

    assert_eq!(index.delete(&["UP-1".into(), "NOPE".into()], 64 << 20).unwrap(), vec!["UP-1".to_string()]);
    assert_eq!(index.testimony_count().unwrap(), 0);
    assert_eq!(search(index.clone(), "pangolin").await["total"], 0);
}

#[test]
fn uncommitted_work_is_not_in_the_index() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = TestimonyIndex::open_or_create(dir.path(), &SchemaSource::Embedded).unwrap();
        let batch = ingest::collect(&[repo_path("data/sample/interviews")], &taxonomy(), &mut |_| {});
        index.write_batch(batch, Access::Public, 64 << 20).unwrap();
        // A writer that adds a testimony and is dropped without commit (as in a crash).
        let writer: tantivy::IndexWriter = index.writer(64 << 20).unwrap();
        let mut doc = tantivy::TantivyDocument::default();
        doc.add_text(index.fields().kind, "testimony");
        doc.add_text(index.fields().testimony_id, "NEVER-COMMITTED");
        writer.add_document(doc).unwrap();
        drop(writer);
    }
    let reopened = TestimonyIndex::open_or_create(dir.path(), &SchemaSource::Embedded).unwrap();
    assert_eq!(reopened.testimony_count().unwrap(), 8);
    assert!(reopened.testimony("NEVER-COMMITTED").unwrap().is_none());
}

#[test]
fn an_index_built_with_another_schema_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let schema_dir = dir.path().join("schema");
    std::fs::create_dir(&schema_dir).unwrap();
    let fields = std::fs::read_to_string(repo_path("index-schema/fields.toml")).unwrap();
    std::fs::write(
        schema_dir.join("fields.toml"),
        fields + "\n[[field]]\nname = \"extra\"\ntype = \"u64\"\nstored = true\n",
    )
    .unwrap();
    let ix = dir.path().join("ix");
    TestimonyIndex::open_or_create(&ix, &SchemaSource::Dir(schema_dir)).unwrap();
    let err = TestimonyIndex::open_or_create(&ix, &SchemaSource::Embedded).unwrap_err();
    assert!(matches!(err, IndexError::SchemaMismatch { .. }), "{err}");
    assert!(err.to_string().contains("different schema"));
}

#[test]
fn a_stream_larger_than_a_chunk_keeps_every_good_record_and_reports_every_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("many.jsonl");
    let mut lines = Vec::new();
    for i in 0..700 {
        lines.push(match i {
            100 => "{not json".to_string(),
            400 => serde_json::json!({"id": "S-400"}).to_string(),
            // The same id again, later: it replaces the first one.
            650 => serde_json::json!({"id": "S-0001", "transcript": "A: replaced text about a pangolin"}).to_string(),
            _ => serde_json::json!({"id": format!("S-{i:04}"), "transcript": format!("A: passage {i} in Hoeryong.")})
                .to_string(),
        });
    }
    std::fs::write(&file, lines.join("\n")).unwrap();
    let index = TestimonyIndex::open_or_create(&dir.path().join("ix"), &SchemaSource::Embedded).unwrap();
    let mut records = ingest::source::RecordStream::new(&[&file]);
    let report = index.ingest_stream(&mut records, &taxonomy(), Access::Public, 64 << 20, &mut |_| {}).unwrap();
    assert_eq!(report.records, 700);
    assert_eq!(report.added, 697, "{report}");
    let lines_rejected: Vec<usize> = report.rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines_rejected, [101, 401]);
    assert_eq!(report.rejected[1].id.as_deref(), Some("S-400"));
    assert!(report.warnings.iter().any(|w| w.id == "S-0001" && w.line == 651), "{report}");
    assert_eq!(index.testimony_count().unwrap(), 697);
    let replaced = index.passages_of("S-0001").unwrap();
    assert!(replaced[0].text.contains("pangolin"));
}

#[test]
fn an_index_written_by_other_analyzers_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = TestimonyIndex::open_or_create(dir.path(), &SchemaSource::Embedded).unwrap();
        let batch = ingest::collect(&[repo_path("data/sample/interviews")], &taxonomy(), &mut |_| {});
        index.write_batch(batch, Access::Public, 64 << 20).unwrap();
        // The same documents, committed as an older build would have (no analysis stamp).
        let mut writer: tantivy::IndexWriter = index.writer(64 << 20).unwrap();
        let mut prepared = writer.prepare_commit().unwrap();
        prepared.set_payload("analysis=1");
        prepared.commit().unwrap();
    }
    let err = TestimonyIndex::open_or_create(dir.path(), &SchemaSource::Embedded).unwrap_err();
    assert!(matches!(err, IndexError::AnalysisMismatch { .. }), "{err}");
    assert!(err.to_string().contains("ingest again"), "{err}");
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let out =
        Command::new(env!("CARGO_BIN_EXE_testimony-search")).args(args).env_remove("TESTIMONY_INDEX").output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn cli_check_ingest_search_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let ix = dir.path().join("ix");
    let ix = ix.to_str().unwrap();
    let mixed = repo_path("tests/fixtures/mixed");
    let mixed = mixed.to_str().unwrap();

    let (code, out, _) = cli(&["check", "--json", mixed]);
    assert_eq!(code, 1, "check fails when a record is bad");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["rejected"].as_array().unwrap().len(), 11);
    assert!(!ix_exists(ix), "check never touches an index");

    let (code, out, err) = cli(&["ingest", "--index", ix, mixed]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("3 added") && out.contains("11 rejected") && out.contains("batch.jsonl:2"), "{out}");

    let (code, out, _) = cli(&["search", "--index", ix, "--json", "--location", "Onsong", "카멜레온"]);
    assert_eq!(code, 0);
    let response: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(response["total"], 1, "{response}");

    let (code, _, err) = cli(&["search", "--index", ix, "--location", "Atlantis", "x"]);
    assert_eq!(code, 2);
    assert!(err.contains("location"), "{err}");

    let (code, out, _) = cli(&["delete", "--index", ix, "FX-GOOD-2"]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) =
        cli(&["ingest", "--index", ix, repo_path("tests/fixtures/mixed/docs/bad-yaml.md").to_str().unwrap()]);
    assert_eq!(code, 1, "nothing ingested is a failure: {out}");
}

fn ix_exists(dir: &str) -> bool {
    std::path::Path::new(dir).join("meta.json").exists()
}
