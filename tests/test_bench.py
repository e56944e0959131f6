"""The GPU benchmark keeps working: its CPU smoke size runs every variant and reports every figure."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_quick_benchmark_reports_every_variant(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "dpo_throughput.py"),
            "--quick",
            "--pairs",
            "8",
            "--max-steps",
            "1",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(out.read_text())
    assert [r["variant"] for r in report["results"]] == ["trl_textbook", "trl_tuned", "scratch"]
    for row in report["results"]:
        assert row["epoch_seconds"] > 0 and row["tokens_per_second"] > 0
        assert row["final_loss"] is not None and 0 <= row["reward_accuracy"] <= 1
