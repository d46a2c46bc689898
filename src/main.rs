//! The `testimony-search` command: parses arguments, calls the library, prints. No logic here.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use testimony_search::api::{self, AppState};
use testimony_search::config::Config;
use testimony_search::generate::{self, GeneratorConfig};
use testimony_search::index::TestimonyIndex;
use testimony_search::ingest::{self, IngestReport};
use testimony_search::search::export::{self, Format};
use testimony_search::search::{OneOrMany, SearchEngine, SearchRequest, Viewer};
use testimony_search::taxonomy::Taxonomy;

#[global_allocator]
static ALLOCATOR: testimony_search::allocator::Switchable = testimony_search::allocator::Switchable;

#[derive(Parser)]
#[command(
    name = "testimony-search",
    version,
    about = "Search anonymized human-rights testimony in Korean and English",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    /// Configuration file (TOML).
    #[arg(long, global = true, env = "TESTIMONY_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
    /// With no subcommand: serve, with these flags.
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the search page (the default). Builds the demo index first when none exists.
    Serve(ServeArgs),
    /// Ingest JSON Lines files and folders of .md/.txt files into the index.
    Ingest(IngestArgs),
    /// Validate records without touching any index.
    Check(CheckArgs),
    /// Search from the terminal.
    Search(SearchArgs),
    /// Export every passage (or the quotes) of a search as CSV or JSON Lines, with citations.
    Export(ExportArgs),
    /// Print the SHA-256 of an API key read from standard input, for [[api_keys]] in the config.
    HashKey,
    /// Delete testimonies by id.
    Delete(DeleteArgs),
    /// Print what extraction finds in each record (places, years, violations, SDG), as JSON.
    Tag(TagArgs),
    /// Measure extraction: precision and recall per facet type on a judged set and a coded corpus.
    EvalExtraction(EvalArgs),
    /// Measure search quality: recall@10, nDCG@10 and MRR per suite of judged queries.
    Eval(SearchEvalArgs),
    /// Write a synthetic corpus and queries (the same seed gives the same bytes) for benchmarks.
    Generate(GenerateArgs),
    /// Show how a text is analysed: detected language, each analyzer's tokens, the concept key.
    Analyze(AnalyzeArgs),
    /// Measure search speed in-process over a query set: p50/p90/p99 latency and throughput.
    BenchQueries(BenchQueriesArgs),
}

#[derive(Args)]
struct BenchQueriesArgs {
    #[command(flatten)]
    index: IndexArg,
    /// The query set (JSON Lines, one search request per line, as `generate` writes it).
    #[arg(long)]
    queries: PathBuf,
    /// Untimed passes first.
    #[arg(long, default_value_t = 2)]
    warmup: usize,
    /// Timed passes.
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// Threads for the throughput pass.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Facets to count in every query: all, none, or a list (location,violation,sdg,year).
    #[arg(long)]
    facets: Option<String>,
    /// passage or testimony, for every query.
    #[arg(long)]
    group: Option<String>,
    /// Also write each query's median latency and match count to this file (JSON Lines).
    #[arg(long)]
    per_query: Option<PathBuf>,
}

#[derive(Args)]
struct AnalyzeArgs {
    /// The text to analyse.
    #[arg(required = true)]
    text: Vec<String>,
}

#[derive(Args)]
struct SearchEvalArgs {
    /// The judged corpus (JSON Lines files or folders).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/eval/corpus"))]
    corpus: PathBuf,
    /// Judged query files (JSON Lines); default: tests/eval/queries-*.jsonl.
    #[arg(long)]
    queries: Vec<PathBuf>,
    /// Print every query's outcome as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct GenerateArgs {
    /// Number of testimonies.
    #[arg(long, default_value_t = 20_000)]
    testimonies: usize,
    /// Random seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Number of queries.
    #[arg(long, default_value_t = 1_000)]
    queries: usize,
    /// Folder to write corpus.jsonl and queries.jsonl into (created if missing).
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
struct TagArgs {
    /// Files and folders of records.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Args)]
struct EvalArgs {
    /// Hand-checked passages (JSON Lines).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/eval/extraction.jsonl"))]
    judged: PathBuf,
    /// A corpus whose coded events are the ground truth (codes hidden from the extractor).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample"))]
    corpus: PathBuf,
    /// Print the scores and every disagreement as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Default)]
struct IndexArg {
    /// Index folder [env: TESTIMONY_INDEX] [default: ./data/index]
    #[arg(long)]
    index: Option<PathBuf>,
}

#[derive(Args, Default)]
struct ServeArgs {
    #[command(flatten)]
    index: IndexArg,
    /// Address to listen on [env: TESTIMONY_ADDR] [default: 127.0.0.1:8080]
    #[arg(long)]
    addr: Option<String>,
}

#[derive(Args)]
struct IngestArgs {
    #[command(flatten)]
    index: IndexArg,
    /// Mask personal data (phone numbers, e-mail addresses, resident numbers, birth dates, listed
    /// terms) instead of rejecting the record; the report lists what was masked.
    #[arg(long)]
    redact: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Files and folders to ingest.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Args)]
struct CheckArgs {
    /// Mask personal data (phone numbers, e-mail addresses, resident numbers, birth dates, listed
    /// terms) instead of rejecting the record; the report lists what was masked.
    #[arg(long)]
    redact: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Args)]
struct SearchArgs {
    #[command(flatten)]
    index: IndexArg,
    #[command(flatten)]
    filters: FilterArgs,
    /// passage or testimony.
    #[arg(long)]
    group: Option<String>,
    #[arg(long, default_value_t = 10)]
    per_page: i64,
    #[arg(long, default_value_t = 1)]
    page: i64,
    /// Print the whole response as JSON.
    #[arg(long)]
    json: bool,
}

/// The query and filters of a search (as /api/search takes them).
#[derive(Args)]
struct FilterArgs {
    /// Location filter (repeatable; any spelling).
    #[arg(long)]
    location: Vec<String>,
    /// Violation filter (repeatable; code or label).
    #[arg(long)]
    violation: Vec<String>,
    /// SDG filter (repeatable: 16 or 16.1).
    #[arg(long)]
    sdg: Vec<String>,
    #[arg(long)]
    year_from: Option<i64>,
    #[arg(long)]
    year_to: Option<i64>,
    /// Query language: auto, ko or en.
    #[arg(long)]
    lang: Option<String>,
    /// Show only what the public would see over HTTP (public testimonies, small counts hidden);
    /// by default the command line, which reads the index files, sees everything.
    #[arg(long)]
    as_public: bool,
    /// The query (words, in Korean or English).
    query: Vec<String>,
}

impl FilterArgs {
    fn viewer(&self, c: &Config) -> Viewer {
        if self.as_public {
            Viewer::Public { min_count: c.min_count }
        } else {
            Viewer::Trusted
        }
    }

    fn request(self) -> SearchRequest {
        SearchRequest {
            q: Some(self.query.join(" ")),
            lang: self.lang,
            location: OneOrMany::Many(self.location),
            violation: OneOrMany::Many(self.violation),
            sdg: OneOrMany::Many(self.sdg),
            year_from: self.year_from,
            year_to: self.year_to,
            ..Default::default()
        }
    }
}

#[derive(Args)]
struct ExportArgs {
    #[command(flatten)]
    index: IndexArg,
    #[command(flatten)]
    filters: FilterArgs,
    /// csv or jsonl.
    #[arg(long, default_value = "csv")]
    format: String,
    /// Export sentence-level quotes (as /api/quotes) instead of passages.
    #[arg(long)]
    quotes: bool,
    /// With --quotes: at most this many quotes per testimony.
    #[arg(long)]
    per_testimony: Option<i64>,
    /// At most this many rows (passages; quotes stop at 100).
    #[arg(long, default_value_t = 10_000)]
    limit: usize,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(Args)]
struct DeleteArgs {
    #[command(flatten)]
    index: IndexArg,
    #[arg(required = true)]
    ids: Vec<String>,
}

fn config(cli_config: Option<&PathBuf>, index: &IndexArg) -> anyhow::Result<Config> {
    let mut c = Config::load(cli_config.map(PathBuf::as_path))?;
    if let Some(dir) = &index.index {
        c.index_dir = dir.clone();
    }
    Ok(c)
}

/// The search engine over an existing index.
fn open_engine(c: &Config) -> anyhow::Result<SearchEngine> {
    if !TestimonyIndex::exists(&c.index_dir) {
        anyhow::bail!("no index at {}; ingest first or run serve once", c.index_dir.display());
    }
    let taxonomy = std::sync::Arc::new(Taxonomy::load(&c.schema)?);
    let index = std::sync::Arc::new(TestimonyIndex::open_or_create(&c.index_dir, &c.schema)?);
    Ok(SearchEngine::new(index, taxonomy))
}

fn init_logging(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

fn print_report(report: &IngestReport, json: bool) -> anyhow::Result<()> {
    let text = if json { serde_json::to_string_pretty(report)? + "\n" } else { report.to_string() };
    out(&text)
}

/// Writes to stdout, returning (rather than panicking on) a closed pipe.
fn out(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// A progress bar on a terminal, nothing otherwise: bytes read of `total` (the counter is
/// updated by the reader), and records done.
fn progress(
    total: u64,
    bytes_read: std::sync::Arc<std::sync::atomic::AtomicU64>,
) -> (Option<indicatif::ProgressBar>, impl FnMut(usize)) {
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(total);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg} {elapsed}")
                .expect("a valid template"),
        );
        b
    });
    let handle = bar.clone();
    (bar, move |records: usize| {
        if let Some(b) = &handle {
            b.set_position(bytes_read.load(std::sync::atomic::Ordering::Relaxed));
            b.set_message(format!("{records} records"));
        }
    })
}

fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Serve(args) => {
            init_logging("info,tantivy=warn");
            let mut c = config(cli.config.as_ref(), &args.index)?;
            if let Some(a) = args.addr {
                c.addr = a.parse().with_context(|| format!("--addr {a:?} is not HOST:PORT"))?;
            }
            let (state, demo) = AppState::open(c)?;
            if let Some(r) = demo {
                tracing::info!(added = r.added, rejected = r.rejected.len(), passages = r.passages, "demo index built");
            }
            // Searches are CPU-bound blocking tasks: two threads per core serve them faster than
            // tokio's default of up to 512, with fewer allocator arenas resident (load.sh at 20k:
            // 13,200 against 11,200 QPS at concurrency 64, RSS after load 465 against 478 MB).
            let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .max_blocking_threads((cores * 2).max(4))
                .build()?;
            runtime.block_on(api::serve(state))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Ingest(args) => {
            // A bulk load: mimalloc's throughput (see src/allocator.rs).
            testimony_search::allocator::use_mimalloc();
            init_logging("warn");
            let c = config(cli.config.as_ref(), &args.index)?;
            let taxonomy = Taxonomy::load(&c.schema)?;
            let index = TestimonyIndex::open_or_create(&c.index_dir, &c.schema)?;
            let mut records = ingest::source::RecordStream::new(&args.paths);
            let total = ingest::source::RecordStream::total_bytes(&args.paths);
            let (bar, mut on_progress) = progress(total, records.bytes_read());
            let pii = c.pii.clone().redacting(args.redact || c.pii.redacts());
            let rules = ingest::IngestRules::new(&taxonomy, &pii);
            let mut report =
                index.ingest_stream(&mut records, rules, c.default_access, c.writer_memory, &mut on_progress)?;
            report.files = records.files_read();
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            print_report(&report, args.json)?;
            Ok(if report.accepted() == 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        Command::Check(args) => {
            init_logging("warn");
            let c = config(cli.config.as_ref(), &IndexArg::default())?;
            let taxonomy = Taxonomy::load(&c.schema)?;
            let (bar, mut on_progress) = progress(0, Default::default());
            let pii = c.pii.clone().redacting(args.redact || c.pii.redacts());
            let batch = ingest::collect(&args.paths, ingest::IngestRules::new(&taxonomy, &pii), &mut on_progress);
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            let mut report = batch.report;
            report.added = batch.testimonies.len();
            print_report(&report, args.json)?;
            Ok(if report.rejected.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Search(args) => {
            init_logging("warn");
            let c = config(cli.config.as_ref(), &args.index)?;
            let engine = open_engine(&c)?;
            let viewer = args.filters.viewer(&c);
            let request = SearchRequest {
                group: args.group,
                page: Some(args.page),
                per_page: Some(args.per_page),
                ..args.filters.request()
            };
            let response = engine.search(request, viewer)?;
            if args.json {
                out(&(serde_json::to_string_pretty(&response)? + "\n"))?;
            } else {
                let mut text = format!(
                    "{} passages in {} testimonies ({:.1} ms)\n",
                    response.total, response.testimonies, response.took_ms
                );
                for h in &response.hits {
                    text += &format!("\n[{}] {:.2}\n{}\n", h.citation, h.score, h.text);
                }
                out(&text)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::HashKey => {
            let mut key = String::new();
            std::io::stdin().read_line(&mut key)?;
            let key = key.trim();
            if key.chars().count() < testimony_search::config::MIN_KEY_CHARS {
                anyhow::bail!("a key needs at least {} characters", testimony_search::config::MIN_KEY_CHARS);
            }
            out(&format!("{}\n", testimony_search::config::hex(&testimony_search::config::hash_key(key))))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(args) => {
            init_logging("warn");
            let c = config(cli.config.as_ref(), &args.index)?;
            let engine = open_engine(&c)?;
            let format = Format::parse(&args.format)
                .with_context(|| format!("--format must be csv or jsonl, got {:?}", args.format))?;
            let quotes = args.quotes;
            let viewer = args.filters.viewer(&c);
            let request = args.filters.request();
            // A bad filter is an error before a file is created or a header written.
            request.clone().validate(engine.taxonomy())?;
            let mut sink: Box<dyn std::io::Write> = match &args.output {
                Some(path) => Box::new(std::io::BufWriter::new(
                    std::fs::File::create(path).with_context(|| format!("while creating {}", path.display()))?,
                )),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            let columns = if quotes { export::QUOTE_COLUMNS } else { export::HIT_COLUMNS };
            sink.write_all(&export::encode(format, columns, None))?;
            let mut failed = None;
            let mut emit = |row: export::Row| match sink.write_all(&export::encode(format, columns, Some(&row))) {
                Ok(()) => true,
                Err(e) => {
                    failed = Some(e);
                    false
                }
            };
            let rows = if quotes {
                let answer =
                    engine.quotes(SearchRequest { per_page: Some(100), ..request }, args.per_testimony, viewer)?;
                answer.quotes.iter().take(args.limit).take_while(|q| emit(export::quote_row(q))).count()
            } else {
                engine.export_hits(request, args.limit, viewer, &mut emit)?
            };
            if let Some(e) = failed {
                return Err(e).context("while writing the export");
            }
            sink.flush()?;
            eprintln!("{rows} {} exported", if quotes { "quotes" } else { "passages" });
            Ok(ExitCode::SUCCESS)
        }
        Command::BenchQueries(args) => {
            init_logging("warn");
            let c = config(cli.config.as_ref(), &args.index)?;
            if !TestimonyIndex::exists(&c.index_dir) {
                anyhow::bail!("no index at {}", c.index_dir.display());
            }
            let queries = testimony_search::bench::read_query_set(&args.queries).map_err(anyhow::Error::msg)?;
            let opened = std::time::Instant::now();
            let taxonomy = std::sync::Arc::new(Taxonomy::load(&c.schema)?);
            let index = std::sync::Arc::new(TestimonyIndex::open_or_create(&c.index_dir, &c.schema)?);
            let engine = SearchEngine::new(index, taxonomy);
            engine.warm()?;
            let open_ms = opened.elapsed().as_secs_f64() * 1000.0;
            let options = testimony_search::bench::BenchOptions {
                warmup: args.warmup,
                rounds: args.rounds,
                threads: args.threads,
                facets: args.facets,
                group: args.group,
                per_query: args.per_query,
            };
            let r = testimony_search::bench::measure(&engine, &queries, &options);
            out(&format!(
                "{} queries × {} rounds (facets: {}, group: {}), index opened in {open_ms:.0} ms\n\
                 latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms, mean {:.2} ms\n\
                 throughput {:.0} q/s on 1 thread, {:.0} q/s on {} threads; {} errors; hits checksum {}\n",
                r.queries,
                r.rounds,
                r.facets,
                r.group,
                r.p50_ms,
                r.p90_ms,
                r.p99_ms,
                r.max_ms,
                r.mean_ms,
                r.qps_1thread,
                r.qps_threads,
                r.threads,
                r.errors,
                r.hits_checksum
            ))?;
            let mut json = serde_json::to_value(&r)?;
            json["system"] = serde_json::json!("testimony-search");
            json["open_ms"] = serde_json::json!(open_ms);
            out(&format!("RESULT {json}\n"))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Analyze(args) => {
            use testimony_search::analysis::{self, tokenizers};
            let text = args.text.join(" ");
            let mut report = serde_json::Map::new();
            report.insert(
                "language".into(),
                serde_json::json!(analysis::detect(&text, None).lang.map(analysis::Lang::code)),
            );
            for name in [tokenizers::KO_STEM, tokenizers::KO_BIGRAM, tokenizers::EN_STEM] {
                let mut analyzer = analysis::analyzer(name).context("analyzer is registered")?;
                let tokens: Vec<String> = analysis::analyze(&mut analyzer, &text).into_iter().map(|t| t.text).collect();
                report.insert(name.into(), serde_json::json!(tokens));
            }
            report.insert("concept_key".into(), serde_json::json!(analysis::concept_key(&text)));
            out(&serde_json::to_string_pretty(&report)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Tag(args) => {
            init_logging("warn");
            let c = config(cli.config.as_ref(), &IndexArg::default())?;
            let taxonomy = Taxonomy::load(&c.schema)?;
            let batch = ingest::collect(&args.paths, &taxonomy, &mut |_| {});
            let tagged: Vec<serde_json::Value> = batch
                .testimonies
                .iter()
                .map(|(origin, p)| {
                    serde_json::json!({
                        "id": p.testimony.id,
                        "file": origin.file,
                        "line": origin.line,
                        "facets": p.facets,
                        "unresolved": p.unresolved,
                        "passages": p.passages.iter().map(|x| serde_json::json!({
                            "passage_id": testimony_search::index::passage_id(&p.testimony.id, x.n),
                            "language": x.language,
                            "facets": x.facets,
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let out_json = serde_json::json!({ "testimonies": tagged, "rejected": batch.report.rejected });
            out(&(serde_json::to_string_pretty(&out_json)? + "\n"))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::EvalExtraction(args) => {
            init_logging("warn");
            let c = config(cli.config.as_ref(), &IndexArg::default())?;
            let taxonomy = Taxonomy::load(&c.schema)?;
            let judged = testimony_search::evaluation::read_judged(&args.judged).map_err(anyhow::Error::msg)?;
            let passages = testimony_search::evaluation::score_passages(&judged, &taxonomy);
            let corpus = testimony_search::evaluation::score_corpus(&[&args.corpus], &taxonomy);
            if args.json {
                let v = serde_json::json!({ "judged_passages": passages, "coded_corpus": corpus });
                out(&(serde_json::to_string_pretty(&v)? + "\n"))?;
            } else {
                let mut text = format!("hand-checked passages: {} ({})\n", passages.passages, args.judged.display());
                text += &score_line("places", &passages.places);
                text += &score_line("years", &passages.years);
                text += &score_line("violations", &passages.violations);
                text += &score_line("violations (strict)", &passages.violations_strict);
                text += &format!(
                    "\ncoded events of {} testimonies ({}), codes hidden — recall of the coding:\n",
                    corpus.testimonies,
                    args.corpus.display()
                );
                for (name, sc) in
                    [("places", &corpus.places), ("years", &corpus.years), ("violations", &corpus.violations)]
                {
                    text += &format!(
                        "  {name:<18} recall {:.3}   (found {}, missed {})\n",
                        sc.recall, sc.true_positives, sc.false_negatives
                    );
                }
                out(&text)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval(args) => {
            init_logging("warn");
            let c = config(cli.config.as_ref(), &IndexArg::default())?;
            let taxonomy = std::sync::Arc::new(Taxonomy::load(&c.schema)?);
            let index = std::sync::Arc::new(TestimonyIndex::in_memory(&c.schema)?);
            let batch = ingest::collect(&[&args.corpus], &taxonomy, &mut |_| {});
            let report = index.write_batch(batch, testimony_search::ingest::Access::Public, c.writer_memory)?;
            let engine = SearchEngine::new(index, taxonomy);
            let files = if args.queries.is_empty() {
                let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/eval"));
                let mut f: Vec<PathBuf> = std::fs::read_dir(&dir)?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("queries")))
                    .collect();
                f.sort();
                f
            } else {
                args.queries
            };
            let mut queries = Vec::new();
            for f in &files {
                queries.extend(testimony_search::evaluation::read_queries(f).map_err(anyhow::Error::msg)?);
            }
            let outcomes = testimony_search::evaluation::score_queries(&engine, &queries);
            let suites = testimony_search::evaluation::summarize(&outcomes);
            if args.json {
                out(&(serde_json::to_string_pretty(&serde_json::json!({"suites": suites, "queries": outcomes}))?
                    + "\n"))?;
            } else {
                let mut text = format!(
                    "{} testimonies, {} judged queries\n{:<18} {:>7} {:>10} {:>9} {:>7}\n",
                    report.accepted(),
                    queries.len(),
                    "suite",
                    "queries",
                    "recall@10",
                    "nDCG@10",
                    "MRR"
                );
                for s in &suites {
                    text += &format!(
                        "{:<18} {:>7} {:>10.3} {:>9.3} {:>7.3}\n",
                        s.suite, s.queries, s.recall_at_10, s.ndcg_at_10, s.mrr
                    );
                }
                out(&text)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Generate(args) => {
            init_logging("warn");
            let c = config(cli.config.as_ref(), &IndexArg::default())?;
            let taxonomy = Taxonomy::load(&c.schema)?;
            let cfg = GeneratorConfig { testimonies: args.testimonies, seed: args.seed, queries: args.queries };
            let report = generate::generate_to_dir(&cfg, &taxonomy, &args.out)
                .with_context(|| format!("generating into {}", args.out.display()))?;
            out(&format!("{report}\n"))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Delete(args) => {
            init_logging("warn");
            let c = config(cli.config.as_ref(), &args.index)?;
            let index = TestimonyIndex::open_or_create(&c.index_dir, &c.schema)?;
            let deleted = index.delete(&args.ids, c.writer_memory)?;
            let mut text = format!("deleted {} of {} testimonies\n", deleted.len(), args.ids.len());
            for id in args.ids.iter().filter(|i| !deleted.contains(i)) {
                text += &format!("  not found: {id}\n");
            }
            out(&text)?;
            Ok(if deleted.is_empty() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
    }
}

fn score_line(name: &str, s: &testimony_search::evaluation::Score) -> String {
    format!(
        "  {name:<18} precision {:.3}  recall {:.3}   (tp {}, fp {}, fn {})\n",
        s.precision, s.recall, s.true_positives, s.false_positives, s.false_negatives
    )
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        // Output piped into a command that stopped reading (head): not an error of ours.
        Err(e) if e.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
