"""The report's architectures, with exactly its parameter counts."""

import numpy as np
import pytest

from helpers import models


@pytest.mark.parametrize("name", list(models.DENSE_ARCHITECTURES))
def test_dense_parameter_counts(name):
    model = models.dense_autoencoder(name)
    assert model.count_params() == models.PARAM_COUNTS[name]
    assert model.output_shape == (None, 784)
    assert [layer.activation.__name__ for layer in model.layers[1:]] == ["relu"] * (len(model.layers) - 2) + ["sigmoid"]


def test_unknown_architecture_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown dense architecture 'dense-7'.*dense-32"):
        models.dense_autoencoder("dense-7")


def test_dense_output_is_in_unit_interval():
    out = np.asarray(models.dense_autoencoder("dense-32")(np.random.rand(3, 784).astype("float32")))
    assert out.shape == (3, 784) and out.min() >= 0 and out.max() <= 1


@pytest.mark.parametrize("filters", [32, 64])
def test_conv_parameter_counts(filters):
    model = models.conv_autoencoder(filters)
    assert model.count_params() == models.PARAM_COUNTS[f"conv-{filters}"]
    assert model.output_shape == (None, 28, 28, 1)


def test_unknown_conv_width_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown filter width 48"):
        models.conv_autoencoder(48)
