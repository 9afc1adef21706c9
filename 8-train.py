#!/usr/bin/env python3
"""Train a Keras network, optionally saving the best model as it goes."""
import math
import numbers
import os
import tempfile

import numpy as np
import tensorflow as tf
import tensorflow.keras as K


def train_model(network, data, labels, batch_size, epochs,
                validation_data=None, early_stopping=False, patience=0,
                learning_rate_decay=False, alpha=0.1, decay_rate=1,
                save_best=False, filepath=None, verbose=True, shuffle=False):
    """Train `network` with mini-batch gradient descent.

    Early stopping, learning rate decay and best-model saving all watch the
    validation data, and are skipped silently when there is none, except
    `save_best`, which needs it. The decayed learning rate of 0-based epoch
    `e` is `alpha / (1 + decay_rate * e)`; Keras prints it every epoch.

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
        learning_rate_decay: Whether to decay the learning rate by inverse
            time every epoch.
        alpha: Initial learning rate of the decay.
        decay_rate: Decay rate of the decay.
        save_best: Whether to save the model after every epoch whose
            validation loss is the lowest so far.
        filepath: Where to save the best model; `.keras` names get a Keras
            archive, any other name a legacy HDF5 file.
        verbose: Whether Keras prints progress.
        shuffle: Whether to reshuffle the batches every epoch.

    Returns:
        The `History` object of the training.
    """
    _check_strategy(network)
    _check_arguments(network, data, labels, batch_size, epochs,
                     validation_data)
    _check_callbacks(validation_data, patience, learning_rate_decay, alpha,
                     decay_rate, save_best, filepath)

    callbacks = []
    if validation_data is not None and early_stopping:
        callbacks.append(K.callbacks.EarlyStopping(
            monitor='val_loss',
            patience=patience))
    if validation_data is not None and learning_rate_decay:
        def schedule(epoch):
            return alpha / (1 + decay_rate * epoch)
        callbacks.append(K.callbacks.LearningRateScheduler(
            schedule,
            verbose=1))
    if save_best:
        callbacks.append(_BestModelSaver(filepath))

    return network.fit(
        np.asarray(data),
        np.asarray(labels),
        batch_size=batch_size,
        epochs=epochs,
        verbose=verbose,
        shuffle=shuffle,
        validation_data=_as_arrays(validation_data),
        callbacks=callbacks)


class _BestModelSaver(K.callbacks.Callback):
    """Save the whole model after each epoch of lowest validation loss.

    Unlike `K.callbacks.ModelCheckpoint`, it writes to exactly `filepath`
    whatever its extension, on every Keras generation, and atomically.
    """

    def __init__(self, filepath):
        super().__init__()
        self.filepath = filepath
        self.best = np.inf

    def on_epoch_end(self, epoch, logs=None):
        """Save the model if its validation loss is the lowest so far."""
        loss = (logs or {}).get('val_loss')
        if loss is not None and loss < self.best:
            self.best = loss
            _save_model(self.model, self.filepath)


def _save_model(network, filename):
    """Save `network` to exactly `filename` without ever leaving it partial.

    The model is written under a temporary name in the same folder, whose
    extension tells Keras the format (`.keras` for a `.keras` target, HDF5
    for any other), then renamed over `filename`.
    """
    folder, base = os.path.split(os.path.abspath(filename))
    extension = '.keras' if str(filename).endswith('.keras') else '.h5'
    # A random name, not mkstemp, so the file gets the usual permissions
    temporary = os.path.join(folder, '.{}.{}{}'.format(
        base, os.urandom(4).hex(), extension))
    # Keras 3's HDF5 writer pops the optimizer from the model's private
    # compile config, and a later .keras save would lose it: keep a copy
    compile_config = getattr(getattr(network, '_compile_config', None),
                             'config', None)
    kept = dict(compile_config) if isinstance(compile_config, dict) else {}
    try:
        network.save(temporary)
        os.replace(temporary, filename)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
        if kept:
            compile_config.update(kept)


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


def _check_callbacks(validation_data, patience, learning_rate_decay, alpha,
                     decay_rate, save_best, filepath):
    """Raise a ValueError naming the first callback setting that is wrong."""
    if (not isinstance(patience, numbers.Integral)
            or isinstance(patience, bool) or patience < 0):
        raise ValueError(
            '`patience` must be a non-negative integer number of epochs. '
            'Received: patience={!r}'.format(patience))
    if learning_rate_decay:
        if not _is_real(alpha) or not alpha > 0:
            raise ValueError(
                '`alpha` must be a positive learning rate. '
                'Received: alpha={!r}'.format(alpha))
        if not _is_real(decay_rate) or not decay_rate >= 0:
            raise ValueError(
                '`decay_rate` must be a non-negative number. '
                'Received: decay_rate={!r}'.format(decay_rate))
    if not save_best:
        return
    if not isinstance(filepath, (str, os.PathLike)) or not str(filepath):
        raise ValueError(
            '`filepath` must name the file to save the best model to when '
            '`save_best` is on. Received: filepath={!r}'.format(filepath))
    if os.path.isdir(filepath) or str(filepath).endswith(('/', os.sep)):
        raise ValueError(
            '`filepath` names a folder: give the name of a file in it. '
            'Received: filepath={!r}'.format(str(filepath)))
    if validation_data is None:
        raise ValueError(
            '`save_best` needs `validation_data`: the best model is the one '
            'of lowest validation loss. Received: validation_data=None')
    folder = os.path.dirname(os.path.abspath(filepath))
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            'The folder of `filepath` does not exist: {}. Create it first. '
            'Received: filepath={!r}'.format(folder, filepath))


def _is_real(value):
    """Return whether `value` is a finite real number (bool excluded)."""
    return (isinstance(value, numbers.Real)
            and not isinstance(value, bool) and math.isfinite(value))


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
