#!/usr/bin/env python3
"""Make predictions with a Keras network."""


def predict(network, data, verbose=False):
    """Predict the class probabilities of `data`.

    Args:
        network: The Keras model to predict with.
        data: `numpy.ndarray` of shape `(m, nx)`, the input data.
        verbose: Whether Keras prints progress.

    Returns:
        `numpy.ndarray` of shape `(m, classes)`, the network's outputs.
    """
    return network.predict(data, verbose=verbose)
