"""Bundled experts: what each controller does (their reference returns are measured in test_tasks.py)."""

from __future__ import annotations

import numpy as np

import bcolearn
from bcolearn import experts


def test_the_controllers_are_importable_from_experts():
    assert bcolearn.load_expert("CartPole-v1") is experts.cartpole_expert
    assert experts.load_expert("Pendulum-v1") is experts.pendulum_expert
    assert set(experts.__all__) >= {"EXPERTS", "REFERENCE_RETURNS", "ReferenceReturns", "load_expert"}


def test_pendulum_expert_torque_is_clipped_and_balances_at_the_top():
    expert = experts.pendulum_expert
    rng = np.random.default_rng(0)
    for _ in range(200):
        theta, theta_dot = rng.uniform(-np.pi, np.pi), rng.uniform(-8, 8)
        a = expert(np.array([np.cos(theta), np.sin(theta), theta_dot], np.float32))
        assert a.shape == (1,) and a.dtype == np.float32 and -2.0 <= a[0] <= 2.0
    # Upright and at rest: no torque; tilted right near the top: push back left.
    assert expert(np.array([1.0, 0.0, 0.0], np.float32))[0] == 0.0
    assert expert(np.array([np.cos(0.1), np.sin(0.1), 0.0], np.float32))[0] < 0


def test_cartpole_expert_pushes_towards_the_fall():
    expert = experts.cartpole_expert
    assert expert(np.array([0.0, 0.0, 0.05, 0.0])) == 1  # pole leaning right: push right
    assert expert(np.array([0.0, 0.0, -0.05, 0.0])) == 0


def test_mountaincar_expert_pushes_along_the_velocity():
    assert experts.mountaincar_expert(np.array([-0.5, 0.01])) == 2
    assert experts.mountaincar_expert(np.array([-0.5, -0.01])) == 0
