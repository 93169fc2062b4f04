"""serveutil: what the workbench tests share. A copy of the source tree's
config/ and scenarios/ in a temporary folder, `carecap serve` started there
on a free port (the URL read from its first line), and stopped by its own
process id at the end."""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

CARECAP = os.environ.get("CARECAP")
ROOT = os.environ.get("CARECAP_ROOT")


class Server:
    def __init__(self, *args, copy=True, env=None):
        if not CARECAP or not ROOT:
            sys.exit("set CARECAP and CARECAP_ROOT")
        self.dir = tempfile.mkdtemp(prefix="carecap-web-")
        if copy:
            shutil.copytree(os.path.join(ROOT, "config"), os.path.join(self.dir, "config"))
            shutil.copytree(os.path.join(ROOT, "scenarios"), os.path.join(self.dir, "scenarios"))
            # the back-tests (tests/data/backtests.conf) and the published extracts they name
            data = os.path.join(self.dir, "tests", "data")
            os.makedirs(data)
            shutil.copy(os.path.join(ROOT, "tests", "data", "backtests.conf"), data)
            for d in os.listdir(os.path.join(ROOT, "tests", "data")):
                if d.startswith("dfe-"):
                    shutil.copytree(os.path.join(ROOT, "tests", "data", d), os.path.join(data, d))
        self.out = open(os.path.join(self.dir, "serve.out"), "w+")
        self.err = open(os.path.join(self.dir, "serve.err"), "w+")
        self.proc = subprocess.Popen([CARECAP, "serve", "--port", "0", *args], cwd=self.dir, stdout=self.out,
                                     stderr=self.err, env=env)
        self.url = None
        for _ in range(100):
            self.out.seek(0)
            m = re.search(r"at (http://\S+)", self.out.read())
            if m:
                self.url = m.group(1)
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        if not self.url:
            self.err.seek(0)
            raise RuntimeError("carecap serve did not start: " + self.err.read())
        m = re.match(r"http://(\[[^]]+\]|[^:/]+):(\d+)/", self.url)
        self.host = m.group(1).strip("[]")
        self.port = int(m.group(2))

    def stop(self):
        """Stop the server (SIGTERM); its exit status (0 when it stopped cleanly)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.err.seek(0)
        self.errors = self.err.read()
        self.out.close()
        self.err.close()
        return self.proc.returncode

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL:", what, flush=True)
        return cond

    def finish(self, name):
        print(f"{name}: {self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0
