//! Property tests for the code that reads hostile input: the analyzers (any Unicode text), the
//! query parser and search requests, record validation and JSON Lines, front matter. The checks
//! are those of the fuzz targets (tests/invariants/mod.rs, shared with fuzz/); here they run on
//! generated input in the normal suite, with case counts kept small so the suite stays fast.
//! (The tokenizer offsets on mixed scripts, document and JSON Lines parsing without panics are
//! already pinned by unit properties in src/analysis/tokenizers.rs and src/ingest/source.rs.)

mod invariants;

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use testimony_search::analysis::Lang;
use testimony_search::ingest::{record, source};
use testimony_search::search::{OneOrMany, SearchRequest};

/// Text of the kinds transcripts and queries hold, and of the kinds that break naive code:
/// combining marks, decomposed Hangul (jamo), full-width forms, zero-width and bidi controls,
/// astral-plane characters, lone punctuation, CRLF.
fn hostile_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            3 => "[가-힣]{1,6}",
            3 => "[a-zA-ZŏŭŎŬéÉ']{1,8}",
            2 => "[0-9]{1,4}",
            1 => "[ᄀ-ᇿㄱ-ㅣ]{1,3}",
            1 => "[\u{0300}-\u{036F}\u{200B}-\u{200F}\u{202A}-\u{202E}\u{FEFF}]{1,3}",
            1 => "[Ａ-Ｚａ-ｚ０-９！-／]{1,4}",
            2 => "[ .,!?\"'()\\-…·:：\n\r\t]{1,3}",
            1 => "\\PC{1,4}",
            1 => any::<char>().prop_map(String::from),
            1 => Just("Q: ".to_string()),
            1 => Just("\n\n답변: ".to_string()),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

/// Query text: words and names the taxonomy knows, with the query syntax mixed in anywhere.
fn query_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            3 => "[가-힣]{1,5}(에서|에|을|는)?",
            3 => "[a-zA-Zŏŭ']{1,9}",
            2 => prop::sample::select(vec![
                "회령", "Hoeryŏng", "public execution", "공개처형", "보위부", "Yodok", "kwanliso No. 15", "정치범 수용소",
                "torture", "Ch'ŏngjin", "2008년", "강제송환", "forced repatriation",
            ]).prop_map(String::from),
            2 => prop::sample::select(vec![
                " ", " ", "\"", "-", " OR ", " NOT ", "(", ")", "*", ":", "~", "^", "+", "||", "&&", "--", "\"\"", "-\"",
            ]).prop_map(String::from),
            1 => hostile_text(),
        ],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

/// A filter value: a known label or id in some spelling, or anything.
fn filter_value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "회령",
            "Hoeryong",
            "kp/north-hamgyong/hoeryong",
            "life/public-execution",
            "torture",
            "16.1",
            "16",
            "SDG 16.2",
            "Yodŏk",
            "",
        ])
        .prop_map(String::from),
        "\\PC{0,12}",
    ]
}

fn one_or_many() -> impl Strategy<Value = OneOrMany> {
    prop_oneof![
        3 => Just(OneOrMany::None),
        2 => filter_value().prop_map(OneOrMany::One),
        1 => proptest::collection::vec(filter_value(), 0..4).prop_map(OneOrMany::Many),
    ]
}

fn choice(known: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        2 => Just(None),
        3 => prop::sample::select(known).prop_map(|s| Some(s.to_string())),
        1 => "\\PC{0,8}".prop_map(Some),
    ]
}

fn number() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![2 => Just(None), 3 => (-5i64..12_000).prop_map(Some), 1 => any::<i64>().prop_map(Some)]
}

fn search_request() -> impl Strategy<Value = SearchRequest> {
    (
        (prop_oneof![1 => Just(None), 4 => query_text().prop_map(Some)], choice(&["auto", "ko", "en", "KO", "fr"])),
        (one_or_many(), one_or_many(), one_or_many()),
        (number(), number(), number(), number()),
        (
            choice(&["passage", "testimony"]),
            choice(&["relevance", "year"]),
            choice(&["all", "coded"]),
            choice(&["all", "none", "location,year", "violation, sdg", "location,,", "places"]),
        ),
    )
        .prop_map(
            |(
                (q, lang),
                (location, violation, sdg),
                (year_from, year_to, page, per_page),
                (group, sort, provenance, facets),
            )| {
                SearchRequest {
                    q,
                    lang,
                    location,
                    violation,
                    sdg,
                    year_from: year_from.map(|y| if (-5..12_000).contains(&y) { 1890 + y % 230 } else { y }),
                    year_to: year_to.map(|y| if (-5..12_000).contains(&y) { 1890 + y % 230 } else { y }),
                    group,
                    page: page.map(|p| if (-5..12_000).contains(&p) { p % 40 } else { p }),
                    per_page: per_page.map(|p| if (-5..12_000).contains(&p) { p % 120 } else { p }),
                    sort,
                    provenance,
                    facets,
                }
            },
        )
}

/// Any JSON value, small.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (1890u64..2120).prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,10}".prop_map(Value::String),
        hostile_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{1,10}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A year field as records give it: a number, a string, a float, out of range, nonsense.
fn year_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (1880u64..2130).prop_map(Value::from),
        1 => (1880u64..2130).prop_map(|y| Value::from(y.to_string())),
        1 => (1880u64..2130).prop_map(|y| json!(y as f64 + 0.5)),
        1 => any::<i64>().prop_map(Value::from),
        1 => any_json(),
    ]
}

/// An object shaped like a record: the contract's fields, each valid, wrong-typed or absent.
fn record_like() -> impl Strategy<Value = Value> {
    let event = (
        prop::option::of(prop_oneof![filter_value().prop_map(Value::String), any_json()]),
        prop::option::of(prop_oneof![filter_value().prop_map(Value::String), any_json()]),
        prop::option::of(year_value()),
        prop::option::of(year_value()),
        prop::option::of(any_json()),
    )
        .prop_map(|(violation, location, year, year_to, extra)| {
            let mut m = Map::new();
            for (k, v) in [
                ("violation", violation),
                ("location", location),
                ("year", year),
                ("year_to", year_to),
                ("note", extra),
            ] {
                if let Some(v) = v {
                    m.insert(k.into(), v);
                }
            }
            Value::Object(m)
        });
    (
        prop_oneof![
            4 => "[A-Z]{2}-[0-9]{4}-[0-9]{1,4}".prop_map(Value::String),
            1 => "\\PC{0,140}".prop_map(Value::String),
            1 => any::<i64>().prop_map(Value::from),
            1 => any_json(),
        ],
        prop_oneof![4 => hostile_text().prop_map(Value::String), 1 => any_json()],
        (
            prop::option::of(prop_oneof![
                prop::sample::select(vec!["ko", "en", "de"]).prop_map(Value::from),
                any_json()
            ]),
            prop::option::of(prop_oneof!["(19|20)[0-9]{2}-[0-1][0-9]-[0-3][0-9]".prop_map(Value::String), any_json()]),
            prop::option::of(prop_oneof![
                prop::sample::select(vec!["public", "Restricted", "secret"]).prop_map(Value::from),
                any_json()
            ]),
        ),
        prop::option::of(prop_oneof![
            (
                prop::option::of("[a-z]{0,8}"),
                prop::option::of("(19[0-9]0s|19[0-9]{2}|\\PC{0,5})"),
                prop::option::of("\\PC{0,8}")
            )
                .prop_map(|(g, d, p)| json!({"gender": g, "birth_decade": d, "origin_province": p, "name": "x"})),
            any_json(),
        ]),
        prop::option::of(
            prop_oneof![4 => proptest::collection::vec(event, 0..4).prop_map(Value::Array), 1 => any_json()],
        ),
    )
        .prop_map(|(id, transcript, (language, date, access), interviewee, events)| {
            let mut m = Map::new();
            m.insert("id".into(), id);
            m.insert("transcript".into(), transcript);
            for (k, v) in [
                ("language", language),
                ("interview_date", date),
                ("access", access),
                ("interviewee", interviewee),
                ("events", events),
            ] {
                if let Some(v) = v {
                    m.insert(k.into(), v);
                }
            }
            Value::Object(m)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Offsets inside the text and on char boundaries for every analyzer and splitter, whatever
    /// the characters; normalisation idempotent; highlighted HTML escaped.
    #[test]
    fn analyzers_hold_their_invariants_on_hostile_text(text in hostile_text()) {
        invariants::analyzers(&text);
    }

    #[test]
    fn analyzers_hold_their_invariants_on_any_string(text in any::<String>()) {
        invariants::analyzers(&text);
    }

    /// Any query text in any language mode gives a plan (or none) without a panic.
    #[test]
    fn query_parsing_never_panics(text in query_text(), lang in prop::sample::select(vec![None, Some(Lang::Ko), Some(Lang::En)])) {
        invariants::query_text(&text, lang);
    }

    /// A record shaped like the contract, with any field wrong: validation either rejects it with
    /// a reason or accepts what preparation can index (passages numbered densely, years in range).
    #[test]
    fn record_validation_keeps_its_promises(value in record_like()) {
        invariants::record_value(value);
    }

    /// Lines of records and garbage, with blank lines and CRLF: each record keeps its line number.
    #[test]
    fn json_lines_records_keep_their_line_numbers(
        lines in proptest::collection::vec(prop_oneof![
            3 => record_like().prop_map(|v| v.to_string()),
            1 => "\\PC{0,30}",
            1 => Just(String::new()),
            1 => any_json().prop_map(|v| v.to_string()),
        ], 0..6),
        crlf in any::<bool>(),
    ) {
        let body = lines.join(if crlf { "\r\n" } else { "\n" });
        invariants::json_lines(body.as_bytes());
        let read = source::read_jsonl(body.as_bytes(), "x").unwrap();
        let non_blank = lines.iter().filter(|l| !l.trim().is_empty()).count();
        prop_assert_eq!(read.len(), non_blank);
    }

    /// A valid record written as a front-matter document reads back as the same record.
    #[test]
    fn front_matter_documents_read_back_as_their_record(
        id in "[A-Z]{2}-[0-9]{4}-[0-9]{1,4}",
        title in "[가-힣a-zA-Z ]{0,20}",
        year in 1900u16..=2100,
        paragraphs in proptest::collection::vec("[가-힣a-zA-Z0-9 .,?]{1,40}", 1..5),
        crlf in any::<bool>(),
        bom in any::<bool>(),
    ) {
        prop_assume!(paragraphs.iter().all(|p| !p.trim().is_empty()));
        let nl = if crlf { "\r\n" } else { "\n" };
        let body = paragraphs.iter().map(|p| p.trim()).collect::<Vec<_>>().join(&format!("{nl}{nl}"));
        let doc = format!(
            "{}---{nl}id: {id}{nl}title: {}{nl}events:{nl}  - year: {year}{nl}---{nl}{nl}{body}{nl}",
            if bom { "\u{feff}" } else { "" },
            serde_json::to_string(title.trim()).unwrap(),
        );
        invariants::front_matter(&doc);
        let v = record::validate(source::parse_document(&doc).unwrap()).unwrap().testimony;
        prop_assert_eq!(&v.id, &id);
        prop_assert_eq!(v.events[0].year, Some(year));
        let lf = |s: &str| s.replace("\r\n", "\n");
        prop_assert_eq!(lf(&v.transcript), lf(&body));
    }

    /// Any document at all: parsed or refused with a reason, never a panic.
    #[test]
    fn front_matter_of_any_shape_is_parsed_or_refused(
        front in proptest::collection::vec(prop_oneof![
            "[a-z_]{1,8}: \\PC{0,12}",
            "  - [a-z]{1,5}: [0-9]{1,4}",
            Just("events:".to_string()),
            Just("transcript: |".to_string()),
            Just("a: &x [1, 2]".to_string()),
            Just("b: *x".to_string()),
            Just("<<: *x".to_string()),
            Just("!!binary aGk=".to_string()),
            Just("? complex".to_string()),
            "\\PC{0,20}",
        ], 0..8),
        close in prop::sample::select(vec!["---", "...", "--- ", "----", ""]),
        body in hostile_text(),
    ) {
        invariants::front_matter(&format!("---\n{}\n{close}\n{body}", front.join("\n")));
    }
}

proptest! {
    // Each case runs a search and a quotes request on the sample index: fewer cases.
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any combination of parameters: a valid answer within what was asked, or the caller's
    /// error; never an internal one.
    #[test]
    fn search_requests_fail_only_for_the_callers_mistakes(request in search_request()) {
        invariants::search(request);
    }
}
