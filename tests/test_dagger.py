"""DAgger: learning on Pendulum, determinism, exact query counting, Stop, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import bcolearn as bl
from bcolearn import plotting

PENDULUM, CARTPOLE = "Pendulum-v1", "CartPole-v1"
SMALL = bl.DAggerConfig(iterations=2, rollout_episodes=1, eval_episodes=2, bc=bl.BCConfig(epochs=3))


@pytest.fixture(scope="module")
def pendulum_demo():
    return bl.collect_demos(PENDULUM, bl.load_expert(PENDULUM), n_episodes=1, seed=0)


@pytest.fixture(scope="module")
def cartpole_demo():
    return bl.collect_demos(CARTPOLE, bl.load_expert(CARTPOLE), n_episodes=1, seed=0)


@pytest.mark.slow
def test_dagger_learns_pendulum_where_bc_does_not(pendulum_demo):
    config = bl.recommended_dagger_config(PENDULUM)
    assert config.iterations <= 5
    result = bl.train_dagger(pendulum_demo, config, env_id=PENDULUM, seed=0, expert=bl.load_expert(PENDULUM))
    bc = bl.train_bc(pendulum_demo, config.bc, env_id=PENDULUM, seed=0)
    dagger_score, bc_score = bl.evaluate(PENDULUM, result.policy, 30).score, bc.evaluate(30).score
    assert dagger_score >= 0.95
    assert bc_score < 0.3
    assert result.history[0]["dist/off_demos"] > 0.5 > result.history[-1]["dist/off_demos"]


def test_same_seed_same_losses(cartpole_demo):
    runs = [bl.train_dagger(cartpole_demo, SMALL, env_id=CARTPOLE, seed=3, expert=bl.load_expert(CARTPOLE))
            for _ in range(2)]
    assert runs[0].history == runs[1].history  # losses, returns, off-demo shares, label counts
    assert runs[0].labels == runs[1].labels
    assert all(np.array_equal(a.obs, b.obs) and np.array_equal(a.acts, b.acts)
               for a, b in zip(runs[0].dataset, runs[1].dataset, strict=True))
    other = bl.train_dagger(cartpole_demo, SMALL, env_id=CARTPOLE, seed=4, expert=bl.load_expert(CARTPOLE))
    assert [r["loss/bc"] for r in other.history] != [r["loss/bc"] for r in runs[0].history]


@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0])
def test_labels_counted_exactly(pendulum_demo, beta):
    calls = []

    def expert(obs):
        calls.append(1)
        return bl.load_expert(PENDULUM)(obs)

    config = bl.DAggerConfig(iterations=2, rollout_episodes=3, beta=beta, eval_episodes=1, bc=bl.BCConfig(epochs=2))
    result = bl.train_dagger(pendulum_demo, config, env_id=PENDULUM, seed=0, expert=expert)
    added = sum(len(t) for t in result.dataset) - sum(len(t) for t in pendulum_demo)
    assert result.labels == added == len(calls) == 2 * 3 * 200 == result.env_steps
    assert [r["expert/labels"] for r in result.history] == [0, 600, 1200]
    assert result.dataset[0] is pendulum_demo[0]
    truth = bl.load_expert(PENDULUM)
    for traj in result.dataset[1:]:  # labels are the expert's actions in the learner's states
        assert np.allclose(traj.acts, np.stack([truth(s) for s in traj.obs[:-1]]))


def test_callbacks_get_every_epoch_and_one_summary_per_iteration(pendulum_demo):
    rows = []
    config = bl.DAggerConfig(iterations=2, rollout_episodes=1, eval_episodes=1, bc=bl.BCConfig(epochs=3))
    result = bl.train_dagger(pendulum_demo, config, env_id=PENDULUM, seed=0, expert=bl.load_expert(PENDULUM),
                             callbacks=[rows.append])
    epochs = [r for r in rows if "epoch" in r]
    summaries = [r for r in rows if "eval/return_mean" in r]
    assert len(epochs) == 3 * 3 and len(summaries) == 3 and len(rows) == 12
    assert [(r["dagger/iteration"], r["epoch"], r["expert/labels"]) for r in epochs] == [
        (i, e, 200 * i) for i in range(3) for e in (1, 2, 3)], "each epoch says its iteration and the labels so far"
    assert summaries == list(result.history)
    assert [r["data/pairs"] for r in summaries] == [200, 400, 600]


def test_any_policy_can_be_the_expert(cartpole_demo):
    """The learner's own network labels as well as the bundled expert: its answers are the labels."""
    teacher = bl.train_bc(cartpole_demo, bl.BCConfig(epochs=5), env_id=CARTPOLE, seed=1).policy
    result = bl.train_dagger(cartpole_demo, SMALL, env_id=CARTPOLE, seed=0, expert=teacher)
    assert result.labels == sum(len(t) for t in result.dataset[1:]) > 0
    for traj in result.dataset[1:]:
        assert np.array_equal(traj.acts, teacher.act_batch(traj.obs[:-1]))


def test_rollouts_avoid_evaluation_seeds():
    assert bl.dagger.ROLLOUT_SEED > bl.EVAL_SEED + 1000  # eval_episodes <= 1000


def test_off_demo_share_matches_plotting_distance(pendulum_demo):
    states = bl.collect_demos(PENDULUM, bl.random_policy(PENDULUM, 0), 2, seed=5)[0].obs
    dist = plotting.distance_to_demos(pendulum_demo, states)
    assert bl.off_demo_share(pendulum_demo, states, 0.5) == pytest.approx(np.mean(dist > 0.5))


@pytest.mark.parametrize("stop_at", ["epoch", "summary"])
def test_stop_keeps_last_complete_iteration_and_true_counts(cartpole_demo, stop_at):
    seen = []

    def stopper(row):
        seen.append(row)
        if row.get("dagger/iteration") == 1:
            return stop_at == "epoch" and "epoch" in row or stop_at == "summary" and "eval/return_mean" in row
        return False

    config = bl.DAggerConfig(iterations=3, rollout_episodes=1, eval_episodes=1, bc=bl.BCConfig(epochs=3))
    result = bl.train_dagger(cartpole_demo, config, env_id=CARTPOLE, seed=0, expert=bl.load_expert(CARTPOLE))
    stopped = bl.train_dagger(cartpole_demo, config, env_id=CARTPOLE, seed=0, expert=bl.load_expert(CARTPOLE),
                              callbacks=[stopper])
    rollout = sum(len(t) for t in stopped.dataset[1:])
    assert stopped.labels == stopped.env_steps == rollout > 0  # the unfinished iteration's labels were bought
    if stop_at == "epoch":
        assert stopped.iterations == 0 and len(stopped.history) == 1
        ref = bl.train_bc(cartpole_demo, config.bc, env_id=CARTPOLE, seed=0).policy
    else:
        assert stopped.iterations == 1 and len(stopped.history) == 2
        assert stopped.history[-1] == result.history[1]
        ref = bl.train_bc(stopped.dataset, config.bc, env_id=CARTPOLE, seed=0).policy
    obs = cartpole_demo[0].obs
    assert np.array_equal(stopped.policy.act_batch(obs), ref.act_batch(obs))


def test_beta_schedule():
    config = bl.DAggerConfig(beta=0.8, beta_decay=0.5)
    assert [config.beta_at(i) for i in range(4)] == [0.0, 0.8, 0.4, 0.2]


def test_bad_input(cartpole_demo):
    expert = bl.load_expert(CARTPOLE)
    with pytest.raises(TypeError, match="DAggerConfig"):
        bl.train_dagger(cartpole_demo, bl.BCConfig(), env_id=CARTPOLE, seed=0, expert=expert)
    with pytest.raises(TypeError, match="seed"):
        bl.train_dagger(cartpole_demo, SMALL, env_id=CARTPOLE, seed=1.5, expert=expert)
    with pytest.raises(ValueError, match="seed"):
        bl.train_dagger(cartpole_demo, SMALL, env_id=CARTPOLE, seed=-1, expert=expert)
    with pytest.raises(TypeError, match="expert must be a policy"):
        bl.train_dagger(cartpole_demo, SMALL, env_id=CARTPOLE, seed=0, expert=expert(cartpole_demo[0].obs[0]))
    with pytest.raises(ValueError, match="state-only.*train_bco"):
        bl.train_dagger(bl.drop_actions(cartpole_demo), SMALL, env_id=CARTPOLE, seed=0, expert=expert)
    with pytest.raises(ValueError, match="No demonstrations"):
        bl.train_dagger([], SMALL, env_id=CARTPOLE, seed=0, expert=expert)
    with pytest.raises(ValueError, match="iterations"):
        bl.DAggerConfig(iterations=0)
    with pytest.raises(TypeError, match="BCConfig"):
        bl.DAggerConfig(bc=bl.IDMConfig())


def test_counting_expert():
    counter = bl.CountingExpert(bl.load_expert(CARTPOLE))
    counter(np.zeros(4, np.float32))
    counter.act_batch(np.zeros((5, 4), np.float32))
    assert counter.queries == 6
