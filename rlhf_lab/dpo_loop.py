"""DPO without a Trainer: the loop that TRL's DPOTrainer runs for us, written out in plain torch.

One step: draw B pairs, run the policy once on the 2B sequences [chosen; rejected] (with gradients) and the
frozen reference once (without), sum the log-probabilities of the completion tokens, take DPO's loss,
clip the gradient norm and let AdamW update the policy. Everything else in a Trainer (logging,
checkpoints, schedules, several devices) is bookkeeping around these lines.

To compare step by step with TRL, the loop copies the choices TRL 1.16 / transformers 5.24 make by default:
the same tokenization (`encode_prompt_completion`, as `CourseDPOTrainer`), the same batch layout and
padding, the same order of pairs for a given seed, dropout off, AdamW (betas 0.9/0.999, eps 1e-8, no
weight decay), gradient norm clipped at 1.0, and a constant learning rate (TRL's `lr_scheduler_type`
"constant", the "cpu" preset).

Shapes: B = pairs per step, T = padded length of prompt + completion, V = vocabulary.
"""

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from rlhf_lab.losses import completion_logprobs, dpo_loss, reward_accuracy, reward_margin
from rlhf_lab.sft import collate
from rlhf_lab.tokenizer import encode_prompt_completion


def encode_pairs(tokenizer: PreTrainedTokenizerBase, pairs: list[dict]) -> list[tuple[list[int], list[int], list[int]]]:
    """(prompt_ids, chosen_ids, rejected_ids) of every pair, encoded as `CourseDPOTrainer` encodes them."""
    encoded = []
    for pair in pairs:
        prompt_ids, chosen_ids = encode_prompt_completion(tokenizer, pair["prompt"], pair["chosen"])
        _, rejected_ids = encode_prompt_completion(tokenizer, pair["prompt"], pair["rejected"])
        encoded.append((prompt_ids, chosen_ids, rejected_ids))
    return encoded


def batch_order(num_pairs: int, steps: int, batch_size: int, seed: int) -> list[list[int]]:
    """The pair indices of each step, in the order the Trainer draws them.

    transformers' Trainer shuffles with accelerate's SeedableRandomSampler: epoch e is
    `torch.randperm(num_pairs)` from a generator seeded with seed + e (seed = the config's `data_seed` if
    set, else its `seed`, which the Trainer passes to torch.manual_seed), cut into consecutive batches; the
    last batch of an epoch may be smaller (drop_last is False). Reproducing it lets this loop see exactly
    the batches TRL sees.
    """
    order = []
    epoch = 0
    while len(order) < steps:
        generator = torch.Generator().manual_seed(seed + epoch)
        permutation = torch.randperm(num_pairs, generator=generator).tolist()
        order += [permutation[start : start + batch_size] for start in range(0, num_pairs, batch_size)]
        epoch += 1
    return order[:steps]


def collate_pairs(encoded: list[tuple[list[int], list[int], list[int]]], pad_id: int) -> dict[str, torch.Tensor]:
    """One (2B, T) batch: the B chosen sequences first, then the B rejected ones, right-padded.

    The same layout as TRL's DataCollatorForPreference, so that policy and reference each need one
    forward pass per step. completion_mask is 1 on completion tokens only.
    """
    chosen = [(prompt, chosen) for prompt, chosen, _ in encoded]
    rejected = [(prompt, rejected) for prompt, _, rejected in encoded]
    return collate(chosen + rejected, pad_id)


def sequence_logprobs(model: PreTrainedModel, batch: dict[str, torch.Tensor], first_logit: int) -> torch.Tensor:
    """log pi(completion | prompt) of every row, summed over completion tokens: shape (2B,).

    The vocabulary projection (width x V) is the most expensive part of a small model, and no prompt
    position except the last one predicts a completion token. `logits_to_keep` makes the model project only
    positions first_logit .. T-1, where first_logit = (shortest prompt) - 1; slicing input_ids and the mask
    the same way keeps `completion_logprobs`' shift by one aligned.
    """
    width = batch["input_ids"].shape[1]
    logits = model(
        input_ids=batch["input_ids"],
        attention_mask=batch["attention_mask"],
        logits_to_keep=width - first_logit,
        use_cache=False,
    ).logits  # (2B, T - first_logit, V)
    return completion_logprobs(logits, batch["input_ids"][:, first_logit:], batch["completion_mask"][:, first_logit:])


def train_dpo_from_scratch(
    policy: PreTrainedModel,
    reference: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    pairs: list[dict],
    steps: int,
    batch_size: int,
    learning_rate: float,
    beta: float,
    seed: int = 0,
    max_grad_norm: float = 1.0,
    bf16: bool = False,
) -> list[dict]:
    """Train `policy` in place with DPO against the frozen `reference`; one dict of metrics per step.

    pairs: {"prompt", "chosen", "rejected"} strings from rlhf_lab.pairs.build_pairs, which already keeps
    prompt + completion within 512 tokens, so nothing is truncated here. Both models must sit on the same
    device. bf16=True runs the forward passes under bfloat16 autocast (weights and optimizer stay float32),
    as the Trainer's bf16=True does. The policy is left in eval mode. Returns
    [{"step", "loss", "reward_accuracy", "reward_margin"}, ...].
    """
    device = next(policy.parameters()).device
    encoded = encode_pairs(tokenizer, pairs)
    # eval() switches dropout off, as TRL's disable_dropout=True does; gradients still flow through the policy.
    policy.eval()
    reference.eval().requires_grad_(False)
    # The Trainer's default optimizer on torch >= 2.8 is fused AdamW with these hyperparameters; the fused and
    # the loop implementations agree only to rounding, so we use the same one.
    optimizer = torch.optim.AdamW(
        policy.parameters(), lr=learning_rate, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, fused=True
    )
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16)

    history = []
    for step, indices in enumerate(batch_order(len(encoded), steps, batch_size, seed), start=1):
        examples = [encoded[i] for i in indices]
        first_logit = min(len(prompt) for prompt, _, _ in examples) - 1  # computed on the CPU: no device sync
        batch = {name: tensor.to(device) for name, tensor in collate_pairs(examples, tokenizer.pad_token_id).items()}

        with torch.no_grad(), autocast:
            ref_chosen, ref_rejected = sequence_logprobs(reference, batch, first_logit).chunk(2)
        with autocast:
            policy_chosen, policy_rejected = sequence_logprobs(policy, batch, first_logit).chunk(2)
        loss, chosen_rewards, rejected_rewards = dpo_loss(
            policy_chosen, policy_rejected, ref_chosen, ref_rejected, beta
        )

        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if max_grad_norm:
            torch.nn.utils.clip_grad_norm_(policy.parameters(), max_grad_norm)
        optimizer.step()

        history.append(
            {
                "step": step,
                "loss": loss.item(),
                "reward_accuracy": reward_accuracy(chosen_rewards, rejected_rewards),
                "reward_margin": reward_margin(chosen_rewards, rejected_rewards),
            }
        )
    return history
