//! The tantivy tokenizers of the three analysed text fields, built on one segmentation of the text
//! into script runs (UAX #29 words split where the script changes: 2008년 → 2008 | 년).

use tantivy::tokenizer::{
    Language, LowerCaser, StopWordFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer, TokenizerManager,
};
use unicode_segmentation::UnicodeSegmentation;

use super::korean;
use super::normalize::{fold_word, is_apostrophe, is_word_char, script_of, Script};
use super::shelf::{self, Shelved, StemField};

/// Tokenizer name of the Korean stem field.
pub const KO_STEM: &str = "ko_stem";
/// Tokenizer name of the Hangul bigram field.
pub const KO_BIGRAM: &str = "ko_bigram";
/// Tokenizer name of the English stemmed field.
pub const EN_STEM: &str = "en_stem";
/// Tokenizer name for exact, case-folded keywords (ids, facet values).
pub const KEYWORD: &str = "keyword";

/// A run of one script inside a word, with its byte offsets in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment<'a> {
    pub text: &'a str,
    pub start: usize,
    pub script: Script,
    /// Index of the UAX #29 word the run belongs to; runs of one word share it.
    pub word: usize,
}

/// Splits text into script runs of UAX #29 words. Apostrophes stay inside Latin runs
/// (Ch'ŏngjin); punctuation and spaces are dropped.
pub fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let words: Box<dyn Iterator<Item = (usize, &str)>> = match plain_words(text) {
        Some(words) => Box::new(words.into_iter()),
        None => Box::new(uax29_words(text)),
    };
    for (word_index, (word_start, word)) in words.enumerate() {
        let mut run_start: Option<(usize, Script)> = None;
        for (i, c) in word.char_indices() {
            let script = if is_apostrophe(c) {
                match run_start {
                    Some((_, Script::Latin)) => Script::Latin,
                    _ => Script::Other,
                }
            } else if is_word_char(c) {
                script_of(c)
            } else {
                Script::Other
            };
            let keep = is_word_char(c) || (is_apostrophe(c) && script == Script::Latin);
            match run_start {
                Some((s, sc)) if keep && sc == script => {
                    let _ = s;
                }
                Some((s, sc)) => {
                    push_run(&mut out, text, word_start + s, word_start + i, sc, word_index);
                    run_start = keep.then_some((i, script));
                }
                None => run_start = keep.then_some((i, script)),
            }
        }
        if let Some((s, sc)) = run_start {
            push_run(&mut out, text, word_start + s, word_start + word.len(), sc, word_index);
        }
    }
    out
}

/// The UAX #29 words of a text made only of ASCII and Hangul syllables, where no punctuation
/// stands between two letters or digits; None for any other text. In such a text a word is a
/// maximal run of letters and digits (ASCII letters and Hangul syllables are ALetter, digits
/// Numeric, and WB5, WB8–WB10 join them; everything else left breaks). The rules that make
/// other cases hard (MidLetter and MidNum inside "U.S." or "1,000", the ExtendNumLet "_", Extend
/// and Format characters, other scripts) all send the text to the full segmenter. Unicode's word
/// tables were a seventh of ingest time, and most passages are such plain text.
fn plain_words(text: &str) -> Option<Vec<(usize, &str)>> {
    /// What the previous character was.
    #[derive(PartialEq)]
    enum After {
        Word,
        /// One of ' . , ; : right after a letter or digit: a letter or digit next would be joined
        /// to the word by some rule.
        MidAfterWord,
        Other,
    }
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut after = After::Other;
    for (i, c) in text.char_indices() {
        let (word, mid) = match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '\u{AC00}'..='\u{D7A3}' => (true, false),
            '\'' | '.' | ',' | ';' | ':' => (false, true),
            c if c.is_ascii() && c != '_' => (false, false),
            _ => return None,
        };
        if word {
            if after == After::MidAfterWord {
                return None;
            }
            start.get_or_insert(i);
            after = After::Word;
            continue;
        }
        if let Some(s) = start.take() {
            words.push((s, &text[s..i]));
        }
        after = if mid && after == After::Word { After::MidAfterWord } else { After::Other };
    }
    if let Some(s) = start {
        words.push((s, &text[s..]));
    }
    Some(words)
}

/// The UAX #29 words of a text that hold a letter or digit.
fn uax29_words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_word_bound_indices().filter(|(_, w)| w.chars().any(is_word_char))
}

/// A segment without its borrow of the text, for the cache below.
#[derive(Clone, Copy)]
struct CachedSegment {
    start: usize,
    end: usize,
    script: Script,
    word: usize,
}

/// The last text segmented on this thread and its segments.
#[derive(Default)]
struct SegmentCache {
    text: String,
    segments: Vec<CachedSegment>,
}

/// Longer texts are segmented again rather than copied into the cache.
const CACHED_TEXT_MAX: usize = 64 * 1024;

thread_local! {
    static LAST_SEGMENTED: std::cell::RefCell<SegmentCache> = std::cell::RefCell::default();
}

/// [`segments`], remembered for the last text of this thread: the index writer runs the three
/// analyzers over the same passage in a row, and extraction runs two of them, so each passage is
/// segmented once instead of up to five times.
fn segments_cached(text: &str) -> Vec<Segment<'_>> {
    let hit = LAST_SEGMENTED.with_borrow(|cache| {
        (cache.text == text).then(|| {
            cache
                .segments
                .iter()
                .map(|s| Segment { text: &text[s.start..s.end], start: s.start, script: s.script, word: s.word })
                .collect::<Vec<_>>()
        })
    });
    if let Some(segs) = hit {
        return segs;
    }
    let fresh = segments(text);
    if text.len() <= CACHED_TEXT_MAX {
        LAST_SEGMENTED.with_borrow_mut(|cache| {
            cache.text.clear();
            cache.text.push_str(text);
            cache.segments.clear();
            cache.segments.extend(fresh.iter().map(|s| CachedSegment {
                start: s.start,
                end: s.start + s.text.len(),
                script: s.script,
                word: s.word,
            }));
        });
    }
    fresh
}

/// Most Hangul words of a corpus are repeats (Zipf): [`korean::analyze_word`], a pure function,
/// is remembered per thread, up to this many words (about 10 MB; the server's threads keep
/// theirs) before the memory starts over. 2,000 testimonies of the engine's own generator hold
/// about 10,600 distinct words, 2,000 of the independent generator's (benches/independent) about
/// 51,000: at 16,384 the memory started over every few hundred testimonies there.
const ANALYZED_WORDS_MAX: usize = 1 << 16;

thread_local! {
    static ANALYZED_WORDS: std::cell::RefCell<rustc_hash::FxHashMap<Box<str>, korean::KoreanWord>> =
        std::cell::RefCell::default();
}

/// [`korean::analyze_word`], memoised.
fn analyze_word(word: &str) -> korean::KoreanWord {
    with_analyzed_word(word, korean::KoreanWord::clone)
}

/// `read` applied to [`korean::analyze_word`] of `word`, memoised, without copying the analysis
/// (`read` must not analyse words itself: the memory is borrowed meanwhile).
fn with_analyzed_word<R>(word: &str, read: impl FnOnce(&korean::KoreanWord) -> R) -> R {
    ANALYZED_WORDS.with_borrow_mut(|memo| {
        if let Some(w) = memo.get(word) {
            return read(w);
        }
        if memo.len() >= ANALYZED_WORDS_MAX {
            memo.clear();
        }
        let w = memo.entry(word.into()).or_insert_with(|| korean::analyze_word(word));
        read(w)
    })
}

fn push_run<'a>(out: &mut Vec<Segment<'a>>, text: &'a str, start: usize, end: usize, script: Script, word: usize) {
    let run = text[start..end].trim_end_matches(is_apostrophe);
    if !run.is_empty() {
        out.push(Segment { text: run, start, script, word });
    }
}

/// A token stream over tokens computed up front: the analyzers need look-behind (bigrams across
/// words) that a streaming design would complicate for no gain at paragraph size.
pub struct VecTokenStream {
    tokens: Vec<Token>,
    index: usize,
}

impl VecTokenStream {
    fn new(tokens: Vec<Token>) -> Self {
        VecTokenStream { tokens, index: usize::MAX }
    }
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        self.index = self.index.wrapping_add(1);
        self.index < self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.index]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index]
    }
}

fn token(text: String, from: usize, to: usize, position: usize) -> Token {
    Token { offset_from: from, offset_to: to, position, text, position_length: 1 }
}

/// Hangul words → stems; Latin words folded (not stemmed); digits and other scripts as they are.
#[derive(Clone, Default)]
pub struct KoreanStemTokenizer;

impl Tokenizer for KoreanStemTokenizer {
    type TokenStream<'a> = VecTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let mut tokens = Vec::new();
        korean_stems(text, |stem, from, to| {
            let position = tokens.len();
            tokens.push(token(stem.to_string(), from, to, position));
        });
        VecTokenStream::new(tokens)
    }
}

/// The tokens of [`KoreanStemTokenizer`] in order, as (text, start, end) given to `each`, the
/// position being the count of tokens before: what the stem field indexes, read without a token
/// allocated per word (highlighting reads a page of passages per search this way).
pub fn korean_stems(text: &str, mut each: impl FnMut(&str, usize, usize)) {
    let segs = segments_cached(text);
    for (i, &seg) in segs.iter().enumerate() {
        match seg.script {
            Script::Hangul if follows_in_same_word(&segs, i) && korean::is_particle(seg.text) => {}
            Script::Hangul if follows_number(&segs, i) && korean::counter(seg.text).is_some() => {
                let unit = korean::counter(seg.text).expect("checked in the guard");
                each(unit, seg.start, seg.start + unit.len());
            }
            Script::Hangul => with_analyzed_word(seg.text, |w| {
                if !w.stem.is_empty() {
                    each(&w.stem, seg.start, byte_end_of_syllables(seg, w.stem_syllables));
                }
            }),
            _ => {
                let folded = fold_word(seg.text);
                if !folded.is_empty() {
                    each(&folded, seg.start, seg.start + seg.text.len());
                }
            }
        }
    }
}

/// A run as a folded token; None when folding leaves nothing (a lone combining mark).
fn folded_token(seg: Segment<'_>, position: usize) -> Option<Token> {
    let folded = fold_word(seg.text);
    (!folded.is_empty()).then(|| token(folded, seg.start, seg.start + seg.text.len(), position))
}

/// True when segment `i` is glued to a number before it (2008|년에, 3|명).
fn follows_number(segs: &[Segment<'_>], i: usize) -> bool {
    i > 0 && segs[i - 1].word == segs[i].word && segs[i - 1].script == Script::Digit
}

/// True when segment `i` continues the word of a non-Hangul run (Hoeryŏng|에서, 2008|년).
pub fn follows_in_same_word(segs: &[Segment<'_>], i: usize) -> bool {
    i > 0 && segs[i - 1].word == segs[i].word && segs[i - 1].script != Script::Hangul
}

fn byte_end_of_syllables(seg: Segment<'_>, syllables: usize) -> usize {
    seg.start + seg.text.char_indices().nth(syllables).map(|(i, _)| i).unwrap_or(seg.text.len())
}

/// Hangul bigrams over each word's particle-stripped form, with one bigram bridging adjacent Hangul
/// words, so that 정치범 수용소 and 정치범수용소 give the same bigrams at the same positions.
#[derive(Clone, Default)]
pub struct BigramTokenizer;

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = VecTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let mut tokens: Vec<Token> = Vec::new();
        // Last syllable of the previous Hangul word and its offsets, for the bridging bigram.
        let mut previous: Option<(char, usize)> = None;
        let segs = segments_cached(text);
        for (i, &seg) in segs.iter().enumerate() {
            if seg.script != Script::Hangul {
                previous = None;
                continue;
            }
            if follows_in_same_word(&segs, i) && korean::is_particle(seg.text) {
                continue;
            }
            let w = match korean::counter(seg.text).filter(|_| follows_number(&segs, i)) {
                Some(unit) => korean::KoreanWord { stem: unit.into(), stem_syllables: 1, bigram_form: unit.into() },
                None => analyze_word(seg.text),
            };
            let form: Vec<(usize, char)> = seg.text.char_indices().take(w.bigram_form.chars().count()).collect();
            let chars: Vec<char> = w.bigram_form.chars().collect();
            if chars.is_empty() {
                continue;
            }
            let offset = |i: usize| seg.start + form[i].0;
            let end_of = |i: usize| offset(i) + chars[i].len_utf8();
            if let Some((last, last_start)) = previous {
                let position = tokens.len();
                tokens.push(token(bigram(last, chars[0]), last_start, end_of(0), position));
            }
            if chars.len() == 1 {
                let position = tokens.len();
                tokens.push(token(chars[0].to_string(), offset(0), end_of(0), position));
            } else {
                for i in 0..chars.len() - 1 {
                    let position = tokens.len();
                    tokens.push(token(bigram(chars[i], chars[i + 1]), offset(i), end_of(i + 1), position));
                }
            }
            let last = chars.len() - 1;
            previous = Some((chars[last], offset(last)));
        }
        VecTokenStream::new(tokens)
    }
}

/// Two syllables as one token text, without the formatting machinery of `format!`.
fn bigram(a: char, b: char) -> String {
    let mut s = String::with_capacity(a.len_utf8() + b.len_utf8());
    s.push(a);
    s.push(b);
    s
}

/// Latin and digit runs, folded (lowercase, no diacritics, no apostrophes); Hangul is left to the
/// Korean fields. Stopwords and stemming are added as filters in [`register_tokenizers`].
#[derive(Clone, Default)]
pub struct EnglishWordTokenizer;

impl Tokenizer for EnglishWordTokenizer {
    type TokenStream<'a> = VecTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let mut tokens = Vec::new();
        for seg in segments_cached(text) {
            if matches!(seg.script, Script::Latin | Script::Digit | Script::Other) {
                if let Some(t) = folded_token(seg, tokens.len()) {
                    tokens.push(t);
                }
            }
        }
        VecTokenStream::new(tokens)
    }
}

/// Distinct English words whose stems a thread remembers before the memory starts over (a few
/// MB): Porter2 costs about as much per word as the rest of the English analyser, and most words
/// of a corpus, and all of a page's highlighted passages, are repeats.
const STEMMED_WORDS_MAX: usize = 1 << 15;

/// A thread's stemmer and the stems it remembers.
type Stems = (frostem::Stemmer, rustc_hash::FxHashMap<Box<str>, Box<str>>);

thread_local! {
    static STEMS: std::cell::RefCell<Stems> =
        std::cell::RefCell::new((frostem::Stemmer::new(frostem::Algorithm::English), Default::default()));
}

/// The English Snowball (Porter2) stem of a lowercased word, memoised per thread: exactly what
/// tantivy's `Stemmer::new(Language::English)` gives.
pub fn english_stem(word: &str, out: &mut String) {
    STEMS.with_borrow_mut(|(stemmer, memo)| {
        out.clear();
        if let Some(stem) = memo.get(word) {
            out.push_str(stem);
            return;
        }
        let stem = stemmer.stem(word);
        out.push_str(&stem);
        if memo.len() >= STEMMED_WORDS_MAX {
            memo.clear();
        }
        memo.insert(word.into(), stem.as_ref().into());
    })
}

/// tantivy's English stemmer filter with the stems memoised (see [`english_stem`]).
#[derive(Clone, Copy)]
pub struct EnglishStemmer;

impl TokenFilter for EnglishStemmer {
    type Tokenizer<T: Tokenizer> = EnglishStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> EnglishStemmerFilter<T> {
        EnglishStemmerFilter(tokenizer)
    }
}

#[derive(Clone)]
pub struct EnglishStemmerFilter<T>(T);

impl<T: Tokenizer> Tokenizer for EnglishStemmerFilter<T> {
    type TokenStream<'a> = EnglishStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        EnglishStemmerStream { tail: self.0.token_stream(text), buffer: String::new() }
    }
}

pub struct EnglishStemmerStream<T> {
    tail: T,
    buffer: String,
}

impl<T: TokenStream> TokenStream for EnglishStemmerStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        english_stem(&token.text, &mut self.buffer);
        std::mem::swap(&mut token.text, &mut self.buffer);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// English stopwords, built once: an analyzer is built for every search and every highlighted
/// hit, and each copy of the filter shares the one set.
fn english_stopwords() -> StopWordFilter {
    static WORDS: std::sync::LazyLock<StopWordFilter> =
        std::sync::LazyLock::new(|| StopWordFilter::new(Language::English).expect("tantivy ships English stopwords"));
    WORDS.clone()
}

/// Builds the analyzer registered under `name`.
pub fn analyzer(name: &str) -> Option<TextAnalyzer> {
    Some(match name {
        KO_STEM => TextAnalyzer::from(KoreanStemTokenizer),
        KO_BIGRAM => TextAnalyzer::from(BigramTokenizer),
        EN_STEM => {
            TextAnalyzer::builder(EnglishWordTokenizer).filter(english_stopwords()).filter(EnglishStemmer).build()
        }
        KEYWORD => TextAnalyzer::builder(tantivy::tokenizer::RawTokenizer::default()).filter(LowerCaser).build(),
        _ => return None,
    })
}

/// The stem analyzer `name` (ko_stem or en_stem) with a name filter last.
pub fn with_names(name: &str, names: super::names::JoinNames) -> Option<TextAnalyzer> {
    Some(match name {
        // A passage being ingested was analysed for extraction already: the stem fields replay
        // that analysis from the shelf (src/analysis/shelf.rs) when it is there.
        KO_STEM => TextAnalyzer::builder(Shelved::new(StemField::Korean, analyzer(KO_STEM)?)).filter(names).build(),
        EN_STEM => TextAnalyzer::builder(Shelved::new(StemField::English, analyzer(EN_STEM)?)).filter(names).build(),
        _ => return None,
    })
}

/// Registers every analyzer of this module with an index's tokenizer manager, the stem fields
/// with the index's multi-word name terms (see [`super::names`]).
pub fn register_tokenizers(manager: &TokenizerManager, names: &super::names::NameTerms) {
    use super::names::NameField;
    for name in [KO_BIGRAM, KEYWORD] {
        manager.register(name, analyzer(name).expect("every listed name has an analyzer"));
    }
    manager.register(KO_STEM, names.analyzer(NameField::Korean));
    manager.register(EN_STEM, names.analyzer(NameField::English));
}

/// One analysed token: its text and its byte range in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzedToken {
    pub text: String,
    pub from: usize,
    pub to: usize,
    pub position: usize,
}

/// Runs an analyzer over a text and returns its tokens.
pub fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<AnalyzedToken> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push(AnalyzedToken { text: t.text.clone(), from: t.offset_from, to: t.offset_to, position: t.position });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(name: &str, text: &str) -> Vec<String> {
        let mut a = analyzer(name).unwrap();
        analyze(&mut a, text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn segments_split_scripts_inside_words() {
        let s: Vec<&str> = segments("2008년에 Ch'ŏngjin, 회령에서").iter().map(|s| s.text).collect();
        assert_eq!(s, ["2008", "년에", "Ch'ŏngjin", "회령에서"]);
    }

    #[test]
    fn korean_stem_field() {
        assert_eq!(
            texts(KO_STEM, "정치범 수용소에서 보위부에 끌려갔습니다."),
            ["정치범", "수용소", "보위부", "끌려가"]
        );
        assert_eq!(texts(KO_STEM, "Hoeryŏng에서"), ["hoeryong"]);
    }

    #[test]
    fn numbers_keep_their_counters() {
        assert_eq!(
            texts(KO_STEM, "2008년에 3년간 5명이 6개월 동안"),
            ["2008", "년", "3", "년", "5", "명", "6", "개월", "동안"]
        );
        assert_eq!(texts(KO_STEM, "3년 동안"), texts(KO_STEM, "3년간 동안"));
        // Without a number, 년 is a word and follows the initial-sound rule (녀자 → 여자).
        assert_eq!(texts(KO_STEM, "녀자"), ["여자"]);
        assert_eq!(texts(KO_BIGRAM, "3년에"), ["년"]);
    }

    #[test]
    fn bigrams_bridge_spacing_variants() {
        assert_eq!(texts(KO_BIGRAM, "정치범 수용소에"), texts(KO_BIGRAM, "정치범수용소에"));
        assert_eq!(texts(KO_BIGRAM, "수용소에서"), ["수용", "용소"]);
        assert!(texts(KO_BIGRAM, "Hoeryŏng에서").is_empty());
    }

    #[test]
    fn english_field_stems_and_folds() {
        assert_eq!(texts(EN_STEM, "The executions in Ch'ŏngjin"), ["execut", "chongjin"]);
        assert_eq!(texts(EN_STEM, "executed"), ["execut"]);
        assert_eq!(texts(EN_STEM, "회령 Hoeryŏng"), ["hoeryong"]);
    }

    #[test]
    fn offsets_cover_the_stem_only() {
        let mut a = analyzer(KO_STEM).unwrap();
        let text = "그 수용소에서";
        let t = analyze(&mut a, text);
        let last = t.last().unwrap();
        assert_eq!(&text[last.from..last.to], "수용소");
    }
}

/// The tokens that names and labels are matched on, in text order: English-analysed Latin words
/// (folded, stemmed, stopwords dropped) and stemmed Hangul words. Gazetteer names, violation
/// synonyms, event labels and passage text all go through this one function, so "Kyohwaso No. 12",
/// "Hoe-ryŏng" and "요덕 15호 관리소에서" meet their entries whatever the spelling and spacing.
pub fn concept_tokens(text: &str) -> Vec<AnalyzedToken> {
    concept_tokens_of(text, false)
}

/// [`concept_tokens`] of a passage being ingested. Its stem-field analyses, which the concept
/// tokens are made of, are also put on the shelf (src/analysis/shelf.rs) for the index writer,
/// which would otherwise analyse the passage again.
pub fn passage_concept_tokens(text: &str) -> Vec<AnalyzedToken> {
    concept_tokens_of(text, true)
}

fn concept_tokens_of(text: &str, shelve: bool) -> Vec<AnalyzedToken> {
    let shelve = shelve && shelf::is_open();
    thread_local! {
        // Building the analyzer builds its stopword set: once per thread, not once per passage.
        static EN: std::cell::RefCell<TextAnalyzer> =
            std::cell::RefCell::new(analyzer(EN_STEM).expect("en_stem exists"));
    }
    let mut tokens = EN.with_borrow_mut(|en| analyze(en, text));
    let english = tokens.len();
    let mut korean = shelf::Tokens::default();
    let mut complete = true;
    korean_stems(text, |stem, from, to| {
        if shelve {
            complete &= korean.push(stem, from, to, korean.len());
        }
        if stem.chars().next().is_some_and(super::normalize::is_hangul_syllable) {
            tokens.push(AnalyzedToken { text: stem.to_string(), from, to, position: 0 });
        }
    });
    if shelve {
        let english = || {
            let mut list = shelf::Tokens::default();
            let all = tokens[..english].iter().all(|t| list.push(&t.text, t.from, t.to, t.position));
            all.then_some(list)
        };
        shelf::put(text, || complete.then_some(korean), english);
    }
    tokens.sort_by_key(|t| t.from);
    for (i, t) in tokens.iter_mut().enumerate() {
        t.position = i;
    }
    tokens
}

/// [`concept_tokens`] joined without spaces: the key a label is looked up by.
pub fn concept_key(text: &str) -> String {
    concept_tokens(text).into_iter().map(|t| t.text).collect()
}

#[cfg(test)]
mod concept_tests {
    use super::*;

    #[test]
    fn spellings_meet_at_one_key() {
        assert_eq!(concept_key("Hoeryŏng"), concept_key("hoeryong"));
        assert_eq!(concept_key("Hoe-ryong"), concept_key("Hoeryong"));
        assert_eq!(concept_key("Kyohwaso No. 12"), concept_key("kyohwaso 12"));
        assert_eq!(concept_key("요덕 15호 관리소에서"), concept_key("요덕 15호 관리소"));
        assert_eq!(concept_key("public executions"), concept_key("Public Execution"));
        assert_eq!(concept_key("정치범 수용소에"), "정치범수용소");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Text mixing Hangul, Latin with breves and apostrophes, digits, jamo, punctuation and spaces.
    fn mixed_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                "[가-힣]{1,6}",
                "[a-zA-ZŏŭŎŬéÉ']{1,8}",
                "[0-9]{1,4}",
                "[ㄱ-ㅎㅏ-ㅣ]{1,2}",
                "[ .,!?\"()\\-…·\n]{1,3}",
                "\\PC{1,3}",
            ],
            0..30,
        )
        .prop_map(|parts| parts.concat())
    }

    /// Plain text with the characters that make UAX #29 hard: mid punctuation between letters and
    /// digits, underscores, curly quotes, jamo, combining marks, other scripts.
    fn plain_and_tricky_text() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                4 => "[a-zA-Z0-9가-힣]{1,6}",
                3 => "[ .,;:'\"!?()\\-_/\n]{1,3}",
                1 => "[’‘·\u{1100}\u{1161}\u{0301}\u{00AD}\u{200D}é日]{1,2}",
            ],
            0..30,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn the_plain_text_path_finds_the_words_of_uax29(text in plain_and_tricky_text()) {
            if let Some(words) = plain_words(&text) {
                prop_assert_eq!(words, uax29_words(&text).collect::<Vec<_>>(), "{:?}", text);
            }
        }

        #[test]
        fn tokens_are_non_empty_with_offsets_on_char_boundaries(text in mixed_text()) {
            for name in [KO_STEM, KO_BIGRAM, EN_STEM] {
                let mut a = analyzer(name).unwrap();
                let mut last_position = None;
                for t in analyze(&mut a, &text) {
                    prop_assert!(!t.text.is_empty(), "{name}: empty token in {text:?}");
                    prop_assert!(t.from < t.to && t.to <= text.len(), "{name}: {t:?} in {text:?}");
                    prop_assert!(text.is_char_boundary(t.from) && text.is_char_boundary(t.to));
                    prop_assert!(last_position.is_none_or(|p| t.position > p), "{name}: positions must grow");
                    last_position = Some(t.position);
                }
            }
        }

        /// The memoised English stemmer is tantivy's: the same tokens, first time and remembered.
        #[test]
        fn the_english_analyser_stems_as_tantivys_stemmer_does(text in mixed_text()) {
            let mut tantivys = TextAnalyzer::builder(EnglishWordTokenizer)
                .filter(english_stopwords())
                .filter(tantivy::tokenizer::Stemmer::new(Language::English))
                .build();
            let expected = analyze(&mut tantivys, &text);
            let mut ours = analyzer(EN_STEM).unwrap();
            prop_assert_eq!(&analyze(&mut ours, &text), &expected);
            prop_assert_eq!(&analyze(&mut ours, &text), &expected);
        }

        #[test]
        fn a_shelved_passage_is_what_the_index_writer_would_analyse(text in mixed_text()) {
            let _open = shelf::open();
            let concept = passage_concept_tokens(&text);
            prop_assert_eq!(&concept, &concept_tokens(&text));
            let held = crate::analysis::normalize::scripts(&text);
            for (field, name, needed) in
                [(StemField::Korean, KO_STEM, held.hangul), (StemField::English, EN_STEM, held.other)]
            {
                let live = analyze(&mut analyzer(name).unwrap(), &text);
                let Some(shelved) = shelf::take(&text, field) else {
                    prop_assert!(!needed, "{:?} not shelved for {:?}", field, text);
                    continue;
                };
                prop_assert!(needed, "{:?} shelved for {:?}, which the index does not analyse for it", field, text);
                let replayed: Vec<AnalyzedToken> = (0..shelved.len())
                    .map(|i| shelved.get(i))
                    .map(|(t, from, to, position)| AnalyzedToken { text: t.to_string(), from, to, position })
                    .collect();
                prop_assert_eq!(replayed, live, "{:?}", field);
            }
        }

        #[test]
        fn stems_are_never_longer_than_their_word(word in "[가-힣]{1,10}") {
            let w = korean::analyze_word(&word);
            prop_assert!(w.stem.chars().count() <= word.chars().count());
            prop_assert!(w.stem_syllables <= word.chars().count());
            prop_assert!(w.bigram_form.chars().count() <= word.chars().count());
        }

        #[test]
        fn spacing_does_not_change_the_bigrams_of_a_compound(a in "[가-힣]{2,4}", b in "[가-힣]{2,4}") {
            // A word starting with ㄹ or ㄴ is respelled at word start (로동 → 노동), by design.
            let first = b.chars().next().unwrap();
            prop_assume!(korean::south_initial(first) == first);
            // Particles aside (a first word that ends in one, 각을, loses it when spaced), 정치범 수용소
            // and 정치범수용소 meet in the bigram field.
            prop_assume!(korean::analyze_word(&a).bigram_form == a);
            let mut an = analyzer(KO_BIGRAM).unwrap();
            let spaced: Vec<String> = analyze(&mut an, &format!("{a} {b}")).into_iter().map(|t| t.text).collect();
            let joined: Vec<String> = analyze(&mut an, &format!("{a}{b}")).into_iter().map(|t| t.text).collect();
            let covered = joined.iter().filter(|t| spaced.contains(t)).count();
            prop_assert!(covered * 2 >= joined.len(), "{a} {b}: {spaced:?} vs {joined:?}");
        }
    }
}
