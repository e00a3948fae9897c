#!/bin/sh
# Build the bbt-agent and bbt-server .debs with debhelper from a copy of the
# tree (packaging/debian becomes debian/), and leave them in build/.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build"
work="$out/deb"
rm -rf "$work"; mkdir -p "$work/bbt"
# The files git knows plus the ones not yet committed (never build output).
(cd "$top" && { git ls-files -co --exclude-standard 2>/dev/null || find . -type f; } \
	| grep -v '^build/' | tar -cf - -T -) | tar -xf - -C "$work/bbt"
cp -r "$top/packaging/debian" "$work/bbt/debian"
(cd "$work/bbt" && dpkg-buildpackage -b -us -uc -j2 >"$work/build.log" 2>&1) || {
	tail -40 "$work/build.log"; exit 1; }
mv "$work"/*.deb "$out/"
ls "$out"/*.deb
