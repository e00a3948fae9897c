#!/bin/sh
# The signed apt repository (packaging/build-repo.sh, `make repo`; issue 17):
# a key is made once and kept, apt on this machine (a scratch apt state, no
# install) trusts the repository with that key and sees both packages, a
# newer version replaces the older, a rebuilt .deb of the same version
# replaces its twin, and apt refuses the repository with another key or with
# a Packages file changed after signing. The .debs are small stand-ins
# built here (the rollout test installs the real ones).
set -eu
top=$(pwd)
fail() { echo "FAIL: $*"; exit 1; }
for tool in reprepro gpg apt-get dpkg-deb; do
	command -v $tool >/dev/null || fail "$tool is not installed (make deps)"
done
T=$BBT_TMP; arch=$(dpkg --print-architecture)
mkdeb() { # NAME VERSION
	d="$T/src/$1-$2"; mkdir -p "$d/DEBIAN" "$d/usr/share/doc/$1"
	printf 'Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: t <t@example.edu.cn>\nSection: misc\nPriority: optional\nDescription: stand-in\n' \
		"$1" "$2" "$arch" >"$d/DEBIAN/control"
	echo "$1 $2 $3" >"$d/usr/share/doc/$1/built"
	dpkg-deb -b "$d" "$T/$1_$2_$arch.deb" >/dev/null
}
mkdeb bbt-agent 0.1.0 a; mkdeb bbt-server 0.1.0 a
export BBT_REPO="$T/repo"
"$top/packaging/build-repo.sh" "$T/bbt-agent_0.1.0_$arch.deb" "$T/bbt-server_0.1.0_$arch.deb" \
	>"$T/build1" 2>&1 || { cat "$T/build1"; fail "build-repo"; }
fpr=$(cat "$T/repo/FINGERPRINT")
for f in dists/bookworm/InRelease dists/bookworm/Release.gpg bbt-archive-keyring.gpg \
	bbt-archive-keyring.asc; do
	[ -s "$T/repo/$f" ] || fail "no $f"
done
# Nothing secret in the published half.
[ -z "$(find "$T/repo" -name '*.key' -o -name gnupg -o -name db -o -name conf)" ] ||
	fail "private files under the published directory"
gpgv --keyring "$T/repo/bbt-archive-keyring.gpg" "$T/repo/dists/bookworm/InRelease" \
	>/dev/null 2>&1 || fail "InRelease not signed by the exported key"

# apt with a scratch state of its own: reads this repository only.
aptc() { # KEYRING apt-get|apt-cache ARG...
	k=$1; prog=$2; shift 2
	echo "deb [signed-by=$k] file:$T/repo bookworm main" >"$T/sources.list"
	mkdir -p "$T/lists/partial" "$T/cache/archives/partial"
	$prog -o Dir::Etc::SourceList="$T/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$T/lists" -o Dir::Cache="$T/cache" \
		-o APT::Sandbox::User=root -q "$@"
}
policy() { aptc "$T/repo/bbt-archive-keyring.gpg" apt-cache policy "$1" 2>/dev/null |
	awk '/Candidate:/ { print $2 }'; }
upd() { aptc "$1" apt-get update >"$T/upd" 2>&1; }
upd "$T/repo/bbt-archive-keyring.gpg" || { cat "$T/upd"; fail "apt refused the repository"; }
grep -qE '^(W|E):' "$T/upd" && { cat "$T/upd"; fail "apt warned about the repository"; }
[ "$(aptc "$T/repo/bbt-archive-keyring.gpg" apt-get -s install bbt-agent bbt-server 2>&1 |
	grep -c '^Inst bbt-')" = 2 ] || fail "apt does not offer both packages"
[ "$(policy bbt-agent)" = 0.1.0 ] || fail "bbt-agent is not 0.1.0"

# A newer version, and a rebuild of the same version: the key is reused.
mkdeb bbt-agent 0.1.1 a; mkdeb bbt-server 0.1.0 b
"$top/packaging/build-repo.sh" "$T/bbt-agent_0.1.1_$arch.deb" "$T/bbt-server_0.1.0_$arch.deb" \
	>"$T/build2" 2>&1 || { cat "$T/build2"; fail "build-repo, second run"; }
[ "$(cat "$T/repo/FINGERPRINT")" = "$fpr" ] || fail "a second run made a new key"
upd "$T/repo/bbt-archive-keyring.gpg" || { cat "$T/upd"; fail "apt update after the upgrade"; }
[ "$(policy bbt-agent)" = 0.1.1 ] || fail "the newer bbt-agent is not the candidate"
cmp -s "$(find "$T/repo/pool" -name "bbt-server_0.1.0_$arch.deb")" "$T/bbt-server_0.1.0_$arch.deb" ||
	fail "the rebuilt bbt-server did not replace its twin"
[ -z "$(find "$T/repo/pool" -name "bbt-agent_0.1.0_$arch.deb")" ] ||
	fail "the old bbt-agent is still in the pool"

# Another key: apt refuses.
GNUPGHOME="$T/other"; export GNUPGHOME; mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'other <o@example.edu.cn>' ed25519 sign never 2>/dev/null
gpg --batch --export >"$T/other.gpg"; gpgconf --kill gpg-agent; unset GNUPGHOME
rm -rf "$T/lists"
upd "$T/other.gpg" || :
grep -q 'NO_PUBKEY\|is not signed' "$T/upd" || { cat "$T/upd"; fail "apt took a repository signed by another key"; }
# Packages changed after signing: apt refuses it (hash sum mismatch).
rm -rf "$T/lists"
sed -i 's/^Version: 0.1.1$/Version: 9.9/' "$T/repo/dists/bookworm/main/binary-$arch/Packages"
rm -f "$T/repo/dists/bookworm/main/binary-$arch/Packages.gz"
upd "$T/repo/bbt-archive-keyring.gpg" || :
[ "$(policy bbt-agent)" = 9.9 ] && fail "apt took a Packages file changed after signing"
grep -qi 'hash sum mismatch\|File has unexpected size\|Hashes' "$T/upd" ||
	{ cat "$T/upd"; fail "apt did not report the changed Packages file"; }
echo "repo_signed: ok"
