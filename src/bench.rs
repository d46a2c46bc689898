//! Measuring search speed in-process over a query set (the generator's queries.jsonl): latency
//! percentiles on one thread, and throughput with several threads sharing one engine. The figures
//! go side by side with the Lucene harness (benches/lucene), which runs the same query set.
//! Measures; asserts nothing.

use std::io::BufRead;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::search::{SearchEngine, SearchRequest};

/// Reads a query set: one JSON object per line with the fields of a search request; an `id`
/// field is dropped. Errors name the line.
pub fn read_query_set(path: &Path) -> Result<Vec<SearchRequest>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("while reading {}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("while reading {}: {e}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let mut value: serde_json::Value =
            serde_json::from_str(&line).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?;
        if let Some(object) = value.as_object_mut() {
            object.remove("id");
        }
        out.push(serde_json::from_value(value).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?);
    }
    Ok(out)
}

/// How a measurement runs.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Untimed passes over the query set first (caches, page cache).
    pub warmup: usize,
    /// Timed passes.
    pub rounds: usize,
    /// Threads for the throughput pass.
    pub threads: usize,
    /// Overrides each query's `facets` ("none", "year", "all"...); None keeps the query's own.
    pub facets: Option<String>,
    /// Overrides each query's `group`.
    pub group: Option<String>,
    /// Writes each query's median latency and match count here (JSON Lines), to find the slow ones.
    pub per_query: Option<std::path::PathBuf>,
}

/// What a measurement found. Latencies in milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub queries: usize,
    pub rounds: usize,
    pub facets: String,
    pub group: String,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
    /// Queries per second, one thread, back to back.
    pub qps_1thread: f64,
    /// Queries per second with `threads` threads.
    pub qps_threads: f64,
    pub threads: usize,
    /// Queries answered with an error (bad filter values in the set, say).
    pub errors: usize,
    /// Sum of the totals of every query of one pass: the same set on the same corpus gives the
    /// same sum, whatever the speed.
    pub hits_checksum: u64,
}

/// The value at quantile `q` of sorted values (nearest rank).
/// One line per query: its text, filters, median latency over the rounds and match count.
fn write_per_query(path: &Path, queries: &[SearchRequest], per_query: &mut [(Vec<f64>, u64)]) {
    let mut out = String::new();
    for (q, (times, total)) in queries.iter().zip(per_query.iter_mut()) {
        times.sort_by(f64::total_cmp);
        let line = serde_json::json!({ "request": q, "median_ms": quantile(times, 0.5), "total": total });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    if let Err(e) = std::fs::write(path, out) {
        tracing::warn!(path = %path.display(), error = %e, "could not write the per-query figures");
    }
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Runs the query set: latencies one query at a time, then throughput on `threads` threads.
pub fn measure(engine: &SearchEngine, queries: &[SearchRequest], options: &BenchOptions) -> BenchReport {
    let queries: Vec<SearchRequest> = queries
        .iter()
        .cloned()
        .map(|mut q| {
            if let Some(f) = &options.facets {
                q.facets = Some(f.clone());
            }
            if let Some(g) = &options.group {
                q.group = Some(g.clone());
            }
            q
        })
        .collect();
    let run = |q: &SearchRequest| engine.search(q.clone(), crate::search::Viewer::Trusted);
    let mut errors = 0;
    let mut checksum = 0;
    for pass in 0..options.warmup.max(1) {
        for q in &queries {
            match run(q) {
                Ok(r) if pass == 0 => checksum += r.total,
                Ok(_) => {}
                Err(_) if pass == 0 => errors += 1,
                Err(_) => {}
            }
        }
    }
    let mut latencies = Vec::with_capacity(queries.len() * options.rounds);
    let mut per_query: Vec<(Vec<f64>, u64)> = vec![(Vec::new(), 0); queries.len()];
    let started = Instant::now();
    for _ in 0..options.rounds {
        for (i, q) in queries.iter().enumerate() {
            let t = Instant::now();
            let total = run(q).map(|r| r.total).unwrap_or(0);
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            latencies.push(ms);
            per_query[i].0.push(ms);
            per_query[i].1 = total;
        }
    }
    let single_seconds = started.elapsed().as_secs_f64();
    if let Some(path) = &options.per_query {
        write_per_query(path, &queries, &mut per_query);
    }
    latencies.sort_by(f64::total_cmp);

    let threads = options.threads.max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let total = queries.len() * options.rounds;
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let _ = run(&queries[i % queries.len()]);
            });
        }
    });
    let multi_seconds = started.elapsed().as_secs_f64();

    let n = latencies.len().max(1) as f64;
    BenchReport {
        queries: queries.len(),
        rounds: options.rounds,
        facets: options.facets.clone().unwrap_or_else(|| "as in the set".into()),
        group: options.group.clone().unwrap_or_else(|| "as in the set".into()),
        p50_ms: quantile(&latencies, 0.50),
        p90_ms: quantile(&latencies, 0.90),
        p99_ms: quantile(&latencies, 0.99),
        max_ms: latencies.last().copied().unwrap_or(0.0),
        mean_ms: latencies.iter().sum::<f64>() / n,
        qps_1thread: total as f64 / single_seconds.max(1e-9),
        qps_threads: total as f64 / multi_seconds.max(1e-9),
        threads,
        errors,
        hits_checksum: checksum,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&v, 0.5), 50.0);
        assert_eq!(quantile(&v, 0.99), 99.0);
        assert_eq!(quantile(&v, 1.0), 100.0);
        assert_eq!(quantile(&[], 0.5), 0.0);
        assert_eq!(quantile(&[7.0], 0.99), 7.0);
    }

    #[test]
    fn query_sets_drop_the_id_and_name_the_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.jsonl");
        std::fs::write(
            &path,
            "{\"id\":\"q1\",\"q\":\"수용소\",\"lang\":\"ko\",\"year_from\":2000,\"year_to\":2005}\n\n{\"q\":1}\n",
        )
        .unwrap();
        let err = read_query_set(&path).unwrap_err();
        assert!(err.contains(":3:"), "{err}");
        std::fs::write(&path, "{\"id\":\"q1\",\"q\":\"수용소\",\"location\":[\"kp/north-hamgyong\"]}\n").unwrap();
        let set = read_query_set(&path).unwrap();
        assert_eq!(set[0].q.as_deref(), Some("수용소"));
    }
}
