"""Figures for the course: live training curves, static result plots and episode animations.

Every figure has a title, labelled axes with units, and a legend when it shows more than one line.
One concept per module:

- :mod:`.style`: :data:`METRICS` (the label and colour of every metric), groups, axis labels, units,
  and the task tables (state names, action units, failure bounds).
- :mod:`.series`: x keys and the (x, y) points of a metric over training rows.
- :mod:`.figures`: a pyplot-free figure, one shared axes finish, reference lines, PNG bytes.
- :mod:`.curves`: :func:`plot_history` (notebooks 03–05), :func:`plot_learning_curves` (04–06),
  :func:`plot_return_distribution` (06).
- :mod:`.states`: :func:`plot_state_visitation` (03, 06), :func:`plot_covariate_shift` (03),
  :func:`plot_idm_coverage` (04).
- :mod:`.episodes`: :func:`plot_highest_positions` (01), :func:`plot_state_trajectories` and
  :func:`plot_action_effects` (02).
- Live curves in three layers: :mod:`.book` (:class:`CurveBook`: rows in, lines out), :mod:`.drawer`
  (:class:`CurveDrawer`: axes, limits, blitting), :mod:`.throttle` (:class:`DrawThrottle`) and
  :mod:`.live` (:class:`LiveCurves`: the callback and its image widget; notebook 03 and every panel).
- :mod:`.animation`: :func:`animate_episode` (notebooks 01, 03, 05).
"""

from __future__ import annotations

from bcolearn.evaluation import distance_to_demos
from bcolearn.plotting.animation import EpisodeAnimation, animate_episode
from bcolearn.plotting.book import CurveAxes, CurveBook, CurveLine, LegendEntry
from bcolearn.plotting.curves import plot_history, plot_learning_curves, plot_return_distribution
from bcolearn.plotting.dagger import plot_off_demo_share
from bcolearn.plotting.drawer import CurveDrawer
from bcolearn.plotting.gaifo import plot_gaifo_runs
from bcolearn.plotting.episodes import plot_action_effects, plot_highest_positions, plot_state_trajectories
from bcolearn.plotting.figures import figure_png, finish_axes, new_figure, png_data_uri
from bcolearn.plotting.live import LiveCurves
from bcolearn.plotting.series import X_CANDIDATES, series, x_key
from bcolearn.plotting.states import plot_covariate_shift, plot_idm_coverage, plot_state_visitation
from bcolearn.plotting.style import (
    ACTION_UNITS, METRICS, STATE_NAMES, X_LABELS, MetricStyle, action_unit, metric_color, metric_group,
    metric_label, state_name)
from bcolearn.plotting.throttle import DrawThrottle

__all__ = [
    # live curves
    "LiveCurves", "CurveAxes", "CurveBook", "CurveLine", "LegendEntry", "CurveDrawer", "DrawThrottle",
    # static figures
    "plot_history", "plot_learning_curves", "plot_return_distribution", "plot_state_visitation",
    "plot_covariate_shift", "plot_idm_coverage", "plot_highest_positions", "plot_state_trajectories",
    "plot_action_effects", "animate_episode", "EpisodeAnimation", "plot_off_demo_share",
    "plot_gaifo_runs",
    # style, series and figure helpers
    "METRICS", "MetricStyle", "metric_label", "metric_color", "metric_group", "X_LABELS", "X_CANDIDATES",
    "ACTION_UNITS", "action_unit", "STATE_NAMES", "state_name", "series", "x_key", "figure_png", "png_data_uri",
    "new_figure", "finish_axes",
    # analysis that lives in bcolearn.evaluation (notebook 06 calls it from here)
    "distance_to_demos",
]
