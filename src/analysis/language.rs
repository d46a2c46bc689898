//! Passage and query language detection with lingua, limited to Korean and English: one detector
//! is built once (models preloaded) and shared by every thread.

use std::sync::OnceLock;

use lingua::{LanguageDetector, LanguageDetectorBuilder};
use serde::{Deserialize, Serialize};

use super::normalize::{is_hangul_syllable, script_of, Script};

/// The languages of the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ko,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }

    /// Parses a language code or name: ko, kor, korean, 한국어 / en, eng, english, 영어.
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ko" | "kor" | "korean" | "한국어" | "조선어" => Some(Lang::Ko),
            "en" | "eng" | "english" | "영어" => Some(Lang::En),
            _ => None,
        }
    }
}

/// Below this many letters a detection is not trusted and the hint decides.
const MIN_LETTERS: usize = 4;
/// Below this confidence a detection is not trusted and the hint decides.
const MIN_CONFIDENCE: f64 = 0.6;

fn detector() -> &'static LanguageDetector {
    static DETECTOR: OnceLock<LanguageDetector> = OnceLock::new();
    DETECTOR.get_or_init(|| {
        LanguageDetectorBuilder::from_languages(&[lingua::Language::Korean, lingua::Language::English])
            .with_preloaded_language_models()
            .build()
    })
}

/// Builds the shared detector now rather than on the first passage (server start-up).
pub fn warm_up() {
    let _ = detector();
}

/// The outcome of detecting one text's language.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    pub lang: Option<Lang>,
    /// True when lingua decided with enough text and confidence; false when the hint or the
    /// script decided.
    pub confident: bool,
}

/// Detects the language of a passage or query. When lingua is unsure (short text, digits only,
/// low confidence), the hint decides, then the dominant script.
pub fn detect(text: &str, hint: Option<Lang>) -> Detection {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    if letters >= MIN_LETTERS {
        let values = detector().compute_language_confidence_values(text);
        if let Some((language, confidence)) = values.first() {
            if *confidence >= MIN_CONFIDENCE {
                let lang = match language {
                    lingua::Language::Korean => Lang::Ko,
                    _ => Lang::En,
                };
                return Detection { lang: Some(lang), confident: true };
            }
        }
    }
    let lang = hint.or_else(|| by_script(text));
    Detection { lang, confident: false }
}

/// The language of the script most letters are written in, if any letters at all.
pub fn by_script(text: &str) -> Option<Lang> {
    let (mut hangul, mut latin) = (0usize, 0usize);
    for c in text.chars() {
        if is_hangul_syllable(c) {
            hangul += 1;
        } else if script_of(c) == Script::Latin {
            latin += 1;
        }
    }
    match (hangul, latin) {
        (0, 0) => None,
        // A Hangul syllable carries about as much as three Latin letters.
        (h, l) if h * 3 >= l => Some(Lang::Ko),
        _ => Some(Lang::En),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_language() {
        assert_eq!(detect("보위부에 끌려가서 예심을 받았습니다.", None).lang, Some(Lang::Ko));
        assert_eq!(detect("I was taken to the holding centre in Onsong.", None).lang, Some(Lang::En));
    }

    #[test]
    fn short_or_numeric_text_falls_back_to_the_hint() {
        let d = detect("2008", Some(Lang::Ko));
        assert_eq!(d, Detection { lang: Some(Lang::Ko), confident: false });
        assert_eq!(detect("12 34", None).lang, None);
        assert_eq!(detect("네", None).lang, Some(Lang::Ko));
    }

    #[test]
    fn parses_language_names() {
        assert_eq!(Lang::parse("Korean"), Some(Lang::Ko));
        assert_eq!(Lang::parse(" EN "), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }
}
