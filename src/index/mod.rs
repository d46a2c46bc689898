//! The tantivy index: its schema (from index-schema/fields.toml), opening or creating it on disk,
//! writing batches (upsert by id, one atomic commit per batch), deleting, and reading testimonies
//! and passages back by id. Knows nothing of query parsing or HTTP.

mod directory;
mod schema;
mod stored;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use tantivy::collector::{Count, DocSetCollector};
use tantivy::indexer::UserOperation;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Schema, Value};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::analysis::normalize::scripts;
use crate::analysis::NameTerms;
use crate::ingest::{Access, Batch, IngestReport, PreparedTestimony, Provenance, RawRecord};
use crate::taxonomy::{FacetKind, SchemaSource, TaxonomyError};

pub use schema::{build_schema, names, Fields};
pub use stored::{passage_id, split_passage_id, StoredPassage, StoredTestimony};

/// Value of the `kind` field of passage documents.
pub const KIND_PASSAGE: &str = "passage";
/// Value of the `kind` field of testimony documents.
pub const KIND_TESTIMONY: &str = "testimony";

/// The file in an index folder that lists the multi-word names indexed as terms.
pub const NAMES_FILE: &str = "name-terms.txt";

/// Writer memory budget when none is configured, shared by the indexing threads. 640 MB writes
/// 20,000 generated testimonies as 2 segments instead of 4, and a search over 2 segments took
/// 0.86x the time (p50 6.7 against 7.8 ms, docs/BENCHMARKS.md). The arenas grow as they fill, so
/// a small batch does not take the whole budget.
pub const DEFAULT_WRITER_MEMORY: usize = 640 * 1024 * 1024;

/// What can go wrong with the index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("{0}")]
    Taxonomy(#[from] TaxonomyError),
    #[error("schema: {0}")]
    Schema(String),
    #[error("the index at {dir} was built with a different schema (index-schema/fields.toml changed); remove it and ingest again")]
    SchemaMismatch { dir: String },
    #[error("the index at {dir} was written by another version of the analyzers ({found}, this build: {expected}); remove it and ingest again")]
    AnalysisMismatch { dir: String, found: String, expected: String },
    #[error("another process is writing to the index at {dir} (is an ingest or a server with ingest running?)")]
    Locked { dir: String },
    #[error("while opening the index at {dir}: {message}")]
    Open { dir: String, message: String },
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("stored document is damaged: {0}")]
    Corrupt(String),
}

/// The testimony index and its reader.
pub struct TestimonyIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    dir: Option<PathBuf>,
    names: NameTerms,
}

impl std::fmt::Debug for TestimonyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestimonyIndex").field("dir", &self.dir).finish()
    }
}

/// One batch being written (see [`TestimonyIndex::begin_batch`]).
pub struct BatchWriter<'a> {
    index: &'a TestimonyIndex,
    writer: IndexWriter,
    /// The index as it was before the batch: tells added from replaced.
    searcher: Searcher,
    default_access: Access,
    /// Ids already in this batch: a repeated id replaces the earlier record and counts once.
    in_batch: HashSet<String>,
    added: usize,
    replaced: usize,
}

impl BatchWriter<'_> {
    /// Queues one testimony (replacing any earlier version, in the index or in this batch).
    pub fn add(&mut self, prepared: &PreparedTestimony) -> Result<(), IndexError> {
        let index = self.index;
        let id = &prepared.testimony.id;
        if self.in_batch.insert(id.clone()) {
            if index.count_testimony(&self.searcher, id)? > 0 {
                self.replaced += 1;
            } else {
                self.added += 1;
            }
        }
        let access = prepared.testimony.access.unwrap_or(self.default_access);
        let mut ops = Vec::with_capacity(prepared.passages.len() + 2);
        ops.push(UserOperation::Delete(Term::from_field_text(index.fields.testimony_id, id)));
        ops.push(UserOperation::Add(index.testimony_document(prepared, access)?));
        for doc in index.passage_documents(prepared, access)? {
            ops.push(UserOperation::Add(doc));
        }
        self.writer.run(ops)?;
        Ok(())
    }

    /// Commits the batch atomically and records its counts in `report`.
    pub fn commit(mut self, report: &mut IngestReport) -> Result<(), IndexError> {
        if self.in_batch.is_empty() {
            return Ok(());
        }
        let span = tracing::info_span!("commit_batch", testimonies = self.in_batch.len());
        let _enter = span.enter();
        if let Err(e) = commit(&mut self.writer) {
            let _ = self.writer.rollback();
            return Err(e.into());
        }
        self.writer.wait_merging_threads()?;
        self.index.reader.reload()?;
        report.added += self.added;
        report.replaced += self.replaced;
        report.committed = true;
        tracing::info!(
            added = report.added,
            replaced = report.replaced,
            rejected = report.rejected.len(),
            "batch committed"
        );
        Ok(())
    }
}

/// The title and the event labels of a record, as text to index.
fn record_labels(p: &PreparedTestimony) -> String {
    let t = &p.testimony;
    let mut parts: Vec<&str> = t.title.iter().map(String::as_str).collect();
    for e in &t.events {
        parts.extend(e.violation.as_deref());
        parts.extend(e.location.as_deref());
    }
    parts.join("\n")
}

/// Every live document matching a query, in index order.
fn sorted_docs(searcher: &Searcher, query: &dyn tantivy::query::Query) -> Result<Vec<tantivy::DocAddress>, IndexError> {
    let mut addrs: Vec<_> = searcher.search(query, &DocSetCollector)?.into_iter().collect();
    addrs.sort();
    Ok(addrs)
}

/// The version of the analysis (tokenizers) an index was written with, kept in each commit's
/// payload. Bump it whenever a tokenizer emits different tokens for the same text: an index
/// written by another version would silently miss matches, so it is refused instead.
pub const ANALYSIS_VERSION: u32 = 8;

fn analysis_stamp() -> String {
    format!("analysis={ANALYSIS_VERSION}")
}

/// Commits with the analysis stamp.
fn commit(writer: &mut IndexWriter) -> tantivy::Result<u64> {
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&analysis_stamp());
    prepared.commit()
}

fn same_schema(a: &Schema, b: &Schema) -> bool {
    serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
}

impl TestimonyIndex {
    /// Opens the index in `dir`, creating it (and the folder) when there is none.
    pub fn open_or_create(dir: &Path, source: &SchemaSource) -> Result<TestimonyIndex, IndexError> {
        let schema = build_schema(source)?;
        let open_err =
            |e: &dyn std::fmt::Display| IndexError::Open { dir: dir.display().to_string(), message: e.to_string() };
        std::fs::create_dir_all(dir).map_err(|e| open_err(&e))?;
        let directory = directory::IndexDirectory::open(dir).map_err(|e| open_err(&e))?;
        let index = if dir.join("meta.json").exists() {
            let index = Index::open(directory).map_err(|e| open_err(&e))?;
            if !same_schema(&index.schema(), &schema) {
                return Err(IndexError::SchemaMismatch { dir: dir.display().to_string() });
            }
            let metas = index.load_metas().map_err(|e| open_err(&e))?;
            let has_docs = metas.segments.iter().any(|s| s.max_doc() > 0);
            if has_docs && metas.payload.as_deref() != Some(analysis_stamp().as_str()) {
                return Err(IndexError::AnalysisMismatch {
                    dir: dir.display().to_string(),
                    found: metas.payload.unwrap_or_else(|| "analysis=1".into()),
                    expected: analysis_stamp(),
                });
            }
            index
        } else {
            Index::create(directory, schema, tantivy::IndexSettings::default()).map_err(|e| open_err(&e))?
        };
        // The multi-word names the index is written with travel with it: a taxonomy changed
        // later only adds phrases at query time, never misses a name the index lacks.
        let names_file = dir.join(NAMES_FILE);
        let names = match std::fs::read_to_string(&names_file) {
            Ok(text) => {
                NameTerms::parse(&text).map_err(|e| IndexError::Corrupt(format!("{}: {e}", names_file.display())))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let names = NameTerms::from_names(crate::taxonomy::Taxonomy::load(source)?.all_names());
                let tmp = dir.join(format!("{NAMES_FILE}.tmp"));
                std::fs::write(&tmp, names.to_text())
                    .and_then(|()| std::fs::rename(&tmp, &names_file))
                    .map_err(|e| open_err(&e))?;
                names
            }
            Err(e) => return Err(open_err(&e)),
        };
        Self::wrap(index, Some(dir.to_path_buf()), names)
    }

    /// True when `dir` holds an index.
    pub fn exists(dir: &Path) -> bool {
        dir.join("meta.json").exists()
    }

    /// An index in memory (tests, benchmarks).
    pub fn in_memory(source: &SchemaSource) -> Result<TestimonyIndex, IndexError> {
        let index = Index::create_in_ram(build_schema(source)?);
        let names = NameTerms::from_names(crate::taxonomy::Taxonomy::load(source)?.all_names());
        Self::wrap(index, None, names)
    }

    fn wrap(index: Index, dir: Option<PathBuf>, names: NameTerms) -> Result<TestimonyIndex, IndexError> {
        crate::analysis::register_tokenizers(index.tokenizers(), &names);
        let fields = Fields::from_schema(&index.schema())?;
        // Commits made by another process (a CLI ingest) show up after a short delay; our own
        // commits reload explicitly.
        let reader = index.reader_builder().reload_policy(ReloadPolicy::OnCommitWithDelay).try_into()?;
        Ok(TestimonyIndex { index, reader, fields, dir, names })
    }

    /// The multi-word names this index holds as terms.
    pub fn names(&self) -> &NameTerms {
        &self.names
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    pub fn reload(&self) -> Result<(), IndexError> {
        Ok(self.reader.reload()?)
    }

    fn dir_name(&self) -> String {
        self.dir.as_ref().map(|d| d.display().to_string()).unwrap_or_else(|| "(memory)".into())
    }

    /// Opens a writer with the given memory budget.
    pub fn writer(&self, memory: usize) -> Result<IndexWriter, IndexError> {
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(4);
        let per_thread_floor = 16 * 1024 * 1024;
        let memory = memory.max(threads * per_thread_floor);
        self.index.writer_with_num_threads(threads, memory).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => IndexError::Locked { dir: self.dir_name() },
            other => other.into(),
        })
    }

    /// How many live documents have this testimony id.
    fn count_testimony(&self, searcher: &Searcher, id: &str) -> Result<usize, IndexError> {
        let term = Term::from_field_text(self.fields.testimony_id, id);
        Ok(searcher.search(&TermQuery::new(term, IndexRecordOption::Basic), &Count)?)
    }

    /// Writes a batch: each testimony replaces any earlier version (delete by id, then add, in one
    /// group), and the whole batch is committed once. On failure nothing of the batch is visible.
    pub fn write_batch(&self, batch: Batch, default_access: Access, memory: usize) -> Result<IngestReport, IndexError> {
        let Batch { testimonies, mut report } = batch;
        if testimonies.is_empty() {
            return Ok(report);
        }
        let mut writer = self.begin_batch(default_access, memory)?;
        for (_, prepared) in &testimonies {
            writer.add(prepared)?;
        }
        writer.commit(&mut report)?;
        Ok(report)
    }

    /// Ingests a stream of records as one batch: records are validated and prepared chunk by chunk
    /// in parallel and written as they come, in bounded memory, then committed once. On failure
    /// nothing of the batch is visible.
    pub fn ingest_stream<'a>(
        &self,
        records: impl Iterator<Item = RawRecord>,
        rules: impl Into<crate::ingest::IngestRules<'a>>,
        default_access: Access,
        memory: usize,
        progress: &mut dyn FnMut(usize),
    ) -> Result<IngestReport, IndexError> {
        // Passages are analysed once, for extraction, and the index writer replays that analysis.
        let _shelf = crate::analysis::shelf::open();
        let mut writer = self.begin_batch(default_access, memory)?;
        let mut report = crate::ingest::stream(records, rules, progress, &mut |chunk| {
            chunk.iter().try_for_each(|(_, prepared)| writer.add(prepared))
        })?;
        writer.commit(&mut report)?;
        Ok(report)
    }

    /// Starts a batch written as its testimonies come (streaming ingest): nothing is visible until
    /// [`BatchWriter::commit`], and a writer dropped before it leaves the index as it was.
    pub fn begin_batch(&self, default_access: Access, memory: usize) -> Result<BatchWriter<'_>, IndexError> {
        Ok(BatchWriter {
            index: self,
            writer: self.writer(memory)?,
            searcher: self.searcher(),
            default_access,
            in_batch: HashSet::new(),
            added: 0,
            replaced: 0,
        })
    }

    /// Deletes testimonies by id in one commit; returns the ids that existed.
    pub fn delete(&self, ids: &[String], memory: usize) -> Result<Vec<String>, IndexError> {
        let searcher = self.searcher();
        let mut existing = Vec::new();
        for id in ids {
            if self.count_testimony(&searcher, id)? > 0 {
                existing.push(id.clone());
            }
        }
        if existing.is_empty() {
            return Ok(existing);
        }
        let mut writer = self.writer(memory)?;
        for id in &existing {
            writer.delete_term(Term::from_field_text(self.fields.testimony_id, id));
        }
        commit(&mut writer)?;
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        Ok(existing)
    }

    fn add_facets(&self, doc: &mut TantivyDocument, prepared: &PreparedTestimony) {
        let f = &self.fields;
        for (kind, all, coded) in [
            (FacetKind::Location, f.location, f.location_coded),
            (FacetKind::Violation, f.violation, f.violation_coded),
            (FacetKind::Sdg, f.sdg, f.sdg_coded),
        ] {
            for v in prepared.facets.get(kind) {
                doc.add_text(all, &v.value);
                if v.provenance == Provenance::Coded {
                    doc.add_text(coded, &v.value);
                }
            }
        }
        for v in &prepared.facets.year {
            if let Ok(y) = v.value.parse::<u64>() {
                doc.add_u64(f.year, y);
                if v.provenance == Provenance::Coded {
                    doc.add_u64(f.year_coded, y);
                }
            }
        }
    }

    fn testimony_document(&self, p: &PreparedTestimony, access: Access) -> Result<TantivyDocument, IndexError> {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.kind, KIND_TESTIMONY);
        doc.add_text(f.testimony_id, &p.testimony.id);
        doc.add_text(f.access, access.code());
        let stored = StoredTestimony::from_prepared(p, access);
        doc.add_text(f.meta, serde_json::to_string(&stored).map_err(|e| IndexError::Corrupt(e.to_string()))?);
        self.add_facets(&mut doc, p);
        Ok(doc)
    }

    fn passage_documents(&self, p: &PreparedTestimony, access: Access) -> Result<Vec<TantivyDocument>, IndexError> {
        let f = &self.fields;
        let mut docs = Vec::with_capacity(p.passages.len());
        for passage in &p.passages {
            let mut doc = TantivyDocument::default();
            doc.add_text(f.kind, KIND_PASSAGE);
            doc.add_text(f.testimony_id, &p.testimony.id);
            doc.add_text(f.passage_id, passage_id(&p.testimony.id, passage.n));
            doc.add_u64(f.paragraph, passage.n as u64);
            if let Some(lang) = passage.language {
                doc.add_text(f.language, lang.code());
            }
            if let Some(s) = passage.speaker {
                doc.add_text(f.speaker, s.code());
            }
            doc.add_text(f.text, &passage.text);
            doc.add_text(f.citation, p.citation(passage.n));
            doc.add_text(f.access, access.code());
            // The first passage also carries the testimony's title and event labels (resolved or
            // not, they stay searchable as text) and its coded places and violations.
            let first = passage.n == 1;
            let analysed = if first { format!("{}\n{}", passage.text, record_labels(p)) } else { passage.text.clone() };
            // Each analysed field gets the passages whose script it can index (the query looks a
            // word up by its script the same way): Hangul in the stem field, every other letter
            // or digit in the English field. Compounds are found through the stem field's
            // dictionary at query time (src/search/compounds.rs), not through a bigram field.
            let held = scripts(&analysed);
            if held.hangul {
                doc.add_text(f.body_ko, &analysed);
            }
            if held.other {
                doc.add_text(f.body_en, &analysed);
            }
            self.add_facets(&mut doc, p);
            let coded = |values: &[crate::ingest::FacetValue]| -> Vec<String> {
                values.iter().filter(|v| first && v.provenance == Provenance::Coded).map(|v| v.value.clone()).collect()
            };
            for v in passage.facets.location.iter().map(|v| v.value.clone()).chain(coded(&p.facets.location)) {
                doc.add_text(f.passage_location, &v);
            }
            for v in passage.facets.violation.iter().map(|v| v.value.clone()).chain(coded(&p.facets.violation)) {
                doc.add_text(f.passage_violation, &v);
            }
            let shown = passage.facets.with_coded_from(&p.facets);
            let earliest =
                |values: &[crate::ingest::FacetValue]| values.iter().filter_map(|v| v.value.parse::<u64>().ok()).min();
            if let Some(y) = earliest(&shown.year).or_else(|| earliest(&p.facets.year)) {
                doc.add_u64(f.sort_year, y);
            }
            let meta = stored::PassageMeta { facets: shown };
            doc.add_text(f.meta, serde_json::to_string(&meta).map_err(|e| IndexError::Corrupt(e.to_string()))?);
            docs.push(doc);
        }
        Ok(docs)
    }

    /// Reads a stored passage document.
    pub fn passage_from_doc(&self, doc: &TantivyDocument) -> Result<StoredPassage, IndexError> {
        let f = &self.fields;
        let text = |field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string);
        let meta: stored::PassageMeta = serde_json::from_str(&text(f.meta).unwrap_or_default())
            .map_err(|e| IndexError::Corrupt(format!("passage meta: {e}")))?;
        Ok(StoredPassage {
            passage_id: text(f.passage_id).unwrap_or_default(),
            testimony_id: text(f.testimony_id).unwrap_or_default(),
            paragraph: doc.get_first(f.paragraph).and_then(|v| v.as_u64()).unwrap_or(0) as u32,
            language: text(f.language).and_then(|l| crate::analysis::Lang::parse(&l)),
            speaker: text(f.speaker).and_then(|s| crate::ingest::Speaker::parse(&s)),
            text: text(f.text).unwrap_or_default(),
            citation: text(f.citation).unwrap_or_default(),
            access: text(f.access).and_then(|a| Access::parse(&a)).unwrap_or(Access::Restricted),
            facets: meta.facets,
        })
    }

    /// A testimony's metadata, if it exists.
    pub fn testimony(&self, id: &str) -> Result<Option<StoredTestimony>, IndexError> {
        let searcher = self.searcher();
        match self.docs_of_kind(&searcher, id, KIND_TESTIMONY)?.into_iter().next() {
            Some(addr) => {
                let doc: TantivyDocument = searcher.doc(addr)?;
                let meta = doc.get_first(self.fields.meta).and_then(|v| v.as_str()).unwrap_or_default();
                let t = serde_json::from_str(meta).map_err(|e| IndexError::Corrupt(format!("testimony meta: {e}")))?;
                Ok(Some(t))
            }
            None => Ok(None),
        }
    }

    /// A testimony's passages in paragraph order.
    pub fn passages_of(&self, id: &str) -> Result<Vec<StoredPassage>, IndexError> {
        let searcher = self.searcher();
        let mut out = Vec::new();
        for addr in self.docs_of_kind(&searcher, id, KIND_PASSAGE)? {
            out.push(self.passage_from_doc(&searcher.doc(addr)?)?);
        }
        out.sort_by_key(|p| p.paragraph);
        Ok(out)
    }

    /// Documents of one testimony of one kind.
    fn docs_of_kind(&self, searcher: &Searcher, id: &str, kind: &str) -> Result<Vec<tantivy::DocAddress>, IndexError> {
        let term = |field, value: &str| -> Box<dyn tantivy::query::Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
        };
        let query = tantivy::query::BooleanQuery::intersection(vec![
            term(self.fields.testimony_id, id),
            term(self.fields.kind, kind),
        ]);
        sorted_docs(searcher, &query)
    }

    /// One passage by its id.
    pub fn passage(&self, passage_id: &str) -> Result<Option<StoredPassage>, IndexError> {
        let searcher = self.searcher();
        match self.docs_with(&searcher, self.fields.passage_id, passage_id)?.into_iter().next() {
            Some(addr) => Ok(Some(self.passage_from_doc(&searcher.doc(addr)?)?)),
            None => Ok(None),
        }
    }

    fn docs_with(
        &self,
        searcher: &Searcher,
        field: tantivy::schema::Field,
        value: &str,
    ) -> Result<Vec<tantivy::DocAddress>, IndexError> {
        let query = TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic);
        sorted_docs(searcher, &query)
    }

    /// Number of testimonies in the index.
    pub fn testimony_count(&self) -> Result<usize, IndexError> {
        let term = Term::from_field_text(self.fields.kind, KIND_TESTIMONY);
        Ok(self.searcher().search(&TermQuery::new(term, IndexRecordOption::Basic), &Count)?)
    }
}
