"""The lesson's package: what a student opens beside a notebook. One module per concern:

* data: ``fashion_mnist`` (real Fashion-MNIST, offline), ``noise``, ``gait`` (the shoe-IMU simulator),
  ``imu`` (subjects, lazy windows, gait features);
* models and how they train: ``models``, ``vae``, ``training`` (recipes and the one ``fit``), ``profiles``
  (each profile's recipes), and one training entry point per section: ``dense`` (I), ``denoising`` (II),
  ``speed`` (III/IV), ``vae.train`` (V);
* judging them: ``hygiene`` (test data stays out of fitting), ``metrics``, ``evaluation`` (test scores),
  ``baselines`` (PCA, classical filters, speed baselines), ``zupt`` (physics), ``ele494`` (the report's
  numbers);
* showing them: ``plotting``, ``widgets``;
* ``paths`` (where things live; atomic writes) and ``hooks`` (where the machinery plugs in).

The machinery that runs, stores and records the notebooks is :mod:`helpers.lab`; nothing here imports it.
"""

import importlib.util
import logging
import os

__version__ = "0.1.0"

if importlib.util.find_spec("keras") is None:  # a Jupyter kernel without the workbook's packages
    raise ImportError(
        "Keras is not installed in this kernel. Pick the kernel 'Python (ae-lstm-workbook)' (make setup "
        "registers it), or install the workbook's requirements (pip install -r requirements.txt)."
    )


def _quiet_tensorflow_import() -> None:
    """Import TensorFlow with its C++ start-up chatter (oneDNN, CPU features) sent to /dev/null.

    Those lines bypass Python's logging and TF_CPP_MIN_LOG_LEVEL, and would fill every notebook's stderr.
    Python-level errors still surface: they are raised after stderr is restored.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if (
        os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow"
        or importlib.util.find_spec("tensorflow") is None
    ):
        return
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)


_quiet_tensorflow_import()


class _NoRetracingAdvice(logging.Filter):
    """Drop TensorFlow's "triggered tf.function retracing" advice: each new model is traced once, on purpose,
    and the advice (meant for loops that retrace one function) only clutters notebooks and the Voila app."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


logging.getLogger("tensorflow").addFilter(_NoRetracingAdvice())
