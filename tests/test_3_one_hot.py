"""Tests of 3-one_hot.one_hot."""
import numpy as np
import pytest

from conftest import task


def one_hot(*arguments):
    return task('3-one_hot').one_hot(*arguments)


def test_one_hot_matches_identity_rows():
    """Each row is the identity row of its label, as float32."""
    labels = np.array([5, 0, 4, 1, 9, 2, 1, 3, 1, 4])

    encoded = one_hot(labels, 10)

    assert encoded.dtype == np.float32
    assert isinstance(encoded, np.ndarray)
    np.testing.assert_array_equal(encoded, np.eye(10)[labels])


def test_one_hot_infers_classes_and_is_float32():
    """`one_hot(np.array([0, 2, 1]))` was float64 on Keras 3."""
    encoded = one_hot(np.array([0, 2, 1]))

    assert encoded.dtype == np.float32
    np.testing.assert_array_equal(
        encoded, [[1, 0, 0], [0, 0, 1], [0, 1, 0]])


@pytest.mark.parametrize('labels', [
    [3, 0, 1], np.array([[3], [0], [1]]), np.array([3., 0., 1.]),
    np.array([3, 0, 1], np.uint8),
], ids=['list', 'column', 'integral-floats', 'uint8'])
def test_one_hot_accepts_vector_forms(labels):
    """Lists, column vectors and integral floats are label vectors."""
    np.testing.assert_array_equal(one_hot(labels, 5), np.eye(5)[[3, 0, 1]])


def test_one_hot_empty_with_classes():
    """Empty labels with `classes` give a (0, classes) matrix."""
    encoded = one_hot(np.array([], int), 4)

    assert encoded.shape == (0, 4)
    assert encoded.dtype == np.float32


@pytest.mark.parametrize('labels, classes, message', [
    (np.array([8, 4, 6, 3, 5, 9, 7, 2]), 8,
     r'larger than the largest label \(9\).*classes=8'),
    (np.array([0, -1, 2]), 3, r'non-negative.*labels\[1\]=-1'),
    (np.array([0., 1.7, 2.2]), 3, r'integer.*labels\[1\]=1.7'),
    (np.array([0., np.nan]), 3, r'integer.*labels\[1\]=nan'),
    (np.zeros((2, 3), int), None, r'vector.*shape \(2, 3\)'),
    (np.array([], int), None, r'`classes` is needed.*empty'),
    (np.array([0, 1]), 0, r'classes=0'),
    (np.array([0, 1]), 2.0, r'classes=2.0'),
], ids=['classes-too-small', 'negative', 'fractional', 'nan', 'matrix',
        'empty-without-classes', 'classes-zero', 'classes-float'])
def test_one_hot_bad_input(labels, classes, message):
    """Labels Keras would wrap, truncate or crash on are refused clearly."""
    with pytest.raises(ValueError, match=message):
        one_hot(labels, classes)


def test_one_hot_refuses_strings():
    """Labels that are not numbers are a TypeError naming the dtype."""
    with pytest.raises(TypeError, match=r'integer.*dtype <U1'):
        one_hot(np.array(['a', 'b']))


@pytest.mark.parametrize('labels', [
    [1e20], np.array([2 ** 63], dtype=np.uint64)], ids=['float', 'uint64'])
def test_one_hot_labels_beyond_64_bits(labels):
    """1e20 warned of an overflow and then blamed empty labels; 2**63
    failed with an IndexError."""
    with pytest.raises(ValueError, match=r'fit in 64 bits.*labels\[0\]='):
        task('3-one_hot').one_hot(labels, 10)
