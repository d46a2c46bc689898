//! Marking the matched terms of a passage with <mark>: the passage is run through each analysed
//! field's analyzer and every token whose term the query holds is marked at its offsets. Works
//! across both fields at once, which tantivy's one-field snippet generator cannot.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use tantivy::schema::Field;
use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::normalize::scripts;
use crate::analysis::{analyze, analyzer, tokenizers};
use crate::index::Fields;

/// Passages longer than this are cut to a window around the marks.
const MAX_CHARS: usize = 480;
/// Window size for long passages.
const WINDOW_CHARS: usize = 320;

thread_local! {
    /// The English analyser, built once per thread: a page highlights ten passages or more per
    /// search. (The Korean stem field's tokens are read without one, see `tokenizers::korean_stems`.)
    static ENGLISH: RefCell<TextAnalyzer> = RefCell::new(analyzer(tokenizers::EN_STEM).expect("registered analyzer"));
}

/// Byte ranges of the passage's matched tokens, merged and sorted. Only the fields the passage
/// was indexed in are read (src/index: Hangul in the stem field, every other letter or digit in
/// the English field), so a mark is always something the search could have matched.
pub fn matched_ranges(text: &str, terms: &HashMap<Field, HashSet<String>>, fields: &Fields) -> Vec<(usize, usize)> {
    let held = scripts(text);
    let mut ranges = Vec::new();
    ENGLISH.with_borrow_mut(|en| {
        if let Some(wanted) = terms.get(&fields.body_ko).filter(|_| held.hangul) {
            tokenizers::korean_stems(text, |stem, from, to| {
                // The stem field keeps English stopwords (it is the Korean field); a multi-word
                // expansion ("executed in the square") must not mark every "the" of the passage.
                if wanted.contains(stem) && !is_english_stopword(en, stem) {
                    ranges.push((from, to));
                }
            });
        }
        if let Some(wanted) = terms.get(&fields.body_en).filter(|_| held.other) {
            let mut stream = en.token_stream(text);
            while let Some(t) = stream.next() {
                if wanted.contains(&t.text) {
                    ranges.push((t.offset_from, t.offset_to));
                }
            }
        }
    });
    merge(ranges)
}

/// A Latin word the English analyzer drops.
fn is_english_stopword(en: &mut TextAnalyzer, word: &str) -> bool {
    word.chars().all(|c| c.is_ascii_alphabetic()) && analyze(en, word).is_empty()
}

fn merge(mut ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    ranges.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (from, to) in ranges {
        match out.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => out.push((from, to)),
        }
    }
    out
}

/// Escapes text for HTML.
pub fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// The passage as HTML-escaped text with matched terms in <mark>; long passages are cut to a
/// window around the first cluster of marks, with an ellipsis where text was left out.
pub fn highlight(text: &str, ranges: &[(usize, usize)]) -> String {
    let (start, end) = window(text, ranges);
    let mut out = String::with_capacity(end - start + 32);
    if start > 0 {
        out.push('…');
    }
    let mut pos = start;
    for &(from, to) in ranges {
        if to <= start || from >= end {
            continue;
        }
        let (from, to) = (from.max(start), to.min(end));
        escape(&text[pos..from], &mut out);
        out.push_str("<mark>");
        escape(&text[from..to], &mut out);
        out.push_str("</mark>");
        pos = to;
    }
    escape(&text[pos..end], &mut out);
    if end < text.len() {
        out.push('…');
    }
    out
}

/// The byte window shown: the whole text when short, else about WINDOW_CHARS around the first mark.
fn window(text: &str, ranges: &[(usize, usize)]) -> (usize, usize) {
    if text.chars().count() <= MAX_CHARS {
        return (0, text.len());
    }
    let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain(std::iter::once(text.len())).collect();
    let first = ranges.first().map(|r| r.0).unwrap_or(0);
    let first_char = boundaries.partition_point(|&b| b < first);
    let start_char = first_char.saturating_sub(WINDOW_CHARS / 4);
    let end_char = (start_char + WINDOW_CHARS).min(boundaries.len() - 1);
    // Start and end on white space where there is some nearby, so words are not cut.
    let snap = |c: usize, back: bool| -> usize {
        let mut i = c;
        for _ in 0..20 {
            if i == 0 || i >= boundaries.len() - 1 {
                break;
            }
            if text[boundaries[i]..].starts_with(char::is_whitespace) {
                return if back { i + 1 } else { i };
            }
            i = if back { i - 1 } else { i + 1 };
        }
        c
    };
    let s = if start_char == 0 { 0 } else { snap(start_char, true) };
    let e = if end_char >= boundaries.len() - 1 { boundaries.len() - 1 } else { snap(end_char, false) };
    (boundaries[s.min(boundaries.len() - 1)], boundaries[e])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_and_escapes() {
        let text = "a <b> & c";
        assert_eq!(highlight(text, &[(0, 1), (8, 9)]), "<mark>a</mark> &lt;b&gt; &amp; <mark>c</mark>");
    }

    /// A word is marked in the field its script is indexed in, never through the other field's
    /// analyser: an English passage is not in the stem field, whatever the stem field's terms.
    #[test]
    fn marks_only_through_the_fields_the_passage_is_in() {
        let schema = crate::index::build_schema(&crate::taxonomy::SchemaSource::Embedded).expect("schema");
        let fields = Fields::from_schema(&schema).expect("fields");
        let terms: HashMap<Field, HashSet<String>> = HashMap::from([
            (fields.body_ko, HashSet::from(["수용소".to_string(), "guard".to_string()])),
            (fields.body_en, HashSet::from(["camp".to_string(), "2008".to_string()])),
        ]);
        let ko = "2008년에 수용소에서 나왔다.";
        let marked: Vec<&str> = matched_ranges(ko, &terms, &fields).iter().map(|&(a, b)| &ko[a..b]).collect();
        assert_eq!(marked, ["2008", "수용소"]);
        let en = "The guard at the camp";
        let marked: Vec<&str> = matched_ranges(en, &terms, &fields).iter().map(|&(a, b)| &en[a..b]).collect();
        assert_eq!(marked, ["camp"]);
    }

    #[test]
    fn merges_overlaps() {
        assert_eq!(merge(vec![(5, 9), (0, 3), (2, 4), (9, 10)]), vec![(0, 4), (5, 10)]);
    }

    #[test]
    fn long_text_is_windowed_around_the_mark() {
        let text = format!("{} target {}", "word ".repeat(200), "tail ".repeat(200));
        let at = text.find("target").unwrap();
        let h = highlight(&text, &[(at, at + 6)]);
        assert!(h.starts_with('…') && h.ends_with('…'));
        assert!(h.contains("<mark>target</mark>"));
        assert!(h.chars().count() < 400);
    }
}
