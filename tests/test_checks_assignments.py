"""The assignment graders of notebooks 03–05, with a right solution and the wrong variants they must name."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch
from torch.nn import functional as F

import bcolearn as bl
from bcolearn import checks

# --- notebook 03: the BC training loop ----------------------------------------------------------------


def bc_loop(net, obs, acts, *, epochs, batch_size, lr, seed, loss_fn=F.cross_entropy, opt_cls=torch.optim.Adam,
            shuffle=True, full_batch=False):
    """The reference loop of notebook 03, with switches that make it wrong in one way each."""
    opt = opt_cls(net.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(epochs):
        order = torch.randperm(len(obs), generator=gen) if shuffle else torch.arange(len(obs))
        total = 0.0
        for idx in order.split(len(obs) if full_batch else batch_size):
            loss = loss_fn(net(obs[idx]), acts[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        losses.append(total / len(obs))
    return losses


def test_bc_training_loop_right():
    result = checks.check_bc_training_loop(bc_loop)
    assert result and "loss decreases ✔" in result.message and "reaches 500 ✔ (7/7)" in result.message


def _softmax_mse(z, a):
    return ((torch.softmax(z, -1) - F.one_hot(a, 2).float()) ** 2).mean()


@pytest.mark.parametrize(("variant", "wrong"), [
    (dict(full_batch=True), ["uses minibatches ✘", "reaches 500 ✘"]),
    (dict(shuffle=False), ["shuffles every epoch ✘"]),
    (dict(opt_cls=torch.optim.SGD), ["uses Adam ✘", "loss decreases ✘", "reaches 500 ✘"]),  # too slow at lr 3e-3
    (dict(loss_fn=lambda z, a: -F.cross_entropy(z, a)),
     ["follows the cross-entropy ✘", "loss decreases ✘", "reaches 500 ✘"]),
    (dict(loss_fn=_softmax_mse), ["follows the cross-entropy ✘"]),
    (dict(loss_fn=lambda z, a: F.cross_entropy(torch.softmax(z, -1), a)),
     ["follows the cross-entropy ✘", "reaches 500 ✘"]),
    (dict(loss_fn=lambda z, a: ((z - F.one_hot(a, 2).float()) ** 2).mean()), ["follows the cross-entropy ✘"]),
])
def test_bc_training_loop_wrong(variant, wrong):
    result = checks.check_bc_training_loop(functools.partial(bc_loop, **variant))
    assert not result
    marks = [item.strip() for item in result.message.split(" (")[0].split(",")]
    missed = {m for m in marks if m.endswith("✘")}
    assert set(wrong) <= missed <= set(wrong) | {"loss decreases ✘"}, result.message  # its rise can go either way
    for item in wrong:  # each missed criterion comes with what to fix
        assert f"{item[:-2]}: " in result.message


def test_bc_training_loop_unfinished_and_broken():
    def placeholder(net, obs, acts, **kwargs):
        raise NotImplementedError("write the loop")

    assert not checks.check_bc_training_loop(placeholder).answered
    assert "returns one loss per epoch ✘" in checks.check_bc_training_loop(
        lambda net, obs, acts, **kw: bc_loop(net, obs, acts, **kw)[-1]).message
    assert "raised KeyError" in checks.check_bc_training_loop(lambda net, obs, acts, **kw: {}["x"]).message


# --- notebook 04: an IDM trainer with a held-out split --------------------------------------------------


def idm_experiment(net, x, y, x_expert, y_expert, *, val_fraction, epochs, batch_size, lr, seed, leak=False,
                   with_expert=False, report="held_out", n_val=None, train=True):
    """The reference solution of notebook 04's assignment, with switches that make it wrong in one way each."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(x))
    n_val = int(round(val_fraction * len(x))) if n_val is None else n_val
    val_idx, train_idx = order[:n_val], (order if leak else order[n_val:])
    xs, ys = x[train_idx], y[train_idx]
    if with_expert:
        xs, ys = torch.cat([xs, x_expert]), torch.cat([ys, y_expert])
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    for _ in range(epochs if train else 0):
        for b in torch.as_tensor(rng.permutation(len(xs))).split(batch_size):
            loss = F.cross_entropy(net(xs[b]), ys[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        held_out = (net(x[val_idx]).argmax(1) == y[val_idx]).float().mean().item()
        on_expert = (net(x_expert).argmax(1) == y_expert).float().mean().item()
    if report == "swapped":
        held_out, on_expert = on_expert, held_out
    return val_idx, held_out, on_expert


def test_idm_experiment_right():
    result = checks.check_idm_experiment(idm_experiment)
    assert result and "(6/6)" in result.message and "on the expert's transitions 0." in result.message


@pytest.mark.parametrize(("variant", "wrong", "hint"), [
    (dict(leak=True), ["never trains on them ✘"], "of the 400 held-out rows went through a backward pass"),
    (dict(with_expert=True), ["keeps the expert's data out ✘"], "a real demonstration has no actions"),
    (dict(report="swapped"), ["reports the held-out accuracy ✘", "reports the expert accuracy ✘"], "on the rows val_idx"),
    (dict(n_val=100), ["holds out 20 % ✘"], "hold out 400 distinct row indices"),
    (dict(train=False), ["never trains on them ✘", "learns ✘"], "0.9 needed"),
])
def test_idm_experiment_wrong(variant, wrong, hint):
    result = checks.check_idm_experiment(functools.partial(idm_experiment, **variant))
    assert not result and hint in result.message, result.message
    marks = [item.strip() for item in result.message.split(" (")[0].split(",")]
    assert [m for m in marks if m.endswith("✘")] == wrong, result.message


def test_idm_experiment_wrong_return():
    result = checks.check_idm_experiment(lambda net, x, y, xe, ye, **kw: 0.9)
    assert not result and "Return three things" in result.message


# --- notebook 05: BCO(α) around the package's calls -------------------------------------------------------


def bco(state_demos, collect, *, env_id, pre_demo_steps, alpha, iterations, seed):
    """The reference solution of notebook 05's assignment."""
    info = bl.describe_env(env_id)
    bc_config = bl.recommended_bc_config(env_id)
    data = collect(bl.random_policy(env_id, seed=seed), pre_demo_steps, seed)
    interactions, policy = pre_demo_steps, None
    for it in range(1 + iterations):
        idm = bl.train_idm(data, env_id=env_id, seed=seed).model
        labelled = [bl.Trajectory(obs=d.obs, acts=idm.predict(d.obs[:-1], d.obs[1:])) for d in state_demos]
        policy = bl.train_bc(labelled, bc_config, env_id=env_id, seed=seed, policy=policy).policy
        if it < iterations:
            n = int(round(alpha * pre_demo_steps))
            explorer = bl.NoisyPolicy(policy, info, epsilon=0.5, rng=np.random.default_rng(it))
            data = bl.concat_transitions(data, collect(explorer, n, seed + 1 + it))
            interactions += n
    return policy, interactions


def test_bco_alpha_right():
    result = checks.check_bco_alpha(bco)
    assert result and "counts interactions ✔" in result.message and "3000 interactions" in result.message


def test_bco_alpha_without_iterations_falls_short():
    result = checks.check_bco_alpha(lambda *args, **kw: bco(*args, **{**kw, "iterations": 0}))  # BCO(0) only
    assert not result and "rolls out α·|I_pre| per iteration ✘" in result.message
    assert "reaches 0.9 ✘" in result.message and "counts interactions ✔" in result.message


def bookkeeping(state_demos, collect, *, env_id, pre_demo_steps, alpha, iterations, seed, rollouts=None,
                count=None):
    """Collects like BCO(α) (with random actions, quickly) and returns the expert: tests the counting only."""
    steps = [pre_demo_steps] + [int(round(alpha * pre_demo_steps))] * (iterations if rollouts is None else rollouts)
    for i, n in enumerate(steps):
        collect(bl.random_policy(env_id, seed=i), n, seed + i)
    return bl.load_expert(env_id), sum(steps) if count is None else count(steps)


@pytest.mark.parametrize(("variant", "hint"), [
    (dict(count=lambda steps: steps[0]), "you counted only the random steps"),
    (dict(count=lambda steps: sum(steps[1:])), "you left out the random pre-demonstration steps"),
    (dict(count=lambda steps: sum(steps) + 20 * 500), "you reported 13000, but collect was asked for 3000"),
    (dict(rollouts=3), "one rollout too many"),
])
def test_bco_alpha_miscounted(variant, hint):
    result = checks.check_bco_alpha(functools.partial(bookkeeping, **variant))
    assert not result and hint in result.message and "reaches 0.9 ✔" in result.message, result.message


def test_bco_alpha_counted_right_with_the_expert():
    assert checks.check_bco_alpha(bookkeeping)  # the grader's bookkeeping passes a right count


def test_bco_alpha_not_answered_and_wrong_return():
    def placeholder(*args, **kwargs):
        raise NotImplementedError("write BCO(α)")

    assert not checks.check_bco_alpha(placeholder).answered
    assert "Return two things" in checks.check_bco_alpha(lambda demos, collect, **kw: None).message or \
        "return statement" in checks.check_bco_alpha(lambda demos, collect, **kw: None).message
    no_policy = checks.check_bco_alpha(lambda demos, collect, **kw: (3, 0))
    assert not no_policy and "return the policy itself" in no_policy.message
