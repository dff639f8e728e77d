"""How many environment steps does REINFORCE need on CartPole-v1? (The numbers quoted in notebook 01.)

    python benchmarks/bench_reinforce.py            # 10 seeds, default ReinforceConfig
    python benchmarks/bench_reinforce.py --seeds 3

Two measures per seed, both counting every environment step REINFORCE takes while training:

- *first ≥ 475*: steps until the mean return of one training batch (8 sampled episodes) first reaches 475;
- *solved*: steps until Gymnasium's definition of solving CartPole-v1 holds, a mean return of at least
  475 over the last 100 training episodes. Once returns are near 500 those 100 episodes alone take
  about 50,000 steps, so this measure is the stricter and the larger.

Each run stops when solved, or after ``--budget`` steps. The table also gives the greedy policy's
return at the end (20 evaluation episodes) and, for scale, how many steps one expert demonstration has.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from bcolearn.evaluation import evaluate
from bcolearn.experts import REFERENCE_RETURNS, load_expert
from bcolearn.reinforce import ReinforceConfig, train_reinforce
from bcolearn.rollout import collect_demos

ENV_ID = "CartPole-v1"
THRESHOLD = 475.0


def measure(seed: int, config: ReinforceConfig) -> dict[str, float | None]:
    """Steps to the first batch ≥ 475 and to solved (None if not reached), episodes, greedy return, CPU s."""
    window = math.ceil(100 / config.episodes_per_iter)  # iterations holding the last ~100 episodes
    means: list[float] = []
    out: dict[str, float | None] = {"first": None, "solved": None}

    def watch(row: dict[str, float]) -> bool:
        if "train/return_mean" not in row:  # the budget cut every episode of the last iteration
            return False
        means.append(row["train/return_mean"])
        if out["first"] is None and means[-1] >= THRESHOLD:
            out["first"] = row["env/steps"]
        if len(means) >= window and np.mean(means[-window:]) >= THRESHOLD:
            out["solved"] = row["env/steps"]
            return True
        return False

    start = time.process_time()
    result = train_reinforce(ENV_ID, config, seed=seed, callbacks=[watch])
    out["cpu"] = time.process_time() - start
    out["episodes"] = len(result.history) * config.episodes_per_iter
    out["used"] = result.history.last("env/steps")
    out["greedy"] = evaluate(ENV_ID, result.policy, n_episodes=20).mean
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--budget", type=int, default=500_000, help="give up after this many env steps")
    args = parser.parse_args()
    config = ReinforceConfig(total_steps=args.budget)
    print(f"REINFORCE on {ENV_ID}, {config}")
    print(f"{'seed':>4} {'steps to first ≥ 475':>21} {'steps to solved':>16} {'episodes':>9} {'greedy return':>14} "
          f"{'CPU s':>6}")
    runs = []
    for seed in range(args.seeds):
        r = measure(seed, config)
        runs.append(r)
        first = f"{r['first']:,.0f}" if r["first"] is not None else "not reached"
        solved = f"{r['solved']:,.0f}" if r["solved"] is not None else f"not in {r['used']:,.0f}"
        print(f"{seed:>4} {first:>21} {solved:>16} {r['episodes']:>9,.0f} {r['greedy']:>14.1f} {r['cpu']:>6.1f}",
              flush=True)
    for key, name in (("first", "first batch ≥ 475"), ("solved", "solved")):
        ok = [r[key] for r in runs if r[key] is not None]
        summary = f"median {np.median(ok):,.0f}, min {min(ok):,.0f}, max {max(ok):,.0f}" if ok else "n/a"
        print(f"{name}: reached by {len(ok)}/{len(runs)} seeds; env steps {summary}")
    demo = collect_demos(ENV_ID, load_expert(ENV_ID), n_episodes=1, seed=0)[0]
    ref = REFERENCE_RETURNS[ENV_ID]
    print(f"for scale: one expert demonstration = {len(demo)} steps (return {demo.episode_return:.0f}); "
          f"expert mean return {ref.expert}, random {ref.random}")


if __name__ == "__main__":
    main()
