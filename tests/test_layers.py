"""The import contracts cover the whole house: every policy module is a source of the policy contract."""

from __future__ import annotations

from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")

REPO = Path(__file__).resolve().parent.parent
#: What lives in politecrawl/ and is not a policy: the tools (and the package's own __init__).
TOOLS = {"cli", "sandbox"}


def test_every_policy_module_is_under_the_policy_contract():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    (policies,) = [c for c in config["contracts"] if c["name"].startswith("Policies import no")]
    listed = {name.split(".")[1] for name in policies["source_modules"]}
    present = {
        path.stem if path.is_file() else path.name
        for path in (REPO / "politecrawl").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }
    assert present - TOOLS - listed == set(), "add these policy modules to the contract in pyproject.toml"
    assert listed - present == set(), "the contract names modules that do not exist"
    assert {"scrapy", "twisted", "zope", "politecrawl.middlewares"} <= set(policies["forbidden_modules"])


def test_every_package_is_in_the_distribution():
    """A package missing from [tool.setuptools] packages works in an editable install and is absent from a wheel."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    roots = {folder: name for name, folder in setuptools["package-dir"].items()}
    present = {
        ".".join([roots[init.parent.relative_to(REPO).parts[0]], *init.parent.relative_to(REPO).parts[1:]])
        for root in roots
        for init in (REPO / root).rglob("__init__.py")
    }
    assert present - set(setuptools["packages"]) == set(), "add these packages to [tool.setuptools] packages"
    assert set(setuptools["packages"]) - present == set(), "[tool.setuptools] packages names packages that do not exist"
