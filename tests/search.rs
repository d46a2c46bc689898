//! Search over HTTP on the sample corpus: Korean morphology, English stems, place spellings,
//! cross-language expansion, facet filters and multi-select counts.

mod common;

use common::{enc, facet_count, get, hit_testimonies, post_json};
use serde_json::{json, Value};

async fn search(params: &str) -> Value {
    let (status, body) = get(&format!("/api/search?per_page=100&{params}")).await;
    assert_eq!(status, 200, "{params}: {body}");
    body
}

async fn testimonies_for(q: &str) -> Vec<String> {
    hit_testimonies(&search(&format!("q={}", enc(q))).await)
}

#[tokio::test]
async fn korean_query_finds_particle_variants_compounds_and_spacing() {
    let ids = testimonies_for("수용소").await;
    for want in ["KR-2016-0031", "KR-2005-0012", "KR-2014-0023"] {
        assert!(
            ids.contains(&want.to_string()),
            "수용소 should find {want} (수용소에서 / 정치범수용소 / 정치범 수용소): {ids:?}"
        );
    }
    // The compound typed as one word finds the spaced form, and the other way round.
    assert!(testimonies_for("정치범수용소").await.contains(&"KR-2014-0023".to_string()));
    assert!(testimonies_for("정치범 수용소").await.contains(&"KR-2005-0012".to_string()));
}

#[tokio::test]
async fn the_demo_query_returns_hits_with_all_four_facets() {
    let body = search(&format!("q={}", enc("수용소"))).await;
    assert!(body["total"].as_u64().unwrap() > 0);
    for facet in ["location", "year", "violation", "sdg"] {
        assert!(!body["facets"][facet].as_array().unwrap().is_empty(), "facet {facet} is empty");
    }
    let hit = &body["hits"][0];
    for field in [
        "passage_id",
        "testimony_id",
        "paragraph",
        "language",
        "speaker",
        "text",
        "highlight",
        "score",
        "places",
        "years",
        "violations",
        "sdg",
        "citation",
    ] {
        assert!(hit.get(field).is_some(), "hit lacks {field}: {hit}");
    }
    assert!(hit["highlight"].as_str().unwrap().contains("<mark>"), "{hit}");
}

#[tokio::test]
async fn english_query_finds_stem_variants() {
    let ids = testimonies_for("execution").await;
    for want in ["EN-2018-0008", "EN-2010-0002", "EN-2014-0003"] {
        assert!(
            ids.contains(&want.to_string()),
            "execution should find {want} (executions/executed/execution): {ids:?}"
        );
    }
}

#[tokio::test]
async fn a_place_matches_in_every_spelling() {
    let planted = ["EN-2010-0002", "EN-2014-0003", "EN-2015-0006", "KR-2012-0007"];
    for q in ["Hoeryong", "Hoeryŏng", "Hoeryeong", "회령"] {
        let ids = testimonies_for(q).await;
        for want in planted {
            assert!(ids.contains(&want.to_string()), "{q} should find {want}: {ids:?}");
        }
    }
}

#[tokio::test]
async fn cross_language_concepts_are_expanded_and_reported() {
    let body = search(&format!("q={}", enc("public execution"))).await;
    let ids = hit_testimonies(&body);
    assert!(ids.iter().any(|i| i.starts_with("KR-")), "public execution should reach Korean testimony: {ids:?}");
    assert_eq!(body["query"]["expansions"][0]["id"], "life/public-execution");
    let back = testimonies_for("공개처형").await;
    assert!(back.iter().any(|i| i.starts_with("EN-")), "공개처형 should reach English testimony: {back:?}");
}

#[tokio::test]
async fn a_glossary_term_wins_over_a_shorter_concept_name_inside_it() {
    // "medicinal" alone names the denial of medical care; "medicinal herbs" is the herbs (약초).
    let body = search(&format!("q={}", enc("medicinal herbs"))).await;
    let kinds: Vec<&str> =
        body["query"]["expansions"].as_array().unwrap().iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["term"], "{}", body["query"]);
    assert_eq!(body["query"]["expansions"][0]["label_ko"], "약초");
}

#[tokio::test]
async fn a_name_recognised_across_words_never_narrows_what_the_words_find() {
    // "husband family" reads as the glossary's "husband's family" (시댁); the sample's passages
    // hold the two words apart, which "family husband" (no name) finds. Word order must not
    // decide what is found.
    let named = search(&format!("q={}", enc("husband family"))).await;
    let plain = search(&format!("q={}", enc("family husband"))).await;
    assert!(plain["total"].as_u64().unwrap() > 0, "{}", plain["query"]);
    assert_eq!(named["total"], plain["total"], "{}", named["query"]);
    assert_eq!(hit_testimonies(&named).len(), hit_testimonies(&plain).len());
    let ids: Vec<&str> =
        named["query"]["expansions"].as_array().unwrap().iter().filter_map(|e| e["label_ko"].as_str()).collect();
    assert!(ids.contains(&"시댁"), "the whole name is still reported: {}", named["query"]);
}

#[tokio::test]
async fn highlights_mark_the_matched_forms() {
    let body = search(&format!("q={}", enc("Hoeryeong"))).await;
    let marked: Vec<&str> = body["hits"].as_array().unwrap().iter().filter_map(|h| h["highlight"].as_str()).collect();
    assert!(
        marked.iter().any(|h| h.contains("<mark>Hoeryŏng</mark>") || h.contains("<mark>Hoeryong</mark>")),
        "{marked:?}"
    );
}

#[tokio::test]
async fn each_facet_filter_narrows_to_matching_testimonies() {
    let all = search("").await;
    let n_all = all["testimonies"].as_u64().unwrap();
    for (param, value, facet, canonical) in [
        ("location", "Hoeryong", "location", json!("kp/north-hamgyong/hoeryong")),
        ("location", "회령시", "location", json!("kp/north-hamgyong/hoeryong")),
        ("violation", "public execution", "violation", json!("life/public-execution")),
        ("violation", "detention", "violation", json!("detention")),
        ("sdg", "16.1", "sdg", json!("16.1")),
        ("sdg", "5", "sdg", json!("5")),
    ] {
        let body = search(&format!("{param}={}", enc(value))).await;
        let n = body["testimonies"].as_u64().unwrap();
        assert!(n > 0 && n < n_all, "{param}={value}: {n} of {n_all}");
        // The filtered count equals the facet count of the value in the unfiltered search.
        assert_eq!(n, facet_count(&all, facet, &canonical), "{param}={value}");
        assert_eq!(body["query"]["filters"][facet][0], canonical);
    }
}

#[tokio::test]
async fn year_range_filters_testimonies() {
    let all = search("").await;
    let body = search("year_from=2008&year_to=2008").await;
    let n = body["testimonies"].as_u64().unwrap();
    assert!(n > 0);
    assert_eq!(n, facet_count(&all, "year", &json!(2008)));
    let wide = search("year_from=1990&year_to=2020").await;
    assert!(wide["testimonies"].as_u64().unwrap() >= n);
    // Year counts of a year-filtered search are multi-select: the year facet is not narrowed.
    assert_eq!(facet_count(&body, "year", &json!(1999)), facet_count(&all, "year", &json!(1999)));
}

#[tokio::test]
async fn multi_select_counts_ignore_their_own_filter_and_or_within_a_facet() {
    let all = search("").await;
    let hoeryong = json!("kp/north-hamgyong/hoeryong");
    let yodok = json!("kp/south-hamgyong/yodok");
    let one = search("location=kp/north-hamgyong/hoeryong").await;
    // Own facet: counts as without the filter (so the other values stay selectable).
    assert_eq!(facet_count(&one, "location", &yodok), facet_count(&all, "location", &yodok));
    // Other facets: narrowed to the filtered testimonies.
    let viol = json!("life");
    assert!(facet_count(&one, "violation", &viol) <= one["testimonies"].as_u64().unwrap());
    // Two values of one facet are OR-ed.
    let both = search("location=kp/north-hamgyong/hoeryong&location=kp/south-hamgyong/yodok").await;
    let n_both = both["testimonies"].as_u64().unwrap();
    let n_one = one["testimonies"].as_u64().unwrap();
    assert!(n_both > n_one, "{n_both} vs {n_one}");
    assert!(n_both <= facet_count(&all, "location", &hoeryong) + facet_count(&all, "location", &yodok));
    // Facets are AND-ed.
    let and = search("location=kp/north-hamgyong/hoeryong&violation=detention/political-prison-camp").await;
    assert!(and["testimonies"].as_u64().unwrap() <= n_one);
}

#[tokio::test]
async fn browsing_without_text_pages_through_every_filtered_passage_in_order() {
    // No text: every passage of the filtered testimonies is a hit, in passage order, whatever
    // the page size; grouped, one hit per testimony, its first passage.
    let filter = "location=kp%2Fnorth-hamgyong";
    let all = search(filter).await;
    let total = all["total"].as_u64().unwrap() as usize;
    assert!(total > 7, "{}", all["total"]);
    let ids = |b: &Value| b["hits"].as_array().unwrap().iter().map(|h| h["passage_id"].clone()).collect::<Vec<_>>();
    let mut paged = Vec::new();
    for page in 1..=total.min(100).div_ceil(7) {
        let (status, body) = get(&format!("/api/search?{filter}&per_page=7&page={page}")).await;
        assert_eq!(status, 200, "{body}");
        paged.extend(ids(&body));
    }
    paged.truncate(total.min(100));
    assert_eq!(paged, ids(&all), "pages of 7 are the one page of 100, in order");
    let grouped = search(&format!("{filter}&group=testimony")).await;
    assert_eq!(grouped["total"], all["testimonies"]);
    let firsts: Vec<Value> = grouped["hits"].as_array().unwrap().iter().map(|h| h["paragraph"].clone()).collect();
    assert!(firsts.iter().all(|p| p == 1), "each testimony's first passage: {firsts:?}");
}

#[tokio::test]
async fn group_by_testimony_collapses_passages() {
    let q = enc("수용소");
    let passages = search(&format!("q={q}")).await;
    let grouped = search(&format!("q={q}&group=testimony")).await;
    let ids = hit_testimonies(&grouped);
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "one hit per testimony");
    assert_eq!(grouped["total"], passages["testimonies"]);
    assert!(passages["total"].as_u64() > grouped["total"].as_u64());
}

#[tokio::test]
async fn sort_by_year_orders_hits_by_their_earliest_year() {
    let body = search("sort=year").await;
    let firsts: Vec<u64> = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["years"].as_array().and_then(|y| y.iter().filter_map(Value::as_u64).min()))
        .collect();
    assert!(!firsts.is_empty());
    assert!(firsts.windows(2).all(|w| w[0] <= w[1]) || firsts.len() < 2, "{firsts:?}");
}

#[tokio::test]
async fn pagination_pages_through_without_overlap() {
    let q = enc("수용소");
    let p1 = get(&format!("/api/search?q={q}&per_page=3&page=1")).await.1;
    let p2 = get(&format!("/api/search?q={q}&per_page=3&page=2")).await.1;
    let ids = |b: &Value| b["hits"].as_array().unwrap().iter().map(|h| h["passage_id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&p1).len(), 3);
    assert!(ids(&p1).iter().all(|i| !ids(&p2).contains(i)));
    assert_eq!(p1["total"], p2["total"]);
}

#[tokio::test]
async fn post_search_equals_get() {
    let (s, post) = post_json("/api/search", r#"{"q":"Hoeryong","location":["Hoeryong"],"per_page":5}"#).await;
    assert_eq!(s, 200, "{post}");
    let get = get("/api/search?q=Hoeryong&location=Hoeryong&per_page=5").await.1;
    assert_eq!(post["total"], get["total"]);
    assert_eq!(post["hits"], get["hits"]);
    let (s, single) = post_json("/api/search", r#"{"location":"Hoeryong"}"#).await;
    assert_eq!(s, 200, "{single}");
}

#[tokio::test]
async fn testimony_and_passage_views() {
    let (s, t) = get("/api/testimonies/KR-2012-0007").await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["id"], "KR-2012-0007");
    let passages = t["passage_list"].as_array().unwrap();
    assert_eq!(passages.len() as u64, t["passages"].as_u64().unwrap());
    assert_eq!(passages[0]["paragraph"], 1);
    let (s, p) = get("/api/passages/KR-2012-0007%232").await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["passage"]["passage_id"], "KR-2012-0007#2");
    assert_eq!(p["previous"]["paragraph"], 1);
    assert_eq!(p["next"]["paragraph"], 3);
    assert!(p["passage"]["citation"].as_str().unwrap().starts_with("KR-2012-0007 ¶2"));
    let (_, first) = get("/api/passages/KR-2012-0007%231").await;
    assert!(first["previous"].is_null());
}

#[tokio::test]
async fn speaker_labels_are_stored_apart_from_the_text() {
    let (_, t) = get("/api/testimonies/EN-2014-0003").await;
    let passages = t["passage_list"].as_array().unwrap();
    let labelled: Vec<&Value> = passages.iter().filter(|p| !p["speaker"].is_null()).collect();
    assert!(!labelled.is_empty());
    for p in labelled {
        let text = p["text"].as_str().unwrap();
        assert!(!text.starts_with("Q:") && !text.starts_with("A:"), "{text}");
    }
}

#[tokio::test]
async fn facets_endpoint_lists_the_taxonomy_with_counts() {
    let (s, f) = get("/api/facets").await;
    assert_eq!(s, 200);
    let violations = f["violation"].as_array().unwrap();
    assert!(violations.iter().any(|v| v["value"] == "life/public-execution" && v["count"].as_u64().unwrap() > 0));
    assert!(violations.iter().any(|v| v["count"] == 0), "taxonomy entries without testimony are listed too");
    assert!(f["location"].as_array().unwrap().iter().any(|v| v["label_ko"] == "회령시"));
    assert!(f["sdg"].as_array().unwrap().iter().any(|v| v["value"] == "16.1"));
    assert!(!f["year"].as_array().unwrap().is_empty());
    let (s, coded) = get("/api/facets?provenance=coded").await;
    assert_eq!(s, 200);
    let count = |b: &Value, v: &str| {
        b["location"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["value"] == v)
            .map(|x| x["count"].as_u64().unwrap())
            .unwrap_or(0)
    };
    assert!(count(&coded, "kp") <= count(&f, "kp"));
}

#[tokio::test]
async fn health_and_readiness() {
    let (s, h) = get("/healthz").await;
    assert_eq!((s.as_u16(), h["status"].as_str()), (200, Some("ok")));
    let (s, r) = get("/readyz").await;
    assert_eq!(s, 200);
    assert_eq!(r["testimonies"], 39);
    let (s, m) = get("/metrics").await;
    assert_eq!(s, 200);
    assert!(m.as_str().unwrap().contains("http_requests_total"));
}

#[tokio::test]
async fn the_search_page_is_served() {
    let (s, page) = get("/").await;
    assert_eq!(s, 200);
    assert!(page.as_str().unwrap().contains("<input"));
}

#[tokio::test]
async fn filters_find_uncoded_testimonies_by_what_their_text_says() {
    // EN-2011-0001 has no coded events; its text speaks of Hyesan, 2005, a disappearance and hunger.
    for params in ["location=Hyesan", "year_from=2005&year_to=2005", "violation=disappearance", "sdg=2.1"] {
        let body = search(params).await;
        let hit = body["hits"].as_array().unwrap().iter().find(|h| h["testimony_id"] == "EN-2011-0001");
        assert!(
            hit.is_some()
                || hit_testimonies(&search(&format!("{params}&group=testimony")).await)
                    .contains(&"EN-2011-0001".to_string()),
            "{params} should find the uncoded EN-2011-0001"
        );
    }
    // With provenance=coded the uncoded testimony is not found by its text.
    let coded = search("location=Hyesan&provenance=coded&group=testimony").await;
    assert!(!hit_testimonies(&coded).contains(&"EN-2011-0001".to_string()));
    // Each value of a hit says where it came from.
    let body = search("location=Hyesan&q=Hyesan").await;
    let hit = body["hits"].as_array().unwrap().iter().find(|h| h["testimony_id"] == "EN-2011-0001").expect("hit");
    let hyesan =
        hit["places"].as_array().unwrap().iter().find(|p| p["id"] == "kp/ryanggang/hyesan").expect("Hyesan tagged");
    assert_eq!(hyesan["provenance"], "extracted");
}

#[tokio::test]
async fn facet_counts_split_by_provenance() {
    let body = search("").await;
    for facet in ["location", "year", "violation", "sdg"] {
        let values = body["facets"][facet].as_array().unwrap();
        assert!(values.iter().any(|v| v["extracted"].as_u64().unwrap() > 0), "{facet}: some values only extracted");
        for v in values {
            let (count, coded, extracted) =
                (v["count"].as_u64().unwrap(), v["coded"].as_u64().unwrap(), v["extracted"].as_u64().unwrap());
            assert_eq!(coded + extracted, count, "{facet} {v}");
        }
    }
    // The coded part of a value equals its count under provenance=coded.
    let coded = search("provenance=coded").await;
    let v = json!("life/public-execution");
    let all_coded =
        body["facets"]["violation"].as_array().unwrap().iter().find(|x| x["value"] == v).unwrap()["coded"].clone();
    assert_eq!(all_coded.as_u64().unwrap(), facet_count(&coded, "violation", &v));
}

#[tokio::test]
async fn query_language_phrases_exclusion_and_or() {
    let q = |s: &str| format!("q={}&group=testimony", enc(s));
    // OR widens, a required second word narrows, exclusion removes.
    let one = search(&q("Hoeryong")).await["total"].as_u64().unwrap();
    let either = search(&q("Hoeryong OR Yodok")).await["total"].as_u64().unwrap();
    let both = search(&q("Hoeryong Yodok")).await["total"].as_u64().unwrap();
    assert!(either >= one && both <= one, "{one} {either} {both}");
    // Exclusion applies to passages (the unit of search): no passage returned says it.
    let without = search(&format!("q={}", enc("Hoeryong -execution"))).await;
    let with = search(&format!("q={}", enc("Hoeryong"))).await;
    for h in without["hits"].as_array().unwrap() {
        assert!(!h["text"].as_str().unwrap().to_lowercase().contains("execut"), "{h}");
    }
    assert!(without["total"].as_u64().unwrap() < with["total"].as_u64().unwrap());
    // A quoted phrase needs its words in order; the words alone match more.
    let phrase = search(&q("\"public execution\"")).await["total"].as_u64().unwrap();
    let words = search(&q("execution public")).await["total"].as_u64().unwrap();
    assert!(phrase > 0 && phrase <= words, "{phrase} {words}");
    // Malformed queries degrade to plain text, never an error.
    for bad in ["\"unclosed", "OR OR", "- -", "NOT", "\"\"", "-\"", "(((", "a OR"] {
        let (status, body) = get(&format!("/api/search?{}", q(bad))).await;
        assert_eq!(status, 200, "{bad}: {body}");
    }
}

#[tokio::test]
async fn facets_parameter_counts_only_the_facets_asked_for() {
    let all = search(&format!("q={}", enc("수용소"))).await;
    let years_only = search(&format!("q={}&facets=year", enc("수용소"))).await;
    assert_eq!(years_only["total"], all["total"], "the hits do not depend on the facets counted");
    assert_eq!(years_only["facets"]["year"], all["facets"]["year"]);
    for facet in ["location", "violation", "sdg"] {
        assert!(years_only["facets"][facet].as_array().unwrap().is_empty(), "{facet}: {years_only}");
    }
    let none = search(&format!("q={}&facets=none", enc("수용소"))).await;
    assert_eq!(none["hits"], all["hits"]);
    assert!(none["facets"]["year"].as_array().unwrap().is_empty());
    let (status, body) = get("/api/search?q=x&facets=colour").await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("facets"), "{body}");
}
