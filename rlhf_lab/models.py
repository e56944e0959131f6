"""Causal LMs for the course: real GPT-2 from the Hub when online, a tiny GPT-2 offline.

The tiny model is the same `GPT2LMHeadModel` class with GPT-2's tokenizer and vocabulary, only
narrower and shallower, so every line of code that trains it also trains the 124M model on a GPU.
"""

from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, GPT2Config, GPT2LMHeadModel, PreTrainedModel

from rlhf_lab.errors import CourseError

GPT2_VOCAB = 50257
GPT2_EOS = 50256


def tiny_gpt2_config() -> GPT2Config:
    """4 layers, 4 heads, width 128: 7.3M parameters, 6.4M of them the (tied) token embedding.

    The vocabulary projection costs the same at any depth, so depth is the cheap way to capacity.
    No dropout: the model's job is to learn a small data set by heart and answer its topics.
    """
    return GPT2Config(
        vocab_size=GPT2_VOCAB,
        n_positions=512,
        n_embd=128,
        n_layer=4,
        n_head=4,
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
        bos_token_id=GPT2_EOS,
        eos_token_id=GPT2_EOS,
    )


def gpt2_124m_config() -> GPT2Config:
    """GPT-2 small's exact architecture (124M parameters), for benchmarks with random weights."""
    return GPT2Config(vocab_size=GPT2_VOCAB, bos_token_id=GPT2_EOS, eos_token_id=GPT2_EOS)


def new_model(config: GPT2Config, seed: int) -> GPT2LMHeadModel:
    torch.manual_seed(seed)
    return GPT2LMHeadModel(config)


def load_causal_lm(name_or_path: str | Path, **kwargs) -> PreTrainedModel:
    """A model from a local folder or a Hub id, with a one-line error that says what to do."""
    local = Path(name_or_path)
    if (local.is_absolute() or str(name_or_path).startswith(".")) and not local.exists():
        raise CourseError(f"model folder {local} does not exist: train or build it first, or pass a Hub id")
    try:
        return AutoModelForCausalLM.from_pretrained(str(name_or_path), **kwargs)
    except OSError as err:
        where = "folder" if local.exists() else "Hub id (are you online?)"
        raise CourseError(
            f"cannot load a model from {where} {str(name_or_path)!r}: "
            f"{str(err).splitlines()[0]}; offline, use the tiny reference model"
        ) from None
