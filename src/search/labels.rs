//! The labels of facet values, made once per engine and shared by every answer.
//!
//! A faceted search reports hundreds of values (every place with a matching testimony, and its
//! ancestors), each with its id, two labels and its parent. Copying those four strings out of the
//! taxonomy for every value of every search, and freeing them after, was about 5% of a search's
//! instructions on the independent benchmark (docs/BENCHMARKS.md, thirteenth session). Here a
//! value costs a hash lookup and pointer copies: the labels are interned for the life of the
//! process (each distinct string once), because shared reference counts, touched by every search
//! on every thread, cost two searching threads more than the copies had (2-thread QPS 459 → 442).

use std::borrow::Cow;
use std::sync::{LazyLock, Mutex};

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::taxonomy::{FacetKind, Taxonomy};

/// A facet value as answers carry it: an id (a place, violation code or SDG goal or target), or
/// a year, which the JSON gives as a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum FacetValue {
    Id(Label),
    Year(u64),
}

/// A label or id: the interned string of a value the taxonomy knows, or a copy for any other.
pub type Label = Cow<'static, str>;

/// `text` for the life of the process, each distinct string stored once: the taxonomy's labels,
/// made when an engine opens (a process opens the same taxonomy again, not new ones).
fn interned(text: &str) -> Label {
    static STRINGS: LazyLock<Mutex<FxHashSet<&'static str>>> = LazyLock::new(Default::default);
    let mut strings = STRINGS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(&kept) = strings.get(text) {
        return Cow::Borrowed(kept);
    }
    let kept: &'static str = Box::leak(text.into());
    strings.insert(kept);
    Cow::Borrowed(kept)
}

impl FacetValue {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            FacetValue::Id(id) => Some(id),
            FacetValue::Year(_) => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            FacetValue::Year(y) => Some(*y),
            FacetValue::Id(_) => None,
        }
    }
}

/// What an answer says about a facet value besides its counts.
#[derive(Debug, Clone)]
pub struct FacetLabel {
    pub value: FacetValue,
    pub en: Label,
    pub ko: Label,
    /// The parent value of a hierarchical facet (a place's region, an SDG target's goal).
    pub parent: Option<Label>,
}

impl FacetLabel {
    /// The value as an id (a year's, its digits).
    pub fn id(&self) -> Label {
        match &self.value {
            FacetValue::Id(id) => id.clone(),
            FacetValue::Year(y) => Cow::Owned(y.to_string()),
        }
    }

    /// The label of a value the taxonomy knows, interned.
    fn known(taxonomy: &Taxonomy, kind: FacetKind, value: &str) -> FacetLabel {
        let copy = FacetLabel::new(taxonomy, kind, value);
        let intern = |label: Label| interned(&label);
        FacetLabel {
            value: FacetValue::Id(intern(copy.id())),
            en: intern(copy.en),
            ko: intern(copy.ko),
            parent: copy.parent.map(intern),
        }
    }

    /// The label of `value` of `kind` as the taxonomy gives it; the value itself when the
    /// taxonomy does not know it (a code from a record that the taxonomy no longer lists).
    fn new(taxonomy: &Taxonomy, kind: FacetKind, value: &str) -> FacetLabel {
        let labels = taxonomy.labels(kind, value);
        let parent = match kind {
            FacetKind::Sdg => value.split_once('.').map(|(goal, _)| goal),
            _ => crate::taxonomy::parent_of(value),
        };
        FacetLabel {
            value: FacetValue::Id(Cow::Owned(value.to_string())),
            en: Cow::Owned(labels.as_ref().map_or(value, |l| l.en.as_str()).to_string()),
            ko: Cow::Owned(labels.as_ref().map_or(value, |l| l.ko.as_str()).to_string()),
            parent: parent.map(|p| Cow::Owned(p.to_string())),
        }
    }

    fn year(year: u64) -> FacetLabel {
        FacetLabel {
            value: FacetValue::Year(year),
            en: Cow::Owned(year.to_string()),
            ko: Cow::Owned(format!("{year}년")),
            parent: None,
        }
    }
}

/// Years labelled in advance; any other year is labelled when asked for.
const YEARS: std::ops::RangeInclusive<u64> = 1900..=2100;

/// The labels of every value the taxonomy knows, by facet.
pub struct FacetLabels {
    /// Location, violation and SDG values, in that order.
    ids: [FxHashMap<Box<str>, FacetLabel>; 3],
    years: Vec<FacetLabel>,
}

fn slot(kind: FacetKind) -> Option<usize> {
    match kind {
        FacetKind::Location => Some(0),
        FacetKind::Violation => Some(1),
        FacetKind::Sdg => Some(2),
        FacetKind::Year => None,
    }
}

impl FacetLabels {
    pub fn new(taxonomy: &Taxonomy) -> FacetLabels {
        let sdg: Vec<String> = taxonomy
            .goals()
            .iter()
            .map(|g| g.goal.to_string())
            .chain(taxonomy.targets().iter().map(|t| t.target.clone()))
            .collect();
        let known: [(FacetKind, Vec<&str>); 3] = [
            (FacetKind::Location, taxonomy.places().iter().map(|p| p.id.as_str()).collect()),
            (FacetKind::Violation, taxonomy.violations().iter().map(|v| v.code.as_str()).collect()),
            (FacetKind::Sdg, sdg.iter().map(String::as_str).collect()),
        ];
        let ids = known.map(|(kind, values)| {
            values.into_iter().map(|v| (Box::from(v), FacetLabel::known(taxonomy, kind, v))).collect()
        });
        let years = YEARS
            .map(|y| {
                let label = FacetLabel::year(y);
                FacetLabel { en: interned(&label.en), ko: interned(&label.ko), ..label }
            })
            .collect();
        FacetLabels { ids, years }
    }

    /// The label of `value` of `kind` (a place, violation or SDG value; years: [`FacetLabels::year`]).
    pub fn get(&self, taxonomy: &Taxonomy, kind: FacetKind, value: &str) -> FacetLabel {
        self.known(kind, value).cloned().unwrap_or_else(|| FacetLabel::new(taxonomy, kind, value))
    }

    /// The label of a value the taxonomy knows (not a year); None for any other.
    pub fn known(&self, kind: FacetKind, value: &str) -> Option<&FacetLabel> {
        slot(kind).and_then(|i| self.ids[i].get(value))
    }

    /// The label of a year.
    pub fn year(&self, year: u64) -> FacetLabel {
        self.year_known(year).cloned().unwrap_or_else(|| FacetLabel::year(year))
    }

    fn year_known(&self, year: u64) -> Option<&FacetLabel> {
        year.checked_sub(*YEARS.start()).and_then(|i| self.years.get(i as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_made_in_advance_are_the_taxonomys() {
        let t = Taxonomy::embedded().unwrap();
        let labels = FacetLabels::new(&t);
        for p in t.places().iter().take(50) {
            let l = labels.get(&t, FacetKind::Location, &p.id);
            assert_eq!((&*l.en, &*l.ko), (p.en.as_str(), p.ko.as_str()));
            assert_eq!(l.parent.as_deref(), crate::taxonomy::parent_of(&p.id));
            assert_eq!(l.value.as_str(), Some(p.id.as_str()));
        }
        let target = &t.targets()[0].target;
        let l = labels.get(&t, FacetKind::Sdg, target);
        assert_eq!(l.parent.as_deref(), target.split_once('.').map(|(g, _)| g));
        assert_eq!(&*labels.year(2008).ko, "2008년");
        assert_eq!(labels.year(1850).value, FacetValue::Year(1850));
    }

    #[test]
    fn an_unknown_value_is_its_own_label() {
        let t = Taxonomy::embedded().unwrap();
        let labels = FacetLabels::new(&t);
        assert!(labels.known(FacetKind::Violation, "no-such/code").is_none());
        let code = &t.violations()[0].code;
        assert_eq!(labels.known(FacetKind::Violation, code).map(|l| l.id()).as_deref(), Some(code.as_str()));
        let l = labels.get(&t, FacetKind::Violation, "no-such/code");
        assert_eq!((&*l.en, &*l.ko, l.parent.as_deref()), ("no-such/code", "no-such/code", Some("no-such")));
    }

    #[test]
    fn values_serialise_as_strings_and_years_as_numbers() {
        assert_eq!(serde_json::to_string(&FacetValue::Id("16.1".into())).unwrap(), "\"16.1\"");
        assert_eq!(serde_json::to_string(&FacetValue::Year(2008)).unwrap(), "2008");
    }
}
