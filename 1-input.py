#!/usr/bin/env python3
"""Build a dense Keras network with the functional API."""
import math
import numbers

import tensorflow.keras as K


def build_model(nx, layers, activations, lambtha, keep_prob):
    """Build a dense network with L2 regularization and dropout.

    Every Dense layer has an L2 kernel regularizer of `lambtha`; a Dropout
    layer of rate `1 - keep_prob` follows every Dense layer but the last.

    Args:
        nx: Number of input features.
        layers: List of the number of units in each layer.
        activations: List of the activation of each layer, as long as
            `layers`.
        lambtha: L2 regularization factor.
        keep_prob: Probability that dropout keeps a node.

    Returns:
        The uncompiled `K.Model`, its input layer first.
    """
    _check_arguments(nx, layers, activations, lambtha, keep_prob)

    inputs = K.Input(shape=(int(nx),))
    outputs = inputs
    for index, (units, activation) in enumerate(zip(layers, activations)):
        if index > 0:
            outputs = K.layers.Dropout(1 - float(keep_prob))(outputs)
        outputs = K.layers.Dense(
            int(units),
            activation=activation,
            kernel_regularizer=K.regularizers.L2(float(lambtha)))(outputs)
    return K.Model(inputs=inputs, outputs=outputs)


def _check_arguments(nx, layers, activations, lambtha, keep_prob):
    """Raise a ValueError naming the first argument that cannot work."""
    if not _is_count(nx):
        raise ValueError(
            '`nx` must be a positive integer, the number of input features. '
            'Received: nx={!r}'.format(nx))
    if isinstance(layers, str) or not hasattr(layers, '__len__'):
        raise TypeError(
            '`layers` must be a list of unit counts. '
            'Received: layers={!r}'.format(layers))
    if isinstance(activations, str) or not hasattr(activations, '__len__'):
        raise TypeError(
            '`activations` must be a list of activation names. '
            'Received: activations={!r}'.format(activations))
    if len(layers) == 0:
        raise ValueError(
            '`layers` must hold at least one layer. '
            'Received: layers={!r}'.format(layers))
    if len(layers) != len(activations):
        raise ValueError(
            '`layers` and `activations` must have the same length, one '
            'activation per layer. Received: len(layers)={}, '
            'len(activations)={}'.format(len(layers), len(activations)))
    for index, units in enumerate(layers):
        if not _is_count(units):
            raise ValueError(
                'Each entry of `layers` must be a positive integer number '
                'of units. Received: layers[{}]={!r}'.format(index, units))
    for index, activation in enumerate(activations):
        try:
            K.activations.get(activation)
        except (TypeError, ValueError):
            raise ValueError(
                'Each entry of `activations` must be an activation that '
                'Keras knows, such as \'relu\' or \'softmax\'. '
                'Received: activations[{}]={!r}'.format(index, activation)
            ) from None
    if not _is_real(lambtha) or lambtha < 0:
        raise ValueError(
            '`lambtha` must be a non-negative L2 factor. '
            'Received: lambtha={!r}'.format(lambtha))
    if not _is_real(keep_prob) or not 0 < keep_prob <= 1:
        raise ValueError(
            '`keep_prob` must be a probability in (0, 1]. '
            'Received: keep_prob={!r}'.format(keep_prob))


def _is_count(value):
    """Return whether `value` is a positive integer (bool excluded)."""
    return (isinstance(value, numbers.Integral)
            and not isinstance(value, bool) and value > 0)


def _is_real(value):
    """Return whether `value` is a finite real number (bool excluded)."""
    return (isinstance(value, numbers.Real)
            and not isinstance(value, bool) and math.isfinite(value))
