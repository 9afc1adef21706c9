"""Shared fixtures: the task modules by file name, tiny seeded data."""
import importlib
import os
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), 'shared')
FIXTURES = os.path.join(SHARED, 'fixtures')
sys.path.insert(0, ROOT)

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

import tensorflow.keras as K  # noqa: E402


def task(name):
    """Import a task module by its file name, as the course mains do."""
    return importlib.import_module(name)


def keras_major():
    """Return 3 under Keras 3 and 2 under Keras 2 (either install)."""
    return int(K.__version__.split('.')[0]) if hasattr(K, '__version__') \
        else 2


@pytest.fixture(autouse=True)
def fresh_keras():
    """Give every test a fresh Keras state: layer names and seeds."""
    K.backend.clear_session()
    K.utils.set_random_seed(0)
    yield


@pytest.fixture
def tiny_data():
    """Return 64 train and 32 validation samples of a 20-feature, 3-class
    problem that a small network learns in a few epochs."""
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(3, 20)).astype(np.float32) * 2
    labels = rng.integers(0, 3, size=96)
    data = centers[labels] + rng.normal(size=(96, 20)).astype(np.float32)
    one_hot = np.eye(3, dtype=np.float32)[labels]
    return (data[:64], one_hot[:64]), (data[64:], one_hot[64:])


# Deprecation notices raised inside Keras itself on some lines (see
# pytest.ini); a task function is quiet when it raises nothing else.
KERAS_INTERNAL_NOTICES = (
    'non-integer arguments to randrange',
    "__array__ implementation doesn't accept a copy",
)


def loud_warnings(caught):
    """Return the messages of recorded warnings that are not Keras's own."""
    return [str(warning.message) for warning in caught
            if not str(warning.message).startswith(KERAS_INTERNAL_NOTICES)]


def small_network(keep_prob=1.0, alpha=0.01, builder='1-input'):
    """Return a compiled 20 -> 16 -> 3 network for the tiny data."""
    network = task(builder).build_model(
        20, [16, 3], ['relu', 'softmax'], 0.001, keep_prob)
    task('2-optimize').optimize_model(network, alpha, 0.9, 0.999)
    return network


def history_rate(history):
    """Return the learning rates a History logged (`lr` on Keras 2)."""
    logs = history.history
    return logs['learning_rate'] if 'learning_rate' in logs else logs['lr']
