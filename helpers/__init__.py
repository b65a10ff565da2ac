"""Helpers for the Autoencoders & LSTM workbook: data, models, training, metrics, plots, results, runs.

One module per concern:

* data: ``fashion_mnist``, ``noise``, ``gait`` (IMU simulator), ``gait_reference`` (the real walk), ``imu``
  (recordings, lazy windows, gait features);
* models and how they train: ``models``, ``vae``, ``training`` (recipes, the one ``fit``), ``store`` (trained
  weights kept and reused), and one training path per section: ``dense`` (I), ``denoising`` (II), ``speed``
  (III/IV), ``vae.train`` (V);
* judging them: ``hygiene`` (test data stays out of fitting), ``metrics``, ``baselines`` (PCA, classical
  filters, speed baselines), ``zupt`` (physics), ``ele494`` (the report's numbers);
* showing them: ``plotting``, ``widgets``, ``notes`` (closing comments);
* records and documents: ``results`` (records, the verdict rule), ``tables``, ``report``, ``publish``,
  ``provenance``;
* running: ``profiles``, ``notebook`` (per-notebook session), ``units`` (one notebook, one seed), ``runner``,
  ``cluster`` (Dask), ``cli``.
"""

import importlib.util
import logging
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


class _NoRetracingAdvice(logging.Filter):
    """Drop TensorFlow's "triggered tf.function retracing" advice: each new model is traced once, on purpose,
    and the advice (meant for loops that retrace one function) only clutters notebooks and the Voila app."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


logging.getLogger("tensorflow").addFilter(_NoRetracingAdvice())
