# Sourced by ./mvnw, ./rewind and ./test.sh: picks a JDK >= 21 for the build.
# The 2026 Eclipse UI bundles require Java 21, so the default Java 17 is not enough.
rewind_java_major() {
  # Sets rewind_java_version to the JDK's major version (empty if unknown). The JDK's release
  # file answers without starting a JVM (~50 ms saved on every command), read with builtins and
  # returned in a variable, not through $(...): ./rewind sources this before every command, and
  # each fork costs 1-4 ms.
  local line
  rewind_java_version=
  if [ -r "$1/release" ]; then
    while IFS= read -r line; do
      case "$line" in JAVA_VERSION=\"*) rewind_java_version=${line#JAVA_VERSION=\"}; rewind_java_version=${rewind_java_version%%[!0-9]*}; break ;; esac
    done < "$1/release"
  fi
  if [ -z "$rewind_java_version" ]; then
    rewind_java_version=$("$1/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1)
  fi
}
# Usage: rewind_select_jdk [MIN_MAJOR]  (default 21; the plain-classpath CLI needs only 17)
rewind_select_jdk() {
  local min="${1:-21}" candidate major
  for candidate in "${REWIND_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    rewind_java_major "$candidate"
    major=$rewind_java_version
    if [ -n "$major" ] && [ "$major" -ge "$min" ]; then
      export JAVA_HOME="$candidate"
      rewind_jdk_major=$major
      return 0
    fi
  done
  echo "rewind: no JDK $min or newer found (looked at \$REWIND_JAVA_HOME, \$JAVA_HOME and /usr/lib/jvm/*)." >&2
  echo "rewind: install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  return 1
}
