#!/usr/bin/env bash
# The S3 server Berth's tests run against: a single-node Ceph cluster (one monitor, one
# in-memory OSD, cephx off) with the RADOS Gateway on 127.0.0.1:7480, path-style.
#
#   scripts/s3-server.sh start [DIR]   install Debian's ceph packages if needed, start, create AKTEST/SKTEST
#   scripts/s3-server.sh stop  [DIR]   stop what was started from DIR
#   scripts/s3-server.sh gc    [DIR]   free the space of deleted objects now
#
# DIR defaults to /tmp/berth-s3. The store holds 2 GiB in memory; deleted objects are
# collected after 30 s (the gateway's default waits 2 h, and a full OSD hangs every request).
set -euo pipefail
cmd=${1:-start}
dir=${2:-/tmp/berth-s3}
endpoint=http://127.0.0.1:7480

stop_daemons() {
  local pid
  for pid in "$dir"/run/*.pid; do
    [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
  done
}

write_config() {
  local fsid=$1
  cat >"$dir/ceph.conf" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:3300
public network = 127.0.0.0/8
auth cluster required = none
auth service required = none
auth client required = none
# Without the crc modes radosgw stalls on "get_initial_auth_request returned -13".
ms mon client mode = crc
ms client mode = crc
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd crush chooseleaf type = 0
run dir = $dir/run
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
pid file = $dir/run/\$name.pid
keyring = $dir/keyring
[mon]
mon data = $dir/mon.\$id
[osd]
osd data = $dir/osd.\$id
osd objectstore = memstore
memstore device bytes = 2147483648
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:7480
rgw data = $dir/rgw
rgw gc obj min wait = 30
rgw gc processor period = 30
CONF
}

start() {
  if ! command -v radosgw >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
      --no-install-recommends ceph-mon ceph-osd radosgw ceph-common >/dev/null
  fi
  [ -d "$dir/run" ] && stop_daemons
  rm -rf "$dir"
  mkdir -p "$dir"/{run,log,mon.a,osd.0,rgw}
  cd "$dir"
  local fsid osd_uuid osd_id
  fsid=$(cat /proc/sys/kernel/random/uuid)
  write_config "$fsid"
  touch keyring
  monmaptool --create --addv a '[v2:127.0.0.1:3300]' --fsid "$fsid" monmap >/dev/null
  ceph-mon -c ceph.conf --mkfs -i a --monmap monmap
  ceph-mon -c ceph.conf -i a
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  osd_id=$(timeout 30 ceph -c ceph.conf osd new "$osd_uuid")
  ceph-osd -c ceph.conf -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" 2>/dev/null
  ceph-osd -c ceph.conf -i "$osd_id" 2>/dev/null
  radosgw -c ceph.conf -n client.rgw.a
  timeout 60 radosgw-admin -c ceph.conf user create --uid=test --display-name=test \
    --access-key=AKTEST --secret=SKTEST >/dev/null
  local _
  for _ in $(seq 60); do curl -sf -o /dev/null "$endpoint/" && break; sleep 0.5; done
  curl -sf -o /dev/null "$endpoint/" || { echo "s3-server: the gateway did not answer; logs in $dir/log" >&2; exit 1; }
  echo "s3-server: $endpoint access key AKTEST secret SKTEST"
}

case "$cmd" in
  start) start ;;
  stop) stop_daemons ;;
  gc) timeout 60 radosgw-admin -c "$dir/ceph.conf" gc process --include-all >/dev/null 2>&1 || true ;;
  *) echo "usage: $0 start|stop|gc [DIR]" >&2; exit 2 ;;
esac
