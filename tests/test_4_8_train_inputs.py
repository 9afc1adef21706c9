"""Bad input to every train_model, 4-train.py to 8-train.py: a clear error
before any training step, the network left as it was."""
import numpy as np
import pytest

from conftest import small_network, task

TRAINERS = ['4-train', '5-train', '6-train', '7-train', '8-train']
WITH_VALIDATION = TRAINERS[1:]


def _data(samples=100, classes=3):
    rng = np.random.default_rng(1)
    data = rng.normal(size=(samples, 20)).astype(np.float32)
    labels = np.eye(classes, dtype=np.float32)[
        rng.integers(0, classes, samples)]
    return data, labels


def _assert_refused(module, error, message, *arguments, **options):
    network = small_network()
    weights = [array.copy() for array in network.get_weights()]

    with pytest.raises(error, match=message):
        task(module).train_model(network, *arguments, **options)

    assert int(network.optimizer.iterations.numpy()) == 0
    for before, after in zip(weights, network.get_weights()):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize('module', TRAINERS)
def test_train_model_samples_differ(module):
    """100 samples of data with 90 rows of labels."""
    data, labels = _data()
    _assert_refused(module, ValueError,
                    r'same number of samples.*\(100, 20\).*\(90, 3\)',
                    data, labels[:90], 32, 1)


@pytest.mark.parametrize('module', TRAINERS)
def test_train_model_label_width_differs_from_output(module):
    """Labels of width 10 for a 3-way network."""
    data, _ = _data()
    _, labels = _data(classes=10)
    _assert_refused(module, ValueError,
                    r'3 columns.*labels of shape \(100, 10\)',
                    data, labels, 32, 1)


@pytest.mark.parametrize('module', TRAINERS)
def test_train_model_integer_labels(module):
    """Integer labels instead of one-hot ones."""
    data, labels = _data()
    _assert_refused(module, ValueError, r'one-hot.*shape \(100,\)',
                    data, labels.argmax(axis=1), 32, 1)


@pytest.mark.parametrize('module', TRAINERS)
def test_train_model_data_width_differs_from_input(module):
    """Data of 19 features for a 20-input network."""
    data, labels = _data()
    _assert_refused(module, ValueError,
                    r'input shape.*data of shape \(100, 19\)',
                    data[:, :19], labels, 32, 1)


@pytest.mark.parametrize('module', TRAINERS)
@pytest.mark.parametrize('batch_size, epochs, message', [
    (0, 1, r'`batch_size`.*batch_size=0'),
    (32, 0, r'`epochs`.*epochs=0'),
    (32.0, 1, r'`batch_size`.*batch_size=32.0'),
    (32, -2, r'`epochs`.*epochs=-2'),
], ids=['batch-zero', 'epochs-zero', 'batch-float', 'epochs-negative'])
def test_train_model_bad_counts(module, batch_size, epochs, message):
    """Non-positive or non-integer batch sizes and epoch counts."""
    data, labels = _data()
    _assert_refused(module, ValueError, message,
                    data, labels, batch_size, epochs)


@pytest.mark.parametrize('module', WITH_VALIDATION)
@pytest.mark.parametrize('validation, message', [
    (lambda data, labels: data,
     r'pair \(data, labels\).*validation_data of type ndarray$'),
    (lambda data, labels: (data,),
     r'pair \(data, labels\).*of type tuple and length 1$'),
    (lambda data, labels: (data, labels[:50]),
     r'`validation_data\[0\]` and `validation_data\[1\]`.*same number'),
    (lambda data, labels: (data, labels[:, :2]),
     r'validation_data\[1\]` must have 3 columns'),
], ids=['array', 'one-element', 'samples-differ', 'width-differs'])
def test_train_model_malformed_validation_data(module, validation, message):
    """validation_data that is not a fitting (data, labels) pair."""
    data, labels = _data()
    _assert_refused(module, ValueError, message, data, labels, 32, 1,
                    validation_data=validation(data, labels))


@pytest.mark.parametrize('module', ['6-train', '7-train', '8-train'])
def test_train_model_negative_patience(module):
    """patience=-1, with or without early stopping asked for."""
    data, labels = _data()
    _assert_refused(module, ValueError, r'`patience`.*patience=-1',
                    data, labels, 32, 1, validation_data=(data, labels),
                    early_stopping=True, patience=-1)


@pytest.mark.parametrize('module', ['7-train', '8-train'])
@pytest.mark.parametrize('options, message', [
    ({'decay_rate': -1}, r'`decay_rate`.*decay_rate=-1'),
    ({'alpha': 0}, r'`alpha`.*alpha=0'),
    ({'alpha': -0.1}, r'`alpha`.*alpha=-0.1'),
], ids=['decay-rate-negative', 'alpha-zero', 'alpha-negative'])
def test_train_model_bad_decay(module, options, message):
    """A decay that cannot work, with decay on."""
    data, labels = _data()
    _assert_refused(module, ValueError, message, data, labels, 32, 1,
                    validation_data=(data, labels),
                    learning_rate_decay=True, **options)


@pytest.mark.parametrize('filepath', [None, ''], ids=['none', 'empty'])
def test_train_model_save_best_without_filepath(filepath, tmp_path):
    """save_best=True needs somewhere to save to."""
    data, labels = _data()
    _assert_refused('8-train', ValueError, r'`filepath`.*filepath=',
                    data, labels, 32, 1, validation_data=(data, labels),
                    save_best=True, filepath=filepath)


def test_train_model_save_best_without_validation(tmp_path):
    """save_best=True, filepath='b.h5' and no validation data: no file."""
    data, labels = _data()
    target = tmp_path / 'b.h5'
    _assert_refused('8-train', ValueError,
                    r'`save_best` needs `validation_data`',
                    data, labels, 32, 1, save_best=True,
                    filepath=str(target))

    assert list(tmp_path.iterdir()) == []


def test_train_model_save_best_folder_missing(tmp_path):
    """A filepath in a folder that does not exist names the folder."""
    data, labels = _data()
    folder = tmp_path / 'checkpoints'
    _assert_refused('8-train', FileNotFoundError, str(folder),
                    data, labels, 32, 1, validation_data=(data, labels),
                    save_best=True, filepath=str(folder / 'best.h5'))

    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize('module', TRAINERS)
def test_train_model_no_samples(module):
    """Empty data: Keras 3 would train on nothing with a warning."""
    data, labels = _data()
    _assert_refused(module, ValueError, r'at least one sample.*\(0, 20\)',
                    data[:0], labels[:0], 32, 1)


@pytest.mark.parametrize('module', WITH_VALIDATION)
def test_train_model_empty_validation_data(module):
    """Empty validation data: Keras 3 would skip validation silently."""
    data, labels = _data()
    _assert_refused(module, ValueError,
                    r'validation_data\[0\]` must hold at least one sample',
                    data, labels, 32, 1,
                    validation_data=(data[:0], labels[:0]))


@pytest.mark.parametrize('module', ['7-train', '8-train'])
@pytest.mark.parametrize('options, message', [
    ({'decay_rate': float('inf')}, r'`decay_rate`.*decay_rate=inf'),
    ({'alpha': float('inf')}, r'`alpha`.*alpha=inf'),
    ({'alpha': float('nan')}, r'`alpha`.*alpha=nan'),
    ({'alpha': True}, r'`alpha`.*alpha=True'),
], ids=['decay-rate-inf', 'alpha-inf', 'alpha-nan', 'alpha-bool'])
def test_train_model_decay_not_finite(module, options, message):
    """An infinite decay turned every weight into NaN without a word."""
    data, labels = _data()
    _assert_refused(module, ValueError, message, data, labels, 32, 1,
                    validation_data=(data, labels),
                    learning_rate_decay=True, **options)


@pytest.mark.parametrize('name', ['folder', 'folder/'], ids=['dir', 'slash'])
def test_train_model_save_best_filepath_is_a_folder(name, tmp_path):
    """A filepath naming a folder failed after the first epoch, naming a
    temporary file; now it is refused at once and the folder stays empty."""
    data, labels = _data()
    (tmp_path / 'folder').mkdir()
    _assert_refused('8-train', ValueError, r'`filepath` names a folder',
                    data, labels, 32, 1, validation_data=(data, labels),
                    save_best=True, filepath=str(tmp_path / name))

    assert list((tmp_path / 'folder').iterdir()) == []


def test_train_model_save_best_filepath_bytes(tmp_path):
    """A bytes filepath failed after the first epoch."""
    data, labels = _data()
    _assert_refused('8-train', ValueError, r"filepath=b'",
                    data, labels, 32, 1, validation_data=(data, labels),
                    save_best=True,
                    filepath=str(tmp_path / 'b.h5').encode())


@pytest.mark.parametrize('module', [
    '5-train',
    pytest.param('6-train', marks=pytest.mark.slow),
    pytest.param('7-train', marks=pytest.mark.slow),
    '8-train'])
def test_train_model_accepts_lists(module):
    """Python lists train as arrays do, on every line (Keras 3 refused
    them, and refused list validation data only after an epoch)."""
    data, labels = _data(32)

    history = task(module).train_model(
        small_network(), data.tolist(), labels.tolist(), 16, 1,
        validation_data=(data.tolist(), labels.tolist()), verbose=False)

    assert len(history.history['val_loss']) == 1
