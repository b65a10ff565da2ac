"""The report's architectures, with exactly its parameter counts."""

import numpy as np
import pytest

from helpers import models


@pytest.mark.parametrize("name", list(models.DENSE_ARCHITECTURES))
def test_dense_parameter_counts(name):
    model = models.dense_autoencoder(name)
    assert model.count_params() == models.PARAM_COUNTS[name]
    assert model.output_shape == (None, 784)
    assert [layer.activation.__name__ for layer in model.layers[1:]] == ["relu"] * (len(model.layers) - 2) + [
        "sigmoid"
    ]


def test_any_dense_family_member_builds_and_bad_names_show_the_grammar():
    # dense-8: 784*8 + 8 + 8*784 + 784 parameters; dense-512-8-512 adds the two 512-unit layers.
    assert models.dense_autoencoder("dense-8").count_params() == 784 * 8 + 8 + 8 * 784 + 784
    assert models.dense_autoencoder("dense-512-8-512").count_params() == (
        784 * 512 + 512 + 512 * 8 + 8 + 8 * 512 + 512 + 512 * 784 + 784
    )
    assert models.code_size("dense-512-8-512") == 8
    for bad in ("dense-0", "dense-x", "dense", "conv-32", "dense-8-"):
        with pytest.raises(ValueError, match=r"Unknown dense architecture.*dense-<units>.*dense-512-8-512"):
            models.dense_autoencoder(bad)


def test_dense_output_is_in_unit_interval():
    out = np.asarray(models.dense_autoencoder("dense-32")(np.random.rand(3, 784).astype("float32")))
    assert out.shape == (3, 784) and out.min() >= 0 and out.max() <= 1


@pytest.mark.parametrize("filters", [32, 64])
def test_conv_parameter_counts(filters):
    model = models.conv_autoencoder(filters)
    assert model.count_params() == models.PARAM_COUNTS[f"conv-{filters}"]
    assert model.output_shape == (None, 28, 28, 1)


def test_any_conv_width_keeps_the_structure_and_bad_widths_are_clear_errors():
    # Conv(1->f) + Conv(f->f) + ConvT(f->f) + ConvT(f->1), 3x3 kernels with biases.
    f = 8
    assert models.conv_autoencoder(f).count_params() == (9 * f + f) + 2 * (9 * f * f + f) + (9 * f + 1)
    for bad in (0, -4, 2.5, "32"):
        with pytest.raises(ValueError, match="positive whole number"):
            models.conv_autoencoder(bad)


def test_stacked_lstm_family_and_the_report_lstm():
    assert models.speed_model("lstm-200x3").count_params() == models.PARAM_COUNTS["report-lstm"]
    assert models.speed_model("seed-lstm").count_params()  # the old name, still accepted
    assert models.speed_model("report-lstm").count_params() == models.PARAM_COUNTS["report-lstm"]
    assert models.speed_model("lstm-16x1").count_params() == 4 * (16 * (6 + 16) + 16) + 17
    with pytest.raises(ValueError, match=r"lstm-<units>x<layers>"):
        models.check_speed_model("lstm-0x2")


def test_zupt_residual_untrained_is_zupt_and_reads_its_speed_from_the_7th_channel():
    from helpers import imu

    subject = imu.simulate_subject(1, windows_per_speed=4)
    norm = imu.Normaliser.fit([subject], zupt_channel=True)
    x, y = imu.WindowSequence([subject], norm, 64, shuffle=False)[0]
    assert x.shape == (48, 600, 7)
    np.testing.assert_allclose(x[:, 0, 6], subject.zupt_speeds(), rtol=1e-6)  # ZUPT's km/h, every window
    assert np.all(x[:, :, 6] == x[:, :1, 6])  # the same at every step
    model = models.speed_model("zupt-residual")
    np.testing.assert_allclose(model.predict(x, verbose=0).ravel(), x[:, 0, 6], rtol=1e-6)
    assert abs(np.mean(x[:, 0, 6] - y)) < 0.5  # ZUPT is near the truth before any training
    plain = imu.WindowSequence([subject], imu.Normaliser.fit([subject]), 64, shuffle=False)[0][0]
    assert plain.shape == (48, 600, 6)
