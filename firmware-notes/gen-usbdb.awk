# gen-usbdb.awk: turns touch-devices.tsv into the agent's C lookup table.
# Run by agent/usbdb.mk: awk -F'\t' -f gen-usbdb.awk touch-devices.tsv > usbdb_table.c
# Every line is checked; a malformed line stops the build with its line number,
# so a typo in the table cannot ship as a silently missing device.
function fail(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	bad = 1
	exit 1
}
function cstr(s) {
	if (s == "-")
		return "\"\""
	gsub(/\\/, "\\\\", s)
	gsub(/"/, "\\\"", s)
	return "\"" s "\""
}
BEGIN {
	kinds["ir_frame"] = "USBDB_IR_FRAME"
	kinds["capacitive_panel"] = "USBDB_CAPACITIVE_PANEL"
	kinds["pen_board"] = "USBDB_PEN_BOARD"
	kinds["optical"] = "USBDB_OPTICAL"
	kinds["resistive"] = "USBDB_RESISTIVE"
	kinds["unknown"] = "USBDB_UNKNOWN"
	print "/* Generated from firmware-notes/touch-devices.tsv by gen-usbdb.awk: do not edit. */"
	print "#include \"usbdb.h\""
	print ""
	print "const struct usbdb_entry usbdb_table[] = {"
	n = 0
}
/^#/ || /^[ \t]*$/ { next }
{
	sub(/\r$/, "")
	if (NF != 7)
		fail("expected 7 tab-separated fields, got " NF)
	if ($1 !~ /^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]$/)
		fail("vid must be 4 lowercase hex digits: " $1)
	if ($2 != "*" && $2 !~ /^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]$/)
		fail("pid must be 4 lowercase hex digits or *: " $2)
	if (!($4 in kinds))
		fail("unknown kind: " $4)
	if ($3 == "-" || $3 == "")
		fail("maker is required")
	key = $1 ":" $2
	if (key in seen)
		fail("duplicate entry " key " (first on line " seen[key] ")")
	seen[key] = FNR
	pid = ($2 == "*") ? "-1" : "0x" $2
	printf "\t{ 0x%s, %s, %s, %s, %s, %s, %s, %d },\n", $1, pid, cstr($3), \
	    kinds[$4], cstr($5), cstr($7), cstr($6), ($6 == "unverified") ? 0 : 1
	n++
}
END {
	if (bad)
		exit 1
	if (n == 0) {
		print "touch-devices.tsv: no entries" > "/dev/stderr"
		exit 1
	}
	print "};"
	print ""
	print "const unsigned usbdb_table_len = sizeof(usbdb_table) / sizeof(usbdb_table[0]);"
}
