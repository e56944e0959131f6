"""The tuned GPU preset changes how DPO runs, not what it learns."""

import pytest

from rlhf_lab.embedded import heldout_questions
from rlhf_lab.evaluation import explain_rate, generate_answers
from rlhf_lab.models import load_causal_lm
from rlhf_lab.reference import build_tiny_reference
from rlhf_lab.tokenizer import load_tokenizer
from rlhf_lab.training import PRESETS, TEXTBOOK, train_dpo

# Both runs use the same optimisation, scaled up so the tiny model learns within a few steps.
CPU_SCALE = {"learning_rate": 3e-4, "beta": 0.5, "lr_scheduler_type": "constant", "max_steps": 12, "save_steps": 100}


def test_gpu_preset_keeps_the_textbooks_optimisation():
    tuned = PRESETS["gpu"]
    for key in ("learning_rate", "beta", "num_train_epochs", "max_length"):
        assert tuned[key] == TEXTBOOK[key], key
    effective = lambda p: p["per_device_train_batch_size"] * p["gradient_accumulation_steps"]
    assert effective(tuned) == effective(TEXTBOOK) == 16


@pytest.mark.slow
def test_tuned_and_textbook_execution_reach_the_same_rate(tmp_path):
    tokenizer = load_tokenizer()
    reference = str(build_tiny_reference())
    questions = heldout_questions()
    rates = {}
    for preset in ("textbook", "gpu"):
        train_dpo(reference, ["embedded"], tmp_path / preset, tokenizer, preset=preset, **CPU_SCALE)
        answers = generate_answers(load_causal_lm(tmp_path / preset / "model"), tokenizer, questions)
        rates[preset] = explain_rate(answers)
    assert rates["gpu"] >= 0.9 and abs(rates["gpu"] - rates["textbook"]) <= 0.05, rates
