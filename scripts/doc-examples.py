#!/usr/bin/python3
"""The README doc test: every shell example of README.md and docs/*.md, run against a throw-away server.

    /usr/bin/python3 scripts/doc-examples.py --bin .build/debug/servicecircle --database-url postgres://…

Starts the built `servicecircle serve` on a free port against its own database `sc_doc_examples` on the given
cluster (dropped first when `psql` is at hand, so every run starts from the seed catalogue; serve creates, migrates
and seeds it), then runs the examples file by file: README.md first, then docs/*.md in name order. Python 3
standard library only. Prints one line per example, then exactly `N passed, M failed`; exits 1 on any failure.
What each file's examples printed is kept in .artifacts/doc-examples/ (docs/api.md → docs_api.md.log, each
command under a `### file:line` marker), the server's log in .artifacts/doc-examples-serve.log.

What is run
- Fenced code blocks whose info string is `sh`, `bash` or `shell`. A block without one or with another
  (`text`, `json`, `csv`, ...) is data or a listing and is not run; a `curl` line inside one is a failure (an
  example nobody checks).
- Every block of one file runs, in order, in one bash process started in a fresh temporary folder, so a
  variable set in an earlier line or block (`KEY=$(servicecircle keys create ...)`, `ETAG=$(curl ...)`) and a
  file written by an earlier example are there for the later ones.
- Commands are split the way the shell reads them: backslash-continued lines, quotes spanning lines and
  here-documents stay one command (reported by the line it starts on). Shell variables are kept as written.
- `http://127.0.0.1:8080` is rewritten to the test server's address.
- `servicecircle` is a shell function running the given binary with `DATABASE_URL` (the `--database-url` of every
  database command) set to the test database and `SERVICECIRCLE_HOME` to this repository (sql/, SeedData/).
- `curl` is a shell function running the real curl with `-sS -D <headers file>` added and its output kept, so
  pipes and `-o FILE` behave as written; the status is read from the headers file.

What passes
- An example is a command that calls `curl` or `servicecircle`; each call is checked, and an example that made
  no call (a syntax error, a short-circuit) fails.
- A curl call passes when it got an HTTP status below 400. A 4xx or 5xx passes only when the command announces it
  in a trailing comment on its own line(s): `# → 404` (exactly that status) or `# → 4xx` (any of that class);
  an announced status that differs from the answer fails, below 400 too. No status (server unreachable) fails.
- A `servicecircle` call passes when it exits 0, or with the exit status announced as `# → exit 2`.

What is skipped (printed as `skip`, never silently)
- Commands that start the service or its database: `./scripts/run.sh`, `./scripts/test.sh`, `servicecircle`
  alone or `servicecircle serve` (serve is the default subcommand), `servicecircle db ...`.
- Commands that open a browser: `xdg-open`, `open`, `sensible-browser`, `x-www-browser`, `chromium`,
  `firefox`, `google-chrome`.
- Long benchmarks and generators that rewrite SeedData: `./scripts/bench-*.sh`, `servicecircle bench ...`,
  `servicecircle generate-seed ...`.
Docs should put such commands in `text` blocks; the rule catches the ones shown among runnable examples.
"""
import argparse
import glob
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import Server, database_url, free_port  # noqa: E402,F401

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARTIFACTS = os.path.join(PROJECT, ".artifacts")
DOC_URL = "http://127.0.0.1:8080"
DATABASE = "sc_doc_examples"
RUNNABLE = {"sh", "bash", "shell"}
FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})\s*([\w+-]*)")
ANNOUNCE_STATUS = re.compile(r"(?:→|->)\s*(\d{3}|\dxx)\b")
ANNOUNCE_EXIT = re.compile(r"(?:→|->)\s*exit\s+(\d+)")
CALLS = re.compile(r"(?:^|[\s;|&(`])(curl|servicecircle)(?=\s|$|\))")
HEREDOC = re.compile(r"<<(-?)\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\2")


# ---------------------------------------------------------------------------------------------------- extraction

class Command:
    """One command as the shell reads it: its physical lines, the code without comments, the comments."""

    def __init__(self, path, line, lines, code, comments):
        self.path = path
        self.line = line
        self.lines = lines
        self.code = code
        self.comments = comments
        self.skip = None
        self.calls = set(m.group(1) for m in CALLS.finditer(code))

    @property
    def where(self):
        return f"{self.path}:{self.line}"

    @property
    def shown(self):
        text = " ".join(l.strip().rstrip("\\").strip() for l in self.code.splitlines() if l.strip())
        return text if len(text) <= 300 else text[:297] + "..."

    def announced_status(self):
        m = ANNOUNCE_STATUS.search(" ".join(self.comments))
        return m.group(1) if m else None

    def announced_exit(self):
        m = ANNOUNCE_EXIT.search(" ".join(self.comments))
        return int(m.group(1)) if m else None


def scan(text, state):
    """Reads one physical line from quote state `state` (None, "'" or '"').

    Returns (state at the end, continues on the next line, code part, comment part, here-document tags)."""
    i, n = 0, len(text)
    code_end = n
    comment = ""
    while i < n:
        c = text[i]
        if state == "'":
            if c == "'":
                state = None
        elif state == '"':
            if c == "\\":
                i += 1
            elif c == '"':
                state = None
        else:
            if c == "\\":
                if i == n - 1:
                    return state, True, text, "", heredocs(text[:i])
                i += 1
            elif c in "'\"":
                state = c
            elif c == "#" and (i == 0 or text[i - 1] in " \t;|&("):
                code_end = i
                comment = text[i:]
                break
        i += 1
    code = text[:code_end]
    return state, state is not None, code, comment, heredocs(code) if state is None else []


def heredocs(code):
    return [(m.group(1) == "-", m.group(3)) for m in HEREDOC.finditer(code)]


def commands(path, numbered):
    """Splits a block's (line number, text) pairs into commands."""
    out = []
    i = 0
    while i < len(numbered):
        start = numbered[i][0]
        lines, code, comments = [], [], []
        state, tags = None, []
        while i < len(numbered):
            text = numbered[i][1]
            i += 1
            lines.append(text)
            state, more, c, comment, hd = scan(text, state)
            code.append(c)
            if comment:
                comments.append(comment)
            tags += hd
            if not more:
                break
        for strip_tabs, tag in tags:
            while i < len(numbered):
                text = numbered[i][1]
                i += 1
                lines.append(text)
                code.append(text)
                if (text.lstrip("\t") if strip_tabs else text) == tag:
                    break
        out.append(Command(path, start, lines, "\n".join(code), comments))
    return out


def blocks(path):
    """The fenced code blocks of a Markdown file: (info string, first line number, [(line number, text)])."""
    rel = os.path.relpath(path, PROJECT)
    with open(path, encoding="utf-8") as f:
        text = f.read().splitlines()
    out, i = [], 0
    while i < len(text):
        m = FENCE.match(text[i])
        if not m:
            i += 1
            continue
        indent, fence, info = len(m.group(1)), m.group(2), m.group(3).lower()
        body, j = [], i + 1
        while j < len(text) and not (text[j].strip().startswith(fence[0] * len(fence)) and text[j].strip().strip(fence[0]) == ""):
            line = text[j]
            body.append((j + 1, line[indent:] if line[:indent].strip() == "" else line))
            j += 1
        out.append((rel, info, i + 1, body))
        i = j + 1
    return out


def skip_reason(cmd):
    try:
        words = shlex.split(cmd.code, comments=True)
    except ValueError:
        words = cmd.code.split()
    while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
        words = words[1:]
    if not words:
        return None
    first = words[0]
    base = os.path.basename(first)
    if first.endswith("scripts/run.sh"):
        return "starts the service"
    if first.endswith("scripts/test.sh"):
        return "runs the test command (builds, starts its own database)"
    if re.search(r"scripts/bench-[\w-]+\.sh$", first):
        return "long benchmark"
    if base in ("xdg-open", "open", "sensible-browser", "x-www-browser", "chromium", "firefox", "google-chrome"):
        return "opens a browser"
    if base == "servicecircle":
        sub = next((w for w in words[1:] if not w.startswith("-")), None)
        if sub is None or sub == "serve":
            return "starts the service"
        if sub == "db":
            return "starts or stops the embedded database"
        if sub == "bench":
            return "long benchmark"
        if sub == "generate-seed":
            return "rewrites SeedData or writes a large file"
    return None


def examples(paths):
    """Per file: the commands of its runnable blocks, and problems found while reading it."""
    files = []
    for path in paths:
        cmds, problems = [], []
        for rel, info, first, body in blocks(path):
            if info not in RUNNABLE:
                for no, line in body:
                    if re.match(r"^\s*(\$\s+)?curl\s", line):
                        problems.append((f"{rel}:{no}", line.strip(),
                                         f"a curl example in a ```{info or '(unlabelled)'} block is not run: fence it as ```sh"))
                continue
            for c in commands(rel, body):
                if not c.code.strip():
                    continue
                c.skip = skip_reason(c)
                cmds.append(c)
        files.append((os.path.relpath(path, PROJECT), cmds, problems))
    return files


# ---------------------------------------------------------------------------------------------------- running

PRELUDE = r'''
__sc_call() {  # kind, exit status, id, output file
  printf '%s\t%s\t%s\t%s\t%s\n' "$__SC_LOC" "$1" "$2" "$3" "$4" >> "$__SC_RECORDS"
}
curl() {
  local id="c$BASHPID.$RANDOM$RANDOM" a prev="" target=""
  for a in "$@"; do
    case "$prev" in -o|--output) target="$a" ;; esac
    case "$a" in -D|--dump-header|--dump-header=*) echo "doc test: $__SC_LOC: -D/--dump-header is taken by the doc test; use -i" >&2 ;; esac
    prev="$a"
  done
  command curl -sS -m 120 -D "$__SC_TMP/$id.hdr" "$@" >"$__SC_TMP/$id.out" 2>"$__SC_TMP/$id.err"
  local rc=$?
  cat "$__SC_TMP/$id.out"
  cat "$__SC_TMP/$id.err" >&2
  __sc_call curl "$rc" "$id" "$target"
  return $rc
}
servicecircle() {
  local id="s$BASHPID.$RANDOM$RANDOM"
  DATABASE_URL="$__SC_DATABASE_URL" SERVICECIRCLE_HOME="$__SC_PROJECT" "$__SC_BIN" "$@" 2>"$__SC_TMP/$id.err"
  local rc=$?
  cat "$__SC_TMP/$id.err" >&2
  __sc_call servicecircle "$rc" "$id" ""
  return $rc
}
'''


def log_name(rel, ext=".log"):
    """A file name for a Markdown file's outputs: docs/api.md → docs_api.md.log."""
    return re.sub(r"[^\w.-]+", "_", rel).strip("._") + ext


def run_file(rel, cmds, base_url, binary, database_url, tmp, timeout):
    """Runs one file's commands in one bash; returns {location: [(kind, status or exit, id, target)]} and the log."""
    work = tempfile.mkdtemp(prefix="work-", dir=tmp)
    records = os.path.join(tmp, "records-" + log_name(rel, ".tsv"))
    open(records, "w").close()
    script = [PRELUDE]
    for c in cmds:
        script.append(f"__SC_LOC={shlex.quote(c.where)}; printf '\\n### %s\\n' \"$__SC_LOC\"")
        if c.skip:
            script.append(": skipped")
            continue
        script.append(c.code.replace(DOC_URL, base_url))
    env = dict(os.environ, __SC_RECORDS=records, __SC_TMP=tmp, __SC_BIN=os.path.abspath(binary),
               __SC_DATABASE_URL=database_url, __SC_PROJECT=PROJECT, __SC_LOC="")
    env.pop("DATABASE_URL", None)
    log_path = os.path.join(tmp, "log-" + log_name(rel))
    with open(log_path, "w") as log:
        try:
            subprocess.run(["bash", "--noprofile", "--norc", "-s"], input="\n".join(script) + "\n", text=True,
                           cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=timeout)
        except subprocess.TimeoutExpired:
            log.write(f"\ndoc test: {rel} did not finish within {timeout} s\n")
    calls = {}
    with open(records) as f:
        for line in f:
            loc, kind, rc, ident, target = line.rstrip("\n").split("\t")
            status = None
            if kind == "curl":
                hdr = os.path.join(tmp, ident + ".hdr")
                if os.path.exists(hdr):
                    with open(hdr, "rb") as h:
                        for l in h.read().decode("latin-1").splitlines():
                            m = re.match(r"^HTTP/[\d.]+ (\d{3})", l)
                            if m:
                                status = int(m.group(1))
            calls.setdefault(loc, []).append({"kind": kind, "rc": int(rc), "status": status,
                                              "out": os.path.join(tmp, ident + ".out"),
                                              "err": os.path.join(tmp, ident + ".err"),
                                              "target": os.path.join(work, target) if target else None})
    return calls, log_path


def excerpt(path, limit=800):
    if not path or not os.path.exists(path):
        return ""
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    text = data[:limit].decode("utf-8", "replace").strip()
    return text + (" …" if len(data) > limit else "")


def judge(cmd, calls):
    """The problems of one example (empty when it passed) and the statuses it got."""
    problems, got = [], []
    if not calls:
        return [f"made no call to {' or '.join(sorted(cmd.calls)) or 'curl'} (syntax error or short-circuit?)"], got
    want = cmd.announced_status()
    want_exit = cmd.announced_exit()
    for call in calls:
        if call["kind"] == "curl":
            s = call["status"]
            got.append(str(s) if s is not None else f"no answer (curl exit {call['rc']})")
            body = excerpt(call["target"]) if call["target"] else excerpt(call["out"])
            if s is None:
                problems.append(f"no HTTP answer, curl exit {call['rc']}: {excerpt(call['err'])}")
            elif want is not None:
                ok = str(s) == want or (want.endswith("xx") and str(s)[0] == want[0])
                if not ok:
                    problems.append(f"status {s}, announced {want}; body: {body}")
            elif s >= 400:
                problems.append(f"status {s}, not announced (add a trailing `# → {s}` if the error is the point); body: {body}")
            elif call["rc"] not in (0, 22):
                problems.append(f"status {s} but curl exit {call['rc']}: {excerpt(call['err'])}")
        else:
            got.append(f"exit {call['rc']}")
            expected = want_exit if want_exit is not None else 0
            if call["rc"] != expected:
                problems.append(f"servicecircle exited {call['rc']}" + (f", announced exit {expected}" if want_exit is not None else "")
                                + f"; stderr: {excerpt(call['err'])}")
    return problems, got


# ---------------------------------------------------------------------------------------------------- server

def psql_binary():
    found = shutil.which("psql")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"), key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return candidates[-1] if candidates else None


def drop_database(cluster_url):
    """A fresh catalogue for every run (the examples create outlets with fixed codes)."""
    psql = psql_binary()
    if not psql:
        print(f"note: no psql found; reusing database {DATABASE} if it exists")
        return
    r = subprocess.run([psql, database_url(cluster_url, "postgres"), "-v", "ON_ERROR_STOP=1", "-qc",
                        f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"note: could not drop {DATABASE} ({r.stderr.strip()}); reusing it")


# ---------------------------------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description="Run every shell example of README.md and docs/*.md against a throw-away server.")
    ap.add_argument("--bin", required=True, help="the built servicecircle executable")
    ap.add_argument("--database-url", required=True, help=f"the test cluster (a database {DATABASE} is created on it)")
    ap.add_argument("--timeout", type=int, default=900, help="seconds allowed per Markdown file (default 900)")
    ap.add_argument("files", nargs="*", help="Markdown files to check (default: README.md and docs/*.md)")
    args = ap.parse_args()

    paths = [os.path.abspath(p) for p in args.files] or \
        [os.path.join(PROJECT, "README.md")] + sorted(glob.glob(os.path.join(PROJECT, "docs", "*.md")))
    files = examples(paths)
    passed = failed = skipped = 0
    for _, _, problems in files:
        for where, line, reason in problems:
            failed += 1
            print(f"FAIL {where}: {line}\n     {reason}")
    if not any(c.calls and not c.skip for _, cmds, _ in files for c in cmds):
        print("FAIL no runnable curl example found")
        failed += 1

    logs = os.path.join(ARTIFACTS, "doc-examples")
    os.makedirs(logs, exist_ok=True)
    for old in glob.glob(os.path.join(logs, "*.log")):
        os.remove(old)
    url = database_url(args.database_url, DATABASE)
    drop_database(args.database_url)
    tmp = tempfile.mkdtemp(prefix="sc-doc-examples-")
    server = Server(os.path.abspath(args.bin), url, os.path.join(ARTIFACTS, "doc-examples-serve.log"))
    try:
        server.wait_ready()
        print(f"server {server.base} on database {DATABASE}")
        for rel, cmds, _ in files:
            if not cmds:
                continue
            calls, log_path = run_file(rel, cmds, server.base, args.bin, url, tmp, args.timeout)
            for c in cmds:
                if c.skip:
                    skipped += 1
                    print(f"skip {c.where}: {c.shown}  ({c.skip})")
                    continue
                if not c.calls:
                    continue
                problems, got = judge(c, calls.get(c.where, []))
                if problems:
                    failed += 1
                    print(f"FAIL {c.where}: {c.shown}")
                    for p in problems:
                        print(f"     {p}")
                else:
                    passed += 1
                    print(f"ok   {c.where}: {', '.join(got)}")
            # What the examples printed, for reading answers and failures: .artifacts/doc-examples/<file>.log
            shutil.copy(log_path, os.path.join(logs, log_name(rel)))
    except Exception as e:  # the server did not start: nothing could be checked
        failed += 1
        print(f"FAIL {e}")
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    if skipped:
        print(f"{skipped} skipped (see the skip rule in scripts/doc-examples.py)")
    if failed:
        print(f"what the examples printed: {os.path.relpath(logs)}/, the server's log: {os.path.relpath(ARTIFACTS)}/doc-examples-serve.log")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
