#!/bin/sh
# Build or update a signed apt repository holding bbt-agent and bbt-server
# (reprepro), the one classroom machines install and upgrade from.
#   packaging/build-repo.sh [DEB...]     (make repo: the .debs of VERSION)
# Layout (packaging/ansible/README.md, "The package repository"):
#   $BBT_REPO (build/repo)        what a web server publishes: dists/, pool/,
#                                 bbt-archive-keyring.gpg (and .asc), FINGERPRINT
#   $BBT_REPO_PRIVATE             reprepro's conf/ and db/, and (unless
#     (build/repo-private)        BBT_REPO_GNUPGHOME names the district's own)
#                                 gnupg/ with a signing key made here
# Never published: the private half holds the secret key.
# Adding a .deb of a version the repository already has with other bytes
# (a rebuild) replaces it; a newer version replaces the older, which is what
# `apt upgrade` on the machines then installs.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
repo=${BBT_REPO:-$top/build/repo}
priv=${BBT_REPO_PRIVATE:-$repo-private}
arch=$(dpkg --print-architecture)
if [ $# = 0 ]; then
	v=$(cat "$top/VERSION")
	set -- "$top/build/bbt-agent_${v}_$arch.deb" "$top/build/bbt-server_${v}_$arch.deb"
fi
for d in "$@"; do [ -f "$d" ] || { echo "build-repo: no $d (make deb)" >&2; exit 1; }; done
mkdir -p "$repo" "$priv/conf" "$priv/db"

# The signing key: the district's (BBT_REPO_GNUPGHOME, BBT_REPO_KEY), or one
# made here once and kept, so machines that trust it keep trusting later
# builds. No passphrase: it is for tests and a first look, not production.
if [ -n "${BBT_REPO_GNUPGHOME:-}" ]; then
	GNUPGHOME=$BBT_REPO_GNUPGHOME
else
	GNUPGHOME=$priv/gnupg
	mkdir -p "$GNUPGHOME"; chmod 700 "$GNUPGHOME"
fi
export GNUPGHOME
# gpg-agent is started by gpg on demand; stop the one this run started.
trap 'gpgconf --kill gpg-agent 2>/dev/null || :' EXIT
if [ -z "${BBT_REPO_GNUPGHOME:-}" ] &&
	! gpg --batch --list-secret-keys 2>/dev/null | grep -q '^sec'; then
	gpg --batch --quiet --passphrase '' --quick-gen-key \
		'bbt archive signing key (made by make repo) <bbt@example.edu.cn>' ed25519 sign never
fi
fpr=${BBT_REPO_KEY:-$(gpg --batch --with-colons --list-secret-keys 2>/dev/null |
	awk -F: '$1 == "fpr" { print $10; exit }')}
[ -n "$fpr" ] || { echo "build-repo: no signing key in $GNUPGHOME" >&2; exit 1; }

cat >"$priv/conf/distributions" <<EOF
Origin: bbt
Label: bbt
Codename: bookworm
Architectures: $arch
Components: main
Description: bbt classroom agent and collector
SignWith: $fpr
EOF
rr() { reprepro --basedir "$priv" --outdir "$repo" --silent "$@"; }
for deb in "$@"; do
	name=$(dpkg-deb -f "$deb" Package); ver=$(dpkg-deb -f "$deb" Version)
	have=$(rr -A "$arch" --list-format '${version}\n' list bookworm "$name" 2>/dev/null || :)
	# Same version, other bytes: reprepro refuses it, so take the old out.
	[ "$have" = "$ver" ] && rr remove bookworm "$name"
	rr includedeb bookworm "$deb"
done
rr export bookworm
gpg --batch --yes --export "$fpr" >"$repo/bbt-archive-keyring.gpg"
gpg --batch --yes --armor --export "$fpr" >"$repo/bbt-archive-keyring.asc"
echo "$fpr" >"$repo/FINGERPRINT"
echo "repository: $repo (signed by $fpr)"
rr list bookworm
