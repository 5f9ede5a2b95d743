#!/usr/bin/env bash
# Checks that the native libraries SWT loads (GTK 3 and what it links to) are on this machine,
# so a missing package is named here instead of as an UnsatisfiedLinkError deep in a test log.
#   scripts/check-swt-natives.sh [SWT_JAR]
# Without SWT_JAR, the SWT GTK fragment of targetplatform.target is fetched by its coordinates
# (from the local repository when it is there already).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

jar="${1:-}"
if [ -z "$jar" ]; then
  artifact=org.eclipse.swt.gtk.linux.x86_64
  version=$(sed -n "s|.*<artifactId>$artifact</artifactId><version>\([^<]*\)</version>.*|\1|p" "$root/targetplatform.target" | head -n 1)
  if [ -z "$version" ]; then
    echo "check-swt-natives: no $artifact in targetplatform.target" >&2; exit 1
  fi
  # from an empty folder, so the Maven that runs does not load the project's build extensions
  (cd "$work" && "$root/mvnw" -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      -Dartifact="org.eclipse.platform:$artifact:$version:jar" -DoutputDirectory="$work" >&2) || {
    echo "check-swt-natives: could not fetch org.eclipse.platform:$artifact:$version" >&2; exit 1; }
  jar="$work/$artifact-$version.jar"
fi
unzip -q -o "$jar" 'libswt-*.so' -d "$work/so"

# Debian's package for each library SWT's GTK libraries link to (Debian 12 names).
package_of() {
  case "$1" in
    libgtk-3.so*|libgdk-3.so*) echo libgtk-3-0 ;;
    libcairo.so*) echo libcairo2 ;;
    libcairo-gobject.so*) echo libcairo-gobject2 ;;
    libatk-1.0.so*) echo libatk1.0-0 ;;
    libatk-bridge-2.0.so*) echo libatk-bridge2.0-0 ;;
    libgdk_pixbuf-2.0.so*) echo libgdk-pixbuf-2.0-0 ;;
    libpango-1.0.so*) echo libpango-1.0-0 ;;
    libpangocairo-1.0.so*) echo libpangocairo-1.0-0 ;;
    libharfbuzz.so*) echo libharfbuzz0b ;;
    libglib-2.0.so*|libgobject-2.0.so*|libgio-2.0.so*|libgmodule-2.0.so*|libgthread-2.0.so*) echo libglib2.0-0 ;;
    libX11.so*) echo libx11-6 ;;
    libXtst.so*) echo libxtst6 ;;
    libXi.so*) echo libxi6 ;;
    libGL.so*) echo libgl1 ;;
    libfontconfig.so*) echo libfontconfig1 ;;
    libfreetype.so*) echo libfreetype6 ;;
    *) echo "" ;;
  esac
}

missing=""
checked=0
for so in "$work"/so/libswt-*.so; do
  case "$so" in
    # SWT runs on GTK 3 (pi3) unless SWT_GTK4=1; the Browser widget (WebKitGTK), the OpenGL
    # canvas and the AWT bridge (the JDK's libjawt) are loaded only by programs that use them.
    *pi4*|*webkit*|*glx*|*awt*) continue ;;
  esac
  checked=$((checked + 1))
  for lib in $(ldd "$so" | awk '/not found/ {print $1}'); do
    case " $missing " in *" $lib "*) ;; *) missing="$missing $lib" ;; esac
  done
done
if [ "$checked" -eq 0 ]; then
  echo "check-swt-natives: no SWT native library in $jar" >&2; exit 1
fi
if [ -n "$missing" ]; then
  packages=""
  for lib in $missing; do
    p=$(package_of "$lib")
    [ -n "$p" ] && case " $packages " in *" $p "*) ;; *) packages="$packages $p" ;; esac
  done
  echo "check-swt-natives: SWT cannot load its GTK libraries; missing:$missing" >&2
  if [ -n "$packages" ]; then
    echo "check-swt-natives: install them with: apt-get install$packages" >&2
  else
    echo "check-swt-natives: find the package that ships each with 'apt-file search NAME'" >&2
  fi
  exit 1
fi
echo "check-swt-natives: SWT's native libraries resolve ($checked checked from $(basename "$jar"))" >&2
