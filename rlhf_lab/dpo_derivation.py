"""DPO's derivation, step by step in sympy, on a discrete distribution over n answers.

The steps follow lesson 3: the KL-regularised objective max_p E_p[r] - beta * KL(p || q); its Lagrangian;
the stationary p_i; the normalisation that turns the multiplier into the partition function Z; the
reward written back in terms of the policy; and the Bradley-Terry difference, in which Z cancels.

Here p is the policy being optimised, q the reference policy pi_ref, r the reward of each answer.
Every function takes its symbols as arguments, so a test can pass symbols, numbers or expressions.
"""

import sympy


def sigmoid(x):
    """The logistic function 1 / (1 + exp(-x)) as a sympy expression."""
    return 1 / (1 + sympy.exp(-x))


def outcome_symbols(n: int) -> tuple[list, list, list]:
    """Symbols for n answers: probabilities p_i (policy) and q_i (reference), positive; rewards r_i, real."""
    if n < 1:
        raise ValueError(f"need at least one answer, got n={n}")
    p = sympy.symbols(f"p1:{n + 1}", positive=True)
    q = sympy.symbols(f"q1:{n + 1}", positive=True)
    r = sympy.symbols(f"r1:{n + 1}", real=True)
    return list(p), list(q), list(r)


def kl_regularized_objective(p, q, r, beta):
    """E_p[r] - beta * KL(p || q) = sum_i p_i r_i - beta * sum_i p_i log(p_i / q_i)."""
    expected_reward = sum(p_i * r_i for p_i, r_i in zip(p, r))
    kl = sum(p_i * sympy.log(p_i / q_i) for p_i, q_i in zip(p, q))
    return expected_reward - beta * kl


def lagrangian(p, q, r, beta, lam):
    """The objective with the constraint sum_i p_i = 1 attached by the multiplier lam."""
    return kl_regularized_objective(p, q, r, beta) - lam * (sum(p) - 1)


def stationary_probability(q_i, r_i, beta, lam):
    """The p_i at which the Lagrangian's derivative with respect to p_i is zero.

    Only the terms of the Lagrangian that contain p_i survive the derivative, so a one-answer
    Lagrangian in a fresh symbol p_i gives the same condition as the full one.
    """
    p_i = sympy.Symbol("p_i", positive=True)
    condition = sympy.diff(lagrangian([p_i], [q_i], [r_i], beta, lam), p_i)
    solution = sympy.solve(condition, p_i)[0]
    return sympy.powsimp(sympy.expand(solution))


def partition_function(q, r, beta):
    """Z = sum_i q_i exp(r_i / beta): what the stationary p_i must be divided by to sum to 1."""
    return sum(q_i * sympy.exp(r_i / beta) for q_i, r_i in zip(q, r))


def multiplier_from_normalization(stationary, lam):
    """The value of lam for which the stationary probabilities (expressions in lam) sum to 1."""
    return sympy.solve(sympy.Eq(sum(stationary), 1), lam)[0]


def optimal_policy(q, r, beta):
    """The maximiser of the KL-regularised objective, pi_r(i) = q_i exp(r_i / beta) / Z, via the Lagrangian."""
    lam = sympy.Symbol("lambda", real=True)
    stationary = [stationary_probability(q_i, r_i, beta, lam) for q_i, r_i in zip(q, r)]
    lam_star = multiplier_from_normalization(stationary, lam)
    return [p_i.subs(lam, lam_star) for p_i in stationary]


def reward_from_policy(pi_r, pi_ref, Z, beta):
    """The reward that makes pi_r optimal: pi_r = pi_ref exp(r / beta) / Z solved for r."""
    return beta * sympy.log(pi_r / pi_ref) + beta * sympy.log(Z)


def reward_difference(pi_w, ref_w, pi_l, ref_l, Z, beta):
    """r(x, y_w) - r(x, y_l), the Bradley-Terry argument, expanded into single logs so that the log Z terms cancel."""
    difference = reward_from_policy(pi_w, ref_w, Z, beta) - reward_from_policy(pi_l, ref_l, Z, beta)
    return sympy.expand(sympy.expand_log(difference, force=True))


def dpo_loss_expression(chosen_logratio, rejected_logratio, beta):
    """DPO's loss for one pair, -log sigma(beta * (a - b)), with a = log pi/pi_ref of y_w and b that of y_l."""
    return -sympy.log(sigmoid(beta * (chosen_logratio - rejected_logratio)))
