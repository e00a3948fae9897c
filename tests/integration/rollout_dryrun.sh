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

# The summary asks the collector's devices report who enrolled: pc1's
# classroom has enrolled, pc2's has not.
B=$BBT_BUILD; db="$BBT_TMP/c.db"
"$B/bbt-server" --db "$db" school add 610102001 "测试小学" > /dev/null
etok=$("$B/bbt-server" --db "$db" token create --school 610102001 | tail -1)
adm=$("$B/bbt-server" --db "$db" admin create 电教站 | tail -1)
"$B/bbt-server" --db "$db" serve --listen 127.0.0.1:0 2> "$BBT_TMP/serve.log" &
spid=$!
trap 'kill $spid 2>/dev/null || :' EXIT
i=0
until grep -q 'listening on .*threads)' "$BBT_TMP/serve.log"; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$BBT_TMP/serve.log"; exit 1; }
	sleep 0.1
done
url=http://$(sed -n 's/.*listening on \([0-9.:]*\).*/\1/p' "$BBT_TMP/serve.log" | head -1)
BBT_HW_ID=rollout-pc1 "$B/bbt-agent" --state-dir "$BBT_TMP/pc1" enroll --server "$url" \
	--token "$etok" --school 610102001 --room 三年级二班 2> "$BBT_TMP/enroll.log" ||
	{ cat "$BBT_TMP/enroll.log"; exit 1; }
python3 $r --hosts "$BBT_TMP/hosts.csv" --deb "$BBT_TMP/token" --server "$url" \
	--token-file "$BBT_TMP/token" --ssh "$BBT_TMP/fake-ssh" --scp true \
	--state "$BBT_TMP/state.json" --admin-token "$adm" > "$BBT_TMP/out3" ||
	{ cat "$BBT_TMP/out3"; exit 1; }
grep -q "^pc1	610102001	三年级二班	yes	yes" "$BBT_TMP/out3" &&
	grep -q "^pc2	610102001	四年级一班	yes	no" "$BBT_TMP/out3" ||
	{ cat "$BBT_TMP/out3"; echo "summary does not say who enrolled"; exit 1; }
echo "rollout: ok"
