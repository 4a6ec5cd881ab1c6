#!/usr/bin/env bash
# Runs every shipped scenario on seeds 1-3 and prints one line per output file:
#   <scenario> <seed> <file> <sha256>
# taken from each run folder's manifest.json (every file but the manifest itself, which names
# the git commit). Used to pin tests/digests/pinned.txt and to prove a refactor a pure move:
#
#   tests/digests/pin.sh [BINARY] > tests/digests/pinned.txt      # pin (charts included)
#   tests/digests/pin.sh [BINARY] | diff tests/digests/pinned.txt -   # check
#
# BINARY defaults to target/release/cascade. crates/cli/tests/digests.rs checks the same list
# (tables and summary, without charts) on every `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${1:-target/release/cascade}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for path in scenarios/*.ron; do
    name="$(basename "$path" .ron)"
    for seed in 1 2 3; do
        out="$tmp/$name-$seed"
        "$bin" run "$path" --seed "$seed" --out "$out" >/dev/null
        python3 - "$out/manifest.json" "$name" "$seed" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for f in sorted(m["files"], key=lambda f: f["name"]):
    print(sys.argv[2], sys.argv[3], f["name"], f["sha256"])
PY
    done
done
