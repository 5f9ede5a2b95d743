# Sourced by ./mvnw, ./rewind and ./test.sh: picks a JDK >= 21 for the build.
# The 2026 Eclipse UI bundles require Java 21, so the default Java 17 is not enough.
rewind_java_major() {
  # The JDK's release file answers without starting a JVM (~50 ms saved on every command).
  local v
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null | head -n 1)
  if [ -z "$v" ]; then
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1)
  fi
  echo "$v"
}
# Usage: rewind_select_jdk [MIN_MAJOR]  (default 21; the plain-classpath CLI needs only 17)
rewind_select_jdk() {
  local min="${1:-21}" candidate major
  for candidate in "${REWIND_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(rewind_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge "$min" ]; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  echo "rewind: no JDK $min or newer found (looked at \$REWIND_JAVA_HOME, \$JAVA_HOME and /usr/lib/jvm/*)." >&2
  echo "rewind: install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  return 1
}
