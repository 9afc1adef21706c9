#!/usr/bin/env python3
"""Make predictions with a Keras network."""
import numpy as np


def predict(network, data, verbose=False):
    """Predict the class probabilities of `data`.

    Args:
        network: The Keras model to predict with.
        data: `numpy.ndarray` of shape `(m, nx)`, the input data.
        verbose: Whether Keras prints progress.

    Returns:
        `numpy.ndarray` of shape `(m, classes)`, the network's outputs.
    """
    _check_data(network, data)

    return network.predict(np.asarray(data), verbose=verbose)


def _check_data(network, data):
    """Check that `data` holds samples of the network's input shape."""
    data_shape = np.shape(data)
    if len(data_shape) < 1 or data_shape[0] == 0:
        raise ValueError(
            '`data` must hold at least one sample. Received: data of shape '
            '{}'.format(data_shape))
    inputs = getattr(network, 'inputs', None)
    if not inputs:
        return
    features = tuple(inputs[0].shape[1:])
    if len(data_shape) != len(features) + 1 or any(
            size is not None and size != actual
            for size, actual in zip(features, data_shape[1:])):
        raise ValueError(
            '`data` must have shape (m,) + {}, the input shape of the '
            'network. Received: data of shape {}'.format(
                features, data_shape))
