//! A passage analysed once at ingest, not twice.
//!
//! Extraction (src/taxonomy/extract) reads a passage's stem-field tokens, and then the index
//! writer analyses the same text again for the two stem fields: the same Korean stems, the same
//! English stems, a sixth of a bulk ingest's CPU spent twice. During an ingest the preparing
//! threads put each passage's two token lists on this shelf, and the index writer's stem-field
//! analyzers ([`Shelved`]) take them off instead of analysing the text again.
//!
//! tantivy's `PreTokenizedString` would carry the tokens inside the document, but 0.27 stores it
//! as JSON and parses it back in the writer, which cost more than it saved (docs/BENCHMARKS.md).
//!
//! The shelf changes how fast, never what:
//! - an entry is found by its whole text, so an analyzer only ever replays the tokens of exactly
//!   the text it was given; any other text (a query, a first passage with its labels appended)
//!   is analysed as before;
//! - it holds at most two generations of [`GENERATION`] entries: what nobody takes (a rejected
//!   record, a dry run) is forgotten, and a taker that finds nothing analyses the text itself;
//! - it is used only while an ingest holds it [`open`]; otherwise a lookup is one atomic load.

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use rustc_hash::{FxBuildHasher, FxHashMap};
use tantivy::tokenizer::{BoxTokenStream, TextAnalyzer, Token, TokenStream, Tokenizer};

use super::normalize::scripts;

/// Entries per generation: a chunk of prepared records (256 testimonies, ~10,000 passages) plus
/// what the index writer's queue holds fits in two.
const GENERATION: usize = 16_384;

/// The two stem fields whose analyses are shelved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StemField {
    Korean,
    English,
}

/// A token list in two allocations: the token texts end to end, and each token's place.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tokens {
    texts: String,
    /// (offset from, offset to, position, end of its text in `texts`).
    spans: Vec<(u32, u32, u32, u32)>,
}

impl Tokens {
    /// Appends a token. False (and nothing appended) if an offset does not fit in 32 bits.
    pub fn push(&mut self, text: &str, from: usize, to: usize, position: usize) -> bool {
        let fits = |n: usize| u32::try_from(n).ok();
        let (Some(from), Some(to), Some(position), Some(end)) =
            (fits(from), fits(to), fits(position), fits(self.texts.len() + text.len()))
        else {
            return false;
        };
        self.texts.push_str(text);
        self.spans.push((from, to, position, end));
        true
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Token `i` as (text, from, to, position).
    pub fn get(&self, i: usize) -> (&str, usize, usize, usize) {
        let (from, to, position, end) = self.spans[i];
        let start = if i == 0 { 0 } else { self.spans[i - 1].3 as usize };
        (&self.texts[start..end as usize], from as usize, to as usize, position as usize)
    }
}

struct Entry {
    text: Box<str>,
    korean: Option<Tokens>,
    english: Option<Tokens>,
}

#[derive(Default)]
struct Generations {
    current: FxHashMap<u64, Entry>,
    previous: FxHashMap<u64, Entry>,
}

static SHELF: Mutex<Option<Generations>> = Mutex::new(None);
/// Ingests holding the shelf open.
static OPEN: AtomicUsize = AtomicUsize::new(0);

fn key(text: &str) -> u64 {
    FxBuildHasher.hash_one(text)
}

fn with_shelf<R>(f: impl FnOnce(&mut Generations) -> R) -> R {
    let mut shelf = SHELF.lock().unwrap_or_else(|e| e.into_inner());
    f(shelf.get_or_insert_with(Default::default))
}

/// Holds the shelf open for an ingest; the last one to close empties it.
pub struct Open(());

/// Opens the shelf until the returned guard is dropped.
pub fn open() -> Open {
    OPEN.fetch_add(1, Ordering::AcqRel);
    Open(())
}

impl Drop for Open {
    fn drop(&mut self) {
        if OPEN.fetch_sub(1, Ordering::AcqRel) == 1 {
            *SHELF.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
    }
}

/// True while an ingest holds the shelf open.
pub fn is_open() -> bool {
    OPEN.load(Ordering::Acquire) > 0
}

/// Shelves a text's stem-field tokens, if an ingest holds the shelf open: each list only if the
/// index will analyse the text for that field (the scripts it holds decide, as at indexing).
/// A list given as None (too long to shelve) is analysed by the index writer itself.
pub fn put(text: &str, korean: impl FnOnce() -> Option<Tokens>, english: impl FnOnce() -> Option<Tokens>) {
    if !is_open() {
        return;
    }
    let held = scripts(text);
    if !held.hangul && !held.other {
        return;
    }
    let entry = Entry {
        text: text.into(),
        korean: if held.hangul { korean() } else { None },
        english: if held.other { english() } else { None },
    };
    let k = key(text);
    with_shelf(|g| {
        if g.current.len() >= GENERATION {
            g.previous = std::mem::take(&mut g.current);
        }
        g.current.insert(k, entry);
    });
}

/// Takes a text's shelved tokens for one field, if they are there.
pub fn take(text: &str, field: StemField) -> Option<Tokens> {
    if !is_open() {
        return None;
    }
    let k = key(text);
    with_shelf(|g| {
        for map in [&mut g.current, &mut g.previous] {
            let Some(entry) = map.get_mut(&k) else { continue };
            if &*entry.text != text {
                return None;
            }
            let tokens = match field {
                StemField::Korean => entry.korean.take(),
                StemField::English => entry.english.take(),
            };
            if entry.korean.is_none() && entry.english.is_none() {
                map.remove(&k);
            }
            return tokens;
        }
        None
    })
}

/// A stem field's analyzer that replays a shelved analysis of the text when there is one, and
/// otherwise analyses it (`live`, the field's analyzer without the name filter).
#[derive(Clone)]
pub struct Shelved {
    field: StemField,
    live: TextAnalyzer,
}

impl Shelved {
    pub fn new(field: StemField, live: TextAnalyzer) -> Shelved {
        Shelved { field, live }
    }
}

impl Tokenizer for Shelved {
    type TokenStream<'a> = ShelvedStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ShelvedStream<'a> {
        match take(text, self.field) {
            Some(tokens) => ShelvedStream::Replay { tokens, next: 0, token: Token::default() },
            None => ShelvedStream::Live(self.live.token_stream(text)),
        }
    }
}

pub enum ShelvedStream<'a> {
    Replay { tokens: Tokens, next: usize, token: Token },
    Live(BoxTokenStream<'a>),
}

impl TokenStream for ShelvedStream<'_> {
    fn advance(&mut self) -> bool {
        match self {
            ShelvedStream::Live(s) => s.advance(),
            ShelvedStream::Replay { tokens, next, token } => {
                if *next >= tokens.len() {
                    return false;
                }
                let (text, from, to, position) = tokens.get(*next);
                token.text.clear();
                token.text.push_str(text);
                token.offset_from = from;
                token.offset_to = to;
                token.position = position;
                token.position_length = 1;
                *next += 1;
                true
            }
        }
    }

    fn token(&self) -> &Token {
        match self {
            ShelvedStream::Live(s) => s.token(),
            ShelvedStream::Replay { token, .. } => token,
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self {
            ShelvedStream::Live(s) => s.token_mut(),
            ShelvedStream::Replay { token, .. } => token,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(words: &[&str]) -> Tokens {
        let mut t = Tokens::default();
        for (i, w) in words.iter().enumerate() {
            assert!(t.push(w, i * 10, i * 10 + w.len(), i));
        }
        t
    }

    fn drain(mut s: impl TokenStream) -> Vec<(String, usize, usize, usize)> {
        let mut out = Vec::new();
        while s.advance() {
            let t = s.token();
            out.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        out
    }

    /// The shelf is global: these tests run one at a time. (Other tests of the crate may open it
    /// too while they ingest; they can only add entries, which these tests do not look for.)
    static SERIAL: Mutex<()> = Mutex::new(());

    #[test]
    fn tokens_read_back_as_pushed() {
        let t = tokens(&["수용소", "", "hoeryong"]);
        assert_eq!(t.len(), 3);
        assert_eq!(t.get(0), ("수용소", 0, 9, 0));
        assert_eq!(t.get(1), ("", 10, 10, 1));
        assert_eq!(t.get(2), ("hoeryong", 20, 28, 2));
    }

    #[test]
    fn each_field_takes_its_list_once_and_only_for_the_same_text() {
        let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let _open = open();
        put("수용소 camp", || Some(tokens(&["수용소"])), || Some(tokens(&["camp"])));
        assert_eq!(take("수용소 camp!", StemField::Korean), None);
        assert_eq!(take("수용소 camp", StemField::Korean), Some(tokens(&["수용소"])));
        assert_eq!(take("수용소 camp", StemField::Korean), None);
        assert_eq!(take("수용소 camp", StemField::English), Some(tokens(&["camp"])));
        assert_eq!(take("수용소 camp", StemField::English), None);
        // A Hangul-only text is never analysed for the English field: nothing kept for it.
        put("수용소", || Some(tokens(&["수용소"])), || panic!("not needed"));
        assert_eq!(take("수용소", StemField::English), None);
    }

    #[test]
    fn old_generations_are_forgotten() {
        let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let _open = open();
        put("first", || None, || Some(tokens(&["first"])));
        for i in 0..2 * GENERATION {
            put(&format!("text {i}"), || None, || Some(Tokens::default()));
        }
        assert_eq!(take("first", StemField::English), None);
        assert!(take(&format!("text {}", 2 * GENERATION - 1), StemField::English).is_some());
    }

    #[test]
    fn a_shelved_analyzer_replays_or_analyses() {
        let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let _open = open();
        let live = crate::analysis::analyzer(crate::analysis::tokenizers::EN_STEM).unwrap();
        let mut shelved = Shelved::new(StemField::English, live.clone());
        let text = "The executions in Ch'ŏngjin";
        let analysed = drain(shelved.token_stream(text));
        assert_eq!(analysed, drain(live.clone().token_stream(text)));
        put(text, || None, || Some(tokens(&["replayed"])));
        assert_eq!(drain(shelved.token_stream(text)), [("replayed".to_string(), 0, 8, 0)]);
        assert_eq!(drain(shelved.token_stream(text)), analysed);
    }
}
