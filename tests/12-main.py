#!/usr/bin/env python3
"""Show 12-test.test_model: evaluate a trained network on test digits.

Trains on 2,000 MNIST digits for three epochs, then evaluates on 1,000 test
digits. Run it from the repository root or from tests/:

    python3 tests/12-main.py
"""
import os
import sys

import tensorflow as tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
build_model = __import__('1-input').build_model
optimize_model = __import__('2-optimize').optimize_model
one_hot = __import__('3-one_hot').one_hot
train_model = __import__('4-train').train_model
test_model = __import__('12-test').test_model
load_mnist = __import__('mnist_data').load_mnist


if __name__ == '__main__':
    tf.keras.utils.set_random_seed(0)

    # Load 2,000 training and 1,000 test digits, flattened
    m_train = 2000
    m_test = 1000
    x_train, y_train, _, _, x_test, y_test = load_mnist()
    x_train = x_train[:m_train].reshape(m_train, -1)
    x_test = x_test[:m_test].reshape(m_test, -1)

    # Encode the labels
    y_train = one_hot(y_train[:m_train], 10)
    y_test = one_hot(y_test[:m_test], 10)

    # Build, compile and train the course network for three epochs
    network = build_model(784, [256, 256, 10], ['relu', 'relu', 'softmax'],
                          0.0001, 0.95)
    optimize_model(network, 0.001, 0.9, 0.999)
    train_model(network, x_train, y_train, 64, 3, verbose=False)

    # Evaluate
    loss, accuracy = test_model(network, x_test, y_test)
    print('Test loss: {:.4f}'.format(loss))
    print('Test accuracy: {:.4f}'.format(accuracy))
