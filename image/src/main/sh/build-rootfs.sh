#!/usr/bin/env bash
# Assembles the root filesystem that Jib lays on top of `scratch`: a jlinked Java runtime from
# the build's own JDK, the shared libraries it and the application's native code (RocksDB,
# snappy, zstd, lz4) load, CA certificates, the user drpilot (65532) and a writable /tmp.
# No base image is pulled: the build may reach Maven Central but no container registry.
#
# Usage: build-rootfs.sh JAVA_HOME OUTPUT_DIR MODULES CLASSPATH
#   MODULES   comma-separated JDK modules for jlink
#   CLASSPATH the application's runtime classpath (':'-separated); its jars are searched for
#             linux x86-64 native libraries, whose dependencies must be in the image too
set -euo pipefail

die() { echo "build-rootfs: $*" >&2; exit 1; }

[ $# -eq 4 ] || die "usage: build-rootfs.sh JAVA_HOME OUTPUT_DIR MODULES CLASSPATH"
java_home=$1 out=$2 modules=$3 classpath=$4

[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] \
  || die "the image is linux/amd64 and takes its libraries from the build machine, which is $(uname -s)-$(uname -m): build it on linux x86-64"
[ -x "$java_home/bin/jlink" ] || die "jlink not found under $java_home: set JAVA_HOME to a full JDK 17 (Debian: apt-get install openjdk-17-jdk-headless)"
[ -d "$java_home/jmods" ] || die "no jmods under $java_home: jlink of JDK 17 links from them (Debian: apt-get install openjdk-17-jdk-headless, which ships them)"
for tool in ldd unzip; do
  command -v "$tool" >/dev/null || die "$tool not found (Debian: apt-get install $([ "$tool" = ldd ] && echo libc-bin || echo unzip))"
done

rm -rf "$out"
mkdir -p "$out/opt" "$out/etc" "$out/tmp" "$out/var/lib/drpilot"

# The desktop libraries of java.desktop (which the app needs only for java.beans) pull in X11,
# ALSA, freetype and image codecs; a headless server never loads them.
"$java_home/bin/jlink" --add-modules "$modules" \
  --strip-debug --no-header-files --no-man-pages --compress=2 \
  --exclude-files='**/libawt_xawt.so,**/libjawt.so,**/libsplashscreen.so,**/libjsound.so,**/libfontmanager.so,**/libjavajpeg.so,**/liblcms.so' \
  --output "$out/opt/java"

# Debian's JDK links lib/security/cacerts to the system trust store; a jmod holds only a copy
# from build time. Take the machine's current store, dereferenced.
if [ -f "$java_home/lib/security/cacerts" ]; then
  cp -L "$java_home/lib/security/cacerts" "$out/opt/java/lib/security/cacerts"
fi
[ -s "$out/opt/java/lib/security/cacerts" ] || die "no CA certificates for the runtime: $java_home/lib/security/cacerts is missing (Debian: apt-get install ca-certificates-java)"

# Native code of the application's jars, unpacked only to ask ldd what it needs.
natives=$(mktemp -d)
trap 'rm -rf "$natives"' EXIT
IFS=: read -r -a entries <<<"$classpath"
n=0
for jar in "${entries[@]}"; do
  case "$jar" in *.jar) ;; *) continue ;; esac
  while read -r entry; do
    n=$((n + 1))
    unzip -p "$jar" "$entry" >"$natives/$n.so"
  done < <(unzip -Z1 "$jar" 2>/dev/null | grep -E '\.so$' | grep -iE '(linux64\.so|linux/(amd64|x86_64)/|Linux/x86_64/)' | grep -v musl || true)
done

# Every shared library those objects load, at the path ldd resolves it to, as a real file
# (Jib follows no symlinks); the dynamic loader at the path the ELF headers name.
missing=$(mktemp)
deps=$(mktemp)
export LD_LIBRARY_PATH="$out/opt/java/lib:$out/opt/java/lib/server"
while read -r object; do
  ldd "$object" 2>/dev/null | awk -v obj="$object" -v missing="$missing" '
    /not found/ { print $1 " (needed by " obj ")" >> missing; next }
    $2 == "=>" && $3 ~ /^\// { print $3; next }
    $1 ~ /^\// { print $1 }' >>"$deps"
done < <(find "$out/opt/java/bin" "$out/opt/java/lib" "$natives" -type f \( -name '*.so' -o -path '*/bin/*' \) \
           -exec sh -c 'head -c 4 "$1" | grep -q "ELF"' _ {} \; -print)
[ ! -s "$missing" ] || die "shared libraries not found on this machine: $(sort -u "$missing" | tr '\n' ';')"
sort -u "$deps" | while read -r lib; do
  case "$lib" in "$out"/*) continue ;; esac
  mkdir -p "$out$(dirname "$lib")"
  cp -L "$lib" "$out$lib"
done
[ -f "$out/lib64/ld-linux-x86-64.so.2" ] || die "the dynamic loader /lib64/ld-linux-x86-64.so.2 was not found by ldd"

cat >"$out/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
drpilot:x:65532:65532:drpilot:/var/lib/drpilot:/sbin/nologin
PASSWD
cat >"$out/etc/group" <<'GROUP'
root:x:0:
drpilot:x:65532:
GROUP
# Kubernetes mounts /etc/hosts and /etc/resolv.conf; glibc reads this to use both.
echo 'hosts: files dns' >"$out/etc/nsswitch.conf"

echo "build-rootfs: $(du -sh "$out" | cut -f1) in $out (runtime $(du -sh "$out/opt/java" | cut -f1), $(sort -u "$deps" | grep -vc "^$out" || true) shared libraries)"
