"""Tests for mnist_data: where the MNIST file is found and how it is built."""
import os
import subprocess
import sys

import numpy as np
import pytest

import mnist_data

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fake_download():
    """Stand in for Keras's download: 60,000 + 10,000 tiny uint8 images whose
    first pixel and label tell each sample's place in the official order."""
    train_index = np.arange(60000)
    test_index = np.arange(10000)
    x_train = np.zeros((60000, 2, 2), dtype=np.uint8)
    x_train[:, 0, 0] = train_index % 256
    x_test = np.full((10000, 2, 2), 255, dtype=np.uint8)
    x_test[:, 0, 0] = test_index % 256
    y_train = (train_index % 10).astype(np.uint8)
    y_test = ((test_index + 3) % 10).astype(np.uint8)
    return (x_train, y_train), (x_test, y_test)


def failing_download():
    """Stand in for a download on a machine without internet."""
    raise OSError('network is unreachable')


@pytest.fixture
def no_variable(monkeypatch, tmp_path):
    """Unset MNIST_NPZ and point the default file into tmp_path."""
    monkeypatch.delenv('MNIST_NPZ', raising=False)
    path = tmp_path / 'data' / 'MNIST.npz'
    monkeypatch.setattr(mnist_data, 'DEFAULT_PATH', str(path))
    return path


def write_npz(path, size=5):
    """Write a small file in the MNIST layout and return its arrays."""
    rng = np.random.default_rng(0)
    arrays = {}
    for part in ('train', 'valid', 'test'):
        arrays['X_' + part] = rng.random((size, 28, 28), dtype=np.float32)
        arrays['Y_' + part] = rng.integers(0, 10, size).astype(np.uint8)
    np.savez(path, **arrays)
    return arrays


def test_load_mnist_reads_variable(monkeypatch, tmp_path):
    """MNIST_NPZ names the file; its six arrays come back in order."""
    path = tmp_path / 'mine.npz'
    arrays = write_npz(path)
    monkeypatch.setenv('MNIST_NPZ', str(path))
    monkeypatch.setattr(mnist_data, '_download', failing_download)

    loaded = mnist_data.load_mnist()

    assert len(loaded) == 6
    for key, array in zip(mnist_data.KEYS, loaded):
        np.testing.assert_array_equal(array, arrays[key])


def test_load_mnist_relative_variable_refused(monkeypatch):
    """A relative MNIST_NPZ is refused, since it depends on the folder."""
    monkeypatch.setenv('MNIST_NPZ', 'data/MNIST.npz')

    with pytest.raises(ValueError, match=r"absolute.*MNIST_NPZ='data/MNIST"):
        mnist_data.load_mnist()


def test_load_mnist_variable_names_missing_file(monkeypatch, tmp_path):
    """An MNIST_NPZ that names no file is an error, not a silent fallback."""
    path = tmp_path / 'absent.npz'
    monkeypatch.setenv('MNIST_NPZ', str(path))
    monkeypatch.setattr(mnist_data, '_download', fake_download)

    with pytest.raises(FileNotFoundError, match='MNIST_NPZ.*absent.npz'):
        mnist_data.load_mnist()
    assert not path.exists()


def test_load_mnist_reads_default_file(no_variable, monkeypatch):
    """Without MNIST_NPZ, data/MNIST.npz is read when it exists."""
    no_variable.parent.mkdir()
    arrays = write_npz(no_variable)
    monkeypatch.setattr(mnist_data, '_download', failing_download)

    loaded = mnist_data.load_mnist()

    np.testing.assert_array_equal(loaded[5], arrays['Y_test'])


def test_load_mnist_file_without_keys_refused(monkeypatch, tmp_path):
    """A .npz file without the six keys is named in the error."""
    path = tmp_path / 'other.npz'
    np.savez(path, images=np.zeros(3))
    monkeypatch.setenv('MNIST_NPZ', str(path))

    with pytest.raises(ValueError, match=r'other\.npz.*X_train'):
        mnist_data.load_mnist()


def test_load_mnist_builds_split_from_download(no_variable, monkeypatch):
    """The download is split 50,000 / 10,000 / 10,000 and scaled to [0, 1]."""
    monkeypatch.setattr(mnist_data, '_download', fake_download)

    loaded = mnist_data.load_mnist()

    x_train, y_train, x_valid, y_valid, x_test, y_test = loaded

    assert no_variable.is_file()
    assert [len(array) for array in (x_train, y_train)] == [50000, 50000]
    assert [len(array) for array in (x_valid, y_valid)] == [10000, 10000]
    assert [len(array) for array in (x_test, y_test)] == [10000, 10000]
    for images in (x_train, x_valid, x_test):
        assert images.dtype == np.float32
        assert images.shape[1:] == (2, 2)
        assert images.min() >= 0 and images.max() <= 1
    assert np.issubdtype(y_train.dtype, np.integer)
    np.testing.assert_array_equal(y_train[:12], [0, 1, 2, 3, 4, 5, 6, 7, 8,
                                                 9, 0, 1])
    np.testing.assert_array_equal(x_train[:3, 0, 0], np.float32([0, 1, 2])
                                  / np.float32(255))
    np.testing.assert_array_equal(x_valid[:3, 0, 0],
                                  np.float32([50000 % 256, 50001 % 256,
                                              50002 % 256]) / np.float32(255))
    np.testing.assert_array_equal(y_valid[:3], [0, 1, 2])
    np.testing.assert_array_equal(y_test[:3], [3, 4, 5])
    assert x_test[0, 1, 1] == 1.0
    assert os.listdir(no_variable.parent) == ['MNIST.npz']


def test_load_mnist_built_file_permissions(no_variable, monkeypatch):
    """The built file is readable by others, as any file the user writes
    (the temporary file it starts as is private)."""
    monkeypatch.setattr(mnist_data, '_download', fake_download)
    previous = os.umask(0o022)
    try:
        mnist_data.load_mnist()
    finally:
        os.umask(previous)

    assert oct(no_variable.stat().st_mode & 0o777) == oct(0o644)


def test_load_mnist_builds_once(no_variable, monkeypatch):
    """The built file is reused: a second load does not download again."""
    monkeypatch.setattr(mnist_data, '_download', fake_download)
    first = mnist_data.load_mnist()
    monkeypatch.setattr(mnist_data, '_download', failing_download)

    second = mnist_data.load_mnist()

    np.testing.assert_array_equal(first[1], second[1])


def test_load_mnist_failed_download_names_variable(no_variable, monkeypatch):
    """Without a file or a network, the error says to set MNIST_NPZ."""
    monkeypatch.setattr(mnist_data, '_download', failing_download)

    with pytest.raises(FileNotFoundError,
                       match='network is unreachable.*Set MNIST_NPZ'):
        mnist_data.load_mnist()
    assert not no_variable.parent.exists()


def test_load_mnist_interrupted_write_leaves_nothing(no_variable,
                                                     monkeypatch):
    """A failure while writing leaves neither the file nor a temporary."""
    def broken_savez(handle, **arrays):
        handle.write(b'partial')
        raise OSError('disk full')

    monkeypatch.setattr(mnist_data, '_download', fake_download)
    monkeypatch.setattr(mnist_data.np, 'savez_compressed', broken_savez)

    with pytest.raises(OSError, match='disk full'):
        mnist_data.load_mnist()
    assert os.listdir(no_variable.parent) == []


def test_mnist_data_imports_without_tensorflow(tmp_path):
    """Reading a file does not import TensorFlow; only the download does."""
    path = tmp_path / 'mine.npz'
    write_npz(path)
    code = ('import sys, mnist_data; mnist_data.load_mnist(); '
            "print('tensorflow' in sys.modules)")
    environment = dict(os.environ, MNIST_NPZ=str(path))

    result = subprocess.run([sys.executable, '-c', code], cwd=ROOT,
                            env=environment, capture_output=True, text=True,
                            check=True)

    assert result.stdout.strip() == 'False'


@pytest.mark.skipif(not os.environ.get('MNIST_NPZ'),
                    reason='MNIST_NPZ is not set')
def test_load_mnist_real_file_layout():
    """The file MNIST_NPZ names has the layout the mains rely on."""
    loaded = mnist_data.load_mnist()

    for images, labels in zip(loaded[0::2], loaded[1::2]):
        assert images.dtype == np.float32
        assert images.shape == (len(labels), 28, 28)
        assert 0 <= images.min() and images.max() <= 1
        assert np.issubdtype(labels.dtype, np.integer)
        assert set(np.unique(labels)) == set(range(10))
