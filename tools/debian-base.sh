#!/usr/bin/env bash
# A Debian bookworm base image made locally, for builds without Docker Hub (README.md, "Build it offline";
# .ci/run runs this). Needs root, debootstrap and a Debian package mirror; takes a few minutes.
#
#   bash tools/debian-base.sh                      # -> tricknets-base:bookworm-slim
#   bash tools/debian-base.sh my-base:bookworm     # another tag
#   DEBIAN_MIRROR=http://my-mirror/debian bash tools/debian-base.sh
#
# It holds Python 3.11 with its venv module and CA certificates, and leaves out what Debian's own slim
# images leave out: apt's package lists and caches, documentation (licences kept), manuals, translations.
set -euo pipefail
tag="${1:-tricknets-base:bookworm-slim}"
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    bookworm "$rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/* "$rootfs"/usr/share/info/*
find "$rootfs/usr/share/doc" -type f ! -name copyright -delete
# Packages installed later (apt-get install in a derived image) skip the same files.
cat > "$rootfs/etc/dpkg/dpkg.cfg.d/slim" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/info/*
DPKG
tar -C "$rootfs" -c . | docker import - "$tag" > /dev/null
echo "made $tag: $(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1 / 1e6}')"
