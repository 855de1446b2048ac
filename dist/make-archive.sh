#!/usr/bin/env bash
# Builds dist/target/adamerge4j-VERSION-PLATFORM.tar.gz, which runs adamerge where there is no JDK:
# a jlink'ed Java runtime with only the modules the jars use, the jars, the launcher bin/adamerge
# and the demo checkpoints. `mvn package` runs it (dist/pom.xml) once cli has built its jars.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=${1:?usage: dist/make-archive.sh VERSION}
jdk=$("$root/bin/find-jdk")
cli="$root/cli/target"
if [ ! -f "$cli/adamerge.jar" ] || [ ! -d "$cli/lib" ]; then
  echo "make-archive: $cli/adamerge.jar or $cli/lib is missing; build with mvn package" >&2; exit 1
fi
# Every third-party jar shipped needs its licence listed: a new dependency fails here until it is.
for jar in "$cli"/lib/*.jar; do
  j=$(basename "$jar")
  case $j in *-"$version".jar) continue ;; esac   # our own modules
  grep -q "^$j " "$root/dist/src/THIRD-PARTY.txt" || { echo "make-archive: $j is not in dist/src/THIRD-PARTY.txt; add it with its licence" >&2; exit 1; }
done

# The runtime is the build machine's, so the archive is named for its OS and CPU.
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x64 ;;
  Linux-aarch64) platform=linux-aarch64 ;;
  *) platform=$(uname -s | tr '[:upper:]' '[:lower:]')-$(uname -m) ;;
esac
name=adamerge4j-$version
out="$root/dist/target"
stage="$out/stage/$name"
rm -rf "$out/stage"
mkdir -p "$stage/bin" "$stage/lib/adamerge4j" "$stage/models"

# Only the JDK modules the jars use: what jdeps sees, plus jdk.incubator.vector (the launcher adds it)
# and jdk.unsupported (Gson reaches sun.misc.Unsafe by reflection, which jdeps cannot see).
# A JDK without jmods/ still links: since JDK 24 jlink can copy from its own run-time image.
modules=$( { "$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 "$cli/adamerge.jar" "$cli"/lib/*.jar \
  | tr , '\n'; echo jdk.incubator.vector; echo jdk.unsupported; } | sort -u | paste -sd, )
echo "make-archive: runtime from $jdk with $modules"
if ! "$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --output "$stage/runtime"; then
  echo "make-archive: jlink could not link a runtime from $jdk, which has neither jmods/ nor a linkable" \
    "run-time image; use a JDK with either (Temurin 25 has the second), or leave the archive out: mvn -Ddist.skip ..." >&2
  exit 1
fi

# lib/adamerge4j/ is two folders below the archive root, where the demo finds models/demo.
cp "$cli/adamerge.jar" "$cli"/lib/*.jar "$stage/lib/adamerge4j/"
cp -r "$root/models/demo" "$stage/models/demo"
install -m 755 "$root/dist/src/bin/adamerge" "$stage/bin/adamerge"
install -m 644 "$root/bin/jvm-options" "$stage/bin/jvm-options"
cp "$root/dist/src/README.txt" "$root/dist/src/THIRD-PARTY.txt" "$stage/"
cp -r "$root/dist/src/licenses" "$stage/licenses"

# Written under a temporary name and renamed, so a stopped build leaves no half archive.
archive="$out/$name-$platform.tar.gz"
tar -C "$out/stage" --sort=name --owner=0 --group=0 --numeric-owner -czf "$archive.part" "$name"
mv -f "$archive.part" "$archive"
rm -rf "$out/stage"
echo "make-archive: $archive ($(du -h "$archive" | cut -f1))"
