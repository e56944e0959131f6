"""Settings of `python -m rlhf_lab train-rlhf`, kept free of heavy imports so the CLI parser stays fast.

"cpu": the tiny offline reference on the embedded data, on a laptop. "gpu": GPT-2 and Anthropic's
hh-rlhf from the Hub, the same code with a smaller learning rate, more prompts and longer answers.
Each preset holds the policy's RL settings ("rl"), the proxy reward model's ("reward"), and where the
reference model and the data come from.

Measured with the cpu preset on the 106 held-out questions (2 cores shared with other jobs, 2026-11-30):
beta 0.5, 30 steps: "Let me explain" 4% -> 100%, degenerate 0%, on topic 97%, gold reward 0.755 -> 0.981,
proxy -2.48 -> 1.64, KL 3.5 nats. beta 0: the proxy climbs to 3.90 while the gold reward falls to 0.10
(84% degenerate: the prefix repeated, then another topic's answer; KL 38 nats). An earlier trial with
beta 0.1 and lr 1e-4 left 9% of the answers degenerate and 90% on topic: too weak an anchor for this
proxy, which scores "prefix + another topic" above the right answer.
"""

from rlhf_lab.data import EMBEDDED, HUB_DATASET

RLHF_PRESETS = {
    "cpu": {
        "model": "tiny",
        "data": EMBEDDED,
        "reward": {"steps": 30, "batch_size": 16, "learning_rate": 1e-4, "seed": 0, "max_tokens": 96},
        "rl": {"k": 4, "prompts": 16, "steps": 30, "beta": 0.5, "learning_rate": 3e-4, "inner_epochs": 2,
               "clip_epsilon": 0.2, "max_grad_norm": 1.0, "max_new_tokens": 48, "ratio": "sequence", "seed": 0},
        "eval_samples": 2,  # sampled answers per held-out question for the KL estimate
    },
    "gpu": {
        "model": "gpt2",
        "data": HUB_DATASET,
        "reward": {"steps": 500, "batch_size": 32, "learning_rate": 1e-5, "seed": 0, "max_tokens": 512},
        "rl": {"k": 4, "prompts": 32, "steps": 300, "beta": 0.05, "learning_rate": 1e-5, "inner_epochs": 2,
               "clip_epsilon": 0.2, "max_grad_norm": 1.0, "max_new_tokens": 96, "ratio": "sequence", "seed": 0},
        "eval_samples": 4,
    },
}
