//! Search: query planning and expansion, the one-pass collector of hits and facet counts, snippets
//! with <mark>, and reading testimonies and passages for display. Knows nothing of HTTP: every
//! error has a stable code that the API maps to a status.

mod accumulate;
pub mod cache;
mod collector;
pub mod compounds;
pub mod corroborate;
pub mod export;
mod generation;
pub mod highlight;
mod labels;
mod name_query;
pub mod query;
pub mod quotes;
pub mod request;
pub mod suggest;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use tantivy::query::Query;
use tantivy::{TantivyDocument, Term};

use crate::analysis::Lang;
use crate::index::{IndexError, StoredPassage, StoredTestimony, TestimonyIndex, KIND_PASSAGE};
use crate::ingest::{Facets, Provenance, Speaker};
use crate::taxonomy::{FacetKind, Taxonomy};

use collector::{FacetedCollector, Harvest};
pub use corroborate::{CorroborateRequest, CorroborateResponse};
pub use labels::{FacetValue, Label};
pub use query::Expansion;
pub use request::{FacetSelection, Filters, Group, OneOrMany, SearchRequest, Sort, ValidSearch};

/// Why a search or lookup failed. `code()` is stable and machine-readable.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("invalid parameter {param}: {message}")]
    InvalidParameter { param: String, message: String },
    #[error("unknown {param} value {value:?}: {hint}")]
    UnknownFilterValue { param: String, value: String, hint: String },
    #[error("the query is longer than {max} characters")]
    QueryTooLong { max: usize },
    #[error("results deeper than {max} cannot be paged to; narrow the search")]
    PageTooDeep { max: usize },
    #[error("{what} {id:?} not found")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Index(#[from] IndexError),
    #[error("search failed: {0}")]
    Engine(#[from] tantivy::TantivyError),
}

impl SearchError {
    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            SearchError::InvalidParameter { .. } => "invalid_parameter",
            SearchError::UnknownFilterValue { .. } => "invalid_filter",
            SearchError::QueryTooLong { .. } => "query_too_long",
            SearchError::PageTooDeep { .. } => "page_too_deep",
            SearchError::NotFound { .. } => "not_found",
            SearchError::Index(_) | SearchError::Engine(_) => "internal",
        }
    }
}

/// Who is asking, and so what they may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// The public: passages of public testimonies only (restricted ones still count in the
    /// facets), counts under `min_count` shown as "<min_count", no facets at all for a search
    /// that narrows to fewer testimonies than that, and no interviewee descriptors.
    Public { min_count: u64 },
    /// Researchers and admins: everything.
    Trusted,
}

impl Viewer {
    pub fn is_public(self) -> bool {
        matches!(self, Viewer::Public { .. })
    }

    /// Whether a testimony of this access may be read.
    pub fn may_read(self, access: crate::ingest::Access) -> bool {
        !self.is_public() || access == crate::ingest::Access::Public
    }
}

/// A count as shown: exact, or "<k" when disclosure control hides a small number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Count {
    Exact(u64),
    Below(u64),
}

impl Count {
    /// The exact number, when shown.
    pub fn exact(self) -> Option<u64> {
        match self {
            Count::Exact(n) => Some(n),
            Count::Below(_) => None,
        }
    }

    pub(crate) fn disclosed(self, viewer: Viewer) -> Count {
        match (self, viewer) {
            (Count::Exact(n), Viewer::Public { min_count }) if n < min_count => Count::Below(min_count),
            (c, _) => c,
        }
    }
}

impl Serialize for Count {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Count::Exact(n) => s.serialize_u64(*n),
            Count::Below(k) => s.serialize_str(&format!("<{k}")),
        }
    }
}

/// What disclosure control did to an answer for the public.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Disclosure {
    /// Counts under this are shown as "<min_count".
    pub min_count: u64,
    /// True when the facets were left out: the search narrows to fewer testimonies than that.
    pub facets_suppressed: bool,
}

/// A facet value as reported to clients.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FacetCount {
    pub value: FacetValue,
    pub label_en: Label,
    pub label_ko: Label,
    pub count: Count,
    /// Of those, testimonies where the value is coded.
    pub coded: Count,
    /// Of those, testimonies where the value is only extracted from the text.
    pub extracted: Count,
    /// The parent value for hierarchical facets (location, violation, sdg targets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<Label>,
    /// True when this value is one of the request's filters.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub selected: bool,
}

/// Counts under this are hidden from the public unless configured otherwise.
pub const DEFAULT_MIN_COUNT: u64 = 3;

/// Facet counts per dimension.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FacetResults {
    pub location: Vec<FacetCount>,
    pub year: Vec<FacetCount>,
    pub violation: Vec<FacetCount>,
    pub sdg: Vec<FacetCount>,
    /// Set for the public: what disclosure control did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disclosure: Option<Disclosure>,
}

impl FacetResults {
    /// Applies disclosure control for the viewer: small counts hidden, and every facet left out
    /// when the matching testimonies (restricted ones included) are fewer than the threshold.
    fn disclosed(mut self, viewer: Viewer, matching: u64, narrowed: bool) -> FacetResults {
        let Viewer::Public { min_count } = viewer else { return self };
        let suppress = narrowed && matching < min_count;
        for list in [&mut self.location, &mut self.year, &mut self.violation, &mut self.sdg] {
            if suppress {
                list.clear();
            }
            for f in list.iter_mut() {
                f.count = f.count.disclosed(viewer);
                f.coded = f.coded.disclosed(viewer);
                f.extracted = f.extracted.disclosed(viewer);
            }
        }
        self.disclosure = Some(Disclosure { min_count, facets_suppressed: suppress });
        self
    }
}

/// A labelled facet value of a hit.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TaggedValue {
    pub id: Label,
    pub label_en: Label,
    pub label_ko: Label,
    pub provenance: Provenance,
}

/// One search hit: a passage.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub passage_id: String,
    pub testimony_id: String,
    pub paragraph: u32,
    pub language: Option<Lang>,
    pub speaker: Option<Speaker>,
    pub text: String,
    pub highlight: String,
    pub score: f32,
    pub places: Vec<TaggedValue>,
    pub years: Vec<u16>,
    pub violations: Vec<TaggedValue>,
    pub sdg: Vec<TaggedValue>,
    pub citation: String,
    /// Byte ranges of `text` that matched the query (what `highlight` marks); for quotes.
    #[serde(skip)]
    pub matched: Vec<(usize, usize)>,
    /// The testimony's access (for the audit log of restricted reads).
    #[serde(skip)]
    pub access: crate::ingest::Access,
}

/// How the query was understood.
#[derive(Debug, Clone, Serialize)]
pub struct QueryInfo {
    pub text: String,
    pub lang: Option<Lang>,
    /// Places and violation types recognised in the query and searched in every spelling and language.
    pub expansions: Vec<Expansion>,
    pub filters: Filters,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResponse {
    pub total: u64,
    /// Distinct testimonies among the matches.
    pub testimonies: u64,
    pub took_ms: f64,
    pub page: usize,
    pub per_page: usize,
    pub group: Group,
    pub sort: Sort,
    pub query: QueryInfo,
    pub hits: Vec<Hit>,
    pub facets: FacetResults,
}

/// A passage with its neighbours.
#[derive(Debug, Clone, Serialize)]
pub struct PassageContext {
    pub passage: StoredPassage,
    pub previous: Option<StoredPassage>,
    pub next: Option<StoredPassage>,
    pub testimony: TestimonySummary,
}

/// What a passage view shows of its testimony.
#[derive(Debug, Clone, Serialize)]
pub struct TestimonySummary {
    pub id: String,
    pub title: Option<String>,
    pub interview_date: Option<String>,
    pub passages: u32,
}

/// A testimony with its passages.
#[derive(Debug, Clone, Serialize)]
pub struct TestimonyView {
    #[serde(flatten)]
    pub testimony: StoredTestimony,
    pub passage_list: Vec<StoredPassage>,
}

/// The search engine over one index and taxonomy; cheap to share behind `Arc`.
pub struct SearchEngine {
    index: Arc<TestimonyIndex>,
    taxonomy: Arc<Taxonomy>,
    tables: Arc<collector::SegmentTables>,
    /// Frequent terms' passages, for the terms searches exclude (src/search/accumulate.rs).
    doc_sets: accumulate::DocSets,
    /// Answers of recent searches, valid for one index generation (see [`SearchEngine::with_cache`]).
    cache: Option<cache::AnswerCache>,
    /// The search box's completion table of the current generation.
    completions: generation::PerGeneration<suggest::Completions>,
    /// The stem dictionary's compounds of the current generation, for query planning.
    compounds: generation::PerGeneration<compounds::CompoundTable>,
    /// Runs the segments of one search on several cores, when no other search is running.
    parallel: Option<tantivy::Executor>,
    /// Searches running now.
    running: std::sync::atomic::AtomicUsize,
    /// The labels of the taxonomy's facet values.
    labels: labels::FacetLabels,
}

/// Counts a search as running until dropped.
struct Running<'a>(&'a std::sync::atomic::AtomicUsize);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

impl SearchEngine {
    pub fn new(index: Arc<TestimonyIndex>, taxonomy: Arc<Taxonomy>) -> SearchEngine {
        SearchEngine {
            index,
            labels: labels::FacetLabels::new(&taxonomy),
            taxonomy,
            tables: Default::default(),
            doc_sets: Default::default(),
            cache: None,
            completions: Default::default(),
            compounds: Default::default(),
            parallel: search_executor(),
            running: Default::default(),
        }
    }

    pub fn index(&self) -> &TestimonyIndex {
        &self.index
    }

    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }

    /// Keeps the answers of the last `entries` distinct searches until the index changes, for
    /// [`SearchEngine::search_json`] (see [`cache`]). Any commit (an ingest, a delete) starts a
    /// new generation and empties the cache.
    pub fn with_cache(mut self, entries: usize) -> SearchEngine {
        self.cache = cache::AnswerCache::new(entries);
        self
    }

    /// Prepares what every search uses (the per-segment tables, the compound table) and the
    /// search box's completion table, so that the first search or completion after start-up or
    /// after an ingest is as fast as the others.
    pub fn warm(&self) -> Result<(), SearchError> {
        self.warm_search()?;
        self.completions()?;
        Ok(())
    }

    /// The part of [`SearchEngine::warm`] searches need; the completion table (which reads stored
    /// passages for its English word forms) can follow once the service answers.
    pub fn warm_search(&self) -> Result<(), SearchError> {
        self.tables.warm(&self.index.searcher())?;
        self.compounds()?;
        Ok(())
    }

    /// The compound table of the current index generation, built on first use after a commit.
    pub fn compounds(&self) -> Result<Arc<compounds::CompoundTable>, SearchError> {
        let searcher = self.index.searcher();
        let generation = searcher.generation().generation_id();
        self.compounds.get(generation, || Ok(compounds::CompoundTable::build(&searcher, self.index.fields().body_ko)?))
    }

    /// Validates and runs a search for a viewer.
    pub fn search(&self, request: SearchRequest, viewer: Viewer) -> Result<SearchResponse, SearchError> {
        let mut valid = request.validate(&self.taxonomy)?;
        valid.viewer = viewer;
        self.run(&valid)
    }

    /// [`SearchEngine::search`] as its JSON, from the cache when the same search ran on this
    /// index generation.
    pub fn search_json(&self, request: SearchRequest, viewer: Viewer) -> Result<cache::JsonAnswer, SearchError> {
        let started = Instant::now();
        let mut valid = request.validate(&self.taxonomy)?;
        valid.viewer = viewer;
        let generation = self.index.searcher().generation().generation_id();
        let key = format!("{valid:?}");
        let elapsed = || started.elapsed().as_secs_f64() * 1000.0;
        if let Some(answer) = self.cache.as_ref().and_then(|c| c.get(generation, &key, elapsed)) {
            return Ok(answer);
        }
        let mut answer = self.run(&valid)?;
        let restricted: Vec<String> = answer
            .hits
            .iter()
            .filter(|h| h.access == crate::ingest::Access::Restricted)
            .map(|h| h.testimony_id.clone())
            .collect();
        let Some(cache) = &self.cache else {
            answer.took_ms = elapsed();
            let body = serde_json::to_vec(&answer).expect("a search answer is plain data and always serialises");
            return Ok(cache::JsonAnswer { body, restricted });
        };
        answer.took_ms = 0.0;
        let json = serde_json::to_vec(&answer).expect("a search answer is plain data and always serialises");
        Ok(cache.put(generation, key, json, restricted, elapsed()))
    }

    /// Runs a validated search: one pass for hits and facet counts, then the page's documents.
    pub fn run(&self, s: &ValidSearch) -> Result<SearchResponse, SearchError> {
        let started = Instant::now();
        // Counted from here to the answer, not only while collecting: a search that finds another
        // one planning its query or reading its page's documents is not alone on the cores.
        let alone = self.running.fetch_add(1, std::sync::atomic::Ordering::AcqRel) == 0;
        let _running = Running(&self.running);
        let fields = *self.index.fields();
        let plan = if s.text.is_empty() {
            None
        } else {
            query::plan(&s.text, s.lang, &fields, &self.taxonomy, self.compounds()?.as_ref(), self.index.names())
        };
        // Without text every passage matches, unscored; only stopwords or punctuation match nothing.
        let query: Option<&dyn Query> = match &plan {
            Some(p) => Some(p.query.as_ref()),
            None if s.text.is_empty() => None,
            None => return Ok(self.empty_response(s, started)),
        };
        let top_k = s.page * s.per_page;
        let collector = FacetedCollector {
            filters: s.filters.clone(),
            group: s.group,
            sort: s.sort,
            top_k,
            scoring: query.is_some(),
            coded_only: s.coded_only,
            facets: s.facets,
            tables: self.tables.clone(),
            public_only: s.viewer.is_public(),
        };
        let searcher = self.index.searcher();
        let harvest: Harvest = self.collect(&searcher, query, &collector, alone)?;
        self.tables.retain(&searcher);
        let empty_terms = HashMap::new();
        let terms = plan.as_ref().map(|p| &p.terms).unwrap_or(&empty_terms);
        let mut hits = Vec::new();
        for key in harvest.hits.iter().skip((s.page - 1) * s.per_page) {
            let doc: TantivyDocument = searcher.doc(key.address)?;
            let passage = self.index.passage_from_doc(&doc)?;
            let ranges = highlight::matched_ranges(&passage.text, terms, &fields);
            let marked = highlight::highlight(&passage.text, &ranges);
            hits.push(self.hit(passage, marked, ranges, key.score));
        }
        let narrowed = !s.text.is_empty() || s.filters != Filters::default();
        let facets =
            self.facet_results(&harvest, &s.filters, s.facets).disclosed(s.viewer, harvest.all_testimonies, narrowed);
        Ok(SearchResponse {
            total: harvest.total,
            testimonies: harvest.testimonies,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            page: s.page,
            per_page: s.per_page,
            group: s.group,
            sort: s.sort,
            query: QueryInfo {
                text: s.text.clone(),
                lang: plan.as_ref().map(|p| p.lang),
                expansions: plan.map(|p| p.expansions).unwrap_or_default(),
                filters: s.filters.clone(),
            },
            hits,
            facets,
        })
    }

    /// Runs the collector over every segment: on several cores when this is the only search
    /// running (a lone query answers in about 0.7x the time on 2 segments and 2 cores), on the
    /// calling thread otherwise (under load, handing segments to other threads only costs, and
    /// the cores are busy with the other searches anyway).
    /// `query`: the scored query, or None for every passage (a search without text); `alone`:
    /// no other search was running when this one started.
    fn collect(
        &self,
        searcher: &tantivy::Searcher,
        query: Option<&dyn Query>,
        collector: &FacetedCollector,
        alone: bool,
    ) -> Result<Harvest, SearchError> {
        let executor = self.parallel.as_ref().filter(|_| alone && searcher.segment_readers().len() > 1);
        use tantivy::collector::{Collector, SegmentCollector};
        // Scored searches read the query by accumulation (src/search/accumulate.rs); without text
        // every passage matches, read as windows of the passages' set.
        let plan = query.map(|q| accumulate::Plan::new(q, searcher)).transpose()?;
        let passages = Term::from_field_text(self.index.fields().kind, KIND_PASSAGE);
        let segment = |(ord, reader): (usize, &tantivy::SegmentReader)| {
            let mut child = collector.for_segment(ord as tantivy::SegmentOrdinal, reader)?;
            match &plan {
                Some(plan) => plan.search(reader, &self.doc_sets, &mut child)?,
                None => accumulate::term_windows(reader, &self.doc_sets, &passages, |base, bits| {
                    child.unscored_window(base, bits)
                })?,
            }
            Ok(child.harvest())
        };
        let readers = searcher.segment_readers().iter().enumerate();
        let fruits = match executor {
            Some(executor) => executor.map(segment, readers)?,
            None => readers.map(segment).collect::<tantivy::Result<Vec<_>>>()?,
        };
        Ok(collector.merge_fruits(fruits)?)
    }

    fn empty_response(&self, s: &ValidSearch, started: Instant) -> SearchResponse {
        SearchResponse {
            total: 0,
            testimonies: 0,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            page: s.page,
            per_page: s.per_page,
            group: s.group,
            sort: s.sort,
            query: QueryInfo { text: s.text.clone(), lang: s.lang, expansions: Vec::new(), filters: s.filters.clone() },
            hits: Vec::new(),
            facets: FacetResults::default(),
        }
    }

    fn tagged(&self, kind: FacetKind, values: &[crate::ingest::FacetValue]) -> Vec<TaggedValue> {
        // Only the most specific values: kp/north-hamgyong/hoeryong, not also kp and kp/north-hamgyong.
        let is_ancestor = |v: &str| {
            values.iter().any(|o| {
                o.value.len() > v.len() && o.value.starts_with(v) && matches!(o.value.as_bytes()[v.len()], b'/' | b'.')
            })
        };
        values
            .iter()
            .filter(|v| !is_ancestor(&v.value))
            .map(|v| match self.labels.known(kind, &v.value) {
                Some(label) => TaggedValue {
                    id: label.id(),
                    label_en: label.en.clone(),
                    label_ko: label.ko.clone(),
                    provenance: v.provenance,
                },
                None => TaggedValue {
                    id: Label::Owned(v.value.clone()),
                    label_en: Label::Borrowed(""),
                    label_ko: Label::Borrowed(""),
                    provenance: v.provenance,
                },
            })
            .collect()
    }

    fn hit(&self, p: StoredPassage, highlight: String, matched: Vec<(usize, usize)>, score: f32) -> Hit {
        let f: &Facets = &p.facets;
        Hit {
            places: self.tagged(FacetKind::Location, &f.location),
            years: f.year.iter().filter_map(|y| y.value.parse().ok()).collect(),
            violations: self.tagged(FacetKind::Violation, &f.violation),
            sdg: self.tagged(FacetKind::Sdg, &f.sdg),
            highlight,
            passage_id: p.passage_id,
            testimony_id: p.testimony_id,
            paragraph: p.paragraph,
            language: p.language,
            speaker: p.speaker,
            text: p.text,
            score,
            citation: p.citation,
            access: p.access,
            matched,
        }
    }

    fn facet_results(&self, h: &Harvest, filters: &Filters, wanted: FacetSelection) -> FacetResults {
        let mut out = FacetResults::default();
        for (i, kind) in [FacetKind::Location, FacetKind::Violation, FacetKind::Sdg].into_iter().enumerate() {
            if !wanted.counts(kind) {
                continue;
            }
            let selected = filters.values(kind);
            let mut list: Vec<FacetCount> = h
                .counts
                .values_with(i, &h.coded)
                .map(|(value, count, c)| self.facet_count(kind, value, (count, c), selected.iter().any(|s| s == value)))
                .collect();
            for v in &selected {
                if h.counts.get(i, v) == 0 {
                    list.push(self.facet_count(kind, v, (0, 0), true));
                }
            }
            match kind {
                FacetKind::Sdg => list.sort_by(|a, b| sdg_order(&a.value, &b.value)),
                _ => list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.as_str().cmp(&b.value.as_str()))),
            }
            match kind {
                FacetKind::Location => out.location = list,
                FacetKind::Violation => out.violation = list,
                _ => out.sdg = list,
            }
        }
        let mut years: Vec<FacetCount> = h
            .counts
            .year_counts
            .iter()
            .map(|(&y, &count)| {
                let coded = h.coded.year_counts.get(&y).copied().unwrap_or(0);
                let selected = filters.years.is_some_and(|(a, b)| (a as u64..=b as u64).contains(&y));
                counted(self.labels.year(y), (count, coded), selected)
            })
            .collect();
        years.sort_by_key(|f| f.value.as_u64());
        out.year = years;
        out
    }

    /// A facet value with its labels; `counts` is (all testimonies, testimonies where it is coded).
    fn facet_count(&self, kind: FacetKind, value: &str, counts: (u64, u64), selected: bool) -> FacetCount {
        counted(self.labels.get(&self.taxonomy, kind, value), counts, selected)
    }

    /// A testimony with its passages, as the viewer may see it: a restricted testimony does not
    /// exist for the public, and the public never sees interviewee descriptors.
    pub fn testimony(&self, id: &str, viewer: Viewer) -> Result<TestimonyView, SearchError> {
        let not_found = || SearchError::NotFound { what: "testimony", id: id.to_string() };
        let mut testimony = self.index.testimony(id)?.ok_or_else(not_found)?;
        if !viewer.may_read(testimony.access) {
            return Err(not_found());
        }
        if viewer.is_public() {
            testimony.interviewee = None;
            testimony.origin_place = None;
        }
        let passage_list = self.index.passages_of(id)?;
        Ok(TestimonyView { testimony, passage_list })
    }

    /// A passage with the passages before and after it.
    pub fn passage(&self, passage_id: &str, viewer: Viewer) -> Result<PassageContext, SearchError> {
        let not_found = || SearchError::NotFound { what: "passage", id: passage_id.to_string() };
        let (testimony_id, n) = crate::index::split_passage_id(passage_id).ok_or_else(not_found)?;
        let passage = self.index.passage(passage_id)?.filter(|p| viewer.may_read(p.access)).ok_or_else(not_found)?;
        let neighbour = |k: u32| -> Result<Option<StoredPassage>, SearchError> {
            if k == 0 {
                return Ok(None);
            }
            Ok(self.index.passage(&crate::index::passage_id(testimony_id, k))?)
        };
        let meta = self.index.testimony(testimony_id)?;
        Ok(PassageContext {
            previous: neighbour(n - 1)?,
            next: neighbour(n + 1)?,
            testimony: TestimonySummary {
                id: testimony_id.to_string(),
                title: meta.as_ref().and_then(|m| m.title.clone()),
                interview_date: meta.as_ref().and_then(|m| m.interview_date.clone()),
                passages: meta.map(|m| m.passages).unwrap_or(0),
            },
            passage,
        })
    }

    /// Every facet value with counts over the whole index (the taxonomy browser), including
    /// taxonomy entries with no testimony yet (count 0).
    pub fn all_facets(&self, coded_only: bool, viewer: Viewer) -> Result<FacetResults, SearchError> {
        let valid = ValidSearch {
            text: String::new(),
            lang: None,
            filters: Filters::default(),
            group: Group::Testimony,
            sort: Sort::Relevance,
            page: 1,
            per_page: 0,
            coded_only,
            facets: Default::default(),
            viewer,
        };
        let mut facets = self.run(&valid)?.facets;
        let missing = |list: &Vec<FacetCount>, v: &str| !list.iter().any(|f| f.value.as_str() == Some(v));
        for v in self.taxonomy.violations() {
            if missing(&facets.violation, &v.code) {
                facets.violation.push(self.facet_count(FacetKind::Violation, &v.code, (0, 0), false));
            }
        }
        for p in self.taxonomy.places() {
            if missing(&facets.location, &p.id) {
                facets.location.push(self.facet_count(FacetKind::Location, &p.id, (0, 0), false));
            }
        }
        let sdg_values: Vec<String> = self
            .taxonomy
            .goals()
            .iter()
            .map(|g| g.goal.to_string())
            .chain(self.taxonomy.targets().iter().map(|t| t.target.clone()))
            .collect();
        for v in sdg_values {
            if missing(&facets.sdg, &v) {
                facets.sdg.push(self.facet_count(FacetKind::Sdg, &v, (0, 0), false));
            }
        }
        facets.sdg.sort_by(|a, b| sdg_order(&a.value, &b.value));
        Ok(facets.disclosed(viewer, 0, false))
    }
}

/// A thread pool with a thread per core (at most 4), when there are several cores.
fn search_executor() -> Option<tantivy::Executor> {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(4);
    if cores < 2 {
        return None;
    }
    tantivy::Executor::multi_thread(cores, "search-").ok()
}

/// SDG values in numeric order: 1, 1.3, 2, …, 16, 16.1, 16.10, 16.b.
fn sdg_order(a: &FacetValue, b: &FacetValue) -> std::cmp::Ordering {
    fn key(v: &FacetValue) -> (u32, u32, &str) {
        let s = v.as_str().unwrap_or_default();
        let (goal, target) = s.split_once('.').unwrap_or((s, ""));
        let goal: u32 = goal.parse().unwrap_or(u32::MAX);
        let t_num: u32 = if target.is_empty() { 0 } else { target.parse().unwrap_or(1000) };
        (goal, t_num, target)
    }
    key(a).cmp(&key(b))
}

/// A labelled value with its counts (all testimonies, testimonies where it is coded).
fn counted(label: labels::FacetLabel, (count, coded): (u64, u64), selected: bool) -> FacetCount {
    FacetCount {
        value: label.value,
        label_en: label.en,
        label_ko: label.ko,
        count: Count::Exact(count),
        coded: Count::Exact(coded),
        extracted: Count::Exact(count.saturating_sub(coded)),
        parent: label.parent,
        selected,
    }
}
