# Sourced by bin/adamerge and .ci/run: exports JAVA_HOME pointing at a JDK 25 or newer.
# Honours JAVA_HOME when it is already 25+, else looks in the usual install folders.
jdk_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(jdk_major "$JAVA_HOME")" -ge 25 ] 2>/dev/null; then
  export JAVA_HOME
else
  found=""
  for d in /usr/lib/jvm/*25* /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    if [ -x "$d/bin/javac" ] && [ "$(jdk_major "$d")" -ge 25 ] 2>/dev/null; then found=$d; break; fi
  done
  if [ -z "$found" ]; then
    echo "adamerge: no JDK 25 or newer found; install one (e.g. Temurin 25) and set JAVA_HOME to it" >&2
    exit 1
  fi
  export JAVA_HOME=$found
fi
