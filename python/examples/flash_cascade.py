"""The flash cascade from Python: run it, plot price with liquidations from the DataFrames,
compare with liquidations off, and run a small sweep built from axes.

    python python/examples/flash_cascade.py [OUT_DIR] [--short]

Run from the repository root (scenario paths are relative to it). --short cuts the runs to
the first 22 minutes and the sweep to one seed (the test suite runs it that way).
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402

import cascade  # noqa: E402


def main(out: Path, short: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    sets = {"duration_s": 1320} if short else {}
    run = cascade.run("scenarios/flash-cascade.ron", seed=1, set=sets)
    off = cascade.run("scenarios/flash-cascade.ron", seed=1, set=sets | {"liquidation.enabled": False})
    s = run.summary
    print(
        f"{run.name}: {s['liquidations']['count']} liquidations, "
        f"max drawdown {s['price']['max_drawdown_pct']:.2f}% "
        f"(without liquidations {off.summary['price']['max_drawdown_pct']:.2f}%)"
    )

    # Price with a marker at each liquidation, from the DataFrames.
    series, liq = run.series, run.liquidations
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.plot(series["time_s"], series["mid"], lw=0.8, label="mid")
    ax.plot(off.series["time_s"], off.series["mid"], lw=0.8, alpha=0.6, label="mid, liquidations off")
    if liq.height:
        at = liq.join_asof(series.select("time_s", "mid").sort("time_s"), on="time_s")
        longs = at.filter(pl.col("side") == "long")
        shorts = at.filter(pl.col("side") == "short")
        ax.scatter(longs["time_s"], longs["mid"], s=8, c="red", label="long liquidated")
        ax.scatter(shorts["time_s"], shorts["mid"], s=8, c="green", label="short liquidated")
    ax.set_xlabel("time, s")
    ax.set_ylabel("price")
    ax.legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(out / "price-liquidations.png", dpi=100)
    print(f"wrote {out / 'price-liquidations.png'}")

    # A small sweep built here: liquidations on and off × the makers' number, over seeds;
    # the results table (one row per run) as a DataFrame.
    results = cascade.sweep(
        base="scenarios/flash-cascade.ron",
        axes={"liquidation.enabled": [True, False], "agents.makers.count": [4, 8]},
        seeds=range(1, 2 if short else 6),
        set=sets,
        threads=2,
        progress=not short,
    )
    table = results.group_by("liquidation.enabled", "agents.makers.count").agg(
        pl.col("price.max_drawdown_pct").mean().alias("mean drawdown %"),
        pl.col("liquidations.count").mean().alias("mean liquidations"),
        pl.len().alias("runs"),
    )
    print(table.sort("liquidation.enabled", "agents.makers.count"))

if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(Path(args[0]) if args else Path("output/python-example"), "--short" in sys.argv)
