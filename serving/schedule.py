"""Harvests on a schedule, in the server's master process only (so once, whatever the number of workers):
every ``harvest_interval`` seconds each configured source is harvested by ``stadtgraph harvest <source>`` in
a process of its own, one after the other (the harvest lock in the state directory keeps a cron run and a
scheduled one apart too). When a harvest changed the store and the workers answer from an in-memory
replica, the master reloads it (as a SIGHUP does), so answers follow within one interval.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading

from graph.ops import freshness
from graph.settings import Settings

log = logging.getLogger("stadtgraph.schedule")


def _environment(settings: Settings) -> dict[str, str]:
    """The server's settings for the harvest process (its command-line overrides included)."""
    env = dict(os.environ)
    for name in ("store", "store_path", "state_dir", "data_dir", "base_iri", "wiki_api_url", "oparl_system_url",
                 "audit_dir", "dump_dir", "shapes_dir", "ontology_path"):
        env[f"STADTGRAPH_{name.upper()}"] = str(getattr(settings, name))
    return env


class HarvestSchedule(threading.Thread):
    """The master's timer thread; :meth:`stop` ends it after the harvest under way."""

    def __init__(self, settings: Settings, *, reload_replica: bool) -> None:
        super().__init__(name="stadtgraph-harvest-schedule", daemon=True)
        self.settings = settings
        self.reload_replica = reload_replica
        self.master = os.getpid()
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        while not self._stop.wait(self.settings.harvest_interval):
            changed = False
            for source in freshness.configured(self.settings):
                if self._stop.is_set():
                    return
                changed |= self.harvest(source)
            if changed and self.reload_replica and os.getpid() == self.master:
                log.info("harvest changed the store: reloading the replica")
                os.kill(self.master, signal.SIGHUP)

    def harvest(self, source: str) -> bool:
        """One harvest in its own process; True if it stored or removed anything."""
        before = freshness.read(self.settings).get(source, {})
        try:
            done = subprocess.run([sys.executable, "-m", "cli", "harvest", source], env=_environment(self.settings),
                                  capture_output=True, text=True, timeout=max(600.0, self.settings.harvest_interval))
        except subprocess.TimeoutExpired:
            log.error("scheduled %s harvest timed out", source)
            return False
        level = logging.INFO if done.returncode in (0, 1) else logging.WARNING
        log.log(level, "scheduled %s harvest: exit %d %s", source, done.returncode,
                (done.stdout.strip().splitlines() or [""])[-1][:300], extra={"source": source})
        after = freshness.read(self.settings).get(source, {})
        return any(after.get(k, 0) != before.get(k, 0) for k in ("stored", "removed"))


def start(settings: Settings, *, reload_replica: bool) -> HarvestSchedule | None:
    """The schedule, started, if ``harvest_interval`` is set and a source is configured."""
    if settings.harvest_interval <= 0 or not freshness.configured(settings):
        return None
    schedule = HarvestSchedule(settings, reload_replica=reload_replica)
    schedule.start()
    log.info("harvests every %.0f s: %s", settings.harvest_interval, ", ".join(freshness.configured(settings)))
    return schedule
