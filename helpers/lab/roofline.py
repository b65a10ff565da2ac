"""How close a training runs to what this CPU can do: FLOPs per training image, counted from a model's
layers, and the machine's measured matrix-multiply peaks (float32, and bfloat16 where the CPU has AMX).

A training step costs about three forward passes (the forward pass, and a backward pass that computes
gradients for both activations and weights), so ``training_flops = 3 × forward_flops``; a multiply-add
counts as two FLOPs. Layers without multiply-adds worth counting (pooling, activations, noise) count zero.
"""

from __future__ import annotations

import math
import time

import keras

TRAINING_PASSES = 3  # forward + backward (activation and weight gradients)


def _shape(tensor_shape) -> tuple[int, ...]:
    return tuple(int(d) for d in tensor_shape[1:])


def forward_flops(model: keras.Model) -> int:
    """FLOPs of one image's (or window's) forward pass: 2 per multiply-add of every Dense, Conv1D/2D,
    Conv2DTranspose and LSTM layer, from the layers' own input and output shapes."""
    total = 0
    for layer in _layers(model):
        kind = type(layer).__name__
        if kind == "Dense":
            total += 2 * math.prod(_shape(layer.input.shape)) * layer.units
        elif kind in ("Conv1D", "Conv2D"):
            out = _shape(layer.output.shape)
            cin = _shape(layer.input.shape)[-1]
            total += 2 * math.prod(out[:-1]) * math.prod(layer.kernel_size) * cin * layer.filters
        elif kind == "Conv2DTranspose":  # every input pixel is spread over a kernel-sized patch
            inp = _shape(layer.input.shape)
            total += 2 * math.prod(inp[:-1]) * math.prod(layer.kernel_size) * inp[-1] * layer.filters
        elif kind == "LSTM":
            steps, features = _shape(layer.input.shape)
            total += 2 * steps * 4 * layer.units * (features + layer.units)
    return total


def _layers(model: keras.Model):
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _layers(layer)
        else:
            yield layer


def training_flops(model: keras.Model) -> int:
    """FLOPs of one training example's step: :data:`TRAINING_PASSES` forward passes."""
    return TRAINING_PASSES * forward_flops(model)


def matmul_peak_gflops(dtype: str = "float32", n: int = 2048, repeats: int = 20) -> float:
    """This machine's matrix-multiply throughput, GFLOP/s: ``repeats`` n×n products in one compiled function,
    best of three tries (TensorFlow backend)."""
    import tensorflow as tf

    a = tf.random.stateless_uniform((n, n), seed=(1, 2), dtype=tf.float32)
    a = tf.cast(a, dtype)

    @tf.function
    def chain(x):
        for _ in range(repeats):
            x = tf.matmul(x, a) * tf.constant(1e-3, dtype)
        return x

    chain(a).numpy()  # trace and warm up
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        chain(a).numpy()
        best = min(best, time.perf_counter() - t0)
    return 2 * n**3 * repeats / best / 1e9
