"""A photo and a model folder given on the command line (`make ask`, `make demo MODEL=...`), checked before anything
runs, and the distance report: how far off each guess is from where the photo's GPS EXIF says it was taken."""
import io
import os
import stat

from PIL import Image, UnidentifiedImageError

from workshop import loader, model_folder
from workshop.paths import BUILD, SOLUTIONS, shown

# X takes photos up to 5 MB, so the bot never sees a bigger one (the endpoint's own limit, SageMaker's 6 MB, is
# above it): ask and the demo answer as the bot would, so they take what it could be sent.
MAX_PHOTO_BYTES = 5 * 1024 * 1024
LOCATIONNET = BUILD / "locationnet"
GET_LOCATIONNET = "`make locationnet` gets the talk's real model (a ResNet-101 over 15,527 cells of the globe)"
EXAMPLE_PHOTO = "photos/cape-canaveral-falcon9-dscovr.jpg"


class Stop(Exception):
    """Why the photo or the model cannot be used, and what to do."""


def read_photo(photo, max_bytes=MAX_PHOTO_BYTES):
    """The photo's bytes, once it is known to be a photo (JPEG or PNG) the bot would be sent. Its size is checked
    before a byte is read, and no more than that is read (a file may grow, or be a pipe or a device under a photo's
    name)."""
    try:
        if not stat.S_ISREG(os.stat(photo).st_mode):
            raise Stop(f"PHOTO={shown(photo)} is not a file (a folder, a pipe or a device): give the path of a JPEG or "
                       "PNG photo.")
        with open(photo, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            body = file.read(max_bytes + 1) if size <= max_bytes else b""
    except OSError as error:
        raise Stop(f"cannot read PHOTO={shown(photo)} ({error.strerror}): give the path of a JPEG or PNG photo, e.g. "
                   f"PHOTO={EXAMPLE_PHOTO}.") from None
    if size > max_bytes or len(body) > max_bytes:
        raise Stop(f"PHOTO={shown(photo)} is {max(size, len(body)) / 1e6:,.1f} MB; X takes photos up to "
                   f"{max_bytes // 2**20} MB, and so does the bot: give a smaller one.")
    try:
        Image.open(io.BytesIO(body)).verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Stop(f"PHOTO={shown(photo)} is not a photo Pillow can read: give a JPEG or PNG.") from None
    return body


def check_model(model, locationnet):
    """Stop unless `model` holds LocationNet (as `locationnet.present`, 03_host's, finds it) or a step-02 model."""
    if locationnet.present(str(model)) or (model / "model-symbol.json").is_file():
        try:
            model_folder.check_tables(model, model_folder.class_count(model))
        except model_folder.Unfit as unfit:
            again = "`make locationnet` checks it and fetches what fails" if locationnet.present(str(model)) else \
                "`make train` makes the toy model again"
            raise Stop(f"{shown(model)} does not hold a whole model: {unfit} {again}.") from None
        return
    if model.resolve() == LOCATIONNET:
        raise Stop(f"there is no model in {shown(model)}: {GET_LOCATIONNET} (no AWS account needed), or pass "
                   "MODEL=build/model for the toy model of `make train`.")
    raise Stop(f"{shown(model)} holds no model (no RN101-5k500-symbol.json, no model-symbol.json): {GET_LOCATIONNET}, "
               "or `make train` makes the toy one in build/model.")


def km_from(lat, lng, predictions):
    """Each guess's distance in km from (lat, lng), by step 02's haversine."""
    geo = loader.load(SOLUTIONS / "02_train", "geo")
    return [float(geo.haversine_km(lat, lng, guess["lat"], guess["lng"])) for guess in predictions]


def gps_position(body):
    """(lat, lng) from the photo's GPS EXIF, or None."""
    geotag = loader.load(SOLUTIONS / "01_data", "geotag")
    try:
        position = geotag.read_position(Image.open(io.BytesIO(body)))
    except (UnidentifiedImageError, ValueError, ZeroDivisionError, TypeError):
        return None  # a broken GPS block is no position
    return position if position and geotag.is_possible(*position) else None


def distances(body, predictions, reply):
    """Where the photo's GPS EXIF says it was taken, and each guess's distance from there."""
    position = gps_position(body)
    if not position:
        return "The photo has no GPS position in its EXIF, so how far off each guess is cannot be said."
    import reverse_geocode  # the offline geocoder that names the cells

    place = reverse_geocode.search([position])[0]
    near = ", ".join(filter(None, [place.get("city"), place.get("state"), place.get("country_code")]))
    lines = [f"Its GPS EXIF says it was taken at {position[0]:.4f}, {position[1]:.4f} (near {near}):"]
    for rank, (guess, km) in enumerate(zip(predictions, km_from(*position, predictions)), start=1):
        lines.append(f"   {rank}. {reply.place_name(guess)}: {km:,.0f} km away")
    return "\n".join(lines)
