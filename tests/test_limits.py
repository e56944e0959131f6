"""autograde/limits.py: every limit defined once, in `Limits`; the command line, the kernel launcher and
the guides follow it."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograde.cli import _parser, main
from autograde.errors import AutogradeError
from autograde.limits import LIMITS_VARIABLE, Limits, fields, option

REPO = Path(__file__).resolve().parent.parent
GRADE = ["grade", "submissions", "-o", "out"]
NUMBERS = [item for item in fields().values() if item.type is not bool]


def parsed_limits(*options: str) -> Limits:
    arguments = _parser().parse_args([*GRADE, *options])
    return Limits(**{name: getattr(arguments, name) for name in fields()})


def test_grade_has_one_option_per_limit_with_its_default(capsys):
    assert parsed_limits() == Limits()
    with pytest.raises(SystemExit):
        main(["grade", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    for item in NUMBERS:
        assert f"{option(item)} " in help_text and f"(default {item.default:g}" in help_text


def test_grade_options_set_their_limits():
    limits = parsed_limits("--timeout", "60", "--cell-timeout", "4.5", "--output-kb", "64", "--all-cells")
    assert (limits.notebook_timeout, limits.cell_timeout, limits.output_kb) == (60, 4.5, 64)
    assert limits.run_ungraded_tail and not Limits().run_ungraded_tail
    assert type(limits.output_kb) is int


@pytest.mark.parametrize("name", [item.name for item in NUMBERS])
@pytest.mark.parametrize("value", [0, -1])
def test_every_number_must_be_positive(name, value):
    with pytest.raises(AutogradeError, match=f"^{option(fields()[name])} must be positive$"):
        Limits(**{name: value})


def test_waiting_never_gets_less_than_the_cpu_time_limit():
    with pytest.raises(AutogradeError, match="--wall-factor must be at least 1"):
        Limits(wall_factor=0.5)
    assert Limits(wall_factor=1).wall_factor == 1


def test_limits_travel_to_the_kernel_unchanged(tmp_path):
    limits = Limits(notebook_timeout=90, cell_timeout=15, memory_mb=1536, run_ungraded_tail=True)
    limits.write(tmp_path / "limits.json")
    assert Limits.read(tmp_path / "limits.json") == limits


def test_the_threat_model_gives_the_kill_deadline_of_limits():
    """docs/threat-model.md: "the whole sandbox is killed at A x timeout + B s"."""
    text = " ".join((REPO / "docs" / "threat-model.md").read_text().split())
    factor, extra = re.search(r"killed at (\d+(?:\.\d+)?) x timeout \+ (\d+) s", text).groups()
    for timeout in (60, 1200):
        assert Limits(notebook_timeout=timeout).kill_after == pytest.approx(float(factor) * timeout + float(extra))
    assert Limits().kill_after > Limits().wall_factor * Limits().notebook_timeout  # the budget comes first


def test_the_kernel_launcher_refuses_to_run_without_its_limits(tmp_path):
    environment = {name: value for name, value in os.environ.items() if name != LIMITS_VARIABLE}
    done = subprocess.run(
        [sys.executable, str(REPO / "autograde" / "kernel_launcher.py"), "-f", str(tmp_path / "kernel.json")],
        cwd=tmp_path,
        env={**environment, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert f"no limits ({LIMITS_VARIABLE} is not set)" in done.stderr
    assert list(tmp_path.iterdir()) == []  # (no kernel home made, nothing started)


# A limit's option in a guide with its value next to it: in parentheses (ASCII or full-width), or after
# a comma: "`--timeout` (1200 s for ...)", "`--timeout`(ノートブック全体で 1200 秒)", "(`--processes`, 512)",
# "`--tree-memory-mb`, 10 GB by default, ...)". (Not "`--processes` x `--memory-mb` at ...".)
MENTION = re.compile(r"`(--[a-z-]+)`\s*(?:[(（]|,\s*(?=\d))([^)）`]{0,160})")
QUANTITY = re.compile(r"(\d+(?:\.\d+)?)\s*(GB|MB|KB)?")
SCALE = {"MB": {"GB": 1024, "KB": 1 / 1024}, "KB": {"GB": 1024**2, "MB": 1024}}


def stated_defaults(text: str) -> list[tuple[str, set[float]]]:
    """(option, the quantities said right after it, in the limit's own unit) for each mention of a limit."""
    units = {option(item): item.metadata["unit"] for item in NUMBERS}
    found = []
    for name, after in MENTION.findall(" ".join(text.split())):
        if name in units:
            quantities = {
                float(number) * SCALE.get(units[name], {}).get(unit, 1) for number, unit in QUANTITY.findall(after)
            }
            found.append((name, quantities))
    return found


def test_the_guides_state_the_defaults_of_limits():
    """Every guide that gives a limit's option a value next to it gives its default (the guides in
    every language: docs/**/*.md)."""
    defaults = {option(item): float(item.default) for item in NUMBERS}
    checked = {}
    for guide in sorted((REPO / "docs").rglob("*.md")):
        for name, quantities in stated_defaults(guide.read_text()):
            if quantities:
                assert defaults[name] in quantities, f"{guide.relative_to(REPO)}: {name} is {defaults[name]:g} now"
                checked.setdefault(guide.name, set()).add(name)
    assert {"--timeout", "--cell-timeout", "--memory-mb", "--tree-memory-mb", "--processes"} <= checked[
        "instructor-guide.md"
    ]


def test_a_guide_with_an_old_default_is_caught():
    assert stated_defaults("`--tree-memory-mb`, 10 GB by default, above") == [("--tree-memory-mb", {10240.0})]
    assert stated_defaults("`--processes`(1 つの提出物で 256。bwrap)") == [("--processes", {1.0, 256.0})]
    assert Limits().processes not in stated_defaults("`--processes` (256 processes)")[0][1]
