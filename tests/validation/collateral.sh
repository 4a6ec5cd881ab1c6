#!/usr/bin/env bash
# The "Collateral that can fall" table of docs/validation.md: scenarios/collateral-depeg.ron on
# seeds 1-10 as shipped, with the haircut off, and with the token held at its peg; then each
# variant's liquidations, those the collateral set off, the collateral sold and the 12-minute
# fall (issue 12, part 4).
#
#   tests/validation/collateral.sh [BINARY] [OUT]
#
# BINARY defaults to target/release/cascade, OUT to output/collateral.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${1:-target/release/cascade}"
out="${2:-output/collateral}"
run() {
    local label="$1"; shift
    for seed in $(seq 1 10); do
        "$bin" run scenarios/collateral-depeg.ron --seed "$seed" --no-charts --force \
            --out "$out/$label/seed-$seed" "$@" >/dev/null
    done
}
run shipped
run haircut-off --set collateral.assets.USDe.haircut=0.0
run at-peg --set 'collateral.assets.USDe.price.points=[(at_s: 0.0, price: 1.0)]'
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
def fmt(x, d=1):
    return "—" if x is None else f"{x:,.{d}f}"
print("| variant | liquidations | set off by the collateral | seeds with collateral ones "
      "| collateral sold, quote at par | fall 12 min, % |")
print("|---|---|---|---|---|---|")
for v in ["shipped", "haircut-off", "at-peg"]:
    rows = []
    for seed in range(1, 11):
        s = json.load(open(f"{out}/{v}/seed-{seed}/summary.json"))
        rows.append((s["liquidations"]["count"], s["collateral"]["liquidations"],
                     s["collateral"]["sold_par"], s["price"]["max_fall_12min_pct"]))
    col = lambda k: [row[k] for row in rows]
    rng = lambda k, d: f"{fmt(sum(col(k)) / 10)} [{fmt(min(col(k)), d)}, {fmt(max(col(k)), d)}]"
    seeds = sum(1 for row in rows if row[1] > 0)
    print(f"| {v} | {rng(0, 0)} | {rng(1, 0)} | {seeds} of 10 | {rng(2, 0)} | {rng(3, 1)} |")
PY
