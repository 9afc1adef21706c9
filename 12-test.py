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
    _check_samples(network, data, labels)

    return [float(value) for value in network.evaluate(
        np.asarray(data),
        np.asarray(labels),
        verbose=verbose)]


def _check_samples(network, data, labels):
    """Check that `data` and `labels` fit `network` and each other.

    Keras fails inside `evaluate` otherwise, and a model that has never
    been evaluated cannot be evaluated again after such a failure.
    """
    data_shape = np.shape(data)
    labels_shape = np.shape(labels)
    if len(labels_shape) != 2:
        raise ValueError(
            '`labels` must be one-hot, of shape (m, classes). Received: '
            'labels of shape {}'.format(labels_shape))
    if len(data_shape) < 1 or data_shape[0] != labels_shape[0]:
        raise ValueError(
            '`data` and `labels` must hold the same number of samples. '
            'Received: data of shape {}, labels of shape {}'.format(
                data_shape, labels_shape))
    if data_shape[0] == 0:
        raise ValueError(
            '`data` must hold at least one sample. Received: data of shape '
            '{}'.format(data_shape))
    inputs = getattr(network, 'inputs', None)
    outputs = getattr(network, 'outputs', None)
    if not inputs or not outputs:
        return
    features = tuple(inputs[0].shape[1:])
    classes = outputs[0].shape[-1]
    if len(data_shape) != len(features) + 1 or any(
            size is not None and size != actual
            for size, actual in zip(features, data_shape[1:])):
        raise ValueError(
            '`data` must have shape (m,) + {}, the input shape of the '
            'network. Received: data of shape {}'.format(
                features, data_shape))
    if classes is not None and labels_shape[1] != classes:
        raise ValueError(
            '`labels` must have {} columns, one per output of the network. '
            'Received: labels of shape {}'.format(classes, labels_shape))
