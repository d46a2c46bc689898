//! Splitting a transcript into passages (one per paragraph) and recognising speaker labels.

use serde::{Deserialize, Serialize};

/// Who speaks in a passage, from its label (Q:/A:/질문:/답변:/문:/답:).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Speaker {
    #[serde(rename = "Q")]
    Question,
    #[serde(rename = "A")]
    Answer,
}

impl Speaker {
    pub fn code(self) -> &'static str {
        match self {
            Speaker::Question => "Q",
            Speaker::Answer => "A",
        }
    }

    pub fn parse(code: &str) -> Option<Speaker> {
        match code {
            "Q" => Some(Speaker::Question),
            "A" => Some(Speaker::Answer),
            _ => None,
        }
    }
}

/// One paragraph of a transcript, numbered from 1, with its speaker label removed from the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    pub n: u32,
    pub speaker: Option<Speaker>,
    pub text: String,
}

/// Labels recognised at the start of a paragraph, longest first so that 답변 wins over 답.
const LABELS: &[(&str, Speaker)] = &[
    ("질문", Speaker::Question),
    ("답변", Speaker::Answer),
    ("문", Speaker::Question),
    ("답", Speaker::Answer),
    ("Q", Speaker::Question),
    ("A", Speaker::Answer),
    ("q", Speaker::Question),
];

/// Splits off a leading speaker label ("Q:", "답변 :", "질문：").
pub fn split_speaker(paragraph: &str) -> (Option<Speaker>, &str) {
    let trimmed = paragraph.trim_start();
    for (label, speaker) in LABELS {
        if let Some(rest) = trimmed.strip_prefix(label) {
            let rest = rest.trim_start_matches([' ', '\t']);
            if let Some(after) = rest.strip_prefix([':', '：']) {
                return (Some(*speaker), after.trim());
            }
        }
    }
    (None, paragraph.trim())
}

/// Paragraphs are separated by blank lines (lines of only white space). Line breaks inside a
/// paragraph are kept. Paragraphs with no text after their label are not counted.
pub fn split_paragraphs(transcript: &str) -> Vec<Paragraph> {
    let normalized = transcript.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let flush = |lines: &mut Vec<&str>, out: &mut Vec<Paragraph>| {
        if lines.is_empty() {
            return;
        }
        let joined = lines.join("\n");
        lines.clear();
        let (speaker, text) = split_speaker(&joined);
        if !text.is_empty() {
            out.push(Paragraph { n: out.len() as u32 + 1, speaker, text: text.to_string() });
        }
    };
    for line in normalized.split('\n') {
        if line.trim().is_empty() {
            flush(&mut current, &mut out);
        } else {
            current.push(line.trim_end());
        }
    }
    flush(&mut current, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn splits_on_blank_lines_and_numbers_from_one() {
        let p = split_paragraphs("Q: Where were you?\n\nA: In Onsong.\nThen Chongjin.\n \n\n답변: 네.");
        assert_eq!(p.len(), 3);
        assert_eq!(p[0], Paragraph { n: 1, speaker: Some(Speaker::Question), text: "Where were you?".into() });
        assert_eq!(p[1].text, "In Onsong.\nThen Chongjin.");
        assert_eq!(p[2].speaker, Some(Speaker::Answer));
        assert_eq!(p[2].n, 3);
    }

    #[test]
    fn recognises_korean_labels() {
        assert_eq!(split_speaker("질문: 언제였습니까?"), (Some(Speaker::Question), "언제였습니까?"));
        assert_eq!(split_speaker("답변 : 2008년입니다."), (Some(Speaker::Answer), "2008년입니다."));
        assert_eq!(split_speaker("문：어디서요?"), (Some(Speaker::Question), "어디서요?"));
        assert_eq!(split_speaker("답: 회령이요."), (Some(Speaker::Answer), "회령이요."));
    }

    #[test]
    fn a_word_starting_with_a_label_letter_is_not_a_label() {
        assert_eq!(split_speaker("After that we left."), (None, "After that we left."));
        assert_eq!(split_speaker("문제가 있었어요."), (None, "문제가 있었어요."));
    }

    #[test]
    fn windows_line_endings() {
        assert_eq!(split_paragraphs("one\r\n\r\ntwo").len(), 2);
    }

    proptest! {
        #[test]
        fn paragraphs_are_numbered_densely_and_never_empty(text in "[a-zQA:가-힣 \n]{0,200}") {
            let p = split_paragraphs(&text);
            for (i, para) in p.iter().enumerate() {
                prop_assert_eq!(para.n as usize, i + 1);
                prop_assert!(!para.text.trim().is_empty());
                prop_assert!(!para.text.contains("\n\n"));
            }
        }
    }
}
