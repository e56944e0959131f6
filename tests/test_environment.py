"""The pins and the TRL API the course relies on."""

import ast
import dataclasses
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import nbformat
import yaml
from trl import DPOConfig

from rlhf_lab.presets import PRESETS, RUN_SETTINGS

ROOT = Path(__file__).resolve().parents[1]


def test_environment_yml_pins_match_pyproject():
    """environment.yml installs the runtime, test and site pins, and `-e .[test,site]`."""
    metadata = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = metadata["optional-dependencies"]
    project = metadata["dependencies"] + extras["test"] + extras["site"]
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    pip_section = next(item["pip"] for item in conda if isinstance(item, dict))
    assert sorted(p for p in pip_section if not p.startswith("-e")) == sorted(project)
    assert "-e .[test,site]" in pip_section
    assert all(re.fullmatch(r"[\w.-]+==[\w.+]+", p) for p in project), "every dependency is pinned"


def test_every_dpo_setting_the_course_uses_exists_in_trl():
    fields = {f.name for f in dataclasses.fields(DPOConfig)}
    used = {key for preset in PRESETS.values() for key in preset} | {"bf16", "seed", *RUN_SETTINGS}
    assert used <= fields, f"DPOConfig lacks {sorted(used - fields)}: TRL's API moved"


def declared_distributions() -> set[str]:
    """Runtime and test requirements from pyproject.toml, as canonical distribution names."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    return {canonical(re.split(r"[=<>\[; ]", r, maxsplit=1)[0]) for r in requirements}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_modules() -> dict[str, str]:
    """Top-level module -> a file importing it, over the code, the tests, the scripts and the notebooks."""
    sources = {
        path: path.read_text()
        for folder in ("rlhf_lab", "autograde", "course_site", "tests", "bench", "tools")
        for path in (ROOT / folder).rglob("*.py")
    }
    for notebook in (ROOT / "solutions").glob("*/*.ipynb"):
        cells = [cell for cell in nbformat.read(notebook, as_version=4).cells if cell.cell_type == "code"]
        sources[notebook] = "\n".join(
            line for cell in cells for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))
        )
    modules = {}
    for path, source in sources.items():
        for node in ast.walk(ast.parse(source)):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            )
            for name in names:
                modules.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return modules


def test_every_imported_library_is_declared():
    """A library used but not declared works only while another package happens to pull it in."""
    ours = {"rlhf_lab", "autograde", "course_site"} | {path.stem for path in (ROOT / "tests").glob("*.py")}
    declared = declared_distributions()
    provided_by = importlib.metadata.packages_distributions()
    undeclared = {
        module: where
        for module, where in imported_modules().items()
        if module not in sys.stdlib_module_names
        and module not in ours
        and not {canonical(d) for d in provided_by.get(module, [module])} & declared
    }
    assert not undeclared, f"imported but not in pyproject.toml's dependencies or test extra: {undeclared}"


def test_declared_python_is_the_one_ruff_checks_and_conda_installs():
    """requires-python's minimum is the version ruff checks the syntax for and environment.yml installs."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    minimum = re.fullmatch(r">=3\.(\d+)", pyproject["project"]["requires-python"]).group(1)
    assert pyproject["tool"]["ruff"]["target-version"] == f"py3{minimum}"
    assert f"python=3.{minimum}" in yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    assert sys.version_info >= (3, int(minimum)), "this interpreter is older than the declared minimum"
