//! From a validated record to what the index stores: passages with their detected language,
//! coded events resolved through the taxonomy, and facet values (coded and extracted) with their
//! provenance.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::analysis::{detect, Lang};
use crate::taxonomy::{FacetKind, Resolution, Taxonomy};

use super::passage::{split_paragraphs, Speaker};
use super::record::Testimony;

/// Whether a facet value was coded by a person or extracted from the text by the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provenance {
    Coded,
    Extracted,
}

/// One facet value of a testimony or passage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetValue {
    pub value: String,
    pub provenance: Provenance,
    /// For extracted values: the passages (paragraph numbers) it was found in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passages: Vec<u32>,
}

/// Facet values per dimension; the value sets are kept sorted and unique.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    pub location: Vec<FacetValue>,
    pub year: Vec<FacetValue>,
    pub violation: Vec<FacetValue>,
    pub sdg: Vec<FacetValue>,
}

impl Facets {
    pub fn get(&self, kind: FacetKind) -> &[FacetValue] {
        match kind {
            FacetKind::Location => &self.location,
            FacetKind::Year => &self.year,
            FacetKind::Violation => &self.violation,
            FacetKind::Sdg => &self.sdg,
        }
    }

    fn get_mut(&mut self, kind: FacetKind) -> &mut Vec<FacetValue> {
        match kind {
            FacetKind::Location => &mut self.location,
            FacetKind::Year => &mut self.year,
            FacetKind::Violation => &mut self.violation,
            FacetKind::Sdg => &mut self.sdg,
        }
    }

    /// Adds a value; a coded value wins over an extracted one, passages accumulate.
    fn add(&mut self, kind: FacetKind, value: &str, provenance: Provenance, passage: Option<u32>) {
        let list = self.get_mut(kind);
        let entry = match list.iter_mut().find(|v| v.value == value) {
            Some(e) => e,
            None => {
                list.push(FacetValue { value: value.to_string(), provenance, passages: Vec::new() });
                list.last_mut().expect("just pushed")
            }
        };
        entry.provenance = entry.provenance.min(provenance);
        if let Some(n) = passage {
            if !entry.passages.contains(&n) {
                entry.passages.push(n);
            }
        }
    }

    /// These values plus the coded values of `testimony` (what a hit shows: what its passage
    /// mentions, and what the testimony was coded with).
    pub fn with_coded_from(&self, testimony: &Facets) -> Facets {
        let mut out = self.clone();
        for kind in FacetKind::ALL {
            for v in testimony.get(kind).iter().filter(|v| v.provenance == Provenance::Coded) {
                out.add(kind, &v.value, Provenance::Coded, None);
            }
        }
        out.sort();
        out
    }

    fn sort(&mut self) {
        for kind in FacetKind::ALL {
            self.get_mut(kind).sort_by(|a, b| a.value.cmp(&b.value));
        }
    }
}

/// A label of the record that resolved to nothing (kept as text, reported).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnresolvedLabel {
    /// "location", "violation" or "origin_province".
    pub kind: &'static str,
    pub label: String,
    /// Set when the label matched several entries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<String>,
}

/// A passage ready for the index.
#[derive(Debug, Clone)]
pub struct PreparedPassage {
    pub n: u32,
    pub speaker: Option<Speaker>,
    pub text: String,
    pub language: Option<Lang>,
    /// The passage's own facet values (what its text mentions, and the coded events for
    /// nothing: coded values belong to the testimony).
    pub facets: Facets,
}

/// A testimony ready for the index.
#[derive(Debug, Clone)]
pub struct PreparedTestimony {
    pub testimony: Testimony,
    pub passages: Vec<PreparedPassage>,
    /// Testimony-level values: coded events plus everything extracted from its passages.
    pub facets: Facets,
    pub origin_province: Option<String>,
    pub unresolved: Vec<UnresolvedLabel>,
}

impl PreparedTestimony {
    /// The citation of one of its passages: "KR-2016-0031 ¶4, interview 2016-03-02".
    pub fn citation(&self, n: u32) -> String {
        citation(&self.testimony.id, n, self.testimony.interview_date.as_deref())
    }

    /// Years covered by the testimony's coded events.
    pub fn coded_years(&self) -> impl Iterator<Item = u16> + '_ {
        self.facets.year.iter().filter(|v| v.provenance == Provenance::Coded).filter_map(|v| v.value.parse().ok())
    }
}

/// "KR-2016-0031 ¶4" plus ", interview 2016-03-02" when the date is known.
pub fn citation(id: &str, n: u32, interview_date: Option<&str>) -> String {
    match interview_date {
        Some(d) => format!("{id} ¶{n}, interview {d}"),
        None => format!("{id} ¶{n}"),
    }
}

fn unresolved(kind: &'static str, label: &str, r: Resolution) -> UnresolvedLabel {
    let candidates = match r {
        Resolution::Ambiguous(c) => c,
        _ => Vec::new(),
    };
    UnresolvedLabel { kind, label: label.to_string(), candidates }
}

/// Analyses one validated testimony: passages, languages, resolution of coded labels, extraction.
pub fn prepare(testimony: Testimony, taxonomy: &Taxonomy) -> PreparedTestimony {
    let mut facets = Facets::default();
    let mut unresolved_labels = Vec::new();

    for event in &testimony.events {
        if let Some(label) = &event.location {
            match taxonomy.resolve_place(label) {
                Resolution::Resolved(id) => {
                    for v in crate::taxonomy::with_ancestors(&id) {
                        facets.add(FacetKind::Location, v, Provenance::Coded, None);
                    }
                }
                other => unresolved_labels.push(unresolved("location", label, other)),
            }
        }
        if let Some(label) = &event.violation {
            let codes = taxonomy.resolve_violations(label);
            if codes.is_empty() {
                unresolved_labels.push(unresolved("violation", label, Resolution::Unresolved));
            }
            for code in codes {
                for v in crate::taxonomy::with_ancestors(&code) {
                    facets.add(FacetKind::Violation, v, Provenance::Coded, None);
                }
                for s in taxonomy.sdg_for(&code) {
                    facets.add(FacetKind::Sdg, s, Provenance::Coded, None);
                }
            }
        }
        if let Some(from) = event.year {
            for y in from..=event.year_to.unwrap_or(from) {
                facets.add(FacetKind::Year, &y.to_string(), Provenance::Coded, None);
            }
        }
    }
    let origin_province = testimony.interviewee.as_ref().and_then(|i| i.origin_province.as_ref()).and_then(|label| {
        match taxonomy.resolve_place(label) {
            Resolution::Resolved(id) => Some(id),
            other => {
                unresolved_labels.push(unresolved("origin_province", label, other));
                None
            }
        }
    });

    let mut passages = Vec::new();
    for p in split_paragraphs(&testimony.transcript) {
        let language = detect(&p.text, testimony.language).lang;
        let found = taxonomy.extract_passage(&p.text);
        let mut own = Facets::default();
        for m in &found.places {
            for v in crate::taxonomy::with_ancestors(&m.id) {
                own.add(FacetKind::Location, v, Provenance::Extracted, Some(p.n));
            }
        }
        for m in &found.violations {
            for v in crate::taxonomy::with_ancestors(&m.id) {
                own.add(FacetKind::Violation, v, Provenance::Extracted, Some(p.n));
            }
            for s in taxonomy.sdg_for(&m.id) {
                own.add(FacetKind::Sdg, s, Provenance::Extracted, Some(p.n));
            }
        }
        for y in &found.years {
            own.add(FacetKind::Year, &y.to_string(), Provenance::Extracted, Some(p.n));
        }
        for kind in FacetKind::ALL {
            for v in own.get(kind) {
                facets.add(kind, &v.value, Provenance::Extracted, Some(p.n));
            }
        }
        own.sort();
        passages.push(PreparedPassage { n: p.n, speaker: p.speaker, text: p.text, language, facets: own });
    }
    // A facility named by its kind in one passage and its county in another (요덕 … 정치범 수용소).
    let mut places: Vec<crate::taxonomy::Mention> =
        facets.location.iter().map(|v| crate::taxonomy::Mention { id: v.value.clone(), from: 0, to: 0 }).collect();
    let known = places.len();
    taxonomy.infer_facilities(&testimony.transcript, &mut places);
    for m in places.into_iter().skip(known) {
        let parent = crate::taxonomy::parent_of(&m.id).unwrap_or_default().to_string();
        let found_in: Vec<u32> =
            facets.location.iter().find(|v| v.value == parent).map(|v| v.passages.clone()).unwrap_or_default();
        facets.add(FacetKind::Location, &m.id, Provenance::Extracted, found_in.first().copied());
    }
    facets.sort();
    dedup_unresolved(&mut unresolved_labels);
    PreparedTestimony { testimony, passages, facets, origin_province, unresolved: unresolved_labels }
}

fn dedup_unresolved(list: &mut Vec<UnresolvedLabel>) {
    let mut seen = BTreeMap::new();
    list.retain(|u| seen.insert((u.kind, u.label.clone()), ()).is_none());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::record::{Event, Testimony};

    fn testimony(events: Vec<Event>, transcript: &str) -> Testimony {
        Testimony {
            id: "KR-1".into(),
            language: None,
            title: None,
            interview_date: Some("2016-03-02".into()),
            access: None,
            interviewee: None,
            events,
            transcript: transcript.into(),
        }
    }

    #[test]
    fn coded_events_resolve_with_ancestors_and_sdg() {
        let t = Taxonomy::embedded().unwrap();
        let ev = Event {
            violation: Some("공개처형".into()),
            location: Some("Hoeryŏng".into()),
            year: Some(2008),
            year_to: Some(2009),
        };
        let p = prepare(testimony(vec![ev], "A: 그랬습니다."), &t);
        let loc: Vec<&str> = p.facets.location.iter().map(|v| v.value.as_str()).collect();
        assert_eq!(loc, ["kp", "kp/north-hamgyong", "kp/north-hamgyong/hoeryong"]);
        assert!(p
            .facets
            .violation
            .iter()
            .any(|v| v.value == "life/public-execution" && v.provenance == Provenance::Coded));
        assert!(p.facets.sdg.iter().any(|v| v.value == "16.1"));
        let years: Vec<&str> = p.facets.year.iter().map(|v| v.value.as_str()).collect();
        assert_eq!(years, ["2008", "2009"]);
        assert_eq!(p.citation(1), "KR-1 ¶1, interview 2016-03-02");
    }

    #[test]
    fn extracted_values_say_where_they_were_found() {
        let t = Taxonomy::embedded().unwrap();
        let p = prepare(testimony(vec![], "Q: 어디서요?\n\nA: 2008년에 회령에서 공개처형을 봤습니다."), &t);
        let hoeryong = p.facets.location.iter().find(|v| v.value == "kp/north-hamgyong/hoeryong").unwrap();
        assert_eq!((hoeryong.provenance, hoeryong.passages.as_slice()), (Provenance::Extracted, &[2][..]));
        assert_eq!(p.passages[1].language, Some(Lang::Ko));
        assert_eq!(p.passages[1].speaker, Some(Speaker::Answer));
    }

    #[test]
    fn unknown_labels_are_kept_and_reported() {
        let t = Taxonomy::embedded().unwrap();
        let ev = Event {
            violation: Some("장마당 단속".into()),
            location: Some("Unknown village near the river".into()),
            ..Default::default()
        };
        let p = prepare(testimony(vec![ev], "text"), &t);
        assert_eq!(p.unresolved.len(), 2);
        assert_eq!(p.unresolved[0].kind, "location");
    }
}
