//! What must hold for any input, however hostile, to the code that reads outside text: the
//! analyzers, the query parser and search requests, record validation and JSON Lines, front
//! matter. Shared by the property tests (tests/properties.rs) and the fuzz targets (fuzz/), which
//! include this file by path, so both check the same things. Each check panics on a violation.
#![allow(dead_code)]

use std::sync::{Arc, OnceLock};

use serde_json::Value;
use testimony_search::analysis::{self, korean, normalize, tokenizers, Lang};
use testimony_search::index::{build_schema, Fields, TestimonyIndex};
use testimony_search::ingest::{self, passage, record, source, Access, RawRecord};
use testimony_search::search::{highlight, query, quotes, SearchEngine, SearchRequest, Viewer};
use testimony_search::taxonomy::{SchemaSource, Taxonomy};

pub fn taxonomy() -> &'static Taxonomy {
    static T: OnceLock<Taxonomy> = OnceLock::new();
    T.get_or_init(|| Taxonomy::embedded().expect("the embedded taxonomy loads"))
}

pub fn names() -> &'static testimony_search::analysis::NameTerms {
    static N: OnceLock<testimony_search::analysis::NameTerms> = OnceLock::new();
    N.get_or_init(|| testimony_search::analysis::NameTerms::from_names(taxonomy().all_names()))
}

pub fn fields() -> &'static Fields {
    static F: OnceLock<Fields> = OnceLock::new();
    F.get_or_init(|| {
        let schema = build_schema(&SchemaSource::Embedded).expect("the embedded schema builds");
        Fields::from_schema(&schema).expect("the schema has every field")
    })
}

/// A search engine over an in-memory index of the bundled sample corpus, built once.
pub fn sample_engine() -> &'static SearchEngine {
    static E: OnceLock<SearchEngine> = OnceLock::new();
    E.get_or_init(|| {
        let taxonomy = Arc::new(Taxonomy::embedded().expect("the embedded taxonomy loads"));
        let index = Arc::new(TestimonyIndex::in_memory(&SchemaSource::Embedded).expect("an index in memory"));
        let sample = testimony_search::config::default_sample_dir();
        let batch = ingest::collect(&[sample], &taxonomy, &mut |_| {});
        index.write_batch(batch, Access::Public, 64 << 20).expect("the sample corpus is written");
        SearchEngine::new(index, taxonomy)
    })
}

fn span_ok(text: &str, from: usize, to: usize) -> bool {
    from <= to && to <= text.len() && text.is_char_boundary(from) && text.is_char_boundary(to)
}

/// Tokenizers, segmentation, normalisation and the other text splitters.
pub fn analyzers(text: &str) {
    for name in [tokenizers::KO_STEM, tokenizers::KO_BIGRAM, tokenizers::EN_STEM] {
        let mut a = analysis::analyzer(name).expect("registered");
        let mut last_position = None;
        for t in analysis::analyze(&mut a, text) {
            assert!(!t.text.is_empty(), "{name}: empty token in {text:?}");
            assert!(t.from < t.to && span_ok(text, t.from, t.to), "{name}: token {t:?} outside {text:?}");
            assert!(last_position.is_none_or(|p| t.position > p), "{name}: positions must grow in {text:?}");
            last_position = Some(t.position);
        }
    }
    let mut keyword = analysis::analyzer(tokenizers::KEYWORD).expect("registered");
    for t in analysis::analyze(&mut keyword, text) {
        assert!(span_ok(text, t.from, t.to), "keyword: token {t:?} outside {text:?}");
    }

    let mut previous_end = 0;
    for seg in tokenizers::segments(text) {
        let end = seg.start + seg.text.len();
        assert!(span_ok(text, seg.start, end) && &text[seg.start..end] == seg.text, "segment {seg:?} of {text:?}");
        assert!(seg.start >= previous_end, "segments overlap in {text:?}");
        previous_end = end;
        let word = korean::analyze_word(seg.text);
        assert!(word.stem.chars().count() <= seg.text.chars().count(), "stem longer than {:?}", seg.text);
        let _ = korean::bigrams(&word.stem);
    }

    let concept = analysis::concept_tokens(text);
    assert!(concept.windows(2).all(|w| w[0].from <= w[1].from), "concept tokens out of order in {text:?}");
    for t in &concept {
        assert!(!t.text.is_empty() && span_ok(text, t.from, t.to), "concept token {t:?} of {text:?}");
    }
    assert_eq!(analysis::concept_key(text), concept.iter().map(|t| t.text.as_str()).collect::<String>());

    let normal = normalize::normalize_text(text);
    assert_eq!(normalize::normalize_text(&normal), normal, "normalisation is not idempotent on {text:?}");
    // Folding is applied to normalised text (a full-width ＇ only becomes an apostrophe in NFKC).
    let folded = normalize::fold_word(&normal);
    assert!(!folded.chars().any(|c| c.is_ascii_uppercase() || normalize::is_apostrophe(c)), "fold of {normal:?}");
    assert!(!normalize::label_key(text).chars().any(char::is_whitespace), "label key of {text:?} has spaces");
    let _ = analysis::detect(text, None);

    let paragraphs = passage::split_paragraphs(text);
    for (i, p) in paragraphs.iter().enumerate() {
        assert_eq!(p.n as usize, i + 1, "paragraphs numbered densely in {text:?}");
        assert!(!p.text.trim().is_empty(), "empty paragraph in {text:?}");
    }

    let sentences = quotes::sentences(text);
    let mut previous_end = 0;
    for &(from, to) in &sentences {
        assert!(from < to && from >= previous_end && span_ok(text, from, to), "sentence {from}..{to} of {text:?}");
        previous_end = to;
    }
    marked_html_is_safe(&highlight::highlight(text, &sentences), text);
}

/// Highlighted HTML: marks balanced, every other '<' escaped.
fn marked_html_is_safe(html: &str, source: &str) {
    assert_eq!(html.matches("<mark>").count(), html.matches("</mark>").count(), "unbalanced marks for {source:?}");
    let bare = html.replace("<mark>", "").replace("</mark>", "");
    assert!(!bare.contains('<') && !bare.contains('>'), "unescaped markup in {html:?} from {source:?}");
}

/// The query parser, on the text as typed.
pub fn query_text(text: &str, lang: Option<Lang>) {
    let compounds = testimony_search::search::compounds::CompoundTable::from_frequencies(
        [("수용소", 9), ("정치범수용소", 3), ("정치범", 4), ("회령", 5), ("보위부", 2)]
            .map(|(w, n)| (w.to_string(), n)),
    );
    let Some(plan) = query::plan(text, lang, fields(), taxonomy(), &compounds, names()) else {
        return;
    };
    for (field, terms) in &plan.terms {
        assert!(terms.iter().all(|t| !t.is_empty()), "empty highlight term for {field:?} from {text:?}");
    }
    for e in &plan.expansions {
        assert!(!e.id.is_empty() && !e.matched.is_empty(), "expansion {e:?} of {text:?}");
    }
}

/// A search request from JSON (the body of POST /api/search), validated and run on the sample
/// index: only the caller's mistakes may fail it, and the answer is within what was asked.
pub fn search_request(json: &[u8]) {
    let Ok(request) = serde_json::from_slice::<SearchRequest>(json) else {
        return;
    };
    search(request);
}

pub fn search(request: SearchRequest) {
    let shown = format!("{request:?}");
    let engine = sample_engine();
    if let Ok(valid) = request.clone().validate(engine.taxonomy()) {
        assert!(valid.text.chars().count() <= testimony_search::search::request::MAX_QUERY_CHARS);
        assert!(valid.page >= 1 && valid.per_page <= testimony_search::search::request::MAX_PER_PAGE);
    }
    for viewer in [Viewer::Trusted, Viewer::Public { min_count: 3 }] {
        match engine.search(request.clone(), viewer) {
            Err(e) => assert_ne!(e.code(), "internal", "{shown}: {e}"),
            Ok(r) => {
                assert!(r.hits.len() <= r.per_page, "{shown}: more hits than per_page");
                assert!(r.testimonies <= r.total, "{shown}: more testimonies than matches");
                for h in &r.hits {
                    assert!(h.matched.iter().all(|&(a, b)| a < b && span_ok(&h.text, a, b)), "{shown}: matched ranges");
                    marked_html_is_safe(&h.highlight, &h.text);
                    assert!(viewer.may_read(h.access), "{shown}: a restricted hit for the public");
                }
            }
        }
    }
    if let Err(e) = engine.quotes(request, None, Viewer::Trusted) {
        assert_ne!(e.code(), "internal", "{shown}: quotes: {e}");
    }
}

/// One parsed record through validation and preparation.
pub fn record_value(value: Value) {
    let shown = value.to_string();
    match record::validate(value) {
        Err(invalid) => {
            assert!(!invalid.reason.is_empty(), "a rejection without a reason: {shown}");
            assert!(invalid.id.as_deref().is_none_or(|id| !id.is_empty()), "empty id in a rejection: {shown}");
        }
        Ok(v) => {
            let t = &v.testimony;
            record::check_id(&t.id).unwrap_or_else(|e| panic!("accepted an id that check_id refuses ({e}): {shown}"));
            assert!(!t.transcript.trim().is_empty() && t.transcript.len() <= record::MAX_TRANSCRIPT_BYTES);
            if let Some(d) = &t.interview_date {
                record::check_date(d).unwrap_or_else(|e| panic!("accepted a bad date ({e}): {shown}"));
            }
            for e in &t.events {
                for y in [e.year, e.year_to].into_iter().flatten() {
                    assert!(record::EVENT_YEARS.contains(&y), "year {y} accepted: {shown}");
                }
                if let (Some(a), Some(b)) = (e.year, e.year_to) {
                    assert!(a <= b && b - a <= record::MAX_EVENT_SPAN, "span {a}-{b} accepted: {shown}");
                }
            }
            let prepared = ingest::prepare(v.testimony, taxonomy());
            assert!(!prepared.passages.is_empty(), "an accepted record without passages: {shown}");
            for (i, p) in prepared.passages.iter().enumerate() {
                assert_eq!(p.n as usize, i + 1, "passages numbered densely: {shown}");
                assert!(!p.text.trim().is_empty(), "empty passage: {shown}");
            }
            let n = prepared.passages.len() as u32;
            let facets = &prepared.facets;
            for v in facets.location.iter().chain(&facets.violation).chain(&facets.year).chain(&facets.sdg) {
                assert!(v.passages.iter().all(|&p| (1..=n).contains(&p)), "facet {v:?} names a passage beyond {n}");
            }
        }
    }
}

/// Records as `RawRecord`s (from JSON Lines or a document) through validation.
fn raw_records(records: Vec<RawRecord>, lines: usize) {
    let mut last_line = 0;
    for r in records {
        assert!(r.origin.line > last_line && r.origin.line <= lines.max(1), "line numbers {r:?}");
        last_line = r.origin.line;
        match r.value {
            Ok(v) => record_value(v),
            Err(reason) => assert!(!reason.is_empty()),
        }
    }
}

/// JSON Lines bytes, as a file or an HTTP body gives them.
pub fn json_lines(bytes: &[u8]) {
    let records = source::read_jsonl(bytes, "fuzz.jsonl").expect("reading from memory cannot fail");
    let lines = bytes.split(|&b| b == b'\n').count();
    raw_records(records, lines);
}

/// A Markdown document with YAML front matter.
pub fn front_matter(text: &str) {
    match source::parse_document(text) {
        Err(reason) => assert!(!reason.is_empty()),
        Ok(value) => {
            assert!(value.get("transcript").is_some(), "a parsed document without a transcript: {text:?}");
            record_value(value);
        }
    }
}
