//! Recent search answers, kept as compressed JSON until the index changes. A search box fires
//! the same few queries again and again (every keystroke, every reader opening the same link),
//! and a broad query costs milliseconds that a repeat need not: a repeat is a lookup, a
//! decompression and the time patched in. Compressed, an answer with every facet (about 100 KB
//! of JSON, most of it facet labels) takes a fifth of that, so thousands fit in little memory.

use std::sync::Mutex;

/// Compressed answers held at most, in bytes, whatever the number of entries allows.
pub const CACHE_BYTES: usize = 64 << 20;

/// One answer as served.
#[derive(Debug, Clone)]
pub struct JsonAnswer {
    /// The JSON body.
    pub body: Vec<u8>,
    /// Testimony ids of the restricted passages among the hits (for the audit log).
    pub restricted: Vec<String>,
}

struct Entry {
    /// lz4 block of the JSON body, with `took_ms` written as 0.
    compressed: Vec<u8>,
    /// The JSON body's length.
    len: usize,
    /// Where the `took_ms` value starts and ends in the JSON body.
    took: (usize, usize),
    restricted: Vec<String>,
}

struct Answers {
    generation: u64,
    entries: lru::LruCache<String, Entry>,
    bytes: usize,
}

impl Answers {
    /// Moves to `generation` when it is newer (generations only grow), forgetting every answer
    /// of the older one; false when `generation` is older than the cache's.
    fn on(&mut self, generation: u64) -> bool {
        if generation > self.generation {
            self.entries.clear();
            self.bytes = 0;
            self.generation = generation;
        }
        generation == self.generation
    }
}

/// The cache of one engine. Every commit (an ingest, a delete) starts a new generation and
/// empties it, so no answer outlives the index it was computed on.
pub struct AnswerCache {
    answers: Mutex<Answers>,
    budget: usize,
}

/// The byte range of the `took_ms` value in a serialised answer. The field comes before any
/// text of the answer (only numbers precede it), so its first occurrence is the field.
fn took_range(json: &[u8]) -> Option<(usize, usize)> {
    const KEY: &[u8] = b"\"took_ms\":";
    let start = json.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let len = json[start..].iter().position(|&b| b == b',' || b == b'}')?;
    Some((start, start + len))
}

/// `json` with the `took_ms` value in `range` replaced.
fn with_took(json: &[u8], range: (usize, usize), took_ms: f64) -> Vec<u8> {
    let took = format!("{took_ms:.3}");
    let mut out = Vec::with_capacity(json.len() + took.len());
    out.extend_from_slice(&json[..range.0]);
    out.extend_from_slice(took.as_bytes());
    out.extend_from_slice(&json[range.1..]);
    out
}

impl AnswerCache {
    /// A cache of at most `entries` answers (and [`CACHE_BYTES`]); None for 0.
    pub fn new(entries: usize) -> Option<AnswerCache> {
        let n = std::num::NonZeroUsize::new(entries)?;
        Some(AnswerCache {
            answers: Mutex::new(Answers { generation: 0, entries: lru::LruCache::new(n), bytes: 0 }),
            budget: CACHE_BYTES,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Answers> {
        self.answers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The answer to `key` on `generation`, with `took_ms` set, if kept.
    pub fn get(&self, generation: u64, key: &str, took_ms: impl FnOnce() -> f64) -> Option<JsonAnswer> {
        // Copied out under the lock, decompressed outside it.
        let (compressed, len, took, restricted) = {
            let mut a = self.lock();
            if !a.on(generation) {
                return None;
            }
            let e = a.entries.get(key)?;
            (e.compressed.clone(), e.len, e.took, e.restricted.clone())
        };
        let mut json = vec![0; len];
        if lz4_flex::block::decompress_into(&compressed, &mut json).ok()? != len {
            return None;
        }
        Some(JsonAnswer { body: with_took(&json, took, took_ms()), restricted })
    }

    /// Keeps an answer computed on `generation` (`json` with `took_ms` 0), and returns it with
    /// `took_ms` set.
    pub fn put(
        &self,
        generation: u64,
        key: String,
        json: Vec<u8>,
        restricted: Vec<String>,
        took_ms: f64,
    ) -> JsonAnswer {
        let Some(took) = took_range(&json) else {
            return JsonAnswer { body: json, restricted };
        };
        let answer = JsonAnswer { body: with_took(&json, took, took_ms), restricted: restricted.clone() };
        let mut compressed = vec![0; lz4_flex::block::get_maximum_output_size(json.len())];
        let Ok(size) = lz4_flex::block::compress_into(&json, &mut compressed) else {
            return answer;
        };
        compressed.truncate(size);
        compressed.shrink_to_fit();
        if compressed.len() > self.budget / 8 {
            return answer;
        }
        let len = json.len();
        let mut a = self.lock();
        if !a.on(generation) {
            return answer;
        }
        let size = compressed.len();
        if let Some((_, old)) = a.entries.push(key, Entry { compressed, len, took, restricted }) {
            a.bytes -= old.compressed.len();
        }
        a.bytes += size;
        while a.bytes > self.budget {
            match a.entries.pop_lru() {
                Some((_, old)) => a.bytes -= old.compressed.len(),
                None => break,
            }
        }
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_answer_comes_back_with_the_new_time() {
        let cache = AnswerCache::new(4).expect("entries");
        let json = br#"{"total":3,"testimonies":1,"took_ms":0.0,"hits":[{"text":"took_ms"}]}"#.to_vec();
        let first = cache.put(7, "q".into(), json, vec!["T1".into()], 12.5);
        assert_eq!(first.body, br#"{"total":3,"testimonies":1,"took_ms":12.500,"hits":[{"text":"took_ms"}]}"#);
        let again = cache.get(7, "q", || 0.25).expect("kept");
        assert_eq!(again.body, br#"{"total":3,"testimonies":1,"took_ms":0.250,"hits":[{"text":"took_ms"}]}"#);
        assert_eq!(again.restricted, vec!["T1".to_string()]);
        assert!(cache.get(7, "other", || 0.0).is_none());
    }

    #[test]
    fn a_new_generation_empties_the_cache() {
        let cache = AnswerCache::new(4).expect("entries");
        cache.put(1, "q".into(), br#"{"took_ms":0.0}"#.to_vec(), Vec::new(), 1.0);
        assert!(cache.get(2, "q", || 0.0).is_none());
        assert!(cache.get(1, "q", || 0.0).is_none(), "the old generation's answers are gone");
        cache.put(1, "q".into(), br#"{"took_ms":0.0}"#.to_vec(), Vec::new(), 1.0);
        assert!(cache.get(2, "q", || 0.0).is_none(), "an answer computed on an older generation is not kept");
    }

    #[test]
    fn the_least_recent_answer_leaves_first() {
        let cache = AnswerCache::new(2).expect("entries");
        for key in ["a", "b"] {
            cache.put(1, key.into(), br#"{"took_ms":0.0}"#.to_vec(), Vec::new(), 1.0);
        }
        assert!(cache.get(1, "a", || 0.0).is_some());
        cache.put(1, "c".into(), br#"{"took_ms":0.0}"#.to_vec(), Vec::new(), 1.0);
        assert!(cache.get(1, "b", || 0.0).is_none());
        assert!(cache.get(1, "a", || 0.0).is_some() && cache.get(1, "c", || 0.0).is_some());
    }
}
