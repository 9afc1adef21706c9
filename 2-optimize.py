#!/usr/bin/env python3
"""Compile a Keras network with Adam and categorical cross-entropy."""
import math
import numbers

import tensorflow.keras as K


def optimize_model(network, alpha, beta1, beta2):
    """Compile `network` for classification with the Adam optimizer.

    Args:
        network: The Keras model to compile.
        alpha: Learning rate.
        beta1: Exponential decay rate of Adam's first moment.
        beta2: Exponential decay rate of Adam's second moment.
    """
    _check_arguments(alpha, beta1, beta2)

    optimizer = K.optimizers.Adam(
        learning_rate=alpha,
        beta_1=beta1,
        beta_2=beta2)
    network.compile(
        optimizer=optimizer,
        loss='categorical_crossentropy',
        metrics=['accuracy'])


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


def _is_real(value):
    """Return whether `value` is a finite real number (bool excluded)."""
    return (isinstance(value, numbers.Real)
            and not isinstance(value, bool) and math.isfinite(value))
