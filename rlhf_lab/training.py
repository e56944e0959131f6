"""DPO training with TRL's DPOTrainer: presets, the tokenization fix, resuming, and saved results."""

import json
import time
from pathlib import Path

import torch
from datasets import Dataset
from transformers.trainer_utils import get_last_checkpoint
from trl import DPOConfig, DPOTrainer

from rlhf_lab.data import load_dialogues
from rlhf_lab.pairs import build_pairs
from rlhf_lab.plots import plot_training
from rlhf_lab.presets import PRESETS, RUN_SETTINGS, TEXTBOOK
from rlhf_lab.reference import load_reference
from rlhf_lab.tokenizer import encode_prompt_completion


def textbook_config(output_dir, **overrides) -> DPOConfig:
    """The textbook's DPO settings as a TRL 1.16 DPOConfig; keyword `overrides` replace any of them.

    Every value is given explicitly because TRL's defaults differ from the textbook's (learning rate 1e-6,
    bf16 on). bf16 only where a GPU supports it: on a CPU, DPOConfig refuses bf16=True.
    """
    settings = {
        **TEXTBOOK,  # the book's batch, accumulation, learning rate, beta, epochs, max length (rlhf_lab.presets)
        "bf16": torch.cuda.is_available() and torch.cuda.is_bf16_supported(),
        **RUN_SETTINGS,  # one checkpoint kept, no experiment tracker
    }
    settings.update(overrides)
    return DPOConfig(output_dir=str(output_dir), **settings)


def dpo_config(preset: str, output_dir: str | Path, seed: int = 0, **overrides) -> DPOConfig:
    """A DPOConfig for a preset: the textbook's settings with the preset's on top, then `overrides`."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}: choose one of {', '.join(PRESETS)}")
    given = {k: v for k, v in overrides.items() if v is not None}
    return textbook_config(output_dir, seed=seed, **{**PRESETS[preset], **given})


class CourseDPOTrainer(DPOTrainer):
    """TRL's DPOTrainer with prompt and completion tokenized separately.

    TRL 1.16 tokenizes prompt + completion in one go; with the textbook's prompt ("... ### Answer: ")
    GPT-2's BPE merges the final space into the completion's first word, and TRL then drops the
    prompt's last token. The model would learn "Answer:" -> " Let" while generation continues from
    "Answer: " (token 220): reward accuracy 1.0 and not one greedy answer changed. Encoding through
    `encode_prompt_completion` keeps training's context identical to generation's.
    """

    def _prepare_dataset(self, dataset, processing_class, args, dataset_name):
        def encode(pair):
            prompt_ids, chosen_ids = encode_prompt_completion(processing_class, pair["prompt"], pair["chosen"])
            _, rejected_ids = encode_prompt_completion(processing_class, pair["prompt"], pair["rejected"])
            # "length" feeds the group_by_length sampler; the collator ignores it.
            length = len(prompt_ids) + max(len(chosen_ids), len(rejected_ids))
            return {"prompt_ids": prompt_ids, "chosen_ids": chosen_ids, "rejected_ids": rejected_ids, "length": length}

        dataset = dataset.map(encode, remove_columns=dataset.column_names, desc=f"Tokenizing {dataset_name} pairs")
        if args.max_length is not None and args.truncation_mode == "keep_start":
            # As TRL does: a prompt that fills max_length leaves no completion token to learn from.
            dataset = dataset.filter(lambda pair: len(pair["prompt_ids"]) < args.max_length)
        return dataset


def final_log_values(log_history: list[dict]) -> dict:
    """The last logged training loss, reward accuracy and margin."""
    train_logs = [entry for entry in log_history if "loss" in entry]
    last = train_logs[-1] if train_logs else {}
    return {
        "final_loss": last.get("loss"),
        "reward_accuracy": last.get("rewards/accuracies"),
        "reward_margin": last.get("rewards/margins"),
    }


def train_dpo(
    model: str,
    data: list[str],
    output_dir: str | Path,
    tokenizer,
    preset: str = "textbook",
    seed: int = 0,
    pairs: list[dict] | None = None,
    **overrides,
) -> dict:
    """Train a policy from `model` with DPO against a frozen copy of it; save model, log and metrics.

    Rerun with the same output_dir after an interruption and it resumes from the last checkpoint.
    """
    output_dir = Path(output_dir)
    if pairs is None:
        pairs, counts = build_pairs(load_dialogues(data), tokenizer)
        print(f"pairs: {counts}")
    policy = load_reference(model)
    reference = load_reference(model).eval().requires_grad_(False)
    config = dpo_config(preset, output_dir, seed=seed, **overrides)
    trainer = CourseDPOTrainer(
        model=policy,
        ref_model=reference,
        args=config,
        train_dataset=Dataset.from_list(pairs),
        processing_class=tokenizer,
    )
    checkpoint = get_last_checkpoint(str(output_dir)) if output_dir.is_dir() else None
    if checkpoint:
        print(f"resuming from {checkpoint}")
    started = time.perf_counter()
    trainer.train(resume_from_checkpoint=checkpoint)
    train_seconds = time.perf_counter() - started

    trainer.save_model(str(output_dir / "model"))
    log_history = trainer.state.log_history
    (output_dir / "log_history.json").write_text(json.dumps(log_history, indent=1))
    plot_training(log_history, output_dir / "training.png")
    metrics = {
        "preset": preset,
        "pairs": len(pairs),
        "steps": trainer.state.global_step,
        **final_log_values(log_history),
        "train_seconds": round(train_seconds, 2),
        "resumed_from": checkpoint,
    }
    (output_dir / "train_metrics.json").write_text(json.dumps(metrics, indent=1))
    return metrics
