"""The demo's pipeline end to end at toy sizes: every stage runs and every promised file appears."""

import json

from rlhf_lab.data import EMBEDDED, load_dialogues
from rlhf_lab.pairs import build_pairs
from rlhf_lab.pipeline import run_demo
from rlhf_lab.reference import SFT_SETTINGS, build_tiny_reference
from rlhf_lab.tokenizer import load_tokenizer

TOY_SFT = {**SFT_SETTINGS, "steps": 3, "warmup": 1}


def test_demo_writes_metrics_answers_and_plots(tmp_path, monkeypatch):
    monkeypatch.setenv("RLHF_LAB_CACHE", str(tmp_path / "cache"))
    metrics = run_demo(tmp_path / "demo", sft_settings=TOY_SFT, max_steps=2, questions=4)
    saved = json.loads((tmp_path / "demo" / "metrics.json").read_text())
    assert saved == metrics
    for key in ("pairs", "rate_before", "rate_after", "final_loss", "train_seconds", "total_seconds"):
        assert key in saved, key
    expected_pairs = len(build_pairs(load_dialogues(EMBEDDED), load_tokenizer())[0])
    assert saved["pairs"] == expected_pairs and saved["dpo_steps"] == 2 and saved["questions"] == 4
    assert 0 <= saved["rate_before"] <= 1 and 0 <= saved["rate_after"] <= 1
    answers = [json.loads(line) for line in (tmp_path / "demo" / "answers.jsonl").read_text().splitlines()]
    assert len(answers) == 4 and set(answers[0]) == {"question", "before", "after"}
    assert (tmp_path / "demo" / "training.png").stat().st_size > 10_000


def test_reference_build_is_cached_and_deterministic(tmp_path, monkeypatch):
    monkeypatch.setenv("RLHF_LAB_CACHE", str(tmp_path / "a"))
    first = build_tiny_reference(TOY_SFT)
    assert build_tiny_reference(TOY_SFT) == first  # cached: same folder, no second build
    monkeypatch.setenv("RLHF_LAB_CACHE", str(tmp_path / "b"))
    second = build_tiny_reference(TOY_SFT)
    weights = "model.safetensors"
    assert (first / weights).read_bytes() == (second / weights).read_bytes()
