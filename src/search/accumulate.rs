//! Search by accumulation, with pruning: a search's query read term by term, each term's postings
//! a block at a time, one window of passages after another. In each window the query's passages
//! are found as bit sets (tantivy's boolean semantics as word operations), and they are scored
//! only when the window can hold a passage good enough for the page.
//!
//! Why: a faceted search must visit every passage its query matches, to count testimonies per
//! facet value, but only the page needs scores. Tantivy's scorers read a query passage by
//! passage, an `advance` and a `score` through each layer of unions and intersections for every
//! matching passage, which was most of a broad search's time (docs/BENCHMARKS.md). Here the
//! match set costs a postings decode and a few word operations per window, and scoring is paid
//! for only where the bound says it can matter and, in a conjunction, only for the passages that
//! match all of it (its clauses' bits are read first, see [`fill_bool`]).
//!
//! The bound: a term's score in a window is at most the largest block maximum of the postings
//! blocks the window touches (tantivy writes each full block's best frequency and length pair),
//! widened by the ratio between the segment's average length, under which that pair was chosen,
//! and the searcher's, under which it is scored (see [`spread`]); a phrase's, the largest score it
//! has in the window; a boolean's, the sum of its clauses'. A window whose bound cannot beat the
//! page's worst hit so far is counted but not scored. The page is exactly the one scoring every
//! passage would give: a passage that is not scored scores at most the page's worst, and ties go
//! to the earlier passage, which is already there (property test below).
//!
//! Queries of other kinds (phrases) are read through tantivy's scorers. Owns no policy: what
//! matches and how much it weighs is the query's (src/search/query.rs), and what a window's
//! matches count for is the collector's (src/search/collector.rs).

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;
use tantivy::index::SegmentId;

use tantivy::directory::OwnedBytes;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{BlockSegmentPostings, TermInfo};
use tantivy::query::{Bm25Weight, BooleanQuery, BoostQuery, EnableScoring, Occur, Query, Scorer, TermQuery, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, Term};

use super::name_query::NameTermQuery;

/// A query weighing `boost` times its own score: tantivy's `BoostQuery`, with the parts readable
/// so that accumulation can carry the boost down to the terms as tantivy's scorers do.
#[derive(Debug)]
pub struct Boosted {
    query: Box<dyn Query>,
    boost: Score,
}

impl Clone for Boosted {
    fn clone(&self) -> Boosted {
        Boosted { query: self.query.box_clone(), boost: self.boost }
    }
}

impl Boosted {
    pub fn new(query: Box<dyn Query>, boost: Score) -> Boosted {
        Boosted { query, boost }
    }
}

impl Query for Boosted {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        BoostQuery::new(self.query.box_clone(), self.boost).weight(enable_scoring)
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

/// What a segment's search reports its matches to, window by window.
pub trait WindowSink {
    /// The score a passage must beat to reach the page, when only the page needs scores; None
    /// when every matching passage needs its score (another order than relevance, say).
    fn threshold(&self) -> Option<Score>;
    /// The matches of the window starting at `base` (bit `i` is passage `base + i`), with their
    /// scores unless the window was not scored.
    fn window(&mut self, base: DocId, bits: &[u64], scores: Option<&[Score]>);
}

/// A query prepared for one search: statistics read, boosts carried down to the leaves.
pub enum Plan {
    /// A term, scored with its BM25 weight (boost included). Read with the frequencies its field
    /// records: the planner asks no term query for less than its field has.
    /// `once`: the score of a single occurrence by field norm id, most postings' case, read
    /// from a table rather than computed. `average`: the searcher's average length of the field.
    /// `infos`: the term's postings in each segment of the searcher (looked up once, for its
    /// document frequency, and opened from there).
    Term {
        term: Term,
        bm25: Bm25Weight,
        once: Box<[Score; 256]>,
        average: Score,
        infos: Vec<(SegmentId, Option<TermInfo>)>,
    },
    /// Any other query, read through its tantivy scorer at `boost`.
    Scorer { weight: Box<dyn Weight>, boost: Score },
    /// Tantivy's boolean semantics: every `must`, at least `min` of `should` (at least one when
    /// there is no `must`), no `must_not`; the score is the sum of the matching clauses'.
    Bool { must: Vec<Plan>, should: Vec<Plan>, must_not: Vec<Plan>, min: usize },
}

/// Bounds are widened by this much for float rounding: the bound of a sum is summed in another
/// order than the score it bounds.
const ROUNDING: Score = 1.0 + 1e-4;

impl Plan {
    /// Prepares `query` for a search of `searcher` (scoring enabled).
    pub fn new(query: &dyn Query, searcher: &Searcher) -> tantivy::Result<Plan> {
        Plan::at(query, 1.0, searcher)
    }

    fn at(query: &dyn Query, boost: Score, searcher: &Searcher) -> tantivy::Result<Plan> {
        if let Some(b) = query.downcast_ref::<Boosted>() {
            return Plan::at(b.query.as_ref(), boost * b.boost, searcher);
        }
        if let Some(t) = query.downcast_ref::<TermQuery>() {
            return Plan::term(t.term().clone(), boost, searcher);
        }
        if let Some(n) = query.downcast_ref::<NameTermQuery>() {
            let ratio = n.boost(searcher)?;
            return Plan::term(n.term().clone(), boost * ratio, searcher);
        }
        if let Some(b) = query.downcast_ref::<BooleanQuery>() {
            let (mut must, mut should, mut must_not) = (Vec::new(), Vec::new(), Vec::new());
            for (occur, q) in b.clauses() {
                let plan = Plan::at(q.as_ref(), boost, searcher)?;
                match occur {
                    Occur::Must => must.push(plan),
                    Occur::Should => should.push(plan),
                    Occur::MustNot => must_not.push(plan),
                }
            }
            return Ok(Plan::Bool { must, should, must_not, min: b.get_minimum_number_should_match() });
        }
        Ok(Plan::Scorer { weight: query.weight(EnableScoring::enabled_from_searcher(searcher))?, boost })
    }

    /// A term's weight as tantivy's `Bm25Weight::for_terms` computes it (the same idf and
    /// average length), from its postings looked up once per segment and kept for the cursors:
    /// `for_terms` looked each term up in every segment, the cursors did again, and it built an
    /// explanation (three strings) that a search never reads.
    fn term(term: Term, boost: Score, searcher: &Searcher) -> tantivy::Result<Plan> {
        use tantivy::query::Bm25StatisticsProvider;
        let mut infos = Vec::with_capacity(searcher.segment_readers().len());
        let mut doc_freq = 0;
        for reader in searcher.segment_readers() {
            let info = reader.inverted_index(term.field())?.get_term_info(&term)?;
            doc_freq += info.as_ref().map_or(0, |i| u64::from(i.doc_freq));
            infos.push((reader.segment_id(), info));
        }
        let total_docs = searcher.total_num_docs()?;
        let average = searcher.total_num_tokens(term.field())? as Score / total_docs as Score;
        let bm25 = Bm25Weight::for_one_term_without_explain(doc_freq, total_docs, average).boost_by(boost);
        let once = Box::new(std::array::from_fn(|norm| bm25.score(norm as u8, 1)));
        Ok(Plan::Term { term, bm25, once, average, infos })
    }

    /// Reports the passages of one segment matching the plan to `sink`, window by window, scored
    /// where the sink's threshold asks for it (deleted passages left out).
    pub fn search(
        &self,
        reader: &SegmentReader,
        doc_sets: &DocSets,
        sink: &mut impl WindowSink,
    ) -> tantivy::Result<()> {
        let mut cursor = Cursor::open(self, reader, false, doc_sets)?;
        let alive = reader.alive_bitset();
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let mut out = scratch.take();
            let mut base = 0;
            while base < reader.max_doc() {
                cursor.load(base);
                if let Some(bound) = cursor.bound() {
                    // Scored unless the bound says no passage of the window can reach the page.
                    let scores = sink.threshold().is_none_or(|threshold| bound * ROUNDING > threshold);
                    let fill = if scores { Fill::Scores } else { Fill::Bits };
                    cursor.fill(base, &mut out, fill, &mut scratch);
                    if let Some(alive) = alive {
                        out.retain(base, |doc| alive.is_alive(doc));
                    }
                    // A window whose clauses are all present may still hold no match (a
                    // conjunction of words that are never together): nothing to report.
                    if out.bits.iter().any(|&w| w != 0) {
                        sink.window(base, &out.bits[..], scores.then_some(&out.scores[..]));
                        out.clear();
                    }
                }
                base = base.saturating_add(WINDOW as DocId);
            }
            scratch.give(out);
        });
        Ok(())
    }
}

/// How far a block maximum written with the segment's average length `written` may fall short
/// under the searcher's `average`: the pair of frequency and length a block keeps is its best
/// under the segment's average, and another pair of the block may score better under another
/// average, but never by more than the ratio of the two. (A score is idf · tf / (tf + K(len)),
/// K(len) = k1 · (1 - b + b · len / average), and scaling the average by r scales K by at most r.)
fn spread(written: Score, average: Score) -> Score {
    let r = written / average;
    let s = r.max(1.0 / r);
    if s.is_finite() {
        s
    } else {
        Score::INFINITY
    }
}

/// The passages holding a frequent term, as one bit set per segment, for the terms a search only
/// excludes: the tag clauses exclude the query's language (src/search/query.rs), which half the
/// passages hold, and decoding its postings at every search cost more than the rest of the query.
#[derive(Default)]
pub struct DocSets {
    by_term: Mutex<FxHashMap<(SegmentId, Term), Passages>>,
}

/// One bit per passage of a segment.
type Passages = Arc<Vec<u64>>;

/// How many sets are kept (a few languages and kinds, per segment).
const DOC_SETS_KEPT: usize = 256;

impl DocSets {
    /// The passages of `reader` holding `term`.
    fn get(&self, reader: &SegmentReader, term: &Term) -> tantivy::Result<Passages> {
        let key = (reader.segment_id(), term.clone());
        if let Some(set) = self.by_term.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(set.clone());
        }
        let words = (reader.max_doc() as usize).div_ceil(WINDOW) * WORDS;
        let mut set = vec![0u64; words];
        if let Some(mut postings) =
            reader.inverted_index(term.field())?.read_block_postings(term, IndexRecordOption::Basic)?
        {
            while !postings.docs().is_empty() {
                for &doc in postings.docs() {
                    set[doc as usize / 64] |= 1 << (doc % 64);
                }
                postings.advance();
            }
        }
        let set = Arc::new(set);
        let mut kept = self.by_term.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= DOC_SETS_KEPT {
            kept.clear();
        }
        kept.insert(key, set.clone());
        Ok(set)
    }
}

/// Reports the passages of `reader` holding `term`, a frequent term kept as a set in `doc_sets`,
/// window by window (deleted passages left out, empty windows skipped): a search without text
/// reads every passage this way, a few word operations per window instead of a call per passage.
pub fn term_windows(
    reader: &SegmentReader,
    doc_sets: &DocSets,
    term: &Term,
    mut each: impl FnMut(DocId, &[u64]),
) -> tantivy::Result<()> {
    let set = doc_sets.get(reader, term)?;
    let alive = reader.alive_bitset();
    let mut words = [0u64; WORDS];
    for (w, chunk) in set.chunks(WORDS).enumerate() {
        let base = (w * WINDOW) as DocId;
        words[..chunk.len()].copy_from_slice(chunk);
        words[chunk.len()..].fill(0);
        if let Some(alive) = alive {
            for i in ones(chunk) {
                if !alive.is_alive(base + i as DocId) {
                    words[i / 64] &= !(1 << (i % 64));
                }
            }
        }
        if words.iter().any(|&word| word != 0) {
            each(base, &words);
        }
    }
    Ok(())
}

/// Passages per window: small enough that a term's bound in a window is close to its scores
/// there, large enough that a window's fixed costs stay small.
const WINDOW: usize = 1 << 11;
const WORDS: usize = WINDOW / 64;

/// One window's matches and scores. Scores are zero wherever the bit is unset.
struct Acc {
    bits: Box<[u64; WORDS]>,
    scores: Box<[Score; WINDOW]>,
}

impl Acc {
    fn new() -> Acc {
        let bits = vec![0; WORDS].into_boxed_slice().try_into().expect("WORDS long");
        let scores = vec![0.0; WINDOW].into_boxed_slice().try_into().expect("WINDOW long");
        Acc { bits, scores }
    }

    /// Adds a passage at offset `i` of the window (masked, so that the indexes need no checks).
    #[inline]
    fn add(&mut self, i: usize, score: Score) {
        let i = i & (WINDOW - 1);
        self.bits[i / 64] |= 1 << (i % 64);
        self.scores[i] += score;
    }

    /// Adds a passage without a score.
    #[inline]
    fn set(&mut self, i: usize) {
        let i = i & (WINDOW - 1);
        self.bits[i / 64] |= 1 << (i % 64);
    }

    /// The members as offsets in the window.
    fn ones(&self) -> impl Iterator<Item = usize> + '_ {
        ones(&self.bits[..])
    }

    /// Keeps the members for which `keep(passage)` holds.
    fn retain(&mut self, base: DocId, keep: impl Fn(DocId) -> bool) {
        let dropped: Vec<usize> = self.ones().filter(|&i| !keep(base + i as DocId)).collect();
        for i in dropped {
            self.bits[i / 64] &= !(1 << (i % 64));
            self.scores[i] = 0.0;
        }
    }

    /// Empties an accumulator whose scores can be set only within `scored` (none when None).
    fn clear_within(&mut self, scored: Option<&[u64; WORDS]>) {
        if let Some(set) = scored {
            for i in ones(&set[..]) {
                self.scores[i] = 0.0;
            }
        }
        self.bits.fill(0);
        debug_assert!(self.scores.iter().all(|&s| s == 0.0), "a score outside the scored set");
    }

    /// Empties it, touching only the scores that were set unless many were.
    fn clear(&mut self) {
        let set: u32 = self.bits.iter().map(|w| w.count_ones()).sum();
        if set as usize > WINDOW / 16 {
            self.scores.fill(0.0);
            self.bits.fill(0);
            return;
        }
        for w in 0..WORDS {
            let mut word = self.bits[w];
            while word != 0 {
                self.scores[w * 64 + word.trailing_zeros() as usize] = 0.0;
                word &= word - 1;
            }
            self.bits[w] = 0;
        }
    }
}

/// The offsets of the set bits of `bits`, in order.
pub fn ones(bits: &[u64]) -> impl Iterator<Item = usize> + '_ {
    bits.iter().enumerate().flat_map(|(w, &word)| {
        let mut word = word;
        std::iter::from_fn(move || {
            if word == 0 {
                return None;
            }
            let i = w * 64 + word.trailing_zeros() as usize;
            word &= word - 1;
            Some(i)
        })
    })
}

/// What a fill adds for each match: its bit only, or its bit and its score; `Within` scores only
/// the passages of a set (a conjunction's matches), where the bits are already known.
#[derive(Clone, Copy)]
enum Fill<'m> {
    Bits,
    Scores,
    Within(&'m [u64; WORDS]),
}

/// Accumulators for the clauses of conjunctions, reused across searches on a thread; `picked`,
/// the postings of a term that fall in a `Within` set.
#[derive(Default)]
struct Scratch {
    free: Vec<Acc>,
    counts: Vec<u8>,
    picked: Vec<u32>,
}

impl Scratch {
    fn take(&mut self) -> Acc {
        self.free.pop().unwrap_or_else(Acc::new)
    }

    fn give(&mut self, acc: Acc) {
        // A deep query's accumulators are not all kept: 8 cover the planner's queries.
        if self.free.len() < 8 {
            self.free.push(acc);
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// A field's norm ids by passage (what tantivy's `FieldNormReader` reads, as a plain slice).
enum Norms {
    Ids(OwnedBytes),
    /// As tantivy's term scorer: a field without norms counts as one token long.
    Constant(u8),
}

impl Norms {
    fn open(reader: &SegmentReader, field: Field) -> tantivy::Result<Norms> {
        Ok(match reader.fieldnorms_readers().get_inner_file().open_read(field) {
            Some(file) => Norms::Ids(file.read_bytes()?),
            None => Norms::Constant(FieldNormReader::constant(reader.max_doc(), 1).fieldnorm_id(0)),
        })
    }
}

/// A term's postings read window by window: the window's passages and frequencies, and the bound
/// of their scores.
struct TermCursor<'p> {
    postings: BlockSegmentPostings,
    /// The next posting of the loaded block.
    at: usize,
    norms: Norms,
    bm25: &'p Bm25Weight,
    once: &'p [Score; 256],
    /// Whether the field records term frequencies (without, every frequency is 1).
    freqs: bool,
    /// For the block maxima, when the field has frequencies and norms; and their spread.
    block_max: Option<(FieldNormReader, Score)>,
    /// The loaded window: passages, frequencies (when `freqs`), the bound of their scores.
    docs: Vec<DocId>,
    tfs: Vec<u32>,
    bound: Score,
}

impl TermCursor<'_> {
    /// Reads the postings of the window from `base`.
    fn load(&mut self, base: DocId) {
        let end = base.saturating_add(WINDOW as DocId);
        self.docs.clear();
        self.tfs.clear();
        self.bound = 0.0;
        loop {
            let docs = self.postings.docs();
            if docs.is_empty() {
                return;
            }
            // A block usually lies wholly before the window's end or wholly after it (a rare
            // term's block spans many windows): two comparisons settle it, and only a block the
            // end cuts is searched. (The search was 4% of a selective query's time.)
            let rest = &docs[self.at..];
            let stop = match (rest.first(), rest.last()) {
                (Some(&first), _) if first >= end => self.at,
                (_, Some(&last)) if last < end => docs.len(),
                _ => self.at + rest.partition_point(|&d| d < end),
            };
            if stop > self.at {
                self.docs.extend_from_slice(&docs[self.at..stop]);
                if self.freqs {
                    self.tfs.extend_from_slice(&self.postings.freqs()[self.at..stop]);
                }
                let block = match &self.block_max {
                    Some((norms, spread)) => self.postings.block_max_score(norms, self.bm25) * spread,
                    // Without frequencies every frequency is 1, and the shortest passage scores best.
                    None if !self.freqs => match self.norms {
                        Norms::Ids(_) => self.once[0],
                        Norms::Constant(id) => self.once[id as usize],
                    },
                    None => self.bm25.max_score(),
                };
                self.bound = self.bound.max(block);
            }
            if stop < self.postings.docs().len() {
                self.at = stop;
                return;
            }
            self.postings.advance();
            self.at = 0;
        }
    }

    /// Adds the loaded postings at `picked` (indexes into `docs`) with their scores; `norm` and
    /// `tf` are specialised per field kind, so that the loop tests nothing but the data.
    #[inline(always)]
    fn add(
        &self,
        base: DocId,
        out: &mut Acc,
        picked: impl Iterator<Item = usize>,
        norm: impl Fn(DocId) -> u8,
        tf: impl Fn(usize) -> u32,
    ) {
        for k in picked {
            let doc = self.docs[k];
            let norm = norm(doc);
            let score = match tf(k) {
                1 => self.once[norm as usize],
                tf => self.bm25.score(norm, tf),
            };
            out.add((doc - base) as usize, score);
        }
    }

    fn fill(&self, base: DocId, out: &mut Acc, fill: Fill<'_>, picked: &mut Vec<u32>) {
        let within = match fill {
            Fill::Bits => {
                for &doc in &self.docs {
                    out.set((doc - base) as usize);
                }
                return;
            }
            Fill::Scores => None,
            Fill::Within(set) => Some(set),
        };
        // Within a set, the postings in it are picked first (without branches), and only they
        // are scored.
        let n = match within {
            None => self.docs.len(),
            Some(set) => {
                if picked.len() < self.docs.len() {
                    picked.resize(self.docs.len(), 0);
                }
                let buffer = &mut picked[..self.docs.len()];
                let mut n = 0;
                for (k, &doc) in self.docs.iter().enumerate() {
                    let i = (doc - base) as usize & (WINDOW - 1);
                    buffer[n] = k as u32;
                    n += (set[i / 64] >> (i % 64)) as usize & 1;
                }
                n
            }
        };
        let picked = &picked[..];
        macro_rules! add {
            ($norm:expr, $tf:expr) => {
                match within {
                    None => self.add(base, out, 0..n, $norm, $tf),
                    Some(_) => self.add(base, out, picked[..n].iter().map(|&k| k as usize), $norm, $tf),
                }
            };
        }
        match (&self.norms, self.freqs) {
            (Norms::Ids(ids), true) => add!(|d| ids[d as usize], |k| self.tfs[k]),
            (Norms::Ids(ids), false) => add!(|d| ids[d as usize], |_| 1),
            (Norms::Constant(id), true) => add!(|_| *id, |k| self.tfs[k]),
            (Norms::Constant(id), false) => add!(|_| *id, |_| 1),
        }
    }
}

/// A plan opened on one segment, read window by window: [`Cursor::load`] reads each leaf's
/// passages in the window, [`Cursor::bound`] bounds their scores, [`Cursor::fill`] combines them.
enum Cursor<'p> {
    Term(Box<TermCursor<'p>>),
    /// A scorer, with the window's passages and scores, and the largest of these.
    Scorer {
        scorer: Box<dyn Scorer>,
        hits: Vec<(DocId, Score)>,
        best: Score,
    },
    /// A frequent term only excluded: its passages from [`DocSets`].
    Set(Passages),
    Bool {
        must: Vec<Cursor<'p>>,
        should: Vec<Cursor<'p>>,
        must_not: Vec<Cursor<'p>>,
        min: usize,
    },
    Empty,
}

impl<'p> Cursor<'p> {
    /// `excluded`: only the plan's passages are needed, not their scores.
    fn open(plan: &'p Plan, reader: &SegmentReader, excluded: bool, doc_sets: &DocSets) -> tantivy::Result<Cursor<'p>> {
        Ok(match plan {
            Plan::Term { term, bm25, once, average, infos } => {
                let field = term.field();
                let inverted = reader.inverted_index(field)?;
                let info = match infos.iter().find(|(id, _)| *id == reader.segment_id()) {
                    Some((_, info)) => info.clone(),
                    // A segment the plan was not made for: looked up now.
                    None => inverted.get_term_info(term)?,
                };
                let Some(info) = info else {
                    return Ok(Cursor::Empty);
                };
                if excluded && u64::from(info.doc_freq) * 8 > u64::from(reader.max_doc()) {
                    return Ok(Cursor::Set(doc_sets.get(reader, term)?));
                }
                let postings = inverted.read_block_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?;
                let norms = Norms::open(reader, field)?;
                let freqs = reader
                    .schema()
                    .get_field_entry(field)
                    .field_type()
                    .get_index_record_option()
                    .is_some_and(|o| o.has_freq());
                // The average length the segment's postings were written with (tantivy's
                // postings serializer: the field's tokens over the segment's passages).
                let written = inverted.total_num_tokens() as Score / reader.max_doc().max(1) as Score;
                let block_max = match (&norms, freqs) {
                    (Norms::Ids(_), true) => Some((reader.get_fieldnorms_reader(field)?, spread(written, *average))),
                    _ => None,
                };
                Cursor::Term(Box::new(TermCursor {
                    postings,
                    at: 0,
                    norms,
                    bm25,
                    once,
                    freqs,
                    block_max,
                    docs: Vec::new(),
                    tfs: Vec::new(),
                    bound: 0.0,
                }))
            }
            Plan::Scorer { weight, boost } => {
                Cursor::Scorer { scorer: weight.scorer(reader, *boost)?, hits: Vec::new(), best: 0.0 }
            }
            Plan::Bool { must, should, must_not, min } => {
                let open = |plans: &'p [Plan], excluded: bool| -> tantivy::Result<Vec<Cursor<'p>>> {
                    plans.iter().map(|p| Cursor::open(p, reader, excluded, doc_sets)).collect()
                };
                Cursor::Bool {
                    must: open(must, excluded)?,
                    should: open(should, excluded)?,
                    must_not: open(must_not, true)?,
                    min: *min,
                }
            }
        })
    }

    /// Reads every leaf's passages in the window from `base`.
    fn load(&mut self, base: DocId) {
        let end = base.saturating_add(WINDOW as DocId);
        match self {
            Cursor::Term(t) => t.load(base),
            Cursor::Scorer { scorer, hits, best } => {
                hits.clear();
                *best = 0.0;
                let mut doc = scorer.doc();
                while doc < end {
                    let score = scorer.score();
                    *best = best.max(score);
                    hits.push((doc, score));
                    doc = scorer.advance();
                }
            }
            Cursor::Bool { must, should, must_not, .. } => {
                for c in must.iter_mut().chain(should.iter_mut()).chain(must_not.iter_mut()) {
                    c.load(base);
                }
            }
            Cursor::Set(_) | Cursor::Empty => {}
        }
    }

    /// At least the score of every passage of the loaded window, or None when it has none: a
    /// boolean's bound is its clauses' summed in the order its score sums them.
    fn bound(&self) -> Option<Score> {
        match self {
            Cursor::Term(t) => (!t.docs.is_empty()).then_some(t.bound),
            Cursor::Scorer { hits, best, .. } => (!hits.is_empty()).then_some(*best),
            Cursor::Set(_) | Cursor::Empty => None,
            Cursor::Bool { must, should, min, .. } => {
                let mut sum = 0.0;
                for c in must {
                    sum += c.bound()?;
                }
                let (mut present, mut shoulds) = (0, 0.0);
                for b in should.iter().filter_map(Cursor::bound) {
                    present += 1;
                    shoulds += b;
                }
                let required = if must.is_empty() { (*min).max(1) } else { *min };
                if present < required {
                    return None;
                }
                Some(sum + shoulds)
            }
        }
    }

    /// Adds the loaded window's matches to `out`: their bits, and their scores as `fill` asks.
    fn fill(&mut self, base: DocId, out: &mut Acc, fill: Fill<'_>, scratch: &mut Scratch) {
        match self {
            Cursor::Empty => {}
            Cursor::Term(t) => t.fill(base, out, fill, &mut scratch.picked),
            // Only ever excluded: never scored.
            Cursor::Set(set) => {
                let from = base as usize / 64;
                out.bits.iter_mut().zip(&set[from..from + WORDS]).for_each(|(a, b)| *a |= b);
            }
            Cursor::Scorer { hits, .. } => {
                for &(doc, score) in hits.iter() {
                    let i = (doc - base) as usize;
                    match fill {
                        Fill::Bits => out.set(i),
                        Fill::Scores => out.add(i, score),
                        Fill::Within(set) if set[i / 64] >> (i % 64) & 1 == 1 => out.add(i, score),
                        Fill::Within(_) => {}
                    }
                }
            }
            Cursor::Bool { must, should, must_not, min } => {
                // A plain union adds its clauses' scores straight into the caller's accumulator.
                if must.is_empty() && must_not.is_empty() && *min <= 1 {
                    for c in should.iter_mut() {
                        c.fill(base, out, fill, scratch);
                    }
                    return;
                }
                fill_bool(must, should, must_not, *min, base, out, fill, scratch);
            }
        }
    }
}

/// A boolean's window in two passes: the clauses' bits give its matches, then the scoring
/// clauses are scored only there (a conjunction of frequent words matches far fewer passages
/// than its words do).
#[allow(clippy::too_many_arguments)]
fn fill_bool<'p>(
    must: &mut [Cursor<'p>],
    should: &mut [Cursor<'p>],
    must_not: &mut [Cursor<'p>],
    min: usize,
    base: DocId,
    out: &mut Acc,
    fill: Fill<'_>,
    scratch: &mut Scratch,
) {
    let required_should = if must.is_empty() { min.max(1) } else { min };
    let read = |cursors: &mut [Cursor<'_>], scratch: &mut Scratch| -> Vec<Acc> {
        cursors
            .iter_mut()
            .map(|c| {
                let mut acc = scratch.take();
                c.fill(base, &mut acc, Fill::Bits, scratch);
                acc
            })
            .collect()
    };
    let mut musts = read(must, scratch);
    let mut shoulds = read(should, scratch);
    let nots = read(must_not, scratch);
    let mut matched = [u64::MAX; WORDS];
    if let Fill::Within(set) = fill {
        matched.copy_from_slice(&set[..]);
    }
    for m in &musts {
        matched.iter_mut().zip(m.bits.iter()).for_each(|(a, b)| *a &= b);
    }
    if required_should > shoulds.len() {
        matched.fill(0);
    } else if required_should == shoulds.len() {
        for s in &shoulds {
            matched.iter_mut().zip(s.bits.iter()).for_each(|(a, b)| *a &= b);
        }
    } else if required_should == 1 {
        let mut any = [0u64; WORDS];
        for s in &shoulds {
            any.iter_mut().zip(s.bits.iter()).for_each(|(a, b)| *a |= b);
        }
        matched.iter_mut().zip(&any).for_each(|(a, b)| *a &= b);
    } else if required_should > 1 {
        // At least `required_should` of them: count per passage, where any matched.
        scratch.counts.resize(WINDOW, 0);
        let mut any = [0u64; WORDS];
        for s in &shoulds {
            any.iter_mut().zip(s.bits.iter()).for_each(|(a, b)| *a |= b);
            for i in s.ones() {
                scratch.counts[i] += 1;
            }
        }
        for (w, word) in matched.iter_mut().enumerate() {
            let (mut candidates, mut enough) = (any[w], 0u64);
            while candidates != 0 {
                let bit = candidates.trailing_zeros() as usize;
                candidates &= candidates - 1;
                let count = &mut scratch.counts[w * 64 + bit];
                if *count as usize >= required_should {
                    enough |= 1 << bit;
                }
                *count = 0;
            }
            *word &= enough;
        }
    }
    for n in &nots {
        matched.iter_mut().zip(n.bits.iter()).for_each(|(a, b)| *a &= !b);
    }
    if matches!(fill, Fill::Bits) {
        out.bits.iter_mut().zip(&matched).for_each(|(a, b)| *a |= b);
    } else if matched.iter().any(|&w| w != 0) {
        let clauses = must.iter_mut().zip(musts.iter_mut()).chain(should.iter_mut().zip(shoulds.iter_mut()));
        for (c, acc) in clauses {
            c.fill(base, acc, Fill::Within(&matched), scratch);
        }
        for i in ones(&matched) {
            let score =
                musts.iter().map(|a| a.scores[i]).sum::<Score>() + shoulds.iter().map(|a| a.scores[i]).sum::<Score>();
            out.add(i, score);
        }
    }
    // The clauses were read as bits, and scored only at the matches: that is all there is to
    // clear (a full clear wrote the window's 2,048 scores per clause whenever it held many bits).
    let scored = !matches!(fill, Fill::Bits) && matched.iter().any(|&w| w != 0);
    for mut acc in musts.into_iter().chain(shoulds).chain(nots) {
        acc.clear_within(scored.then_some(&matched));
        scratch.give(acc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use tantivy::query::PhraseQuery;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, Index};

    const WORDS_USED: [&str; 6] = ["a", "b", "c", "d", "e", "f"];

    /// An index of `docs` passages over six words, in two segments.
    fn index(docs: &[Vec<usize>]) -> (Index, tantivy::schema::Field) {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).expect("writer");
        for (i, words) in docs.iter().enumerate() {
            let text: Vec<&str> = words.iter().map(|&w| WORDS_USED[w]).collect();
            writer.add_document(doc!(body => text.join(" "))).expect("add");
            if i == docs.len() / 2 {
                writer.commit().expect("commit");
            }
        }
        writer.commit().expect("commit");
        (index, body)
    }

    #[derive(Debug, Clone)]
    enum Q {
        Term(usize),
        Phrase(usize, usize),
        Boost(Box<Q>, u8),
        Bool(Vec<(u8, Q)>, usize),
    }

    fn query(q: &Q, body: tantivy::schema::Field) -> Box<dyn Query> {
        let term = |w: usize| Term::from_field_text(body, WORDS_USED[w]);
        match q {
            Q::Term(w) => Box::new(TermQuery::new(term(*w), IndexRecordOption::WithFreqs)),
            Q::Phrase(a, b) => Box::new(PhraseQuery::new(vec![term(*a), term(*b)])),
            Q::Boost(q, b) => Box::new(Boosted::new(query(q, body), f32::from(*b) / 4.0)),
            Q::Bool(clauses, min) => {
                // Excluded clauses are terms only: tantivy's exclusion of a phrase trips a debug
                // assertion of its phrase scorer (seek_danger behind the current passage).
                let occur = |o: u8, q: &Q| match (o % 3, q) {
                    (2, Q::Term(_)) => Occur::MustNot,
                    (1, _) => Occur::Must,
                    _ => Occur::Should,
                };
                let clauses = clauses.iter().map(|(o, q)| (occur(*o, q), query(q, body))).collect();
                Box::new(BooleanQuery::with_minimum_required_clauses(clauses, *min))
            }
        }
    }

    fn queries() -> impl Strategy<Value = Q> {
        let leaf =
            prop_oneof![(0..6usize).prop_map(Q::Term), (0..6usize, 0..6usize).prop_map(|(a, b)| Q::Phrase(a, b))];
        leaf.prop_recursive(3, 24, 5, |inner| {
            prop_oneof![
                (inner.clone(), 1..12u8).prop_map(|(q, b)| Q::Boost(Box::new(q), b)),
                (prop::collection::vec((0..3u8, inner), 1..5), 0..4usize).prop_map(|(c, m)| Q::Bool(c, m)),
            ]
        })
    }

    fn by_tantivy(q: &dyn Query, searcher: &Searcher) -> Vec<(u32, DocId, Score)> {
        let weight = q.weight(EnableScoring::enabled_from_searcher(searcher)).expect("weight");
        let mut out = Vec::new();
        for (s, reader) in searcher.segment_readers().iter().enumerate() {
            let alive = reader.alive_bitset();
            weight
                .for_each(reader, &mut |doc, score| {
                    if alive.is_none_or(|a| a.is_alive(doc)) {
                        out.push((s as u32, doc, score))
                    }
                })
                .expect("for_each");
        }
        out
    }

    /// Every match with its score.
    struct All(Vec<(u32, DocId, Score)>, u32);

    impl WindowSink for All {
        fn threshold(&self) -> Option<Score> {
            None
        }
        fn window(&mut self, base: DocId, bits: &[u64], scores: Option<&[Score]>) {
            let scores = scores.expect("every window scored");
            for i in ones(bits) {
                self.0.push((self.1, base + i as DocId, scores[i]));
            }
        }
    }

    fn by_accumulation(q: &dyn Query, searcher: &Searcher) -> Vec<(u32, DocId, Score)> {
        let plan = Plan::new(q, searcher).expect("plan");
        let doc_sets = DocSets::default();
        let mut all = All(Vec::new(), 0);
        for (s, reader) in searcher.segment_readers().iter().enumerate() {
            all.1 = s as u32;
            plan.search(reader, &doc_sets, &mut all).expect("search");
        }
        all.0
    }

    /// The best `k` passages of a segment, as the collector keeps them (greater score first, the
    /// earlier passage on a tie), and every match, scored or not.
    struct Best {
        k: usize,
        page: Vec<(Score, DocId)>,
        matched: Vec<DocId>,
    }

    impl Best {
        fn worst(&self) -> Option<Score> {
            (self.page.len() >= self.k).then(|| self.page.last().map_or(Score::INFINITY, |w| w.0))
        }
    }

    impl WindowSink for Best {
        fn threshold(&self) -> Option<Score> {
            self.worst()
        }
        fn window(&mut self, base: DocId, bits: &[u64], scores: Option<&[Score]>) {
            for i in ones(bits) {
                let doc = base + i as DocId;
                self.matched.push(doc);
                let Some(scores) = scores else { continue };
                if self.worst().is_some_and(|w| scores[i] <= w) {
                    continue;
                }
                self.page.push((scores[i], doc));
                self.page.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                self.page.truncate(self.k);
            }
        }
    }

    /// The same from every match's score.
    fn best_of(all: &[(u32, DocId, Score)], segment: u32, k: usize) -> Vec<(Score, DocId)> {
        let mut page: Vec<(Score, DocId)> = all.iter().filter(|m| m.0 == segment).map(|m| (m.2, m.1)).collect();
        page.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        page.truncate(k);
        page
    }

    fn same(a: &[(u32, DocId, Score)], b: &[(u32, DocId, Score)]) -> Result<(), String> {
        if a.len() != b.len() || a.iter().zip(b).any(|(x, y)| (x.0, x.1) != (y.0, y.1)) {
            return Err(format!("different passages: {:?} against {:?}", a, b));
        }
        for (x, y) in a.iter().zip(b) {
            if (x.2 - y.2).abs() > 1e-4 * x.2.abs().max(1.0) {
                return Err(format!("different scores at {:?}: {} against {}", (x.0, x.1), x.2, y.2));
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn finds_the_passages_and_scores_of_tantivys_scorers(
            docs in prop::collection::vec(prop::collection::vec(0..6usize, 0..8), 1..60),
            q in queries(),
        ) {
            let (index, body) = index(&docs);
            let searcher = index.reader().expect("reader").searcher();
            let q = query(&q, body);
            let expected = by_tantivy(q.as_ref(), &searcher);
            let found = by_accumulation(q.as_ref(), &searcher);
            prop_assert!(same(&expected, &found).is_ok(), "{}", same(&expected, &found).unwrap_err());
        }

        /// Windows left unscored lose nothing: the page is the one scoring every match gives, and
        /// every match is still reported. The passages span several windows and several postings
        /// blocks, with lengths and frequencies that vary from block to block.
        #[test]
        fn a_pruned_page_is_the_page_of_every_score(
            seed in prop::collection::vec((0..6usize, 1..4usize, 0..30usize), 1..40),
            q in queries(),
            k in 1..12usize,
        ) {
            let docs: Vec<Vec<usize>> = (0..WINDOW * 3 + 77)
                .map(|i| {
                    let (w, tf, filler) = seed[i % seed.len()];
                    let mut words = vec![(w + i / 997) % 6; tf];
                    words.extend((0..(filler + i % 7)).map(|j| (i + j) % 6));
                    words
                })
                .collect();
            let (index, body) = index(&docs);
            let searcher = index.reader().expect("reader").searcher();
            let q = query(&q, body);
            let all = by_accumulation(q.as_ref(), &searcher);
            let plan = Plan::new(q.as_ref(), &searcher).expect("plan");
            let doc_sets = DocSets::default();
            for (s, reader) in searcher.segment_readers().iter().enumerate() {
                let mut best = Best { k, page: Vec::new(), matched: Vec::new() };
                plan.search(reader, &doc_sets, &mut best).expect("search");
                let expected = best_of(&all, s as u32, k);
                prop_assert_eq!(best.page.iter().map(|p| p.1).collect::<Vec<_>>(), expected.iter().map(|p| p.1).collect::<Vec<_>>());
                let matched: Vec<DocId> = all.iter().filter(|m| m.0 == s as u32).map(|m| m.1).collect();
                prop_assert_eq!(best.matched, matched);
            }
        }
    }

    #[test]
    fn windows_and_deleted_passages() {
        // More passages than one window, some deleted: a and b alternate, c every seventh.
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let id = schema.add_u64_field("id", tantivy::schema::INDEXED);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 50_000_000).expect("writer");
        for i in 0..(WINDOW as u64 * 2 + 100) {
            let mut text = String::from(if i % 2 == 0 { "a" } else { "b" });
            if i % 7 == 0 {
                text.push_str(" c c");
            }
            writer.add_document(doc!(body => text, id => i)).expect("add");
        }
        writer.commit().expect("commit");
        writer.delete_term(Term::from_field_u64(id, 14));
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        let t = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(body, w), IndexRecordOption::WithFreqs))
        };
        for q in [
            BooleanQuery::new(vec![(Occur::Should, t("a")), (Occur::Should, t("c"))]),
            BooleanQuery::new(vec![(Occur::Must, t("a")), (Occur::Must, t("c"))]),
            BooleanQuery::new(vec![(Occur::Must, t("b")), (Occur::MustNot, t("c"))]),
        ] {
            let expected = by_tantivy(&q, &searcher);
            assert!(!expected.iter().any(|m| m.1 == 14), "the deleted passage");
            same(&expected, &by_accumulation(&q, &searcher)).unwrap();
        }
    }
}
