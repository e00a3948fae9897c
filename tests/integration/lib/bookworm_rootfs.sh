#!/bin/sh
# Build (once) a minimal Debian 12 root filesystem for the rollout tests and
# print the path of its tarball: build/rootfs/bookworm-<key>.tar, where the
# key is a hash of the package list, so a changed list (a new library the
# packages depend on) builds a new one and an unchanged one is reused.
#   tests/integration/lib/bookworm_rootfs.sh TOPDIR PACKAGE...
# The packages are added to debootstrap's minbase variant: everything a
# target needs is installed here, so the test itself needs no mirror (its
# hosts reach only the test's own repository). The mirror is the one this
# machine's apt uses (BBT_DEBIAN_MIRROR overrides it). Root only.
set -eu
top=$1; shift
dir="$top/build/rootfs"
list=$(printf '%s\n' "$@" | sort -u | tr '\n' ',' | sed 's/,$//')
key=$(printf '%s' "$list" | sha256sum | cut -c1-12)
tar="$dir/bookworm-$key.tar"
if [ -s "$tar" ]; then
	echo "$tar"
	exit 0
fi

# The first http(s) URI of a Debian "main" source on this machine, deb822
# (.sources) or one-line format.
host_mirror() {
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk '/^URIs:/ { u = $2 } /^Suites:/ && / bookworm( |$)/ && u ~ /\/debian\/?$/ {
			print u; exit }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		awk '$1 == "deb" && $3 == "bookworm" && $2 ~ /\/debian\/?$/ { print $2; exit }' "$f"
	done
}
mirror=${BBT_DEBIAN_MIRROR:-$(host_mirror | head -1)}
[ -n "$mirror" ] || { echo "no Debian mirror in /etc/apt (set BBT_DEBIAN_MIRROR)" >&2; exit 1; }

mkdir -p "$dir"
work=$(mktemp -d "$dir/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The host's package cache first: a machine that has fetched these before
# (CI's, a developer's) does not fetch them again.
mkdir -p "$work/root/var/cache/apt/archives"
find /var/cache/apt/archives -maxdepth 1 -name '*.deb' \
	-exec cp -l {} "$work/root/var/cache/apt/archives/" \; 2>/dev/null || :
debootstrap --variant=minbase --include="$list" bookworm "$work/root" "$mirror" \
	>"$work/log" 2>&1 || { tail -30 "$work/log" >&2; exit 1; }
rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"*
tar -C "$work/root" -cf "$work/rootfs.tar" .
rm -f "$dir"/bookworm-*.tar
mv "$work/rootfs.tar" "$tar"
echo "$tar"
