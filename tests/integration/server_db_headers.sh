#!/bin/sh
# The storage seam's headers (issue 12): server/db.h and each topic header
# it includes (db_schools.h, db_devices.h, db_stats.h ...) compile on their
# own, whichever is included first, so a backend or a caller can take one
# topic at a time. Needs only the C compiler the build used.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
cc=${CC:-cc}
n=0
for h in server/db.h server/db_*.h; do
	case $h in server/db_sqlite_internal.h | server/db_pg*.h) continue ;; esac
	printf '#include "%s"\n' "$(basename "$h")" |
	    "$cc" -D_GNU_SOURCE -Icommon -Iserver -I"$BBT_BUILD/gen" -std=c11 -Wall -Wextra \
	    -Werror -fsyntax-only -x c - 2> "$BBT_TMP/err" ||
		{ cat "$BBT_TMP/err"; fail "$h does not compile on its own"; }
	n=$((n + 1))
done
[ "$n" -ge 9 ] || fail "only $n storage headers found"
echo "server_db_headers: ok ($n headers)"
