"""The assignment report's own results (ELE494 "Autoencoders/LSTM networks"): the floor to beat."""

from __future__ import annotations

# Section I, test MSE per dense autoencoder.
DENSE_TEST_MSE = {
    "dense-32": 0.01296,
    "dense-64": 0.00907,
    "dense-128-32-128": 0.009809,
    "dense-128-64-128": 0.00829,
}

# Section II, test MSE against the clean images, by (filters, sigma).
CONV_TEST_MSE = {
    ("conv-32", 0.1): 0.003687,
    ("conv-32", 0.2): 0.006031,
    ("conv-32", 0.3): 0.009111,
    ("conv-64", 0.1): 0.0030992,
    ("conv-64", 0.2): 0.005457,
    ("conv-64", 0.3): 0.008227,
}

# Sections III/IV: the 3x200 LSTM's test MSE on subject 4, in (km/h)^2.
LSTM_TEST_MSE_KMH2 = 2.588


def report_value(record: dict) -> float | None:
    """The report's number comparable to ``record``'s headline metric, or None if it has none."""
    model, section = record.get("model"), record.get("section")
    if section == "I":
        return DENSE_TEST_MSE.get(model)
    if section == "II" and "sigma" in record:
        return CONV_TEST_MSE.get((model, round(float(record["sigma"]), 3)))
    if (
        section == "IV" and "test_rmse_kmh" in record and not record.get("protocol")
    ):  # the report's protocol only
        return LSTM_TEST_MSE_KMH2**0.5
    return None
