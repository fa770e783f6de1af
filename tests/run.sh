#!/usr/bin/env bash
# The whole test suite: what README's test command and CI (.ci/run) run, on a fresh machine.
# Installs what the tests need, then: formatting, lints, every test in the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test --workspace"
cargo test --workspace --locked
