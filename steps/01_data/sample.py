"""The toy world: a small, deterministic, synthetic stand-in for geotagged photos. None of it is a real photo.

Each photo is a scene (sky, horizon, skyline, striped ground) "taken" near a real city. Its look (sky and ground
colours, haze, horizon height, stripes, skyline) is a smooth function of where it was taken, so nearby places look
alike and distant ones differ; per-photo noise keeps it from being trivial. Nothing in a scene depends on left or
right, so a mirrored photo still looks like the same place. The position goes into the JPEG's GPS EXIF, exactly
where a camera puts it.

    python sample.py DIR [--count N] [--seed S] [--size PX]     writes the photos to DIR to look at
"""
import argparse
import functools
import os
from pathlib import Path

import numpy as np
from PIL import Image

import geotag
import parallel
from cities import CITIES

SPREAD_DEGREES = 0.4  # how far from its city a photo is taken (standard deviation, ~45 km)
# The waves that paint the globe: each style value is a sine of the place's 3-D position on the unit sphere. Their
# frequencies, 3 (the look changes from continent to continent) and 7 (from region to region), fix how far one must
# travel before a scene looks different; the directions are random but fixed (seeded), like a map's.
_WAVES = np.random.RandomState(2017).normal(size=(13, 3))
_WAVES *= np.array([3.0] * 6 + [7.0] * 7)[:, None] / np.linalg.norm(_WAVES, axis=1, keepdims=True)
_PHASES = np.random.RandomState(2018).uniform(0, 2 * np.pi, size=13)
_NOISE = np.random.RandomState()  # re-seeded for every photo: far cheaper than a new RandomState each time


def places(count, seed):
    """`count` (lat, lng) positions, each drawn near a city (popular cities more often)."""
    rng = np.random.RandomState(seed)
    weights = np.array([weight for *_, weight in CITIES], dtype=float)
    chosen = rng.choice(len(CITIES), size=count, p=weights / weights.sum())
    centres = np.array([(lat, lng) for _, lat, lng, _ in CITIES])[chosen]
    offsets = rng.normal(scale=SPREAD_DEGREES, size=(count, 2))
    lat = np.clip(centres[:, 0] + offsets[:, 0], -89.0, 89.0)
    lng = (centres[:, 1] + offsets[:, 1] / np.cos(np.radians(lat)) + 180) % 360 - 180
    return list(zip(lat.round(6).tolist(), lng.round(6).tolist()))


def style(lat, lng):
    """13 numbers in 0..1 that say what a place looks like; they change smoothly across the globe."""
    lat, lng = np.radians(lat), np.radians(lng)
    point = np.array([np.cos(lat) * np.cos(lng), np.cos(lat) * np.sin(lng), np.sin(lat)])
    return 0.5 + 0.5 * np.sin(_WAVES @ point + _PHASES)


def render(lat, lng, rng, size):
    """The scene at (lat, lng) as an RGB image `size` pixels high and 4/3 as wide, with `rng`'s noise."""
    s = style(lat, lng)
    height, width = size, round(size * 4 / 3)
    y = (np.arange(height) / height)[:, None, None]
    sky_top = np.array([0.2 + 0.5 * s[0], 0.3 + 0.5 * s[1], 0.5 + 0.5 * s[2]]) + rng.normal(0, 0.03, 3)
    haze = np.array([0.95, 0.85 + 0.1 * s[3], 0.75]) + rng.normal(0, 0.03, 3)
    ground = np.array([0.15 + 0.7 * s[4], 0.15 + 0.7 * s[5], 0.1 + 0.5 * s[6]]) + rng.normal(0, 0.04, 3)
    horizon = 0.35 + 0.3 * s[7] + rng.normal(0, 0.05)

    # Sky: from its colour at the top to the haze at the horizon; how hazy depends on the place.
    fade = np.clip(y / horizon, 0, 1) ** (0.5 + 1.5 * s[8])
    sky = sky_top * (1 - fade) + haze * fade
    # Ground: horizontal stripes (fields, streets, waves) whose spacing and contrast depend on the place.
    depth = np.clip((y - horizon) / (1 - horizon), 0, 1)
    stripes = 1 + (0.05 + 0.3 * s[9]) * np.sin(2 * np.pi * (2 + 8 * s[10]) * depth + rng.uniform(0, 2 * np.pi))
    land = ground * stripes * (0.75 + 0.25 * depth)
    image = np.where(y < horizon, sky, land) * np.ones((1, width, 1))

    x = (np.arange(width) / width)[None, :]
    for _ in range(rng.poisson(1.5)):  # clouds
        cx, cy = rng.uniform(0, 1), rng.uniform(0.05, horizon)
        rx, ry = rng.uniform(0.08, 0.25), rng.uniform(0.03, 0.08)
        inside = (((x - cx) / rx) ** 2 + ((y[:, :, 0] - cy) / ry) ** 2 < 1) & (y[:, :, 0] < horizon)
        image[inside] = 0.6 * image[inside] + 0.4

    # Skyline: blocks standing on the horizon, how many and how tall depend on the place.
    row = int(horizon * height)
    for _ in range(rng.poisson(1 + 8 * s[11])):
        wide = rng.randint(2, max(3, width // 8))
        left = rng.randint(1 - wide, width)  # blocks may stand half outside on either side alike
        tall = max(1, int(height * (0.04 + 0.3 * s[12]) * rng.uniform(0.5, 1.5)))
        image[max(0, row - tall) : row, max(0, left) : left + wide] = ground * 0.45 + rng.normal(0, 0.03, 3)

    image *= rng.normal(1, 0.1) * rng.normal(1, 0.05, 3)  # exposure and white balance
    image += rng.uniform(-0.09, 0.09, image.shape)  # sensor noise
    return Image.fromarray((np.clip(image, 0, 1) * 255).astype(np.uint8))


def write_photo(item, folder, seed, size):
    """Render one photo, item = (index, (lat, lng)), into `folder` as a JPEG with GPS EXIF; returns its path."""
    index, (lat, lng) = item
    _NOISE.seed([seed, index])  # each photo its own noise, whichever process renders it
    path = Path(folder) / f"sample-{index:06d}.jpg"
    render(lat, lng, _NOISE, size).save(path, "JPEG", quality=90, exif=geotag.gps_exif(lat, lng))
    return path


def write_photos(folder, count, seed, size, workers=1):
    """Render `count` photos into `folder` in `workers` processes; the same seed gives the same files."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    write = functools.partial(write_photo, folder=folder, seed=seed, size=size)
    return list(parallel.ordered_map(write, enumerate(places(count, seed)), workers, "Rendering the toy world"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Write the toy world's photos to a folder.")
    parser.add_argument("folder")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", type=int, default=64, help="height in pixels")
    arguments = parser.parse_args()
    written = write_photos(arguments.folder, arguments.count, arguments.seed, arguments.size, os.cpu_count())
    print(f"Wrote {len(written)} toy-world photos to {arguments.folder}.")
