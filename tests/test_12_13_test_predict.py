"""Tests of 12-test.test_model and 13-predict.predict."""
import numpy as np
import pytest

from conftest import small_network, task


def test_test_model_equals_evaluate(tiny_data, capfd):
    """test_model returns evaluate's [loss, accuracy] as Python floats."""
    (data, labels), _ = tiny_data
    network = small_network()

    result = task('12-test').test_model(network, data, labels, verbose=False)

    assert capfd.readouterr().out == ''
    assert isinstance(result, list) and len(result) == 2
    assert all(isinstance(value, float) for value in result)
    assert result == pytest.approx(
        network.evaluate(data, labels, verbose=0), rel=1e-6)
    probabilities = network.predict(data, verbose=0)
    accuracy = np.mean(probabilities.argmax(1) == labels.argmax(1))
    assert result[1] == pytest.approx(accuracy)


def test_test_model_verbose_prints_progress(tiny_data, capfd):
    """verbose=True, the default, shows Keras's progress bar."""
    (data, labels), _ = tiny_data

    task('12-test').test_model(small_network(), data, labels)

    assert '2/2' in capfd.readouterr().out


@pytest.mark.parametrize('rows', [63, 65])
def test_test_model_samples_differ(rows, tiny_data):
    """Labels for another number of samples are refused, naming shapes."""
    (data, labels), _ = tiny_data
    labels = np.eye(3, dtype=np.float32)[np.arange(rows) % 3]

    with pytest.raises(ValueError, match=r'\(64, 20\).*\({}, 3\)'.format(
            rows)):
        task('12-test').test_model(small_network(), data, labels)


def test_predict_rows_are_probabilities(tiny_data, capfd):
    """predict gives (m, classes) rows summing to one, quietly."""
    (data, _), _ = tiny_data
    network = small_network()

    predictions = task('13-predict').predict(network, data)

    assert capfd.readouterr().out == ''
    assert predictions.shape == (64, 3)
    np.testing.assert_allclose(predictions.sum(axis=1), np.ones(64),
                               rtol=1e-5)
    np.testing.assert_allclose(predictions, np.asarray(network(data)),
                               rtol=1e-5, atol=1e-7)


def test_predict_verbose_prints_progress(tiny_data, capfd):
    """verbose=True shows Keras's progress bar."""
    (data, _), _ = tiny_data

    task('13-predict').predict(small_network(), data, verbose=True)

    assert '2/2' in capfd.readouterr().out
