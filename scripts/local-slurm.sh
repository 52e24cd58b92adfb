#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for trying `experiment --slurm` and for CI's
# end-to-end test: no systemd, no slurmdbd, state under one folder that `down` removes.
#
#   scripts/local-slurm.sh up      start munge, slurmctld and slurmd (installs them with apt-get
#                                  if absent and we are root); prints the node once it is idle
#   scripts/local-slurm.sh down    stop the daemons and remove the state folder
#   scripts/local-slurm.sh status  sinfo, or a line saying no cluster runs
#
# RAPIER_GYM_SLURM_DIR names the state folder (default /tmp/rapier-gym-slurm). Slurm reads its
# config from /etc/slurm/slurm.conf (Debian's path, compiled in), so `up` writes that file and
# `down` leaves it; a machine with a real cluster should not run this script.
set -euo pipefail
STATE=${RAPIER_GYM_SLURM_DIR:-/tmp/rapier-gym-slurm}
CONF=/etc/slurm/slurm.conf

install() {
  command -v slurmctld >/dev/null && command -v munged >/dev/null && command -v sbatch >/dev/null && return
  if [ "$(id -u)" != 0 ]; then echo "local-slurm: slurmctld/slurmd/munge are not installed, and installing them needs root" >&2; exit 1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null ||
    { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null; }
}

start_munge() {
  mkdir -p /run/munge && chown munge:munge /run/munge
  if [ ! -s /etc/munge/munge.key ]; then
    mungekey --create --keyfile /etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
  fi
  # munged refuses to start twice on the same socket, which is what we want when it already runs.
  pgrep -x munged >/dev/null || runuser -u munge -- munged
}

write_conf() {
  local host node
  host=$(hostname -s)
  # slurmd -C prints this machine's node line (CPUs, sockets, cores, memory); its first line is it.
  node=$(slurmd -C | head -1)
  mkdir -p "$STATE/ctld" "$STATE/d" "$(dirname "$CONF")"
  cat >"$CONF" <<CONF
ClusterName=rapiergym
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MailProg=/bin/true
ReturnToService=2
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
}

up() {
  install
  if scontrol ping 2>/dev/null | grep -q UP; then sinfo; return; fi
  start_munge
  rm -rf "$STATE" && write_conf
  slurmctld -i
  slurmd
  # The node registers within a second or two; wait until sinfo shows it idle.
  for _ in $(seq 1 60); do
    if sinfo -h -o %t 2>/dev/null | grep -qx idle; then sinfo; return; fi
    sleep 0.5
  done
  echo "local-slurm: the node did not come up idle; logs in $STATE" >&2
  sinfo >&2 || true
  exit 1
}

down() {
  scontrol shutdown 2>/dev/null || true
  for _ in $(seq 1 40); do pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null || break; sleep 0.25; done
  rm -rf "$STATE"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) sinfo 2>/dev/null || echo "local-slurm: no cluster runs" ;;
  *) echo "usage: scripts/local-slurm.sh up|down|status" >&2; exit 2 ;;
esac
