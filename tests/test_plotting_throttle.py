"""Tests of bcolearn.plotting.throttle: the redraw policy of live curves, with an injected clock."""

from __future__ import annotations

import pytest

from bcolearn.plotting import DrawThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def simulate(run_s: float, row_every: float, blit: float, full: float, *, needs_render_every: float = 0.0,
             render_at_run: bool = False, **kwargs: float) -> tuple[list[float], float, DrawThrottle]:
    """A run with a reset frame (a render if ``render_at_run``: the settings changed), then rows every ``row_every``
    s; each frame costs ``blit`` (or ``full`` when the background is out of date, if the throttle can afford it).
    Returns the frame times, the time spent, the throttle."""
    clock = Clock()
    throttle = DrawThrottle(clock=clock, **kwargs)
    frames: list[float] = []

    def frame(kind: str, cost: float) -> None:
        frames.append(clock.now)
        clock.now += cost
        throttle.drawn(kind, cost)

    throttle.start()
    frame(*(("full", full) if render_at_run else ("blit", blit)))  # the new run's empty axes, at Run
    stale_since = 0.0
    while clock.now < run_s:
        clock.now += row_every
        throttle.data()
        if throttle.frame_due():
            stale = needs_render_every and clock.now - stale_since >= needs_render_every
            if stale and throttle.can_render():
                frame("full", full)
                stale_since = clock.now
            else:
                frame("blit", blit)
    return frames, throttle.spent, throttle


def test_first_frame_at_once_and_the_first_data_soon_after() -> None:
    frames, _, _ = simulate(5.0, 0.01, blit=0.02, full=0.3)
    assert frames[0] == 0.0, "the new run's axes must appear at Run"
    assert frames[1] <= 0.5, f"the first frame with data came {frames[1]:.2f} s after Run"


@pytest.mark.parametrize("blit, full", [(0.005, 0.1), (0.02, 0.3), (0.05, 0.6)])
@pytest.mark.parametrize("row_every", [0.005, 0.05, 0.3])
def test_at_least_a_frame_a_second_within_the_budget(blit: float, full: float, row_every: float) -> None:
    """Realistic costs (a blit 5–50 ms, a render 0.1–0.6 s), rows from 200 a second to 3 a second."""
    run_s = 12.0
    frames, spent, throttle = simulate(run_s, row_every, blit, full, needs_render_every=3.0)
    gaps = [b - a for a, b in zip(frames, frames[1:])]
    assert max(gaps) <= 1.0 + row_every + full, f"a gap of {max(gaps):.2f} s between frames"
    assert len(frames) >= run_s, f"{len(frames)} frames in a {run_s:g} s run"
    assert spent <= 0.10 * run_s + blit, f"drawing took {spent / run_s:.1%} of the run"
    assert throttle.frames == len(frames)


@pytest.mark.parametrize("full", [0.15, 0.5])
def test_a_dear_frame_at_run_does_not_silence_the_run(full: float) -> None:
    """Settings changed: the frame at Run renders the new axes (the BCO panel's four axes: 0.15 s, 0.5 s on a busy
    machine). Still a frame with data within 0.5 s, then at least one a second; the drawing during the run within
    twice the budget."""
    run_s = 4.0
    frames, spent, throttle = simulate(run_s, 0.02, blit=0.01, full=full, render_at_run=True)
    gaps = [b - a for a, b in zip(frames[1:], frames[2:])]
    assert frames[1] <= full + 0.5, f"the first frame with data came {frames[1]:.2f} s after Run"
    assert len(frames) >= 4 and max(gaps) <= 1.0, f"frames at {frames}"
    assert throttle.setup == full and spent - full <= 0.10 * run_s + 0.01


def test_no_budget_draws_only_the_frames_it_promises() -> None:
    """With a negligible budget: the frame at Run, the first data, then one frame per max_interval at most."""
    frames, spent, _ = simulate(10.0, 0.01, blit=0.02, full=0.3, max_overhead=1e-9)
    assert len(frames) <= 3, f"{len(frames)} frames without a budget"
    frames, _, _ = simulate(10.0, 0.01, blit=0.001, full=0.3, max_overhead=0.05)
    assert len(frames) <= 10.0 / 0.25 + 1, "frames closer than min_interval"


def test_a_render_waits_for_the_budget() -> None:
    clock = Clock()
    throttle = DrawThrottle(max_overhead=0.05, clock=clock)
    throttle.start()
    throttle.drawn("full", 0.3)  # measured: a render costs 0.3 s
    clock.now = 1.0
    assert not throttle.can_render(), "5 % of 1 s cannot pay for a 0.3 s render"
    clock.now = 20.0
    assert throttle.can_render()


def test_the_run_starts_at_its_first_data_without_a_reset() -> None:
    clock = Clock()
    throttle = DrawThrottle(clock=clock)
    clock.now = 100.0  # built long before training
    throttle.data()
    assert throttle.elapsed() == 0.0 and throttle.frame_due()


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="max_overhead"):
        DrawThrottle(max_overhead=0)
    with pytest.raises(ValueError, match="min_interval"):
        DrawThrottle(min_interval=2.0, max_interval=1.0)


def test_costs_and_budget_are_cpu_seconds_intervals_wall_seconds() -> None:
    """On a busy machine the process gets a third of a core: the budget grows with the CPU it used, not the wall."""
    wall, cpu = Clock(), Clock()
    throttle = DrawThrottle(max_overhead=0.05, clock=wall, cpu_clock=cpu)
    throttle.start()
    wall.now, cpu.now = 3.0, 1.0
    assert throttle.elapsed() == 3.0 and throttle.cpu_elapsed() == 1.0
    assert throttle.budget() == pytest.approx(0.05)
    throttle.drawn("blit", 0.01)
    assert throttle.budget() == pytest.approx(0.04)
