#!/usr/bin/env bash
# Lists the contents of the built packages and fails when a file is
# missing or wrong. It checks the binaries of every platform, the .deb and
# .rpm (binary, unit, config kept on upgrade, user scripts) and the .msi
# (hotfolder.exe, example config, service, post-install step). It also
# runs "systemd-analyze verify" and the offline security score on the
# packaged unit when systemd-analyze is installed.
#   check-packages.sh [DIST]     (default: dist)
# Needs dpkg-deb, rpm (apt package "rpm") and msiinfo (apt package "msitools").
set -euo pipefail
cd "$(dirname "$0")/.."
dist=${1:-dist}
unit_src=packaging/systemd/hotfolder.service
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

need() {
  command -v "$1" >/dev/null || { echo "check-packages.sh: $1 not found: install the apt package $2" >&2; exit 1; }
}

# has LISTING PATTERN WHAT: PATTERN (an extended regex) must match a line.
has() {
  grep -Eq -- "$2" <<<"$1" || fail "$3"
}

# one PATTERN prints the single file in $dist matching PATTERN. It runs in
# a subshell, so the caller counts its failure.
one() {
  local matches=("$dist"/$1)
  if [[ ${#matches[@]} -ne 1 || ! -e ${matches[0]} ]]; then
    echo "FAIL: expected one $1 in $dist, found: ${matches[*]}" >&2
    return 1
  fi
  echo "${matches[0]}"
}

need dpkg-deb dpkg
need rpm rpm
need msiinfo msitools

echo "== binaries"
for p in linux_amd64/hotfolder linux_arm64/hotfolder windows_amd64/hotfolder.exe windows_arm64/hotfolder.exe darwin_arm64/hotfolder; do
  if [[ -s $dist/$p ]]; then ls -l "$dist/$p"; else fail "missing binary $dist/$p"; fi
done
version=$(git describe --tags --always --dirty)
if [[ $(uname -m) == x86_64 ]]; then
  out=$("$dist/linux_amd64/hotfolder" version)
  echo "$out"
  has "$out" "^hotfolder $version linux/amd64 " "hotfolder version prints \"$out\", not the version $version"
fi

for arch in amd64 arm64; do
  echo "== .deb $arch"
  if deb=$(one "hotfolder_*_$arch.deb"); then
    list=$(dpkg-deb -c "$deb")
    echo "$list"
    has "$list" '^-rwxr-xr-x root/root .* \./usr/bin/hotfolder$' "$deb: no executable /usr/bin/hotfolder"
    has "$list" ' \./lib/systemd/system/hotfolder\.service$' "$deb: no /lib/systemd/system/hotfolder.service"
    has "$list" '^-rw-r----- root/hotfolder .* \./etc/hotfolder/agent\.toml$' "$deb: no /etc/hotfolder/agent.toml readable by group hotfolder only"
    has "$list" '^d.* hotfolder/hotfolder .* \./var/lib/hotfolder/$' "$deb: no /var/lib/hotfolder owned by hotfolder"
    has "$list" '^d.* hotfolder/hotfolder .* \./var/log/hotfolder/$' "$deb: no /var/log/hotfolder owned by hotfolder"
    has "$list" ' \./usr/share/doc/hotfolder/install\.md$' "$deb: no install.md"
    has "$(dpkg-deb -f "$deb" Architecture)" "^$arch\$" "$deb: Architecture is not $arch"
    has "$(dpkg-deb -I "$deb" conffiles)" '^/etc/hotfolder/agent\.toml$' "$deb: agent.toml is not a conffile, so an upgrade would replace it"
    control=$(dpkg-deb --ctrl-tarfile "$deb" | tar -t)
    for script in preinst postinst prerm postrm; do
      has "$control" "^\./$script\$" "$deb: no $script script"
    done
    has "$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./lib/systemd/system/hotfolder.service | diff - "$unit_src" && echo same)" '^same$' \
      "$deb: the unit differs from $unit_src"
    has "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./preinst)" 'useradd --system' "$deb: preinst does not create the hotfolder user"
  else
    failures=$((failures + 1))
  fi
done

for arch in x86_64 aarch64; do
  echo "== .rpm $arch"
  if rpmfile=$(one "hotfolder-*.$arch.rpm"); then
    list=$(rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILEMODES:perms} %{FILENAMES}\n]' "$rpmfile")
    echo "$list"
    has "$list" ' root:root -rwxr-xr-x /usr/bin/hotfolder$' "$rpmfile: no executable /usr/bin/hotfolder"
    has "$list" ' /usr/lib/systemd/system/hotfolder\.service$' "$rpmfile: no /usr/lib/systemd/system/hotfolder.service"
    has "$list" '^cn root:hotfolder -rw-r----- /etc/hotfolder/agent\.toml$' "$rpmfile: agent.toml is not a noreplace config readable by group hotfolder only"
    has "$list" ' hotfolder:hotfolder d.* /var/lib/hotfolder$' "$rpmfile: no /var/lib/hotfolder owned by hotfolder"
    has "$(rpm -qp --qf '%{ARCH}' "$rpmfile")" "^$arch\$" "$rpmfile: architecture is not $arch"
    has "$(rpm -qp --scripts "$rpmfile")" 'useradd --system' "$rpmfile: no script creates the hotfolder user"
  else
    failures=$((failures + 1))
  fi
done

echo "== .msi"
if msi=$(one "hotfolder_*_amd64.msi"); then
  export_table() { msiinfo export "$msi" "$1" | tr -d '\r' | tail -n +4; }
  files=$(export_table File)
  echo "$files"
  has "$files" $'^HotfolderExe\tProgram\thotfolder\\.exe\t' "$msi: no hotfolder.exe"
  has "$files" $'\tagent\\.toml\\.example\t' "$msi: no agent.toml.example"
  has "$(export_table Directory)" $'^DATADIR\tCommonAppDataFolder\thotfolder$' "$msi: the example config is not in ProgramData\\hotfolder"
  has "$(export_table Directory)" $'^INSTALLDIR\tProgramFiles64Folder\thotfolder$' "$msi: hotfolder.exe is not in Program Files\\hotfolder"
  services=$(export_table ServiceInstall)
  echo "$services"
  has "$services" $'^HotfolderService\thotfolder\t.*\tLocalSystem\t.*run --config "\\[CommonAppDataFolder\\]hotfolder\\\\agent\\.toml"' \
    "$msi: no hotfolder service running \"run --config ProgramData\\hotfolder\\agent.toml\""
  has "$(export_table ServiceControl)" $'^HotfolderServiceControl\thotfolder\t' "$msi: no ServiceControl for the service"
  has "$(export_table CustomAction)" $'^PostInstall\t.*\tHotfolderExe\tpost-install --config ' "$msi: no post-install step"
  has "$(export_table InstallExecuteSequence)" $'^PostInstall\tNOT REMOVE\t' "$msi: the post-install step is not scheduled"
  has "$(export_table Registry)" 'EventLog\\Application\\hotfolder' "$msi: no Event Log source"
  has "$(export_table Property)" $'^ProductVersion\t[0-9]+\\.[0-9]+\\.[0-9]+$' "$msi: ProductVersion is not X.Y.Z"
else
  failures=$((failures + 1))
fi

if command -v systemd-analyze >/dev/null; then
  echo "== systemd-analyze on the packaged unit"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  deb=$(one "hotfolder_*_amd64.deb")
  dpkg-deb -x "$deb" "$tmp/root"
  # verify checks that ExecStart names an executable, which is not
  # installed here, so a copy of the unit points at the unpacked one.
  sed "s|^ExecStart=/usr/bin/hotfolder |ExecStart=$tmp/root/usr/bin/hotfolder |" \
    "$tmp/root/lib/systemd/system/hotfolder.service" >"$tmp/hotfolder.service"
  # verify exits 0 on unknown keys and bad values, only printing them.
  if ! out=$(systemd-analyze verify "$tmp/hotfolder.service" 2>&1) || [[ -n $out ]]; then
    fail "systemd-analyze verify: ${out:-failed}"
  fi
  security=$(systemd-analyze security --offline=true --threshold=30 --root="$tmp/root" hotfolder.service 2>&1) ||
    fail "systemd-analyze security: the exposure level is above 3.0"
  grep 'Overall exposure level' <<<"$security" || fail "systemd-analyze security printed no score: $security"
else
  echo "== systemd-analyze not installed: unit checks skipped (apt package systemd)"
fi

if ((failures > 0)); then
  echo "check-packages.sh: $failures problems" >&2
  exit 1
fi
echo "check-packages.sh: all packages complete"
