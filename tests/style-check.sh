#!/bin/sh
# The house style's checkable part (docs/STYLE.md), on common/ agent/
# server/ *.c and *.h:
#  - no banned function: sprintf, vsprintf, strcpy, strcat, gets, atoi, atol,
#    matched as whole words, so snprintf and vsnprintf (other words) pass
#    and a strcpy on the same line as an snprintf does not; a line may opt
#    out with a "style-ok" comment saying why;
#  - every .c opens with a comment saying its job;
#  - indentation is tabs: the leading white space of a line is tabs, then
#    at most one of: four spaces (a continuation line, style(9)) or " *"
#    (the inside of a block comment); nothing else, so no line indented
#    with spaces and no spaces before a tab;
#  - lines of at most 100 columns.
# Counts "style PASSED FAILED 0" go to $BBT_COUNTS when it is set.
status=0
files=$(ls common/*.[ch] agent/*.[ch] server/*.[ch] 2>/dev/null)
if [ -z "$files" ]; then echo "style: no source file found (run from the top)"; status=1; fi
for f in $files; do
	if grep -nE '(^|[^A-Za-z0-9_])(sprintf|vsprintf|strcpy|strcat|gets|atoi|atol)[[:space:]]*\(' \
		"$f" | grep -v 'style-ok'; then
		echo "style: $f uses a banned function (use snprintf/strtol; or mark // style-ok with why)"
		status=1
	fi
	if ! head -1 "$f" | grep -q '^/\*'; then
		echo "style: $f must open with a comment on its job"; status=1
	fi
	if grep -nP '^\t*+(?! {4}\S| \*|\S|$)' "$f" | sed "s|^|$f:|" | grep .; then
		echo "style: $f: indent with tabs (then 4 spaces for a continuation line, or \" *\" in a comment)"
		status=1
	fi
	if awk 'length($0) > 100 { print FILENAME ":" NR ": line over 100 columns"; bad=1 } END { exit bad }' "$f"; then :; else status=1; fi
done
if [ "$status" = 0 ]; then
	echo "style: ok"
	[ -n "${BBT_COUNTS:-}" ] && echo "style 1 0 0" >>"$BBT_COUNTS"
else
	[ -n "${BBT_COUNTS:-}" ] && echo "style 0 1 0" >>"$BBT_COUNTS"
fi
exit $status
