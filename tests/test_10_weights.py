"""Tests of 10-weights.save_weights and load_weights on the running line."""
import logging
import os
import warnings

import h5py
import numpy as np
import pytest

from conftest import loud_warnings, small_network, task

NAMES = ['x.h5', 'x.hdf5', 'x.keras', 'x.weights.h5', 'x']


def _network(builder='1-input', units=16):
    """Return a compiled 20 -> units -> 3 network with fresh weights."""
    network = task(builder).build_model(20, [units, 3], ['relu', 'softmax'],
                                        0.001, 1.0)
    task('2-optimize').optimize_model(network, 0.01, 0.9, 0.999)
    return network


@pytest.fixture(scope='module')
def trained():
    """Return one network per builder trained for one epoch (4 steps),
    shared by the tests that only save it."""
    rng = np.random.default_rng(0)
    data = rng.normal(size=(64, 20)).astype(np.float32)
    labels = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 64)]
    networks = {}
    for builder in ['0-sequential', '1-input']:
        networks[builder] = _network(builder)
        networks[builder].fit(data, labels, batch_size=16, epochs=1,
                              verbose=0)
    return networks


def _assert_same_weights(network, other):
    """Assert two networks hold identical weights."""
    assert len(network.get_weights()) == len(other.get_weights())
    for saved, restored in zip(network.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(restored, saved)


@pytest.mark.parametrize('builder', ['0-sequential', '1-input'],
                         ids=['sequential', 'functional'])
@pytest.mark.parametrize('save_format', ['h5', 'keras'])
@pytest.mark.parametrize('name', NAMES)
def test_load_weights_restores_identical_weights(
        tmp_path, trained, name, save_format, builder):
    """Weights saved under any name load into a fresh network unchanged."""
    network = trained[builder]
    fresh = _network(builder)
    filename = str(tmp_path / name)

    assert task('10-weights').save_weights(
        network, filename, save_format=save_format) is None
    assert task('10-weights').load_weights(fresh, filename) is None

    assert sorted(os.listdir(tmp_path)) == [name]
    _assert_same_weights(network, fresh)


def test_save_weights_default_format_course_case(tmp_path, trained):
    """Issue 2: save_weights(network, 'weights2.h5'), default format."""
    network = trained['1-input']
    fresh = _network()
    filename = str(tmp_path / 'weights2.h5')

    task('10-weights').save_weights(network, filename)
    task('10-weights').load_weights(fresh, filename)

    _assert_same_weights(network, fresh)
    data = np.linspace(-1, 1, 200, dtype=np.float32).reshape(10, 20)
    np.testing.assert_array_equal(np.array(fresh(data, training=False)),
                                  np.array(network(data, training=False)))


@pytest.mark.parametrize('name', NAMES)
def test_save_weights_writes_the_layout_the_name_asks_for(
        tmp_path, trained, name):
    """*.weights.h5 gets Keras 3's layout, any other name the legacy one."""
    network = trained['1-input']
    filename = str(tmp_path / name)

    task('10-weights').save_weights(network, filename)

    with h5py.File(filename, 'r') as store:
        if name.endswith('.weights.h5'):
            assert 'layer_names' not in store.attrs
            kernel = store['layers/dense/vars/0']
            assert kernel.shape == (20, 16)
            np.testing.assert_array_equal(kernel, network.get_weights()[0])
            assert store['optimizer/vars/0'][()] == 4
        else:
            names = [name.decode() if isinstance(name, bytes) else name
                     for name in store.attrs['layer_names']]
            assert names == [layer.name for layer in network.layers]
            group = store[network.layers[1].name]
            kernel = group[group.attrs['weight_names'][0]]
            np.testing.assert_array_equal(kernel, network.get_weights()[0])


def test_save_weights_tf_checkpoint_round_trip(tmp_path, trained):
    """'tf' writes prefix.index and prefix.data-*, and nothing else."""
    network = trained['1-input']
    fresh = _network()
    prefix = str(tmp_path / 'weights')

    task('10-weights').save_weights(network, prefix, save_format='tf')
    task('10-weights').load_weights(fresh, prefix)

    files = sorted(os.listdir(tmp_path))
    assert files[0] == 'weights.data-00000-of-00001'
    assert files[1:] == ['weights.index']
    _assert_same_weights(network, fresh)


def test_save_weights_tf_checkpoint_overwrites(tmp_path, trained):
    """A second checkpoint under the same prefix replaces the first."""
    prefix = str(tmp_path / 'weights')
    task('10-weights').save_weights(trained['0-sequential'], prefix,
                                    save_format='tf')
    network = trained['1-input']
    fresh = _network()

    task('10-weights').save_weights(network, prefix, save_format='tf')
    task('10-weights').load_weights(fresh, prefix)

    assert len(os.listdir(tmp_path)) == 2
    _assert_same_weights(network, fresh)


@pytest.mark.parametrize('save_format', ['h5py', 'H5', 'pickle', None])
def test_save_weights_unknown_format_touches_nothing(
        tmp_path, save_format):
    """Any other save_format is a ValueError naming the accepted ones."""
    network = _network()

    with pytest.raises(ValueError, match="'h5', 'keras' or 'tf'"):
        task('10-weights').save_weights(network, str(tmp_path / 'x.h5'),
                                        save_format=save_format)

    assert os.listdir(tmp_path) == []


def test_save_weights_missing_folder_is_named(tmp_path):
    """A folder that does not exist is named, and not created."""
    folder = tmp_path / 'missing'

    with pytest.raises(FileNotFoundError, match='missing'):
        task('10-weights').save_weights(_network(), str(folder / 'x.h5'))

    assert not folder.exists()


@pytest.mark.parametrize('save_format', ['h5', 'tf'])
def test_save_weights_empty_name_is_refused(save_format):
    """An empty file name is a ValueError."""
    with pytest.raises(ValueError, match='filename'):
        task('10-weights').save_weights(_network(), '',
                                        save_format=save_format)


@pytest.mark.parametrize('name', ['x.h5', 'x.weights.h5'])
def test_save_weights_failure_keeps_the_previous_file(
        tmp_path, monkeypatch, name):
    """A save that fails midway leaves the old file byte for byte."""
    network = _network()
    filename = str(tmp_path / name)
    task('10-weights').save_weights(network, filename)
    with open(filename, 'rb') as handle:
        before = handle.read()

    def broken(*args, **kwargs):
        raise OSError('disk full')

    monkeypatch.setattr(h5py.Dataset, '__setitem__', broken)
    monkeypatch.setattr(h5py.Group, 'create_dataset', broken)
    with pytest.raises(OSError, match='disk full'):
        task('10-weights').save_weights(network, filename)

    monkeypatch.undo()
    with open(filename, 'rb') as handle:
        assert handle.read() == before
    assert os.listdir(tmp_path) == [name]


@pytest.mark.parametrize('name', ['weights2.keras', 'weights2', 'w.hdf5'])
def test_load_weights_decides_by_content(tmp_path, trained, name):
    """HDF5 weights load whatever the name (course files: weights2.keras).
    """
    network = trained['1-input']
    fresh = _network()
    task('10-weights').save_weights(network, str(tmp_path / 'x.h5'))
    os.rename(str(tmp_path / 'x.h5'), str(tmp_path / name))

    task('10-weights').load_weights(fresh, str(tmp_path / name))

    _assert_same_weights(network, fresh)


def test_load_weights_from_a_whole_model_file(tmp_path, trained):
    """The weights inside a saved model (HDF5 or .keras) load too."""
    network = trained['1-input']
    for name in ['model.h5', 'model.keras']:
        fresh = _network()
        task('9-model').save_model(network, str(tmp_path / name))

        task('10-weights').load_weights(fresh, str(tmp_path / name))

        _assert_same_weights(network, fresh)


@pytest.mark.parametrize('name', ['x.h5', 'x.weights.h5', 'x'])
def test_load_weights_that_do_not_fit_change_nothing(tmp_path, name):
    """A file of another architecture names the file and the first layer
    that disagrees, and leaves every weight of the network as it was."""
    filename = str(tmp_path / name)
    task('10-weights').save_weights(_network(units=16), filename,
                                    save_format='tf' if name == 'x' else 'h5')
    other = _network(units=8)
    before = other.get_weights()

    with pytest.raises(ValueError, match=r"/x\b.*layer 'dense_2'"):
        task('10-weights').load_weights(other, filename)

    _assert_same_weights(other, _with_weights(before))


def _with_weights(arrays):
    """Return a stand-in object whose get_weights gives arrays."""
    class Holder:
        def get_weights(self):
            return arrays
    return Holder()


def test_load_weights_too_few_layers_change_nothing(tmp_path):
    """A network with an extra layer is refused, naming that layer."""
    filename = str(tmp_path / 'x.h5')
    task('10-weights').save_weights(_network(), filename)
    other = task('1-input').build_model(20, [16, 3, 3], ['relu'] * 3,
                                        0.0, 1.0)
    before = other.get_weights()

    with pytest.raises(ValueError, match="x.h5.*'dense_4'"):
        task('10-weights').load_weights(other, filename)

    _assert_same_weights(other, _with_weights(before))


def test_load_weights_missing_file_names_the_path(tmp_path):
    """A missing file is a FileNotFoundError naming it."""
    with pytest.raises(FileNotFoundError, match='nothing.h5'):
        task('10-weights').load_weights(_network(),
                                        str(tmp_path / 'nothing.h5'))


@pytest.mark.parametrize('content', [
    b'hello, this is text\n',
    b'{"class_name": "Sequential"}',
    b'\x89HDF\r\n\x1a\n' + b'\0' * 100,
], ids=['text', 'json', 'truncated-hdf5'])
def test_load_weights_other_kinds_of_file_are_value_errors(
        tmp_path, content):
    """Text, JSON and a truncated HDF5 file are refused by name."""
    filename = str(tmp_path / 'weights2.h5')
    with open(filename, 'wb') as handle:
        handle.write(content)

    with pytest.raises(ValueError, match='weights2.h5'):
        task('10-weights').load_weights(_network(), filename)


@pytest.mark.parametrize('name', NAMES)
def test_load_weights_is_quiet(tmp_path, trained, caplog, name):
    """Loading emits no Python warning and no Keras or absl WARNING."""
    network = trained['1-input']
    fresh = _network()
    filename = str(tmp_path / name)
    task('10-weights').save_weights(network, filename)
    caplog.clear()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        with caplog.at_level(logging.WARNING):
            task('10-weights').load_weights(fresh, filename)

    assert loud_warnings(caught) == []
    assert [record.getMessage() for record in caplog.records
            if record.levelno >= logging.WARNING] == []


@pytest.mark.parametrize('name', NAMES)
def test_save_weights_is_quiet(tmp_path, caplog, name):
    """Saving weights emits no Python warning and no WARNING line."""
    network = _network()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        with caplog.at_level(logging.WARNING):
            task('10-weights').save_weights(network, str(tmp_path / name))

    assert loud_warnings(caught) == []
    assert [record.getMessage() for record in caplog.records
            if record.levelno >= logging.WARNING] == []


def test_save_weights_tf_checkpoint_relative_prefix(
        tmp_path, trained, monkeypatch):
    """A relative prefix writes its parts in the working folder."""
    monkeypatch.chdir(tmp_path)
    fresh = _network()

    task('10-weights').save_weights(trained['1-input'], 'weights',
                                    save_format='tf')
    task('10-weights').load_weights(fresh, 'weights')

    assert sorted(os.listdir(tmp_path)) == [
        'weights.data-00000-of-00001', 'weights.index']
    _assert_same_weights(trained['1-input'], fresh)


def test_load_weights_broken_checkpoint_is_a_value_error(tmp_path):
    """A checkpoint index that is not one is refused by name."""
    with open(str(tmp_path / 'weights.index'), 'wb') as handle:
        handle.write(b'not an index')

    with pytest.raises(ValueError, match='weights'):
        task('10-weights').load_weights(_network(),
                                        str(tmp_path / 'weights'))


# Plain Keras 3 notes that the file's optimizer state does not fit the
# fresh, unbuilt optimizer: its own notice, about a part it skips
@pytest.mark.filterwarnings('ignore:Skipping variable loading for optimizer')
@pytest.mark.parametrize('name', ['x.h5', 'x.weights.h5'])
def test_plain_keras_reads_what_save_weights_writes(tmp_path, trained, name):
    """Plain Keras load_weights reads our files under the names it knows,
    also the layouts written by hand (Keras 3 legacy, Keras 2 .weights.h5).
    """
    filename = str(tmp_path / name)
    fresh = _network()
    task('10-weights').save_weights(trained['1-input'], filename)

    fresh.load_weights(filename)

    _assert_same_weights(trained['1-input'], fresh)


@pytest.mark.parametrize('name, save', [
    ('x.weights.h5', 'weights'), ('x.keras', 'model')],
    ids=['weights.h5', 'keras-archive'])
def test_load_weights_of_a_bigger_network_change_nothing(tmp_path, name,
                                                         save):
    """A Keras 3 layout with a layer more than the network was loaded in
    part, silently; now it names the layer it cannot place."""
    filename = str(tmp_path / name)
    bigger = task('1-input').build_model(20, [16, 16, 3], ['relu'] * 3,
                                         0.0, 1.0)
    if save == 'weights':
        task('10-weights').save_weights(bigger, filename)
    else:
        task('2-optimize').optimize_model(bigger, 0.01, 0.9, 0.999)
        task('9-model').save_model(bigger, filename)
    other = task('1-input').build_model(20, [16, 16], ['relu'] * 2, 0.0,
                                        1.0)
    before = other.get_weights()

    with pytest.raises(ValueError, match=name + ".*'dense_2'"):
        task('10-weights').load_weights(other, filename)

    _assert_same_weights(other, _with_weights(before))


def _plain_keras_2_checkpoint(network, prefix):
    """Write network's weights as plain Keras 2's save_weights lays out a
    TensorFlow checkpoint: layer_with_weights-N/kernel, .../bias."""
    import tensorflow as tf
    layers = [layer for layer in network.layers if layer.weights]
    children = {
        'layer_with_weights-{}'.format(index): tf.train.Checkpoint(
            kernel=layer.kernel, bias=layer.bias)
        for index, layer in enumerate(layers)}
    tf.train.Checkpoint(**children).write(prefix)


def test_load_weights_reads_a_plain_keras_2_checkpoint(tmp_path, trained):
    """A checkpoint of plain Keras 2's save_weights was refused as
    'written by Keras None'; it loads on every line."""
    prefix = str(tmp_path / 'plain')
    _plain_keras_2_checkpoint(trained['1-input'], prefix)
    fresh = _network()

    task('10-weights').load_weights(fresh, prefix)

    _assert_same_weights(trained['1-input'], fresh)


def test_load_weights_plain_checkpoint_that_does_not_fit(tmp_path):
    """A plain Keras 2 checkpoint of other shapes names the layer and
    changes nothing."""
    prefix = str(tmp_path / 'plain')
    _plain_keras_2_checkpoint(_network(units=16), prefix)
    other = _network(units=8)
    before = other.get_weights()

    with pytest.raises(ValueError, match=r"plain.*layer 'dense_2'"):
        task('10-weights').load_weights(other, prefix)

    _assert_same_weights(other, _with_weights(before))


def test_load_weights_reads_what_plain_keras_2_writes(tmp_path, trained):
    """The real thing: Keras 2's own save_weights to a bare prefix."""
    if task('10-weights')._keras_major() >= 3:
        pytest.skip('Keras 3 writes no TensorFlow checkpoints')
    prefix = str(tmp_path / 'plain')
    trained['1-input'].save_weights(prefix)
    fresh = _network()

    task('10-weights').load_weights(fresh, prefix)

    _assert_same_weights(trained['1-input'], fresh)
