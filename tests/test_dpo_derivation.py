"""The sympy derivation of DPO in rlhf_lab.dpo_derivation: each step checked symbolically and with numbers."""

import random

import pytest
import sympy
import torch
from conftest import FLOAT64_ATOL

from rlhf_lab.dpo_derivation import (
    dpo_loss_expression,
    kl_regularized_objective,
    lagrangian,
    multiplier_from_normalization,
    optimal_policy,
    outcome_symbols,
    partition_function,
    reward_difference,
    reward_from_policy,
    sigmoid,
    stationary_probability,
)
from rlhf_lab.losses import dpo_loss

BETA = sympy.Symbol("beta", positive=True)
LAM = sympy.Symbol("lambda", real=True)


@pytest.fixture(scope="module")
def three_answers():
    p, q, r = outcome_symbols(3)
    return p, q, r, optimal_policy(q, r, BETA)


def test_outcome_symbols_carry_the_assumptions_the_derivation_needs():
    p, q, r = outcome_symbols(2)
    assert [str(s) for s in p + q + r] == ["p1", "p2", "q1", "q2", "r1", "r2"]
    assert all(s.is_positive for s in p + q) and all(s.is_real for s in r)
    with pytest.raises(ValueError, match="at least one"):
        outcome_symbols(0)


def test_stationary_probability_zeroes_the_full_lagrangians_derivative():
    p, q, r = outcome_symbols(3)
    full = lagrangian(p, q, r, BETA, LAM)
    for i in range(3):
        at_stationary = sympy.diff(full, p[i]).subs(p[i], stationary_probability(q[i], r[i], BETA, LAM))
        assert sympy.simplify(at_stationary) == 0


def test_stationary_probability_has_the_closed_form():
    _, q, r = outcome_symbols(1)
    expected = q[0] * sympy.exp((r[0] - BETA - LAM) / BETA)
    assert sympy.simplify(stationary_probability(q[0], r[0], BETA, LAM) - expected) == 0
    # numbers in, a number out: q=1/4, r=2, beta=1/2, lam=0 -> exp(3)/4
    assert stationary_probability(sympy.Rational(1, 4), 2, sympy.Rational(1, 2), 0) == sympy.exp(3) / 4


def test_the_multiplier_is_beta_log_z_minus_beta():
    _, q, r = outcome_symbols(3)
    stationary = [stationary_probability(q_i, r_i, BETA, LAM) for q_i, r_i in zip(q, r)]
    lam_star = multiplier_from_normalization(stationary, LAM)
    assert sympy.simplify(lam_star - (BETA * sympy.log(partition_function(q, r, BETA)) - BETA)) == 0


def test_optimal_policy_is_reference_times_exp_reward_over_z(three_answers):
    _, q, r, policy = three_answers
    Z = partition_function(q, r, BETA)
    for q_i, r_i, pi_i in zip(q, r, policy):
        assert sympy.simplify(pi_i - q_i * sympy.exp(r_i / BETA) / Z) == 0
    assert sympy.simplify(sum(policy) - 1) == 0


def test_the_objectives_maximum_is_beta_log_z(three_answers):
    _, q, r, policy = three_answers
    value = kl_regularized_objective(policy, q, r, BETA)
    assert sympy.simplify(value - BETA * sympy.log(partition_function(q, r, BETA))) == 0


def test_no_nearby_distribution_scores_higher(three_answers):
    p, q, r, policy = three_answers
    numbers = {q[0]: 0.5, q[1]: 0.3, q[2]: 0.2, r[0]: -1.0, r[1]: 0.5, r[2]: 2.0, BETA: 0.7}
    objective = sympy.lambdify(p, kl_regularized_objective(p, q, r, BETA).subs(numbers))
    best = [float(pi_i.subs(numbers)) for pi_i in policy]
    rng = random.Random(0)
    for _ in range(200):
        step = [rng.gauss(0, 0.05) for _ in best]
        mean = sum(step) / len(step)
        other = [b + s - mean for b, s in zip(best, step)]  # still sums to 1
        if min(other) > 0:
            assert objective(*other) < objective(*best)


def test_reward_from_policy_inverts_the_optimal_policy():
    pi_ref, Z = sympy.symbols("pi_ref Z", positive=True)
    r = sympy.Symbol("r", real=True)
    pi_r = pi_ref * sympy.exp(r / BETA) / Z
    assert sympy.simplify(reward_from_policy(pi_r, pi_ref, Z, BETA) - r) == 0


def test_z_cancels_in_the_bradley_terry_difference():
    pi_w, ref_w, pi_l, ref_l, Z = sympy.symbols("pi_w ref_w pi_l ref_l Z", positive=True)
    difference = reward_difference(pi_w, ref_w, pi_l, ref_l, Z, BETA)
    assert Z not in difference.free_symbols
    expected = BETA * sympy.log(pi_w / ref_w) - BETA * sympy.log(pi_l / ref_l)
    assert sympy.simplify(difference - expected) == 0
    # Z as an expression in symbols of its own: none of them survives
    s = sympy.Symbol("s", real=True)
    difference = reward_difference(pi_w, ref_w, pi_l, ref_l, sympy.exp(s) + 1, BETA)
    assert s not in difference.free_symbols


def test_the_difference_of_the_optimal_policys_rewards_is_the_reward_gap(three_answers):
    _, q, r, policy = three_answers
    Z = partition_function(q, r, BETA)
    difference = reward_difference(policy[0], q[0], policy[2], q[2], Z, BETA)
    assert sympy.simplify(difference - (r[0] - r[2])) == 0


def test_the_dpo_gradient_is_weighted_by_the_wrongly_ranked_probability():
    a, b = sympy.symbols("a b", real=True)
    loss = dpo_loss_expression(a, b, BETA)
    assert sympy.simplify(sympy.diff(loss, a) + BETA * sigmoid(BETA * (b - a))) == 0
    assert sympy.simplify(sympy.diff(loss, b) - BETA * sigmoid(BETA * (b - a))) == 0


def test_the_sympy_loss_and_gradient_match_the_torch_loss():
    a, b = sympy.symbols("a b", real=True)
    beta = 0.3
    expression = dpo_loss_expression(a, b, beta)
    loss_of = sympy.lambdify((a, b), expression)
    grad_of = sympy.lambdify((a, b), sympy.diff(expression, a))

    torch.manual_seed(0)
    policy_chosen = torch.randn(5, dtype=torch.float64, requires_grad=True)
    policy_rejected, ref_chosen, ref_rejected = torch.randn(3, 5, dtype=torch.float64)
    loss, _, _ = dpo_loss(policy_chosen, policy_rejected, ref_chosen, ref_rejected, beta)
    loss.backward()

    chosen_ratios = (policy_chosen - ref_chosen).tolist()
    rejected_ratios = (policy_rejected - ref_rejected).tolist()
    expected_loss = sum(loss_of(x, y) for x, y in zip(chosen_ratios, rejected_ratios)) / 5
    assert loss.item() == pytest.approx(expected_loss, abs=FLOAT64_ATOL)
    for got, x, y in zip(policy_chosen.grad.tolist(), chosen_ratios, rejected_ratios):
        assert got == pytest.approx(grad_of(x, y) / 5, abs=FLOAT64_ATOL)  # the batch mean divides by 5


def test_the_lagrangian_attaches_the_constraint_sum_p_equals_1():
    """dL/dlam is minus the constraint sum_i p_i - 1, and on the simplex L is the objective itself."""
    p, q, r = outcome_symbols(3)
    full = lagrangian(p, q, r, BETA, LAM)
    assert sympy.simplify(sympy.diff(full, LAM) + (sum(p) - 1)) == 0
    on_simplex = {p[2]: 1 - p[0] - p[1]}
    objective = kl_regularized_objective(p, q, r, BETA)
    assert sympy.simplify(full.subs(on_simplex) - objective.subs(on_simplex)) == 0


def test_the_difference_is_in_single_logs_whatever_the_symbols_assumptions():
    """Expanded with force=True: log(pi / ref) splits into log pi - log ref even for symbols without a sign."""
    pi_w, ref_w, pi_l, ref_l, Z = sympy.symbols("pi_w ref_w pi_l ref_l Z")  # no assumptions
    difference = reward_difference(pi_w, ref_w, pi_l, ref_l, Z, BETA)
    logs = [term.args[0] for term in difference.atoms(sympy.log)]
    assert sorted(map(str, logs)) == ["pi_l", "pi_w", "ref_l", "ref_w"], difference
