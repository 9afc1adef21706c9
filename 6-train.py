#!/usr/bin/env python3
"""Train a Keras network with optional early stopping."""
import numbers

import numpy as np
import tensorflow as tf
import tensorflow.keras as K


def train_model(network, data, labels, batch_size, epochs,
                validation_data=None, early_stopping=False, patience=0,
                verbose=True, shuffle=False):
    """Train `network` with mini-batch gradient descent.

    Early stopping watches the validation loss, and is skipped silently
    when there is no validation data.

    Args:
        network: The compiled Keras model to train.
        data: `numpy.ndarray` of shape `(m, nx)`, the input data.
        labels: `numpy.ndarray` of shape `(m, classes)`, the one-hot labels.
        batch_size: Number of samples per gradient step.
        epochs: Number of passes over `data`.
        validation_data: `(data, labels)` to validate on after each epoch,
            or `None`.
        early_stopping: Whether to stop once the validation loss has not
            improved for `patience` epochs.
        patience: Number of epochs without improvement to wait.
        verbose: Whether Keras prints progress.
        shuffle: Whether to reshuffle the batches every epoch.

    Returns:
        The `History` object of the training.
    """
    _check_strategy(network)
    _check_arguments(network, data, labels, batch_size, epochs,
                     validation_data)
    _check_callbacks(patience)

    callbacks = []
    if validation_data is not None and early_stopping:
        callbacks.append(K.callbacks.EarlyStopping(
            monitor='val_loss',
            patience=patience))

    return network.fit(
        np.asarray(data),
        np.asarray(labels),
        batch_size=batch_size,
        epochs=epochs,
        verbose=verbose,
        shuffle=shuffle,
        validation_data=_as_arrays(validation_data),
        callbacks=callbacks)


def _as_arrays(pair):
    """Return a `(data, labels)` pair as NumPy arrays, or `None`."""
    return None if pair is None else tuple(np.asarray(part) for part in pair)


def _check_arguments(network, data, labels, batch_size, epochs,
                     validation_data):
    """Raise a ValueError naming the first argument fit would choke on."""
    for name, value in (('batch_size', batch_size), ('epochs', epochs)):
        if (not isinstance(value, numbers.Integral)
                or isinstance(value, bool) or value < 1):
            raise ValueError(
                '`{}` must be a positive integer. '
                'Received: {}={!r}'.format(name, name, value))
    _check_samples(network, data, labels, 'data', 'labels')
    if validation_data is None:
        return
    if (not isinstance(validation_data, (tuple, list))
            or len(validation_data) != 2):
        raise ValueError(
            '`validation_data` must be a pair (data, labels). '
            'Received: validation_data of type {}{}'.format(
                type(validation_data).__name__,
                ' and length {}'.format(len(validation_data))
                if isinstance(validation_data, (tuple, list)) else ''))
    _check_samples(network, validation_data[0], validation_data[1],
                   'validation_data[0]', 'validation_data[1]')


def _check_samples(network, data, labels, data_name, labels_name):
    """Check that `data` and `labels` fit `network` and each other."""
    data_shape = np.shape(data)
    labels_shape = np.shape(labels)
    if len(labels_shape) != 2:
        raise ValueError(
            '`{}` must be one-hot, of shape (m, classes). Received: {} of '
            'shape {}'.format(labels_name, labels_name, labels_shape))
    if len(data_shape) < 1 or data_shape[0] != labels_shape[0]:
        raise ValueError(
            '`{}` and `{}` must hold the same number of samples. '
            'Received: {} of shape {}, {} of shape {}'.format(
                data_name, labels_name, data_name, data_shape, labels_name,
                labels_shape))
    if data_shape[0] == 0:
        raise ValueError(
            '`{}` must hold at least one sample. Received: {} of shape '
            '{}'.format(data_name, data_name, data_shape))
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
            '`{}` must have shape (m,) + {}, the input shape of the '
            'network. Received: {} of shape {}'.format(
                data_name, features, data_name, data_shape))
    if classes is not None and labels_shape[1] != classes:
        raise ValueError(
            '`{}` must have {} columns, one per output of the network. '
            'Received: {} of shape {}'.format(
                labels_name, classes, labels_name, labels_shape))


def _check_callbacks(patience):
    """Raise a ValueError if the early stopping setting is wrong."""
    if (not isinstance(patience, numbers.Integral)
            or isinstance(patience, bool) or patience < 0):
        raise ValueError(
            '`patience` must be a non-negative integer number of epochs. '
            'Received: patience={!r}'.format(patience))


def _check_strategy(network):
    """Refuse a distribution strategy under which `fit` cannot train."""
    strategy = getattr(network, 'distribute_strategy', None)
    if strategy is None:
        strategy = tf.distribute.get_strategy()
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return
    replicas = strategy.num_replicas_in_sync
    local_replicas = len(strategy.extended.worker_devices)
    # Until keras-team/keras#20585 is fixed, Keras 3's fit fails here.
    if _keras_major() >= 3 and replicas > local_replicas:
        raise RuntimeError(
            'Keras 3 cannot train under MultiWorkerMirroredStrategy with '
            'several workers: its fit fails there (keras-team/keras#20585, '
            'open since TensorFlow 2.16). Train with Keras 2 instead: '
            '`pip install tf-keras` and start every worker with '
            'TF_USE_LEGACY_KERAS=1 (or use TensorFlow 2.15). Received: {} '
            'replicas in sync, {} on this worker, Keras {}'.format(
                replicas, local_replicas, K.__version__))


def _keras_major():
    """Return the major version of the Keras behind tensorflow.keras."""
    # Keras 2 inside TensorFlow (and tf-keras) has no __version__ there
    return int(str(getattr(K, '__version__', '2')).split('.')[0])
