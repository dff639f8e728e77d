"""Each self-check of notebooks 01–03 with a right answer and typical wrong ones."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn import functional as F

import bcolearn as bl
from bcolearn import checks
from figure_checks import html_of  # tests/figure_checks.py


def right_return(rewards, gamma):
    return sum(gamma**t * r for t, r in enumerate(rewards))


@pytest.mark.parametrize(("fn", "hint"), [
    (lambda rews, gamma: sum(rews), "plain sum"),
    (lambda rews, gamma: sum(gamma ** (t + 1) * r for t, r in enumerate(rews)), "first reward"),
    (lambda rews, gamma: sum(gamma ** (len(rews) - 1 - t) * r for t, r in enumerate(rews)), "wrong way"),
    (lambda rews, gamma: rews[10], "raised IndexError"),
    (lambda rews, gamma: [1.0, 2.0], "one number"),
])
def test_check_discounted_return(fn, hint):
    assert checks.check_discounted_return(right_return)
    result = checks.check_discounted_return(fn)
    assert not result and hint in result.message
    assert str(result).startswith("❌") and "#cf222e" in html_of(result)


def test_check_discounted_return_rejects_a_non_function():
    assert "without calling it" in checks.check_discounted_return(3.0).message


def test_check_policy_on_cartpole():
    good = checks.check_policy(lambda o: int(o[2] + 0.5 * o[3] > 0), "CartPole-v1")
    assert good and "normalised score 1.00" in good.message
    assert "no better than random" in checks.check_policy(lambda o: 0, "CartPole-v1").message
    partial = checks.check_policy(lambda o: int(o[3] > 0), "CartPole-v1")  # ~200 of 500
    angle_only = checks.check_policy(lambda o: int(o[2] > 0), "CartPole-v1")  # ~45: reacts, but too little
    assert not angle_only and "Only a little better than random" in angle_only.message
    assert "animate_episode('CartPole-v1'" in angle_only.message
    assert not partial and "Not yet" in partial.message
    broken = checks.check_policy(lambda o: 7, "CartPole-v1")
    assert not broken and "raised ValueError" in broken.message


def test_check_drop_actions():
    assert checks.check_drop_actions(bl.drop_actions)
    same = checks.check_drop_actions(lambda demos: list(demos))
    assert not same and "still a Trajectory" in same.message
    no_last = checks.check_drop_actions(lambda demos: [bl.StateTrajectory(obs=t.obs[:-1]) for t in demos])
    assert not no_last and "last one" in no_last.message
    no_flag = checks.check_drop_actions(lambda demos: [bl.StateTrajectory(obs=t.obs) for t in demos])
    assert not no_flag and "terminated" in no_flag.message
    assert "list" in checks.check_drop_actions(lambda demos: demos[0].obs).message


def test_check_inferred_actions():
    right = checks.check_inferred_actions(lambda s, s2: int(s2[1] > s[1]))
    assert right and "100.0%" in right.message
    backwards = checks.check_inferred_actions(lambda s, s2: int(s2[1] < s[1]))
    assert not backwards and "backwards" in backwards.message
    constant = checks.check_inferred_actions(lambda s, s2: 1)
    assert not constant and "Not yet" in constant.message
    assert "0 (push left)" in checks.check_inferred_actions(lambda s, s2: 2).message


def test_check_bc_loss():
    assert checks.check_bc_loss(F.cross_entropy)
    assert checks.check_bc_loss(lambda z, a: -torch.log_softmax(z, -1)[torch.arange(len(a)), a].mean())
    wrong = {
        "sign": lambda z, a: torch.log_softmax(z, -1)[torch.arange(len(a)), a].mean(),
        "sum over the batch": lambda z, a: -torch.log_softmax(z, -1)[torch.arange(len(a)), a].sum(),
        "raw logits": lambda z, a: -z[torch.arange(len(a)), a].mean(),
        "every action": lambda z, a: -torch.log_softmax(z, -1).mean(),
        "one number": lambda z, a: -torch.log_softmax(z, -1)[torch.arange(len(a)), a],
    }
    for hint, fn in wrong.items():
        result = checks.check_bc_loss(fn)
        assert not result and hint in result.message, (hint, result.message)


def nll(mean, log_std, acts):
    return (0.5 * ((acts - mean) / log_std.exp()) ** 2 + log_std + 0.5 * np.log(2 * np.pi)).sum(-1).mean()


def test_check_gaussian_nll_agrees_with_the_package_head():
    head = bl.MLPPolicy(bl.describe_env("Pendulum-v1"), continuous_loss="nll").head
    out, acts = torch.randn(4, 2), torch.rand(4, 1) * 4 - 2
    mean, log_std = head.mean_and_log_std(out)
    torch.testing.assert_close(head.loss(out, acts), nll(mean, log_std, acts))
    assert checks.check_gaussian_nll(nll)
    no_const = checks.check_gaussian_nll(lambda m, ls, a: (0.5 * ((a - m) / ls.exp()) ** 2 + ls).sum(-1).mean())
    assert no_const and "constant" in no_const.message


@pytest.mark.parametrize(("fn", "hint"), [
    (lambda m, ls, a: (0.5 * ((a - m) / ls.exp()) ** 2 + ls).mean(), "sum over them"),
    (lambda m, ls, a: (0.5 * ((a - m) / ls) ** 2 + ls).sum(-1).mean(), "instead of σ"),
    (lambda m, ls, a: (0.5 * ((a - m) / ls.exp()) ** 2).sum(-1).mean(), "log σ term"),
    (lambda m, ls, a: (((a - m) / ls.exp()) ** 2 + ls).sum(-1).mean(), "½"),
    (lambda m, ls, a: -nll(m, ls, a), "sign"),
    (lambda m, ls, a: nll(m, ls, a) * len(m), "sum over the batch"),
    (lambda m, ls, a: ((a - m) ** 2).mean(), "Per dimension"),
    (lambda m, ls, a: 1.0, "torch tensor"),
])
def test_check_gaussian_nll_wrong_answers(fn, hint):
    result = checks.check_gaussian_nll(fn)
    assert not result and hint in result.message, result.message


def test_check_policy_with_pushes(cartpole_demos):
    expert = bl.load_expert("CartPole-v1")
    assert checks.check_policy(expert, "CartPole-v1", noise=0.2)  # the expert recovers from random pushes
    cloned = bl.train_bc(cartpole_demos, env_id="CartPole-v1", seed=0).policy  # 1 demo: perfect without pushes
    assert checks.check_policy(cloned, "CartPole-v1")
    pushed = checks.check_policy(cloned, "CartPole-v1", noise=0.2)
    assert not pushed and "with 20% random actions" in pushed.message


def test_check_policy_names_an_unfinished_placeholder():
    result = checks.check_policy(..., "CartPole-v1")
    assert not result.passed and "placeholder" in result.message
