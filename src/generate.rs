//! The synthetic corpus generator: a deterministic, seeded source of testimony records in the
//! project's record format (about 60% Korean, 40% English) and of search queries over them, for
//! benchmarks and load tests at any scale. Owns the built-in word lists, the Korean particle and
//! English inflection rules that turn them into text, the choice of coded events from the
//! taxonomy, and the streaming writers of `corpus.jsonl` and `queries.jsonl`.
//!
//! Every testimony is drawn from its own ChaCha8 stream (seed, stream = its index), so the output
//! is byte-identical across platforms and runs, any testimony can be regenerated alone (the query
//! writer does so to filter on real events and to quote real phrases), and memory stays flat.
//! All content is fictional: no names of people, no text from real reports.

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::taxonomy::{parent_of, with_ancestors, Place, Taxonomy, Violation};

/// File names written by [`generate_to_dir`].
pub const CORPUS_FILE: &str = "corpus.jsonl";
pub const QUERIES_FILE: &str = "queries.jsonl";

/// How much to generate, and from which seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeneratorConfig {
    pub testimonies: usize,
    pub seed: u64,
    pub queries: usize,
}

impl Default for GeneratorConfig {
    fn default() -> Self {
        GeneratorConfig { testimonies: 20_000, seed: 42, queries: 1_000 }
    }
}

/// One generated record, serialized in the field order of the record format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GeneratedTestimony {
    pub id: String,
    pub language: &'static str,
    pub title: String,
    pub interview_date: String,
    pub access: &'static str,
    pub interviewee: GeneratedInterviewee,
    pub events: Vec<GeneratedEvent>,
    pub transcript: String,
    /// Paragraphs of the transcript (each becomes a passage); not part of the record.
    #[serde(skip)]
    pub passages: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GeneratedInterviewee {
    pub gender: &'static str,
    pub birth_decade: u16,
    /// Place id of a North Korean province.
    pub origin_province: String,
}

/// A coded event: a taxonomy code, a canonical place id, a year or span of years.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GeneratedEvent {
    pub violation: String,
    pub location: String,
    pub year: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year_to: Option<u16>,
}

/// One search query; the filters are independent draws, so a query may have several or none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GeneratedQuery {
    pub id: String,
    pub q: String,
    pub lang: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violation: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year_from: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year_to: Option<u16>,
}

/// What [`write_corpus`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CorpusStats {
    pub testimonies: usize,
    pub passages: u64,
    pub bytes: u64,
}

/// What [`write_queries`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QueryStats {
    pub queries: usize,
    pub bytes: u64,
}

/// What [`generate_to_dir`] wrote, and how long it took.
#[derive(Debug, Clone, Serialize)]
pub struct GenerateReport {
    pub corpus: CorpusStats,
    pub queries: QueryStats,
    pub corpus_path: PathBuf,
    pub queries_path: PathBuf,
    pub seconds: f64,
}

impl fmt::Display for GenerateReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} testimonies, {} passages, {} bytes ({:.1} MB) in {}; {} queries in {}; {:.2} s",
            self.corpus.testimonies,
            self.corpus.passages,
            self.corpus.bytes,
            self.corpus.bytes as f64 / 1e6,
            self.corpus_path.display(),
            self.queries.queries,
            self.queries_path.display(),
            self.seconds
        )
    }
}

/// Writes `DIR/corpus.jsonl` and `DIR/queries.jsonl` (creating DIR), streaming both.
pub fn generate_to_dir(cfg: &GeneratorConfig, taxonomy: &Taxonomy, dir: &Path) -> io::Result<GenerateReport> {
    let started = Instant::now();
    let generator = Generator::new(*cfg, taxonomy)?;
    std::fs::create_dir_all(dir)?;
    let corpus_path = dir.join(CORPUS_FILE);
    let queries_path = dir.join(QUERIES_FILE);
    let mut corpus_out = BufWriter::with_capacity(1 << 20, File::create(&corpus_path)?);
    let corpus = generator.write_corpus(&mut corpus_out)?;
    // into_inner reports the error of the last flush, which drop would swallow.
    corpus_out.into_inner().map_err(io::IntoInnerError::into_error)?;
    let mut queries_out = BufWriter::new(File::create(&queries_path)?);
    let queries = generator.write_queries(&mut queries_out)?;
    queries_out.into_inner().map_err(io::IntoInnerError::into_error)?;
    Ok(GenerateReport { corpus, queries, corpus_path, queries_path, seconds: started.elapsed().as_secs_f64() })
}

/// Writes one JSON record per line.
pub fn write_corpus(cfg: &GeneratorConfig, taxonomy: &Taxonomy, out: &mut impl Write) -> io::Result<CorpusStats> {
    Generator::new(*cfg, taxonomy)?.write_corpus(out)
}

/// Writes one JSON query per line.
pub fn write_queries(cfg: &GeneratorConfig, taxonomy: &Taxonomy, out: &mut impl Write) -> io::Result<QueryStats> {
    Generator::new(*cfg, taxonomy)?.write_queries(out)
}

/// The records of `cfg`, generated one at a time (for benches and tests).
pub fn testimonies<'t>(
    cfg: &GeneratorConfig,
    taxonomy: &'t Taxonomy,
) -> io::Result<impl Iterator<Item = GeneratedTestimony> + 't> {
    let generator = Generator::new(*cfg, taxonomy)?;
    Ok((0..cfg.testimonies).map(move |i| generator.testimony(i)))
}

/// The queries of `cfg`, generated one at a time.
pub fn queries<'t>(
    cfg: &GeneratorConfig,
    taxonomy: &'t Taxonomy,
) -> io::Result<impl Iterator<Item = GeneratedQuery> + 't> {
    let generator = Generator::new(*cfg, taxonomy)?;
    let mut rng = stream_rng(cfg.seed, QUERY_STREAM);
    Ok((0..cfg.queries).map(move |i| generator.query(i, &mut rng)))
}

// ------------------------------------------------------------------------------------------------
// Proportions and ranges

const KOREAN_SHARE: f64 = 0.6;
const PASSAGES: std::ops::RangeInclusive<u32> = 20..=60;
const EVENTS: std::ops::RangeInclusive<usize> = 1..=4;
const EVENT_YEARS: std::ops::RangeInclusive<u16> = 1994..=2020;
const INTERVIEW_YEARS: std::ops::RangeInclusive<u16> = 2005..=2024;
/// Target paragraph lengths in characters; Korean packs more meaning per character.
const KO_PARAGRAPH_CHARS: std::ops::RangeInclusive<usize> = 150..=400;
const EN_PARAGRAPH_CHARS: std::ops::RangeInclusive<usize> = 150..=600;
const SENTENCES: std::ops::RangeInclusive<usize> = 1..=5;
/// Stream of the query generator; testimonies use the streams 0..N.
const QUERY_STREAM: u64 = u64::MAX;

fn stream_rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// An item of a non-empty list.
fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

/// An item of a non-empty list, by reference.
fn pick_ref<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

// ------------------------------------------------------------------------------------------------
// Weighted sampling

/// Cumulative integer weights; sampling is one integer draw and a binary search, so it is exact
/// and identical on every platform.
#[derive(Debug, Clone)]
struct WeightedTable {
    cumulative: Vec<u64>,
}

impl WeightedTable {
    fn new(weights: impl IntoIterator<Item = u64>) -> WeightedTable {
        let mut total = 0u64;
        let cumulative = weights
            .into_iter()
            .map(|w| {
                total += w;
                total
            })
            .collect();
        WeightedTable { cumulative }
    }

    /// Zipf over `n` ranks: rank 1 (the first item) is the most frequent.
    fn zipf(n: usize) -> WeightedTable {
        WeightedTable::new((1..=n).map(zipf_weight))
    }

    fn total(&self) -> u64 {
        self.cumulative.last().copied().unwrap_or(0)
    }

    /// An index; the table must have a positive total (checked where tables are built).
    fn sample(&self, rng: &mut ChaCha8Rng) -> usize {
        let x = rng.random_range(0..self.total());
        self.cumulative.partition_point(|&c| c <= x)
    }
}

/// 2^40 / rank^s with s = 1 + 1/16 + 1/32 + 1/256 + 1/512 = 1.0996 (≈1.1). Built from square
/// roots and products only, which IEEE 754 rounds exactly, because `powf` comes from the
/// platform's libm and may differ in the last bit (and so shift a weight and every draw after it).
fn zipf_weight(rank: usize) -> u64 {
    let r = rank as f64;
    let r_16 = r.sqrt().sqrt().sqrt().sqrt(); // r^(1/16)
    let r_32 = r_16.sqrt();
    let r_256 = r_32.sqrt().sqrt().sqrt();
    let r_512 = r_256.sqrt();
    let r_to_s = r * r_16 * r_32 * r_256 * r_512;
    ((1u64 << 40) as f64 / r_to_s) as u64
}

// ------------------------------------------------------------------------------------------------
// Korean: nouns, particles, endings

/// Everyday nouns of testimony, most frequent first (the order is the Zipf rank). Place names and
/// violation terms are deliberately absent, so that the only places and violations in a generated
/// text are the ones put there on purpose (a test checks this against the taxonomy).
const KO_NOUNS: &str = "\
    사람 집 어머니 일 돈 아버지 가족 장마당 시간 물건 아이 남편 동생 밥 친구 식구 마을 쌀 길 학교 아들 딸 옥수수 \
    돈벌이 배급 이웃 방 공장 강변 보위원 직장 아침 밤 저녁 하루 겨울 여름 할머니 언니 오빠 누나 형 할아버지 아내 친척 \
    국수 감자 두부 김치 죽 빵 떡 콩 밀가루 소금 기름 고기 생선 나물 약초 술 담배 사탕 과자 물 식량 양식 강냉이 배추 \
    된장 간장 설탕 계란 미역 도토리 산나물 기업소 농장 작업장 작업 월급 장사꾼 물건값 생산 계획 할당량 기계 연장 삽 \
    곡괭이 수레 지게 출근 퇴근 휴식 교대 벽돌 시멘트 목재 석탄 국경선 경비대 경비병 브로커 중개인 안내인 여권 \
    증명서 휴대폰 손전화 신호 철조망 얼음 물살 차표 정거장 기차역 화물차 짐 안전원 보안원 검찰 재판소 판사 간부 \
    당비서 반상회 규찰대 조사 조서 판결 단속 수색 죄 범죄 서류 도장 명단 감방 철창 수감자 죄수 간수 마룻바닥 담요 \
    밥그릇 변기 점호 교실 수업 숙제 교과서 연필 공책 교복 운동장 교장 시험 졸업 입학 소년단 병원 진료소 의사 간호사 \
    약 주사 열 기침 질병 통증 상처 팔 손 발 머리 허리 몸 피 붕대 침대 약국 결핵 홍역 매대 상인 손님 가격 동전 저울 \
    바구니 광주리 항아리 양동이 칼 컵 옷감 천 비누 치약 노래 영화 드라마 녹음기 테이프 책 신문 방송 소식 이야기 \
    소문 편지 마음 생각 기억 걱정 눈물 웃음 꿈 희망 고향 세상 순간 계절 소리 목소리 불 연기 전기 전깃불 정전 석유 \
    불빛 부엌 마당 창문 문 지붕 이불 옷 신발 가방 사진 전화 라디오 텔레비전 녹화기 손전등 자전거 기차 버스 트럭 배 \
    다리 산 바다 동네 도시 들판 밭 논 숲 나무 땔감 눈 비 바람 날씨 봄 가을 새벽 낮 주말 명절 생일 설날 골목 우물 \
    굴뚝 아궁이 장판 벽 마루 창고 울타리 이삿짐 살림 가구 냄비 솥 그릇 숟가락 젓가락 바가지 물통 보따리 자루 상자 \
    이모 삼촌 고모 사촌 조카 며느리 사위 아기 여자 남자 노인 청년 학생 선생님 동무 주인 동료 반장 부모 자식 남매 \
    형제 자매 손자 손녀 이사 결혼 장례 제사 잔치 선물 용돈 빚 이자 저금 시계 반지 목걸이 거울 빗 수건 양말 장갑 \
    모자 외투 솜옷 고무신 운동화 배낭 지도 나침반 성냥 라이터 초 양초 장작 땅 흙 돌 모래 풀밭 언덕 고개 골짜기 개울 \
    호수 섬 바위 소나무 버드나무 꽃 열매 사과 배나무 닭 돼지 소 개 토끼 염소 달걀 우유 국 찌개 반찬 도시락 떡국 \
    만두 순대 엿 꿀 참기름 바늘 실 단추 주머니 지갑 우산 장화 비옷 베개 빨래 걸레 빗자루";

/// Time, manner and discourse words that open or join a clause.
const KO_ADVERBS: &[&str] = &[
    "그때",
    "나중에",
    "다시",
    "같이",
    "몰래",
    "결국",
    "처음에는",
    "그래서",
    "그런데",
    "매일",
    "가끔",
    "아직도",
    "거의",
    "바로",
    "겨우",
    "계속",
    "그 후에",
    "그 다음에",
    "많이",
    "조금",
    "그러니까",
    "사실은",
    "아무튼",
    "한번은",
    "며칠 뒤에",
];

/// Words placed before a noun.
const KO_DETERMINERS: &[&str] =
    &["그", "이", "저희", "우리", "어느", "모든", "많은", "작은", "큰", "낡은", "새", "다른"];

/// Sentence-final verb forms (declarative).
const KO_FINAL_ENDINGS: &str = "\
    했습니다 했어요 갔다 있었습니다 되었다 받았습니다 당했습니다 보았다 갔습니다 왔어요 들었습니다 먹었어요 \
    살았습니다 일했습니다 잡혔습니다 떠났습니다 나왔어요 알았습니다 몰랐어요 기다렸습니다 말했습니다 없었어요 \
    많았습니다 힘들었어요 넘어갔습니다 보냈습니다 팔았어요 샀습니다 건넸다 맞았습니다 숨었어요 돌아왔습니다 \
    만났습니다 배웠습니다 조사받았습니다 풀려났어요 이송되었습니다 있었어요 했다 봤어요 들었다 지냈습니다";

/// Verb forms that join one clause to the next.
const KO_CONNECTIVES: &str = "\
    했는데 하고 해서 갔다가 받았고 있었는데 당하고 보니까 와서 잡혀서 나와서 살면서 일하면서 먹고 팔고 들어가서 \
    되어서 넘어가서 기다리다가 숨어서 말하니까 가지고";

/// Question endings of the interviewer (a '?' follows).
const KO_QUESTION_ENDINGS: &[&str] = &[
    "했습니까",
    "있었나요",
    "어떻게 되었습니까",
    "기억나십니까",
    "보셨습니까",
    "말씀해 주시겠어요",
    "갔습니까",
    "받으셨나요",
    "알고 계셨나요",
    "누가 그랬습니까",
    "언제였습니까",
    "어디였나요",
];

/// Counters for numbers (3년, 2명), and whether they count time (then " 동안" may follow).
const KO_COUNTERS: &[(&str, bool)] = &[
    ("년", true),
    ("명", false),
    ("개월", true),
    ("일", true),
    ("번", false),
    ("시간", true),
    ("살", false),
    ("킬로", false),
    ("원", false),
    ("주일", true),
    ("달", true),
    ("개", false),
];

/// A particle in its two forms: after a final consonant, after a vowel.
#[derive(Debug, Clone, Copy)]
struct Particle(&'static str, &'static str);

const TOPIC: Particle = Particle("은", "는");
const SUBJECT: Particle = Particle("이", "가");
const OBJECT: Particle = Particle("을", "를");
const AND: Particle = Particle("과", "와");
/// 으로/로: 로 also after ㄹ (서울로, 길로).
const DIRECTION: Particle = Particle("으로", "로");
const AT: Particle = Particle("에", "에");
const IN: Particle = Particle("에서", "에서");
const OF: Particle = Particle("의", "의");
const ALSO: Particle = Particle("도", "도");
const ONLY: Particle = Particle("만", "만");
const UNTIL: Particle = Particle("까지", "까지");
const SINCE: Particle = Particle("부터", "부터");
const TO_PERSON: Particle = Particle("에게", "에게");
const TO_PERSON_SPOKEN: Particle = Particle("한테", "한테");
const ABOUT: Particle = Particle("에 대해서", "에 대해서");
const AROUND: Particle = Particle("쯤", "쯤");

const SUBJECT_PARTICLES: &[Particle] = &[TOPIC, SUBJECT, SUBJECT, ALSO];
const OBJECT_PARTICLES: &[Particle] = &[OBJECT, OBJECT, OBJECT, IN, AT, DIRECTION, ALSO, ONLY];
const MIDDLE_PARTICLES: &[Particle] =
    &[AT, IN, DIRECTION, AND, OF, ALSO, ONLY, UNTIL, SINCE, TO_PERSON, TO_PERSON_SPOKEN, OBJECT, SUBJECT];
const PLACE_PARTICLES: &[Particle] = &[IN, IN, AT, DIRECTION, UNTIL, OF];
const VIOLATION_PARTICLES: &[Particle] = &[OBJECT, OBJECT, SUBJECT, TOPIC, ALSO, ABOUT];
const QUERY_PARTICLES: &[Particle] = &[TOPIC, SUBJECT, OBJECT, IN, AT];

/// Final consonant (jongseong) index of ㄹ.
const RIEUL: u32 = 8;

/// The jongseong index of the last syllable (0 = none); non-Hangul endings count as vowels.
fn final_consonant(word: &str) -> u32 {
    match word.chars().next_back() {
        Some(c @ '가'..='힣') => (c as u32 - 0xAC00) % 28,
        _ => 0,
    }
}

/// The form of `particle` that follows `word`.
fn particle_form(word: &str, particle: Particle) -> &'static str {
    match final_consonant(word) {
        0 => particle.1,
        RIEUL if particle.0 == DIRECTION.0 => particle.1,
        _ => particle.0,
    }
}

fn push_with_particle(out: &mut String, word: &str, particle: Particle) {
    out.push_str(word);
    out.push_str(particle_form(word, particle));
}

// ------------------------------------------------------------------------------------------------
// English: words and inflection

/// Nouns, most frequent first (the order is the Zipf rank). As for Korean, no place names and no
/// violation terms.
const EN_NOUNS: &str = "\
    house mother family money father day market meal child friend village rice road school year work husband time \
    brother sister son daughter people night morning winter neighbour factory riverbank corn ration room home \
    grandmother grandfather wife aunt uncle cousin baby woman man teacher student carpenter nurse driver worker \
    farmer miner soldier guard officer official inspector broker trader merchant leader manager cook stranger \
    villager guide kitchen yard window door roof blanket coat shoe bag thing letter photo phone radio television \
    bicycle train bus truck boat bridge river mountain sea town city countryside field farm forest tree firewood \
    snow rain wind weather summer spring autumn evening dawn week month holiday birthday potato noodle tofu \
    porridge bread bean flour salt oil meat fish vegetable grass herb cigarette candy water cabbage radish soup \
    egg apple tea sugar job mine team quota wage salary business price stall machine tool shovel cart plan shift \
    meeting report document permit certificate card paper notebook book song film video border fence gate post \
    ice current ferry signal ticket station office court judge lawyer cell floor wall uniform rope stick \
    statement crime record file list name number rule law order class classroom lesson homework textbook pencil \
    playground principal exam graduation hospital clinic ointment pill fever cough illness pain wound leg arm \
    hand head back stomach eye tooth bed bandage seller buyer customer coin scale sack box bottle basket jar \
    bucket pot bowl spoon knife cup story rumour news heart memory dream hope hometown world moment season sound \
    voice fire smoke electricity light candle match map compass watch ring mirror towel sock glove hat backpack \
    gift debt chicken pig cow dog goat milk honey wedding funeral party hill valley stream lake island rock \
    flower leaf";

/// Verbs in the base form; inflected by `past`, `ing_form`.
const EN_VERBS: &str = "\
    go come work live see say tell take give leave stay wait hear ask walk run carry bring send buy sell pay \
    borrow lend cook eat drink sleep wake wash clean cry laugh smile shout whisper hide climb swim wade jump fall \
    push pull open close lock check count write read study learn teach remember forget believe think know \
    understand worry hope plan decide try help meet visit follow watch look find lose keep hold catch drop throw \
    cut dig plant grow harvest repair build move change start finish stop begin sit stand shake hurt collect \
    gather share listen sing dance inspect call answer arrive return trade feel make get put speak wear spend \
    chat beg grab nod hug skip step wrap shop travel prepare save fetch boil";

/// Verbs that take no direct object (a prepositional phrase follows instead).
const INTRANSITIVE: &str = "\
    go come live stay wait walk run sleep wake cry laugh smile shout whisper climb swim wade jump fall arrive \
    return travel sit stand worry hope listen dance work speak nod beg shop step chat skip look move stop start";

const EN_ADJECTIVES: &str = "\
    small big old young new cold hot warm dark bright tall short heavy hungry tired sick poor rich quiet loud \
    empty full narrow wide deep high low dirty clean wet dry strict kind afraid angry sad happy busy early late \
    strange difficult easy safe dangerous thin weak strong little whole";

const EN_ADVERBS: &[&str] = &[
    "then",
    "later",
    "again",
    "together",
    "quietly",
    "finally",
    "first",
    "often",
    "sometimes",
    "never",
    "always",
    "still",
    "almost",
    "already",
    "soon",
    "only",
    "just",
    "really",
    "slowly",
    "quickly",
    "suddenly",
    "usually",
    "once",
    "twice",
    "nearly",
    "every day",
    "at first",
    "after that",
    "that year",
    "in the end",
];

const EN_PREPOSITIONS: &[&str] = &[
    "in", "at", "near", "from", "to", "with", "after", "before", "during", "behind", "under", "for", "without",
    "around",
];

const EN_CONNECTORS: &[&str] = &[", and ", " but ", " because ", ", so ", " when ", " after ", " while ", " until "];

/// Words that carry no meaning in a phrase query.
const EN_FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "my", "our", "their", "his", "her", "some", "that", "this", "those", "every", "many", "no",
    "more", "two", "three", "i", "we", "they", "he", "she", "you", "and", "but", "because", "so", "when", "while",
    "until", "in", "at", "near", "from", "to", "with", "after", "before", "during", "behind", "under", "for",
    "without", "around", "about", "of", "was", "were", "had", "did", "not", "could", "used", "tried",
];

/// (singular, plural) of the units numbers count.
const EN_COUNTERS: &[(&str, &str)] = &[
    ("year", "years"),
    ("month", "months"),
    ("day", "days"),
    ("week", "weeks"),
    ("hour", "hours"),
    ("person", "people"),
    ("time", "times"),
    ("kilogram", "kilograms"),
];

const EN_NUMBER_WORDS: &[&str] =
    &["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];

const IRREGULAR_PLURALS: &[(&str, &str)] = &[
    ("child", "children"),
    ("man", "men"),
    ("woman", "women"),
    ("person", "people"),
    ("tooth", "teeth"),
    ("knife", "knives"),
    ("wife", "wives"),
    ("leaf", "leaves"),
    ("fish", "fish"),
    ("potato", "potatoes"),
];

/// Nouns without a plural.
const UNCOUNTABLE: &str = "\
    rice corn tofu porridge bread flour salt oil meat water money work firewood homework weather sugar tea milk \
    honey electricity news people countryside grass snow rain smoke evening dawn";

const IRREGULAR_PASTS: &str = "\
    go:went come:came see:saw say:said tell:told take:took give:gave leave:left hear:heard run:ran bring:brought \
    send:sent buy:bought sell:sold pay:paid lend:lent eat:ate drink:drank sleep:slept wake:woke hide:hid \
    swim:swam fall:fell write:wrote read:read teach:taught forget:forgot think:thought know:knew \
    understand:understood meet:met find:found lose:lost keep:kept hold:held catch:caught throw:threw cut:cut \
    dig:dug grow:grew build:built begin:began sit:sat stand:stood shake:shook hurt:hurt sing:sang feel:felt \
    make:made get:got put:put speak:spoke wear:wore spend:spent";

/// Verbs that double their last consonant before -ed and -ing (stop → stopped, stopping).
const DOUBLING: &str = "\
    run swim sit cut dig begin forget get put stop plan drop chat beg grab nod hug skip step wrap shop";

/// The word lists, split once.
struct Lexicon {
    ko_nouns: Vec<&'static str>,
    ko_final_endings: Vec<&'static str>,
    ko_connectives: Vec<&'static str>,
    en_nouns: Vec<&'static str>,
    en_verbs: Vec<&'static str>,
    en_adjectives: Vec<&'static str>,
    intransitive: Vec<&'static str>,
    uncountable: Vec<&'static str>,
    doubling: Vec<&'static str>,
    irregular_pasts: Vec<(&'static str, &'static str)>,
}

static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| {
    let words = |list: &'static str| list.split_whitespace().collect();
    Lexicon {
        ko_nouns: words(KO_NOUNS),
        ko_final_endings: words(KO_FINAL_ENDINGS),
        ko_connectives: words(KO_CONNECTIVES),
        en_nouns: words(EN_NOUNS),
        en_verbs: words(EN_VERBS),
        en_adjectives: words(EN_ADJECTIVES),
        intransitive: words(INTRANSITIVE),
        uncountable: words(UNCOUNTABLE),
        doubling: words(DOUBLING),
        irregular_pasts: IRREGULAR_PASTS.split_whitespace().filter_map(|pair| pair.split_once(':')).collect(),
    }
});

fn ends_with_consonant_y(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() >= 2 && b[b.len() - 1] == b'y' && !b"aeiou".contains(&b[b.len() - 2])
}

/// The plural of a noun, or None for nouns without one.
fn plural(noun: &str) -> Option<Cow<'static, str>> {
    if LEXICON.uncountable.contains(&noun) {
        return None;
    }
    if let Some((_, p)) = IRREGULAR_PLURALS.iter().find(|(s, _)| *s == noun) {
        return Some(Cow::Borrowed(p));
    }
    Some(Cow::Owned(if ends_with_consonant_y(noun) {
        format!("{}ies", &noun[..noun.len() - 1])
    } else if ["s", "x", "z", "ch", "sh"].iter().any(|e| noun.ends_with(e)) {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    }))
}

fn past(verb: &str) -> Cow<'static, str> {
    if let Some((_, p)) = LEXICON.irregular_pasts.iter().find(|(v, _)| *v == verb) {
        return Cow::Borrowed(p);
    }
    Cow::Owned(if verb.ends_with('e') {
        format!("{verb}d")
    } else if ends_with_consonant_y(verb) {
        format!("{}ied", &verb[..verb.len() - 1])
    } else if LEXICON.doubling.contains(&verb) {
        format!("{verb}{}ed", &verb[verb.len() - 1..])
    } else {
        format!("{verb}ed")
    })
}

fn ing_form(verb: &str) -> String {
    if let Some(stem) = verb.strip_suffix("ie") {
        format!("{stem}ying")
    } else if verb.ends_with('e') && !["ee", "ye", "oe"].iter().any(|e| verb.ends_with(e)) {
        format!("{}ing", &verb[..verb.len() - 1])
    } else if LEXICON.doubling.contains(&verb) {
        format!("{verb}{}ing", &verb[verb.len() - 1..])
    } else {
        format!("{verb}ing")
    }
}

/// "a" or "an" before a word.
fn indefinite_article(word: &str) -> &'static str {
    let vowel_sound = word.starts_with(['a', 'e', 'i', 'o']) || (word.starts_with('u') && !word.starts_with("uni"));
    if vowel_sound || word.starts_with("hour") {
        "an"
    } else {
        "a"
    }
}

fn capitalize_first(s: &mut String, from: usize) {
    if let Some(c) = s[from..].chars().next() {
        if c.is_lowercase() {
            let upper: String = c.to_uppercase().collect();
            s.replace_range(from..from + c.len_utf8(), &upper);
        }
    }
}

// ------------------------------------------------------------------------------------------------
// The generator

/// Events at facilities often are detention at that facility: facility_type → violation code.
const FACILITY_VIOLATIONS: &[(&str, &str)] = &[
    ("kwanliso", "detention/political-prison-camp"),
    ("kyohwaso", "detention/reeducation-camp"),
    ("jipkyulso", "detention/holding-centre"),
    ("rodong-danryeondae", "detention/labour-training-camp"),
    ("kuryujang", "detention/pretrial-interrogation"),
];

/// Sampling weight of a place as the location of an event: North Korean cities, counties and
/// facilities first, some Chinese cities; 0 for places where testimony events are not coded.
fn event_place_weight(place: &Place) -> u64 {
    let country = place.id.split('/').next().unwrap_or("");
    let base = match (country, place.kind.as_str()) {
        ("kp", "facility") => 10,
        ("kp", "city") => 8,
        ("kp", "special-city") => 6,
        ("kp", "county") => 3,
        ("kp", "district") => 2,
        ("cn", "city" | "county") => 6,
        _ => 0,
    };
    // Most testimony comes from the border provinces.
    let border = place.id.starts_with("kp/north-hamgyong/") || place.id.starts_with("kp/ryanggang/");
    if border {
        base * 2
    } else {
        base
    }
}

fn is_hangul_name(s: &str) -> bool {
    s.chars().all(|c| matches!(c, '가'..='힣' | ' ' | '0'..='9'))
}

fn is_latin_name(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii() || ('\u{00C0}'..='\u{024F}').contains(&c))
}

/// McCune–Reischauer without its breves, as most people type it (Ch'ŏngjin → Ch'ongjin).
fn strip_breves(s: &str) -> String {
    s.chars()
        .filter(|&c| c != '\u{0306}')
        .map(|c| match c {
            'ŏ' => 'o',
            'ŭ' => 'u',
            'Ŏ' => 'O',
            'Ŭ' => 'U',
            other => other,
        })
        .collect()
}

/// A Hangul place name without its administrative suffix (회령시 → 회령), when two or three
/// syllables remain; longer names (장백조선족자치현) are not cut.
fn without_suffix(ko: &str) -> Option<&str> {
    ["특별시", "직할시", "시", "군", "현"].iter().find_map(|suffix| {
        let stem = ko.strip_suffix(suffix)?;
        (2..=3).contains(&stem.chars().count()).then_some(stem)
    })
}

/// What is said about an event (or in passing) inside a paragraph.
#[derive(Debug, Clone)]
enum Mention {
    Place(String),
    Years(u16, Option<u16>),
    Violation(String),
    /// A number and a counter, an index into both KO_COUNTERS and EN_COUNTERS (taken modulo).
    Count(u32, usize),
}

impl Mention {
    /// Order inside a paragraph: when, where, what (2008년에 회령에서 공개처형을 …).
    fn order(&self) -> u8 {
        match self {
            Mention::Years(..) => 0,
            Mention::Place(_) => 1,
            Mention::Violation(_) => 2,
            Mention::Count(..) => 3,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Turn {
    Question,
    Answer,
    Unlabeled,
}

struct PlannedEvent<'t> {
    place: &'t Place,
    violation: &'t Violation,
    year: u16,
    year_to: Option<u16>,
}

/// Everything of a testimony but its transcript; drawn first from the testimony's stream, so the
/// query generator can recover a testimony's events without writing its text.
struct Plan<'t> {
    korean: bool,
    events: Vec<PlannedEvent<'t>>,
    gender: &'static str,
    birth_decade: u16,
    origin_province: &'t str,
    interview_date: String,
    access: &'static str,
    title: String,
}

/// Word tables and taxonomy selections, built once per run.
pub struct Generator<'t> {
    cfg: GeneratorConfig,
    taxonomy: &'t Taxonomy,
    event_places: Vec<&'t Place>,
    event_place_weights: WeightedTable,
    /// Every place but countries, for mentions in passing.
    other_places: Vec<&'t Place>,
    provinces: Vec<&'t Place>,
    ko_nouns: WeightedTable,
    en_nouns: WeightedTable,
    en_verbs: WeightedTable,
    en_adjectives: WeightedTable,
}

impl<'t> Generator<'t> {
    /// Fails when the taxonomy lacks what events are made of (places, provinces, violations).
    pub fn new(cfg: GeneratorConfig, taxonomy: &'t Taxonomy) -> io::Result<Generator<'t>> {
        let missing = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, format!("the taxonomy has no {what}"));
        let event_places: Vec<&Place> = taxonomy.places().iter().filter(|p| event_place_weight(p) > 0).collect();
        if event_places.is_empty() {
            return Err(missing("North Korean or Chinese cities, counties or facilities"));
        }
        let event_place_weights = WeightedTable::new(event_places.iter().map(|p| event_place_weight(p)));
        let provinces: Vec<&Place> =
            taxonomy.places().iter().filter(|p| p.kind == "province" && p.id.starts_with("kp/")).collect();
        if provinces.is_empty() {
            return Err(missing("North Korean provinces"));
        }
        if taxonomy.violations().is_empty() {
            return Err(missing("violation types"));
        }
        let other_places = taxonomy.places().iter().filter(|p| p.kind != "country").collect();
        Ok(Generator {
            cfg,
            taxonomy,
            event_places,
            event_place_weights,
            other_places,
            provinces,
            ko_nouns: WeightedTable::zipf(LEXICON.ko_nouns.len()),
            en_nouns: WeightedTable::zipf(LEXICON.en_nouns.len()),
            en_verbs: WeightedTable::zipf(LEXICON.en_verbs.len()),
            en_adjectives: WeightedTable::zipf(LEXICON.en_adjectives.len()),
        })
    }

    /// The testimony at `index` (0-based; its id is GEN-{index+1}).
    pub fn testimony(&self, index: usize) -> GeneratedTestimony {
        let mut rng = stream_rng(self.cfg.seed, index as u64);
        let plan = self.plan(&mut rng);
        let (transcript, passages) = self.transcript(&plan, &mut rng);
        GeneratedTestimony {
            id: format!("GEN-{:06}", index + 1),
            language: if plan.korean { "ko" } else { "en" },
            title: plan.title,
            interview_date: plan.interview_date,
            access: plan.access,
            interviewee: GeneratedInterviewee {
                gender: plan.gender,
                birth_decade: plan.birth_decade,
                origin_province: plan.origin_province.to_string(),
            },
            events: plan
                .events
                .iter()
                .map(|e| GeneratedEvent {
                    violation: e.violation.code.clone(),
                    location: e.place.id.clone(),
                    year: e.year,
                    year_to: e.year_to,
                })
                .collect(),
            transcript,
            passages,
        }
    }

    pub fn testimonies(&self) -> impl Iterator<Item = GeneratedTestimony> + '_ {
        (0..self.cfg.testimonies).map(|i| self.testimony(i))
    }

    pub fn queries(&self) -> impl Iterator<Item = GeneratedQuery> + '_ {
        let mut rng = stream_rng(self.cfg.seed, QUERY_STREAM);
        (0..self.cfg.queries).map(move |i| self.query(i, &mut rng))
    }

    pub fn write_corpus(&self, out: &mut impl Write) -> io::Result<CorpusStats> {
        let mut counted = CountingWriter { inner: out, bytes: 0 };
        let mut stats = CorpusStats::default();
        for testimony in self.testimonies() {
            serde_json::to_writer(&mut counted, &testimony)?;
            counted.write_all(b"\n")?;
            stats.testimonies += 1;
            stats.passages += u64::from(testimony.passages);
        }
        counted.flush()?;
        stats.bytes = counted.bytes;
        Ok(stats)
    }

    pub fn write_queries(&self, out: &mut impl Write) -> io::Result<QueryStats> {
        let mut counted = CountingWriter { inner: out, bytes: 0 };
        let mut stats = QueryStats::default();
        for query in self.queries() {
            serde_json::to_writer(&mut counted, &query)?;
            counted.write_all(b"\n")?;
            stats.queries += 1;
        }
        counted.flush()?;
        stats.bytes = counted.bytes;
        Ok(stats)
    }

    // --------------------------------------------------------------------------------------------
    // Records

    fn plan(&self, rng: &mut ChaCha8Rng) -> Plan<'t> {
        let korean = rng.random_bool(KOREAN_SHARE);
        let n_events = rng.random_range(EVENTS);
        let mut events: Vec<PlannedEvent<'t>> = (0..n_events).map(|_| self.event(rng)).collect();
        events.sort_by_key(|e| e.year);
        let first_year = events.first().map_or(*EVENT_YEARS.start(), |e| e.year);
        let last_year = events.iter().map(|e| e.year_to.unwrap_or(e.year)).max().unwrap_or(*EVENT_YEARS.end());

        // Old enough to remember the first event: born at least 12 years before it.
        let latest_decade = ((first_year - 12) / 10 * 10).clamp(1940, 1990);
        let birth_decade = 1940 + 10 * rng.random_range(0..=(latest_decade - 1940) / 10);
        let gender = if rng.random_bool(0.7) { "female" } else { "male" };
        // Most people are from the province of their first event.
        let event_province = events
            .first()
            .and_then(|e| with_ancestors(&e.place.id).nth(1))
            .and_then(|id| self.provinces.iter().find(|p| p.id == id));
        let origin_province = match event_province {
            Some(p) if rng.random_bool(0.6) => p.id.as_str(),
            _ => pick(rng, &self.provinces).id.as_str(),
        };

        let interview_year = rng.random_range((last_year + 1).max(*INTERVIEW_YEARS.start())..=*INTERVIEW_YEARS.end());
        let month = rng.random_range(1..=12u32);
        let day = rng.random_range(1..=days_in_month(interview_year, month));
        let interview_date = format!("{interview_year:04}-{month:02}-{day:02}");
        let access = if rng.random_bool(0.8) { "public" } else { "restricted" };
        let title = self.title(korean, &events, rng);
        Plan { korean, events, gender, birth_decade, origin_province, interview_date, access, title }
    }

    fn event(&self, rng: &mut ChaCha8Rng) -> PlannedEvent<'t> {
        let place = self.event_places[self.event_place_weights.sample(rng)];
        let at_facility = place
            .facility_type
            .as_deref()
            .and_then(|t| FACILITY_VIOLATIONS.iter().find(|(ft, _)| *ft == t))
            .and_then(|(_, code)| self.taxonomy.violation(code));
        let violation = match at_facility {
            Some(v) if rng.random_bool(0.5) => v,
            _ => pick_ref(rng, self.taxonomy.violations()),
        };
        let year = rng.random_range(EVENT_YEARS);
        let year_to = (year < *EVENT_YEARS.end() && rng.random_bool(0.25))
            .then(|| rng.random_range(year + 1..=(year + 3).min(*EVENT_YEARS.end())));
        PlannedEvent { place, violation, year, year_to }
    }

    fn title(&self, korean: bool, events: &[PlannedEvent], rng: &mut ChaCha8Rng) -> String {
        let Some(e) = events.first() else {
            return if korean { "면담 기록".into() } else { "Interview record".into() };
        };
        let (place_ko, place_en) = (e.place.ko.as_str(), e.place.en.as_str());
        let (violation_ko, violation_en) = (e.violation.ko.as_str(), e.violation.en.as_str());
        let year = e.year;
        if korean {
            match rng.random_range(0..3) {
                0 => format!("{place_ko} {violation_ko} 증언"),
                1 => format!("{year}년 {place_ko}에서 겪은 {violation_ko}"),
                _ => format!("{violation_ko} 관련 면담 기록 ({place_ko})"),
            }
        } else {
            match rng.random_range(0..3) {
                0 => format!("{violation_en} in {place_en}"),
                1 => format!("Testimony on {} in {place_en}, {year}", lowercase_label(violation_en)),
                _ => format!("{place_en}, {year}: {violation_en}"),
            }
        }
    }

    /// The transcript and its number of paragraphs.
    fn transcript(&self, plan: &Plan, rng: &mut ChaCha8Rng) -> (String, u32) {
        let passages = rng.random_range(PASSAGES);
        let n = passages as usize;
        let turns = turns(n, rng);
        // Mentions go where the interviewee speaks.
        let answer_slots: Vec<usize> = (0..n).filter(|&i| turns[i] != Turn::Question).collect();
        let mut mentions: Vec<Vec<Mention>> = vec![Vec::new(); n];
        let to_answer = |rng: &mut ChaCha8Rng| match answer_slots.as_slice() {
            [] => rng.random_range(0..n),
            slots => pick(rng, slots),
        };
        for e in &plan.events {
            // One paragraph tells the whole event; others come back to parts of it.
            let home = to_answer(rng);
            mentions[home].push(Mention::Years(e.year, e.year_to));
            mentions[home].push(Mention::Place(self.spelling(e.place, plan.korean, rng)));
            mentions[home].push(Mention::Violation(self.violation_term(e.violation, plan.korean, rng)));
            for _ in 0..rng.random_range(0..=2) {
                let at = to_answer(rng);
                mentions[at].push(Mention::Place(self.spelling(e.place, plan.korean, rng)));
            }
            for _ in 0..rng.random_range(0..=1) {
                mentions[to_answer(rng)].push(Mention::Years(e.year, e.year_to));
            }
            for _ in 0..rng.random_range(0..=2) {
                let at = to_answer(rng);
                mentions[at].push(Mention::Violation(self.violation_term(e.violation, plan.korean, rng)));
            }
        }
        for (i, slot) in mentions.iter_mut().enumerate() {
            if turns[i] == Turn::Question {
                continue;
            }
            if rng.random_bool(0.25) {
                // 24 is a multiple of both counter lists' lengths: uniform in either after modulo.
                let counter = rng.random_range(0..24);
                slot.push(Mention::Count(rng.random_range(2..=12), counter));
            }
            if rng.random_bool(0.08) {
                let place = pick(rng, &self.other_places);
                slot.push(Mention::Place(self.spelling(place, plan.korean, rng)));
            }
            slot.sort_by_key(Mention::order);
        }

        // About 3 bytes per Hangul syllable; reserving avoids regrowing a 30 kB string.
        let mut text = String::with_capacity(n * if plan.korean { 900 } else { 420 });
        for (i, (turn, paragraph_mentions)) in turns.iter().zip(&mentions).enumerate() {
            if i > 0 {
                text.push_str("\n\n");
            }
            if plan.korean {
                text.push_str(match turn {
                    Turn::Question => "질문: ",
                    Turn::Answer => "답변: ",
                    Turn::Unlabeled => "",
                });
                self.korean_paragraph(&mut text, *turn, paragraph_mentions, rng);
            } else {
                text.push_str(match turn {
                    Turn::Question => "Q: ",
                    Turn::Answer => "A: ",
                    Turn::Unlabeled => "",
                });
                self.english_paragraph(&mut text, *turn, paragraph_mentions, rng);
            }
        }
        (text, passages)
    }

    /// A name of the place as a speaker of the language would write it.
    fn spelling(&self, place: &Place, korean: bool, rng: &mut ChaCha8Rng) -> String {
        if korean {
            let variants: Vec<&str> = place.variants.iter().map(String::as_str).filter(|v| is_hangul_name(v)).collect();
            return match rng.random_range(0..10) {
                0..=4 => place.ko.clone(),
                5..=7 => without_suffix(&place.ko).unwrap_or(&place.ko).to_string(),
                _ => variants.get(rng.random_range(0..variants.len().max(1))).copied().unwrap_or(&place.ko).to_string(),
            };
        }
        let variants: Vec<&str> = place.variants.iter().map(String::as_str).filter(|v| is_latin_name(v)).collect();
        let spelled = match rng.random_range(0..20) {
            0..=6 => None,
            7..=9 => place.mr.clone(),
            10..=12 => place.mr.as_deref().map(strip_breves),
            13..=15 => place.rr.clone(),
            _ => variants.get(rng.random_range(0..variants.len().max(1))).map(|v| v.to_string()),
        };
        spelled.unwrap_or_else(|| place.en.clone())
    }

    /// A synonym or the label of a violation type in the language of the text.
    fn violation_term(&self, violation: &Violation, korean: bool, rng: &mut ChaCha8Rng) -> String {
        if korean {
            // Dictionary-form verbs (죽이다) do not take particles; use nouns.
            let nouns: Vec<&str> =
                violation.synonyms_ko.iter().map(String::as_str).filter(|s| !s.ends_with('다')).collect();
            match nouns.len() {
                0 => violation.ko.clone(),
                n if rng.random_bool(0.8) => nouns[rng.random_range(0..n)].to_string(),
                _ => violation.ko.clone(),
            }
        } else {
            match violation.synonyms_en.len() {
                0 => lowercase_label(&violation.en),
                n if rng.random_bool(0.8) => proper_case(&violation.synonyms_en[rng.random_range(0..n)]),
                _ => lowercase_label(&violation.en),
            }
        }
    }

    // --------------------------------------------------------------------------------------------
    // Korean text

    fn korean_paragraph(&self, out: &mut String, turn: Turn, mentions: &[Mention], rng: &mut ChaCha8Rng) {
        let target = if turn == Turn::Question {
            rng.random_range(*KO_PARAGRAPH_CHARS.start()..=250)
        } else {
            rng.random_range(KO_PARAGRAPH_CHARS)
        };
        let sentences = rng.random_range(SENTENCES);
        let mut chars = 0usize;
        let mut next_mention = 0usize;
        for s in 0..sentences {
            let last = s + 1 == sentences;
            let goal = target * (s + 1) / sentences;
            if s > 0 {
                out.push(' ');
                chars += 1;
            }
            let question = turn == Turn::Question && (last || rng.random_bool(0.3));
            let start = out.len();
            if rng.random_bool(0.3) {
                out.push_str(pick(rng, KO_ADVERBS));
                out.push(' ');
            }
            loop {
                let nps = rng.random_range(1..=3);
                for j in 0..nps {
                    if next_mention < mentions.len() && (last || rng.random_bool(0.6)) {
                        self.korean_mention(out, &mentions[next_mention], rng);
                        next_mention += 1;
                    } else {
                        let particles = match j {
                            0 => SUBJECT_PARTICLES,
                            _ if j + 1 == nps => OBJECT_PARTICLES,
                            _ => MIDDLE_PARTICLES,
                        };
                        if rng.random_bool(0.15) {
                            out.push_str(pick(rng, KO_DETERMINERS));
                            out.push(' ');
                        }
                        let noun = LEXICON.ko_nouns[self.ko_nouns.sample(rng)];
                        push_with_particle(out, noun, pick(rng, particles));
                    }
                    out.push(' ');
                }
                let written = chars + out[start..].chars().count();
                let mentions_left = next_mention < mentions.len();
                if written >= goal && !(last && mentions_left) {
                    break;
                }
                out.push_str(pick(rng, &LEXICON.ko_connectives));
                out.push_str(if rng.random_bool(0.2) { ", " } else { " " });
            }
            if question {
                out.push_str(pick(rng, KO_QUESTION_ENDINGS));
                out.push('?');
            } else {
                out.push_str(pick(rng, &LEXICON.ko_final_endings));
                out.push('.');
            }
            chars += out[start..].chars().count();
        }
    }

    fn korean_mention(&self, out: &mut String, mention: &Mention, rng: &mut ChaCha8Rng) {
        match mention {
            Mention::Place(name) => push_with_particle(out, name, pick(rng, PLACE_PARTICLES)),
            Mention::Years(from, Some(to)) => {
                out.push_str(&format!("{from}년부터 {to}년까지"));
            }
            Mention::Years(year, None) => {
                out.push_str(&format!("{year}년"));
                out.push_str(pick(rng, &["에", "에", "", "쯤", "부터", "까지", " 무렵"]));
            }
            Mention::Violation(term) => push_with_particle(out, term, pick(rng, VIOLATION_PARTICLES)),
            Mention::Count(n, counter) => {
                let (unit, is_time) = KO_COUNTERS[*counter % KO_COUNTERS.len()];
                let counted = format!("{n}{unit}");
                if is_time && rng.random_bool(0.5) {
                    out.push_str(&counted);
                    out.push_str(" 동안");
                } else {
                    push_with_particle(out, &counted, pick(rng, &[SUBJECT, OBJECT, ALSO, ONLY, AROUND]));
                }
            }
        }
    }

    // --------------------------------------------------------------------------------------------
    // English text

    fn english_paragraph(&self, out: &mut String, turn: Turn, mentions: &[Mention], rng: &mut ChaCha8Rng) {
        let target = if turn == Turn::Question {
            rng.random_range(*EN_PARAGRAPH_CHARS.start()..=320)
        } else {
            rng.random_range(EN_PARAGRAPH_CHARS)
        };
        let sentences = rng.random_range(SENTENCES);
        let mut chars = 0usize; // English text is ASCII except for some place names: bytes ≈ chars
        let mut next_mention = 0usize;
        for s in 0..sentences {
            let last = s + 1 == sentences;
            let goal = target * (s + 1) / sentences;
            if s > 0 {
                out.push(' ');
                chars += 1;
            }
            let question = turn == Turn::Question && (last || rng.random_bool(0.3));
            let start = out.len();
            if question {
                self.english_question(out, goal.saturating_sub(chars), rng);
            } else {
                if rng.random_bool(0.2) {
                    out.push_str(pick(rng, EN_ADVERBS));
                    out.push_str(", ");
                }
                loop {
                    self.english_clause(out, mentions, &mut next_mention, last, rng);
                    let written = chars + out[start..].chars().count();
                    if written >= goal && !(last && next_mention < mentions.len()) {
                        break;
                    }
                    out.push_str(pick(rng, EN_CONNECTORS));
                }
                out.push('.');
            }
            capitalize_first(out, start);
            chars += out[start..].chars().count();
        }
    }

    /// Subject, verb phrase, object, prepositional phrases; pending mentions ride along as
    /// phrases, all of them when `eager` (the paragraph's last sentence must place them).
    fn english_clause(
        &self,
        out: &mut String,
        mentions: &[Mention],
        next_mention: &mut usize,
        eager: bool,
        rng: &mut ChaCha8Rng,
    ) {
        let plural_subject = self.english_subject(out, rng);
        out.push(' ');
        let verb = LEXICON.en_verbs[self.en_verbs.sample(rng)];
        let mut takes_object = !LEXICON.intransitive.contains(&verb);
        match rng.random_range(0..20) {
            0..=10 => out.push_str(&past(verb)),
            11..=13 => {
                out.push_str(if plural_subject { "were " } else { "was " });
                out.push_str(&ing_form(verb));
            }
            14..=15 => {
                out.push_str("had to ");
                out.push_str(verb);
            }
            16..=17 => {
                out.push_str(pick(rng, &["could not ", "did not ", "tried to ", "used to "]));
                out.push_str(verb);
            }
            _ => {
                out.push_str(if plural_subject { "were " } else { "was " });
                out.push_str(LEXICON.en_adjectives[self.en_adjectives.sample(rng)]);
                takes_object = false;
            }
        }
        if takes_object && rng.random_bool(0.8) {
            out.push(' ');
            self.english_noun_phrase(out, rng);
        }
        let phrases = if takes_object { rng.random_range(0..=2) } else { rng.random_range(1..=2) };
        for _ in 0..phrases {
            out.push(' ');
            if *next_mention < mentions.len() && (eager || rng.random_bool(0.7)) {
                self.english_mention(out, &mentions[*next_mention], rng);
                *next_mention += 1;
            } else {
                self.english_prepositional_phrase(out, rng);
            }
        }
        if eager {
            while *next_mention < mentions.len() {
                out.push(' ');
                self.english_mention(out, &mentions[*next_mention], rng);
                *next_mention += 1;
            }
        }
        if rng.random_bool(0.1) {
            out.push(' ');
            out.push_str(pick(rng, EN_ADVERBS));
        }
    }

    fn english_prepositional_phrase(&self, out: &mut String, rng: &mut ChaCha8Rng) {
        out.push_str(pick(rng, EN_PREPOSITIONS));
        out.push(' ');
        self.english_noun_phrase(out, rng);
    }

    /// Writes a subject; true when it is plural.
    fn english_subject(&self, out: &mut String, rng: &mut ChaCha8Rng) -> bool {
        const PRONOUNS: &[(&str, bool)] =
            &[("I", false), ("I", false), ("we", true), ("they", true), ("he", false), ("she", false), ("you", true)];
        if rng.random_bool(0.55) {
            let (pronoun, plural_subject) = pick(rng, PRONOUNS);
            out.push_str(pronoun);
            plural_subject
        } else {
            out.push_str(pick(rng, &["the", "my", "our", "the", "their"]));
            out.push(' ');
            let noun = LEXICON.en_nouns[self.en_nouns.sample(rng)];
            match plural(noun) {
                Some(p) if rng.random_bool(0.35) => {
                    out.push_str(&p);
                    true
                }
                _ => {
                    out.push_str(noun);
                    noun == "people"
                }
            }
        }
    }

    fn english_noun_phrase(&self, out: &mut String, rng: &mut ChaCha8Rng) {
        let noun = LEXICON.en_nouns[self.en_nouns.sample(rng)];
        let adjective = rng.random_bool(0.25).then(|| LEXICON.en_adjectives[self.en_adjectives.sample(rng)]);
        let first = adjective.unwrap_or(noun);
        let plural_form = plural(noun);
        let use_plural = plural_form.is_some() && rng.random_bool(0.35);
        let determiner = match (&plural_form, use_plural) {
            (None, _) => pick(rng, &["the", "some", "my", "our", "their", "no", "more", "the"]),
            (Some(_), true) => {
                pick(rng, &["the", "my", "our", "their", "some", "those", "many", "the", "two", "three"])
            }
            (Some(_), false) => match rng.random_range(0..9) {
                0..=1 => indefinite_article(first),
                2..=4 => "the",
                5 => "my",
                6 => "that",
                7 => "our",
                _ => "every",
            },
        };
        out.push_str(determiner);
        out.push(' ');
        if let Some(a) = adjective {
            out.push_str(a);
            out.push(' ');
        }
        match plural_form {
            Some(p) if use_plural => out.push_str(&p),
            _ => out.push_str(noun),
        }
    }

    /// A question of the interviewer, lengthened with phrases up to about `goal` characters.
    fn english_question(&self, out: &mut String, goal: usize, rng: &mut ChaCha8Rng) {
        let start = out.len();
        let verb = LEXICON.en_verbs[self.en_verbs.sample(rng)];
        match rng.random_range(0..6) {
            0..=2 => {
                out.push_str(pick(
                    rng,
                    &[
                        "when did you",
                        "where did you",
                        "why did you",
                        "how did you",
                        "did you",
                        "did they",
                        "how long did you",
                        "who told you to",
                        "how often did you",
                    ],
                ));
                out.push(' ');
                out.push_str(verb);
                out.push(' ');
                if LEXICON.intransitive.contains(&verb) {
                    self.english_prepositional_phrase(out, rng);
                } else {
                    self.english_noun_phrase(out, rng);
                }
            }
            3 => {
                out.push_str("what happened to ");
                self.english_noun_phrase(out, rng);
            }
            4 => {
                out.push_str("can you tell me more about ");
                self.english_noun_phrase(out, rng);
            }
            _ => {
                out.push_str("do you remember ");
                self.english_noun_phrase(out, rng);
            }
        }
        while out.len() - start + 20 < goal {
            out.push(' ');
            if rng.random_bool(0.3) {
                out.push_str("and ");
                self.english_noun_phrase(out, rng);
            } else {
                self.english_prepositional_phrase(out, rng);
            }
        }
        out.push('?');
    }

    fn english_mention(&self, out: &mut String, mention: &Mention, rng: &mut ChaCha8Rng) {
        match mention {
            Mention::Place(name) => {
                out.push_str(pick(rng, &["in", "in", "near", "at", "from", "to"]));
                out.push(' ');
                out.push_str(name);
            }
            Mention::Years(from, Some(to)) => {
                if rng.random_bool(0.5) {
                    out.push_str(&format!("from {from} to {to}"));
                } else {
                    out.push_str(&format!("between {from} and {to}"));
                }
            }
            Mention::Years(year, None) => {
                out.push_str(pick(rng, &["in", "in", "around", "in early", "in late", "until", "since"]));
                out.push(' ');
                out.push_str(&year.to_string());
            }
            Mention::Violation(term) => {
                out.push_str(pick(rng, &["about ", "because of ", "after ", "and ", "during "]));
                out.push_str(term);
            }
            Mention::Count(n, counter) => {
                let (one, many) = EN_COUNTERS[*counter % EN_COUNTERS.len()];
                let number = match (*n as usize).checked_sub(1).and_then(|i| EN_NUMBER_WORDS.get(i)) {
                    Some(word) if rng.random_bool(0.5) => word.to_string(),
                    _ => n.to_string(),
                };
                let unit = if *n == 1 { one } else { many };
                out.push_str(&match rng.random_range(0..3) {
                    0 => format!("for {number} {unit}"),
                    1 => format!("{number} {unit} later"),
                    _ => format!("with {number} {unit}"),
                });
            }
        }
    }

    // --------------------------------------------------------------------------------------------
    // Queries

    fn query(&self, index: usize, rng: &mut ChaCha8Rng) -> GeneratedQuery {
        // The source testimony: filters come from its events, so most filtered queries can match.
        let source = (self.cfg.testimonies > 0).then(|| rng.random_range(0..self.cfg.testimonies));
        let plan = source.map(|t| self.plan(&mut stream_rng(self.cfg.seed, t as u64)));
        let events = plan.as_ref().map_or(&[][..], |p| p.events.as_slice());

        let mut lang = if rng.random_bool(KOREAN_SHARE) { "ko" } else { "en" };
        let phrase = match (source, &plan) {
            (Some(t), Some(p)) if rng.random_bool(0.1) => {
                lang = if p.korean { "ko" } else { "en" };
                self.phrase_from(t, rng)
            }
            _ => None,
        };
        let q = match phrase {
            Some(quoted) => quoted,
            None => self.query_terms(lang == "ko", rng),
        };

        let year_range = (!events.is_empty() && rng.random_bool(0.2)).then(|| {
            let e = pick_ref(rng, events);
            let from = e.year.saturating_sub(rng.random_range(0..=2)).max(*EVENT_YEARS.start());
            let to = (e.year_to.unwrap_or(e.year) + rng.random_range(0..=3)).min(*EVENT_YEARS.end());
            (from, to)
        });
        let location = if !events.is_empty() && rng.random_bool(0.2) {
            let e = pick_ref(rng, events);
            // The province (depth 2) or the city or county (depth 3) the event happened in.
            let levels: Vec<&str> = with_ancestors(&e.place.id)
                .skip(1)
                .take(2)
                .filter(|id| {
                    self.taxonomy
                        .place(id)
                        .is_some_and(|p| matches!(p.kind.as_str(), "province" | "special-city" | "city" | "county"))
                })
                .collect();
            levels.get(rng.random_range(0..levels.len().max(1))).map(|id| vec![id.to_string()])
        } else {
            None
        };
        let violation = (!events.is_empty() && rng.random_bool(0.2)).then(|| {
            let code = pick_ref(rng, events).violation.code.as_str();
            let shown = match parent_of(code) {
                Some(parent) if rng.random_bool(0.3) => parent,
                _ => code,
            };
            vec![shown.to_string()]
        });
        GeneratedQuery {
            id: format!("q{:05}", index + 1),
            q,
            lang,
            location,
            violation,
            year_from: year_range.map(|r| r.0),
            year_to: year_range.map(|r| r.1),
        }
    }

    /// 1–3 distinct words of the vocabulary, Zipf-distributed like the text.
    fn query_terms(&self, korean: bool, rng: &mut ChaCha8Rng) -> String {
        let n = match rng.random_range(0..20) {
            0..=8 => 1,
            9..=15 => 2,
            _ => 3,
        };
        let mut terms: Vec<String> = Vec::with_capacity(n);
        let mut attempts = 0;
        while terms.len() < n && attempts < 20 {
            attempts += 1;
            let term = if korean {
                let noun = LEXICON.ko_nouns[self.ko_nouns.sample(rng)];
                if rng.random_bool(0.2) {
                    format!("{noun}{}", particle_form(noun, pick(rng, QUERY_PARTICLES)))
                } else {
                    noun.to_string()
                }
            } else {
                match rng.random_range(0..10) {
                    0..=6 => {
                        let noun = LEXICON.en_nouns[self.en_nouns.sample(rng)];
                        match plural(noun) {
                            Some(p) if rng.random_bool(0.3) => p.into_owned(),
                            _ => noun.to_string(),
                        }
                    }
                    7..=8 => {
                        let verb = LEXICON.en_verbs[self.en_verbs.sample(rng)];
                        match rng.random_range(0..10) {
                            0..=2 => past(verb).into_owned(),
                            3..=4 => ing_form(verb),
                            _ => verb.to_string(),
                        }
                    }
                    _ => LEXICON.en_adjectives[self.en_adjectives.sample(rng)].to_string(),
                }
            };
            if !terms.contains(&term) {
                terms.push(term);
            }
        }
        terms.join(" ")
    }

    /// Two adjacent words of a paragraph of testimony `t`, quoted; None when no pair of plain
    /// words turns up.
    fn phrase_from(&self, t: usize, rng: &mut ChaCha8Rng) -> Option<String> {
        let testimony = self.testimony(t);
        let paragraphs: Vec<&str> = testimony.transcript.split("\n\n").collect();
        for _ in 0..20 {
            let (_, text) = crate::ingest::passage::split_speaker(pick(rng, &paragraphs));
            let words: Vec<&str> = text.split_whitespace().collect();
            if words.len() < 2 {
                continue;
            }
            let i = rng.random_range(0..words.len() - 1);
            let first = words[i];
            let second = words[i + 1].trim_end_matches(|c: char| c.is_ascii_punctuation());
            let plain = |w: &str| !w.is_empty() && w.chars().all(char::is_alphabetic);
            // "to the" finds everything and tests nothing: one word at least must carry meaning.
            let content = |w: &str| !EN_FUNCTION_WORDS.contains(&w.to_ascii_lowercase().as_str());
            if plain(first) && plain(second) && (content(first) || content(second)) {
                return Some(format!("\"{first} {second}\""));
            }
        }
        None
    }
}

/// Synonyms are stored in lower case; names of countries and peoples are capitalized in text.
fn proper_case(term: &str) -> String {
    const PROPER: &[&str] = &["china", "chinese", "korea", "korean", "north", "south", "russia", "russian"];
    let words: Vec<&str> = term.split(' ').collect();
    let mut out = String::with_capacity(term.len());
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        // north/south only as part of a name: "north korea", not "went north".
        let next_is_korea = words.get(i + 1).is_some_and(|w| w.starts_with("korea"));
        let proper = PROPER.contains(word) && (!matches!(*word, "north" | "south") || next_is_korea);
        if proper {
            let mut chars = word.chars();
            out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
            out.push_str(chars.as_str());
        } else {
            out.push_str(word);
        }
    }
    out
}

fn lowercase_label(label: &str) -> String {
    // Keep acronyms (SGBV) as they are.
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(label[first.len_utf8()..].chars()).collect()
        }
        _ => label.to_string(),
    }
}

/// Speaker turns: interviews alternate question and answer (mostly; answers sometimes run on or a
/// note without label intervenes); narratives have no labels.
fn turns(n: usize, rng: &mut ChaCha8Rng) -> Vec<Turn> {
    if rng.random_bool(0.25) {
        return vec![Turn::Unlabeled; n];
    }
    let mut out = Vec::with_capacity(n);
    let mut previous = Turn::Answer;
    for i in 0..n {
        let turn = if i == 0 && rng.random_bool(0.6) {
            Turn::Unlabeled // the interviewer's note on the setting
        } else {
            match rng.random_range(0..20) {
                0 => Turn::Unlabeled,
                1 if previous == Turn::Answer => Turn::Answer,
                _ if previous == Turn::Question => Turn::Answer,
                _ => Turn::Question,
            }
        };
        if turn != Turn::Unlabeled {
            previous = turn;
        }
        out.push(turn);
    }
    out
}

fn days_in_month(year: u16, month: u32) -> u32 {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Counts the bytes that pass through, for the report.
struct CountingWriter<'w, W: Write> {
    inner: &'w mut W,
    bytes: u64,
}

impl<W: Write> Write for CountingWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::passage::split_paragraphs;
    use crate::ingest::record::validate;
    use crate::taxonomy::Resolution;

    fn taxonomy() -> Taxonomy {
        Taxonomy::embedded().expect("the embedded taxonomy loads")
    }

    fn cfg(testimonies: usize, seed: u64, queries: usize) -> GeneratorConfig {
        GeneratorConfig { testimonies, seed, queries }
    }

    fn corpus_bytes(cfg: &GeneratorConfig, taxonomy: &Taxonomy) -> (Vec<u8>, CorpusStats) {
        let mut out = Vec::new();
        let stats = write_corpus(cfg, taxonomy, &mut out).unwrap();
        (out, stats)
    }

    fn query_bytes(cfg: &GeneratorConfig, taxonomy: &Taxonomy) -> Vec<u8> {
        let mut out = Vec::new();
        write_queries(cfg, taxonomy, &mut out).unwrap();
        out
    }

    /// FNV-1a, to pin output without storing it.
    fn fingerprint(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        let t = taxonomy();
        let c = cfg(25, 7, 60);
        let (first, stats) = corpus_bytes(&c, &t);
        assert_eq!(first, corpus_bytes(&c, &t).0);
        assert_eq!(query_bytes(&c, &t), query_bytes(&c, &t));
        assert_eq!(stats.bytes, first.len() as u64);
        assert_eq!(stats.testimonies, 25);
        assert_eq!(first.iter().filter(|&&b| b == b'\n').count(), 25);
    }

    #[test]
    fn a_different_seed_gives_different_bytes() {
        let t = taxonomy();
        assert_ne!(corpus_bytes(&cfg(10, 1, 0), &t).0, corpus_bytes(&cfg(10, 2, 0), &t).0);
        assert_ne!(query_bytes(&cfg(10, 1, 40), &t), query_bytes(&cfg(10, 2, 40), &t));
    }

    #[test]
    fn a_testimony_does_not_depend_on_how_many_are_generated() {
        let t = taxonomy();
        let few: Vec<GeneratedTestimony> = testimonies(&cfg(3, 9, 0), &t).unwrap().collect();
        let more: Vec<GeneratedTestimony> = testimonies(&cfg(8, 9, 0), &t).unwrap().take(3).collect();
        assert_eq!(few, more);
    }

    /// Pins the text of seed 42: word lists, Zipf table, ChaCha8 and rand's sampling. A change here
    /// with no change to this module means the output depends on the platform or on a dependency's
    /// version; after a deliberate change to the generator, update the constant. (Taxonomy data is
    /// left out on purpose, so that editing index-schema/ does not trip it.)
    #[test]
    fn output_is_pinned() {
        let t = taxonomy();
        let g = Generator::new(GeneratorConfig::default(), &t).unwrap();
        let mut rng = stream_rng(42, 0);
        let mut text = String::new();
        for i in 0..12 {
            let turn = [Turn::Question, Turn::Answer, Turn::Unlabeled][i % 3];
            g.korean_paragraph(&mut text, turn, &[], &mut rng);
            g.english_paragraph(&mut text, turn, &[], &mut rng);
            text += &g.query_terms(i % 2 == 0, &mut rng);
        }
        assert_eq!(fingerprint(text.as_bytes()), PINNED, "fingerprint {:#x}", fingerprint(text.as_bytes()));
    }
    const PINNED: u64 = 0xf309_3765_12db_8ab4;

    #[test]
    fn every_record_validates_and_its_codes_resolve() {
        let t = taxonomy();
        let n = 200;
        let mut korean = 0;
        let mut labelled = 0;
        let mut paragraph_lengths: Vec<usize> = Vec::new();
        for record in testimonies(&cfg(n, 42, 0), &t).unwrap() {
            let value = serde_json::to_value(&record).unwrap();
            let validated = validate(value).unwrap_or_else(|e| panic!("{}: {}", record.id, e.reason));
            assert!(validated.warnings.is_empty(), "{}: {:?}", record.id, validated.warnings);
            let testimony = validated.testimony;

            let paragraphs = split_paragraphs(&testimony.transcript);
            assert_eq!(paragraphs.len() as u32, record.passages, "{}", record.id);
            assert!(PASSAGES.contains(&record.passages), "{}: {} passages", record.id, record.passages);
            labelled += paragraphs.iter().filter(|p| p.speaker.is_some()).count();
            paragraph_lengths.extend(paragraphs.iter().map(|p| p.text.chars().count()));
            if record.language == "ko" {
                korean += 1;
            }

            assert!(EVENTS.contains(&record.events.len()), "{}", record.id);
            for e in &record.events {
                assert!(t.violation(&e.violation).is_some(), "{}: {}", record.id, e.violation);
                assert!(t.place(&e.location).is_some(), "{}: {}", record.id, e.location);
                assert_eq!(t.resolve_place(&e.location), Resolution::Resolved(e.location.clone()));
                assert!(EVENT_YEARS.contains(&e.year));
                if let Some(to) = e.year_to {
                    assert!(to > e.year && EVENT_YEARS.contains(&to), "{}: {e:?}", record.id);
                }
                // The year is told in the text, in every language's form.
                assert!(testimony.transcript.contains(&e.year.to_string()), "{}: {} not in text", record.id, e.year);
            }
            let province = t.place(&record.interviewee.origin_province).unwrap();
            assert_eq!(province.kind, "province");
            assert!(province.id.starts_with("kp/"));
            let interview_year: u16 = record.interview_date[..4].parse().unwrap();
            assert!(INTERVIEW_YEARS.contains(&interview_year));
            let last_event = record.events.iter().map(|e| e.year_to.unwrap_or(e.year)).max().unwrap();
            assert!(interview_year > last_event || interview_year == *INTERVIEW_YEARS.start());
        }
        let share = f64::from(korean) / n as f64;
        assert!((0.5..=0.7).contains(&share), "Korean share {share}");
        assert!(labelled > 0);
        paragraph_lengths.sort_unstable();
        let p5 = paragraph_lengths[paragraph_lengths.len() / 20];
        let p95 = paragraph_lengths[paragraph_lengths.len() * 19 / 20];
        assert!(p5 >= 140 && p95 <= 650, "paragraph lengths p5 {p5}, p95 {p95}");
    }

    #[test]
    fn event_places_are_found_in_the_text() {
        let t = taxonomy();
        let (mut events, mut found) = (0, 0);
        for record in testimonies(&cfg(60, 5, 0), &t).unwrap() {
            let places = t.extract(&record.transcript).places;
            for e in &record.events {
                events += 1;
                // A spelling may name the place or, for facilities, the place it is in.
                if places.iter().any(|m| m.id == e.location || e.location.starts_with(&format!("{}/", m.id))) {
                    found += 1;
                }
            }
        }
        assert!(found * 10 >= events * 9, "{found} of {events} event places found in the text");
    }

    #[test]
    fn queries_have_the_documented_fields_and_proportions() {
        let t = taxonomy();
        let n = 500;
        let bytes = query_bytes(&cfg(300, 42, n), &t);
        let text = String::from_utf8(bytes).unwrap();
        let (mut korean, mut phrases, mut years, mut locations, mut violations) = (0, 0, 0, 0, 0);
        for (i, line) in text.lines().enumerate() {
            let q: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(q["id"], format!("q{:05}", i + 1));
            let words = q["q"].as_str().unwrap();
            assert!(!words.trim().is_empty());
            if words.starts_with('"') {
                phrases += 1;
                assert!(words.ends_with('"') && words.split_whitespace().count() == 2, "{words}");
            } else {
                assert!((1..=3).contains(&words.split_whitespace().count()), "{words}");
            }
            match q["lang"].as_str().unwrap() {
                "ko" => korean += 1,
                "en" => {}
                other => panic!("lang {other}"),
            }
            match (q.get("year_from"), q.get("year_to")) {
                (Some(from), Some(to)) => {
                    years += 1;
                    assert!(from.as_u64().unwrap() <= to.as_u64().unwrap());
                }
                (None, None) => {}
                _ => panic!("year_from and year_to come together: {line}"),
            }
            if let Some(ids) = q.get("location") {
                locations += 1;
                for id in ids.as_array().unwrap() {
                    let place = t.place(id.as_str().unwrap()).unwrap();
                    assert!(["province", "special-city", "city", "county"].contains(&place.kind.as_str()));
                }
            }
            if let Some(codes) = q.get("violation") {
                violations += 1;
                for code in codes.as_array().unwrap() {
                    assert!(t.violation(code.as_str().unwrap()).is_some());
                }
            }
        }
        assert_eq!(text.lines().count(), n);
        let share = |k: usize| k as f64 / n as f64;
        assert!((0.5..=0.7).contains(&share(korean)), "Korean {korean}");
        assert!((0.05..=0.16).contains(&share(phrases)), "phrases {phrases}");
        for (name, k) in [("years", years), ("locations", locations), ("violations", violations)] {
            assert!((0.13..=0.27).contains(&share(k)), "{name} {k}");
        }
    }

    #[test]
    fn korean_particles_follow_the_final_consonant() {
        assert_eq!(particle_form("집", OBJECT), "을");
        assert_eq!(particle_form("어머니", OBJECT), "를");
        assert_eq!(particle_form("사람", TOPIC), "은");
        assert_eq!(particle_form("학교", TOPIC), "는");
        assert_eq!(particle_form("남편", AND), "과");
        assert_eq!(particle_form("아내", AND), "와");
        assert_eq!(particle_form("집", DIRECTION), "으로");
        assert_eq!(particle_form("학교", DIRECTION), "로");
        assert_eq!(particle_form("서울", DIRECTION), "로"); // ㄹ takes 로
        assert_eq!(particle_form("2008년", SUBJECT), "이");
    }

    #[test]
    fn english_inflection() {
        assert_eq!(plural("child").as_deref(), Some("children"));
        assert_eq!(plural("city").as_deref(), Some("cities"));
        assert_eq!(plural("day").as_deref(), Some("days"));
        assert_eq!(plural("box").as_deref(), Some("boxes"));
        assert_eq!(plural("knife").as_deref(), Some("knives"));
        assert_eq!(plural("rice"), None);
        assert_eq!(past("carry"), "carried");
        assert_eq!(past("stay"), "stayed");
        assert_eq!(past("stop"), "stopped");
        assert_eq!(past("close"), "closed");
        assert_eq!(past("go"), "went");
        assert_eq!(ing_form("make"), "making");
        assert_eq!(ing_form("see"), "seeing");
        assert_eq!(ing_form("run"), "running");
        assert_eq!(ing_form("carry"), "carrying");
        assert_eq!(indefinite_article("hour"), "an");
        assert_eq!(indefinite_article("uniform"), "a");
        assert_eq!(indefinite_article("old"), "an");
    }

    #[test]
    fn word_lists_have_no_duplicates_and_are_large_enough() {
        for (name, list, least) in [
            ("KO_NOUNS", &LEXICON.ko_nouns, 300),
            ("EN_NOUNS", &LEXICON.en_nouns, 200),
            ("EN_VERBS", &LEXICON.en_verbs, 100),
            ("EN_ADJECTIVES", &LEXICON.en_adjectives, 40),
            ("KO_FINAL_ENDINGS", &LEXICON.ko_final_endings, 30),
            ("KO_CONNECTIVES", &LEXICON.ko_connectives, 20),
        ] {
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            let before = sorted.len();
            sorted.dedup();
            assert_eq!(before, sorted.len(), "{name} has duplicates");
            assert!(list.len() >= least, "{name} has {} words", list.len());
        }
        let english = LEXICON.en_nouns.len() + LEXICON.en_verbs.len() + LEXICON.en_adjectives.len() + EN_ADVERBS.len();
        assert!(english >= 400, "{english} English words");
        for verb in &LEXICON.intransitive {
            assert!(LEXICON.en_verbs.contains(verb), "{verb} is not in EN_VERBS");
        }
    }

    /// Generated texts carry places and violations only where events put them: no word of the
    /// vocabulary, in any inflected form, is itself a place name or a violation term.
    #[test]
    fn the_vocabulary_names_no_place_and_no_violation() {
        let t = taxonomy();
        let mut forms: Vec<String> = LEXICON.ko_nouns.iter().map(|w| w.to_string()).collect();
        for noun in &LEXICON.en_nouns {
            forms.push(noun.to_string());
            forms.extend(plural(noun).map(Cow::into_owned));
        }
        for verb in &LEXICON.en_verbs {
            forms.extend([verb.to_string(), past(verb).into_owned(), ing_form(verb)]);
        }
        forms.extend(LEXICON.en_adjectives.iter().chain(EN_ADVERBS).map(|w| w.to_string()));
        forms.extend(KO_ADVERBS.iter().map(|w| w.to_string()));
        let tagged: Vec<String> = forms
            .iter()
            .filter_map(|w| {
                let found = t.extract(w);
                let ids: Vec<&str> = found.places.iter().chain(&found.violations).map(|m| m.id.as_str()).collect();
                (!ids.is_empty()).then(|| format!("{w} → {}", ids.join(", ")))
            })
            .collect();
        assert!(tagged.is_empty(), "{tagged:#?}");
    }

    /// Beyond single words: the text between mentions, however its words combine, must rarely read
    /// as a place, a violation or a year (사람이 장사를 was "사람 장사", trafficking; 길에서 주었다
    /// was 길주, a county). A few combinations mean what they say ("the ration stopped" is a sign
    /// of famine), so this bounds the rate rather than forbidding every match.
    #[test]
    fn text_without_mentions_rarely_extracts_anything() {
        let t = taxonomy();
        let g = Generator::new(GeneratorConfig::default(), &t).unwrap();
        let mut rng = stream_rng(17, 0);
        let mut found: Vec<String> = Vec::new();
        let paragraphs = 1000;
        for i in 0..paragraphs {
            let turn = [Turn::Question, Turn::Answer, Turn::Unlabeled][i % 3];
            let mut text = String::new();
            if i % 2 == 0 {
                g.korean_paragraph(&mut text, turn, &[], &mut rng);
            } else {
                g.english_paragraph(&mut text, turn, &[], &mut rng);
            }
            let e = t.extract(&text);
            for m in e.places.iter().chain(&e.violations) {
                found.push(format!("{} ← {:?}", m.id, &text[m.from..m.to]));
            }
            if !e.years.is_empty() {
                found.push(format!("years {:?} in {text:?}", e.years));
            }
        }
        assert!(found.len() * 200 <= paragraphs, "{found:#?}");
    }

    #[test]
    fn zipf_weights_fall_with_rank() {
        assert_eq!(zipf_weight(1), 1 << 40);
        // 2^1.0996 = 2.1430…
        let ratio = zipf_weight(1) as f64 / zipf_weight(2) as f64;
        assert!((ratio - 2.143).abs() < 0.001, "{ratio}");
        let table = WeightedTable::zipf(100);
        let mut rng = stream_rng(1, 0);
        let mut counts = [0usize; 100];
        for _ in 0..20_000 {
            counts[table.sample(&mut rng)] += 1;
        }
        assert!(counts[0] > counts[1] && counts[1] > counts[9] && counts[9] > counts[99]);
    }

    #[test]
    fn spellings_are_of_the_place() {
        let t = taxonomy();
        let g = Generator::new(GeneratorConfig::default(), &t).unwrap();
        let mut rng = stream_rng(3, 0);
        for place in g.event_places.iter().take(80) {
            for korean in [true, false] {
                let name = g.spelling(place, korean, &mut rng);
                assert!(if korean { is_hangul_name(&name) } else { is_latin_name(&name) }, "{name}");
            }
        }
        assert_eq!(strip_breves("Ch'ŏngjin"), "Ch'ongjin");
        assert_eq!(without_suffix("회령시"), Some("회령"));
        assert_eq!(without_suffix("장백조선족자치현"), None);
        assert_eq!(lowercase_label("Public execution"), "public execution");
        assert_eq!(proper_case("north korean workers in china"), "North Korean workers in China");
        assert_eq!(proper_case("fled north"), "fled north");
    }
}
