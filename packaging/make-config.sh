#!/usr/bin/env bash
# Writes the config that a package installs, to stdout: agent.toml.example
# with the log file, state_dir and folders moved to the system's places.
#   make-config.sh linux|windows [EXAMPLE]
# Fails when a key to move is missing from the example, so the packaged
# config cannot silently keep a relative path.
set -euo pipefail
target=${1:?usage: make-config.sh linux|windows [EXAMPLE]}
example=${2:-$(dirname "$0")/../agent.toml.example}

case $target in
  linux)
    header='# hotfolder agent configuration, installed by the hotfolder package.
# Your changes are kept on upgrade. Check them with
#   hotfolder validate --config /etc/hotfolder/agent.toml
# and apply them with "systemctl restart hotfolder". The service may write
# only below /var/lib/hotfolder and /var/log/hotfolder: for folders
# elsewhere add ReadWritePaths= with "systemctl edit hotfolder"
# (docs: /usr/share/doc/hotfolder/install.md).
'
    log="'/var/log/hotfolder/hotfolder.log'"
    state="'/var/lib/hotfolder/state'"
    inbox="'/var/lib/hotfolder/inbox'"
    done_dir="'/var/lib/hotfolder/done'"
    failed_dir="'/var/lib/hotfolder/failed'"
    ;;
  windows)
    header='# hotfolder agent configuration, created by the hotfolder installer from
# agent.toml.example beside it. Your changes are kept on upgrade. Check
# them with
#   hotfolder validate --config C:\ProgramData\hotfolder\agent.toml
# and apply them with "hotfolder restart" (as Administrator).
'
    log="'C:\\ProgramData\\hotfolder\\logs\\hotfolder.log'"
    state="'C:\\ProgramData\\hotfolder\\state'"
    inbox="'C:\\ProgramData\\hotfolder\\inbox'"
    done_dir="'C:\\ProgramData\\hotfolder\\done'"
    failed_dir="'C:\\ProgramData\\hotfolder\\failed'"
    ;;
  *)
    echo "make-config.sh: unknown target $target: use linux or windows" >&2
    exit 2
    ;;
esac

for key in log_file state_dir inbox done failed; do
  if ! grep -q "^$key = " "$example"; then
    echo "make-config.sh: $example has no line starting with \"$key = \"; update this script" >&2
    exit 1
  fi
done

# esc escapes a value for the replacement side of sed's s|||.
esc() { printf '%s' "$1" | sed 's/[\\&|]/\\&/g'; }

out=$(printf '%s\n' "$header"
  sed -e "s|^log_file = .*|log_file = $(esc "$log")|" \
      -e "s|^state_dir = .*|state_dir = $(esc "$state")|" \
      -e "s|^inbox = .*|inbox = $(esc "$inbox")|" \
      -e "s|^done = .*|done = $(esc "$done_dir")|" \
      -e "s|^failed = .*|failed = $(esc "$failed_dir")|" \
      "$example")
if [[ $target == windows ]]; then
  printf '%s\n' "$out" | sed 's/$/\r/'
else
  printf '%s\n' "$out"
fi
