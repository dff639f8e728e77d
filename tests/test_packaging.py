"""Packaging: environment.yml and pyproject.toml list the same dependencies; typing marker; lazy import."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml  # PyYAML: installed with jupyterlab (through jupyter-events), a declared dependency
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

import bcolearn

ROOT = Path(__file__).resolve().parents[1]

# Conda-forge names of PyPI packages, where they differ.
CONDA_NAME = {"torch": "pytorch"}
# What a PyPI extra pulls in, as the conda packages that environment.yml must list instead when the
# package itself comes from conda-forge. (environment.yml installs gymnasium with pip, extras included.)
EXTRA_PACKAGES = {
    ("gymnasium", "classic-control"): {"pygame"},
    ("gymnasium", "box2d"): {"box2d-py", "pygame"},
}


def _extras_listed_by_pip(pip_lines: list[str]) -> set[tuple[str, str]]:
    """The conda packages that pip lines with extras (``gymnasium[box2d]``) make unnecessary."""
    out = set()
    for line in pip_lines:
        if line.strip() not in ("-e .", "--editable ."):
            req = Requirement(line)
            for extra in req.extras:
                out |= {(pkg, "") for pkg in EXTRA_PACKAGES[(canonicalize_name(req.name), extra)]}
    return out


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def expected_conda_packages(pyproject: dict) -> set[tuple[str, str]]:
    """(conda name, version specifier) for every runtime and test dependency in pyproject.toml."""
    project = pyproject["project"]
    out = set()
    for line in project["dependencies"] + project["optional-dependencies"]["test"]:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        out.add((CONDA_NAME.get(name, name), str(SpecifierSet(str(req.specifier)))))
        for extra in req.extras:
            key = (name, extra)
            assert key in EXTRA_PACKAGES, f"pyproject asks for {req.name}[{extra}]: add its conda packages to this test"
            out |= {(pkg, "") for pkg in EXTRA_PACKAGES[key]}
    return out


def conda_packages(environment: dict) -> tuple[set[tuple[str, str]], list[str]]:
    """(name, version specifier) of environment.yml's conda packages (not python, pip), and its pip lines."""
    packages, pip_lines = set(), []
    for dep in environment["dependencies"]:
        if isinstance(dep, dict):
            pip_lines += dep["pip"]
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", dep.strip())
        assert m, f"cannot parse environment.yml dependency {dep!r}"
        name, spec = canonicalize_name(m.group(1)), m.group(2).replace(" ", "")
        if name in ("python", "pip"):
            continue
        packages.add((name, str(SpecifierSet(spec))))
    return packages, pip_lines


def test_environment_yml_lists_the_same_dependencies_as_pyproject(pyproject, environment):
    listed, pip_lines = conda_packages(environment)
    # Anything installed by pip (other than the repo itself) counts as listed too.
    for line in pip_lines:
        if line.strip() not in ("-e .", "--editable ."):
            req = Requirement(line)
            listed.add((canonicalize_name(req.name), str(req.specifier)))
    listed |= _extras_listed_by_pip(pip_lines)
    expected = expected_conda_packages(pyproject)
    assert listed - expected == set(), "in environment.yml but not in pyproject.toml"
    assert expected - listed == set(), "in pyproject.toml but not in environment.yml"


def test_environment_yml_installs_the_repo_with_python_311_from_conda_forge(pyproject, environment):
    _, pip_lines = conda_packages(environment)
    assert "-e ." in [p.strip() for p in pip_lines], "environment.yml must install the repo itself through pip"
    deps = [d for d in environment["dependencies"] if isinstance(d, str)]
    assert "pip" in deps
    pythons = [d for d in deps if re.match(r"python\b", d)]
    assert pythons == ["python=3.11"]
    assert "3.11" in SpecifierSet(pyproject["project"]["requires-python"])
    assert environment["channels"] == ["conda-forge"]
    assert environment["name"] == "bcolearn"


def test_the_comparison_catches_drift(pyproject, environment):
    # The check above must be able to fail: a changed bound or a missing package is seen.
    drifted = {**pyproject, "project": {**pyproject["project"]}}
    drifted["project"]["dependencies"] = [d.replace("numpy>=1.24", "numpy>=2.0")
                                          for d in pyproject["project"]["dependencies"]]
    assert expected_conda_packages(drifted) != conda_packages(environment)[0]
    fewer = {**environment, "dependencies": [d for d in environment["dependencies"] if d != "numpy>=1.24"]}
    assert conda_packages(fewer)[0] | _extras_listed_by_pip(conda_packages(fewer)[1]) != expected_conda_packages(pyproject)


def test_version_and_typing_marker(pyproject):
    assert bcolearn.__version__ == pyproject["project"]["version"]
    assert (ROOT / "bcolearn" / "py.typed").is_file()
    assert "py.typed" in pyproject["tool"]["setuptools"]["package-data"]["bcolearn"]
    # every subpackage (plotting, widgets, checks) must be installed too, not only bcolearn/ itself
    assert pyproject["tool"]["setuptools"]["packages"] == {"find": {"include": ["bcolearn*"]}}


def test_import_does_not_load_torch_eagerly():
    code = (
        "import sys, bcolearn\n"
        "assert 'torch' not in sys.modules, 'import bcolearn imported torch'\n"
        "assert 'gymnasium' not in sys.modules, 'import bcolearn imported gymnasium'\n"
        # Collecting and evaluating with a plain-function expert, and saving demos, need no network either.
        "demos = bcolearn.collect_demos('CartPole-v1', bcolearn.load_expert('CartPole-v1'), 1, seed=0)\n"
        "bcolearn.evaluate('CartPole-v1', bcolearn.load_expert('CartPole-v1'), 2)\n"
        "bcolearn.drop_actions(demos)\n"
        "assert 'torch' not in sys.modules, sorted(m for m in sys.modules if m.startswith('bcolearn'))\n"
        "bcolearn.MLPPolicy\n"
        "assert 'torch' in sys.modules\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr


def test_every_public_name_resolves():
    for name in bcolearn.__all__:
        obj = getattr(bcolearn, name)
        assert obj is not None
        if callable(obj):
            assert obj.__doc__, f"bcolearn.{name} has no docstring"
    assert set(bcolearn.__all__) <= set(dir(bcolearn))
    with pytest.raises(AttributeError, match=r"module 'bcolearn' has no attribute 'train_gail'"):
        bcolearn.train_gail  # noqa: B018
