#!/usr/bin/env bash
# The whole test suite: what README's test command and CI (.ci/run) run, on a fresh machine.
# Installs what the tests need (Debian's Chromium and redis-server, the client's npm test
# dependencies), then:
# formatting, lints, every Rust test (debug, plus the release-build checks), `cargo package` of
# every library crate, the browser tests (debug and release builds),
# a short libFuzzer run of each fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "Chromium (browser tests) and redis-server (broadcasts across servers)"
# The tests start their own redis-server on a free 127.0.0.1 port; nothing else uses it.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "Missing ${missing[*]} and this is not root: install Debian's ${missing[*]} package(s) first." >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    # Debian's package starts a system redis on 6379; the tests do not need it.
    (command -v systemctl >/dev/null 2>&1 && systemctl stop redis-server 2>/dev/null) || true
fi
chromium --version
redis-server --version

step "npm ci (client test dependencies)"
(cd client-js && npm ci --no-audit --no-fund --loglevel=error)

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo clippy without the dev machinery (what a release build with --no-default-features compiles)"
cargo clippy -p hotreload --no-default-features --lib --locked -- -D warnings

step "cargo doc (every crate's docs build without broken links)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

step "cargo test --workspace"
cargo test --workspace --locked

step "release build: no dev routes, no injected script"
cargo test --release --locked -p hotreload --test dev_routes
# The browser tests of release builds (client-js/test/release.test.mjs, signup.test.mjs) run
# these binaries.
cargo build --release --locked -p hotreload-examples --example counter --example signup

step "every library crate packages and verifies on its own (what a user would cargo add)"
cargo package --workspace --locked --allow-dirty \
    --exclude hotreload-examples --exclude hotreload-benches --exclude hotreload-tests

step "browser client tests (headless Chromium)"
(cd client-js && npm test)

step "fuzz targets (libFuzzer via cargo-fuzz, a short deterministic run from the seeds)"
# Long runs: docs/FUZZING.md. `-s none`: no sanitizer, so stable Rust builds them.
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked --version 0.13.2
fi
for target in client_tree template_parser client_frame snapshot; do
    corpus="$(mktemp -d)"
    cp tests/fuzz/seeds/"$target"/* "$corpus"/
    if ! cargo fuzz run -s none --fuzz-dir tests/fuzz "$target" "$corpus" -- \
        -runs=100000 -seed=1 -max_len=4096 >"$corpus.log" 2>&1; then
        tail -n 80 "$corpus.log"
        echo "fuzz target $target failed (input saved under tests/fuzz/artifacts/$target/)" >&2
        exit 1
    fi
    echo "$target: $(grep -E '^Done' "$corpus.log")"
    rm -rf "$corpus" "$corpus.log"
done
