//! Completions for the search box: places in every spelling of the gazetteer, violation labels and
//! synonyms, and frequent words of public passages, in Korean and English, prefix-matched on jamo
//! so that a syllable still being typed (ㅎ, 호, 회, 회려) already finds 회령.
//!
//! The completion table is built once per index generation (counts and words change only on a
//! commit) and answers by binary search on sorted keys. Knows nothing of HTTP.

use std::cmp::Reverse;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{BitSet, DocSet, TantivyError, Term, TERMINATED};
use unicode_normalization::UnicodeNormalization;

use crate::analysis::normalize::{fold_word, is_hangul_syllable, is_jamo};
use crate::analysis::{analyze, analyzer, tokenizers, Lang};
use crate::ingest::Access;
use crate::taxonomy::Place;

use super::{SearchEngine, SearchError};

/// Longest accepted input, in characters: a completion is for a few words being typed.
pub const MAX_QUERY_CHARS: usize = 100;
/// Default and largest number of completions.
pub const DEFAULT_LIMIT: usize = 8;
pub const MAX_LIMIT: usize = 20;
/// Words of the index kept as completions, the most frequent first; bounds the table (and the
/// work of building it) on a large index.
const MAX_TERMS: usize = 5000;
/// A word must occur in at least this many public passages to be suggested: once is noise.
const MIN_TERM_PASSAGES: u32 = 2;

/// Frequent Korean words that complete nothing a searcher wants (pronouns, connectives, time words).
const KOREAN_FILLER: &[&str] = &[
    "그리고",
    "그래서",
    "그런데",
    "하지만",
    "그러나",
    "그때",
    "그것",
    "그런",
    "그렇",
    "이것",
    "저것",
    "우리",
    "저희",
    "제가",
    "저는",
    "나는",
    "내가",
    "당시",
    "정도",
    "때문",
    "다시",
    "같이",
    "이후",
    "이제",
    "아니",
    "없었",
    "있었",
    "했습니",
    "했다",
    "있다",
    "없다",
    "것이",
    "것은",
    "하는",
    "하고",
    "되었",
    "했고",
    "모두",
    "많이",
    "너무",
    "이런",
    "어떻게",
    "무엇",
    "누가",
    "어디",
    "언제",
    "말씀",
    "네",
    "예",
    "아니요",
];

/// What a completion is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SuggestionKind {
    Place,
    Violation,
    Term,
}

/// One completion.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Suggestion {
    /// The spelling that completes what was typed (the one the user sees and picks).
    pub text: String,
    pub kind: SuggestionKind,
    /// The place id or violation code (usable as a filter value), or the word itself.
    pub value: String,
    pub label_en: String,
    pub label_ko: String,
    /// Testimonies: with the place or violation among their facet values; for a word, public
    /// testimonies whose passages contain it ("<k" for the public under the disclosure threshold).
    pub count: super::Count,
    /// For a place or violation: the filter parameter that takes `value` (location, violation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<&'static str>,
}

/// A validated completion request.
#[derive(Debug, Clone)]
pub struct SuggestRequest {
    pub q: String,
    /// Only spellings and words of this script (None: both).
    pub lang: Option<Lang>,
    pub limit: usize,
}

impl SuggestRequest {
    /// Validates raw parameters: `lang` auto/ko/en, `limit` 1..=20, `q` at most 100 characters.
    pub fn new(q: &str, lang: Option<&str>, limit: Option<i64>) -> Result<SuggestRequest, SearchError> {
        let invalid = |param: &str, message: String| SearchError::InvalidParameter { param: param.into(), message };
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(invalid("q", format!("must have at most {MAX_QUERY_CHARS} characters")));
        }
        let lang = match lang.map(str::trim) {
            None | Some("") | Some("auto") => None,
            Some(l) => {
                Some(Lang::parse(l).ok_or_else(|| invalid("lang", format!("must be auto, ko or en, got {l:?}")))?)
            }
        };
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(n) if (1..=MAX_LIMIT as i64).contains(&n) => n as usize,
            Some(n) => return Err(invalid("limit", format!("must be between 1 and {MAX_LIMIT}, got {n}"))),
        };
        Ok(SuggestRequest { q: q.to_string(), lang, limit })
    }
}

/// The answer.
#[derive(Debug, Clone, Serialize)]
pub struct SuggestResponse {
    pub q: String,
    pub suggestions: Vec<Suggestion>,
}

/// A place, violation type or word that can be suggested.
#[derive(Debug)]
struct Entry {
    kind: SuggestionKind,
    value: String,
    label_en: String,
    label_ko: String,
    count: u64,
    filter: Option<&'static str>,
    /// Spellings, in the order of preference for display.
    names: Vec<String>,
}

/// One way into an entry: the key of a spelling, or of a later word of it.
#[derive(Debug)]
struct Key {
    key: String,
    entry: u32,
    name: u16,
    /// The key starts at a later word of the spelling ("execution" in "public execution").
    inner: bool,
    hangul: bool,
}

/// The completion table of one index generation.
#[derive(Debug, Default)]
pub struct Completions {
    entries: Vec<Entry>,
    /// Sorted by key.
    keys: Vec<Key>,
}

const CHOSEONG: [&str; 19] =
    ["ㄱ", "ㄲ", "ㄴ", "ㄷ", "ㄸ", "ㄹ", "ㅁ", "ㅂ", "ㅃ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅉ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ"];
/// Compound vowels split into the vowels typed for them (ㅚ = ㅗ then ㅣ).
const JUNGSEONG: [&str; 21] = [
    "ㅏ", "ㅐ", "ㅑ", "ㅒ", "ㅓ", "ㅔ", "ㅕ", "ㅖ", "ㅗ", "ㅗㅏ", "ㅗㅐ", "ㅗㅣ", "ㅛ", "ㅜ", "ㅜㅓ", "ㅜㅔ", "ㅜㅣ",
    "ㅠ", "ㅡ", "ㅡㅣ", "ㅣ",
];
/// Final consonants, clusters split (ㄺ = ㄹ then ㄱ); index 0 is "no final".
const JONGSEONG: [&str; 28] = [
    "", "ㄱ", "ㄲ", "ㄱㅅ", "ㄴ", "ㄴㅈ", "ㄴㅎ", "ㄷ", "ㄹ", "ㄹㄱ", "ㄹㅁ", "ㄹㅂ", "ㄹㅅ", "ㄹㅌ", "ㄹㅍ", "ㄹㅎ",
    "ㅁ", "ㅂ", "ㅂㅅ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ",
];
/// Compatibility consonants U+3131..=U+314E, clusters split.
const COMPAT_CONSONANTS: [&str; 30] = [
    "ㄱ", "ㄲ", "ㄱㅅ", "ㄴ", "ㄴㅈ", "ㄴㅎ", "ㄷ", "ㄸ", "ㄹ", "ㄹㄱ", "ㄹㅁ", "ㄹㅂ", "ㄹㅅ", "ㄹㅌ", "ㄹㅍ", "ㄹㅎ",
    "ㅁ", "ㅂ", "ㅃ", "ㅂㅅ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅉ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ",
];

/// Appends the typed letters of one Hangul character: a syllable's initial, vowel(s) and final(s),
/// or a lone jamo (compatibility or conjoining). Initials and finals become the same letters,
/// because while typing, the next syllable's initial first shows as this syllable's final (횔 on
/// the way to 회령).
fn push_jamo(c: char, out: &mut String) {
    let u = c as u32;
    let part = match u {
        0xAC00..=0xD7A3 => {
            let s = u - 0xAC00;
            out.push_str(CHOSEONG[(s / 588) as usize]);
            out.push_str(JUNGSEONG[((s % 588) / 28) as usize]);
            JONGSEONG[(s % 28) as usize]
        }
        0x3131..=0x314E => COMPAT_CONSONANTS[(u - 0x3131) as usize],
        0x314F..=0x3163 => JUNGSEONG[(u - 0x314F) as usize],
        0x1100..=0x1112 => CHOSEONG[(u - 0x1100) as usize],
        0x1161..=0x1175 => JUNGSEONG[(u - 0x1161) as usize],
        0x11A8..=0x11C2 => JONGSEONG[(u - 0x11A7) as usize],
        _ => "",
    };
    out.push_str(part);
}

/// The completion key of a text: Hangul as typed letters (jamo), Latin folded (case, breves,
/// apostrophes), digits kept, spaces and punctuation dropped. "Hoeryŏng-si" → "hoeryongsi",
/// "회령" → "ㅎㅗㅣㄹㅕㅇ".
pub fn completion_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    let mut word = [0u8; 4];
    for c in text.nfc() {
        if is_hangul_syllable(c) || is_jamo(c) {
            push_jamo(c, &mut out);
        } else if c.is_alphanumeric() {
            out.extend(fold_word(c.encode_utf8(&mut word)).chars().filter(|c| c.is_alphanumeric()));
        }
    }
    out
}

fn is_hangul_key(key: &str) -> bool {
    key.chars().next().is_some_and(is_jamo)
}

/// The Hangul name of a city or county without its suffix, as people say it (회령시 → 회령).
fn short_korean_name(p: &Place) -> Option<String> {
    if !matches!(p.kind.as_str(), "city" | "county" | "district" | "special-city") || p.ko.contains(' ') {
        return None;
    }
    ["특별시", "직할시", "구역", "시", "군", "구"].iter().find_map(|s| {
        let stem = p.ko.strip_suffix(s)?;
        (stem.chars().count() >= 2 && stem.chars().all(is_hangul_syllable)).then(|| stem.to_string())
    })
}

/// The starts of the later words of a spelling ("Public execution" → ["execution"]).
fn later_words(name: &str) -> impl Iterator<Item = &str> {
    name.char_indices()
        .filter(|&(i, c)| i > 0 && (c.is_whitespace() || matches!(c, '-' | '(' | '/')))
        .map(move |(i, c)| &name[i + c.len_utf8()..])
        .filter(|rest| rest.chars().next().is_some_and(char::is_alphanumeric))
}

impl Completions {
    fn push(&mut self, entry: Entry) {
        let e = self.entries.len() as u32;
        let mut seen = FxHashSet::default();
        for (n, name) in entry.names.iter().enumerate() {
            let whole = std::iter::once((name.as_str(), false));
            for (part, inner) in whole.chain(later_words(name).map(|w| (w, true))) {
                let key = completion_key(part);
                if key.is_empty() || !seen.insert(key.clone()) {
                    continue;
                }
                let hangul = is_hangul_key(&key);
                self.keys.push(Key { key, entry: e, name: n as u16, inner, hangul });
            }
        }
        self.entries.push(entry);
    }

    /// The completions of a prefix, best first.
    pub fn complete(&self, request: &SuggestRequest) -> Vec<Suggestion> {
        let prefix = completion_key(&request.q);
        if prefix.is_empty() {
            return Vec::new();
        }
        let start = self.keys.partition_point(|k| k.key.as_str() < prefix.as_str());
        // Best key per entry: (whole spelling before a later word, exact before longer).
        let mut best: FxHashMap<u32, (bool, bool, u16)> = FxHashMap::default();
        for k in self.keys[start..].iter().take_while(|k| k.key.starts_with(&prefix)) {
            let script_ok = match request.lang {
                None => true,
                Some(Lang::Ko) => k.hangul,
                Some(Lang::En) => !k.hangul,
            };
            if !script_ok {
                continue;
            }
            let rank = (k.inner, k.key.len() != prefix.len(), k.name);
            best.entry(k.entry).and_modify(|r| *r = (*r).min(rank)).or_insert(rank);
        }
        let mut found: Vec<(u32, (bool, bool, u16))> = best.into_iter().collect();
        // Values with testimonies before those without; what begins with the typed text before
        // what has it at a later word; then places, violations, words; then the most frequent.
        found.sort_by_key(|&(e, (inner, _, _))| {
            let entry = &self.entries[e as usize];
            (entry.count == 0, inner, entry.kind, Reverse(entry.count), e)
        });
        found
            .into_iter()
            .take(request.limit)
            .map(|(e, (_, _, name))| {
                let entry = &self.entries[e as usize];
                Suggestion {
                    text: entry.names[name as usize].clone(),
                    kind: entry.kind,
                    value: entry.value.clone(),
                    label_en: entry.label_en.clone(),
                    label_ko: entry.label_ko.clone(),
                    count: super::Count::Exact(entry.count),
                    filter: entry.filter,
                }
            })
            .collect()
    }

    fn sort(&mut self) {
        self.keys.sort_unstable_by(|a, b| a.key.cmp(&b.key).then(a.entry.cmp(&b.entry)));
    }
}

/// Two or more Hangul syllables, or three or more Latin letters (no digits, no mixed scripts).
fn has_word_shape(word: &str) -> bool {
    let chars = word.chars().count();
    (chars >= 2 && word.chars().all(is_hangul_syllable)) || (chars >= 3 && word.chars().all(|c| c.is_ascii_lowercase()))
}

/// A word of the index worth suggesting: of the right shape, not an English stopword nor a
/// Korean filler word.
fn is_suggestable_word(word: &str, en: &mut tantivy::tokenizer::TextAnalyzer) -> bool {
    has_word_shape(word)
        && !KOREAN_FILLER.contains(&word)
        && (is_hangul_syllable_start(word) || !analyze(en, word).is_empty())
}

fn is_hangul_syllable_start(word: &str) -> bool {
    word.chars().next().is_some_and(is_hangul_syllable)
}

/// Public passages and testimonies per word.
#[derive(Default, Clone, Copy)]
struct WordCount {
    passages: u32,
    testimonies: u32,
}

impl SearchEngine {
    /// Completions for what is being typed in the search box.
    /// Completions for what was typed, with counts as the viewer may see them.
    pub fn suggest(&self, request: &SuggestRequest, viewer: super::Viewer) -> Result<SuggestResponse, SearchError> {
        let table = self.completions()?;
        let mut suggestions = table.complete(request);
        for s in &mut suggestions {
            s.count = s.count.disclosed(viewer);
        }
        Ok(SuggestResponse { q: request.q.clone(), suggestions })
    }

    /// The completion table of the current index generation, built on first use after a commit.
    pub fn completions(&self) -> Result<Arc<Completions>, SearchError> {
        let generation = self.index.searcher().generation().generation_id();
        self.completions.get(generation, || self.build_completions())
    }

    fn build_completions(&self) -> Result<Completions, SearchError> {
        // Exact counts here; disclosure control applies per caller when suggestions are given.
        let facets = self.all_facets(false, super::Viewer::Trusted)?;
        let counts = |list: &[super::FacetCount]| -> FxHashMap<String, u64> {
            list.iter().filter_map(|f| Some((f.value.as_str()?.to_string(), f.count.exact()?))).collect()
        };
        let (place_counts, violation_counts) = (counts(&facets.location), counts(&facets.violation));
        let mut table = Completions::default();
        for p in self.taxonomy.places() {
            let mut names: Vec<String> = short_korean_name(p).into_iter().collect();
            for n in p.names() {
                if !names.iter().any(|m| m == n) {
                    names.push(n.to_string());
                }
            }
            table.push(Entry {
                kind: SuggestionKind::Place,
                value: p.id.clone(),
                label_en: p.en.clone(),
                label_ko: p.ko.clone(),
                count: place_counts.get(&p.id).copied().unwrap_or(0),
                filter: Some("location"),
                names,
            });
        }
        for v in self.taxonomy.violations() {
            let mut names: Vec<String> = Vec::new();
            let all = [&v.ko, &v.en].into_iter().chain(&v.synonyms_ko).chain(&v.synonyms_en);
            for n in all {
                if !names.iter().any(|m| m.eq_ignore_ascii_case(n)) {
                    names.push(n.clone());
                }
            }
            table.push(Entry {
                kind: SuggestionKind::Violation,
                value: v.code.clone(),
                label_en: v.en.clone(),
                label_ko: v.ko.clone(),
                count: violation_counts.get(&v.code).copied().unwrap_or(0),
                filter: Some("violation"),
                names,
            });
        }
        // A word spelled like a place or violation name would only repeat that suggestion.
        let named: FxHashSet<&str> = table.keys.iter().filter(|k| !k.inner).map(|k| k.key.as_str()).collect();
        let mut words: Vec<(String, WordCount)> =
            self.public_words()?.into_iter().filter(|(w, _)| !named.contains(completion_key(w).as_str())).collect();
        words.sort_by(|a, b| b.1.passages.cmp(&a.1.passages).then_with(|| a.0.cmp(&b.0)));
        words.truncate(MAX_TERMS);
        for (word, count) in words {
            table.push(Entry {
                kind: SuggestionKind::Term,
                value: word.clone(),
                label_en: String::new(),
                label_ko: String::new(),
                count: count.testimonies as u64,
                filter: None,
                names: vec![word],
            });
        }
        table.sort();
        Ok(table)
    }

    /// Frequent words with how many public passages and testimonies hold them: Hangul stems from
    /// the stem field, and English stems from the English field shown as the word form public
    /// passages use most. Restricted passages are left out: a completion must not reveal a word
    /// of a text the public may not read.
    fn public_words(&self) -> Result<Vec<(String, WordCount)>, SearchError> {
        let fields = *self.index.fields();
        let searcher = self.index.searcher();
        let mut en = analyzer(tokenizers::EN_STEM).expect("registered analyzer");
        let public: Vec<BitSet> =
            searcher.segment_readers().iter().map(|s| public_docs(s, fields.access)).collect::<Result<_, _>>()?;
        let surfaces = english_surfaces(&searcher, &public, fields.text, &mut en)?;
        // First the candidates by document frequency (cheap: from the term dictionaries), so that
        // only the postings of frequent words are read. Each is (word shown, field, term).
        let mut frequency: FxHashMap<(String, Field, String), u32> = FxHashMap::default();
        for segment in searcher.segment_readers() {
            for field in [fields.body_ko, fields.body_en] {
                let inverted = segment.inverted_index(field)?;
                let mut stream = inverted.terms().stream().map_err(TantivyError::from)?;
                while stream.advance() {
                    let Ok(term) = std::str::from_utf8(stream.key()) else {
                        continue;
                    };
                    let shown = if field == fields.body_ko {
                        is_hangul_syllable_start(term).then(|| term.to_string())
                    } else {
                        surfaces.get(term).cloned()
                    };
                    if let Some(word) = shown.filter(|w| has_word_shape(w)) {
                        *frequency.entry((word, field, term.to_string())).or_default() += stream.value().doc_freq;
                    }
                }
            }
        }
        let mut candidates: Vec<((String, Field, String), u32)> = frequency
            .into_iter()
            .filter(|((w, _, _), n)| *n >= MIN_TERM_PASSAGES && is_suggestable_word(w, &mut en))
            .collect();
        candidates.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0 .0.cmp(&b.0 .0)));
        candidates.truncate(MAX_TERMS * 2);

        let mut counts: Vec<WordCount> = vec![WordCount::default(); candidates.len()];
        for (segment, is_public) in searcher.segment_readers().iter().zip(&public) {
            let testimony = segment.fast_fields().str(crate::index::names::TESTIMONY_ID)?;
            let inverted = [fields.body_ko, fields.body_en].map(|f| segment.inverted_index(f));
            for (i, ((_, field, word), _)) in candidates.iter().enumerate() {
                let inverted = match &inverted[usize::from(*field != fields.body_ko)] {
                    Ok(inverted) => inverted,
                    Err(e) => return Err(SearchError::Engine(e.clone())),
                };
                let term = Term::from_field_text(*field, word);
                let Some(mut postings) =
                    inverted.read_postings(&term, IndexRecordOption::Basic).map_err(TantivyError::from)?
                else {
                    continue;
                };
                // Passages of one testimony are adjacent in a segment: count changes of testimony.
                let mut last_testimony = None;
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if is_public.contains(doc) {
                        counts[i].passages += 1;
                        let t = testimony.as_ref().and_then(|c| c.term_ords(doc).next());
                        if t != last_testimony || t.is_none() {
                            counts[i].testimonies += 1;
                            last_testimony = t;
                        }
                    }
                    doc = postings.advance();
                }
            }
        }
        Ok(candidates
            .into_iter()
            .zip(counts)
            .filter(|(_, c)| c.passages >= MIN_TERM_PASSAGES)
            .map(|(((w, _, _), _), c)| (w, c))
            .collect())
    }
}

/// The live public documents of a segment.
fn public_docs(segment: &tantivy::SegmentReader, access: Field) -> Result<BitSet, SearchError> {
    let public = Term::from_field_text(access, Access::Public.code());
    let mut is_public = BitSet::with_max_value(segment.max_doc());
    if let Some(mut postings) =
        segment.inverted_index(access)?.read_postings(&public, IndexRecordOption::Basic).map_err(TantivyError::from)?
    {
        let mut doc = postings.doc();
        while doc != TERMINATED {
            if !segment.is_deleted(doc) {
                is_public.insert(doc);
            }
            doc = postings.advance();
        }
    }
    Ok(is_public)
}

/// Public passages read for the English word forms, in runs of neighbours (one store block).
const SURFACE_SAMPLE_PASSAGES: u32 = 4000;
const SURFACE_RUN: u32 = 40;

/// English stem → the word form public passages use most for it (hous → house), from a sample
/// of public passages spread over the index: the English field holds stems only, and a search
/// box completes words.
fn english_surfaces(
    searcher: &tantivy::Searcher,
    public: &[BitSet],
    text: Field,
    en: &mut tantivy::tokenizer::TextAnalyzer,
) -> Result<FxHashMap<String, String>, SearchError> {
    let total: u32 = searcher.segment_readers().iter().map(|s| s.max_doc()).sum();
    let mut forms: FxHashMap<String, FxHashMap<String, u32>> = FxHashMap::default();
    let mut words = analyzer(tokenizers::KO_STEM).expect("registered analyzer");
    for (ordinal, (segment, is_public)) in searcher.segment_readers().iter().zip(public).enumerate() {
        let share =
            (u64::from(SURFACE_SAMPLE_PASSAGES) * u64::from(segment.max_doc()) / u64::from(total.max(1))) as u32;
        let runs = share.div_ceil(SURFACE_RUN).max(1);
        let step = (segment.max_doc() / runs).max(1);
        for run in 0..runs {
            for doc in
                (run * step..(run * step + SURFACE_RUN).min(segment.max_doc())).filter(|&d| is_public.contains(d))
            {
                let stored: tantivy::TantivyDocument = searcher.doc(tantivy::DocAddress::new(ordinal as u32, doc))?;
                let Some(passage) = stored.get_first(text).and_then(|v| tantivy::schema::Value::as_str(&v)) else {
                    continue;
                };
                // The stem analyzer folds Latin words without stemming them.
                for word in analyze(&mut words, passage).into_iter().map(|t| t.text) {
                    if word.chars().all(|c| c.is_ascii_lowercase()) {
                        if let [stem] = analyze(en, &word).as_slice() {
                            *forms.entry(stem.text.clone()).or_default().entry(word).or_default() += 1;
                        }
                    }
                }
            }
        }
    }
    Ok(forms
        .into_iter()
        .filter_map(|(stem, words)| {
            words.into_iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0))).map(|(w, _)| (stem, w))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables_become_the_letters_typed() {
        assert_eq!(completion_key("회령"), "ㅎㅗㅣㄹㅕㅇ");
        // Each state of the input method on the way to 회령 is a prefix of its key.
        for typed in ["ㅎ", "호", "회", "횔", "회려", "회령"] {
            assert!(completion_key("회령").starts_with(&completion_key(typed)), "{typed}");
        }
        assert_eq!(completion_key("ㄺ"), completion_key("ㄹㄱ"));
        // Conjoining jamo (NFD input) meet precomposed syllables.
        assert_eq!(completion_key("\u{1112}\u{116C}"), completion_key("회"));
    }

    #[test]
    fn latin_is_folded_and_spacing_ignored() {
        assert_eq!(completion_key("Hoeryŏng-si"), "hoeryongsi");
        assert_eq!(completion_key("Ch'ŏngjin"), "chongjin");
        assert_eq!(completion_key("public ex"), "publicex");
        assert_eq!(completion_key("Camp No. 22"), "campno22");
    }

    #[test]
    fn later_words_start_after_a_separator() {
        assert_eq!(later_words("Public execution").collect::<Vec<_>>(), ["execution"]);
        assert_eq!(
            later_words("Kwanliso No. 22 (Hoeryong)").collect::<Vec<_>>(),
            ["No. 22 (Hoeryong)", "22 (Hoeryong)", "Hoeryong)"]
        );
    }

    fn table() -> Completions {
        let mut t = Completions::default();
        let entry = |kind, value: &str, count, names: &[&str]| Entry {
            kind,
            value: value.into(),
            label_en: String::new(),
            label_ko: String::new(),
            count,
            filter: None,
            names: names.iter().map(|s| s.to_string()).collect(),
        };
        t.push(entry(SuggestionKind::Term, "회의", 9, &["회의"]));
        t.push(entry(
            SuggestionKind::Place,
            "kp/north-hamgyong/hoeryong",
            5,
            &["회령", "회령시", "Hoeryong", "Hoeryŏng"],
        ));
        t.push(entry(SuggestionKind::Place, "kp/x/hoeyang", 0, &["회양", "Hoeyang"]));
        t.push(entry(SuggestionKind::Violation, "life/public-execution", 3, &["공개처형", "Public execution"]));
        t.sort();
        t
    }

    fn texts(t: &Completions, q: &str, lang: Option<Lang>) -> Vec<String> {
        t.complete(&SuggestRequest { q: q.into(), lang, limit: 8 }).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn places_first_then_words_and_unused_values_last() {
        let t = table();
        assert_eq!(texts(&t, "ㅎ", None), ["회령", "회의", "회양"]);
        assert_eq!(texts(&t, "회려", None), ["회령"]);
        assert_eq!(texts(&t, "hoeryo", None), ["Hoeryong"]);
        assert_eq!(texts(&t, "exec", None), ["Public execution"]);
        assert_eq!(texts(&t, "회", Some(Lang::En)), Vec::<String>::new());
        assert!(texts(&t, " ", None).is_empty());
    }

    #[test]
    fn requests_are_validated() {
        assert!(SuggestRequest::new("a", Some("fr"), None).is_err());
        assert!(SuggestRequest::new("a", None, Some(21)).is_err());
        assert!(SuggestRequest::new("a", None, Some(0)).is_err());
        assert!(SuggestRequest::new(&"a".repeat(101), None, None).is_err());
        assert_eq!(SuggestRequest::new("a", Some("auto"), None).unwrap().limit, DEFAULT_LIMIT);
    }
}
