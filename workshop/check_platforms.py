"""`python -m workshop check-platforms`: can every pin install from a wheel on each platform the README claims?

For each pin of constraints.txt (the whole installed set) it reads the package index's list of files (the JSON
simple API) and picks the wheel pip would pick on that platform with Python 3.11: pip's own rules, from `packaging`
(`--platform`, `--python-version 3.11`, `--abi cp311`, `--only-binary=:all:`). This downloads no wheel; `pip
install --dry-run --report` downloads each one whole (about 40 MB for mxnet), twice for two platforms.
Without the index it says that it could not check, and exits 0: an offline run proves nothing either way.
"""
import json
import os
import re
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import compatible_tags, cpython_tags, mac_platforms
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from workshop.paths import ROOT

PYTHON = (3, 11)
# README "Before the stream" claims these, as pip's --platform tags: Linux with glibc 2.28 or newer, and Intel Macs
# from macOS 12 on (older macOS versions' and universal2 wheels run there too).
LEGACY_MANYLINUX = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}


def manylinux(glibc_minor):
    """pip's platform tags for x86_64 Linux with glibc 2.<glibc_minor>, the newest first, as pip ranks them."""
    tags = []
    for minor in range(glibc_minor, 4, -1):
        tags.append(f"manylinux_2_{minor}_x86_64")
        if minor in LEGACY_MANYLINUX:
            tags.append(f"{LEGACY_MANYLINUX[minor]}_x86_64")
    return tags


PLATFORMS = {"Linux x86_64": manylinux(28), "macOS Intel": list(mac_platforms((12, 0), "x86_64"))}
JSON_SIMPLE_API = "application/vnd.pypi.simple.v1+json"


def index_url():
    """The package index pip would install from: its configuration's index-url (`pip config list`: the environment,
    then the config files), else the default `pip install --help` states (pip has no Python API; its command line is
    what it offers)."""
    listed = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True).stdout
    settings = dict(line.split("=", 1) for line in listed.splitlines() if "=" in line)
    for key in (":env:.index-url", "install.index-url", "global.index-url"):
        if key in settings:
            return settings[key].strip().strip("'\"").split()[0]
    helped = subprocess.run([sys.executable, "-m", "pip", "install", "--help"], capture_output=True, text=True).stdout
    default = re.search(r"--index-url <url>\s+Base URL of the Python Package Index \(default\s+(\S+?)\)", helped)
    if not default:
        raise SystemExit("pip's `install --help` no longer states its default index: pass --index-url.")
    return default[1]


class IndexUnreachable(Exception):
    """The package index could not be reached."""


@dataclass
class Found:
    pin: str
    platform: str
    wheel: str = ""  # the wheel pip would install there, empty when there is none
    newest_with_wheel: str = ""  # the newest version that has one, when this one has none

    def installs(self):
        return bool(self.wheel) or built_here_as_pure_python(self.pin)

    def describe(self):
        if self.wheel:
            return self.wheel
        if built_here_as_pure_python(self.pin):
            return "no wheel; its sdist is pure Python (built here as py3-none-any), so it installs anywhere"
        if self.newest_with_wheel:
            return f"NO WHEEL (the newest version with one: {self.newest_with_wheel})"
        return "NO WHEEL (no version has one)"


def pins(root=ROOT):
    """The exact pins of constraints.txt, e.g. ["mxnet==1.9.1", ...]."""
    lines = (line.split("#")[0].strip() for line in (root / "constraints.txt").read_text().splitlines())
    return [line for line in lines if "==" in line]


def tag_ranks(platform_tags):
    """pip's tags for CPython 3.11 on these platforms, each with its place: 0 is the most preferred."""
    abi = "cp{}{}".format(*PYTHON)
    tags = list(cpython_tags(PYTHON, [abi], platform_tags)) + list(compatible_tags(PYTHON, abi, platform_tags))
    return {tag: place for place, tag in reversed(list(enumerate(tags)))}


def files_of(name, index, trusted):
    """The index's files of one project: [{"filename": ..., "yanked": ..., "requires-python": ...}, ...]."""
    request = urllib.request.Request(f"{index}/{canonicalize_name(name)}/", headers={"Accept": JSON_SIMPLE_API})
    try:
        with urllib.request.urlopen(request, timeout=30, context=trusted) as answer:
            return json.load(answer)["files"]
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return []
        raise IndexUnreachable(f"HTTP {error.code} for {request.full_url}") from error
    except (urllib.error.URLError, OSError) as error:
        raise IndexUnreachable(str(getattr(error, "reason", error))) from error


def wheels_of(files):
    """[(version, tags, file name)] of the wheels among an index's files that could install on Python 3.11."""
    wheels = []
    for file in files:
        try:
            runs_here = SpecifierSet(file.get("requires-python") or "").contains("{}.{}".format(*PYTHON))
            _, version, _, tags = parse_wheel_filename(file["filename"])
        except (InvalidSpecifier, InvalidWheelFilename, InvalidVersion):
            continue  # an sdist, or a file older than today's naming rules
        if runs_here and not file.get("yanked"):
            wheels.append((version, tags, file["filename"]))
    return wheels


def check(pin, wheels, platform, ranks):
    """Found: the wheel pip would take for this pin on this platform, or else the newest version that has one."""
    fitting = [(min(ranks.get(tag, len(ranks)) for tag in tags), version, name) for version, tags, name in wheels
               if not tags.isdisjoint(ranks)]
    version = Version(pin.split("==")[1])
    mine = sorted((rank, name) for rank, wheel_version, name in fitting if wheel_version == version)
    if mine:
        return Found(pin, platform, mine[0][1])
    others = [wheel_version for _, wheel_version, _ in fitting if not wheel_version.is_prerelease]
    return Found(pin, platform, newest_with_wheel=str(max(others)) if others else "")


def built_here_as_pure_python(pin):
    """True when this environment built the pin from its sdist into a wheel for any platform."""
    name, version = pin.split("==")
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return False
    wheel = dist.read_text("WHEEL") or ""
    return dist.version == version and "Root-Is-Purelib: true" in wheel and "-none-any" in wheel


def table(results):
    """Three aligned columns, one row a pin on a platform."""
    rows = [("package", "platform", "wheel found")] + [(r.pin, r.platform, r.describe()) for r in results]
    widths = [max(len(row[column]) for row in rows) for column in range(2)]
    return "\n".join(f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c}".rstrip() for a, b, c in rows)


def main(root=ROOT, index=None, platforms=PLATFORMS):
    url = index or index_url()
    pinned = pins(root)
    trusted = ssl.create_default_context(cafile=os.environ.get("PIP_CERT"))  # what pip trusts, e.g. a proxy's CA
    try:
        with ThreadPoolExecutor(8) as pool:
            files = pool.map(lambda pin: files_of(pin.split("==")[0], url, trusted), pinned)
            wheels = dict(zip(pinned, map(wheels_of, files)))
    except IndexUnreachable as error:
        print(f"check-platforms: NOT CHECKED. The package index {url} could not be reached ({error}), so "
              f"nothing is known about the wheels of the {len(pinned)} pins. Run it again with the network.")
        return 0
    ranks = {name: tag_ranks(tags) for name, tags in platforms.items()}
    results = [check(pin, wheels[pin], name, ranks[name]) for name in platforms for pin in pinned]
    print(f"check-platforms: wheels for Python {PYTHON[0]}.{PYTHON[1]} of the {len(pinned)} pins in constraints.txt, "
          f"from {url}")
    print(table(results))
    for name in platforms:
        on_it = [found for found in results if found.platform == name]
        print(f"{name}: {sum(found.installs() for found in on_it)} of {len(on_it)} pins install, "
              f"{sum(bool(found.wheel) for found in on_it)} from wheels.")
    failing = [found for found in results if not found.installs()]
    if failing:
        print(f"{len(failing)} pin(s) have no wheel where README.md says they install (above): pin versions that "
              f"have one, or change the platform table in README.md.", file=sys.stderr)
        return 1
    return 0
