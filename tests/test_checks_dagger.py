"""The self-check of notebook 07's assignment, with the reference loop and wrong variants."""

from __future__ import annotations

import numpy as np
import pytest

import bcolearn as bl
from bcolearn.checks import check_dagger_loop

CONFIG = bl.BCConfig(epochs=60, hidden_size=64, batch_size=64)


def label(trajs, expert):
    return [bl.Trajectory(obs=t.obs, acts=np.stack([expert(s) for s in t.obs[:-1]])) for t in trajs]


def make_loop(mistake=None):
    def dagger_loop(demos, expert, env_id, iterations, episodes, seed):
        data = list(demos)
        policy = bl.train_bc(data, CONFIG, env_id=env_id, seed=seed).policy
        for i in range(iterations):
            actor = expert if mistake == "expert acts" else policy
            visited = bl.collect_demos(env_id, actor, n_episodes=episodes, seed=5000 + 100 * i)
            if mistake == "learner labels":
                labelled = list(visited)
            elif mistake == "other expert":
                labelled = label(visited, bl.load_expert(env_id))
            else:
                labelled = label(visited, expert)
            if mistake == "twice":
                label(visited, expert)
            if mistake == "replace":
                data = list(demos) + labelled
            elif mistake == "no demos":
                data = (data if i else []) + labelled
            else:
                data = data + labelled
            if mistake != "no retrain" and not (mistake == "stale" and i == iterations - 1):
                policy = bl.train_bc(data, CONFIG, env_id=env_id, seed=seed).policy
        return policy, data
    return dagger_loop


def test_reference_passes():
    result = check_dagger_loop(make_loop())
    assert result, result.message
    assert "Right" in result.message


@pytest.mark.parametrize(("mistake", "hint"), [
    ("replace", "keep every iteration"),
    ("no demos", "demonstrations are missing"),
    ("learner labels", "not the expert's"),
    ("other expert", "did not come from the expert"),
    ("twice", "ask once per state"),
    ("expert acts", "ask once per state"),
    ("no retrain", "retrain"),
    ("stale", "retrain"),
])
def test_wrong_variants(mistake, hint):
    result = check_dagger_loop(make_loop(mistake))
    assert not result
    assert hint in result.message, result.message


@pytest.mark.parametrize(("fn", "hint"), [
    (lambda *a: ..., "placeholder"),
    (lambda *a: None, "return statement"),
    (lambda *a: 1 / 0, "ZeroDivisionError"),
    (lambda *a: [1, 2, 3], "pair"),
    (42, "function itself"),
])
def test_unfinished(fn, hint):
    result = check_dagger_loop(fn)
    assert not result and hint in result.message
