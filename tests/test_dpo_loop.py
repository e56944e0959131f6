"""The from-scratch DPO loop against TRL's DPOTrainer: same batches, same losses, step by step.

Tiny random GPT-2s keep this fast. The policy and the reference start from different weights on purpose:
with identical ones every first-step loss is exactly log 2 and would not test the log-probabilities.
"""

import math

import pytest
import torch
from conftest import DIFFERENT_MODELS_MIN_GAP, LATER_STEPS_ATOL, SUMMED_FLOAT32_LOGPROBS_ATOL
from datasets import Dataset

from rlhf_lab.data import EMBEDDED, load_dialogues
from rlhf_lab.dpo_loop import batch_order, collate_pairs, encode_pairs, sequence_logprobs, train_dpo_from_scratch
from rlhf_lab.losses import completion_logprobs
from rlhf_lab.models import new_model, tiny_gpt2_config
from rlhf_lab.pairs import build_pairs
from rlhf_lab.tokenizer import load_tokenizer
from rlhf_lab.training import CourseDPOTrainer, dpo_config

# 10 pairs in batches of 4: the first epoch ends with a batch of 2 and step 4 starts a reshuffled
# second epoch, so the test also covers the partial batch and the per-epoch reseeding.
PAIRS, BATCH, STEPS, LR, BETA, SEED = 10, 4, 4, 3e-4, 0.5, 0

# Step 1 starts from the same weights in both, so only the arithmetic of the log-probabilities differs
# (SUMMED_FLOAT32_LOGPROBS_ATOL); later steps carry those differences through the optimizer
# (LATER_STEPS_ATOL). Both are explained in conftest.py.
FIRST_STEP_ATOL = SUMMED_FLOAT32_LOGPROBS_ATOL


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer()


@pytest.fixture(scope="module")
def pairs(tokenizer):
    return build_pairs(load_dialogues(EMBEDDED), tokenizer)[0][:PAIRS]


def models():
    """A policy and a reference with different random weights (new objects each call: TRL patches them)."""
    return new_model(tiny_gpt2_config(), seed=0), new_model(tiny_gpt2_config(), seed=1)


class RecordingTrainer(CourseDPOTrainer):
    """Keeps the input_ids of every batch the Trainer trains on."""

    def compute_loss(self, model, inputs, *args, **kwargs):
        self.seen_input_ids.append(inputs["input_ids"].clone())
        return super().compute_loss(model, inputs, *args, **kwargs)


@pytest.fixture(scope="module")
def trl_run(tokenizer, pairs, tmp_path_factory):
    policy, reference = models()
    args = dpo_config(
        "cpu",
        tmp_path_factory.mktemp("trl"),
        seed=SEED,
        max_steps=STEPS,
        save_strategy="no",
        per_device_train_batch_size=BATCH,
        learning_rate=LR,
        beta=BETA,
        logging_steps=1,
    )
    trainer = RecordingTrainer(
        model=policy,
        ref_model=reference.eval(),
        args=args,
        train_dataset=Dataset.from_list(pairs),
        processing_class=tokenizer,
    )
    trainer.seen_input_ids = []
    trainer.train()
    logged = [entry for entry in trainer.state.log_history if "loss" in entry]
    return trainer.seen_input_ids, logged


@pytest.fixture(scope="module")
def scratch_run(tokenizer, pairs):
    policy, reference = models()
    return train_dpo_from_scratch(
        policy, reference, tokenizer, pairs, steps=STEPS, batch_size=BATCH, learning_rate=LR, beta=BETA, seed=SEED
    )


def test_batches_are_the_trainers_batches(tokenizer, pairs, trl_run):
    seen_input_ids, _ = trl_run
    encoded = encode_pairs(tokenizer, pairs)
    order = batch_order(len(pairs), STEPS, BATCH, SEED)
    assert [len(indices) for indices in order] == [4, 4, 2, 4]
    for step, (indices, trl_ids) in enumerate(zip(order, seen_input_ids), start=1):
        ours = collate_pairs([encoded[i] for i in indices], tokenizer.pad_token_id)["input_ids"]
        assert torch.equal(ours, trl_ids), f"step {step}: different batch"


def test_losses_match_trl_step_by_step(trl_run, scratch_run):
    _, logged = trl_run
    assert [entry["step"] for entry in logged] == [row["step"] for row in scratch_run] == list(range(1, STEPS + 1))
    first_trl, first_ours = logged[0]["loss"], scratch_run[0]["loss"]
    assert abs(first_ours - first_trl) < FIRST_STEP_ATOL, (first_ours, first_trl)
    assert abs(first_ours - math.log(2)) > DIFFERENT_MODELS_MIN_GAP, "policy and reference should differ at step 1"
    for trl, ours in zip(logged[1:], scratch_run[1:]):
        assert abs(ours["loss"] - trl["loss"]) < LATER_STEPS_ATOL, (trl["step"], ours["loss"], trl["loss"])
        assert abs(ours["reward_margin"] - trl["rewards/margins"]) < 10 * LATER_STEPS_ATOL
        assert ours["reward_accuracy"] == trl["rewards/accuracies"]


def test_projecting_only_the_needed_positions_changes_nothing(tokenizer, pairs):
    model = new_model(tiny_gpt2_config(), seed=0).eval()
    examples = encode_pairs(tokenizer, pairs[:4])
    batch = collate_pairs(examples, tokenizer.pad_token_id)
    first_logit = min(len(prompt) for prompt, _, _ in examples) - 1
    assert first_logit > 0
    with torch.no_grad():
        full = completion_logprobs(
            model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits,
            batch["input_ids"],
            batch["completion_mask"],
        )
        kept = sequence_logprobs(model, batch, first_logit)
    assert kept.shape == (8,)
    assert torch.allclose(kept, full, atol=1e-4, rtol=1e-6)


def test_batch_order_covers_every_pair_once_per_epoch():
    order = batch_order(num_pairs=10, steps=6, batch_size=4, seed=3)
    first_epoch, second_epoch = sum(order[:3], []), sum(order[3:6], [])
    assert sorted(first_epoch) == sorted(second_epoch) == list(range(10))
    assert first_epoch != second_epoch  # reshuffled with seed + 1
