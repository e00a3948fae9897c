# san_exec.sh CMD [ARGS...]: exec CMD the way a sanitizer build can run
# under umockdev (run as `sh .../lib/san_exec.sh CMD...`, inside
# umockdev-run or umockdev-wrapper; outside a sanitizer run it only execs).
#
# make san logs every sanitizer report to a file (ASAN_OPTIONS and
# UBSAN_OPTIONS log_path=/DIR/NAME). ASan creates the directories of an
# absolute log_path with mkdir() while it starts, before its interceptors
# are set up. Under umockdev that mkdir is libumockdev-preload's wrapper,
# which resolves the real one through dlopen(): ASan's interceptor, still
# NULL, so the program dies of SIGSEGV before main, whatever the LD_PRELOAD
# order (ASan's runtime is linked into the program, so it is first anyway;
# preloading the shared runtime first fails the same way). A log_path with
# no directory part makes no mkdir: CMD runs in DIR with log_path=NAME, and
# its reports land beside the others. CMD's arguments must be absolute
# paths (they are: $BBT_BUILD and $BBT_TMP).
dir=
for v in ASAN_OPTIONS UBSAN_OPTIONS; do
	eval "o=\${$v:-}"
	p=$(printf '%s\n' "$o" | sed -n 's,.*log_path=\(/[^:]*\).*,\1,p')
	[ -n "$p" ] || continue
	if [ -n "$dir" ] && [ "$dir" != "${p%/*}" ]; then
		echo "san_exec.sh: ASAN_OPTIONS and UBSAN_OPTIONS log to different directories" >&2
		exit 1
	fi
	dir=${p%/*}
	export "$v=$(printf '%s\n' "$o" | sed "s,log_path=[^:]*,log_path=${p##*/},")"
done
if [ -n "$dir" ]; then cd "$dir" || exit 1; fi
exec "$@"
