"""The command line as users drive it: the installed `newsmon` script in a subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import store

ROOT = Path(__file__).resolve().parent.parent
NEWSMON = [sys.executable, "-m", "newsmon"]


def newsmon(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("NEWSMON_DB", None)
    full_env.pop("NEWSMON_SOURCES", None)
    return subprocess.run(
        [*NEWSMON, *args], cwd=cwd or ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def assert_one_line_error(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("newsmon: error: ")
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0]


@pytest.fixture
def populated_db(tmp_path) -> Path:
    db = tmp_path / "n.duckdb"
    store.prepare(db)
    with store.writer(db) as w:
        run = w.start_run("ingest")
        w.finish_run(run, "completed", {"feeds_total": 3})
    return db


def test_every_command_in_help_is_documented_in_the_readme():
    """In the README's command table, and with a section of its own in docs/commands.md (where
    tests/test_docs.py checks every option of each)."""
    result = newsmon("--help")
    assert result.returncode == 0
    commands = re.findall(r"^    (\w+)\s", result.stdout, re.M)
    assert {"run", "sql", "demo"} <= set(commands)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    reference = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    for command in commands:
        assert f"| `newsmon {command}" in readme, command
        assert f"\n## `newsmon {command}" in reference, command


@pytest.mark.parametrize(
    "content, needle",
    [
        ("[[sources]\nname = 'x'", "not valid TOML"),
        ("[fetch]\nallow_private_networks = true\n", "lists no [[sources]]"),
        ("[[sources]]\nname = 'A'\nfeeds = ['file:///etc/passwd']\n", "not an http(s) URL"),
        ("[fetch]\ndeadline = 'soon'\n[[sources]]\nname = 'A'\nfeeds = ['https://a.example/rss']\n", "fetch.deadline"),
        ("[settings]\nbatch_size = 'big'\n[[sources]]\nname = 'A'\nfeeds = ['https://a.example/rss']\n", "settings.batch_size"),
    ],
)
def test_a_bad_sources_file_is_one_line_and_writes_nothing(tmp_path, content, needle):
    sources = tmp_path / "sources.toml"
    sources.write_text(content)
    db = tmp_path / "n.duckdb"
    result = newsmon("run", "--db", str(db), "--sources", str(sources))
    assert_one_line_error(result, needle)
    assert not db.exists()


def test_missing_sources_file_and_missing_db_folder(tmp_path):
    assert_one_line_error(
        newsmon("run", "--db", str(tmp_path / "n.duckdb"), "--sources", str(tmp_path / "nope.toml")), "not found"
    )
    sources = tmp_path / "sources.toml"
    sources.write_text("[[sources]]\nname = 'A'\nfeeds = ['https://a.example/rss']\n")
    result = newsmon("run", "--db", str(tmp_path / "no" / "such" / "n.duckdb"), "--sources", str(sources))
    assert_one_line_error(result, "does not exist")
    assert not (tmp_path / "no").exists()


def test_a_file_that_is_not_duckdb_is_refused_and_left_alone(tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text("[[sources]]\nname = 'A'\nfeeds = ['https://a.example/rss']\n")
    db = tmp_path / "n.duckdb"
    db.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)
    before = db.read_bytes()
    assert_one_line_error(newsmon("run", "--db", str(db), "--sources", str(sources)), str(db))
    assert db.read_bytes() == before


def test_sql_prints_table_csv_and_json(populated_db):
    query = "SELECT flow, status, feeds_total FROM runs"
    table = newsmon("sql", query, "--db", str(populated_db))
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split() == ["flow", "status", "feeds_total"]
    assert "ingest  completed  3" in table.stdout and "(1 row)" in table.stdout
    csv_out = newsmon("sql", query, "--db", str(populated_db), "--format", "csv")
    assert csv_out.stdout.splitlines() == ["flow,status,feeds_total", "ingest,completed,3"]
    json_out = newsmon("sql", query, "--db", str(populated_db), "--format", "json")
    assert json.loads(json_out.stdout) == [{"flow": "ingest", "status": "completed", "feeds_total": 3}]


def test_sql_is_read_only_and_errors_are_one_line(populated_db, tmp_path):
    for statement in ("DELETE FROM runs", "CREATE TABLE x (a INT)", "INSERT INTO runs (run_id) VALUES ('x')"):
        assert_one_line_error(newsmon("sql", statement, "--db", str(populated_db)))
    assert newsmon("sql", "SELECT COUNT(*) AS n FROM runs", "--db", str(populated_db), "--format", "csv").stdout == "n\n1\n"
    assert_one_line_error(newsmon("sql", "SELEC nonsense", "--db", str(populated_db)), "syntax error")
    assert_one_line_error(newsmon("sql", "SELECT 1", "--db", str(tmp_path / "absent.duckdb")), "no database")
    assert not (tmp_path / "absent.duckdb").exists()
    assert_one_line_error(newsmon("sql", "SELECT 1", "--db", str(populated_db), "--format", "xml"), "invalid choice")
    assert_one_line_error(newsmon("run", "--no-such-option"), "unrecognized arguments")
    assert_one_line_error(newsmon(), "required")


def test_serve_refuses_a_bad_schedule(tmp_path):
    result = newsmon("serve", "--cron", "every half hour", "--db", str(tmp_path / "n.duckdb"))
    assert_one_line_error(result, "not a cron expression")
    assert not (tmp_path / "n.duckdb").exists()


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    """`newsmon sql ... | head -1`: the pipe closes under a long output; newsmon stops quietly."""
    db = tmp_path / "n.duckdb"
    from pipeline import store

    store.prepare(db)
    process = subprocess.Popen([*NEWSMON, "sql", "SELECT range AS n FROM range(200000)", "--db", str(db)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert process.stdout.readline().strip() == b"n"
    process.stdout.close()  # as head does after its line
    _out, err = process.communicate(timeout=120)
    assert b"Traceback" not in err and process.returncode in (0, 141), err.decode()[-2000:]
