//! From the text a researcher typed to a tantivy query over the two analysed fields.
//!
//! Each word of the query must match in one of its forms (its stem, the indexed compounds that
//! contain it, its two halves when written as one, its English stem); a place or violation named in the query (any spelling, either
//! language) also matches through every other name the gazetteer or taxonomy knows for it, with
//! less weight than the literal words — that is what makes Hoeryeong find 회령 and "public
//! execution" find 공개처형.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Serialize;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Term;
use unicode_segmentation::UnicodeSegmentation;

use crate::analysis::normalize::{normalize_text, script_of, Script};
use crate::analysis::{analyze, analyzer, detect, tokenizers, Lang, NameField, NameTerms};
use crate::index::Fields;

use super::compounds::{CompoundTable, MAX_CONTAINING};
use super::name_query::NameTermQuery;
use crate::taxonomy::{FacetKind, Taxonomy};

/// The analysed fields a text is looked up in, with their relative weights. Passages are indexed
/// by script (src/index): Hangul in the stem field, every other word (Latin, digits, other
/// scripts) in the English field, so a text is looked up only where its script can be; a word of
/// both scripts (2008년) is looked up in both. The weights are the same whatever the query's
/// language: a weight per query language (the other script weighing less) scored no better on
/// the judged set and made the languages interleave by accident (docs/QUALITY.md).
fn field_weights(text: &str) -> Vec<(AnalyzedField, f32)> {
    let hangul = has_hangul_or_jamo(text);
    let other = text.chars().any(|c| c.is_alphanumeric() && script_of(c) != Script::Hangul);
    let mut out = Vec::with_capacity(3);
    if hangul {
        out.extend([(AnalyzedField::Stem, 1.0), (AnalyzedField::Compound, COMPOUND_WEIGHT)]);
    }
    if other {
        out.push((AnalyzedField::English, 1.0));
    }
    out
}

/// Weight of a Korean word's compounds and halves relative to the word itself.
const COMPOUND_WEIGHT: f32 = 0.6;

fn has_hangul_or_jamo(text: &str) -> bool {
    text.chars().any(|c| script_of(c) == Script::Hangul)
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
    /// Korean compounds holding a word, and its halves (the stem field too; see [`CompoundTable`]).
    Compound,
    English,
}

/// A place, violation type or glossary term recognised in the query.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Expansion {
    /// "location", "violation" or "term" (a glossary term).
    pub kind: &'static str,
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

/// The query-side analysis: the analyzers of the fields, the stem dictionary's compounds and the
/// multi-word names the index holds as terms.
struct Analyzers<'c> {
    stem: TextAnalyzer,
    english: TextAnalyzer,
    compounds: &'c CompoundTable,
    names: &'c NameTerms,
}

impl<'c> Analyzers<'c> {
    fn new(compounds: &'c CompoundTable, names: &'c NameTerms) -> Analyzers<'c> {
        Analyzers {
            stem: analyzer(tokenizers::KO_STEM).expect("registered"),
            english: analyzer(tokenizers::EN_STEM).expect("registered"),
            compounds,
            names,
        }
    }

    fn tokens(&mut self, which: AnalyzedField, text: &str) -> Vec<String> {
        let a = match which {
            AnalyzedField::Stem | AnalyzedField::Compound => &mut self.stem,
            AnalyzedField::English => &mut self.english,
        };
        analyze(a, text).into_iter().map(|t| t.text).collect()
    }
}

fn field_of(fields: &Fields, which: AnalyzedField) -> Field {
    match which {
        AnalyzedField::Stem | AnalyzedField::Compound => fields.body_ko,
        AnalyzedField::English => fields.body_en,
    }
}

/// A term or, for several tokens, the term of the name they form when the index has one
/// (src/analysis/names.rs), and a phrase otherwise.
fn tokens_query(a: &Analyzers<'_>, fields: &Fields, field: Field, tokens: &[String]) -> Option<Box<dyn Query>> {
    let term = |text: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
    };
    match tokens {
        [] => None,
        [one] => Some(term(one)),
        _ => {
            let which = if field == fields.body_ko { NameField::Korean } else { NameField::English };
            let words: Vec<Term> = tokens.iter().map(|t| Term::from_field_text(field, t)).collect();
            match a.names.term(which, tokens) {
                Some(name) => Some(Box::new(NameTermQuery::new(Term::from_field_text(field, &name), words))),
                None => Some(Box::new(PhraseQuery::new(words))),
            }
        }
    }
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        q
    } else {
        Box::new(super::accumulate::Boosted::new(q, boost))
    }
}

/// The text in every analysed field of its script, weighted; None when no field has a token.
fn text_clause(
    a: &mut Analyzers<'_>,
    fields: &Fields,
    text: &str,
    weight: f32,
    compounds: bool,
    seen: &mut HashSet<(AnalyzedField, Vec<String>)>,
) -> Option<Box<dyn Query>> {
    let mut should = Vec::new();
    text_clauses(a, fields, text, weight, compounds, seen, &mut should);
    match should.len() {
        0 => None,
        1 => should.pop().map(|(_, q)| q),
        _ => Some(Box::new(BooleanQuery::new(should))),
    }
}

/// The clauses of [`text_clause`], appended to `should`. The alternatives of one word go into
/// one flat union: a union of term queries alone runs as tantivy's specialised term union, while
/// nested unions each add a layer of dynamic dispatch per matching passage (the score is the
/// same sum either way).
fn text_clauses(
    a: &mut Analyzers<'_>,
    fields: &Fields,
    text: &str,
    weight: f32,
    compounds: bool,
    seen: &mut HashSet<(AnalyzedField, Vec<String>)>,
    should: &mut Vec<(Occur, Box<dyn Query>)>,
) {
    let several_words = text.contains(char::is_whitespace);
    for (which, w) in field_weights(text) {
        if which == AnalyzedField::Compound {
            if compounds && !several_words {
                compound_clauses(a, fields, text, w * weight, seen, should);
            }
            continue;
        }
        let tokens = a.tokens(which, text);
        if tokens.is_empty() || !seen.insert((which, tokens.clone())) {
            continue;
        }
        if let Some(q) = tokens_query(a, fields, field_of(fields, which), &tokens) {
            should.push((Occur::Should, boosted(q, w * weight)));
        }
        // Several words are a phrase, and also the words written as one (정치범 수용소 → 정치범수용소).
        if which == AnalyzedField::Stem && several_words && tokens.len() > 1 {
            let joined: String = text.split_whitespace().collect();
            let one = a.tokens(which, &joined);
            if one.len() == 1 && seen.insert((which, one.clone())) {
                if let Some(q) = tokens_query(a, fields, fields.body_ko, &one) {
                    should.push((Occur::Should, boosted(q, w * weight)));
                }
            }
        }
        // One English word: also its base without an agent or adjective suffix, which Porter
        // leaves apart (smuggler → smuggl(ed), burial → buri(ed)).
        if which == AnalyzedField::English && tokens.len() == 1 && !text.contains(char::is_whitespace) {
            for base in derivational_bases(&text.to_lowercase()) {
                let alt = a.tokens(AnalyzedField::English, &base);
                if alt.len() == 1 && alt != tokens && seen.insert((which, alt.clone())) {
                    if let Some(q) = tokens_query(a, fields, fields.body_en, &alt) {
                        should.push((Occur::Should, boosted(q, w * weight * DERIVATION_WEIGHT)));
                    }
                }
            }
        }
    }
}

/// A Korean word's other indexed forms (see [`CompoundTable`]): the stems that contain it (수용소
/// in 정치범수용소, or in a form whose ending the stemmer left on), and its two halves as a phrase
/// when the word is written as one (정치범수용소 in text that says 정치범 수용소).
fn compound_clauses(
    a: &mut Analyzers<'_>,
    fields: &Fields,
    text: &str,
    weight: f32,
    seen: &mut HashSet<(AnalyzedField, Vec<String>)>,
    should: &mut Vec<(Occur, Box<dyn Query>)>,
) {
    let tokens = a.tokens(AnalyzedField::Stem, text);
    let [stem] = tokens.as_slice() else { return };
    let table = a.compounds;
    for compound in table.containing(stem, MAX_CONTAINING) {
        let forms = vec![compound.to_string()];
        if seen.insert((AnalyzedField::Stem, forms.clone())) {
            if let Some(q) = tokens_query(a, fields, fields.body_ko, &forms) {
                should.push((Occur::Should, boosted(q, weight)));
            }
        }
    }
    if let Some((first, second)) = table.split(stem) {
        let halves = vec![first, second];
        if seen.insert((AnalyzedField::Stem, halves.clone())) {
            if let Some(q) = tokens_query(a, fields, fields.body_ko, &halves) {
                should.push((Occur::Should, boosted(q, weight)));
            }
        }
    }
}

/// Weight of a name's words near each other relative to the name itself.
const NEAR_WEIGHT: f32 = 0.5;
/// Words of a name may stand this many positions further apart than in the name.
const NEAR_SLOP: u32 = 8;
/// A name's words are looked up near each other only when one of them is held by at most this
/// many passages, which bounds the positions the loose phrase reads: on 20,000 generated
/// testimonies, loose phrases of everyday words took the mean query from 8.8 to 10.9 ms.
const NEAR_MAX_DOC_FREQ: u32 = 2_000;
/// At most this many names of a concept are also looked up as words near each other.
const MAX_NEAR_NAMES: usize = 4;

/// A name of several words also as its words near each other, in either order, with a Korean
/// compound standing for its head, the last of its two halves: 나무껍질 죽 meets 소나무 껍질을 벗겨
/// … 죽을 쑤었다. True if a clause was added.
fn near_clause(
    a: &mut Analyzers<'_>,
    fields: &Fields,
    name: &str,
    weight: f32,
    seen: &mut HashSet<(AnalyzedField, Vec<String>)>,
    should: &mut Vec<(Occur, Box<dyn Query>)>,
) -> bool {
    if !name.contains(char::is_whitespace) {
        return false;
    }
    // Korean only: spacing, particles and compounds break a Korean name's phrase apart, while an
    // English name keeps its words together; and only around a rare word, because a loose phrase
    // of everyday words (죽, 집) reads the positions of much of the index (see NEAR_MAX_DOC_FREQ).
    if !has_hangul_or_jamo(name) {
        return false;
    }
    let which = AnalyzedField::Stem;
    let mut tokens = a.tokens(which, name);
    if tokens.len() < 2 || tokens.len() > 3 {
        return false;
    }
    for t in tokens.iter_mut() {
        if let Some((_, head)) = a.compounds.split(t) {
            *t = head;
        }
    }
    if !tokens.iter().any(|t| a.compounds.rare(t, NEAR_MAX_DOC_FREQ)) {
        return false;
    }
    // Marked apart from the phrase of the same words, which `seen` already holds.
    let mut key = tokens.clone();
    key.push(String::from("~near"));
    if !seen.insert((which, key)) {
        return false;
    }
    let terms = tokens.iter().map(|t| Term::from_field_text(field_of(fields, which), t)).collect();
    let mut phrase = PhraseQuery::new(terms);
    phrase.set_slop(NEAR_SLOP);
    should.push((Occur::Should, boosted(Box::new(phrase), weight)));
    true
}

/// Ids of glossary terms in a plan: "term:3".
const TERM_PREFIX: &str = "term:";

/// Weight of a word's derivational base relative to the word.
const DERIVATION_WEIGHT: f32 = 0.7;

/// English paradigms whose forms Porter cannot bring together: irregular plurals and verbs, and a
/// few derivations with a changed stem. A query word in a row also searches the row's other forms.
/// Auxiliaries (was, had, did) are stopwords and left out.
const IRREGULAR_FORMS: &[&[&str]] = &[
    // nouns
    &["child", "children"],
    &["man", "men"],
    &["woman", "women"],
    &["person", "people"],
    &["foot", "feet"],
    &["tooth", "teeth"],
    &["wife", "wives"],
    &["life", "lives"],
    &["knife", "knives"],
    &["thief", "thieves"],
    &["mouse", "mice"],
    // verbs
    &["flee", "fled"],
    &["take", "took", "taken"],
    &["catch", "caught"],
    &["beat", "beaten"],
    &["bring", "brought"],
    &["buy", "bought"],
    &["sell", "sold"],
    &["tell", "told"],
    &["hold", "held"],
    &["keep", "kept"],
    &["leave", "left"],
    &["lose", "lost"],
    &["send", "sent"],
    &["spend", "spent"],
    &["sleep", "slept"],
    &["fight", "fought"],
    &["teach", "taught"],
    &["seek", "sought"],
    &["run", "ran"],
    &["come", "came"],
    &["go", "went", "gone"],
    &["see", "saw", "seen"],
    &["give", "gave", "given"],
    &["eat", "ate", "eaten"],
    &["drive", "drove", "driven"],
    &["write", "wrote", "written"],
    &["hide", "hid", "hidden"],
    &["freeze", "froze", "frozen"],
    &["steal", "stole", "stolen"],
    &["break", "broke", "broken"],
    &["speak", "spoke", "spoken"],
    &["choose", "chose", "chosen"],
    &["forget", "forgot", "forgotten"],
    &["bite", "bit", "bitten"],
    &["shoot", "shot"],
    &["hang", "hung"],
    &["strike", "struck", "stricken"],
    &["dig", "dug"],
    &["feed", "fed"],
    &["lead", "led"],
    &["fall", "fell", "fallen"],
    &["know", "knew", "known"],
    &["grow", "grew", "grown"],
    &["throw", "threw", "thrown"],
    &["fly", "flew", "flown"],
    &["swim", "swam", "swum"],
    &["tear", "tore", "torn"],
    &["wear", "wore", "worn"],
    &["bear", "bore", "born"],
    &["begin", "began", "begun"],
    &["drink", "drank", "drunk"],
    &["sink", "sank", "sunk"],
    &["shake", "shook", "shaken"],
    &["wake", "woke", "woken"],
    &["rise", "rose", "risen"],
    &["sit", "sat"],
    &["stand", "stood"],
    &["pay", "paid"],
    &["lay", "laid"],
    &["say", "said"],
    &["make", "made"],
    &["find", "found"],
    &["get", "got", "gotten"],
    &["hear", "heard"],
    &["meet", "met"],
    &["feel", "felt"],
    &["build", "built"],
    &["lend", "lent"],
    &["bend", "bent"],
    &["mean", "meant"],
    &["kneel", "knelt"],
    &["creep", "crept"],
    &["sweep", "swept"],
    &["weep", "wept"],
    &["bleed", "bled"],
    &["think", "thought"],
    &["die", "dead"],
    &["swear", "swore", "sworn"],
    &["forbid", "forbade", "forbidden"],
    &["forgive", "forgave", "forgiven"],
    &["understand", "understood"],
    // derivations with a changed stem
    &["detain", "detention"],
    &["hungry", "hunger"],
    &["poor", "poverty"],
    &["prove", "proof"],
    &["choose", "choice"],
    &["lose", "loss"],
    &["die", "death"],
    &["deceive", "deception"],
    &["receive", "reception"],
    &["seize", "seizure"],
    &["strong", "strength"],
    &["long", "length"],
    &["destroy", "destruction"],
];

/// Other forms of an English word that Porter leaves apart: the other members of its irregular
/// paradigm (children → child, caught → catch), its base without a derivational suffix that Porter
/// keeps (-er(s), -or(s), -al(s), -ee(s): smuggler → smuggl(ed), burial → buri(ed), detainee →
/// detain), and the verb of an -ation noun whose verb ends in -e (starvation → starve).
fn derivational_bases(word: &str) -> Vec<String> {
    if !word.chars().all(|c| c.is_ascii_alphabetic()) {
        return Vec::new();
    }
    let mut out: Vec<String> = IRREGULAR_FORMS
        .iter()
        .filter(|row| row.contains(&word))
        .flat_map(|row| row.iter().filter(|f| **f != word).map(|f| f.to_string()))
        .collect();
    out.extend(
        ["ers", "er", "ors", "or", "als", "al", "ees", "ee"]
            .iter()
            .filter_map(|suffix| word.strip_suffix(suffix))
            .filter(|base| base.len() >= 4)
            .map(str::to_string)
            .take(1),
    );
    if let Some(base) = word.strip_suffix("ations").or_else(|| word.strip_suffix("ation")) {
        if base.len() >= 4 {
            out.push(format!("{base}e"));
        }
    }
    let mut seen = HashSet::new();
    out.retain(|f| seen.insert(f.clone()));
    out
}

/// The other names of a recognised concept, for expansion.
fn concept_names(taxonomy: &Taxonomy, kind: Option<FacetKind>, id: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    match kind {
        None => {
            if let Some(term) =
                id.strip_prefix(TERM_PREFIX).and_then(|i| i.parse().ok()).and_then(|i| taxonomy.glossary_term(i))
            {
                names.extend(term.en.iter().chain(&term.ko).cloned());
            }
        }
        Some(FacetKind::Location) => {
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
        Some(FacetKind::Violation) => {
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

/// Weight of a passage tagged with a place or violation the query names, when the passage is in
/// the query's language. Such a passage can match the words typed and their synonyms as text, so
/// its tag adds little but the extractor's errors (English answers that say "numbers are fine"
/// tagged as fines); a passage of the other language may have no other way to meet the query, and
/// its tag weighs as an expansion. Tags alike in both languages let tagged English passages that
/// never say the word crowd out the Korean ones that say it ("confiscation", recall 0.38; docs/QUALITY.md).
const TAG_SAME_LANGUAGE_WEIGHT: f32 = 0.05;

/// The clauses matching passages tagged with concept `id` in the tag field `field`: two, one
/// weighted as an expansion for passages not in the query's language, one slight for all.
fn tag_clauses(fields: &Fields, field: Field, id: &str, lang: Lang) -> [(Occur, Box<dyn Query>); 2] {
    let tag: Box<dyn Query> = Box::new(TermQuery::new(Term::from_field_text(field, id), IndexRecordOption::Basic));
    let same_language: Box<dyn Query> =
        Box::new(TermQuery::new(Term::from_field_text(fields.language, lang.code()), IndexRecordOption::Basic));
    let other_language = BooleanQuery::new(vec![(Occur::Must, tag.box_clone()), (Occur::MustNot, same_language)]);
    [
        (Occur::Should, boosted(Box::new(other_language), EXPANSION_WEIGHT - TAG_SAME_LANGUAGE_WEIGHT)),
        (Occur::Should, boosted(tag, TAG_SAME_LANGUAGE_WEIGHT)),
    ]
}

/// The groups of a run of plain words: each word, or each place or violation named by several
/// words, must match in one of its forms.
fn plain_groups(
    text: &str,
    lang: Lang,
    fields: &Fields,
    taxonomy: &Taxonomy,
    a: &mut Analyzers<'_>,
    typed: &mut HashSet<String>,
    expansions: &mut Vec<Expansion>,
) -> Vec<Group> {
    // Concepts named in the query, by byte range.
    let found = taxonomy.extract(text);
    let mut mentions: Vec<(usize, usize, Option<FacetKind>, String)> = found
        .places
        .iter()
        .map(|m| (m.from, m.to, Some(FacetKind::Location), m.id.clone()))
        .chain(found.violations.iter().map(|m| (m.from, m.to, Some(FacetKind::Violation), m.id.clone())))
        .collect();
    // Glossary terms: a concept of their own where no place or violation was recognised, and
    // more forms of the place or violation where one was (인민반 is both a surveillance synonym
    // and the glossary's inminban / people's unit).
    let glossary = taxonomy.glossary_mentions(text);
    // The longest name wins: a glossary term that covers a shorter place or violation name is
    // what the words name ("medicinal herbs" is not the denial of care that "medicinal" names).
    mentions.retain(|m| !glossary.iter().any(|g| g.0 <= m.0 && g.1 >= m.1 && g.1 - g.0 > m.1 - m.0));
    let concepts = mentions.len();
    for &(from, to, term) in &glossary {
        if !mentions[..concepts].iter().any(|m| from < m.1 && to > m.0) {
            mentions.push((from, to, None, format!("{TERM_PREFIX}{term}")));
        }
    }
    mentions.sort_by_key(|m| (m.0, std::cmp::Reverse(m.1)));

    let words: Vec<(usize, &str)> =
        text.split_word_bound_indices().filter(|(_, w)| w.chars().any(char::is_alphanumeric)).collect();
    let mut groups: Vec<Group> = Vec::new();
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
            text_clauses(a, fields, literal, 1.0, true, &mut seen, &mut should);
            // The other names add up, each at a fraction of the words typed. A dis-max (only the
            // best name counts) scored worse on the judged set (ko-particles recall 0.876 against
            // 0.919) and walks its clauses through a heap instead of tantivy's buffered union.
            // Glossary words are everyday words: their compounds would mostly be other words
            // (어머니 in 시어머니), and they are the broadest expansions, so stems only.
            let compounds = kind.is_some();
            let mut names = concept_names(taxonomy, kind, id);
            if kind.is_some() {
                for &(_, _, term) in glossary.iter().filter(|g| g.0 >= from && g.1 <= to) {
                    names.extend(concept_names(taxonomy, None, &format!("{TERM_PREFIX}{term}")));
                }
            }
            for name in &names {
                text_clauses(a, fields, name, EXPANSION_WEIGHT, compounds, &mut seen, &mut should);
            }
            // A glossary term's names of several words also match as those words near each other
            // (at most four names). Place and violation names are fixed expressions, and loosening
            // them too scored lower (docs/QUALITY.md).
            if kind.is_none() {
                let mut near = 0;
                for name in &names {
                    if near < MAX_NEAR_NAMES
                        && near_clause(a, fields, name, EXPANSION_WEIGHT * NEAR_WEIGHT, &mut seen, &mut should)
                    {
                        near += 1;
                    }
                }
            }
            // The words typed also match apart, each as it would alone (its forms, and the
            // concept it names by itself): a name recognised across several words adds to what
            // the words find and never narrows it ("husband family", the glossary's "husband's
            // family", found nothing while "family husband", which names nothing, found every
            // passage holding both words). Only the whole name is reported as an expansion.
            if covered.len() > 1 {
                let apart: Vec<(Occur, Box<dyn Query>)> = covered
                    .iter()
                    .flat_map(|word| {
                        plain_groups(word, lang, fields, taxonomy, a, &mut HashSet::new(), &mut Vec::new())
                    })
                    .map(|g| (Occur::Must, g.query()))
                    .collect();
                if apart.len() > 1 {
                    should.push((Occur::Should, Box::new(BooleanQuery::new(apart))));
                }
            }
            let tagged = match kind {
                Some(FacetKind::Location) => Some(fields.passage_location),
                Some(_) => Some(fields.passage_violation),
                None => None,
            };
            if let Some(field) = tagged {
                should.extend(tag_clauses(fields, field, id, lang));
            }
            if !expansions.iter().any(|e: &Expansion| &e.id == id) {
                let labels = match kind {
                    Some(k) => taxonomy.labels(k, id),
                    None => id
                        .strip_prefix(TERM_PREFIX)
                        .and_then(|i| i.parse().ok())
                        .and_then(|i| taxonomy.glossary_term(i))
                        .map(|t| crate::taxonomy::Labels {
                            en: t.en.first().cloned().unwrap_or_default(),
                            ko: t.ko.first().cloned().unwrap_or_default(),
                        }),
                };
                expansions.push(Expansion {
                    kind: kind.map(FacetKind::name).unwrap_or("term"),
                    id: id.clone(),
                    label_en: labels.as_ref().map(|l| l.en.clone()).unwrap_or_default(),
                    label_ko: labels.map(|l| l.ko).unwrap_or_default(),
                    matched: covered.join(" "),
                });
            }
            groups.push(Group { clauses: should });
            continue;
        }
        i += 1;
        // A word typed twice is one requirement, not two.
        if !typed.insert(word.to_lowercase()) {
            continue;
        }
        let mut clauses = Vec::new();
        text_clauses(a, fields, word, 1.0, true, &mut HashSet::new(), &mut clauses);
        if !clauses.is_empty() {
            groups.push(Group { clauses });
        }
    }
    groups
}

/// One item of the query language.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// Plain words (consecutive ones stay together, so that multi-word names are recognised).
    Words(String),
    /// "…": the words in this order.
    Phrase(String),
    /// -word, -"…", NOT word.
    Not(String),
    /// OR between the items on either side.
    Or,
}

/// Splits a query into items. Anything malformed (an unclosed quote, a lone '-') is plain text.
fn parse(text: &str) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    let mut words = String::new();
    let flush = |words: &mut String, items: &mut Vec<Item>| {
        if !words.trim().is_empty() {
            items.push(Item::Words(words.split_whitespace().collect::<Vec<_>>().join(" ")));
        }
        words.clear();
    };
    let mut negate_next = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let is_quote = matches!(c, '"' | '“' | '”' | '「' | '『');
        if is_quote {
            let after = &rest[c.len_utf8()..];
            if let Some(end) = after.find(['"', '“', '”', '」', '』']) {
                flush(&mut words, &mut items);
                let phrase = after[..end].trim().to_string();
                let close = after[end..].chars().next().map(char::len_utf8).unwrap_or(1);
                if !phrase.is_empty() {
                    items.push(if std::mem::take(&mut negate_next) { Item::Not(phrase) } else { Item::Phrase(phrase) });
                }
                rest = &after[end + close..];
                continue;
            }
            // Unclosed: the quote is just punctuation.
            rest = after;
            continue;
        }
        if c.is_whitespace() {
            words.push(' ');
            rest = &rest[c.len_utf8()..];
            continue;
        }
        // A whole whitespace-delimited token.
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let token = &rest[..end];
        let at_start = words.is_empty() || words.ends_with(' ');
        match token {
            "OR" | "|" if at_start => {
                flush(&mut words, &mut items);
                items.push(Item::Or);
            }
            "AND" | "&&" if at_start => {}
            "NOT" if at_start => {
                flush(&mut words, &mut items);
                negate_next = true;
            }
            _ if at_start && token.len() > 1 && token.starts_with('-') && !token[1..].starts_with(['"', '“']) => {
                flush(&mut words, &mut items);
                items.push(Item::Not(token[1..].to_string()));
            }
            _ if at_start && token.len() > 1 && token.starts_with('-') => {
                flush(&mut words, &mut items);
                negate_next = true;
                rest = &rest[1..];
                continue;
            }
            _ if std::mem::take(&mut negate_next) => {
                flush(&mut words, &mut items);
                items.push(Item::Not(token.to_string()));
            }
            _ => words.push_str(token),
        }
        rest = &rest[end..];
    }
    flush(&mut words, &mut items);
    // A leading or trailing OR, or two in a row, means nothing.
    let mut cleaned: Vec<Item> = Vec::new();
    for item in items {
        if item == Item::Or && !matches!(cleaned.last(), Some(Item::Words(_) | Item::Phrase(_))) {
            continue;
        }
        cleaned.push(item);
    }
    if cleaned.last() == Some(&Item::Or) {
        cleaned.pop();
    }
    cleaned
}

/// Builds the query for a non-empty text in the query language: words (each must match; more
/// than three words need three quarters), "phrases", -exclusions or NOT, and OR between items.
/// `lang` forces the query language; otherwise it is detected (the script decides for short queries).
pub fn plan(
    text: &str,
    lang: Option<Lang>,
    fields: &Fields,
    taxonomy: &Taxonomy,
    compounds: &CompoundTable,
    names: &NameTerms,
) -> Option<QueryPlan> {
    let text = normalize_text(text);
    let text = text.trim();
    let lang = lang.or_else(|| detect(text, None).lang).unwrap_or(Lang::En);
    let mut a = Analyzers::new(compounds, names);
    let mut typed: HashSet<String> = HashSet::new();
    let mut expansions = Vec::new();
    // Groups in order; `or_next` marks a group joined to the following one by OR.
    let mut groups: Vec<(Group, bool)> = Vec::new();
    let mut excluded: Vec<Box<dyn Query>> = Vec::new();
    for item in parse(text) {
        match item {
            Item::Words(w) => {
                for g in plain_groups(&w, lang, fields, taxonomy, &mut a, &mut typed, &mut expansions) {
                    groups.push((g, false));
                }
            }
            Item::Phrase(p) => {
                // A phrase that is one place, violation or glossary name ("state security") is
                // that concept, expanded to its other names like the same words unquoted; any
                // other phrase is only its words in order.
                let (mut typed_here, mut found_here) = (typed.clone(), expansions.clone());
                let mut as_concept = plain_groups(&p, lang, fields, taxonomy, &mut a, &mut typed_here, &mut found_here);
                if as_concept.len() == 1 && found_here.len() > expansions.len() {
                    (typed, expansions) = (typed_here, found_here);
                    groups.extend(as_concept.pop().map(|g| (g, false)));
                } else {
                    let mut clauses = Vec::new();
                    text_clauses(&mut a, fields, &p, 1.0, true, &mut HashSet::new(), &mut clauses);
                    if !clauses.is_empty() {
                        groups.push((Group { clauses }, false));
                    }
                }
            }
            Item::Not(n) => {
                if let Some(q) = text_clause(&mut a, fields, &n, 1.0, true, &mut HashSet::new()) {
                    excluded.push(q);
                }
            }
            Item::Or => {
                if let Some(last) = groups.last_mut() {
                    last.1 = true;
                }
            }
        }
    }
    // Merge OR-joined runs into one alternative each: the union of their clauses.
    let mut merged: Vec<Group> = Vec::new();
    let mut run: Option<Group> = None;
    for (g, or_next) in groups {
        let mut joined = run.take().unwrap_or_default();
        joined.clauses.extend(g.clauses);
        if or_next {
            run = Some(joined);
        } else {
            merged.push(joined);
        }
    }
    merged.extend(run);
    if merged.is_empty() {
        return None;
    }
    let n = merged.len();
    let required = required_of(n);
    let all_words: Vec<(Occur, Box<dyn Query>)> = merged.iter().map(|g| (Occur::Should, g.query())).collect();
    let terms = collect_terms(all_words.iter().map(|(_, q)| q.as_ref()));
    let partial: Vec<Box<dyn Query>> = [fields.body_ko, fields.body_en]
        .into_iter()
        .filter_map(|f| partial_translation(&merged, f, required))
        .collect();
    // Without a partial translation the groups stay at the top level, one union fewer per passage.
    let (mut clauses, required) = if partial.is_empty() {
        (all_words, required)
    } else {
        let all_words = Box::new(BooleanQuery::with_minimum_required_clauses(all_words, required));
        let alternatives = std::iter::once(all_words as Box<dyn Query>).chain(partial);
        (alternatives.map(|q| (Occur::Should, q)).collect(), 1)
    };
    clauses.extend(excluded.into_iter().map(|q| (Occur::MustNot, q)));
    let query: Box<dyn Query> = Box::new(BooleanQuery::with_minimum_required_clauses(clauses, required));
    tracing::trace!(text, ?query, "query plan");
    Some(QueryPlan { query, lang, expansions, terms })
}

/// How many of `n` groups a passage must match: all of up to three, three quarters of more.
fn required_of(n: usize) -> usize {
    if n <= ALL_WORDS_UP_TO {
        n
    } else {
        (n * 3).div_ceil(4)
    }
}

/// Weight of a passage that matches, in one language, the forms of only the words that have one.
const PARTIAL_TRANSLATION_WEIGHT: f32 = 1.0;

/// The query's words as far as they can be said in the script of `field`: a passage of the other
/// language cannot match a word that has no form there ("rabbit pelts" where the glossary knows
/// rabbit/토끼 but not pelts), so it would never be found, however well it matched the rest. When
/// too few words have a form in that script to meet `required`, but at least half do, the
/// passages of that script need only match those words' forms there. None when every passage
/// can already meet the query, or when too few words translate to say what it asks for.
/// Adds at most one clause per form of a word in that script, and only to such queries.
fn partial_translation(groups: &[Group], field: Field, required: usize) -> Option<Box<dyn Query>> {
    let with_form: Vec<Box<dyn Query>> = groups.iter().filter_map(|g| g.in_field(field)).collect();
    let m = with_form.len();
    if m == 0 || m >= required || m * 2 < groups.len() {
        return None;
    }
    let clauses: Vec<(Occur, Box<dyn Query>)> = with_form.into_iter().map(|q| (Occur::Should, q)).collect();
    Some(boosted(
        Box::new(BooleanQuery::with_minimum_required_clauses(clauses, required_of(m))),
        PARTIAL_TRANSLATION_WEIGHT,
    ))
}

/// One requirement of a query: a word, a phrase or a named concept, with the alternatives (forms,
/// fields, other names) any of which satisfies it.
#[derive(Default)]
struct Group {
    clauses: Vec<(Occur, Box<dyn Query>)>,
}

impl Group {
    /// The union of the alternatives.
    fn query(&self) -> Box<dyn Query> {
        match self.clauses.as_slice() {
            [(_, one)] => one.box_clone(),
            _ => Box::new(BooleanQuery::new(self.clauses.iter().map(|(o, q)| (*o, q.box_clone())).collect())),
        }
    }

    /// The union of the alternatives that are looked up in `field` alone, if any.
    fn in_field(&self, field: Field) -> Option<Box<dyn Query>> {
        let mut kept: Vec<(Occur, Box<dyn Query>)> = self
            .clauses
            .iter()
            .filter(|(_, q)| {
                let mut only_here = true;
                let mut any = false;
                q.query_terms(&mut |term, _| {
                    any = true;
                    only_here &= term.field() == field;
                });
                any && only_here
            })
            .map(|(o, q)| (*o, q.box_clone()))
            .collect();
        match kept.len() {
            0 => None,
            1 => kept.pop().map(|(_, q)| q),
            _ => Some(Box::new(BooleanQuery::new(kept))),
        }
    }
}

/// Terms per field of the positive clauses, for highlighting.
fn collect_terms<'a>(queries: impl Iterator<Item = &'a dyn Query>) -> HashMap<Field, HashSet<String>> {
    let mut terms: HashMap<Field, HashSet<String>> = HashMap::new();
    for q in queries {
        q.query_terms(&mut |term, _| {
            if let Some(s) = term.value().as_str() {
                // A name's term is highlighted as its words.
                terms.entry(term.field()).or_default().extend(s.split(' ').map(str::to_string));
            }
        });
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_query_language() {
        use Item::*;
        assert_eq!(parse("수용소 회령"), vec![Words("수용소 회령".into())]);
        assert_eq!(
            parse("\"public execution\" Hoeryong"),
            vec![Phrase("public execution".into()), Words("Hoeryong".into())]
        );
        assert_eq!(parse("camp -labour"), vec![Words("camp".into()), Not("labour".into())]);
        assert_eq!(parse("camp NOT \"labour camp\""), vec![Words("camp".into()), Not("labour camp".into())]);
        assert_eq!(parse("회령 OR 청진"), vec![Words("회령".into()), Or, Words("청진".into())]);
        assert_eq!(parse("a AND b"), vec![Words("a b".into())]);
    }

    #[test]
    fn derivational_bases_of_english_words() {
        assert_eq!(derivational_bases("smuggler"), ["smuggl"]);
        assert_eq!(derivational_bases("burial"), ["buri"]);
        assert!(derivational_bases("camp").is_empty());
        assert!(derivational_bases("order").is_empty());
        assert_eq!(derivational_bases("detainees"), ["detain"]);
        assert_eq!(derivational_bases("starvation"), ["starve"]);
    }

    #[test]
    fn irregular_english_forms_reach_their_paradigm() {
        assert_eq!(derivational_bases("children"), ["child"]);
        assert_eq!(derivational_bases("caught"), ["catch"]);
        assert_eq!(derivational_bases("taken"), ["take", "took"]);
        assert_eq!(derivational_bases("fled"), ["flee"]);
        assert_eq!(derivational_bases("beat"), ["beaten"]);
        assert_eq!(derivational_bases("detention"), ["detain"]);
    }

    fn group(terms: &[(u32, &str)]) -> Group {
        let clauses = terms
            .iter()
            .map(|&(field, text)| {
                let term = Term::from_field_text(Field::from_field_id(field), text);
                (Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)) as Box<dyn Query>)
            })
            .collect();
        Group { clauses }
    }

    #[test]
    fn words_without_a_form_in_the_other_language_are_left_out_of_it() {
        let (ko, en) = (Field::from_field_id(0), Field::from_field_id(1));
        // rabbit/토끼 has a Korean form, pelts has none: Korean passages need only 토끼.
        let rabbit_pelts = [group(&[(1, "rabbit"), (0, "토끼")]), group(&[(1, "pelt")])];
        assert!(partial_translation(&rabbit_pelts, ko, 2).is_some());
        // English passages can meet every word already.
        assert!(partial_translation(&rabbit_pelts, en, 2).is_none());
        // Fewer than half the words with a Korean form say too little of the query.
        let three = [group(&[(1, "old"), (0, "낡")]), group(&[(1, "copper")]), group(&[(1, "wire")])];
        assert!(partial_translation(&three, ko, 3).is_none());
        // Nothing translates: nothing to add.
        assert!(partial_translation(&[group(&[(1, "a")]), group(&[(1, "b")])], ko, 2).is_none());
    }

    #[test]
    fn malformed_queries_degrade_to_plain_text() {
        use Item::*;
        assert_eq!(parse("\"unclosed quote"), vec![Words("unclosed quote".into())]);
        assert_eq!(parse("OR OR camp OR"), vec![Words("camp".into())]);
        assert_eq!(parse("- camp"), vec![Words("- camp".into())]);
        assert_eq!(parse("re-education"), vec![Words("re-education".into())]);
    }
}
