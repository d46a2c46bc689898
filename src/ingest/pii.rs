//! The personal-data (PII) check at ingest: finds Korean resident registration numbers, phone
//! numbers (Korean, Chinese, international), e-mail addresses, exact birth dates and configured
//! names and terms in every text field of a testimony that will be stored, then either refuses the
//! record or masks each match with a fixed tag such as `[redacted:phone]`.
//!
//! A finding names its rule, field and position and carries a masked excerpt only: this module
//! must never put a PII value into a report, an error or a log.

use std::fmt;
use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use super::passage::split_speaker;
use super::record::{is_date, Testimony};

/// What a match is. The codes are stable: reports and tests rely on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    ResidentRegistrationNumber,
    PhoneNumber,
    EmailAddress,
    BirthDate,
    ListedTerm,
}

impl Rule {
    pub const ALL: [Rule; 5] =
        [Rule::ResidentRegistrationNumber, Rule::PhoneNumber, Rule::EmailAddress, Rule::BirthDate, Rule::ListedTerm];

    pub fn code(self) -> &'static str {
        match self {
            Rule::ResidentRegistrationNumber => "resident_registration_number",
            Rule::PhoneNumber => "phone_number",
            Rule::EmailAddress => "email_address",
            Rule::BirthDate => "birth_date",
            Rule::ListedTerm => "listed_term",
        }
    }

    /// What replaces a match in stored and indexed text.
    pub fn mask(self) -> &'static str {
        match self {
            Rule::ResidentRegistrationNumber => "[redacted:rrn]",
            Rule::PhoneNumber => "[redacted:phone]",
            Rule::EmailAddress => "[redacted:email]",
            Rule::BirthDate => "[redacted:birth_date]",
            Rule::ListedTerm => "[redacted:term]",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A match in one text: byte range and rule. Overlapping matches are merged into one span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub rule: Rule,
}

/// A match in one field of a record, located so that a data manager can find it in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    /// `transcript`, `title`, `interviewee.gender`, `events[2].location`, `id`.
    pub field: String,
    /// For the transcript: the paragraph, numbered as passages are (`¶n` of the citation).
    pub paragraph: Option<u32>,
    /// Line within the field, from 1 (the transcript's lines are the body lines of a .md file).
    pub line: usize,
    /// Character within that line, from 1.
    pub column: usize,
    /// The match with its identifying characters starred (`010-****-5678`).
    pub excerpt: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} in {}", self.rule, self.field)?;
        match self.paragraph {
            Some(n) => write!(f, " ¶{n} (line {}, column {})", self.line, self.column)?,
            None if self.line > 1 => write!(f, " (line {}, column {})", self.line, self.column)?,
            None => write!(f, " (column {})", self.column)?,
        }
        write!(f, ": {}", self.excerpt)
    }
}

/// What the check made of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    /// Redaction is on: every finding was masked in the record.
    Masked(Vec<Finding>),
    /// The record must not be ingested (redaction off, or PII in the id, which cannot be masked).
    Refused(Vec<Finding>),
}

/// Longest accepted configured term, in characters.
pub const MAX_TERM_CHARS: usize = 200;

/// Checks one configured name or term and returns it NFC-normalised and trimmed. Terms under two
/// characters are refused: they would match nearly every record.
pub fn normalize_term(term: &str) -> Result<String, String> {
    let t: String = term.trim().nfc().collect();
    match t.chars().count() {
        0 => Err("is empty".into()),
        1 => Err("has one character; a term that short would match nearly every record".into()),
        n if n > MAX_TERM_CHARS => Err(format!("is longer than {MAX_TERM_CHARS} characters")),
        _ => Ok(t),
    }
}

/// The configured names and terms, compiled into one case-insensitive pattern.
#[derive(Clone)]
struct TermList {
    regex: Regex,
    count: usize,
}

/// The PII check: the built-in rules, the configured terms and whether matches are masked (else
/// the record is refused). Cheap to clone.
#[derive(Clone, Default)]
pub struct PiiCheck {
    terms: Option<TermList>,
    redact: bool,
}

/// Never prints the terms: they are the very names that must not leak into logs.
impl fmt::Debug for PiiCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PiiCheck")
            .field("terms", &self.terms.as_ref().map_or(0, |t| t.count))
            .field("redact", &self.redact)
            .finish()
    }
}

/// Passes the masking makes over a text: masking one match can, in rare cases, bring two pieces
/// of text together into a new match (a birth cue and a date), which the next pass masks.
const MASK_ROUNDS: usize = 8;

impl PiiCheck {
    /// The built-in rules only, refusing: what every ingest path uses unless told otherwise.
    pub fn builtin() -> &'static PiiCheck {
        static BUILTIN: LazyLock<PiiCheck> = LazyLock::new(PiiCheck::default);
        &BUILTIN
    }

    /// The built-in rules and these names and terms (each as [`normalize_term`] accepts it).
    pub fn with_terms<S: AsRef<str>>(terms: &[S]) -> Result<PiiCheck, String> {
        let mut list = Vec::with_capacity(terms.len());
        for (i, t) in terms.iter().enumerate() {
            list.push(normalize_term(t.as_ref()).map_err(|m| format!("term {} {m}", i + 1))?);
        }
        // Longest first, so that "Kim Young-hee" wins over "Kim" where both match.
        list.sort_by_key(|t| std::cmp::Reverse(t.chars().count()));
        list.dedup();
        if list.is_empty() {
            return Ok(PiiCheck::default());
        }
        let pattern = list.iter().map(|t| regex::escape(t)).collect::<Vec<_>>().join("|");
        let regex = RegexBuilder::new(&pattern)
            .case_insensitive(true)
            .size_limit(256 << 20)
            .dfa_size_limit(64 << 20)
            .build()
            .map_err(|e| format!("the {} terms could not be compiled: {e}", list.len()))?;
        Ok(PiiCheck { terms: Some(TermList { regex, count: list.len() }), redact: false })
    }

    /// The same check, masking matches (`true`) or refusing records (`false`).
    pub fn redacting(mut self, redact: bool) -> PiiCheck {
        self.redact = redact;
        self
    }

    pub fn redacts(&self) -> bool {
        self.redact
    }

    /// Number of configured names and terms.
    pub fn term_count(&self) -> usize {
        self.terms.as_ref().map_or(0, |t| t.count)
    }

    /// Every match in `text`, in order, overlapping matches merged. Text already masked
    /// (`[redacted:…]`) never matches.
    pub fn scan(&self, text: &str) -> Vec<Span> {
        let p = &*PATTERNS;
        let mut found: Vec<Span> = Vec::new();
        let span_of = |rule: Rule| move |(start, end): (usize, usize)| Span { start, end, rule };
        if text.bytes().any(|b| b.is_ascii_digit()) {
            let mut ranges = Vec::new();
            find_bounded(&p.rrn, text, |s, e| digit_bounded(text, s, e) && plausible_rrn(&text[s..e]), &mut ranges);
            found.extend(ranges.drain(..).map(span_of(Rule::ResidentRegistrationNumber)));
            for re in &p.phones {
                find_bounded(re, text, |s, e| digit_bounded(text, s, e), &mut ranges);
            }
            if text.contains('+') {
                find_bounded(&p.phone_international, text, |s, e| digit_bounded(text, s, e), &mut ranges);
            }
            found.extend(ranges.drain(..).map(span_of(Rule::PhoneNumber)));
            if p.birth_gate.is_match(text) {
                birth_dates(text, &mut ranges);
                found.extend(ranges.drain(..).map(span_of(Rule::BirthDate)));
            }
        }
        if text.contains('@') {
            found.extend(p.email.find_iter(text).map(|m| Span {
                start: m.start(),
                end: m.end(),
                rule: Rule::EmailAddress,
            }));
        }
        if let Some(terms) = &self.terms {
            let mut ranges = Vec::new();
            find_bounded(&terms.regex, text, |s, e| latin_word_bounded(text, s, e), &mut ranges);
            found.extend(ranges.into_iter().map(span_of(Rule::ListedTerm)));
        }
        if found.is_empty() {
            return found;
        }
        let markers: Vec<(usize, usize)> = p.marker.find_iter(text).map(|m| (m.start(), m.end())).collect();
        found.retain(|s| !markers.iter().any(|&(ms, me)| s.start < me && ms < s.end));
        merge(found)
    }

    /// `text` with every match replaced by its rule's mask.
    pub fn mask(&self, text: &str) -> String {
        let spans = self.scan(text);
        self.mask_spans(text, &spans)
    }

    fn mask_spans(&self, text: &str, spans: &[Span]) -> String {
        let mut out = replace_spans(text, spans);
        for _ in 1..MASK_ROUNDS {
            let again = self.scan(&out);
            if again.is_empty() {
                break;
            }
            out = replace_spans(&out, &again);
        }
        out
    }

    /// Checks every stored text field of a testimony. With redaction on, the matches are masked
    /// in place; text fields are NFC-normalised either way (as the transcript already is), so that
    /// terms match whatever form an editor saved.
    pub fn check(&self, t: &mut Testimony) -> Verdict {
        let mut findings = Vec::new();
        // The id keys upserts and citations: it cannot be masked, so PII in it refuses the record.
        let id_spans = self.scan(&t.id);
        findings.extend(id_spans.iter().map(|s| finding("id".into(), &t.id, s, false)));
        let redact = self.redact && id_spans.is_empty();
        let mut field = |name: &dyn Fn() -> String, text: &mut String, paragraphs: bool| {
            if is_nfc_quick(text.chars()) != IsNormalized::Yes {
                *text = text.nfc().collect();
            }
            let spans = self.scan(text);
            if spans.is_empty() {
                return;
            }
            findings.extend(spans.iter().map(|s| finding(name(), text, s, paragraphs)));
            if redact {
                *text = self.mask_spans(text, &spans);
            }
        };
        if let Some(title) = t.title.as_mut() {
            field(&|| "title".into(), title, false);
        }
        if let Some(who) = t.interviewee.as_mut() {
            for (name, value) in [
                ("interviewee.gender", &mut who.gender),
                ("interviewee.birth_decade", &mut who.birth_decade),
                ("interviewee.origin_province", &mut who.origin_province),
            ] {
                if let Some(v) = value.as_mut() {
                    field(&|| name.into(), v, false);
                }
            }
        }
        for (i, event) in t.events.iter_mut().enumerate() {
            for (name, value) in [("violation", &mut event.violation), ("location", &mut event.location)] {
                if let Some(v) = value.as_mut() {
                    field(&|| format!("events[{}].{name}", i + 1), v, false);
                }
            }
        }
        field(&|| "transcript".into(), &mut t.transcript, true);
        match (findings.is_empty(), redact) {
            (true, _) => Verdict::Clean,
            (false, true) => Verdict::Masked(findings),
            (false, false) => Verdict::Refused(findings),
        }
    }
}

/// Findings as one line for a rejection reason or a warning: the first few, then a count.
pub fn summarize(findings: &[Finding]) -> String {
    const SHOWN: usize = 20;
    let mut s = findings.iter().take(SHOWN).map(ToString::to_string).collect::<Vec<_>>().join("; ");
    if findings.len() > SHOWN {
        s += &format!("; and {} more", findings.len() - SHOWN);
    }
    s
}

struct Patterns {
    rrn: Regex,
    phones: Vec<Regex>,
    phone_international: Regex,
    email: Regex,
    birth_gate: Regex,
    date: Regex,
    cue_before: Regex,
    /// Only a field label ties a two-digit-year date ("생년월일 72.05.05") to a birth.
    cue_field: Regex,
    short_date: Regex,
    cue_after: Regex,
    marker: Regex,
}

/// "born", then optionally "in <Place, Province>", "on", "the", right before a date.
const BORN: &str =
    r"(?-u:\b)(?i:born)(?:\s+(?i:in)\s+\p{Lu}[\p{L}'\-]*(?:[\s,]+\p{Lu}[\p{L}'\-]*){0,3},?)?\s+(?i:on\s+)?(?i:the\s+)?";
/// The label of a birth-date field: "date of birth:", "DOB", "birthdate is", "생년월일은", "출생일:".
const BIRTH_FIELD: &str = r"(?-u:\b)(?i:date\s+of\s+birth|birth\s?date|d\.?o\.?b(?-u:\b)\.?)(?:\s*(?:[:：=,\-–]|(?-u:\b)(?i:is|was|on)(?-u:\b)))*\s*(?i:the\s+)?
    | (?:생년월일|출생\s?일자?|생일|태어난\s?(?:날짜?|일자))\s*(?:은|는|이|:|：|=)?\s*";

const MONTHS: &str = "(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|\
                      sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

// Word boundaries are ASCII ones, `(?-u:\b)`: a Unicode `\b` makes the regex engine leave its
// fast automaton on any non-ASCII text (every Korean transcript), ten times slower.
static PATTERNS: LazyLock<Patterns> = LazyLock::new(|| {
    let re = |p: &str| Regex::new(p).expect("the built-in PII patterns compile");
    // Separators inside a number: space, hyphen (and its Unicode look-alikes), dot.
    const SEP: &str = r"[ \-.\u{2010}\u{2011}\u{2012}\u{2013}\u{00A0}]";
    Patterns {
        // YYMMDD, then the 7-digit serial; the date and century are checked in plausible_rrn.
        // The serial may be starred after its first digit ("720505-1******"): the date and the
        // gender digit still identify.
        rrn: re(
            r"[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01]) ?[\-\u{2010}\u{2011}\u{2013}]? ?[0-9][0-9*xX]{6}",
        ),
        phones: vec![
            // Korean mobile: 010-1234-5678, 010 1234 5678, 01012345678.
            re(&format!(r"01[016789]{SEP}?[0-9]{{3,4}}{SEP}?[0-9]{{4}}")),
            // Korean and Chinese landlines, separators required: 02-123-4567, (031) 123-4567, 0433-2512345.
            re(&format!(
                r"\(0[0-9]{{1,3}}\) ?[0-9]{{3,4}}{SEP}[0-9]{{4}}|0[0-9]{{1,3}}{SEP}[0-9]{{3,4}}{SEP}[0-9]{{4}}"
            )),
            re(&format!(r"0[0-9]{{2,3}}{SEP}[0-9]{{7,8}}")),
            // Chinese mobile: 13800138000, 138 0013 8000.
            re(&format!(r"1[3-9][0-9]{SEP}?[0-9]{{4}}{SEP}?[0-9]{{4}}")),
        ],
        // +CC and 7 to 14 more digits, grouped by spaces, hyphens, dots or brackets.
        phone_international: re(r"\+[1-9](?:[ \-.()\u{2010}\u{2011}\u{2013}\u{00A0}]{0,2}[0-9]){7,16}"),
        email: re(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"),
        // Dates are parsed only in texts that speak of birth at all.
        birth_gate: re(r"(?i:born|birth|d\.?o\.?b)|생년월일|출생|생일|태어|태생|일\s?생"),
        date: re(&format!(
            r"(?x)
              (?P<ky>[0-9]{{4}})\s*년\s*(?P<km>[0-9]{{1,2}})\s*월\s*(?P<kd>[0-9]{{1,2}})\s*일
            | (?P<iy>[0-9]{{4}})\s?[\-./]\s?(?P<im>[0-9]{{1,2}})\s?[\-./]\s?(?P<id>[0-9]{{1,2}})
            | (?P<dd>[0-9]{{1,2}})[\-./](?P<dm>[0-9]{{1,2}})[\-./](?P<dy>[0-9]{{4}})
            | (?P<ed>[0-9]{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<emon>{MONTHS})(?-u:\b)\.?,?\s+(?P<ey>[0-9]{{4}})
            | (?-u:\b)(?P<mmon>{MONTHS})(?-u:\b)\.?\s+(?P<md>[0-9]{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<my>[0-9]{{4}})"
        )),
        // A birth cue right before a date: "born on", "born in Hoeryong on", "DOB:", "생년월일은".
        cue_before: re(&format!(r"(?x)(?:{BORN}|{BIRTH_FIELD})$")),
        cue_field: re(&format!(r"(?x)(?:{BIRTH_FIELD})$")),
        short_date: re(r"[0-9]{2}[\-./]?[0-9]{2}[\-./]?[0-9]{2}"),
        // A birth cue right after a date: "2일생", "2일에 태어났", "2일 회령에서 태어나", "… was born".
        cue_after: re(r"(?x)
            ^(?:
                \s?생(?:$|[^가-힣]|이|으|인|입)
              | (?:에|,)?\s*(?:[^\s0-9.,!?。]+\s+){0,2}?(?:태어|출생|태생)
              | ,?\s+(?:[\p{L}']+\s+){0,4}?(?i:was|were)\s+(?i:born)(?-u:\b)
            )"),
        marker: re(r"\[redacted:[a-z_]+\]"),
    }
});

/// Finds the matches of `re` that `accept` keeps, retrying one character further on a refusal so
/// that a candidate glued to a longer number does not hide a real match just after it.
fn find_bounded(re: &Regex, text: &str, mut accept: impl FnMut(usize, usize) -> bool, out: &mut Vec<(usize, usize)>) {
    let mut at = 0;
    while let Some(m) = re.find_at(text, at) {
        if accept(m.start(), m.end()) {
            out.push((m.start(), m.end()));
            at = m.end().max(next_char(text, m.start()));
        } else {
            at = next_char(text, m.start());
        }
        if at >= text.len() {
            break;
        }
    }
}

fn next_char(text: &str, at: usize) -> usize {
    at + text[at..].chars().next().map_or(1, char::len_utf8)
}

/// Not part of a longer run of digits.
fn digit_bounded(text: &str, start: usize, end: usize) -> bool {
    !text[..start].ends_with(|c: char| c.is_ascii_digit()) && !text[end..].starts_with(|c: char| c.is_ascii_digit())
}

fn is_latin_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || (c.is_alphabetic() && (c as u32) <= 0x024F) || ('\u{1E00}'..='\u{1EFF}').contains(&c)
}

/// Whole words for Latin script ("Lee" is not in "Leeds"); Korean names match inside words, since
/// particles attach to them ("김영희가").
fn latin_word_bounded(text: &str, start: usize, end: usize) -> bool {
    let m = &text[start..end];
    let starts_latin = m.chars().next().is_some_and(is_latin_word_char);
    let ends_latin = m.chars().next_back().is_some_and(is_latin_word_char);
    let glued_before = starts_latin && text[..start].chars().next_back().is_some_and(is_latin_word_char);
    let glued_after = ends_latin && text[end..].chars().next().is_some_and(is_latin_word_char);
    !glued_before && !glued_after
}

/// The date part is a real date in the century the 7th digit gives (1, 2, 5, 6: 1900s; 3, 4, 7, 8:
/// 2000s; 9, 0: 1800s).
fn plausible_rrn(s: &str) -> bool {
    let digits: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() < 7 {
        return false;
    }
    let century = match digits[6] {
        1 | 2 | 5 | 6 => 1900,
        3 | 4 | 7 | 8 => 2000,
        _ => 1800,
    };
    is_date(century + digits[0] * 10 + digits[1], digits[2] * 10 + digits[3], digits[4] * 10 + digits[5])
}

fn month_number(name: &str) -> Option<u32> {
    let key: String = name.chars().take(3).collect::<String>().to_ascii_lowercase();
    let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    months.iter().position(|m| *m == key).map(|i| i as u32 + 1)
}

/// The year, month and day of a date match, when they make a date.
fn date_of(c: &regex::Captures<'_>) -> Option<(u32, u32, u32)> {
    let num = |name: &str| c.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
    let month = |name: &str| c.name(name).and_then(|m| month_number(m.as_str()));
    let (y, m, d) = if c.name("ky").is_some() {
        (num("ky")?, num("km")?, num("kd")?)
    } else if c.name("iy").is_some() {
        (num("iy")?, num("im")?, num("id")?)
    } else if c.name("dy").is_some() {
        (num("dy")?, num("dm")?, num("dd")?)
    } else if c.name("ey").is_some() {
        (num("ey")?, month("emon")?, num("ed")?)
    } else {
        (num("my")?, month("mmon")?, num("md")?)
    };
    ((1850..=2100).contains(&y) && is_date(y, m, d)).then_some((y, m, d))
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn head(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Full day-month-year dates tied to a birth by a cue just before or just after them. A date alone
/// (an interview date) or a month and year ("in March 1998") never counts.
fn birth_dates(text: &str, out: &mut Vec<(usize, usize)>) {
    // How far before a date its cue may start: "born in Hoeryong, North Hamgyong, on the".
    const BEFORE: usize = 120;
    const AFTER: usize = 120;
    let p = &*PATTERNS;
    let mut at = 0;
    while let Some(c) = p.date.captures_at(text, at) {
        let m = c.get(0).expect("group 0 is the whole match");
        let (start, end) = (m.start(), m.end());
        let date = digit_bounded(text, start, end).then(|| date_of(&c)).flatten();
        at = if date.is_some() { end } else { next_char(text, start) };
        if date.is_none() {
            continue;
        }
        let window = window_before(text, start, BEFORE);
        if p.cue_before.is_match_at(&text[..start], window) || p.cue_after.is_match(head(&text[end..], AFTER)) {
            out.push((start, end));
        }
    }
    find_bounded(
        &p.short_date,
        text,
        |start, end| {
            let digits: Vec<u32> = text[start..end].chars().filter_map(|c| c.to_digit(10)).collect();
            let (yy, m, d) = (digits[0] * 10 + digits[1], digits[2] * 10 + digits[3], digits[4] * 10 + digits[5]);
            digit_bounded(text, start, end)
                && (is_date(1900 + yy, m, d) || is_date(2000 + yy, m, d))
                && p.cue_field.is_match_at(&text[..start], window_before(text, start, BEFORE))
        },
        out,
    );
}

/// The byte `max` before `at`, moved forward to a character boundary.
fn window_before(text: &str, at: usize, max: usize) -> usize {
    let mut window = at.saturating_sub(max);
    while !text.is_char_boundary(window) {
        window += 1;
    }
    window
}

/// Sorts spans and merges those that overlap; a merged span keeps the first one's rule.
fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start < last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

fn replace_spans(text: &str, spans: &[Span]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for s in spans {
        out.push_str(&text[at..s.start]);
        out.push_str(s.rule.mask());
        at = s.end;
    }
    out.push_str(&text[at..]);
    out
}

fn finding(field: String, text: &str, span: &Span, paragraphs: bool) -> Finding {
    let (line, column) = line_and_column(text, span.start);
    Finding {
        rule: span.rule,
        field,
        paragraph: if paragraphs { paragraph_of(text, span.start) } else { None },
        line,
        column,
        excerpt: excerpt(span.rule, &text[span.start..span.end]),
    }
}

/// Lines as the paragraph splitter sees them (`\r\n`, `\n` and a lone `\r` end a line): each
/// line's byte range, without its end.
fn lines(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let mut i = start;
        while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
            i += 1;
        }
        let line = (start, i);
        if i >= bytes.len() {
            done = true;
        } else {
            start = i + if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
        }
        Some(line)
    })
}

fn line_and_column(text: &str, at: usize) -> (usize, usize) {
    let mut result = (1, 1);
    for (n, (start, end)) in lines(text).enumerate() {
        if at < start {
            break;
        }
        result = (n + 1, text[start..at.min(end)].chars().count() + 1);
    }
    result
}

/// The number of the paragraph holding byte `at`, counted as [`super::passage::split_paragraphs`]
/// counts them: blocks between blank lines that hold text besides a speaker label.
fn paragraph_of(text: &str, at: usize) -> Option<u32> {
    let mut n = 0u32;
    let mut block: Option<usize> = None;
    let close = |from: usize, to: usize, n: &mut u32| -> Option<Option<u32>> {
        let counted = !split_speaker(&text[from..to]).1.is_empty();
        if counted {
            *n += 1;
        }
        (from..to).contains(&at).then(|| counted.then_some(*n))
    };
    for (start, end) in lines(text) {
        if text[start..end].trim().is_empty() {
            if let Some(from) = block.take() {
                if let Some(found) = close(from, start, &mut n) {
                    return found;
                }
            }
        } else if block.is_none() {
            block = Some(start);
        }
    }
    block.and_then(|from| close(from, text.len(), &mut n)).flatten()
}

fn star_alphanumerics(s: &str, keep: impl Fn(usize, char) -> bool) -> String {
    s.chars().enumerate().map(|(i, c)| if c.is_alphanumeric() && !keep(i, c) { '*' } else { c }).collect()
}

/// The match with what identifies stars: a phone keeps its leading code and last four digits, an
/// e-mail address its first character and top-level domain, everything else only its punctuation.
fn excerpt(rule: Rule, value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    match rule {
        Rule::PhoneNumber => {
            let digit_at: Vec<usize> = (0..chars.len()).filter(|&i| chars[i].is_ascii_digit()).collect();
            let last_four = digit_at.len().saturating_sub(4);
            let tail_from = digit_at.get(last_four).copied().unwrap_or(chars.len());
            // The country or area code: the digits before the first separator, if there is one.
            let first_sep = chars.iter().position(|c| !c.is_ascii_digit() && *c != '+' && *c != '(');
            let code_end = match first_sep {
                Some(i) if i <= 4 => i,
                Some(_) => 0,
                None => 3.min(chars.len()),
            };
            star_alphanumerics(value, |i, c| c.is_ascii_digit() && (i < code_end || i >= tail_from))
        }
        Rule::EmailAddress => {
            let tld_from = value.rfind('.').map(|b| value[..b].chars().count() + 1).unwrap_or(chars.len());
            let tld_short = chars.len() - tld_from <= 6;
            star_alphanumerics(value, |i, _| i == 0 || (tld_short && i >= tld_from))
        }
        // The Korean date words stay: they tell a date from a number without telling which date.
        Rule::BirthDate => star_alphanumerics(value, |_, c| matches!(c, '년' | '월' | '일')),
        _ => star_alphanumerics(value, |_, _| false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rules(check: &PiiCheck, text: &str) -> Vec<(Rule, String)> {
        check.scan(text).iter().map(|s| (s.rule, text[s.start..s.end].to_string())).collect()
    }

    fn builtin(text: &str) -> Vec<(Rule, String)> {
        rules(PiiCheck::builtin(), text)
    }

    fn only(rule: Rule, text: &str, value: &str) {
        assert_eq!(builtin(text), vec![(rule, value.to_string())], "in {text:?}");
    }

    fn clean(text: &str) {
        assert_eq!(builtin(text), vec![], "in {text:?}");
    }

    #[test]
    fn resident_registration_numbers_with_and_without_the_hyphen() {
        let r = Rule::ResidentRegistrationNumber;
        only(r, "주민번호는 850302-1234567 입니다", "850302-1234567");
        only(r, "주민등록번호8503022234567이고", "8503022234567");
        only(r, "RRN 040229-3123456.", "040229-3123456");
        only(r, "번호 850302 - 1234567", "850302 - 1234567");
        // Starred after the gender digit: the birth date and gender still show.
        only(r, "주민번호 720505-1******", "720505-1******");
    }

    #[test]
    fn resident_registration_number_near_misses() {
        // Not a date: month 13, 31 April, 29 February of a common year (1900s by the 7th digit).
        clean("851302-1234567");
        clean("850431-1234567");
        clean("850229-1234567");
        // 2000 is a leap year but 1900 is not.
        assert!(!builtin("000229-3123456").is_empty());
        clean("000229-1123456");
        // Part of a longer number, or too short.
        clean("계좌 1850302-12345678");
        clean("850302-123456");
    }

    #[test]
    fn korean_phone_numbers() {
        let r = Rule::PhoneNumber;
        only(r, "연락처는 010-1234-5678입니다", "010-1234-5678");
        only(r, "01012345678로 전화", "01012345678");
        only(r, "사무실 02-123-4567", "02-123-4567");
        only(r, "(031) 123-4567", "(031) 123-4567");
        only(r, "call +82 10 1234 5678 now", "+82 10 1234 5678");
        only(r, "+82-2-123-4567", "+82-2-123-4567");
    }

    #[test]
    fn chinese_and_international_phone_numbers() {
        let r = Rule::PhoneNumber;
        only(r, "他的电话 +86 138 0013 8000。", "+86 138 0013 8000");
        only(r, "번호는 13800138000이었다", "13800138000");
        only(r, "연길 0433-2512345", "0433-2512345");
        only(r, "ring +1 202-555-0143 today", "+1 202-555-0143");
        only(r, "+44 20 7946 0958", "+44 20 7946 0958");
    }

    #[test]
    fn phone_near_misses() {
        // Passage and testimony ids, years, ranges, dates, amounts, counts.
        clean("KR-2016-0031#4 and EN-2010-0002");
        clean("from 1998-2001, then 2008 to 2012");
        clean("면담 2016-03-02, 2012.06.14");
        clean("3년 동안 1,000,000원을 냈고 200명이 있었다");
        clean("+3 degrees, 5+4=9, +82");
        clean("13800");
        clean("138001380001");
        clean("Article 19 of the ICCPR, paragraph 2, 1966");
    }

    #[test]
    fn email_addresses() {
        only(Rule::EmailAddress, "메일은 kim.yh@example.org로", "kim.yh@example.org");
        only(Rule::EmailAddress, "<a_b+tag@mail.example.co.kr>", "a_b+tag@mail.example.co.kr");
        clean("at @ sign, user@localhost, @handle");
    }

    #[test]
    fn korean_birth_dates() {
        let r = Rule::BirthDate;
        only(r, "저는 1985년 3월 2일생입니다.", "1985년 3월 2일");
        only(r, "1985년 3월 2일에 태어났어요.", "1985년 3월 2일");
        only(r, "1985년 3월 2일 회령에서 태어났다", "1985년 3월 2일");
        only(r, "생년월일: 1985.03.02", "1985.03.02");
        only(r, "생년월일은 1985-03-02이다", "1985-03-02");
        only(r, "1985년 3월 2일 출생", "1985년 3월 2일");
        // A two-digit year only next to a birth-date label.
        only(r, "생년월일 72.05.05", "72.05.05");
        clean("1972년생, 72.05.05에 입국");
    }

    #[test]
    fn english_birth_dates() {
        let r = Rule::BirthDate;
        only(r, "I was born on 2 March 1985 in Hoeryong.", "2 March 1985");
        only(r, "She was born on March 2, 1985.", "March 2, 1985");
        only(r, "born in Hoeryong, North Hamgyong, on the 2nd of March 1985", "2nd of March 1985");
        only(r, "Date of birth: 1985-03-02", "1985-03-02");
        only(r, "DOB 02/03/1985", "02/03/1985");
        only(r, "On 2 March 1985 my daughter was born.", "2 March 1985");
        only(r, "On 3 March 1985, the day my brother was born, it snowed.", "3 March 1985");
    }

    #[test]
    fn dates_without_a_birth_cue_are_not_birth_dates() {
        clean("The interview took place on 2016-03-02.");
        clean("면담일: 2012년 6월 14일");
        clean("I was born in 1965. In March 1998 I crossed the river.");
        clean("I was born in Hoeryong. On 2 March 1998 I crossed the river.");
        clean("저는 1960년대에 태어났고 1998년 3월에 강을 건넜어요.");
        clean("2010년 3월 2일 생활총화에서 비판을 받았다");
        clean("1985년생이고 3년 동안 일했다");
        clean("born 1985, arrested 2009-05-03");
        clean("1998년 5월 5일에 강을 건넜고, 그 후 중국에서 아이가 태어났습니다.");
        clean("DOB unknown; interviewed 16.03.02");
        // Not a date.
        clean("생년월일: 1985.13.02");
    }

    #[test]
    fn listed_terms_case_insensitive_nfc_and_whole_words_for_latin() {
        let check = PiiCheck::with_terms(&["Kim Young-hee", "박순자", "Lee"]).unwrap();
        let t = Rule::ListedTerm;
        assert_eq!(rules(&check, "I met KIM YOUNG-HEE there"), vec![(t, "KIM YOUNG-HEE".into())]);
        assert_eq!(rules(&check, "박순자가 말했다"), vec![(t, "박순자".into())]);
        let decomposed: String = "박순자씨".nfd().collect();
        assert!(!rules(&check, &decomposed.nfc().collect::<String>()).is_empty());
        assert_eq!(rules(&check, "Mr Lee, and Lee은"), vec![(t, "Lee".into()), (t, "Lee".into())]);
        assert_eq!(rules(&check, "Leeds, asleep, fleeing"), vec![]);
        assert!(PiiCheck::with_terms(&["x"]).is_err());
        assert!(PiiCheck::with_terms(&["  "]).is_err());
    }

    #[test]
    fn findings_locate_paragraph_line_and_column_and_star_the_value() {
        let mut t = Testimony {
            id: "T-1".into(),
            language: None,
            title: Some("Call 010-1234-5678".into()),
            interview_date: Some("2016-03-02".into()),
            access: None,
            interviewee: None,
            events: vec![
                Default::default(),
                crate::ingest::Event { location: Some("x@y.org".into()), ..Default::default() },
            ],
            transcript: "Q:\n\nQ: First.\n\nA: Second line one\nmail me at kim.yh@example.org please".into(),
        };
        let Verdict::Refused(f) = PiiCheck::builtin().check(&mut t) else { panic!("refused") };
        assert_eq!(f.len(), 3);
        assert_eq!(f[0].to_string(), "phone_number in title (column 6): 010-****-5678");
        assert_eq!(f[1].field, "events[2].location");
        assert_eq!(f[1].excerpt, "x@*.org");
        // The label-only first block is not a paragraph, as in passage numbering.
        assert_eq!((f[2].paragraph, f[2].line, f[2].column), (Some(2), 6, 12));
        assert_eq!(f[2].excerpt, "k**.**@*******.org");
        assert!(t.transcript.contains("kim.yh@example.org"), "refusing does not change the record");
    }

    #[test]
    fn redaction_masks_every_field_and_the_id_cannot_be_masked() {
        let mut t = Testimony {
            id: "T-2".into(),
            language: None,
            title: Some("전화 010-1234-5678".into()),
            interview_date: None,
            access: None,
            interviewee: None,
            events: vec![],
            transcript: "답변: 저는 1985년 3월 2일생이고 메일은 a@b.org 입니다.".into(),
        };
        let check = PiiCheck::builtin().clone().redacting(true);
        let Verdict::Masked(f) = check.check(&mut t) else { panic!("masked") };
        assert_eq!(
            f.iter().map(|f| f.rule).collect::<Vec<_>>(),
            [Rule::PhoneNumber, Rule::BirthDate, Rule::EmailAddress]
        );
        assert_eq!(t.title.as_deref(), Some("전화 [redacted:phone]"));
        assert_eq!(t.transcript, "답변: 저는 [redacted:birth_date]생이고 메일은 [redacted:email] 입니다.");
        let mut bad_id = Testimony { id: "01012345678".into(), ..t };
        assert!(matches!(check.check(&mut bad_id), Verdict::Refused(_)));
    }

    #[test]
    fn excerpts_never_hold_the_value() {
        assert_eq!(excerpt(Rule::PhoneNumber, "+86 138 0013 8000"), "+86 *** **** 8000");
        assert_eq!(excerpt(Rule::PhoneNumber, "13800138000"), "138****8000");
        assert_eq!(excerpt(Rule::PhoneNumber, "02-123-4567"), "02-***-4567");
        assert_eq!(excerpt(Rule::ResidentRegistrationNumber, "850302-1234567"), "******-*******");
        assert_eq!(excerpt(Rule::BirthDate, "1985년 3월 2일"), "****년 *월 *일");
        assert_eq!(excerpt(Rule::BirthDate, "2 March 1985"), "* ***** ****");
        assert_eq!(excerpt(Rule::ListedTerm, "Kim Young-hee"), "*** *****-***");
    }

    #[test]
    fn debug_output_does_not_list_the_terms() {
        let check = PiiCheck::with_terms(&["박순자"]).unwrap();
        assert!(!format!("{check:?}").contains("박순자"));
    }

    proptest! {
        #[test]
        fn scanning_never_panics_and_masking_removes_every_finding(
            text in prop_oneof![
                any::<String>(),
                "[0-9 +\\-.()@a-zA-Z가-힣년월일생에태어났born onDOB:\n]{0,80}",
                "(010-[0-9]{4}-[0-9]{4}|[0-9]{6}-[0-9]{7}|\\+86 1[3-9][0-9] [0-9]{4} [0-9]{4}|[a-z]{1,5}@[a-z]{1,5}\\.org|생년월일 19[0-9]{2}년 [1-9]월 [1-9]일|born on [1-9] March 19[0-9]{2}|Kim|김영희|red|[ ,.가-힣a-z0-9]{0,6}){0,8}",
            ]
        ) {
            let check = PiiCheck::with_terms(&["Kim", "김영희", "red", "on 1"]).unwrap();
            let spans = check.scan(&text);
            for s in &spans {
                prop_assert!(s.start < s.end && text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            }
            let masked = check.mask(&text);
            prop_assert_eq!(check.scan(&masked), vec![], "masked: {:?}", masked);
            let mut t = Testimony {
                id: "P".into(), language: None, title: None, interview_date: None, access: None,
                interviewee: None, events: vec![], transcript: text.clone(),
            };
            let _ = check.check(&mut t);
        }
    }
}
