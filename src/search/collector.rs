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
use tantivy::columnar::Column;
use tantivy::index::SegmentId;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::names;

use super::request::{FacetSelection, Filters, Group, Sort};

/// The facets counted from string columns, in a fixed order: location, violation, sdg.
pub(crate) const STR_FACETS: usize = 3;

/// Years are counted from here (event years are validated to 1900..=2100).
const FIRST_YEAR: usize = 1900;

/// The string facet values of every segment, numbered once: a search counts a value by its
/// number, and names it only at the end. Counting by name cost a string and a hash insert per
/// value, segment and view, and took about a fifth of the benchmark's mean query (1 ms of 4.5).
#[derive(Debug, Default, Clone)]
pub struct ValueNames {
    names: [Vec<Arc<str>>; STR_FACETS],
    ids: [FxHashMap<Arc<str>, u32>; STR_FACETS],
}

impl ValueNames {
    fn intern(&mut self, facet: usize, name: &str) -> u32 {
        if let Some(&id) = self.ids[facet].get(name) {
            return id;
        }
        let id = self.names[facet].len() as u32;
        let name: Arc<str> = Arc::from(name);
        self.names[facet].push(name.clone());
        self.ids[facet].insert(name, id);
        id
    }

    fn id(&self, facet: usize, name: &str) -> Option<u32> {
        self.ids[facet].get(name).copied()
    }
}

/// Facet counts of one view (all values, or coded values only).
#[derive(Debug, Default, Clone)]
pub struct FacetCounts {
    /// location, violation, sdg: distinct testimonies by value number (see [`ValueNames`]).
    str_counts: [Vec<u64>; STR_FACETS],
    /// The names of the numbers, set when the segments' counts are merged.
    names: Option<Arc<ValueNames>>,
    pub year_counts: FxHashMap<u64, u64>,
}

impl FacetCounts {
    fn add(&mut self, facet: usize, id: u32, n: u64) {
        let counts = &mut self.str_counts[facet];
        let id = id as usize;
        if id >= counts.len() {
            counts.resize(id + 1, 0);
        }
        counts[id] += n;
    }

    fn merge(&mut self, other: FacetCounts) {
        for (facet, counts) in other.str_counts.iter().enumerate() {
            for (id, &n) in counts.iter().enumerate().filter(|(_, n)| **n > 0) {
                self.add(facet, id as u32, n);
            }
        }
        for (y, n) in other.year_counts {
            *self.year_counts.entry(y).or_default() += n;
        }
    }

    /// The values of facet `facet` (location, violation, sdg) counted at least once, with their
    /// counts here and in `other`, the counts of the same search in another view: both number
    /// their values alike, so no value is looked up by name.
    pub fn values_with<'a>(
        &'a self,
        facet: usize,
        other: &'a FacetCounts,
    ) -> impl Iterator<Item = (&'a str, u64, u64)> + 'a {
        let names = self.names.as_deref();
        let others = &other.str_counts[facet];
        self.str_counts[facet].iter().enumerate().filter(|(_, n)| **n > 0).filter_map(move |(id, &n)| {
            let name = names.and_then(|v| v.names[facet].get(id))?;
            Some((name.as_ref(), n, others.get(id).copied().unwrap_or(0)))
        })
    }

    /// The count of one value of facet `facet` (0 when not counted).
    pub fn get(&self, facet: usize, value: &str) -> u64 {
        let id = self.names.as_deref().and_then(|v| v.id(facet, value));
        id.and_then(|id| self.str_counts[facet].get(id as usize)).copied().unwrap_or(0)
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

/// A set of a segment's testimonies, one bit per testimony ordinal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bits(Vec<u64>);

impl Bits {
    fn none(testimonies: usize) -> Bits {
        Bits(vec![0; testimonies.div_ceil(64)])
    }

    #[inline]
    fn contains(&self, t: u32) -> bool {
        self.0.get((t / 64) as usize).is_some_and(|w| (w >> (t % 64)) & 1 == 1)
    }

    #[inline]
    fn insert(&mut self, t: u32) {
        if let Some(w) = self.0.get_mut((t / 64) as usize) {
            *w |= 1 << (t % 64);
        }
    }

    fn intersect(&mut self, other: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a &= b;
        }
    }

    fn unite(&mut self, other: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }

    fn len(&self) -> u64 {
        self.0.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    fn intersection_len(&self, other: &Bits) -> u64 {
        self.0.iter().zip(&other.0).map(|(a, b)| u64::from((a & b).count_ones())).sum()
    }

    /// The members, in order.
    fn ones(&self) -> impl Iterator<Item = u32> + '_ {
        super::accumulate::ones(&self.0).map(|i| i as u32)
    }
}

/// The testimonies holding each value of one column (a slot: a term ordinal, or year - FIRST_YEAR).
/// A frequent value is a bitset, so counting it within a set of testimonies is an AND and a
/// popcount per 64 testimonies; a rare one is a list, a bit test per testimony holding it.
struct ValueIndex {
    /// Per slot, its range in `lists` (empty for a dense slot).
    offsets: Vec<u32>,
    lists: Vec<u32>,
    /// Per slot, its bitset in `dense`, or `SPARSE`.
    dense_of: Vec<u32>,
    dense: Vec<Bits>,
    /// Per slot, the testimonies holding it.
    totals: Vec<u64>,
    /// What counting every slot within a set costs, in word operations.
    scan_cost: u64,
}

const SPARSE: u32 = u32::MAX;

impl ValueIndex {
    /// Inverts one column of [`SegmentTable`] (`values[offsets[t]..offsets[t + 1]]` held by testimony `t`).
    fn build(
        offsets: &[u32],
        values: &[u32],
        testimonies: usize,
        slot_of: impl Fn(u32) -> Option<usize>,
    ) -> ValueIndex {
        let mut by_slot: Vec<Vec<u32>> = Vec::new();
        for t in 0..testimonies {
            let (Some(&a), Some(&b)) = (offsets.get(t), offsets.get(t + 1)) else { continue };
            for &v in &values[a as usize..b as usize] {
                let Some(slot) = slot_of(v) else { continue };
                if slot >= by_slot.len() {
                    by_slot.resize_with(slot + 1, Vec::new);
                }
                // A value listed twice for one testimony still counts it once.
                if by_slot[slot].last() != Some(&(t as u32)) {
                    by_slot[slot].push(t as u32);
                }
            }
        }
        let words = testimonies.div_ceil(64) as u64;
        let mut index = ValueIndex {
            offsets: vec![0],
            lists: Vec::new(),
            dense_of: Vec::with_capacity(by_slot.len()),
            dense: Vec::new(),
            totals: Vec::with_capacity(by_slot.len()),
            scan_cost: 0,
        };
        for list in by_slot {
            index.totals.push(list.len() as u64);
            if list.len() as u64 > words {
                let mut bits = Bits::none(testimonies);
                for &t in &list {
                    bits.insert(t);
                }
                index.dense_of.push(index.dense.len() as u32);
                index.dense.push(bits);
                index.scan_cost += words;
            } else {
                index.dense_of.push(SPARSE);
                index.scan_cost += list.len() as u64;
                index.lists.extend(list);
            }
            index.offsets.push(index.lists.len() as u32);
        }
        index
    }

    fn slots(&self) -> usize {
        self.totals.len()
    }

    /// Adds the testimonies holding `slot` to `out`.
    fn add_to(&self, slot: usize, out: &mut Bits) {
        match self.dense_of.get(slot) {
            Some(&SPARSE) => {
                for &t in &self.lists[self.offsets[slot] as usize..self.offsets[slot + 1] as usize] {
                    out.insert(t);
                }
            }
            Some(&d) => out.unite(&self.dense[d as usize]),
            None => {}
        }
    }

    /// How many testimonies of `within` hold `slot`.
    #[inline]
    fn count(&self, slot: usize, within: &Bits) -> u64 {
        match self.dense_of.get(slot) {
            Some(&SPARSE) => self.lists[self.offsets[slot] as usize..self.offsets[slot + 1] as usize]
                .iter()
                .map(|&t| u64::from(within.contains(t)))
                .sum(),
            Some(&d) => self.dense[d as usize].intersection_len(within),
            None => 0,
        }
    }
}

/// A segment's facet values by testimony, read once per segment (segments never change) and
/// shared by every search. Facet values are testimony-level (every passage carries its
/// testimony's), so a search only gathers the set of testimonies it matches; filters and counts
/// are then set operations on these tables, not work per passage or per testimony.
pub struct SegmentTable {
    /// Testimony ordinal by document.
    testimony: Vec<u32>,
    /// The runs of documents of one testimony (a testimony's passages are contiguous, see
    /// src/index): where each starts, and its testimony ordinal (or NO_TESTIMONY).
    run_starts: Vec<DocId>,
    run_testimony: Vec<u32>,
    /// Number of testimony ordinals.
    testimonies: usize,
    /// Per column of ALL_COLUMNS then CODED_COLUMNS: the values of testimony `t` are
    /// `values[offsets[t]..offsets[t + 1]]` (term ordinals, or years).
    columns: Vec<(Vec<u32>, Vec<u32>)>,
    /// Per column, the testimonies holding each value.
    index: Vec<ValueIndex>,
    /// Per string column, the value of each term ordinal (facet values are a few hundred).
    names: Vec<Vec<String>>,
    /// Per string column, the number of each term ordinal's value in [`ValueNames`].
    ids: Vec<Vec<u32>>,
    /// The testimonies the public may read.
    public: Bits,
}

/// The slot of a value of column `c`: the term ordinal, or the year's offset from FIRST_YEAR.
fn slot_of(c: usize, v: u32) -> Option<usize> {
    if c % 4 == 3 {
        (v as usize).checked_sub(FIRST_YEAR)
    } else {
        Some(v as usize)
    }
}

impl SegmentTable {
    /// Adds the testimonies of a window's matches (bit `i` is passage `base + i`) to `matched`,
    /// sets in `hittable` (as long as `bits`) the matches whose testimony passes `gate` (every
    /// match of a testimony, without one), and returns how many they are.
    ///
    /// The matches and the runs of a testimony's passages (contiguous, see [`SegmentTable`]) are
    /// walked together: a run's matches within a word are one mask and a popcount, and only the
    /// runs are read, a few hundred bytes a window. Looking each match's testimony up in the
    /// per-passage table (8 KB a window, out of cache by the time a window is counted) was three
    /// quarters of counting a window; counting every run's range cost as much in a sparse window.
    fn count_matches(
        &self,
        base: DocId,
        bits: &[u64],
        matched: &mut Bits,
        gate: Option<&Bits>,
        hittable: &mut [u64],
    ) -> u64 {
        let starts = &self.run_starts;
        let mut passages = 0;
        hittable.fill(0);
        // The run holding the window's first passage (runs start at passage 0).
        let mut r = starts.partition_point(|&s| s <= base).saturating_sub(1);
        for (w, &word) in bits.iter().enumerate() {
            let at = base as usize + w * 64;
            let mut word = word;
            while word != 0 {
                let doc = at + word.trailing_zeros() as usize;
                while starts.get(r + 1).is_some_and(|&s| s as usize <= doc) {
                    r += 1;
                }
                // This word's matches in run `r`: those before the next run starts.
                let in_run = match starts.get(r + 1) {
                    Some(&next) if (next as usize) < at + 64 => word & ((1u64 << (next as usize - at)) - 1),
                    _ => word,
                };
                word &= !in_run;
                let t = self.run_testimony.get(r).copied().unwrap_or(NO_TESTIMONY);
                if t == NO_TESTIMONY {
                    continue;
                }
                matched.insert(t);
                if gate.is_none_or(|g| g.contains(t)) {
                    passages += u64::from(in_run.count_ones());
                    hittable[w] |= in_run;
                }
            }
        }
        passages
    }

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
        let mut value_names = Vec::with_capacity(8);
        for name in ALL_COLUMNS.iter().chain(CODED_COLUMNS.iter()) {
            let mut offsets = Vec::with_capacity(testimonies + 1);
            let mut values = Vec::new();
            offsets.push(0);
            let mut names_here = Vec::new();
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
                        let mut ords: Vec<u32> = col.term_ords(*doc).map(|o| o as u32).collect();
                        ords.sort_unstable();
                        ords.dedup();
                        values.extend(ords);
                    }
                    offsets.push(values.len() as u32);
                }
                if let Some(col) = &col {
                    let mut stream = col.dictionary().stream()?;
                    while stream.advance() {
                        names_here.push(String::from_utf8_lossy(stream.key()).into_owned());
                    }
                }
            }
            columns.push((offsets, values));
            value_names.push(names_here);
        }
        // Unreadable access counts as restricted: withholding is the safe mistake.
        let access = ff.str(names::ACCESS)?;
        let public_ord = match &access {
            Some(col) => col.dictionary().term_ord(crate::ingest::Access::Public.code())?,
            None => None,
        };
        let mut public = Bits::none(testimonies);
        for (t, doc) in representative.iter().enumerate() {
            if let (Some(col), Some(doc), Some(p)) = (&access, doc, public_ord) {
                if col.term_ords(*doc).next() == Some(p) {
                    public.insert(t as u32);
                }
            }
        }
        let index = columns
            .iter()
            .enumerate()
            .map(|(c, (offsets, values))| ValueIndex::build(offsets, values, testimonies, |v| slot_of(c, v)))
            .collect();
        let (mut run_starts, mut run_testimony) = (Vec::new(), Vec::new());
        for (doc, &t) in testimony.iter().enumerate() {
            if run_testimony.last() != Some(&t) {
                run_starts.push(doc as DocId);
                run_testimony.push(t);
            }
        }
        Ok(SegmentTable {
            testimony,
            run_starts,
            run_testimony,
            testimonies,
            columns,
            index,
            names: value_names,
            ids: Vec::new(),
            public,
        })
    }

    /// The values of testimony `t` in column `c` (0..4 all values, 4..8 coded).
    #[inline]
    fn values(&self, c: usize, t: u32) -> &[u32] {
        let (offsets, values) = &self.columns[c];
        let t = t as usize;
        match (offsets.get(t), offsets.get(t + 1)) {
            (Some(&a), Some(&b)) => &values[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Distinct testimonies of `within` by slot of column `c`: per value when the set is large,
    /// per testimony when it is small (whichever costs less, see [`PER_TESTIMONY_COST`]). A
    /// testimony's values are distinct (see [`SegmentTable::build`]).
    fn count_column(&self, c: usize, within: &Bits) -> Vec<u64> {
        let index = &self.index[c];
        let mut counts = vec![0; index.slots()];
        let members = within.len();
        let per_testimony = self.columns[c].1.len() as u64 / (self.testimonies as u64).max(1) + 1;
        if members * per_testimony * PER_TESTIMONY_COST < index.scan_cost {
            for t in within.ones() {
                for &v in self.values(c, t) {
                    if let Some(n) = slot_of(c, v).and_then(|s| counts.get_mut(s)) {
                        *n += 1;
                    }
                }
            }
        } else {
            for (slot, n) in counts.iter_mut().enumerate() {
                *n = index.count(slot, within);
            }
        }
        counts
    }

    /// The testimonies passing a filter on column `c`: holding one of the string values, or a
    /// year in the range. None when the filter is not set.
    fn filter(&self, c: usize, filters: &Filters) -> Option<Bits> {
        let mut out = Bits::none(self.testimonies);
        let index = &self.index[c];
        if c % 4 == 3 {
            let (from, to) = filters.years?;
            for year in from..=to {
                if let Some(slot) = slot_of(c, u32::from(year)) {
                    index.add_to(slot, &mut out);
                }
            }
        } else {
            let wanted = [&filters.location, &filters.violation, &filters.sdg][c % 4];
            if wanted.is_empty() {
                return None;
            }
            for value in wanted {
                if let Ok(ord) = self.names[c].binary_search_by(|n| n.as_str().cmp(value)) {
                    index.add_to(ord, &mut out);
                }
            }
        }
        Some(out)
    }

    /// Slot counts of column `c` as facet values.
    fn counted(&self, c: usize, counts: &[u64], out: &mut FacetCounts) {
        let facet = c % 4;
        for (slot, &n) in counts.iter().enumerate().filter(|(_, n)| **n > 0) {
            if facet == 3 {
                *out.year_counts.entry((slot + FIRST_YEAR) as u64).or_default() += n;
            } else if let Some(&id) = self.ids.get(c).and_then(|ids| ids.get(slot)) {
                out.add(facet, id, n);
            }
        }
    }
}

/// What counting one value of one testimony costs, in word operations of the per-value count (an
/// AND and a popcount of 64 testimonies). Measured on tables shaped like the independent
/// workload's (10,000 testimonies a segment, 8 columns, 75 values a testimony): the per-value
/// count of a whole segment took about 50 µs whatever the set, and counting testimony by
/// testimony about 1.9 ns per value (a load and an increment that depends on it, where a word
/// operation is vectorised), so about 4 word operations. At 1 (before), the per-testimony way
/// was taken for sets up to about 1,900 testimonies, where it cost up to five times more.
const PER_TESTIMONY_COST: u64 = 4;

/// No testimony (a document without the id column).
const NO_TESTIMONY: u32 = u32::MAX;

/// The [`SegmentTable`] of every live segment.
#[derive(Default)]
pub struct SegmentTables {
    by_segment: std::sync::Mutex<FxHashMap<SegmentId, Arc<SegmentTable>>>,
    /// The string facet values of every table built so far (never shrinks: a few hundred values).
    /// Replaced, not changed, when a new segment brings new values, so that a search's snapshot
    /// names every number its tables use.
    names: std::sync::Mutex<Arc<ValueNames>>,
}

impl SegmentTables {
    fn for_segment(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentTable>> {
        let id = reader.segment_id();
        if let Some(table) = self.by_segment.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
            return Ok(table.clone());
        }
        let mut table = SegmentTable::build(reader)?;
        {
            let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
            let names = Arc::make_mut(&mut names);
            table.ids = table
                .names
                .iter()
                .enumerate()
                .map(|(c, column)| column.iter().map(|n| if c % 4 == 3 { 0 } else { names.intern(c % 4, n) }).collect())
                .collect();
        }
        let table = Arc::new(table);
        self.by_segment.lock().unwrap_or_else(|e| e.into_inner()).insert(id, table.clone());
        Ok(table)
    }

    /// The names of the value numbers of every table built so far.
    fn names(&self) -> Arc<ValueNames> {
        self.names.lock().unwrap_or_else(|e| e.into_inner()).clone()
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

pub struct FacetedSegmentCollector {
    segment: SegmentOrdinal,
    table: Arc<SegmentTable>,
    /// First column of the view the filters use: 0 (all values) or 4 (coded).
    view: usize,
    /// Whether the coded-only view is counted too (when the filters use all values).
    count_coded: bool,
    /// Which facets are counted: location, violation, sdg, year.
    wanted: [bool; 4],
    /// Per facet (location, violation, sdg, year), the testimonies passing its filter, if set.
    filters: [Option<Bits>; 4],
    /// The testimonies whose passages are hits: passing every filter, and readable by the
    /// caller. None when that is every testimony.
    gate: Option<Bits>,
    /// The testimonies with a matching passage, before any filter.
    matched: Bits,
    sort_year: Option<Column<u64>>,
    group: Group,
    sort: Sort,
    top_k: usize,
    passages: u64,
    public_only: bool,
    /// The best hits (passages, or the best passage of each testimony), worst on top.
    heap: BinaryHeap<std::cmp::Reverse<HitKey>>,
    /// group=testimony: the testimony being read and its best passage so far. A testimony's
    /// passages are contiguous in a segment (written in one batch, src/index), so its best is
    /// final when the next testimony starts.
    current: Option<(u32, HitKey)>,
    /// The last window counted: its matches that may be hits (of a testimony passing the gate).
    hittable: Vec<u64>,
}

impl Collector for FacetedCollector {
    type Fruit = Harvest;
    type Child = FacetedSegmentCollector;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<FacetedSegmentCollector> {
        let table = self.tables.for_segment(reader)?;
        let view = if self.coded_only { 4 } else { 0 };
        let filters: [Option<Bits>; 4] = std::array::from_fn(|i| table.filter(view + i, &self.filters));
        let mut gate: Option<Bits> = None;
        for f in filters.iter().flatten() {
            match &mut gate {
                Some(g) => g.intersect(f),
                None => gate = Some(f.clone()),
            }
        }
        if self.public_only {
            match &mut gate {
                Some(g) => g.intersect(&table.public),
                None => gate = Some(table.public.clone()),
            }
        }
        Ok(FacetedSegmentCollector {
            segment,
            view,
            count_coded: !self.coded_only && self.facets != FacetSelection::NONE,
            wanted: self.facets.0,
            filters,
            gate,
            matched: Bits::none(table.testimonies),
            table,
            sort_year: reader.fast_fields().column_opt::<u64>(names::SORT_YEAR)?,
            group: self.group,
            sort: self.sort,
            top_k: self.top_k,
            passages: 0,
            public_only: self.public_only,
            heap: BinaryHeap::new(),
            current: None,
            hittable: Vec::new(),
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
        let names = self.tables.names();
        out.counts.names = Some(names.clone());
        out.coded.names = Some(names);
        if self.coded_only {
            out.coded = out.counts.clone();
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
    /// Whether the hits are passages by relevance: the order in which a passage's score alone
    /// decides whether it reaches the page.
    #[inline]
    fn by_relevance(&self) -> bool {
        self.group == Group::Passage && self.sort == Sort::Relevance
    }

    /// The score of the worst hit kept, once `top_k` are (infinite when none are wanted).
    #[inline]
    fn worst(&self) -> Option<Score> {
        if self.heap.len() < self.top_k {
            return None;
        }
        Some(self.heap.peek().map_or(Score::INFINITY, |w| w.0.score))
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

    /// The testimony of passage `doc` when its passages may be hits (it passes the gate).
    #[inline]
    fn gated(&self, doc: DocId) -> Option<u32> {
        match self.table.testimony.get(doc as usize) {
            Some(&t) if t != NO_TESTIMONY && self.gate.as_ref().is_none_or(|g| g.contains(t)) => Some(t),
            _ => None,
        }
    }

    /// Offers passage `doc` of testimony `t`, which passes the gate, to the page.
    fn consider(&mut self, doc: DocId, t: u32, score: Score) {
        // Most passages of a broad query cannot reach the page: leave them before building a key.
        if self.by_relevance() && self.heap.len() >= self.top_k {
            if let Some(worst) = self.heap.peek() {
                if score < worst.0.score {
                    return;
                }
            }
        }
        let key = self.key(doc, score);
        match self.group {
            Group::Testimony => match &mut self.current {
                Some((current, best)) if *current == t => {
                    if key > *best {
                        *best = key;
                    }
                }
                _ => {
                    if let Some((_, best)) = self.current.replace((t, key)) {
                        self.offer(best);
                    }
                }
            },
            Group::Passage => self.offer(key),
        }
    }

    /// Counts a window's matches (bit `i` is passage `base + i`).
    fn count_window(&mut self, base: DocId, bits: &[u64]) {
        self.hittable.resize(bits.len(), 0);
        self.passages +=
            self.table.count_matches(base, bits, &mut self.matched, self.gate.as_ref(), &mut self.hittable);
    }

    /// A window of a search without scores (every passage, filtered): counted as a scored
    /// window is, and offered to the page in passage order, all with score 0, as the
    /// per-passage path offered them. By relevance, a passage cannot beat an earlier one of the
    /// same score, so offers stop once the page is full.
    pub fn unscored_window(&mut self, base: DocId, bits: &[u64]) {
        self.count_window(base, bits);
        for i in super::accumulate::ones(bits) {
            if self.by_relevance() && self.heap.len() >= self.top_k {
                return;
            }
            let doc = base + i as DocId;
            if let Some(t) = self.gated(doc) {
                self.consider(doc, t, 0.0);
            }
        }
    }

    /// The matched testimonies that facet `i`'s counts cover: those passing every other
    /// facet's filter (multi-select).
    fn counted_set(&self, i: usize) -> std::borrow::Cow<'_, Bits> {
        let mut set = std::borrow::Cow::Borrowed(&self.matched);
        for (j, f) in self.filters.iter().enumerate() {
            if let (true, Some(f)) = (j != i, f) {
                set.to_mut().intersect(f);
            }
        }
        set
    }
}

impl super::accumulate::WindowSink for FacetedSegmentCollector {
    /// Only a page by relevance of passages can leave passages unscored: the score of the worst
    /// hit kept, once the page is full.
    fn threshold(&self) -> Option<Score> {
        if !self.by_relevance() {
            return None;
        }
        self.worst()
    }

    fn window(&mut self, base: DocId, bits: &[u64], scores: Option<&[Score]>) {
        if let (Some(scores), false) = (scores, self.by_relevance()) {
            for i in super::accumulate::ones(bits) {
                self.collect(base + i as DocId, scores[i]);
            }
            return;
        }
        self.count_window(base, bits);
        let Some(scores) = scores else { return };
        // Scores are zero where nothing matched, and no hit kept scores below zero: once the page
        // is full, a scan of the window's scores (64 at a time, without branches) finds the few
        // passages that beat its worst hit. Only matches that may be hits are candidates
        // (counting the window marked them), so no candidate's testimony is looked up.
        for (w, chunk) in scores.chunks_exact(64).enumerate() {
            let mut candidates = bits[w] & self.hittable[w];
            if candidates == 0 {
                continue;
            }
            if let Some(worst) = self.worst() {
                candidates &= above(chunk.try_into().expect("64 scores"), worst);
            }
            while candidates != 0 {
                let i = w * 64 + candidates.trailing_zeros() as usize;
                candidates &= candidates - 1;
                let score = scores[i];
                if self.worst().is_some_and(|worst| score <= worst) {
                    continue;
                }
                let key = self.key(base + i as DocId, score);
                self.offer(key);
            }
        }
    }
}

/// Bit `k` set where `scores[k] > worst`: four comparisons per instruction (SSE2, which every
/// x86-64 has); the plain loop was not vectorised, and was 4% of a search's instructions.
#[cfg(target_arch = "x86_64")]
fn above(scores: &[Score; 64], worst: Score) -> u64 {
    // SAFETY: SSE is part of the x86-64 baseline, which every build for this architecture assumes.
    unsafe { above_sse(scores, worst) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse")]
fn above_sse(scores: &[Score; 64], worst: Score) -> u64 {
    use std::arch::x86_64::{_mm_cmpgt_ps, _mm_movemask_ps, _mm_set1_ps, _mm_set_ps};
    let worst = _mm_set1_ps(worst);
    let mut mask = 0u64;
    for (j, four) in scores.chunks_exact(4).enumerate() {
        let four = _mm_set_ps(four[3], four[2], four[1], four[0]);
        mask |= u64::from(_mm_movemask_ps(_mm_cmpgt_ps(four, worst)) as u32) << (4 * j);
    }
    mask
}

#[cfg(not(target_arch = "x86_64"))]
fn above(scores: &[Score; 64], worst: Score) -> u64 {
    above_plain(scores, worst)
}

/// [`above`] one comparison at a time: the other architectures' version, and the reference the
/// SSE2 one is tested against.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn above_plain(scores: &[Score; 64], worst: Score) -> u64 {
    scores.iter().enumerate().fold(0, |mask, (k, &score)| mask | u64::from(score > worst) << k)
}

impl SegmentCollector for FacetedSegmentCollector {
    type Fruit = SegmentHarvest;

    #[inline]
    fn collect(&mut self, doc: DocId, score: Score) {
        let t = match self.table.testimony.get(doc as usize) {
            Some(&t) if t != NO_TESTIMONY => t,
            _ => return,
        };
        self.matched.insert(t);
        if self.gate.as_ref().is_some_and(|g| !g.contains(t)) {
            return;
        }
        self.passages += 1;
        self.consider(doc, t, score);
    }

    fn harvest(mut self) -> SegmentHarvest {
        if let Some((_, best)) = self.current.take() {
            self.offer(best);
        }
        let mut passing = self.matched.clone();
        for f in self.filters.iter().flatten() {
            passing.intersect(f);
        }
        let all_testimonies = passing.len();
        let testimonies = if self.public_only { passing.intersection_len(&self.table.public) } else { all_testimonies };
        let mut counts = FacetCounts::default();
        let mut coded = FacetCounts::default();
        for i in 0..4 {
            if !self.wanted[i] {
                continue;
            }
            let set = self.counted_set(i);
            let c = self.view + i;
            self.table.counted(c, &self.table.count_column(c, &set), &mut counts);
            if self.count_coded {
                self.table.counted(4 + i, &self.table.count_column(4 + i, &set), &mut coded);
            }
        }
        let total = match self.group {
            Group::Testimony => testimonies,
            Group::Passage => self.passages,
        };
        SegmentHarvest {
            hits: self.heap.into_iter().map(|r| r.0).collect(),
            total,
            testimonies,
            all_testimonies,
            counts,
            coded,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(n: usize, members: &[u32]) -> Bits {
        let mut b = Bits::none(n);
        for &t in members {
            b.insert(t);
        }
        b
    }

    #[test]
    fn bit_sets_count_intersect_and_list_their_members() {
        let a = bits(130, &[0, 5, 64, 129]);
        let b = bits(130, &[5, 64, 100]);
        assert_eq!(a.len(), 4);
        assert_eq!(a.intersection_len(&b), 2);
        assert_eq!(a.ones().collect::<Vec<_>>(), vec![0, 5, 64, 129]);
        let mut c = a.clone();
        c.intersect(&b);
        assert_eq!(c.ones().collect::<Vec<_>>(), vec![5, 64]);
        c.unite(&bits(130, &[1]));
        assert_eq!(c.ones().collect::<Vec<_>>(), vec![1, 5, 64]);
        assert!(!c.contains(129) && c.contains(64) && !c.contains(10_000));
    }

    /// A column of `n` testimonies where testimony t holds value t % 7, value 100 when t is even
    /// (dense: more testimonies than 64-bit words), and value 9 for t = 3.
    fn column(n: usize) -> (Vec<u32>, Vec<u32>) {
        let (mut offsets, mut values) = (vec![0u32], Vec::new());
        for t in 0..n as u32 {
            values.push(t % 7);
            if t % 2 == 0 {
                values.push(100);
            }
            if t == 3 {
                values.push(9);
            }
            offsets.push(values.len() as u32);
        }
        (offsets, values)
    }

    #[test]
    fn the_page_scan_finds_the_scores_above_the_worst() {
        let mut seed = 7u64;
        for round in 0..200 {
            let scores: [Score; 64] = std::array::from_fn(|_| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                // Zeros (no match), ties with the worst, and scores on either side of it.
                [0.0, 1.5, 1.5, 0.75, 2.25, (seed >> 40) as Score / 1e6][(seed >> 33) as usize % 6]
            });
            let worst = if round % 2 == 0 { 1.5 } else { (seed >> 44) as Score / 1e6 };
            assert_eq!(above(&scores, worst), above_plain(&scores, worst), "{scores:?} over {worst}");
        }
        let mut one = [0.0; 64];
        one[63] = 2.0;
        assert_eq!(above(&one, 1.0), 1 << 63);
    }

    #[test]
    fn a_window_counted_by_runs_finds_what_a_lookup_per_match_finds() {
        // 5,000 passages in runs of 1 to 60 passages, some of no testimony (testimony documents).
        let mut seed = 11u64;
        let mut next = |m: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        let (mut testimony, mut run_starts, mut run_testimony) = (Vec::new(), Vec::new(), Vec::new());
        let mut t = 0u32;
        while testimony.len() < 5000 {
            let id = if next(10) == 0 { NO_TESTIMONY } else { t };
            t += 1;
            run_starts.push(testimony.len() as DocId);
            run_testimony.push(id);
            testimony.extend(std::iter::repeat_n(id, 1 + next(60) as usize));
        }
        let n = t as usize;
        let table = SegmentTable {
            testimony,
            run_starts,
            run_testimony,
            testimonies: n,
            columns: Vec::new(),
            index: Vec::new(),
            names: Vec::new(),
            ids: Vec::new(),
            public: Bits::none(n),
        };
        let gate = bits(n, &(0..n as u32).filter(|t| t % 3 != 0).collect::<Vec<_>>());
        for round in 0..60 {
            let base = (round % 2) as DocId * 2048;
            // From a few matches to nearly all of the window.
            let density = [2, 20, 200, 1000][round % 4];
            let window: Vec<u64> =
                (0..32).map(|_| (0..64).fold(0u64, |w, b| if next(1000) < density { w | 1 << b } else { w })).collect();
            for gate in [None, Some(&gate)] {
                // Match by match, through the per-passage table.
                let (mut by_match, mut expected) = (Bits::none(n), 0);
                for i in crate::search::accumulate::ones(&window) {
                    let t = table.testimony[base as usize + i];
                    if t != NO_TESTIMONY {
                        by_match.insert(t);
                        expected += u64::from(gate.is_none_or(|g| g.contains(t)));
                    }
                }
                let (mut by_run, mut hittable) = (Bits::none(n), vec![0; window.len()]);
                let counted = table.count_matches(base, &window, &mut by_run, gate, &mut hittable);
                assert_eq!(counted, expected, "round {round}");
                let hits: Vec<usize> = crate::search::accumulate::ones(&hittable).collect();
                let gated: Vec<usize> = crate::search::accumulate::ones(&window)
                    .filter(|&i| {
                        let t = table.testimony[base as usize + i];
                        t != NO_TESTIMONY && gate.is_none_or(|g| g.contains(t))
                    })
                    .collect();
                assert_eq!(hits, gated, "round {round}");
                assert_eq!(by_match.ones().collect::<Vec<_>>(), by_run.ones().collect::<Vec<_>>(), "round {round}");
            }
        }
    }

    #[test]
    fn value_counts_are_the_same_read_per_value_or_per_testimony() {
        let n = 1000;
        let (offsets, values) = column(n);
        let index = ValueIndex::build(&offsets, &values, n, |v| Some(v as usize));
        assert_eq!(index.totals[100], 500);
        assert_eq!(index.totals[9], 1);
        assert!(index.dense_of[100] != SPARSE && index.dense_of[9] == SPARSE);
        let table = SegmentTable {
            testimony: Vec::new(),
            run_starts: Vec::new(),
            run_testimony: Vec::new(),
            testimonies: n,
            columns: vec![(offsets, values)],
            index: vec![index],
            names: vec![Vec::new()],
            ids: vec![Vec::new()],
            public: Bits::none(n),
        };
        for members in [vec![3u32], (0..n as u32).step_by(3).collect::<Vec<_>>(), (0..n as u32).collect()] {
            let within = bits(n, &members);
            let counts = table.count_column(0, &within);
            let per_value: Vec<u64> = (0..table.index[0].slots()).map(|s| table.index[0].count(s, &within)).collect();
            assert_eq!(counts, per_value, "members {}", members.len());
            let expected_100 = members.iter().filter(|t| *t % 2 == 0).count() as u64;
            assert_eq!(counts[100], expected_100);
        }
    }
}
