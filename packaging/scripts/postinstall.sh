#!/bin/sh
# Makes systemd read the new unit. On a new install the service stays
# stopped until the administrator has set the upload URL and runs
# "systemctl enable --now hotfolder". On an upgrade a running service is
# restarted with the new binary.
set -e
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl try-restart hotfolder.service || true
fi
