"""Helpers for the Autoencoders & LSTM workbook: data, models, training, metrics, plots, results, runs.

One module per concern: ``fashion_mnist`` (data), ``noise``, ``gait`` (IMU simulator), ``gait_reference``
(the real walk), ``imu`` (windows, features), ``zupt`` (physics baseline), ``models``, ``vae``, ``training``,
``hygiene`` (test data stays out of fitting), ``metrics``, ``baselines``, ``plotting``, ``widgets``,
``results`` (records, the verdict rule, tables), ``report``, ``profiles``, ``notebook`` (per-notebook
session), ``provenance``, ``runner`` (papermill run units) and ``cluster`` (Dask).
"""

import importlib.util
import os

__version__ = "0.1.0"


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
