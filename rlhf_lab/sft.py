"""Supervised fine-tuning on (prompt, answer) pairs, computing logits only where there is a label.

GPT-2's vocabulary projection (50257 x width) dominates a tiny model's cost. A causal LM's usual loss
computes logits at every position, prompt and padding included; gathering the hidden states of the
answer positions first and projecting only those gives the same loss about 3x faster here.
"""

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


def train_sft(
    model: GPT2LMHeadModel,
    tokenizer: PreTrainedTokenizerBase,
    examples: list[tuple[str, str]],
    epochs: int,
    batch_size: int,
    learning_rate: float,
    seed: int,
) -> list[float]:
    """Train on (prompt, completion) pairs; returns the loss of every step."""
    encoded = [encode_prompt_completion(tokenizer, p, c) for p, c in examples]
    generator = torch.Generator().manual_seed(seed)
    steps_per_epoch = -(-len(encoded) // batch_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=learning_rate, total_steps=epochs * steps_per_epoch, pct_start=0.1
    )
    model.train()
    losses = []
    with tqdm(total=epochs * steps_per_epoch, desc="SFT of the reference model", unit="step") as bar:
        for _ in range(epochs):
            order = torch.randperm(len(encoded), generator=generator).tolist()
            for start in range(0, len(order), batch_size):
                batch = collate([encoded[i] for i in order[start:start + batch_size]], tokenizer.pad_token_id)
                loss = answer_loss(model, batch)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                schedule.step()
                losses.append(loss.item())
                bar.update()
                bar.set_postfix(loss=f"{loss.item():.3f}")
    model.eval()
    return losses
