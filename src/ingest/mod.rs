//! Ingest: reading records (JSON Lines, JSON, front-matter documents), validating them with
//! reasons that name the file, line, id and field, splitting transcripts into passages, and
//! preparing each testimony for the index (language, resolution, extraction). Produces the
//! ingest report. Never touches the index itself.

pub mod enrich;
pub mod passage;
pub mod record;
pub mod source;

use std::collections::BTreeMap;
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

/// Reads every path (files or folders). A path that cannot be read at all becomes a rejection;
/// the others are still read.
pub fn read_paths(paths: &[impl AsRef<Path>], report: &mut IngestReport) -> Vec<RawRecord> {
    let mut out = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let files = match source::record_files(path) {
            Ok(f) => f,
            Err(e) => {
                report.rejected.push(Rejection { file: e.path, line: 0, id: None, reason: e.message });
                continue;
            }
        };
        for file in files {
            report.files += 1;
            match source::read_file(&file) {
                Ok(records) => out.extend(records),
                Err(e) => report.rejected.push(Rejection { file: e.path, line: 0, id: None, reason: e.message }),
            }
        }
    }
    out
}

/// Validates and prepares records. Bad records become rejections; a later record with the same id
/// replaces an earlier one of the batch (with a warning). `progress` is told (done, total).
pub fn prepare_batch(
    records: Vec<RawRecord>,
    taxonomy: &Taxonomy,
    mut report: IngestReport,
    progress: &mut dyn FnMut(usize, usize),
) -> Batch {
    let total = records.len();
    report.records += total;
    let mut validated: Vec<(Origin, Testimony)> = Vec::new();
    let mut position: BTreeMap<String, usize> = BTreeMap::new();
    for raw in records {
        let origin = raw.origin;
        let value = match raw.value {
            Ok(v) => v,
            Err(reason) => {
                report.rejected.push(Rejection { file: origin.file, line: origin.line, id: None, reason });
                continue;
            }
        };
        match record::validate(value) {
            Err(invalid) => report.rejected.push(Rejection {
                file: origin.file,
                line: origin.line,
                id: invalid.id,
                reason: invalid.reason,
            }),
            Ok(v) => {
                let id = v.testimony.id.clone();
                for message in v.warnings {
                    report.warnings.push(Warning {
                        file: origin.file.clone(),
                        line: origin.line,
                        id: id.clone(),
                        message,
                    });
                }
                if let Some(&i) = position.get(&id) {
                    let earlier = &validated[i].0;
                    report.warnings.push(Warning {
                        file: origin.file.clone(),
                        line: origin.line,
                        id: id.clone(),
                        message: format!(
                            "id appears again in this batch; replaces the record at {}:{}",
                            earlier.file, earlier.line
                        ),
                    });
                    validated[i] = (origin, v.testimony);
                } else {
                    position.insert(id, validated.len());
                    validated.push((origin, v.testimony));
                }
            }
        }
    }
    let mut testimonies = Vec::with_capacity(validated.len());
    let mut unresolved: BTreeMap<(&'static str, String), UnresolvedReport> = BTreeMap::new();
    let count = validated.len();
    for (done, (origin, testimony)) in validated.into_iter().enumerate() {
        let prepared = prepare(testimony, taxonomy);
        for u in &prepared.unresolved {
            let entry = unresolved.entry((u.kind, u.label.clone())).or_insert_with(|| UnresolvedReport {
                kind: u.kind,
                label: u.label.clone(),
                count: 0,
                testimonies: Vec::new(),
                candidates: u.candidates.clone(),
            });
            entry.count += 1;
            entry.testimonies.push(prepared.testimony.id.clone());
        }
        report.passages += prepared.passages.len();
        testimonies.push((origin, prepared));
        progress(done + 1 + (total - count), total);
    }
    report.unresolved = unresolved.into_values().collect();
    Batch { testimonies, report }
}

/// Reads, validates and prepares everything under `paths`: what `check` reports and `ingest` writes.
pub fn collect(paths: &[impl AsRef<Path>], taxonomy: &Taxonomy, progress: &mut dyn FnMut(usize, usize)) -> Batch {
    let mut report = IngestReport::default();
    let records = read_paths(paths, &mut report);
    prepare_batch(records, taxonomy, report, progress)
}
