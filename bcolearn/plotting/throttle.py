"""When live curves redraw: the first frame at once, then at least one a second, within a time budget.

:class:`DrawThrottle` is the policy alone (no drawing), with an injectable clock so that it can be
tested without waiting. Its rules, for one run:

1. the first frame at once (the new run's empty axes, at Run), and the first frame with the run's data
   as soon as ``min_interval`` has passed since it;
2. no two frames closer than ``min_interval``;
3. further frames while the time spent drawing stays under ``max_overhead`` of the run's time so far;
4. but at least one frame every ``max_interval`` seconds (a blit), while the drawing during the run
   stays under twice ``max_overhead``;
5. a render of the background (much dearer than a blit) only within the budget of rule 3; until then
   a frame is a blit onto the old background.

Intervals are wall-clock seconds (what the learner sees); the costs and the budget are CPU seconds of the
process (what drawing takes from training, as ``benchmarks/bench_live_plot.py`` counts it), so that on a
busy machine, where a blit of 10 ms of CPU can take 100 ms of wall time, the frames do not stop.

The frame at Run is paid up front: when the settings changed it is a render of the new axes (0.1–0.5 s),
which counts in the budget of rule 3 but not in the share of rule 4, so that one dear first frame does
not silence the first seconds of the run (the BCO panel's figure, four axes, was silent for 4 s).

Used by :class:`LiveCurves` (every panel of notebooks 01–06).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class DrawThrottle:
    """The redraw policy of live curves; see the module docstring for its rules.

    Attributes:
        max_overhead: the share of the run's time that drawing may take (0.05: 5 %).
        min_interval: the least time between two frames, in seconds.
        max_interval: the most time between two frames while data arrives, in seconds.
        spent: CPU seconds spent drawing in the current run (the frame at Run included).
        setup: CPU seconds spent on the frames drawn before the run's first data (the frame at Run).
        frames: frames drawn in the current run.
        cost: measured CPU seconds per frame, ``{"full": …, "blit": …}`` (a moving average).
        clock, cpu_clock: the wall-clock and CPU time, in seconds.
    """

    def __init__(self, max_overhead: float = 0.05, min_interval: float = 0.25, max_interval: float = 0.6, *,
                 clock: Callable[[], float] = time.perf_counter, cpu_clock: Callable[[], float] | None = None) -> None:
        """Set up the policy.

        Args:
            max_overhead: the share of the run's time that drawing may take, in (0, 1].
            min_interval: the least time between two frames, in seconds (>= 0).
            max_interval: the most time between two frames while data arrives (>= ``min_interval``).
            clock: returns the wall-clock time in seconds (injected in tests).
            cpu_clock: returns the CPU time in seconds that costs and the budget are counted in (default:
                ``time.process_time``, or ``clock`` when a clock is injected and this is not).

        Raises:
            ValueError: for values outside those ranges.
        """
        if not 0 < max_overhead <= 1:
            raise ValueError(f"max_overhead is a share of the training time in (0, 1], got {max_overhead!r}.")
        if not 0 <= min_interval <= max_interval:
            raise ValueError(f"Need 0 <= min_interval <= max_interval, got min_interval={min_interval!r}, "
                             f"max_interval={max_interval!r}.")
        self.max_overhead, self.min_interval, self.max_interval = max_overhead, min_interval, max_interval
        self.clock = clock
        self.cpu_clock = cpu_clock or (time.process_time if clock is time.perf_counter else clock)
        self.cost = {"full": 0.05, "blit": 0.005}
        self.start(started=False)

    def start(self, *, started: bool = True) -> None:
        """A new run: it starts now (``started``), or at its first data (:meth:`data`)."""
        self.t0: float | None = self.clock() if started else None
        self.cpu0 = self.cpu_clock()
        self.last = -math.inf
        self.spent = 0.0
        self.setup = 0.0
        self.frames = 0
        self.data_frames = 0
        self._has_data = False

    def data(self) -> None:
        """Note that data arrived (the run starts now if it has not started yet)."""
        if self.t0 is None:
            self.t0, self.cpu0 = self.clock(), self.cpu_clock()
        self._has_data = True

    def elapsed(self) -> float:
        """Seconds since the run started."""
        return self.clock() - self.t0 if self.t0 is not None else 0.0

    def cpu_elapsed(self) -> float:
        """CPU seconds the process has used since the run started."""
        return self.cpu_clock() - self.cpu0 if self.t0 is not None else 0.0

    def budget(self) -> float:
        """CPU seconds of drawing the steady budget (rule 3) still allows now."""
        return self.max_overhead * self.cpu_elapsed() - self.spent

    def frame_due(self) -> bool:
        """Whether a frame may be drawn now (rules 1–4)."""
        gap = self.clock() - self.last
        if self.frames == 0:
            return True
        if gap < self.min_interval:
            return False
        if self._has_data and self.data_frames == 0:
            return True
        if self.budget() >= self.cost["blit"]:
            return True
        share = min(1.0, 2 * self.max_overhead)
        during = self.spent - self.setup  # rule 4 counts the frames drawn during the run, not the one at Run
        return gap >= self.max_interval and during + self.cost["blit"] <= share * self.cpu_elapsed()

    def next_frame_in(self, heartbeat: bool = False) -> float:
        """Seconds until a frame may come again (rule 2), or (``heartbeat``) until the next one of rule 4 is owed:
        when to draw rows that came too soon."""
        return max(0.0, self.last + (self.max_interval if heartbeat else self.min_interval) - self.clock())

    def can_render(self) -> bool:
        """Whether the budget allows a render of the background now (rule 5)."""
        return self.budget() >= self.cost["full"]

    def drawn(self, kind: str, seconds: float) -> None:
        """Note a frame: ``kind`` ``"full"`` (a render and a blit) or ``"blit"``, which took ``seconds`` of CPU."""
        self.cost[kind] = 0.5 * self.cost[kind] + 0.5 * seconds
        self.spent += seconds
        self.setup += 0.0 if self._has_data else seconds
        self.frames += 1
        self.data_frames += self._has_data
        self.last = self.clock()
