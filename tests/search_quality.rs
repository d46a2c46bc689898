//! Search quality kept from falling: recall@10 and nDCG@10 per suite of judged queries over the
//! judged corpus (tests/eval), each half with the queries judged against it. See docs/QUALITY.md.

mod common;

use std::sync::Arc;

use common::{repo_path, taxonomy};
use testimony_search::evaluation::{read_queries, score_queries, summarize};
use testimony_search::index::TestimonyIndex;
use testimony_search::ingest::{self, Access};
use testimony_search::search::SearchEngine;
use testimony_search::taxonomy::SchemaSource;

fn check(corpus: &str, queries: &str, recall_floor: f64, ndcg_floor: f64) {
    let index = Arc::new(TestimonyIndex::in_memory(&SchemaSource::Embedded).unwrap());
    let batch = ingest::collect(&[repo_path(corpus)], &taxonomy(), &mut |_, _| {});
    assert_eq!(batch.report.rejected.len(), 0, "{:?}", batch.report.rejected);
    index.write_batch(batch, Access::Public, 64 << 20).unwrap();
    let engine = SearchEngine::new(index, taxonomy());
    let judged = read_queries(&repo_path(queries)).unwrap();
    let outcomes = score_queries(&engine, &judged);
    for o in &outcomes {
        assert!(o.error.is_none(), "{}: {:?}", o.id, o.error);
    }
    for s in summarize(&outcomes) {
        assert!(
            s.recall_at_10 >= recall_floor && s.ndcg_at_10 >= ndcg_floor,
            "{queries} suite {}: recall@10 {:.3} (floor {recall_floor}), nDCG@10 {:.3} (floor {ndcg_floor})",
            s.suite,
            s.recall_at_10,
            s.ndcg_at_10
        );
    }
}

#[test]
fn korean_half_stays_above_its_floors() {
    // Measured 2026-11-23: every suite recall@10 ≥ 0.967, nDCG@10 ≥ 0.978; all 0.997 / 0.995.
    check("tests/eval/corpus/ko.jsonl", "tests/eval/queries-ko.jsonl", 0.93, 0.93);
}

#[test]
fn english_half_stays_above_its_floors() {
    // Measured 2026-11-23: every suite recall@10 ≥ 0.933, nDCG@10 ≥ 0.908; all 0.988 / 0.983.
    check("tests/eval/corpus/en.jsonl", "tests/eval/queries-en.jsonl", 0.9, 0.88);
}
