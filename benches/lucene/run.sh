#!/usr/bin/env bash
# Builds and runs the Lucene + Nori peer harness (see benches/lucene/README.md).
#
#   bash benches/lucene/run.sh --corpus DIR/corpus.jsonl --queries DIR/queries.jsonl \
#        --index /tmp/lucene-idx [--threads 2] [--rounds 5] [--warmup 2]
#
# Installs Debian's liblucene8-java (and a JDK) only when missing, compiles into
# target/lucene-harness/ under the repo root, and runs the harness with -Xmx2g
# (LUCENE_HEAP=4g to change; LUCENE_JAVA_OPTS for any other JVM flag).
# The last line of output is "RESULT {json}".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/target/lucene-harness"
jars_dir="${LUCENE_JARS_DIR:-/usr/share/java}"
heap="${LUCENE_HEAP:-2g}"

die() { echo "benches/lucene/run.sh: $*" >&2; exit 1; }

# The newest installed jar of a Lucene 8 module, or nothing.
find_jar() {
    local module="$1"
    compgen -G "$jars_dir/lucene-$module-8*.jar" | sort -V | tail -n 1 || true
}

apt_install() {
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || die "need root (or sudo) to apt-get install $*"
        sudo="sudo"
    fi
    command -v apt-get >/dev/null || die "apt-get not found: install $* by hand"
    local log
    log="$(mktemp)"
    echo "installing $* ..." >&2
    if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"; } >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        die "apt-get install $* failed"
    fi
    rm -f "$log"
}

missing=()
command -v javac >/dev/null && command -v java >/dev/null || missing+=(default-jdk-headless)
if [ -z "$(find_jar core)" ] || [ -z "$(find_jar analyzers-common)" ] || [ -z "$(find_jar analyzers-nori)" ]; then
    missing+=(liblucene8-java)
fi
if [ "${#missing[@]}" -gt 0 ]; then
    apt_install "${missing[@]}"
fi

cp=""
for module in core analyzers-common analyzers-nori; do
    jar="$(find_jar "$module")"
    [ -n "$jar" ] || die "no lucene-$module-8*.jar in $jars_dir after installing liblucene8-java"
    cp="${cp:+$cp:}$jar"
done

# Compile when a source is newer than the classes (or the classes are missing).
sources=("$here"/*.java)
stamp="$out/LuceneHarness.class"
needs_build=0
[ -f "$stamp" ] || needs_build=1
for src in "${sources[@]}"; do
    [ "$src" -nt "$stamp" ] && needs_build=1
done
if [ "$needs_build" -eq 1 ]; then
    rm -rf "$out"
    mkdir -p "$out"
    javac -nowarn -encoding UTF-8 -d "$out" -cp "$cp" "${sources[@]}"
fi

# shellcheck disable=SC2086 # LUCENE_JAVA_OPTS is a list of flags
exec java "-Xmx$heap" ${LUCENE_JAVA_OPTS:-} -cp "$out:$cp" LuceneHarness "$@"
