"""Tests of validation (5-train), early stopping (6-train) and learning
rate decay (7-train), each also checked in the files that inherit it."""
import re
import warnings

import numpy as np
import pytest

from conftest import history_rate, loud_warnings, small_network, task


@pytest.mark.parametrize('module', ['5-train', '8-train'])
def test_train_model_validation_history(module, tiny_data):
    """With validation data, every epoch logs val_loss and val_accuracy."""
    (data, labels), validation = tiny_data
    network = small_network()

    history = task(module).train_model(network, data, labels, 16, 3,
                                       validation_data=validation,
                                       verbose=False)

    assert sorted(history.history) == [
        'accuracy', 'loss', 'val_accuracy', 'val_loss']
    assert all(len(values) == 3 for values in history.history.values())
    loss, accuracy = network.evaluate(*validation, batch_size=16, verbose=0)
    assert history.history['val_loss'][-1] == pytest.approx(loss, rel=1e-6)
    assert history.history['val_accuracy'][-1] == pytest.approx(accuracy)


def test_train_model_without_validation_has_no_val_keys(tiny_data):
    """validation_data=None trains as 4-train does."""
    (data, labels), _ = tiny_data

    history = task('5-train').train_model(small_network(), data, labels, 16,
                                          2, verbose=False)

    assert sorted(history.history) == ['accuracy', 'loss']


def _diverging_validation(data, labels):
    """Validation data whose labels are rolled by one class: the better the
    network fits the training data, the worse its validation loss."""
    return data, np.roll(labels, 1, axis=1)


@pytest.mark.parametrize('module, patience', [
    ('6-train', 0), ('6-train', 2), ('7-train', 1), ('8-train', 2)])
def test_train_model_early_stopping_stops(module, patience, tiny_data):
    """Training stops after `patience` epochs without improvement (at
    least one: Keras's patience 0 stops at the first worse epoch)."""
    (data, labels), _ = tiny_data
    network = small_network(alpha=0.05)

    history = task(module).train_model(
        network, data, labels, 16, 30,
        validation_data=_diverging_validation(data, labels),
        early_stopping=True, patience=patience, verbose=False)

    losses = history.history['val_loss']
    assert len(losses) < 30
    assert len(losses) == int(np.argmin(losses)) + max(patience, 1) + 1


@pytest.mark.parametrize('module', ['6-train', '8-train'])
def test_train_model_early_stopping_skipped_without_validation(
        module, tiny_data):
    """early_stopping without validation data runs every epoch, silently."""
    (data, labels), _ = tiny_data

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        history = task(module).train_model(
            small_network(), data, labels, 16, 3, early_stopping=True,
            verbose=False)

    assert len(history.history['loss']) == 3
    assert loud_warnings(caught) == []


@pytest.mark.parametrize('module, alpha, decay_rate', [
    ('7-train', 0.001, 1), ('7-train', 0.1, 0.5), ('7-train', 0.003, 0),
    ('8-train', 0.001, 1)])
def test_train_model_learning_rate_decay(module, alpha, decay_rate,
                                         tiny_data, capfd):
    """Epoch e runs at alpha / (1 + decay_rate * e); Keras says so, once
    per epoch, even with verbose=False."""
    (data, labels), validation = tiny_data
    network = small_network()

    history = task(module).train_model(
        network, data, labels, 16, 4, validation_data=validation,
        learning_rate_decay=True, alpha=alpha, decay_rate=decay_rate,
        verbose=False)

    expected = [alpha / (1 + decay_rate * epoch) for epoch in range(4)]
    np.testing.assert_array_equal(
        np.float32(history_rate(history)), np.float32(expected))
    assert np.asarray(network.optimizer.learning_rate) == \
        np.float32(expected[-1])
    printed = re.findall(r'Epoch (\d+): LearningRateScheduler setting '
                         r'learning rate to (\S+)\.\n',
                         capfd.readouterr().out)
    assert printed == [(str(epoch + 1), repr(rate))
                       for epoch, rate in enumerate(expected)]


@pytest.mark.parametrize('module', ['7-train', '8-train'])
def test_train_model_decay_skipped_without_validation(module, tiny_data,
                                                      capfd):
    """Decay without validation data keeps the compiled rate, says nothing."""
    (data, labels), _ = tiny_data
    network = small_network(alpha=0.01)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        history = task(module).train_model(
            network, data, labels, 16, 2, learning_rate_decay=True,
            alpha=0.5, verbose=False)

    assert sorted(history.history) == ['accuracy', 'loss']
    assert np.asarray(network.optimizer.learning_rate) == np.float32(0.01)
    assert capfd.readouterr().out == ''
    assert loud_warnings(caught) == []
