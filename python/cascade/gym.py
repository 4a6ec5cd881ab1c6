"""A Gymnasium environment: one agent of a scenario driven by ``step(action)``.

The scenario holds a ``PythonAgent`` group; the member named by ``agent_slot`` is the one the
environment drives. At each of its wake-ups the simulation pauses, ``step`` answers with the
action, and the orders go out at that same wake-up with the scenario's latency, trading in the
same book and settling in the same ledger as every other agent.

    env = cascade.gym.MarketEnv("scenario-with-a-PythonAgent.ron", agent_slot="rl")
    obs, info = env.reset(seed=1)
    obs, reward, terminated, truncated, info = env.step(1)   # buy order_size lots at market
"""

from __future__ import annotations

import math
from typing import Any, Dict, Mapping, Optional, Tuple, Union

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from . import Order, ScenarioLike, SetLike, _core, _factory, _sets, _source, load_scenario

__all__ = ["MarketEnv", "OBSERVATION"]

#: The observation vector's entries, in order.
OBSERVATION = (
    "mid_return",  # mid (or last) / initial price - 1
    "spread_ticks",  # best ask - best bid, ticks (0 when a side is empty)
    "log_bid_qty",  # log(1 + lots at the best bid)
    "log_ask_qty",  # log(1 + lots at the best ask)
    "position",  # the agent's position / order_size
    "pnl",  # equity change since reset, quote currency / (initial price × order_size)
    "margin_ratio",  # maintenance / equity (0 without margin)
    "time",  # fraction of the run elapsed
)

#: Actions: 0 holds, 1 buys ``order_size`` lots at market, 2 sells them.
HOLD, BUY, SELL = 0, 1, 2


class MarketEnv(gym.Env):
    """One agent of a cascade scenario as a Gymnasium environment.

    ``scenario``: a path, RON text or dict holding a ``PythonAgent`` group; ``agent_slot``: the
    group's name, or ``(name, member)``; ``reward``: ``"pnl"`` (change of the account's equity
    at the mark, quote currency) or ``"survival"`` (1 per step, ``liquidation_penalty`` and the
    end of the episode when the account is taken over by the liquidation engine);
    ``agents``: classes of the scenario's other Python agents, as for :func:`cascade.run`.
    An episode ends with the run (``truncated``) or with a liquidation (``terminated``).
    """

    metadata = {"render_modes": []}

    def __init__(
        self,
        scenario: ScenarioLike,
        agent_slot: Union[str, Tuple[str, int]],
        reward: str = "pnl",
        order_size: int = 1,
        set: SetLike = None,
        agents: Optional[Mapping[str, type]] = None,
        liquidation_penalty: float = 100.0,
    ):
        if reward not in ("pnl", "survival"):
            raise ValueError(f'reward: expected "pnl" or "survival", got {reward!r}')
        if order_size < 1:
            raise ValueError(f"order_size: must be at least 1 lot, got {order_size}")
        self._text, self._is_file = _source(scenario)
        self._sets = _sets(set)
        self._group, self._member = (
            (agent_slot, 0) if isinstance(agent_slot, str) else (agent_slot[0], int(agent_slot[1]))
        )
        self._agents = agents
        self._reward = reward
        self._penalty = float(liquidation_penalty)
        self.order_size = int(order_size)
        self.observation_space = spaces.Box(
            low=-np.inf, high=np.inf, shape=(len(OBSERVATION),), dtype=np.float32
        )
        self.action_space = spaces.Discrete(3)
        described = load_scenario(scenario)
        self._default_seed = int(described["seed"])
        self._initial_price_ticks = described["instrument"]["initial_price"] / described[
            "instrument"
        ]["tick_size"]
        self._duration_s = float(described["duration_s"])
        self._stepper = None
        self._view = None
        self._equity0 = 0.0

    # -- the episode -------------------------------------------------------------------------

    def reset(self, *, seed: Optional[int] = None, options: Optional[Dict[str, Any]] = None):
        super().reset(seed=seed)
        self._close_stepper()
        run_seed = seed if seed is not None else self._default_seed
        if seed is None and self._view is not None:
            # A new episode without a seed: a fresh seed from the environment's generator.
            run_seed = int(self.np_random.integers(0, 2**63 - 1))
        self._stepper = _core.Stepper(
            self._text,
            self._is_file,
            self._group,
            member=self._member,
            seed=run_seed,
            sets=self._sets,
            make_agent=_factory(self._agents),
        )
        self._view = self._stepper.next()
        if self._view is None:
            raise RuntimeError(
                f"agent_slot {self._group!r} never wakes: the run ended before its first wake-up"
            )
        self._equity0 = self._view.equity * self._view.unit_quote
        return self._observe(self._view), self._info(self._view)

    def step(self, action):
        if self._stepper is None or self._view is None:
            raise RuntimeError("call reset() before step()")
        if not self.action_space.contains(action):
            raise ValueError(f"action: expected 0, 1 or 2, got {action!r}")
        before = self._view
        a = int(action)
        orders = []
        if a == BUY:
            orders = [Order.buy(self.order_size)]
        elif a == SELL:
            orders = [Order.sell(self.order_size)]
        self._stepper.act(orders)
        view = self._stepper.next()
        if view is None:
            # The run ended: the last observation stands, the episode is cut by time.
            return self._observe(before), 0.0, False, True, self._info(before)
        self._view = view
        liquidated = view.in_liquidation or view.liquidations > before.liquidations
        if self._reward == "pnl":
            reward = (view.equity - before.equity) * view.unit_quote
        else:
            reward = -self._penalty if liquidated else 1.0
        return self._observe(view), float(reward), bool(liquidated), False, self._info(view)

    def close(self):
        self._close_stepper()

    def _close_stepper(self):
        if self._stepper is not None:
            self._stepper.close()
            self._stepper = None

    # -- observations ------------------------------------------------------------------------

    def _observe(self, v) -> np.ndarray:
        ref = v.mid if v.mid is not None else float(v.last)
        spread = (v.best_ask - v.best_bid) if v.mid is not None else 0
        scale = self._initial_price_ticks * v.tick_size * self.order_size
        equity = v.equity * v.unit_quote
        obs = np.array(
            [
                ref / self._initial_price_ticks - 1.0,
                float(spread),
                math.log1p(v.best_bid_qty),
                math.log1p(v.best_ask_qty),
                v.position / self.order_size,
                (equity - self._equity0) / scale,
                v.maintenance / v.equity if v.equity > 0 else (1.0 if v.maintenance else 0.0),
                v.time_s / self._duration_s,
            ],
            dtype=np.float32,
        )
        return np.nan_to_num(obs, nan=0.0, posinf=1e30, neginf=-1e30)

    def _info(self, v) -> Dict[str, Any]:
        return {
            "time_s": v.time_s,
            "position": v.position,
            "equity": v.equity * v.unit_quote,
            "mark": v.mark * v.tick_size,
            "liquidations": v.liquidations,
        }
