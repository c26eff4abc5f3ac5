"""The workshop's own tooling: the manifest, the solutions-to-starters generator and the step commands."""
from pathlib import Path

from workshop.paths import ROOT
