//! Corroboration for report writers: passages of *other* testimonies that speak of the same place,
//! period and violation as a given passage or a quoted text, ranked by that overlap and then by
//! text similarity, each with why it was found (shared place, years, violation, terms) and how
//! independent its witness is (another testimony, interview year, origin province).
//!
//! It works across languages because what it compares is language-free: gazetteer place ids,
//! taxonomy codes, years, and glossary concepts; the analysed words only add to that. Built on
//! the index; knows nothing of HTTP.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Bound;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, TantivyDocument, Term};

use super::{highlight, Filters, OneOrMany, SearchEngine, SearchError, SearchRequest, Viewer};
use crate::analysis::{concept_tokens, normalize::is_hangul_syllable, Lang};
use crate::index::{StoredPassage, StoredTestimony, KIND_PASSAGE};
use crate::ingest::{Event, FacetValue, Provenance, Speaker};
use crate::taxonomy::{Extraction, FacetKind, Taxonomy};

pub const DEFAULT_YEAR_WINDOW: u16 = 1;
pub const MAX_YEAR_WINDOW: u16 = 10;
pub const DEFAULT_PER_PAGE: usize = 10;
pub const MAX_PER_PAGE: usize = 50;
pub const DEFAULT_PER_TESTIMONY: usize = 1;
pub const MAX_PER_TESTIMONY: usize = 5;
/// Longest quoted text accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 5_000;
/// Passages read and scored exactly: the best of a cheaper first pass over the index.
const CANDIDATES: usize = 400;
/// Words of the source used in the first pass (the rarest ones).
const QUERY_TERMS: usize = 16;
/// Years a profile may span (a filter of 1900..2100 is not an event's period).
const MAX_PROFILE_YEARS: usize = 30;

/// Weights of the overlap: what happened counts most, then where, then when (a shared year
/// alone says little).
const PLACE_WEIGHT: f32 = 1.0;
const VIOLATION_WEIGHT: f32 = 1.2;
const YEAR_WEIGHT: f32 = 0.8;
/// A value the testimony was coded with but the passage itself does not mention.
const TESTIMONY_LEVEL: f32 = 0.7;
/// A value found in another passage of the candidate's testimony.
const TESTIMONY_TEXT: f32 = 0.5;
/// Text similarity (0..1) is added with this weight: it orders witnesses of equal overlap and
/// can lift a close paraphrase past a small difference in overlap, never past a whole dimension.
const SIMILARITY_WEIGHT: f32 = 0.5;
/// Below this similarity a candidate with no shared place or violation is not evidence.
const MIN_SIMILARITY_ALONE: f32 = 0.2;
/// Words in more than about a fifth of all passages say nothing of an event ("from", "제가").
const MIN_WORD_IDF: f32 = 1.5;
/// Shared terms listed in a hit's `why`.
const SHOWN_TERMS: usize = 8;

/// The parameters of a corroboration: the optional quoted text (POST) and filters.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CorroborateRequest {
    /// A quoted text to corroborate (POST /api/corroborate).
    #[serde(default)]
    pub text: Option<String>,
    /// The testimony the quote comes from, if any: never returned.
    #[serde(default)]
    pub testimony_id: Option<String>,
    #[serde(default)]
    pub location: OneOrMany,
    #[serde(default)]
    pub violation: OneOrMany,
    #[serde(default)]
    pub sdg: OneOrMany,
    #[serde(default)]
    pub year_from: Option<i64>,
    #[serde(default)]
    pub year_to: Option<i64>,
    /// Years either side that still count as the same period (default 1).
    #[serde(default)]
    pub year_window: Option<i64>,
    #[serde(default)]
    pub per_page: Option<i64>,
    /// Passages per corroborating testimony (default 1: one entry per witness).
    #[serde(default)]
    pub per_testimony: Option<i64>,
}

/// A validated corroboration request.
#[derive(Debug, Clone)]
struct Valid {
    viewer: Viewer,
    filters: Filters,
    year_window: u16,
    per_page: usize,
    per_testimony: usize,
}

fn invalid(param: &str, message: String) -> SearchError {
    SearchError::InvalidParameter { param: param.to_string(), message }
}

fn bounded(
    param: &str,
    value: Option<i64>,
    default: usize,
    range: std::ops::RangeInclusive<i64>,
) -> Result<usize, SearchError> {
    match value {
        None => Ok(default),
        Some(v) if range.contains(&v) => Ok(v as usize),
        Some(v) => Err(invalid(param, format!("must be from {} to {}, got {v}", range.start(), range.end()))),
    }
}

impl CorroborateRequest {
    fn validate(&self, taxonomy: &Taxonomy, viewer: Viewer) -> Result<Valid, SearchError> {
        // The filters mean what they mean on /api/search, and are checked the same way.
        let filters = SearchRequest {
            location: self.location.clone(),
            violation: self.violation.clone(),
            sdg: self.sdg.clone(),
            year_from: self.year_from,
            year_to: self.year_to,
            ..Default::default()
        }
        .validate(taxonomy)?
        .filters;
        Ok(Valid {
            viewer,
            filters,
            year_window: bounded(
                "year_window",
                self.year_window,
                DEFAULT_YEAR_WINDOW as usize,
                0..=MAX_YEAR_WINDOW as i64,
            )? as u16,
            per_page: bounded("per_page", self.per_page, DEFAULT_PER_PAGE, 1..=MAX_PER_PAGE as i64)?,
            per_testimony: bounded(
                "per_testimony",
                self.per_testimony,
                DEFAULT_PER_TESTIMONY,
                1..=MAX_PER_TESTIMONY as i64,
            )?,
        })
    }
}

/// A place, violation type or glossary concept with its labels.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Labelled {
    pub id: String,
    pub label_en: String,
    pub label_ko: String,
}

/// What is being corroborated, as understood.
#[derive(Debug, Clone, Serialize)]
pub struct SourceProfile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passage_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub testimony_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
    /// Most specific places, violation types and the years of the event.
    pub places: Vec<Labelled>,
    pub violations: Vec<Labelled>,
    pub years: Vec<u16>,
    /// Where the profile's places, violations and years came from: "text" (named in the passage
    /// or quote), "events" (the testimony's coded events), "context" (the passages around it),
    /// "testimony" (the rest of its testimony) or "filters".
    pub from: Vec<&'static str>,
}

/// How a shared place or violation relates to the source's.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    Same,
    /// The candidate names a broader place or type (an ancestor of the source's).
    Broader,
    /// The candidate names a narrower one (a descendant).
    Narrower,
}

/// Where a candidate's value was found.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Named in the passage itself.
    Passage,
    /// Coded on the testimony, not named in this passage.
    Testimony,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Shared {
    #[serde(flatten)]
    pub value: Labelled,
    pub relation: Relation,
    pub level: Level,
}

/// Why a passage corroborates.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Why {
    pub places: Vec<Shared>,
    pub violations: Vec<Shared>,
    /// The candidate's years within the window of the source's.
    pub years: Vec<u16>,
    /// Words and glossary concepts both texts use (concepts by their English label).
    pub terms: Vec<String>,
}

/// How independent the corroborating witness is of the source.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Independence {
    /// Always true: a testimony never corroborates itself.
    pub different_testimony: bool,
    pub interview_year: Option<u16>,
    /// Unknown (null) when either interview date is unknown.
    pub same_interview_year: Option<bool>,
    pub origin_province: Option<String>,
    pub same_origin_province: Option<bool>,
    /// Told in the other language.
    pub other_language: Option<bool>,
}

/// One corroborating passage.
#[derive(Debug, Clone, Serialize)]
pub struct Corroboration {
    pub passage_id: String,
    pub testimony_id: String,
    pub paragraph: u32,
    pub language: Option<Lang>,
    pub speaker: Option<Speaker>,
    pub text: String,
    /// The passage with shared places, violation words and terms in <mark> (HTML-escaped).
    pub highlight: String,
    pub citation: String,
    /// overlap + similarity × 0.5: the rank order.
    pub score: f32,
    /// Shared place (≤ 1), violation type (≤ 1.2) and years (≤ 0.8).
    pub overlap: f32,
    /// Share of the source's weighted words and concepts the passage also uses (0..1).
    pub similarity: f32,
    pub why: Why,
    pub independence: Independence,
    /// The testimony's access (for the audit log of restricted reads).
    #[serde(skip)]
    pub access: crate::ingest::Access,
}

#[derive(Debug, Clone, Serialize)]
pub struct CorroborateResponse {
    pub source: SourceProfile,
    pub year_window: u16,
    /// Corroborating testimonies found.
    pub testimonies: usize,
    pub took_ms: f64,
    pub hits: Vec<Corroboration>,
}

/// The source as compared: most specific ids, years, and weighted words and concepts.
#[derive(Debug, Default)]
struct Profile {
    places: Vec<String>,
    violations: Vec<String>,
    years: BTreeSet<u16>,
    /// Analysed word → weight (inverse document frequency).
    words: HashMap<String, f32>,
    /// Glossary concept → weight.
    concepts: HashMap<u32, f32>,
    from: Vec<&'static str>,
}

/// Drops values that are ancestors of other values in the list: only the most specific remain.
fn most_specific(mut values: Vec<String>) -> Vec<String> {
    values.sort();
    values.dedup();
    let keep: Vec<bool> = values
        .iter()
        .map(|v| {
            !values.iter().any(|o| o.len() > v.len() && o.starts_with(v.as_str()) && o.as_bytes()[v.len()] == b'/')
        })
        .collect();
    values.into_iter().zip(keep).filter_map(|(v, k)| k.then_some(v)).collect()
}

fn depth(path: &str) -> usize {
    path.split('/').count()
}

/// How close two hierarchical values are: 1 for the same, ½ per level between an ancestor and a
/// descendant when their common node is at least `min_common_depth` deep (every place shares the
/// country), 0 otherwise.
fn closeness(source: &str, candidate: &str, min_common_depth: usize) -> Option<(f32, Relation)> {
    if source == candidate {
        return (depth(source) >= min_common_depth).then_some((1.0, Relation::Same));
    }
    let within = |inner: &str, outer: &str| {
        inner.len() > outer.len() && inner.starts_with(outer) && inner.as_bytes()[outer.len()] == b'/'
    };
    let (relation, common, other) = if within(source, candidate) {
        (Relation::Broader, candidate, source)
    } else if within(candidate, source) {
        (Relation::Narrower, source, candidate)
    } else {
        return None;
    };
    let common_depth = depth(common);
    (common_depth >= min_common_depth).then(|| (0.5f32.powi((depth(other) - common_depth) as i32), relation))
}

/// Places are related below the country level; violation types below nothing (a category is
/// already a kind of violation).
const PLACE_MIN_DEPTH: usize = 2;
const VIOLATION_MIN_DEPTH: usize = 1;

/// A candidate's values of one dimension with their weight: named in the passage (1), coded on
/// its testimony (0.7), or found elsewhere in its testimony's text (0.5) -- an uncoded testimony
/// often names the place and year a paragraph before it tells what happened there.
fn weighted<'a>(passage: &'a [FacetValue], testimony: Option<&'a [FacetValue]>) -> Vec<(&'a str, f32, Level)> {
    let mut out: Vec<(&str, f32, Level)> = passage
        .iter()
        .map(|v| {
            if is_own(v) {
                (v.value.as_str(), 1.0, Level::Passage)
            } else {
                (v.value.as_str(), TESTIMONY_LEVEL, Level::Testimony)
            }
        })
        .collect();
    for v in testimony.unwrap_or_default() {
        if !passage.iter().any(|o| o.value == v.value) {
            let w = if v.provenance == Provenance::Coded { TESTIMONY_LEVEL } else { TESTIMONY_TEXT };
            out.push((v.value.as_str(), w, Level::Testimony));
        }
    }
    out
}

/// Whether a passage's value is named in the passage itself (rather than only coded on its testimony).
fn is_own(v: &FacetValue) -> bool {
    v.provenance == Provenance::Extracted || !v.passages.is_empty()
}

/// A coded event resolved through the taxonomy.
struct ResolvedEvent {
    places: Vec<String>,
    violations: Vec<String>,
    years: Vec<u16>,
}

fn resolve_events(events: &[Event], taxonomy: &Taxonomy) -> Vec<ResolvedEvent> {
    events
        .iter()
        .map(|e| ResolvedEvent {
            places: e
                .location
                .as_deref()
                .and_then(|l| taxonomy.resolve_place(l).id().map(str::to_string))
                .into_iter()
                .collect(),
            violations: e.violation.as_deref().map(|v| taxonomy.resolve_violations(v)).unwrap_or_default(),
            years: match (e.year, e.year_to) {
                (Some(a), Some(b)) if b >= a => (a..=b).take(MAX_PROFILE_YEARS).collect(),
                (Some(a), _) => vec![a],
                _ => Vec::new(),
            },
        })
        .collect()
}

impl Profile {
    fn is_related(&self, e: &ResolvedEvent, window: u16) -> bool {
        let near =
            |a: &[String], b: &[String], min: usize| a.iter().any(|x| b.iter().any(|y| closeness(x, y, min).is_some()));
        near(&self.places, &e.places, PLACE_MIN_DEPTH)
            || near(&self.violations, &e.violations, VIOLATION_MIN_DEPTH)
            || e.years.iter().any(|y| self.years.iter().any(|s| s.abs_diff(*y) <= window))
    }

    /// Adds the testimony's coded events that the text is about: those that share a place,
    /// type or period with what it names (a passage that says "that autumn in 2008" is about the
    /// execution coded for 2008), or all of them when it names none.
    fn add_events(&mut self, events: &[ResolvedEvent], window: u16) {
        let said_nothing = self.places.is_empty() && self.violations.is_empty() && self.years.is_empty();
        let chosen: Vec<&ResolvedEvent> =
            events.iter().filter(|e| said_nothing || self.is_related(e, window)).collect();
        if chosen.is_empty() {
            return;
        }
        let places = self.places.drain(..).chain(chosen.iter().flat_map(|e| e.places.iter().cloned()));
        self.places = most_specific(places.collect());
        let violations = self.violations.drain(..).chain(chosen.iter().flat_map(|e| e.violations.iter().cloned()));
        self.violations = most_specific(violations.collect());
        self.years.extend(chosen.iter().flat_map(|e| e.years.iter().copied()));
        self.from.push("events");
    }

    /// Fills the dimensions still empty (places below country level). A river or a mountain
    /// range is not where something happened: a profile with only those takes other places too.
    fn fill(
        &mut self,
        places: impl IntoIterator<Item = String>,
        violations: impl IntoIterator<Item = String>,
        years: impl IntoIterator<Item = u16>,
        from: &'static str,
        is_region: impl Fn(&str) -> bool,
    ) {
        let mut used = false;
        if self.places.iter().all(|p| is_region(p)) {
            let before = self.places.len();
            let places = places.into_iter().filter(|id| depth(id) >= PLACE_MIN_DEPTH);
            self.places = most_specific(self.places.drain(..).chain(places).collect());
            used |= self.places.len() > before;
        }
        if self.violations.is_empty() {
            self.violations = most_specific(violations.into_iter().collect());
            used |= !self.violations.is_empty();
        }
        if self.years.is_empty() {
            self.years = years.into_iter().take(MAX_PROFILE_YEARS).collect();
            used |= !self.years.is_empty();
        }
        if used {
            self.from.push(from);
        }
    }

    fn fill_from_text(&mut self, found: Extraction, from: &'static str, is_region: impl Fn(&str) -> bool) {
        let ids = |m: Vec<crate::taxonomy::Mention>| m.into_iter().map(|m| m.id);
        self.fill(ids(found.places), ids(found.violations), found.years, from, is_region);
    }
}

/// The analysed words of a text that similarity compares, with the field their frequency is read from.
fn words(text: &str) -> Vec<(String, usize, usize)> {
    concept_tokens(text)
        .into_iter()
        .filter(|t| t.text.chars().count() >= 2 && !t.text.chars().all(|c| c.is_ascii_digit()))
        .map(|t| (t.text, t.from, t.to))
        .collect()
}

fn text_field(word: &str, body_ko: Field, body_en: Field) -> Field {
    if word.chars().next().is_some_and(is_hangul_syllable) {
        body_ko
    } else {
        body_en
    }
}

/// Inverse document frequency of a word over passages.
fn idf(searcher: &Searcher, field: Field, word: &str, passages: f32) -> f32 {
    let df = searcher.doc_freq(&Term::from_field_text(field, word)).unwrap_or(0) as f32;
    (1.0 + (passages - df + 0.5) / (df + 0.5)).ln()
}

fn term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
}

fn any_of(field: Field, values: &[String]) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(values.iter().map(|v| (Occur::Should, term(field, v))).collect()))
}

fn constant(q: Box<dyn Query>, score: f32) -> (Occur, Box<dyn Query>) {
    (Occur::Should, Box::new(ConstScoreQuery::new(q, score)))
}

impl SearchEngine {
    /// Passages of other testimonies that corroborate one passage (`{testimony_id}#{n}`).
    pub fn corroborate_passage(
        &self,
        passage_id: &str,
        request: CorroborateRequest,
        viewer: Viewer,
    ) -> Result<CorroborateResponse, SearchError> {
        if request.text.is_some() || request.testimony_id.is_some() {
            return Err(invalid(
                "text",
                "a passage is corroborated by its id; text and testimony_id are for POST /api/corroborate".into(),
            ));
        }
        let valid = request.validate(&self.taxonomy, viewer)?;
        let not_found = || SearchError::NotFound { what: "passage", id: passage_id.to_string() };
        let passage = self.index.passage(passage_id)?.filter(|p| viewer.may_read(p.access)).ok_or_else(not_found)?;
        let testimony = self.index.testimony(&passage.testimony_id)?;
        let events = testimony.as_ref().map(|t| resolve_events(&t.events, &self.taxonomy)).unwrap_or_default();
        let mut context = String::new();
        for n in [passage.paragraph.saturating_sub(1), passage.paragraph + 1].into_iter().filter(|&n| n > 0) {
            if let Some(p) = self.index.passage(&crate::index::passage_id(&passage.testimony_id, n))? {
                context.push_str(&p.text);
                context.push('\n');
            }
        }
        let source = Source {
            passage_id: Some(passage.passage_id.clone()),
            testimony_id: Some(passage.testimony_id.clone()),
            citation: Some(passage.citation.clone()),
            text: passage.text.clone(),
            context,
            language: passage.language,
            testimony,
        };
        self.corroborate(source, &events, valid)
    }

    /// Passages that corroborate a quoted text (of `testimony_id`, when given: never returned).
    pub fn corroborate_text(
        &self,
        request: CorroborateRequest,
        viewer: Viewer,
    ) -> Result<CorroborateResponse, SearchError> {
        let valid = request.validate(&self.taxonomy, viewer)?;
        let text = request.text.clone().unwrap_or_default();
        let count = text.chars().count();
        if text.trim().is_empty() && valid.filters == Filters::default() {
            return Err(invalid(
                "text",
                "give the text to corroborate, or at least a filter (location, violation, year)".into(),
            ));
        }
        if count > MAX_TEXT_CHARS {
            return Err(invalid("text", format!("at most {MAX_TEXT_CHARS} characters, got {count}")));
        }
        let testimony = match request.testimony_id.as_deref() {
            Some(id) => Some(
                self.index
                    .testimony(id)?
                    .filter(|t| viewer.may_read(t.access))
                    .ok_or_else(|| SearchError::NotFound { what: "testimony", id: id.to_string() })?,
            ),
            None => None,
        };
        let events = testimony.as_ref().map(|t| resolve_events(&t.events, &self.taxonomy)).unwrap_or_default();
        let language = crate::analysis::detect(&text, None).lang;
        let source = Source {
            passage_id: None,
            testimony_id: request.testimony_id.clone(),
            citation: None,
            text,
            context: String::new(),
            language,
            testimony,
        };
        self.corroborate(source, &events, valid)
    }

    fn profile(&self, source: &Source, events: &[ResolvedEvent], valid: &Valid, searcher: &Searcher) -> Profile {
        let is_region = |id: &str| self.taxonomy.place(id).is_some_and(|p| p.kind == "region");
        let mut p = Profile::default();
        p.fill_from_text(self.taxonomy.extract(&source.text), "text", is_region);
        p.add_events(events, valid.year_window);
        if !source.context.is_empty() {
            p.fill_from_text(self.taxonomy.extract(&source.context), "context", is_region);
        }
        // What the rest of the testimony names, for a witness whose interview was never coded.
        if let Some(t) = &source.testimony {
            let values = |kind| t.facets.get(kind).iter().map(|v: &FacetValue| v.value.clone()).collect::<Vec<_>>();
            let years = values(FacetKind::Year).into_iter().filter_map(|y| y.parse().ok()).collect::<Vec<u16>>();
            p.fill(values(FacetKind::Location), values(FacetKind::Violation), years, "testimony", is_region);
        }
        let f = &valid.filters;
        let years: Vec<u16> = f.years.map(|(a, b)| (a..=b).collect()).unwrap_or_default();
        let years = if years.len() <= MAX_PROFILE_YEARS { years } else { Vec::new() };
        p.fill(f.location.clone(), f.violation.clone(), years, "filters", |_| false);
        let fields = self.index.fields();
        let passages = searcher.num_docs() as f32;
        for (word, _, _) in words(&source.text) {
            if let std::collections::hash_map::Entry::Vacant(e) = p.words.entry(word) {
                let w = idf(searcher, text_field(e.key(), fields.body_ko, fields.body_en), e.key(), passages);
                e.insert(w);
            }
        }
        p.words.retain(|_, w| *w >= MIN_WORD_IDF);
        // A concept weighs as much as a typical word of the source.
        let typical = if p.words.is_empty() { 1.0 } else { p.words.values().sum::<f32>() / p.words.len() as f32 };
        for (_, _, c) in self.taxonomy.glossary_mentions(&source.text) {
            p.concepts.insert(c, typical);
        }
        p
    }

    /// The first pass: passages that share anything with the profile, roughly ranked.
    fn candidate_query(&self, p: &Profile, source: &Source, valid: &Valid) -> Box<dyn Query> {
        let f = self.index.fields();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, term(f.kind, KIND_PASSAGE))];
        if let Some(id) = &source.testimony_id {
            clauses.push((Occur::MustNot, term(f.testimony_id, id)));
        }
        if valid.viewer.is_public() {
            clauses.push((Occur::Must, term(f.access, crate::ingest::Access::Public.code())));
        }
        let filters = &valid.filters;
        for (field, values) in
            [(f.location, &filters.location), (f.violation, &filters.violation), (f.sdg, &filters.sdg)]
        {
            if !values.is_empty() {
                clauses.push((Occur::Must, any_of(field, values)));
            }
        }
        if let Some((a, b)) = filters.years {
            clauses.push((Occur::Must, year_range(f.year, a, b)));
        }
        let mut evidence: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (values, min_depth, passage_field, testimony_field) in [
            (&p.places, PLACE_MIN_DEPTH, f.passage_location, f.location),
            (&p.violations, VIOLATION_MIN_DEPTH, f.passage_violation, f.violation),
        ] {
            // The value and its ancestors down to the level where relation still counts; a
            // descendant carries its ancestors in these fields, so it matches too.
            let mut nodes: Vec<(String, f32)> = Vec::new();
            for v in values.iter() {
                for a in crate::taxonomy::with_ancestors(v).filter(|a| depth(a) >= min_depth) {
                    let w = 0.5f32.powi((depth(v) - depth(a)) as i32);
                    nodes.push((a.to_string(), w));
                }
            }
            for (node, w) in nodes {
                evidence.push(constant(term(passage_field, &node), w));
                evidence.push(constant(term(testimony_field, &node), w * TESTIMONY_LEVEL));
            }
        }
        if let (Some(&lo), Some(&hi)) = (p.years.first(), p.years.last()) {
            let w = valid.year_window;
            evidence.push(constant(year_range(f.year, lo.saturating_sub(w), hi.saturating_add(w)), YEAR_WEIGHT));
        }
        let mut rare: Vec<(&String, &f32)> = p.words.iter().collect();
        rare.sort_by(|a, b| b.1.total_cmp(a.1).then_with(|| a.0.cmp(b.0)));
        for (word, _) in rare.into_iter().take(QUERY_TERMS) {
            let field = text_field(word, f.body_ko, f.body_en);
            let q: Box<dyn Query> =
                Box::new(TermQuery::new(Term::from_field_text(field, word), IndexRecordOption::WithFreqs));
            evidence.push((Occur::Should, Box::new(BoostQuery::new(q, 0.05))));
        }
        if !evidence.is_empty() {
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(evidence))));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    fn corroborate(
        &self,
        source: Source,
        events: &[ResolvedEvent],
        valid: Valid,
    ) -> Result<CorroborateResponse, SearchError> {
        let started = Instant::now();
        let searcher = self.index.searcher();
        let profile = self.profile(&source, events, &valid, &searcher);
        let has_structure = !(profile.places.is_empty() && profile.violations.is_empty());
        let query = self.candidate_query(&profile, &source, &valid);
        let top = searcher.search(query.as_ref(), &TopDocs::with_limit(CANDIDATES).order_by_score())?;
        let mut candidates: Vec<Candidate> = Vec::new();
        let mut metas: HashMap<String, Option<StoredTestimony>> = HashMap::new();
        for (_, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let passage = self.index.passage_from_doc(&doc)?;
            if Some(&passage.testimony_id) == source.testimony_id.as_ref() {
                continue;
            }
            let id = passage.testimony_id.clone();
            if !metas.contains_key(&id) {
                metas.insert(id.clone(), self.index.testimony(&id)?);
            }
            let c = self.overlap(&profile, passage, metas[&id].as_ref(), valid.year_window);
            // Where the source names a place or a type, a passage sharing neither is no evidence.
            if !has_structure || c.structural {
                candidates.push(c);
            }
        }
        candidates.sort_by(|a, b| b.overlap.total_cmp(&a.overlap));
        // A score is at most overlap + SIMILARITY_WEIGHT: only candidates that can still reach
        // the page need their text compared.
        let mut seen: HashSet<&str> = HashSet::new();
        let mut bar = f32::NEG_INFINITY;
        for c in &candidates {
            if seen.insert(&c.passage.testimony_id) && seen.len() == valid.per_page {
                bar = c.overlap - SIMILARITY_WEIGHT;
            }
        }
        let mut testimonies: HashSet<String> = HashSet::new();
        let mut scored: Vec<(Corroboration, Vec<(usize, usize)>)> = Vec::new();
        for c in candidates {
            if c.overlap < bar {
                testimonies.insert(c.passage.testimony_id.clone());
                continue;
            }
            let (similarity, terms, ranges) = self.similarity(&profile, &c.passage.text);
            if !has_structure && similarity < MIN_SIMILARITY_ALONE {
                continue;
            }
            testimonies.insert(c.passage.testimony_id.clone());
            scored.push((c.into_hit(similarity, terms), ranges));
        }
        scored.sort_by(|(a, _), (b, _)| b.score.total_cmp(&a.score).then_with(|| a.passage_id.cmp(&b.passage_id)));
        // The best passages of each testimony, testimonies in the order of their best passage.
        let mut per: HashMap<String, usize> = HashMap::new();
        let mut order: Vec<String> = Vec::new();
        let mut kept = Vec::new();
        for (c, ranges) in scored {
            let n = per.entry(c.testimony_id.clone()).or_insert(0);
            if *n == 0 {
                order.push(c.testimony_id.clone());
            }
            if *n < valid.per_testimony {
                *n += 1;
                kept.push((c, ranges));
            }
        }
        let rank: HashMap<&String, usize> = order.iter().enumerate().map(|(i, t)| (t, i)).collect();
        let mut page: Vec<_> = kept.into_iter().filter(|(c, _)| rank[&c.testimony_id] < valid.per_page).collect();
        page.sort_by_key(|(c, _)| rank[&c.testimony_id]);
        let mut hits = Vec::with_capacity(page.len());
        for (mut hit, ranges) in page {
            hit.independence = independence(&source, metas[&hit.testimony_id].as_ref(), hit.language);
            if valid.viewer.is_public() {
                // Derived from an interviewee descriptor, which the public never sees.
                hit.independence.origin_province = None;
                hit.independence.same_origin_province = None;
            }
            hit.highlight = self.mark(&hit, ranges);
            hits.push(hit);
        }
        Ok(CorroborateResponse {
            source: SourceProfile {
                passage_id: source.passage_id.clone(),
                testimony_id: source.testimony_id.clone(),
                citation: source.citation.clone(),
                places: profile.places.iter().map(|v| self.labelled(FacetKind::Location, v)).collect(),
                violations: profile.violations.iter().map(|v| self.labelled(FacetKind::Violation, v)).collect(),
                years: profile.years.iter().copied().collect(),
                from: profile.from.clone(),
            },
            year_window: valid.year_window,
            testimonies: testimonies.len(),
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            hits,
        })
    }

    /// The passage with its shared words and the places and violation types it shares named.
    fn mark(&self, hit: &Corroboration, mut ranges: Vec<(usize, usize)>) -> String {
        let found = self.taxonomy.extract(&hit.text);
        let shared = |list: &[Shared], id: &str| list.iter().any(|s| s.value.id == id);
        for m in found.places.iter().filter(|m| shared(&hit.why.places, &m.id)) {
            ranges.push((m.from, m.to));
        }
        for m in found.violations.iter().filter(|m| shared(&hit.why.violations, &m.id)) {
            ranges.push((m.from, m.to));
        }
        highlight::highlight(&hit.text, &merge(ranges))
    }

    fn labelled(&self, kind: FacetKind, id: &str) -> Labelled {
        let labels = self.taxonomy.labels(kind, id);
        Labelled {
            id: id.to_string(),
            label_en: labels.as_ref().map(|l| l.en.clone()).unwrap_or_else(|| id.to_string()),
            label_ko: labels.map(|l| l.ko).unwrap_or_else(|| id.to_string()),
        }
    }

    /// The shared values of one dimension: the best closeness and what was shared.
    fn shared(
        &self,
        kind: FacetKind,
        source: &[String],
        candidate: &[(&str, f32, Level)],
        min_depth: usize,
    ) -> (f32, Vec<Shared>) {
        let mut best = 0.0f32;
        let mut out: Vec<Shared> = Vec::new();
        let leaves = most_specific(candidate.iter().map(|v| v.0.to_string()).collect());
        for &(value, weight, level) in candidate.iter().filter(|c| leaves.iter().any(|l| l == c.0)) {
            for s in source {
                if let Some((w, relation)) = closeness(s, value, min_depth) {
                    best = best.max(w * weight);
                    if !out.iter().any(|o| o.value.id == value) {
                        out.push(Shared { value: self.labelled(kind, value), relation, level });
                    }
                }
            }
        }
        (best, out)
    }

    /// What a passage shares with the profile in place, type and period (cheap: stored values).
    fn overlap(
        &self,
        p: &Profile,
        passage: StoredPassage,
        testimony: Option<&StoredTestimony>,
        window: u16,
    ) -> Candidate {
        let own = &passage.facets;
        let of = |kind: FacetKind| weighted(own.get(kind), testimony.map(|t| t.facets.get(kind)));
        let (place, places) = self.shared(FacetKind::Location, &p.places, &of(FacetKind::Location), PLACE_MIN_DEPTH);
        let (violation, violations) =
            self.shared(FacetKind::Violation, &p.violations, &of(FacetKind::Violation), VIOLATION_MIN_DEPTH);
        let mut year = 0.0f32;
        let mut years: Vec<u16> = Vec::new();
        for (y, weight, _) in of(FacetKind::Year) {
            let Ok(y) = y.parse::<u16>() else { continue };
            let Some(d) = p.years.iter().map(|s| s.abs_diff(y)).min() else { break };
            if d <= window {
                year = year.max((1.0 - d as f32 / (window as f32 + 1.0)) * weight);
                years.push(y);
            }
        }
        years.sort_unstable();
        years.dedup();
        Candidate {
            overlap: PLACE_WEIGHT * place + VIOLATION_WEIGHT * violation + YEAR_WEIGHT * year,
            structural: place > 0.0 || violation > 0.0,
            why: Why { places, violations, years, terms: Vec::new() },
            passage,
        }
    }

    /// The share of the source's weighted words and glossary concepts a text also uses, those
    /// shared (rarest first), and where they are in the text.
    fn similarity(&self, p: &Profile, text: &str) -> (f32, Vec<String>, Vec<(usize, usize)>) {
        let total: f32 = p.words.values().sum::<f32>() + p.concepts.values().sum::<f32>();
        let mut common = 0.0f32;
        let mut shared: Vec<(f32, String)> = Vec::new();
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for (word, from, to) in words(text) {
            if let Some(&w) = p.words.get(&word) {
                ranges.push((from, to));
                if !shared.iter().any(|(_, s)| *s == word) {
                    common += w;
                    shared.push((w, word));
                }
            }
        }
        let mut concepts: HashSet<u32> = HashSet::new();
        for (from, to, c) in self.taxonomy.glossary_mentions(text) {
            if let Some(&w) = p.concepts.get(&c) {
                ranges.push((from, to));
                if concepts.insert(c) {
                    common += w;
                    if let Some(label) = self.taxonomy.glossary_term(c).and_then(|g| g.en.first().or(g.ko.first())) {
                        shared.push((w, label.clone()));
                    }
                }
            }
        }
        shared.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut terms: Vec<String> = Vec::new();
        for (_, t) in shared {
            if !terms.contains(&t) && terms.len() < SHOWN_TERMS {
                terms.push(t);
            }
        }
        let similarity = if total > 0.0 { (common / total).min(1.0) } else { 0.0 };
        (similarity, terms, ranges)
    }
}

/// A passage found by the first pass, with what it shares in place, type and period.
struct Candidate {
    passage: StoredPassage,
    overlap: f32,
    /// Shares a place or a violation type.
    structural: bool,
    why: Why,
}

impl Candidate {
    fn into_hit(self, similarity: f32, terms: Vec<String>) -> Corroboration {
        let p = self.passage;
        Corroboration {
            score: self.overlap + SIMILARITY_WEIGHT * similarity,
            overlap: self.overlap,
            similarity,
            why: Why { terms, ..self.why },
            independence: Independence::default(),
            highlight: String::new(),
            passage_id: p.passage_id,
            testimony_id: p.testimony_id,
            paragraph: p.paragraph,
            language: p.language,
            speaker: p.speaker,
            text: p.text,
            citation: p.citation,
            access: p.access,
        }
    }
}

/// What is corroborated: a passage, or a quoted text (perhaps of a known testimony).
struct Source {
    passage_id: Option<String>,
    testimony_id: Option<String>,
    citation: Option<String>,
    text: String,
    /// The passages around it: where a witness said when and where before saying what happened.
    context: String,
    language: Option<Lang>,
    testimony: Option<StoredTestimony>,
}

fn interview_year(t: &StoredTestimony) -> Option<u16> {
    t.interview_date.as_deref().and_then(|d| d.get(..4)).and_then(|y| y.parse().ok())
}

/// The origin province of a testimony: the resolved place cut to its province (`kp/x`).
fn origin_province(t: &StoredTestimony) -> Option<String> {
    let place = t.origin_place.as_deref()?;
    Some(crate::taxonomy::with_ancestors(place).nth(1).unwrap_or(place).to_string())
}

/// Whether two known values are equal; unknown when either is unknown.
fn same<T: PartialEq>(a: Option<T>, b: Option<T>) -> Option<bool> {
    Some(a? == b?)
}

fn independence(source: &Source, candidate: Option<&StoredTestimony>, language: Option<Lang>) -> Independence {
    let source_t = source.testimony.as_ref();
    let year = candidate.and_then(interview_year);
    let origin = candidate.and_then(origin_province);
    Independence {
        different_testimony: true,
        interview_year: year,
        same_interview_year: same(year, source_t.and_then(interview_year)),
        same_origin_province: same(origin.clone(), source_t.and_then(origin_province)),
        origin_province: origin,
        other_language: same(language, source.language).map(|s| !s),
    }
}

fn year_range(field: Field, from: u16, to: u16) -> Box<dyn Query> {
    Box::new(RangeQuery::new(
        Bound::Included(Term::from_field_u64(field, from as u64)),
        Bound::Included(Term::from_field_u64(field, to as u64)),
    ))
}

/// Sorted, non-overlapping ranges.
fn merge(mut ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    ranges.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (a, b) in ranges {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closeness_of_places_and_types() {
        let h = "kp/north-hamgyong/hoeryong";
        assert_eq!(closeness(h, h, PLACE_MIN_DEPTH), Some((1.0, Relation::Same)));
        assert_eq!(closeness(h, "kp/north-hamgyong", PLACE_MIN_DEPTH), Some((0.5, Relation::Broader)));
        assert_eq!(closeness("kp/north-hamgyong", h, PLACE_MIN_DEPTH), Some((0.5, Relation::Narrower)));
        // Sharing only the country is no evidence; siblings are not related.
        assert_eq!(closeness(h, "kp", PLACE_MIN_DEPTH), None);
        assert_eq!(closeness("cn", "cn", PLACE_MIN_DEPTH), None);
        assert_eq!(closeness(h, "kp/north-hamgyong/onsong", PLACE_MIN_DEPTH), None);
        assert_eq!(closeness(h, "kp/north-hamgyong/hoeryong-x", PLACE_MIN_DEPTH), None);
        assert_eq!(closeness("life/public-execution", "life", VIOLATION_MIN_DEPTH), Some((0.5, Relation::Broader)));
    }

    #[test]
    fn most_specific_keeps_leaves() {
        let v = most_specific(vec!["kp".into(), "kp/a".into(), "kp/a/b".into(), "cn/x".into(), "kp/ab".into()]);
        assert_eq!(v, ["cn/x", "kp/a/b", "kp/ab"]);
    }

    #[test]
    fn merged_ranges_do_not_overlap() {
        assert_eq!(merge(vec![(5, 9), (0, 3), (2, 4), (9, 10)]), [(0, 4), (5, 10)]);
    }

    #[test]
    fn events_add_what_the_text_is_about() {
        let events = vec![
            ResolvedEvent { places: vec!["kp/a/b".into()], violations: vec!["life/x".into()], years: vec![2008] },
            ResolvedEvent { places: vec!["kp/c/d".into()], violations: vec!["detention/y".into()], years: vec![2001] },
        ];
        // The text names a year: the event of that year is what it is about.
        let mut p = Profile { violations: vec!["surveillance/z".into()], years: [2009].into(), ..Default::default() };
        p.add_events(&events, 1);
        assert_eq!(p.places, ["kp/a/b"]);
        assert_eq!(p.violations, ["life/x", "surveillance/z"]);
        assert_eq!(p.years.iter().copied().collect::<Vec<_>>(), [2008, 2009]);
        // A text that names nothing takes every event.
        let mut silent = Profile::default();
        silent.add_events(&events, 1);
        assert_eq!(silent.places, ["kp/a/b", "kp/c/d"]);
        // A text about something else takes none.
        let mut other = Profile { places: vec!["cn/x".into()], ..Default::default() };
        other.add_events(&events, 1);
        assert!(other.violations.is_empty());
    }
}
