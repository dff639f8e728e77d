"""The self-checks of notebooks 04–06, each with a right and at least one wrong answer."""

from __future__ import annotations

import numpy as np
import pytest

import bcolearn as bl
from bcolearn import checks
from figure_checks import html_of  # tests/figure_checks.py

ENV = "CartPole-v1"


@pytest.fixture(scope="module")
def idm_and_demos():
    """A small IDM trained on random CartPole steps, and one expert demo (with and without actions)."""
    data = bl.collect_transitions(ENV, bl.random_policy(ENV, seed=0), n_steps=300, seed=0)
    idm = bl.train_idm(data, bl.IDMConfig(epochs=3), env_id=ENV, seed=0).model
    demos = bl.collect_demos(ENV, bl.load_expert(ENV), n_episodes=1, seed=0)
    return idm, demos


# --- notebook 04 --------------------------------------------------------------------------------------


def test_idm_features_right():
    result = checks.check_idm_features(lambda s, s2: np.concatenate([s, s2 - s], axis=-1))
    assert result and "Right" in str(result)


@pytest.mark.parametrize(
    ("fn", "hint"),
    [
        (lambda s, s2: np.concatenate([s, s2], axis=-1), "concat"),
        (lambda s, s2: np.concatenate([s, s - s2], axis=-1), "sign"),
        (lambda s, s2: np.concatenate([s2 - s, s], axis=-1), "swapped"),
        (lambda s, s2: s2 - s, "shape"),
        (lambda s, s2: 1 / 0, "ZeroDivisionError"),
        (lambda s, s2: np.concatenate([s, 2 * (s2 - s)], axis=-1), "values"),
        (lambda s, s2: ..., "placeholder"),
        (lambda s, s2: None, "return statement"),
    ],
)
def test_idm_features_wrong(fn, hint):
    result = checks.check_idm_features(fn)
    assert not result
    assert hint in result.message


def test_idm_accuracy(idm_and_demos):
    idm, demos = idm_and_demos
    data = bl.to_transitions(demos)
    right = float(np.mean(idm.predict(data.obs, data.next_obs) == data.acts))
    assert checks.check_idm_accuracy(right, idm, data)
    assert not checks.check_idm_accuracy(right * 100, idm, data)
    assert "percentage" in checks.check_idm_accuracy(right * 100, idm, data).message
    wrong = checks.check_idm_accuracy(abs(right - 0.3), idm, data)
    assert not wrong and "expert" in wrong.message
    assert not checks.check_idm_accuracy("high", idm, data)
    hits = idm.predict(data.obs, data.next_obs) == data.acts
    for answer, hint in [(hits, "their mean"), (float(hits.sum()), "number of right labels"),
                         (min(1.0, right + 0.1), "random transitions"), (..., "placeholder"), (None, "None")]:
        result = checks.check_idm_accuracy(answer, idm, data)
        assert not result and hint in result.message, (answer, result.message)


# --- notebook 05 --------------------------------------------------------------------------------------


def test_inferred_demos(idm_and_demos):
    idm, demos = idm_and_demos
    state_demos = bl.drop_actions(demos)
    right = [bl.Trajectory(obs=d.obs, acts=idm.predict(d.obs[:-1], d.obs[1:])) for d in state_demos]
    assert checks.check_inferred_demos(right, idm, state_demos)
    # the expert's true actions are not what the IDM infers (unless it is perfect): build a sure mismatch
    flipped = [bl.Trajectory(obs=t.obs, acts=1 - t.acts) for t in right]
    result = checks.check_inferred_demos(flipped, idm, state_demos)
    assert not result and "predict" in result.message
    assert not checks.check_inferred_demos(state_demos, idm, state_demos)  # state-only, not labelled
    assert not checks.check_inferred_demos(right[0], idm, state_demos)  # not a list
    assert not checks.check_inferred_demos(right + right, idm, state_demos)
    assert "placeholder" in checks.check_inferred_demos(..., idm, state_demos).message


def test_bco_interactions():
    config = bl.BCOConfig(pre_demo_steps=2000, alpha=0.5, iterations=4)
    assert checks.check_bco_interactions(6000, config)
    for wrong, hint in [(2000, "only the random"), (7000, "too many"), (4000, "left out"), (1234, "Not quite")]:
        result = checks.check_bco_interactions(wrong, config)
        assert not result and hint in result.message
    assert checks.check_bco_interactions(1000, bl.BCOConfig(pre_demo_steps=1000, alpha=0.0))
    assert not checks.check_bco_interactions(None, config)
    assert "placeholder" in checks.check_bco_interactions(..., config).message


# --- notebook 06 --------------------------------------------------------------------------------------


def test_normalised_score():
    ref = bl.REFERENCE_RETURNS["Acrobot-v1"]
    ret = -100.0
    right = (ret - ref.random) / (ref.expert - ref.random)
    assert checks.check_normalised_score(right, ret, "Acrobot-v1")
    for wrong, hint in [(100 * right, "percentage"), (1 - right, "gap"), (-right, "sign"), (0.5, "Not quite")]:
        result = checks.check_normalised_score(wrong, ret, "Acrobot-v1")
        assert not result and hint in result.message
    assert "placeholder" in checks.check_normalised_score(..., ret, "Acrobot-v1").message


def _percentile_bootstrap(values, seed, percentiles=(2.5, 97.5), n_resamples=2000):
    rng = np.random.default_rng(seed)
    values = np.asarray(values)
    means = values[rng.integers(len(values), size=(n_resamples, len(values)))].mean(axis=1)
    return np.percentile(means, percentiles)


def test_bootstrap_ci_right():
    assert checks.check_bootstrap_ci(_percentile_bootstrap)
    for seed in range(5):  # fewer resamples, other seeds: still right
        assert checks.check_bootstrap_ci(lambda v, _, s=seed: _percentile_bootstrap(v, s, n_resamples=1000))
    assert checks.check_bootstrap_ci(lambda v, seed: bl.bootstrap_ci(v, seed=seed))  # BCa also passes


@pytest.mark.parametrize(
    ("fn", "hint"),
    [
        (lambda v, seed: np.percentile(v, [2.5, 97.5]), "spread of the returns"),
        (lambda v, seed: _percentile_bootstrap(v, seed)[::-1], "above"),
        (lambda v, seed: np.percentile(_percentile_bootstrap(v, seed), [40, 60]), "narrow"),
        (lambda v, seed: _percentile_bootstrap(v, seed, (5, 95)), "90 %"),
        (lambda v, seed: None, "return statement"),
        (lambda v, seed: (0.0, 1.0), "does not contain"),
        (lambda v, seed: np.mean(v), "pair"),
        (lambda v, seed: v.nope, "AttributeError"),
    ],
)
def test_bootstrap_ci_wrong(fn, hint):
    result = checks.check_bootstrap_ci(fn)
    assert not result
    assert hint in result.message


def test_results_render_in_a_notebook():
    html = html_of(checks.check_bco_interactions(1000, bl.BCOConfig()))
    assert "✅" in html

