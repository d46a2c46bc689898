//! Measuring extraction against judged data: precision and recall per facet type (places, years,
//! violation types) on a hand-checked set of passages, and recall of the coded events of a corpus
//! by extraction from its text with the codes hidden.
//!
//! Matching: places and years must be equal. A violation type counts as found when the extracted
//! code equals the judged one or lies on the same branch (one is the other's ancestor); the strict
//! figure (equal codes only) is reported beside it.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::ingest::{self, Provenance};
use crate::taxonomy::{with_ancestors, FacetKind, Taxonomy};

/// One hand-checked passage.
#[derive(Debug, Clone, Deserialize)]
pub struct JudgedPassage {
    pub id: String,
    #[serde(default)]
    pub lang: Option<String>,
    pub text: String,
    #[serde(default)]
    pub places: Vec<String>,
    #[serde(default)]
    pub years: Vec<u16>,
    #[serde(default)]
    pub violations: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Counts and rates for one facet type.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Score {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub precision: f64,
    pub recall: f64,
}

impl Score {
    fn add(&mut self, tp: usize, fp: usize, fn_: usize) {
        self.true_positives += tp;
        self.false_positives += fp;
        self.false_negatives += fn_;
        let rate = |a: usize, b: usize| if a + b == 0 { 1.0 } else { a as f64 / (a + b) as f64 };
        self.precision = rate(self.true_positives, self.false_positives);
        self.recall = rate(self.true_positives, self.false_negatives);
    }
}

/// A disagreement, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub id: String,
    pub kind: &'static str,
    /// Judged but not extracted.
    pub missed: Vec<String>,
    /// Extracted but not judged.
    pub extra: Vec<String>,
}

/// The scores of a judged set.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PassageScores {
    pub passages: usize,
    pub places: Score,
    pub years: Score,
    pub violations: Score,
    pub violations_strict: Score,
    pub misses: Vec<Miss>,
}

/// The most specific values: drop any value that is an ancestor of another.
fn most_specific(values: impl IntoIterator<Item = String>) -> BTreeSet<String> {
    let all: BTreeSet<String> = values.into_iter().collect();
    all.iter().filter(|v| !all.iter().any(|o| o != *v && with_ancestors(o).any(|a| a == v.as_str()))).cloned().collect()
}

fn same_branch(a: &str, b: &str) -> bool {
    with_ancestors(a).any(|x| x == b) || with_ancestors(b).any(|x| x == a)
}

/// (true positives, false positives, false negatives, missed, extra) with a matching rule.
fn compare(
    gold: &BTreeSet<String>,
    predicted: &BTreeSet<String>,
    matches: impl Fn(&str, &str) -> bool,
) -> (usize, usize, usize, Vec<String>, Vec<String>) {
    let extra: Vec<String> = predicted.iter().filter(|p| !gold.iter().any(|g| matches(p, g))).cloned().collect();
    let missed: Vec<String> = gold.iter().filter(|g| !predicted.iter().any(|p| matches(p, g))).cloned().collect();
    let tp = predicted.len() - extra.len();
    (tp, extra.len(), missed.len(), missed, extra)
}

/// Reads a JSON Lines file of judged items; an error names the file and line.
fn read_json_lines<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("while reading {}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1)))
        .collect()
}

/// Reads a judged set of passages (JSON Lines).
pub fn read_judged(path: &Path) -> Result<Vec<JudgedPassage>, String> {
    read_json_lines(path)
}

/// Precision and recall of extraction on hand-checked passages.
pub fn score_passages(judged: &[JudgedPassage], taxonomy: &Taxonomy) -> PassageScores {
    let mut s = PassageScores { passages: judged.len(), ..Default::default() };
    for j in judged {
        let found = taxonomy.extract(&j.text);
        let places = most_specific(found.places.iter().map(|m| m.id.clone()));
        let violations = most_specific(found.violations.iter().map(|m| m.id.clone()));
        let years: BTreeSet<String> = found.years.iter().map(u16::to_string).collect();
        let gold_places: BTreeSet<String> = j.places.iter().cloned().collect();
        let gold_violations: BTreeSet<String> = j.violations.iter().cloned().collect();
        let gold_years: BTreeSet<String> = j.years.iter().map(u16::to_string).collect();
        let mut record = |kind: &'static str, score: &mut Score, r: (usize, usize, usize, Vec<String>, Vec<String>)| {
            score.add(r.0, r.1, r.2);
            if !r.3.is_empty() || !r.4.is_empty() {
                s.misses.push(Miss { id: j.id.clone(), kind, missed: r.3, extra: r.4 });
            }
        };
        record("place", &mut s.places, compare(&gold_places, &places, |a, b| a == b));
        record("year", &mut s.years, compare(&gold_years, &years, |a, b| a == b));
        record("violation", &mut s.violations, compare(&gold_violations, &violations, same_branch));
        let strict = compare(&gold_violations, &violations, |a, b| a == b);
        s.violations_strict.add(strict.0, strict.1, strict.2);
    }
    s
}

/// Recall of a corpus's coded events by extraction from the text alone.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CorpusScores {
    pub testimonies: usize,
    pub places: Score,
    pub years: Score,
    pub violations: Score,
    pub misses: Vec<Miss>,
}

/// For every testimony with coded events: hides the codes, extracts from the transcript, and
/// counts how many coded (resolved) values extraction finds. A coded place counts as found when
/// extraction finds it or a place inside it. Extraction finds more than coders code, so only
/// recall is meaningful here; precision comes from the hand-checked set.
pub fn score_corpus(paths: &[impl AsRef<Path>], taxonomy: &Taxonomy) -> CorpusScores {
    let batch = ingest::collect(paths, taxonomy, &mut |_| {});
    let mut s = CorpusScores::default();
    for (_, prepared) in batch.testimonies {
        let coded = |kind: FacetKind| -> BTreeSet<String> {
            most_specific(
                prepared.facets.get(kind).iter().filter(|v| v.provenance == Provenance::Coded).map(|v| v.value.clone()),
            )
        };
        let gold_places = coded(FacetKind::Location);
        let gold_violations = coded(FacetKind::Violation);
        // A coded span's interior years are rarely named in the text ("2006년 … 약 6년 동안"):
        // the years judged are each event's first and last.
        let gold_years: BTreeSet<String> = prepared
            .testimony
            .events
            .iter()
            .flat_map(|e| e.year.into_iter().chain(e.year_to))
            .map(|y| y.to_string())
            .collect();
        if gold_places.is_empty() && gold_violations.is_empty() && gold_years.is_empty() {
            continue;
        }
        s.testimonies += 1;
        // What the text alone yields: the same testimony prepared with its codes removed.
        let mut uncoded = prepared.testimony.clone();
        uncoded.events.clear();
        let blind = ingest::prepare(uncoded, taxonomy);
        let from_text =
            |kind: FacetKind| -> BTreeSet<String> { blind.facets.get(kind).iter().map(|v| v.value.clone()).collect() };
        let id = prepared.testimony.id.clone();
        let mut record = |kind: &'static str, score: &mut Score, r: (usize, usize, usize, Vec<String>, Vec<String>)| {
            score.add(r.0, 0, r.2);
            if !r.3.is_empty() {
                s.misses.push(Miss { id: id.clone(), kind, missed: r.3, extra: Vec::new() });
            }
        };
        let places = from_text(FacetKind::Location);
        let inside = |p: &str, g: &str| with_ancestors(p).any(|a| a == g);
        record("place", &mut s.places, recall_only(&gold_places, &places, inside));
        let years = from_text(FacetKind::Year);
        record("year", &mut s.years, recall_only(&gold_years, &years, |a, b| a == b));
        let violations = from_text(FacetKind::Violation);
        record("violation", &mut s.violations, recall_only(&gold_violations, &violations, same_branch));
    }
    s
}

fn recall_only(
    gold: &BTreeSet<String>,
    predicted: &BTreeSet<String>,
    matches: impl Fn(&str, &str) -> bool,
) -> (usize, usize, usize, Vec<String>, Vec<String>) {
    let missed: Vec<String> = gold.iter().filter(|g| !predicted.iter().any(|p| matches(p, g))).cloned().collect();
    (gold.len() - missed.len(), 0, missed.len(), missed, Vec::new())
}

// ---------------------------------------------------------------------------------------------
// Search quality: judged queries over a judged corpus.

/// Filters of a judged query.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JudgedFilters {
    #[serde(default)]
    pub location: Vec<String>,
    #[serde(default)]
    pub violation: Vec<String>,
    #[serde(default)]
    pub sdg: Vec<String>,
    #[serde(default)]
    pub year_from: Option<i64>,
    #[serde(default)]
    pub year_to: Option<i64>,
}

/// A query with the testimonies judged relevant to it.
#[derive(Debug, Clone, Deserialize)]
pub struct JudgedQuery {
    pub id: String,
    pub suite: String,
    pub q: String,
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub filters: JudgedFilters,
    pub relevant: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Ranking quality of one suite (or of all queries).
#[derive(Debug, Clone, Default, Serialize)]
pub struct SuiteScores {
    pub suite: String,
    pub queries: usize,
    pub recall_at_10: f64,
    pub ndcg_at_10: f64,
    pub mrr: f64,
}

/// One query's outcome, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct QueryOutcome {
    pub id: String,
    pub suite: String,
    pub q: String,
    pub recall_at_10: f64,
    pub ndcg_at_10: f64,
    pub reciprocal_rank: f64,
    /// Relevant testimonies not in the top 10.
    pub missed: Vec<String>,
    /// The top 10 returned.
    pub top: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Reads judged queries (JSON Lines).
pub fn read_queries(path: &Path) -> Result<Vec<JudgedQuery>, String> {
    read_json_lines(path)
}

/// recall@k (hits over min(relevant, k)), nDCG@k (binary gains) and reciprocal rank of a ranking
/// against relevant ids.
pub fn rank_metrics(ranked: &[String], relevant: &[String], k: usize) -> (f64, f64, f64) {
    if relevant.is_empty() {
        return (1.0, 1.0, 1.0);
    }
    let top = &ranked[..ranked.len().min(k)];
    let hits = top.iter().filter(|t| relevant.contains(t)).count();
    // Capped at k: a query with more relevant testimonies than fit in the top k can still score 1.
    let recall = hits as f64 / relevant.len().min(k) as f64;
    let dcg: f64 =
        top.iter().enumerate().filter(|(_, t)| relevant.contains(t)).map(|(i, _)| 1.0 / ((i + 2) as f64).log2()).sum();
    let ideal: f64 = (0..relevant.len().min(k)).map(|i| 1.0 / ((i + 2) as f64).log2()).sum();
    let rr = top.iter().position(|t| relevant.contains(t)).map(|p| 1.0 / (p + 1) as f64).unwrap_or(0.0);
    (recall, dcg / ideal, rr)
}

/// Runs every judged query (grouped by testimony, top 10) and scores it.
pub fn score_queries(engine: &crate::search::SearchEngine, queries: &[JudgedQuery]) -> Vec<QueryOutcome> {
    use crate::search::{OneOrMany, SearchRequest};
    queries
        .iter()
        .map(|jq| {
            let request = SearchRequest {
                q: Some(jq.q.clone()),
                lang: jq.lang.clone(),
                location: OneOrMany::Many(jq.filters.location.clone()),
                violation: OneOrMany::Many(jq.filters.violation.clone()),
                sdg: OneOrMany::Many(jq.filters.sdg.clone()),
                year_from: jq.filters.year_from,
                year_to: jq.filters.year_to,
                group: Some("testimony".into()),
                per_page: Some(10),
                ..Default::default()
            };
            let (top, error) = match engine.search(request, crate::search::Viewer::Trusted) {
                Ok(r) => (r.hits.into_iter().map(|h| h.testimony_id).collect::<Vec<_>>(), None),
                Err(e) => (Vec::new(), Some(e.to_string())),
            };
            let (recall, ndcg, rr) = rank_metrics(&top, &jq.relevant, 10);
            QueryOutcome {
                id: jq.id.clone(),
                suite: jq.suite.clone(),
                q: jq.q.clone(),
                recall_at_10: recall,
                ndcg_at_10: ndcg,
                reciprocal_rank: rr,
                missed: jq.relevant.iter().filter(|r| !top.contains(r)).cloned().collect(),
                top,
                error,
            }
        })
        .collect()
}

/// Mean scores per suite, in suite order, and over all queries (suite "all").
pub fn summarize(outcomes: &[QueryOutcome]) -> Vec<SuiteScores> {
    let mut suites: Vec<String> = outcomes.iter().map(|o| o.suite.clone()).collect();
    suites.sort();
    suites.dedup();
    suites.push("all".into());
    suites
        .into_iter()
        .map(|suite| {
            let of: Vec<&QueryOutcome> = outcomes.iter().filter(|o| suite == "all" || o.suite == suite).collect();
            let n = of.len().max(1) as f64;
            SuiteScores {
                queries: of.len(),
                recall_at_10: of.iter().map(|o| o.recall_at_10).sum::<f64>() / n,
                ndcg_at_10: of.iter().map(|o| o.ndcg_at_10).sum::<f64>() / n,
                mrr: of.iter().map(|o| o.reciprocal_rank).sum::<f64>() / n,
                suite,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn metrics_of_a_ranking() {
        let (r, n, rr) = rank_metrics(&ids(&["a", "x", "b"]), &ids(&["a", "b"]), 10);
        assert_eq!(r, 1.0);
        assert!((rr - 1.0).abs() < 1e-9);
        let ideal = 1.0 + 1.0 / 3f64.log2();
        assert!((n - (1.0 + 1.0 / 4f64.log2()) / ideal).abs() < 1e-9);
        let (r, _, rr) = rank_metrics(&ids(&["x", "y"]), &ids(&["a"]), 10);
        assert_eq!((r, rr), (0.0, 0.0));
        // More relevant than fit: capped at k.
        let (r, _, _) = rank_metrics(&ids(&["a", "b"]), &ids(&["a", "b", "c"]), 2);
        assert_eq!(r, 1.0);
    }

    #[test]
    fn most_specific_drops_ancestors() {
        let m = most_specific(ids(&["kp", "kp/north-hamgyong", "kp/north-hamgyong/hoeryong", "cn"]));
        assert_eq!(m.into_iter().collect::<Vec<_>>(), ids(&["cn", "kp/north-hamgyong/hoeryong"]));
    }
}
