//! Ingest: reading records (JSON Lines, JSON, front-matter documents), validating them with
//! reasons that name the file, line, id and field, splitting transcripts into passages, and
//! preparing each testimony for the index (language, resolution, extraction). Produces the
//! ingest report. Never touches the index itself.

pub mod enrich;
pub mod passage;
pub mod record;
pub mod source;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::taxonomy::Taxonomy;

pub use enrich::{
    citation, prepare, FacetValue, Facets, PreparedPassage, PreparedTestimony, Provenance, UnresolvedLabel,
};
pub use passage::Speaker;
pub use record::{Access, Event, Interviewee, Testimony};
pub use source::{Origin, RawRecord, SourceError};

/// A record that was not ingested, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    pub file: String,
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub reason: String,
}

/// Something ignored or adjusted in a record that was ingested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub file: String,
    pub line: usize,
    pub id: String,
    pub message: String,
}

/// A label that resolved to nothing, with the testimonies that use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnresolvedReport {
    pub kind: &'static str,
    pub label: String,
    pub count: usize,
    pub testimonies: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<String>,
}

/// What an ingest (or a check) did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestReport {
    pub files: usize,
    /// Records read (good and bad).
    pub records: usize,
    /// New testimonies.
    pub added: usize,
    /// Testimonies that existed and were replaced.
    pub replaced: usize,
    pub passages: usize,
    pub rejected: Vec<Rejection>,
    pub warnings: Vec<Warning>,
    pub unresolved: Vec<UnresolvedReport>,
    /// True once the batch is committed to the index (false for `check`).
    pub committed: bool,
}

impl IngestReport {
    /// Testimonies that passed validation.
    pub fn accepted(&self) -> usize {
        self.added + self.replaced
    }
}

impl fmt::Display for IngestReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} record(s) in {} file(s): {} added, {} replaced, {} rejected; {} passages{}",
            self.records,
            self.files,
            self.added,
            self.replaced,
            self.rejected.len(),
            self.passages,
            if self.committed { "; committed" } else { "" }
        )?;
        if !self.rejected.is_empty() {
            writeln!(f, "\nrejected:")?;
            for r in &self.rejected {
                let id = r.id.as_deref().map(|i| format!(" [{i}]")).unwrap_or_default();
                writeln!(f, "  {}:{}{}: {}", r.file, r.line, id, r.reason)?;
            }
        }
        if !self.warnings.is_empty() {
            writeln!(f, "\nwarnings:")?;
            for w in &self.warnings {
                writeln!(f, "  {}:{} [{}]: {}", w.file, w.line, w.id, w.message)?;
            }
        }
        if !self.unresolved.is_empty() {
            writeln!(f, "\nunresolved labels (kept as text):")?;
            for u in &self.unresolved {
                let more = if u.candidates.is_empty() {
                    String::new()
                } else {
                    format!(" (ambiguous: {})", u.candidates.join(", "))
                };
                writeln!(f, "  {} {:?} ×{} in {}{}", u.kind, u.label, u.count, u.testimonies.join(", "), more)?;
            }
        }
        Ok(())
    }
}

/// Validated, prepared testimonies of one batch, in input order, each id once.
#[derive(Debug, Default)]
pub struct Batch {
    pub testimonies: Vec<(Origin, PreparedTestimony)>,
    pub report: IngestReport,
}

/// Records validated and prepared per chunk: enough to keep every core busy, small enough that a
/// corpus of any size streams through in bounded memory.
const CHUNK: usize = 256;

/// What became of one record.
enum Outcome {
    Rejected(Rejection),
    Prepared { origin: Origin, prepared: Box<PreparedTestimony>, warnings: Vec<String> },
}

fn validate_and_prepare(raw: RawRecord, taxonomy: &Taxonomy) -> Outcome {
    let origin = raw.origin;
    let value = match raw.value {
        Ok(v) => v,
        Err(reason) => return Outcome::Rejected(Rejection { file: origin.file, line: origin.line, id: None, reason }),
    };
    match record::validate(value) {
        Err(invalid) => Outcome::Rejected(Rejection {
            file: origin.file,
            line: origin.line,
            id: invalid.id,
            reason: invalid.reason,
        }),
        Ok(v) => Outcome::Prepared { origin, prepared: Box::new(prepare(v.testimony, taxonomy)), warnings: v.warnings },
    }
}

/// Validates and prepares records as they come, chunk by chunk, each chunk's records in parallel
/// across the cores, and hands every chunk's good testimonies, in input order, to `sink` (the
/// index writer, or a collector). Bad records become rejections and never stop the rest; a later
/// record with an id seen earlier in the stream replaces it (with a warning). `progress` is told
/// how many records are done after each chunk.
pub fn stream<E>(
    records: impl Iterator<Item = RawRecord>,
    taxonomy: &Taxonomy,
    progress: &mut dyn FnMut(usize),
    sink: &mut dyn FnMut(Vec<(Origin, PreparedTestimony)>) -> Result<(), E>,
) -> Result<IngestReport, E> {
    use rayon::prelude::*;
    let mut report = IngestReport::default();
    let mut first_seen: HashMap<String, Origin> = HashMap::new();
    let mut unresolved: BTreeMap<(&'static str, String), UnresolvedReport> = BTreeMap::new();
    let mut records = records.peekable();
    while records.peek().is_some() {
        let chunk: Vec<RawRecord> = records.by_ref().take(CHUNK).collect();
        report.records += chunk.len();
        let outcomes: Vec<Outcome> = chunk.into_par_iter().map(|raw| validate_and_prepare(raw, taxonomy)).collect();
        let mut ready = Vec::with_capacity(outcomes.len());
        for outcome in outcomes {
            let (origin, prepared, warnings) = match outcome {
                Outcome::Rejected(r) => {
                    report.rejected.push(r);
                    continue;
                }
                Outcome::Prepared { origin, prepared, warnings } => (origin, *prepared, warnings),
            };
            let id = &prepared.testimony.id;
            let warn =
                |message: String| Warning { file: origin.file.clone(), line: origin.line, id: id.clone(), message };
            report.warnings.extend(warnings.into_iter().map(warn));
            match first_seen.get(id) {
                Some(earlier) => report.warnings.push(warn(format!(
                    "id appears again in this batch; replaces the record at {}:{}",
                    earlier.file, earlier.line
                ))),
                None => {
                    first_seen.insert(id.clone(), origin.clone());
                }
            }
            for u in &prepared.unresolved {
                let entry = unresolved.entry((u.kind, u.label.clone())).or_insert_with(|| UnresolvedReport {
                    kind: u.kind,
                    label: u.label.clone(),
                    count: 0,
                    testimonies: Vec::new(),
                    candidates: u.candidates.clone(),
                });
                entry.count += 1;
                entry.testimonies.push(id.clone());
            }
            report.passages += prepared.passages.len();
            ready.push((origin, prepared));
        }
        sink(ready)?;
        progress(report.records);
    }
    report.unresolved = unresolved.into_values().collect();
    Ok(report)
}

/// Keeps one testimony per id: the last record, at the place of the first.
fn last_of_each_id(testimonies: Vec<(Origin, PreparedTestimony)>) -> Vec<(Origin, PreparedTestimony)> {
    let mut position: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<(Origin, PreparedTestimony)> = Vec::with_capacity(testimonies.len());
    for (origin, prepared) in testimonies {
        match position.get(&prepared.testimony.id) {
            Some(&i) => out[i] = (origin, prepared),
            None => {
                position.insert(prepared.testimony.id.clone(), out.len());
                out.push((origin, prepared));
            }
        }
    }
    out
}

/// Streams records into memory: one testimony per id, the last record at the place of the first.
fn in_memory(records: impl Iterator<Item = RawRecord>, taxonomy: &Taxonomy, progress: &mut dyn FnMut(usize)) -> Batch {
    let mut testimonies = Vec::new();
    let report = stream(records, taxonomy, progress, &mut |chunk| {
        testimonies.extend(chunk);
        Ok::<(), std::convert::Infallible>(())
    });
    let report = match report {
        Ok(r) => r,
        Err(never) => match never {},
    };
    Batch { testimonies: last_of_each_id(testimonies), report }
}

/// Validates and prepares records in memory (an HTTP body). Bad records become rejections; a
/// later record with the same id replaces an earlier one of the batch (with a warning).
pub fn prepare_batch(records: Vec<RawRecord>, taxonomy: &Taxonomy, progress: &mut dyn FnMut(usize)) -> Batch {
    in_memory(records.into_iter(), taxonomy, progress)
}

/// Reads, validates and prepares everything under `paths` in memory: what `check` reports. For
/// large corpora `ingest` streams instead ([`stream`] over a [`source::RecordStream`]).
pub fn collect(paths: &[impl AsRef<Path>], taxonomy: &Taxonomy, progress: &mut dyn FnMut(usize)) -> Batch {
    let mut records = source::RecordStream::new(paths);
    let mut batch = in_memory(&mut records, taxonomy, progress);
    batch.report.files = records.files_read();
    batch
}
