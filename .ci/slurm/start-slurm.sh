#!/bin/bash
# Start a single-node SLURM cluster (munge + slurmctld + slurmd, optionally slurmdbd/MariaDB).
# Debian 12, root, no systemd.  Usage: [WITH_DBD=0|1] [BASE=${TMPDIR:-/tmp}/slurm-local] start-slurm.sh
# From the tested recipe in the project's shared notes (RECIPE.md); installs the Debian packages
# first when they are missing, so CI on a fresh machine needs nothing else. WITH_DBD=0 (default
# here) runs without accounting: Snakemake 7's --slurm then polls scontrol instead of sacct.
set -euo pipefail
BASE=${BASE:-${TMPDIR:-/tmp}/slurm-local}
WITH_DBD=${WITH_DBD:-0}
pkgs="slurm-wlm munge"; [ "$WITH_DBD" = 1 ] && pkgs="$pkgs slurmdbd mariadb-server"
missing=$(for p in $pkgs; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"; done)
if [ -n "$missing" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
NODE=$(hostname -s)
CPUS=$(nproc)
MEM=$(( $(awk '/^MemAvailable:/{print $2}' /proc/meminfo) / 1024 * 90 / 100 ))   # MB, 90% of available
# a fresh cluster: jobs left queued in an earlier cluster's saved state would otherwise come back
rm -rf "$BASE/state"
mkdir -p "$BASE"/{state,spool,log}

# ---- munge ---------------------------------------------------------------
[ -s /etc/munge/munge.key ] || runuser -u munge -- /usr/sbin/mungekey --create
chown munge:munge /etc/munge /etc/munge/munge.key
chmod 700 /etc/munge; chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge; chmod 755 /run/munge
runuser -u munge -- /usr/sbin/munged          # daemonizes; pid in /run/munge/munged.pid
munge -n | unmunge >/dev/null                 # sanity check

# ---- accounting (optional): MariaDB + slurmdbd -----------------------------
if [ "$WITH_DBD" = 1 ]; then
  ACCT="AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
JobAcctGatherType=jobacct_gather/linux"
  /etc/init.d/mariadb start                   # sysv script -> mysqld_safe; pid /run/mysqld/mysqld.pid
  mysql -e "CREATE DATABASE IF NOT EXISTS slurm_acct_db;
            CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'slurmpw';
            GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; FLUSH PRIVILEGES;"
  cat > /etc/slurm/slurmdbd.conf <<EOF
AuthType=auth/munge
DbdHost=localhost
DbdAddr=127.0.0.1
SlurmUser=root
LogFile=$BASE/log/slurmdbd.log
PidFile=$BASE/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=slurmpw
StorageLoc=slurm_acct_db
EOF
  chmod 600 /etc/slurm/slurmdbd.conf          # Slurm wants slurmdbd.conf private (600)
else
  ACCT="AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none"
fi

# ---- slurm.conf ------------------------------------------------------------
cat > /etc/slurm/slurm.conf <<EOF
ClusterName=local
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
SchedulerType=sched/backfill
ReturnToService=2
MailProg=/bin/true
StateSaveLocation=$BASE/state
SlurmdSpoolDir=$BASE/spool
SlurmctldPidFile=$BASE/slurmctld.pid
SlurmdPidFile=$BASE/slurmd.pid
SlurmctldLogFile=$BASE/log/slurmctld.log
SlurmdLogFile=$BASE/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
$ACCT
JobCompType=jobcomp/filetxt
JobCompLoc=$BASE/log/jobcomp.txt
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF

if [ "$WITH_DBD" = 1 ]; then
  /usr/sbin/slurmdbd
  for i in $(seq 30); do sacctmgr -n list cluster >/dev/null 2>&1 && break; sleep 1; done
  sacctmgr -n -P list cluster format=cluster | grep -qx local || sacctmgr -i add cluster local
  sacctmgr -n -P list account format=account | grep -qx default || \
    sacctmgr -i add account default Description=default Organization=local
  sacctmgr -i add user root Account=default DefaultAccount=default >/dev/null || true
fi

# ---- slurm daemons ---------------------------------------------------------
/usr/sbin/slurmctld        # daemonizes; pid in $BASE/slurmctld.pid
/usr/sbin/slurmd           # daemonizes; pid in $BASE/slurmd.pid
for i in $(seq 30); do
  [ "$(sinfo -h -n "$NODE" -o %T 2>/dev/null)" = idle ] && break; sleep 1
done
sinfo
