//! Resolving labels and spellings to canonical ids: one dictionary from concept keys (see
//! `analysis::concept_key`) to places and violation types, shared by label resolution, extraction
//! from text and query expansion.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::analysis::{concept_tokens, normalize::is_hangul_syllable};

use super::{Place, Taxonomy, Violation};

/// What a place or violation label resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Resolved(String),
    /// Several entries share the spelling and nothing in the label tells them apart.
    Ambiguous(Vec<String>),
    Unresolved,
}

impl Resolution {
    pub fn id(&self) -> Option<&str> {
        match self {
            Resolution::Resolved(id) => Some(id),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ConceptRef {
    Place(u32),
    Violation(u32),
}

/// Concept key → the entries that carry a name with that key.
#[derive(Debug, Default)]
pub(crate) struct NameIndex {
    // Fx hashing: the keys are short strings looked up for every word of every passage at ingest,
    // where SipHash's protection against chosen keys buys nothing (the keys are our own names).
    by_key: FxHashMap<String, Vec<ConceptRef>>,
    /// Every leading part of every key (by characters): extraction stops growing an n-gram as
    /// soon as it is not the start of some name.
    prefixes: FxHashSet<String>,
    /// The most concept tokens any name has (bounds the n-grams extraction tries).
    pub(crate) max_tokens: usize,
}

/// Trailing administrative words that a place name may or may not carry (stemmed forms).
const LATIN_SUFFIXES: &[&str] = &[
    "counti",
    "citi",
    "provinc",
    "district",
    "gun",
    "kun",
    "si",
    "shi",
    "do",
    "guyok",
    "kuyok",
    "gu",
    "ku",
    "ri",
    "up",
    "eup",
    "prefectur",
];
/// Korean administrative suffixes, longest first.
const HANGUL_SUFFIXES: &[&str] =
    &["특별시", "직할시", "특급시", "노동자구", "구역", "시", "군", "도", "구", "리", "읍"];

/// The concept tokens of a name, and the same without trailing administrative suffixes.
pub(crate) fn place_keys(name: &str) -> Vec<String> {
    let mut tokens: Vec<String> = concept_tokens(name).into_iter().map(|t| t.text).collect();
    let full: String = tokens.concat();
    let mut keys = vec![full];
    // Whole trailing words first ("Musan County" → musan), then a suffix glued to the last
    // Hangul word (회령시 → 회령).
    while tokens.len() > 1
        && tokens
            .last()
            .is_some_and(|last| LATIN_SUFFIXES.contains(&last.as_str()) || HANGUL_SUFFIXES.contains(&last.as_str()))
    {
        tokens.pop();
    }
    if let Some(last) = tokens.last_mut() {
        if last.chars().all(is_hangul_syllable) {
            if let Some(s) =
                HANGUL_SUFFIXES.iter().find(|s| last.ends_with(*s) && last.chars().count() >= s.chars().count() + 2)
            {
                last.truncate(last.len() - s.len());
            }
        }
    }
    let stripped = tokens.concat();
    if !stripped.is_empty() && stripped != keys[0] {
        keys.push(stripped);
    }
    keys.retain(|k| !k.is_empty());
    keys
}

fn violation_keys(v: &Violation) -> Vec<String> {
    let code_words = v.code.replace(['/', '-'], " ");
    let mut keys: Vec<String> = [v.en.as_str(), v.ko.as_str(), code_words.as_str()]
        .into_iter()
        .chain(v.synonyms_en.iter().map(String::as_str))
        .chain(v.synonyms_ko.iter().map(String::as_str))
        .map(crate::analysis::concept_key)
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

impl NameIndex {
    /// Builds the dictionary. A name shared by two violation types is an error (the taxonomy must
    /// say which one a word means); names shared by places are kept and resolved by context.
    pub(crate) fn build(violations: &[Violation], places: &[Place]) -> Result<NameIndex, (String, String)> {
        let mut index = NameIndex::default();
        for (i, v) in violations.iter().enumerate() {
            for key in violation_keys(v) {
                let entry = index.by_key.entry(key.clone()).or_default();
                if let Some(ConceptRef::Violation(other)) = entry.iter().find(|c| matches!(c, ConceptRef::Violation(_)))
                {
                    return Err((
                        v.code.clone(),
                        format!(
                            "a label or synonym (key '{key}') is also a label of '{}'",
                            violations[*other as usize].code
                        ),
                    ));
                }
                entry.push(ConceptRef::Violation(i as u32));
            }
        }
        for (i, p) in places.iter().enumerate() {
            let mut keys: Vec<String> = p.names().flat_map(place_keys).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                index.by_key.entry(key).or_default().push(ConceptRef::Place(i as u32));
            }
        }
        index.max_tokens = violations
            .iter()
            .flat_map(|v| v.synonyms_en.iter().chain(&v.synonyms_ko).chain([&v.en, &v.ko]))
            .map(|s| concept_tokens(s).len())
            .chain(places.iter().flat_map(|p| p.names().map(|n| concept_tokens(n).len()).collect::<Vec<_>>()))
            .max()
            .unwrap_or(1);
        let mut prefixes = FxHashSet::default();
        for key in index.by_key.keys() {
            for (end, c) in key.char_indices() {
                prefixes.insert(key[..end + c.len_utf8()].to_string());
            }
        }
        index.prefixes = prefixes;
        Ok(index)
    }

    /// True when some name's key starts with `part`.
    pub(crate) fn starts_a_name(&self, part: &str) -> bool {
        self.prefixes.contains(part)
    }

    pub(crate) fn lookup(&self, key: &str) -> &[ConceptRef] {
        self.by_key.get(key).map(Vec::as_slice).unwrap_or(&[])
    }
}

impl Taxonomy {
    pub(crate) fn names(&self) -> &NameIndex {
        &self.names
    }

    pub(crate) fn place_at(&self, i: u32) -> &Place {
        &self.places[i as usize]
    }

    pub(crate) fn violation_at(&self, i: u32) -> &Violation {
        &self.violations[i as usize]
    }

    /// Places whose names have this key (full or without administrative suffix).
    fn place_candidates(&self, keys: &[String]) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for key in keys {
            for c in self.names.lookup(key) {
                if let ConceptRef::Place(i) = c {
                    let id = self.place_at(*i).id.as_str();
                    if !out.contains(&id) {
                        out.push(id);
                    }
                }
            }
            if !out.is_empty() {
                break;
            }
        }
        out
    }

    /// Resolves a place label in any spelling: a canonical id, Hangul with or without 시/군/도,
    /// McCune–Reischauer with or without breves, Revised Romanization, "Musan County, North Hamgyong
    /// Province" or "함경북도 온성군" (the larger place narrows the smaller).
    pub fn resolve_place(&self, label: &str) -> Resolution {
        let trimmed = label.trim();
        if self.place_by_id.contains_key(&trimmed.to_ascii_lowercase()) {
            return Resolution::Resolved(trimmed.to_ascii_lowercase());
        }
        if let Some((target, context)) = trimmed.split_once([',', '，']) {
            let within = self.place_candidates(&place_keys(context));
            let cands = self.place_candidates(&place_keys(target));
            let narrowed: Vec<&str> =
                cands.iter().copied().filter(|c| within.iter().any(|w| is_within(c, w))).collect();
            let picked = pick(if narrowed.is_empty() { cands } else { narrowed });
            if picked != Resolution::Unresolved {
                return picked;
            }
        }
        let cands = self.place_candidates(&place_keys(trimmed));
        if !cands.is_empty() {
            return pick(cands);
        }
        // Two names run together: 함경북도 온성군 / Onsong North Hamgyong.
        let words: Vec<&str> = trimmed.split_whitespace().collect();
        for k in 1..words.len() {
            for (target, context) in
                [(words[k..].join(" "), words[..k].join(" ")), (words[..k].join(" "), words[k..].join(" "))]
            {
                let within = self.place_candidates(&place_keys(&context));
                if within.is_empty() {
                    continue;
                }
                let narrowed: Vec<&str> = self
                    .place_candidates(&place_keys(&target))
                    .into_iter()
                    .filter(|c| within.iter().any(|w| is_within(c, w)))
                    .collect();
                if !narrowed.is_empty() {
                    return pick(narrowed);
                }
            }
        }
        // A place and a descriptor: 함북 회령 강변, 혜산 보위부, "county office, South Hamgyong".
        let found: Vec<String> = self.extract(trimmed).places.into_iter().map(|m| m.id).collect();
        most_specific(found)
    }

    /// Every violation type a free label names, most specific only: "교화소 강제노동" names
    /// a reeducation camp and forced labour. Empty when the label names none.
    pub fn resolve_violations(&self, label: &str) -> Vec<String> {
        if let Some(code) = self.resolve_violation(label).id() {
            return vec![code.to_string()];
        }
        let found: Vec<String> = self.extract(label).violations.into_iter().map(|m| m.id).collect();
        found.iter().filter(|c| !found.iter().any(|o| o != *c && is_within(o, c))).fold(Vec::new(), |mut acc, c| {
            if !acc.contains(c) {
                acc.push(c.clone());
            }
            acc
        })
    }

    /// Resolves a violation label: a taxonomy code, or any English or Korean label or synonym.
    pub fn resolve_violation(&self, label: &str) -> Resolution {
        let trimmed = label.trim().to_ascii_lowercase();
        if self.violation_by_code.contains_key(&trimmed) {
            return Resolution::Resolved(trimmed);
        }
        let key = crate::analysis::concept_key(label);
        let ids: Vec<&str> = self
            .names
            .lookup(&key)
            .iter()
            .filter_map(|c| match c {
                ConceptRef::Violation(i) => Some(self.violation_at(*i).code.as_str()),
                ConceptRef::Place(_) => None,
            })
            .collect();
        pick(ids)
    }

    /// Resolves an SDG value: "16", "16.1", "SDG 16.1", "Goal 16", "목표 16".
    pub fn resolve_sdg(&self, label: &str) -> Resolution {
        let t = label.trim().to_ascii_lowercase();
        let t = t
            .trim_start_matches("sdg")
            .trim_start_matches("goal")
            .trim_start_matches("목표")
            .trim()
            .trim_start_matches(['-', ':'])
            .trim();
        if self.targets.iter().any(|x| x.target.to_ascii_lowercase() == t) {
            return Resolution::Resolved(
                self.targets
                    .iter()
                    .find(|x| x.target.to_ascii_lowercase() == t)
                    .map(|x| x.target.clone())
                    .unwrap_or_default(),
            );
        }
        match t.parse::<u32>() {
            Ok(g) if self.goals.iter().any(|x| x.goal == g) => Resolution::Resolved(g.to_string()),
            _ => Resolution::Unresolved,
        }
    }
}

/// The one place the others contain (함북 ⊃ 회령 → 회령); ambiguous when places are unrelated.
fn most_specific(found: Vec<String>) -> Resolution {
    let mut ids: Vec<String> = Vec::new();
    for f in found {
        if !ids.contains(&f) {
            ids.push(f);
        }
    }
    let inner: Vec<&String> = ids.iter().filter(|c| !ids.iter().any(|o| o != *c && is_within(o, c))).collect();
    match inner.as_slice() {
        [] => Resolution::Unresolved,
        [one] if ids.iter().all(|o| is_within(one, o)) => Resolution::Resolved((*one).clone()),
        _ => Resolution::Ambiguous(ids),
    }
}

/// True when `place` is `area` or lies inside it.
pub(crate) fn is_within(place: &str, area: &str) -> bool {
    place == area || (place.starts_with(area) && place.as_bytes().get(area.len()) == Some(&b'/'))
}

/// One id from candidates: the only one; the one the others lie inside; the only North Korean one.
pub(crate) fn pick_place(cands: Vec<&str>) -> Resolution {
    pick(cands)
}

/// For running text: the only candidate, or the one the others lie inside; otherwise ambiguous
/// (no preference for North Korea: 강원도 may be either Kangwon, and context must tell).
pub(crate) fn pick_place_strict(cands: Vec<&str>) -> Resolution {
    match cands.len() {
        0 => Resolution::Unresolved,
        1 => Resolution::Resolved(cands[0].to_string()),
        _ => match cands.iter().find(|c| cands.iter().all(|o| is_within(o, c))) {
            Some(outer) => Resolution::Resolved(outer.to_string()),
            None => Resolution::Ambiguous(cands.iter().map(|c| c.to_string()).collect()),
        },
    }
}

fn pick(cands: Vec<&str>) -> Resolution {
    match cands.len() {
        0 => return Resolution::Unresolved,
        1 => return Resolution::Resolved(cands[0].to_string()),
        _ => {}
    }
    if let Some(outer) = cands.iter().find(|c| cands.iter().all(|o| is_within(o, c))) {
        return Resolution::Resolved(outer.to_string());
    }
    let north: Vec<&&str> = cands.iter().filter(|c| is_within(c, "kp")).collect();
    if north.len() == 1 {
        return Resolution::Resolved(north[0].to_string());
    }
    Resolution::Ambiguous(cands.iter().map(|c| c.to_string()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::Taxonomy;

    fn t() -> Taxonomy {
        Taxonomy::embedded().unwrap()
    }

    #[test]
    fn hoeryong_in_every_spelling() {
        let t = t();
        for label in [
            "Hoeryŏng",
            "Hoeryong",
            "Hoeryeong",
            "회령",
            "회령시",
            "HOERYONG CITY",
            "Hoe-ryong",
            "kp/north-hamgyong/hoeryong",
        ] {
            assert_eq!(t.resolve_place(label).id(), Some("kp/north-hamgyong/hoeryong"), "{label}");
        }
    }

    #[test]
    fn province_and_county_labels() {
        let t = t();
        assert_eq!(t.resolve_place("North Hamgyong Province").id(), Some("kp/north-hamgyong"));
        assert_eq!(t.resolve_place("함경북도").id(), Some("kp/north-hamgyong"));
        assert_eq!(t.resolve_place("Musan County, North Hamgyong Province").id(), Some("kp/north-hamgyong/musan"));
        assert_eq!(t.resolve_place("함경북도 온성군").id(), Some("kp/north-hamgyong/onsong"));
        assert_eq!(t.resolve_place("Ch'ŏngjin").id(), Some("kp/north-hamgyong/chongjin"));
        assert_eq!(t.resolve_place("Yanji").id(), Some("cn/jilin/yanji"));
        assert_eq!(t.resolve_place("연길").id(), Some("cn/jilin/yanji"));
    }

    #[test]
    fn a_place_with_a_descriptor() {
        let t = t();
        assert_eq!(t.resolve_place("함북 회령 강변").id(), Some("kp/north-hamgyong/hoeryong"));
        assert_eq!(t.resolve_place("청진역").id(), Some("kp/north-hamgyong/chongjin"));
        assert_eq!(t.resolve_place("Hamgyong-bukto").id(), Some("kp/north-hamgyong"));
    }

    #[test]
    fn a_free_label_may_name_several_violations() {
        let t = t();
        let v = t.resolve_violations("교화소 강제노동");
        assert!(v.contains(&"detention/reeducation-camp".to_string()), "{v:?}");
        assert!(v.iter().any(|c| c.starts_with("forced-labour")), "{v:?}");
        assert!(t.resolve_violations("장마당 단속").is_empty());
    }

    #[test]
    fn unknown_places_stay_unresolved() {
        assert_eq!(t().resolve_place("Unknown village near the river"), Resolution::Unresolved);
    }

    #[test]
    fn violation_labels_in_both_languages() {
        let t = t();
        assert_eq!(t.resolve_violation("life/public-execution").id(), Some("life/public-execution"));
        assert_eq!(t.resolve_violation("public execution").id(), Some("life/public-execution"));
        assert_eq!(t.resolve_violation("Public Executions").id(), Some("life/public-execution"));
        assert_eq!(t.resolve_violation("공개처형").id(), Some("life/public-execution"));
        assert_eq!(t.resolve_violation("장마당 단속"), Resolution::Unresolved);
    }

    #[test]
    fn sdg_values() {
        let t = t();
        assert_eq!(t.resolve_sdg("16.1").id(), Some("16.1"));
        assert_eq!(t.resolve_sdg("SDG 16").id(), Some("16"));
        assert_eq!(t.resolve_sdg("99"), Resolution::Unresolved);
    }
}
