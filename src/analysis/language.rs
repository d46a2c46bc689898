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
    let letters = Letters::of(text);
    if letters.total >= MIN_LETTERS {
        if let Some(lang) = letters.single_script() {
            return Detection { lang: Some(lang), confident: true };
        }
    }
    by_lingua(text, letters.total, hint)
}

/// [`detect`] without the single-script shortcut.
fn by_lingua(text: &str, letters: usize, hint: Option<Lang>) -> Detection {
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

/// The letters of a text by script, counted the way [`detect`] needs them.
struct Letters {
    /// Every alphabetic character (what [`MIN_LETTERS`] counts).
    total: usize,
    hangul: usize,
    latin: usize,
}

impl Letters {
    /// ASCII and Hangul syllables, nearly every character of the corpus, are answered before the
    /// general Unicode lookup, which is slow outside ASCII.
    fn of(text: &str) -> Letters {
        let (mut total, mut hangul, mut latin) = (0, 0, 0);
        for c in text.chars() {
            if c.is_ascii() {
                if c.is_ascii_alphabetic() {
                    total += 1;
                    latin += 1;
                }
            } else if is_hangul_syllable(c) {
                total += 1;
                hangul += 1;
            } else if c.is_alphabetic() {
                total += 1;
                latin += usize::from(is_latin_letter(c));
            }
        }
        Letters { total, hangul, latin }
    }

    /// The language lingua is bound to answer, with confidence 1, when every letter is of one
    /// script: with only Korean and English configured, words all in Hangul are Korean by its
    /// rules, and words all in the Latin script leave English as the only candidate. Mixed or
    /// other scripts are left to lingua (the test `single_script_shortcut_agrees_with_lingua`).
    fn single_script(&self) -> Option<Lang> {
        if self.hangul == self.total {
            Some(Lang::Ko)
        } else if self.latin == self.total {
            Some(Lang::En)
        } else {
            None
        }
    }
}

/// A letter of the Latin script: the Latin-1, Extended-A/B and Extended Additional blocks hold
/// nothing alphabetic of any other script.
fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || (c.is_alphabetic() && (('\u{00C0}'..='\u{024F}').contains(&c) || ('\u{1E00}'..='\u{1EFF}').contains(&c)))
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

    /// What lingua itself decides, for comparison with the shortcut.
    fn lingua_only(text: &str, hint: Option<Lang>) -> Detection {
        by_lingua(text, text.chars().filter(|c| c.is_alphabetic()).count(), hint)
    }

    #[test]
    fn single_script_shortcut_agrees_with_lingua() {
        let texts = [
            "보위부에 끌려가서 예심을 받았습니다.",
            "I was taken to the holding centre in Onsŏng.",
            "Ch'ŏngjin, Hoeryŏng, Ŭiju — ǅemal façade Ẽxample",
            "2008년에 Hoeryŏng에서",
            "回寧에서 살았어요",
            "Москва and Seoul",
            "ㄱㄴㄷㄹ 자모만",
            "µµµµ",
            "ⅫⅫ ok",
            "정치범 수용소 (political prison camp)",
            "   ",
            "가나",
        ];
        for text in texts {
            for hint in [None, Some(Lang::Ko), Some(Lang::En)] {
                assert_eq!(detect(text, hint), lingua_only(text, hint), "{text:?} {hint:?}");
            }
        }
        let taxonomy = crate::taxonomy::Taxonomy::embedded().expect("embedded taxonomy");
        let cfg = crate::generate::GeneratorConfig { testimonies: 30, ..Default::default() };
        for record in crate::generate::testimonies(&cfg, &taxonomy).expect("generator") {
            for paragraph in record.transcript.split("\n\n") {
                assert_eq!(detect(paragraph, None), lingua_only(paragraph, None), "{paragraph:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn shortcut_agrees_with_lingua_on_any_mix(text in "[가-힣a-zA-ZŏŭŎÉé0-9 .,'ㄱ-ㅎ回寧д]{0,40}") {
            proptest::prop_assert_eq!(detect(&text, None), lingua_only(&text, None), "{:?}", text);
        }
    }

    #[test]
    fn parses_language_names() {
        assert_eq!(Lang::parse("Korean"), Some(Lang::Ko));
        assert_eq!(Lang::parse(" EN "), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }
}
