"""Files written under one Keras line load under every other line.

Each line runs in its own process, with the Python that KERAS3_PYTHON,
KERAS2_PYTHON and KERAS2_LEGACY_PYTHON name. One process per line writes
every kind of file (save_model, save_weights and save_config under the
names x.h5, x.hdf5, x.keras, x.weights.h5 and x, and a 'tf' checkpoint),
one process per other line reads them all back; the test compares.
"""
import json
import os
import subprocess

import numpy as np
import pytest

from conftest import KERAS_INTERNAL_NOTICES, ROOT

pytestmark = pytest.mark.slow

LINES = {'keras3': 'KERAS3_PYTHON', 'keras2': 'KERAS2_PYTHON',
         'legacy': 'KERAS2_LEGACY_PYTHON'}
GENERATION = {'keras3': 3, 'keras2': 2, 'legacy': 2}
NAMES = ['x.h5', 'x.hdf5', 'x.keras', 'x.weights.h5', 'x']
BUILDERS = ['0-sequential', '1-input']
PAIRS = [(writer, reader) for writer in LINES for reader in LINES
         if writer != reader]

# Shared by both child scripts: the task modules, the network, its state
PRELUDE = r'''
import json
import os
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])
folder = sys.argv[2]
import tensorflow.keras as K

NAMES = ['x.h5', 'x.hdf5', 'x.keras', 'x.weights.h5', 'x']
BUILDERS = ['0-sequential', '1-input']
model = __import__('9-model')
weights = __import__('10-weights')
config = __import__('11-config')
rng = np.random.default_rng(0)
data = rng.normal(size=(64, 20)).astype(np.float32)
labels = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 64)]


def build(builder):
    return __import__(builder).build_model(
        20, [16, 8, 3], ['relu', 'tanh', 'softmax'], 0.001, 0.9)


def state(network):
    """Return predictions, weights, iterations and Adam m and v."""
    result = {'predictions': network.predict(data, verbose=0)}
    for index, array in enumerate(network.get_weights()):
        result['weight{}'.format(index)] = array
    optimizer = getattr(network, 'optimizer', None)
    if optimizer is None:
        return result
    result['iterations'] = np.array(optimizer.iterations)
    result['learning_rate'] = np.array(optimizer.learning_rate)
    first = second = 0
    for variable in optimizer.variables:
        name = '/' + variable.name
        if 'momentum' in name or '/m/' in name:
            result['m{}'.format(first)] = np.array(variable)
            first += 1
        elif 'velocity' in name or '/v/' in name:
            result['v{}'.format(second)] = np.array(variable)
            second += 1
    return result


def layers(network):
    """Return class, units, activation, rate and L2 of every layer."""
    rows = []
    for layer in network.layers:
        settings = layer.get_config()
        regularizer = settings.get('kernel_regularizer')
        if isinstance(regularizer, dict):
            regularizer = round(float(regularizer['config']['l2']), 8)
        rows.append([type(layer).__name__, settings.get('units'),
                     settings.get('activation'), settings.get('rate'),
                     regularizer])
    return [row for row in rows if row[0] != 'InputLayer']


arrays = {}
report = {}
'''

WRITER = PRELUDE + r'''
for builder in BUILDERS:
    K.utils.set_random_seed(0)
    network = build(builder)
    __import__('2-optimize').optimize_model(network, 0.01, 0.9, 0.999)
    network.fit(data, labels, batch_size=16, epochs=2, verbose=0)
    for kind in ['model', 'weights', 'config', 'checkpoint']:
        os.makedirs(os.path.join(folder, builder, kind), exist_ok=True)
    for name in NAMES:
        model.save_model(network, os.path.join(folder, builder, 'model',
                                                name))
        weights.save_weights(network, os.path.join(folder, builder,
                                                   'weights', name))
        config.save_config(network, os.path.join(folder, builder, 'config',
                                                 name))
    weights.save_weights(network, os.path.join(folder, builder,
                                               'checkpoint', 'x'),
                         save_format='tf')
    for key, value in state(network).items():
        arrays['{}/{}'.format(builder, key)] = value
    report[builder] = layers(network)
np.savez(os.path.join(folder, 'expected.npz'), **arrays)
with open(os.path.join(folder, 'expected.json'), 'w') as handle:
    json.dump(report, handle)
'''

READER = PRELUDE + r'''
import logging
import warnings

output = sys.argv[3]
# Loading must be quiet: record Python warnings and WARNING log records
records = []
handler = logging.Handler(logging.WARNING)
handler.emit = records.append
logging.getLogger().addHandler(handler)
warnings.simplefilter('always')
caught = warnings.catch_warnings(record=True).__enter__()
for builder in BUILDERS:
    for name in NAMES:
        key = '{}/{}'.format(builder, name)
        fresh = build(builder)
        del caught[:], records[:]
        loaded = model.load_model(os.path.join(folder, builder, 'model',
                                               name))
        weights.load_weights(fresh, os.path.join(folder, builder,
                                                 'weights', name))
        rebuilt = config.load_config(os.path.join(folder, builder, 'config',
                                                  name))
        report[key + '/noise'] = [str(item.message) for item in caught] + [
            record.getMessage() for record in records]
        for item, value in state(loaded).items():
            arrays['{}/model/{}'.format(key, item)] = value
        report[key + '/optimizer'] = type(loaded.optimizer).__name__
        history = loaded.fit(data, labels, batch_size=16, epochs=1,
                             verbose=0)
        report[key + '/trained'] = float(history.history['loss'][0])
        for item, value in state(fresh).items():
            arrays['{}/weights/{}'.format(key, item)] = value
        report[key + '/config'] = layers(rebuilt)
        if name in ('x.h5', 'x.weights.h5'):
            plain = build(builder)
            plain.load_weights(os.path.join(folder, builder, 'weights',
                                            name))
            for item, value in state(plain).items():
                arrays['{}/plain/{}'.format(key, item)] = value
    try:
        weights.load_weights(build(builder), os.path.join(
            folder, builder, 'checkpoint', 'x'))
        report[builder + '/checkpoint'] = 'loaded'
    except ValueError as error:
        report[builder + '/checkpoint'] = str(error)
np.savez(output + '.npz', **arrays)
with open(output + '.json', 'w') as handle:
    json.dump(report, handle)
'''

_written = {}
_read = {}


def _python(line):
    """Return the interpreter of a line, or skip saying which is unset."""
    python = os.environ.get(LINES[line])
    if not python:
        pytest.skip('{} is not set: no {} interpreter to run'.format(
            LINES[line], line))
    return python


def _run(line, script, *arguments):
    """Run a child script under a line's Python, failing on its errors."""
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2')
    environment.pop('TF_USE_LEGACY_KERAS', None)
    if line == 'legacy':
        environment['TF_USE_LEGACY_KERAS'] = '1'
    completed = subprocess.run(
        [_python(line), '-c', script, ROOT] + list(arguments),
        env=environment, capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stderr[-3000:]


def _files_of(line, tmp_path_factory):
    """Return the folder of everything a line wrote (written once)."""
    if line not in _written:
        folder = str(tmp_path_factory.mktemp('written-' + line))
        _run(line, WRITER, folder)
        _written[line] = folder
    return _written[line]


def _reading(writer, reader, tmp_path_factory):
    """Return what reader made of writer's files: arrays and a report."""
    if (writer, reader) not in _read:
        _python(reader)
        folder = _files_of(writer, tmp_path_factory)
        output = os.path.join(str(tmp_path_factory.mktemp('read')), 'read')
        _run(reader, READER, folder, output)
        with np.load(output + '.npz') as arrays:
            loaded = dict(arrays)
        with open(output + '.json') as handle:
            _read[writer, reader] = loaded, json.load(handle)
    return _read[writer, reader]


def _expected(writer):
    """Return the writer's own arrays and layer report."""
    folder = _written[writer]
    with np.load(os.path.join(folder, 'expected.npz')) as arrays:
        expected = dict(arrays)
    with open(os.path.join(folder, 'expected.json')) as handle:
        return expected, json.load(handle)


def _same_network(loaded, expected, prefix, builder):
    """Assert identical weights and predictions."""
    count = len([key for key in expected
                 if key.startswith(builder + '/weight')])
    assert count == 6
    for index in range(count):
        np.testing.assert_array_equal(
            loaded['{}/weight{}'.format(prefix, index)],
            expected['{}/weight{}'.format(builder, index)])
    np.testing.assert_allclose(loaded[prefix + '/predictions'],
                               expected[builder + '/predictions'],
                               rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize('builder', BUILDERS, ids=['sequential',
                                                   'functional'])
@pytest.mark.parametrize('writer, reader', PAIRS,
                         ids=['{}-to-{}'.format(*pair) for pair in PAIRS])
def test_cross_line_models_keep_weights_and_optimizer_state(
        tmp_path_factory, writer, reader, builder):
    """save_model under every name: same predictions, Adam, iterations and
    moments on the other line, which trains on at once."""
    loaded, report = _reading(writer, reader, tmp_path_factory)
    expected, _ = _expected(writer)

    for name in NAMES:
        prefix = '{}/{}/model'.format(builder, name)
        _same_network(loaded, expected, prefix, builder)
        assert report['{}/{}/optimizer'.format(builder, name)] == 'Adam'
        assert np.isfinite(report['{}/{}/trained'.format(builder, name)])
        assert loaded[prefix + '/iterations'] == 8
        np.testing.assert_array_equal(loaded[prefix + '/learning_rate'],
                                      expected[builder + '/learning_rate'])
        for slot in ['m', 'v']:
            for index in range(6):
                key = '{}{}'.format(slot, index)
                np.testing.assert_array_equal(
                    loaded['{}/{}'.format(prefix, key)],
                    expected['{}/{}'.format(builder, key)])


@pytest.mark.parametrize('builder', BUILDERS, ids=['sequential',
                                                   'functional'])
@pytest.mark.parametrize('writer, reader', PAIRS,
                         ids=['{}-to-{}'.format(*pair) for pair in PAIRS])
def test_cross_line_weights_and_configs_load(
        tmp_path_factory, writer, reader, builder):
    """save_weights and save_config under every name load on the other
    line: identical weights and predictions, the same layers."""
    loaded, report = _reading(writer, reader, tmp_path_factory)
    expected, layers = _expected(writer)

    for name in NAMES:
        _same_network(loaded, expected,
                      '{}/{}/weights'.format(builder, name), builder)
        assert report['{}/{}/config'.format(builder, name)] == layers[
            builder]


@pytest.mark.parametrize('builder', BUILDERS, ids=['sequential',
                                                   'functional'])
@pytest.mark.parametrize('writer, reader', PAIRS,
                         ids=['{}-to-{}'.format(*pair) for pair in PAIRS])
def test_cross_line_plain_keras_reads_our_weights(
        tmp_path_factory, writer, reader, builder):
    """Plain Keras load_weights of the other line reads x.h5 and
    x.weights.h5 as save_weights wrote them, also where written by hand."""
    loaded, _ = _reading(writer, reader, tmp_path_factory)
    expected, _ = _expected(writer)

    for name in ['x.h5', 'x.weights.h5']:
        _same_network(loaded, expected,
                      '{}/{}/plain'.format(builder, name), builder)


@pytest.mark.parametrize('writer, reader', PAIRS,
                         ids=['{}-to-{}'.format(*pair) for pair in PAIRS])
def test_cross_line_loading_is_quiet(tmp_path_factory, writer, reader):
    """load_model, load_weights and load_config of the other line's files
    emit no Python warning and no WARNING log line."""
    _, report = _reading(writer, reader, tmp_path_factory)

    for builder in BUILDERS:
        for name in NAMES:
            noise = report['{}/{}/noise'.format(builder, name)]
            assert [message for message in noise
                    if not message.startswith(KERAS_INTERNAL_NOTICES)] == []


@pytest.mark.parametrize('writer, reader', PAIRS,
                         ids=['{}-to-{}'.format(*pair) for pair in PAIRS])
def test_cross_line_tf_checkpoint_stays_with_its_generation(
        tmp_path_factory, writer, reader):
    """A 'tf' checkpoint loads within its Keras generation; elsewhere the
    error says which Keras wrote it and suggests 'h5'."""
    _, report = _reading(writer, reader, tmp_path_factory)

    for builder in BUILDERS:
        outcome = report[builder + '/checkpoint']
        if GENERATION[writer] == GENERATION[reader]:
            assert outcome == 'loaded'
        else:
            assert 'written by Keras {}'.format(GENERATION[writer]) in (
                outcome)
            assert "save_format='h5'" in outcome
