#!/usr/bin/env bash
# The "With an endogenous index" tables of docs/validation.md: scenarios/2025-10-10-endogenous.ron
# on seeds 1-20 with liquidations on and off (scenarios/sweeps/validation-crash-endogenous.ron),
# then each published band's mean [min, max] and the seeds that meet it, the seeds that meet
# all six at once, and the 12-minute fall with liquidations off against on, seed by seed.
#
#   tests/validation/crash-endogenous.sh [BINARY] [OUT] [SWEEP]
#
# BINARY defaults to target/release/cascade, OUT to output/crash-endogenous, SWEEP to
# scenarios/sweeps/validation-crash-endogenous.ron (seeds 1-20); the training seeds 21-40, on
# which candidates are compared, are scenarios/sweeps/training-crash-endogenous.ron. About a
# minute on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${1:-target/release/cascade}"
out="${2:-output/crash-endogenous}"
sweep="${3:-scenarios/sweeps/validation-crash-endogenous.ron}"
"$bin" sweep "$sweep" --threads "${THREADS:-2}" --resume --out "$out" >/dev/null
python3 - "$out/results.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
num = lambda r, k: float(r[k]) if r[k] not in ("", None) else None
on = {int(r["seed"]): r for r in rows if r["liquidation.enabled"] == "true"}
off = {int(r["seed"]): r for r in rows if r["liquidation.enabled"] == "false"}
seeds = sorted(on)
# (label, published, key, scale, unit, test); the six test bands of docs/validation.md.
bands = [
    ("fall within 12 minutes", "BTC -13.1% (one large venue)", "price.max_fall_12min_pct", 1, "%",
     "within 10-16%", lambda x: 10 <= abs(x) <= 16),
    ("long share of liquidated notional", "87-91%", "liquidations.long_value_share", 100, "%",
     "within 87-91%", lambda x: 87 <= x <= 91),
    ("liquidated value within the busiest 40 minutes", "\"the bulk\"",
     "liquidations.busiest_40min_share", 100, "%", "at 90% or more", lambda x: x >= 90),
    ("top-of-book depth (within 1% of the mid), min / baseline", "-90% or more",
     "depth.min_over_baseline", 1, "", "at 0.10 or less", lambda x: x <= 0.10),
    ("spread, before", "single-digit bps", "spread.baseline_bps", 1, " bps", "below 10 bps",
     lambda x: x < 10),
    ("spread, at the worst", "double-digit percent", "spread.peak_bps", 1, " bps",
     "at 1,000 bps or more", lambda x: x >= 1000),
]
extra = [
    ("the peak minute's share (not one of the six)", "46%", "liquidations.busiest_minute_share",
     100, "%", "within 36-56%", lambda x: 36 <= x <= 56),
]
def fmt(x, unit):
    d = 2 if unit == "" else 1
    return f"{x:,.{d}f}{unit}"
print(f"| target | published figure | {len(seeds)} seeds, mean [min, max] | met on |")
print("|---|---|---|---|")
met_all = {s: True for s in seeds}
missed = {s: [] for s in seeds}
for label, pub, key, scale, unit, test_label, test in bands + extra:
    xs = {s: num(on[s], key) for s in seeds}
    vals = [x * scale for x in xs.values() if x is not None]
    met = [s for s in seeds if xs[s] is not None and test(xs[s] * scale)]
    if (label, pub, key, scale, unit, test_label, test) in bands:
        for s in seeds:
            met_all[s] &= s in met
            if s not in met:
                missed[s].append(f"{key.split('.')[-1]} {fmt(xs[s] * scale, unit) if xs[s] is not None else '-'}")
    rng = f"{fmt(sum(vals) / len(vals), unit)} [{fmt(min(vals), unit)}, {fmt(max(vals), unit)}]"
    print(f"| {label} | {pub} | {rng} | {len(met)} / {len(seeds)} {test_label} |")
print(f"| all six test bands at once | | | {sum(met_all.values())} / {len(seeds)} |")
print()
print("| seed | fall 12 min, liquidations on | off | off / on | at most half as deep | all six bands | missed |")
print("|---|---|---|---|---|---|---|")
half = 0
for s in seeds:
    a, b = num(on[s], "price.max_fall_12min_pct"), num(off[s], "price.max_fall_12min_pct")
    ok = b <= a / 2
    half += ok
    print(f"| {s} | {a:.1f}% | {b:.1f}% | {b / a:.2f} | {'yes' if ok else 'no'} | {'yes' if met_all[s] else 'no'} | {'; '.join(missed[s])} |")
print(f"| seeds at most half as deep | | | | {half} / {len(seeds)} | | |")
PY
