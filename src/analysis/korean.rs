//! Dictionary-free Korean analysis: particles, copulas and verbal endings stripped from each
//! Hangul word to a stem, and Hangul bigrams over the stems for compounds and spacing variants.
//!
//! Without a dictionary the stemmer is a set of suffix rules; what matters is that the same rules
//! run at index and at query time, so 수용소에서, 수용소로 and 수용소는 all meet at 수용소.

/// Particles (조사) and copula forms, longest first within each group. A particle of one syllable
/// is stripped only from words of three syllables or more, so that short nouns (나이, 바다) survive.
const PARTICLES: &[&str] = &[
    // copula and quotative forms
    "이었습니다",
    "이었는데요",
    "이었어요",
    "이었는데",
    "이었다",
    "였습니다",
    "였는데요",
    "였어요",
    "였는데",
    "였다",
    "입니다",
    "이에요",
    "예요",
    "이라서",
    "라서",
    "이라고",
    "라고",
    "이라는",
    "라는",
    "이라도",
    "라도",
    "이지만",
    "이었고",
    "였고",
    "인데요",
    "인데",
    "이고",
    "이며",
    "이다",
    "이란",
    "이야",
    // compound case particles
    "에서부터",
    "으로부터",
    "에게서는",
    "에서는",
    "에서도",
    "에서의",
    "에서만",
    "에서",
    "에게서",
    "에게는",
    "에게도",
    "에게",
    "한테서",
    "한테는",
    "한테도",
    "한테",
    "께서는",
    "께서",
    "로부터",
    "으로는",
    "으로도",
    "으로서",
    "으로써",
    "으로만",
    "으로",
    "로는",
    "로도",
    "로서",
    "로써",
    "로만",
    "까지는",
    "까지도",
    "까지",
    "부터는",
    "부터",
    "처럼",
    "보다는",
    "보다",
    "만큼",
    "마다",
    "밖에",
    "이나마",
    "이나",
    "이든지",
    "이든",
    "이랑",
    "에는",
    "에도",
    "에의",
    "에만",
    "와는",
    "과는",
    "와도",
    "과도",
    "하고는",
    "조차",
    "마저",
    "이라",
    "라",
    // one syllable
    "은",
    "는",
    "이",
    "가",
    "을",
    "를",
    "의",
    "에",
    "도",
    "로",
    "와",
    "과",
    "만",
    "께",
    "랑",
    "나",
];

/// Light verbs after a Sino-Korean noun: 처형(당했다), 송환(되었다), 노동(했다), 구금(시켰다).
/// The word is cut before them when at least two syllables of noun remain.
const LIGHT_VERBS: &[&str] = &[
    "당하", "당했", "당한", "당해", "당할", "당함", "되었", "되어", "됐", "되", "된", "돼", "될", "됨", "하였", "하여",
    "했", "하", "한", "해", "할", "함", "시켰", "시키", "시킨", "시켜", "받았", "받",
];

/// Verbal endings, longest first; stripped from words that carried no particle.
const ENDINGS: &[&str] = &[
    // honorific 시 with its tense and mood: 끌려가셨어요, 끌려가신, 하셔서
    "셨습니까",
    "셨습니다",
    "셨는데요",
    "셨어요",
    "셨는데",
    "셨다",
    "셔서",
    "시고",
    "셨",
    "신",
    "었었습니다",
    "았었습니다",
    // questions, future and conjecture: 잡혔습니까, 갑니까, 가겠습니다, 맞았을 (때)
    "었습니까",
    "았습니까",
    "였습니까",
    "겠습니다",
    "겠습니까",
    "습니까",
    "겠어요",
    "겠는데",
    "겠다",
    "었을",
    "았을",
    // connectives and clause endings: 맞았으니까, 숨었으며, 팔려고, 잡히자마자, 갔거나
    "었으니까",
    "았으니까",
    "으니까",
    "었으며",
    "았으며",
    "었으나",
    "았으나",
    "었는지",
    "았는지",
    "었다가",
    "았다가",
    "었는데도",
    "는데도",
    "으려고",
    "자마자",
    "었거나",
    "았거나",
    "거나",
    "으면서",
    "으면",
    "으며",
    "려고",
    "는지",
    // quotative and reported speech: 때렸다고, 간다고, 갔대요, 했답니다, 가자고, 왔냐고
    "었다고",
    "았다고",
    "는다고",
    "답니다",
    "다면서",
    "다며",
    "냐고",
    "었대요",
    "았대요",
    // spoken sentence endings: 맞았죠, 그랬군요, 먹는다
    "었죠",
    "았죠",
    "더군요",
    "는다",
    "었습니다",
    "았습니다",
    "였습니다",
    "었었는데",
    "더라구요",
    "더라고요",
    "었는데요",
    "았는데요",
    "었거든요",
    "았거든요",
    "었잖아요",
    "습니다",
    "었어요",
    "았어요",
    "였어요",
    "었는데",
    "았는데",
    "었지만",
    "았지만",
    "었더니",
    "았더니",
    "는데요",
    "거든요",
    "잖아요",
    "더라고",
    "었고",
    "았고",
    "었다",
    "았다",
    "였다",
    "어요",
    "아요",
    "여요",
    "는데",
    "지만",
    "면서",
    "니까",
    "어서",
    "아서",
    "더니",
    "더라",
    "다고",
    "다는",
    "대요",
    "래요",
    "거든",
    "지요",
    "네요",
    "고요",
    "었던",
    "았던",
    "다가",
    "도록",
    "죠",
    "다",
    "요",
    "고",
    "서",
    "던",
];

/// Clause endings that a particle can follow (묻혔는지도, 갔는지를, 가서는): after the particle
/// goes, the word is still a verb.
const ENDINGS_BEFORE_PARTICLES: &[&str] = &["었는지", "았는지", "는지", "어서", "아서"];

/// One Hangul word taken apart: the stem for the stem field and the form the bigram field uses.
/// The bigram form keeps one syllable past a light-verb cut, so that a wrong cut (영아살|해) still
/// leaves the compound's bigrams (살해) in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KoreanWord {
    /// Particles, light verbs and endings removed.
    pub stem: String,
    /// Leading syllables of the word the stem stands for (for highlight offsets).
    pub stem_syllables: usize,
    /// The form bigrams are taken from.
    pub bigram_form: String,
}

/// The South Korean spelling of a word-initial syllable (두음법칙), as North Korean texts keep
/// the older ㄹ/ㄴ: 로동 → 노동, 녀자 → 여자, 량강도 → 양강도, 리용 → 이용, 녕변 → 영변.
pub fn south_initial(c: char) -> char {
    let code = c as u32;
    if !(0xAC00..=0xD7A3).contains(&code) {
        return c;
    }
    let index = code - 0xAC00;
    let (initial, vowel) = (index / 588, (index % 588) / 28);
    // ㅑ ㅒ ㅕ ㅖ ㅛ ㅠ ㅣ
    let y_vowel = matches!(vowel, 2 | 3 | 6 | 7 | 12 | 17 | 20);
    let new_initial = match (initial, y_vowel) {
        (5, true) | (2, true) => 11, // ㄹ/ㄴ before a y-vowel or ㅣ → ㅇ
        (5, false) => 2,             // ㄹ before other vowels → ㄴ
        _ => return c,
    };
    char::from_u32(0xAC00 + new_initial * 588 + index % 588).expect("a syllable with another initial is a syllable")
}

/// Two-syllable words ending in 다 that are nouns, not a one-syllable verb stem with its ending.
const NOUNS_IN_DA: &[&str] = &["바다", "판다", "소다"];

/// Strips particles, light verbs and endings from one Hangul word.
pub fn analyze_word(word: &str) -> KoreanWord {
    let mut chars: Vec<char> = word.chars().collect();
    if let Some(first) = chars.first_mut() {
        *first = south_initial(*first);
    }
    let mut end = chars.len();
    let mut stripped_particle = false;

    // A polite 요 after a particle: 수용소에서요.
    if end >= 3 && chars[end - 1] == '요' {
        if let Some(n) = PARTICLE_SUFFIXES.longest(&chars[..end - 1]) {
            end = end - 1 - n;
            stripped_particle = true;
        }
    }
    if !stripped_particle {
        // A verbal ending longer than the particle the word also ends in is the ending: 숨거나 is
        // 숨 + 거나, not 숨거 + 나; on a tie the particle wins (수용소에서, not 수용소에 + 서).
        let ending = ENDING_SUFFIXES.longest(&chars[..end]).unwrap_or(0);
        if let Some(n) = PARTICLE_SUFFIXES.longest(&chars[..end]).filter(|&n| n >= ending) {
            end -= n;
            stripped_particle = true;
        }
    }
    // A one-syllable word with a one-syllable particle that fits its sound: 을, 은, 이 only follow
    // a final consonant and 를, 는 only a vowel, so 죽을, 돈은, 밥이, 배를 and 나는 are a noun and its
    // particle (or a verb stem and its ending: 죽은, 먹을), while 가을, 마을, 나이 and 아이 are
    // nouns. 에 follows either (집에, 위에). Particles that end two-syllable nouns too (정도, 도로,
    // 회의, 대가) stay on.
    if !stripped_particle && end == 2 && particle_fits(chars[0], chars[1]) {
        end = 1;
        stripped_particle = true;
    }
    // The plural 들 sits between the noun and its particle: 아이들이 → 아이, 사람들 → 사람.
    if end >= 3 && chars[end - 1] == '들' {
        end -= 1;
    }
    let base: String = chars[..end].iter().collect();
    let word_result =
        |stem: String, stem_syllables: usize| KoreanWord { bigram_form: stem.clone(), stem, stem_syllables };
    if let Some(cut) = light_verb_cut(&chars[..end]) {
        return KoreanWord {
            stem: chars[..cut].iter().collect(),
            stem_syllables: cut,
            bigram_form: chars[..cut + 1].iter().collect(),
        };
    }
    // A particle after a clause ending stays on the verb: 묻혔는지도 is 묻히 + 었는지 + 도.
    if stripped_particle && CLAUSE_ENDING_SUFFIXES.longest(&chars[..end]).is_none() {
        return word_result(base, end);
    }
    // ㅂ니다: 갑니다 → 가, 합니다 → 하 (습니다 is an ending of its own).
    if end >= 3 && chars[end - 2] == '니' && chars[end - 1] == '다' && chars[end - 3] != '습' {
        if let Some(plain) = without_final(chars[end - 3], FINAL_BIEUP) {
            let mut out: String = chars[..end - 3].iter().collect();
            out.push(plain);
            return word_result(verb_stem(out, false), end - 2);
        }
    }
    // A one-syllable verb stem in its dictionary or past form: 숨다, 죽다, 갔다, 했다 (the suffix
    // rules keep two syllables for one-syllable endings, which protects nouns like 나이 and 바다).
    if end == 2 && chars[1] == '다' && !NOUNS_IN_DA.contains(&base.as_str()) && is_syllable(chars[0]) {
        // 갔다 → 가 (past), 간다 → 가 (present after a vowel).
        let (stem, past) = match without_final(chars[0], FINAL_SSANGSIOT) {
            Some(plain) => (plain, true),
            None => (without_final(chars[0], FINAL_NIEUN).unwrap_or(chars[0]), false),
        };
        return word_result(verb_stem(stem.to_string(), past), 1);
    }
    // The adnominal 는 after a one-syllable stem: 굶는 (날) → 굶, 먹는 → 먹. After a final
    // consonant the topic particle would be 은, so this 는 is the verb's.
    if end == 2 && chars[1] == '는' && has_final(chars[0]) {
        return word_result(chars[0].to_string(), 1);
    }
    if let Some(n) = ENDING_SUFFIXES.longest(&chars[..end]) {
        let cut = end - n;
        let mut out: String = chars[..cut].iter().collect();
        // Past tense ㅆ: 끌려갔(습니다) → 끌려가, 했 → 하.
        let mut contracted = chars[cut..end].starts_with(&['서']);
        if let Some(last) = out.pop() {
            let plain = without_final(last, FINAL_SSANGSIOT);
            contracted |= plain.is_some();
            // The present ㄴ다 after a vowel stem: 끌려간다 → 끌려가.
            let plain =
                plain.or_else(|| (chars[cut..end] == ['다']).then(|| without_final(last, FINAL_NIEUN)).flatten());
            out.push(plain.unwrap_or(last));
        }
        return word_result(verb_stem(out, contracted), cut);
    }
    // The passive 히 contracted with the infinitive 어: 묻혀 (있다) → 묻, 잡혀 (가다) → 잡. No
    // noun ends in 혀 after a final consonant.
    if end >= 2 && chars[end - 1] == '혀' && has_final(chars[end - 2]) {
        return word_result(chars[..end - 1].iter().collect(), end - 1);
    }
    // The connective 아/어 after a stem ending in a consonant: 빼앗아 (가다) → 빼앗, 붙잡아 → 붙잡.
    // Only on three syllables or more, so that two-syllable nouns (상어, 단어) keep their form.
    if end >= 3 && matches!(chars[end - 1], '아' | '어') && has_final(chars[end - 2]) {
        let stem: String = chars[..end - 1].iter().collect();
        return word_result(stem, end - 1);
    }
    word_result(base, end)
}

/// A verb stem as the dictionary writes it. The honorific 시 (and a linking 으) goes, as
/// its past 셨 already does: 돌아가시(다) → 돌아가, 받으시 → 받. When the stem was contracted with
/// the infinitive 아/어 (before the past ㅆ or 서), the contraction is undone: 때려 → 때리,
/// 배워 → 배우, 봐 → 보, 돼 → 되, 해 → 하, so that 때렸다, 때려서 and 때리다 meet.
fn verb_stem(stem: String, contracted: bool) -> String {
    let mut chars: Vec<char> = stem.chars().collect();
    if chars.len() >= 2 && chars[chars.len() - 1] == '시' {
        chars.pop();
    }
    // 으 after a final consonant only joins a stem to an ending (받으셨, 잡으면): no stem ends in it.
    if chars.len() >= 2 && chars[chars.len() - 1] == '으' && has_final(chars[chars.len() - 2]) {
        chars.pop();
    }
    if contracted {
        if let Some(last) = chars.last_mut() {
            *last = uncontracted(*last);
        }
    }
    // The passive or causative 히, 리, 기 after a stem ending in a consonant: 묻히 → 묻, 꿇리 → 꿇,
    // 빼앗기 → 빼앗, so that "was buried" meets "buried" (묻혔다, 묻었다). Only on a verb whose
    // ending was cut: nouns in 리 or 기 (관리, 전기) never reach here with an ending of their own.
    if chars.len() >= 2 && matches!(chars[chars.len() - 1], '히' | '리' | '기') && has_final(chars[chars.len() - 2])
    {
        chars.pop();
    }
    chars.into_iter().collect()
}

/// The stem syllable of an infinitive contracted with 아/어: 려 → 리, 워 → 우, 와 → 오, 돼 → 되,
/// 해 → 하. Syllables with a final consonant, and other vowels, are left alone.
fn uncontracted(c: char) -> char {
    let code = c as u32;
    if !is_syllable(c) || !(code - 0xAC00).is_multiple_of(28) {
        return c;
    }
    let index = code - 0xAC00;
    let (initial, vowel) = (index / 588, (index % 588) / 28);
    let new_vowel = match (initial, vowel) {
        (18, 1) => 0,  // 해 → 하
        (_, 6) => 20,  // ㅕ → ㅣ
        (_, 14) => 13, // ㅝ → ㅜ
        (_, 9) => 8,   // ㅘ → ㅗ
        (_, 10) => 11, // ㅙ → ㅚ
        _ => return c,
    };
    char::from_u32(0xAC00 + initial * 588 + new_vowel * 28).unwrap_or(c)
}

fn is_syllable(c: char) -> bool {
    (0xAC00..=0xD7A3).contains(&(c as u32))
}

/// True for a syllable with a final consonant (받침).
/// Whether `particle` can follow `syllable` (see [`analyze_word`]): 을, 은, 이 after a final
/// consonant, 를, 는 after a vowel, 에 after either.
fn particle_fits(syllable: char, particle: char) -> bool {
    is_syllable(syllable)
        && match particle {
            '을' | '은' | '이' => has_final(syllable),
            '를' | '는' => !has_final(syllable),
            '에' => true,
            _ => false,
        }
}

fn has_final(c: char) -> bool {
    (0xAC00..=0xD7A3).contains(&(c as u32)) && !(c as u32 - 0xAC00).is_multiple_of(28)
}

/// Counters written after a number (3년, 2008년에, 5명이, 6개월간), longest first. After a digit
/// they are units, not words: 년 keeps its ㄴ (the initial-sound rule is for words) and whatever
/// follows (particles, 간, 째, 씩) is dropped, so 3년간 and 3년 동안 both give 3 + 년.
const COUNTERS: &[&str] = &[
    "퍼센트",
    "개월",
    "시간",
    "주일",
    "킬로",
    "미터",
    "마리",
    "세기",
    "년",
    "월",
    "일",
    "살",
    "세",
    "명",
    "개",
    "번",
    "시",
    "분",
    "초",
    "원",
    "리",
    "차",
    "주",
    "층",
    "호",
    "대",
    "회",
    "장",
    "권",
    "벌",
    "채",
    "톤",
    "평",
    "근",
    "끼",
    "kg",
];

/// The counter a Hangul run after a number starts with (2008|년에 → 년), if it is one.
pub fn counter(run: &str) -> Option<&'static str> {
    COUNTERS.iter().copied().find(|c| run.starts_with(c))
}

/// True when the whole run is a particle, as in Hoeryŏng에서 or 2008년에 (the run after the
/// foreign word or number).
pub fn is_particle(run: &str) -> bool {
    let run = run.strip_suffix('요').filter(|r| !r.is_empty()).unwrap_or(run);
    PARTICLES.contains(&run)
}

/// The stem of one Hangul word (see [`analyze_word`]).
pub fn stem(word: &str) -> String {
    analyze_word(word).stem
}

/// A list of suffixes by last syllable, built once: a word is checked against up to four lists
/// of up to 250 suffixes, and comparing every entry was most of the cost of analysing a word
/// (ingest analyses each new word; a search, each new word of the passages it highlights).
struct Suffixes(rustc_hash::FxHashMap<char, Vec<Box<[char]>>>);

impl Suffixes {
    fn new(list: &[&str]) -> Suffixes {
        let mut by_last: rustc_hash::FxHashMap<char, Vec<Box<[char]>>> = Default::default();
        for suffix in list {
            let chars: Box<[char]> = suffix.chars().collect();
            if let Some(&last) = chars.last() {
                by_last.entry(last).or_default().push(chars);
            }
        }
        Suffixes(by_last)
    }

    /// The length in syllables of the longest suffix of `chars` in the list that leaves at least
    /// one syllable before it, and two when the suffix is a single syllable.
    fn longest(&self, chars: &[char]) -> Option<usize> {
        let fits = |n: usize| chars.len() >= n + if n == 1 { 2 } else { 1 };
        let candidates = self.0.get(chars.last()?)?;
        candidates.iter().filter(|s| fits(s.len()) && chars.ends_with(s)).map(|s| s.len()).max()
    }
}

static PARTICLE_SUFFIXES: std::sync::LazyLock<Suffixes> = std::sync::LazyLock::new(|| Suffixes::new(PARTICLES));
static ENDING_SUFFIXES: std::sync::LazyLock<Suffixes> = std::sync::LazyLock::new(|| Suffixes::new(ENDINGS));
static CLAUSE_ENDING_SUFFIXES: std::sync::LazyLock<Suffixes> =
    std::sync::LazyLock::new(|| Suffixes::new(ENDINGS_BEFORE_PARTICLES));

/// Where a light verb starts after at least two syllables of noun, if anywhere.
fn light_verb_cut(chars: &[char]) -> Option<usize> {
    static LIGHT: std::sync::LazyLock<Vec<Vec<char>>> =
        std::sync::LazyLock::new(|| LIGHT_VERBS.iter().map(|lv| lv.chars().collect()).collect());
    (2..chars.len()).find(|&i| LIGHT.iter().any(|lv| chars[i..].starts_with(lv)))
}

const FINAL_SSANGSIOT: u32 = 20;
const FINAL_BIEUP: u32 = 17;
const FINAL_NIEUN: u32 = 4;

/// The syllable without its final consonant, when that final is `which`.
fn without_final(c: char, which: u32) -> Option<char> {
    let code = c as u32;
    if !(0xAC00..=0xD7A3).contains(&code) {
        return None;
    }
    let final_index = (code - 0xAC00) % 28;
    (final_index == which).then(|| char::from_u32(code - which).expect("a syllable minus its final is a syllable"))
}

/// Overlapping syllable bigrams of a stem; a one-syllable stem yields itself.
pub fn bigrams(stem: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = stem.chars().collect();
    if chars.len() == 1 {
        return vec![(0, stem.to_string())];
    }
    chars.windows(2).enumerate().map(|(i, w)| (i, w.iter().collect())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The longest suffix by scanning the whole list: the definition [`Suffixes`] must agree with.
    fn longest_by_scan(chars: &[char], list: &[&str]) -> Option<usize> {
        list.iter()
            .map(|suffix| suffix.chars().collect::<Vec<char>>())
            .filter(|suffix| chars.len() >= suffix.len() + if suffix.len() == 1 { 2 } else { 1 })
            .filter(|suffix| chars.ends_with(suffix))
            .map(|suffix| suffix.len())
            .max()
    }

    /// Syllables of the suffix lists and a few others, so that generated words end in suffixes
    /// (and in parts of them) often.
    fn syllables() -> Vec<char> {
        let mut out: Vec<char> = [PARTICLES, ENDINGS, ENDINGS_BEFORE_PARTICLES, LIGHT_VERBS]
            .iter()
            .flat_map(|list| list.iter().flat_map(|s| s.chars()))
            .collect();
        out.extend("사람수용소회령가을마을나이".chars());
        out.sort_unstable();
        out.dedup();
        out
    }

    proptest::proptest! {
        #[test]
        fn suffix_index_agrees_with_a_scan(picks in proptest::collection::vec(0usize..1000, 0..7)) {
            let all = syllables();
            let chars: Vec<char> = picks.iter().map(|&i| all[i % all.len()]).collect();
            for (list, index) in [
                (PARTICLES, &*PARTICLE_SUFFIXES),
                (ENDINGS, &*ENDING_SUFFIXES),
                (ENDINGS_BEFORE_PARTICLES, &*CLAUSE_ENDING_SUFFIXES),
            ] {
                proptest::prop_assert_eq!(index.longest(&chars), longest_by_scan(&chars, list));
            }
            let light = (2..chars.len()).find(|&i| {
                LIGHT_VERBS.iter().any(|lv| chars[i..].iter().copied().take(lv.chars().count()).eq(lv.chars()))
            });
            proptest::prop_assert_eq!(light_verb_cut(&chars), light);
        }
    }

    fn s(word: &str) -> String {
        stem(word)
    }

    #[test]
    fn a_one_syllable_noun_loses_a_particle_that_fits_its_sound() {
        assert_eq!(s("죽을"), "죽");
        assert_eq!(s("돈은"), "돈");
        assert_eq!(s("밥이"), "밥");
        assert_eq!(s("배를"), "배");
        assert_eq!(s("집에"), "집");
        // 을, 이 after a vowel, and particles that end two-syllable nouns, are part of the word.
        for noun in ["가을", "마을", "나이", "아이", "정도", "도로", "회의"] {
            assert_eq!(s(noun), noun);
        }
    }

    #[test]
    fn particles_meet_at_the_noun() {
        for w in [
            "수용소에서",
            "수용소로",
            "수용소는",
            "수용소에",
            "수용소에서는",
            "수용소였습니다",
            "수용소에서요",
            "수용소까지",
        ] {
            assert_eq!(s(w), "수용소", "{w}");
        }
        assert_eq!(s("회령에서"), "회령");
        assert_eq!(s("보위부에"), "보위부");
        assert_eq!(s("집에서"), "집");
    }

    #[test]
    fn short_nouns_keep_their_last_syllable() {
        assert_eq!(s("나이"), "나이");
        assert_eq!(s("바다"), "바다");
        assert_eq!(s("북한"), "북한");
        assert_eq!(s("남한으로"), "남한");
    }

    #[test]
    fn light_verbs_are_cut_from_sino_korean_nouns() {
        assert_eq!(s("처형당했다"), "처형");
        assert_eq!(s("공개처형했어요"), "공개처형");
        assert_eq!(s("강제북송되었습니다"), "강제북송");
        assert_eq!(s("체포됐어요"), "체포");
        assert_eq!(s("처형당한것은"), "처형");
    }

    #[test]
    fn verb_endings_meet_at_the_stem() {
        assert_eq!(s("끌려갔습니다"), "끌려가");
        assert_eq!(s("끌려갔어요"), "끌려가");
        assert_eq!(s("끌려갔다"), "끌려가");
        assert_eq!(s("맞았습니다"), "맞");
        assert_eq!(s("맞았어요"), "맞");
        assert_eq!(s("갑니다"), "가");
        assert_eq!(s("끌려가신"), "끌려가");
        assert_eq!(s("끌려가셨어요"), "끌려가");
        assert_eq!(s("빼앗아"), "빼앗");
        assert_eq!(s("빼앗았고"), "빼앗");
        // Two-syllable nouns that end in 아/어 keep it; so does a vowel-final stem.
        assert_eq!(s("상어"), "상어");
        assert_eq!(s("아시아"), "아시아");
    }

    #[test]
    fn one_syllable_verb_stems_lose_their_ending() {
        assert_eq!(s("숨다"), "숨");
        assert_eq!(s("죽다"), s("죽었어요"));
        assert_eq!(s("갔다"), "가");
        assert_eq!(s("간다"), "가");
        assert_eq!(s("했다"), "하");
        assert_eq!(s("하다"), "하");
        // Nouns in 다 and longer nouns keep their form.
        assert_eq!(s("바다"), "바다");
        assert_eq!(s("나이"), "나이");
    }

    #[test]
    fn contracted_infinitives_meet_the_dictionary_form() {
        for (form, lemma) in [
            ("때렸습니다", "때리다"),
            ("때려서", "때리다"),
            ("잡혔다", "잡히다"),
            ("배웠어요", "배우다"),
            ("봤어요", "보다"),
            ("왔다", "오다"),
            ("도망쳤다", "도망치다"),
            ("끌려간다", "끌려가다"),
        ] {
            assert_eq!(s(form), s(lemma), "{form}");
        }
        // Without an ending the noun is left alone.
        assert_eq!(s("자녀"), "자녀");
        assert_eq!(s("영화"), "영화");
    }

    #[test]
    fn the_honorific_meets_the_plain_stem() {
        assert_eq!(s("돌아가시다"), "돌아가");
        assert_eq!(s("돌아가셨습니다"), "돌아가");
        assert_eq!(s("받으시고"), "받");
        assert_eq!(s("다시"), "다시");
    }

    #[test]
    fn more_endings_meet_at_the_stem() {
        for (form, stem) in [
            ("숨거나", "숨"),
            ("잡혔습니까", "잡"),
            ("맞았으니까", "맞"),
            ("도착하자마자", "도착"),
            ("때렸다고", "때리"),
            ("먹는다", "먹"),
            ("넘겠습니다", "넘"),
            ("맞았죠", "맞"),
        ] {
            assert_eq!(s(form), stem, "{form}");
        }
        // A particle still wins a tie with an ending, and a longer particle wins outright.
        assert_eq!(s("수용소에서"), "수용소");
        assert_eq!(s("사람이었어요"), "사람");
    }

    #[test]
    fn passive_and_causative_verbs_meet_the_plain_stem() {
        for (passive, active) in [
            ("묻혔어요", "묻었다"),
            ("묻히고", "묻었다"),
            ("묻혀", "묻었다"),
            ("꿇리고", "꿇었다"),
            ("잡혔다", "잡았다"),
            ("잡혀서", "잡았다"),
            ("빼앗겼어요", "빼앗았다"),
            ("팔렸다", "팔았다"),
        ] {
            assert_eq!(s(passive), s(active), "{passive}");
        }
        // Nouns in 리, 기 and 히 without a verb ending keep them.
        for noun in ["관리", "전기", "물리", "특히"] {
            assert_eq!(s(noun), noun);
        }
        assert_eq!(s("관리했다"), "관리");
    }

    #[test]
    fn the_adnominal_of_a_one_syllable_verb_meets_its_stem() {
        assert_eq!(s("굶는"), s("굶었다"));
        assert_eq!(s("먹는"), "먹");
        // After a vowel 는 is the topic particle (or the adnominal of a vowel stem): it goes too.
        assert_eq!(s("나는"), "나");
    }

    #[test]
    fn a_particle_after_a_clause_ending_leaves_the_verb() {
        assert_eq!(s("묻혔는지도"), s("묻었다"));
        assert_eq!(s("갔는지를"), "가");
        assert_eq!(s("잡아서는"), "잡");
        // A noun with a particle is unchanged.
        assert_eq!(s("수용소에서는"), "수용소");
    }

    #[test]
    fn suffix_lists_are_hangul_syllables() {
        for list in [PARTICLES, ENDINGS, LIGHT_VERBS, ENDINGS_BEFORE_PARTICLES] {
            for suffix in list {
                assert!(suffix.chars().all(crate::analysis::normalize::is_hangul_syllable), "{suffix}");
            }
        }
    }

    #[test]
    fn the_plural_meets_the_singular() {
        assert_eq!(s("아이들이"), "아이");
        assert_eq!(s("사람들을"), "사람");
        assert_eq!(s("그들"), "그들");
    }

    #[test]
    fn north_korean_initial_spelling_meets_the_southern_one() {
        for (north, south) in [
            ("로동", "노동"),
            ("녀자", "여자"),
            ("량강도", "양강도"),
            ("리용", "이용"),
            ("녕변", "영변"),
            ("락원", "낙원"),
        ] {
            assert_eq!(s(north), s(south), "{north}");
        }
        assert_eq!(s("로동단련대에서"), "노동단련대");
        // Only the first syllable changes.
        assert_eq!(s("수령님"), "수령님");
    }

    #[test]
    fn stem_covers_a_prefix_of_the_word() {
        let w = analyze_word("수용소에서");
        assert_eq!((w.stem.as_str(), w.stem_syllables), ("수용소", 3));
        let w = analyze_word("영아살해를");
        assert_eq!(w.bigram_form, "영아살해");
        let w = analyze_word("처형당했다");
        assert_eq!((w.stem.as_str(), w.bigram_form.as_str()), ("처형", "처형당"));
    }

    #[test]
    fn bigrams_of_a_compound() {
        let b: Vec<String> = bigrams("정치범수용소").into_iter().map(|(_, t)| t).collect();
        assert_eq!(b, ["정치", "치범", "범수", "수용", "용소"]);
        assert_eq!(bigrams("집"), vec![(0, "집".to_string())]);
    }
}
