#!/usr/bin/env bash
# testimony-search and Lucene 8.8 + Nori side by side, on the same generated corpus and query set,
# in the same run, at each size given (default: 1000 5000 20000 testimonies):
#   generate → ingest (wall time, peak RSS, index size) → in-process queries (p50/p99, QPS)
#   → the Lucene harness on the same files → ratios; and the HTTP load test at the largest size.
#
#   bash benches/compare.sh [--sizes "1000 5000 20000"] [--rounds 3] [--out target/bench-results]
#   bash benches/compare.sh --corpus FILE --queries FILE [--name NAME] ...   # a workload from elsewhere
#
# With --corpus and --queries the generator is not run: the files given (records in the format of
# `testimony-search ingest`, a query set in the format of `bench-queries`) are the workload, named
# NAME (default "external") in the output; benches/independent/ makes one.
#
# Run it on an otherwise idle machine: both systems share its cores. Every figure is a median or
# a percentile of the run; compare only figures from one run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sizes="1000 5000 20000" rounds=3 out="$root/target/bench-results" work="${TMPDIR:-/tmp}/testimony-bench" load=1
corpus="" queries="" name="external"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --no-load) load=0; shift ;;
    --corpus) corpus="$(realpath "$2")"; shift 2 ;;
    --queries) queries="$(realpath "$2")"; shift 2 ;;
    --name) name="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
if [[ -n "$corpus" || -n "$queries" ]]; then
  [[ -f "$corpus" && -f "$queries" ]] || { echo "--corpus and --queries name two existing files" >&2; exit 2; }
  sizes="$name"
fi
mkdir -p "$out" "$work"
cargo build --release --manifest-path "$root/Cargo.toml" >&2
# A copy, so that a rebuild during the run cannot change the binary under measurement.
bin="$work/testimony-search"
cp "$root/target/release/testimony-search" "$bin"

largest=""
for n in $sizes; do
  largest="$n"
  dir="$work/gen$n"
  if [[ -n "$corpus" ]]; then
    echo "== $n: $corpus, $queries" >&2
    mkdir -p "$dir"
    ln -sf "$corpus" "$dir/corpus.jsonl"
    ln -sf "$queries" "$dir/queries.jsonl"
  else
    echo "== $n testimonies" >&2
    "$bin" generate --testimonies "$n" --out "$dir" >&2
  fi
  rm -rf "$dir/index"
  /usr/bin/time -f "%e %M" -o "$dir/ingest.time" "$bin" ingest --index "$dir/index" "$dir/corpus.jsonl" >&2
  read -r ingest_s ingest_rss_kb < "$dir/ingest.time"
  index_bytes=$(du -sb "$dir/index" | cut -f1)
  passages=$(python3 -c "import json,sys; print(sum(len([p for p in json.loads(l)['transcript'].split('\n\n') if p.strip()]) for l in open(sys.argv[1])))" "$dir/corpus.jsonl")
  input_bytes=$(stat -L -c %s "$dir/corpus.jsonl")
  "$bin" bench-queries --index "$dir/index" --queries "$dir/queries.jsonl" --rounds "$rounds" --warmup 1 --threads 2 \
    | tee "$dir/ours-all.txt" >&2
  "$bin" bench-queries --index "$dir/index" --queries "$dir/queries.jsonl" --rounds "$rounds" --warmup 1 --threads 2 \
    --facets year | tee "$dir/ours-year.txt" >&2
  rm -rf "$dir/lucene-index"
  bash "$root/benches/lucene/run.sh" --corpus "$dir/corpus.jsonl" --queries "$dir/queries.jsonl" \
    --index "$dir/lucene-index" --threads 2 --rounds "$rounds" --warmup 1 | tee "$dir/lucene.txt" >&2
  python3 - "$n" "$ingest_s" "$ingest_rss_kb" "$index_bytes" "$passages" "$input_bytes" "$dir" > "$out/$n.json" <<'PY'
import json, sys
n, ingest_s, rss_kb, index_bytes, passages, input_bytes, d = sys.argv[1:]
def result(path):
    for line in open(path):
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"no RESULT line in {path}")
ours_all, ours_year, lucene = result(f"{d}/ours-all.txt"), result(f"{d}/ours-year.txt"), result(f"{d}/lucene.txt")
ingest_s = float(ingest_s)
testimonies = sum(1 for line in open(f"{d}/corpus.jsonl") if line.strip())
print(json.dumps({
    "name": n, "testimonies": testimonies, "passages": int(passages), "input_bytes": int(input_bytes),
    "ours": {"ingest_seconds": ingest_s, "ingest_passages_per_s": int(passages) / ingest_s,
             "ingest_peak_rss_mb": int(rss_kb) / 1024, "index_bytes": int(index_bytes),
             "queries_all_facets": ours_all, "queries_year_facet": ours_year},
    "lucene": lucene,
}))
PY
done

if [[ "$load" == 1 && -n "$largest" ]]; then
  bash "$root/benches/load.sh" --index "$work/gen$largest/index" --queries "$work/gen$largest/queries.jsonl" \
    --duration 15 | tee "$work/load.txt" >&2
  grep '^RESULT ' "$work/load.txt" | cut -c8- > "$out/load-$largest.json"
fi

# The table, with ratios (>1 means testimony-search is ahead).
python3 - "$out" $sizes <<'PY'
import json, sys
out, sizes = sys.argv[1], sys.argv[2:]
print(f"{'testimonies':>11} {'passages':>9} | {'ingest s (ours/lucene)':>24} {'ratio':>6} | {'p50 ms year facet':>18} {'p99':>13} {'QPS 2 thr':>15} {'ratio':>6} | {'p50/p99 ms all facets':>22} | {'index MB':>13}")
for n in sizes:
    r = json.load(open(f"{out}/{n}.json"))
    o, l = r["ours"], r["lucene"]
    y, a = o["queries_year_facet"], o["queries_all_facets"]
    print(f"{n:>11} {r['passages']:>9} | {o['ingest_seconds']:>11.1f} / {l['ingest_seconds']:>10.1f} {l['ingest_seconds'] / o['ingest_seconds']:>6.2f} | "
          f"{y['p50_ms']:>7.2f} / {l['query_p50_ms']:>7.2f} {y['p99_ms']:>5.1f} / {l['query_p99_ms']:>5.1f} "
          f"{y['qps_threads']:>6.0f} / {l['qps_threads']:>6.0f} {y['qps_threads'] / l['qps_threads']:>6.2f} | "
          f"{a['p50_ms']:>7.2f} / {a['p99_ms']:>7.1f} (L3 {l.get('query_p50_ms_3facets', 0):.2f}) | "
          f"{o['index_bytes'] / 1e6:>6.0f} / {l['index_bytes'] / 1e6:>5.0f}")
PY
