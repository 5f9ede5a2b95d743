#!/usr/bin/env bash
# Fast inner loop for pure-Java bundles: compiles a bundle (and the pure-Java
# bundles it names) with javac and runs its JUnit 4 tests, no Tycho resolution.
# The real build is ./mvnw verify; this only saves minutes while iterating.
#   scripts/quick-test.sh dev.rewind.qcow2 [TestClassSimpleName ...]
# Env: DEPS="dev.rewind.emulator dev.rewind.qcow2" bundles to compile first (default: the
#      Rewind bundles named in the bundle's Require-Bundle).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/scripts/select-jdk.sh"; rewind_select_jdk
bundle="$1"; shift || true
out="$here/bundles/$bundle/target/quick"
rm -rf "$out"; mkdir -p "$out/main" "$out/test"
junit="$HOME/.m2/repository/junit/junit/4.13.2/junit-4.13.2.jar:$HOME/.m2/repository/org/hamcrest/hamcrest-core/1.3/hamcrest-core-1.3.jar"
cp_deps=""
if [ -z "${DEPS+set}" ]; then
  # Default: the Rewind bundles this one requires, in dependency order.
  DEPS=""
  for b in dev.rewind.emulator dev.rewind.qcow2 dev.rewind.symbols dev.rewind.replay dev.rewind.gdbstub; do
    grep -q "^ *\(Require-Bundle: \)\?$b[,;]\?\s*$" "$here/bundles/$bundle/META-INF/MANIFEST.MF" 2>/dev/null && DEPS="$DEPS $b"
  done
fi
for dep in ${DEPS:-}; do
  mkdir -p "$out/dep-$dep"
  find "$here/bundles/$dep/src/main/java" -name '*.java' > "$out/dep-$dep.list"
  "$JAVA_HOME/bin/javac" --release 17 -nowarn -d "$out/dep-$dep" -cp "$cp_deps" @"$out/dep-$dep.list"
  cp_deps="$cp_deps:$out/dep-$dep"
done
find "$here/bundles/$bundle/src/main/java" -name '*.java' > "$out/main.list"
"$JAVA_HOME/bin/javac" --release 17 -Xlint:all -Xlint:-serial -d "$out/main" -cp "$cp_deps" @"$out/main.list"
[ -d "$here/bundles/$bundle/src/main/resources" ] && cp -r "$here/bundles/$bundle/src/main/resources/." "$out/main/" || true
[ -d "$here/bundles/$bundle/src/test/java" ] || { echo "no tests"; exit 0; }
find "$here/bundles/$bundle/src/test/java" -name '*.java' > "$out/test.list"
"$JAVA_HOME/bin/javac" --release 17 -nowarn -d "$out/test" -cp "$out/main$cp_deps:$junit" @"$out/test.list"
[ -d "$here/bundles/$bundle/src/test/resources" ] && cp -r "$here/bundles/$bundle/src/test/resources/." "$out/test/" || true
if [ $# -gt 0 ]; then
  classes=()
  for simple in "$@"; do
    classes+=("$(cd "$out/test" && find . -name "$simple.class" | sed 's|^\./||; s|\.class$||; s|/|.|g' | head -n 1)")
  done
else
  mapfile -t classes < <(cd "$out/test" && find . -name '*Test.class' | sed 's|^\./||; s|\.class$||; s|/|.|g' | sort)
fi
cd "$here"
exec "$JAVA_HOME/bin/java" -ea -cp "$out/test:$out/main$cp_deps:$junit" org.junit.runner.JUnitCore "${classes[@]}"
