#!/usr/bin/env python3
"""Save a Keras model's architecture as JSON and build a model from one."""
import json
import os

import tensorflow.keras as K

# Keys of Keras 3 configs that Keras 2 classes do not accept
_KERAS_3_ONLY = ('module', 'registered_name', 'shared_object_id',
                 'build_config', 'compile_config', 'quantization_config',
                 'optional', 'input_axes', 'output_axes')


def save_config(network, filename):
    """Save the architecture of a model as JSON.

    The file is written under a temporary name in the same folder and then
    renamed over `filename`, so a failed save leaves any previous file.

    Args:
        network: The Keras model whose architecture to save.
        filename: Path of the JSON file to write.
    """
    _check_target(filename)
    text = network.to_json()

    folder, base = os.path.split(os.path.abspath(filename))
    temporary = os.path.join(folder, '.{}.{}.json'.format(
        base, os.urandom(4).hex()))
    try:
        with open(temporary, 'w', encoding='utf-8') as handle:
            handle.write(text)
        os.replace(temporary, filename)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def load_config(filename):
    """Build a new, uncompiled model from a JSON architecture.

    Configs written by TensorFlow 1.x, Keras 2 and Keras 3 all load; the
    model gets fresh weights.

    Args:
        filename: Path of the JSON file.

    Returns:
        The new Keras model.
    """
    if not isinstance(filename, (str, os.PathLike)):
        raise TypeError(
            '`filename` must be a path, a str or os.PathLike. '
            'Received: filename={!r}'.format(filename))
    filename = os.fspath(filename)
    if not os.path.isfile(filename):
        raise FileNotFoundError(
            'No config file at {!r}. Check the path.'.format(filename))

    try:
        with open(filename, encoding='utf-8') as handle:
            model_config = json.load(handle)
    except (UnicodeDecodeError, ValueError):
        raise ValueError(
            '{!r} is not a JSON model config, as save_config writes.'
            .format(filename)) from None
    if not _is_model_config(model_config):
        raise ValueError(
            '{!r} is JSON but holds no Keras model config (expected '
            '"class_name" and "config" with a list of "layers").'
            .format(filename))

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
