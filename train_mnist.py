#!/usr/bin/env python3
"""Train the course network on MNIST, end to end, through the task files.

Builds the 784-256-256-10 network (1-input), compiles it with Adam
(2-optimize), trains it with validation, early stopping, learning-rate decay
and best-model saving (8-train), reloads the best model (9-model), evaluates
it (12-test) and predicts with it (13-predict). Prints labelled results and
draws the learning curve. From the repository root:

    python3 train_mnist.py            # up to 30 epochs
    python3 train_mnist.py --epochs 5 --quiet

MNIST comes from mnist_data.load_mnist (see the README's Data section);
the best model and the learning curve go to build/ under the repository root.
"""
import argparse
import os
import time

import numpy as np
import tensorflow as tf
from matplotlib.figure import Figure

ROOT = os.path.dirname(os.path.abspath(__file__))
build_model = __import__('1-input').build_model
optimize_model = __import__('2-optimize').optimize_model
one_hot = __import__('3-one_hot').one_hot
train_model = __import__('8-train').train_model
load_model = __import__('9-model').load_model
test_model = __import__('12-test').test_model
predict = __import__('13-predict').predict
load_mnist = __import__('mnist_data').load_mnist


def parse_arguments(argv=None):
    """Parse the command line.

    Args:
        argv: List of arguments without the program name, or `None` to read
            `sys.argv`.

    Returns:
        The `argparse.Namespace` of the options.
    """
    parser = argparse.ArgumentParser(
        description='Train the course network on MNIST through the task '
                    'files and report its test accuracy.')
    parser.add_argument(
        '--epochs', type=int, default=30,
        help='most epochs to train; early stopping may end sooner '
             '(default: %(default)s)')
    parser.add_argument(
        '--seed', type=int, default=0,
        help='seed of Python, NumPy and TensorFlow (default: %(default)s)')
    parser.add_argument(
        '--output-dir', default=os.path.join(ROOT, 'build'),
        help='folder for the best model and the learning curve, created if '
             'missing (default: build/ under the repository root)')
    parser.add_argument(
        '--quiet', action='store_true',
        help="hide Keras's progress bars (the learning-rate messages stay)")
    arguments = parser.parse_args(argv)

    if arguments.epochs < 1:
        parser.error(f'--epochs must be at least 1; got {arguments.epochs}')
    return arguments


def plot_learning_curve(history, filename):
    """Draw loss and accuracy per epoch, training and validation, as a PNG.

    Args:
        history: Dictionary of per-epoch lists, as `History.history` holds.
        filename: Path of the PNG file to write.
    """
    epochs = np.arange(1, len(history['loss']) + 1)
    best_epoch = int(np.argmin(history['val_loss'])) + 1

    figure = Figure(figsize=(10, 4), layout='constrained')
    loss_axes, accuracy_axes = figure.subplots(1, 2)
    for axes, metric, title in ((loss_axes, 'loss', 'Loss'),
                                (accuracy_axes, 'accuracy', 'Accuracy')):
        axes.plot(epochs, history[metric], marker='o', label='training')
        axes.plot(epochs, history['val_' + metric], marker='o',
                  label='validation')
        axes.axvline(best_epoch, color='grey', linestyle='--',
                     label=f'best model (epoch {best_epoch})')
        axes.set_title(title)
        axes.set_xlabel('epoch')
        axes.grid(alpha=0.3)
        axes.legend()
    figure.suptitle('Course network on MNIST')

    figure.savefig(filename, dpi=100)


def main(argv=None):
    """Train, reload, evaluate and predict; print and return the results.

    Args:
        argv: List of command-line arguments, or `None` to read `sys.argv`.

    Returns:
        Dictionary of the results: `epochs_run`, `best_epoch` (1-based),
        `best_val_loss`, `test_loss`, `test_accuracy`,
        `prediction_accuracy`, `seconds`, `model_path` and `curve_path`.
    """
    arguments = parse_arguments(argv)
    start = time.perf_counter()
    verbose = not arguments.quiet
    os.makedirs(arguments.output_dir, exist_ok=True)
    model_path = os.path.join(arguments.output_dir, 'mnist_best.keras')
    curve_path = os.path.join(arguments.output_dir, 'learning_curve.png')
    tf.keras.utils.set_random_seed(arguments.seed)

    # Load MNIST and flatten each image to 784 features
    x_train, y_train, x_valid, y_valid, x_test, y_test = load_mnist()
    x_train = x_train.reshape(len(x_train), -1)
    x_valid = x_valid.reshape(len(x_valid), -1)
    x_test = x_test.reshape(len(x_test), -1)
    print('Training data:', x_train.shape)
    print('Validation data:', x_valid.shape)
    print('Test data:', x_test.shape)

    # Encode the labels
    classes = 10
    train_labels = one_hot(y_train, classes)
    valid_labels = one_hot(y_valid, classes)
    test_labels = one_hot(y_test, classes)

    # Build and compile the course network
    lambtha = 0.0001
    keep_prob = 0.95
    network = build_model(784, [256, 256, classes],
                          ['relu', 'relu', 'softmax'], lambtha, keep_prob)
    alpha = 0.001
    beta1 = 0.9
    beta2 = 0.999
    optimize_model(network, alpha, beta1, beta2)

    # Train, keeping the model of lowest validation loss
    batch_size = 64
    patience = 3
    decay_rate = 1
    history = train_model(network, x_train, train_labels, batch_size,
                          arguments.epochs,
                          validation_data=(x_valid, valid_labels),
                          early_stopping=True, patience=patience,
                          learning_rate_decay=True, alpha=alpha,
                          decay_rate=decay_rate, save_best=True,
                          filepath=model_path, verbose=verbose)
    val_loss = history.history['val_loss']
    best_epoch = int(np.argmin(val_loss)) + 1

    # Reload the best model, evaluate it and predict with it
    best = load_model(model_path)
    test_loss, test_accuracy = test_model(best, x_test, test_labels,
                                          verbose=verbose)
    predictions = predict(best, x_test)
    prediction_accuracy = float(np.mean(np.argmax(predictions, axis=1)
                                        == y_test))

    # Draw the learning curve and report
    plot_learning_curve(history.history, curve_path)
    results = {
        'epochs_run': len(val_loss),
        'best_epoch': best_epoch,
        'best_val_loss': float(val_loss[best_epoch - 1]),
        'test_loss': float(test_loss),
        'test_accuracy': float(test_accuracy),
        'prediction_accuracy': prediction_accuracy,
        'seconds': time.perf_counter() - start,
        'model_path': model_path,
        'curve_path': curve_path,
    }
    print('Epochs run: {} of {}'.format(results['epochs_run'],
                                        arguments.epochs))
    print('Best validation loss: {:.4f} at epoch {}'.format(
        results['best_val_loss'], best_epoch))
    print('Test loss: {:.4f}'.format(results['test_loss']))
    print('Test accuracy: {:.4f}'.format(results['test_accuracy']))
    print('Accuracy of the predictions: {:.4f}'.format(prediction_accuracy))
    print('Best model:', model_path)
    print('Learning curve:', curve_path)
    print('Seconds: {:.1f}'.format(results['seconds']))
    return results


if __name__ == '__main__':
    main()
