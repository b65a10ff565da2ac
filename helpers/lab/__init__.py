"""The machinery that runs, stores and records the lesson; a student can read the notebooks without it.

* running: ``cli`` (``python -m helpers``), ``runner`` (notebooks with papermill), ``units`` (one notebook,
  one seed), ``cluster`` (Dask), ``notebook`` (each notebook's session: it installs the hooks below);
* storing: ``store`` (trained weights and remembered scores, yours and the published ones, plugged in
  through :mod:`helpers.hooks`), ``gait_reference`` (fetching and checking the real walk), ``recordings``
  (your own IMU files);
* recording: ``provenance``, ``results`` (records and the verdict rule), ``tables``, ``notes``, ``report``,
  ``publish``, ``roofline``.

The lesson (``helpers``' top-level modules) never imports from here; import-linter checks it.
"""
