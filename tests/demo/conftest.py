"""Fixtures of the tests of `make ask` and `make demo MODEL=build/locationnet`."""
import pytest

import real_photo_model


@pytest.fixture(scope="session")
def locationnet_near_the_cape(tmp_path_factory):
    return real_photo_model.locationnet_near_the_cape(tmp_path_factory)


@pytest.fixture(scope="session")
def too_big_for_x(tmp_path_factory):
    """A real PNG of 5.6 MB: within the endpoint's 6 MB, above the 5 MB X takes (so the bot is never sent it)."""
    import os

    from PIL import Image

    path = tmp_path_factory.mktemp("big") / "big.png"
    Image.frombytes("RGB", (1400, 1400), os.urandom(1400 * 1400 * 3)).save(path, compress_level=0)
    assert 5 * 2**20 < path.stat().st_size < 6 * 2**20
    return path
