#!/usr/bin/env bash
# Instructions per search, counted by callgrind: a figure that does not move with the machine's
# load, for comparing two builds on a shared, noisy machine (docs/BENCHMARKS.md, twelfth session).
#
#   bash benches/callgrind.sh --index DIR --queries FILE [--n 200] [--bin PATH] [--facets all]
#
# Runs `bench-queries` (one round, no warm-up, one thread: two passes over the first N queries of
# FILE) under callgrind, then once more with only the first query, and prints the instructions of
# the whole run, of opening the engine (the one-query run, less its query), and of the query work
# (the difference), per query too. Needs valgrind (apt-get install valgrind). The build is for
# the machine's CPU (.cargo/config.toml); valgrind does not decode AVX-512, so on a CPU that has
# it, pass a binary built with RUSTFLAGS="-C target-cpu=x86-64-v3" (--bin).
set -euo pipefail

index="" queries="" n=200 facets=all
bin="$(cd "$(dirname "$0")/.." && pwd)/target/release/testimony-search"
while [ $# -gt 0 ]; do
  case "$1" in
    --index) index="$2"; shift 2 ;;
    --queries) queries="$2"; shift 2 ;;
    --n) n="$2"; shift 2 ;;
    --bin) bin="$2"; shift 2 ;;
    --facets) facets="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
[ -n "$index" ] && [ -n "$queries" ] || { echo "--index and --queries are required" >&2; exit 2; }
[ -x "$bin" ] || { echo "no binary at $bin (cargo build --release)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }
[ "$n" -ge 2 ] || { echo "--n must be at least 2" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
head -n "$n" "$queries" > "$work/many.jsonl"
head -n 1 "$queries" > "$work/one.jsonl"
n=$(wc -l < "$work/many.jsonl")

count() { # queries file → total instructions
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$bin" bench-queries --index "$index" \
    --queries "$1" --facets "$facets" --rounds 1 --warmup 0 --threads 1 > "$work/log" 2>&1 ||
    { cat "$work/log" >&2; exit 1; }
  callgrind_annotate "$work/cg.out" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done { gsub(",", "", $1); print $1; done = 1 }'
}

many=$(count "$work/many.jsonl")
one=$(count "$work/one.jsonl")
python3 - "$many" "$one" "$n" <<'PY'
import sys
many, one, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
# Each run makes two passes (the latency pass and the throughput pass) over its queries.
per_query = (many - one) / (2 * (n - 1))
opening = one - 2 * per_query
work = many - opening
print(f"total {many:,} instructions for {n} queries x 2 passes")
print(f"opening the engine about {opening:,.0f}")
print(f"query work {work:,.0f} ({work / (2 * n):,.0f} per query)")
PY
