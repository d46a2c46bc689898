//! Names of several words indexed as one term as well: 정치범 수용소, family member, whole day.
//!
//! A query that names a concept also searches its other names, and a name of several words was a
//! phrase query: the postings of each word intersected, then the positions of every passage
//! holding all of them compared. For names of everyday words (우리 집, 집 사람, family member) that
//! is most of the index, and phrase positions took about a third of query time on the benchmark.
//! Lucene's answer is CommonGrams (word pairs indexed as terms); ours is narrower and exact: the
//! multi-word names the query planner can expand to are known (the taxonomy and the glossary), so
//! the analysed fields also index each such name, where its words stand as the name's words do, as
//! one term (the words joined by a space, which no word token holds). A name is then one term
//! lookup, and matches exactly the passages its phrase would.
//!
//! The names an index was written with are kept with it ([`NameTerms::to_text`]): a query uses
//! the term only for a name the index has, and a phrase for any other.

use std::collections::VecDeque;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use super::normalize::{script_of, Script};
use super::tokenizers::{analyze, analyzer, EN_STEM, KO_STEM};

/// Names of more words than this stay phrases.
pub const MAX_NAME_WORDS: usize = 4;
/// The words of a name may span at most this many positions (stopwords leave gaps in English).
const MAX_SPAN: usize = 8;
/// Between the words of a name term. No token of the analysed fields holds a space.
const SEPARATOR: &str = " ";

/// The analysed fields that index names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameField {
    /// `ko_stem`, for names with Hangul.
    Korean,
    /// `en_stem`, for names with other letters.
    English,
}

impl NameField {
    fn code(self) -> &'static str {
        match self {
            NameField::Korean => "ko",
            NameField::English => "en",
        }
    }

    fn analyzer_name(self) -> &'static str {
        match self {
            NameField::Korean => KO_STEM,
            NameField::English => EN_STEM,
        }
    }
}

/// One name: its tokens with their positions relative to the first.
type Pattern = Vec<(usize, String)>;

/// A name ending in a given token: its earlier tokens as (positions before the last, token), and
/// the name's term.
type Ending = (Vec<(usize, String)>, String);

/// The names of one analysed field.
#[derive(Debug, Default)]
pub struct FieldNames {
    /// By last token: the names ending in it.
    by_last: FxHashMap<String, Vec<Ending>>,
    /// Every name's term.
    terms: FxHashSet<String>,
    /// The patterns, for writing them out.
    patterns: Vec<Pattern>,
}

impl FieldNames {
    fn insert(&mut self, pattern: Pattern) {
        let Some((last_at, last)) = pattern.last().cloned() else { return };
        if pattern.len() < 2 || pattern.len() > MAX_NAME_WORDS || last_at >= MAX_SPAN {
            return;
        }
        let before: Vec<(usize, String)> =
            pattern[..pattern.len() - 1].iter().map(|(at, t)| (last_at - at, t.clone())).collect();
        // A name seen before ends in the same token after the same words: only the names ending
        // in that token are compared, not every name (9,000 of them, read at every start-up).
        let endings = self.by_last.entry(last).or_default();
        if endings.iter().any(|(b, _)| *b == before) {
            return;
        }
        let term = pattern.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join(SEPARATOR);
        endings.push((before, term.clone()));
        self.terms.insert(term);
        self.patterns.push(pattern);
    }

    /// The name terms ending at a token at `position` whose text is `last`, given the tokens seen
    /// before it (position, start offset, text).
    fn ending_at<'s>(
        &'s self,
        last: &str,
        position: usize,
        recent: &'s VecDeque<(usize, usize, String)>,
    ) -> impl Iterator<Item = (usize, &'s str)> + 's {
        self.by_last.get(last).into_iter().flatten().filter_map(move |(before, term)| {
            let mut from = None;
            for (back, word) in before {
                let at = position.checked_sub(*back)?;
                let found = recent.iter().find(|(p, _, text)| *p == at && text == word)?;
                from = Some(from.map_or(found.1, |f: usize| f.min(found.1)));
            }
            Some((from?, term.as_str()))
        })
    }
}

/// The multi-word names of both analysed fields.
#[derive(Debug, Default, Clone)]
pub struct NameTerms {
    korean: Arc<FieldNames>,
    english: Arc<FieldNames>,
}

impl NameTerms {
    /// The names among `names` of two to [`MAX_NAME_WORDS`] words, as each analysed field of
    /// their script tokenizes them.
    pub fn from_names<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> NameTerms {
        let mut korean = FieldNames::default();
        let mut english = FieldNames::default();
        let mut ko = analyzer(KO_STEM).expect("registered analyzer");
        let mut en = analyzer(EN_STEM).expect("registered analyzer");
        for name in names {
            let name = name.as_ref();
            if name.chars().any(|c| script_of(c) == Script::Hangul) {
                let tokens = analyze(&mut ko, name);
                if let [one] = tokens.as_slice() {
                    for split in spaced(&mut ko, &one.text) {
                        korean.insert(split);
                    }
                }
                korean.insert(pattern(tokens.into_iter().map(|t| (t.position, t.text))));
            }
            if name.chars().any(|c| c.is_alphanumeric() && script_of(c) != Script::Hangul) {
                english.insert(pattern(analyze(&mut en, name).into_iter().map(|t| (t.position, t.text))));
            }
        }
        NameTerms { korean: Arc::new(korean), english: Arc::new(english) }
    }

    /// The names as text, one per line: the field, then each token after its relative position.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for field in [NameField::Korean, NameField::English] {
            for p in &self.field(field).patterns {
                out.push_str(field.code());
                for (at, token) in p {
                    out.push_str(&format!("\t{at} {token}"));
                }
                out.push('\n');
            }
        }
        out
    }

    /// Reads what [`NameTerms::to_text`] wrote.
    pub fn parse(text: &str) -> Result<NameTerms, String> {
        let mut korean = FieldNames::default();
        let mut english = FieldNames::default();
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let bad = || format!("line {}: expected a field code and tab-separated 'position token' pairs", n + 1);
            let mut parts = line.split('\t');
            let target = match parts.next() {
                Some("ko") => &mut korean,
                Some("en") => &mut english,
                _ => return Err(bad()),
            };
            let mut p = Pattern::new();
            for part in parts {
                let (at, token) = part.split_once(' ').ok_or_else(bad)?;
                p.push((at.parse().map_err(|_| bad())?, token.to_string()));
            }
            target.insert(p);
        }
        Ok(NameTerms { korean: Arc::new(korean), english: Arc::new(english) })
    }

    fn field(&self, field: NameField) -> &Arc<FieldNames> {
        match field {
            NameField::Korean => &self.korean,
            NameField::English => &self.english,
        }
    }

    /// The term of a name whose tokens in `field` are `tokens`, when the index has it.
    pub fn term(&self, field: NameField, tokens: &[String]) -> Option<String> {
        if tokens.len() < 2 {
            return None;
        }
        let term = tokens.join(SEPARATOR);
        self.field(field).terms.contains(&term).then_some(term)
    }

    /// How many names each field holds.
    pub fn len(&self) -> usize {
        self.korean.patterns.len() + self.english.patterns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The filter that adds the name terms to a field's tokens.
    pub fn filter(&self, field: NameField) -> JoinNames {
        JoinNames(self.field(field).clone())
    }

    /// The analyzer of `field` with its name terms, as the index writes them.
    pub fn analyzer(&self, field: NameField) -> tantivy::tokenizer::TextAnalyzer {
        super::tokenizers::with_names(field.analyzer_name(), self.filter(field)).expect("a stem analyzer")
    }
}

/// A Korean name of one word as two, the way spacing varies (집사람 as 집 사람, 정치범수용소 as
/// 정치범 수용소): the query looks a spaced name up as the phrase of its halves, and a word
/// written as one as its halves too (src/search/compounds.rs).
fn spaced(ko: &mut tantivy::tokenizer::TextAnalyzer, word: &str) -> Vec<Pattern> {
    let syllables: Vec<(usize, char)> = word.char_indices().collect();
    if syllables.len() < 2 || !syllables.iter().all(|(_, c)| super::normalize::is_hangul_syllable(*c)) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for &(at, _) in &syllables[1..] {
        let (a, b) = word.split_at(at);
        if let ([a], [b]) = (analyze(ko, a).as_slice(), analyze(ko, b).as_slice()) {
            out.push(vec![(0, a.text.clone()), (1, b.text.clone())]);
        }
    }
    out
}

/// A name's tokens with positions made relative to its first.
fn pattern(tokens: impl Iterator<Item = (usize, String)>) -> Pattern {
    let tokens: Vec<(usize, String)> = tokens.collect();
    let first = tokens.first().map(|t| t.0).unwrap_or(0);
    tokens.into_iter().map(|(at, t)| (at - first, t)).collect()
}

/// Token filter: after the last word of a name, the name's term at the same position, its offsets
/// spanning the whole name.
#[derive(Clone)]
pub struct JoinNames(Arc<FieldNames>);

impl TokenFilter for JoinNames {
    type Tokenizer<T: Tokenizer> = JoinNamesFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> JoinNamesFilter<T> {
        JoinNamesFilter { tokenizer, names: self.0 }
    }
}

#[derive(Clone)]
pub struct JoinNamesFilter<T> {
    tokenizer: T,
    names: Arc<FieldNames>,
}

impl<T: Tokenizer> Tokenizer for JoinNamesFilter<T> {
    type TokenStream<'a> = JoinNamesStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        JoinNamesStream {
            tail: self.tokenizer.token_stream(text),
            names: &self.names,
            recent: VecDeque::with_capacity(MAX_SPAN),
            pending: Vec::new(),
            current: None,
        }
    }
}

pub struct JoinNamesStream<'a, S> {
    tail: S,
    names: &'a FieldNames,
    /// The last tokens of the tail (position, start offset, text), oldest first.
    recent: VecDeque<(usize, usize, String)>,
    /// Name terms still to emit after the tail's current token.
    pending: Vec<Token>,
    /// The name term being emitted, if the current token is not the tail's.
    current: Option<Token>,
}

impl<S: TokenStream> TokenStream for JoinNamesStream<'_, S> {
    fn advance(&mut self) -> bool {
        if let Some(t) = self.pending.pop() {
            self.current = Some(t);
            return true;
        }
        self.current = None;
        if !self.tail.advance() {
            return false;
        }
        let t = self.tail.token();
        if self.names.by_last.contains_key(&t.text) {
            for (from, term) in self.names.ending_at(&t.text, t.position, &self.recent) {
                self.pending.push(Token {
                    offset_from: from,
                    offset_to: t.offset_to,
                    position: t.position,
                    text: term.to_string(),
                    position_length: 1,
                });
            }
        }
        // Keep the tokens a name can reach back to; reuse the oldest one's text buffer.
        let mut entry = if self.recent.len() >= MAX_SPAN {
            self.recent.pop_front().unwrap_or_default()
        } else {
            (0, 0, String::new())
        };
        while self.recent.front().is_some_and(|r| r.0 + MAX_SPAN <= t.position) {
            self.recent.pop_front();
        }
        entry.0 = t.position;
        entry.1 = t.offset_from;
        entry.2.clear();
        entry.2.push_str(&t.text);
        self.recent.push_back(entry);
        true
    }

    fn token(&self) -> &Token {
        self.current.as_ref().unwrap_or_else(|| self.tail.token())
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.current.as_mut() {
            Some(t) => t,
            None => self.tail.token_mut(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn names() -> NameTerms {
        NameTerms::from_names([
            "집 사람",
            "정치범 수용소",
            "family member",
            "state of emergency",
            "Hoeryong",
            "우리",
            "보위부",
        ])
    }

    fn tokens(names: &NameTerms, field: NameField, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut a = names.analyzer(field);
        analyze(&mut a, text).into_iter().map(|t| (t.text, t.position, t.from, t.to)).collect()
    }

    #[test]
    fn only_names_of_several_words_are_kept() {
        let n = names();
        // 보위부 is kept as 보 위부 and 보위 부 (spacing varies); 우리 as 우 리 too, if both halves
        // are words.
        assert!(n.term(NameField::Korean, &["보위".into(), "부".into()]).is_some(), "{}", n.to_text());
        assert!(n.term(NameField::English, &["hoeryong".into()]).is_none());
        assert_eq!(n.term(NameField::Korean, &["집".into(), "사람".into()]).as_deref(), Some("집 사람"));
        assert_eq!(n.term(NameField::English, &["famili".into(), "member".into()]).as_deref(), Some("famili member"));
        assert_eq!(n.term(NameField::Korean, &["사람".into(), "집".into()]), None);
        assert_eq!(n.term(NameField::Korean, &["우리".into()]), None);
    }

    #[test]
    fn a_name_in_running_text_is_one_more_token_at_its_last_word() {
        let n = names();
        let text = "그날 집에 사람이 왔다";
        let t = tokens(&n, NameField::Korean, text);
        let joined: Vec<_> = t.iter().filter(|t| t.0 == "집 사람").collect();
        assert_eq!(joined.len(), 1, "{t:?}");
        let (_, position, from, to) = joined[0];
        let last = t.iter().find(|t| t.0 == "사람").unwrap();
        assert_eq!(*position, last.1);
        assert_eq!(&text[*from..*to], "집에 사람");
        // The words themselves are all still there, in order.
        let words: Vec<_> = t.iter().filter(|t| !t.0.contains(' ')).map(|t| t.0.clone()).collect();
        let plain = analyze(&mut analyzer(KO_STEM).unwrap(), text).into_iter().map(|t| t.text).collect::<Vec<_>>();
        assert_eq!(words, plain);
    }

    #[test]
    fn words_apart_or_in_another_order_are_not_the_name() {
        let n = names();
        for text in ["사람이 집에 왔다", "집에 온 사람", "a member of the family"] {
            let field = if text.is_ascii() { NameField::English } else { NameField::Korean };
            assert!(tokens(&n, field, text).iter().all(|t| !t.0.contains(' ')), "{text}");
        }
    }

    #[test]
    fn stopword_gaps_of_the_name_are_kept() {
        let n = names();
        assert!(tokens(&n, NameField::English, "a state of emergency was declared")
            .iter()
            .any(|t| t.0 == "state emergenc"));
        assert!(!tokens(&n, NameField::English, "the state emergency").iter().any(|t| t.0 == "state emergenc"));
        assert!(tokens(&n, NameField::English, "Family members came").iter().any(|t| t.0 == "famili member"));
    }

    #[test]
    fn names_survive_their_text_form() {
        let n = names();
        let again = NameTerms::parse(&n.to_text()).unwrap();
        assert_eq!(again.to_text(), n.to_text());
        assert!(NameTerms::parse("xx\t0 a").is_err());
        assert!(NameTerms::parse("ko\t0a").is_err());
    }

    proptest! {
        /// The name filter only adds tokens: the words of any text come out as without it.
        #[test]
        fn the_filter_adds_name_terms_and_nothing_else(words in prop::collection::vec(
            prop::sample::select(vec!["집에", "사람이", "정치범", "수용소", "family", "member", "of", "state", "emergency", "왔다"]),
            0..12,
        )) {
            let text = words.join(" ");
            let n = names();
            for field in [NameField::Korean, NameField::English] {
                let with: Vec<_> = tokens(&n, field, &text);
                let plain = analyze(&mut analyzer(field.analyzer_name()).unwrap(), &text);
                let kept: Vec<_> = with.iter().filter(|t| !t.0.contains(' ')).map(|t| (t.0.clone(), t.1)).collect();
                prop_assert_eq!(kept, plain.iter().map(|t| (t.text.clone(), t.position)).collect::<Vec<_>>());
                let mut last = 0;
                for t in &with {
                    prop_assert!(t.1 >= last, "positions never go back");
                    last = t.1;
                }
            }
        }
    }
}
