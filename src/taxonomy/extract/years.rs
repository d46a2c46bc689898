//! Event years in running text, Korean and English: 2008년, 2008, '08년, 97년에, 2008-2009,
//! 2008년부터 2009년까지, 90년대 후반 / the late 1990s as ranges, 고난의 행군 / the Arduous March as
//! 1994–1998. Birth years, interview dates, durations (10년 동안) and amounts (2000원) are not
//! event years.

use std::ops::RangeInclusive;

use unicode_segmentation::UnicodeSegmentation;

/// Event years outside this range are not taken from text.
pub const YEARS: RangeInclusive<u16> = 1945..=2035;

/// A year or span of years found in a text, with its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearSpan {
    pub from: u16,
    pub to: u16,
    pub start: usize,
    pub end: usize,
}

/// One word of the text, lower-cased, with its byte offsets.
#[derive(Debug, Clone)]
struct Word {
    lower: String,
    start: usize,
    end: usize,
}

fn words(text: &str) -> Vec<Word> {
    text.split_word_bound_indices()
        .filter(|(_, w)| w.chars().any(|c| c.is_alphanumeric() || c == '\'' || c == '’'))
        .map(|(i, w)| Word { lower: super::lowercase(w), start: i, end: i + w.len() })
        .collect()
}

/// Words that make a year within three words a birth year.
const BIRTH_CUES: &[&str] = &["born", "birth", "태어", "출생", "생년"];
/// Words that make a year within six words of the same sentence an interview date ("this
/// interview is taking place in March 2019", "2020년 11월, 두 번째 면담입니다").
const INTERVIEW_CUES: &[&str] = &["interview", "면담", "인터뷰", "조사일"];
/// Units after a number that make it an amount, not a year.
const UNITS: &[&str] = &[
    "원", "명", "개", "달러", "위안", "미터", "킬로", "톤", "km", "m", "won", "yuan", "dollars", "people", "meters",
    "kg",
];
/// After "N년": a duration or a relative time, not a year.
const DURATION_AFTER: &[&str] = &["동안", "간", "만에", "만", "전", "후", "뒤", "째", "형", "이상", "정도"];

/// Arduous March, the famine years.
const ARDUOUS_MARCH: (u16, u16) = (1994, 1998);

fn two_digit_year(n: u16) -> u16 {
    if n <= 35 {
        2000 + n
    } else {
        1900 + n
    }
}

/// A decade qualifier before (English) or after (Korean) a decade: early/mid/late, 초/중반/후반/말.
fn qualify(decade: u16, qualifier: &str) -> Option<(u16, u16)> {
    let q = qualifier.trim_start_matches(['-', ' ']);
    let (a, b) = if q.starts_with("early") || q.starts_with('초') {
        (0, 3)
    } else if q.starts_with("mid") || q.starts_with("중반") || q.starts_with("중엽") {
        (4, 6)
    } else if q.starts_with("late") || q.starts_with("후반") || q.starts_with('말') {
        (7, 9)
    } else {
        return None;
    };
    Some((decade + a, decade + b))
}

/// The number a word starts with and what follows it in the word: "2008년에" → (2008, 4, "년에").
fn leading_number(word: &str) -> Option<(u16, usize, &str)> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 4 {
        return None;
    }
    let n: u16 = word[..digits].parse().ok()?;
    Some((n, digits, &word[digits..]))
}

/// Finds the event years of a text.
pub fn find_years(text: &str) -> Vec<YearSpan> {
    // Every year in words starts with an ASCII digit: without one, only the named periods below
    // can match, and the word split (a second UAX #29 pass over the passage) is skipped.
    let words = if text.bytes().any(|b| b.is_ascii_digit()) { words(text) } else { Vec::new() };
    let mut out: Vec<YearSpan> = Vec::new();
    let lower_text = super::lowercase(text);
    for (pattern, len) in
        [("고난의 행군", "고난의 행군".len()), ("고난의행군", "고난의행군".len()), ("arduous march", 13)]
    {
        for (i, _) in lower_text.match_indices(pattern) {
            // lower_text keeps byte offsets for Hangul and ASCII.
            out.push(YearSpan { from: ARDUOUS_MARCH.0, to: ARDUOUS_MARCH.1, start: i, end: i + len });
        }
    }
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let prev = i.checked_sub(1).map(|j| words[j].lower.as_str()).unwrap_or("");
        let next = words.get(i + 1).map(|w| w.lower.as_str()).unwrap_or("");
        // '08 / ’08 / '90s: an apostrophe then two digits.
        let (apostrophe, body) = match w.lower.strip_prefix(['\'', '’']) {
            Some(rest) => (true, rest),
            // UAX #29 splits '08 into ' and 08.
            None => (text[..w.start].ends_with(['\'', '’']), w.lower.as_str()),
        };
        let Some((n, digits, rest)) = leading_number(body) else {
            i += 1;
            continue;
        };
        let rest = rest.to_string();
        let mut span: Option<(u16, u16)> = None;
        if digits == 4 && YEARS.contains(&n) {
            if rest == "s" || rest == "'s" || rest.starts_with("년대") {
                let decade = n - n % 10;
                let after_korean = rest.trim_start_matches("년대");
                span = qualify(decade, after_korean)
                    .or_else(|| qualify(decade, next))
                    .or_else(|| qualify(decade, prev))
                    .or(Some((decade, decade + 9)));
            } else if rest.is_empty() || rest.starts_with('년') {
                let after = rest.trim_start_matches('년');
                // Hangul units take particles (원을, 명이); Latin units are whole words.
                let is_unit = |w: &str| UNITS.iter().any(|u| if u.is_ascii() { w == *u } else { w.starts_with(u) });
                let unit = is_unit(next) || is_unit(&rest);
                if !unit && !after.starts_with('생') {
                    span = Some((n, n));
                }
            }
        } else if digits == 2 && (apostrophe || rest.starts_with('년')) {
            let after = rest.trim_start_matches("년대").trim_start_matches('년');
            if rest.starts_with("년대") || rest == "s" {
                let decade = two_digit_year(n) - two_digit_year(n) % 10;
                span = qualify(decade, after)
                    .or_else(|| qualify(decade, next))
                    .or_else(|| qualify(decade, prev))
                    .or(Some((decade, decade + 9)));
            } else if apostrophe && (rest.is_empty() || rest.starts_with('년')) || !apostrophe && n >= 10 {
                let duration = DURATION_AFTER.iter().any(|d| after.starts_with(d) || next.starts_with(d));
                if !duration && !after.starts_with('생') {
                    span = Some((two_digit_year(n), two_digit_year(n)));
                }
            }
        } else if digits == 2
            && rest == "s"
            && (prev == "the" || prev.ends_with("early") || prev.ends_with("late") || prev.ends_with("mid"))
        {
            let decade = two_digit_year(n) - two_digit_year(n) % 10;
            span = qualify(decade, prev).or(Some((decade, decade + 9)));
        }
        let Some((mut from, mut to)) = span else {
            i += 1;
            continue;
        };
        let mut end = w.end;
        // A range: 2008-2009, 2008~09, 2008 to 2009, 2008년부터 2009년까지, between 2008 and 2009.
        let joiner = text[w.end..].chars().next();
        let mut j = i + 1;
        let linked = matches!(joiner, Some('-' | '–' | '—' | '~' | '∼'))
            || matches!(next, "to" | "until" | "till" | "through" | "and")
            || rest.ends_with("부터")
            || next.starts_with("부터");
        if linked {
            if matches!(next, "to" | "until" | "till" | "through" | "and") || next.starts_with("부터") {
                j += 1;
            }
            if let Some(nw) = words.get(j) {
                if let Some((m, d2, _)) = leading_number(nw.lower.trim_start_matches(['\'', '’'])) {
                    let year = match d2 {
                        4 if YEARS.contains(&m) => Some(m),
                        2 => Some(if from >= 2000 || m <= 35 { two_digit_year(m) } else { 1900 + m }),
                        _ => None,
                    };
                    if let Some(y) = year.filter(|y| *y >= from && *y - from <= 30) {
                        to = to.max(y);
                        end = nw.end;
                        i = j;
                    }
                }
            }
        }
        if from > to {
            std::mem::swap(&mut from, &mut to);
        }
        if !near_not_event_cue(&words, text, w.start, end) {
            out.push(YearSpan { from, to, start: w.start, end });
        }
        i += 1;
    }
    out.sort_by_key(|s| s.start);
    out
}

/// True when a birth cue stands within three words of the span, or an interview cue within six,
/// in the same sentence.
fn near_not_event_cue(words: &[Word], text: &str, start: usize, end: usize) -> bool {
    let first = words.iter().position(|w| w.start >= start).unwrap_or(0);
    let last = words.iter().rposition(|w| w.end <= end).unwrap_or(first);
    let near = |reach: usize, cues: &[&str]| {
        let lo = first.saturating_sub(reach);
        let hi = (last + reach).min(words.len().saturating_sub(1));
        (lo..=hi).filter(|&k| k < first || k > last).any(|k| {
            let w = &words[k];
            let (a, b) = if w.end <= start { (w.end, start) } else { (end, w.start) };
            let same_sentence = !text[a.min(b)..b.max(a)].contains(['.', '?', '!', '\n']);
            same_sentence && cues.iter().any(|c| w.lower.contains(c))
        })
    };
    near(3, BIRTH_CUES)
        || near(6, INTERVIEW_CUES)
        || words[first..=last.max(first)].iter().any(|w| w.lower.contains("년생"))
}

/// Every year the spans cover, sorted and unique.
pub fn years_of(spans: &[YearSpan]) -> Vec<u16> {
    let mut years: Vec<u16> = spans.iter().flat_map(|s| s.from..=s.to).filter(|y| YEARS.contains(y)).collect();
    years.sort_unstable();
    years.dedup();
    years
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(text: &str) -> Vec<u16> {
        years_of(&find_years(text))
    }

    #[test]
    fn korean_years() {
        assert_eq!(y("2008년 봄에 회령에서"), [2008]);
        assert_eq!(y("97년에 탈북했어요"), [1997]);
        assert_eq!(y("'08년 겨울이었어요"), [2008]);
        assert_eq!(y("2008년부터 2009년까지 교화소에 있었어요"), [2008, 2009]);
        assert_eq!(y("90년대 후반에 아버지가"), [1997, 1998, 1999]);
        assert_eq!(y("1990년대 초반"), [1990, 1991, 1992, 1993]);
        assert_eq!(y("고난의 행군 때 많이 죽었어요"), [1994, 1995, 1996, 1997, 1998]);
    }

    #[test]
    fn english_years() {
        assert_eq!(y("in the spring of 2008 in Hoeryong"), [2008]);
        assert_eq!(y("from 2010 to 2011 in Jongori"), [2010, 2011]);
        assert_eq!(y("held 2008-09"), [2008, 2009]);
        assert_eq!(y("during the late 1990s"), [1997, 1998, 1999]);
        assert_eq!(y("in the mid-1990s"), [1994, 1995, 1996]);
        assert_eq!(y("back in '08"), [2008]);
        assert_eq!(y("during the Arduous March"), [1994, 1995, 1996, 1997, 1998]);
    }

    #[test]
    fn birth_years_interview_dates_durations_and_amounts_are_not_event_years() {
        assert!(y("1975년생입니다").is_empty());
        assert!(y("저는 1982년에 태어났어요").is_empty());
        assert!(y("1980년대에 태어난 남성").is_empty());
        assert!(y("I was born in 1982 in Hyesan.").is_empty());
        assert_eq!(y("I was born in 1982. We left in 2008."), [2008]);
        assert!(y("면담은 2016년에 진행되었다").is_empty());
        assert!(y("this interview is taking place in March 2019").is_empty());
        assert!(y("오늘은 2020년 11월, 두 번째 면담입니다").is_empty());
        assert!(y("10년 동안 있었어요").is_empty());
        assert!(y("15년 전에").is_empty());
        assert!(y("3년형을 받았어요").is_empty());
        assert!(y("2000원을 줬어요").is_empty());
        assert!(y("15호 관리소").is_empty());
        assert!(y("1234 people").is_empty());
        assert_eq!(y("In 2001 my older sister was taken."), [2001]);
        assert_eq!(y("1995 meters"), Vec::<u16>::new());
    }
}
