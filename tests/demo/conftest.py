"""Fixtures of the tests of `make ask` and `make demo MODEL=locationnet`."""
import pytest

import real_photo_model


@pytest.fixture(scope="session")
def locationnet_near_the_cape(tmp_path_factory):
    return real_photo_model.locationnet_near_the_cape(tmp_path_factory)
