#!/usr/bin/env bash
# The "Contagion between venues" table of docs/validation.md: scenarios/contagion.ron on seeds
# 1-10 as shipped and under each counterfactual (no arbitrage capital; no capital between the
# perps; no spot-perp capital; perp-b's index from spot-z alone; both isolations; collateral
# haircuts off; perp-b's margin held as cash), then each variant's perp-b liquidations by root
# (the collateral's among them), the coin's lowest price as perp-b counts it, perp-a's and
# perp-b's 12-minute falls and the delay from perp-a's first liquidation to perp-b's, and the
# cascade tree's edges across venues (issue 12).
#
#   tests/validation/contagion.sh [BINARY] [OUT]
#
# BINARY defaults to target/release/cascade, OUT to output/contagion. About 3 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${1:-target/release/cascade}"
out="${2:-output/contagion}"
own_index=(--set 'venues.perp-b.index_sources.sources[0].weight=0'
           --set 'venues.perp-b.index_sources.sources[1].weight=0')
run() {
    local label="$1"; shift
    for seed in $(seq 1 10); do
        "$bin" run scenarios/contagion.ron --seed "$seed" --no-charts --force \
            --out "$out/$label/seed-$seed" "$@" >/dev/null
    done
}
run shipped
run no-arbitrage-capital --set agents.arb-perps.capital=0 --set agents.arb-basis.capital=0
run no-perp-perp-capital --set agents.arb-perps.capital=0
run no-spot-perp-capital --set agents.arb-basis.capital=0
run perp-b-index-from-spot-z "${own_index[@]}"
run isolated --set agents.arb-perps.capital=0 --set agents.arb-basis.capital=0 "${own_index[@]}"
run haircuts-off --set collateral.assets.coin.haircut=0
run margin-as-cash --set venues.perp-b.agents.longs-b.collateral_asset=None \
    --set venues.perp-b.agents.shorts-b.collateral_asset=None
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
variants = ["shipped", "no-arbitrage-capital", "no-perp-perp-capital", "no-spot-perp-capital",
            "perp-b-index-from-spot-z", "isolated", "haircuts-off", "margin-as-cash"]
def mean(xs):
    xs = [x for x in xs if x is not None]
    return sum(xs) / len(xs) if xs else None
def fmt(x, d=1):
    return "—" if x is None else f"{x:,.{d}f}"
print("| variant | perp-a liquidations | perp-b liquidations | by index | by arbitrage | by own flow "
      "| by collateral | seeds with imported ones | perp-a fall 12 min, % | perp-b fall 12 min, % "
      "| first on perp-b after perp-a, s | takeovers under a parent on the other venue "
      "| deepest generation | coin's lowest price |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for v in variants:
    rows = []
    for seed in range(1, 11):
        s = json.load(open(f"{out}/{v}/seed-{seed}/summary.json"))
        a, b, c = s["venues"]["perp-a"], s["venues"]["perp-b"], s["contagion"]
        r = b["liquidation_roots"]
        rows.append((a["liquidations"]["count"], b["liquidations"]["count"], r["index"],
                     r["arbitrage"], r["own_flow"], a["price"]["max_fall_12min_pct"],
                     b["price"]["max_fall_12min_pct"], c["first_liquidation_delay_s"],
                     c["cross_venue_links"], c["max_generation"],
                     b.get("collateral_liquidations", 0),
                     (s.get("collateral") or {}).get("price_min")))
    col = lambda k: [row[k] for row in rows]
    digits = lambda k: 1 if 5 <= k <= 7 else 3 if k == 11 else 0
    rng = lambda k: f"{fmt(mean(col(k)), digits(k) if k == 11 else 1)} [{fmt(min(col(k)), digits(k))}, {fmt(max(col(k)), digits(k))}]"
    imported = sum(1 for row in rows if row[2] + row[3] > 0)
    delays = [d for d in col(7) if d is not None]
    delay = f"{fmt(mean(delays))} [{fmt(min(delays), 0)}, {fmt(max(delays), 0)}] on {len(delays)}" if delays else "—"
    print(f"| {v} | {rng(0)} | {rng(1)} | {rng(2)} | {rng(3)} | {rng(4)} | {rng(10)} "
          f"| {imported} of 10 | {rng(5)} | {rng(6)} | {delay} | {rng(8)} | {rng(9)} | {rng(11)} |")
PY
