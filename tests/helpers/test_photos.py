"""helpers.photos: sha256-checked, atomic downloads that survive a room's network, against a real server on 127.0.0.1.

The server below answers from a script (a 429, a 503, a time-out, a body cut short, ...), so each way a download
can go wrong is tried for real, through urllib, with small time-outs and no real waiting: `download` takes the
sleep it uses, and the tests pass a recorder.
"""

from __future__ import annotations

import hashlib
import http.server
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from helpers import photos
from helpers.errors import ChecksumError, DownloadError, SettingsError

#: The longest a scripted server ever holds a connection open (a "hang"); the tests' time-outs are far shorter.
HANG_S = 3.0


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _png_bytes(seed: int = 0) -> bytes:
    """A small valid PNG (made without Pillow: photos needs none), different for each seed."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([(seed * 40 + x) % 256 for x in range(3 * 16)]) for _ in range(12))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 12, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _photo(name: str, data: bytes, url: str | None = None, file: str | None = None) -> photos.ImageSource:
    return photos.ImageSource(name=name, file=file or f"{name}.png",
                              url=url or f"http://127.0.0.1:{_closed_port()}/{name}.png",
                              sha256=hashlib.sha256(data).hexdigest(), license="test")


# --- a scripted server ---------------------------------------------------------------------------------------------
@dataclass
class Answer:
    """One reply. kind: "ok" (status, headers, body), "cut" (a Content-Length larger than the body sent),
    "chunked-cut" (a chunked body that stops), "hang" (say nothing for HANG_S), "hang-mid-body" (half, then nothing)."""

    kind: str = "ok"
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class Script:
    """What the server answers, per path: a list of Answers used in turn, the last one repeated; a log of requests."""

    def __init__(self) -> None:
        self.answers: dict[str, list[Answer]] = {}
        self.requests: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.delay_s = 0.0  # each reply waits this long first (to see downloads overlap)
        self.lock = threading.Lock()
        self.stop = threading.Event()  # set at teardown: a hanging reply ends at once

    def serve(self, path: str, *answers: Answer) -> None:
        self.answers[path] = list(answers)

    def next_answer(self, path: str) -> Answer:
        with self.lock:
            self.requests.append(path)
            queue = self.answers.get(path)
            if not queue:
                return Answer(status=404, body=b"not here")
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def count(self, path: str) -> int:
        with self.lock:
            return self.requests.count(path)


class ScriptedHandler(http.server.BaseHTTPRequestHandler):
    server: _ScriptedServer

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:  # the name http.server calls
        script = self.server.script
        answer = script.next_answer(self.path)
        with script.lock:
            script.in_flight += 1
            script.most_in_flight = max(script.most_in_flight, script.in_flight)
        try:
            if script.delay_s:
                script.stop.wait(script.delay_s)
            self._reply(answer, script.stop)
        finally:
            with script.lock:
                script.in_flight -= 1

    def _reply(self, answer: Answer, stop: threading.Event) -> None:
        if answer.kind == "hang":
            stop.wait(HANG_S)
            return
        self.send_response(answer.status)
        for key, value in answer.headers.items():
            self.send_header(key, value)
        if answer.kind == "chunked-cut":
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            half = answer.body[: len(answer.body) // 2]
            self.wfile.write(f"{len(answer.body):x}\r\n".encode() + half)  # promises the whole body, sends half
            self.wfile.flush()
            self.close_connection = True
            return
        claimed = len(answer.body) * (2 if answer.kind == "cut" else 1)
        self.send_header("Content-Length", str(claimed))
        self.end_headers()
        if answer.kind == "hang-mid-body":
            self.wfile.write(answer.body[: len(answer.body) // 2])
            self.wfile.flush()
            stop.wait(HANG_S)
            return
        self.wfile.write(answer.body)
        self.close_connection = True


class _ScriptedServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    script: Script


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    """A scripted HTTP server on 127.0.0.1 (never another address): (base URL, its script)."""
    httpd = _ScriptedServer(("127.0.0.1", 0), ScriptedHandler)
    httpd.script = Script()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd.script
    finally:
        httpd.script.stop.set()
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(autouse=True)
def _no_mirror_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """Downloads go where each test says, whatever the environment of the run."""
    monkeypatch.delenv("TRICKNETS_MIRROR_URL", raising=False)


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Short time-outs and waits (should anything sleep for real); the list the waits asked for are recorded in."""
    monkeypatch.setattr(photos, "TIMEOUT_S", 0.5)
    monkeypatch.setattr(photos, "FIRST_WAIT_S", 0.01)
    monkeypatch.setattr(photos, "LONGEST_WAIT_S", 0.05)
    return []


@pytest.fixture
def tiny() -> tuple[bytes, photos.ImageSource]:
    data = _png_bytes()
    return data, _photo("tiny", data)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- (a, b) rate limits and server errors are retried --------------------------------------------------------------
def test_429_waits_as_long_as_retry_after_asks(server, tiny, quick, isolated_cache: Path) -> None:
    base, script = server
    data, photo = tiny
    script.serve("/tiny.png", Answer(status=429, headers={"Retry-After": "0"}), Answer(body=data))
    before = photos.retries()
    dest = isolated_cache / "images" / "tiny.png"
    assert photos.download(replace(photo, url=f"{base}/tiny.png"), dest, sleep=quick.append) == dest
    assert dest.read_bytes() == data and _leftovers(dest.parent) == ["tiny.png"]
    assert photos.retries() - before == 1 and quick == [0.0]  # Retry-After: 0, not the default first wait
    assert script.count("/tiny.png") == 2


@pytest.mark.parametrize(("header", "expected"), [("7", 7.0), ("3600", 60.0), ("soon", 1.0)],
                         ids=["seconds", "capped-at-the-longest-wait", "unreadable-uses-the-default"])
def test_retry_after_values(server, tiny, isolated_cache: Path, header: str, expected: float) -> None:
    base, script = server
    data, photo = tiny
    script.serve("/tiny.png", Answer(status=429, headers={"Retry-After": header}), Answer(body=data))
    waits: list[float] = []
    photos.download(replace(photo, url=f"{base}/tiny.png"), isolated_cache / "tiny.png", sleep=waits.append)
    assert waits == [expected]  # the module's own FIRST_WAIT_S (1 s) and LONGEST_WAIT_S (60 s)


def test_retry_after_as_an_http_date(server, tiny, quick, isolated_cache: Path) -> None:
    from email.utils import formatdate

    base, script = server
    data, photo = tiny
    later = formatdate(time.time() + 30, usegmt=True)
    script.serve("/tiny.png", Answer(status=503, headers={"Retry-After": later}), Answer(body=data))
    photos.download(replace(photo, url=f"{base}/tiny.png"), isolated_cache / "tiny.png", sleep=quick.append)
    assert quick == [photos.LONGEST_WAIT_S]  # about 30 s asked, capped at the (test's) longest wait


def test_503_twice_then_success_with_growing_waits(server, tiny, quick, isolated_cache: Path) -> None:
    base, script = server
    data, photo = tiny
    script.serve("/tiny.png", Answer(status=503), Answer(status=503), Answer(body=data))
    before = photos.retries()
    dest = isolated_cache / "tiny.png"
    photos.download(replace(photo, url=f"{base}/tiny.png"), dest, sleep=quick.append)
    assert dest.read_bytes() == data
    assert photos.retries() - before == 2 and script.count("/tiny.png") == 3
    assert quick == [photos.FIRST_WAIT_S, 2 * photos.FIRST_WAIT_S]  # doubling


def test_a_server_that_keeps_failing_gives_up_after_the_attempts(server, tiny, quick, monkeypatch,
                                                                 isolated_cache: Path) -> None:
    base, script = server
    _, photo = tiny
    monkeypatch.setattr(photos, "ATTEMPTS", 4)
    script.serve("/tiny.png", Answer(status=500))
    folder = isolated_cache / "images"
    with pytest.raises(DownloadError, match=r"HTTP 500.*4 attempt\(s\).*TRICKNETS_MIRROR") as info:
        photos.download(replace(photo, url=f"{base}/tiny.png"), folder / "tiny.png", sleep=quick.append)
    assert not isinstance(info.value, ChecksumError)
    assert script.count("/tiny.png") == 4 and quick == [0.01, 0.02, 0.04]
    assert _leftovers(folder) == []


# --- (c) answers that will not heal are not retried ----------------------------------------------------------------
def test_404_fails_at_once_and_leaves_nothing(server, tiny, quick, isolated_cache: Path) -> None:
    base, script = server
    _, photo = tiny
    folder = isolated_cache / "images"
    before = photos.retries()
    with pytest.raises(DownloadError, match=r"HTTP 404.*1 attempt\(s\)") as info:
        photos.download(replace(photo, url=f"{base}/tiny.png"), folder / "tiny.png", sleep=quick.append)
    assert f"{base}/tiny.png" in str(info.value) and "TRICKNETS_MIRROR" in str(info.value)
    assert script.count("/tiny.png") == 1 and quick == [] and photos.retries() == before
    assert _leftovers(folder) == []  # no photo, no .partial- file


def test_a_refused_connection_fails_at_once(tiny, quick, isolated_cache: Path) -> None:
    _, photo = tiny  # its URL is a closed port on 127.0.0.1
    with pytest.raises(DownloadError) as info:
        photos.download(photo, isolated_cache / "tiny.png", sleep=quick.append)
    assert photo.url in str(info.value) and "TRICKNETS_MIRROR" in str(info.value) and quick == []
    assert _leftovers(isolated_cache) == []


def test_a_reply_that_is_not_http_is_a_download_error(tiny, quick, isolated_cache: Path) -> None:
    """A server that answers garbage (http.client's BadStatusLine) fails like any other download, not with a
    stray http.client exception that fetch_all would not catch."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def answer_garbage() -> None:
            listener.settimeout(HANG_S)
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(4096)
                conn.sendall(b"this is not HTTP\r\n\r\n")

        thread = threading.Thread(target=answer_garbage, daemon=True)
        thread.start()
        _, photo = tiny
        with pytest.raises(DownloadError, match="BadStatusLine|not HTTP"):
            photos.download(replace(photo, url=f"http://127.0.0.1:{port}/tiny.png"), isolated_cache / "tiny.png",
                            sleep=quick.append)
        thread.join(HANG_S)
    assert _leftovers(isolated_cache) == []


# --- (d) wrong or cut-short bodies never reach the cache -----------------------------------------------------------
def test_wrong_bytes_are_refused_and_a_good_server_then_works(server, tiny, quick, monkeypatch,
                                                             isolated_cache: Path) -> None:
    base, script = server
    data, photo = tiny
    photo = replace(photo, url=f"{base}/tiny.png")
    folder = isolated_cache / "images"
    for wrong in (data + b"tampered", data[: len(data) // 2], _png_bytes(seed=1)):  # the server's own length each
        script.serve("/tiny.png", Answer(body=wrong))
        with pytest.raises(ChecksumError, match=r"sha256.*discarded.*TRICKNETS_MIRROR"):
            photos.download(photo, folder / "tiny.png", sleep=quick.append)
        assert _leftovers(folder) == []  # neither the bad file nor a partial one
    assert quick == []  # a wrong file is not retried: the same URL would send it again
    script.serve("/tiny.png", Answer(body=data))
    monkeypatch.setitem(photos.manifest(), "tiny", photo)
    assert photos.local_path("tiny") == folder / "tiny.png"
    assert (folder / "tiny.png").read_bytes() == data


@pytest.mark.parametrize("cut", ["cut", "chunked-cut", "hang-mid-body"])
def test_a_transfer_cut_short_is_retried(server, tiny, quick, isolated_cache: Path, cut: str) -> None:
    """A body shorter than its Content-Length, a chunked body that stops, a body that stalls: the connection failed,
    not the file, so the download is tried again (never kept, never a ChecksumError)."""
    base, script = server
    data, photo = tiny
    script.serve("/tiny.png", Answer(kind=cut, body=data), Answer(body=data))
    before = photos.retries()
    dest = isolated_cache / "tiny.png"
    photos.download(replace(photo, url=f"{base}/tiny.png"), dest, sleep=quick.append)
    assert dest.read_bytes() == data and photos.retries() - before == 1 and len(quick) == 1
    assert _leftovers(isolated_cache) == ["tiny.png"]


def test_a_transfer_always_cut_short_fails_and_leaves_nothing(server, tiny, quick, monkeypatch,
                                                              isolated_cache: Path) -> None:
    base, script = server
    data, photo = tiny
    monkeypatch.setattr(photos, "ATTEMPTS", 2)
    script.serve("/tiny.png", Answer(kind="cut", body=data))
    with pytest.raises(DownloadError, match=r"IncompleteRead.*2 attempt\(s\)"):
        photos.download(replace(photo, url=f"{base}/tiny.png"), isolated_cache / "tiny.png", sleep=quick.append)
    assert _leftovers(isolated_cache) == []


# --- (e) time-outs are retried ---------------------------------------------------------------------------------------
def test_a_connection_that_times_out_is_retried(server, tiny, quick, monkeypatch, isolated_cache: Path) -> None:
    base, script = server
    data, photo = tiny
    monkeypatch.setattr(photos, "TIMEOUT_S", 0.3)
    script.serve("/tiny.png", Answer(kind="hang"), Answer(body=data))
    before = photos.retries()
    started = time.monotonic()
    dest = isolated_cache / "tiny.png"
    photos.download(replace(photo, url=f"{base}/tiny.png"), dest, sleep=quick.append)
    assert time.monotonic() - started < HANG_S  # it gave up on the silent server, it did not wait it out
    assert dest.read_bytes() == data and photos.retries() - before == 1 and quick == [photos.FIRST_WAIT_S]
    assert script.count("/tiny.png") == 2 and _leftovers(isolated_cache) == ["tiny.png"]


def test_a_server_that_never_answers_gives_a_download_error(server, tiny, quick, monkeypatch,
                                                            isolated_cache: Path) -> None:
    base, script = server
    _, photo = tiny
    monkeypatch.setattr(photos, "TIMEOUT_S", 0.2)
    monkeypatch.setattr(photos, "ATTEMPTS", 2)
    script.serve("/tiny.png", Answer(kind="hang"))
    with pytest.raises(DownloadError, match=r"timed out.*2 attempt\(s\)"):
        photos.download(replace(photo, url=f"{base}/tiny.png"), isolated_cache / "tiny.png", sleep=quick.append)
    assert _leftovers(isolated_cache) == []


# --- (f) a cache that cannot be used -------------------------------------------------------------------------------
def test_a_cache_that_is_a_file_is_a_settings_error(tiny, quick, monkeypatch, tmp_path: Path) -> None:
    _, photo = tiny
    not_a_folder = tmp_path / "cache-file"
    not_a_folder.write_text("a file, not a folder")
    monkeypatch.setenv("TRICKNETS_CACHE", str(not_a_folder))
    monkeypatch.delenv("TRICKNETS_MIRROR", raising=False)
    with pytest.raises(SettingsError) as info:
        photos.local_path(photo)
    message = str(info.value)
    assert "TRICKNETS_CACHE" in message and str(not_a_folder) in message and "folder you can write to" in message
    assert not_a_folder.read_text() == "a file, not a folder"
    done, failed = photos.fetch_all([photo])  # fetch reports it per photo
    assert done == [] and [(p, type(e)) for p, e in failed] == [(photo, SettingsError)]


def test_a_cache_folder_holding_a_file_where_a_folder_goes(tiny, quick, isolated_cache: Path) -> None:
    _, photo = tiny
    isolated_cache.mkdir()
    (isolated_cache / "images").write_text("in the way")
    with pytest.raises(SettingsError, match="TRICKNETS_CACHE"):
        photos.local_path(photo)


# --- (g) a room's own web server -----------------------------------------------------------------------------------
def test_mirror_url_sends_the_download_to_the_room_server(server, tiny, quick, monkeypatch,
                                                          isolated_cache: Path) -> None:
    base, script = server
    data, photo = tiny
    photo = replace(photo, file="sub/tiny.png")  # its own URL is a closed port: only the room's server can serve it
    script.serve("/room/sub/tiny.png", Answer(body=data))
    for value in (f"{base}/room", f"{base}/room/"):
        monkeypatch.setenv("TRICKNETS_MIRROR_URL", value)
        assert photos.url_of(photo) == f"{base}/room/sub/tiny.png"
    assert photos.local_path(photo) == isolated_cache / "images" / "sub" / "tiny.png"
    assert (isolated_cache / "images" / "sub" / "tiny.png").read_bytes() == data
    assert script.requests == ["/room/sub/tiny.png"]
    monkeypatch.delenv("TRICKNETS_MIRROR_URL")
    assert photos.url_of(photo) == photo.url


@pytest.mark.parametrize("value", ["192.0.2.10:8000/photos", "ftp://192.0.2.10/photos", "photos"])
def test_a_bad_mirror_url_is_a_settings_error(tiny, monkeypatch, isolated_cache: Path, value: str) -> None:
    _, photo = tiny
    monkeypatch.setenv("TRICKNETS_MIRROR_URL", value)
    with pytest.raises(SettingsError, match="TRICKNETS_MIRROR_URL.*not a URL"):
        photos.url_of(photo)
    with pytest.raises(SettingsError, match="TRICKNETS_MIRROR_URL"):
        photos.local_path(photo)
    assert _leftovers(isolated_cache / "images") == []


def test_a_mirror_folder_is_read_before_the_mirror_url(server, tiny, monkeypatch, tmp_path: Path,
                                                       isolated_cache: Path) -> None:
    base, script = server
    data, photo = tiny
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "tiny.png").write_bytes(data)
    monkeypatch.setenv("TRICKNETS_MIRROR", str(mirror))
    monkeypatch.setenv("TRICKNETS_MIRROR_URL", base)
    assert photos.local_path(photo) == mirror / "tiny.png"
    assert script.requests == [] and not isolated_cache.exists()


# --- (h) many photos at once ---------------------------------------------------------------------------------------
def test_fetch_all_downloads_in_parallel_and_reports_each_failure(server, quick, monkeypatch,
                                                                  isolated_cache: Path) -> None:
    base, script = server
    monkeypatch.setenv("TRICKNETS_MIRROR_URL", base)
    good = []
    for i in range(6):
        data = _png_bytes(seed=i)
        good.append(_photo(f"p{i}", data))
        script.serve(f"/p{i}.png", Answer(body=data))
    missing = _photo("missing", _png_bytes(seed=7))  # the server has no such file: 404
    wrong = _photo("wrong", _png_bytes(seed=8))
    script.serve("/wrong.png", Answer(body=b"not the photo"))
    script.delay_s = 0.2  # long enough for downloads to overlap
    wanted = [good[0], missing, *good[1:3], wrong, *good[3:]]
    done, failed = photos.fetch_all(wanted, workers=4)
    assert done == [isolated_cache / "images" / f"p{i}.png" for i in range(6)]  # in order, every good one
    assert [(p.name, type(e)) for p, e in failed] == [("missing", DownloadError), ("wrong", ChecksumError)]
    assert "HTTP 404" in str(failed[0][1])
    assert script.most_in_flight >= 2  # several downloads at once ...
    assert script.most_in_flight <= 4  # ... but no more than the workers
    assert sorted(p.name for p in (isolated_cache / "images").iterdir()) == [f"p{i}.png" for i in range(6)]


def test_fetch_all_into_a_folder_writes_the_mirror_layout(server, quick, monkeypatch, tmp_path: Path,
                                                          isolated_cache: Path) -> None:
    base, script = server
    monkeypatch.setenv("TRICKNETS_MIRROR_URL", base)
    data = _png_bytes(seed=3)
    photo = _photo("x", data, file="set/x.png")
    script.serve("/set/x.png", Answer(body=data))
    kit = tmp_path / "kit"
    done, failed = photos.fetch_all([photo], into=kit)
    assert failed == [] and done == [kit / "set" / "x.png"] and done[0].read_bytes() == data
    assert _leftovers(kit / "set") == ["x.png"]
    assert photos.fetch_all([photo], into=kit) == ([kit / "set" / "x.png"], [])  # kept, not fetched again
    assert script.count("/set/x.png") == 1


# --- (i) the cache --------------------------------------------------------------------------------------------------
def test_a_damaged_cache_entry_is_dropped_and_fetched_again(server, tiny, quick, isolated_cache: Path) -> None:
    base, script = server
    data, photo = tiny
    photo = replace(photo, url=f"{base}/tiny.png")
    script.serve("/tiny.png", Answer(body=data))
    cached = isolated_cache / "images" / "tiny.png"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(data[:-10])  # half a file, as a killed older version could have left
    assert photos.local_path(photo) == cached and cached.read_bytes() == data
    assert script.count("/tiny.png") == 1
    assert photos.local_path(photo) == cached and script.count("/tiny.png") == 1  # a good entry is used as it is
    assert _leftovers(cached.parent) == ["tiny.png"]


def test_a_damaged_cache_entry_with_no_network_is_refused(tiny, quick, isolated_cache: Path) -> None:
    data, photo = tiny  # its URL is a closed port
    cached = isolated_cache / "images" / "tiny.png"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"half a file")
    with pytest.raises(DownloadError, match="TRICKNETS_MIRROR"):
        photos.local_path(photo)
    assert not cached.exists()  # dropped, never read


# --- moved from test_images: mirror, copy_to, the download's basics ------------------------------------------------
def test_download_checks_sha256_and_caches(tiny, local_http_server, isolated_cache: Path) -> None:
    data, photo = tiny
    base, served = local_http_server
    (served / "tiny.png").write_bytes(data)
    dest = isolated_cache / "images" / "tiny.png"
    photos.download(replace(photo, url=f"{base}/tiny.png"), dest)
    assert dest.read_bytes() == data and _leftovers(dest.parent) == ["tiny.png"]


def test_a_wrong_mirror_copy_is_refused(tiny, monkeypatch, tmp_path: Path, isolated_cache: Path) -> None:
    data, photo = tiny
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    monkeypatch.setenv("TRICKNETS_MIRROR", str(mirror))
    assert photos.mirror_copy(photo) is None  # not there: the cache or a download next
    (mirror / "tiny.png").write_bytes(data)
    assert photos.mirror_copy(photo) == mirror / "tiny.png"
    (mirror / "tiny.png").write_bytes(data + b"x")
    with pytest.raises(ChecksumError, match="TRICKNETS_MIRROR"):
        photos.local_path(photo)
    assert not isolated_cache.exists()  # no download was tried in its place


def test_copy_to_writes_a_verified_mirror(tiny, monkeypatch, tmp_path: Path, isolated_cache: Path) -> None:
    data, photo = tiny
    mirror = tmp_path / "mirror"
    (mirror / "sub").mkdir(parents=True)
    photo = replace(photo, file="sub/tiny.png")
    (mirror / "sub" / "tiny.png").write_bytes(data)
    monkeypatch.setenv("TRICKNETS_MIRROR", str(mirror))
    out = photos.copy_to(photo, tmp_path / "kit")
    assert out == tmp_path / "kit" / "sub" / "tiny.png" and out.read_bytes() == data
    assert sorted(p.name for p in out.parent.iterdir()) == ["tiny.png"]  # no partial file left
    out.write_bytes(b"damaged")
    assert photos.copy_to(photo, tmp_path / "kit").read_bytes() == data  # a wrong copy is replaced


def test_unknown_names_suggest_close_ones() -> None:
    from helpers.errors import UnknownImageError

    with pytest.raises(UnknownImageError, match="Did you mean 'giant_panda'"):
        photos.source("giant_pands")
    assert photos.source("giant_panda") is photos.manifest()["giant_panda"]
    assert photos.source(photos.sample_set()[388].name).class_id == 388


def test_copy_to_downloads_straight_into_the_folder_not_through_the_cache(tmp_path: Path, isolated_cache: Path,
                                                                          local_http_server) -> None:
    """The image's photo layer and the offline kit would otherwise keep every photo twice (cache and folder)."""
    from PIL import Image

    base, served = local_http_server
    Image.new("RGB", (8, 8), (1, 2, 3)).save(served / "tiny.png")
    data = (served / "tiny.png").read_bytes()
    src = photos.ImageSource(name="tiny", file="tiny.png", url=f"{base}/tiny.png",
                             sha256=hashlib.sha256(data).hexdigest())
    out = photos.copy_to(src, tmp_path / "kit")
    assert out.read_bytes() == data
    assert not (isolated_cache / "images" / "tiny.png").exists()
