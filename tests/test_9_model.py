"""Tests of 9-model.save_model and load_model on the running Keras line."""
import json
import logging
import os
import stat
import warnings
import zipfile

import h5py
import numpy as np
import pytest

from conftest import loud_warnings, small_network, task

NAMES = ['x.h5', 'x.hdf5', 'x.keras', 'x']
BUILDERS = ['0-sequential', '1-input']
DATA = np.random.default_rng(0).normal(size=(64, 20)).astype(np.float32)
LABELS = np.eye(3, dtype=np.float32)[
    np.random.default_rng(1).integers(0, 3, 64)]


def _train(builder='1-input', keep_prob=0.9):
    """Return a small network trained for 8 steps (2 epochs of 4)."""
    network = small_network(keep_prob=keep_prob, builder=builder)
    network.fit(DATA, LABELS, batch_size=16, epochs=2, verbose=0,
                shuffle=False)
    return network


@pytest.fixture(scope='module')
def trained():
    """Return one trained network per builder, shared by the tests that
    only save it: training is what would make these tests slow."""
    return {builder: _train(builder) for builder in BUILDERS}


def _outputs(network):
    """Return the network's inference output on DATA."""
    return np.array(network(DATA, training=False))


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
        tmp_path, trained, builder, name):
    """The loaded model predicts the same and carries Adam and its state."""
    network = trained[builder]
    filename = str(tmp_path / name)

    task('9-model').save_model(network, filename)
    loaded = task('9-model').load_model(filename)

    assert _files(tmp_path) == [name]
    assert loaded.__class__ is network.__class__
    np.testing.assert_array_equal(_outputs(loaded), _outputs(network))
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


@pytest.mark.parametrize('name', ['network1.h5', 'network1.keras'])
def test_load_model_keeps_training_like_the_saved_model(tmp_path, name):
    """Issue 2: a reloaded model evaluates, then trains on exactly as the
    saved one does (same iterations and Adam moments)."""
    network = _train(keep_prob=1.0)
    filename = str(tmp_path / name)
    task('9-model').save_model(network, filename)
    loaded = task('9-model').load_model(filename)

    expected = network.evaluate(DATA, LABELS, verbose=0)
    np.testing.assert_allclose(loaded.evaluate(DATA, LABELS, verbose=0),
                               expected, rtol=1e-6)
    network.fit(DATA, LABELS, batch_size=16, epochs=1, verbose=0,
                shuffle=False)
    loaded.fit(DATA, LABELS, batch_size=16, epochs=1, verbose=0,
               shuffle=False)

    assert int(np.array(loaded.optimizer.iterations)) == 12
    for saved, restored in zip(network.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(restored, saved, rtol=1e-5, atol=1e-7)


def test_save_model_h5_then_keras_keeps_adam(tmp_path, trained):
    """Issue 2: Keras 3's HDF5 writer dropped the optimizer from the model's
    compile config, so a later .keras save came back with RMSprop."""
    network = trained['1-input']

    task('9-model').save_model(network, str(tmp_path / 'a.h5'))
    task('9-model').save_model(network, str(tmp_path / 'b.keras'))
    loaded = task('9-model').load_model(str(tmp_path / 'b.keras'))

    assert type(loaded.optimizer).__name__ == 'Adam'
    assert (_hyper_parameters(loaded.optimizer)
            == _hyper_parameters(network.optimizer))
    assert int(np.array(loaded.optimizer.iterations)) == 8


@pytest.mark.parametrize('name', NAMES)
def test_save_model_writes_the_format_the_name_asks_for(
        tmp_path, trained, name):
    """A .keras name gets a zip archive, any other an HDF5 model file."""
    filename = str(tmp_path / name)

    task('9-model').save_model(trained['1-input'], filename)

    if name.endswith('.keras'):
        with zipfile.ZipFile(filename) as archive:
            assert 'config.json' in archive.namelist()
            assert 'model.weights.h5' in archive.namelist()
    else:
        with h5py.File(filename, 'r') as hdf5:
            assert 'model_config' in hdf5.attrs
            assert 'training_config' in hdf5.attrs
            assert 'optimizer_weights' in hdf5


def test_save_model_file_has_the_usual_permissions(tmp_path, trained):
    """The renamed temporary file is as readable as one open() creates."""
    filename = str(tmp_path / 'x.h5')
    with open(str(tmp_path / 'plain'), 'w'):
        pass

    task('9-model').save_model(trained['1-input'], filename)

    assert (stat.S_IMODE(os.stat(filename).st_mode)
            == stat.S_IMODE(os.stat(str(tmp_path / 'plain')).st_mode))


@pytest.mark.parametrize('saved_as, renamed', [
    ('x.h5', 'network1.keras'),
    ('x.h5', 'network1'),
    ('x.keras', 'network1.h5'),
    ('x.keras', 'network1'),
], ids=['hdf5-named-keras', 'hdf5-no-extension', 'zip-named-h5',
        'zip-no-extension'])
def test_load_model_decides_by_content(tmp_path, trained, saved_as,
                                       renamed):
    """A file loads by what it holds, whatever its name says."""
    network = trained['0-sequential']
    task('9-model').save_model(network, str(tmp_path / saved_as))
    os.rename(str(tmp_path / saved_as), str(tmp_path / renamed))

    loaded = task('9-model').load_model(str(tmp_path / renamed))

    np.testing.assert_array_equal(_outputs(loaded), _outputs(network))
    assert int(np.array(loaded.optimizer.iterations)) == 8


@pytest.mark.parametrize('name', ['x.h5', 'x.keras'])
def test_save_model_replaces_an_existing_file(tmp_path, trained, name):
    """Saving over a file leaves the new model and no temporary file."""
    filename = str(tmp_path / name)
    task('9-model').save_model(trained['0-sequential'], filename)

    task('9-model').save_model(trained['1-input'], filename)

    assert _files(tmp_path) == [name]
    loaded = task('9-model').load_model(filename)
    assert loaded.__class__ is trained['1-input'].__class__
    np.testing.assert_array_equal(_outputs(loaded),
                                  _outputs(trained['1-input']))


@pytest.mark.parametrize('name', ['x.h5', 'x.keras', 'x'])
def test_save_model_failure_keeps_the_previous_file(
        tmp_path, trained, monkeypatch, name):
    """A save that fails midway leaves the old file byte for byte, and no
    temporary file behind."""
    network = trained['1-input']
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


def test_save_model_missing_folder_is_named(tmp_path):
    """A folder that does not exist is named, and not created."""
    folder = tmp_path / 'missing'

    with pytest.raises(FileNotFoundError, match='missing'):
        task('9-model').save_model(small_network(), str(folder / 'x.h5'))

    assert not folder.exists()


def test_save_model_empty_name_is_refused():
    """An empty file name is a ValueError."""
    with pytest.raises(ValueError, match='filename'):
        task('9-model').save_model(small_network(), '')


def test_load_model_missing_file_names_the_path(tmp_path):
    """A missing file is a FileNotFoundError naming it."""
    filename = str(tmp_path / 'nothing.h5')

    with pytest.raises(FileNotFoundError, match='nothing.h5'):
        task('9-model').load_model(filename)


@pytest.mark.parametrize('content', [
    b'hello, this is text\n',
    json.dumps({'weights': [1, 2, 3]}).encode(),
    b'\x89HDF\r\n\x1a\n' + b'\0' * 100,
    b'PK\x05\x06' + b'\0' * 18,
], ids=['text', 'json', 'truncated-hdf5', 'empty-zip'])
def test_load_model_other_kinds_of_file_are_value_errors(tmp_path, content):
    """Text, JSON that is no model, a truncated HDF5 file and a zip that is
    no Keras archive are refused by name."""
    filename = str(tmp_path / 'network1.h5')
    with open(filename, 'wb') as handle:
        handle.write(content)

    with pytest.raises(ValueError, match='network1.h5'):
        task('9-model').load_model(filename)


@pytest.mark.parametrize('name', ['x.h5', 'x.keras'])
def test_load_model_truncated_real_file_is_a_value_error(
        tmp_path, trained, name):
    """The first half of a real model file is refused by name."""
    filename = str(tmp_path / name)
    task('9-model').save_model(trained['1-input'], filename)
    with open(filename, 'rb') as handle:
        content = handle.read()
    with open(filename, 'wb') as handle:
        handle.write(content[:len(content) // 2])

    with pytest.raises(ValueError, match=name):
        task('9-model').load_model(filename)


def test_load_model_weights_only_file_is_a_value_error(tmp_path, trained):
    """A weights file is not a model: the error names it."""
    filename = str(tmp_path / 'weights.h5')
    trained['1-input'].save_weights(str(tmp_path / 'weights.weights.h5'))
    os.rename(str(tmp_path / 'weights.weights.h5'), filename)

    with pytest.raises(ValueError, match='weights.h5'):
        task('9-model').load_model(filename)


@pytest.mark.parametrize('name', NAMES)
def test_load_model_is_quiet(tmp_path, trained, caplog, name):
    """Loading emits no Python warning and no Keras or absl WARNING."""
    filename = str(tmp_path / name)
    task('9-model').save_model(trained['1-input'], filename)
    caplog.clear()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        with caplog.at_level(logging.WARNING):
            task('9-model').load_model(filename)

    assert loud_warnings(caught) == []
    assert [record.getMessage() for record in caplog.records
            if record.levelno >= logging.WARNING] == []


def test_load_model_uncompiled_file_gives_uncompiled_model(tmp_path):
    """A model saved before compiling comes back uncompiled."""
    network = task('1-input').build_model(20, [4, 3], ['relu', 'softmax'],
                                          0.0, 1.0)
    filename = str(tmp_path / 'x.h5')
    task('9-model').save_model(network, filename)

    loaded = task('9-model').load_model(filename)

    np.testing.assert_array_equal(_outputs(loaded), _outputs(network))
    assert getattr(loaded, 'optimizer', None) is None


@pytest.mark.parametrize('name', ['x.h5', 'x.keras'])
def test_load_model_of_a_second_network_in_the_process(tmp_path, name):
    """Layer names grow with each network in a process (dense_2, ...), but
    the .keras archive names its entries after the layer classes."""
    small_network()
    network = small_network()
    assert network.layers[1].name == 'dense_2'
    filename = str(tmp_path / name)

    task('9-model').save_model(network, filename)
    loaded = task('9-model').load_model(filename)

    np.testing.assert_array_equal(_outputs(loaded), _outputs(network))


def test_load_model_of_a_checkpoint_prefix_is_a_value_error(
        tmp_path, trained):
    """A 'tf' weights checkpoint is no model: the error says so."""
    prefix = str(tmp_path / 'weights')
    task('10-weights').save_weights(trained['1-input'], prefix,
                                    save_format='tf')

    with pytest.raises(ValueError, match='load_weights'):
        task('9-model').load_model(prefix)


@pytest.mark.parametrize('saver', ['save_model', 'save_weights',
                                   'save_config'])
@pytest.mark.parametrize('name', ['folder', 'folder/', '.'],
                         ids=['dir', 'slash', 'dot'])
def test_savers_refuse_a_folder_for_a_file(tmp_path, monkeypatch, saver,
                                           name):
    """A folder as file name was written to a temporary file first, then
    failed naming that file (for '.', in the parent folder)."""
    (tmp_path / 'work' / 'folder').mkdir(parents=True)
    monkeypatch.chdir(tmp_path / 'work')
    module = {'save_model': '9-model', 'save_weights': '10-weights',
              'save_config': '11-config'}[saver]

    with pytest.raises(ValueError, match=r'names a folder.*filename='):
        getattr(task(module), saver)(small_network(), name)

    assert _files(tmp_path) == ['work']
    assert _files(tmp_path / 'work') == ['folder']
    assert _files(tmp_path / 'work' / 'folder') == []


@pytest.mark.parametrize('loader', ['load_model', 'load_weights',
                                    'load_config'])
@pytest.mark.parametrize('filename', [None, b'x.h5', 5],
                         ids=['none', 'bytes', 'number'])
def test_loaders_refuse_what_is_no_path(loader, filename):
    """None, bytes or a number as file name name `filename`."""
    module = {'load_model': '9-model', 'load_weights': '10-weights',
              'load_config': '11-config'}[loader]
    arguments = (small_network(), filename) if loader == 'load_weights' \
        else (filename,)

    with pytest.raises(TypeError, match=r'`filename` must be a path.*'
                                        r'filename='):
        getattr(task(module), loader)(*arguments)
