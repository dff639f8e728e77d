"""Tests of the demonstrations panel (bcolearn.widgets.demos_panel), which draws plotting.plot_state_trajectories."""

from __future__ import annotations

import pytest

from bcolearn import widgets


def test_demos_panel_redraws_when_a_control_changes():
    panel = widgets.demos_panel(n_demos=2)
    first = panel.image.value
    assert first and "2 episode(s), 1,000 transitions" in panel.text.value and "expert reference 500" in panel.text.value
    panel.set(env_id="Pendulum-v1")
    assert panel.image.value != first and panel.settings.env_id == "Pendulum-v1"
    assert "acts (200, 1) float32" in panel.text.value and len(panel.demos) == 2
    panel.set(max_steps=20, seed=3)
    assert panel.settings.max_steps == 20 and panel.settings.seed == 3
    with pytest.raises(ValueError, match="has no setting 'epochs'"):
        panel.set(epochs=3)
    with pytest.raises(ValueError, match="n_demos"):
        widgets.demos_panel(n_demos=50)
