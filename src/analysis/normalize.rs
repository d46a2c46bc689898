//! Text normalisation shared by the analyzers, the gazetteer and the taxonomy: Unicode
//! normalisation, case and diacritic folding, apostrophe removal, script classification.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The writing system of a character, as far as the analyzers care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Hangul,
    Latin,
    Digit,
    Other,
}

/// Classifies one character.
pub fn script_of(c: char) -> Script {
    if is_hangul_syllable(c) || is_jamo(c) {
        Script::Hangul
    } else if c.is_ascii_digit() {
        Script::Digit
    } else if c.is_alphabetic()
        && (c.is_ascii() || ('\u{00C0}'..='\u{024F}').contains(&c) || ('\u{1E00}'..='\u{1EFF}').contains(&c))
    {
        Script::Latin
    } else {
        Script::Other
    }
}

/// A letter or digit of any script, with the common cases (ASCII, Hangul syllables) answered
/// before the general Unicode lookup, which is slow for Hangul and runs for every character.
#[inline]
pub fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || is_hangul_syllable(c) || (!c.is_ascii() && c.is_alphanumeric())
}

/// Which of the two analysed fields a text belongs in: the stem field when it holds Hangul, the
/// English field when it holds any other letter or digit (src/index writes each passage so, and a
/// highlight marks only what those fields could have matched).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scripts {
    pub hangul: bool,
    pub other: bool,
}

/// The [`Scripts`] of `text`, in one pass that stops once both are found.
pub fn scripts(text: &str) -> Scripts {
    let mut held = Scripts { hangul: false, other: false };
    for c in text.chars() {
        // is_word_char answers Hangul before the Unicode tables (slow for Hangul, every character).
        if script_of(c) == Script::Hangul {
            held.hangul = true;
        } else if is_word_char(c) {
            held.other = true;
        }
        if held.hangul && held.other {
            break;
        }
    }
    held
}

/// A precomposed Hangul syllable (가..힣).
pub fn is_hangul_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// Conjoining or compatibility jamo.
pub fn is_jamo(c: char) -> bool {
    ('\u{1100}'..='\u{11FF}').contains(&c) || ('\u{3130}'..='\u{318F}').contains(&c)
}

/// True when the text holds at least one Hangul syllable.
pub fn has_hangul(text: &str) -> bool {
    text.chars().any(is_hangul_syllable)
}

/// Apostrophe-like characters that romanizations put inside words (Ch'ŏngjin, Ch’ŏngjin, Chʼŏngjin).
pub fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{02BB}' | '`' | '\u{00B4}')
}

/// Normalises text before tokenization: NFKC (full-width forms, compatibility characters),
/// then NFC so that Hangul stays in precomposed syllables.
pub fn normalize_text(text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    text.nfkc().collect()
}

/// Folds one word for matching: lowercase, diacritics removed from Latin letters (ŏ→o, ŭ→u, é→e),
/// apostrophes removed (Ch'ŏngjin → chongjin). Hangul is left as it is.
pub fn fold_word(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        push_folded(c, &mut out);
    }
    out
}

fn push_folded(c: char, out: &mut String) {
    if c.is_ascii() {
        if c == '\'' || c == '`' {
            return;
        }
        out.push(c.to_ascii_lowercase());
        return;
    }
    if is_apostrophe(c) {
        return;
    }
    if is_hangul_syllable(c) {
        out.push(c);
        return;
    }
    // Decompose Latin letters and drop their marks; keep everything else (after NFKC) as is.
    for d in std::iter::once(c).nfkd() {
        if is_combining_mark(d) {
            continue;
        }
        for l in d.to_lowercase() {
            out.push(l);
        }
    }
}

/// A matching key for a label or a phrase: folded, with spaces, hyphens, dots, commas and
/// apostrophes removed: "Ch'ŏngjin" → "chongjin", "정치범 수용소" → "정치범수용소".
pub fn label_key(label: &str) -> String {
    let text = normalize_text(label);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_whitespace() || matches!(c, '-' | '‐' | '‑' | '–' | '—' | '.' | ',' | '·' | '_' | '/' | '(' | ')' | '"')
        {
            continue;
        }
        push_folded(c, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_name_the_fields_a_text_belongs_in() {
        let held = |t| {
            let s = scripts(t);
            (s.hangul, s.other)
        };
        assert_eq!(held("수용소에서"), (true, false));
        assert_eq!(held("2008년 수용소"), (true, true));
        assert_eq!(held("Hoeryŏng camp"), (false, true));
        assert_eq!(held("ㄱㄴ"), (true, false));
        assert_eq!(held("... !?"), (false, false));
        assert_eq!(held("中國"), (false, true));
    }

    #[test]
    fn folds_breves_and_apostrophes() {
        assert_eq!(fold_word("Ch'ŏngjin"), "chongjin");
        assert_eq!(fold_word("Ch’ŏngjin"), "chongjin");
        assert_eq!(fold_word("Hoeryŏng"), "hoeryong");
        assert_eq!(fold_word("Hamgyŏng-pukto"), "hamgyong-pukto");
        assert_eq!(fold_word("Ŭiju"), "uiju");
    }

    #[test]
    fn leaves_hangul_alone() {
        assert_eq!(fold_word("회령"), "회령");
    }

    #[test]
    fn label_key_ignores_spacing_and_punctuation() {
        assert_eq!(label_key("Hamgyŏng-pukto"), label_key("hamgyong pukto"));
        assert_eq!(label_key("정치범 수용소"), "정치범수용소");
        assert_eq!(label_key("Kyohwaso No. 12"), "kyohwasono12");
    }

    #[test]
    fn normalizes_full_width_forms() {
        assert_eq!(normalize_text("ＡＢＣ１２"), "ABC12");
    }

    #[test]
    fn classifies_scripts() {
        assert_eq!(script_of('회'), Script::Hangul);
        assert_eq!(script_of('ŏ'), Script::Latin);
        assert_eq!(script_of('7'), Script::Digit);
        assert_eq!(script_of('中'), Script::Other);
    }
}
