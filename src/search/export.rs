//! Export of search hits and quotes as CSV or JSON Lines: the columns, one row per hit or quote
//! with its citation, and the walk through every page of a search up to a limit. Used by the
//! HTTP export (which streams the rows) and the `export` command (which writes them out).

use serde_json::{Map, Value};

use super::quotes::Quote;
use super::{Hit, SearchEngine, SearchError, SearchRequest, TaggedValue, Viewer};

/// Rows per page of the search an export walks through.
const PAGE: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
}

impl Format {
    /// "csv" or "jsonl".
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "jsonl" => Some(Format::Jsonl),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
        }
    }
}

/// One row: column name → value, in column order.
pub type Row = Vec<(&'static str, Value)>;

pub const HIT_COLUMNS: &[&str] = &[
    "passage_id",
    "testimony_id",
    "paragraph",
    "language",
    "speaker",
    "citation",
    "score",
    "places",
    "years",
    "violations",
    "sdg",
    "text",
];

pub fn hit_row(h: &Hit) -> Row {
    let ids = |v: &[TaggedValue]| Value::from(v.iter().map(|t| t.id.to_string()).collect::<Vec<_>>());
    vec![
        ("passage_id", h.passage_id.clone().into()),
        ("testimony_id", h.testimony_id.clone().into()),
        ("paragraph", h.paragraph.into()),
        ("language", serde_json::to_value(h.language).unwrap_or(Value::Null)),
        ("speaker", serde_json::to_value(h.speaker).unwrap_or(Value::Null)),
        ("citation", h.citation.clone().into()),
        ("score", f64::from(h.score).into()),
        ("places", ids(&h.places)),
        ("years", Value::from(h.years.clone())),
        ("violations", ids(&h.violations)),
        ("sdg", ids(&h.sdg)),
        ("text", h.text.clone().into()),
    ]
}

pub const QUOTE_COLUMNS: &[&str] = &[
    "testimony_id",
    "passage_id",
    "paragraph",
    "sentence",
    "citation",
    "citation_markdown",
    "text",
    "context_before",
    "context_after",
];

pub fn quote_row(q: &Quote) -> Row {
    vec![
        ("testimony_id", q.testimony_id.clone().into()),
        ("passage_id", q.passage_id.clone().into()),
        ("paragraph", q.paragraph.into()),
        ("sentence", q.sentence.into()),
        ("citation", q.citation.plain.clone().into()),
        ("citation_markdown", q.citation.markdown.clone().into()),
        ("text", q.text.clone().into()),
        ("context_before", q.context_before.clone().into()),
        ("context_after", q.context_after.clone().into()),
    ]
}

/// A cell of a CSV row: lists joined with "; ", nulls empty.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

/// The bytes of a row, or of the header line when `row` is None (CSV only).
pub fn encode(format: Format, columns: &[&str], row: Option<&Row>) -> Vec<u8> {
    match format {
        Format::Csv => {
            let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
            let ok = match row {
                None => w.write_record(columns),
                Some(r) => w.write_record(r.iter().map(|(_, v)| cell(v))),
            };
            if ok.is_ok() {
                w.into_inner().unwrap_or_default()
            } else {
                Vec::new()
            }
        }
        Format::Jsonl => match row {
            None => Vec::new(),
            Some(r) => {
                let map: Map<String, Value> = r.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
                let mut line = serde_json::to_vec(&map).unwrap_or_default();
                line.push(b'\n');
                line
            }
        },
    }
}

impl SearchEngine {
    /// Emits the hits of a search, every page, until `limit` rows or until `emit` returns false.
    /// The request is validated first, so a bad parameter fails before any row is emitted.
    pub fn export_hits(
        &self,
        request: SearchRequest,
        limit: usize,
        viewer: Viewer,
        emit: &mut dyn FnMut(Row) -> bool,
    ) -> Result<usize, SearchError> {
        request.clone().validate(&self.taxonomy)?;
        let mut sent = 0;
        for page in 1.. {
            let mut r = request.clone();
            r.page = Some(page);
            r.per_page = Some(PAGE as i64);
            r.facets = Some("none".into());
            let answer = self.search(r, viewer)?;
            for hit in &answer.hits {
                if sent >= limit || !emit(hit_row(hit)) {
                    return Ok(sent);
                }
                sent += 1;
            }
            if answer.hits.len() < PAGE {
                break;
            }
        }
        Ok(sent)
    }
}
