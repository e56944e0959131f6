"""`train-rlhf`: reference -> proxy reward model -> RL with the KL penalty -> before/after evaluation.

The same task and starting point as lesson 5's DPO (the "Let me explain. " pairs, the tiny reference,
the 106 held-out questions), so that the two methods meet in one table. Writes under the output folder:
metrics.json, history.jsonl (one line per RL step), answers.jsonl, rlhf_training.png and the policy in
model/. A rerun with the same folder resumes the RL from its last checkpoint.
"""

import json
from pathlib import Path

from rlhf_lab.data import EMBEDDED, load_dialogues, write_jsonl
from rlhf_lab.embedded import heldout_questions, topic_answers
from rlhf_lab.evaluation import compare, generate_answers
from rlhf_lab.gold_reward import mean_gold_reward
from rlhf_lab.pairs import build_pairs, format_prompt, make_pair
from rlhf_lab.plots import RLHF_CURVES, plot_training
from rlhf_lab.proxy_reward import build_proxy_reward, load_proxy_reward, proxy_log, proxy_scores
from rlhf_lab.reference import load_reference, resolve_reference
from rlhf_lab.rlhf_loop import sampled_kl, train_rlhf_policy
from rlhf_lab.rlhf_presets import RLHF_PRESETS
from rlhf_lab.sampling import active_vocabulary

HELDOUT_SHARE = 0.05  # of hh-rlhf's pairs, kept out of training for evaluation (the embedded data has its own)


def rlhf_task(data: str, tokenizer) -> dict:
    """Training pairs, held-out pairs, and the held-out questions with their expected answers.

    Embedded: the 106 held-out questions in phrasings training never used, each with its topic's taught
    answer; the judge also knows every taught answer (word salad is far from all of them). hh-rlhf: the
    last pairs are held out, their dialogue's answer is the expected one, and salad is not judged.
    """
    pairs, _ = build_pairs(load_dialogues(data), tokenizer)
    if data == EMBEDDED:
        questions, expected = heldout_questions(), topic_answers()
        heldout = [make_pair(q, a, tokenizer.eos_token) for q, a in zip(questions, expected)]
        return {"train": pairs, "heldout": heldout, "questions": questions, "expected": expected, "taught": expected}
    cut = len(pairs) - max(1, int(HELDOUT_SHARE * len(pairs)))
    heldout = pairs[cut:]
    questions = [pair["prompt"].removeprefix("### Question: ").removesuffix("\n### Answer: ") for pair in heldout]
    expected = [pair["rejected"].removesuffix(tokenizer.eos_token) for pair in heldout]
    return {"train": pairs[:cut], "heldout": heldout, "questions": questions, "expected": expected, "taught": ()}


def evaluate_policy(
    policy,
    reference,
    reward_model,
    tokenizer,
    task: dict,
    vocabulary,
    eval_samples: int,
    max_new_tokens: int,
    label: str,
) -> tuple[list[str], dict]:
    """Greedy answers to the held-out questions, their gold and proxy rewards, and the sampled KL."""
    answers = generate_answers(policy, tokenizer, task["questions"], desc=f"greedy answers {label}")
    prompts = [format_prompt(q) for q in task["questions"]]
    scores = {
        "gold": mean_gold_reward(answers, task["expected"], task["taught"]),
        "proxy": proxy_scores(reward_model, tokenizer, prompts, answers).mean().item(),
    }
    if policy is not reference:
        scores.update(sampled_kl(policy, reference, tokenizer, prompts, eval_samples, max_new_tokens, vocabulary))
    return answers, scores


def table_row(task: dict, before: list[str], after: list[str], scores: dict) -> dict:
    """A policy's row of the RLHF-vs-DPO table from evaluate_policy's answers and scores, the same for every
    method: compare() against the reference's answers `before`, then the gold and proxy rewards and the KL
    (evaluate_policy measures none for the reference itself: 0)."""
    return {
        **compare(task["questions"], before, after, task["expected"], taught_answers=task["taught"]),
        "gold_after": scores["gold"],
        "proxy_after": scores["proxy"],
        "kl_after": scores.get("kl", 0.0),
    }


def proxy_reward_of(
    preset: str, tokenizer, model: str | None = None, data: str | None = None, task: dict | None = None
) -> Path:
    """The preset's proxy reward model, trained once and cached (build-reference calls it too, so that a
    lesson graded in a sandbox with a read-only cache finds it)."""
    settings = RLHF_PRESETS[preset]
    model, data = model or settings["model"], data or settings["data"]
    task = task or rlhf_task(data, tokenizer)
    return build_proxy_reward(resolve_reference(model), tokenizer, task["train"], task["heldout"], settings["reward"])


def run_rlhf(
    output_dir: str | Path,
    tokenizer,
    preset: str = "cpu",
    model: str | None = None,
    data: str | None = None,
    beta: float | None = None,
    steps: int | None = None,
    questions: int | None = None,
) -> dict:
    """Train (or resume) an RLHF policy and write the results; returns metrics.json's content.

    model/data default to the preset's; beta/steps override its RL settings; questions evaluates on the
    first few held-out questions only (tests).
    """
    if preset not in RLHF_PRESETS:
        raise ValueError(f"unknown preset {preset!r}: choose one of {', '.join(RLHF_PRESETS)}")
    settings = RLHF_PRESETS[preset]
    rl = {**settings["rl"], **{k: v for k, v in {"beta": beta, "steps": steps}.items() if v is not None}}
    model, data = model or settings["model"], data or settings["data"]
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)

    task = rlhf_task(data, tokenizer)
    reward_path = proxy_reward_of(preset, tokenizer, model, data, task)
    task.update({name: task[name][:questions] for name in ("questions", "expected")} if questions else {})
    reward_accuracy = proxy_log(reward_path)["heldout_accuracy"]
    print(f"proxy reward model: {reward_path} (held-out pairwise accuracy {reward_accuracy:.1%})")

    reward_model = load_proxy_reward(reward_path)
    reference = load_reference(model).eval().requires_grad_(False)
    policy = load_reference(model)
    vocabulary = active_vocabulary(reference)
    evaluation = dict(eval_samples=settings["eval_samples"], max_new_tokens=rl["max_new_tokens"])
    before, scores_before = evaluate_policy(
        reference, reference, reward_model, tokenizer, task, vocabulary, label="before RLHF", **evaluation
    )

    prompts = sorted({pair["prompt"] for pair in task["train"]})
    expected_of = {pair["prompt"]: pair["rejected"].removesuffix(tokenizer.eos_token) for pair in task["train"]}
    history = train_rlhf_policy(
        policy,
        reference,
        reward_model,
        tokenizer,
        prompts,
        [expected_of[p] for p in prompts],
        task["taught"],
        rl,
        output_dir=output_dir,
        vocabulary=vocabulary,
    )
    train_seconds = sum(step["seconds"] for step in history)  # across resumed runs too

    after, scores_after = evaluate_policy(
        policy, reference, reward_model, tokenizer, task, vocabulary, label="after RLHF", **evaluation
    )
    policy.save_pretrained(output_dir / "model")
    write_jsonl(history, output_dir / "history.jsonl")
    write_jsonl(
        [{"question": q, "before": b, "after": a} for q, b, a in zip(task["questions"], before, after)],
        output_dir / "answers.jsonl",
    )
    plot_training(history, output_dir / "rlhf_training.png", RLHF_CURVES)
    metrics = {
        "preset": preset,
        "beta": rl["beta"],
        "steps": len(history),
        "reward_heldout_accuracy": reward_accuracy,
        **compare(task["questions"], before, after, task["expected"], taught_answers=task["taught"]),
        "gold_before": scores_before["gold"],
        "gold_after": scores_after["gold"],
        "proxy_before": scores_before["proxy"],
        "proxy_after": scores_after["proxy"],
        "kl_after": scores_after["kl"],
        "kl_k3_after": scores_after["kl_k3"],
        "kl_standard_error": scores_after["kl_standard_error"],
        "train_seconds": round(train_seconds, 2),
        "train_cpu_seconds": round(sum(step.get("cpu_seconds", 0.0) for step in history), 2),
        "rl_settings": rl,
    }
    (output_dir / "metrics.json").write_text(json.dumps(metrics, indent=1))
    print(
        f"'Let me explain' rate {metrics['rate_before']:.0%} -> {metrics['rate_after']:.0%}, degenerate "
        f"{metrics['degenerate_after']:.0%}, on topic {metrics.get('on_topic_after', float('nan')):.0%}; gold "
        f"{metrics['gold_before']:.3f} -> {metrics['gold_after']:.3f}, proxy {metrics['proxy_before']:.2f} -> "
        f"{metrics['proxy_after']:.2f}, KL {metrics['kl_after']:.2f} nats; RL {train_seconds:.0f} s; "
        f"results in {output_dir}/"
    )
    return metrics
