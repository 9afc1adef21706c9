"""Tests of best-model saving in 8-train.train_model."""
import os

import numpy as np
import pytest
import tensorflow.keras as K

from conftest import small_network, task

NAMES = ['best.h5', 'best.hdf5', 'best.keras', 'checkpoints/best', 'best']


@pytest.mark.parametrize('name', NAMES)
def test_train_model_saves_best_model(name, tiny_data, tmp_path, capfd):
    """The file at exactly `filepath`, whatever its extension, reloads and
    scores the lowest validation loss of the History."""
    (data, labels), validation = tiny_data
    (tmp_path / 'checkpoints').mkdir()
    filepath = str(tmp_path / name)
    network = small_network(keep_prob=0.8, alpha=0.05)

    history = task('8-train').train_model(
        network, data, labels, 16, 6,
        validation_data=(validation[0], np.roll(validation[1], 1, axis=1)),
        save_best=True, filepath=filepath, verbose=False)

    losses = history.history['val_loss']
    assert int(np.argmin(losses)) < len(losses) - 1, 'no later worse epoch'
    assert capfd.readouterr().out == ''
    folder = os.path.dirname(filepath)
    expected = {os.path.basename(filepath)}
    if folder == str(tmp_path):
        expected.add('checkpoints')
    assert set(os.listdir(folder)) == expected, 'temporary file left'
    best = task('9-model').load_model(filepath)
    loss, _ = best.evaluate(validation[0], np.roll(validation[1], 1, axis=1),
                            batch_size=16, verbose=0)
    assert loss == pytest.approx(min(losses), rel=1e-6)


def test_train_model_keras_name_gets_archive(tiny_data, tmp_path):
    """`.keras` names get the zip archive, other names an HDF5 file."""
    (data, labels), validation = tiny_data
    network = small_network()

    for name in ['best.keras', 'best.h5']:
        task('8-train').train_model(
            network, data, labels, 16, 1, validation_data=validation,
            save_best=True, filepath=str(tmp_path / name), verbose=False)

    with open(tmp_path / 'best.keras', 'rb') as archive:
        assert archive.read(4) == b'PK\x03\x04'
    with open(tmp_path / 'best.h5', 'rb') as hdf5:
        assert hdf5.read(8) == b'\x89HDF\r\n\x1a\n'


def test_train_model_saved_file_permissions(tiny_data, tmp_path):
    """The best model is readable by others as any saved file is."""
    (data, labels), validation = tiny_data
    filepath = tmp_path / 'best.h5'
    umask = os.umask(0o022)
    try:
        task('8-train').train_model(
            small_network(), data, labels, 16, 1, validation_data=validation,
            save_best=True, filepath=str(filepath), verbose=False)
    finally:
        os.umask(umask)

    assert oct(filepath.stat().st_mode & 0o777) == oct(0o644)


def test_train_model_save_best_keeps_optimizer(tiny_data, tmp_path):
    """The best model comes back with Adam and can train on at once."""
    (data, labels), validation = tiny_data
    filepath = str(tmp_path / 'best.keras')
    task('8-train').train_model(
        small_network(), data, labels, 16, 2, validation_data=validation,
        save_best=True, filepath=filepath, verbose=False)

    best = task('9-model').load_model(filepath)
    history = task('8-train').train_model(best, data, labels, 16, 1,
                                          verbose=False)

    assert isinstance(best.optimizer, K.optimizers.Adam)
    assert len(history.history['loss']) == 1
