//! Shared by the tests that run the real binary as a child process (crash safety, searching while
//! an ingest runs, graceful shutdown): the binary, a generated corpus split into parts, signals,
//! a free port, and a minimal HTTP/1.1 client over a plain TCP stream.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_testimony-search");

/// The binary with a clean environment for the service's own variables.
pub fn command() -> Command {
    let mut c = Command::new(BIN);
    for var in [
        "TESTIMONY_INDEX",
        "TESTIMONY_ADDR",
        "TESTIMONY_DEFAULT_ACCESS",
        "TESTIMONY_SCHEMA_DIR",
        "TESTIMONY_ADMIN_KEY",
        "TESTIMONY_RESEARCHER_KEY",
        "TESTIMONY_RATE_LIMIT",
    ] {
        c.env_remove(var);
    }
    c.env("RUST_LOG", "warn");
    c
}

/// Runs the binary to completion; panics with its output when it fails.
pub fn run_ok(args: &[&str]) -> String {
    let out = command().args(args).stdin(Stdio::null()).output().expect("the binary runs");
    assert!(
        out.status.success(),
        "{args:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A generated corpus split into `parts` JSON Lines files of equal size, with each part's ids.
pub struct Corpus {
    pub parts: Vec<PathBuf>,
    pub ids: Vec<Vec<String>>,
}

/// Generates `testimonies` records with the `generate` subcommand into `dir` and splits them.
/// Transcripts are cut to their first `paragraphs` paragraphs: the generator writes 20–60, and
/// analysis in a debug build costs a few milliseconds a passage.
pub fn generate(dir: &Path, testimonies: usize, seed: u64, parts: usize, paragraphs: usize) -> Corpus {
    let out = dir.join("generated");
    let (n, s) = (testimonies.to_string(), seed.to_string());
    run_ok(&["generate", "--testimonies", &n, "--seed", &s, "--queries", "1", "--out", out.to_str().expect("utf-8")]);
    let text = std::fs::read_to_string(out.join("corpus.jsonl")).expect("the corpus was written");
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).expect("generated records are JSON");
            let transcript = v["transcript"].as_str().expect("a transcript");
            v["transcript"] = transcript.split("\n\n").take(paragraphs).collect::<Vec<_>>().join("\n\n").into();
            v.to_string()
        })
        .collect();
    assert_eq!(lines.len(), testimonies, "generate wrote one record per testimony");
    let per_part = testimonies.div_ceil(parts);
    let mut corpus = Corpus { parts: Vec::new(), ids: Vec::new() };
    for (i, chunk) in lines.chunks(per_part).enumerate() {
        let path = dir.join(format!("part-{}.jsonl", i + 1));
        std::fs::write(&path, chunk.join("\n") + "\n").expect("write a part");
        let ids = chunk
            .iter()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).expect("generated records are JSON");
                v["id"].as_str().expect("generated records have an id").to_string()
            })
            .collect();
        corpus.parts.push(path);
        corpus.ids.push(ids);
    }
    corpus
}

pub fn signal(child: &Child, signal: &str) {
    let status =
        Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().expect("kill runs");
    assert!(status.success(), "kill -{signal} {}", child.id());
}

/// Waits for a child to exit, up to `limit`; None when it is still running then.
pub fn wait_for(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

/// A loopback port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// Starts `serve` on a free port over `index` and waits until /healthz answers.
pub fn start_server(index: &Path, extra_env: &[(&str, &str)]) -> (Child, SocketAddr) {
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().expect("an address");
    let mut cmd = command();
    cmd.args(["serve", "--index", index.to_str().expect("utf-8"), "--addr", &addr.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("serve starts");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            panic!("serve exited before answering: {status}");
        }
        if http(addr, "GET", "/healthz", &[], b"").map(|r| r.0 == 200).unwrap_or(false) {
            return (child, addr);
        }
        assert!(started.elapsed() < Duration::from_secs(120), "serve did not answer /healthz in 120 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One HTTP/1.1 request on a new connection; returns status and body.
pub fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        head += &format!("{k}: {v}\r\n");
    }
    head += "\r\n";
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| bad("no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let status: u16 =
        head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| bad("no status line"))?;
    let mut body = raw[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = dechunk(&body).ok_or_else(|| bad("bad chunked body"))?;
    }
    Ok((status, body))
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..line_end]).ok()?.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

/// GET returning status and parsed JSON body.
pub fn get_json(addr: SocketAddr, path: &str) -> std::io::Result<(u16, serde_json::Value)> {
    let (status, body) = http(addr, "GET", path, &[], b"")?;
    let json = serde_json::from_slice(&body)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&body).into()));
    Ok((status, json))
}
