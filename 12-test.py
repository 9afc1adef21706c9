#!/usr/bin/env python3
"""Evaluate a Keras network on labelled data."""
import numpy as np


def test_model(network, data, labels, verbose=True):
    """Evaluate `network` on `data` and its one-hot `labels`.

    Args:
        network: The compiled Keras model to evaluate.
        data: `numpy.ndarray` of shape `(m, nx)`, the input data.
        labels: `numpy.ndarray` of shape `(m, classes)`, the one-hot labels.
        verbose: Whether Keras prints progress.

    Returns:
        `[loss, accuracy]` of the network on the data, as Python floats.
    """
    data_shape = np.shape(data)
    labels_shape = np.shape(labels)
    if (len(labels_shape) != 2 or len(data_shape) < 1
            or data_shape[0] != labels_shape[0]):
        raise ValueError(
            '`data` and `labels` must hold the same number of samples, '
            'with one-hot labels of shape (m, classes). Received: data of '
            'shape {}, labels of shape {}'.format(data_shape, labels_shape))

    return [float(value) for value in network.evaluate(
        data,
        labels,
        verbose=verbose)]
