//! A search request as users send it (GET parameters or a JSON body), and its validation into
//! precise errors that name the parameter, with facet filter values resolved to canonical ids.

use serde::{Deserialize, Serialize};

use crate::analysis::Lang;
use crate::taxonomy::{FacetKind, Resolution, Taxonomy};

use super::SearchError;

/// Longest accepted query, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Most words (and operators) a query may hold: each word becomes several clauses (stem,
/// bigrams, English stem, other names), so this bounds the work one request can ask for.
pub const MAX_QUERY_WORDS: usize = 32;
/// Largest page.
pub const MAX_PER_PAGE: usize = 100;
/// Deepest result reachable by paging (page × per_page).
pub const MAX_DEPTH: usize = 10_000;
/// Most values one facet filter may hold.
pub const MAX_FILTER_VALUES: usize = 50;
/// Default page size.
pub const DEFAULT_PER_PAGE: usize = 10;

/// A facet filter value may be given once or as a list.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// The parameters of /api/search (and of the filters other endpoints share).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
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
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub page: Option<i64>,
    #[serde(default)]
    pub per_page: Option<i64>,
    #[serde(default)]
    pub sort: Option<String>,
    /// "all" (default): filter and count on coded and extracted values; "coded": coded only.
    #[serde(default)]
    pub provenance: Option<String>,
    /// Which facets to count: a comma-separated subset of location, violation, sdg, year; "all"
    /// (the default) or "none". Counting fewer facets makes a search cheaper.
    #[serde(default)]
    pub facets: Option<String>,
}

/// Collapse hits per passage (default) or per testimony (best passage each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    Passage,
    Testimony,
}

/// Order of hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    Relevance,
    Year,
}

/// Facet filters, resolved to canonical values; OR within a facet, AND across facets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Filters {
    pub location: Vec<String>,
    pub violation: Vec<String>,
    pub sdg: Vec<String>,
    /// Inclusive year range.
    pub years: Option<(u16, u16)>,
}

impl Filters {
    pub fn values(&self, kind: FacetKind) -> Vec<String> {
        match kind {
            FacetKind::Location => self.location.clone(),
            FacetKind::Violation => self.violation.clone(),
            FacetKind::Sdg => self.sdg.clone(),
            FacetKind::Year => Vec::new(),
        }
    }
}

/// A validated search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSearch {
    pub text: String,
    pub lang: Option<Lang>,
    pub filters: Filters,
    pub group: Group,
    pub sort: Sort,
    pub page: usize,
    pub per_page: usize,
    pub coded_only: bool,
    /// Who asks: what the hits and counts may show (set by the engine's callers).
    pub viewer: super::Viewer,
    pub facets: FacetSelection,
}

/// The facets a search counts: location, violation, sdg, year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FacetSelection(pub [bool; 4]);

impl Default for FacetSelection {
    fn default() -> Self {
        FacetSelection([true; 4])
    }
}

impl FacetSelection {
    pub const NONE: FacetSelection = FacetSelection([false; 4]);

    pub fn counts(&self, kind: FacetKind) -> bool {
        match kind {
            FacetKind::Location => self.0[0],
            FacetKind::Violation => self.0[1],
            FacetKind::Sdg => self.0[2],
            FacetKind::Year => self.0[3],
        }
    }

    fn parse(value: Option<&str>) -> Result<FacetSelection, SearchError> {
        let value = match value.map(str::trim) {
            None | Some("") | Some("all") => return Ok(FacetSelection::default()),
            Some("none") => return Ok(FacetSelection::NONE),
            Some(v) => v,
        };
        let mut out = FacetSelection::NONE;
        for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let i = ["location", "violation", "sdg", "year"].iter().position(|k| *k == name).ok_or_else(|| {
                invalid(
                    "facets",
                    format!("must be all, none or a list of location, violation, sdg, year; got {name:?}"),
                )
            })?;
            out.0[i] = true;
        }
        Ok(out)
    }
}

fn invalid(param: &str, message: impl Into<String>) -> SearchError {
    SearchError::InvalidParameter { param: param.to_string(), message: message.into() }
}

const YEARS: std::ops::RangeInclusive<i64> = 1900..=2100;

fn resolve_values(
    param: &str,
    values: Vec<String>,
    resolve: impl Fn(&str) -> Resolution,
) -> Result<Vec<String>, SearchError> {
    if values.len() > MAX_FILTER_VALUES {
        return Err(invalid(param, format!("at most {MAX_FILTER_VALUES} values")));
    }
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        if v.trim().is_empty() {
            return Err(invalid(param, "empty value"));
        }
        if v.chars().count() > 200 {
            return Err(invalid(param, "value longer than 200 characters"));
        }
        match resolve(&v) {
            Resolution::Resolved(id) => {
                if !out.contains(&id) {
                    out.push(id)
                }
            }
            Resolution::Ambiguous(c) => {
                return Err(SearchError::UnknownFilterValue {
                    param: param.to_string(),
                    value: v,
                    hint: format!("matches several entries: {}; give one of these ids", c.join(", ")),
                })
            }
            Resolution::Unresolved => {
                return Err(SearchError::UnknownFilterValue {
                    param: param.to_string(),
                    value: v,
                    hint: "give a canonical id or a known label; GET /api/facets lists them".into(),
                })
            }
        }
    }
    Ok(out)
}

impl SearchRequest {
    /// Validates every parameter and resolves facet values through the taxonomy.
    pub fn validate(self, taxonomy: &Taxonomy) -> Result<ValidSearch, SearchError> {
        let text = self.q.unwrap_or_default();
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(SearchError::QueryTooLong { max: MAX_QUERY_CHARS });
        }
        let words = text.split_whitespace().count();
        if words > MAX_QUERY_WORDS {
            return Err(invalid("q", format!("at most {MAX_QUERY_WORDS} words, got {words}; narrow the query")));
        }
        if text.chars().any(|c| c.is_control() && !c.is_whitespace()) {
            return Err(invalid("q", "control characters are not allowed"));
        }
        let lang = match self.lang.as_deref().map(str::trim) {
            None | Some("") | Some("auto") => None,
            Some(l) => {
                Some(Lang::parse(l).ok_or_else(|| invalid("lang", format!("must be auto, ko or en, got {l:?}")))?)
            }
        };
        let group = match self.group.as_deref() {
            None | Some("passage") => Group::Passage,
            Some("testimony") => Group::Testimony,
            Some(g) => return Err(invalid("group", format!("must be passage or testimony, got {g:?}"))),
        };
        let sort = match self.sort.as_deref() {
            None | Some("relevance") => Sort::Relevance,
            Some("year") => Sort::Year,
            Some(s) => return Err(invalid("sort", format!("must be relevance or year, got {s:?}"))),
        };
        let coded_only = match self.provenance.as_deref() {
            None | Some("all") => false,
            Some("coded") => true,
            Some(p) => return Err(invalid("provenance", format!("must be all or coded, got {p:?}"))),
        };
        let page = match self.page {
            None => 1,
            Some(p) if p >= 1 => p as usize,
            Some(p) => return Err(invalid("page", format!("must be 1 or more, got {p}"))),
        };
        let per_page = match self.per_page {
            None => DEFAULT_PER_PAGE,
            Some(n) if (0..=MAX_PER_PAGE as i64).contains(&n) => n as usize,
            Some(n) => return Err(invalid("per_page", format!("must be from 0 to {MAX_PER_PAGE}, got {n}"))),
        };
        if page.saturating_mul(per_page) > MAX_DEPTH {
            return Err(SearchError::PageTooDeep { max: MAX_DEPTH });
        }
        for (name, y) in [("year_from", self.year_from), ("year_to", self.year_to)] {
            if let Some(y) = y {
                if !YEARS.contains(&y) {
                    return Err(invalid(
                        name,
                        format!("must be a year from {} to {}, got {y}", YEARS.start(), YEARS.end()),
                    ));
                }
            }
        }
        let years = match (self.year_from, self.year_to) {
            (None, None) => None,
            (Some(a), Some(b)) if a > b => {
                return Err(invalid("year_from", format!("year_from ({a}) is after year_to ({b})")))
            }
            (a, b) => Some((a.unwrap_or(*YEARS.start()) as u16, b.unwrap_or(*YEARS.end()) as u16)),
        };
        let filters = Filters {
            location: resolve_values("location", self.location.into_vec(), |v| taxonomy.resolve_place(v))?,
            violation: resolve_values("violation", self.violation.into_vec(), |v| taxonomy.resolve_violation(v))?,
            sdg: resolve_values("sdg", self.sdg.into_vec(), |v| taxonomy.resolve_sdg(v))?,
            years,
        };
        let facets = FacetSelection::parse(self.facets.as_deref())?;
        Ok(ValidSearch {
            text: text.trim().to_string(),
            lang,
            filters,
            group,
            sort,
            page,
            per_page,
            coded_only,
            // The engine's search takes the caller's viewer and sets it; until then, the least.
            viewer: super::Viewer::Public { min_count: super::DEFAULT_MIN_COUNT },
            facets,
        })
    }
}
