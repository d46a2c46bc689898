//! Reading and validating the index-schema/ files.

use std::collections::{BTreeSet, HashMap};

use rustc_hash::FxHashMap;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::resolve::NameIndex;
use super::{Labels, Place, SchemaSource, SdgGoal, SdgMapping, SdgTarget, Taxonomy, TaxonomyError, Violation};

pub(crate) const VIOLATIONS: &str = "violations.toml";
pub(crate) const SDG: &str = "sdg.toml";
pub(crate) const GAZETTEER: &str = "gazetteer.toml";
pub(crate) const FIELDS: &str = "fields.toml";
pub(crate) const GLOSSARY: &str = "glossary.toml";

const PLACE_KINDS: &[&str] =
    &["country", "province", "special-city", "city", "county", "district", "facility", "region"];

impl SchemaSource {
    /// The text of one index-schema file, with the path it came from.
    pub fn read(&self, name: &str) -> Result<(String, String), TaxonomyError> {
        if let SchemaSource::Dir(dir) = self {
            let path = dir.join(name);
            if path.exists() {
                let text = std::fs::read_to_string(&path).map_err(|e| TaxonomyError {
                    file: path.display().to_string(),
                    entry: String::new(),
                    message: format!("cannot read: {e}"),
                })?;
                return Ok((path.display().to_string(), text));
            }
        }
        let text = match name {
            VIOLATIONS => include_str!("../../index-schema/violations.toml"),
            SDG => include_str!("../../index-schema/sdg.toml"),
            GAZETTEER => include_str!("../../index-schema/gazetteer.toml"),
            FIELDS => include_str!("../../index-schema/fields.toml"),
            GLOSSARY => include_str!("../../index-schema/glossary.toml"),
            _ => {
                return Err(TaxonomyError {
                    file: name.to_string(),
                    entry: String::new(),
                    message: "no such index-schema file".into(),
                })
            }
        };
        Ok((format!("index-schema/{name} (embedded)"), text.to_string()))
    }

    /// Reads and parses one TOML file of the schema.
    pub(crate) fn parse<T: DeserializeOwned>(&self, name: &str) -> Result<(String, T), TaxonomyError> {
        let (file, text) = self.read(name)?;
        let value = toml::from_str(&text).map_err(|e| TaxonomyError {
            file: file.clone(),
            entry: String::new(),
            message: e.to_string(),
        })?;
        Ok((file, value))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ViolationsFile {
    violation: Vec<Violation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SdgFile {
    goal: Vec<SdgGoal>,
    target: Vec<SdgTarget>,
    mapping: Vec<SdgMapping>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GlossaryFile {
    term: Vec<super::GlossaryTerm>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GazetteerFile {
    place: Vec<Place>,
}

fn error(file: &str, entry: &str, message: impl Into<String>) -> TaxonomyError {
    TaxonomyError { file: file.to_string(), entry: format!("{entry}: "), message: message.into() }
}

/// A hierarchical id: lowercase ASCII words joined by '-', levels by '/'.
fn valid_path(id: &str) -> bool {
    !id.is_empty()
        && id.split('/').all(|part| {
            !part.is_empty()
                && !part.starts_with('-')
                && !part.ends_with('-')
                && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

impl Taxonomy {
    /// Loads and validates the violations, SDG and gazetteer files.
    pub fn load(source: &SchemaSource) -> Result<Taxonomy, TaxonomyError> {
        let (vfile, violations) = source.parse::<ViolationsFile>(VIOLATIONS)?;
        let violations = violations.violation;
        let mut violation_by_code = FxHashMap::default();
        for (i, v) in violations.iter().enumerate() {
            if !valid_path(&v.code) {
                return Err(error(&vfile, &v.code, "code must be lowercase ascii words joined by '-' and '/'"));
            }
            if v.en.trim().is_empty() || v.ko.trim().is_empty() {
                return Err(error(&vfile, &v.code, "en and ko labels are required"));
            }
            if let Some(parent) = super::parent_of(&v.code) {
                if !violation_by_code.contains_key(parent) {
                    return Err(error(&vfile, &v.code, format!("parent '{parent}' must be listed before it")));
                }
            }
            if violation_by_code.insert(v.code.clone(), i).is_some() {
                return Err(error(&vfile, &v.code, "duplicate code"));
            }
        }

        let (gfile, gazetteer) = source.parse::<GazetteerFile>(GAZETTEER)?;
        let places = gazetteer.place;
        let mut place_by_id = FxHashMap::default();
        for (i, p) in places.iter().enumerate() {
            if !valid_path(&p.id) {
                return Err(error(&gfile, &p.id, "id must be lowercase ascii words joined by '-' and '/'"));
            }
            if !PLACE_KINDS.contains(&p.kind.as_str()) {
                return Err(error(
                    &gfile,
                    &p.id,
                    format!("kind '{}' is not one of {}", p.kind, PLACE_KINDS.join(", ")),
                ));
            }
            if p.en.trim().is_empty() || p.ko.trim().is_empty() {
                return Err(error(&gfile, &p.id, "en and ko names are required"));
            }
            if let Some(parent) = super::parent_of(&p.id) {
                if !place_by_id.contains_key(parent) {
                    return Err(error(&gfile, &p.id, format!("parent '{parent}' must be listed before it")));
                }
            }
            if place_by_id.insert(p.id.clone(), i).is_some() {
                return Err(error(&gfile, &p.id, "duplicate id"));
            }
        }

        let (sfile, sdg) = source.parse::<SdgFile>(SDG)?;
        let mut goal_numbers = BTreeSet::new();
        for g in &sdg.goal {
            if !(1..=17).contains(&g.goal) || !goal_numbers.insert(g.goal) {
                return Err(error(&sfile, &format!("goal {}", g.goal), "goals are 1 to 17, each once"));
            }
        }
        let mut target_ids = BTreeSet::new();
        for t in &sdg.target {
            let goal = t.target.split_once('.').and_then(|(g, _)| g.parse::<u32>().ok());
            match goal {
                Some(g) if goal_numbers.contains(&g) => {}
                _ => return Err(error(&sfile, &t.target, "target must be '<goal>.<target>' of a listed goal")),
            }
            if !target_ids.insert(t.target.clone()) {
                return Err(error(&sfile, &t.target, "duplicate target"));
            }
        }
        for m in &sdg.mapping {
            if !violation_by_code.contains_key(&m.violation) {
                return Err(error(&sfile, &m.violation, format!("mapping names a violation code not in {VIOLATIONS}")));
            }
            if let Some(t) = m.targets.iter().find(|t| !target_ids.contains(*t)) {
                return Err(error(&sfile, &m.violation, format!("mapping names target '{t}', which is not listed")));
            }
            if m.reason.trim().is_empty() {
                return Err(error(&sfile, &m.violation, "every mapping row needs a reason"));
            }
        }
        let mut sdg_by_violation: HashMap<String, Vec<String>> = HashMap::new();
        for v in &violations {
            let mut values = BTreeSet::new();
            for code in super::with_ancestors(&v.code) {
                for m in sdg.mapping.iter().filter(|m| m.violation == code) {
                    for t in &m.targets {
                        if let Some((goal, _)) = t.split_once('.') {
                            values.insert(goal.to_string());
                        }
                        values.insert(t.clone());
                    }
                }
            }
            sdg_by_violation.insert(v.code.clone(), values.into_iter().collect());
        }

        let names =
            NameIndex::build(&violations, &places).map_err(|(entry, message)| error(&vfile, &entry, message))?;

        let (glfile, glossary) = source.parse::<GlossaryFile>(GLOSSARY)?;
        let mut glossary_keys: HashMap<String, Vec<u32>> = HashMap::new();
        let mut glossary_max_tokens = 1;
        for (i, term) in glossary.term.iter().enumerate() {
            if term.en.is_empty() && term.ko.is_empty() {
                return Err(error(&glfile, &format!("term {}", i + 1), "a term needs at least one form"));
            }
            for form in term.en.iter().chain(&term.ko) {
                let tokens = crate::analysis::concept_tokens(form);
                glossary_max_tokens = glossary_max_tokens.max(tokens.len());
                let key: String = tokens.into_iter().map(|t| t.text).collect();
                if !key.is_empty() {
                    glossary_keys.entry(key).or_default().push(i as u32);
                }
            }
        }
        let target_labels = sdg.target.iter().map(|t| {
            (t.target.clone(), Labels { en: format!("{} {}", t.target, t.en), ko: format!("{} {}", t.target, t.ko) })
        });
        let goal_labels = sdg.goal.iter().map(|g| {
            let labels =
                Labels { en: format!("Goal {}: {}", g.goal, g.en), ko: format!("목표 {}: {}", g.goal, g.ko) };
            (g.goal.to_string(), labels)
        });
        // A target's label wins over a goal's of the same value, as the lookup it replaces did.
        let mut sdg_labels: FxHashMap<String, Labels> = goal_labels.collect();
        sdg_labels.extend(target_labels);
        Ok(Taxonomy {
            violations,
            violation_by_code,
            places,
            place_by_id,
            goals: sdg.goal,
            targets: sdg.target,
            mapping: sdg.mapping,
            sdg_by_violation,
            sdg_labels,
            names,
            glossary: glossary.term,
            glossary_keys,
            glossary_max_tokens,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn embedded_schema_loads() {
        let t = Taxonomy::embedded().expect("the embedded index-schema is valid");
        assert!(t.violation("life/public-execution").is_some());
        assert!(t.place("kp/north-hamgyong/hoeryong").is_some());
        assert!(t.sdg_for("life/public-execution").contains(&"16.1".to_string()));
        assert!(t.sdg_for("life/public-execution").contains(&"16".to_string()));
    }

    #[test]
    fn every_violation_maps_to_an_sdg() {
        let t = Taxonomy::embedded().unwrap();
        for v in t.violations() {
            assert!(!t.sdg_for(&v.code).is_empty(), "{} has no SDG target", v.code);
        }
    }

    #[test]
    fn a_wrong_entry_is_named_with_its_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join(VIOLATIONS),
            "[[violation]]\ncode = \"life/public-execution\"\nen = \"x\"\nko = \"y\"\n",
        )
        .unwrap();
        let err = Taxonomy::load(&SchemaSource::Dir(dir.path().into())).unwrap_err().to_string();
        assert!(err.contains("violations.toml"), "{err}");
        assert!(err.contains("life/public-execution"), "{err}");
        assert!(err.contains("parent 'life'"), "{err}");
    }

    #[test]
    fn a_syntax_error_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(GAZETTEER), "[[place]\nid = 1").unwrap();
        let err = Taxonomy::load(&SchemaSource::Dir(dir.path().into())).unwrap_err().to_string();
        assert!(err.contains("gazetteer.toml"), "{err}");
    }
}
