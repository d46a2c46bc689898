//! The running service (the real binary on a loopback port): searches keep answering, with
//! totals of one committed state at a time, while ingests run against the same index (in another
//! process and over HTTP); SIGTERM lets requests in flight finish and exits 0.

mod process;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use testimony_search::index::TestimonyIndex;
use testimony_search::search::{SearchEngine, SearchRequest, Viewer};
use testimony_search::taxonomy::{SchemaSource, Taxonomy};

const ADMIN_KEY: &str = "test-admin-key-0123456789";
const QUERIES: &[&str] = &["수용소", "보위부에서", "arrested", "prison camp", "회령"];

/// (total passages, testimonies) of each query.
type Answers = Vec<(u64, u64)>;

/// What each query answers on the index in `dir`, computed in this process with the library.
fn answers_on(dir: &Path) -> Answers {
    let index = Arc::new(TestimonyIndex::open_or_create(dir, &SchemaSource::Embedded).expect("open a snapshot"));
    let engine = SearchEngine::new(index, Arc::new(Taxonomy::embedded().expect("taxonomy")));
    QUERIES
        .iter()
        .map(|q| {
            let r = engine
                // The HTTP clients below send no key: they are the public.
                .search(
                    SearchRequest { q: Some(q.to_string()), per_page: Some(3), ..Default::default() },
                    Viewer::Public { min_count: testimony_search::search::DEFAULT_MIN_COUNT },
                )
                .expect("search a snapshot");
            (r.total, r.testimonies)
        })
        .collect()
}

fn search_path(q: &str) -> String {
    format!("/api/search?per_page=3&q={}", form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}

/// One search seen by a client: when it was sent and answered, and what it said.
struct Seen {
    sent: Instant,
    answered: Instant,
    query: usize,
    answer: (u64, u64),
}

#[test]
fn searches_keep_answering_while_ingests_run() {
    let started = Instant::now();
    let tmp = tempfile::tempdir().expect("temp dir");
    let corpus = process::generate(tmp.path(), 240, 11, 3, 8);
    let dir = tmp.path().join("index");
    let dir_arg = dir.to_str().expect("utf-8");
    process::run_ok(&["ingest", "--index", dir_arg, corpus.parts[0].to_str().expect("utf-8")]);
    // The committed states, in order: part 1, then + part 2 (another process), then + part 3 (HTTP).
    let mut snapshots = vec![tmp.path().join("state-1")];
    copy_dir(&dir, &snapshots[0]);

    let (mut server, addr) =
        process::start_server(&dir, &[("TESTIMONY_ADMIN_KEY", ADMIN_KEY), ("TESTIMONY_RATE_LIMIT", "0")]);
    let done = Arc::new(AtomicBool::new(false));
    let seen: Arc<Mutex<Vec<Vec<Seen>>>> = Arc::default();
    let clients: Vec<_> = (0..2)
        .map(|client| {
            let (done, seen) = (done.clone(), seen.clone());
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                let mut i = client;
                while !done.load(Ordering::Relaxed) {
                    let query = i % QUERIES.len();
                    let sent = Instant::now();
                    let (status, body) =
                        process::get_json(addr, &search_path(QUERIES[query])).expect("the server answers");
                    assert_eq!(status, 200, "{} while ingesting: {body}", QUERIES[query]);
                    let answer = (body["total"].as_u64().expect("total"), body["testimonies"].as_u64().expect("count"));
                    mine.push(Seen { sent, answered: Instant::now(), query, answer });
                    i += 1;
                }
                seen.lock().expect("lock").push(mine);
            })
        })
        .collect();

    // A large ingest by another process, then one over HTTP into the server's own writer.
    let cli = (Instant::now(), ());
    process::run_ok(&["ingest", "--index", dir_arg, corpus.parts[1].to_str().expect("utf-8")]);
    let cli = (cli.0, Instant::now());
    snapshots.push(tmp.path().join("state-2"));
    copy_dir(&dir, &snapshots[1]);
    let body = std::fs::read(&corpus.parts[2]).expect("read part 3");
    let auth = format!("Bearer {ADMIN_KEY}");
    let http_started = Instant::now();
    let (status, report) = process::http(addr, "POST", "/api/testimonies", &[("Authorization", &auth)], &body)
        .expect("the ingest request is answered");
    let http_ingest = (http_started, Instant::now());
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&report));
    snapshots.push(tmp.path().join("state-3"));
    copy_dir(&dir, &snapshots[2]);

    let states: Vec<Answers> = snapshots.iter().map(|s| answers_on(s)).collect();
    assert_ne!(states[0], states[2], "the ingests change what the queries find");
    // The server catches up with the other process's commit and its own.
    let catch_up = Instant::now();
    loop {
        let now: Answers = QUERIES
            .iter()
            .map(|q| {
                let (_, b) = process::get_json(addr, &search_path(q)).expect("answer");
                (b["total"].as_u64().unwrap_or(0), b["testimonies"].as_u64().unwrap_or(0))
            })
            .collect();
        if now == states[2] {
            break;
        }
        assert!(catch_up.elapsed() < Duration::from_secs(60), "the server never showed the last commit: {now:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    done.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().expect("a client thread panicked");
    }
    process::signal(&server, "TERM");
    let status = process::wait_for(&mut server, Duration::from_secs(60)).expect("serve exits after SIGTERM");
    assert!(status.success(), "serve exited with {status}");

    // Every answer is that of one committed state, and a client never sees an older state after
    // a newer one.
    let seen = seen.lock().expect("lock");
    let (mut total, mut during_cli, mut during_http) = (0, 0, 0);
    let mut per_state: HashMap<usize, usize> = HashMap::new();
    for client in seen.iter() {
        let mut newest = 0;
        for s in client {
            total += 1;
            let matching: Vec<usize> = (0..states.len()).filter(|&i| states[i][s.query] == s.answer).collect();
            assert!(
                !matching.is_empty(),
                "{:?} answered {:?}, no committed state's answer",
                QUERIES[s.query],
                s.answer
            );
            // Several states may give the same answer for this query; take the newest not older
            // than what this client saw before.
            let state = matching.iter().copied().filter(|&i| i >= newest).min().unwrap_or_else(|| {
                panic!(
                    "{:?} answered {:?} of state {matching:?} after state {newest} was seen",
                    QUERIES[s.query], s.answer
                )
            });
            newest = state;
            *per_state.entry(state).or_default() += 1;
            during_cli += usize::from(s.sent >= cli.0 && s.answered <= cli.1);
            during_http += usize::from(s.sent >= http_ingest.0 && s.answered <= http_ingest.1);
        }
    }
    assert!(during_cli > 0, "no search ran entirely during the other process's ingest");
    eprintln!(
        "serving while ingesting: {total} searches, all 200 and each the answer of a committed state \
         (per state {per_state:?}); {during_cli} during the CLI ingest of {} testimonies ({} ms), {during_http} during \
         the HTTP ingest of {} ({} ms); {:.1} s in all",
        corpus.ids[1].len(),
        (cli.1 - cli.0).as_millis(),
        corpus.ids[2].len(),
        (http_ingest.1 - http_ingest.0).as_millis(),
        started.elapsed().as_secs_f64()
    );
}

/// Sends a POST whose body arrives in two halves, the second only when `go` is set; returns the
/// status and body of the answer.
fn slow_post(
    addr: SocketAddr,
    path: &str,
    body: &str,
    sent_half: Arc<AtomicBool>,
    go: Arc<AtomicBool>,
) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let (first, second) = body.split_at(body.len() / 2);
    stream.write_all(head.as_bytes()).expect("send head");
    stream.write_all(first.as_bytes()).expect("send half");
    stream.flush().expect("flush");
    sent_half.store(true, Ordering::SeqCst);
    while !go.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(5));
    }
    stream.write_all(second.as_bytes()).expect("the server still reads the request after SIGTERM");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("read the answer");
    let status = raw.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

#[test]
fn sigterm_lets_requests_in_flight_finish_and_exits_0() {
    let tmp = tempfile::tempdir().expect("temp dir");
    // No index yet: serve builds the demo index from the sample corpus.
    let (mut server, addr) = process::start_server(&tmp.path().join("index"), &[]);

    const IN_FLIGHT: usize = 3;
    let go = Arc::new(AtomicBool::new(false));
    let halves: Vec<Arc<AtomicBool>> = (0..IN_FLIGHT).map(|_| Arc::new(AtomicBool::new(false))).collect();
    let requests: Vec<_> = halves
        .iter()
        .enumerate()
        .map(|(i, half)| {
            let (half, go) = (half.clone(), go.clone());
            let body =
                format!(r#"{{"q": "{}", "per_page": 5, "group": "testimony"}}"#, ["보위부", "execution", "회령"][i]);
            std::thread::spawn(move || slow_post(addr, "/api/search", &body, half, go))
        })
        .collect();
    while !halves.iter().all(|h| h.load(Ordering::SeqCst)) {
        std::thread::sleep(Duration::from_millis(5));
    }
    // The requests are in the server's hands (their heads read, bodies half sent) when SIGTERM comes.
    std::thread::sleep(Duration::from_millis(200));
    process::signal(&server, "TERM");
    std::thread::sleep(Duration::from_millis(200));
    assert!(server.try_wait().expect("try_wait").is_none(), "serve exited with requests in flight");
    go.store(true, Ordering::SeqCst);
    for r in requests {
        let (status, body) = r.join().expect("a request thread panicked");
        assert_eq!(status, 200, "a request in flight at SIGTERM: {body}");
        let json: serde_json::Value = serde_json::from_str(&body).expect("a JSON answer");
        assert!(json["total"].is_u64(), "{json}");
    }
    let status =
        process::wait_for(&mut server, Duration::from_secs(30)).expect("serve exits once the requests are done");
    assert!(status.success(), "serve exited with {status}");
    // And it no longer accepts connections.
    assert!(process::get_json(addr, "/healthz").is_err(), "still answering after shutdown");
    eprintln!("graceful shutdown: {IN_FLIGHT} requests in flight at SIGTERM all answered 200; serve exited 0");
}
