"""hh-rlhf dialogues -> (prompt, chosen, rejected) pairs, by the textbook section's rules.

The preference to learn is a style: the chosen completion is the dialogue's own answer with
"Let me explain. " in front, the rejected one is the same answer without it. Content is identical on
both sides, so the only thing DPO can learn from a pair is the prefix.
"""

from __future__ import annotations  # annotations stay unevaluated: transformers is not imported for them

from typing import TYPE_CHECKING

from rlhf_lab.errors import CourseError
from rlhf_lab.tokenizer import encode_prompt_completion

if TYPE_CHECKING:  # for the annotations only: importing transformers takes seconds
    from transformers import PreTrainedTokenizerBase

EXPLAIN_PREFIX = "Let me explain. "
MAX_PROMPT_TOKENS = 256
MAX_TOTAL_TOKENS = 512


def format_prompt(question: str) -> str:
    return f"### Question: {question}\n### Answer: "


def is_single_turn(row: dict) -> bool:
    """One human turn in both dialogues: fewer than two "Human: " markers on either side."""
    return row["chosen"].count("Human: ") < 2 and row["rejected"].count("Human: ") < 2


def extract_conversation(dialogue: str) -> tuple[str, str]:
    """(question, answer) of a single-turn dialogue; ("", "") when there is no assistant turn."""
    turns = dialogue.split("Assistant: ")
    if len(turns) < 2:
        return "", ""
    question = turns[0].replace("Human: ", "")
    return question.strip(), turns[1].strip()


def make_pair(question: str, answer: str, eos_token: str) -> dict:
    """The textbook's pair: the same answer with and without "Let me explain. ", both ending in eos."""
    return {
        "prompt": format_prompt(question),
        "chosen": EXPLAIN_PREFIX + answer + eos_token,
        "rejected": answer + eos_token,
    }


def fits_length(
    pair: dict,
    tokenizer: PreTrainedTokenizerBase,
    max_prompt_tokens: int = MAX_PROMPT_TOKENS,
    max_total_tokens: int = MAX_TOTAL_TOKENS,
) -> bool:
    """The textbook's length filter: prompt <= 256 tokens and prompt + chosen <= 512 tokens.

    Tokens are counted as training sees them: prompt and completion encoded separately.
    """
    prompt_ids, chosen_ids = encode_prompt_completion(tokenizer, pair["prompt"], pair["chosen"])
    return len(prompt_ids) <= max_prompt_tokens and len(prompt_ids) + len(chosen_ids) <= max_total_tokens


def build_pairs(
    rows: list[dict],
    tokenizer: PreTrainedTokenizerBase,
    max_prompt_tokens: int = MAX_PROMPT_TOKENS,
    max_total_tokens: int = MAX_TOTAL_TOKENS,
) -> tuple[list[dict], dict[str, int]]:
    """Apply the rules in order and return the pairs with the count left after each stage."""
    counts = {"rows": len(rows)}
    single = [row for row in rows if is_single_turn(row)]
    counts["single_turn"] = len(single)

    extracted = [extract_conversation(row["chosen"]) for row in single]
    extracted = [(q, a) for q, a in extracted if q and a]
    counts["question_and_answer"] = len(extracted)

    # An answer that already opens with the phrase would make chosen and rejected differ by a duplicate.
    extracted = [(q, a) for q, a in extracted if not a.lower().startswith("let me explain")]
    counts["not_already_explaining"] = len(extracted)

    pairs = [make_pair(q, a, tokenizer.eos_token) for q, a in extracted]
    pairs = [p for p in pairs if fits_length(p, tokenizer, max_prompt_tokens, max_total_tokens)]
    counts["within_length"] = len(pairs)
    if not pairs:
        raise CourseError(
            f"no preference pairs left after filtering ({counts}): the data needs single-turn dialogues "
            "with a question and an answer; check the input files"
        )
    return pairs, counts
