#!/usr/bin/env python3
"""Find, and if need be build, the MNIST file the mains and tests read."""
import os
import tempfile

import numpy as np


ROOT = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PATH = os.path.join(ROOT, 'data', 'MNIST.npz')
KEYS = ('X_train', 'Y_train', 'X_valid', 'Y_valid', 'X_test', 'Y_test')
TRAIN_SIZE = 50000


def mnist_path():
    """Return the path of the MNIST file, building the file if needed.

    The file named by the environment variable `MNIST_NPZ` wins; it must be
    an absolute path to an existing file. Without `MNIST_NPZ`, the file is
    `data/MNIST.npz` under the repository root, built once from Keras's own
    MNIST download when it does not exist yet.

    Returns:
        The absolute path of an existing `.npz` file.
    """
    variable = os.environ.get('MNIST_NPZ', '')
    if variable:
        if not os.path.isabs(variable):
            raise ValueError(
                'MNIST_NPZ must be an absolute path to the MNIST .npz file. '
                f'Received: MNIST_NPZ={variable!r}'
            )
        if not os.path.isfile(variable):
            raise FileNotFoundError(
                f'MNIST_NPZ names no file. Received: MNIST_NPZ={variable!r}'
            )
        return variable

    if not os.path.isfile(DEFAULT_PATH):
        _build(DEFAULT_PATH)
    return DEFAULT_PATH


def load_mnist():
    """Load the MNIST training, validation and test sets.

    Returns:
        A tuple `(X_train, Y_train, X_valid, Y_valid, X_test, Y_test)`:
        images as `numpy.ndarray` of shape (m, 28, 28), float32 in [0, 1],
        and labels as integer `numpy.ndarray` of shape (m,).
    """
    path = mnist_path()

    with np.load(path) as archive:
        missing = [key for key in KEYS if key not in archive.files]
        if missing:
            raise ValueError(
                f'{path} is not an MNIST file: it lacks the keys {missing}. '
                f'Expected the keys {list(KEYS)}.'
            )
        return tuple(archive[key] for key in KEYS)


def _download():
    """Return Keras's MNIST as `((x_train, y_train), (x_test, y_test))`."""
    # Imported here: only building the file needs TensorFlow.
    from tensorflow.keras.datasets import mnist

    return mnist.load_data()


def _build(path):
    """Write the 50,000 / 10,000 / 10,000 split of Keras's MNIST to `path`.

    The file appears under its final name only once it is complete.
    """
    try:
        (x_train, y_train), (x_test, y_test) = _download()
    except Exception as error:
        raise FileNotFoundError(
            f'No MNIST file found and the download failed ({error}). Set '
            'MNIST_NPZ to the absolute path of an MNIST .npz file, or place '
            f'one at {path}.'
        ) from error

    arrays = {
        'X_train': x_train[:TRAIN_SIZE],
        'Y_train': y_train[:TRAIN_SIZE],
        'X_valid': x_train[TRAIN_SIZE:],
        'Y_valid': y_train[TRAIN_SIZE:],
        'X_test': x_test,
        'Y_test': y_test,
    }
    for key in ('X_train', 'X_valid', 'X_test'):
        arrays[key] = arrays[key].astype(np.float32) / np.float32(255)

    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        prefix='.MNIST-', suffix='.tmp', dir=folder
    )
    try:
        with os.fdopen(descriptor, 'wb') as handle:
            np.savez_compressed(handle, **arrays)
        # mkstemp makes the file private; give it the usual permissions.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        os.remove(temporary)
        raise


def _umask():
    """Return the process's file creation mask, leaving it unchanged."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
