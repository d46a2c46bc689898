//! The testimony record of the contract and its validation from a parsed JSON or YAML value, with
//! reasons that name the field ("events[2].year must be an integer year, got \"spring\"").

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::analysis::Lang;

/// Who may read a testimony's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    Public,
    Restricted,
}

impl Access {
    pub fn parse(s: &str) -> Option<Access> {
        match s.trim().to_ascii_lowercase().as_str() {
            "public" => Some(Access::Public),
            "restricted" => Some(Access::Restricted),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Access::Public => "public",
            Access::Restricted => "restricted",
        }
    }
}

/// Anonymized descriptors of the interviewee; nothing else is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interviewee {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_decade: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin_province: Option<String>,
}

/// A coded event, as given (labels are resolved later).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year_to: Option<u16>,
}

/// One validated testimony record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Testimony {
    pub id: String,
    pub language: Option<Lang>,
    pub title: Option<String>,
    pub interview_date: Option<String>,
    pub access: Option<Access>,
    pub interviewee: Option<Interviewee>,
    pub events: Vec<Event>,
    pub transcript: String,
}

/// Event years must fall in this range.
pub const EVENT_YEARS: std::ops::RangeInclusive<u16> = 1900..=2100;
/// An event may span at most this many years.
pub const MAX_EVENT_SPAN: u16 = 80;
/// Longest accepted testimony id.
pub const MAX_ID_LEN: usize = 128;
/// Largest accepted transcript, in bytes.
pub const MAX_TRANSCRIPT_BYTES: usize = 8 * 1024 * 1024;

const KNOWN_FIELDS: &[&str] =
    &["id", "language", "title", "interview_date", "access", "interviewee", "events", "transcript"];
const INTERVIEWEE_FIELDS: &[&str] = &["gender", "birth_decade", "origin_province"];
const EVENT_FIELDS: &[&str] = &["violation", "location", "year", "year_to"];

/// A record that validated, with what was ignored in it.
#[derive(Debug)]
pub struct Validated {
    pub testimony: Testimony,
    pub warnings: Vec<String>,
}

/// Why a record was rejected; `id` when it could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub id: Option<String>,
    pub reason: String,
}

/// Checks a testimony id: 1–128 characters of letters, digits and - _ . : (no spaces, '#' or '/',
/// which would break passage ids and URLs).
pub fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("id is empty".into());
    }
    if id.chars().count() > MAX_ID_LEN {
        return Err(format!("id is longer than {MAX_ID_LEN} characters"));
    }
    if let Some(c) = id.chars().find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))) {
        return Err(format!("id {id:?} has the character {c:?}; ids use letters, digits and - _ . : only"));
    }
    Ok(())
}

/// A calendar date "YYYY-MM-DD".
pub fn check_date(s: &str) -> Result<(), String> {
    let bad = || format!("interview_date must be a date \"YYYY-MM-DD\", got {s:?}");
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return Err(bad());
    }
    let (y, m, d): (u32, u32, u32) = match (parts[0].parse(), parts[1].parse(), parts[2].parse()) {
        (Ok(y), Ok(m), Ok(d)) => (y, m, d),
        _ => return Err(bad()),
    };
    if !(1900..=2100).contains(&y) || !is_date(y, m, d) {
        return Err(bad());
    }
    Ok(())
}

/// A day that exists in the Gregorian calendar.
pub(crate) fn is_date(year: u32, month: u32, day: u32) -> bool {
    let leap = year.is_multiple_of(4) && !year.is_multiple_of(100) || year.is_multiple_of(400);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

fn describe(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

fn opt_string(map: &Map<String, Value>, key: &str, path: &str) -> Result<Option<String>, String> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(format!("{path}{key} must be a string, got {}", describe(other))),
    }
}

fn opt_year(map: &Map<String, Value>, key: &str, path: &str) -> Result<Option<u16>, String> {
    let year = match map.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => {
            n.as_u64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1e6).map(|f| f as u64))
        }
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        Some(_) => None,
    };
    let shown = map.get(key).map(describe).unwrap_or_default();
    match year {
        Some(y) if EVENT_YEARS.contains(&(y.min(u16::MAX as u64) as u16)) && y <= u16::MAX as u64 => Ok(Some(y as u16)),
        Some(_) => Err(format!(
            "{path}{key} must be a year from {} to {}, got {shown}",
            EVENT_YEARS.start(),
            EVENT_YEARS.end()
        )),
        None => Err(format!("{path}{key} must be an integer year, got {shown}")),
    }
}

/// Validates one parsed record. `value` comes from a JSON line or from front matter plus body.
pub fn validate(value: Value) -> Result<Validated, Invalid> {
    let Value::Object(map) = value else {
        return Err(Invalid { id: None, reason: format!("a record must be a JSON object, got {}", describe(&value)) });
    };
    let id = match map.get("id") {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        None | Some(Value::Null) => return Err(Invalid { id: None, reason: "missing required field id".into() }),
        Some(other) => {
            return Err(Invalid { id: None, reason: format!("id must be a string, got {}", describe(other)) })
        }
    };
    let fail = |reason: String| Invalid { id: (!id.is_empty()).then(|| id.clone()), reason };
    check_id(&id).map_err(fail)?;
    let mut warnings = Vec::new();
    for key in map.keys().filter(|k| !KNOWN_FIELDS.contains(&k.as_str())) {
        warnings.push(format!("unknown field {key:?} ignored"));
    }

    let transcript = match map.get("transcript") {
        // NFC: decomposed Hangul (as some editors save it) would bypass the analyzers.
        // The quick check answers most transcripts (already NFC) without composing them again.
        Some(Value::String(s)) if !s.trim().is_empty() => match is_nfc_quick(s.chars()) {
            IsNormalized::Yes => s.clone(),
            _ => s.nfc().collect::<String>(),
        },
        Some(Value::String(_)) => return Err(fail("transcript is empty".into())),
        None | Some(Value::Null) => return Err(fail("missing required field transcript".into())),
        Some(other) => return Err(fail(format!("transcript must be a string, got {}", describe(other)))),
    };
    if transcript.len() > MAX_TRANSCRIPT_BYTES {
        return Err(fail(format!("transcript is larger than {} MiB", MAX_TRANSCRIPT_BYTES / (1024 * 1024))));
    }
    if super::passage::split_paragraphs(&transcript).is_empty() {
        return Err(fail("transcript has no text besides speaker labels".into()));
    }

    let language = match opt_string(&map, "language", "").map_err(fail)? {
        None => None,
        Some(s) => match Lang::parse(&s) {
            Some(l) => Some(l),
            None => {
                warnings.push(format!(
                    "language {s:?} is not \"ko\" or \"en\"; ignored, each passage's language is detected"
                ));
                None
            }
        },
    };
    let title = opt_string(&map, "title", "").map_err(fail)?;
    let interview_date = opt_string(&map, "interview_date", "").map_err(fail)?;
    if let Some(d) = &interview_date {
        check_date(d).map_err(fail)?;
    }
    let access = match opt_string(&map, "access", "").map_err(fail)? {
        None => None,
        Some(s) => Some(
            Access::parse(&s).ok_or_else(|| fail(format!("access must be \"public\" or \"restricted\", got {s:?}")))?,
        ),
    };

    let interviewee = match map.get("interviewee") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => {
            for key in m.keys().filter(|k| !INTERVIEWEE_FIELDS.contains(&k.as_str())) {
                // Anything beyond the anonymized descriptors may identify a person: never kept.
                warnings
                    .push(format!("interviewee.{key} dropped: only gender, birth_decade and origin_province are kept"));
            }
            let mut birth_decade = opt_string(m, "birth_decade", "interviewee.").map_err(fail)?;
            if let Some(d) = &birth_decade {
                if d.len() == 4 && d.chars().all(|c| c.is_ascii_digit()) {
                    birth_decade = Some(format!("{}0s", &d[..3]));
                }
            }
            Some(Interviewee {
                gender: opt_string(m, "gender", "interviewee.").map_err(fail)?,
                birth_decade,
                origin_province: opt_string(m, "origin_province", "interviewee.").map_err(fail)?,
            })
        }
        Some(other) => return Err(fail(format!("interviewee must be an object, got {}", describe(other)))),
    };

    let events = match map.get("events") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let mut events = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let path = format!("events[{}].", i + 1);
                let Value::Object(m) = item else {
                    return Err(fail(format!("events[{}] must be an object, got {}", i + 1, describe(item))));
                };
                for key in m.keys().filter(|k| !EVENT_FIELDS.contains(&k.as_str())) {
                    warnings.push(format!("{path}{key} ignored (unknown field)"));
                }
                let event = Event {
                    violation: opt_string(m, "violation", &path).map_err(fail)?,
                    location: opt_string(m, "location", &path).map_err(fail)?,
                    year: opt_year(m, "year", &path).map_err(fail)?,
                    year_to: opt_year(m, "year_to", &path).map_err(fail)?,
                };
                match (event.year, event.year_to) {
                    (None, Some(_)) => return Err(fail(format!("{path}year_to is given without year"))),
                    (Some(a), Some(b)) if b < a => {
                        return Err(fail(format!("{path}year_to ({b}) is before year ({a})")))
                    }
                    (Some(a), Some(b)) if b - a > MAX_EVENT_SPAN => {
                        return Err(fail(format!("{path}spans {} years; at most {MAX_EVENT_SPAN}", b - a)))
                    }
                    _ => {}
                }
                if event == Event::default() {
                    warnings.push(format!("events[{}] is empty; ignored", i + 1));
                    continue;
                }
                events.push(event);
            }
            events
        }
        Some(other) => return Err(fail(format!("events must be a list, got {}", describe(other)))),
    };

    Ok(Validated {
        testimony: Testimony { id, language, title, interview_date, access, interviewee, events, transcript },
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reason(v: Value) -> String {
        validate(v).unwrap_err().reason
    }

    #[test]
    fn accepts_a_minimal_record() {
        let v = validate(json!({"id": "KR-1", "transcript": "Q: hi\n\nA: hello"})).unwrap();
        assert_eq!(v.testimony.id, "KR-1");
        assert!(v.warnings.is_empty());
    }

    #[test]
    fn rejections_name_the_field() {
        assert_eq!(reason(json!({"transcript": "x"})), "missing required field id");
        assert_eq!(reason(json!({"id": "A"})), "missing required field transcript");
        assert!(reason(json!({"id": "A", "transcript": "  "})).contains("empty"));
        assert!(reason(json!({"id": "A b", "transcript": "x"})).contains("character ' '"));
        assert!(
            reason(json!({"id": "A", "transcript": "x", "interview_date": "2016-02-30"})).contains("interview_date")
        );
        assert!(reason(json!({"id": "A", "transcript": "x", "access": "secret"})).contains("access"));
        assert!(
            reason(json!({"id": "A", "transcript": "x", "events": [{"year": "spring"}]})).contains("events[1].year")
        );
        assert!(reason(json!({"id": "A", "transcript": "x", "events": [{"year": 2009, "year_to": 2001}]}))
            .contains("before"));
        assert!(reason(json!({"id": "A", "transcript": "x", "events": {"year": 2009}})).contains("must be a list"));
        assert!(reason(json!([1, 2])).contains("JSON object"));
    }

    #[test]
    fn rejection_keeps_the_id_when_readable() {
        let e = validate(json!({"id": "KR-9", "transcript": 5})).unwrap_err();
        assert_eq!(e.id.as_deref(), Some("KR-9"));
    }

    #[test]
    fn unknown_fields_warn_and_identifying_fields_are_dropped() {
        let v = validate(
            json!({"id": "A", "transcript": "x", "notes": 1, "interviewee": {"name": "someone", "gender": "female"}}),
        )
        .unwrap();
        assert_eq!(v.warnings.len(), 2);
        assert_eq!(
            v.testimony.interviewee.unwrap(),
            Interviewee { gender: Some("female".into()), ..Default::default() }
        );
    }

    #[test]
    fn transcripts_are_stored_in_nfc() {
        let decomposed: String = "회령".nfd().collect();
        assert_ne!(decomposed, "회령");
        let v = validate(json!({"id": "A", "transcript": decomposed})).unwrap();
        assert_eq!(v.testimony.transcript, "회령");
    }

    #[test]
    fn a_transcript_of_labels_only_is_rejected() {
        assert!(reason(json!({"id": "A", "transcript": "Q:\n\nA:"})).contains("no text"));
    }

    #[test]
    fn whole_float_years_are_years() {
        let v = validate(json!({"id": "A", "transcript": "x", "events": [{"year": 2008.0}]})).unwrap();
        assert_eq!(v.testimony.events[0].year, Some(2008));
        assert!(reason(json!({"id": "A", "transcript": "x", "events": [{"year": 2008.5}]})).contains("integer year"));
    }

    #[test]
    fn years_as_strings_and_decades_as_numbers() {
        let v = validate(
            json!({"id": "A", "transcript": "x", "events": [{"year": "2008"}], "interviewee": {"birth_decade": 1970}}),
        )
        .unwrap();
        assert_eq!(v.testimony.events[0].year, Some(2008));
        assert_eq!(v.testimony.interviewee.unwrap().birth_decade.as_deref(), Some("1970s"));
    }

    #[test]
    fn dates() {
        assert!(check_date("2016-03-02").is_ok());
        assert!(check_date("2016-02-29").is_ok());
        assert!(check_date("2015-02-29").is_err());
        assert!(check_date("2016-3-2").is_err());
    }
}
