"""The worker: fire due timers and send queued e-mail, sweep after sweep, until stopped.

Nothing one timer or one mail does can stop the others: each failure is logged in one
line, that timer rests a while, and the sweep carries on. When a whole sweep fails (the
database is unreachable, say) the worker waits longer before the next, up to a limit.
Several workers may run at once: the engine's commands let each timer and each mail go
to exactly one of them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from datetime import timedelta

from .commands.timers import TimerOutcome
from .mail import SmtpSettings
from .services import ProcessEngine

log = logging.getLogger("raciflow.worker")
STOP_CHECK_INTERVAL = 0.1  # seconds: how soon a rest notices it was asked to stop


@dataclass
class Totals:
    """What the worker has done so far."""

    timers_fired: int = 0
    timers_dropped: int = 0
    timers_failed: int = 0
    mails_sent: int = 0
    mails_failed: int = 0
    audit_checks: int = 0
    messages_expired: int = 0
    request_keys_expired: int = 0  # of starts a day old (engine/start_requests.py)
    instances_started: int = 0  # by timer start events
    instances_rolled_up: int = 0  # into the analytics roll-up

    def add(self, other: Totals) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def __bool__(self) -> bool:
        return any(asdict(self).values())

    def __str__(self) -> str:
        return ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in asdict(self).items())


class Worker:
    """Sweeps for `engine`; `stop()` (e.g. from a signal handler) ends `run` soon after."""

    def __init__(
        self,
        engine: ProcessEngine,
        *,
        smtp: SmtpSettings | None = None,
        interval: float = 5.0,
        max_backoff: float = 300.0,
        batch: int = 100,
        audit_verify_every: timedelta | None = None,
        analytics_every: timedelta | None = None,
    ) -> None:
        self.engine, self.smtp = engine, smtp
        # The audit page shows the last recorded verification; the worker keeps it fresh.
        self.audit_verify_every = audit_verify_every
        # The analytics pages read the roll-up; the worker adds what ended since.
        self.analytics_every = analytics_every
        self._next_roll_up = 0.0  # time.monotonic() of the next roll-up
        self.interval, self.max_backoff, self.batch = interval, max_backoff, batch
        self._stop_asked = False
        self._resting: dict[str, tuple[int, float]] = {}  # timer id -> (failures, until)

    def stop(self) -> None:
        """End the loop after the timer or mail at hand. Safe in a signal handler: it only
        sets a flag. (Setting an Event there waited for ever when the signal came while
        the loop itself held that Event's lock, inside its wait.)"""
        self._stop_asked = True

    @property
    def stopping(self) -> bool:
        return self._stop_asked

    def _rest(self, seconds: float) -> bool:
        """Wait `seconds`, less if asked to stop meanwhile; whether asked to stop."""
        until = time.monotonic() + seconds
        while not self._stop_asked and (left := until - time.monotonic()) > 0:
            time.sleep(min(left, STOP_CHECK_INTERVAL))
        return self._stop_asked

    def run(self, *, once: bool = False) -> Totals:
        """Sweep every `interval` seconds until stopped (or once); return the totals."""
        totals, failures = Totals(), 0
        log.info("worker started: a sweep every %g s", self.interval)
        while True:
            try:
                done = self.sweep()
            except Exception as err:  # the worker outlives an unreachable database
                if once:
                    raise
                failures += 1
                delay = self._backoff(failures)
                log.error("sweep failed (%s); next try in %.0f s", _one_line(err), delay)
            else:
                failures, delay = 0, self.interval
                totals.add(done)
                if done:
                    log.info("%s", done)
            if once or self._rest(delay):
                return totals

    def sweep(self) -> Totals:
        """Fire what is due, send what is queued, verify the audit trail when that is due."""
        done = Totals()
        for instance_id, timer_id in self.engine.due_timers(limit=self.batch):
            if self.stopping:
                return done
            if not self._resting_over(timer_id):
                continue
            outcome = self._fire(instance_id, timer_id)
            done.timers_fired += outcome is TimerOutcome.FIRED
            done.timers_dropped += outcome is TimerOutcome.DROPPED
            done.timers_failed += outcome is None
        if self.smtp is not None and not self.stopping:
            sent, failed = self.engine.send_outbox(self.smtp, stop=lambda: self.stopping)
            done.mails_sent, done.mails_failed = sent, failed
        if not self.stopping:  # processes whose start event is a timer (docs/events.md)
            done.instances_started = self.engine.fire_start_timers(limit=self.batch)
        if not self.stopping:  # kept messages nobody came for (docs/events.md)
            done.messages_expired = self.engine.purge_expired_messages()
            done.request_keys_expired = self.engine.purge_start_requests()
        if self.audit_verify_every is not None and not self.stopping:
            verified = self.engine.verify_audit_if_due(self.audit_verify_every, by="worker")
            done.audit_checks += verified
        if self.analytics_every is not None and not self.stopping:
            done.instances_rolled_up = self._roll_up()
        return done

    def _roll_up(self) -> int:
        now = time.monotonic()
        if now < self._next_roll_up:
            return 0
        self._next_roll_up = now + self.analytics_every.total_seconds()  # type: ignore[union-attr]
        return self.engine.roll_up_analytics()

    def _fire(self, instance_id: str, timer_id: str) -> TimerOutcome | None:
        try:
            outcome = self.engine.fire_timer(instance_id, timer_id)
        except Exception as err:  # one broken instance must not hold up every other timer
            failures = self._resting.get(timer_id, (0, 0.0))[0] + 1
            delay = self._backoff(failures)
            self._resting[timer_id] = (failures, time.monotonic() + delay)
            log.warning(
                "timer %s of instance %s failed (%s); next try in %.0f s",
                timer_id,
                instance_id,
                _one_line(err),
                delay,
            )
            return None
        self._resting.pop(timer_id, None)
        if outcome is TimerOutcome.DROPPED:
            log.info("timer %s of instance %s dropped: it waits no more", timer_id, instance_id)
        elif outcome is TimerOutcome.CONFLICT:
            log.info(
                "timer %s of instance %s: the instance changed; next sweep", timer_id, instance_id
            )
        return outcome

    def _resting_over(self, timer_id: str) -> bool:
        resting = self._resting.get(timer_id)
        return resting is None or resting[1] <= time.monotonic()

    def _backoff(self, failures: int) -> float:
        return min(self.interval * 2**failures, self.max_backoff)


def _one_line(err: BaseException) -> str:
    return " ".join(f"{type(err).__name__}: {err}".split())[:300]
