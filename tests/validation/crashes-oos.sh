#!/usr/bin/env bash
# The "Crashes out of sample" tables of docs/validation.md: 12 March 2020 (BitMEX) and 19 May
# 2021 on seeds 1-20 (scenarios/sweeps/validation-oos-*.ron: as shipped, and the same falls in
# one hour), and the 10 October 2025 crash they were calibrated on (validation-crash.ron), then
# each figure's mean and [min, max] over the seeds (issue 15, part 6).
#
#   tests/validation/crashes-oos.sh [BINARY] [OUT]
#
# BINARY defaults to target/release/cascade, OUT to output/sweeps. About 5 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${1:-target/release/cascade}"
out="${2:-output/sweeps}"
sweeps=(validation-crash validation-oos-2020-03-12 validation-oos-2020-03-12-1h
        validation-oos-2021-05-19 validation-oos-2021-05-19-1h)
for s in "${sweeps[@]}"; do
    "$bin" sweep "scenarios/sweeps/$s.ron" --threads 2 --out "$out/$s" >/dev/null
done
python3 - "$out" "${sweeps[@]}" <<'PY'
import csv, sys

# The index's lowest point of each sweep (its scripted path), quote currency.
INDEX_LOW = {"validation-crash": 111000.0, "validation-oos-2020-03-12": 3978.0,
             "validation-oos-2020-03-12-1h": 3978.0, "validation-oos-2021-05-19": 30066.0,
             "validation-oos-2021-05-19-1h": 30066.0}

def num(x):
    return float(x) if x not in ("", None) else None

figures = [
    ("fall of the mid from its high, %", lambda r: num(r["price.max_drawdown_pct"]), 1),
    ("largest fall within 12 minutes, %", lambda r: num(r["price.max_fall_12min_pct"]), 1),
    ("largest fall within 60 minutes, %", lambda r: num(r["price.max_fall_60min_pct"]), 1),
    ("mid's low, quote", lambda r: num(r["price.min"]), 0),
    ("mid's low against the index's low, %",
     lambda r: (num(r["price.min"]) / INDEX_LOW[r["_sweep"]] - 1) * 100, 2),
    ("liquidations", lambda r: num(r["liquidations.count"]), 0),
    ("liquidated value, M quote", lambda r: num(r["liquidations.value"]) / 1e6, 2),
    ("long share of the liquidated value, %",
     lambda r: num(r["liquidations.long_value_share"]) * 100, 1),
    ("busiest minute's share of the value, %",
     lambda r: num(r["liquidations.busiest_minute_share"]) * 100, 1),
    ("shortest window holding 80% of the value, min",
     lambda r: num(r["liquidations.window_80pct_s"]) / 60, 0),
    ("largest generation", lambda r: num(r["liquidations.max_generation"]), 0),
    ("ADL fills", lambda r: num(r["liquidations.adl_count"]), 0),
    ("seeds with ADL", lambda r: float(num(r["liquidations.adl_count"]) > 0), None),
    ("insurance fund at the end against its start, %",
     lambda r: (num(r["insurance_fund.end"]) / num(r["insurance_fund.start"]) - 1) * 100, 2),
    ("insurance fund at its lowest against its start, %",
     lambda r: (num(r["insurance_fund.min"]) / num(r["insurance_fund.start"]) - 1) * 100, 2),
    ("funding rate paid (mean), bps", lambda r: num(r["funding.rate_mean_bps"]), 1),
    ("median |mid - index|, bps", lambda r: num(r["basis.median_abs_bps"]), 0),
    ("spread at the worst, bps", lambda r: num(r["spread.peak_bps"]), 0),
    ("depth within 1%, min / baseline", lambda r: num(r["depth.min_over_baseline"]), 2),
]

out = sys.argv[1]
for sweep in sys.argv[2:]:
    rows = [r for r in csv.DictReader(open(f"{out}/{sweep}/results.csv")) if r["status"] == "ok"]
    for r in rows:
        r["_sweep"] = sweep
    print(f"\n{sweep}: {len(rows)} seeds")
    for label, f, p in figures:
        xs = [x for x in (f(r) for r in rows) if x is not None]
        if not xs:
            print(f"  {label}: -")
        elif p is None:
            print(f"  {label}: {int(sum(xs))} / {len(xs)}")
        else:
            print(f"  {label}: {sum(xs) / len(xs):,.{p}f} [{min(xs):,.{p}f}, {max(xs):,.{p}f}]")
PY
