"""The reference ("SFT") policy that DPO starts from and is anchored to.

Online it is the textbook's SFT model or plain `gpt2`. Offline it is a tiny GPT-2 trained here on the
embedded SFT conversations in the "### Question / ### Answer" format. Their answers open in several
natural ways, "Let me explain. " among the rarer ones, on purpose: DPO can only re-weight what the
reference can already say (the loss depends on pi_theta / pi_ref), so pi_ref(chosen | x) must not be ~0.
"""

import json
from pathlib import Path

from rlhf_lab.cache import cached_folder, fingerprint
from rlhf_lab.data import EMBEDDED, load_dialogues
from rlhf_lab.embedded import sft_conversations
from rlhf_lab.models import load_causal_lm, new_model, tiny_gpt2_config
from rlhf_lab.pairs import extract_conversation, format_prompt, is_single_turn
from rlhf_lab.sft import train_sft
from rlhf_lab.tokenizer import OFFLINE, load_tokenizer

TINY = "tiny"
TEXTBOOK_SFT = ("elith/llm-book-models", "chapter05/sft_model")
SFT_SETTINGS = {"steps": 500, "batch_size": 16, "learning_rate": 3e-3, "warmup": 30, "seed": 0}
RECIPE_VERSION = 2  # part of the cache key: bump it when train_sft's recipe changes what it produces


def sft_examples(conversations: list[tuple[str, str]], eos_token: str) -> list[tuple[str, str]]:
    """(prompt, answer + eos) in the textbook's "### Question / ### Answer" format."""
    return [(format_prompt(question), answer + eos_token) for question, answer in conversations]


def conversations_of(data: str) -> list[tuple[str, str]]:
    """SFT (question, answer) pairs: the embedded SFT data, or the chosen side of single-turn rows."""
    if data == EMBEDDED:
        return sft_conversations()
    extracted = [extract_conversation(row["chosen"]) for row in load_dialogues(data) if is_single_turn(row)]
    return [(question, answer) for question, answer in extracted if question and answer]


def build_tiny_reference(settings: dict = SFT_SETTINGS, data: str = EMBEDDED) -> Path:
    """Train (once) and cache the tiny reference model; later calls return the cached folder.

    The cache key covers the recipe, the architecture, the SFT settings and the data, so a change to
    any of them builds a new model instead of reusing a stale one. The folder appears only when
    complete, and a lock makes a second process (a parallel test, a notebook) wait for the first
    build, not repeat it.
    """
    tokenizer = load_tokenizer(OFFLINE)
    examples = sft_examples(conversations_of(data), tokenizer.eos_token)
    key = fingerprint(RECIPE_VERSION, tiny_gpt2_config().to_dict(), settings, examples)
    return cached_folder(f"tiny-reference-{key}", lambda folder: _train_and_save(tokenizer, examples, settings, folder))


def _train_and_save(tokenizer, examples: list[tuple[str, str]], settings: dict, folder: Path) -> None:
    model = new_model(tiny_gpt2_config(), settings["seed"])
    losses = train_sft(model, tokenizer, examples, **settings)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    (folder / "sft_log.json").write_text(
        json.dumps({"settings": settings, "examples": len(examples), "losses": losses})
    )


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
