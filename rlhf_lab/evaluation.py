"""Before/after evaluation: greedy answers to held-out questions and what changed in them."""

import difflib
import re
from collections.abc import Sequence

import torch
from tqdm.auto import tqdm
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from rlhf_lab.pairs import EXPLAIN_PREFIX, format_prompt
from rlhf_lab.tokenizer import encode_prompt_completion

PHRASE = EXPLAIN_PREFIX.strip().rstrip(".").lower()  # "let me explain"


def generation_prompt_ids(tokenizer: PreTrainedTokenizerBase, question: str) -> list[int]:
    """The ids generation starts from: the prompt encoded exactly as in training."""
    return encode_prompt_completion(tokenizer, format_prompt(question), "")[0]


@torch.inference_mode()
def generate_answers(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    questions: list[str],
    max_new_tokens: int = 48,
    batch_size: int = 32,
    desc: str = "greedy answers",
) -> list[str]:
    """Greedy answers, decoded without special tokens and cut at the end-of-text token.

    Prompts are left-padded so that every question's ids end at the same position and the model
    continues right after "### Answer: ".
    """
    model.eval()
    device = next(model.parameters()).device
    answers = []
    for start in tqdm(range(0, len(questions), batch_size), desc=desc, unit="batch", leave=False):
        prompts = [generation_prompt_ids(tokenizer, q) for q in questions[start : start + batch_size]]
        width = max(map(len, prompts))
        input_ids = torch.tensor([[tokenizer.pad_token_id] * (width - len(p)) + p for p in prompts], device=device)
        attention_mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts], device=device)
        output = model.generate(
            input_ids=input_ids,
            attention_mask=attention_mask,
            max_new_tokens=max_new_tokens,
            do_sample=False,
            pad_token_id=tokenizer.pad_token_id,
            eos_token_id=tokenizer.eos_token_id,
        )
        for row in output[:, width:].tolist():
            if tokenizer.eos_token_id in row:
                row = row[: row.index(tokenizer.eos_token_id)]
            answers.append(tokenizer.decode(row, skip_special_tokens=True).strip())
    return answers


def starts_with_explain(answer: str) -> bool:
    return answer.lower().startswith(PHRASE)


def explain_rate(answers: list[str]) -> float:
    """Share of answers that start with "Let me explain" (case-insensitive), the DPO target."""
    return sum(map(starts_with_explain, answers)) / len(answers) if answers else 0.0


def content(answer: str) -> str:
    """The answer after its "Let me explain." prefix, if any: what DPO should leave unchanged."""
    return (
        re.sub(rf"^\s*{PHRASE}[.,:!]?\s*", "", answer, flags=re.IGNORECASE) if starts_with_explain(answer) else answer
    )


def _words(text: str) -> list[str]:
    return content(text).lower().split()


def content_similarity(answer: str, reference_answer: str) -> float:
    """Word-level similarity (0..1) of two answers' content, prefixes removed, case ignored."""
    return difflib.SequenceMatcher(None, _words(answer), _words(reference_answer), autojunk=False).ratio()


# Below this similarity to every answer the model was taught, an answer counts as word salad; at or
# above ON_TOPIC to the question's own answer, it says the right thing. The tiny model reproduces
# sentences it learned, so a readable answer scores ~0.9 against one of them and salad ~0.3.
SALAD_SIMILARITY = 0.5
ON_TOPIC_SIMILARITY = 0.6


def is_degenerate(answer: str, known_answers: Sequence[str] = ()) -> bool:
    """Empty content, the prefix said again, a loop (some 3-word run repeated 3+ times) or, when the
    answers the model was taught are given, word salad: content close to none of them."""
    words = _words(answer)
    if not words or re.search(r"\bme explain\b", " ".join(words)):
        return True
    trigrams = [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
    if any(trigrams.count(t) >= 3 for t in set(trigrams)):
        return True
    return bool(known_answers) and max(content_similarity(answer, known) for known in known_answers) < SALAD_SIMILARITY


def on_topic_rate(answers: list[str], expected_answers: Sequence[str]) -> float:
    """Share of answers whose content matches the question's own answer (similarity >= ON_TOPIC_SIMILARITY)."""
    hits = [content_similarity(a, e) >= ON_TOPIC_SIMILARITY for a, e in zip(answers, expected_answers, strict=True)]
    return sum(hits) / len(hits) if hits else 0.0


def compare(
    questions: list[str],
    before: list[str],
    after: list[str],
    expected_answers: Sequence[str] | None = None,
    taught_answers: Sequence[str] = (),
) -> dict:
    """The numbers of a before/after comparison, rates as fractions.

    With each question's expected answer (the embedded data has them), also how many answers are on
    topic; with the answers the model was taught, word salad counts as degenerate too.
    """
    similarities = [content_similarity(a, b) for a, b in zip(after, before)]
    metrics = {
        "questions": len(questions),
        "rate_before": explain_rate(before),
        "rate_after": explain_rate(after),
        "degenerate_before": sum(is_degenerate(a, taught_answers) for a in before) / len(before),
        "degenerate_after": sum(is_degenerate(a, taught_answers) for a in after) / len(after),
        "content_similarity": sum(similarities) / len(similarities),
    }
    if expected_answers is not None:
        metrics["on_topic_before"] = on_topic_rate(before, expected_answers)
        metrics["on_topic_after"] = on_topic_rate(after, expected_answers)
    return metrics
