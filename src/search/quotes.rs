//! Sentence-level quotes for report writers: the sentences of the best passages that contain the
//! matched terms, each with its neighbours as context and a citation in three forms (plain text,
//! a Markdown footnote, CSL-JSON), near-identical quotes merged and at most a few per testimony, so
//! that one talkative witness cannot fill the page, and the witnesses' answers before the
//! interviewer's questions. Built on a search; knows nothing of HTTP.

use std::collections::HashMap;

use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

use super::{highlight, Hit, SearchEngine, SearchError, SearchRequest, Viewer};
use crate::ingest::Speaker;

/// Passages read to find quotes: the best ones of the search.
const POOL: i64 = 100;
pub const DEFAULT_PER_TESTIMONY: usize = 2;
pub const MAX_PER_TESTIMONY: usize = 20;
pub const DEFAULT_QUOTES: usize = 10;
pub const MAX_QUOTES: usize = 100;

/// One quote.
#[derive(Debug, Clone, Serialize)]
pub struct Quote {
    /// The sentence, as in the transcript.
    pub text: String,
    /// The sentence with the matched terms in `<mark>` (HTML-escaped).
    pub highlight: String,
    /// The sentences before and after it in the passage: context, not part of the quote.
    pub context_before: Option<String>,
    pub context_after: Option<String>,
    pub passage_id: String,
    pub testimony_id: String,
    pub paragraph: u32,
    /// 1-based sentence of the paragraph.
    pub sentence: usize,
    pub citation: Citation,
    /// Passages of other testimonies, or other places, saying the same (merged near-duplicates).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_in: Vec<String>,
    /// The testimony's access (for the audit log of restricted reads).
    #[serde(skip)]
    pub access: crate::ingest::Access,
}

/// A citation in the forms report writers paste.
#[derive(Debug, Clone, Serialize)]
pub struct Citation {
    /// "KR-2016-0031 ¶4, interview 2016-03-02".
    pub plain: String,
    /// "[^KR-2016-0031-4]: KR-2016-0031 ¶4, interview 2016-03-02."
    pub markdown: String,
    /// CSL-JSON (an interview with a paragraph locator), for reference managers.
    pub csl: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuotesResponse {
    pub total_passages: u64,
    pub took_ms: f64,
    pub per_testimony: usize,
    pub quotes: Vec<Quote>,
}

/// Sentence spans of a passage (byte ranges, trimmed): UAX #29 sentence boundaries, and breaks
/// after an ellipsis followed by a space and at line breaks, as transcripts use them.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (start, sentence) in text.split_sentence_bound_indices() {
        let mut from = start;
        let pieces = split_keep(sentence, &["… ", "...  ", "\n"]);
        for piece in pieces {
            let trimmed_start = piece.len() - piece.trim_start().len();
            let trimmed = piece.trim();
            if trimmed.chars().any(char::is_alphanumeric) {
                let a = from + trimmed_start;
                out.push((a, a + trimmed.len()));
            }
            from += piece.len();
        }
    }
    out
}

/// Splits after each separator, keeping it with the piece before.
fn split_keep<'a>(text: &'a str, separators: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some((at, sep)) =
        separators.iter().filter_map(|s| rest.find(s).map(|i| (i, s.len()))).min_by_key(|(i, _)| *i)
    {
        let end = at + sep;
        if end >= rest.len() {
            break;
        }
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out.push(rest);
    out
}

/// Letters and digits only, lower-cased: near-identical sentences meet here.
fn fingerprint(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

fn citation(hit: &Hit, title: Option<&str>, date: Option<&str>) -> Citation {
    let mut csl = serde_json::json!({
        "id": format!("{}-{}", hit.testimony_id, hit.paragraph),
        "type": "interview",
        "title": title.unwrap_or(&hit.testimony_id),
        "number": hit.testimony_id,
        "locator": hit.paragraph.to_string(),
        "label": "paragraph",
    });
    if let Some(parts) = date.map(|d| d.split('-').filter_map(|p| p.parse::<u32>().ok()).collect::<Vec<_>>()) {
        if !parts.is_empty() {
            csl["issued"] = serde_json::json!({ "date-parts": [parts] });
        }
    }
    Citation {
        plain: hit.citation.clone(),
        markdown: format!("[^{}-{}]: {}.", hit.testimony_id, hit.paragraph, hit.citation),
        csl,
    }
}

impl SearchEngine {
    /// Quotes for a search: the matching sentences of its best passages, at most
    /// `per_testimony` per testimony and `request.per_page` in all.
    pub fn quotes(
        &self,
        mut request: SearchRequest,
        per_testimony: Option<i64>,
        viewer: Viewer,
    ) -> Result<QuotesResponse, SearchError> {
        let started = std::time::Instant::now();
        let per_testimony = match per_testimony {
            None => DEFAULT_PER_TESTIMONY,
            Some(n) if (1..=MAX_PER_TESTIMONY as i64).contains(&n) => n as usize,
            Some(n) => {
                return Err(SearchError::InvalidParameter {
                    param: "per_testimony".into(),
                    message: format!("must be from 1 to {MAX_PER_TESTIMONY}, got {n}"),
                })
            }
        };
        let limit = match request.per_page {
            None => DEFAULT_QUOTES,
            Some(n) if (1..=MAX_QUOTES as i64).contains(&n) => n as usize,
            Some(n) => {
                return Err(SearchError::InvalidParameter {
                    param: "per_page".into(),
                    message: format!("must be from 1 to {MAX_QUOTES}, got {n}"),
                })
            }
        };
        if request.q.as_deref().is_none_or(|q| q.trim().is_empty()) {
            return Err(SearchError::InvalidParameter {
                param: "q".into(),
                message: "quotes need a query: the sentences quoted are those that match it".into(),
            });
        }
        request.group = Some("passage".into());
        request.page = None;
        request.per_page = Some(POOL);
        request.facets = Some("none".into());
        let found = self.search(request, viewer)?;

        let mut quotes: Vec<Quote> = Vec::new();
        let mut by_fingerprint: HashMap<String, usize> = HashMap::new();
        let mut per: HashMap<String, usize> = HashMap::new();
        let mut testimonies: HashMap<String, (Option<String>, Option<String>)> = HashMap::new();
        // Witnesses' words first: the interviewer's questions only when the answers run out.
        let ordered = found
            .hits
            .iter()
            .filter(|h| h.speaker != Some(Speaker::Question))
            .chain(found.hits.iter().filter(|h| h.speaker == Some(Speaker::Question)));
        for hit in ordered {
            if quotes.len() >= limit {
                break;
            }
            let spans = sentences(&hit.text);
            for (k, &(a, b)) in spans.iter().enumerate() {
                let ranges: Vec<(usize, usize)> = hit
                    .matched
                    .iter()
                    .filter(|&&(x, y)| x < b && y > a)
                    .map(|&(x, y)| (x.max(a) - a, y.min(b) - a))
                    .collect();
                if ranges.is_empty() {
                    continue;
                }
                let text = &hit.text[a..b];
                let key = fingerprint(text);
                if let Some(&i) = by_fingerprint.get(&key) {
                    if quotes[i].passage_id != hit.passage_id && !quotes[i].also_in.contains(&hit.passage_id) {
                        quotes[i].also_in.push(hit.passage_id.clone());
                    }
                    continue;
                }
                let taken = per.entry(hit.testimony_id.clone()).or_default();
                if *taken >= per_testimony || quotes.len() >= limit {
                    break;
                }
                *taken += 1;
                if !testimonies.contains_key(&hit.testimony_id) {
                    let t = self.index.testimony(&hit.testimony_id)?;
                    let info = t.map(|t| (t.title, t.interview_date)).unwrap_or_default();
                    testimonies.insert(hit.testimony_id.clone(), info);
                }
                let (title, date) = &testimonies[&hit.testimony_id];
                let context = |i: Option<usize>| i.and_then(|i| spans.get(i)).map(|&(x, y)| hit.text[x..y].to_string());
                by_fingerprint.insert(key, quotes.len());
                quotes.push(Quote {
                    text: text.to_string(),
                    highlight: highlight::highlight(text, &ranges),
                    context_before: context(k.checked_sub(1)),
                    context_after: context(Some(k + 1)),
                    passage_id: hit.passage_id.clone(),
                    testimony_id: hit.testimony_id.clone(),
                    paragraph: hit.paragraph,
                    sentence: k + 1,
                    citation: citation(hit, title.as_deref(), date.as_deref()),
                    also_in: Vec::new(),
                    access: hit.access,
                });
            }
        }
        Ok(QuotesResponse {
            total_passages: found.total,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            per_testimony,
            quotes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        sentences(text).into_iter().map(|(a, b)| &text[a..b]).collect()
    }

    #[test]
    fn korean_and_english_sentences_split() {
        assert_eq!(
            texts("저는 2008년에 잡혔습니다. 보위부로 끌려갔어요. 그게 다예요?"),
            ["저는 2008년에 잡혔습니다.", "보위부로 끌려갔어요.", "그게 다예요?"]
        );
        assert_eq!(
            texts("We crossed at night. Then… they caught us."),
            ["We crossed at night.", "Then…", "they caught us."]
        );
        assert_eq!(texts("첫 줄\n둘째 줄"), ["첫 줄", "둘째 줄"]);
    }

    #[test]
    fn spans_are_on_char_boundaries_and_inside_the_text() {
        for text in ["", "   ", "…", "a… b", "다. 요. 까?", "Q: 네.\n\n답: 아니요…  그래요"] {
            for (a, b) in sentences(text) {
                assert!(a < b && b <= text.len() && text.is_char_boundary(a) && text.is_char_boundary(b), "{text:?}");
            }
        }
    }

    #[test]
    fn near_identical_sentences_share_a_fingerprint() {
        assert_eq!(fingerprint("They shot him, in public!"), fingerprint("they shot him in public"));
        assert_ne!(fingerprint("공개처형을 봤어요"), fingerprint("공개처형을 못 봤어요"));
    }
}
