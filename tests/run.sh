#!/usr/bin/env bash
# The whole test suite, from a fresh checkout: installs what it needs, then format check, lints,
# unit and integration tests, and a compile of the benches.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null; then
  echo "cargo is required: install Rust with rustup (https://rustup.rs)" >&2
  exit 1
fi
# rustfmt and clippy come with the toolchain; add them where a minimal profile left them out.
if command -v rustup >/dev/null; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi

# The browser test (tests/browser.rs) drives Debian's Chromium through chromedriver; a Korean font
# makes its screenshots legible. Installed when missing (CI runs as root); the test fails, with
# the same advice, where they cannot be had.
if ! command -v chromedriver >/dev/null || ! command -v chromium >/dev/null || ! fc-list :lang=ko 2>/dev/null | grep -q .; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "== installing chromium, chromium-driver and a Korean font for the browser test"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver fonts-nanum >/dev/null
  else
    echo "warning: the browser test needs chromium and chromium-driver: apt-get install chromium chromium-driver" >&2
  fi
fi

# A CI run builds once from nothing: incremental state would only add a gigabyte to its disk.
if [ -n "${CI:-}" ]; then
  export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
fi

echo "== cargo fmt --check"
cargo fmt --check
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings
echo "== cargo test"
cargo test --all-features
echo "== cargo bench --no-run"
cargo bench --no-run
