#!/bin/sh
# build-deps.sh: the static mingw-w64 libraries the Windows agent links,
# built from Debian's own source packages (Debian ships mingw builds of
# zlib only).
#
#   packaging/windows/build-deps.sh BUILDDIR      (make windows calls it)
#
# Sources are fetched at build time with apt-get source through a private
# apt configuration under BUILDDIR/apt (deb-src lines for the machine's own
# archive and suites; the system's apt setup is never touched) into
# BUILDDIR/src, and never committed. Each library installs into
# BUILDDIR/sysroot and leaves a stamp there, so a second run does nothing:
# delete BUILDDIR/sysroot/.stamp-NAME to rebuild one.
#
# Invariants: only Debian source packages, verified by apt-get against the
# archive's signed Release files; every library static (the exe must run on
# a bare Windows 7 with no DLLs shipped beside it).
set -eu
B=$(cd "${1:?usage: build-deps.sh BUILDDIR}" 2>/dev/null && pwd || { mkdir -p "$1"; cd "$1"; pwd; })
HOST=x86_64-w64-mingw32
SYS=$B/sysroot
SRC=$B/src
APT=$B/apt
JOBS=$(nproc 2>/dev/null || echo 2)
export CC=$HOST-gcc AR=$HOST-ar RANLIB=$HOST-ranlib
mkdir -p "$SYS/lib" "$SYS/include" "$SRC" "$APT"

log() { echo "  DEPS $*"; }

# The private apt state: the archive URIs and suites of this machine's own
# lists, as deb-src. Written once.
apt_setup() {
	[ -f "$APT/.updated" ] && return 0
	mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial"
	: > "$APT/sources.list"
	uris=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	    /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -Eo 'https?://deb\.debian\.org/debian(-security)?' | sort -u)
	[ -n "$uris" ] || uris="http://deb.debian.org/debian http://deb.debian.org/debian-security"
	for u in $uris; do
		case $u in
		*-security) echo "deb-src $u bookworm-security main" ;;
		*) echo "deb-src $u bookworm main"; echo "deb-src $u bookworm-updates main" ;;
		esac
	done >> "$APT/sources.list"
	apt_get update -qq
	touch "$APT/.updated"
}
apt_get() {
	apt-get -o Dir::Etc::SourceList="$APT/sources.list" \
	    -o Dir::Etc::SourceParts=/nonexistent -o Dir::State::Lists="$APT/lists" \
	    -o Dir::Cache="$APT/cache" -o APT::Sandbox::User=root "$@"
}
# fetch PKG: unpack the source package into $SRC/PKG-*; prints the dir.
fetch() {
	d=$(ls -d "$SRC/$1"-[0-9]* 2>/dev/null | head -1 || true)
	if [ -z "$d" ]; then
		apt_setup
		# The mirror can lag the security suite's index (a 404 on the
		# newest .dsc): then the release suite's version, and last the
		# upstream tarball alone (its hash is in the signed index too).
		(cd "$SRC" && { apt_get source -qq "$1" >/dev/null 2>&1 ||
		    apt_get source -qq "$1/bookworm" >/dev/null 2>&1 ||
		    apt_get source -qq --download-only "$1" >/dev/null 2>&1 || true; })
		d=$(ls -d "$SRC/$1"-[0-9]* 2>/dev/null | head -1 || true)
		if [ -z "$d" ]; then
			orig=$(ls "$SRC/$1"_*.orig.tar.* 2>/dev/null | grep -v '\.asc$' | head -1)
			[ -n "$orig" ] || { echo "apt-get source $1 failed" >&2; exit 1; }
			tar -C "$SRC" -xf "$orig"
			d=$(ls -d "$SRC/$1"-[0-9]* | head -1)
		fi
	fi
	echo "$d"
}
done_() { [ -f "$SYS/.stamp-$1" ]; }
stamp() { touch "$SYS/.stamp-$1"; }

# The options Debian builds libsqlite3 with that the agent or its tests
# rely on (dbstat: the buffer tests find pages to damage). A change here
# renames the stamp, so the next run rebuilds SQLite alone.
SQLITE_OPTS="-DSQLITE_THREADSAFE=1 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_ENABLE_DBSTAT_VTAB"
build_sqlite() {
	done_ sqlite-dbstat && return 0
	log sqlite3
	d=$(fetch sqlite3)
	mkdir -p "$d/bld"
	# The amalgamation is generated with the host compiler (needs tclsh).
	[ -f "$d/bld/sqlite3.c" ] || (cd "$d/bld" && CC=cc ../configure --disable-tcl >/dev/null &&
	    make -s sqlite3.c >/dev/null)
	$CC -O2 $SQLITE_OPTS -c "$d/bld/sqlite3.c" -o "$d/bld/sqlite3.o"
	$AR rcs "$SYS/lib/libsqlite3.a" "$d/bld/sqlite3.o"
	cp "$d/bld/sqlite3.h" "$d/bld/sqlite3ext.h" "$SYS/include/"
	stamp sqlite-dbstat
}

build_cjson() {
	done_ cjson && return 0
	log cjson
	d=$(fetch cjson)
	mkdir -p "$SYS/include/cjson"
	$CC -O2 -c "$d/cJSON.c" -o "$d/cJSON.o"
	$AR rcs "$SYS/lib/libcjson.a" "$d/cJSON.o"
	cp "$d/cJSON.h" "$SYS/include/cjson/"
	stamp cjson
}

build_cmocka() {
	done_ cmocka && return 0
	log cmocka
	d=$(fetch cmocka)
	mkdir -p "$d/bld"
	cat > "$d/bld/config.h" <<'EOF'
#define HAVE_SIGNAL_H 1
#define HAVE_STRINGS_H 1
#define HAVE_INTTYPES_H 1
#define HAVE_MALLOC_H 1
#define HAVE_SETJMP_H 1
#define HAVE_STDARG_H 1
#define HAVE_STDDEF_H 1
#define HAVE_STDINT_H 1
#define HAVE_TIME_H 1
#define HAVE_STRSIGNAL 0
#define HAVE_GETTIMEOFDAY 1
#define HAVE__VSNPRINTF_S 1
#define HAVE__VSNPRINTF 1
#define HAVE__SNPRINTF 1
#define HAVE_SNPRINTF 1
#define HAVE_VSNPRINTF 1
#define HAVE_STRUCT_TIMESPEC 1
EOF
	$CC -O2 -DHAVE_CONFIG_H -I"$d/bld" -I"$d/include" -c "$d/src/cmocka.c" -o "$d/bld/cmocka.o"
	$AR rcs "$SYS/lib/libcmocka.a" "$d/bld/cmocka.o"
	cp "$d/include/cmocka.h" "$SYS/include/"
	stamp cmocka
}

build_openssl() {
	done_ openssl && return 0
	log "openssl (about 100 s)"
	d=$(fetch openssl)
	(cd "$d" && CC=gcc AR=ar RANLIB=ranlib ./Configure mingw64 no-shared no-tests no-module \
	    no-legacy no-engine no-dso no-comp --cross-compile-prefix=$HOST- \
	    --prefix="$SYS" --libdir=lib >/dev/null &&
	    make -s -j"$JOBS" build_libs >/dev/null && make -s install_dev >/dev/null)
	stamp openssl
}

build_curl() {
	done_ curl && return 0
	log "curl (about 110 s)"
	d=$(fetch curl)
	(cd "$d" && { [ -x configure ] || autoreconf -fi >/dev/null 2>&1; } &&
	    ./configure -q --host=$HOST --prefix="$SYS" --disable-shared --enable-static \
	    --with-openssl="$SYS" --with-zlib=/usr/$HOST --disable-pthreads \
	    --disable-ldap --disable-ldaps --disable-rtsp --disable-dict --disable-telnet \
	    --disable-tftp --disable-pop3 --disable-imap --disable-smtp --disable-gopher \
	    --disable-mqtt --disable-smb --disable-ftp --disable-file --disable-manual \
	    --disable-ntlm --without-libpsl --without-brotli --without-zstd --without-nghttp2 \
	    --without-libidn2 --without-librtmp --without-libssh2 >/dev/null &&
	    make -s -j"$JOBS" -C lib >/dev/null && make -s -C lib install >/dev/null &&
	    make -s -C include install >/dev/null)
	stamp curl
}

build_libusb() {
	done_ libusb && return 0
	log libusb
	d=$(fetch libusb-1.0)
	(cd "$d" && { [ -x configure ] || autoreconf -fi >/dev/null 2>&1; } &&
	    ./configure -q --host=$HOST --prefix="$SYS" --disable-shared --enable-static >/dev/null &&
	    make -s -j"$JOBS" -C libusb >/dev/null && make -s -C libusb install >/dev/null)
	stamp libusb
}

build_sqlite
build_cjson
build_cmocka
build_openssl
build_curl
build_libusb
log "sysroot ready: $SYS"
