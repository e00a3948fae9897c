#!/bin/sh
# Rollout script (issue 7): CSV validation with line numbers, dry run, and
# resumability through the state file, using a stand-in ssh/scp that runs
# the remote script against a scratch root instead of a real host.
set -eu
r=packaging/rollout/rollout.py
echo tok > "$BBT_TMP/token"
printf '\357\273\277host,school,room\npc1,610102001,三年级二班\npc2,610102001\n' > "$BBT_TMP/bad.csv"
if python3 $r --hosts "$BBT_TMP/bad.csv" --deb x.deb --server http://s/ \
	--token-file "$BBT_TMP/token" --dry-run >"$BBT_TMP/out" 2>&1; then
	echo "bad CSV accepted"; exit 1
fi
grep -q 'bad.csv:3' "$BBT_TMP/out" || { cat "$BBT_TMP/out"; echo "no line number"; exit 1; }

printf 'host,school,room\npc1,610102001,三年级二班\npc2,610102001,四年级一班\n' > "$BBT_TMP/hosts.csv"
python3 $r --hosts "$BBT_TMP/hosts.csv" --deb x.deb --server http://s/ \
	--token-file "$BBT_TMP/token" --dry-run > "$BBT_TMP/out"
grep -q 'pc2.*四年级一班' "$BBT_TMP/out" || { cat "$BBT_TMP/out"; exit 1; }

# Stand-in transport: scp succeeds; "ssh" fails for pc2 the first time.
cat > "$BBT_TMP/fake-ssh" <<EOT
#!/bin/sh
host=\$1; shift
echo "\$host" >> "$BBT_TMP/ssh.log"
cat >/dev/null
if [ "\$host" = root@pc2 ] && [ ! -e "$BBT_TMP/pc2-ok" ]; then touch "$BBT_TMP/pc2-ok"; echo down >&2; exit 255; fi
echo ok
EOT
chmod +x "$BBT_TMP/fake-ssh"
run() { python3 $r --hosts "$BBT_TMP/hosts.csv" --deb "$BBT_TMP/token" --server http://s/ \
	--token-file "$BBT_TMP/token" --ssh "$BBT_TMP/fake-ssh" --scp true \
	--state "$BBT_TMP/state.json"; }
if run > "$BBT_TMP/out1"; then echo "a failed host must make the run fail"; exit 1; fi
grep -q 'pc2.*NO' "$BBT_TMP/out1" || { cat "$BBT_TMP/out1"; exit 1; }
run > "$BBT_TMP/out2" || { cat "$BBT_TMP/out2"; exit 1; }
grep -q 'pc1: done before, skipped' "$BBT_TMP/out2" || { cat "$BBT_TMP/out2"; exit 1; }
[ "$(grep -c pc1 "$BBT_TMP/ssh.log")" = 1 ] || { echo "pc1 redone"; exit 1; }
echo "rollout: ok"
