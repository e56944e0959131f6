"""The reference ("SFT") policy that DPO starts from and is anchored to.

Online it is the textbook's SFT model or plain `gpt2`. Offline it is a tiny GPT-2 trained here on the
embedded dialogues in the "### Question / ### Answer" format. That data gives answers several natural
openers and makes "Let me explain. " one of the rarer ones on purpose: DPO can only re-weight what the
reference can already say (the loss depends on pi_theta / pi_ref), so pi_ref(chosen | x) must not be ~0.
"""

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from rlhf_lab.data import load_dialogues
from rlhf_lab.models import load_causal_lm, new_model, tiny_gpt2_config
from rlhf_lab.pairs import extract_conversation, format_prompt, is_single_turn
from rlhf_lab.sft import train_sft
from rlhf_lab.tokenizer import OFFLINE, load_tokenizer

TINY = "tiny"
TEXTBOOK_SFT = ("elith/llm-book-models", "chapter05/sft_model")
SFT_SETTINGS = {"steps": 500, "batch_size": 16, "learning_rate": 2e-3, "warmup": 30, "seed": 0}


def cache_root() -> Path:
    return Path(os.environ.get("RLHF_LAB_CACHE", Path.home() / ".cache" / "rlhf_lab"))


def sft_examples(rows: list[dict], eos_token: str) -> list[tuple[str, str]]:
    """(prompt, answer + eos) from the chosen side of every single-turn dialogue."""
    examples = []
    for row in rows:
        if is_single_turn(row):
            question, answer = extract_conversation(row["chosen"])
            if question and answer:
                examples.append((format_prompt(question), answer + eos_token))
    return examples


def _fingerprint(examples: list[tuple[str, str]], settings: dict) -> str:
    digest = hashlib.sha256(json.dumps([tiny_gpt2_config().to_dict(), settings, examples]).encode())
    return digest.hexdigest()[:12]


def build_tiny_reference(settings: dict = SFT_SETTINGS, data: str = "embedded") -> Path:
    """Train (once) and cache the tiny reference model; later calls return the cached folder.

    The cache key covers the architecture, the SFT settings and the data, so a change to any of them
    builds a new model instead of reusing a stale one. The folder appears only when complete.
    """
    tokenizer = load_tokenizer(OFFLINE)
    examples = sft_examples(load_dialogues(data), tokenizer.eos_token)
    target = cache_root() / f"tiny-reference-{_fingerprint(examples, settings)}"
    if (target / "config.json").exists():
        return target
    model = new_model(tiny_gpt2_config(), settings["seed"])
    losses = train_sft(model, tokenizer, examples, **settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".building-"))
    model.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    (staging / "sft_log.json").write_text(json.dumps({"settings": settings, "examples": len(examples),
                                                      "losses": losses}))
    try:
        staging.rename(target)
    except OSError:  # another process finished the same build first: theirs is as good as ours
        shutil.rmtree(staging)
    return target


def resolve_reference(spec: str) -> str:
    """A loadable model path for --model: 'tiny' (offline default), 'textbook', a folder or a Hub id."""
    if spec == TINY:
        return str(build_tiny_reference())
    return spec


def load_reference(spec: str):
    """The reference policy as a model, in eval mode; 'textbook' loads the book's SFT model online."""
    if spec == "textbook":
        repo, subfolder = TEXTBOOK_SFT
        return load_causal_lm(repo, subfolder=subfolder)
    return load_causal_lm(resolve_reference(spec))
