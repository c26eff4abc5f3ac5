#!/usr/bin/env bash
# `make check-devcontainer`: build the dev container where no registry for base images can be reached. A Debian
# bookworm root made by debootstrap, imported with `podman import`, stands in for the base image; the Dockerfile's
# `check` stage then runs `make test-step 1 TREE=solutions` and `make demo` as build steps (a build can run them
# where `podman run` cannot start a container). Needs root, podman and debootstrap (installed if missing), and PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."

ROOTFS=build/devcontainer/bookworm-root
BASE=localhost/whereml-bookworm-base
IMAGE=localhost/whereml-devcontainer
BUILD=(podman build --isolation chroot --network host --build-arg "BASE_IMAGE=$BASE" -f .devcontainer/Dockerfile)
# pip in the build trusts what this machine's pip trusts (PIP_CERT, e.g. the CA of a proxy that re-signs TLS).
if [ -n "${PIP_CERT:-}" ]; then
  BUILD+=(--volume "$PIP_CERT:/etc/ssl/host-ca.pem:ro" --build-arg PIP_CERT=/etc/ssl/host-ca.pem)
fi

if ! command -v podman >/dev/null || ! command -v debootstrap >/dev/null; then
  echo "Installing podman and debootstrap ..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman debootstrap >/dev/null
fi

# The base: what the default base image gives the Dockerfile (Python 3.11, venv, make, git), on Debian bookworm.
if [ ! -f "$ROOTFS.done" ]; then
  echo "Making a Debian bookworm root in $ROOTFS with debootstrap (a few minutes, once) ..."
  rm -rf "$ROOTFS" && mkdir -p "$(dirname "$ROOTFS")"
  debootstrap --variant=minbase --include=python3,python3-venv,make,git,ca-certificates \
    bookworm "$ROOTFS" >"$ROOTFS.log"  # from debootstrap's default mirror
  touch "$ROOTFS.done"
fi
if ! podman image exists "$BASE"; then
  tar -C "$ROOTFS" -c . | podman import --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV LANG=C.UTF-8" - "$BASE" >/dev/null
fi

started=$(date +%s)
"${BUILD[@]}" --target devcontainer -t "$IMAGE" .
built=$(date +%s)
"${BUILD[@]}" --target check -t "$IMAGE-check" .
checked=$(date +%s)

size() { podman image inspect --format '{{.Size}}' "$1" | awk '{printf "%.0f MB", $1 / 1e6}'; }
echo "The dev container builds from $BASE: $((built - started)) s to build ($IMAGE, $(size "$IMAGE"); the base" \
  "$(size "$BASE")), $((checked - built)) s for \`make test-step 1 TREE=solutions\` and \`make demo\` inside it: passed."
