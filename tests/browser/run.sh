#!/usr/bin/env bash
# Browser tests of report.html: headless Chromium (Debian's chromium package, installed when
# missing) opens the reports of flash-cascade, of the smoke sweep and of a 24-hour run, through
# playwright-core (pinned in package-lock.json). Fails on a console error, a blank chart, a
# request leaving the file, or a time to interactive of 3 s or more.
# Usage: tests/browser/run.sh [path/to/cascade]   (default: target/debug/cascade, built if missing)
# SCREENSHOTS=docs tests/browser/run.sh refreshes the screenshots README shows.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromium >/dev/null; then
    echo "[browser-test] installing chromium"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
fi
CASCADE=${1:-target/debug/cascade}
if [ $# -eq 0 ] && [ ! -x "$CASCADE" ]; then
    cargo build -p cascade-cli --locked
fi
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
export CASCADE CHROMIUM=${CHROMIUM:-$(command -v chromium)}
if [ -n "${SCREENSHOTS:-}" ]; then
    SCREENSHOTS=$(realpath "$SCREENSHOTS")
    export SCREENSHOTS
fi
cd tests/browser && node --test
