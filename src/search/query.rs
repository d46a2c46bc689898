//! From the text a researcher typed to a tantivy query over the three analysed fields.
//!
//! Each word of the query must match in one of its forms (its stem, its Hangul bigrams as a
//! phrase, its English stem); a place or violation named in the query (any spelling, either
//! language) also matches through every other name the gazetteer or taxonomy knows for it, with
//! less weight than the literal words — that is what makes Hoeryeong find 회령 and "public
//! execution" find 공개처형.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Serialize;
use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Term;
use unicode_segmentation::UnicodeSegmentation;

use crate::analysis::{analyze, analyzer, detect, normalize::normalize_text, tokenizers, Lang};
use crate::index::Fields;
use crate::taxonomy::{FacetKind, Taxonomy};

/// Relative weights of the analysed fields for a query in each language.
fn field_weights(lang: Lang) -> [(AnalyzedField, f32); 3] {
    match lang {
        Lang::Ko => [(AnalyzedField::Stem, 1.0), (AnalyzedField::Bigram, 0.6), (AnalyzedField::English, 0.5)],
        Lang::En => [(AnalyzedField::English, 1.0), (AnalyzedField::Stem, 0.5), (AnalyzedField::Bigram, 0.4)],
    }
}

/// Weight of a concept's other names relative to the words typed.
const EXPANSION_WEIGHT: f32 = 0.4;
/// At most this many names of one concept are added to the query.
const MAX_NAMES_PER_CONCEPT: usize = 24;
/// Queries of more words than this need only three quarters of them to match.
const ALL_WORDS_UP_TO: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum AnalyzedField {
    Stem,
    Bigram,
    English,
}

/// A place or violation type recognised in the query.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Expansion {
    pub kind: FacetKind,
    pub id: String,
    pub label_en: String,
    pub label_ko: String,
    /// The words of the query that named it.
    pub matched: String,
}

/// The query to run and what the search needs to explain and highlight it.
pub struct QueryPlan {
    pub query: Box<dyn Query>,
    pub lang: Lang,
    pub expansions: Vec<Expansion>,
    /// Terms per field, for highlighting.
    pub terms: HashMap<Field, HashSet<String>>,
}

struct Analyzers {
    stem: TextAnalyzer,
    bigram: TextAnalyzer,
    english: TextAnalyzer,
}

impl Analyzers {
    fn new() -> Analyzers {
        Analyzers {
            stem: analyzer(tokenizers::KO_STEM).expect("registered"),
            bigram: analyzer(tokenizers::KO_BIGRAM).expect("registered"),
            english: analyzer(tokenizers::EN_STEM).expect("registered"),
        }
    }

    fn tokens(&mut self, which: AnalyzedField, text: &str) -> Vec<String> {
        let a = match which {
            AnalyzedField::Stem => &mut self.stem,
            AnalyzedField::Bigram => &mut self.bigram,
            AnalyzedField::English => &mut self.english,
        };
        analyze(a, text).into_iter().map(|t| t.text).collect()
    }
}

fn field_of(fields: &Fields, which: AnalyzedField) -> Field {
    match which {
        AnalyzedField::Stem => fields.body_ko,
        AnalyzedField::Bigram => fields.body_bigram,
        AnalyzedField::English => fields.body_en,
    }
}

/// A term or, for several tokens, a phrase.
fn tokens_query(field: Field, tokens: &[String]) -> Option<Box<dyn Query>> {
    match tokens.len() {
        0 => None,
        1 => Some(Box::new(TermQuery::new(Term::from_field_text(field, &tokens[0]), IndexRecordOption::WithFreqs))),
        _ => Some(Box::new(PhraseQuery::new(tokens.iter().map(|t| Term::from_field_text(field, t)).collect()))),
    }
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

/// The text in every analysed field, weighted for the query language; None when no field has a token.
fn text_clause(
    a: &mut Analyzers,
    fields: &Fields,
    lang: Lang,
    text: &str,
    weight: f32,
    seen: &mut HashSet<(AnalyzedField, Vec<String>)>,
) -> Option<Box<dyn Query>> {
    let mut should = Vec::new();
    for (which, w) in field_weights(lang) {
        let tokens = a.tokens(which, text);
        if tokens.is_empty() || !seen.insert((which, tokens.clone())) {
            continue;
        }
        if let Some(q) = tokens_query(field_of(fields, which), &tokens) {
            should.push((Occur::Should, boosted(q, w * weight)));
        }
    }
    match should.len() {
        0 => None,
        1 => should.pop().map(|(_, q)| q),
        _ => Some(Box::new(BooleanQuery::new(should))),
    }
}

/// The other names of a recognised concept, for expansion.
fn concept_names(taxonomy: &Taxonomy, kind: FacetKind, id: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    match kind {
        FacetKind::Location => {
            if let Some(p) = taxonomy.place(id) {
                for n in p.names() {
                    names.push(n.to_string());
                    // 회령시 → 회령: the bigram and stem fields see the bare name in running text.
                    for suffix in ["특별시", "직할시", "구역", "시", "군", "도"] {
                        if let Some(bare) = n.strip_suffix(suffix) {
                            if bare.chars().count() >= 2
                                && bare.chars().all(crate::analysis::normalize::is_hangul_syllable)
                            {
                                names.push(bare.to_string());
                            }
                        }
                    }
                }
            }
        }
        FacetKind::Violation => {
            if let Some(v) = taxonomy.violation(id) {
                names.push(v.en.clone());
                names.push(v.ko.clone());
                names.extend(v.synonyms_ko.iter().cloned());
                names.extend(v.synonyms_en.iter().cloned());
            }
        }
        _ => {}
    }
    let mut seen = BTreeSet::new();
    names.retain(|n| seen.insert(n.clone()));
    names.truncate(MAX_NAMES_PER_CONCEPT);
    names
}

/// Builds the query for a non-empty text. `lang` forces the query language; otherwise it is
/// detected (the script decides for short queries).
pub fn plan(text: &str, lang: Option<Lang>, fields: &Fields, taxonomy: &Taxonomy) -> Option<QueryPlan> {
    let text = normalize_text(text);
    let text = text.trim();
    let lang = lang.or_else(|| detect(text, None).lang).unwrap_or(Lang::En);
    let mut a = Analyzers::new();

    // Concepts named in the query, by byte range.
    let found = taxonomy.extract(text);
    let mut mentions: Vec<(usize, usize, FacetKind, String)> = found
        .places
        .iter()
        .map(|m| (m.from, m.to, FacetKind::Location, m.id.clone()))
        .chain(found.violations.iter().map(|m| (m.from, m.to, FacetKind::Violation, m.id.clone())))
        .collect();
    mentions.sort_by_key(|m| (m.0, std::cmp::Reverse(m.1)));

    let words: Vec<(usize, &str)> =
        text.split_word_bound_indices().filter(|(_, w)| w.chars().any(char::is_alphanumeric)).collect();
    let mut groups: Vec<Box<dyn Query>> = Vec::new();
    let mut expansions = Vec::new();
    let mut typed: HashSet<String> = HashSet::new();
    let mut i = 0;
    while i < words.len() {
        let (start, word) = words[i];
        // A concept starting at this word takes every word it covers.
        if let Some(&(from, to, kind, ref id)) = mentions.iter().find(|m| m.0 >= start && m.0 < start + word.len()) {
            let mut covered = Vec::new();
            while i < words.len() && words[i].0 < to {
                covered.push(words[i].1);
                i += 1;
            }
            let literal = &text[from.min(start)..to];
            if !typed.insert(literal.to_lowercase()) {
                continue;
            }
            let mut seen = HashSet::new();
            let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            if let Some(q) = text_clause(&mut a, fields, lang, literal, 1.0, &mut seen) {
                should.push((Occur::Should, q));
            }
            // The other names compete: only the best-matching one adds to the score, so a
            // concept with many synonyms does not outweigh the words typed.
            let mut others: Vec<Box<dyn Query>> = concept_names(taxonomy, kind, id)
                .iter()
                .filter_map(|name| text_clause(&mut a, fields, lang, name, EXPANSION_WEIGHT, &mut seen))
                .collect();
            let tagged = match kind {
                FacetKind::Location => fields.passage_location,
                _ => fields.passage_violation,
            };
            others.push(boosted(
                Box::new(TermQuery::new(Term::from_field_text(tagged, id), IndexRecordOption::Basic)),
                EXPANSION_WEIGHT,
            ));
            should.push((Occur::Should, Box::new(DisjunctionMaxQuery::new(others))));
            if !expansions.iter().any(|e: &Expansion| &e.id == id) {
                let labels = taxonomy.labels(kind, id);
                expansions.push(Expansion {
                    kind,
                    id: id.clone(),
                    label_en: labels.as_ref().map(|l| l.en.clone()).unwrap_or_default(),
                    label_ko: labels.map(|l| l.ko).unwrap_or_default(),
                    matched: covered.join(" "),
                });
            }
            groups.push(Box::new(BooleanQuery::new(should)));
            continue;
        }
        i += 1;
        // A word typed twice is one requirement, not two.
        if !typed.insert(word.to_lowercase()) {
            continue;
        }
        let mut seen = HashSet::new();
        if let Some(q) = text_clause(&mut a, fields, lang, word, 1.0, &mut seen) {
            groups.push(q);
        }
    }
    if groups.is_empty() {
        return None;
    }
    let n = groups.len();
    let query: Box<dyn Query> = if n == 1 {
        groups.pop().expect("one group")
    } else {
        let required = if n <= ALL_WORDS_UP_TO { n } else { (n * 3).div_ceil(4) };
        Box::new(BooleanQuery::with_minimum_required_clauses(
            groups.into_iter().map(|g| (Occur::Should, g)).collect(),
            required,
        ))
    };
    let mut terms: HashMap<Field, HashSet<String>> = HashMap::new();
    query.query_terms(&mut |term, _| {
        if let Some(s) = term.value().as_str() {
            terms.entry(term.field()).or_default().insert(s.to_string());
        }
    });
    Some(QueryPlan { query, lang, expansions, terms })
}
