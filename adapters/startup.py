"""Starting an adapter: bounded retries with exponential back-off, and the errors that end ``confbot run``."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    retry_if_result,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


class StartupError(Exception):
    """An adapter could not start. ``str()`` is one line for the operator and holds no secret."""

    exit_code = 1


class ConfigurationError(StartupError):
    """A definite configuration error (a rejected token, a wrong URL): retrying cannot help."""

    exit_code = 2


@dataclass(frozen=True)
class Failure:
    """Why an answer counts as a transient failure, and how long the server asked us to wait."""

    reason: str
    wait_at_least: float = 0.0


def _never(_: Any) -> Failure | None:
    return None


@dataclass(frozen=True)
class StartupRetry:
    """Exponential back-off for start-up calls: ``base_delay``, doubling up to ``max_delay``, ``attempts`` tries.

    The defaults give up after about a minute of a Bot API outage; tests pass a tiny ``base_delay``.
    """

    attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 30.0

    async def call(
        self,
        what: str,
        fn: Callable[[], Awaitable[T]],
        *,
        failure: Callable[[T], Failure | None] = _never,
        transient: Callable[[BaseException], bool] = lambda _: False,
    ) -> T:
        """``fn()``, retried while it raises a ``transient`` error or returns an answer ``failure`` explains.

        One WARNING line per failed attempt, no traceback. When the attempts run out, the last answer is
        returned (or the last error raised) as it is, for the caller to report.
        """
        backoff = wait_exponential(multiplier=self.base_delay, max=self.max_delay) + wait_random(0, self.base_delay)

        def reason(state: RetryCallState) -> Failure:
            assert state.outcome is not None
            error = state.outcome.exception()
            if error is not None:
                return Failure(f"{type(error).__name__}: {error}")
            return failure(state.outcome.result()) or Failure("unexpected answer")

        def wait(state: RetryCallState) -> float:
            return max(backoff(state), reason(state).wait_at_least)

        def retrying_in(state: RetryCallState) -> None:
            assert state.next_action is not None
            log.warning(
                "%s failed during start-up (%s), attempt %d of %d; retrying in %.1f s",
                what,
                reason(state).reason,
                state.attempt_number,
                self.attempts,
                state.next_action.sleep,
            )

        def giving_up(state: RetryCallState) -> Any:
            log.warning(
                "%s failed during start-up (%s), attempt %d of %d; giving up",
                what,
                reason(state).reason,
                state.attempt_number,
                self.attempts,
            )
            assert state.outcome is not None
            return state.outcome.result()  # the last answer, or the last error raised

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait,
            retry=retry_if_exception(transient) | retry_if_result(lambda answer: failure(answer) is not None),
            before_sleep=retrying_in,
            retry_error_callback=giving_up,
            reraise=True,
        )
        result: T = await retrying(fn)
        return result
