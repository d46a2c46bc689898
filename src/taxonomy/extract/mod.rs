//! Finding places, violation types and years in passage text: longest-match lookup of concept-token
//! n-grams in the name dictionary. This is the first version; negation, hypotheticals and
//! year ranges in words come with the extraction work that follows.

mod cues;
mod years;

pub use cues::is_unasserted;

use serde::Serialize;

pub use years::{find_years, years_of, YearSpan};

use crate::analysis::{concept_tokens, normalize::is_hangul_syllable, passage_concept_tokens, AnalyzedToken};

use super::resolve::ConceptRef;
use super::{Resolution, Taxonomy};

/// One thing found in a text: its canonical id and its byte range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mention {
    pub id: String,
    pub from: usize,
    pub to: usize,
}

/// Everything found in one text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Extraction {
    pub places: Vec<Mention>,
    pub violations: Vec<Mention>,
    pub years: Vec<u16>,
}

/// Nouns that follow a place name in one word: 청진역, 회령강변, 혜산보위부. A Hangul word that is
/// a known place name plus one of these is taken as that place.
const PLACE_NOUNS: &[&str] = &[
    "역",
    "시장",
    "장마당",
    "시내",
    "강변",
    "근처",
    "인근",
    "쪽",
    "지역",
    "일대",
    "교외",
    "농촌",
    "보위부",
    "보안서",
    "안전부",
    "집결소",
    "교화소",
    "관리소",
    "수용소",
    "단련대",
    "광산",
    "탄광",
    "군당",
    "시당",
    "도당",
    "세관",
    "다리",
    "국경",
    "시",
    "군",
    "읍",
    "도",
];

/// Keys this short match too much by chance (one Hangul syllable, three Latin letters).
fn key_is_specific(key: &str) -> bool {
    let hangul = key.chars().filter(|c| is_hangul_syllable(*c)).count();
    hangul >= 2 || (hangul == 0 && key.chars().count() >= 4) || (hangul == 1 && key.chars().count() >= 3)
}

impl Taxonomy {
    /// Finds places, violation types and years in a text.
    pub fn extract(&self, text: &str) -> Extraction {
        self.extract_tokens(text, &concept_tokens(text))
    }

    /// [`Taxonomy::extract`] for a passage being ingested: its analysis is kept for the index
    /// writer (src/analysis/shelf.rs).
    pub fn extract_passage(&self, text: &str) -> Extraction {
        self.extract_tokens(text, &passage_concept_tokens(text))
    }

    /// Finds places, violation types and years in a text, given its concept tokens.
    fn extract_tokens(&self, text: &str, tokens: &[AnalyzedToken]) -> Extraction {
        let names = self.names();
        let mut out = Extraction::default();
        let mut ambiguous: Vec<(Vec<String>, usize, usize)> = Vec::new();
        // Places and violation types are matched in separate passes, so that a synonym such as
        // "crossed the Tumen" cannot swallow the place "Tumen River".
        // The n-grams starting at each token that are whole keys, longest first; grown only while
        // they are the start of some name, so most words cost one lookup.
        let mut key = String::new();
        let candidates: Vec<Vec<(usize, String)>> = (0..tokens.len())
            .map(|i| {
                let mut found = Vec::new();
                key.clear();
                for (n, t) in tokens[i..].iter().take(names.max_tokens).enumerate() {
                    key.push_str(&t.text);
                    if !names.starts_a_name(&key) {
                        break;
                    }
                    if !names.lookup(&key).is_empty() {
                        found.push((n + 1, key.clone()));
                    }
                }
                found.reverse();
                found
            })
            .collect();
        for want_places in [true, false] {
            let mut i = 0;
            while i < tokens.len() {
                let mut advanced = false;
                for (n, key) in &candidates[i] {
                    let (n, key) = (*n, key.as_str());
                    if !key_is_specific(key) {
                        continue;
                    }
                    let refs = names.lookup(key);
                    let (from, to) = (tokens[i].from, tokens[i + n - 1].to);
                    if want_places {
                        let places = self.place_ids(refs);
                        if places.is_empty() {
                            continue;
                        }
                        match super::resolve::pick_place_strict(places) {
                            Resolution::Resolved(id) if !self.is_country_modifier(text, &id, to) => {
                                push_unique(&mut out.places, Mention { id, from, to })
                            }
                            Resolution::Ambiguous(candidates) => ambiguous.push((candidates, from, to)),
                            _ => {}
                        }
                    } else {
                        let codes: Vec<&str> = refs
                            .iter()
                            .filter_map(|r| match r {
                                ConceptRef::Violation(v) => Some(self.violation_at(*v).code.as_str()),
                                ConceptRef::Place(_) => None,
                            })
                            .collect();
                        if codes.is_empty() {
                            continue;
                        }
                        if !cues::is_unasserted(text, from, to) {
                            // An arrest by Chinese police is part of a repatriation, not arbitrary
                            // detention by the North Korean state.
                            let by_china = cues::after_chinese_police(text, from);
                            for code in codes.into_iter().filter(|c| !(by_china && *c == "detention/arbitrary")) {
                                push_unique(&mut out.violations, Mention { id: code.to_string(), from, to });
                            }
                        }
                    }
                    i += n;
                    advanced = true;
                    break;
                }
                if !advanced {
                    if want_places {
                        if let Some((id, len)) = self.place_prefix(&tokens[i].text) {
                            let from = tokens[i].from;
                            push_unique(&mut out.places, Mention { id, from, to: from + len });
                        }
                    }
                    i += 1;
                }
            }
        }
        // A name shared by several places: the one inside a place named in the same text (운산,
        // 평안북도 → North Pyongan's Unsan); left out when nothing tells them apart.
        for (candidates, from, to) in ambiguous {
            // Inside a place named nearby, or containing one (강원도 … 춘천 → South Korea's Gangwon).
            let inside: Vec<&String> = candidates
                .iter()
                .filter(|c| {
                    out.places.iter().any(|m| {
                        &m.id != *c && (super::resolve::is_within(c, &m.id) || super::resolve::is_within(&m.id, c))
                    })
                })
                .collect();
            if let [one] = inside.as_slice() {
                push_unique(&mut out.places, Mention { id: (*one).clone(), from, to });
            }
        }
        self.infer_facilities(text, &mut out.places);
        self.facility_violations(text, &mut out);
        self.compose_custody_violations(text, &mut out);
        out.years = years_of(&find_years(text));
        out.years.sort_unstable();
        out
    }
}

/// Labour in a passage about detention is forced labour in detention (노동, 작업 과제, "made to work").
const LABOUR_WORDS: &[&str] = &[
    "노동",
    "작업",
    "일을 했",
    "일했",
    "일을 시",
    "김매기",
    "벌목",
    "과제",
    "forced to work",
    "made to work",
    "work quota",
    "hard labour",
    "hard labor",
    "worked from",
    "we worked",
    "labour",
    "labor",
];
/// Death in a passage about detention is death in custody (교화소에서 죽었어요, "died in the camp").
const DEATH_WORDS: &[&str] =
    &["죽었", "죽은", "죽어", "사망", "숨졌", "숨진", "시신", "died", "dead", "death", "bodies", "body"];

/// The violation type of being held at each kind of facility.
const FACILITY_VIOLATIONS: &[(&str, &str)] = &[
    ("kwanliso", "detention/political-prison-camp"),
    ("kyohwaso", "detention/reeducation-camp"),
    ("jipkyulso", "detention/holding-centre"),
    ("rodong-danryeondae", "detention/labour-training-camp"),
    ("kuryujang", "detention/pretrial-interrogation"),
];

/// Words that name a kind of facility, for each `facility_type` of the gazetteer. The Hangul ones
/// all end in 소, 대 or 장 (`infer_facilities` relies on it; the test
/// `hangul_facility_words_end_in_the_syllables_looked_for` pins it).
const FACILITY_WORDS: &[(&str, &[&str])] = &[
    ("kwanliso", &["관리소", "정치범수용소", "수용소", "kwanliso", "political prison camp"]),
    ("kyohwaso", &["교화소", "kyohwaso", "reeducation camp", "re-education camp", "correctional labour camp"]),
    ("jipkyulso", &["집결소", "jipkyulso", "holding centre", "holding center"]),
    ("rodong-danryeondae", &["노동단련대", "단련대", "danryeondae", "labour training camp", "labor training camp"]),
    ("kuryujang", &["구류장", "kuryujang", "detention centre", "detention center"]),
];

impl Taxonomy {
    /// A facility named by its kind in a place that has exactly one of that kind: 요덕 … 정치범
    /// 수용소 is Kwanliso No. 15; Jongori … kyohwaso is Kyohwaso No. 12.
    pub fn infer_facilities(&self, text: &str, places: &mut Vec<Mention>) {
        let lower = lowercase(text);
        // Each Hangul facility word ends in 소, 대 or 장: without them, none can match, and the
        // text is not copied again without its spaces.
        let compact: String = if lower.contains(['소', '대', '장']) {
            lower.chars().filter(|c| !c.is_whitespace()).collect()
        } else {
            String::new()
        };
        let kinds: Vec<&str> = FACILITY_WORDS
            .iter()
            .filter(|(_, words)| {
                words.iter().any(|w| if w.is_ascii() { lower.contains(w) } else { compact.contains(w) })
            })
            .map(|(kind, _)| *kind)
            .collect();
        if kinds.is_empty() {
            return;
        }
        let mut inferred = Vec::new();
        for m in places.iter() {
            for kind in &kinds {
                let mut inside = self.places().iter().filter(|p| {
                    p.facility_type.as_deref() == Some(*kind) && super::parent_of(&p.id) == Some(m.id.as_str())
                });
                if let (Some(only), None) = (inside.next(), inside.next()) {
                    inferred.push(Mention { id: only.id.clone(), from: m.from, to: m.to });
                }
            }
        }
        for m in inferred {
            push_unique(places, m);
        }
    }

    /// Being held at a named detention facility is that kind of detention: Kwanliso No. 15 is a
    /// political prison camp, a jipkyulso a holding centre. Not when negated or hypothetical.
    fn facility_violations(&self, text: &str, out: &mut Extraction) {
        let mut found = Vec::new();
        for m in &out.places {
            let Some(kind) = self.place(&m.id).and_then(|p| p.facility_type.as_deref()) else { continue };
            let Some((_, code)) = FACILITY_VIOLATIONS.iter().find(|(k, _)| *k == kind) else { continue };
            if self.violation(code).is_some() && !cues::is_negated_or_hypothetical(text, m.from, m.to) {
                found.push(Mention { id: code.to_string(), from: m.from, to: m.to });
            }
        }
        for m in found {
            push_unique(&mut out.violations, m);
        }
    }

    /// A country named as a modifier of the next noun (중국 옷, 중국 아이, 북한 돈) is not a place.
    fn is_country_modifier(&self, text: &str, id: &str, to: usize) -> bool {
        if self.place(id).is_none_or(|p| p.kind != "country") {
            return false;
        }
        let rest = &text[to..];
        // Immediately followed by a space and another Hangul word: no particle, so a modifier.
        rest.starts_with(' ')
            && rest[1..].chars().next().is_some_and(is_hangul_syllable)
            && text[..to].chars().next_back().is_some_and(is_hangul_syllable)
    }

    /// Violations that a passage about detention implies: labour there is forced labour in
    /// detention, death there is death in custody. Negated or hypothetical mentions do not count.
    fn compose_custody_violations(&self, text: &str, out: &mut Extraction) {
        let in_custody = out.violations.iter().any(|m| m.id.starts_with("detention/") && m.id != "detention/arbitrary")
            || out.places.iter().any(|m| self.place(&m.id).is_some_and(|p| p.facility_type.is_some()));
        if !in_custody {
            return;
        }
        let lower = lowercase(text);
        for (words, code) in [(LABOUR_WORDS, "forced-labour/in-detention"), (DEATH_WORDS, "life/death-in-custody")] {
            if self.violation(code).is_none() || out.violations.iter().any(|m| m.id == code) {
                continue;
            }
            // Not the "labour" of "labour training camp" or the 노동 of 노동단련대.
            let inside_a_name = |a: usize, b: usize| {
                out.places.iter().chain(out.violations.iter()).any(|m| a < m.to && b > m.from)
                    || FACILITY_WORDS
                        .iter()
                        .flat_map(|(_, ws)| ws.iter())
                        .any(|fw| lower.match_indices(fw).any(|(i, m)| a >= i && b <= i + m.len() && m.len() > b - a))
            };
            let found = words.iter().find_map(|w| {
                lower
                    .match_indices(w)
                    .map(|(i, m)| (i, i + m.len()))
                    .find(|&(a, b)| !inside_a_name(a, b) && !cues::is_asked_or_denied_in_english(&lower, a, b))
            });
            if let Some((from, to)) = found {
                // Offsets into the lower-cased text match the original for Hangul and ASCII.
                out.violations.push(Mention { id: code.to_string(), from, to });
            }
        }
    }

    /// The ids of the places among dictionary entries.
    fn place_ids(&self, refs: &[ConceptRef]) -> Vec<&str> {
        refs.iter()
            .filter_map(|r| match r {
                ConceptRef::Place(p) => Some(self.place_at(*p).id.as_str()),
                ConceptRef::Violation(_) => None,
            })
            .collect()
    }

    /// A known place name at the start of a Hangul word, followed by a place noun: 청진역 → 청진.
    /// Returns the place id and the byte length of the name.
    fn place_prefix(&self, word: &str) -> Option<(String, usize)> {
        if !word.chars().all(is_hangul_syllable) {
            return None;
        }
        for noun in PLACE_NOUNS {
            let Some(name) = word.strip_suffix(noun) else {
                continue;
            };
            if name.chars().count() < 2 {
                continue;
            }
            if let Resolution::Resolved(id) = super::resolve::pick_place(self.place_ids(self.names().lookup(name))) {
                return Some((id, name.len()));
            }
        }
        None
    }
}

/// `str::to_lowercase`, with ASCII and Hangul syllables (nearly all of the corpus, and caseless
/// or one-byte) answered before the Unicode case tables. The same output for every text: other
/// characters go through `char::to_lowercase`, and a capital sigma, whose lower case depends on
/// its neighbours, through `str::to_lowercase` itself.
pub(crate) fn lowercase(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if is_hangul_syllable(c) {
            out.push(c);
        } else if c == 'Σ' {
            return text.to_lowercase();
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

fn push_unique(list: &mut Vec<Mention>, m: Mention) {
    if !list.iter().any(|x| x.id == m.id && x.from == m.from) {
        list.push(m);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(ms: &[Mention]) -> Vec<&str> {
        ms.iter().map(|m| m.id.as_str()).collect()
    }

    #[test]
    fn finds_places_in_korean_with_particles() {
        let t = Taxonomy::embedded().unwrap();
        let e = t.extract("2008년 봄에 회령에서 공개처형을 봤습니다.");
        assert!(ids(&e.places).contains(&"kp/north-hamgyong/hoeryong"), "{e:?}");
        assert!(ids(&e.violations).contains(&"life/public-execution"), "{e:?}");
        assert_eq!(e.years, [2008]);
    }

    #[test]
    fn finds_places_in_english_romanizations() {
        let t = Taxonomy::embedded().unwrap();
        let e = t.extract("We were sent back from Tumen and held in Onsŏng, then taken to Ch'ŏngjin.");
        let p = ids(&e.places);
        assert!(p.contains(&"kp/north-hamgyong/onsong"), "{p:?}");
        assert!(p.contains(&"kp/north-hamgyong/chongjin"), "{p:?}");
    }

    #[test]
    fn place_names_glued_to_a_place_noun() {
        let t = Taxonomy::embedded().unwrap();
        assert_eq!(ids(&t.extract("청진역에서 내렸어요").places), ["kp/north-hamgyong/chongjin"]);
        assert!(t.extract("무산계급").places.is_empty());
    }

    #[test]
    fn an_ambiguous_name_is_resolved_by_a_province_named_nearby_or_left_out() {
        let t = Taxonomy::embedded().unwrap();
        assert!(ids(&t.extract("I grew up in Unsan.").places).iter().all(|p| !p.ends_with("/unsan")));
        let p = t.extract("I grew up in Unsan, in North Pyongan Province.").places;
        assert!(ids(&p).contains(&"kp/north-pyongan/unsan"), "{p:?}");
        assert!(!ids(&p).contains(&"kp/south-pyongan/unsan"), "{p:?}");
    }

    #[test]
    fn labour_and_death_in_detention_compose() {
        let t = Taxonomy::embedded().unwrap();
        let v =
            t.extract("교화소에서 새벽부터 작업 과제를 채워야 했어요. 같이 잡혀 온 언니는 거기서 죽었어요.").violations;
        assert!(ids(&v).contains(&"forced-labour/in-detention"), "{v:?}");
        assert!(ids(&v).contains(&"life/death-in-custody"), "{v:?}");
        assert!(
            !ids(&t.extract("시장에서 일했어요. 장사가 잘 됐어요.").violations).contains(&"forced-labour/in-detention")
        );
    }

    #[test]
    fn a_facility_named_by_its_kind_in_its_county() {
        let t = Taxonomy::embedded().unwrap();
        let p = t.extract("요덕에 있는 정치범 수용소로 끌려갔어요.").places;
        assert!(ids(&p).contains(&"kp/south-hamgyong/yodok/kwanliso-15"), "{p:?}");
        assert!(!ids(&t.extract("요덕에서 살았어요.").places).contains(&"kp/south-hamgyong/yodok/kwanliso-15"));
    }

    #[test]
    fn hangul_facility_words_end_in_the_syllables_looked_for() {
        for w in FACILITY_WORDS.iter().flat_map(|(_, ws)| ws.iter()).filter(|w| !w.is_ascii()) {
            assert!(w.ends_with(['소', '대', '장']), "{w}");
        }
    }

    #[test]
    fn lowercase_is_the_standard_lower_case() {
        for text in ["회령 Hoeryŏng ÉCOLE", "ΟΔΟΣ Σ ΣΑ", "İstanbul K", "", "ABC 가나다 ǅ Ⅻ ẞ"] {
            assert_eq!(lowercase(text), text.to_lowercase(), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn lowercase_agrees_with_std_on_any_text(text in "\\PC{0,30}") {
            proptest::prop_assert_eq!(lowercase(&text), text.to_lowercase());
        }
    }

    #[test]
    fn mention_offsets_point_into_the_text() {
        let t = Taxonomy::embedded().unwrap();
        let text = "She was in Hoeryŏng.";
        let e = t.extract(text);
        let m = &e.places[0];
        assert_eq!(&text[m.from..m.to], "Hoeryŏng");
    }
}

#[cfg(test)]
mod issue_examples {
    use crate::taxonomy::Taxonomy;

    fn places(t: &Taxonomy, text: &str) -> Vec<String> {
        t.extract(text).places.into_iter().map(|m| m.id).collect()
    }

    fn violations(t: &Taxonomy, text: &str) -> Vec<String> {
        t.extract(text).violations.into_iter().map(|m| m.id).collect()
    }

    #[test]
    fn places_in_korean_with_particles_and_in_every_romanization() {
        let t = Taxonomy::embedded().unwrap();
        let hoeryong = "kp/north-hamgyong/hoeryong".to_string();
        for text in ["회령에서 살았어요", "회령시로 이사했어요", "I lived in Hoeryŏng", "in Hoeryong", "in Hoeryeong"]
        {
            assert!(places(&t, text).contains(&hoeryong), "{text}");
        }
        // Onsong, or the state security detention centre inside it.
        assert!(places(&t, "함경북도 온성군의 보위부").iter().any(|p| p.starts_with("kp/north-hamgyong/onsong")));
        assert!(places(&t, "함경북도 온성군의 농촌").contains(&"kp/north-hamgyong/onsong".to_string()));
        let camp15 = "kp/south-hamgyong/yodok/kwanliso-15".to_string();
        assert!(places(&t, "요덕 15호 관리소에 있었어요").contains(&camp15));
        assert!(places(&t, "he was sent to Camp 15").contains(&camp15));
        assert!(places(&t, "I served two years in Kyohwaso No. 12")
            .contains(&"kp/north-hamgyong/hoeryong/kyohwaso-12".to_string()));
    }

    #[test]
    fn spoken_and_north_korean_usage_is_understood() {
        let t = Taxonomy::embedded().unwrap();
        for (text, code) in [
            ("아버지가 보위부에 끌려갔어요", "detention/arbitrary"),
            ("석 달 동안 예심을 받았어요", "detention/pretrial-interrogation"),
            ("단련대 갔다 왔어요", "detention/labour-training-camp"),
            ("2010년에 북송되었습니다", "movement/forced-repatriation"),
        ] {
            assert!(violations(&t, text).iter().any(|v| v == code), "{text}: {:?}", violations(&t, text));
        }
    }

    #[test]
    fn negated_and_threatened_violations_are_left_out() {
        let t = Taxonomy::embedded().unwrap();
        assert!(!violations(&t, "처형은 안 당했다").iter().any(|v| v.starts_with("life")));
        assert!(!violations(&t, "I was not beaten").iter().any(|v| v.starts_with("torture")));
        assert!(!violations(&t, "they threatened to send us to a camp").iter().any(|v| v.starts_with("detention")));
    }

    #[test]
    fn sdg_targets_follow_from_the_violations() {
        let t = Taxonomy::embedded().unwrap();
        assert!(t.sdg_for("life/public-execution").contains(&"16.1".to_string()));
    }
}
