#!/bin/sh
# Creates the hotfolder system user and group before the files are
# unpacked, so /etc/hotfolder/agent.toml and the data folders can belong
# to them. Removing the package keeps the user, so files it owns never
# end up with an unknown owner.
set -e
if ! getent group hotfolder >/dev/null; then
  groupadd --system hotfolder
fi
if ! getent passwd hotfolder >/dev/null; then
  useradd --system --gid hotfolder --home-dir /var/lib/hotfolder --no-create-home \
    --shell /usr/sbin/nologin --comment "hotfolder agent" hotfolder
fi
