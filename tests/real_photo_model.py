"""The real photo shipped in photos/, and a small LocationNet-shaped model that places it near where it was taken:
for the tests of `make ask` and `make demo MODEL=build/locationnet`."""
from standin_bucket import vendored_grids
from tiny_locationnet import write_locationnet
from workshop import loader
from workshop.paths import ROOT

PHOTO = ROOT / "photos" / "cape-canaveral-falcon9-dscovr.jpg"
CAPE = (28.5619, -80.5772)  # where its GPS EXIF says it was taken (photos/README.md)
SOLUTIONS = ROOT / "solutions"


def locationnet_near_the_cape(tmp_path_factory):
    """A small network in LocationNet's format whose best guess, for any photo, is the cell of grids.txt nearest
    Cape Canaveral, checked and given its places by `make locationnet FROM=...`: its folder."""
    import mxnet as mx

    geo = loader.load(SOLUTIONS / "02_train", "geo")
    grids = vendored_grids()
    nearest = min(range(len(grids)), key=lambda i: float(geo.haversine_km(*CAPE, grids[i][1], grids[i][2])))
    files = tmp_path_factory.mktemp("files")
    write_locationnet(files, grids, with_grids=False)
    params = files / "RN101-5k500-0012.params"
    saved = mx.nd.load(str(params))
    saved["arg:fc1_bias"][nearest] = 30.0
    mx.nd.save(str(params), saved)
    out = tmp_path_factory.mktemp("model") / "locationnet"
    from workshop import locationnet

    locationnet.main(["--out", str(out), "--from", str(files)])
    return out
