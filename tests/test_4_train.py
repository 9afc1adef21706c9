"""Tests of 4-train.train_model."""
import numpy as np
import tensorflow.keras as K

from conftest import small_network, task


def test_train_model_history(tiny_data):
    """Two epochs log the loss and accuracy of each epoch, loss falling."""
    (data, labels), _ = tiny_data
    network = small_network()

    history = task('4-train').train_model(network, data, labels, 16, 2,
                                          verbose=False)

    assert sorted(history.history) == ['accuracy', 'loss']
    assert len(history.history['loss']) == 2
    assert history.epoch == [0, 1]
    assert history.history['loss'][1] < history.history['loss'][0]
    assert int(network.optimizer.iterations.numpy()) == 8


def test_train_model_is_reproducible(tiny_data):
    """shuffle=False by default: the same seed gives the same training."""
    (data, labels), _ = tiny_data
    runs = []
    for _ in range(2):
        K.utils.set_random_seed(3)
        network = small_network()
        history = task('4-train').train_model(network, data, labels, 16, 2,
                                              verbose=False)
        runs.append((history.history['loss'], network.get_weights()))

    assert runs[0][0] == runs[1][0]
    for first, second in zip(runs[0][1], runs[1][1]):
        np.testing.assert_array_equal(first, second)


def test_train_model_verbose_prints_progress(tiny_data, capfd):
    """verbose=True shows Keras's progress, verbose=False nothing."""
    (data, labels), _ = tiny_data
    network = small_network()

    task('4-train').train_model(network, data, labels, 16, 1, verbose=False)
    quiet = capfd.readouterr().out
    task('4-train').train_model(network, data, labels, 16, 1)
    loud = capfd.readouterr().out

    assert quiet == ''
    assert '4/4' in loud and 'loss' in loud and 'accuracy' in loud
