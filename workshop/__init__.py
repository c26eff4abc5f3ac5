"""The workshop's own tooling: the manifest, the solutions-to-starters generator and the step commands.

Where things are in the repository: workshop/paths.py."""
