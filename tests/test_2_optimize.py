"""Tests of 2-optimize.optimize_model."""
import warnings

import numpy as np
import pytest
import tensorflow.keras as K

from conftest import loud_warnings, task


def _network():
    return task('1-input').build_model(4, [3], ['softmax'], 0.0, 1.0)


def test_optimize_model_reads_back_hyper_parameters():
    """Loss, metric, optimizer class and its hyper-parameters read back."""
    network = _network()

    result = task('2-optimize').optimize_model(network, 0.001, 0.9, 0.999)

    assert result is None
    assert network.loss == 'categorical_crossentropy'
    assert type(network.optimizer).__name__ == 'Adam'
    learning_rate = network.optimizer.learning_rate
    assert learning_rate.dtype == 'float32'
    assert np.asarray(learning_rate) == np.float32(0.001)
    assert network.optimizer.beta_1 == 0.9
    assert network.optimizer.beta_2 == 0.999


def test_optimize_model_metrics_are_loss_and_accuracy():
    """evaluate returns the loss and the accuracy, in that order."""
    network = _network()
    task('2-optimize').optimize_model(network, 0.01, 0.9, 0.99)
    data = np.eye(4, dtype=np.float32)[:3]
    labels = np.eye(3, dtype=np.float32)

    loss, accuracy = network.evaluate(data, labels, verbose=0)

    probabilities = network.predict(data, verbose=0)
    cross_entropy = -np.mean(np.log(np.sum(probabilities * labels, axis=1)))
    assert loss == pytest.approx(cross_entropy, rel=1e-5)
    assert accuracy == pytest.approx(np.mean(
        np.argmax(probabilities, axis=1) == np.arange(3)))


def test_optimize_model_is_silent():
    """Compiling emits no Python warning."""
    network = _network()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        task('2-optimize').optimize_model(network, 0.001, 0.9, 0.999)

    assert loud_warnings(caught) == []


@pytest.mark.parametrize('arguments, message', [
    ((0, 0.9, 0.999), r'`alpha`.*alpha=0'),
    ((-0.1, 0.9, 0.999), r'`alpha`.*alpha=-0.1'),
    ((0.001, 1.0, 0.999), r'`beta1`.*\[0, 1\).*beta1=1.0'),
    ((0.001, 0.9, -0.1), r'`beta2`.*beta2=-0.1'),
    ((0.001, 0.9, 1), r'`beta2`.*beta2=1'),
    ((0.001, '0.9', 0.999), r"`beta1`.*beta1='0.9'"),
], ids=['alpha-zero', 'alpha-negative', 'beta1-one', 'beta2-negative',
        'beta2-one', 'beta1-string'])
def test_optimize_model_bad_input(arguments, message):
    """A bad hyper-parameter is refused and the network stays uncompiled."""
    network = _network()

    with pytest.raises(ValueError, match=message):
        task('2-optimize').optimize_model(network, *arguments)

    assert getattr(network, 'optimizer', None) is None


def test_optimize_model_numpy_and_integer_numbers():
    """np.float32 and int hyper-parameters compile on every line (Keras 3
    refused them)."""
    network = _network()

    task('2-optimize').optimize_model(network, np.float32(0.001),
                                      np.float64(0.9), 0)

    assert np.asarray(network.optimizer.learning_rate) == np.float32(0.001)
    assert network.optimizer.beta_1 == 0.9
    assert network.optimizer.beta_2 == 0
