//! Quotes over HTTP on the sample corpus: sentences that contain the matched terms, cited to the
//! right paragraph, at most N per testimony, with their context.

mod common;

use common::{enc, get};

#[tokio::test]
async fn quotes_are_matching_sentences_cited_to_their_paragraph() {
    let (status, body) = get(&format!("/api/quotes?q={}&per_page=20", enc("public execution"))).await;
    assert_eq!(status, 200, "{body}");
    let quotes = body["quotes"].as_array().unwrap();
    assert!(quotes.len() >= 3, "{body}");
    for q in quotes {
        let (text, passage_id) = (q["text"].as_str().unwrap(), q["passage_id"].as_str().unwrap());
        assert!(q["highlight"].as_str().unwrap().contains("<mark>"), "{q}");
        let (status, passage) = get(&format!("/api/passages/{}", enc(passage_id))).await;
        assert_eq!(status, 200);
        let passage_text = passage["passage"]["text"].as_str().unwrap();
        assert!(passage_text.contains(text), "quote not in its passage: {q}");
        // A sentence, not the whole paragraph (when the paragraph has several).
        assert!(text.len() <= passage_text.len());
        let paragraph = q["paragraph"].as_u64().unwrap();
        assert_eq!(passage_id, format!("{}#{paragraph}", q["testimony_id"].as_str().unwrap()));
        let plain = q["citation"]["plain"].as_str().unwrap();
        assert!(plain.starts_with(&format!("{} ¶{paragraph}", q["testimony_id"].as_str().unwrap())), "{plain}");
        assert!(q["citation"]["markdown"].as_str().unwrap().starts_with("[^"));
        assert_eq!(q["citation"]["csl"]["locator"], paragraph.to_string());
        assert_eq!(q["citation"]["csl"]["type"], "interview");
        // Stopwords of a multi-word expansion are not marked.
        assert!(!q["highlight"].as_str().unwrap().contains("<mark>the</mark>"), "{q}");
    }
}

#[tokio::test]
async fn answers_come_before_questions() {
    let (_, body) = get(&format!("/api/quotes?q={}&per_page=3", enc("공개처형"))).await;
    let first = &body["quotes"][0];
    let (_, passage) = get(&format!("/api/passages/{}", enc(first["passage_id"].as_str().unwrap()))).await;
    assert_ne!(passage["passage"]["speaker"], "Q", "{body}");
}

#[tokio::test]
async fn one_witness_cannot_fill_the_page() {
    let (status, body) = get(&format!("/api/quotes?q={}&per_page=50&per_testimony=1", enc("보위부"))).await;
    assert_eq!(status, 200, "{body}");
    let mut seen = std::collections::HashSet::new();
    for q in body["quotes"].as_array().unwrap() {
        assert!(seen.insert(q["testimony_id"].as_str().unwrap().to_string()), "two quotes from one testimony: {body}");
    }
    assert!(seen.len() >= 2, "{body}");
}

#[tokio::test]
async fn quotes_need_a_query_and_sane_limits() {
    for bad in [
        "/api/quotes",
        "/api/quotes?q=camp&per_testimony=0",
        "/api/quotes?q=camp&per_page=500",
        "/api/quotes?q=camp&colour=red",
    ] {
        let (status, body) = get(bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body["error"]["code"].is_string(), "{body}");
    }
}
