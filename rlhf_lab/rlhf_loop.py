"""The RLHF loop: sample answers, score them with the proxy reward, update the policy with RLOO and PPO.

One step, for P prompts drawn from the training questions:
1. sample k answers to each prompt from the current policy (rlhf_lab.sampling);
2. score each with the frozen proxy reward model r(x, y), and compute the log-probabilities of its
   tokens under the policy that sampled it (pi_old) and under the frozen reference (pi_ref);
3. the KL-penalised reward of lesson 2, token by token (losses.per_token_rewards: every answer token
   pays beta * (log pi_old - log pi_ref), the last one also gets r), summed over the answer;
4. leave-one-out advantages within each prompt's k answers;
5. a few passes ("inner epochs") of PPO's clipped surrogate over these samples, each an AdamW step.
Everything in 2-4 is computed without gradients: the rewards, old log-probabilities and advantages are
data to the loss. This is TRL's RLOOTrainer with num_iterations = inner epochs (tests compare the
losses); TRL charges the same KL, summed per answer, for the same reason.

A checkpoint after every `save_every` steps (policy, optimizer, random state, history) lets a run that
was interrupted continue where it stopped, with the same samples it would have drawn.
"""

import math
import time
from pathlib import Path

import torch
from tqdm.auto import tqdm

from rlhf_lab.evaluation import explain_rate
from rlhf_lab.gold_reward import mean_gold_reward
from rlhf_lab.losses import per_token_rewards
from rlhf_lab.policy_gradient import clipped_surrogate_loss, kl_estimate_k1, kl_estimate_k3, leave_one_out_advantages
from rlhf_lab.proxy_reward import proxy_scores
from rlhf_lab.sampling import completion_token_logprobs, decode_completions, sample_completions
from rlhf_lab.tokenizer import encode_prompt_completion

CHECKPOINT = "rl_checkpoint.pt"


def surrogate_inputs(token_logprobs: torch.Tensor, mask: torch.Tensor, ratio: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(log-probabilities, mask) for clipped_surrogate_loss: per token, or whole answers as one column."""
    if ratio == "token":
        return token_logprobs, mask
    if ratio == "sequence":
        return (token_logprobs * mask).sum(dim=1, keepdim=True), torch.ones(len(mask), 1)
    raise ValueError(f"ratio must be 'token' or 'sequence', got {ratio!r}")


def rloo_advantages_of(scores, old_logprobs, ref_logprobs, mask, beta: float, k: int) -> torch.Tensor:
    """Leave-one-out advantages of the KL-penalised rewards, one per answer: (B,)."""
    returns = per_token_rewards(scores, old_logprobs, ref_logprobs, mask, beta).sum(dim=1)
    return leave_one_out_advantages(returns, k)


def prompt_ids_of(tokenizer, prompts: list[str], k: int) -> list[list[int]]:
    """Each prompt's ids, k times in a row, encoded as training and generation encode them."""
    return [encode_prompt_completion(tokenizer, prompt, "")[0] for prompt in prompts for _ in range(k)]


def rl_step(
    policy,
    reference,
    reward_model,
    tokenizer,
    optimizer,
    prompts: list[str],
    expected: list[str],
    taught: list[str],
    settings: dict,
    vocabulary,
    generator,
) -> dict:
    """One RLOO/PPO step on the given prompts; returns what happened (means over the k * P samples)."""
    k = settings["k"]
    batch = sample_completions(
        policy,
        prompt_ids_of(tokenizer, prompts, k),
        settings["max_new_tokens"],
        tokenizer.eos_token_id,
        vocabulary=vocabulary,
        generator=generator,
    )
    answers = decode_completions(tokenizer, batch)
    mask = batch["completion_mask"]
    with torch.no_grad():
        scores = proxy_scores(reward_model, tokenizer, [p for p in prompts for _ in range(k)], answers)
        ref_logprobs = completion_token_logprobs(reference, batch, vocabulary)
    # Before the first update the policy is pi_old: its forward pass with gradients gives the old
    # log-probabilities too (detached), one forward pass fewer than computing them apart.
    token_logprobs = completion_token_logprobs(policy, batch, vocabulary)
    old_logprobs = token_logprobs.detach()
    advantages = rloo_advantages_of(scores, old_logprobs, ref_logprobs, mask, settings["beta"], k)
    old_inputs, loss_mask = surrogate_inputs(old_logprobs, mask, settings["ratio"])

    losses = []
    for epoch in range(settings["inner_epochs"]):
        if epoch:
            token_logprobs = completion_token_logprobs(policy, batch, vocabulary)
        logprobs, _ = surrogate_inputs(token_logprobs, mask, settings["ratio"])
        loss = clipped_surrogate_loss(logprobs, old_inputs, advantages, loss_mask, settings["clip_epsilon"])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(policy.parameters(), settings["max_grad_norm"])
        optimizer.step()
        losses.append(loss.item())
    return {
        "proxy": scores.mean().item(),
        "gold": mean_gold_reward(answers, [e for e in expected for _ in range(k)], taught),
        "kl": kl_estimate_k1(old_logprobs, ref_logprobs, mask).mean().item(),
        "kl_k3": kl_estimate_k3(old_logprobs, ref_logprobs, mask).mean().item(),
        "rate": explain_rate(answers),
        "answer_tokens": mask.sum(dim=1).float().mean().item(),
        "loss": losses[-1],
        "example": answers[0],
    }


def train_rlhf_policy(
    policy,
    reference,
    reward_model,
    tokenizer,
    prompts: list[str],
    expected: list[str],
    taught: list[str],
    settings: dict,
    output_dir: str | Path | None = None,
    vocabulary: torch.Tensor | None = None,
    save_every: int = 10,
) -> list[dict]:
    """Run settings["steps"] RL steps on `policy` in place; one dict of metrics per step.

    prompts/expected: the training prompts and each one's taught answer (for the gold reward, which is
    measured, never trained on); taught: every taught answer (the word-salad check). settings: k, prompts,
    steps, beta, learning_rate, inner_epochs, clip_epsilon, max_grad_norm, max_new_tokens, ratio, seed.
    With output_dir, a checkpoint is kept there and a rerun resumes from it.
    """
    policy.eval()  # dropout off, as TRL does; gradients still flow
    reference.eval().requires_grad_(False)
    # fused: one kernel for all parameters (as in rlhf_lab.sft); the embedding alone is 6.4M of them.
    optimizer = torch.optim.AdamW(policy.parameters(), lr=settings["learning_rate"], weight_decay=0.0, fused=True)
    generator = torch.Generator().manual_seed(settings["seed"])
    history: list[dict] = []
    checkpoint = Path(output_dir) / CHECKPOINT if output_dir else None
    if checkpoint and checkpoint.exists():
        state = torch.load(checkpoint, weights_only=False)
        policy.load_state_dict(state["policy"])
        optimizer.load_state_dict(state["optimizer"])
        generator.set_state(state["generator"])
        history = state["history"]
        print(f"resuming from step {len(history)} ({checkpoint})")

    progress = tqdm(
        range(len(history), settings["steps"]),
        initial=len(history),
        total=settings["steps"],
        desc=f"RLHF (beta {settings['beta']})",
        unit="step",
    )
    for step in progress:
        started, cpu_started = time.perf_counter(), time.process_time()
        chosen = torch.randint(len(prompts), (settings["prompts"],), generator=generator).tolist()
        metrics = rl_step(
            policy,
            reference,
            reward_model,
            tokenizer,
            optimizer,
            [prompts[i] for i in chosen],
            [expected[i] for i in chosen],
            taught,
            settings,
            vocabulary,
            generator,
        )
        # CPU seconds (all threads) next to wall seconds: on a shared machine the wall clock measures the others too.
        history.append(
            {
                "step": step + 1,
                **metrics,
                "seconds": time.perf_counter() - started,
                "cpu_seconds": time.process_time() - cpu_started,
            }
        )
        progress.set_postfix(
            proxy=f"{metrics['proxy']:.2f}", gold=f"{metrics['gold']:.2f}", kl=f"{metrics['kl']:.2f}", refresh=False
        )
        if checkpoint and ((step + 1) % save_every == 0 or step + 1 == settings["steps"]):
            _save_checkpoint(checkpoint, policy, optimizer, generator, history)
    return history


def _save_checkpoint(path: Path, policy, optimizer, generator, history: list[dict]) -> None:
    """Written to a temporary name and renamed, so an interruption never leaves half a checkpoint."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_suffix(".tmp")
    torch.save(
        {
            "policy": policy.state_dict(),
            "optimizer": optimizer.state_dict(),
            "generator": generator.get_state(),
            "history": history,
        },
        staging,
    )
    staging.replace(path)


@torch.no_grad()
def sampled_kl(
    policy,
    reference,
    tokenizer,
    prompts: list[str],
    k: int,
    max_new_tokens: int,
    vocabulary: torch.Tensor | None = None,
    seed: int = 0,
    chunk: int = 64,
) -> dict:
    """KL(pi || pi_ref) of whole answers, estimated with k sampled answers per prompt (k1 and k3 means)."""
    generator = torch.Generator().manual_seed(seed)
    ids = prompt_ids_of(tokenizer, prompts, k)
    k1, k3 = [], []
    for start in tqdm(range(0, len(ids), chunk), desc="KL to the reference", unit="batch", leave=False):
        batch = sample_completions(
            policy,
            ids[start : start + chunk],
            max_new_tokens,
            tokenizer.eos_token_id,
            vocabulary=vocabulary,
            generator=generator,
        )
        policy_logprobs = completion_token_logprobs(policy, batch, vocabulary)
        ref_logprobs = completion_token_logprobs(reference, batch, vocabulary)
        k1.append(kl_estimate_k1(policy_logprobs, ref_logprobs, batch["completion_mask"]))
        k3.append(kl_estimate_k3(policy_logprobs, ref_logprobs, batch["completion_mask"]))
    k1, k3 = torch.cat(k1), torch.cat(k3)
    return {
        "kl": k1.mean().item(),
        "kl_k3": k3.mean().item(),
        "kl_standard_error": (k1.std() / math.sqrt(len(k1))).item(),
    }
