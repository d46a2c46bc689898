//! Ingest: reading records (JSON Lines, JSON, front-matter documents), validating them with
//! reasons that name the file, line, id and field, the PII check (refuse or mask), splitting
//! transcripts into passages, and preparing each testimony for the index (language, resolution,
//! extraction). Produces the ingest report. Never touches the index itself.

pub mod enrich;
pub mod passage;
pub mod pii;
pub mod record;
pub mod source;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::taxonomy::Taxonomy;

pub use enrich::{
    citation, prepare, FacetValue, Facets, PreparedPassage, PreparedTestimony, Provenance, UnresolvedLabel,
};
pub use passage::Speaker;
pub use pii::PiiCheck;
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

/// What records are checked and prepared against: the taxonomy, and the PII check. A bare
/// taxonomy converts with the built-in PII rules, refusing, so that no path can skip the check.
#[derive(Clone, Copy)]
pub struct IngestRules<'a> {
    pub taxonomy: &'a Taxonomy,
    pub pii: &'a PiiCheck,
}

impl<'a> IngestRules<'a> {
    pub fn new(taxonomy: &'a Taxonomy, pii: &'a PiiCheck) -> IngestRules<'a> {
        IngestRules { taxonomy, pii }
    }
}

impl<'a> From<&'a Taxonomy> for IngestRules<'a> {
    fn from(taxonomy: &'a Taxonomy) -> IngestRules<'a> {
        IngestRules { taxonomy, pii: PiiCheck::builtin() }
    }
}

impl<'a> From<&'a Arc<Taxonomy>> for IngestRules<'a> {
    fn from(taxonomy: &'a Arc<Taxonomy>) -> IngestRules<'a> {
        IngestRules::from(&**taxonomy)
    }
}

/// What became of one record.
enum Outcome {
    Rejected(Rejection),
    Prepared { origin: Origin, prepared: Box<PreparedTestimony>, warnings: Vec<String> },
}

/// The one place every record passes through, whatever the path (CLI ingest and check, HTTP,
/// the demo build): validation, then the PII check, then preparation. The check comes before
/// preparation so that masked text is what gets stored and indexed.
fn validate_and_prepare(raw: RawRecord, rules: IngestRules<'_>) -> Outcome {
    let origin = raw.origin;
    // Reasons and warnings quote bad values ("year must be an integer year, got …"): masked, so
    // that a report never carries PII, whatever field it sat in.
    let value = match raw.value {
        Ok(v) => v,
        Err(reason) => {
            let reason = rules.pii.mask(&reason);
            return Outcome::Rejected(Rejection { file: origin.file, line: origin.line, id: None, reason });
        }
    };
    let mut v = match record::validate(value) {
        Ok(v) => v,
        Err(invalid) => {
            return Outcome::Rejected(Rejection {
                file: origin.file,
                line: origin.line,
                id: invalid.id.filter(|id| rules.pii.scan(id).is_empty()),
                reason: rules.pii.mask(&invalid.reason),
            })
        }
    };
    for w in &mut v.warnings {
        *w = rules.pii.mask(w);
    }
    match rules.pii.check(&mut v.testimony) {
        pii::Verdict::Clean => {}
        pii::Verdict::Masked(findings) => {
            v.warnings.push(format!("personal data masked: {}", pii::summarize(&findings)));
        }
        pii::Verdict::Refused(findings) => {
            let in_id = findings.iter().any(|f| f.field == "id");
            let reason = if in_id {
                format!("personal data in the id, which cannot be masked: {}", pii::summarize(&findings))
            } else {
                format!(
                    "personal data found: {}; remove it, or ingest with redaction (--redact, redact=true) to mask it",
                    pii::summarize(&findings)
                )
            };
            // An id that holds PII is not echoed back.
            let id = (!in_id).then_some(v.testimony.id);
            return Outcome::Rejected(Rejection { file: origin.file, line: origin.line, id, reason });
        }
    }
    Outcome::Prepared { origin, prepared: Box::new(prepare(v.testimony, rules.taxonomy)), warnings: v.warnings }
}

/// Validates and prepares records as they come, chunk by chunk, each chunk's records in parallel
/// across the cores, and hands every chunk's good testimonies, in input order, to `sink` (the
/// index writer, or a collector). Bad records become rejections and never stop the rest; a later
/// record with an id seen earlier in the stream replaces it (with a warning). `progress` is told
/// how many records are done after each chunk.
pub fn stream<'a, E>(
    records: impl Iterator<Item = RawRecord>,
    rules: impl Into<IngestRules<'a>>,
    progress: &mut dyn FnMut(usize),
    sink: &mut dyn FnMut(Vec<(Origin, PreparedTestimony)>) -> Result<(), E>,
) -> Result<IngestReport, E> {
    use rayon::prelude::*;
    let rules = rules.into();
    let mut report = IngestReport::default();
    let mut first_seen: HashMap<String, Origin> = HashMap::new();
    let mut unresolved: BTreeMap<(&'static str, String), UnresolvedReport> = BTreeMap::new();
    let mut records = records.peekable();
    while records.peek().is_some() {
        let chunk: Vec<RawRecord> = records.by_ref().take(CHUNK).collect();
        report.records += chunk.len();
        let outcomes: Vec<Outcome> = chunk.into_par_iter().map(|raw| validate_and_prepare(raw, rules)).collect();
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
fn in_memory(
    records: impl Iterator<Item = RawRecord>,
    rules: IngestRules<'_>,
    progress: &mut dyn FnMut(usize),
) -> Batch {
    let mut testimonies = Vec::new();
    let report = stream(records, rules, progress, &mut |chunk| {
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
pub fn prepare_batch<'a>(
    records: Vec<RawRecord>,
    rules: impl Into<IngestRules<'a>>,
    progress: &mut dyn FnMut(usize),
) -> Batch {
    in_memory(records.into_iter(), rules.into(), progress)
}

/// Reads, validates and prepares everything under `paths` in memory: what `check` reports. For
/// large corpora `ingest` streams instead ([`stream`] over a [`source::RecordStream`]).
pub fn collect<'a>(
    paths: &[impl AsRef<Path>],
    rules: impl Into<IngestRules<'a>>,
    progress: &mut dyn FnMut(usize),
) -> Batch {
    let mut records = source::RecordStream::new(paths);
    let mut batch = in_memory(&mut records, rules.into(), progress);
    batch.report.files = records.files_read();
    batch
}
