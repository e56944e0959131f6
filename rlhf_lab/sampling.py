"""Sampling answers from a policy and scoring their tokens, the two model calls of an RL step.

Layout of a batch of N = P * k rows: the prompt left-padded to a common width W (so every answer starts
at column W), then the answer right-padded to C columns with the pad token. `completion_mask` (N, C) is 1
on answer tokens up to and including the first end-of-text token, 0 after it: a finished answer stops there.
Position ids count real tokens only, so a left-padded prompt sees the positions it saw in training.

The tiny reference model only ever saw its corpus's ~1,200 tokens; the other ~49,000 rows of its tied
embedding were pinned at zero (rlhf_lab.sft), so each of those tokens keeps logit 0 and together they hold
about 2% of the probability at each step (up to 40% at some), enough to spoil a third of the sampled
answers with stray tokens. Given a `vocabulary`, the policy is that model's distribution renormalised
over those tokens: sampling and log-probabilities project onto them only, which is also 40 times less
work. vocabulary=None keeps the full vocabulary (GPT-2 on a GPU, the comparison with TRL).
"""

import torch
from transformers import PreTrainedModel


def active_vocabulary(model: PreTrainedModel) -> torch.Tensor | None:
    """Sorted ids of the output-embedding rows that are not all zero; None when every row is in use."""
    used = model.get_output_embeddings().weight.detach().ne(0).any(dim=1)
    return None if bool(used.all()) else used.nonzero().squeeze(1)


def _output_weight(model: PreTrainedModel, vocabulary: torch.Tensor | None) -> torch.Tensor:
    weight = model.get_output_embeddings().weight
    return weight if vocabulary is None else weight[vocabulary]


def left_pad(prompts: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(ids, mask) of shape (N, W): every prompt ends at column W - 1."""
    width = max(map(len, prompts))
    ids = torch.tensor([[pad_id] * (width - len(p)) + p for p in prompts])
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
    return ids, mask


def positions_of(attention_mask: torch.Tensor) -> torch.Tensor:
    """Position ids that count real tokens only (0 on left padding)."""
    return (attention_mask.cumsum(dim=1) - 1).clamp(min=0)


@torch.no_grad()
def sample_completions(
    model: PreTrainedModel,
    prompts: list[list[int]],
    max_new_tokens: int,
    eos_id: int,
    vocabulary: torch.Tensor | None = None,
    temperature: float = 1.0,
    generator: torch.Generator | None = None,
) -> dict[str, torch.Tensor]:
    """Sample one answer per prompt (repeat a prompt k times for k answers), with a key-value cache.

    Returns input_ids (N, W + C) and attention_mask (prompt then answer), completion_mask (N, C) and
    prompt_width W. Pads with eos, GPT-2's pad token here.
    """
    model.eval()
    prompt_ids, prompt_mask = left_pad(prompts, eos_id)
    weight = _output_weight(model, vocabulary)
    ids, mask = prompt_ids, prompt_mask
    finished = torch.zeros(len(prompts), dtype=torch.bool)
    new_tokens, cache = [], None
    step_ids, step_positions = ids, positions_of(mask)
    for _ in range(max_new_tokens):
        out = model.transformer(
            input_ids=step_ids, attention_mask=mask, position_ids=step_positions, past_key_values=cache, use_cache=True
        )
        cache = out.past_key_values
        logits = out.last_hidden_state[:, -1] @ weight.T / temperature
        choice = torch.multinomial(torch.softmax(logits.float(), dim=-1), 1, generator=generator).squeeze(1)
        token = choice if vocabulary is None else vocabulary[choice]
        token = torch.where(finished, torch.full_like(token, eos_id), token)
        new_tokens.append(token)
        finished |= token == eos_id
        if bool(finished.all()):
            break
        step_ids, step_positions = token.unsqueeze(1), step_positions[:, -1:] + 1
        mask = torch.cat([mask, torch.ones(len(prompts), 1, dtype=mask.dtype)], dim=1)
    completion = torch.stack(new_tokens, dim=1)
    return {
        "input_ids": torch.cat([prompt_ids, completion], dim=1),
        "attention_mask": torch.cat([prompt_mask, torch.ones_like(completion)], dim=1),
        "completion_mask": completion_mask_of(completion, eos_id),
        "prompt_width": prompt_ids.shape[1],
    }


def completion_mask_of(completion: torch.Tensor, eos_id: int) -> torch.Tensor:
    """1 on answer tokens up to and including the first eos, 0 after it: (N, C) -> (N, C)."""
    is_eos = (completion == eos_id).long()
    eos_before = is_eos.cumsum(dim=1) - is_eos  # eos tokens strictly before each column
    return (eos_before == 0).long()


def completion_token_logprobs(
    model: PreTrainedModel, batch: dict[str, torch.Tensor], vocabulary: torch.Tensor | None = None
) -> torch.Tensor:
    """log pi(answer token t | prompt, tokens before t) for every answer column: (N, C).

    Only the hidden states that predict answer tokens are projected (column W - 1 predicts the first
    answer token). Values after the end of an answer are computed too; completion_mask masks them.
    """
    width = batch["prompt_width"]
    hidden = model.transformer(
        input_ids=batch["input_ids"],
        attention_mask=batch["attention_mask"],
        position_ids=positions_of(batch["attention_mask"]),
    ).last_hidden_state
    logits = hidden[:, width - 1 : -1] @ _output_weight(model, vocabulary).T
    targets = batch["input_ids"][:, width:]
    if vocabulary is not None:
        targets = torch.searchsorted(vocabulary, targets.contiguous())
    logits = logits.to(torch.promote_types(logits.dtype, torch.float32))  # bf16 -> float32, float64 stays
    return torch.log_softmax(logits, dim=-1).gather(2, targets.unsqueeze(-1)).squeeze(-1)


def decode_completions(tokenizer, batch: dict[str, torch.Tensor]) -> list[str]:
    """Each answer's text, cut at its first eos, special tokens skipped (as TRL decodes them)."""
    completion = batch["input_ids"][:, batch["prompt_width"] :]
    return [
        tokenizer.decode(row[mask.bool()], skip_special_tokens=True)
        for row, mask in zip(completion, batch["completion_mask"])
    ]
