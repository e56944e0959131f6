"""The cheap SFT loss is the exact full-vocabulary cross-entropy of the model it trains."""

import torch
import torch.nn.functional as F
from conftest import SAME_MODEL_TWO_WAYS_ATOL

from rlhf_lab.models import new_model, tiny_gpt2_config
from rlhf_lab.pairs import format_prompt
from rlhf_lab.sft import answer_loss, collate, corpus_vocabulary, train_sft
from rlhf_lab.tokenizer import encode_prompt_completion, load_tokenizer

EXAMPLES = [
    (format_prompt("What is Python?"), "Python is a programming language."),
    (format_prompt("What is a compiler?"), "Sure. A compiler translates source code."),
    (format_prompt("Explain RAM."), "Let me explain. RAM is short-term memory."),
]


def full_vocabulary_loss(model, batch) -> torch.Tensor:
    """The textbook way: logits over all 50257 tokens at every position, cross-entropy on the answer."""
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    predicts_completion = batch["completion_mask"][:, 1:].bool()
    return F.cross_entropy(logits[:, :-1][predicts_completion], batch["input_ids"][:, 1:][predicts_completion])


def test_pinned_loss_equals_full_vocabulary_loss_of_the_trained_model():
    tokenizer = load_tokenizer()
    examples = [(prompt, answer + tokenizer.eos_token) for prompt, answer in EXAMPLES]
    encoded = [encode_prompt_completion(tokenizer, prompt, answer) for prompt, answer in examples]
    vocabulary = corpus_vocabulary(encoded, tokenizer.pad_token_id)
    batch = collate(encoded, tokenizer.pad_token_id)
    model = new_model(tiny_gpt2_config(), seed=0)

    losses = train_sft(model, tokenizer, examples, steps=4, batch_size=3, learning_rate=3e-3, warmup=1, seed=0)

    unused = torch.ones(model.config.vocab_size, dtype=torch.bool)
    unused[vocabulary] = False
    assert model.lm_head.weight[unused].abs().max() == 0, "training moved an unused token's embedding"
    assert model.lm_head.weight[vocabulary].abs().sum(dim=1).gt(0).all(), "a used token lost its embedding"
    with torch.no_grad():
        trained, full = answer_loss(model, batch, vocabulary), full_vocabulary_loss(model, batch)
    torch.testing.assert_close(trained, full, atol=SAME_MODEL_TWO_WAYS_ATOL, rtol=SAME_MODEL_TWO_WAYS_ATOL)
    assert losses[-1] < losses[0]  # a trained model, not the initial one, was compared
