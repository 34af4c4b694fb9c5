#!/bin/sh
# Roll a new build of the Carta out with no downtime.
#
#   deploy.sh CONTENT_DIR DEPLOY_DIR        e.g.  deploy.sh content /srv/carta
#
# Builds into a new folder DEPLOY_DIR/releases/<UTC time> (the live site is not touched;
# a build with errors stops here), then points DEPLOY_DIR/current at it with one rename(2),
# which is atomic: every request sees the old build or the new one, never a mix or nothing.
# The web server's root and the replicas' CARTA_SITE are DEPLOY_DIR/current; the replicas
# follow the switch on their next request, with no restart. The KEEP newest releases are
# kept, 3 unless set (to roll back: point `current` at an older one the same way).
# CARTA is the command to run (default: carta).
set -eu

content=$1
root=$2
carta=${CARTA:-carta}
keep=${KEEP:-3}

mkdir -p "$root/releases"
release="$root/releases/$(date -u +%Y%m%dT%H%M%S.%NZ)"
$carta build --strict --content "$content" --out "$release"

ln -s "$release" "$root/current.new"
mv -T "$root/current.new" "$root/current"
echo "In linea: $release"

# keep the newest releases (names sort by time)
ls -1d "$root"/releases/* | head -n -"$keep" | while read -r old; do
    rm -rf -- "$old"
done
