#!/bin/sh
# The container's entrypoint, run by dumb-init. Then it runs the command: docker/start-lab.sh by default,
# jupyterhub-singleuser under JupyterHub, or `pytest` for the self-test.
#
# 1. Started as root (docker-compose.yml does this): the learner gets the uid and gid of the owner of the
#    work folder, so notebooks saved there belong to whoever owns that folder on the host. A folder owned by
#    root (Docker creates a missing bind-mount folder as root) is handed to NB_UID:NB_GID (default 1000).
#    Then this script runs again as the learner; the lab never runs as root.
# 2. Threads: torch and OpenMP use as many threads as the container's CPU quota allows (cgroup v2 or v1),
#    unless OMP_NUM_THREADS is set: `docker run --cpus=1`, compose limits and every spawner get it right.
#    Under a CPU limit the container shares its machine (a room), so OpenMP threads that wait for each other
#    sleep rather than spin (OMP_WAIT_POLICY=PASSIVE, unless set): code that asks for more threads than the
#    limit, like notebook 03's thread aside, then does not burn the quota. Four learners running notebook 03
#    at once on 2 cores took 3.8 times as long as one alone with spinning threads, 2.2 times without.
#    Without a limit (one learner's laptop) they spin, which is faster there: 2 threads, 65-75 ms per float64
#    attack step spinning, about 110 ms sleeping.
# 3. The lesson notebooks are copied into the work folder (docker/seed_notebooks.py: never over a learner's edits).
set -eu
user="${NB_USER:-learner}"
work="${TRICKNETS_WORK_DIR:-/home/$user/work}"

if [ "$(id -u)" = 0 ]; then
    mkdir -p "$work"
    uid=$(stat -c %u "$work")
    gid=$(stat -c %g "$work")
    if [ "$uid" = 0 ]; then
        uid="${NB_UID:-1000}"
        gid="${NB_GID:-$uid}"
        chown "$uid:$gid" "$work"
    fi
    if [ "$uid" = 0 ]; then
        echo "tricknets: refusing to run the lab as root; set NB_UID to your own uid (id -u)." >&2
        exit 1
    fi
    if [ "$(id -u "$user")" != "$uid" ] || [ "$(id -g "$user")" != "$gid" ]; then
        groupmod --non-unique --gid "$gid" "$user"
        usermod --non-unique --uid "$uid" --gid "$gid" "$user"
        # the home folder, but not what is mounted inside it (the learner's files keep their owner)
        find "/home/$user" /opt/tricknets/torch -xdev -exec chown -h "$uid:$gid" {} +
    fi
    exec setpriv --reuid="$uid" --regid="$gid" --init-groups env HOME="/home/$user" USER="$user" "$0" "$@"
fi

# CPUs this container may run on (nproc itself would answer OMP_NUM_THREADS when that is set)
cpus=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)
cpu_limit() {  # whole CPUs this container may use: its cgroup quota, rounded down (at least 1), else every CPU
    quota=max
    period=100000
    if [ -r /sys/fs/cgroup/cpu.max ]; then
        read -r quota period < /sys/fs/cgroup/cpu.max
    elif [ -r /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
        quota=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)
        period=$(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)
    fi
    case "$quota" in max | -1 | "") echo "$cpus"; return ;; esac
    limit=$((quota / period))
    [ "$limit" -ge 1 ] || limit=1
    [ "$limit" -le "$cpus" ] || limit=$cpus
    echo "$limit"
}
limit=$(cpu_limit)
if [ -z "${OMP_NUM_THREADS:-}" ]; then
    export OMP_NUM_THREADS="$limit" MKL_NUM_THREADS="$limit"
fi
if [ -z "${OMP_WAIT_POLICY:-}" ] && [ "$limit" -lt "$cpus" ]; then
    export OMP_WAIT_POLICY=PASSIVE
fi

python /opt/tricknets/docker/seed_notebooks.py /opt/tricknets/notebooks "$work"
exec "$@"
