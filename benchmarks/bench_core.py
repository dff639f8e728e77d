"""Prints the figures the core package promises (issue "bcolearn core"), as one table.

    python benchmarks/bench_core.py            # everything (a few minutes on 2 cores)
    python benchmarks/bench_core.py --quick    # CartPole rows and import time only
    python benchmarks/bench_core.py --gaifo    # only the BCO-on-every-task and GAIfO rows (notebook 08)
    python benchmarks/bench_core.py --bco      # only the BCO-on-every-task rows (issue 13's BCO table)
    python benchmarks/bench_core.py --bco --seeds 9   # the same over seeds 0-8, to see the seed-to-seed spread
    python benchmarks/bench_core.py --bco --label-radius 1   # every task's BCO with label_radius 1 (0: every label)

CPU times are process CPU seconds (time.process_time) on this machine, measured after one warm-up
run (the first run in a process also imports torch, about a second once per process; it is reported too).
Returns are means over evaluation episodes that start from bcolearn.EVAL_SEED.
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
import time

import numpy as np

import bcolearn as bl
from bcolearn.bco import recommended_bco_config


def cpu(fn):  # type: ignore[no-untyped-def]
    """(result, CPU seconds) of fn()."""
    start = time.process_time()
    out = fn()
    return out, time.process_time() - start


def fresh_process_time(code: str) -> float:
    """Wall time of running ``code`` in a fresh interpreter, interpreter start included (best of 3)."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        best = min(best, time.perf_counter() - start)
    return best


def score_cell(scores: list[float]) -> str:
    """Mean normalised score, then each seed's (up to 3 seeds) or the spread over seeds (more than 3)."""
    if len(scores) <= 3:
        return f"score {np.mean(scores):.3f} ({', '.join(f'{s:.2f}' for s in scores)})"
    return f"score {np.mean(scores):.3f} ± {np.std(scores, ddof=1):.3f} sd, {min(scores):.2f}–{max(scores):.2f}"


def row(what: str, result: str, budget: str, ref: str) -> None:
    print(f"| {what:<58} | {result:<34} | {budget:<34} | {ref:<26} |")


def header() -> None:
    """The table's header, in the widths of :func:`row`."""
    row("what", "result", "budget used", "expert / random")
    print(f"|{'-' * 60}|{'-' * 36}|{'-' * 36}|{'-' * 28}|")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--gaifo", action="store_true")
    parser.add_argument("--bco", action="store_true")
    parser.add_argument("--seeds", type=int, default=3, metavar="N",
                        help="training seeds 0..N-1 for the BCO and GAIfO rows (default 3, as the issues ask)")
    parser.add_argument("--label-radius", type=float, default=None, metavar="R",
                        help="BCOConfig.label_radius for every task's BCO row, instead of the recommended one")
    args = parser.parse_args()
    if args.bco:
        header()
        bco_rows(tuple(range(args.seeds)), label_radius=args.label_radius)
        return
    if args.gaifo:
        header()
        gaifo_rows(tuple(range(args.seeds)))
        return
    env = "CartPole-v1"
    ref = bl.REFERENCE_RETURNS[env]
    demos = bl.collect_demos(env, bl.load_expert(env), 1, seed=0)

    _, first = cpu(lambda: bl.train_bc(demos, env_id=env, seed=123))
    print(f"(first BC run in this process, including importing torch: {first:.2f} s CPU)\n")
    header()

    bc, t_bc = cpu(lambda: bl.train_bc(demos, env_id=env, seed=0))
    ev = bl.evaluate(env, bc.policy, 20)
    row("BC, CartPole-v1, 1 expert trajectory", f"return {ev.mean:.1f} (20 episodes)", f"{t_bc:.3f} s CPU of training",
        f"{ref.expert:.1f} / {ref.random:.1f}")
    import torch  # imported by the first run above

    torch.set_num_threads(2)
    _, t_bc2 = cpu(lambda: bl.train_bc(demos, env_id=env, seed=0))
    torch.set_num_threads(1)
    row("  same, torch default of 2 threads", "", f"{t_bc2:.3f} s CPU of training", "")

    cfg = recommended_bco_config(env)
    bco, t_bco = cpu(lambda: bl.train_bco(bl.drop_actions(demos), cfg, env_id=env, seed=0))
    ev = bl.evaluate(env, bco.policy, 20)
    row("BCO(0), CartPole-v1, 1 state-only trajectory", f"return {ev.mean:.1f} (20 episodes)",
        f"{int(bco.history.last('env/steps'))} env steps, {t_bco:.2f} s CPU", f"{ref.expert:.1f} / {ref.random:.1f}")

    if not args.quick:
        gaifo_rows(tuple(range(args.seeds)))
    row("import bcolearn (fresh process)", f"{fresh_process_time('import bcolearn'):.2f} s wall", "", "")
    row("  and first use of a network (imports torch)", f"{fresh_process_time('import bcolearn; bcolearn.train_bc'):.2f} s wall",
        "", "")



def dagger_rows() -> None:
    """DAgger from one expert demo (notebook 07): return and score, expert labels queried, CPU seconds; 3 seeds each."""
    for env_id in ["Pendulum-v1", "Acrobot-v1"]:
        ref = bl.REFERENCE_RETURNS[env_id]
        cfg = bl.recommended_dagger_config(env_id)
        demos = bl.collect_demos(env_id, bl.load_expert(env_id), 1, seed=0)
        evals, labels, times, bc_evals = [], [], [], []
        for seed in range(3):
            res, t = cpu(lambda: bl.train_dagger(demos, cfg, env_id=env_id, seed=seed, expert=bl.load_expert(env_id)))
            evals.append(bl.evaluate(env_id, res.policy, 50))
            bc_evals.append(bl.train_bc(demos, cfg.bc, env_id=env_id, seed=seed).evaluate(50))
            labels.append(res.labels)
            times.append(t)
        row(f"DAgger ({cfg.iterations}×{cfg.rollout_episodes} ep.), {env_id}, 1 demo",
            f"return {np.mean([e.mean for e in evals]):.1f}, score {np.mean([e.score for e in evals]):.3f} "
            f"({', '.join(f'{e.score:.2f}' for e in evals)})",
            f"{int(np.mean(labels))} expert labels, {np.mean(times):.1f} s CPU", f"{ref.expert:.1f} / {ref.random:.1f}")
        row("  BC alone, same demo and BC settings", f"return {np.mean([e.mean for e in bc_evals]):.1f}, score "
            f"{np.mean([e.score for e in bc_evals]):.3f}", "0 expert labels (besides the demo's)", "")


BCO_DEMOS = {"CartPole-v1": 1, "Acrobot-v1": 5, "MountainCar-v0": 10, "Pendulum-v1": 10, "LunarLander-v3": 10}
"""State-only demos per task in the BCO rows (as in the rows above)."""


def bco_rows(seeds: tuple[int, ...] = (0, 1, 2), episodes: int = 50, label_radius: float | None = None) -> None:
    """Issue 13's BCO rows: BCO with the recommended configs on all five tasks.

    Each: mean normalised score over ``seeds`` (each policy evaluated on ``episodes`` episodes), the
    environment interactions the run spent (``BCOResult.env_steps``), and CPU seconds per run. A
    ``label_radius`` replaces the recommended one on every task (0 keeps every label).
    """
    for env_id, n_demos in BCO_DEMOS.items():
        ref = bl.REFERENCE_RETURNS[env_id]
        cfg = recommended_bco_config(env_id)
        if label_radius is not None:
            cfg = dataclasses.replace(cfg, label_radius=label_radius)
        demos = bl.collect_state_demos(env_id, bl.load_expert(env_id), n_demos, seed=0)
        scores, steps, times = [], [], []
        for seed in seeds:
            res, t = cpu(lambda: bl.train_bco(demos, cfg, env_id=env_id, seed=seed))
            scores.append(bl.evaluate(env_id, res.policy, episodes).score)
            steps.append(res.env_steps)
            times.append(t)
        trust = f", labels ≤ {cfg.label_radius:g}" if cfg.label_radius else ""
        row(f"BCO({cfg.alpha:g}){trust}, {env_id}, {n_demos} state-only demo{'s' * (n_demos > 1)}", score_cell(scores),
            f"{int(np.mean(steps))} env steps, {np.mean(times):.1f} s CPU", f"{ref.expert:.1f} / {ref.random:.1f}")


def gaifo_rows(seeds: tuple[int, ...] = (0, 1, 2), episodes: int = 50) -> None:
    """Issue 13's rows: BCO with the recommended configs on all five tasks, then GAIfO on CartPole.

    Each: mean normalised score over ``seeds`` (each policy evaluated on ``episodes`` episodes), the
    environment interactions used, and CPU seconds per run.
    """
    bco_rows(seeds, episodes)
    env_id = "CartPole-v1"
    ref = bl.REFERENCE_RETURNS[env_id]
    demos = bl.collect_state_demos(env_id, bl.load_expert(env_id), 1, seed=0)
    for label, total, warm in [("cold", 16_384, False), ("warm from BCO(0)", 4096, True)]:
        scores, steps, times = [], [], []
        for seed in seeds:
            def run(seed: int = seed) -> tuple[object, int]:
                policy, used = None, 0
                if warm:
                    policy, used = bl.train_bco(demos, bl.BCOConfig(pre_demo_steps=1000), env_id=env_id, seed=seed).policy, 1000
                res = bl.train_gaifo(demos, bl.GAIfOConfig(total_steps=total), env_id=env_id, seed=seed, policy=policy)
                return res, used + int(res.history.last("env/steps"))
            (res, used), t = cpu(run)
            scores.append(bl.evaluate(env_id, res.policy, episodes).score)
            steps.append(used)
            times.append(t)
        row(f"GAIfO ({label}), {env_id}, 1 state-only demo", score_cell(scores),
            f"{int(np.mean(steps))} env steps, {np.mean(times):.1f} s CPU", f"{ref.expert:.1f} / {ref.random:.1f}")


if __name__ == "__main__":
    main()
    if "--quick" not in sys.argv and "--bco" not in sys.argv:
        dagger_rows()
