"""The tuned GPU preset changes how DPO runs, not what it learns."""

from rlhf_lab.training import PRESETS, TEXTBOOK


def test_gpu_preset_keeps_the_textbooks_optimisation():
    tuned = PRESETS["gpu"]
    for key in ("learning_rate", "beta", "num_train_epochs", "max_length"):
        assert tuned[key] == TEXTBOOK[key], key
    effective = lambda p: p["per_device_train_batch_size"] * p["gradient_accumulation_steps"]
    assert effective(tuned) == effective(TEXTBOOK) == 16
