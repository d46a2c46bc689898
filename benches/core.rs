//! Baseline measurements of the core paths on the sample corpus: analyzer throughput per
//! language, language detection and extraction per passage, preparing testimonies for the index
//! (sample and generated), query latency with 0 and 4 facet filters, and search-box completions.
//! Run: `cargo bench --bench core`. The full-scale benches, the load test and the Lucene
//! comparison build on these.

use std::path::Path;
use std::sync::Arc;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use testimony_search::analysis::{analyze, analyzer, detect, tokenizers};
use testimony_search::index::TestimonyIndex;
use testimony_search::ingest::{self, Access};
use testimony_search::search::suggest::SuggestRequest;
use testimony_search::search::{OneOrMany, SearchEngine, SearchRequest, Viewer};
use testimony_search::taxonomy::{SchemaSource, Taxonomy};

fn sample() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample")
}

/// All passage texts of the sample corpus in one language.
fn passages(lang: &str) -> Vec<String> {
    let taxonomy = Taxonomy::embedded().unwrap();
    let batch = ingest::collect(&[sample()], &taxonomy, &mut |_| {});
    batch
        .testimonies
        .into_iter()
        .flat_map(|(_, t)| t.passages)
        .filter(|p| p.language.map(|l| l.code()) == Some(lang))
        .map(|p| p.text)
        .collect()
}

fn analyzers(c: &mut Criterion) {
    let mut group = c.benchmark_group("analyze");
    for (lang, names) in
        [("ko", [tokenizers::KO_STEM, tokenizers::KO_BIGRAM]), ("en", [tokenizers::EN_STEM, tokenizers::KO_STEM])]
    {
        let texts = passages(lang);
        let bytes: usize = texts.iter().map(String::len).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        for name in names {
            let mut a = analyzer(name).unwrap();
            group.bench_with_input(BenchmarkId::new(name, lang), &texts, |b, texts| {
                b.iter(|| texts.iter().map(|t| analyze(&mut a, t).len()).sum::<usize>())
            });
        }
    }
    group.finish();
}

fn detection(c: &mut Criterion) {
    let texts = passages("ko").into_iter().chain(passages("en")).collect::<Vec<_>>();
    let mut group = c.benchmark_group("detect");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("passage", |b| b.iter(|| texts.iter().filter(|t| detect(t, None).lang.is_some()).count()));
    group.finish();
}

fn prepare(c: &mut Criterion) {
    let taxonomy = Taxonomy::embedded().unwrap();
    let mut group = c.benchmark_group("ingest");
    group.sample_size(10);
    group.bench_function("prepare_sample_corpus", |b| {
        b.iter(|| ingest::collect(&[sample()], &taxonomy, &mut |_| {}).testimonies.len())
    });
    group.finish();
}

/// Extraction alone (places, violations, years) over every passage of the sample corpus, and
/// preparing generated testimonies, whose Zipf vocabulary repeats words as a large corpus does.
fn extraction(c: &mut Criterion) {
    let taxonomy = Taxonomy::embedded().unwrap();
    let texts = passages("ko").into_iter().chain(passages("en")).collect::<Vec<_>>();
    let mut group = c.benchmark_group("extract");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("passage", |b| {
        b.iter(|| texts.iter().map(|t| taxonomy.extract(t).places.len()).sum::<usize>())
    });
    group.finish();

    let cfg = testimony_search::generate::GeneratorConfig { testimonies: 100, ..Default::default() };
    let records: Vec<String> = testimony_search::generate::testimonies(&cfg, &taxonomy)
        .unwrap()
        .map(|t| serde_json::to_string(&t).unwrap())
        .collect();
    let dir = std::env::temp_dir().join(format!("testimony-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let corpus = dir.join("corpus.jsonl");
    std::fs::write(&corpus, records.join("\n")).unwrap();
    let mut group = c.benchmark_group("ingest");
    group.sample_size(10);
    group.throughput(Throughput::Elements(records.len() as u64));
    group.bench_function("prepare_generated_100", |b| {
        b.iter(|| ingest::collect(&[&corpus], &taxonomy, &mut |_| {}).testimonies.len())
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

fn queries(c: &mut Criterion) {
    let taxonomy = Arc::new(Taxonomy::embedded().unwrap());
    let index = Arc::new(TestimonyIndex::in_memory(&SchemaSource::Embedded).unwrap());
    let batch = ingest::collect(&[sample()], &taxonomy, &mut |_| {});
    index.write_batch(batch, Access::Public, 64 << 20).unwrap();
    let engine = SearchEngine::new(index, taxonomy);
    let filtered = |q: &str| SearchRequest {
        q: Some(q.into()),
        location: OneOrMany::One("kp".into()),
        violation: OneOrMany::One("detention".into()),
        sdg: OneOrMany::One("16".into()),
        year_from: Some(1990),
        year_to: Some(2020),
        ..Default::default()
    };
    let mut group = c.benchmark_group("search");
    for (name, request) in [
        ("term_ko", SearchRequest { q: Some("수용소".into()), ..Default::default() }),
        ("term_en", SearchRequest { q: Some("execution".into()), ..Default::default() }),
        ("three_terms", SearchRequest { q: Some("보위부 예심 구타".into()), ..Default::default() }),
        ("place_expansion", SearchRequest { q: Some("Hoeryeong".into()), ..Default::default() }),
        ("term_4_filters", filtered("수용소")),
        ("browse_all_facets", SearchRequest::default()),
        (
            "group_testimony",
            SearchRequest { q: Some("수용소".into()), group: Some("testimony".into()), ..Default::default() },
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| black_box(engine.search(request.clone(), Viewer::Trusted).unwrap().total))
        });
    }
    group.finish();

    // Completions as the search box asks for them, keystroke by keystroke (the table is built
    // once, outside the measurement).
    engine.warm().unwrap();
    let mut group = c.benchmark_group("suggest");
    for (name, q) in [("jamo", "ㅎ"), ("syllable", "회"), ("partial_syllable", "회려"), ("latin", "public ex")] {
        let request = SuggestRequest::new(q, None, None).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| black_box(engine.suggest(&request, Viewer::Trusted).unwrap().suggestions.len()))
        });
    }
    group.finish();
}

criterion_group!(benches, analyzers, detection, prepare, extraction, queries);
criterion_main!(benches);
