#!/bin/sh
# Lets systemd forget the removed unit. The config, the logs, the state
# and the inbox, done and failed folders are kept: removing a package must
# never delete files that were not sent yet.
set -e
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload || true
fi
