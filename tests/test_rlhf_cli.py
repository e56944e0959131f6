"""`python -m rlhf_lab train-rlhf`: a very short run writes the metrics, the plot and a checkpoint it resumes from."""

import json
import subprocess
import sys

import pytest

REQUIRED = (
    "rate_before",
    "rate_after",
    "degenerate_after",
    "on_topic_after",
    "gold_before",
    "gold_after",
    "proxy_before",
    "proxy_after",
    "kl_after",
    "train_seconds",
)


def train_rlhf(output, steps):
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "rlhf_lab",
            "train-rlhf",
            "--preset",
            "cpu",
            "--output",
            str(output),
            "--steps",
            str(steps),
            "--questions",
            "4",
            "--beta",
            "0.5",
        ],
        capture_output=True,
        text=True,
    )


@pytest.mark.slow
def test_train_rlhf_writes_metrics_and_resumes(tmp_path):
    first = train_rlhf(tmp_path, 1)
    assert first.returncode == 0, first.stderr[-2000:]
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert set(REQUIRED) <= set(metrics)
    assert metrics["questions"] == 4 and metrics["steps"] == 1 and metrics["beta"] == 0.5
    for name in REQUIRED:
        assert isinstance(metrics[name], float), name
    assert 0.0 <= metrics["rate_after"] <= 1.0 and metrics["train_seconds"] > 0
    assert (tmp_path / "rlhf_training.png").stat().st_size > 0 and (tmp_path / "model" / "config.json").exists()

    second = train_rlhf(tmp_path, 2)  # the same folder: continues after step 1
    assert second.returncode == 0, second.stderr[-2000:]
    assert "resuming from step 1" in second.stdout
    history = [json.loads(line) for line in (tmp_path / "history.jsonl").read_text().splitlines()]
    assert [entry["step"] for entry in history] == [1, 2]
