"""Headless Chromium, driven over the DevTools protocol on a pipe, with no network.

``Chromium`` starts Debian's ``chromium`` with ``--remote-debugging-pipe`` (commands on fd 3, answers
on fd 4, each a JSON message ended by a NUL byte: no port, so it also works inside a network namespace
of its own) and opens one page. Where the kernel allows it the browser runs under ``unshare -rn``: no
network at all, not even loopback. Every request the page makes is recorded (``requests``); one to a
URL of ``served`` (a stand-in HTTP origin) is answered from a directory, like ``mkdocs serve``, and any
other non-file request is failed as if the machine were offline.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import mimetypes
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Optional

BINARIES = ("chromium", "chromium-browser", "google-chrome")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
    "--font-render-hinting=none", "--remote-debugging-pipe",
    # Where no network namespace can be had: no name resolves, and anything the browser itself would
    # fetch goes to a closed loopback port.
    "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
]
"""``--no-sandbox``: Chromium's sandbox refuses to run as root, which CI and a user namespace are."""


def find_chromium() -> Optional[str]:
    return next(filter(None, map(shutil.which, BINARIES)), None)


def no_network_prefix() -> list[str]:
    """``unshare -rn`` when the kernel allows it (a network namespace with no interface up), else []."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0:
        return [unshare, "-rn"]
    return []


class BrowserError(Exception):
    pass


class Chromium:
    """One headless Chromium with one page. Use as a context manager."""

    def __init__(self, binary: str, *, width: int = 1280, height: int = 900,
                 served: Optional[tuple[str, Path]] = None) -> None:
        self.binary, self.width, self.height = binary, width, height
        self.served = served
        """``(origin, directory)``: requests under ``origin`` are answered from ``directory``."""
        self.requests: list[str] = []
        """Every URL the page requested, in order."""
        self._id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> "Chromium":
        self._profile = tempfile.TemporaryDirectory(prefix="chromium-")
        to_browser, self._commands = os.pipe()
        self._answers, from_browser = os.pipe()
        # Copies above the fds the child's dup2 targets, so that putting one on 3 never overwrites the other.
        child_in = fcntl.fcntl(to_browser, fcntl.F_DUPFD_CLOEXEC, 10)
        child_out = fcntl.fcntl(from_browser, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_browser)
        os.close(from_browser)

        def onto_3_and_4() -> None:  # dup2 clears close-on-exec: the browser inherits exactly these two
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        argv = [*no_network_prefix(), self.binary, *FLAGS, f"--user-data-dir={self._profile.name}",
                f"--window-size={self.width},{self.height}", "about:blank"]
        self._log = tempfile.TemporaryFile()
        self._process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
                                         preexec_fn=onto_3_and_4, close_fds=False, start_new_session=True)
        os.close(child_in)
        os.close(child_out)
        try:
            self._open_page()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_: Any) -> None:
        try:
            try:
                self.send("Browser.close", session=False, timeout=5)
                self._process.wait(timeout=10)
            except (BrowserError, OSError, subprocess.TimeoutExpired):
                pass
            # The browser's own helper processes share its new session's process group.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=30)
        finally:
            for fd in (self._commands, self._answers):
                os.close(fd)
            self._log.close()
            self._profile.cleanup()

    # --- protocol ----------------------------------------------------------------------------------

    def send(self, method: str, params: Optional[dict[str, Any]] = None, *, session: bool = True,
             timeout: float = 30) -> dict[str, Any]:
        """Send one command (to the page's session unless ``session=False``) and return its result."""
        sent = self._post(method, params or {}, session)
        deadline = time.monotonic() + timeout
        while True:
            answer = self._next(deadline, f"{method} answered")
            if answer.get("id") == sent:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self._event(answer)

    def wait_for(self, event: str, timeout: float = 30) -> dict[str, Any]:
        """The next ``event``'s parameters (earlier events are handled and dropped)."""
        deadline = time.monotonic() + timeout
        while True:
            for index, seen in enumerate(self._events):
                if seen["method"] == event:
                    del self._events[: index + 1]
                    return seen.get("params", {})
            self._events.clear()
            self._event(self._next(deadline, event))

    def _next(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._answers], [], [], left)[0]:
                raise BrowserError(f"timed out waiting for {waiting_for}{self._exit_note()}")
            chunk = os.read(self._answers, 1 << 20)
            if not chunk:
                raise BrowserError(f"the browser closed its pipe{self._exit_note()}")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def _exit_note(self) -> str:
        if self._process.poll() is None:
            return ""
        self._log.seek(0)
        return f" (chromium exited {self._process.returncode}: {self._log.read().decode(errors='replace')[-2000:]})"

    def _event(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Fetch.requestPaused":
            self._answer(params)
            return
        if method:
            self._events.append(message)

    def _answer(self, paused: dict[str, Any]) -> None:
        """A request the page made to a non-file URL: answered from ``served``, or failed (offline)."""
        url = paused["request"]["url"]
        reply: Callable[..., Any] = self._post
        if self.served and url.startswith(self.served[0] + "/"):
            path = url[len(self.served[0]) + 1 :].split("#")[0].split("?")[0]
            file = self.served[1] / path
            file = file / "index.html" if file.is_dir() else file
            if file.is_file():
                kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                reply("Fetch.fulfillRequest", {
                    "requestId": paused["requestId"], "responseCode": 200,
                    "responseHeaders": [{"name": "Content-Type", "value": kind}],
                    "body": base64.b64encode(file.read_bytes()).decode(),
                })
                return
            reply("Fetch.fulfillRequest", {"requestId": paused["requestId"], "responseCode": 404, "body": ""})
            return
        reply("Fetch.failRequest", {"requestId": paused["requestId"], "errorReason": "InternetDisconnected"})

    def _post(self, method: str, params: dict[str, Any], session: bool = True) -> int:
        """Write one command; its id (the answer comes later, among events)."""
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        return self._id

    def _open_page(self) -> None:
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self._session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                  session=False)["sessionId"]
        for domain in ("Page", "Network", "Runtime", "DOM"):
            self.send(f"{domain}.enable")
        # Every request that is not a file is paused here: served, or failed as offline.
        self.send("Fetch.enable", {"patterns": [{"urlPattern": "http*"}, {"urlPattern": "ws*"}]})
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False})

    # --- pages -------------------------------------------------------------------------------------

    def open(self, url: str, timeout: float = 30) -> None:
        """Load ``url`` and wait for its load event."""
        self._events.clear()
        self.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired", timeout)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression on the page (awaited when it is a promise)."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_until(self, expression: str, timeout: float = 20) -> Any:
        """Poll a JavaScript expression until it is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value or time.monotonic() > deadline:
                return value
            time.sleep(0.1)

    def document(self) -> dict[str, Any]:
        """The whole DOM, shadow roots included (closed ones too, which scripts on the page cannot see)."""
        return self.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]

    def screenshot(self, path: Path) -> None:
        """A PNG of the whole page."""
        shot = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        path.write_bytes(base64.b64decode(shot["data"]))


def walk(node: dict[str, Any], inside_shadow: bool = False) -> Any:
    """Every node under ``node`` with whether it sits in a shadow root: ``(node, inside_shadow)``."""
    yield node, inside_shadow
    for child in node.get("children", []):
        yield from walk(child, inside_shadow)
    for root in node.get("shadowRoots", []):
        yield from walk(root, True)
