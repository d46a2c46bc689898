//! Extraction quality kept from falling: precision and recall per facet type on the hand-checked
//! passages (tests/eval/extraction.jsonl) and recall of the sample corpus's coded events with the
//! codes hidden. Floors sit just under the figures measured when they were set (see the closing
//! notes and `testimony-search eval-extraction`).

mod common;

use common::{repo_path, taxonomy};
use testimony_search::evaluation::{read_judged, score_corpus, score_passages, Score};

fn at_least(name: &str, s: &Score, precision: f64, recall: f64) {
    assert!(
        s.precision >= precision && s.recall >= recall,
        "{name}: precision {:.3} (floor {precision}), recall {:.3} (floor {recall}); tp {} fp {} fn {}",
        s.precision,
        s.recall,
        s.true_positives,
        s.false_positives,
        s.false_negatives
    );
}

#[test]
fn hand_checked_passages_stay_above_their_floors() {
    let judged = read_judged(&repo_path("tests/eval/extraction.jsonl")).expect("judged set");
    assert!(judged.len() >= 40, "the judged set holds at least 40 passages");
    let s = score_passages(&judged, &taxonomy());
    // Measured 2026-11-23: places 0.983/0.983, years 1.000/1.000, violations 0.974/0.938.
    at_least("places", &s.places, 0.96, 0.96);
    at_least("years", &s.years, 0.97, 0.97);
    at_least("violations", &s.violations, 0.95, 0.91);
    // The targets, which the floors must never go under.
    at_least("places (target)", &s.places, 0.95, 0.9);
    at_least("violations (target)", &s.violations, 0.85, 0.8);
}

/// Written after the tuning and never tuned on: the honest figure. Keep it that way: fix misses
/// seen here only with changes that the development set (extraction.jsonl) also justifies.
#[test]
fn held_out_passages_stay_above_their_floors() {
    let judged = read_judged(&repo_path("tests/eval/extraction-heldout.jsonl")).expect("held-out set");
    assert!(judged.len() >= 40);
    let s = score_passages(&judged, &taxonomy());
    // Measured 2026-11-23, once: places 0.978/1.000, years 1.000/1.000, violations 0.933/0.836.
    at_least("places", &s.places, 0.95, 0.97);
    at_least("years", &s.years, 0.97, 0.97);
    at_least("violations", &s.violations, 0.9, 0.8);
}

#[test]
fn coded_events_of_the_sample_corpus_are_found_in_the_text() {
    let s = score_corpus(&[repo_path("data/sample")], &taxonomy());
    assert!(s.testimonies >= 20);
    // Measured 2026-11-23: recall places 1.000, years 0.976, violations 0.984.
    at_least("places", &s.places, 1.0, 0.97);
    at_least("years", &s.years, 1.0, 0.95);
    at_least("violations", &s.violations, 1.0, 0.96);
}
