"""Networks: the action head is picked from the action space; its loss, predictions and bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from bcolearn.envs import describe_env
from bcolearn.nets import (ActionHead, ContinuousHead, DiscreteHead, InverseDynamicsModel, MLPPolicy, Normaliser,
                           make_head, mlp)
from bcolearn.training import fit_supervised

CARTPOLE, PENDULUM = describe_env("CartPole-v1"), describe_env("Pendulum-v1")
LOW, HIGH = np.array([-2.0, 0.0], np.float32), np.array([2.0, 1.0], np.float32)


def test_make_head_picks_from_the_action_space():
    assert isinstance(make_head(CARTPOLE), DiscreteHead) and make_head(CARTPOLE).out_dim == 2
    assert isinstance(make_head(PENDULUM), ContinuousHead) and make_head(PENDULUM).out_dim == 1
    assert make_head(PENDULUM, "nll").out_dim == 2
    with pytest.raises(ValueError, match=r"continuous loss must be 'mse' or 'nll', got 'l1'"):
        make_head(PENDULUM, "l1")


def test_base_head_is_abstract():
    head = ActionHead()
    for call in (lambda: head.loss(torch.zeros(1), torch.zeros(1)), lambda: head.predict(torch.zeros(1)),
                 lambda: head.target(np.zeros(1))):
        with pytest.raises(NotImplementedError):
            call()


def test_discrete_head_is_cross_entropy_and_argmax():
    head = DiscreteHead(3)
    logits = torch.tensor([[2.0, 0.0, -1.0], [0.0, 0.5, 3.0]])
    target = head.target(np.array([0, 2]))
    assert target.dtype == torch.long
    expected = -(torch.log_softmax(logits, -1)[0, 0] + torch.log_softmax(logits, -1)[1, 2]) / 2
    assert head.loss(logits, target).item() == pytest.approx(expected.item())
    assert head.predict(logits).tolist() == [0, 2]


@pytest.mark.parametrize("loss", ["mse", "nll"])
def test_continuous_means_stay_within_bounds(loss):
    head = ContinuousHead(LOW, HIGH, loss)
    out = torch.tensor([[-1e6, -1e6] + [0.0, 0.0] * (loss == "nll"), [1e6, 1e6] + [0.0, 0.0] * (loss == "nll"),
                        [0.0, 0.0] + [0.0, 0.0] * (loss == "nll")])
    mean = head.predict(out)
    torch.testing.assert_close(mean[0], torch.tensor([-2.0, 0.0]))
    torch.testing.assert_close(mean[1], torch.tensor([2.0, 1.0]))
    torch.testing.assert_close(mean[2], torch.tensor([0.0, 0.5]))  # zero output: the middle of the range
    raw = torch.randn(1000, head.out_dim) * 10
    m = head.predict(raw)
    assert (m >= torch.as_tensor(LOW)).all() and (m <= torch.as_tensor(HIGH)).all()


def test_continuous_mse_loss():
    head = ContinuousHead(LOW, HIGH, "mse")
    out = torch.tensor([[0.3, -0.2], [1.0, 2.0]])
    target = head.target(np.array([[0.5, 0.2], [-1.0, 0.9]]))
    mean = torch.tensor([[0.0, 0.5]]) + torch.tensor([[2.0, 0.5]]) * torch.tanh(out)
    assert head.loss(out, target).item() == pytest.approx(((mean - target) ** 2).mean().item(), rel=1e-6)


def test_continuous_nll_loss_is_the_gaussian_negative_log_likelihood():
    head = ContinuousHead(LOW, HIGH, "nll")
    out = torch.tensor([[0.3, -0.2, 0.1, -1.0], [1.0, 2.0, 9.0, -9.0]])  # last row: log σ clamped to [-5, 2]
    target = torch.tensor([[0.5, 0.2], [-1.0, 0.9]])
    mean, log_std = head.mean_and_log_std(out)
    torch.testing.assert_close(log_std, torch.tensor([[0.1, -1.0], [2.0, -5.0]]))
    expected = -torch.distributions.Normal(mean, log_std.exp()).log_prob(target).sum(-1).mean()
    assert head.loss(out, target).item() == pytest.approx(expected.item(), rel=1e-5)
    assert head.mean_and_log_std(out)[0].shape == (2, 2)
    assert ContinuousHead(LOW, HIGH, "mse").mean_and_log_std(out[:, :2])[1] is None


def test_mlp_and_normaliser():
    net = mlp(4, 3, (16, 8))
    assert [type(m).__name__ for m in net] == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    assert net(torch.zeros(5, 4)).shape == (5, 3)
    norm = Normaliser(2)
    x = np.array([[1.0, 10.0], [3.0, 10.0]], np.float32)
    norm.fit(x)
    z = norm(torch.as_tensor(x))
    torch.testing.assert_close(z[:, 0], torch.tensor([-1.0, 1.0]), rtol=1e-4, atol=1e-4)
    assert torch.isfinite(z).all() and z[:, 1].abs().max() < 1e-3  # constant feature: no division by zero


def test_policy_acts_on_one_observation_or_a_batch():
    torch.manual_seed(0)
    pol = MLPPolicy(CARTPOLE, (8,))
    a = pol(np.zeros(4, np.float32))
    assert isinstance(a, int) and a in (0, 1)
    assert pol.act_batch(np.zeros((5, 4), np.float32)).shape == (5,)
    assert pol(torch.zeros(5, 4)).shape == (5, 2)  # a tensor gives the raw logits, as a Module
    cpol = MLPPolicy(PENDULUM, (8, 8), continuous_loss="nll")
    a = cpol(np.zeros(3, np.float32))
    assert isinstance(a, np.ndarray) and a.shape == (1,) and -2 <= a[0] <= 2
    assert cpol.act_batch(np.zeros((5, 3), np.float32)).shape == (5, 1)
    assert cpol(torch.zeros(5, 3)).shape == (5, 2)
    assert cpol.hidden_sizes == (8, 8) and cpol.continuous_loss == "nll"


def test_inverse_dynamics_features_and_predictions():
    s = np.array([[1.0, 2.0, 3.0, 4.0]], np.float32)
    s2 = np.array([[1.5, 2.0, 2.0, 4.0]], np.float32)
    delta = InverseDynamicsModel(CARTPOLE, (8,), "delta")
    concat = InverseDynamicsModel(CARTPOLE, (8,), "concat")
    np.testing.assert_array_equal(delta.features(s, s2), [[1, 2, 3, 4, 0.5, 0, -1, 0]])
    np.testing.assert_array_equal(concat.features(s, s2), np.concatenate([s, s2], axis=1))
    assert delta.predict(np.repeat(s, 7, 0), np.repeat(s2, 7, 0)).shape == (7,)
    cont = InverseDynamicsModel(PENDULUM, (8,))
    assert cont.predict(np.zeros((6, 3)), np.ones((6, 3))).shape == (6, 1)
    with pytest.raises(ValueError, match=r"input_mode must be one of \('delta', 'concat'\), got 'diff'"):
        InverseDynamicsModel(CARTPOLE, input_mode="diff")


@pytest.mark.parametrize("loss", ["mse", "nll"])
def test_continuous_heads_learn_a_smooth_mapping(loss):
    # a = clip(0.8·x₀ − 0.5·x₁, −2, 2): both losses must fit it well within a few hundred steps.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(512, 3)).astype(np.float32)
    acts = np.clip(0.8 * x[:, :1] - 0.5 * x[:, 1:2], -2, 2).astype(np.float32)
    torch.manual_seed(0)
    pol = MLPPolicy(PENDULUM, (32, 32), continuous_loss=loss)
    hist = fit_supervised(pol, x, acts, epochs=60, lr=3e-3, batch_size=64, rng=rng, name="t")
    assert hist[-1]["loss/t"] < hist[0]["loss/t"]
    assert np.abs(pol.act_batch(x) - acts).mean() < 0.1


def test_discrete_head_learns_a_threshold():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 4)).astype(np.float32)
    acts = (x[:, 2] > 0).astype(np.int64)
    torch.manual_seed(0)
    pol = MLPPolicy(CARTPOLE, (16,))
    fit_supervised(pol, x, acts, epochs=30, lr=1e-2, batch_size=64, rng=rng, name="t")
    assert np.mean(pol.act_batch(x) == acts) > 0.95
    assert math.isfinite(F.cross_entropy(pol(torch.as_tensor(x)), torch.as_tensor(acts)).item())


def test_heads_give_their_distribution_over_actions():
    torch.manual_seed(0)
    logits = torch.randn(5, 3)
    dist = DiscreteHead(3).distribution(logits)
    assert isinstance(dist, torch.distributions.Categorical)
    torch.testing.assert_close(dist.probs, torch.softmax(logits, -1))
    head = ContinuousHead(LOW, HIGH, "nll")
    out = torch.tensor([[0.3, -0.2, 0.1, -1.0], [1.0, 2.0, 9.0, -9.0]])
    gauss = head.distribution(out)
    mean, log_std = head.mean_and_log_std(out)
    torch.testing.assert_close(gauss.mean, mean)
    torch.testing.assert_close(gauss.stddev, log_std.exp())
    target = torch.tensor([[0.5, 0.2], [-1.0, 0.9]])
    assert gauss.log_prob(target).shape == (2,)  # one log-probability per row: summed over action dimensions
    torch.testing.assert_close(-gauss.log_prob(target).mean(), head.loss(out, target))


def test_an_mse_head_has_no_distribution_and_says_why():
    with pytest.raises(ValueError, match=r"continuous_loss='mse'.*Train with continuous_loss='nll'"):
        ContinuousHead(LOW, HIGH, "mse").distribution(torch.zeros(1, 2))


def test_a_model_gives_the_distribution_of_its_head():
    torch.manual_seed(0)
    pol = MLPPolicy(PENDULUM, (8,), continuous_loss="nll")
    x = torch.zeros(4, 3)
    torch.testing.assert_close(pol.distribution(x).mean, pol.head.distribution(pol(x)).mean)
    np.testing.assert_array_equal(pol.predict_features(np.zeros((4, 3))), pol.act_batch(np.zeros((4, 3))))
