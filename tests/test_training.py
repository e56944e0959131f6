"""DPO with TRL on a tiny random GPT-2: the tokenization fix, the saved results, resuming."""

import json
import math

import pytest
import torch
from conftest import DIFFERENT_MODELS_MIN_GAP, SUMMED_FLOAT32_LOGPROBS_ATOL
from datasets import Dataset

from rlhf_lab.data import EMBEDDED, load_dialogues
from rlhf_lab.evaluation import generation_prompt_ids
from rlhf_lab.losses import completion_logprobs, dpo_loss
from rlhf_lab.models import new_model, tiny_gpt2_config
from rlhf_lab.pairs import build_pairs
from rlhf_lab.tokenizer import load_tokenizer
from rlhf_lab.training import CourseDPOTrainer, dpo_config, train_dpo


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer()


@pytest.fixture(scope="module")
def pairs(tokenizer):
    return build_pairs(load_dialogues(EMBEDDED), tokenizer)[0][:24]


@pytest.fixture(scope="module")
def random_model_dir(tmp_path_factory, tokenizer):
    folder = tmp_path_factory.mktemp("random-tiny")
    new_model(tiny_gpt2_config(), seed=0).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


def make_trainer(tokenizer, pairs, output_dir):
    # Policy and reference differ (seeds 0 and 1): with one model twice every implicit reward is 0 and
    # every loss log 2, whatever completion_logprobs computes.
    model, reference = new_model(tiny_gpt2_config(), 0), new_model(tiny_gpt2_config(), 1)
    return CourseDPOTrainer(
        model=model,
        ref_model=reference.eval(),
        args=dpo_config("cpu", output_dir, max_steps=1),
        train_dataset=Dataset.from_list(pairs),
        processing_class=tokenizer,
    )


def test_training_conditions_on_the_ids_generation_starts_from(tokenizer, pairs, tmp_path):
    trainer = make_trainer(tokenizer, pairs, tmp_path)
    for pair, example in zip(pairs, trainer.train_dataset):
        question = pair["prompt"].removeprefix("### Question: ").removesuffix("\n### Answer: ")
        assert example["prompt_ids"] == generation_prompt_ids(tokenizer, question)
        assert example["prompt_ids"][-1] == 220  # the prompt's final space survives
        assert example["chosen_ids"][:3] == [5756, 502, 4727]  # "Let me explain"
        assert example["chosen_ids"][-1] == example["rejected_ids"][-1] == tokenizer.eos_token_id


def test_course_loss_matches_trls_on_the_same_batch(tokenizer, pairs, tmp_path):
    trainer = make_trainer(tokenizer, pairs, tmp_path)
    batch = trainer.data_collator([trainer.train_dataset[i] for i in range(4)])
    trainer.model.train()
    with torch.no_grad():
        trl_loss = trainer.compute_loss(trainer.model, batch).item()
        inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
        policy = completion_logprobs(trainer.model(**inputs).logits, batch["input_ids"], batch["completion_mask"])
        reference = completion_logprobs(
            trainer.ref_model(**inputs).logits, batch["input_ids"], batch["completion_mask"]
        )
    (policy_chosen, policy_rejected), (ref_chosen, ref_rejected) = policy.chunk(2), reference.chunk(2)
    ours = dpo_loss(policy_chosen, policy_rejected, ref_chosen, ref_rejected, beta=trainer.args.beta)[0].item()
    assert abs(trl_loss - math.log(2)) > DIFFERENT_MODELS_MIN_GAP, "policy and reference should differ"
    assert abs(ours - trl_loss) < SUMMED_FLOAT32_LOGPROBS_ATOL, (ours, trl_loss)


def test_train_dpo_saves_everything_and_resumes(tokenizer, pairs, random_model_dir, tmp_path):
    out = tmp_path / "run"
    first = train_dpo(random_model_dir, [], out, tokenizer, preset="cpu", pairs=pairs, max_steps=2, save_steps=1)
    assert first["steps"] == 2 and first["resumed_from"] is None
    for name in ("model/config.json", "log_history.json", "train_metrics.json", "training.png"):
        assert (out / name).exists(), name
    second = train_dpo(random_model_dir, [], out, tokenizer, preset="cpu", pairs=pairs, max_steps=3, save_steps=1)
    assert second["steps"] == 3 and second["resumed_from"].endswith("checkpoint-2")
    logged_steps = [e["step"] for e in json.loads((out / "log_history.json").read_text()) if "loss" in e]
    assert logged_steps == [1, 2, 3]


def test_unknown_preset_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown preset"):
        dpo_config("fast", tmp_path)
