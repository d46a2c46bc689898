//! Korean compounds and spacing, answered from the stem field's own dictionary: which indexed
//! stems contain a word (수용소 → 정치범수용소, 수용소로부터), and how a word written as one splits
//! into two indexed stems (정치범수용소 → 정치범 + 수용소, for text that spaces it).
//!
//! This replaces a Hangul bigram field: the query looks up a handful of whole stems in one field
//! instead of intersecting two or more long bigram posting lists per word, and the index no longer
//! carries a second Korean field. The table is built once per index generation from the term
//! dictionaries. Knows nothing of HTTP.

use rustc_hash::FxHashMap;
use tantivy::schema::Field;
use tantivy::{Searcher, TantivyError};

use crate::analysis::normalize::is_hangul_syllable;

/// At most this many containing stems are added for one word, the most frequent first: a common
/// short word is part of hundreds of rare compounds, and each is one more posting list to read.
pub const MAX_CONTAINING: usize = 48;

/// The Hangul stems of an index (two syllables or more), with how many passages hold each, and
/// which stems hold each syllable pair.
#[derive(Debug, Default)]
pub struct CompoundTable {
    /// Sorted, distinct.
    terms: Vec<String>,
    /// Passages holding `terms[i]` (summed over segments, deleted ones included).
    doc_freq: Vec<u32>,
    /// Syllable pair → indices into `terms` of the stems holding it.
    by_pair: FxHashMap<u64, Vec<u32>>,
}

fn pair_key(a: char, b: char) -> u64 {
    ((a as u64) << 32) | b as u64
}

/// The syllable pairs of a word, without repeats.
fn pairs(word: &str) -> Vec<u64> {
    let chars: Vec<char> = word.chars().collect();
    let mut out: Vec<u64> = chars.windows(2).map(|w| pair_key(w[0], w[1])).collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn is_hangul_word(word: &str) -> bool {
    word.chars().count() >= 2 && word.chars().all(is_hangul_syllable)
}

impl CompoundTable {
    /// Reads the Hangul terms of `field` in every segment of `searcher`.
    pub fn build(searcher: &Searcher, field: Field) -> Result<CompoundTable, TantivyError> {
        let mut freq: FxHashMap<String, u32> = FxHashMap::default();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted.terms().stream()?;
            while stream.advance() {
                let Ok(word) = std::str::from_utf8(stream.key()) else { continue };
                if is_hangul_word(word) {
                    *freq.entry(word.to_string()).or_default() += stream.value().doc_freq;
                }
            }
        }
        Ok(CompoundTable::from_frequencies(freq))
    }

    /// A table of the given stems and passage counts (tests and fuzzing without an index).
    pub fn from_frequencies(freq: impl IntoIterator<Item = (String, u32)>) -> CompoundTable {
        let mut entries: Vec<(String, u32)> = freq.into_iter().filter(|(w, _)| is_hangul_word(w)).collect();
        entries.sort_unstable();
        let mut by_pair: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
        for (i, (word, _)) in entries.iter().enumerate() {
            for key in pairs(word) {
                by_pair.entry(key).or_default().push(i as u32);
            }
        }
        let (terms, doc_freq) = entries.into_iter().unzip();
        CompoundTable { terms, doc_freq, by_pair }
    }

    /// Passages holding the stem (0 when the index has never seen it).
    pub fn doc_freq(&self, word: &str) -> u32 {
        self.terms.binary_search_by(|t| t.as_str().cmp(word)).map(|i| self.doc_freq[i]).unwrap_or(0)
    }

    /// Whether `word` is a stem of two syllables or more held by at most `passages` passages: a
    /// word that bounds the cost of a query holding it. One-syllable stems are not in the table
    /// and never count as rare.
    pub fn rare(&self, word: &str, passages: u32) -> bool {
        is_hangul_word(word) && self.doc_freq(word) <= passages
    }

    /// Indexed stems other than `word` that contain it, the most frequent first, at most `limit`.
    /// None for words under two syllables: one syllable is part of too many unrelated words.
    pub fn containing(&self, word: &str, limit: usize) -> Vec<&str> {
        if !is_hangul_word(word) {
            return Vec::new();
        }
        let keys = pairs(word);
        // The rarest pair has the fewest candidates to check.
        let Some(candidates) =
            keys.iter().map(|k| self.by_pair.get(k).map(Vec::as_slice).unwrap_or(&[])).min_by_key(|c| c.len())
        else {
            return Vec::new();
        };
        let mut found: Vec<(u32, &str)> = candidates
            .iter()
            .map(|&i| (self.doc_freq[i as usize], self.terms[i as usize].as_str()))
            .filter(|(_, t)| *t != word && t.contains(word))
            .collect();
        found.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        found.into_iter().take(limit).map(|(_, t)| t).collect()
    }

    /// The best split of a word written as one into two indexed stems of two syllables or more
    /// (the split whose rarer half is the most frequent), for text that writes it spaced.
    pub fn split(&self, word: &str) -> Option<(String, String)> {
        if !is_hangul_word(word) {
            return None;
        }
        let chars: Vec<char> = word.chars().collect();
        (2..chars.len().saturating_sub(1))
            .filter_map(|k| {
                let (a, b): (String, String) = (chars[..k].iter().collect(), chars[k..].iter().collect());
                let n = self.doc_freq(&a).min(self.doc_freq(&b));
                (n > 0).then_some((n, a, b))
            })
            .max_by_key(|(n, _, _)| *n)
            .map(|(_, a, b)| (a, b))
    }

    /// Number of distinct stems in the table.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(words: &[(&str, u32)]) -> CompoundTable {
        CompoundTable::from_frequencies(words.iter().map(|(w, n)| (w.to_string(), *n)))
    }

    #[test]
    fn finds_the_stems_that_contain_a_word_most_frequent_first() {
        let t = table(&[("수용소", 50), ("정치범수용소", 7), ("수용소로부터", 2), ("수용", 9), ("요덕", 3)]);
        assert_eq!(t.containing("수용소", 10), ["정치범수용소", "수용소로부터"]);
        assert_eq!(t.containing("수용소", 1), ["정치범수용소"]);
        assert_eq!(t.containing("수용", 10), ["수용소", "정치범수용소", "수용소로부터"]);
        assert!(t.containing("소", 10).is_empty(), "one syllable is part of too many words");
        assert!(t.containing("camp", 10).is_empty());
    }

    #[test]
    fn splits_a_word_written_as_one_into_indexed_stems() {
        let t = table(&[("정치범", 5), ("수용소", 50), ("정치", 40), ("범수용소", 1)]);
        assert_eq!(t.split("정치범수용소"), Some(("정치범".to_string(), "수용소".to_string())));
        assert_eq!(t.split("수용소"), None);
        assert_eq!(t.doc_freq("수용소"), 50);
        assert_eq!(t.doc_freq("감옥"), 0);
        assert!(t.rare("수용소", 50) && !t.rare("수용소", 49));
        assert!(t.rare("감옥", 0) && !t.rare("감", 100), "absent words are rare, one syllable never");
    }
}
