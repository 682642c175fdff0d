"""Acquisition functions: how a next batch weighs a model's prediction against its uncertainty.

An acquisition turns each molecule's expected value (the prediction, or the probability of
the positive class) and its uncertainty (a standard deviation, from the prediction interval)
into one number; the batch takes the highest (:func:`drugml.design.next_batch`). Each is one
small class registered by name:

- ``greedy``: the expected value (exploit what the model believes);
- ``ucb``: upper confidence bound, expected value + ``beta`` x sigma (optimism where unsure);
- ``pi``: probability of exceeding ``threshold`` under a normal of that mean and sigma;
- ``thompson``: one draw per molecule from that normal (seeded, so reproducible);
- ``random``: uniform random values, the floor a model must beat.

Adding one is one class in this file (or in the caller's code)::

    @register_acquisition
    class LowerBound(Acquisition):
        '''Expected value - beta x sigma (pessimism: the safest bets).'''

        name = "lcb"

        def score(self, mean, sigma, *, beta=1.0, threshold=None, rng=None):
            return mean - beta * sigma

Example
-------
>>> import numpy as np
>>> get_acquisition("ucb").score(np.array([7.0, 7.0]), np.array([0.2, 0.8]), beta=1.0).tolist()
[7.2, 7.8]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from drugml._util.suggest import suggest
from drugml.design._errors import DesignError

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "ACQUISITIONS",
    "Acquisition",
    "GreedyAcquisition",
    "ProbabilityOfImprovement",
    "RandomAcquisition",
    "ThompsonAcquisition",
    "UpperConfidenceBound",
    "available_acquisitions",
    "get_acquisition",
    "register_acquisition",
]

#: Registered acquisitions: name -> class (:func:`register_acquisition` adds to it).
ACQUISITIONS: dict[str, type[Acquisition]] = {}


class Acquisition:
    """One acquisition function (subclass, set ``name``, write :meth:`score`, register).

    Class attributes
    ----------------
    name : the ``acquisition=`` name of :func:`~drugml.design.next_batch`.
    label : how the reason for a pick names it (default: ``name`` in capitals).
    uses_model : ``False`` for an acquisition that ignores the model (``random``): the
        active-learning loop then skips fitting one.

    An acquisition holds no state: one instance can score many pools.
    """

    name: ClassVar[str]
    label: ClassVar[str] = ""
    uses_model: ClassVar[bool] = True

    def score(
        self,
        mean: np.ndarray,
        sigma: np.ndarray,
        *,
        beta: float = 1.0,
        threshold: float | None = None,
        rng: np.random.Generator | None = None,
    ) -> np.ndarray:
        """The acquisition value of each molecule (higher is picked first).

        ``mean``: expected values; ``sigma``: their standard deviations (>= 0);
        ``beta``: the weight of sigma (UCB); ``threshold``: the value to exceed (PI);
        ``rng``: the random generator of draws (Thompson, random).
        """
        raise NotImplementedError

    def reason(self, value: float, mean: float, sigma: float, *, beta: float = 1.0,
               threshold: float | None = None) -> str:  # fmt: skip
        """Why a molecule scored ``value``, in words (the start of its ``pick_reason``).

        >>> get_acquisition("greedy").reason(7.4, 7.4, 0.7)
        'GREEDY 7.40 = predicted 7.40 (σ 0.70)'
        """
        return f"{self.title()} {value:.2f} = predicted {mean:.2f} (σ {sigma:.2f})"

    @classmethod
    def title(cls) -> str:
        """The name used in reasons: ``label``, or ``name`` in capitals."""
        return cls.label or cls.name.upper()


def register_acquisition(
    acquisition: type[Acquisition], replace: bool = False
) -> type[Acquisition]:
    """Make an :class:`Acquisition` subclass available as ``acquisition=cls.name``.

    Returns the class, so it works as a class decorator. Registering another class under a
    taken name fails unless ``replace``.

    >>> @register_acquisition
    ... class Mean(Acquisition):
    ...     name = "mean_only"
    ...     def score(self, mean, sigma, *, beta=1.0, threshold=None, rng=None):
    ...         return mean
    >>> "mean_only" in available_acquisitions()
    True
    >>> del ACQUISITIONS["mean_only"]  # the example leaves the registry as it found it
    """
    if not (isinstance(acquisition, type) and issubclass(acquisition, Acquisition)):
        raise TypeError(f"register_acquisition takes an Acquisition subclass, got {acquisition!r}")
    name = getattr(acquisition, "name", None)
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"{acquisition.__name__}.name must be an identifier, got {name!r}")
    registered = ACQUISITIONS.get(name)
    if registered is not None and _origin(registered) != _origin(acquisition) and not replace:
        raise ValueError(
            f"Acquisition name {name!r} is taken by {_origin(registered)}; "
            "pass replace=True to replace it"
        )
    ACQUISITIONS[name] = acquisition
    return acquisition


def _origin(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def get_acquisition(name: str) -> Acquisition:
    """The acquisition registered as ``name``; :class:`DesignError` lists the others.

    >>> get_acquisition("thompson").name
    'thompson'
    >>> get_acquisition("ucd")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    drugml.design._errors.DesignError: Unknown acquisition 'ucd'; did you mean `ucb`? (known: ...)
    """
    cls = ACQUISITIONS.get(name) if isinstance(name, str) else None
    if cls is None:
        known = available_acquisitions()
        raise DesignError(
            f"Unknown acquisition {name!r}{suggest(name, known)} (known: {', '.join(known)})"
        )
    return cls()


def available_acquisitions() -> tuple[str, ...]:
    """Names of the registered acquisitions, sorted.

    >>> available_acquisitions()
    ('greedy', 'pi', 'random', 'thompson', 'ucb')
    """
    return tuple(sorted(ACQUISITIONS))


def _number(x: float) -> str:
    """``1.0``, ``0.25``: one decimal at least, more where the value has them."""
    return f"{x:.1f}" if float(x) == round(float(x), 1) else f"{x:g}"


def _generator(rng: np.random.Generator | None) -> np.random.Generator:
    import numpy as np

    return rng if rng is not None else np.random.default_rng(0)


@register_acquisition
class GreedyAcquisition(Acquisition):
    """The expected value: the molecules the model believes best, whatever its uncertainty.

    >>> import numpy as np
    >>> GreedyAcquisition().score(np.array([6.0, 7.0]), np.array([1.0, 0.1])).tolist()
    [6.0, 7.0]
    """

    name = "greedy"

    def score(self, mean, sigma, *, beta=1.0, threshold=None, rng=None):
        import numpy as np

        return np.asarray(mean, dtype=float).copy()


@register_acquisition
class UpperConfidenceBound(Acquisition):
    """Expected value + ``beta`` x sigma: optimism where the model is unsure.

    >>> UpperConfidenceBound().reason(8.1, 7.4, 0.7, beta=1.0)
    'UCB 8.10 = predicted 7.40 + 1.0 × σ 0.70'
    """

    name = "ucb"

    def score(self, mean, sigma, *, beta=1.0, threshold=None, rng=None):
        import numpy as np

        return np.asarray(mean, dtype=float) + beta * np.asarray(sigma, dtype=float)

    def reason(self, value, mean, sigma, *, beta=1.0, threshold=None):
        return f"UCB {value:.2f} = predicted {mean:.2f} + {_number(beta)} × σ {sigma:.2f}"


@register_acquisition
class ProbabilityOfImprovement(Acquisition):
    """P(value > ``threshold``) under a normal of the expected value and sigma.

    Without a threshold, the highest expected value of the pool (the chance of beating
    the model's current favourite). A sigma of 0 gives 1 above the threshold, else 0.

    >>> import numpy as np
    >>> ProbabilityOfImprovement().score(np.array([7.0, 6.0]), np.array([1.0, 0.0]),
    ...                                  threshold=7.0).tolist()
    [0.5, 0.0]
    """

    name = "pi"

    def score(self, mean, sigma, *, beta=1.0, threshold=None, rng=None):
        import numpy as np
        from scipy.special import ndtr

        mean = np.asarray(mean, dtype=float)
        sigma = np.asarray(sigma, dtype=float)
        if threshold is None:
            threshold = float(np.max(mean)) if len(mean) else 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (mean - threshold) / sigma
        z = np.where(sigma > 0, z, np.where(mean > threshold, np.inf, -np.inf))
        return ndtr(z)

    def reason(self, value, mean, sigma, *, beta=1.0, threshold=None):
        above = "the pool's best prediction" if threshold is None else f"{threshold:.2f}"
        return f"PI {value:.2f} = P(value > {above}) for predicted {mean:.2f} ± σ {sigma:.2f}"


@register_acquisition
class ThompsonAcquisition(Acquisition):
    """One draw per molecule from a normal of the expected value and sigma (seeded).

    >>> import numpy as np
    >>> a = ThompsonAcquisition()
    >>> draw = lambda: a.score(np.zeros(3), np.ones(3), rng=np.random.default_rng(1))
    >>> bool((draw() == draw()).all())
    True
    """

    name = "thompson"
    label = "Thompson draw"

    def score(self, mean, sigma, *, beta=1.0, threshold=None, rng=None):
        import numpy as np

        mean = np.asarray(mean, dtype=float)
        return mean + np.asarray(sigma, dtype=float) * _generator(rng).standard_normal(len(mean))


@register_acquisition
class RandomAcquisition(Acquisition):
    """Uniform random values: a batch chosen at random, the floor any model must beat.

    >>> RandomAcquisition().reason(0.42, 7.0, 0.5)
    'RANDOM draw 0.42 (predicted 7.00, σ 0.50, not used)'
    """

    name = "random"
    uses_model = False

    def score(self, mean, sigma, *, beta=1.0, threshold=None, rng=None):
        import numpy as np

        return _generator(rng).random(len(np.asarray(mean)))

    def reason(self, value, mean, sigma, *, beta=1.0, threshold=None):
        return f"RANDOM draw {value:.2f} (predicted {mean:.2f}, σ {sigma:.2f}, not used)"
