#!/usr/bin/env bash
# Fuzzes each target for a bounded time and prints one summary line per target (runs, crashes).
#
#   fuzz/run.sh                      # every target, 60 s each
#   FUZZ_SECONDS=180 fuzz/run.sh     # longer
#   FUZZ_TARGETS="query record" fuzz/run.sh
#   FUZZ_SANITIZER=address fuzz/run.sh   # with AddressSanitizer (slower; default: none, safe Rust)
#
# Needs a nightly toolchain (libFuzzer instrumentation) and cargo-fuzz, which it installs from
# crates.io when missing. Seeds come from the bundled sample corpus and the judged queries; the
# corpus grown by a run is kept in fuzz/corpus/ (ignored by git) and reused by the next. A crash
# leaves its input in fuzz/artifacts/TARGET/; replay it with `cargo +nightly fuzz run TARGET FILE`.
set -euo pipefail
cd "$(dirname "$0")"

seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-"analyzers query record front_matter"}
sanitizer=${FUZZ_SANITIZER:-none}

if ! command -v rustup >/dev/null || ! rustup toolchain list | grep -q '^nightly'; then
  echo "fuzzing needs a nightly Rust toolchain for libFuzzer's instrumentation, and there is none here." >&2
  echo "install it with: rustup toolchain install nightly   (then run this script again)" >&2
  exit 1
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz (crates.io)"
  cargo install cargo-fuzz
fi

# Seeds: every sample record (a JSON line, a front-matter document), its transcripts' paragraphs
# for the analyzers, and every judged query (prefixed with the query target's mode byte).
if [ ! -d seeds ]; then
  mkdir -p seeds/record seeds/analyzers seeds/front_matter seeds/query
  n=0
  while IFS= read -r line; do
    n=$((n + 1))
    printf '%s' "$line" > "seeds/record/line-$n"
    p=0
    while IFS= read -r paragraph; do
      p=$((p + 1))
      [ -n "$paragraph" ] && [ $((p % 4)) -eq 1 ] && printf '%s' "$paragraph" > "seeds/analyzers/p-$n-$p"
    done < <(printf '%s' "$line" | jq -r '.transcript')
  done < ../data/sample/testimonies.jsonl
  cp ../data/sample/interviews/* seeds/front_matter/
  n=0
  while IFS= read -r q; do
    n=$((n + 1))
    { printf '\000'; printf '%s' "$q"; } > "seeds/query/q-$n"
    { printf '\004'; jq -cn --arg q "$q" '{q: $q, group: "testimony", facets: "location"}'; } > "seeds/query/search-$n"
  done < <(cat ../tests/eval/queries-*.jsonl | jq -r '.q')
fi

# Longest input per target: paragraphs and queries are short; records and documents are not.
max_len() {
  case "$1" in
    analyzers) echo 2048 ;;
    query) echo 600 ;;
    *) echo 8192 ;;
  esac
}

summary=()
failed=0
for t in $targets; do
  mkdir -p "corpus/$t" "artifacts/$t" logs
  before=$(find "artifacts/$t" -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' | wc -l)
  echo "== fuzzing $t for ${seconds}s"
  set +e
  cargo +nightly fuzz run --sanitizer "$sanitizer" --debug-assertions "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$seconds" -max_len="$(max_len "$t")" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
    > "logs/$t.log" 2>&1
  status=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "logs/$t.log" | grep -o '[0-9]*$' | tail -1)
  after=$(find "artifacts/$t" -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' | wc -l)
  crashes=$((after - before))
  if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
    echo "$t: fuzzing did not run (exit $status); see fuzz/logs/$t.log" >&2
    tail -20 "logs/$t.log" >&2
    failed=1
  fi
  [ "$crashes" -gt 0 ] && failed=1
  summary+=("$t: ${runs:-0} runs in ${seconds}s ($(( ${runs:-0} / seconds ))/s), corpus $(ls "corpus/$t" | wc -l) inputs, $crashes crashes")
done

echo
echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
