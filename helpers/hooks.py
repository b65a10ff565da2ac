"""Where the machinery plugs into the lesson, and nothing more.

Every training goes through :func:`helpers.training.fit`, and every slow score through :func:`remembered`.
On their own they just train and compute. A notebook's session (:func:`helpers.lab.notebook.start`)
installs the workbook's machinery here: the test-data guard, the weight store that loads a model trained
the same way before, and the provenance stamped on what it stores. The lesson never imports that
machinery (``make test`` checks it with import-linter).
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
