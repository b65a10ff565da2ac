"""FLOPs counted from layers, checked against hand counts of the report's models."""

from helpers.lab import roofline
from helpers.models import conv_autoencoder, dense_autoencoder, speed_model


def test_conv_autoencoders_count_their_multiply_adds():
    # conv-32: 28·28·9·32 + 14·14·9·32·32 + 7·7·9·32·32 (transposed, per input pixel) + 14·14·9·32
    assert roofline.forward_flops(conv_autoencoder(32)) == 2 * 2_540_160
    assert roofline.forward_flops(conv_autoencoder(64)) == 2 * 9_596_160
    assert roofline.training_flops(conv_autoencoder(32)) == 3 * 2 * 2_540_160


def test_dense_and_lstm_layers():
    assert roofline.forward_flops(dense_autoencoder("dense-32")) == 2 * (784 * 32 + 32 * 784)
    lstm = speed_model("lstm-8x1")  # 600 steps of 6 channels into 8 units, then a Dense(1)
    assert roofline.forward_flops(lstm) == 2 * 600 * 4 * 8 * (6 + 8) + 2 * 8


def test_the_matmul_peak_is_the_fastest_try_of_2_n3_flops_per_product(monkeypatch):
    """The peak is 2·n³ FLOPs per product, times the products per try, over the fastest of three tries."""
    ticks = iter([0.0, 0.5, 10.0, 10.25, 20.0, 20.4])  # tries of 0.5, 0.25 and 0.4 s
    monkeypatch.setattr(roofline.time, "perf_counter", lambda: next(ticks))
    assert roofline.matmul_peak_gflops("float32", n=128, repeats=2) == 2 * 128**3 * 2 / 0.25 / 1e9
