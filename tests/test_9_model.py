"""Tests of 9-model.save_model and load_model on the running Keras line."""
import json
import logging
import os
import warnings
import zipfile

import h5py
import numpy as np
import pytest
import tensorflow.keras as K

from conftest import loud_warnings, small_network, task

NAMES = ['x.h5', 'x.hdf5', 'x.keras', 'x']
BUILDERS = ['0-sequential', '1-input']


def _trained(tiny_data, builder='1-input', keep_prob=1.0, epochs=2):
    """Return a small network trained on the tiny data for a few steps."""
    (data, labels), _ = tiny_data
    network = small_network(keep_prob=keep_prob, builder=builder)
    network.fit(data, labels, batch_size=16, epochs=epochs, verbose=0,
                shuffle=False)
    return network


def _optimizer_state(network):
    """Return the iteration count and the Adam moments, as arrays."""
    optimizer = network.optimizer
    moments = [np.array(variable) for variable in optimizer.variables
               if len(variable.shape) > 0]
    return int(np.array(optimizer.iterations)), moments


def _hyper_parameters(optimizer):
    """Return Adam's hyper-parameters as plain floats."""
    return [float(np.array(optimizer.learning_rate)),
            float(np.array(optimizer.beta_1)),
            float(np.array(optimizer.beta_2)),
            float(np.array(optimizer.epsilon))]


def _files(folder):
    """Return the sorted names in folder, hidden ones included."""
    return sorted(os.listdir(folder))


@pytest.mark.parametrize('builder', BUILDERS, ids=['sequential', 'functional'])
@pytest.mark.parametrize('name', NAMES)
def test_load_model_restores_weights_optimizer_and_state(
        tmp_path, tiny_data, builder, name):
    """The loaded model predicts the same and carries Adam and its state."""
    network = _trained(tiny_data, builder)
    filename = str(tmp_path / name)
    (data, labels), _ = tiny_data

    task('9-model').save_model(network, filename)
    loaded = task('9-model').load_model(filename)

    assert _files(tmp_path) == [name]
    np.testing.assert_array_equal(loaded.predict(data, verbose=0),
                                  network.predict(data, verbose=0))
    for saved, restored in zip(network.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(restored, saved)
    assert type(loaded.optimizer).__name__ == 'Adam'
    assert (_hyper_parameters(loaded.optimizer)
            == _hyper_parameters(network.optimizer))
    iterations, moments = _optimizer_state(network)
    loaded_iterations, loaded_moments = _optimizer_state(loaded)
    assert loaded_iterations == iterations == 8
    assert len(loaded_moments) == len(moments) == 8
    for saved, restored in zip(moments, loaded_moments):
        np.testing.assert_array_equal(restored, saved)
    assert loaded.loss == 'categorical_crossentropy'


@pytest.mark.parametrize('name', NAMES)
def test_load_model_keeps_training_like_the_saved_model(
        tmp_path, tiny_data, name):
    """Issue 2: a reloaded model trains on exactly as the saved one would."""
    network = _trained(tiny_data)
    filename = str(tmp_path / name)
    task('9-model').save_model(network, filename)
    loaded = task('9-model').load_model(filename)
    (data, labels), (valid_data, valid_labels) = tiny_data

    expected = network.evaluate(valid_data, valid_labels, verbose=0)
    assert loaded.evaluate(valid_data, valid_labels, verbose=0) == expected
    network.fit(data, labels, batch_size=16, epochs=1, verbose=0,
                shuffle=False)
    loaded.fit(data, labels, batch_size=16, epochs=1, verbose=0,
               shuffle=False)

    assert int(np.array(loaded.optimizer.iterations)) == 12
    for saved, restored in zip(network.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(restored, saved, rtol=1e-5, atol=1e-7)


def test_save_model_h5_then_keras_keeps_adam(tmp_path, tiny_data):
    """Issue 2: Keras 3's HDF5 writer dropped the optimizer from the model's
    compile config, so a later .keras save came back with RMSprop."""
    network = _trained(tiny_data)

    task('9-model').save_model(network, str(tmp_path / 'a.h5'))
    task('9-model').save_model(network, str(tmp_path / 'b.keras'))
    loaded = task('9-model').load_model(str(tmp_path / 'b.keras'))

    assert type(loaded.optimizer).__name__ == 'Adam'
    assert (_hyper_parameters(loaded.optimizer)
            == _hyper_parameters(network.optimizer))
    assert int(np.array(loaded.optimizer.iterations)) == 8


@pytest.mark.parametrize('name', NAMES)
def test_save_model_writes_the_format_the_name_asks_for(
        tmp_path, tiny_data, name):
    """A .keras name gets a zip archive, any other an HDF5 model file."""
    network = _trained(tiny_data)
    filename = str(tmp_path / name)

    task('9-model').save_model(network, filename)

    if name.endswith('.keras'):
        with zipfile.ZipFile(filename) as archive:
            assert 'config.json' in archive.namelist()
            assert 'model.weights.h5' in archive.namelist()
    else:
        with h5py.File(filename, 'r') as hdf5:
            assert 'model_config' in hdf5.attrs
            assert 'training_config' in hdf5.attrs
            assert 'optimizer_weights' in hdf5


@pytest.mark.parametrize('saved_as, renamed', [
    ('x.h5', 'network1.keras'),
    ('x.h5', 'network1'),
    ('x.keras', 'network1.h5'),
    ('x.keras', 'network1'),
], ids=['hdf5-named-keras', 'hdf5-no-extension', 'zip-named-h5',
        'zip-no-extension'])
def test_load_model_decides_by_content(tmp_path, tiny_data, saved_as,
                                       renamed):
    """A file loads by what it holds, whatever its name says."""
    network = _trained(tiny_data)
    (data, _), _ = tiny_data
    task('9-model').save_model(network, str(tmp_path / saved_as))
    os.rename(str(tmp_path / saved_as), str(tmp_path / renamed))

    loaded = task('9-model').load_model(str(tmp_path / renamed))

    np.testing.assert_array_equal(loaded.predict(data, verbose=0),
                                  network.predict(data, verbose=0))
    assert int(np.array(loaded.optimizer.iterations)) == 8


def test_save_model_replaces_an_existing_file(tmp_path, tiny_data):
    """Saving over a file leaves the new model and no temporary file."""
    network = _trained(tiny_data)
    filename = str(tmp_path / 'x.h5')
    task('9-model').save_model(network, filename)
    (data, labels), _ = tiny_data
    network.fit(data, labels, batch_size=16, epochs=1, verbose=0)

    task('9-model').save_model(network, filename)

    assert _files(tmp_path) == ['x.h5']
    loaded = task('9-model').load_model(filename)
    assert int(np.array(loaded.optimizer.iterations)) == 12


@pytest.mark.parametrize('name', ['x.h5', 'x.keras', 'x'])
def test_save_model_failure_keeps_the_previous_file(
        tmp_path, tiny_data, monkeypatch, name):
    """A save that fails midway leaves the old file byte for byte."""
    network = _trained(tiny_data)
    filename = str(tmp_path / name)
    task('9-model').save_model(network, filename)
    with open(filename, 'rb') as handle:
        before = handle.read()

    def broken_save(model, path, *args, **kwargs):
        with open(path, 'wb') as handle:
            handle.write(b'partial')
        raise OSError('disk full')

    monkeypatch.setattr(type(network), 'save', broken_save)
    with pytest.raises(OSError, match='disk full'):
        task('9-model').save_model(network, filename)

    with open(filename, 'rb') as handle:
        assert handle.read() == before
    assert _files(tmp_path) == [name]


def test_save_model_missing_folder_is_named(tmp_path, tiny_data):
    """A folder that does not exist is named, and not created."""
    network = _trained(tiny_data, epochs=1)
    folder = tmp_path / 'missing'

    with pytest.raises(FileNotFoundError, match='missing'):
        task('9-model').save_model(network, str(folder / 'x.h5'))

    assert not folder.exists()


def test_save_model_empty_name_is_refused(tiny_data):
    """An empty file name is a ValueError."""
    network = _trained(tiny_data, epochs=1)

    with pytest.raises(ValueError, match='filename'):
        task('9-model').save_model(network, '')


def test_load_model_missing_file_names_the_path(tmp_path):
    """A missing file is a FileNotFoundError naming it."""
    filename = str(tmp_path / 'nothing.h5')

    with pytest.raises(FileNotFoundError, match='nothing.h5'):
        task('9-model').load_model(filename)


@pytest.mark.parametrize('content', [
    b'hello, this is text\n',
    json.dumps({'weights': [1, 2, 3]}).encode(),
    b'\x89HDF\r\n\x1a\n' + b'\0' * 100,
], ids=['text', 'json', 'truncated-hdf5'])
def test_load_model_other_kinds_of_file_are_value_errors(tmp_path, content):
    """Text, JSON that is no model and a truncated HDF5 file are refused."""
    filename = str(tmp_path / 'network1.h5')
    with open(filename, 'wb') as handle:
        handle.write(content)

    with pytest.raises(ValueError, match='network1.h5'):
        task('9-model').load_model(filename)


def test_load_model_truncated_real_file_is_a_value_error(
        tmp_path, tiny_data):
    """The first half of a real HDF5 model file is refused by name."""
    network = _trained(tiny_data, epochs=1)
    filename = str(tmp_path / 'network1.h5')
    task('9-model').save_model(network, filename)
    with open(filename, 'rb') as handle:
        content = handle.read()
    with open(filename, 'wb') as handle:
        handle.write(content[:len(content) // 2])

    with pytest.raises(ValueError, match='network1.h5'):
        task('9-model').load_model(filename)


def test_load_model_weights_only_file_is_a_value_error(tmp_path, tiny_data):
    """A weights file is not a model: the error names it."""
    network = _trained(tiny_data, epochs=1)
    filename = str(tmp_path / 'weights.h5')
    network.save_weights(str(tmp_path / 'weights.weights.h5'))
    os.rename(str(tmp_path / 'weights.weights.h5'), filename)

    with pytest.raises(ValueError, match='weights.h5'):
        task('9-model').load_model(filename)


@pytest.mark.parametrize('name', NAMES)
def test_load_model_is_quiet(tmp_path, tiny_data, caplog, name):
    """Loading emits no Python warning and no Keras or absl WARNING."""
    network = _trained(tiny_data)
    filename = str(tmp_path / name)
    task('9-model').save_model(network, filename)
    caplog.clear()
    (data, labels), _ = tiny_data

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        with caplog.at_level(logging.WARNING):
            loaded = task('9-model').load_model(filename)
            loaded.evaluate(data, labels, verbose=0)

    assert loud_warnings(caught) == []
    assert [record.getMessage() for record in caplog.records
            if record.levelno >= logging.WARNING] == []


def test_load_model_uncompiled_file_gives_uncompiled_model(
        tmp_path, tiny_data):
    """A model saved before compiling comes back uncompiled."""
    network = task('1-input').build_model(20, [4, 3], ['relu', 'softmax'],
                                          0.0, 1.0)
    filename = str(tmp_path / 'x.h5')
    task('9-model').save_model(network, filename)
    (data, _), _ = tiny_data

    loaded = task('9-model').load_model(filename)

    np.testing.assert_array_equal(loaded.predict(data, verbose=0),
                                  network.predict(data, verbose=0))
    assert getattr(loaded, 'optimizer', None) is None


@pytest.mark.parametrize('name', ['x.h5', 'x.keras'])
def test_load_model_of_a_second_network_in_the_process(
        tmp_path, tiny_data, name):
    """Layer names grow with each network in a process (dense_2, ...), but
    the .keras archive names its entries after the layer classes."""
    small_network()
    network = _trained(tiny_data, epochs=1)
    assert network.layers[1].name == 'dense_2'
    filename = str(tmp_path / name)
    (data, _), _ = tiny_data

    task('9-model').save_model(network, filename)
    loaded = task('9-model').load_model(filename)

    np.testing.assert_array_equal(loaded.predict(data, verbose=0),
                                  network.predict(data, verbose=0))
