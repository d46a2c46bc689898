//! What the index stores beside the analysed text: the testimony record (metadata and facet values
//! with provenance) and each passage's own values, as JSON in the `meta` field.

use serde::{Deserialize, Serialize};

use crate::analysis::Lang;
use crate::ingest::{Access, Event, Facets, Interviewee, PreparedTestimony, Speaker};

/// A testimony's metadata as stored (its passages are separate documents).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredTestimony {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<Lang>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interview_date: Option<String>,
    pub access: Access,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interviewee: Option<Interviewee>,
    /// The interviewee's origin province resolved to a gazetteer id, when it resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin_place: Option<String>,
    pub events: Vec<Event>,
    pub facets: Facets,
    pub passages: u32,
}

impl StoredTestimony {
    pub fn from_prepared(p: &PreparedTestimony, access: Access) -> StoredTestimony {
        let t = &p.testimony;
        StoredTestimony {
            id: t.id.clone(),
            title: t.title.clone(),
            language: t.language,
            interview_date: t.interview_date.clone(),
            access,
            interviewee: t.interviewee.clone(),
            origin_place: p.origin_province.clone(),
            events: t.events.clone(),
            facets: p.facets.clone(),
            passages: p.passages.len() as u32,
        }
    }
}

/// A passage as stored and returned.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredPassage {
    pub passage_id: String,
    pub testimony_id: String,
    pub paragraph: u32,
    pub language: Option<Lang>,
    pub speaker: Option<Speaker>,
    pub text: String,
    pub citation: String,
    pub access: Access,
    /// Values found in this passage's own text.
    pub facets: Facets,
}

/// The JSON kept in a passage document's `meta` field.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PassageMeta {
    pub facets: Facets,
}

/// The passage id of paragraph `n` of a testimony: `{testimony_id}#{n}`.
pub fn passage_id(testimony_id: &str, n: u32) -> String {
    format!("{testimony_id}#{n}")
}

/// Splits a passage id into testimony id and paragraph number.
pub fn split_passage_id(passage_id: &str) -> Option<(&str, u32)> {
    let (t, n) = passage_id.rsplit_once('#')?;
    let n: u32 = n.parse().ok()?;
    (n >= 1 && !t.is_empty()).then_some((t, n))
}
