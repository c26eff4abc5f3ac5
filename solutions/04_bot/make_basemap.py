"""Draw the world basemap of the reply's map (chalicelib/basemap.png) from the land mask global-land-mask ships.

The mask (GLOBE, NOAA's 1-km global elevation data, public domain; the package is MIT-licensed) is 21,600 x 43,200
land/sea cells, asked through the package's `globe.is_ocean(lats, lngs)`; each pixel here gets the share of land
among SAMPLES x SAMPLES points spread over it, so coasts come out smooth. Equirectangular: x = longitude,
y = latitude, which is how chalicelib/map_image.py places the markers; 4320 pixels wide (12 a degree), so a map
zoomed to a region still shows its coasts.

    python make_basemap.py [--out chalicelib/basemap.png] [--width 4320]
"""
import argparse
from pathlib import Path

import numpy as np
from PIL import Image

OCEAN = np.array([170, 205, 230])
LAND = np.array([236, 229, 206])
GRID = np.array([150, 185, 212])
OUT = Path(__file__).with_name("chalicelib") / "basemap.png"
SAMPLES = 8  # points a side asked in each pixel


def land_share(is_ocean, width, samples=SAMPLES):
    """The share of land in each pixel of a width x width/2 grid, north up: `samples` x `samples` points of each
    pixel, asked of is_ocean(lats, lngs) (arrays of degrees -> array of booleans)."""
    step = 360 / width / samples  # degrees between two points, across and down
    lngs = -180 + step * (np.arange(width * samples) + 0.5)
    rows = []
    for row in range(width // 2):  # one row of pixels at a time: the whole grid of points at once would take GBs
        lats = 90 - step * (row * samples + np.arange(samples) + 0.5)
        ocean = np.asarray(is_ocean(*np.meshgrid(lats, lngs, indexing="ij")), dtype=bool)
        rows.append(1 - ocean.reshape(samples, width, samples).mean(axis=(0, 2)))
    return np.array(rows)


def draw(share):
    """Colour the land share, with a faint graticule every 30 degrees."""
    height, width = share.shape
    pixels = OCEAN + share[..., None] * (LAND - OCEAN)
    for degrees in range(-150, 180, 30):
        pixels[:, round((degrees + 180) / 360 * width)] = GRID
    for degrees in range(-60, 90, 30):
        pixels[round((90 - degrees) / 180 * height), :] = GRID
    return Image.fromarray(pixels.round().astype(np.uint8)).quantize(colors=32)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--width", type=int, default=4320)
    args = parser.parse_args(argv)
    from global_land_mask import globe  # loads the 2.5 MB compressed mask (930 MB unpacked) on import

    image = draw(land_share(globe.is_ocean, args.width))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    image.save(args.out, optimize=True)
    print(f"Wrote {args.out} ({image.width} x {image.height}, {args.out.stat().st_size // 1024} KB).")


if __name__ == "__main__":
    main()
