"""Acquisition functions: each kind's rule, the registry and its errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from drugml.design import ACQUISITIONS, Acquisition, DesignError, get_acquisition
from drugml.design import register_acquisition as register
from drugml.design._acquisition import available_acquisitions


def test_registry_holds_the_five_kinds() -> None:
    assert {"greedy", "ucb", "pi", "thompson", "random"} <= set(ACQUISITIONS)
    for name in ACQUISITIONS:
        assert get_acquisition(name).name == name


def test_unknown_name_says_did_you_mean_and_lists_the_known() -> None:
    with pytest.raises(DesignError, match=r"'tompson'; did you mean `thompson`\?.*greedy"):
        get_acquisition("tompson")
    with pytest.raises(DesignError, match="known: greedy, pi, random, thompson, ucb"):
        get_acquisition("zzz")


def test_greedy_is_the_expected_value_whatever_the_uncertainty() -> None:
    mean = np.array([6.0, 7.0, 5.0])
    values = get_acquisition("greedy").score(mean, np.array([3.0, 0.0, 9.0]))
    assert values.tolist() == mean.tolist()
    assert values is not mean  # a copy: the caller's array stays as it is


def test_ucb_prefers_the_uncertain_molecule_when_means_tie() -> None:
    values = get_acquisition("ucb").score(np.array([7.0, 7.0]), np.array([0.2, 0.9]), beta=1.0)
    assert values.argmax() == 1
    assert values.tolist() == pytest.approx([7.2, 7.9])


def test_ucb_with_beta_zero_is_greedy_and_beta_weighs_sigma() -> None:
    mean, sigma = np.array([7.0, 6.5]), np.array([0.1, 1.0])
    assert get_acquisition("ucb").score(mean, sigma, beta=0.0).argmax() == 0
    assert get_acquisition("ucb").score(mean, sigma, beta=2.0).argmax() == 1


def test_pi_decreases_as_the_threshold_rises() -> None:
    pi = get_acquisition("pi")
    mean, sigma = np.array([6.0, 7.0, 8.0]), np.array([0.5, 1.0, 2.0])
    values = [pi.score(mean, sigma, threshold=t) for t in (5.0, 6.5, 7.5, 9.0)]
    for lower, higher in itertools.pairwise(values):
        assert (lower > higher).all()
    assert ((values[0] > 0) & (values[0] < 1)).all()


def test_pi_is_a_normal_probability_and_handles_zero_sigma() -> None:
    values = get_acquisition("pi").score(
        np.array([7.0, 8.0, 6.0, 8.0]), np.array([1.0, 1.0, 0.0, 0.0]), threshold=7.0
    )
    assert values.tolist() == pytest.approx([0.5, 0.8413447, 0.0, 1.0])


def test_pi_without_threshold_uses_the_best_prediction() -> None:
    pi = get_acquisition("pi")
    mean, sigma = np.array([6.0, 8.0]), np.array([1.0, 1.0])
    assert pi.score(mean, sigma).tolist() == pytest.approx(pi.score(mean, sigma, threshold=8.0))


def test_pi_prefers_the_uncertain_of_two_below_the_threshold() -> None:
    values = get_acquisition("pi").score(np.array([6.0, 6.0]), np.array([0.3, 1.5]), threshold=7)
    assert values[1] > values[0]


def test_thompson_is_reproducible_with_the_seed_and_centred_on_the_mean() -> None:
    thompson = get_acquisition("thompson")
    mean, sigma = np.linspace(5, 8, 2000), np.full(2000, 0.5)
    first = thompson.score(mean, sigma, rng=np.random.default_rng(7))
    again = thompson.score(mean, sigma, rng=np.random.default_rng(7))
    other = thompson.score(mean, sigma, rng=np.random.default_rng(8))
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert np.std(first - mean) == pytest.approx(0.5, rel=0.1)
    assert abs(np.mean(first - mean)) < 0.05
    # no uncertainty: the draw is the mean
    assert np.array_equal(thompson.score(mean, np.zeros(2000), rng=np.random.default_rng(1)), mean)


def test_random_ignores_the_model_and_is_reproducible() -> None:
    random = get_acquisition("random")
    assert random.uses_model is False
    assert all(get_acquisition(n).uses_model for n in ("greedy", "ucb", "pi", "thompson"))
    a = random.score(np.array([9.0, 1.0, 5.0]), np.zeros(3), rng=np.random.default_rng(3))
    b = random.score(np.array([1.0, 9.0, 0.0]), np.ones(3), rng=np.random.default_rng(3))
    assert np.array_equal(a, b)  # the values do not depend on the predictions


def test_reasons_say_the_numbers() -> None:
    assert get_acquisition("ucb").reason(8.1, 7.4, 0.7, beta=1.0) == (
        "UCB 8.10 = predicted 7.40 + 1.0 × σ 0.70"
    )
    assert "P(value > 7.00)" in get_acquisition("pi").reason(0.3, 6.5, 1.0, threshold=7.0)
    assert get_acquisition("thompson").reason(7.9, 7.0, 0.5).startswith("Thompson draw 7.90")


def test_a_new_acquisition_is_one_registered_class() -> None:
    class Pessimist(Acquisition):
        name = "lcb_test"

        def score(self, mean, sigma, *, beta=1.0, threshold=None, rng=None):
            return np.asarray(mean) - beta * np.asarray(sigma)

    try:
        assert register(Pessimist) is Pessimist
        assert "lcb_test" in available_acquisitions()
        scores = get_acquisition("lcb_test").score(np.array([7.0, 7.0]), np.array([0.2, 0.9]))
        assert scores.argmax() == 0
        assert get_acquisition("lcb_test").reason(6.8, 7.0, 0.2).startswith("LCB_TEST 6.80")
    finally:
        ACQUISITIONS.pop("lcb_test", None)


def test_registering_refuses_a_taken_name_and_a_non_acquisition() -> None:
    class Other(Acquisition):
        name = "greedy"

    with pytest.raises(ValueError, match="'greedy' is taken"):
        register(Other)
    with pytest.raises(TypeError, match="Acquisition subclass"):
        register(object)  # type: ignore[arg-type]

    class Nameless(Acquisition):
        name = "not a name"

    with pytest.raises(ValueError, match="identifier"):
        register(Nameless)
    assert ACQUISITIONS["greedy"].__name__ == "GreedyAcquisition"


def test_base_class_score_must_be_written() -> None:
    class Empty(Acquisition):
        name = "empty"

    with pytest.raises(NotImplementedError):
        Empty().score(np.zeros(1), np.zeros(1))
