"""`gentling serve`: threads in one process, one request at a time in each of several (docs/deploy.md)."""

from gentling.cli.main import build_parser
from gentling.server import SYNC_TIMEOUT_SECONDS, gunicorn_options


def test_one_process_serves_with_threads():
    options = gunicorn_options(host="127.0.0.1", port=8000)
    assert (options["workers"], options["threads"], options["worker_class"]) == (1, 4, "gthread")
    assert options["bind"] == "127.0.0.1:8000"


def test_several_processes_serve_one_request_each_with_room_for_a_long_download():
    options = gunicorn_options(host="0.0.0.0", port=8001, workers=3)
    assert (options["workers"], options["threads"], options["worker_class"]) == (3, 1, "sync")
    # A sync worker busy past the timeout is killed: a large backup download must fit in it.
    assert options["timeout"] == SYNC_TIMEOUT_SECONDS >= 120


def test_threads_asked_for_are_kept():
    assert gunicorn_options(host="h", port=1, workers=2, threads=8)["worker_class"] == "gthread"
    assert gunicorn_options(host="h", port=1, workers=1, threads=1)["worker_class"] == "sync"


def test_the_command_line_passes_threads_on():
    args = build_parser().parse_args(["serve", "--workers", "2", "--threads", "3"])
    assert (args.workers, args.threads) == (2, 3)
    assert build_parser().parse_args(["start", "--no-serve"]).threads is None
