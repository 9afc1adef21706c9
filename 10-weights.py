#!/usr/bin/env python3
"""Save a Keras model's weights and load weights saved by any Keras."""
import io
import os
import re
import zipfile

import h5py
import numpy as np
import tensorflow as tf
import tensorflow.keras as K

_FORMATS = ('h5', 'keras', 'tf')


def save_weights(network, filename, save_format='h5'):
    """Save the weights of a model.

    With `save_format` `'h5'` or `'keras'` (the same), a name ending in
    `.weights.h5` gets the weights layout of Keras 3 and any other name one
    legacy HDF5 weights file. With `'tf'`, `filename` is the prefix of a
    TensorFlow checkpoint (`filename.index`, `filename.data-*`), which only
    the Keras generation that wrote it loads. Every file is written under a
    temporary name in the same folder, then renamed over the target.

    Args:
        network: The Keras model whose weights to save.
        filename: Path of the file to write (the prefix, for `'tf'`).
        save_format: `'h5'`, `'keras'` or `'tf'`. Defaults to `'h5'`.
    """
    if not isinstance(save_format, str) or save_format not in _FORMATS:
        raise ValueError(
            "`save_format` must be 'h5', 'keras' or 'tf'. "
            'Received: save_format={!r}'.format(save_format))
    _check_target(filename)
    filename = os.fspath(filename)

    if save_format == 'tf':
        _save_checkpoint(network, filename)
    elif filename.endswith('.weights.h5'):
        _write_atomically(filename, '.weights.h5',
                          lambda path: _save_keras_3_layout(network, path))
    else:
        _write_atomically(filename, '.h5',
                          lambda path: _save_legacy_layout(network, path))


def load_weights(network, filename):
    """Load weights saved by any Keras generation into a model.

    The file's content decides how it is read, not its name: legacy HDF5
    weights (also inside a whole-model file) are matched to the layers with
    weights in order, the Keras 3 layout (also inside a `.keras` archive)
    by its layer entries, and a TensorFlow checkpoint is read by prefix.
    Every shape is checked before any weight changes. The optimizer state
    that some files hold is not loaded.

    Args:
        network: The Keras model to load the weights into.
        filename: Path of the weights file (the prefix, for a checkpoint).
    """
    if not isinstance(filename, (str, os.PathLike)):
        raise TypeError(
            '`filename` must be a path, a str or os.PathLike. '
            'Received: filename={!r}'.format(filename))
    filename = os.fspath(filename)
    if not os.path.isfile(filename):
        if os.path.isfile(filename + '.index'):
            _load_checkpoint(network, filename)
            return
        raise FileNotFoundError(
            'No weights file at {!r}. Check the path.'.format(filename))

    if zipfile.is_zipfile(filename):
        try:
            with zipfile.ZipFile(filename) as archive:
                content = io.BytesIO(archive.read('model.weights.h5'))
        except (KeyError, zipfile.BadZipFile):
            raise ValueError('{!r} is a zip file but not a .keras model.'
                             .format(filename)) from None
        pairs = _read_hdf5(content, network, filename)
    elif h5py.is_hdf5(filename):
        pairs = _read_hdf5(filename, network, filename)
    else:
        raise ValueError(
            '{!r} is not a weights file: expected HDF5, a .keras archive '
            'or a TensorFlow checkpoint prefix.'.format(filename))

    _assign(pairs)


def _check_target(filename):
    """Raise when filename is empty or its folder does not exist."""
    if not isinstance(filename, (str, os.PathLike)) or not str(filename):
        raise ValueError(
            '`filename` must be a non-empty path. '
            'Received: filename={!r}'.format(filename))
    if os.path.isdir(filename) or str(filename).endswith(('/', os.sep)):
        raise ValueError(
            '`filename` names a folder: give the name of a file in it. '
            'Received: filename={!r}'.format(str(filename)))
    folder = os.path.dirname(os.path.abspath(filename))
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            'Cannot save to {!r}: the folder {!r} does not exist. Create '
            'it first.'.format(str(filename), folder))


def _keras_major():
    """Return the major version of the Keras behind tensorflow.keras."""
    # Keras 2 inside TensorFlow (and tf-keras) has no __version__ there
    return int(str(getattr(K, '__version__', '2')).split('.')[0])


def _temporary_name(filename, extension):
    """Return an unused hidden name beside filename, ending in extension.
    """
    folder, base = os.path.split(os.path.abspath(filename))
    return os.path.join(folder, '.{}.{}{}'.format(
        base, os.urandom(4).hex(), extension))


def _write_atomically(filename, extension, write):
    """Call write on a temporary path, then rename it over filename."""
    temporary = _temporary_name(filename, extension)
    try:
        write(temporary)
        os.replace(temporary, filename)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _save_keras_3_layout(network, path):
    """Write the Keras 3 weights layout, by hand where Keras 2 runs."""
    # Keras 3 writes this layout itself; Keras 2 has its own for the name
    if _keras_major() >= 3:
        network.save_weights(path)
        return
    with h5py.File(path, 'w') as store:
        layers = store.create_group('layers')
        for layer, name in zip(network.layers,
                               _layout_names(network.layers)):
            group = layers.create_group(name).create_group('vars')
            group.attrs['name'] = layer.name
            for index, weight in enumerate(layer.weights):
                group.create_dataset(str(index), data=np.array(weight))
        store.create_group('vars').attrs['name'] = network.name
        optimizer = getattr(network, 'optimizer', None)
        variables = [] if optimizer is None else list(optimizer.variables)
        if variables:
            group = store.create_group('optimizer').create_group('vars')
            group.attrs['name'] = optimizer.name.lower()
            values = [np.array(variable) for variable in variables]
            # Keras 3 keeps the learning rate second, as a variable
            rate = optimizer.learning_rate
            if isinstance(rate, tf.Variable):
                values.insert(1, np.array(rate))
            for index, value in enumerate(values):
                group.create_dataset(str(index), data=value)


def _save_legacy_layout(network, path):
    """Write one legacy HDF5 weights file, by hand where Keras 3 runs."""
    # Keras 2 writes this layout itself; Keras 3 only names .weights.h5
    if _keras_major() < 3:
        network.save_weights(path)
        return
    with h5py.File(path, 'w') as store:
        store.attrs['backend'] = 'tensorflow'
        store.attrs['keras_version'] = str(K.__version__)
        store.attrs['layer_names'] = np.array(
            [layer.name.encode('utf-8') for layer in network.layers])
        for layer in network.layers:
            group = store.create_group(layer.name)
            names = ['{}/{}:0'.format(layer.name, weight.name)
                     for weight in layer.weights]
            group.attrs['weight_names'] = np.array(
                [name.encode('utf-8') for name in names])
            for name, weight in zip(names, layer.weights):
                group.create_dataset(name, data=np.array(weight))


def _layout_names(layers):
    """Return the entry names of the Keras 3 layout for layers, in order.

    Keras names each entry after the layer's class in snake case and
    numbers repeated classes (`dense`, `dense_1`), whatever the layer's
    own name.
    """
    counts = {}
    names = []
    for layer in layers:
        name = re.sub('(?<=.)(?=[A-Z][a-z])|(?<=[a-z])(?=[A-Z])', '_',
                      type(layer).__name__).lower()
        if name in counts:
            counts[name] += 1
            name = '{}_{}'.format(name, counts[name])
        else:
            counts[name] = 0
        names.append(name)
    return names


def _read_hdf5(source, network, filename):
    """Return (layer, arrays) pairs for network from an HDF5 weights file.
    """
    try:
        with h5py.File(source, 'r') as store:
            if 'layer_names' not in store.attrs and 'model_weights' in store:
                store = store['model_weights']
            if 'layer_names' in store.attrs:
                return _pair_in_order(store, network, filename)
            if 'layers' in store:
                return _pair_by_entry(store['layers'], network, filename)
    except (OSError, KeyError) as error:
        raise ValueError('{!r} is not a readable HDF5 weights file: '
                         '{}'.format(filename, error)) from None
    raise ValueError('{!r} is an HDF5 file without Keras weights.'
                     .format(filename))


def _text(value):
    """Return an HDF5 attribute as text, whichever way it was stored."""
    return value.decode('utf-8') if isinstance(value, bytes) else str(value)


def _pair_in_order(store, network, filename):
    """Pair legacy weights with the layers that have weights, in order."""
    saved = []
    for name in store.attrs['layer_names']:
        group = store[_text(name)]
        names = [_text(weight) for weight in group.attrs['weight_names']]
        if names:
            saved.append((_text(name),
                          [np.array(group[weight]) for weight in names]))
    layers = [layer for layer in network.layers if layer.weights]
    for index, layer in enumerate(layers):
        if index >= len(saved):
            raise ValueError(
                '{!r} does not fit the network: it holds weights for {} '
                'layers, and layer {!r} is number {}.'.format(
                    filename, len(saved), layer.name, index + 1))
        _check_shapes(layer, saved[index][1], filename)
    if len(saved) > len(layers):
        raise ValueError(
            '{!r} does not fit the network: its layer {!r} has no '
            'counterpart among the {} layers with weights.'.format(
                filename, saved[len(layers)][0], len(layers)))
    return [(layer, arrays) for layer, (_, arrays) in zip(layers, saved)]


def _pair_by_entry(store, network, filename):
    """Pair Keras 3 layout entries with the network's layers."""
    pairs = []
    for layer, name in zip(network.layers, _layout_names(network.layers)):
        group = store.get(name + '/vars')
        arrays = [] if group is None else [
            np.array(group[str(index)]) for index in range(len(group))]
        _check_shapes(layer, arrays, filename)
        if arrays:
            pairs.append((layer, arrays))
    names = set(_layout_names(network.layers))
    for name, group in store.items():
        if name not in names and len(group.get('vars', ())):
            raise ValueError(
                '{!r} does not fit the network: its layer {!r} has no '
                'counterpart among the network\'s layers.'.format(
                    filename, name))
    return pairs


def _check_shapes(layer, arrays, filename):
    """Raise unless arrays have the shapes of the layer's weights."""
    expected = [tuple(weight.shape) for weight in layer.weights]
    received = [array.shape for array in arrays]
    if received != expected:
        raise ValueError(
            '{!r} does not fit the network: layer {!r} has weights of '
            'shapes {} and the file holds {}.'.format(
                filename, layer.name, expected, received))


def _assign(pairs):
    """Set every layer's weights, all shapes having been checked."""
    for layer, arrays in pairs:
        layer.set_weights(arrays)


def _pair_plain_checkpoint(reader, shapes, network, filename):
    """Pair the weights of a checkpoint that plain Keras 2 wrote.

    Keras 2's `save_weights` keys each variable by the index of its layer
    among the layers with weights and by its attribute name, such as
    `layer_with_weights-0/kernel`; this layout reads on every line.
    """
    if not any(key.startswith('layer_with_weights-') for key in shapes):
        raise ValueError(
            '{!r} is a TensorFlow checkpoint without Keras layer weights.'
            .format(filename))
    layers = [layer for layer in network.layers if layer.weights]
    pairs = []
    for index, layer in enumerate(layers):
        arrays = []
        for weight in layer.weights:
            attribute = weight.name.split('/')[-1].split(':')[0]
            key = 'layer_with_weights-{}/{}/.ATTRIBUTES/VARIABLE_VALUE'.format(
                index, attribute)
            if key in shapes:
                arrays.append(reader.get_tensor(key))
        _check_shapes(layer, arrays, filename)
        pairs.append((layer, arrays))
    if any(key.startswith('layer_with_weights-{}/'.format(len(layers)))
           for key in shapes):
        raise ValueError(
            '{!r} does not fit the network: it holds weights for more than '
            'its {} layers with weights.'.format(filename, len(layers)))
    return pairs


def _save_checkpoint(network, filename):
    """Write a TensorFlow checkpoint, each part renamed into place."""
    checkpoint = tf.train.Checkpoint(
        weights=[weight for layer in network.layers
                 for weight in layer.weights],
        keras_generation=tf.Variable(_keras_major(), dtype=tf.int64))
    filename = os.path.abspath(filename)
    temporary = _temporary_name(filename, '')
    folder = os.path.dirname(temporary)
    prefix = os.path.basename(temporary)
    try:
        checkpoint.write(temporary)
        parts = sorted(name for name in os.listdir(folder)
                       if name.startswith(prefix + '.'))
        for part in parts:
            os.replace(os.path.join(folder, part),
                       filename + part[len(prefix):])
    finally:
        for name in os.listdir(folder):
            if name.startswith(prefix + '.'):
                os.remove(os.path.join(folder, name))
    # Shards of an earlier checkpoint that the new one lacks would mislead
    kept = [filename + part[len(prefix):] for part in parts]
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if path.startswith(filename + '.data-') and path not in kept:
            os.remove(path)


def _load_checkpoint(network, filename):
    """Load a checkpoint that this Keras generation wrote."""
    try:
        reader = tf.train.load_checkpoint(filename)
    except tf.errors.OpError as error:
        raise ValueError('{!r} is not a readable TensorFlow checkpoint: {}'
                         .format(filename, error.message)) from None
    shapes = reader.get_variable_to_shape_map()
    key = 'keras_generation/.ATTRIBUTES/VARIABLE_VALUE'
    generation = int(reader.get_tensor(key)) if key in shapes else None
    if generation is None:
        _assign(_pair_plain_checkpoint(reader, shapes, network, filename))
        return
    # SPEC: a 'tf' checkpoint stays with the Keras generation that wrote it
    if generation != _keras_major():
        raise ValueError(
            "{!r} is a TensorFlow checkpoint written by Keras {}, which only "
            "that Keras generation loads (this is Keras {}). Save the "
            "weights with save_format='h5' to share them across Keras "
            'versions.'.format(filename, generation, _keras_major()))
    total = sum(len(layer.weights) for layer in network.layers)
    arrays = []
    for index in range(total):
        name = 'weights/{}/.ATTRIBUTES/VARIABLE_VALUE'.format(index)
        arrays.append(reader.get_tensor(name) if name in shapes else None)
    pairs = []
    position = 0
    for layer in network.layers:
        count = len(layer.weights)
        chosen = arrays[position:position + count]
        position += count
        if any(array is None for array in chosen):
            chosen = []
        _check_shapes(layer, chosen, filename)
        if chosen:
            pairs.append((layer, chosen))
    if any(key.startswith('weights/{}/'.format(total))
           for key in shapes):
        raise ValueError(
            '{!r} does not fit the network: it holds more weights than the '
            'network has.'.format(filename))
    _assign(pairs)
