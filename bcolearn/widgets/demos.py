"""The demonstrations explorer (notebook 02): pick a task and a number of expert episodes, see every state.

A :class:`~bcolearn.widgets.Panel` without training, so it shows how small a panel on the shared base is:
its settings are a config dataclass (:class:`DemoSettings`), its controls are built from it, and it redraws
whenever a control changes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import ipywidgets as w

from bcolearn.config import ParamValue, param, replace_path, validate
from bcolearn.experts import EXPERTS, REFERENCE_RETURNS, load_expert
from bcolearn.types import Trajectory
from bcolearn.widgets.base import Panel
from bcolearn.widgets.controls import config_controls
from bcolearn.widgets.static import StaticCopy, static_copy

__all__ = ["DemoSettings", "DemosPanel", "demos_panel"]


@dataclass(frozen=True)
class DemoSettings:
    """What the demonstrations explorer shows (notebook 02)."""

    env_id: str = param("CartPole-v1", "the task (one with a bundled expert)", choices=tuple(EXPERTS))
    """The Gymnasium task."""
    n_demos: int = param(3, "expert episodes to record and draw", low=1, high=10)
    """Number of expert episodes."""
    max_steps: int = param(0, "draw the first this many steps of each episode (0: all)", low=0, high=500)
    """Steps drawn per episode (0: the whole episode)."""
    seed: int = param(0, "episode j starts from reset(seed=seed + j)", low=0, high=1000)
    """Seed of the first episode."""

    def __post_init__(self) -> None:
        validate(self)


class DemosPanel(Panel[DemoSettings]):
    """Explore expert demonstrations: pick a task and a number of episodes, see every state variable over time.

    Redraws when a control changes (no training, so no Run button). Used behind the scenes in notebook 02.

    Attributes:
        settings: the settings drawn last.
        image: the figure (PNG).
        text: one line about the episodes drawn.
        demos: the demonstrations drawn last.
    """

    title = "Expert demonstrations"

    def __init__(self, env_id: str = "CartPole-v1", **defaults: ParamValue) -> None:
        settings = DemoSettings(env_id=env_id)
        for name, value in defaults.items():
            settings = replace_path(settings, name, value)
        self.settings = settings
        super().__init__(config_controls(settings, [f.name for f in dataclasses.fields(DemoSettings)]))
        self.image = w.Image(format="png", layout={"max_width": "100%"})
        self.text = w.HTML("")
        self.demos: list[Trajectory] = []
        self._build(self.image, self.text)
        for control in self.controls.values():
            control.observe(lambda _: self.update(), names="value")
        self.update()

    def check_value(self, name: str, value: ParamValue) -> None:
        replace_path(self.settings, name, value)

    def update(self) -> None:
        """Record the demonstrations for the current settings and redraw; errors are shown in the panel."""
        from bcolearn.plotting import figure_png, plot_state_trajectories
        from bcolearn.rollout import collect_demos, episode_returns

        try:
            s = DemoSettings(**self.values())  # type: ignore[arg-type]
            self.demos = collect_demos(s.env_id, load_expert(s.env_id), s.n_demos, s.seed)
            fig = plot_state_trajectories(self.demos, s.env_id, max_demos=s.n_demos, max_steps=s.max_steps or None)
        except Exception as err:  # noqa: BLE001 - shown in the panel; the kernel goes on
            self.say(f"{type(err).__name__}: {err}", error=True)
            return
        self.settings = s
        self.say("")
        self.image.value = figure_png(fig)
        ref, first = REFERENCE_RETURNS[s.env_id], self.demos[0]
        acts = f"acts {first.acts.shape} {first.acts.dtype}"
        self.text.value = (f"{s.n_demos} episode(s), {sum(len(t) for t in self.demos):,} transitions; episode 0: "
                           f"obs {first.obs.shape}, {acts}. Mean return <b>{episode_returns(self.demos).mean():.1f}</b> "
                           f"(expert reference {ref.expert:g}, random policy {ref.random:g}).")

    def static_copy(self) -> StaticCopy:
        return static_copy(self.uid, "Expert demonstrations (a static copy of the panel)", self.image.value,
                           self.text.value)


def demos_panel(env_id: str = "CartPole-v1", **defaults: ParamValue) -> DemosPanel:
    """The demonstrations explorer: task, number of episodes, steps drawn; the expert's states over time.

    Taught in notebook 02. Show it with a one-line cell, ``bcolearn.widgets.demos_panel()``.

    Args:
        env_id: the initial task (the dropdown offers every task with a bundled expert).
        **defaults: initial values of ``n_demos``, ``max_steps`` or ``seed``.

    Returns:
        The panel (it displays itself).

    Raises:
        ValueError: for an unknown name or an out-of-range default.
    """
    return DemosPanel(env_id, **defaults)
