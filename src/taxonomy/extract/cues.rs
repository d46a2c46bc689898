//! Whether a violation named in a sentence is asserted to have happened, or is negated (처형은 안
//! 당했다, "I was not beaten"), hypothetical or threatened (잡히면 총살당한다고 했어요, "they
//! threatened to send us to a camp"), or only asked about ("Were you beaten?").

use unicode_segmentation::UnicodeSegmentation;

/// English negations that reach a violation within a few words.
const NEGATION_EN: &[&str] =
    &["not", "never", "no", "without", "nobody", "neither", "nor", "none", "escaped", "avoided", "spared"];
/// English words that make the rest of the sentence hypothetical or a threat.
const HYPOTHETICAL_EN: &[&str] = &[
    "threatened",
    "threat",
    "threats",
    "threatening",
    "if",
    "afraid",
    "feared",
    "fear",
    "almost",
    "nearly",
    "might",
    "unless",
    "warned",
    "whether",
    "rumour",
    "rumor",
    "rumours",
    "rumors",
    "risk",
];
/// Korean words (whole) that negate the verb after a violation noun.
const NEGATION_KO_WORDS: &[&str] = &["안", "못", "아니", "아니요", "아뇨"];
/// Korean fragments of a negated or absent predicate.
const NEGATION_KO_PARTS: &[&str] = &[
    "않았",
    "않고",
    "않는",
    "않은",
    "않아",
    "않습",
    "없었",
    "없어",
    "없다",
    "없는",
    "없습",
    "아니었",
    "아닙",
    "아니에",
];
/// Korean fragments of a threat, a conditional consequence or a near miss.
const HYPOTHETICAL_KO_PARTS: &[&str] = &[
    "한다고",
    "된다고",
    "는다고",
    "간다고",
    "낸다고",
    "인다고",
    "당한다고",
    "겠다",
    "거라고",
    "거라",
    "협박",
    "위협",
    "뻔했",
    "뻔한",
    "을까봐",
    "ㄹ까봐",
    "까봐",
    "할까",
    "될까",
];

struct Word {
    lower: String,
    end: usize,
}

/// The sentence around a byte range: from after the previous terminator to the next one.
fn sentence_bounds(text: &str, from: usize, to: usize) -> (usize, usize) {
    let is_end = |c: char| matches!(c, '.' | '?' | '!' | '\n' | '。' | '？' | '！');
    let start = text[..from].rfind(is_end).map(|i| i + 1).unwrap_or(0);
    let end = text[to..].find(is_end).map(|i| to + i + 1).unwrap_or(text.len());
    (start, end.min(text.len()))
}

/// True when the violation named at `from..to` is negated, hypothetical, threatened or asked about.
pub fn is_unasserted(text: &str, from: usize, to: usize) -> bool {
    is_question(text, from, to) || is_negated_or_hypothetical(text, from, to)
}

fn is_question(text: &str, from: usize, to: usize) -> bool {
    let (s, e) = sentence_bounds(text, from, to);
    text[s..e].trim_end().ends_with(['?', '？'])
}

/// For words that only imply a violation in context (labour or death in a detention passage):
/// asked about, or negated in English ("nobody died").
pub fn is_asked_or_denied_in_english(text: &str, from: usize, to: usize) -> bool {
    if is_question(text, from, to) {
        return true;
    }
    let (s, _) = sentence_bounds(text, from, to);
    text[s..from]
        .split_whitespace()
        .rev()
        .take(3)
        .any(|w| NEGATION_EN.contains(&super::lowercase(w).as_str()) || w.ends_with("n't"))
}

/// True when the thing named at `from..to` is negated, hypothetical or threatened (questions aside).
pub fn is_negated_or_hypothetical(text: &str, from: usize, to: usize) -> bool {
    let (s, e) = sentence_bounds(text, from, to);
    let sentence = &text[s..e];
    let words: Vec<Word> = sentence
        .split_word_bound_indices()
        .filter(|(_, w)| w.chars().any(char::is_alphanumeric))
        .map(|(i, w)| Word { lower: super::lowercase(w), end: s + i + w.len() })
        .collect();
    let before: Vec<&Word> = words.iter().filter(|w| w.end <= from).collect();
    // The words after the mention: the one it ends inside (처형|은) and those that follow.
    let after: Vec<&Word> = words.iter().filter(|w| w.end > to).collect();

    // English.
    let near_before = before.iter().rev().take(4);
    if near_before
        .clone()
        .any(|w| NEGATION_EN.contains(&w.lower.as_str()) || w.lower.ends_with("n't") || w.lower.ends_with("n’t"))
    {
        return true;
    }
    if before.iter().any(|w| HYPOTHETICAL_EN.contains(&w.lower.as_str())) {
        return true;
    }
    // Korean: the predicate follows the noun.
    let predicate = after.iter().take(4);
    for w in predicate.clone() {
        if NEGATION_KO_WORDS.contains(&w.lower.as_str()) || NEGATION_KO_PARTS.iter().any(|p| w.lower.contains(p)) {
            return true;
        }
        if HYPOTHETICAL_KO_PARTS.iter().any(|p| w.lower.contains(p)) {
            return true;
        }
    }
    // The mention's own word as a conditional: 북송되면. (A conditional before it is often a
    // habit that really happened: 못 채우면 밥을 안 줬어요.)
    let conditional = |w: &Word| w.lower.ends_with('면') && !w.lower.ends_with("면서");
    if predicate.take(1).any(|w| conditional(w)) {
        return true;
    }
    // "anyone caught with a Bible would be shot": a consequence that did not happen.
    let lower = super::lowercase(sentence);
    lower.contains("would be ") || lower.contains("would have been ")
}

/// True when "Chinese police" or 중국 공안 stands within a few words before `from`.
pub fn after_chinese_police(text: &str, from: usize) -> bool {
    let (s, _) = sentence_bounds(text, from, from);
    let before: Vec<String> = text[s..from].split_whitespace().rev().take(4).map(super::lowercase).collect();
    before.iter().any(|w| w.starts_with("chinese") || w.starts_with("공안") || w.starts_with("중국공안"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unasserted(text: &str, mention: &str) -> bool {
        let from = text.find(mention).expect("mention in text");
        is_unasserted(text, from, from + mention.len())
    }

    #[test]
    fn asserted_events_stay() {
        assert!(!unasserted("2008년에 회령에서 공개처형을 봤습니다.", "공개처형"));
        assert!(!unasserted("They beat him with sticks in Onsong.", "beat"));
        assert!(!unasserted("아버지는 처형당했다고 들었어요.", "처형"));
        assert!(!unasserted("I was interrogated for weeks. Nobody came.", "interrogated"));
    }

    #[test]
    fn negations() {
        assert!(unasserted("처형은 안 당했어요.", "처형"));
        assert!(unasserted("다행히 구타는 없었어요.", "구타"));
        assert!(unasserted("I was not beaten there.", "beaten"));
        assert!(unasserted("They never tortured us.", "tortured"));
        assert!(unasserted("보위부에 끌려가지는 않았어요.", "보위부"));
    }

    #[test]
    fn hypotheticals_threats_and_questions() {
        assert!(unasserted("잡히면 총살당한다고 했어요.", "총살"));
        assert!(unasserted("They threatened to send us to a camp.", "camp"));
        assert!(unasserted("If they caught us we would be executed.", "executed"));
        assert!(unasserted("Were you beaten there?", "beaten"));
        assert!(unasserted("수용소에 보낸다고 협박했어요.", "수용소"));
        assert!(unasserted("공개처형을 본 적이 있습니까?", "공개처형"));
    }
}
