#!/usr/bin/env bash
# `rewind ide`: starts the Rewind IDE (the product this module materializes) on a workspace that
# holds the sample guest as a project with ready Record Run and Replay launch configurations.
#   ./rewind ide [--workspace DIR] [--check DIR]
# --workspace  the workspace (default: .rewind/ide-workspace in the checkout), created on first use
# --check DIR  start, write DIR/workspace.txt (projects and launch configurations the IDE sees)
#              and DIR/ide.png (a screenshot of the window), then exit: proves the IDE works
set -euo pipefail
module="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$module/../.." && pwd)"
. "$root/scripts/select-jdk.sh"
rewind_select_jdk 21 || exit 1

workspace="$root/.rewind/ide-workspace"
check=""
while [ $# -gt 0 ]; do
  case "$1" in
    --workspace) workspace="${2:?--workspace needs a folder}"; shift 2 ;;
    --check) check="${2:?--check needs a folder}"; shift 2 ;;
    -h|--help) sed -n '2,8s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "rewind ide: unknown option '$1' (try ./rewind ide --help)" >&2; exit 2 ;;
  esac
done

product="$module/target/products/dev.rewind.ide/linux/gtk/x86_64/rewind-ide"
build="./mvnw -B verify -DskipTests"
launcher=$(ls "$product"/plugins/org.eclipse.equinox.launcher_*.jar 2>/dev/null | head -n 1 || true)
if [ -z "$launcher" ]; then
  echo "rewind ide: the IDE has not been built yet. Build it once (a few minutes) with:" >&2
  echo "  $build" >&2
  exit 1
fi
# The bundles of the feature (without build output and tests), the feature and the product definition.
shipped=$(sed -n 's/.*<plugin id="\([^"]*\)".*/\1/p' "$root/features/dev.rewind.feature/feature.xml")
if [ -n "$(cd "$root/bundles" && find $shipped -name target -prune -o -name bin -prune -o -path '*/src/test' -prune -o \
      -type f -newer "$product/configuration/config.ini" -print -quit 2>/dev/null)" ] ||
   [ -n "$(find "$root/features/dev.rewind.feature/feature.xml" "$module"/*.product "$module"/*.target \
      -newer "$product/configuration/config.ini" -print -quit 2>/dev/null)" ]; then
  echo "rewind ide: note: sources changed since the IDE was built; '$build' rebuilds it." >&2
fi
# SWT needs GTK 3: say which package is missing instead of failing inside the workbench.
swt=$(ls "$product"/plugins/org.eclipse.swt.gtk.linux.x86_64_*.jar 2>/dev/null | head -n 1 || true)
if [ -n "$swt" ]; then "$root/scripts/check-swt-natives.sh" "$swt" || exit 1; fi
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "rewind ide: no display (DISPLAY is not set); on a headless machine use: xvfb-run -a ./rewind ide" >&2
  exit 1
fi

# First use: lay out the sample project from the checkout's guest sources and prebuilt ELF.
# The IDE opens it as a project at startup (rewind.ide.openProjects).
project="$workspace/sample"
if [ ! -f "$project/.project" ]; then
  echo "rewind ide: creating the sample project in $project" >&2
  mkdir -p "$project/src" "$project/lib"
  cp "$module/sample/.project" "$module/sample/"*.launch "$project/"
  cp "$root/guests/src/sample.c" "$project/src/"
  cp "$root/guests/lib/rt.c" "$root/guests/lib/rt.h" "$root/guests/lib/crt0.S" "$root/guests/lib/link.ld" "$project/lib/"
  cp "$root/guests/prebuilt/sample.elf" "$project/"
fi

# The product's VM arguments (eclipse.ini after -vmargs): there is no native launcher.
mapfile -t vmargs < <(sed -n '/^-vmargs$/,$p' "$product/eclipse.ini" | tail -n +2)
props=(-Drewind.ide.openProjects=true)
[ -n "$check" ] && props+=("-Drewind.ide.check=$(mkdir -p "$check" && cd "$check" && pwd)")
# Run from the workspace: DWARF names sources relative to the build folder (guests/...), and
# from the checkout those would resolve to the checkout's files instead of the project's.
cd "$workspace"
exec "$JAVA_HOME/bin/java" "${vmargs[@]}" "${props[@]}" -jar "$launcher" -data "$workspace"
