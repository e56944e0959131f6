"""The code style is checked, not argued about: ruff's lint and format check over the tree (pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

COMMANDS = {"lint": ["check", "--no-cache", "."], "format": ["format", "--check", "--no-cache", "."]}


@pytest.mark.parametrize("command", COMMANDS)
def test_ruff(command):
    ruff = [sys.executable, "-m", "ruff", *COMMANDS[command]]
    result = subprocess.run(ruff, cwd=ROOT, capture_output=True, text=True)
    fix = "ruff check --fix ." if command == "lint" else "ruff format ."
    assert result.returncode == 0, f"{result.stdout[-3000:]}{result.stderr[-1000:]}\nrun `.venv/bin/{fix}`"
