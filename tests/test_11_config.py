"""Tests of 11-config.save_config and load_config on the running line."""
import json
import logging
import os
import warnings

import numpy as np
import pytest

from conftest import loud_warnings, task


def _network(builder):
    """Return a 20 -> 16 -> 8 -> 3 network with dropout and L2."""
    return task(builder).build_model(
        20, [16, 8, 3], ['tanh', 'relu', 'softmax'], 0.002, 0.75)


def _describe(network):
    """Return (class, units, activation, rate, l2) for every layer that is
    not an input layer."""
    rows = []
    for layer in network.layers:
        config = layer.get_config()
        if type(layer).__name__ == 'InputLayer':
            continue
        regularizer = config.get('kernel_regularizer')
        if isinstance(regularizer, dict):
            regularizer = regularizer['config'].get('l2')
        rows.append((type(layer).__name__, config.get('units'),
                     config.get('activation'), config.get('rate'),
                     None if regularizer is None
                     else round(float(regularizer), 6)))
    return rows


@pytest.mark.parametrize('builder', ['0-sequential', '1-input'],
                         ids=['sequential', 'functional'])
def test_load_config_builds_the_same_architecture(tmp_path, builder):
    """Same layers, units, activations, dropout rates and L2 factors."""
    network = _network(builder)
    filename = str(tmp_path / 'config.json')

    assert task('11-config').save_config(network, filename) is None
    rebuilt = task('11-config').load_config(filename)

    assert type(rebuilt).__name__ == type(network).__name__
    assert _describe(rebuilt) == _describe(network) == [
        ('Dense', 16, 'tanh', None, 0.002),
        ('Dropout', None, None, 0.25, None),
        ('Dense', 8, 'relu', None, 0.002),
        ('Dropout', None, None, 0.25, None),
        ('Dense', 3, 'softmax', None, 0.002)]
    assert rebuilt.count_params() == network.count_params()
    assert len(rebuilt.losses) == 3
    assert getattr(rebuilt, 'optimizer', None) is None
    assert not np.array_equal(rebuilt.get_weights()[0],
                              network.get_weights()[0])
    assert os.listdir(tmp_path) == ['config.json']


def test_save_config_writes_the_model_json(tmp_path):
    """The file is the model's JSON: class name and layers."""
    network = _network('1-input')
    filename = str(tmp_path / 'config1.json')

    task('11-config').save_config(network, filename)

    with open(filename) as handle:
        config = json.load(handle)
    assert config['class_name'] == type(network).__name__
    assert [layer['class_name'] for layer in config['config']['layers']] == [
        'InputLayer', 'Dense', 'Dropout', 'Dense', 'Dropout', 'Dense']


def test_load_config_of_a_compiled_model_is_uncompiled(tmp_path):
    """Keras 3 writes the compile config too; the new model stays
    uncompiled."""
    network = _network('0-sequential')
    task('2-optimize').optimize_model(network, 0.01, 0.9, 0.999)
    filename = str(tmp_path / 'config.json')

    task('11-config').save_config(network, filename)
    rebuilt = task('11-config').load_config(filename)

    assert getattr(rebuilt, 'optimizer', None) is None


def test_save_config_failure_keeps_the_previous_file(tmp_path, monkeypatch):
    """A save that fails before the rename leaves the old file as it was
    and no temporary file behind."""
    filename = str(tmp_path / 'config.json')
    task('11-config').save_config(_network('1-input'), filename)
    with open(filename, 'rb') as handle:
        before = handle.read()

    def broken(*args, **kwargs):
        raise OSError('disk full')

    monkeypatch.setattr(os, 'replace', broken)
    with pytest.raises(OSError, match='disk full'):
        task('11-config').save_config(_network('0-sequential'), filename)

    monkeypatch.undo()
    with open(filename, 'rb') as handle:
        assert handle.read() == before
    assert os.listdir(tmp_path) == ['config.json']


def test_save_config_missing_folder_is_named(tmp_path):
    """A folder that does not exist is named, and not created."""
    folder = tmp_path / 'missing'

    with pytest.raises(FileNotFoundError, match='missing'):
        task('11-config').save_config(_network('1-input'),
                                      str(folder / 'config.json'))

    assert not folder.exists()


def test_save_config_empty_name_is_refused():
    """An empty file name is a ValueError."""
    with pytest.raises(ValueError, match='filename'):
        task('11-config').save_config(_network('1-input'), '')


def test_load_config_missing_file_names_the_path(tmp_path):
    """A missing file is a FileNotFoundError naming it."""
    with pytest.raises(FileNotFoundError, match='nothing.json'):
        task('11-config').load_config(str(tmp_path / 'nothing.json'))


@pytest.mark.parametrize('content', [
    b'hello, this is text\n',
    b'{"weights": [1, 2, 3]}',
    b'[1, 2, 3]',
    b'\x89HDF\r\n\x1a\n' + b'\0' * 100,
    b'{"class_name": "Sequential", "config": {"layers": "x"}}',
    b'{"class_name": "Sequential", "config": {"layers": [1, 2]}}',
    b'{"class_name": "Functional", "config": {"layers": []}}',
], ids=['text', 'json-no-model', 'json-list', 'hdf5', 'layers-text',
        'layers-numbers', 'functional-empty'])
def test_load_config_other_kinds_of_file_are_value_errors(
        tmp_path, content):
    """Text, JSON that is no model and binary files are refused by name."""
    filename = str(tmp_path / 'config1.json')
    with open(filename, 'wb') as handle:
        handle.write(content)

    with pytest.raises(ValueError, match='config1.json'):
        task('11-config').load_config(filename)


@pytest.mark.parametrize('builder', ['0-sequential', '1-input'],
                         ids=['sequential', 'functional'])
def test_load_config_is_quiet(tmp_path, caplog, builder):
    """Loading emits no Python warning and no Keras or absl WARNING."""
    filename = str(tmp_path / 'config.json')
    task('11-config').save_config(_network(builder), filename)
    caplog.clear()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        with caplog.at_level(logging.WARNING):
            task('11-config').load_config(filename)

    assert loud_warnings(caught) == []
    assert [record.getMessage() for record in caplog.records
            if record.levelno >= logging.WARNING] == []
