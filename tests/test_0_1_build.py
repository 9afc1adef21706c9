"""Tests of 0-sequential.build_model and 1-input.build_model."""
import warnings

import numpy as np
import pytest
import tensorflow.keras as K

from conftest import loud_warnings, task

BUILDERS = pytest.mark.parametrize(
    'module', ['0-sequential', '1-input'], ids=['sequential', 'functional'])


def _course_network(module):
    return task(module).build_model(
        784, [256, 256, 10], ['tanh', 'tanh', 'softmax'], 0.001, 0.95)


@BUILDERS
def test_build_model_course_network_layers(module):
    """The course network has the documented layers, sizes and settings."""
    network = _course_network(module)

    assert network.count_params() == 269322
    layers = [layer for layer in network.layers
              if not isinstance(layer, K.layers.InputLayer)]
    assert [layer.name for layer in layers] == [
        'dense', 'dropout', 'dense_1', 'dropout_1', 'dense_2']
    dense = [layer for layer in layers if isinstance(layer, K.layers.Dense)]
    assert [layer.units for layer in dense] == [256, 256, 10]
    assert [layer.activation.__name__ for layer in dense] == [
        'tanh', 'tanh', 'softmax']
    for layer in dense:
        assert isinstance(layer.kernel_regularizer, K.regularizers.L2)
        assert layer.kernel_regularizer.get_config()['l2'] == \
            pytest.approx(0.001)
        assert layer.bias_regularizer is None
        assert layer.activity_regularizer is None
    dropout = [layer for layer in layers
               if isinstance(layer, K.layers.Dropout)]
    assert [layer.rate for layer in dropout] == pytest.approx([0.05, 0.05])


@BUILDERS
def test_build_model_losses_are_three_l2_scalars(module):
    """`model.losses` holds one L2 term per Dense layer, of the right size."""
    network = _course_network(module)

    assert len(network.losses) == 3
    expected = [0.001 * np.sum(np.square(layer.get_weights()[0]))
                for layer in network.layers
                if isinstance(layer, K.layers.Dense)]
    actual = [float(loss) for loss in network.losses]
    np.testing.assert_allclose(actual, expected, rtol=1e-5)


def test_build_model_sequential_has_no_input_layer():
    """0-sequential is a Sequential model that lists no InputLayer."""
    network = _course_network('0-sequential')

    assert isinstance(network, K.Sequential)
    assert not any(isinstance(layer, K.layers.InputLayer)
                   for layer in network.layers)
    assert tuple(network.inputs[0].shape) == (None, 784)


def test_build_model_functional_starts_with_input():
    """1-input is a functional model whose first layer is its input."""
    network = _course_network('1-input')

    assert not isinstance(network, K.Sequential)
    assert isinstance(network.layers[0], K.layers.InputLayer)
    assert tuple(network.inputs[0].shape) == (None, 784)
    assert tuple(network.outputs[0].shape) == (None, 10)


@BUILDERS
def test_build_model_single_layer_has_no_dropout(module):
    """A one-layer network has no Dropout at all."""
    network = task(module).build_model(5, [3], ['softmax'], 0.0, 0.5)

    assert not any(isinstance(layer, K.layers.Dropout)
                   for layer in network.layers)
    assert network.count_params() == 18


@BUILDERS
def test_build_model_is_silent(module):
    """Building emits no Python warning (Keras 3 warns on `input_shape`)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        _course_network(module)

    assert loud_warnings(caught) == []


@BUILDERS
def test_build_model_predicts_probabilities(module):
    """The untrained network maps (m, nx) to rows that sum to one."""
    network = _course_network(module)

    outputs = network.predict(np.zeros((4, 784), np.float32), verbose=0)

    assert outputs.shape == (4, 10)
    np.testing.assert_allclose(outputs.sum(axis=1), np.ones(4), rtol=1e-5)


@BUILDERS
@pytest.mark.parametrize('arguments, message', [
    ((784, [256, 10], ['relu'], 0.001, 0.95),
     r'same length.*len\(layers\)=2, len\(activations\)=1'),
    ((784, [], [], 0.001, 0.95), r'at least one layer.*layers=\[\]'),
    ((0, [10], ['softmax'], 0.001, 0.95), r'`nx`.*nx=0'),
    ((784.0, [10], ['softmax'], 0.001, 0.95), r'`nx`.*nx=784.0'),
    ((True, [10], ['softmax'], 0.001, 0.95), r'`nx`.*nx=True'),
    ((784, [256, -1], ['relu', 'softmax'], 0.001, 0.95),
     r'layers\[1\]=-1'),
    ((784, [256, 2.5], ['relu', 'softmax'], 0.001, 0.95),
     r'layers\[1\]=2.5'),
    ((784, [10], ['softmax'], 0.001, 0), r'keep_prob=0'),
    ((784, [10], ['softmax'], 0.001, 1.5), r'keep_prob=1.5'),
    ((784, [10], ['softmax'], 0.001, -0.1), r'keep_prob=-0.1'),
    ((784, [10], ['softmax'], -0.01, 0.95), r'lambtha=-0.01'),
    ((784, [256, 10], ['rleu', 'softmax'], 0.001, 0.95),
     r"activations\[0\]='rleu'"),
], ids=['lengths-differ', 'empty', 'nx-zero', 'nx-float', 'nx-bool',
        'negative-units', 'fractional-units', 'keep-prob-zero',
        'keep-prob-above-one', 'keep-prob-negative', 'negative-lambtha',
        'unknown-activation'])
def test_build_model_bad_input(module, arguments, message):
    """Each bad argument is named, with what was received, before building."""
    with pytest.raises(ValueError, match=message):
        task(module).build_model(*arguments)

    # Nothing was built: the next network still gets the first names.
    network = task(module).build_model(3, [2], ['softmax'], 0.0, 1.0)
    assert network.layers[-1].name == 'dense'


@BUILDERS
def test_build_model_keep_prob_one_keeps_every_node(module):
    """keep_prob=1 gives Dropout layers of rate 0, not an error."""
    network = task(module).build_model(3, [4, 2], ['relu', 'softmax'],
                                       0.0, 1)

    rates = [layer.rate for layer in network.layers
             if isinstance(layer, K.layers.Dropout)]
    assert rates == [0]


@BUILDERS
def test_build_model_numpy_numbers(module):
    """NumPy numbers (units from `labels.max() + 1`, a float32 lambtha)
    build the same network on every line; Keras 3 refused them."""
    network = task(module).build_model(
        np.int64(784), [np.int64(256), np.int32(10)], ['relu', 'softmax'],
        np.float32(0.001), np.float64(0.95))

    dense = [layer for layer in network.layers
             if isinstance(layer, K.layers.Dense)]
    assert [layer.units for layer in dense] == [256, 10]
    assert network.count_params() == 784 * 256 + 256 + 256 * 10 + 10
    dropout = [layer for layer in network.layers
               if isinstance(layer, K.layers.Dropout)]
    assert dropout[0].rate == pytest.approx(0.05)
