//! One pass over the matching passages that yields the page of hits, the totals and every facet's
//! counts of distinct testimonies, with multi-select semantics: a facet's counts apply the other
//! facets' filters but not its own. Counts come twice: over all values and over coded values only
//! (the provenance split).
//!
//! Facet values and filters are testimony-level, so each testimony's filter outcome and facet
//! contributions are computed once per segment (all passages of a testimony are written in one
//! group and so live in one segment), and per-segment counts add up across segments.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use std::sync::Arc;

use rustc_hash::FxHashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::fastfield::FastFieldReaders;
use tantivy::index::SegmentId;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::names;

use super::request::{FacetSelection, Filters, Group, Sort};

/// The facets counted from string columns, in a fixed order: location, violation, sdg.
pub(crate) const STR_FACETS: usize = 3;

/// Counts of one facet: value → distinct testimonies.
pub type Counts = FxHashMap<String, u64>;

/// Years are counted from here (event years are validated to 1900..=2100).
const FIRST_YEAR: usize = 1900;

/// Facet counts of one view (all values, or coded values only).
#[derive(Debug, Default)]
pub struct FacetCounts {
    /// location, violation, sdg.
    pub str_counts: [Counts; STR_FACETS],
    pub year_counts: FxHashMap<u64, u64>,
}

impl FacetCounts {
    fn merge(&mut self, other: FacetCounts) {
        for (i, counts) in other.str_counts.into_iter().enumerate() {
            for (value, n) in counts {
                *self.str_counts[i].entry(value).or_default() += n;
            }
        }
        for (y, n) in other.year_counts {
            *self.year_counts.entry(y).or_default() += n;
        }
    }
}

/// Ordering key of a hit: primary (year sort) then score, then position for a stable order.
#[derive(Debug, Clone, Copy)]
pub struct HitKey {
    /// For year sort: the negated first year (earlier first); 0 for relevance.
    pub primary: i64,
    pub score: Score,
    pub address: DocAddress,
}

impl PartialEq for HitKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for HitKey {}
impl PartialOrd for HitKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for HitKey {
    /// Greater is better.
    fn cmp(&self, other: &Self) -> Ordering {
        self.primary.cmp(&other.primary).then(self.score.total_cmp(&other.score)).then(other.address.cmp(&self.address))
    }
}

/// What a search collects.
#[derive(Debug, Default)]
pub struct Harvest {
    /// Best first, at most `top_k`.
    pub hits: Vec<HitKey>,
    /// Passages (group=passage) or testimonies (group=testimony) matching query and filters.
    pub total: u64,
    /// Distinct testimonies matching query and filters (those the caller may read).
    pub testimonies: u64,
    /// The same, restricted testimonies included: what disclosure control judges.
    pub all_testimonies: u64,
    /// Counts over the values the filters use (all, or coded only).
    pub counts: FacetCounts,
    /// Counts over coded values only.
    pub coded: FacetCounts,
}

/// Column names of the all-values view.
const ALL_COLUMNS: [&str; 4] = [names::LOCATION, names::VIOLATION, names::SDG, names::YEAR];
/// Column names of the coded-only view.
const CODED_COLUMNS: [&str; 4] = [names::LOCATION_CODED, names::VIOLATION_CODED, names::SDG_CODED, names::YEAR_CODED];

/// A segment's facet values by testimony, read once per segment (segments never change) and
/// shared by every search. Facet values are testimony-level (every passage carries its
/// testimony's), so a search reads them per matching testimony from flat arrays instead of
/// decoding eight multi-valued columns: that decoding was most of the time of a broad query.
pub struct SegmentTable {
    /// Testimony ordinal by document.
    testimony: Vec<u32>,
    /// Number of testimony ordinals.
    testimonies: usize,
    /// Per column of ALL_COLUMNS then CODED_COLUMNS: the values of testimony `t` are
    /// `values[offsets[t]..offsets[t + 1]]` (term ordinals, or years).
    columns: Vec<(Vec<u32>, Vec<u32>)>,
    /// Whether testimony `t` is restricted (its text is withheld from the public).
    restricted: Vec<bool>,
    /// Per column, the testimonies holding each value (by term ordinal, or by year - FIRST_YEAR):
    /// a query matching most testimonies is counted as these totals minus the testimonies it
    /// does not match.
    totals: Vec<Vec<u64>>,
}

impl SegmentTable {
    fn build(reader: &SegmentReader) -> tantivy::Result<SegmentTable> {
        let ff = reader.fast_fields();
        let ids = ff.str(names::TESTIMONY_ID)?;
        let testimonies = ids.as_ref().map(|c| c.dictionary().num_terms()).unwrap_or(0);
        let mut testimony = Vec::with_capacity(reader.max_doc() as usize);
        // One document of each testimony stands for it.
        let mut representative: Vec<Option<DocId>> = vec![None; testimonies];
        for doc in 0..reader.max_doc() {
            let t = ids.as_ref().and_then(|c| c.term_ords(doc).next());
            if let Some(slot) = t.and_then(|t| representative.get_mut(t as usize)) {
                slot.get_or_insert(doc);
            }
            testimony.push(t.map(|t| t as u32).unwrap_or(NO_TESTIMONY));
        }
        let mut columns = Vec::with_capacity(8);
        for name in ALL_COLUMNS.iter().chain(CODED_COLUMNS.iter()) {
            let mut offsets = Vec::with_capacity(testimonies + 1);
            let mut values = Vec::new();
            offsets.push(0);
            if *name == names::YEAR || *name == names::YEAR_CODED {
                let col = ff.column_opt::<u64>(name)?;
                for doc in &representative {
                    if let (Some(col), Some(doc)) = (&col, doc) {
                        let mut years: Vec<u32> = col.values_for_doc(*doc).map(|y| y as u32).collect();
                        years.sort_unstable();
                        years.dedup();
                        values.extend(years);
                    }
                    offsets.push(values.len() as u32);
                }
            } else {
                let col = ff.str(name)?;
                for doc in &representative {
                    if let (Some(col), Some(doc)) = (&col, doc) {
                        values.extend(col.term_ords(*doc).map(|o| o as u32));
                    }
                    offsets.push(values.len() as u32);
                }
            }
            columns.push((offsets, values));
        }
        // Unreadable access counts as restricted: withholding is the safe mistake.
        let access = ff.str(names::ACCESS)?;
        let public_ord = match &access {
            Some(col) => col.dictionary().term_ord(crate::ingest::Access::Public.code())?,
            None => None,
        };
        let restricted = representative
            .iter()
            .map(|doc| match (&access, doc, public_ord) {
                (Some(col), Some(doc), Some(public)) => col.term_ords(*doc).next() != Some(public),
                _ => true,
            })
            .collect();
        let totals = columns
            .iter()
            .enumerate()
            .map(|(c, (_, values))| {
                let year = c % 4 == 3;
                let mut counts: Vec<u64> = Vec::new();
                for &v in values {
                    let slot = if year { (v as usize).saturating_sub(FIRST_YEAR) } else { v as usize };
                    if slot >= counts.len() {
                        counts.resize(slot + 1, 0);
                    }
                    counts[slot] += 1;
                }
                counts
            })
            .collect();
        Ok(SegmentTable { testimony, testimonies, columns, restricted, totals })
    }

    /// The values of testimony `t` in column `c` (0..4 all values, 4..8 coded).
    #[inline]
    fn values(&self, c: usize, t: u64) -> &[u32] {
        let (offsets, values) = &self.columns[c];
        let t = t as usize;
        match (offsets.get(t), offsets.get(t + 1)) {
            (Some(&a), Some(&b)) => &values[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// No testimony (a document without the id column).
const NO_TESTIMONY: u32 = u32::MAX;

/// The [`SegmentTable`] of every live segment.
#[derive(Default)]
pub struct SegmentTables {
    by_segment: std::sync::Mutex<FxHashMap<SegmentId, Arc<SegmentTable>>>,
}

impl SegmentTables {
    fn for_segment(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentTable>> {
        let id = reader.segment_id();
        if let Some(table) = self.by_segment.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
            return Ok(table.clone());
        }
        let table = Arc::new(SegmentTable::build(reader)?);
        self.by_segment.lock().unwrap_or_else(|e| e.into_inner()).insert(id, table.clone());
        Ok(table)
    }

    /// Builds the table of every segment of the searcher not built yet, and forgets the others.
    pub fn warm(&self, searcher: &tantivy::Searcher) -> tantivy::Result<()> {
        for reader in searcher.segment_readers() {
            self.for_segment(reader)?;
        }
        self.retain(searcher);
        Ok(())
    }

    /// Forgets segments the searcher no longer has (merged away or deleted).
    pub fn retain(&self, searcher: &tantivy::Searcher) {
        let live: Vec<SegmentId> = searcher.segment_readers().iter().map(|r| r.segment_id()).collect();
        self.by_segment.lock().unwrap_or_else(|e| e.into_inner()).retain(|id, _| live.contains(id));
    }
}

/// Collects hits and facet counts for one search.
pub struct FacetedCollector {
    pub filters: Filters,
    pub group: Group,
    pub sort: Sort,
    pub top_k: usize,
    pub scoring: bool,
    /// Filter and count on coded values only.
    pub coded_only: bool,
    /// The facets to count.
    pub facets: FacetSelection,
    pub tables: Arc<SegmentTables>,
    /// Hits from public testimonies only; restricted ones still count in the facets.
    pub public_only: bool,
}

/// The columns and per-segment counts of one view.
struct Tally {
    /// The dictionaries (values by term ordinal).
    facets: [Option<StrColumn>; STR_FACETS],
    table: Arc<SegmentTable>,
    /// First column of this view in the table: 0 (all values) or 4 (coded).
    view: usize,
    /// Which facets are counted: location, violation, sdg, year.
    wanted: [bool; 4],
    /// Per facet, distinct testimonies by term ordinal (a flat array: ordinals are dense).
    str_counts: [Vec<u64>; STR_FACETS],
    /// Distinct testimonies by year - FIRST_YEAR (a flat array: years are few and dense).
    year_counts: Vec<u64>,
}

impl Tally {
    fn open(
        ff: &FastFieldReaders,
        table: Arc<SegmentTable>,
        coded: bool,
        wanted: FacetSelection,
    ) -> tantivy::Result<Tally> {
        let columns = if coded { CODED_COLUMNS } else { ALL_COLUMNS };
        let facets = [ff.str(columns[0])?, ff.str(columns[1])?, ff.str(columns[2])?];
        let wanted = wanted.0;
        let str_counts = std::array::from_fn(|i| match &facets[i] {
            Some(col) if wanted[i] => vec![0; col.dictionary().num_terms()],
            _ => Vec::new(),
        });
        Ok(Tally { facets, table, view: if coded { 4 } else { 0 }, wanted, str_counts, year_counts: Vec::new() })
    }

    /// Counts a testimony's values in each facet whose other filters it passes.
    fn count(&mut self, testimony: u64, outcome: &[bool; 5]) {
        self.add(testimony, outcome, false);
    }

    /// Adds (or takes away) one testimony's values.
    fn add(&mut self, testimony: u64, outcome: &[bool; 5], take_away: bool) {
        let step = |n: &mut u64| *n = if take_away { n.saturating_sub(1) } else { *n + 1 };
        for i in 0..STR_FACETS {
            if self.wanted[i] && outcome[i + 1] {
                for &ord in self.table.values(self.view + i, testimony) {
                    if let Some(n) = self.str_counts[i].get_mut(ord as usize) {
                        step(n);
                    }
                }
            }
        }
        if self.wanted[3] && outcome[4] {
            // Distinct already (see SegmentTable::build).
            for &y in self.table.values(self.view + 3, testimony) {
                let Some(i) = (y as usize).checked_sub(FIRST_YEAR) else { continue };
                if i >= self.year_counts.len() {
                    self.year_counts.resize(i + 1, 0);
                }
                step(&mut self.year_counts[i]);
            }
        }
    }

    /// Counts, when no filter applies, every testimony whose bit is set in `matched`: their
    /// values, or, when they are most of the segment, every testimony's values minus those of the
    /// testimonies not matched (a broad query then touches few testimonies' values).
    fn count_matched(&mut self, matched: &[u64], testimonies: usize) {
        let set: usize = matched.iter().map(|w| w.count_ones() as usize).sum();
        let complement = set * 2 > testimonies;
        if complement {
            for i in 0..STR_FACETS {
                if self.wanted[i] {
                    for (n, &total) in self.str_counts[i].iter_mut().zip(&self.table.totals[self.view + i]) {
                        *n = total;
                    }
                }
            }
            if self.wanted[3] {
                self.year_counts = self.table.totals[self.view + 3].clone();
            }
        }
        for t in 0..testimonies {
            let hit = matched.get(t / 64).is_some_and(|w| w & (1u64 << (t % 64)) != 0);
            if hit != complement {
                self.add(t as u64, &[true; 5], complement);
            }
        }
    }

    /// Term ordinals to strings.
    fn harvest(self) -> FacetCounts {
        let mut out = FacetCounts::default();
        for (i, counts) in self.str_counts.into_iter().enumerate() {
            if let Some(col) = &self.facets[i] {
                // One pass over the dictionary for every counted value (ordinals come sorted),
                // rather than a block decoded per value.
                let (ords, ns): (Vec<u64>, Vec<u64>) =
                    counts.iter().enumerate().filter(|(_, n)| **n > 0).map(|(ord, &n)| (ord as u64, n)).unzip();
                let mut ns = ns.into_iter();
                let _ = col.dictionary().sorted_ords_to_term_cb(&ords, |term| {
                    if let (Ok(value), Some(n)) = (std::str::from_utf8(term), ns.next()) {
                        *out.str_counts[i].entry(value.to_string()).or_default() += n;
                    }
                });
            }
        }
        out.year_counts = self
            .year_counts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, &n)| ((i + FIRST_YEAR) as u64, n))
            .collect();
        out
    }
}

/// A facet filter inside one segment: the term ordinals that satisfy it.
enum SegmentFilter {
    None,
    /// Whether each term ordinal satisfies it.
    Ords(Vec<bool>),
}

pub struct FacetedSegmentCollector {
    segment: SegmentOrdinal,
    table: Arc<SegmentTable>,
    /// The view the filters use.
    tally: Tally,
    /// The coded-only view, when the filters use all values.
    coded: Option<Tally>,
    sort_year: Option<Column<u64>>,
    filters: [SegmentFilter; STR_FACETS],
    year_range: Option<(u64, u64)>,
    /// No facet filter and no year range: every testimony passes, and the facets are counted
    /// once at the end from the testimonies matched ([`Tally::count_matched`]).
    unfiltered: bool,
    group: Group,
    sort: Sort,
    top_k: usize,
    /// The last testimony seen and its outcome (see [`FacetedSegmentCollector::outcome`]).
    last: Option<(u64, [bool; 5])>,
    /// Testimonies already counted, one bit per testimony ordinal.
    counted: Vec<u64>,
    passages: u64,
    /// Distinct testimonies passing every filter.
    passing_testimonies: u64,
    all_testimonies: u64,
    public_only: bool,
    /// The best hits (passages, or the best passage of each testimony), worst on top.
    heap: BinaryHeap<std::cmp::Reverse<HitKey>>,
    /// group=testimony: the testimony being read and its best passage so far. A testimony's
    /// passages are contiguous in a segment (written in one batch, src/index), so its best is
    /// final when the next testimony starts.
    current: Option<(u64, HitKey)>,
}

impl Collector for FacetedCollector {
    type Fruit = Harvest;
    type Child = FacetedSegmentCollector;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<FacetedSegmentCollector> {
        let ff = reader.fast_fields();
        let table = self.tables.for_segment(reader)?;
        let tally = Tally::open(ff, table.clone(), self.coded_only, self.facets)?;
        let coded = if self.coded_only || self.facets == FacetSelection::NONE {
            None
        } else {
            Some(Tally::open(ff, table.clone(), true, self.facets)?)
        };
        let testimonies = table.testimonies;
        let mut filters: [SegmentFilter; STR_FACETS] = [SegmentFilter::None, SegmentFilter::None, SegmentFilter::None];
        let wanted = [&self.filters.location, &self.filters.violation, &self.filters.sdg];
        for i in 0..STR_FACETS {
            if !wanted[i].is_empty() {
                // By term ordinal: a lookup per value of every testimony read.
                let mut ords = Vec::new();
                if let Some(col) = &tally.facets[i] {
                    ords = vec![false; col.dictionary().num_terms()];
                    for value in wanted[i] {
                        if let Some(slot) = col.dictionary().term_ord(value)?.and_then(|o| ords.get_mut(o as usize)) {
                            *slot = true;
                        }
                    }
                }
                filters[i] = SegmentFilter::Ords(ords);
            }
        }
        let unfiltered = self.filters.years.is_none() && filters.iter().all(|f| matches!(f, SegmentFilter::None));
        Ok(FacetedSegmentCollector {
            segment,
            table,
            tally,
            coded,
            sort_year: ff.column_opt::<u64>(names::SORT_YEAR)?,
            filters,
            year_range: self.filters.years.map(|(a, b)| (a as u64, b as u64)),
            unfiltered,
            group: self.group,
            sort: self.sort,
            top_k: self.top_k,
            last: None,
            counted: vec![0; testimonies.div_ceil(64)],
            passages: 0,
            passing_testimonies: 0,
            all_testimonies: 0,
            public_only: self.public_only,
            heap: BinaryHeap::new(),
            current: None,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scoring
    }

    fn merge_fruits(&self, fruits: Vec<SegmentHarvest>) -> tantivy::Result<Harvest> {
        let mut out = Harvest::default();
        let mut hits = Vec::new();
        for f in fruits {
            hits.extend(f.hits);
            out.total += f.total;
            out.testimonies += f.testimonies;
            out.all_testimonies += f.all_testimonies;
            out.counts.merge(f.counts);
            out.coded.merge(f.coded);
        }
        if self.coded_only {
            out.coded =
                FacetCounts { str_counts: out.counts.str_counts.clone(), year_counts: out.counts.year_counts.clone() };
        }
        hits.sort_by(|a, b| b.cmp(a));
        hits.truncate(self.top_k);
        out.hits = hits;
        Ok(out)
    }
}

/// One segment's share of a harvest, facet values already turned into strings.
pub struct SegmentHarvest {
    hits: Vec<HitKey>,
    total: u64,
    testimonies: u64,
    all_testimonies: u64,
    counts: FacetCounts,
    coded: FacetCounts,
}

impl FacetedSegmentCollector {
    /// Whether a testimony's passages are left out of the hits for this caller.
    #[inline]
    fn withheld(&self, testimony: u64) -> bool {
        self.public_only && self.table.restricted.get(testimony as usize).copied().unwrap_or(true)
    }

    fn passes(&self, i: usize, testimony: u64) -> bool {
        match &self.filters[i] {
            SegmentFilter::None => true,
            SegmentFilter::Ords(ords) => {
                self.table.values(self.tally.view + i, testimony).iter().any(|&o| ords.get(o as usize) == Some(&true))
            }
        }
    }

    fn passes_years(&self, testimony: u64) -> bool {
        match self.year_range {
            None => true,
            Some((from, to)) => self
                .table
                .values(self.tally.view + 3, testimony)
                .iter()
                .any(|&y| u64::from(y) >= from && u64::from(y) <= to),
        }
    }

    /// [all filters, all but location, all but violation, all but sdg, all but year].
    fn outcome(&self, testimony: u64) -> [bool; 5] {
        let ok = [
            self.passes(0, testimony),
            self.passes(1, testimony),
            self.passes(2, testimony),
            self.passes_years(testimony),
        ];
        let all_but = |skip: usize| ok.iter().enumerate().all(|(i, &v)| i == skip || v);
        [ok.iter().all(|&v| v), all_but(0), all_but(1), all_but(2), all_but(3)]
    }

    /// Keeps a hit if it is among the `top_k` best so far.
    #[inline]
    fn offer(&mut self, key: HitKey) {
        if self.heap.len() < self.top_k {
            self.heap.push(std::cmp::Reverse(key));
        } else if let Some(worst) = self.heap.peek() {
            if key > worst.0 {
                self.heap.pop();
                self.heap.push(std::cmp::Reverse(key));
            }
        }
    }

    fn key(&self, doc: DocId, score: Score) -> HitKey {
        let primary = match self.sort {
            Sort::Relevance => 0,
            Sort::Year => match self.sort_year.as_ref().and_then(|c| c.first(doc)) {
                Some(y) => -(y as i64),
                None => i64::MIN,
            },
        };
        HitKey { primary, score, address: DocAddress::new(self.segment, doc) }
    }
}

impl SegmentCollector for FacetedSegmentCollector {
    type Fruit = SegmentHarvest;

    fn collect(&mut self, doc: DocId, score: Score) {
        let testimony = match self.table.testimony.get(doc as usize) {
            Some(&t) if t != NO_TESTIMONY => u64::from(t),
            _ => return,
        };
        let outcome = match self.last {
            Some((t, o)) if t == testimony => o,
            _ => {
                let o = self.outcome(testimony);
                self.last = Some((testimony, o));
                let (word, bit) = ((testimony / 64) as usize, 1u64 << (testimony % 64));
                let first = self.counted.get(word).is_some_and(|w| w & bit == 0);
                if let Some(w) = self.counted.get_mut(word) {
                    *w |= bit;
                }
                if first {
                    if !self.unfiltered {
                        self.tally.count(testimony, &o);
                        if let Some(coded) = &mut self.coded {
                            coded.count(testimony, &o);
                        }
                    }
                    if o[0] {
                        self.all_testimonies += 1;
                        if !self.withheld(testimony) {
                            self.passing_testimonies += 1;
                        }
                    }
                }
                o
            }
        };
        if !outcome[0] || self.withheld(testimony) {
            return;
        }
        self.passages += 1;
        // Most passages of a broad query cannot reach the page: leave them before building a key.
        if self.group == Group::Passage && self.sort == Sort::Relevance && self.heap.len() >= self.top_k {
            if let Some(worst) = self.heap.peek() {
                if score < worst.0.score {
                    return;
                }
            }
        }
        let key = self.key(doc, score);
        match self.group {
            Group::Testimony => match &mut self.current {
                Some((t, best)) if *t == testimony => {
                    if key > *best {
                        *best = key;
                    }
                }
                _ => {
                    if let Some((_, best)) = self.current.replace((testimony, key)) {
                        self.offer(best);
                    }
                }
            },
            Group::Passage => self.offer(key),
        }
    }

    fn harvest(mut self) -> SegmentHarvest {
        if self.unfiltered {
            let n = self.table.testimonies;
            self.tally.count_matched(&self.counted, n);
            if let Some(coded) = &mut self.coded {
                coded.count_matched(&self.counted, n);
            }
        }
        if let Some((_, best)) = self.current.take() {
            self.offer(best);
        }
        let testimonies = self.passing_testimonies;
        let total = match self.group {
            Group::Testimony => testimonies,
            Group::Passage => self.passages,
        };
        let hits = self.heap.into_iter().map(|r| r.0).collect();
        SegmentHarvest {
            hits,
            total,
            testimonies,
            all_testimonies: self.all_testimonies,
            counts: self.tally.harvest(),
            coded: self.coded.map(Tally::harvest).unwrap_or_default(),
        }
    }
}
