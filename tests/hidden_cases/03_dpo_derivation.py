"""The hidden-test cases of lesson 03_dpo_derivation (their format: tests/test_hidden_tests.py's docstring)."""

from hidden_answers import right, wrong

# Solution texts that several cases replace.
STATIONARY_BODY = (
    '    p_i = sympy.Symbol("p_i", positive=True)\n'
    "    condition = sympy.diff(lagrangian([p_i], [q_i], [r_i], beta, lam), p_i)\n"
    "    solution = sympy.solve(condition, p_i)[0]\n"
    "    return sympy.powsimp(sympy.expand(solution))\n"
)
REWARD_FROM_POLICY_RETURN = "    return beta * sympy.log(pi_r / pi_ref) + beta * sympy.log(Z)\n"

FULLY_GRADED = "reward_from_policy_math_log"  # the wrong answer graded through the whole grading path

WRONG_ANSWERS = {
    # stationary_probability: the derivative's "+1", one expression, the arguments (numbers too).
    "stationary_probability_without_the_one": wrong(
        "stationary_probability",
        [(STATIONARY_BODY, "    return q_i * sympy.exp((r_i - lam) / beta)\n")],
        "dL/dp_1 of the three-answer Lagrangian at your p_1",
    ),
    "stationary_probability_returns_the_list": wrong(
        "stationary_probability",
        [
            (
                "    solution = sympy.solve(condition, p_i)[0]\n    return sympy.powsimp(sympy.expand(solution))\n",
                "    return sympy.solve(condition, p_i)\n",
            )
        ],
        "stationary_probability should return one sympy expression, got list",
    ),
    "stationary_probability_notebook_symbols": wrong(
        "stationary_probability",
        [(STATIONARY_BODY, "    return q[0] * sympy.exp((r[0] - beta - lam) / beta)\n")],
        "with numbers in, expected a number out",
    ),
    # reward_from_policy: beta log(pi_r / pi_ref) + beta log Z, with sympy.log.
    "reward_from_policy_math_log": wrong(
        "reward_from_policy",
        [
            (
                REWARD_FROM_POLICY_RETURN,
                "    import math\n    return beta * math.log(pi_r / pi_ref) + beta * math.log(Z)\n",
            )
        ],
        "use sympy.log",
    ),
    "reward_from_policy_without_log_z": wrong(
        "reward_from_policy",
        [(REWARD_FROM_POLICY_RETURN, "    return beta * sympy.log(pi_r / pi_ref)\n")],
        "reward_from_policy(pi_ref*exp(r/beta)/Z, pi_ref, Z, beta) - r",
    ),
    "reward_from_policy_log_z_without_beta": wrong(
        "reward_from_policy",
        [(REWARD_FROM_POLICY_RETURN, "    return beta * sympy.log(pi_r / pi_ref) + sympy.log(Z)\n")],
        "reward_from_policy(pi_ref*exp(r/beta)/Z, pi_ref, Z, beta) - r",
    ),
    # reward_difference: r_w - r_l through reward_from_policy, with the log Z terms cancelled.
    "reward_difference_keeps_log_z": wrong(
        "reward_difference",
        [("    return sympy.expand(sympy.expand_log(difference, force=True))\n", "    return difference\n")],
        "Z still appears in your difference",
        more=[("reward_from_policy", REWARD_FROM_POLICY_RETURN, "    return beta * sympy.log(pi_r * Z / pi_ref)\n")],
    ),
    "reward_difference_reversed": wrong(
        "reward_difference",
        [
            (
                "reward_from_policy(pi_w, ref_w, Z, beta) - reward_from_policy(pi_l, ref_l, Z, beta)",
                "reward_from_policy(pi_l, ref_l, Z, beta) - reward_from_policy(pi_w, ref_w, Z, beta)",
            )
        ],
        "your difference minus (beta*log(pi_w/ref_w) - beta*log(pi_l/ref_l))",
    ),
}

RIGHT_ANSWERS = {
    "stationary_probability_closed_form": right(
        "stationary_probability", [(STATIONARY_BODY, "    return q_i * sympy.exp((r_i - beta - lam) / beta)\n")]
    ),
    "stationary_probability_unsimplified": right(
        "stationary_probability",
        [("    return sympy.powsimp(sympy.expand(solution))\n", "    return solution\n")],
    ),
    "reward_from_policy_single_log": right(
        "reward_from_policy", [(REWARD_FROM_POLICY_RETURN, "    return beta * sympy.log(pi_r * Z / pi_ref)\n")]
    ),
    # Solved for r with sympy and a Symbol("r") of the student's own: the test's reward symbol is another one.
    "reward_from_policy_solved_for_r": right(
        "reward_from_policy",
        [
            (
                REWARD_FROM_POLICY_RETURN,
                '    r = sympy.Symbol("r", real=True)\n'
                "    return sympy.solve(sympy.Eq(pi_r, pi_ref * sympy.exp(r / beta) / Z), r)[0]\n",
            )
        ],
    ),
    "reward_difference_written_out": right(
        "reward_difference",
        [
            (
                "    difference = reward_from_policy(pi_w, ref_w, Z, beta) - reward_from_policy(pi_l, ref_l, Z, beta)\n"
                "    return sympy.expand(sympy.expand_log(difference, force=True))\n",
                "    return sympy.simplify(beta * sympy.log(pi_w / ref_w) - beta * sympy.log(pi_l / ref_l))\n",
            )
        ],
    ),
}
