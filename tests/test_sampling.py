"""Sampling answers and scoring their tokens: masks, positions, the restricted vocabulary."""

import torch
from transformers import GPT2Config, GPT2LMHeadModel

from rlhf_lab.sampling import (
    active_vocabulary,
    completion_mask_of,
    completion_token_logprobs,
    positions_of,
    sample_completions,
)
from rlhf_lab.sft import pin_unused_tokens

EOS = 50256


def small_model(vocabulary: torch.Tensor | None = None) -> GPT2LMHeadModel:
    torch.manual_seed(0)
    model = GPT2LMHeadModel(
        GPT2Config(vocab_size=50257, n_positions=64, n_embd=16, n_layer=1, n_head=2, bos_token_id=EOS, eos_token_id=EOS)
    ).eval()
    if vocabulary is not None:
        pin_unused_tokens(model, vocabulary)
    return model


def test_completion_mask_stops_after_the_first_eos():
    completion = torch.tensor([[5, EOS, EOS, EOS], [5, 6, 7, 8], [EOS, 9, EOS, 3]])
    expected = torch.tensor([[1, 1, 0, 0], [1, 1, 1, 1], [1, 0, 0, 0]])
    torch.testing.assert_close(completion_mask_of(completion, EOS), expected)


def test_positions_count_real_tokens_only():
    mask = torch.tensor([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]])
    torch.testing.assert_close(positions_of(mask), torch.tensor([[0, 0, 0, 1, 2], [0, 1, 2, 3, 4]]))


def test_full_vocabulary_logprobs_equal_the_models_and_padding_changes_nothing():
    model = small_model()
    prompts = [[10, 11, 12], [13, 14]]
    batch = sample_completions(model, prompts, 5, EOS, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        ours = completion_token_logprobs(model, batch)
        for row, prompt in enumerate(prompts):
            # The same row alone, unpadded, through the model's own forward pass and log-softmax.
            ids = torch.cat([torch.tensor(prompt), batch["input_ids"][row, batch["prompt_width"] :]]).unsqueeze(0)
            logprobs = torch.log_softmax(model(ids).logits[0, len(prompt) - 1 : -1], dim=-1)
            expected = logprobs.gather(1, ids[0, len(prompt) :].unsqueeze(1)).squeeze(1)
            torch.testing.assert_close(ours[row], expected, atol=1e-5, rtol=1e-5)


def test_restricted_vocabulary_samples_and_renormalises_over_it():
    vocabulary = torch.tensor([10, 11, 12, 13, 14, 20, 21, 22, EOS])
    model = small_model(vocabulary)
    assert torch.equal(active_vocabulary(model), vocabulary) and active_vocabulary(small_model()) is None
    first = sample_completions(
        model, [[10, 11], [12, 13]] * 4, 6, EOS, vocabulary=vocabulary, generator=torch.Generator().manual_seed(1)
    )
    again = sample_completions(
        model, [[10, 11], [12, 13]] * 4, 6, EOS, vocabulary=vocabulary, generator=torch.Generator().manual_seed(1)
    )
    assert torch.equal(first["input_ids"], again["input_ids"])  # a seeded generator repeats the samples
    assert torch.isin(first["input_ids"][:, first["prompt_width"] :], vocabulary).all()
    with torch.no_grad():
        ours = completion_token_logprobs(model, first, vocabulary)
        full = torch.log_softmax(
            model(
                first["input_ids"],
                attention_mask=first["attention_mask"],
                position_ids=positions_of(first["attention_mask"]),
            ).logits,
            dim=-1,
        )
    full = full[:, first["prompt_width"] - 1 : -1]
    renormalised = full[:, :, vocabulary] - full[:, :, vocabulary].logsumexp(dim=-1, keepdim=True)
    targets = torch.searchsorted(vocabulary, first["input_ids"][:, first["prompt_width"] :])
    torch.testing.assert_close(ours, renormalised.gather(2, targets.unsqueeze(-1)).squeeze(-1), atol=1e-5, rtol=1e-5)
