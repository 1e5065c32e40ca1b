"""Running calls at the same moment in threads, for the row-lock tests (PostgreSQL; SQLite ignores row locks)."""
import threading

from django.db import connections

from backoffice.exceptions import DomainError


def race(funcs) -> tuple[list, list, list]:
    """Call every function in its own thread, all released together. Returns (what the calls returned, the codes
    of the DomainErrors refused, any other exception as text): a test asserts the last is empty."""
    barrier = threading.Barrier(len(funcs))
    done, refused, errors = [], [], []

    def run(func):
        try:
            barrier.wait()
            done.append(func())
        except DomainError as exc:
            refused.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(f,)) for f in funcs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done, refused, errors
