#!/usr/bin/env python3
"""Run one scenario of tests/test_distribute.py in a fresh process.

Usage: python distribute_worker.py SCENARIO FOLDER

Devices and clusters must be set up before TensorFlow starts, so each
scenario gets processes of its own (one per worker for several workers).
Every scenario trains through the task files and writes what it found to
FOLDER/SCENARIO-TASK.json, TASK being the worker's index in TF_CONFIG (0
without it), for the test to check:

- mirrored: MirroredStrategy over two logical CPUs against one device with
  the same global batch, then the best-model file and save_model and
  load_model on the distributed network;
- multi-worker: one worker of the MultiWorkerMirroredStrategy cluster that
  TF_CONFIG describes; it also saves its final weights as
  FOLDER/weights-TASK.npz;
- refused: one worker of such a cluster calling every train_model once;
- one-worker: MultiWorkerMirroredStrategy without TF_CONFIG, one worker.
"""
import json
import os
import sys
import time
import traceback

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import tensorflow as tf  # noqa: E402
import tensorflow.keras as K  # noqa: E402

import mnist_data  # noqa: E402

BATCH_SIZE = 64
TRAIN_MODULES = ['4-train', '5-train', '6-train', '7-train', '8-train']


def load(train_size, valid_size):
    """Return MNIST training, validation and test pairs, flattened images
    and one-hot labels; `None` sizes keep the whole set."""
    x_train, y_train, x_valid, y_valid, x_test, y_test = (
        mnist_data.load_mnist())
    one_hot = __import__('3-one_hot').one_hot

    def pair(images, labels, size):
        images = images[:size]
        return images.reshape(len(images), -1), one_hot(labels[:size], 10)

    return (pair(x_train, y_train, train_size),
            pair(x_valid, y_valid, valid_size),
            pair(x_test, y_test, None))


def build(keep_prob):
    """Return the compiled course network, seeded."""
    K.utils.set_random_seed(0)
    network = __import__('1-input').build_model(
        784, [256, 256, 10], ['relu', 'relu', 'softmax'], 0.0001, keep_prob)
    __import__('2-optimize').optimize_model(network, 0.001, 0.9, 0.999)
    return network


def train(strategy, train_data, valid_data, keep_prob, epochs,
          filepath=None):
    """Build, compile and train the course network inside `strategy`;
    return the network and its history."""
    with strategy.scope():
        network = build(keep_prob)
        history = __import__('8-train').train_model(
            network,
            train_data[0],
            train_data[1],
            BATCH_SIZE,
            epochs,
            validation_data=valid_data,
            save_best=filepath is not None,
            filepath=filepath,
            verbose=False)
    return network, {key: [float(value) for value in values]
                     for key, values in history.history.items()}


def weight_gap(first, second):
    """Return the largest absolute difference between two networks'
    weights."""
    return max(float(np.max(np.abs(one - other))) for one, other in
               zip(first.get_weights(), second.get_weights()))


def val_loss(network, valid_data):
    """Return the loss of `network` on the validation data, evaluated at
    the training batch size."""
    return float(network.evaluate(*valid_data, batch_size=BATCH_SIZE,
                                  verbose=0)[0])


def mirrored(folder):
    """Train under MirroredStrategy over two logical CPUs and on one
    device; save, reload and resume the distributed network."""
    processor = tf.config.list_physical_devices('CPU')[0]
    tf.config.set_logical_device_configuration(
        processor, [tf.config.LogicalDeviceConfiguration()] * 2)
    strategy = tf.distribute.MirroredStrategy(['/cpu:0', '/cpu:1'])
    one_device = tf.distribute.get_strategy()
    result = {'replicas': strategy.num_replicas_in_sync}

    # Without dropout both runs take the same steps on the same batches
    train_data, valid_data, _ = load(2048, 1000)
    K.backend.clear_session()
    plain_single, _ = train(one_device, train_data, valid_data, 1.0, 1)
    K.backend.clear_session()
    plain_mirrored, _ = train(strategy, train_data, valid_data, 1.0, 1)
    result['plain_weight_gap'] = weight_gap(plain_single, plain_mirrored)

    # The course network, dropout included, saving its best model
    train_data, valid_data, test_data = load(5000, None)
    best_path = os.path.join(folder, 'best.h5')
    K.backend.clear_session()
    single, _ = train(one_device, train_data, valid_data, 0.95, 2)
    K.backend.clear_session()
    network, history = train(strategy, train_data, valid_data, 0.95, 2,
                             best_path)
    test_model = __import__('12-test').test_model
    result['single_accuracy'] = float(
        test_model(single, *test_data, verbose=False)[1])
    result['mirrored_accuracy'] = float(
        test_model(network, *test_data, verbose=False)[1])
    result['history'] = history
    result['best_file_val_loss'] = val_loss(
        __import__('9-model').load_model(best_path), valid_data)

    # save_model and load_model, then more training under the strategy
    model_path = os.path.join(folder, 'model.keras')
    __import__('9-model').save_model(network, model_path)
    loaded = __import__('9-model').load_model(model_path)
    predict = __import__('13-predict').predict
    result['prediction_gap'] = float(np.max(np.abs(
        predict(network, test_data[0]) - predict(loaded, test_data[0]))))
    with strategy.scope():
        resumed = __import__('9-model').load_model(model_path)
        resumed_history = __import__('4-train').train_model(
            resumed, *train_data, BATCH_SIZE, 1, verbose=False)
    result['resumed_strategy'] = type(resumed.distribute_strategy).__name__
    result['resumed_loss'] = float(resumed_history.history['loss'][0])
    return result


def multi_worker(folder):
    """Train as one worker of the cluster in TF_CONFIG; the chief scores
    the best-model file."""
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    chief = bool(strategy.extended.should_checkpoint)
    result = {'replicas': strategy.num_replicas_in_sync, 'chief': chief}
    train_data, valid_data, _ = load(2048, 1000)

    # Without dropout, the same steps as one device with the same batch
    plain, _ = train(strategy, train_data, valid_data, 1.0, 1)
    reference, _ = train(tf.distribute.get_strategy(), train_data,
                         valid_data, 1.0, 1)
    result['plain_weight_gap'] = weight_gap(plain, reference)

    # The course network, every worker given the same best-model path
    best_path = os.path.join(folder, 'best.keras')
    network, result['history'] = train(strategy, train_data, valid_data,
                                       0.95, 2, best_path)
    np.savez(os.path.join(folder, 'weights-{}.npz'.format(task_index())),
             *network.get_weights())
    if chief:
        result['best_file_val_loss'] = val_loss(
            __import__('9-model').load_model(best_path), valid_data)
    return result


def refused(folder):
    """Call every train_model as one worker of a cluster; record how each
    one ends."""
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    (data, labels), _, _ = load(256, 64)
    with strategy.scope():
        network = build(0.95)
    before = network.get_weights()

    result = {'replicas': strategy.num_replicas_in_sync, 'calls': {}}
    for name in TRAIN_MODULES:
        start = time.monotonic()
        try:
            __import__(name).train_model(network, data, labels, BATCH_SIZE,
                                         1, verbose=False)
        except Exception as error:
            frames = traceback.extract_tb(error.__traceback__)[1:]
            result['calls'][name] = {
                'error': type(error).__name__,
                'message': str(error),
                'files': [os.path.basename(frame.filename)
                          for frame in frames],
            }
        else:
            result['calls'][name] = {'error': None}
        result['calls'][name]['seconds'] = time.monotonic() - start
    result['weights_unchanged'] = all(
        np.array_equal(old, new)
        for old, new in zip(before, network.get_weights()))
    return result


def one_worker(folder):
    """Train under MultiWorkerMirroredStrategy without TF_CONFIG."""
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    train_data, valid_data, _ = load(512, 256)
    _, history = train(strategy, train_data, valid_data, 0.95, 1,
                       os.path.join(folder, 'best.h5'))
    return {'replicas': strategy.num_replicas_in_sync, 'history': history}


def task_index():
    """Return this worker's index in TF_CONFIG, 0 without TF_CONFIG."""
    config = json.loads(os.environ.get('TF_CONFIG') or '{}')
    return int(config.get('task', {}).get('index', 0))


SCENARIOS = {
    'mirrored': mirrored,
    'multi-worker': multi_worker,
    'refused': refused,
    'one-worker': one_worker,
}


def main(arguments):
    """Run the scenario named on the command line; write its findings."""
    scenario, folder = arguments
    result = SCENARIOS[scenario](folder)
    result['keras'] = int(str(getattr(K, '__version__', '2')).split('.')[0])
    path = os.path.join(folder, '{}-{}.json'.format(scenario, task_index()))
    with open(path, 'w') as handle:
        json.dump(result, handle)


if __name__ == '__main__':
    main(sys.argv[1:])
