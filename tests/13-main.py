#!/usr/bin/env python3
"""Show 13-predict.predict: class probabilities for unseen digits.

Trains on 2,000 MNIST digits for three epochs, then predicts 1,000 test
digits. Run it from the repository root or from tests/:

    python3 tests/13-main.py
"""
import os
import sys

import numpy as np
import tensorflow as tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
build_model = __import__('1-input').build_model
optimize_model = __import__('2-optimize').optimize_model
one_hot = __import__('3-one_hot').one_hot
train_model = __import__('4-train').train_model
predict = __import__('13-predict').predict
load_mnist = __import__('mnist_data').load_mnist


if __name__ == '__main__':
    tf.keras.utils.set_random_seed(0)

    # Load 2,000 training and 1,000 test digits, flattened
    m_train = 2000
    m_test = 1000
    x_train, y_train, _, _, x_test, y_test = load_mnist()
    x_train = x_train[:m_train].reshape(m_train, -1)
    x_test = x_test[:m_test].reshape(m_test, -1)
    y_test = y_test[:m_test]

    # Build, compile and train the course network for three epochs
    network = build_model(784, [256, 256, 10], ['relu', 'relu', 'softmax'],
                          0.0001, 0.95)
    optimize_model(network, 0.001, 0.9, 0.999)
    train_model(network, x_train, one_hot(y_train[:m_train], 10), 64, 3,
                verbose=False)

    # Predict, then read each row's most probable class
    predictions = predict(network, x_test)
    classes = np.argmax(predictions, axis=1)
    print('Predictions shape:', predictions.shape)
    print('Rows sum to one:',
          bool(np.allclose(predictions.sum(axis=1), 1, atol=1e-5)))
    print('Predicted classes:', classes[:10])
    print('True classes:     ', y_test[:10])
    print('Accuracy: {:.4f}'.format(np.mean(classes == y_test)))
