//! The controlled vocabularies of index-schema/: the violation taxonomy, the SDG goals, targets and
//! violation→SDG mapping, and the gazetteer. Loaded and validated once at start-up; resolves any
//! label or spelling to a canonical id and finds places, years and violations in text.
//! Knows nothing of the index or HTTP.

mod extract;
mod load;
mod resolve;

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use extract::{find_years, is_unasserted, years_of, Extraction, Mention, YearSpan};
pub use resolve::Resolution;

/// The file of index-schema/ that declares the index fields.
pub const FIELDS_FILE: &str = load::FIELDS;

/// Where the index-schema files are read from.
#[derive(Debug, Clone, Default)]
pub enum SchemaSource {
    /// The files compiled into the binary from index-schema/.
    #[default]
    Embedded,
    /// A folder holding files of the same names (any missing file is taken from the embedded set).
    Dir(PathBuf),
}

/// A taxonomy file that could not be read or that holds a wrong entry.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {entry}{message}")]
pub struct TaxonomyError {
    pub file: String,
    /// The entry at fault, with a trailing ": ", or empty.
    pub entry: String,
    pub message: String,
}

/// A violation type: a node of the hierarchical taxonomy.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Violation {
    pub code: String,
    pub en: String,
    pub ko: String,
    #[serde(default)]
    pub synonyms_en: Vec<String>,
    #[serde(default)]
    pub synonyms_ko: Vec<String>,
    #[serde(default)]
    pub description: String,
}

/// A place of the gazetteer; its id is its path (`kp/north-hamgyong/hoeryong`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    pub id: String,
    pub kind: String,
    pub ko: String,
    pub en: String,
    #[serde(default)]
    pub mr: Option<String>,
    #[serde(default)]
    pub rr: Option<String>,
    #[serde(default)]
    pub variants: Vec<String>,
    #[serde(default)]
    pub number: Option<u32>,
    #[serde(default)]
    pub facility_type: Option<String>,
}

impl Place {
    /// Every name of the place: Hangul, English, McCune–Reischauer, Revised Romanization, variants.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        [Some(self.ko.as_str()), Some(self.en.as_str()), self.mr.as_deref(), self.rr.as_deref()]
            .into_iter()
            .flatten()
            .chain(self.variants.iter().map(String::as_str))
    }
}

/// A term of the bilingual glossary: its forms in English and Korean (for query expansion).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GlossaryTerm {
    pub en: Vec<String>,
    pub ko: Vec<String>,
}

/// A Sustainable Development Goal.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SdgGoal {
    pub goal: u32,
    pub en: String,
    pub ko: String,
}

/// An SDG target such as "16.1".
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SdgTarget {
    pub target: String,
    pub en: String,
    pub ko: String,
}

/// A row of the violation→SDG mapping; applies to the code and its descendants.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SdgMapping {
    pub violation: String,
    pub targets: Vec<String>,
    pub reason: String,
}

/// A facet dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FacetKind {
    Location,
    Year,
    Violation,
    Sdg,
}

impl FacetKind {
    pub const ALL: [FacetKind; 4] = [FacetKind::Location, FacetKind::Year, FacetKind::Violation, FacetKind::Sdg];

    pub fn name(self) -> &'static str {
        match self {
            FacetKind::Location => "location",
            FacetKind::Year => "year",
            FacetKind::Violation => "violation",
            FacetKind::Sdg => "sdg",
        }
    }
}

/// English and Korean display labels of a facet value.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Labels {
    pub en: String,
    pub ko: String,
}

/// All vocabularies, validated and indexed for lookup.
#[derive(Debug)]
pub struct Taxonomy {
    violations: Vec<Violation>,
    violation_by_code: FxHashMap<String, usize>,
    places: Vec<Place>,
    place_by_id: FxHashMap<String, usize>,
    goals: Vec<SdgGoal>,
    targets: Vec<SdgTarget>,
    mapping: Vec<SdgMapping>,
    /// SDG values (goals and targets) per violation code, ancestors' rows included.
    sdg_by_violation: HashMap<String, Vec<String>>,
    /// Display labels of the SDG goals and targets by value ("16", "16.1"): a search labels
    /// every SDG value it counts.
    sdg_labels: FxHashMap<String, Labels>,
    names: resolve::NameIndex,
    glossary: Vec<GlossaryTerm>,
    /// Concept key → glossary terms with a form of that key.
    glossary_keys: HashMap<String, Vec<u32>>,
    glossary_max_tokens: usize,
}

impl Taxonomy {
    /// Loads the files compiled into the binary.
    pub fn embedded() -> Result<Taxonomy, TaxonomyError> {
        Taxonomy::load(&SchemaSource::Embedded)
    }

    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    pub fn places(&self) -> &[Place] {
        &self.places
    }

    pub fn goals(&self) -> &[SdgGoal] {
        &self.goals
    }

    pub fn targets(&self) -> &[SdgTarget] {
        &self.targets
    }

    pub fn mapping(&self) -> &[SdgMapping] {
        &self.mapping
    }

    pub fn violation(&self, code: &str) -> Option<&Violation> {
        self.violation_by_code.get(code).map(|&i| &self.violations[i])
    }

    pub fn place(&self, id: &str) -> Option<&Place> {
        self.place_by_id.get(id).map(|&i| &self.places[i])
    }

    /// Every name of every place, violation and glossary term, in both languages: what a query
    /// can expand to (the index keeps those of several words as terms, src/analysis/names.rs).
    pub fn all_names(&self) -> impl Iterator<Item = &str> {
        let places = self.places.iter().flat_map(Place::names);
        let violations = self.violations.iter().flat_map(|v| {
            [v.en.as_str(), v.ko.as_str()]
                .into_iter()
                .chain(v.synonyms_en.iter().chain(&v.synonyms_ko).map(String::as_str))
        });
        let glossary = self.glossary.iter().flat_map(|t| t.en.iter().chain(&t.ko).map(String::as_str));
        places.chain(violations).chain(glossary)
    }

    /// A glossary term by its index.
    pub fn glossary_term(&self, i: u32) -> Option<&GlossaryTerm> {
        self.glossary.get(i as usize)
    }

    /// Glossary terms in a text, longest first: (from, to, term index).
    pub fn glossary_mentions(&self, text: &str) -> Vec<(usize, usize, u32)> {
        let tokens = crate::analysis::concept_tokens(text);
        let mut out = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let longest = self.glossary_max_tokens.min(tokens.len() - i);
            let found = (1..=longest).rev().find_map(|n| {
                let key: String = tokens[i..i + n].iter().map(|t| t.text.as_str()).collect();
                self.glossary_keys.get(&key).and_then(|terms| terms.first()).map(|t| (n, *t))
            });
            match found {
                Some((n, term)) => {
                    out.push((tokens[i].from, tokens[i + n - 1].to, term));
                    i += n;
                }
                None => i += 1,
            }
        }
        out
    }

    /// The SDG goals and targets a violation code bears on (through its own and its ancestors' rows).
    pub fn sdg_for(&self, code: &str) -> &[String] {
        self.sdg_by_violation.get(code).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Display labels of a facet value, if the value is known.
    pub fn labels(&self, kind: FacetKind, value: &str) -> Option<Labels> {
        match kind {
            FacetKind::Location => self.place(value).map(|p| Labels { en: p.en.clone(), ko: p.ko.clone() }),
            FacetKind::Violation => self.violation(value).map(|v| Labels { en: v.en.clone(), ko: v.ko.clone() }),
            FacetKind::Sdg => self.sdg_labels.get(value).cloned(),
            FacetKind::Year => Some(Labels { en: value.to_string(), ko: format!("{value}년") }),
        }
    }
}

/// A value and all its ancestors, for hierarchical facets: "a/b/c" → ["a", "a/b", "a/b/c"].
pub fn with_ancestors(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i]).chain(std::iter::once(path))
}

/// The parent of a hierarchical value, if any.
pub fn parent_of(path: &str) -> Option<&str> {
    path.rfind('/').map(|i| &path[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestors_of_a_path() {
        let a: Vec<&str> = with_ancestors("kp/north-hamgyong/hoeryong").collect();
        assert_eq!(a, ["kp", "kp/north-hamgyong", "kp/north-hamgyong/hoeryong"]);
        assert_eq!(with_ancestors("life").collect::<Vec<_>>(), ["life"]);
        assert_eq!(parent_of("life/public-execution"), Some("life"));
        assert_eq!(parent_of("life"), None);
    }
}
