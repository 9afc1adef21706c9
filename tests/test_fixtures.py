"""Real files saved by other people (TF 1.x, Keras 2, Keras 3) load on the
running line: models, weights and configs, checked against the arrays in
the files themselves."""
import io
import json
import logging
import os
import shutil
import warnings
import zipfile

import h5py
import numpy as np
import pytest

from conftest import FIXTURES, loud_warnings, task

GENERATIONS = ['tf1', 'keras2', 'keras3']
MODELS = {'tf1': 'network1.h5', 'keras2': 'network1.h5',
          'keras3': 'network1.keras'}
WEIGHTS = {'tf1': 'weights2.h5', 'keras2': 'weights2.h5',
           'keras3': 'weights2.weights.h5'}
# Dropout rates as the students saved them (tf1 passed keep_prob as rate)
RATES = {'tf1': 0.95, 'keras2': 0.05, 'keras3': 0.05}


def _path(generation, name):
    return os.path.join(FIXTURES, generation, name)


def _text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def _dense_arrays(filename):
    """Return [(kernel, bias), ...] of the Dense layers stored in a fixture,
    read with h5py alone, in the order of the network."""
    if zipfile.is_zipfile(filename):
        with zipfile.ZipFile(filename) as archive:
            content = io.BytesIO(archive.read('model.weights.h5'))
        return _dense_arrays(content)
    with h5py.File(filename, 'r') as store:
        if 'layers' in store:
            return [(np.array(store['layers'][name]['vars']['0']),
                     np.array(store['layers'][name]['vars']['1']))
                    for name in ['dense', 'dense_1', 'dense_2']]
        if 'model_weights' in store:
            store = store['model_weights']
        arrays = []
        for name in store.attrs['layer_names']:
            group = store[_text(name)]
            names = [_text(weight) for weight in group.attrs['weight_names']]
            if names:
                arrays.append((np.array(group[names[0]]),
                               np.array(group[names[1]])))
        return arrays


def _forward(arrays, data):
    """Return the course network's output: relu, relu, softmax, no dropout.
    """
    outputs = data.astype(np.float64)
    for index, (kernel, bias) in enumerate(arrays):
        outputs = outputs @ kernel.astype(np.float64) + bias
        if index < len(arrays) - 1:
            outputs = np.maximum(outputs, 0)
    outputs = np.exp(outputs - outputs.max(axis=1, keepdims=True))
    return outputs / outputs.sum(axis=1, keepdims=True)


def _data():
    """Return 32 random images in [0, 1] and one-hot labels."""
    rng = np.random.default_rng(1)
    data = rng.random((32, 784), dtype=np.float32)
    return data, np.eye(10, dtype=np.float32)[rng.integers(0, 10, 32)]


def _saved_optimizer(generation):
    """Return the saved Adam hyper-parameters, iterations and moments
    (lists of m and v arrays in the order of the trainable variables)."""
    filename = _path(generation, MODELS[generation])
    if generation == 'keras3':
        with zipfile.ZipFile(filename) as archive:
            config = json.loads(archive.read('config.json'))
            content = io.BytesIO(archive.read('model.weights.h5'))
        settings = config['compile_config']['optimizer']['config']
        with h5py.File(content, 'r') as store:
            group = store['optimizer/vars']
            values = [np.array(group[str(index)])
                      for index in range(len(group))]
        # Keras 3: iterations, learning rate, then m and v of each variable
        return settings, int(values[0]), values[2::2], values[3::2]
    with h5py.File(filename, 'r') as store:
        training = json.loads(_text(store.attrs['training_config']))
        settings = dict(training['optimizer_config']['config'])
        group = store['optimizer_weights']
        names = [_text(name) for name in group.attrs['weight_names']]
        if generation == 'tf1':
            settings['learning_rate'] = settings.pop('lr')
            return settings, None, None, None
        order = ['dense/kernel:0', 'dense/bias:0', 'dense_1/kernel:0',
                 'dense_1/bias:0', 'dense_2/kernel:0', 'dense_2/bias:0']
        first = [np.array(group['Adam/m/' + name]) for name in order]
        second = [np.array(group['Adam/v/' + name]) for name in order]
        assert names[0] == 'iteration:0'
        return settings, int(np.array(group[names[0]])), first, second


def _loaded_moments(optimizer):
    """Return the m and v slots of a loaded Adam, each in variable order."""
    first, second = [], []
    for variable in optimizer.variables:
        # Keras 3: dense_kernel_momentum; Keras 2: (Adam/)m/dense/kernel:0
        name = '/' + variable.name
        if 'momentum' in name or '/m/' in name:
            first.append(np.array(variable))
        elif 'velocity' in name or '/v/' in name:
            second.append(np.array(variable))
    return first, second


def _quietly(function, *args):
    """Call function, failing on any Python warning or WARNING record."""
    logger = logging.getLogger()
    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            result = function(*args)
    finally:
        logger.removeHandler(handler)
    assert loud_warnings(caught) == []
    assert [record.getMessage() for record in records] == []
    return result


@pytest.mark.parametrize('generation', GENERATIONS)
def test_fixture_model_predicts_what_its_weights_say(generation):
    """The loaded model's output is the NumPy forward pass of its file."""
    filename = _path(generation, MODELS[generation])
    data, _ = _data()

    network = _quietly(task('9-model').load_model, filename)

    arrays = _dense_arrays(filename)
    assert len(arrays) == 3
    loaded = network.get_weights()
    for index, (kernel, bias) in enumerate(arrays):
        np.testing.assert_array_equal(loaded[2 * index], kernel)
        np.testing.assert_array_equal(loaded[2 * index + 1], bias)
    np.testing.assert_allclose(network.predict(data, verbose=0),
                               _forward(arrays, data), rtol=0, atol=1e-5)


@pytest.mark.parametrize('generation', GENERATIONS)
def test_fixture_model_has_its_optimizer_and_state(generation):
    """Adam with the saved hyper-parameters; iterations and moments too
    where the file holds them in a layout that maps (not TF 1.x)."""
    network = _quietly(task('9-model').load_model,
                       _path(generation, MODELS[generation]))
    settings, iterations, first, second = _saved_optimizer(generation)

    optimizer = network.optimizer
    assert type(optimizer).__name__ == 'Adam'
    for name in ['learning_rate', 'beta_1', 'beta_2', 'epsilon']:
        assert (np.float32(np.array(getattr(optimizer, name)))
                == np.float32(settings[name])), name
    loaded_first, loaded_second = _loaded_moments(optimizer)
    assert len(loaded_first) == len(loaded_second) == 6
    if generation == 'tf1':
        # Known limitation: TF 1.x slots do not map; fresh state
        assert int(np.array(optimizer.iterations)) == 0
        assert all(not array.any() for array in loaded_first)
        return
    assert int(np.array(optimizer.iterations)) == iterations > 0
    for saved, restored in zip(first + second, loaded_first + loaded_second):
        np.testing.assert_array_equal(restored, saved)
    assert all((array >= 0).all() for array in loaded_second)


@pytest.mark.parametrize('generation', GENERATIONS)
def test_fixture_model_evaluates_and_trains_at_once(generation):
    """The loaded model evaluates and fits without any further step."""
    network = task('9-model').load_model(
        _path(generation, MODELS[generation]))
    data, labels = _data()
    steps = int(np.array(network.optimizer.iterations))

    loss, accuracy = network.evaluate(data, labels, verbose=0)
    history = network.fit(data, labels, batch_size=16, epochs=1, verbose=0)

    assert np.isfinite(loss) and 0 <= accuracy <= 1
    assert np.isfinite(history.history['loss'][0])
    assert int(np.array(network.optimizer.iterations)) == steps + 2


@pytest.mark.parametrize('generation, renamed', [
    ('tf1', 'network1'), ('keras2', 'network1.keras'),
    ('keras3', 'network1.h5')])
def test_fixture_model_loads_under_another_name(tmp_path, generation,
                                                renamed):
    """A copy under a misleading name loads by content all the same."""
    filename = str(tmp_path / renamed)
    shutil.copyfile(_path(generation, MODELS[generation]), filename)
    data, _ = _data()

    network = task('9-model').load_model(filename)

    np.testing.assert_allclose(
        network.predict(data, verbose=0),
        _forward(_dense_arrays(filename), data), rtol=0, atol=1e-5)


@pytest.mark.parametrize('builder', ['0-sequential', '1-input'],
                         ids=['sequential', 'functional'])
@pytest.mark.parametrize('generation', GENERATIONS)
def test_fixture_weights_load_into_the_course_network(generation, builder):
    """Every weights file loads into a matching network, array for array.
    """
    filename = _path(generation, WEIGHTS[generation])
    network = task(builder).build_model(
        784, [256, 256, 10], ['relu', 'relu', 'softmax'], 0.0001, 0.95)
    data, _ = _data()

    _quietly(task('10-weights').load_weights, network, filename)

    arrays = _dense_arrays(filename)
    loaded = network.get_weights()
    for index, (kernel, bias) in enumerate(arrays):
        np.testing.assert_array_equal(loaded[2 * index], kernel)
        np.testing.assert_array_equal(loaded[2 * index + 1], bias)
    np.testing.assert_allclose(network.predict(data, verbose=0),
                               _forward(arrays, data), rtol=0, atol=1e-5)


def test_fixture_weights_named_keras_load(tmp_path):
    """The course names HDF5 weights weights2.keras: they load."""
    filename = str(tmp_path / 'weights2.keras')
    shutil.copyfile(_path('tf1', 'weights2.h5'), filename)
    network = task('1-input').build_model(
        784, [256, 256, 10], ['relu', 'relu', 'softmax'], 0.0001, 0.95)

    task('10-weights').load_weights(network, filename)

    np.testing.assert_array_equal(network.get_weights()[0],
                                  _dense_arrays(filename)[0][0])


@pytest.mark.parametrize('generation', GENERATIONS)
def test_fixture_config_builds_the_saved_architecture(generation):
    """Configs build the same layers, units, activations, dropout rates and
    L2 factors, uncompiled."""
    network = _quietly(task('11-config').load_config,
                       _path(generation, 'config1.json'))

    rows = []
    for layer in network.layers:
        config = layer.get_config()
        regularizer = config.get('kernel_regularizer')
        if isinstance(regularizer, dict):
            regularizer = round(float(regularizer['config']['l2']), 8)
        rows.append((type(layer).__name__, config.get('units'),
                     config.get('activation'),
                     None if 'rate' not in config
                     else round(config['rate'], 8), regularizer))
    rate = RATES[generation]
    assert rows == [
        ('InputLayer', None, None, None, None),
        ('Dense', 256, 'relu', None, 0.0001),
        ('Dropout', None, None, rate, None),
        ('Dense', 256, 'relu', None, 0.0001),
        ('Dropout', None, None, rate, None),
        ('Dense', 10, 'softmax', None, 0.0001)]
    assert network.count_params() == 269322
    assert len(network.losses) == 3
    assert getattr(network, 'optimizer', None) is None
