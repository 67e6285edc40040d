#!/bin/sh
# Stops and disables the service when the package is removed, not when it
# is upgraded. dpkg passes "remove" or "upgrade"; rpm passes the number of
# versions left after the operation (0 on removal).
set -e
case "$1" in
  remove | 0) ;;
  *) exit 0 ;;
esac
if [ -d /run/systemd/system ]; then
  systemctl disable --now hotfolder.service || true
fi
