#!/usr/bin/env bash
# Runs the packaged agent as a real systemd service: boots a Debian 12
# container with systemd as PID 1 (systemd-nspawn), installs the built
# .deb, and checks that
#   - systemd-analyze verify passes and the security score is 3.0 or lower,
#   - a file dropped into the inbox reaches a receiver on 127.0.0.1 here
#     (the container shares this machine's network) and lands in done,
#   - systemd restarts the agent after SIGKILL, and the restarted agent
#     uploads,
#   - "systemctl stop" ends it cleanly within TimeoutStopSec,
#   - start, stop and a failed start with a bad config reach
#     "journalctl -u hotfolder",
#   - an inbox outside ReadWritePaths fails with a message in the journal,
#     and a drop-in adding it to ReadWritePaths makes it work,
#   - removing the package keeps the config and the filed files, and
#     "hotfolder install", "start", "stop" and "uninstall" work without it.
# Needs root, "make packages" first, and the container script at
# $CONTAINER (default ../shared/systemd/container beside the repository).
# Takes about 90 s, most of it creating the container.
set -euo pipefail
cd "$(dirname "$0")/.."
ct=$(realpath -m "${CONTAINER:-../shared/systemd/container}")
bin=$PWD/dist/linux_amd64/hotfolder
deb=$(ls dist/hotfolder_*_amd64.deb)
work=$(mktemp -d /tmp/hotfolder-systemd.XXXXXX)
root=$work/deb12
recv_pid=

cleanup() {
  local rc=$?
  [[ -n $recv_pid ]] && kill "$recv_pid" 2>/dev/null && wait "$recv_pid" 2>/dev/null
  "$ct" stop "$root" >/dev/null 2>&1 || true
  # Remove the container's files only when nothing is mounted below it.
  if ! findmnt -rn -o TARGET | grep -q "^$root"; then
    rm -rf "$work"
  else
    echo "test-systemd.sh: $root still has mounts; left in place" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT INT TERM

step() { printf '== %s (%ds)\n' "$*" "$SECONDS"; }
fail() {
  echo "FAIL: $*" >&2
  echo "--- journalctl -u hotfolder" >&2
  in_ct journalctl -u hotfolder --no-pager -n 60 >&2 || true
  echo "--- agent log" >&2
  tail -n 30 "$root/var/log/hotfolder/hotfolder.log" >&2 || true
  exit 1
}
in_ct() { "$ct" exec "$root" "$@"; }
unit_prop() { in_ct systemctl show -p "$1" --value hotfolder.service; }

# wait_for SECONDS WHAT COMMAND...: runs COMMAND every half second until it
# succeeds, failing the test after SECONDS.
wait_for() {
  local limit=$1 what=$2
  shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "$what: not seen within ${limit}s"
    sleep 0.5
  done
}

prop_is() { [[ $(unit_prop "$1") == "$2" ]]; }
prop_at_least() { (($(unit_prop "$1") >= $2)); }
journal_has() { in_ct journalctl -u hotfolder --no-pager | grep -q -- "$1"; }
same_file() { cmp -s "$1" "$2"; }
main_pid_changed() {
  local pid
  pid=$(unit_prop MainPID)
  [[ $pid != 0 && $pid != "$1" && $(unit_prop ActiveState) == active ]]
}

# drop NAME [INBOX DONE]: writes a file into an inbox of the container
# (default the packaged one) and waits until the receiver stored it and
# the agent filed it in done.
drop() {
  local name=$1 inbox=${2:-/var/lib/hotfolder/inbox} done_dir=${3:-/var/lib/hotfolder/done}
  head -c 200000 /dev/urandom >"$work/$name"
  cp "$work/$name" "$root$inbox/$name.partial"
  mv "$root$inbox/$name.partial" "$root$inbox/$name"
  wait_for 60 "$name at the receiver" same_file "$work/$name" "$work/received/$name"
  wait_for 30 "$name in done" same_file "$work/$name" "$root$done_dir/$name"
}

step "receiver on 127.0.0.1"
mkdir -p "$work/received"
"$bin" receive --dir "$work/received" --listen 127.0.0.1:0 >"$work/receiver.out" 2>&1 &
recv_pid=$!
wait_for 20 "receiver start" grep -q '^upload URL: ' "$work/receiver.out"
url=$(sed -n 's/^upload URL: //p' "$work/receiver.out")
echo "receiver at $url"

step "create and boot the container"
"$ct" create "$root"
"$ct" boot "$root"

step "install $deb"
cp "$deb" "$root/root/hotfolder.deb"
in_ct dpkg -i /root/hotfolder.deb
in_ct id hotfolder
conf=$root/etc/hotfolder/agent.toml
grep -q '^url = "http://127.0.0.1:8080/upload"$' "$conf" || fail "packaged config has no default url line"
sed -i -e "s|^url = .*|url = \"$url\"|" -e 's|^settle = .*|settle = "1s"|' -e 's|^rescan = .*|rescan = "5s"|' "$conf"
in_ct hotfolder validate --config /etc/hotfolder/agent.toml >/dev/null || fail "edited config does not validate"

step "systemd-analyze verify and security"
out=$(in_ct systemd-analyze verify hotfolder.service 2>&1) || fail "systemd-analyze verify: $out"
[[ -z $out ]] || fail "systemd-analyze verify printed: $out"
in_ct systemd-analyze security --offline=true --threshold=30 hotfolder.service | tail -n 1 ||
  fail "security exposure above 3.0"

step "status before start"
status=$(in_ct hotfolder status) || true
[[ $status == "service:  stopped"* ]] || fail "hotfolder status before start printed: $status"

step "enable and start"
in_ct systemctl enable --now hotfolder.service
wait_for 30 "unit active" prop_is ActiveState active
wait_for 30 "agent start in its log file" grep -q "watching folder" "$root/var/log/hotfolder/hotfolder.log"
status=$(in_ct hotfolder status)
[[ $status == "service:  running"* ]] || fail "hotfolder status while running printed: $status"
echo "$status"

step "drop a file"
drop first.bin

step "SIGKILL the main process; systemd restarts it"
pid=$(unit_prop MainPID)
in_ct systemctl kill -s KILL hotfolder.service
wait_for 40 "restart after SIGKILL" main_pid_changed "$pid"
[[ $(unit_prop NRestarts) -ge 1 ]] || fail "NRestarts is $(unit_prop NRestarts) after SIGKILL"
echo "main pid $pid -> $(unit_prop MainPID), restarts: $(unit_prop NRestarts)"
drop second.bin

step "stop within TimeoutStopSec"
timeout_us=$(unit_prop TimeoutStopUSec)
start=$SECONDS
in_ct systemctl stop hotfolder.service
took=$((SECONDS - start))
echo "stop took ${took}s (TimeoutStopSec=$timeout_us)"
((took < 30)) || fail "stop took ${took}s"
[[ $(unit_prop Result) == success ]] || fail "unit result after stop: $(unit_prop Result)"
[[ $(unit_prop ExecMainStatus) == 0 ]] || fail "agent exit status after stop: $(unit_prop ExecMainStatus)"
grep -q "agent stopped" "$root/var/log/hotfolder/hotfolder.log" || fail "agent log lacks \"agent stopped\""

step "start and stop in the journal"
journal_has "hotfolder agent started: version=" || fail "journal lacks the start"
journal_has "hotfolder agent stopped: ran_for=" || fail "journal lacks the stop"

step "bad config: failure in the journal, restarted by systemd"
cp "$conf" "$work/agent.toml.good"
printf '[agent]\nmax_uploads = -1\n' >"$conf"
in_ct systemctl reset-failed hotfolder.service 2>/dev/null || true
in_ct systemctl start hotfolder.service
wait_for 30 "bad config failure in the journal" journal_has "hotfolder agent failed to start: invalid config"
wait_for 30 "exit status 2" prop_is ExecMainStatus 2
wait_for 40 "two restarts" prop_at_least NRestarts 2
echo "journal:"
in_ct journalctl -u hotfolder --no-pager | grep "hotfolder agent" | tail -n 4
in_ct systemctl stop hotfolder.service

step "inbox outside ReadWritePaths: failure in the journal, fixed by a drop-in"
mkdir -p "$root/srv/scans"
sed -e 's|^inbox = .*|inbox = "/srv/scans"|' -e 's|^done = .*|done = "/srv/scans/done"|' \
  -e 's|^failed = .*|failed = "/srv/scans/failed"|' "$work/agent.toml.good" >"$conf"
in_ct systemctl start hotfolder.service
wait_for 30 "read-only inbox failure in the journal" journal_has "create /srv/scans/done: .*read-only file system"
in_ct systemctl stop hotfolder.service
in_ct chown hotfolder:hotfolder /srv/scans
mkdir -p "$root/etc/systemd/system/hotfolder.service.d"
printf '[Service]\nReadWritePaths=/srv/scans\n' >"$root/etc/systemd/system/hotfolder.service.d/folders.conf"
in_ct systemctl daemon-reload
in_ct systemctl start hotfolder.service
drop third.bin /srv/scans /srv/scans/done
in_ct systemctl stop hotfolder.service
cp "$work/agent.toml.good" "$conf"

step "hotfolder install and uninstall next to the package and without it"
out=$(in_ct hotfolder install 2>&1) && fail "install over the packaged unit succeeded: $out"
grep -q "already installed" <<<"$out" || fail "install over the packaged unit printed: $out"
out=$(in_ct hotfolder uninstall 2>&1) && fail "uninstall of the packaged unit succeeded: $out"
grep -q "remove the package instead" <<<"$out" || fail "uninstall of the packaged unit printed: $out"
cp "$bin" "$root/usr/local/bin/hotfolder"
in_ct dpkg -r hotfolder
[[ -f $conf && -f $root/var/lib/hotfolder/done/first.bin ]] || fail "removing the package deleted the config or filed files"
in_ct /usr/local/bin/hotfolder install --config /etc/hotfolder/agent.toml
unit=$root/etc/systemd/system/hotfolder.service
grep -qx 'ExecStart=/usr/local/bin/hotfolder run --config /etc/hotfolder/agent.toml' "$unit" || fail "installed unit: $(cat "$unit")"
grep -qx 'ReadWritePaths=-/var/lib/hotfolder/inbox' "$unit" || fail "installed unit lacks the inbox: $(cat "$unit")"
out=$(in_ct systemd-analyze verify hotfolder.service 2>&1) || fail "systemd-analyze verify of the installed unit: $out"
[[ -z $out ]] || fail "systemd-analyze verify of the installed unit printed: $out"
in_ct systemd-analyze security --threshold=30 hotfolder.service | tail -n 1 || fail "installed unit: exposure above 3.0"
in_ct /usr/local/bin/hotfolder start
wait_for 30 "installed unit active" prop_is ActiveState active
drop fourth.bin
in_ct /usr/local/bin/hotfolder stop
in_ct /usr/local/bin/hotfolder uninstall
status=$(in_ct /usr/local/bin/hotfolder status)
[[ $status == "service:  not installed"* ]] || fail "status after uninstall printed: $status"

step "all checks passed"
