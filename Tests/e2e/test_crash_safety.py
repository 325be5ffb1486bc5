"""`kill -9` at random moments under a concurrent workload: no acknowledged write is lost, nothing is
half made, interrupted uploads resume, and the metadata database agrees with the blob files.

Each cycle runs several clients for about a second (monolithic and chunked pushes, mounts, manifest
puts, deletes) against a server whose GC runs every 500 ms with a 3 s delay, kills the server with
SIGKILL while they are busy, checks `zotd.db` against the files with the server down, starts the
server again on the same root, and checks what the clients were told (see `crash_support`). A second
test does the same with `storage.commit` on, whose fsync paths differ.

`ZOTD_CRASH_CYCLES` sets the number of cycles (50 by default; `make soak` runs many more) and
`ZOTD_CRASH_SEED` the random seed (printed, so a failure can be replayed).
"""

import os
import random
import time

import pytest

from crash_support import (
    Ledger,
    check_database,
    resume_uploads,
    run_workload,
    verify_after_restart,
    verify_all,
)
from zotd_server import ServerError

CYCLES = int(os.environ.get("ZOTD_CRASH_CYCLES", "50"))
WORKERS = int(os.environ.get("ZOTD_CRASH_WORKERS", "4"))
GC_DELAY_SECONDS = 3


def crash_cycles(server, cycles: int, *, commit: bool, seed: int) -> dict:
    """Runs `cycles` kill/restart cycles on `server` (GC on) and returns the figures."""
    rng = random.Random(seed)
    ledger = Ledger()
    phases = {"workload": 0.0, "database": 0.0, "restart": 0.0, "verify": 0.0}
    orphans = 0
    started = time.monotonic()
    server.storage_extra["commit"] = commit
    server.restart()
    for cycle in range(cycles):
        t0 = time.monotonic()
        failures = run_workload(server, ledger, cycle, workers=WORKERS, seconds=rng.uniform(0.3, 1.2), rng=rng)
        assert not failures, f"cycle {cycle} (seed {seed}): wrong answers before the kill:\n" + "\n".join(failures)
        t1 = time.monotonic()
        orphans = check_database(server.state_dir)["orphan_files"]
        t2 = time.monotonic()
        server.start()
        t3 = time.monotonic()
        resume_uploads(server, ledger, GC_DELAY_SECONDS)  # first: GC drops uploads idle for gcDelay
        verify_after_restart(server, ledger, cycle)
        t4 = time.monotonic()
        for name, span in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            phases[name] += span
    verify_all(server, ledger)
    code = server.stop()
    assert code == 0, f"exit code {code} on SIGTERM after the crash cycles"
    check_database(server.state_dir)
    stats = dict(ledger.stats, cycles=cycles, live_images=len(ledger.live_images()), orphan_files=orphans,
                 seconds=round(time.monotonic() - started, 1), **{k: round(v, 1) for k, v in phases.items()})
    assert stats["acked_images"] >= cycles, f"the workload did too little to mean anything: {stats}"
    return stats


def _seed() -> int:
    return int(os.environ.get("ZOTD_CRASH_SEED", str(random.randrange(1 << 30))))


@pytest.mark.timeout(900)
def test_kill9_at_random_moments_loses_no_acknowledged_write(zotd_factory):
    """Spec (Pushing Blobs): a 201 means "the blob has been stored"; (Pushing Manifests) a 201 means the
    manifest was stored. zot-behaviour.md: tagged images are never collected. So, after any `kill -9`:
    every acknowledged, tagged, undeleted image is whole; a deleted one (202) stays deleted; a blob is
    either absent or whole; an upload acknowledged with 202 resumes where the server says it stands."""
    seed = _seed()
    print(f"\ncrash-safety seed {seed} ({CYCLES} cycles, {WORKERS} clients, storage.commit off)")
    server = zotd_factory(gc=True, gc_delay=f"{GC_DELAY_SECONDS}s", gc_interval="500ms")
    print("crash-safety figures:", crash_cycles(server, CYCLES, commit=False, seed=seed))


def test_kill9_with_storage_commit_on(zotd_factory):
    """The same with `storage.commit: true`, whose paths (fsync of data and directories, SQLite
    `synchronous=FULL`) differ from the default ones."""
    seed = _seed()
    cycles = max(2, CYCLES // 5)
    print(f"\ncrash-safety seed {seed} ({cycles} cycles, {WORKERS} clients, storage.commit on)")
    server = zotd_factory(gc=True, gc_delay=f"{GC_DELAY_SECONDS}s", gc_interval="500ms")
    server.storage_extra["commit"] = True
    server.restart()
    print("crash-safety figures:", crash_cycles(server, cycles, commit=True, seed=seed))
