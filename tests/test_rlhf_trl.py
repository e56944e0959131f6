"""Our RLHF pieces against TRL's on the same batch: RewardTrainer's loss and RLOOTrainer's loss; and the
library run of lesson 6 (rlhf_lab.trl_rloo), RLOOTrainer with the proxy reward in the kit's settings.

TRL reloads models by name, so the policy and the reward model are saved to folders first. The models
are small random GPT-2s: the comparison is of the arithmetic, which does not need trained weights.
"""

import pytest
import torch
from datasets import Dataset
from transformers import GPT2Config, GPT2LMHeadModel
from trl import RewardConfig, RewardTrainer, RLOOConfig, RLOOTrainer

from rlhf_lab.losses import bradley_terry_loss
from rlhf_lab.pairs import format_prompt
from rlhf_lab.policy_gradient import clipped_surrogate_loss
from rlhf_lab.proxy_reward import as_sequence_classifier, proxy_scores
from rlhf_lab.reward_model import RewardModel, encode_reward_pairs
from rlhf_lab.rlhf_loop import rloo_advantages_of, surrogate_inputs
from rlhf_lab.sampling import completion_mask_of, completion_token_logprobs, decode_completions
from rlhf_lab.tokenizer import load_tokenizer
from rlhf_lab.trl_rloo import train_trl_rloo

# Prompts of the same token length: TRL scores left-padded prompts without position ids, we with them,
# so only unpadded prompts put the two on the same positions.
QUESTIONS = ["What is Python?", "What is Linux?"]


def small_config() -> GPT2Config:
    return GPT2Config(
        vocab_size=50257,
        n_positions=128,
        n_embd=32,
        n_layer=2,
        n_head=2,
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
        bos_token_id=50256,
        eos_token_id=50256,
    )


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer()


def test_reward_model_loss_equals_trl_reward_trainer(tmp_path, tokenizer):
    torch.manual_seed(0)
    reward_model = RewardModel(small_config(), seed=0)
    with torch.no_grad():
        reward_model.head.weight.normal_(0, 1.0)  # spread the scores so the loss is not just log 2
    rows = [
        {"chosen": format_prompt(q) + "Let me explain. It is software.", "rejected": format_prompt(q) + "No."}
        for q in QUESTIONS + ["How do I boil an egg?"]
    ]
    pairs = encode_reward_pairs(tokenizer, rows, max_tokens=32)
    ranked = torch.stack(
        [
            reward_model(pairs["chosen_ids"], pairs["chosen_mask"]),
            reward_model(pairs["rejected_ids"], pairs["rejected_mask"]),
        ],
        dim=1,
    )
    ours = bradley_terry_loss(ranked)

    classifier = as_sequence_classifier(reward_model, tokenizer.pad_token_id)
    config = RewardConfig(output_dir=str(tmp_path), bf16=False, report_to="none")
    trainer = RewardTrainer(
        model=classifier, args=config, processing_class=tokenizer, train_dataset=Dataset.from_list(rows)
    )
    batch = trainer.data_collator(
        [
            {
                "chosen_ids": tokenizer(row["chosen"])["input_ids"],
                "rejected_ids": tokenizer(row["rejected"])["input_ids"],
            }
            for row in rows
        ]
    )
    theirs = trainer.compute_loss(classifier, batch)
    torch.testing.assert_close(ours, theirs, atol=1e-6, rtol=0)
    assert abs(ours.item() - 0.6931) > 0.05  # a real loss, not the untrained log 2


def test_rloo_loss_equals_trl_rloo_trainer(tmp_path, tokenizer):
    torch.manual_seed(0)
    GPT2LMHeadModel(small_config()).save_pretrained(tmp_path / "policy")
    tokenizer.save_pretrained(tmp_path / "policy")
    reward_model = RewardModel(small_config(), seed=1)
    with torch.no_grad():
        reward_model.head.weight.normal_(0, 1.0)
    as_sequence_classifier(reward_model, tokenizer.pad_token_id).save_pretrained(tmp_path / "reward")

    beta, k = 0.3, 3
    config = RLOOConfig(
        output_dir=str(tmp_path / "run"),
        per_device_train_batch_size=len(QUESTIONS) * k,
        num_generations=k,
        max_completion_length=12,
        beta=beta,
        bf16=False,
        report_to="none",
        epsilon=0.2,
        seed=0,
    )
    prompts = [format_prompt(q) for q in QUESTIONS]
    trainer = RLOOTrainer(
        model=str(tmp_path / "policy"),
        reward_funcs=str(tmp_path / "reward"),
        args=config,
        train_dataset=Dataset.from_list([{"prompt": p} for p in prompts]),
        processing_class=tokenizer,
        reward_processing_classes=[tokenizer],
    )
    inputs = trainer._generate_and_score_completions([{"prompt": p} for p in prompts for _ in range(k)])

    policy, reference = trainer.model, trainer.ref_model
    width = inputs["prompt_ids"].shape[1]
    batch = {
        "input_ids": torch.cat([inputs["prompt_ids"], inputs["completion_ids"]], dim=1),
        "attention_mask": torch.cat([inputs["prompt_mask"], inputs["completion_mask"]], dim=1),
        "prompt_width": width,
        "completion_mask": completion_mask_of(inputs["completion_ids"], tokenizer.eos_token_id),
    }
    mask = batch["completion_mask"]
    torch.testing.assert_close(mask, inputs["completion_mask"].long())

    with torch.no_grad():
        old = completion_token_logprobs(policy, batch)
        ref = completion_token_logprobs(reference, batch)
        scores = proxy_scores(
            reward_model, tokenizer, [p for p in prompts for _ in range(k)], decode_completions(tokenizer, batch)
        )
    # Sums of ~12 log-probabilities of ~-11 each (a random model): float32 rounding is relative.
    torch.testing.assert_close((old * mask).sum(dim=1), inputs["old_logps"], atol=0, rtol=1e-6)
    advantages = rloo_advantages_of(scores, old, ref, mask, beta, k)
    torch.testing.assert_close(advantages, inputs["advantages"], atol=1e-4, rtol=0)
    assert advantages.abs().max() > 0.1  # the rewards differ, so the comparison has something to compare

    # A second inner epoch: after an update the ratios are no longer 1 and clipping matters. In float64,
    # so that the ratios exp(sum of ~12 log-probabilities) do not magnify float32 rounding; both losses
    # take TRL's old log-probabilities and advantages (ours matched them above).
    policy.double()
    with torch.no_grad():
        for parameter in policy.parameters():
            parameter.add_(0.05 * torch.randn_like(parameter))
    logprobs, loss_mask = surrogate_inputs(completion_token_logprobs(policy, batch), mask, "sequence")
    ours = clipped_surrogate_loss(
        logprobs, inputs["old_logps"].double().unsqueeze(1), inputs["advantages"].double(), loss_mask, clip_epsilon=0.2
    )
    our_grads = torch.autograd.grad(ours, list(policy.parameters()))
    theirs = trainer.compute_loss(
        policy, {**inputs, "old_logps": inputs["old_logps"].double(), "advantages": inputs["advantages"].double()}
    )
    their_grads = torch.autograd.grad(theirs, list(policy.parameters()))
    torch.testing.assert_close(ours, theirs, atol=1e-5, rtol=0)
    for mine, trl in zip(our_grads, their_grads):
        torch.testing.assert_close(mine, trl, atol=1e-5, rtol=1e-5)
    assert abs(ours.item()) > 1e-3  # not the trivial zero of the first epoch


def test_trl_rloo_run_uses_the_kit_settings_the_proxy_scale_and_known_tokens_only(tmp_path, tokenizer):
    torch.manual_seed(0)
    policy = GPT2LMHeadModel(small_config())
    # Like the tiny reference, a model that never learned most tokens: their (tied) rows are zero, so their
    # logits are 0 and they hold almost all of a random model's probability unless sampling suppresses them.
    unknown = torch.arange(1000, 50000)
    with torch.no_grad():
        policy.transformer.wte.weight[unknown] = 0.0
    policy.save_pretrained(tmp_path / "policy")
    tokenizer.save_pretrained(tmp_path / "policy")
    reward_model = RewardModel(small_config(), seed=1)
    bias = 3.0  # TRL's sequence classifier has no bias: the kit scale adds it back
    with torch.no_grad():
        reward_model.head.weight.normal_(0, 1.0)
        reward_model.head.bias.fill_(bias)
    settings = {
        "k": 2,
        "prompts": 2,
        "inner_epochs": 2,
        "beta": 0.3,
        "clip_epsilon": 0.2,
        "learning_rate": 1e-2,
        "max_grad_norm": 1.0,
        "max_new_tokens": 8,
        "seed": 0,
    }
    prompts = [format_prompt(q) for q in QUESTIONS]
    result = train_trl_rloo(tmp_path / "policy", reward_model, tokenizer, prompts, settings, tmp_path / "run", steps=2)

    trainer = result["trainer"]
    assert trainer.state.global_step == 4  # 2 kit steps of 2 inner epochs each
    assert [entry["step"] for entry in result["history"]] == [1, 3]  # one sampling per kit step
    assert {"proxy", "kl_per_token", "answer_tokens", "loss"} <= result["history"][-1].keys()
    # TRL scored its last batch with the saved classifier; our proxy scores the same texts on the kit's scale.
    logged = trainer._logs
    ours = proxy_scores(reward_model, tokenizer, list(logged["prompt"]), list(logged["completion"]))
    assert len(ours) == settings["prompts"] * settings["k"]
    torch.testing.assert_close(torch.tensor(list(logged["rewards"]["reward_model"])) + bias, ours, atol=1e-4, rtol=0)
    assert abs(result["history"][-1]["proxy"] - ours.mean().item()) < 1e-4
    # Sampling never picks a token the model did not learn.
    batch = trainer._generate_and_score_completions([{"prompt": p} for p in prompts for _ in range(settings["k"])])
    sampled = batch["completion_ids"][batch["completion_mask"].bool()]
    assert len(sampled) and not torch.isin(sampled, unknown).any()
    # The returned policy is the trained one.
    trained = dict(result["policy"].named_parameters())
    assert any(not torch.equal(parameter, trained[name]) for name, parameter in policy.named_parameters())
