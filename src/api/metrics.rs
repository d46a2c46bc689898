//! Request counters and latencies in the Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

#[derive(Default)]
struct Series {
    count: u64,
    seconds: f64,
}

/// Requests per route and status, with their total duration.
#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, u16), Series>>,
}

impl Metrics {
    pub fn record(&self, route: &str, status: u16, took: Duration) {
        let mut s = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let e = s.entry((route.to_string(), status)).or_default();
        e.count += 1;
        e.seconds += took.as_secs_f64();
    }

    pub fn render(&self, testimonies: usize) -> String {
        let s = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        let _ = writeln!(out, "# HELP http_requests_total HTTP requests by route and status.");
        let _ = writeln!(out, "# TYPE http_requests_total counter");
        for ((route, status), v) in s.iter() {
            let _ = writeln!(out, "http_requests_total{{route=\"{route}\",status=\"{status}\"}} {}", v.count);
        }
        let _ = writeln!(out, "# HELP http_request_duration_seconds_sum Time spent answering, by route and status.");
        let _ = writeln!(out, "# TYPE http_request_duration_seconds_sum counter");
        for ((route, status), v) in s.iter() {
            let _ = writeln!(
                out,
                "http_request_duration_seconds_sum{{route=\"{route}\",status=\"{status}\"}} {:.6}",
                v.seconds
            );
        }
        let _ = writeln!(out, "# HELP testimonies Testimonies in the index.");
        let _ = writeln!(out, "# TYPE testimonies gauge");
        let _ = writeln!(out, "testimonies {testimonies}");
        out
    }
}
