"""The library path of RLHF: TRL's RLOOTrainer with the proxy reward, in the kit loop's settings.

Lesson 5 trains DPO through TRL's DPOTrainer; this is the same for lesson 6's RL step. TRL reloads
models by name: the policy is given as the reference model's folder (TRL builds the frozen reference from
the same folder), and the proxy reward model is saved first as the class TRL loads
(GPT2ForSequenceClassification, rlhf_lab.proxy_reward.as_sequence_classifier) with its tokenizer passed
as `reward_processing_classes`, so that nothing is looked up on the Hub.

The settings are the kit loop's (rlhf_lab.rlhf_presets "rl"): k answers per prompt = num_generations,
P prompts per step, the inner epochs = num_iterations, the same beta, clip range, learning rate
(constant), gradient clipping and answer length, the sequence-level ratio, dropout off. What differs:
- one kit step (sample once, `inner_epochs` updates) is `inner_epochs` optimizer steps of TRL's;
- the tiny reference never learned ~49,000 of GPT-2's tokens (rlhf_lab.sampling): the kit renormalises
  the policy over the tokens it knows, TRL keeps the whole vocabulary. Sampling here suppresses the
  unknown tokens (generation's `suppress_tokens`), but the log-probabilities of the loss and of the KL
  are still over the whole vocabulary;
- the proxy's score layer has no bias in that class: TRL's rewards are the kit's minus the head's bias
  (a constant: the advantages are the same). train_trl_rloo adds it back to the rewards TRL logs;
- TRL logs the KL as a mean per answer token, the kit as a sum per answer;
- TRL 1.16 generates with position ids that skip a prompt's left padding but computes the loss's and the
  KL's log-probabilities without position ids: with GPT-2's learned positions, a padded (shorter) prompt is
  trained at other positions than it was sampled at. The kit uses the same position ids for both.
"""

import time
from pathlib import Path

import torch
from datasets import Dataset
from trl import RLOOConfig, RLOOTrainer

from rlhf_lab.models import load_causal_lm
from rlhf_lab.proxy_reward import as_sequence_classifier
from rlhf_lab.reward_model import RewardModel
from rlhf_lab.sampling import active_vocabulary

# What each TRL log entry reports, under the names the kit's history uses.
LOGGED = {"reward": "proxy", "kl": "kl_per_token", "completions/mean_length": "answer_tokens", "loss": "loss"}


def save_reward_classifier(reward_model: RewardModel, tokenizer, folder: str | Path) -> Path:
    """The proxy reward model and its tokenizer in a folder TRL can load by name; returns the folder."""
    folder = Path(folder)
    as_sequence_classifier(reward_model, tokenizer.pad_token_id).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def unknown_tokens(model_path: str | Path) -> list[int]:
    """Ids whose output-embedding row is all zero (tokens the model never learned); [] if none."""
    model = load_causal_lm(model_path)
    vocabulary = active_vocabulary(model)
    if vocabulary is None:
        return []
    known = torch.zeros(model.config.vocab_size, dtype=torch.bool)
    known[vocabulary] = True
    return (~known).nonzero().squeeze(1).tolist()


def rloo_config(settings: dict, output_dir: str | Path, steps: int, suppress: list[int]) -> RLOOConfig:
    """An RLOOConfig with the kit loop's settings (see the module's note) for `steps` kit steps."""
    return RLOOConfig(
        output_dir=str(output_dir),
        per_device_train_batch_size=settings["prompts"] * settings["k"],
        num_generations=settings["k"],
        num_iterations=settings["inner_epochs"],
        max_steps=steps * settings["inner_epochs"],
        beta=settings["beta"],
        epsilon=settings["clip_epsilon"],
        learning_rate=settings["learning_rate"],
        lr_scheduler_type="constant",
        max_grad_norm=settings["max_grad_norm"],
        max_completion_length=settings["max_new_tokens"],
        generation_kwargs={"suppress_tokens": suppress} if suppress else None,
        seed=settings["seed"],
        disable_dropout=True,
        bf16=False,  # TRL's default; refused on a CPU, and slower there anyway
        activation_checkpointing=False,  # transformers 5's name for gradient checkpointing, on in TRL: not needed here
        logging_steps=1,
        save_strategy="no",
        report_to="none",
    )


def train_trl_rloo(
    model_path: str | Path,
    reward_model: RewardModel,
    tokenizer,
    prompts: list[str],
    settings: dict,
    output_dir: str | Path,
    steps: int,
) -> dict:
    """Train a policy from the model in `model_path` with TRL's RLOOTrainer for `steps` kit steps.

    Returns the trained policy ("policy"); one dict per sampling, from the log entry of the optimizer step
    that sampled ("history": step, proxy reward of the samples on the kit's scale, their KL per answer
    token, mean answer length, loss); trainer.train()'s time ("seconds"); and the trainer ("trainer", for
    tests that look inside).
    """
    output_dir = Path(output_dir)
    reward_folder = save_reward_classifier(reward_model, tokenizer, output_dir / "reward_model")
    trainer = RLOOTrainer(
        model=str(model_path),
        reward_funcs=str(reward_folder),
        args=rloo_config(settings, output_dir / "run", steps, unknown_tokens(model_path)),
        train_dataset=Dataset.from_list([{"prompt": prompt} for prompt in prompts]),
        processing_class=tokenizer,
        reward_processing_classes=[tokenizer],
    )
    started = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - started
    offset = reward_model.head.bias.item()
    history = [
        {"step": entry["step"], **{ours: entry[theirs] for theirs, ours in LOGGED.items() if theirs in entry}}
        for entry in trainer.state.log_history
        if "reward" in entry
    ]
    for entry in history:
        entry["proxy"] += offset
    return {"policy": trainer.model.eval(), "history": history, "seconds": seconds, "trainer": trainer}
