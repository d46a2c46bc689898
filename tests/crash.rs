//! Crash safety: an `ingest` process killed with SIGKILL at any point leaves an index that opens
//! and holds exactly what was committed before, and the same ingest run again completes.
//!
//! An ingest commits once, at its end (src/index: one atomic commit per batch), so the committed
//! states are the ends of whole ingests. The test ingests a generated corpus part by part (one
//! process and one commit per part), keeps a copy of the index after each commit, then in each
//! trial starts from the copy after k parts, starts the ingest of part k+1 and kills it: early
//! (while it starts), at a random time, as soon as the commit starts writing segment files, or
//! as soon as the commit has replaced meta.json. The index must then hold exactly parts 1..k or,
//! if the commit got through, parts 1..k+1, every testimony with all its passages and no orphan
//! passage; and running the same ingest again must leave exactly parts 1..k+1.

mod process;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use tantivy::collector::Count;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use testimony_search::index::{TestimonyIndex, KIND_PASSAGE};
use testimony_search::taxonomy::SchemaSource;

const TESTIMONIES: usize = 200;
/// Paragraphs kept of each generated transcript (see process::generate).
const PARAGRAPHS: usize = 5;
const PARTS: usize = 4;
const TRIALS: usize = 10;

/// What an index holds: testimony ids with their passage counts, and the passage documents in all.
#[derive(Debug, PartialEq, Eq)]
struct Holding {
    testimonies: BTreeSet<String>,
    passages_of: HashMap<String, usize>,
    passage_documents: usize,
}

/// Opens the index (as a reader would after the crash) and reads what it holds of `ids`.
fn holding(dir: &Path, ids: &[String]) -> Holding {
    let index = TestimonyIndex::open_or_create(dir, &SchemaSource::Embedded)
        .unwrap_or_else(|e| panic!("the index at {} does not open after the kill: {e}", dir.display()));
    let mut h = Holding { testimonies: BTreeSet::new(), passages_of: HashMap::new(), passage_documents: 0 };
    for id in ids {
        if index.testimony(id).expect("read a testimony").is_some() {
            h.testimonies.insert(id.clone());
        }
        let n = index.passages_of(id).expect("read passages").len();
        if n > 0 {
            h.passages_of.insert(id.clone(), n);
        }
    }
    assert_eq!(index.testimony_count().expect("count"), h.testimonies.len(), "testimonies outside the corpus");
    let kind = tantivy::Term::from_field_text(index.fields().kind, KIND_PASSAGE);
    h.passage_documents =
        index.searcher().search(&TermQuery::new(kind, IndexRecordOption::Basic), &Count).expect("count passages");
    h
}

/// What the index must hold after the first `parts` parts.
fn expected(parts: usize, ids: &[Vec<String>], passages: &HashMap<String, usize>) -> Holding {
    let testimonies: BTreeSet<String> = ids[..parts].iter().flatten().cloned().collect();
    let passages_of: HashMap<String, usize> = testimonies.iter().map(|id| (id.clone(), passages[id])).collect();
    let passage_documents = passages_of.values().sum();
    Holding { testimonies, passages_of, passage_documents }
}

fn ingest(dir: &Path, part: &Path) -> serde_json::Value {
    let out =
        process::run_ok(&["ingest", "--json", "--index", dir.to_str().expect("utf-8"), part.to_str().expect("utf-8")]);
    serde_json::from_str(&out).expect("ingest --json prints its report")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy a file");
    }
}

fn file_names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

/// Files a commit writes for a new segment (tantivy names them <segment uuid>.<component>).
fn is_segment_file(name: &str) -> bool {
    ["idx", "pos", "term", "store", "fast", "fieldnorm"].iter().any(|ext| name.ends_with(&format!(".{ext}")))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum KillPoint {
    /// 0–40 ms after the start: while the process starts and opens the index.
    Early,
    /// At a random time within the ingest's measured duration (and a little past it).
    Random,
    /// As soon as a new segment file appears: the commit is writing.
    CommitStarted,
    /// As soon as meta.json changed: the commit is durable, the process is finishing.
    CommitDone,
}

#[test]
fn sigkill_during_ingest_leaves_exactly_the_committed_records() {
    let started = Instant::now();
    let seed: u64 = std::env::var("CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(202_607);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let tmp = tempfile::tempdir().expect("temp dir");
    let corpus = process::generate(tmp.path(), TESTIMONIES, seed, PARTS, PARAGRAPHS);
    let all_ids: Vec<String> = corpus.ids.iter().flatten().cloned().collect();
    assert_eq!(all_ids.iter().collect::<BTreeSet<_>>().len(), TESTIMONIES, "generated ids are unique");

    // Uninterrupted reference: part by part, a copy of the index after each commit, the time
    // each ingest took, and every testimony's passage count.
    let reference = tmp.path().join("reference");
    let mut snapshots: Vec<Option<PathBuf>> = vec![None];
    let mut durations = Vec::new();
    let mut reported_passages = 0;
    for (i, part) in corpus.parts.iter().enumerate() {
        let t = Instant::now();
        let report = ingest(&reference, part);
        durations.push(t.elapsed());
        assert_eq!(report["added"].as_u64(), Some(corpus.ids[i].len() as u64), "{report}");
        reported_passages += report["passages"].as_u64().expect("passages");
        let snapshot = tmp.path().join(format!("after-{}", i + 1));
        copy_dir(&reference, &snapshot);
        snapshots.push(Some(snapshot));
    }
    let full = holding(&reference, &all_ids);
    assert_eq!(full.testimonies.len(), TESTIMONIES);
    assert_eq!(full.passage_documents as u64, reported_passages, "the index holds every passage reported");
    let passages = full.passages_of.clone();
    assert!(passages.len() == TESTIMONIES && passages.values().all(|&n| n > 0));

    let points = [KillPoint::Early, KillPoint::Random, KillPoint::CommitStarted, KillPoint::CommitDone];
    let mut outcomes: HashMap<(KillPoint, &str), usize> = HashMap::new();
    let mut exited_before_kill = 0;
    let mut records_checked = 0;
    let mut kill_times = Vec::new();
    for trial in 0..TRIALS {
        let k = rng.random_range(0..PARTS);
        let point = points[trial % points.len()];
        let dir = tmp.path().join(format!("trial-{trial}"));
        if let Some(snapshot) = &snapshots[k] {
            copy_dir(snapshot, &dir);
        }
        let files_before = file_names(&dir);
        let meta_before = std::fs::read(dir.join("meta.json")).ok();
        let part = &corpus.parts[k];

        let mut child = process::command()
            .args(["ingest", "--index", dir.to_str().expect("utf-8"), part.to_str().expect("utf-8")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ingest starts");
        let spawned = Instant::now();
        match point {
            KillPoint::Early => std::thread::sleep(Duration::from_millis(rng.random_range(0..40))),
            KillPoint::Random => {
                let limit = durations[k].as_millis() as u64 * 11 / 10;
                std::thread::sleep(Duration::from_millis(rng.random_range(0..=limit)));
            }
            KillPoint::CommitStarted | KillPoint::CommitDone => loop {
                let reached = if point == KillPoint::CommitStarted {
                    file_names(&dir).difference(&files_before).any(|f| is_segment_file(f))
                } else {
                    std::fs::read(dir.join("meta.json")).ok().is_some_and(|m| Some(&m) != meta_before.as_ref())
                };
                if reached || child.try_wait().expect("try_wait").is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_micros(500));
            },
        }
        let already_done = child.try_wait().expect("try_wait").is_some();
        exited_before_kill += usize::from(already_done);
        kill_times.push(spawned.elapsed().as_millis());
        child.kill().expect("SIGKILL the ingest");
        child.wait().expect("reap the ingest");

        let before = expected(k, &corpus.ids, &passages);
        let after = expected(k + 1, &corpus.ids, &passages);
        let found = holding(&dir, &all_ids);
        records_checked += all_ids.len();
        let outcome = if found == before {
            "rolled back"
        } else if found == after {
            "committed"
        } else {
            panic!(
                "trial {trial} ({point:?}, part {} on {k} committed parts): the index holds {} testimonies and {} \
                 passages, neither the {} before nor the {} after the killed ingest",
                k + 1,
                found.testimonies.len(),
                found.passage_documents,
                before.testimonies.len(),
                after.testimonies.len()
            )
        };
        if point == KillPoint::CommitDone {
            assert_eq!(outcome, "committed", "trial {trial}: meta.json was replaced, so the commit must be visible");
        }
        *outcomes.entry((point, outcome)).or_default() += 1;

        // The same ingest again completes (the killed writer's lock is gone) and leaves exactly
        // the records of parts 1..k+1.
        let report = ingest(&dir, part);
        assert_eq!(report["committed"], true, "trial {trial}: {report}");
        assert_eq!(holding(&dir, &all_ids), after, "trial {trial}: after the second ingest");
        records_checked += all_ids.len();
    }

    // What an operator would run next: a search over the last trial's index answers.
    let last = tmp.path().join(format!("trial-{}", TRIALS - 1));
    let out = process::run_ok(&["search", "--json", "--index", last.to_str().expect("utf-8"), "the"]);
    let response: serde_json::Value = serde_json::from_str(&out).expect("search --json prints JSON");
    assert!(response["total"].is_u64(), "{response}");

    let mut summary: Vec<_> = outcomes.into_iter().collect();
    summary.sort();
    eprintln!(
        "crash test (seed {seed}): {TRIALS} SIGKILL trials on {TESTIMONIES} testimonies in {PARTS} parts \
         ({} passages); kill times {kill_times:?} ms after start; outcomes {summary:?}; {exited_before_kill} ingests \
         had finished before their kill; {records_checked} testimony records checked (each with its passage count) \
         after kills and re-ingests; reference ingest times {:?}; {:.1} s in all",
        passages.values().sum::<usize>(),
        durations.iter().map(|d| d.as_millis()).collect::<Vec<_>>(),
        started.elapsed().as_secs_f64()
    );
}
