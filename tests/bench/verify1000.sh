#!/usr/bin/env bash
# verify1000.sh - time `dnsdrop verify` of a 1000-record INI (600 hosts,
# 200 SRV, 200 CNAME) in a sandbox appliance, five runs. Run from the repo
# root after `make`: tests/bench/verify1000.sh
set -e
# shellcheck source=../lib/sandbox.bash disable=SC1091
source "$(dirname "$0")/../lib/sandbox.bash"
box=$(mktemp -d)
sandbox_create "$box/box" >/dev/null
sandbox_start >/dev/null
{
	echo '[hosts]'
	for i in $(seq 0 599); do echo "h$i.bench.test = 10.1.$((i / 256)).$((i % 256))"; done
	echo '[srv]'
	for i in $(seq 0 199); do echo "_s$i._tcp.bench.test = h$i.bench.test:5060 10 10"; done
	echo '[cname]'
	for i in $(seq 0 199); do echo "c$i.bench.test = h$i.bench.test"; done
} | sandbox_ini
dd -q apply >/dev/null
for i in 1 2 3 4 5; do
	s=$(date +%s%N); dd verify >/dev/null; e=$(date +%s%N)
	echo "verify of 1000 records: $(( (e - s) / 1000000 )) ms"
done
sandbox_destroy; rm -rf "$box"
