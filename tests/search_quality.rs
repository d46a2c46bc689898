//! Search quality kept from falling: recall@10 and nDCG@10 per suite of judged queries over the
//! judged corpus (tests/eval: 60 testimonies, 158 queries judged across both languages). See
//! docs/QUALITY.md.

mod common;

use std::sync::Arc;

use common::{repo_path, taxonomy};
use testimony_search::evaluation::{read_queries, score_queries, summarize};
use testimony_search::index::TestimonyIndex;
use testimony_search::ingest::{self, Access};
use testimony_search::search::SearchEngine;
use testimony_search::taxonomy::SchemaSource;

#[test]
fn judged_queries_stay_above_their_floors() {
    let index = Arc::new(TestimonyIndex::in_memory(&SchemaSource::Embedded).unwrap());
    let batch = ingest::collect(&[repo_path("tests/eval/corpus")], &taxonomy(), &mut |_| {});
    assert_eq!(batch.report.rejected.len(), 0, "{:?}", batch.report.rejected);
    index.write_batch(batch, Access::Public, 64 << 20).unwrap();
    let engine = SearchEngine::new(index, taxonomy());
    let mut judged = read_queries(&repo_path("tests/eval/queries-ko.jsonl")).unwrap();
    judged.extend(read_queries(&repo_path("tests/eval/queries-en.jsonl")).unwrap());
    assert!(judged.len() >= 120);
    let outcomes = score_queries(&engine, &judged);
    for o in &outcomes {
        assert!(o.error.is_none(), "{}: {:?}", o.id, o.error);
    }
    for s in summarize(&outcomes) {
        // Measured 2026-11-23: all 0.927 / 0.929; the weakest suites are en-morphology (recall
        // 0.845) and rare-terms (recall 0.780, nDCG 0.827).
        let (recall_floor, ndcg_floor) = if s.suite == "all" { (0.90, 0.90) } else { (0.75, 0.80) };
        assert!(
            s.recall_at_10 >= recall_floor && s.ndcg_at_10 >= ndcg_floor,
            "suite {}: recall@10 {:.3} (floor {recall_floor}), nDCG@10 {:.3} (floor {ndcg_floor})",
            s.suite,
            s.recall_at_10,
            s.ndcg_at_10
        );
    }
}
