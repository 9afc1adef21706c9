#!/usr/bin/env python3
"""Save a whole Keras model and load one, whichever Keras wrote it."""
import inspect
import io
import json
import os
import re
import zipfile

import h5py
import numpy as np
import tensorflow as tf
import tensorflow.keras as K

# Batches per call into TensorFlow where a file does not say, as 2-optimize
_STEPS_PER_EXECUTION = 32

# Keys of Keras 3 configs that Keras 2 classes do not accept
_KERAS_3_ONLY = ('module', 'registered_name', 'shared_object_id',
                 'build_config', 'compile_config', 'quantization_config',
                 'optional', 'input_axes', 'output_axes')


def save_model(network, filename):
    """Save a model's architecture, weights, optimizer and its state.

    A name ending in `.keras` gets the native Keras archive of the running
    Keras; any other name (`.h5`, `.hdf5`, none) a legacy HDF5 model file.
    The file is written under a temporary name in the same folder and then
    renamed over `filename`, so a failed save leaves any previous file.

    Args:
        network: The Keras model to save.
        filename: Path of the file to write.
    """
    _check_target(filename)

    _save_model(network, filename)


def load_model(filename):
    """Load a whole model saved by any Keras generation.

    The file's content decides how it is read, not its name: a zip archive
    is a `.keras` model, an HDF5 file a legacy model file. The model comes
    back compiled with the saved optimizer, its hyper-parameters and, where
    the file holds them in a layout that maps, its iteration count and
    moments; TensorFlow 1.x files keep the hyper-parameters only.

    Args:
        filename: Path of the model file.

    Returns:
        The loaded Keras model, compiled when the saved one was.
    """
    if not isinstance(filename, (str, os.PathLike)):
        raise TypeError(
            '`filename` must be a path, a str or os.PathLike. '
            'Received: filename={!r}'.format(filename))
    filename = os.fspath(filename)
    if os.path.isfile(filename + '.index') and not os.path.exists(filename):
        raise ValueError(
            '{!r} is the prefix of a TensorFlow checkpoint of weights, not a '
            'model: load it with load_weights.'.format(filename))
    if not os.path.isfile(filename):
        raise FileNotFoundError(
            'No model file at {!r}. Check the path.'.format(filename))

    if zipfile.is_zipfile(filename):
        saved = _read_archive(filename)
    elif h5py.is_hdf5(filename):
        saved = _read_hdf5(filename)
    else:
        raise ValueError(
            '{!r} is not a Keras model file: expected a .keras zip archive '
            'or an HDF5 model file.'.format(filename))
    (model_config, training_config, layer_weights, optimizer_weights,
     naming) = saved

    model = _build(model_config, filename)
    _set_layer_weights(model, layer_weights, naming(model.layers), filename)
    if training_config is not None:
        _compile(model, training_config)
        _set_optimizer_state(model, optimizer_weights)
    return model


def _save_model(network, filename):
    """Save `network` to exactly `filename` without ever leaving it partial.

    The model is written under a temporary name in the same folder, whose
    extension tells Keras the format (`.keras` for a `.keras` target, HDF5
    for any other), then renamed over `filename`.
    """
    folder, base = os.path.split(os.path.abspath(filename))
    extension = '.keras' if str(filename).endswith('.keras') else '.h5'
    # A random name, not mkstemp, so the file gets the usual permissions
    temporary = os.path.join(folder, '.{}.{}{}'.format(
        base, os.urandom(4).hex(), extension))
    # Keras 3's HDF5 writer pops the optimizer from the model's private
    # compile config, and a later .keras save would lose it: keep a copy
    compile_config = getattr(getattr(network, '_compile_config', None),
                             'config', None)
    kept = dict(compile_config) if isinstance(compile_config, dict) else {}
    try:
        network.save(temporary)
        os.replace(temporary, filename)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
        if kept:
            compile_config.update(kept)


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


def _read_archive(filename):
    """Return the config, compile config and weights of a .keras zip."""
    try:
        with zipfile.ZipFile(filename) as archive:
            config = json.loads(archive.read('config.json'))
            weights = archive.read('model.weights.h5')
    except (KeyError, ValueError, zipfile.BadZipFile) as error:
        raise ValueError('{!r} is a zip file but not a .keras model: '
                         '{}'.format(filename, error)) from None
    with h5py.File(io.BytesIO(weights), 'r') as store:
        # Entries are named after the layer classes, not the layers
        layer_weights = {
            name: _numbered(group['vars'])
            for name, group in store['layers'].items() if 'vars' in group}
        optimizer_weights = []
        if 'optimizer' in store and 'vars' in store['optimizer']:
            optimizer_weights = _numbered(store['optimizer']['vars'])
    return (config, config.get('compile_config') or None, layer_weights,
            optimizer_weights, _layout_names)


def _read_hdf5(filename):
    """Return the config, training config and weights of an HDF5 model."""
    try:
        with h5py.File(filename, 'r') as store:
            if 'model_config' not in store.attrs:
                raise ValueError(
                    '{!r} holds no model (only weights?): load it with '
                    'load_weights.'.format(filename))
            config = json.loads(_text(store.attrs['model_config']))
            training_config = None
            if 'training_config' in store.attrs:
                training_config = json.loads(
                    _text(store.attrs['training_config']))
            layer_weights = {
                name: _named(store['model_weights'][name])
                for name in _texts(store['model_weights'].attrs[
                    'layer_names'])}
            optimizer_weights = []
            if 'optimizer_weights' in store:
                optimizer_weights = _named(store['optimizer_weights'])
    except (OSError, KeyError) as error:
        raise ValueError('{!r} is not a readable HDF5 model file: '
                         '{}'.format(filename, error)) from None
    return (config, training_config, layer_weights, optimizer_weights,
            _own_names)


def _named(group):
    """Return the weights an HDF5 group lists in weight_names, in order."""
    return [(name, np.array(group[name]))
            for name in _texts(group.attrs['weight_names'])]


def _numbered(group):
    """Return the datasets 0, 1, ... of an HDF5 group, in that order."""
    return [(str(index), np.array(group[str(index)]))
            for index in range(len(group))]


def _text(value):
    """Return an HDF5 attribute as text, whichever way it was stored."""
    return value.decode('utf-8') if isinstance(value, bytes) else str(value)


def _texts(values):
    """Return an HDF5 attribute holding names as a list of text."""
    return [_text(value) for value in values]


def _build(model_config, filename):
    """Build a model from a config written by any Keras generation."""
    if not _is_model_config(model_config):
        raise ValueError(
            '{!r} holds no Keras model config.'.format(filename))
    try:
        config = _translate(model_config['config'])
        if model_config.get('class_name') == 'Sequential':
            return K.Sequential.from_config(_sequential(config))
        return K.Model.from_config(config)
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise ValueError(
            '{!r} holds a model config that Keras cannot build: {}'.format(
                filename, error)) from None


def _is_model_config(model_config):
    """Return whether a decoded JSON value has a model config's shape."""
    config = model_config.get('config') if isinstance(
        model_config, dict) else None
    layers = config.get('layers') if isinstance(config, dict) else None
    return (isinstance(layers, list) and len(layers) > 0
            and all(isinstance(layer, dict) for layer in layers))


def _keras_major():
    """Return the major version of the Keras behind tensorflow.keras."""
    # Keras 2 inside TensorFlow (and tf-keras) has no __version__ there
    return int(str(getattr(K, '__version__', '2')).split('.')[0])


def _translate(item):
    """Rewrite a config of any Keras generation for the running Keras.

    Only what the course networks need changes: Keras 3 writes module
    names, dtype policies, `batch_shape` and dict nodes that Keras 2 does
    not read; TensorFlow 1.x wrote initializer dtypes that Keras 3 refuses.
    """
    if isinstance(item, list):
        return [_translate(value) for value in item]
    if not isinstance(item, dict):
        return item
    keras_3 = _keras_major() >= 3
    result = {}
    for key, value in item.items():
        # Each generation reads the other's configs differently, so the
        # rewrites depend on the running Keras
        if keras_3:
            # TF 1.x initializers carry a dtype Keras 3 refuses
            if key.endswith('_initializer') and isinstance(value, dict):
                value = dict(value, config={
                    name: setting
                    for name, setting in value.get('config', {}).items()
                    if name != 'dtype'})
        else:
            if key in _KERAS_3_ONLY:
                continue
            if key == 'batch_shape':
                key = 'batch_input_shape'
            if (key == 'dtype' and isinstance(value, dict)
                    and 'name' in value.get('config', {})):
                value = value['config']['name']
            if key == 'inbound_nodes':
                value = [_list_node(node) for node in value]
            if (key in ('input_layers', 'output_layers') and value
                    and isinstance(value[0], str)):
                value = [value]
        result[key] = _translate(value)
    # Keras 3 warns about input shapes on inner layers
    if keras_3 and 'layers' in result:
        result['layers'] = [_drop_input_shape(layer)
                            for layer in result['layers']]
    return result


def _list_node(node):
    """Rewrite a Keras 3 call node as the nested list of Keras 2."""
    if not isinstance(node, dict):
        return node
    # Keras 3 records training=False at build time; Keras 2 would keep it
    kwargs = {key: value for key, value in node.get('kwargs', {}).items()
              if key != 'training'}
    return [list(tensor['config']['keras_history']) + [kwargs]
            for tensor in _tensors(node.get('args', []))]


def _tensors(args):
    """Return the Keras tensors in nested call arguments, in order."""
    if isinstance(args, (list, tuple)):
        return [tensor for arg in args for tensor in _tensors(arg)]
    if isinstance(args, dict) and args.get('class_name') == (
            '__keras_tensor__'):
        return [args]
    return []


def _drop_input_shape(layer):
    """Move Keras 2 input shapes of an inner layer out of its config."""
    config = layer.get('config', {})
    if layer.get('class_name') == 'InputLayer' or not isinstance(
            config, dict):
        return layer
    shape = config.get('batch_input_shape')
    config = {key: value for key, value in config.items()
              if key not in ('batch_input_shape', 'input_shape',
                             'input_dim')}
    layer = dict(layer, config=config)
    if shape is not None:
        layer['batch_input_shape'] = shape
    return layer


def _sequential(config):
    """Give a Sequential config its InputLayer where Keras 3 needs one."""
    layers = config['layers']
    if (not layers or layers[0].get('class_name') == 'InputLayer'
            or 'batch_input_shape' not in layers[0]):
        return config
    # Keras 3 warns about shapes on inner layers: an InputLayer takes them
    input_layer = {'class_name': 'InputLayer', 'config': {
        'batch_shape': layers[0]['batch_input_shape'],
        'dtype': layers[0]['config'].get('dtype', 'float32')}}
    return dict(config, layers=[input_layer] + [
        {key: value for key, value in layer.items()
         if key != 'batch_input_shape'} for layer in layers])


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


def _own_names(layers):
    """Return the names of layers, which legacy HDF5 files key on."""
    return [layer.name for layer in layers]


def _set_layer_weights(model, layer_weights, names, filename):
    """Check every saved array against the model, then assign them all."""
    assignments = []
    for layer, name in zip(model.layers, names):
        expected = [tuple(weight.shape) for weight in layer.weights]
        arrays = [array for _, array in layer_weights.get(name, [])]
        if [array.shape for array in arrays] != expected:
            raise ValueError(
                '{!r} does not fit the model: layer {!r} expects weights of '
                'shapes {} but the file holds {}.'.format(
                    filename, layer.name, expected,
                    [array.shape for array in arrays]))
        if expected:
            assignments.append((layer, arrays))
    for layer, arrays in assignments:
        layer.set_weights(arrays)


def _compile(model, training_config):
    """Compile model with its saved optimizer, loss and metrics.

    It runs the saved number of batches per call into TensorFlow, or as
    many as 2-optimize compiles with where the file does not say (HDF5
    files never do): a speed setting that leaves the results alone. Under
    a `tf.distribute` strategy on Keras 3 it runs one, as 2-optimize does.
    """
    optimizer = training_config.get('optimizer_config')
    if optimizer is None:
        optimizer = training_config.get('optimizer')
    steps = training_config.get('steps_per_execution')
    if not isinstance(steps, int) or steps < 1:
        steps = _STEPS_PER_EXECUTION
    # Keras 3's multi-batch step fails under tf.distribute with a Placeholder
    # error (TensorFlow 2.21, Keras 3.15; see keras-team/keras#19246)
    if _keras_major() >= 3 and _is_distributed(model):
        steps = 1
    model.compile(
        optimizer='rmsprop' if optimizer is None else _optimizer(optimizer),
        loss=_loss(training_config.get('loss')),
        metrics=_metric_names(training_config.get('metrics')),
        steps_per_execution=steps)


def _is_distributed(network):
    """Return whether `network` trains under a `tf.distribute` strategy."""
    strategy = getattr(network, 'distribute_strategy', None)
    return tf.distribute.has_strategy() or (
        strategy is not None and strategy is not tf.distribute.get_strategy())


def _optimizer(config):
    """Return a new optimizer from its config in any Keras generation."""
    if isinstance(config, str):
        return K.optimizers.get(config)
    # Keras 2.12 and later register their optimizers as 'Custom>Adam'
    name = config['class_name'].split('>')[-1]
    optimizer_class = type(K.optimizers.get(name))
    settings = dict(config.get('config', {}))
    if 'lr' in settings:
        settings['learning_rate'] = settings.pop('lr')
    # Settings the running class lacks (TF 1.x decay, Keras 2 jit_compile,
    # Keras 3 loss_scale_factor) are left out
    accepted = inspect.signature(optimizer_class.__init__).parameters
    return optimizer_class.from_config({
        key: value for key, value in settings.items()
        if key in accepted and key not in ('self', 'kwargs')})


def _loss(config):
    """Return a loss the running Keras reads from a saved loss config."""
    if not isinstance(config, dict):
        return config
    settings = dict(config.get('config', {}))
    # Keras 2's default reduction 'auto' is unknown to Keras 3
    if settings.get('reduction') == 'auto':
        settings['reduction'] = 'sum_over_batch_size'
    return K.losses.deserialize({'class_name': config['class_name'],
                                 'config': settings})


def _metric_names(config):
    """Return saved metrics as the names both Keras generations read."""
    if config is None:
        return None
    names = []
    for metric in config:
        if isinstance(metric, list):
            names.extend(_metric_names(metric))
        elif isinstance(metric, dict):
            names.append(metric.get('config', {}).get('name',
                                                      metric['class_name']))
        else:
            names.append(metric)
    return names


def _set_optimizer_state(model, optimizer_weights):
    """Give the optimizer the saved iteration count and moments.

    Keras 2.12+ files hold the iterations then the moments of each
    variable in turn; Keras 3 files add the learning rate after the
    iterations. TensorFlow 1.x files keep their slots elsewhere and in
    another order, so they keep the fresh state.
    """
    optimizer = model.optimizer
    optimizer.build(model.trainable_variables)
    saved = optimizer_weights
    if not saved or any('training/' in name for name, _ in saved):
        return
    iterations = optimizer.iterations
    slots = [variable for variable in optimizer.variables
             if variable is not iterations
             and 'learning_rate' not in variable.name]
    moments = [array for _, array in saved[1:]]
    if len(moments) == len(slots) + 1 and moments[0].shape == ():
        moments = moments[1:]
    if [array.shape for array in moments] != [
            tuple(slot.shape) for slot in slots]:
        return
    iterations.assign(saved[0][1])
    for slot, array in zip(slots, moments):
        slot.assign(array)
