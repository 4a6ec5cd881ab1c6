"""Python agents inside the Rust event loop: they trade, settle, and are deterministic."""

import polars as pl
import pytest

import cascade
from cascade import Agent, Order

from conftest import DATA

SCENARIO = DATA / "buyers.ron"


class Buyer(Agent):
    """Buys one lot at market at every wake-up."""

    def on_wake(self, view):
        return [Order.buy(1)]


class Idle(Agent):
    pass


class RandomQuoter(Agent):
    """Rests a bid or an ask a random number of ticks behind the best, cancels its oldest."""

    def on_wake(self, view):
        orders = []
        if len(view.orders) > 3:
            orders.append(Order.cancel(view.orders[0]))
        ref = view.mid or view.last
        off = self.rng.randint(1, 20)
        if self.rng.random() < 0.5:
            orders.append(Order.buy(self.rng.randint(1, 5), price=int(ref) - off))
        else:
            orders.append(Order.sell(self.rng.randint(1, 5), price=int(ref) + off))
        return orders


AGENTS = {"Buyer": Buyer, "Idle": Idle}


def buyer_ids(run):
    # Agents are numbered in scenario order: 50 noise, 2 makers, then the 2 buyers.
    return [52, 53]


def test_a_python_agent_that_buys_every_wake_shows_up_in_trades_csv(tmp_path):
    run = cascade.run(SCENARIO, agents=AGENTS)
    run.save(tmp_path, charts=False)
    trades = pl.read_csv(tmp_path / "trades.csv")
    mine = trades.filter(pl.col("taker").is_in(buyer_ids(run)))
    # 120 s, one wake a second from a random phase: 120 wakes each, each a 1-lot market buy
    # that fills against the makers' ladders.
    assert mine.height >= 2 * 119
    assert set(mine["taker_side"].to_list()) == {"buy"}
    # The last wake's order may arrive after the end (latency): 119 or 120 lots each.
    assert 2 * 119 <= mine["qty"].sum() <= 2 * 120
    by_taker = mine.group_by("taker").agg(pl.col("qty").sum())
    assert sorted(by_taker["taker"].to_list()) == [52, 53]


def test_python_agents_are_deterministic_with_the_seed():
    agents = {"Buyer": RandomQuoter, "Idle": Idle}
    a = cascade.run(SCENARIO, seed=11, agents=agents)
    b = cascade.run(SCENARIO, seed=11, agents=agents)
    c = cascade.run(SCENARIO, seed=12, agents=agents)
    assert a.summary == b.summary
    for name in cascade.TABLES:
        assert a.table(name).equals(b.table(name)), name
    assert not a.trades.equals(c.trades)
    quoted = a.trades.filter(pl.col("maker").is_in([52, 53]))
    assert quoted.height > 0, "the quoters' resting orders were filled"


def test_each_agent_gets_its_own_seed_and_identity():
    seen = {}

    class Recorder(Agent):
        def on_wake(self, view):
            seen[self.agent_id] = (self.group, self.member, self.seed)
            return []

    cascade.run(SCENARIO, seed=5, agents={"Buyer": Recorder, "Idle": Recorder})
    assert seen[52][:2] == ("buyers", 0) and seen[53][:2] == ("buyers", 1)
    assert seen[54][:2] == ("rl", 0)
    assert len({s for _, _, s in seen.values()}) == 3


def test_the_view_shows_the_book_and_the_account():
    views = []

    class Look(Agent):
        def on_wake(self, view):
            views.append(view)
            return [Order.buy(1)] if self.member == 0 else []

    cascade.run(SCENARIO, agents={"Buyer": Look, "Idle": Idle})
    late = [v for v in views if v.time_s > 60]
    assert late
    v = late[-1]
    assert v.best_bid < v.best_ask
    assert v.bids[0] == (v.best_bid, v.best_bid_qty)
    assert all(a[0] < b[0] for a, b in zip(v.asks, v.asks[1:]))
    assert v.tick_size == 0.01 and v.mark > 0
    buyer0 = [v for v in late if v.position > 0]
    assert buyer0, "member 0 holds what it bought"
    assert max(v.position for v in views) >= 60


def test_every_member_wakes_once_a_period():
    # (Throughput is measured in python/benches/bench.py, not asserted here.)
    d = cascade.load_scenario(SCENARIO)
    d["agents"] = [g for g in d["agents"] if "PythonAgent" in g]
    d["agents"][0]["PythonAgent"]["count"] = 100
    d["agents"][0]["PythonAgent"]["wake_every_s"] = 0.01
    d["duration_s"] = 20.0
    counts = {}

    class Count(Agent):
        def on_wake(self, view):
            counts[self.agent_id] = counts.get(self.agent_id, 0) + 1
            return []

    run = cascade.run(d, agents={"Buyer": Count, "Idle": Idle})
    # 100 members, one wake every 10 ms from a phase in the first 10 ms: 2,000 each.
    assert sorted(counts) == list(range(100))
    assert set(counts.values()) == {2000}
    assert run.wakes == 100 * 2000 + 10  # and the rl member, every 2 s


def test_an_exception_in_an_agent_stops_the_run_and_is_raised():
    class Broken(Agent):
        def on_wake(self, view):
            if view.time_s > 30:
                raise KeyError("broken on purpose")
            return []

    with pytest.raises(KeyError, match="broken on purpose"):
        cascade.run(SCENARIO, agents={"Buyer": Broken, "Idle": Idle})


def test_orders_are_checked():
    with pytest.raises(ValueError, match="qty"):
        Order.buy(0)
    with pytest.raises(ValueError, match="price"):
        Order.sell(1, price=0)
    with pytest.raises(ValueError, match="tif"):
        Order.sell(1, price=10, tif="fok")

    class Huge(Agent):
        def on_wake(self, view):
            return [Order.buy(view.max_order_lots + 1)]

    with pytest.raises(ValueError, match="max_order_lots"):
        cascade.run(SCENARIO, agents={"Buyer": Huge, "Idle": Idle})

    class NotOrders(Agent):
        def on_wake(self, view):
            return ["buy"]

    with pytest.raises(TypeError, match="cascade.Order"):
        cascade.run(SCENARIO, agents={"Buyer": NotOrders, "Idle": Idle})


def test_an_unknown_class_is_a_scenario_error():
    with pytest.raises(cascade.ScenarioError, match="'Buyer'"):
        cascade.run(SCENARIO, agents={"Idle": Idle})


def test_a_class_named_module_colon_class_is_imported():
    d = cascade.load_scenario(SCENARIO)
    for g in d["agents"]:
        if "PythonAgent" in g:
            g["PythonAgent"]["class"] = "cascade:Agent"
    run = cascade.run(d)
    assert run.trades.filter(pl.col("taker").is_in([52, 53, 54])).height == 0


class FundingWatcher(Agent):
    """Records what the view says of funding at each wake-up."""

    seen = []

    def on_wake(self, view):
        FundingWatcher.seen.append(
            (view.funding_rate, view.predicted_funding_rate, view.next_funding_s)
        )
        return []


def test_the_view_shows_funding_on_a_venue_that_funds_and_none_without():
    agents = {"Buyer": FundingWatcher, "Idle": Idle}
    FundingWatcher.seen = []
    cascade.run(SCENARIO, agents=agents)
    assert FundingWatcher.seen and all(s == (None, None, None) for s in FundingWatcher.seen)
    FundingWatcher.seen = []
    binance = {
        "venue": "Binance",
        "index": "Some(IndexSpec(interval_s: 1.0))",
        "funding.interval_s": 60.0,
        # Binance's waterfall has no shortfall rule: the file's `shortfall: Adl` would be refused.
        "liquidation.shortfall": None,
    }
    cascade.run(SCENARIO, agents=agents, set=binance)
    shown = [s for s in FundingWatcher.seen if s[2] is not None]
    assert shown, "no wake saw the funding clock"
    # Paid every 60 s: the next payment is always within a minute ahead and on the clock.
    assert all(s[2] % 60.0 == 0.0 for s in shown)
    assert any(s[0] is not None and s[0] != 0.0 for s in shown[-30:]), "no payment seen"
