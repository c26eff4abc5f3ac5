#!/bin/sh
# The dev container's onCreateCommand: the workspace's .venv becomes the image's, which has the pinned packages.
# A .venv made on the host (macOS, Windows) cannot run in the container: it is kept aside as .venv-host.
set -e
if [ -e .venv ] && [ ! -L .venv ]; then
  rm -rf .venv-host && mv .venv .venv-host
  echo "Your host's .venv is now .venv-host; the container's pinned packages are in .venv."
fi
ln -sfn /opt/whereml/.venv .venv
