"""Config dataclasses: every field documented and bounded; out-of-range values rejected by name."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from bcolearn.bc import BCConfig
from bcolearn.bco import BCOConfig
from bcolearn.config import check_config, check_count, check_seed, param, validate, with_updates
from bcolearn.idm import IDMConfig

CONFIGS = [BCConfig, IDMConfig, BCOConfig]


@pytest.mark.parametrize("cls", CONFIGS)
def test_defaults_are_valid_and_every_setting_has_help_and_a_range(cls):
    config = cls()
    validate(config)
    for f in dataclasses.fields(cls):
        if f.name in ("idm", "bc"):  # nested configs, validated on their own
            assert isinstance(getattr(config, f.name), (IDMConfig, BCConfig))
            continue
        meta = f.metadata
        assert meta["doc"], f"{cls.__name__}.{f.name} has no help text"
        if meta["choices"] is None:
            assert meta["low"] is not None and meta["high"] is not None, f"{cls.__name__}.{f.name} is unbounded"
            assert meta["low"] <= f.default <= meta["high"]
        else:
            assert f.default in meta["choices"]


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: BCOConfig(alpha=-0.1), r"BCOConfig\.alpha = -0\.1 is out of range: expected 0\.0 <= alpha <= 10\.0"),
        (lambda: BCConfig(lr=0.0), r"BCConfig\.lr = 0\.0 is out of range: expected 1e-05 <= lr"),
        (lambda: BCConfig(lr=-1e-3), r"BCConfig\.lr = -0\.001 is out of range"),
        (lambda: IDMConfig(lr=float("nan")), r"IDMConfig\.lr = nan is out of range"),
        (lambda: BCConfig(epochs=0), r"BCConfig\.epochs = 0 is out of range: expected 1 <= epochs <= 1000"),
        (lambda: IDMConfig(epochs=0), r"IDMConfig\.epochs = 0 is out of range"),
        (lambda: BCOConfig(pre_demo_steps=0), r"BCOConfig\.pre_demo_steps = 0 is out of range"),
        (lambda: BCOConfig(iterations=0), r"BCOConfig\.iterations = 0"),
        (lambda: BCConfig(batch_size=0), r"BCConfig\.batch_size = 0"),
        (lambda: IDMConfig(val_fraction=1.0), r"IDMConfig\.val_fraction = 1\.0 is out of range: expected 0\.0 <= "),
        (lambda: BCConfig(epochs=2.5), r"BCConfig\.epochs must be a whole number, got 2\.5"),
        (lambda: BCOConfig(pre_demo_steps=1000.0), r"BCOConfig\.pre_demo_steps must be a whole number, got 1000\.0"),
        (lambda: BCConfig(epochs="10"), r"BCConfig\.epochs must be a number, got '10'"),
        (lambda: BCConfig(epochs=True), r"BCConfig\.epochs must be a number, got True"),
        (lambda: BCConfig(lr=None), r"BCConfig\.lr must be a number, got None"),
        (lambda: BCConfig(continuous_loss="l1"), r"BCConfig\.continuous_loss = 'l1' is not one of \('mse', 'nll'\)"),
        (lambda: IDMConfig(input_mode="diff"), r"IDMConfig\.input_mode = 'diff' is not one of \('delta', 'concat'\)"),
    ],
)
def test_out_of_range_values_are_named(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_nested_configs_must_have_the_right_type():
    with pytest.raises(TypeError, match=r"BCOConfig\.idm must be an IDMConfig"):
        BCOConfig(idm=BCConfig())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"BCOConfig.bc a BCConfig"):
        BCOConfig(bc={"epochs": 3})  # type: ignore[arg-type]


def test_numpy_numbers_and_ints_for_floats_are_accepted():
    c = BCConfig(epochs=np.int64(5), lr=1, batch_size=np.int32(7))
    assert (c.epochs, c.lr, c.batch_size) == (5, 1, 7)
    assert BCOConfig(alpha=0).alpha == 0 and BCOConfig(alpha=10.0).alpha == 10.0  # bounds are inclusive


def test_configs_are_frozen_and_with_updates_revalidates():
    c = BCConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.epochs = 3  # type: ignore[misc]
    d = with_updates(c, epochs=3)
    assert d.epochs == 3 and d.lr == c.lr and c == BCConfig()
    with pytest.raises(ValueError, match=r"epochs = -3 is out of range"):
        with_updates(c, epochs=-3)


def test_param_records_metadata_for_widgets():
    @dataclasses.dataclass
    class Toy:
        rate: float = param(0.1, "a rate", low=0.0, high=1.0, log=True)
        plain: int = 3  # no metadata: not validated

    f = dataclasses.fields(Toy)[0]
    assert dict(f.metadata) == {"doc": "a rate", "low": 0.0, "high": 1.0, "choices": None, "log": True}
    validate(Toy(plain="anything"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"Toy\.rate = 2\.0 is out of range: expected 0\.0 <= rate <= 1\.0 \(a rate\)"):
        validate(Toy(rate=2.0))


# --- the shared argument checkers -----------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 7, np.int64(3), 2**32 - 1])
def test_check_seed_accepts_whole_numbers_in_range(seed):
    assert check_seed(seed) == int(seed) and type(check_seed(seed)) is int


@pytest.mark.parametrize("seed, error, words", [
    (-1, ValueError, "between 0 and 2**32 - 1, got -1"),
    (2**64, ValueError, "got 18446744073709551616"),
    (None, TypeError, "got None"),
    ("0", TypeError, "got '0'"),
    (1.5, TypeError, "got 1.5"),
    (True, TypeError, "got True"),
])
def test_check_seed_names_the_parameter_and_the_bad_value(seed, error, words):
    with pytest.raises(error, match="eval_seed") as caught:
        check_seed(seed, "eval_seed")
    assert words in str(caught.value)


@pytest.mark.parametrize("value, error", [(0, ValueError), (None, TypeError), (True, TypeError), (2.0, TypeError),
                                          (11, ValueError)])
def test_check_count_rejects_bad_counts_by_name(value, error):
    with pytest.raises(error, match="n_episodes"):
        check_count(value, "n_episodes", high=10)
    assert check_count(np.int32(10), "n_episodes", high=10) == 10


def test_check_config_names_found_and_expected_classes():
    from bcolearn.bc import BCConfig
    from bcolearn.idm import IDMConfig

    assert check_config(None, BCConfig) == BCConfig()
    with pytest.raises(TypeError, match=r"train_bc needs a BCConfig, got IDMConfig.*BCConfig\(\.\.\.\)"):
        check_config(IDMConfig(), BCConfig, where="train_bc")
    with pytest.raises(TypeError, match=r"got dict.*BCConfig\(\*\*your_dict\)"):
        check_config({"epochs": 3}, BCConfig, where="train_bc")
