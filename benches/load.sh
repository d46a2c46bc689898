#!/usr/bin/env bash
# Load test of `testimony-search serve` on loopback with wrk: QPS and p50/p99 latency at
# concurrency 1, 8 and 64 over a query set (generate's queries.jsonl), the errors (any non-2xx
# answer or socket error counts), the server's resident memory and its start-up time.
#
#   bash benches/load.sh --index /tmp/ix20000 --queries /tmp/gen20000/queries.jsonl [--duration 15] [--port 18080]
#
# Prints a table and a final line `RESULT {json}` for benches/compare.sh. Installs wrk (Debian's
# package) when it is missing. Builds the release binary when it is missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
index="" queries="" duration=15 port=18080 concurrency="1 8 64"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --index) index="$2"; shift 2 ;;
    --queries) queries="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -n "$index" && -n "$queries" ]] || { echo "usage: $0 --index DIR --queries FILE [--duration S] [--port P]" >&2; exit 2; }

if ! command -v wrk >/dev/null; then
  (apt-get install -y -q wrk >/dev/null 2>&1) || (apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null)
fi
bin="$root/target/release/testimony-search"
[[ -x "$bin" ]] || cargo build --release --manifest-path "$root/Cargo.toml" >&2

work="$(mktemp -d)"
server=""
cleanup() { [[ -n "$server" ]] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# The query set as request paths, one per line.
python3 - "$queries" > "$work/paths.txt" <<'PY'
import json, sys, urllib.parse
for line in open(sys.argv[1], encoding="utf-8"):
    if not line.strip():
        continue
    q = json.loads(line)
    params = [("q", q.get("q", ""))]
    if q.get("lang"):
        params.append(("lang", q["lang"]))
    for key in ("location", "violation", "sdg"):
        values = q.get(key) or []
        for v in [values] if isinstance(values, str) else values:
            params.append((key, v))
    for key in ("year_from", "year_to"):
        if q.get(key) is not None:
            params.append((key, str(q[key])))
    print("/api/search?" + urllib.parse.urlencode(params))
PY

cat > "$work/queries.lua" <<'LUA'
local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do paths[#paths + 1] = line end
local counter = 0
function setup(thread)
  thread:set("offset", counter * 7919)
  counter = counter + 1
end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[((offset + i) % #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %.3f %.3f %.3f %d\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.status + e.timeout))
end
LUA

started=$(date +%s.%N)
# The load is one client on loopback: no rate limit, so the figure is the server's, not the limit's.
TESTIMONY_RATE_LIMIT=0 TESTIMONY_ADDR="127.0.0.1:$port" "$bin" serve --index "$index" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do
  if curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
  sleep 0.05
done
ready=$(python3 -c "import time; print(round((time.time() - $started) * 1000))")
curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$work/serve.log" >&2; echo "server did not start" >&2; exit 1; }
rss_idle=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")

results=()
printf '%-12s %10s %10s %10s %8s\n' concurrency QPS p50_ms p99_ms errors
for c in $concurrency; do
  threads=$(( c < 2 ? 1 : 2 ))
  line=$(PATHS_FILE="$work/paths.txt" wrk -t"$threads" -c"$c" -d"${duration}s" --timeout 10s -s "$work/queries.lua" \
    "http://127.0.0.1:$port" | grep '^WRK ')
  read -r _ requests seconds p50 p99 errors <<<"$line"
  qps=$(python3 -c "print(round($requests / $seconds, 1))")
  printf '%-12s %10s %10s %10s %8s\n' "$c" "$qps" "$p50" "$p99" "$errors"
  results+=("{\"concurrency\":$c,\"qps\":$qps,\"p50_ms\":$p50,\"p99_ms\":$p99,\"errors\":$errors,\"requests\":$requests}")
done
rss_peak=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
rss_now=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")
echo "server: ready in ${ready} ms; RSS idle $((rss_idle / 1024)) MB, after load $((rss_now / 1024)) MB, peak $((rss_peak / 1024)) MB"
joined=$(IFS=,; echo "${results[*]}")
echo "RESULT {\"system\":\"testimony-search-http\",\"ready_ms\":$ready,\"rss_idle_mb\":$((rss_idle / 1024)),\"rss_peak_mb\":$((rss_peak / 1024)),\"runs\":[$joined]}"
