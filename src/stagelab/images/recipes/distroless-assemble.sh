#!/bin/sh
# distroless-assemble ROOT PACKAGE...
# Unpack Debian packages into ROOT the way distroless does: `dpkg-deb -x` only, no
# maintainer scripts, no dpkg database but one /var/lib/dpkg/status.d/<package>
# record per package (scanners such as trivy and syft read these).
set -eu
root=$1
shift
work=$(mktemp -d)
cd "$work"
apt-get download "$@"
# Debian 13 uses merged /usr: the top-level folders are links into /usr.
mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib" "$root/usr/lib64" "$root/var/lib/dpkg/status.d"
for dir in bin sbin lib lib64; do
    [ -e "$root/$dir" ] || ln -s "usr/$dir" "$root/$dir"
done
for deb in ./*.deb; do
    package=$(dpkg-deb --field "$deb" Package)
    # --keep-directory-symlink: a package's ./lib/... lands in /usr/lib through the link.
    dpkg-deb --fsys-tarfile "$deb" | tar -x --keep-directory-symlink -C "$root" \
        --exclude=./usr/share/man --exclude=./usr/share/info --exclude=./usr/share/lintian
    dpkg-deb --field "$deb" > "$root/var/lib/dpkg/status.d/$package"
done
# Documentation goes, licences stay (as upstream keeps /usr/share/doc/*/copyright).
if [ -d "$root/usr/share/doc" ]; then
    find "$root/usr/share/doc" ! -type d ! -name copyright -delete
    find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
fi
rm -rf "$work"
