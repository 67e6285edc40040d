#!/usr/bin/env bash
# Turns a "git describe --tags --always --dirty" string into the version
# forms the packages accept.
#   version.sh package DESCRIBE   .deb and .rpm: v1.2.3-4-gabc1234-dirty -> 1.2.3+4.gabc1234.dirty,
#                                 abc1234 (no tag yet) -> 0.0.0+git.abc1234
#   version.sh msi DESCRIBE       .msi: numbers only, at most 255.255.65535, so the third
#                                 field is patch*1000 + commits since the tag:
#                                 v1.2.3 -> 1.2.3000, v1.2.3-4-gabc1234 -> 1.2.3004; without
#                                 a tag 0.0.N with N the number of commits. Each later
#                                 build then upgrades an earlier one.
set -euo pipefail
kind=${1:?usage: version.sh package|msi DESCRIBE}
describe=${2:?usage: version.sh package|msi DESCRIBE}

if [[ $describe =~ ^v?([0-9]+)\.([0-9]+)\.([0-9]+)(-(.*))?$ ]]; then
  major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]} patch=${BASH_REMATCH[3]}
  base="$major.$minor.$patch"
  rest=${BASH_REMATCH[5]}
  case $kind in
    package) if [[ -n $rest ]]; then echo "$base+${rest//-/.}"; else echo "$base"; fi ;;
    msi)
      commits=0
      if [[ $rest =~ ^([0-9]+)- ]]; then commits=${BASH_REMATCH[1]}; fi
      third=$((patch * 1000 + commits))
      if ((major > 255 || minor > 255 || third > 65535 || commits > 999)); then
        echo "version.sh: $describe does not fit an MSI version (255.255.65535 with patch*1000 + commits)" >&2
        exit 1
      fi
      echo "$major.$minor.$third"
      ;;
    *) echo "version.sh: unknown kind $kind: use package or msi" >&2; exit 2 ;;
  esac
  exit 0
fi

case $kind in
  package) echo "0.0.0+git.${describe//-/.}" ;;
  msi)
    count=$(git rev-list --count HEAD 2>/dev/null || echo 0)
    echo "0.0.$((count > 65535 ? 65535 : count))"
    ;;
  *) echo "version.sh: unknown kind $kind: use package or msi" >&2; exit 2 ;;
esac
