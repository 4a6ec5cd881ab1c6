#!/usr/bin/env bash
# The reference-market table of docs/validation.md: the RMSC04 replica on seeds 1-20
# (scenarios/sweeps/reference-market.ron), `cascade stats` on every run, then the mean and
# range over seeds of each figure beside ABIDES's seed-1 figures (issue 15).
#
#   tests/validation/reference-market.sh [BINARY] [OUT]
#
# BINARY defaults to target/release/cascade, OUT to output/sweeps/reference-market.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${1:-target/release/cascade}"
out="${2:-output/sweeps/reference-market}"
"$bin" sweep scenarios/sweeps/reference-market.ron --out "$out" --keep-runs >/dev/null
for run in "$out"/runs/*/; do
    "$bin" stats "$run" --json >/dev/null
done
python3 - "$out" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
rows = []
for run in sorted((out / "runs").iterdir()):
    s = json.loads((run / "summary.json").read_text())
    d = json.loads((run / "stats.json").read_text())["day"]
    rows.append({
        "trades": s["trades"]["count"],
        "volume": s["trades"]["volume"],
        "std": d["return_std_bps"],
        "spread": d["mean_spread"] * 100,
        "range": d["mid_range"],
        "unchanged": d["unchanged_mid_pct"],
        "limits": s["orders"]["limit"],
    })
# ABIDES RMSC04, seed 1, full day (issue 15).
abides = {"trades": 18730, "volume": 1027188, "std": 0.94, "spread": 1.54, "range": 5.30,
          "unchanged": 4.4, "limits": 31633}
names = [("trades", "trades", 0), ("volume", "volume, shares", 0),
         ("std", "1-minute return std, bp", 3), ("spread", "mean spread, ¢", 3),
         ("range", "day's mid range, $", 2), ("unchanged", "unchanged-mid minutes, %", 1),
         ("limits", "new limit orders", 0)]
print(f"{len(rows)} seeds")
print("| figure | ABIDES seed 1 | cascade mean | cascade min – max | mean / ABIDES |")
print("|---|---:|---:|---:|---:|")
for key, label, p in names:
    xs = [r[key] for r in rows]
    mean = sum(xs) / len(xs)
    print(f"| {label} | {abides[key]:,.{p}f} | {mean:,.{p}f} | {min(xs):,.{p}f} – {max(xs):,.{p}f} "
          f"| {mean / abides[key]:.2f} |")
PY
