"""Interactive panels: change hyperparameters, press Run, watch training happen.

A notebook cell that shows a panel is one line, e.g. ``bcolearn.widgets.bc_panel()``. Each panel has
controls built from the fields of a config dataclass (their bounds, help text, choices and log scale come
from :func:`bcolearn.config.param`), a Run button, a Stop button that ends training early and keeps what
was learnt, a progress bar, live curves (:class:`bcolearn.plotting.LiveCurves`) and result lines: the mean
return with its 95 % confidence interval and the normalised score, beside the expert's and a random
policy's. Panels attach to training only through callbacks: the algorithms never import this package.

Modules, from the bottom up:

- :mod:`~bcolearn.widgets.controls`: a control from a config field; controls for dotted paths.
- :mod:`~bcolearn.widgets.static`: static copies for viewers without widgets; the panel's plain-text form.
- :mod:`~bcolearn.widgets.specs`: the frozen specs a panel is declared with, and the record of a run.
- :mod:`~bcolearn.widgets.base`: :class:`Panel`, what every panel shares (title, controls, message, ``set``).
- :mod:`~bcolearn.widgets.trainer`: :class:`TrainingPanel`, the declarative training panel (how to add one).
- :mod:`~bcolearn.widgets.panels`: BC (notebook 03), IDM (04), BCO and BC vs BCO (05), REINFORCE (01).
- :mod:`~bcolearn.widgets.dagger`: DAgger (notebook 07).
- :mod:`~bcolearn.widgets.demos`: the demonstrations explorer (notebook 02).
- :mod:`~bcolearn.widgets.gaifo`: the GAIfO panel (notebook 08).
"""

from bcolearn.widgets.base import Panel
from bcolearn.widgets.controls import Control, config_controls, control_grid, field_control
from bcolearn.widgets.dagger import DAggerPanel, dagger_panel
from bcolearn.widgets.demos import DemoSettings, DemosPanel, demos_panel
from bcolearn.widgets.gaifo import GAIfOPanel, GAIfOPanelConfig, gaifo_panel
from bcolearn.widgets.panels import (
    BCOPanel,
    BCPanel,
    ComparePanel,
    IDMPanel,
    ReinforcePanel,
    bc_panel,
    bco_panel,
    compare_panel,
    expert_demos,
    idm_panel,
    reinforce_panel,
)
from bcolearn.widgets.specs import (
    ControlsSpec,
    CurvesSpec,
    PanelRun,
    PanelSettings,
    ProgressSpec,
    Report,
    Trained,
    TrainOutput,
    describe_return,
)
from bcolearn.widgets.static import PanelBox, StaticCopy, hide_static_copy, plain_text, static_copy
from bcolearn.widgets.trainer import TrainingPanel

__all__ = [
    "bc_panel", "idm_panel", "bco_panel", "compare_panel", "reinforce_panel", "demos_panel", "dagger_panel",
    "BCPanel", "IDMPanel", "BCOPanel", "ComparePanel", "ReinforcePanel", "DAggerPanel", "DemosPanel", "DemoSettings",
    "Panel", "TrainingPanel", "PanelSettings", "PanelRun", "TrainOutput", "Trained", "Report",
    "ProgressSpec", "CurvesSpec", "ControlsSpec", "describe_return", "expert_demos",
    "Control", "config_controls", "field_control", "control_grid",
    "StaticCopy", "static_copy", "hide_static_copy", "plain_text", "PanelBox",
    "gaifo_panel", "GAIfOPanel", "GAIfOPanelConfig",
]
