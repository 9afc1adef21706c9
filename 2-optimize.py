#!/usr/bin/env python3
"""Compile a Keras network with Adam and categorical cross-entropy."""
import math
import numbers

import tensorflow as tf
import tensorflow.keras as K

# Batches each call of the compiled training step runs: fewer round trips
# between Python and TensorFlow, the same arithmetic batch for batch
_STEPS_PER_EXECUTION = 32


def optimize_model(network, alpha, beta1, beta2):
    """Compile `network` for classification with the Adam optimizer.

    The compiled step runs several batches per call into TensorFlow (one
    under a `tf.distribute` strategy on Keras 3), which changes the speed of
    `fit`, `evaluate` and `predict`, not their results.

    Args:
        network: The Keras model to compile.
        alpha: Learning rate.
        beta1: Exponential decay rate of Adam's first moment.
        beta2: Exponential decay rate of Adam's second moment.
    """
    _check_arguments(alpha, beta1, beta2)

    optimizer = K.optimizers.Adam(
        learning_rate=float(alpha),
        beta_1=float(beta1),
        beta_2=float(beta2))
    network.compile(
        optimizer=optimizer,
        loss='categorical_crossentropy',
        metrics=['accuracy'],
        steps_per_execution=_steps_per_execution(network))


def _check_arguments(alpha, beta1, beta2):
    """Raise a ValueError naming the first hyper-parameter out of range."""
    if not _is_real(alpha) or alpha <= 0:
        raise ValueError(
            '`alpha` must be a positive learning rate. '
            'Received: alpha={!r}'.format(alpha))
    for name, beta in (('beta1', beta1), ('beta2', beta2)):
        if not _is_real(beta) or not 0 <= beta < 1:
            raise ValueError(
                '`{}` must be a decay rate in [0, 1). '
                'Received: {}={!r}'.format(name, name, beta))


def _steps_per_execution(network):
    """Return how many batches one call of the compiled step may run."""
    # Keras 3's multi-batch step fails under tf.distribute with a Placeholder
    # error (TensorFlow 2.21, Keras 3.15; see keras-team/keras#19246)
    if _keras_major() >= 3 and _is_distributed(network):
        return 1
    return _STEPS_PER_EXECUTION


def _is_distributed(network):
    """Return whether `network` trains under a `tf.distribute` strategy."""
    strategy = getattr(network, 'distribute_strategy', None)
    return tf.distribute.has_strategy() or (
        strategy is not None and strategy is not tf.distribute.get_strategy())


def _keras_major():
    """Return the major version of the Keras behind tensorflow.keras."""
    # Keras 2 inside TensorFlow (and tf-keras) has no __version__ there
    return int(str(getattr(K, '__version__', '2')).split('.')[0])


def _is_real(value):
    """Return whether `value` is a finite real number (bool excluded)."""
    return (isinstance(value, numbers.Real)
            and not isinstance(value, bool) and math.isfinite(value))
