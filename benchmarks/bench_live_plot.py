"""What live curves cost: a CartPole BC run with and without :class:`bcolearn.plotting.LiveCurves`.

    python benchmarks/bench_live_plot.py [--repeats 7]

The promise (issue "Interactive layer"): live drawing costs at most 10 % of a CartPole BC run's time.
Two runs are measured, each from 1 expert demonstration (seed 0):

- the BC panel's run (``bcolearn.widgets.BCPanel``'s default config: 40 epochs, evaluating 5 episodes
  every 5 epochs, so the return curve moves while it trains);
- ``BCConfig()`` (40 epochs, no evaluation during training: the shortest run, so the hardest case).

"Live cost" is the CPU time spent inside LiveCurves, as the panel uses it: ``reset()``, every callback
(recording, throttled redraws, PNG encoding, widget update) and the final ``finish()`` redraw. Times
are process CPU seconds (time.process_time: less disturbed than wall time by other work on a shared
machine), medians over the repeats, after one warm-up run of each. The difference of the two medians
is printed too, as a cross-check.

Then, per panel type (BC, IDM, BCO, compare, REINFORCE, each with its default settings on CartPole-v1,
trained in the caller's thread as ``panel.run()`` does with ``background=False``), what a learner sees
after pressing Run: the time to the first new image (the new run's empty axes), the time to the first
image with the run's data, the images per second during the run, the longest gap between two images,
and the live curves' cost share of the run (CPU time inside LiveCurves / CPU time of the whole run).
Times to frames are wall-clock seconds from Run (noisy on a shared machine). The panel's first run
after it is built and a repeated run (Run pressed again) are both measured.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import bcolearn as bl
from bcolearn.plotting import LiveCurves
from bcolearn import widgets
from bcolearn.widgets import BCPanel


BC_KEYS = ("loss/bc", "eval/return_mean")
"""What the BC panel draws (``BCPanel.curves_spec``), against the epoch."""


class Timed:
    """Wraps a callable and adds up the CPU time spent in it."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn, self.seconds = fn, 0.0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return self.fn(*args, **kwargs)
        finally:
            self.seconds += time.process_time() - start


def measure(config: bl.BCConfig, demos: list, repeats: int) -> dict[str, float]:
    """Median CPU seconds: training alone, and the live curves' cost on a first and on a repeated run."""

    def plain() -> float:
        start = time.process_time()
        bl.train_bc(demos, config, env_id="CartPole-v1", seed=0)
        return time.process_time() - start

    def live(curves: LiveCurves) -> tuple[float, float, int]:
        reset, callback, finish = Timed(curves.reset), Timed(curves), Timed(curves.finish)
        start = time.process_time()
        reset(x_max=config.epochs)  # as the panel does; a repeated run keeps the previous one as a faded line
        bl.train_bc(demos, config, env_id="CartPole-v1", seed=0, callbacks=[callback])
        finish()
        total = time.process_time() - start
        return total, reset.seconds + callback.seconds + finish.seconds, curves.draws

    def new_curves() -> LiveCurves:  # as a new BC panel makes it: empty axes drawn before training
        curves = LiveCurves(BC_KEYS, x="epoch", env_id="CartPole-v1", title="BC on CartPole-v1", x_max=config.epochs)
        curves.draw()
        return curves

    plain(), live(new_curves())  # warm-up: imports, font cache, first figure
    repeated = new_curves()
    live(repeated)
    rows: dict[str, list[float]] = {k: [] for k in ("alone", "first", "first_total", "again", "again_total",
                                                   "first_draws", "again_draws")}
    for _ in range(repeats):
        rows["alone"].append(plain())
        total, cost, draws = live(new_curves())  # a new panel's first run: the background is rendered once
        rows["first"].append(cost), rows["first_total"].append(total), rows["first_draws"].append(draws)
        total, cost, draws = live(repeated)  # Run pressed again: the saved background is reused
        rows["again"].append(cost), rows["again_total"].append(total), rows["again_draws"].append(draws)
    return {k: statistics.median(v) for k, v in rows.items()}


PANELS: dict[str, Callable[..., Any]] = {
    "BC": widgets.bc_panel, "IDM": widgets.idm_panel, "BCO": widgets.bco_panel, "compare": widgets.compare_panel,
    "REINFORCE": widgets.reinforce_panel,
}


def watch_run(panel: Any) -> dict[str, float]:
    """One Run of a panel: when its images changed, and the CPU time spent in its live curves."""
    curves = panel.curves
    shown: list[float] = []
    first_row: list[float] = []
    cost = [0.0]

    def timed(fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                cost[0] += time.process_time() - start
        return call

    def source(name: str) -> Callable[..., Any]:
        callback = timed(original_source(name))

        def row(metrics: Any) -> Any:
            if not first_row:
                first_row.append(time.perf_counter())
            return callback(metrics)
        return row

    original_source = curves.source
    curves.reset, curves.finish, curves.source = timed(curves.reset), timed(curves.finish), source
    curves.widget.observe(lambda _: shown.append(time.perf_counter()), names="value")
    cpu, start = time.process_time(), time.perf_counter()
    panel.run(wait=True)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    for name in ("reset", "finish", "source"):
        delattr(curves, name)
    frames = [t - start for t in shown]
    data = [t - start for t in shown if first_row and t >= first_row[0]]
    during = [t for t in frames if t < wall]
    gaps = [b - a for a, b in zip([0.0] + during, during + [wall])]
    return {"run": wall, "first": frames[0] if frames else float("nan"),
            "first_data": data[0] if data else float("nan"), "fps": len(during) / wall, "frames": len(frames),
            "gap": max(gaps), "share": cost[0] / cpu}


def panel_table(repeats: int) -> None:
    print(f"\nPer panel, default settings on CartPole-v1: wall seconds from Run, medians of {repeats} repeats\n")
    print(f"{'panel':<10} {'which run':>9} {'run s':>6} {'1st image':>9} {'1st data':>9} {'images/s':>8} "
          f"{'max gap':>8} {'frames':>6} {'cost share':>10}")
    for name, factory in PANELS.items():
        runs: dict[str, list[dict[str, float]]] = {"first": [], "repeated": []}
        for _ in range(repeats):
            panel = factory(autorun=False, background=False)
            runs["first"].append(watch_run(panel))
            runs["repeated"].append(watch_run(panel))
        for which, rows in runs.items():
            m = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
            print(f"{name if which == 'first' else '':<10} {which:>9} {m['run']:6.2f} {m['first']:9.2f} "
                  f"{m['first_data']:9.2f} {m['fps']:8.1f} {m['gap']:8.2f} {m['frames']:6.0f} {m['share']:10.1%}")
    print("1st image: the first new image after Run; 1st data: the first image drawn after the run's first metrics;")
    print("max gap: the longest time without a new image during the run (from Run to the end of the run);")
    print("cost share: CPU time inside LiveCurves (reset, callbacks, finish) / CPU time of the whole run.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--panel-repeats", type=int, default=3)
    parser.add_argument("--only-panels", action="store_true", help="print only the per-panel table")
    args = parser.parse_args()
    if args.only_panels:
        panel_table(args.panel_repeats)
        return
    demos = bl.collect_demos("CartPole-v1", bl.load_expert("CartPole-v1"), 1, seed=0)
    runs = {
        "BC panel's run (40 epochs, eval every 5)": BCPanel.default_config("CartPole-v1"),
        "BCConfig() (40 epochs, no eval)": bl.BCConfig(),
    }
    print(f"Live curves on a CartPole-v1 BC run from 1 demo: CPU seconds, medians of {args.repeats} repeats\n")
    print(f"{'run':<42} {'train':>7} {'which run':>10} {'live cost':>10} {'overhead':>9} {'diff':>7} {'redraws':>8}")
    worst = 0.0
    start = time.process_time()
    for _ in range(args.repeats):
        LiveCurves(BC_KEYS, x="epoch", env_id="CartPole-v1", x_max=40).draw()
    setup = (time.process_time() - start) / args.repeats
    for name, config in runs.items():
        m = measure(config, demos, args.repeats)
        for which, key in (("first", "first"), ("repeated", "again")):
            overhead = m[key] / m["alone"]
            worst = max(worst, overhead)
            diff = (m[f"{key}_total"] - m["alone"]) / m["alone"]
            train = f"{m['alone']:.3f}" if which == "first" else ""
            print(f"{name if which == 'first' else '':<42} {train:>7} "
                  f"{which:>10} {m[key]:10.3f} {overhead:9.1%} {diff:7.1%} {m[f'{key}_draws']:8.0f}")
    print(f"\nWorst overhead {worst:.1%} (target: at most 10 %): {'met' if worst <= 0.10 else 'NOT met'}.")
    print(f"Set-up when a panel is built (figure, widget, first full render of the empty axes): {setup:.3f} s.")
    print("live cost: CPU time inside LiveCurves (reset, callbacks with throttled redraws, final redraw);")
    print("overhead = live cost / train; diff = (train with live curves - train) / train, a noisier cross-check.")
    print("first: a new panel's first run (its empty axes were rendered when the panel was built, before")
    print("       training: that set-up, one full render, is printed below and not counted above);")
    print("repeated: Run pressed again with the same settings, the saved background reused.")
    panel_table(args.panel_repeats)


if __name__ == "__main__":
    main()
