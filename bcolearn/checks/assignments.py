"""Graders for the assignments of notebooks 03, 04 and 05: they run the learner's code and give partial credit.

Each grader calls the learner's function on data it controls, watches what it does (which minibatches are
back-propagated through the network it hands over, how many environment steps are asked for) and returns a
:class:`~bcolearn.checks.result.CheckResult` listing every criterion, e.g. ``"loss decreases ✔, uses
minibatches ✔, reaches the expert ✘ (1/3 …)"``, with what to fix. Tested with the reference solutions and
wrong variants in tests/test_checks_assignments.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from bcolearn.checks.result import CheckResult, Rubric, check, failed, run_learner_code
from bcolearn.envs import configure_torch


@contextlib.contextmanager
def _backpropagated_batches(net: Any) -> Iterator[list[Any]]:
    """Record the input of every forward pass of ``net`` that a backward pass later goes through."""
    seen: list[Any] = []

    def on_forward(module: Any, inputs: tuple[Any, ...], output: Any) -> None:
        if output.requires_grad:
            batch = inputs[0].detach().clone()
            output.register_hook(lambda grad: seen.append(batch))

    handle = net.register_forward_hook(on_forward)
    try:
        yield seen
    finally:
        handle.remove()


def _mlp(sizes: Sequence[int], seed: int) -> Any:
    """A tanh MLP with the given layer sizes, its weights drawn from ``seed`` (global RNG untouched)."""
    import torch
    from torch import nn

    layers: list[Any] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers += [nn.Linear(a, b)] + ([nn.Tanh()] if i < len(sizes) - 2 else [])
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Sequential(*layers)


def _rows(batches: Sequence[Any]) -> set[bytes]:
    """Every distinct row of the recorded batches, as bytes (float32)."""
    return {row.tobytes() for b in batches for row in b.numpy().astype(np.float32)}


def _first_step(fit: Callable[..., Any], net: Any, x: Any, y: Any, lr: float) -> tuple[int, float, float]:
    """Run ``fit`` for one full-batch epoch; return (backward passes, sign agreement with −∇CE, share |Δθ| ≈ lr).

    Adam's first step moves every parameter by lr·g/(|g| + ε) ≈ ±lr, in the direction that lowers the loss.
    ``net`` is first trained a little on the cross-entropy, so that its predictions differ from state to
    state: at a uniform start some other losses (squared error on the probabilities) point the same way.
    """
    import torch
    from torch.nn import functional as F

    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    for _ in range(30):
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()

    before = [p.detach().clone() for p in net.parameters()]
    net.zero_grad()
    F.cross_entropy(net(x), y).backward()
    grads = [p.grad.detach().clone() for p in net.parameters()]
    net.zero_grad()
    with _backpropagated_batches(net) as batches:
        run_learner_code(fit, net, x, y, epochs=1, batch_size=len(x), lr=lr, seed=0)
    delta = torch.cat([(p.detach() - b).flatten() for p, b in zip(net.parameters(), before)])
    g = torch.cat([gr.flatten() for gr in grads])
    big = g.abs() > 1e-6
    moved = big & (delta != 0)  # an SGD step of a weight with a tiny gradient can round to no change
    agree = float((torch.sign(delta[moved]) == -torch.sign(g[moved])).float().mean()) if moved.any() else 0.0
    adam_like = float(((delta[big].abs() - lr).abs() < 0.05 * lr).float().mean()) if big.any() else 0.0
    return len(batches), agree, adam_like


@check
def check_bc_training_loop(fit: Callable[..., Any], *, epochs: int = 40, batch_size: int = 64, lr: float = 3e-3,
                           seed: int = 0) -> CheckResult:
    """Notebook 03, assignment: ``fit(net, obs, acts, *, epochs, batch_size, lr, seed)`` is a BC training loop.

    The grader hands over a fresh CartPole network (logits for 2 actions) and one expert demonstration
    (500 states, float32 (500, 4); actions, int64 (500,)). It first runs one full-batch epoch to read the
    update (Adam moves each weight by about ±lr, downhill on the cross-entropy), then a full run of
    ``epochs`` epochs, watching the minibatches, and finally evaluates the greedy policy for 20 episodes.

    Args:
        fit: the learner's function; trains ``net`` in place and returns its per-epoch mean losses.
        epochs, batch_size, lr, seed: what the full run passes to ``fit``.
    """
    import torch
    from torch.nn import functional as F

    from bcolearn.evaluation import evaluate
    from bcolearn.experts import load_expert
    from bcolearn.rollout import collect_demos
    from bcolearn.types import to_transitions

    configure_torch()  # one thread, as in the notebooks: the same numbers whatever ran before
    data = to_transitions(collect_demos("CartPole-v1", load_expert("CartPole-v1"), 1, seed=0))
    x, y = torch.as_tensor(data.obs, dtype=torch.float32), torch.as_tensor(data.acts, dtype=torch.int64)
    n_steps, agree, adam_like = _first_step(fit, _mlp([4, 32, 32, 2], seed), x, y, lr=1e-3)
    net = _mlp([4, 32, 32, 2], seed)
    with torch.no_grad():
        loss_before = float(F.cross_entropy(net(x), y))
    with _backpropagated_batches(net) as batches:
        losses, problem = run_learner_code(fit, net, x, y, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)
    if problem is not None:
        return problem
    with torch.no_grad():
        loss_after = float(F.cross_entropy(net(x), y))
    rubric = Rubric()
    try:
        losses = [float(v) for v in losses]
    except (TypeError, ValueError):
        losses = []
    rubric.add("returns one loss per epoch", len(losses) == epochs,
               f"return a list of {epochs} numbers, the mean loss of each epoch (got {type(losses).__name__}).")
    per_epoch = -(-len(x) // batch_size)
    sizes = [len(b) for b in batches]
    rubric.add("uses minibatches", bool(sizes) and max(sizes) <= batch_size
               and epochs * (len(x) // batch_size) <= len(sizes) <= epochs * per_epoch,
               f"take gradient steps on batches of batch_size = {batch_size} rows, about {per_epoch} per epoch "
               f"(your {len(sizes)} backward passes had {min(sizes, default=0)} to {max(sizes, default=0)} rows).")
    repeats = len(sizes) > per_epoch and all(
        torch.equal(batches[i], batches[i + per_epoch]) for i in range(len(batches) - per_epoch))
    rubric.add("shuffles every epoch", not repeats,
               "draw a new random order each epoch (torch.randperm(len(obs), generator=...)), so that the "
               "batches differ from one epoch to the next.")
    rubric.add("follows the cross-entropy", n_steps == 1 and agree >= 0.99,
               "the updates do not go downhill on −log π(a|s): use F.cross_entropy(net(obs[idx]), acts[idx]) on "
               f"the logits (the grader's one-epoch, full-batch run took {n_steps} step(s), "
               f"{agree:.0%} of the weights moved the right way).")
    rubric.add("uses Adam", n_steps == 1 and adam_like >= 0.9,
               f"use torch.optim.Adam(net.parameters(), lr=lr): its first step moves each weight by about lr "
               f"(yours: {adam_like:.0%} of the weights did).")
    decreased = bool(losses) and losses[-1] < losses[0] and loss_after < 0.8 * loss_before
    rubric.add("loss decreases", decreased,
               f"the cross-entropy on the demonstration went from {loss_before:.3f} to {loss_after:.3f}: call "
               "opt.zero_grad(), loss.backward() and opt.step() for every batch.")

    def policy(obs: np.ndarray) -> int:
        with torch.no_grad():
            return int(net(torch.as_tensor(obs, dtype=torch.float32)).argmax())

    res = evaluate("CartPole-v1", policy, 20)
    score = float(res.score) if res.score is not None else float("nan")
    rubric.add("reaches 500", score >= 0.95,
               f"the greedy policy returns {res.mean:.0f} on average over 20 episodes (normalised {score:.2f}, "
               "0.95 needed): train until the loss stops falling.")
    return rubric.result(f"Loss {loss_before:.3f} → {loss_after:.3f}; return {res.mean:.0f} over 20 episodes "
                         "from one demonstration.")


@check
def check_idm_experiment(experiment: Callable[..., Any], *, val_fraction: float = 0.2, epochs: int = 30,
                         batch_size: int = 128, lr: float = 3e-3, seed: int = 0) -> CheckResult:
    """Notebook 04, assignment: an IDM trainer with a held-out split, and its accuracy on the expert's transitions.

    ``experiment(net, x, y, x_expert, y_expert, *, val_fraction, epochs, batch_size, lr, seed)`` must train
    ``net`` on a random ``1 − val_fraction`` of the rows of ``x`` (standardised IDM features (s, s′ − s) of 2000
    random MountainCar-v0 steps, float32 (2000, 4); ``y`` their actions, int64) and return ``(val_idx,
    held_out_accuracy, expert_accuracy)``: the held-out row indices, the accuracy on them, and the accuracy on
    the expert's transitions (``x_expert``, ``y_expert``: five demos, never trained on).
    """
    import torch

    from bcolearn.experts import load_expert
    from bcolearn.rollout import collect_demos, collect_transitions, random_policy
    from bcolearn.types import to_transitions

    env = "MountainCar-v0"
    own = collect_transitions(env, random_policy(env, seed=0), 2000, seed=0)
    expert = to_transitions(collect_demos(env, load_expert(env), 5, seed=0))
    feats = [np.concatenate([t.obs, t.next_obs - t.obs], axis=1) for t in (own, expert)]
    mean, std = feats[0].mean(0), feats[0].std(0) + 1e-6
    x, x_exp = (torch.as_tensor((f - mean) / std, dtype=torch.float32) for f in feats)
    y, y_exp = (torch.as_tensor(t.acts, dtype=torch.int64) for t in (own, expert))
    net = _mlp([4, 64, 64, 3], seed)
    with _backpropagated_batches(net) as batches:
        out, problem = run_learner_code(experiment, net, x, y, x_exp, y_exp, val_fraction=val_fraction,
                                        epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)
    if problem is not None:
        return problem
    try:
        val_idx, held_out, on_expert = out
        val_idx = np.asarray(val_idx, dtype=np.int64).ravel()
        held_out, on_expert = float(held_out), float(on_expert)
    except (TypeError, ValueError):
        return failed(f"Return three things, (val_idx, held_out_accuracy, expert_accuracy); got {out!r:.200}.")
    n_val = int(round(val_fraction * len(x)))
    rubric = Rubric()
    valid = bool(len(val_idx)) and val_idx.min() >= 0 and val_idx.max() < len(x) and len(set(val_idx)) == len(val_idx)
    rubric.add("holds out 20 %", valid and abs(len(val_idx) - n_val) <= 1,
               f"hold out {n_val} distinct row indices of x (you gave {len(val_idx)}, "
               f"{len(set(val_idx.tolist()))} distinct): e.g. the first {n_val} of rng.permutation(len(x)).")
    idx = val_idx if valid else np.zeros(0, dtype=np.int64)
    trained = _rows(batches)
    val_rows = {row.tobytes() for row in x[idx].numpy()}
    leaked = len(val_rows & trained)
    rubric.add("never trains on them", bool(trained) and leaked == 0,
               f"{leaked} of the {len(val_rows)} held-out rows went through a backward pass (or none did): "
               "train only on the other rows, or the held-out accuracy says nothing about unseen data.")
    exp_only = {row.tobytes() for row in x_exp.numpy()} - {row.tobytes() for row in x.numpy()}
    exp_leaked = len(exp_only & trained)
    rubric.add("keeps the expert's data out", exp_leaked == 0,
               f"{exp_leaked} of the expert's transitions were trained on: a real demonstration has no actions "
               "to train on; only measure on them.")
    with torch.no_grad():
        pred, pred_exp = net(x).argmax(1), net(x_exp).argmax(1)
    true_held = float((pred[idx] == y[idx]).float().mean()) if len(idx) else float("nan")
    true_exp = float((pred_exp == y_exp).float().mean())
    rubric.add("reports the held-out accuracy", abs(held_out - true_held) < 1e-4,
               f"you reported {held_out:.3f}, the network scores {true_held:.3f} on the rows val_idx "
               f"(on all rows {float((pred == y).float().mean()):.3f}): (net(x[val_idx]).argmax(1) == "
               "y[val_idx]).float().mean(), after training.")
    rubric.add("reports the expert accuracy", abs(on_expert - true_exp) < 1e-4,
               f"you reported {on_expert:.3f}, the network scores {true_exp:.3f} on (x_expert, y_expert).")
    rubric.add("learns", true_held >= 0.9,
               f"held-out accuracy {true_held:.2f} (0.9 needed): train every epoch on shuffled minibatches of "
               "the training rows, with Adam on the cross-entropy.")
    return rubric.result(f"Held out {true_held:.2f}, on the expert's transitions {true_exp:.2f}: the random data "
                         "does not cover the states the expert visits (§4–5).")


@check
def check_bco_alpha(bco: Callable[..., Any], *, env_id: str = "Acrobot-v1", n_demos: int = 5,
                    pre_demo_steps: int = 1000, alpha: float = 1.0, iterations: int = 2, seed: int = 0,
                    min_score: float = 0.9) -> CheckResult:
    """Notebook 05, assignment: BCO(α) around the package's calls, scored on ``env_id`` and on its bookkeeping.

    ``bco(state_demos, collect, *, env_id, pre_demo_steps, alpha, iterations, seed)`` must return
    ``(policy, interactions)``. ``collect(policy, n_steps, seed)`` (given by the grader) is its only way to
    act in the environment: it returns :class:`~bcolearn.types.Transitions` and counts the steps. The
    grader expects |I_pre| = ``pre_demo_steps`` random steps, then ``iterations`` rollouts of round(α·|I_pre|)
    steps, ``interactions`` equal to their sum, and a normalised score of at least ``min_score`` over 20
    evaluation episodes (not counted as interactions).
    """
    from bcolearn.evaluation import evaluate
    from bcolearn.experts import load_expert
    from bcolearn.rollout import collect_state_demos, collect_transitions

    calls: list[int] = []

    def collect(policy: Any, n_steps: int, seed: int) -> Any:
        calls.append(int(n_steps))
        return collect_transitions(env_id, policy, int(n_steps), seed=int(seed))

    demos = collect_state_demos(env_id, load_expert(env_id), n_episodes=n_demos, seed=seed)
    out, problem = run_learner_code(bco, demos, collect, env_id=env_id, pre_demo_steps=pre_demo_steps,
                                    alpha=alpha, iterations=iterations, seed=seed)
    if problem is not None:
        return problem
    try:
        policy, reported = out
        reported = float(reported)
    except (TypeError, ValueError):
        return failed(f"Return two things, (policy, interactions); got {out!r:.200}.")
    per_iter = max(1, int(round(alpha * pre_demo_steps)))
    rubric = Rubric()
    rubric.add("starts with |I_pre| random steps", calls[:1] == [pre_demo_steps],
               f"first collect {pre_demo_steps} steps with bl.random_policy (your collect calls asked for {calls}).")
    rollouts = calls[1:]
    extra = ("one rollout too many: the data collected after the last iteration is never used. "
             if len(rollouts) == iterations + 1 else "")
    rubric.add("rolls out α·|I_pre| per iteration", rollouts == [per_iter] * iterations,
               f"{extra}after the first pass, each of the {iterations} iterations collects round(α·|I_pre|) = "
               f"{per_iter} steps with the current policy (your later calls: {rollouts}).")
    total = sum(calls)
    hint = {pre_demo_steps: "you counted only the random steps. ", total - pre_demo_steps:
            "you left out the random pre-demonstration steps. "}.get(int(reported), "")
    rubric.add("counts interactions", reported == total,
               f"{hint}you reported {reported:g}, but collect was asked for {total} steps in all (evaluation "
               "episodes do not count).")
    if not callable(policy):
        rubric.add(f"reaches {min_score:g}", False, f"return the policy itself, got a {type(policy).__name__}.")
        return rubric.result("")
    try:
        res = evaluate(env_id, policy, 20)
    except Exception as exc:  # noqa: BLE001 - a learner's policy may fail in any way
        return failed(f"Running your policy on {env_id} raised {type(exc).__name__}: {exc}")
    score = float(res.score) if res.score is not None else float("nan")
    rubric.add(f"reaches {min_score:g}", score >= min_score,
               f"normalised score {score:.2f} (return {res.mean:.0f}): retrain the IDM on all the data each "
               "iteration, relabel the demos, and continue training the policy (policy=...).")
    return rubric.result(f"Normalised score {score:.2f} (return {res.mean:.0f} over 20 episodes) with {total} "
                         "interactions and no expert actions.")
