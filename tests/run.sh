#!/usr/bin/env bash
# The whole test suite: what README's test command and CI (.ci/run) run, on a fresh machine.
# Installs what the tests need (Debian's Chromium, the client's npm test dependencies), then:
# formatting, lints, every Rust test (debug, plus the release-build checks), the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "Chromium (browser tests)"
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "Chromium is missing and this is not root: install Debian's chromium package first." >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
chromium --version

step "npm ci (client test dependencies)"
(cd client-js && npm ci --no-audit --no-fund --loglevel=error)

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test --workspace"
cargo test --workspace --locked

step "release build: no dev routes, no injected script"
cargo test --release --locked -p hotreload --test dev_routes

step "browser client tests (headless Chromium)"
(cd client-js && npm test)
