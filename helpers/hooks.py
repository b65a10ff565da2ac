"""Where the machinery plugs into the lesson, and nothing more.

On their own, :func:`helpers.training.fit` trains and :func:`remembered` computes. A notebook's session
(:mod:`helpers.lab.notebook`) installs the machinery here: the test-data guard, the weight store, provenance.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

T = TypeVar("T")

# around_fit(call, train): given a helpers.training.FitCall and the function that trains, return its run
around_fit: Callable[[Any, Callable[[], Any]], Any] | None = None
# remember(label, compute, *inputs): compute(), or what it returned before for the same label and inputs
remember: Callable[..., Any] | None = None


def install(fit: Callable | None, remember_: Callable | None) -> None:
    """Install (or, with ``None``, remove) the hooks around training and slow computations."""
    global around_fit, remember
    around_fit, remember = fit, remember_


def remembered(label: str, compute: Callable[[], T], *inputs: Any) -> T:
    """``compute()``, or its earlier result for the same ``label`` and ``inputs`` when a store is installed.

    ``inputs`` are everything the result depends on besides the code (arrays, models, plain values)."""
    return compute() if remember is None else remember(label, compute, *inputs)
