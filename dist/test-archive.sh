#!/usr/bin/env bash
# Checks that the archive runs where there is no JDK: unpacks it into a fresh folder and runs its
# bin/adamerge in an empty environment (no JAVA_HOME, no java on PATH, HOME in that folder).
# Quick by default (about 10 s; `mvn verify` runs it): --help through a symlink, devices, and a
# task-arithmetic merge of two shipped checkpoints. --demo also runs the whole demo (minutes; it
# fetches its data sets into the fresh HOME) and keeps the folder with its results.
# Usage: dist/test-archive.sh [ARCHIVE] [--demo]   (ARCHIVE: by default the newest in dist/target)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
demo=false archive=""
for a in "$@"; do
  case $a in --demo) demo=true ;; *) archive=$a ;; esac
done
[ -n "$archive" ] || archive=$(ls -t "$root"/dist/target/adamerge4j-*.tar.gz 2>/dev/null | head -1)
[ -f "$archive" ] || { echo "test-archive: no archive (build one with mvn package)" >&2; exit 1; }
archive=$(readlink -f "$archive")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/adamerge-dist.XXXXXX")
$demo || trap 'rm -rf "$tmp"' EXIT
tar -xzf "$archive" -C "$tmp"
home=$(echo "$tmp"/adamerge4j-*)
[ -x "$home/bin/adamerge" ] || { echo "test-archive: $archive has no adamerge4j-*/bin/adamerge" >&2; exit 1; }
# A bare server's environment (HOME in the fresh folder, working there) and no JDK: the machine's
# JDKs are hidden under an empty tmpfs over /usr/lib/jvm, in a mount namespace of the commands'
# own (where /usr/bin/java leads on Debian and Ubuntu). Where namespaces are not allowed (an
# unprivileged container), a java on PATH is shadowed by one that fails instead.
path=/usr/bin:/bin hide=()
if [ -d /usr/lib/jvm ] && unshare -m sh -c 'mount -t tmpfs none /usr/lib/jvm' 2>/dev/null; then
  hide=(unshare -m sh -c 'mount -t tmpfs none /usr/lib/jvm && exec "$@"' sh)
fi
clean() { (cd "$tmp" && "${hide[@]}" env -i HOME="$tmp" PATH="$path" "$@"); }
step() { echo "test-archive: $*"; }

if clean sh -c 'command -v java >/dev/null'; then
  mkdir "$tmp/no-java" && printf '#!/bin/sh\necho "test-archive: the system java was run" >&2; exit 99\n' > "$tmp/no-java/java"
  chmod +x "$tmp/no-java/java"
  step "java on $path could not be hidden; shadowed by one that fails"
  path="$tmp/no-java:$path"
else
  step "no java on $path, no JAVA_HOME"
fi

step "bin/adamerge --help, through a symlink"
mkdir "$tmp/elsewhere" && ln -s "$home/bin/adamerge" "$tmp/elsewhere/adamerge"
help=$(clean elsewhere/adamerge --help)
grep -q demo <<<"$help" || { echo "test-archive: --help lists no demo command:" >&2; echo "$help" >&2; exit 1; }

step "bin/adamerge devices"
devices=$(clean "$home/bin/adamerge" devices)
echo "$devices"
# CI installs PoCL (.ci/run), so there the bundled runtime must reach OpenCL, as the tests must.
if [ "${CI:-}" = true ] && grep -q '^OpenCL: none' <<<"$devices"; then
  echo "test-archive: no OpenCL device from the archive under CI=true" >&2; exit 1
fi

step "bin/adamerge merge --method task-arithmetic (SIMD kernels, safetensors in and out)"
m="$home/models/demo"
clean "$home/bin/adamerge" merge --method task-arithmetic --pretrained "$m/pretrained.safetensors" \
  --finetuned "$m/finetuned/mnist.safetensors" --finetuned "$m/finetuned/fashion.safetensors" --out "$tmp/merged.safetensors"
[ -s "$tmp/merged.safetensors" ] || { echo "test-archive: the merge wrote no $tmp/merged.safetensors" >&2; exit 1; }

if $demo; then
  step "bin/adamerge demo (results in $tmp/results)"
  start=$(date +%s)
  clean "$home/bin/adamerge" demo
  echo "test-archive: demo wall time $(( $(date +%s) - start )) s; folder kept: $tmp"
fi
step "passed: $archive"
