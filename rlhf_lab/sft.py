"""Supervised fine-tuning on (prompt, answer) pairs, computing logits only where there is a label.

GPT-2's vocabulary projection (50257 x width) dominates a tiny model's cost. A causal LM's usual loss
computes logits at every position, prompt and padding included; gathering the hidden states of the
answer positions first and projecting only those gives the same loss about 3x faster here.
"""

import math

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm
from transformers import GPT2LMHeadModel, PreTrainedTokenizerBase

from rlhf_lab.tokenizer import encode_prompt_completion


def collate(encoded: list[tuple[list[int], list[int]]], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-pad prompt+completion ids; completion_mask is 1 on completion tokens only."""
    width = max(len(p) + len(c) for p, c in encoded)
    input_ids = torch.full((len(encoded), width), pad_id)
    attention_mask = torch.zeros((len(encoded), width), dtype=torch.long)
    completion_mask = torch.zeros((len(encoded), width), dtype=torch.long)
    for row, (prompt, completion) in enumerate(encoded):
        n_prompt, n_total = len(prompt), len(prompt) + len(completion)
        input_ids[row, :n_total] = torch.tensor(prompt + completion)
        attention_mask[row, :n_total] = 1
        completion_mask[row, n_prompt:n_total] = 1
    return {"input_ids": input_ids, "attention_mask": attention_mask, "completion_mask": completion_mask}


def answer_loss(model: GPT2LMHeadModel, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """Mean next-token cross-entropy over completion tokens, projecting only their hidden states."""
    hidden = model.transformer(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    predicts_completion = batch["completion_mask"][:, 1:].bool()  # position t predicts token t+1
    logits = model.lm_head(hidden[:, :-1][predicts_completion])
    return F.cross_entropy(logits.float(), batch["input_ids"][:, 1:][predicts_completion])


def batches(n_examples: int, batch_size: int, steps: int, seed: int):
    """Index lists for `steps` batches: reshuffled epochs, so every example is seen equally often."""
    generator = torch.Generator().manual_seed(seed)
    order: list[int] = []
    for _ in range(steps):
        if len(order) < batch_size:
            order += torch.randperm(n_examples, generator=generator).tolist()
        yield order[:batch_size]
        order = order[batch_size:]


def warmup_cosine(step: int, steps: int, warmup: int) -> float:
    """Learning-rate factor: linear warm-up, then cosine decay to a tenth."""
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))


def train_sft(
    model: GPT2LMHeadModel,
    tokenizer: PreTrainedTokenizerBase,
    examples: list[tuple[str, str]],
    steps: int,
    batch_size: int,
    learning_rate: float,
    warmup: int,
    seed: int,
) -> list[float]:
    """Train on (prompt, completion) pairs for a number of optimizer steps; returns every step's loss."""
    encoded = [encode_prompt_completion(tokenizer, p, c) for p, c in examples]
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: warmup_cosine(step, steps, warmup))
    model.train()
    losses = []
    progress = tqdm(batches(len(encoded), batch_size, steps, seed), total=steps,
                    desc="SFT of the reference model", unit="step")
    for indices in progress:
        loss = answer_loss(model, collate([encoded[i] for i in indices], tokenizer.pad_token_id))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        # Clipping keeps the early, large updates from knocking the model into a unigram plateau.
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        progress.set_postfix(loss=f"{loss.item():.3f}", refresh=False)
    model.eval()
    return losses
