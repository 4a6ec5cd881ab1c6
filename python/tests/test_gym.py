"""The Gymnasium environment."""

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import cascade
import cascade.gym

from conftest import DATA
from test_agents import Buyer, Idle

SCENARIO = DATA / "buyers.ron"
AGENTS = {"Buyer": Buyer, "Idle": Idle}


def make(**kw):
    return cascade.gym.MarketEnv(SCENARIO, agent_slot="rl", agents=AGENTS, **kw)


def test_the_environment_passes_gymnasium_s_checker():
    env = make()
    check_env(env, skip_render_check=True)
    env.close()


def test_an_episode_runs_to_the_end_of_the_scenario_and_buying_builds_a_position():
    env = make()
    obs, info = env.reset(seed=3)
    assert env.observation_space.contains(obs)
    steps, truncated, terminated = 0, False, False
    while not (truncated or terminated):
        obs, reward, terminated, truncated, info = env.step(cascade.gym.BUY if steps < 5 else 0)
        steps += 1
    assert truncated and not terminated
    # 120 s at one wake every 2 s.
    assert 58 <= steps <= 61
    assert info["position"] == 5
    env.close()


def test_episodes_are_deterministic_with_the_seed():
    def episode(seed):
        env = make()
        obs, _ = env.reset(seed=seed)
        out = [obs]
        for a in [1, 0, 2, 1, 1, 0, 0, 2] * 3:
            obs, r, *_ = env.step(a)
            out.append(np.append(obs, r))
        env.close()
        return out

    a, b = episode(7), episode(7)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    c = episode(8)
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))


class Seller(Idle):
    """Sells 20 lots at market every second: the price drifts down."""

    def on_wake(self, view):
        return [cascade.Order.sell(20)]


def test_survival_reward_ends_the_episode_at_a_liquidation():
    env = cascade.gym.MarketEnv(
        SCENARIO,
        agent_slot="rl",
        agents={"Buyer": Seller, "Idle": Idle},
        reward="survival",
        order_size=200,
    )
    env.reset(seed=1)
    rewards, terminated, truncated, steps = [], False, False, 0
    while not (terminated or truncated):
        # Up to 1,000 lots long (100,000 of notional on 500 of collateral) while the sellers sell:
        # the engine takes the account over.
        _, r, terminated, truncated, info = env.step(cascade.gym.BUY if steps < 5 else 0)
        rewards.append(r)
        steps += 1
    assert terminated, info
    assert rewards[-1] == -100.0 and all(r == 1.0 for r in rewards[:-1])
    assert info["liquidations"] == 1 and info["position"] == 0
    env.close()


def test_a_slot_that_is_not_a_python_agent_group_is_refused():
    with pytest.raises(cascade.ScenarioError, match="agent_slot"):
        cascade.gym.MarketEnv(SCENARIO, agent_slot="noise", agents=AGENTS).reset(seed=1)
