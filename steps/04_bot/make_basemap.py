"""Draw the world basemap of the reply's map (chalicelib/basemap.png) from the land mask global-land-mask ships.

The mask (GLOBE, NOAA's 1-km global elevation data, public domain; the package is MIT-licensed) is 21,600 x 43,200
land/sea cells; each pixel here gets the share of land in its block, so coasts come out smooth. Equirectangular:
x = longitude, y = latitude, which is how chalicelib/map_image.py places the markers; 4320 pixels wide (12 a
degree), so a map zoomed to a region still shows its coasts.

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


def land_share(ocean, width):
    """The share of land in each pixel of a width x width/2 grid over a (lat, lng) ocean mask, north up."""
    block = ocean.shape[1] // width
    if block < 1 or ocean.shape[1] % width or ocean.shape[0] != ocean.shape[1] // 2:
        raise SystemExit(f"--width must divide the mask's {ocean.shape[1]} columns (try 1440, 2160 or 4320).")
    # One band of rows at a time: the whole mask as floats would take 7 GB.
    bands = [ocean[r : r + block].reshape(block, width, block).mean(axis=(0, 2)) for r in range(0, len(ocean), block)]
    return 1 - np.array(bands)


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

    # globe._mask is True at sea; its first row is latitude +90 and its first column longitude -180.
    image = draw(land_share(globe._mask, args.width))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    image.save(args.out, optimize=True)
    print(f"Wrote {args.out} ({image.width} x {image.height}, {args.out.stat().st_size // 1024} KB).")


if __name__ == "__main__":
    main()
