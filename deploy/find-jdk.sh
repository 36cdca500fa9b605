# Sourced by deploy/run and .ci/run: makes JAVA_HOME point at a JDK 21 or newer.
# Keeps a JAVA_HOME that is already 21+, else looks in the usual places (Debian, Temurin, SDKMAN).
java_feature() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1; }
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_feature "$JAVA_HOME")" -ge 21 ] 2>/dev/null; then
  :
else
  candidate_home=""
  default_java="$(command -v java || true)"
  if [ -n "$default_java" ]; then
    default_home="$(dirname "$(dirname "$(readlink -f "$default_java")")")"
    if [ "$(java_feature "$default_home")" -ge 21 ] 2>/dev/null; then candidate_home="$default_home"; fi
  fi
  if [ -z "$candidate_home" ]; then
    for dir in /usr/lib/jvm/* /opt/java/* "$HOME"/.sdkman/candidates/java/*; do
      if [ -x "$dir/bin/javac" ] && [ "$(java_feature "$dir")" -ge 21 ] 2>/dev/null; then candidate_home="$dir"; break; fi
    done
  fi
  if [ -z "$candidate_home" ]; then
    echo "fugou needs JDK 21 or newer; none found. Install one and set JAVA_HOME." >&2
    exit 1
  fi
  export JAVA_HOME="$candidate_home"
fi
export PATH="$JAVA_HOME/bin:$PATH"
# Maven's own Guava warns about sun.misc.Unsafe on JDK 24+; the warning is Maven's, not ours.
if [ "$(java_feature "$JAVA_HOME")" -ge 24 ] 2>/dev/null; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
