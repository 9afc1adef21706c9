"""The speed options of optimize_model change the speed of training, never
its results: the task files train as plain compile + fit does."""
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow.keras as K

from conftest import ROOT, task

TASK_FILES = ['0-sequential', '1-input', '2-optimize', '3-one_hot',
              '4-train', '5-train', '6-train', '7-train', '8-train',
              '9-model', '10-weights', '11-config', '12-test', '13-predict']


def _data(samples, seed):
    """Return `samples` rows of a 20-feature, 3-class problem."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(3, 20)).astype(np.float32) * 2
    classes = rng.integers(0, 3, size=samples)
    data = centers[classes] + rng.normal(size=(samples, 20)).astype(
        np.float32)
    return data, np.eye(3, dtype=np.float32)[classes]


def _network(keep_prob):
    """Return the uncompiled 20 -> 16 -> 16 -> 3 network, seed 7."""
    K.backend.clear_session()
    K.utils.set_random_seed(7)
    return task('1-input').build_model(
        20, [16, 16, 3], ['relu', 'relu', 'softmax'], 0.001, keep_prob)


def _plain_compile(network):
    """Compile as a user of plain Keras does: Adam, loss and metric."""
    network.compile(
        optimizer=K.optimizers.Adam(learning_rate=0.01, beta_1=0.9,
                                    beta_2=0.999),
        loss='categorical_crossentropy',
        metrics=['accuracy'])


class _StepCounter(K.callbacks.Callback):
    """Count the calls Keras makes to on_train_batch_end."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def on_train_batch_end(self, batch, logs=None):
        self.calls += 1


def test_optimize_model_runs_several_batches_per_call():
    """50 batches an epoch take 2 calls into TensorFlow (32 + 18), not 50;
    the optimizer still counts every batch."""
    data, labels = _data(200, 0)
    network = _network(1.0)
    task('2-optimize').optimize_model(network, 0.01, 0.9, 0.999)
    counter = _StepCounter()

    network.fit(data, labels, batch_size=4, epochs=2, verbose=0,
                callbacks=[counter])

    assert counter.calls == 4
    assert int(network.optimizer.iterations.numpy()) == 100


# 4-train and 8-train (every callback) in the fast tier, the rest slow
@pytest.mark.parametrize('module', [
    '4-train',
    pytest.param('5-train', marks=pytest.mark.slow),
    pytest.param('6-train', marks=pytest.mark.slow),
    pytest.param('7-train', marks=pytest.mark.slow),
    '8-train'])
def test_train_model_equals_plain_fit(module, tmp_path):
    """Without dropout, History and final weights equal those of plain
    compile + fit for the same seed, callbacks included; 34 batches an
    epoch end in a partial call into TensorFlow."""
    (data, labels), validation = _data(136, 0), _data(60, 1)
    options = {}
    if module != '4-train':
        options['validation_data'] = validation
    if module in ('6-train', '7-train', '8-train'):
        options.update(early_stopping=True, patience=1)
    if module in ('7-train', '8-train'):
        options.update(learning_rate_decay=True, alpha=0.01, decay_rate=1)
    if module == '8-train':
        options.update(save_best=True, filepath=str(tmp_path / 'best.h5'))

    network = _network(1.0)
    task('2-optimize').optimize_model(network, 0.01, 0.9, 0.999)
    history = task(module).train_model(network, data, labels, 4, 3,
                                       verbose=False, **options)
    ours = history.history, network.get_weights()

    network = _network(1.0)
    _plain_compile(network)
    callbacks = []
    if 'early_stopping' in options:
        callbacks.append(K.callbacks.EarlyStopping(monitor='val_loss',
                                                   patience=1))
    if 'learning_rate_decay' in options:
        callbacks.append(K.callbacks.LearningRateScheduler(
            lambda epoch: 0.01 / (1 + 1 * epoch)))
    history = network.fit(data, labels, batch_size=4, epochs=3, verbose=0,
                          shuffle=False, callbacks=callbacks,
                          validation_data=options.get('validation_data'))
    plain = history.history, network.get_weights()

    assert sorted(ours[0]) == sorted(plain[0])
    for key in plain[0]:
        np.testing.assert_allclose(ours[0][key], plain[0][key], rtol=1e-6,
                                   err_msg=key)
    for our_weight, plain_weight in zip(ours[1], plain[1]):
        np.testing.assert_allclose(our_weight, plain_weight, rtol=1e-6,
                                   atol=1e-9)


def test_train_model_progress_bar_counts_every_batch(capfd):
    """verbose=True still shows Keras's progress over all 50 batches."""
    data, labels = _data(200, 0)
    network = _network(1.0)
    task('2-optimize').optimize_model(network, 0.01, 0.9, 0.999)

    task('4-train').train_model(network, data, labels, 4, 1)

    output = capfd.readouterr().out
    assert '50/50' in output and 'loss' in output


def test_load_model_trains_several_batches_per_call(tmp_path):
    """A reloaded model runs as many batches per call as a compiled one,
    whichever format it was saved in."""
    data, labels = _data(200, 0)
    network = _network(1.0)
    task('2-optimize').optimize_model(network, 0.01, 0.9, 0.999)
    for name in ('x.h5', 'x.keras'):
        task('9-model').save_model(network, str(tmp_path / name))
        loaded = task('9-model').load_model(str(tmp_path / name))
        counter = _StepCounter()

        loaded.fit(data, labels, batch_size=4, epochs=1, verbose=0,
                   callbacks=[counter])

        assert counter.calls == 2, name


@pytest.mark.slow
def test_train_model_with_dropout_matches_plain_fit_on_mnist():
    """With dropout, training 2,000 real digits for 3 epochs ends within
    half a point of plain fit's validation accuracy."""
    load_mnist = task('mnist_data').load_mnist
    x_train, y_train, x_valid, y_valid = load_mnist()[:4]
    data = x_train[:2000].reshape(2000, -1)
    labels = np.eye(10, dtype=np.float32)[y_train[:2000]]
    validation = (x_valid[:1000].reshape(1000, -1),
                  np.eye(10, dtype=np.float32)[y_valid[:1000]])
    accuracies = []
    for side in ('ours', 'plain'):
        K.backend.clear_session()
        K.utils.set_random_seed(0)
        network = task('1-input').build_model(
            784, [256, 256, 10], ['relu', 'relu', 'softmax'], 0.0001, 0.95)
        if side == 'ours':
            task('2-optimize').optimize_model(network, 0.001, 0.9, 0.999)
            history = task('5-train').train_model(
                network, data, labels, 32, 3, validation_data=validation,
                verbose=False)
        else:
            network.compile(optimizer=K.optimizers.Adam(0.001, 0.9, 0.999),
                            loss='categorical_crossentropy',
                            metrics=['accuracy'])
            history = network.fit(data, labels, batch_size=32, epochs=3,
                                  verbose=0, shuffle=False,
                                  validation_data=validation)
        accuracies.append(history.history['val_accuracy'][-1])

    assert accuracies[0] > 0.85
    assert abs(accuracies[0] - accuracies[1]) <= 0.005


@pytest.mark.slow
def test_task_files_import_nothing_beyond_keras():
    """Importing every task file after tensorflow.keras loads no module
    outside the standard library."""
    script = (
        'import sys\n'
        'import tensorflow.keras\n'
        'before = set(sys.modules)\n'
        'for name in {names!r}:\n'
        '    __import__(name)\n'
        'print(sorted(name for name in set(sys.modules) - before\n'
        '             if name.split(".")[0] not in sys.stdlib_module_names\n'
        '             and name not in {names!r}))\n').format(names=TASK_FILES)
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='3')

    result = subprocess.run([sys.executable, '-c', script], cwd=ROOT,
                            env=environment, capture_output=True, text=True,
                            timeout=300)

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == '[]'
