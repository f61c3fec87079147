"""The `newsmon` command. Each command opens what it needs, makes one library call and turns a library
error into a one-line message with a non-zero exit: no traceback, nothing written."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import flows
from pipeline.settings import PROJECT_ROOT, Config, ConfigError, load_config
from pipeline.store import StoreError

DEFAULT_DB = Path("data/newsmon.duckdb")
DEFAULT_SOURCES = Path("config/sources.toml")
DEMO_PORT = 8765


class UsageError(Exception):
    """A bad argument; one line."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line on stderr (`newsmon --help` still shows the usage)."""

    def error(self, message: str):
        self.exit(2, f"newsmon: error: {message} (see `{self.prog} --help`)\n")


def _db_path(value: str | None, create_default_folder: bool, lake: bool = False) -> Path | str:
    """The database: --db, else $NEWSMON_DB, else data/newsmon.duckdb. A DuckLake store (`ducklake:...`) is
    kept as its name where the command reads one (`lake`), and refused elsewhere with a one-line error."""
    value = value or os.environ.get("NEWSMON_DB")
    if value and value.startswith("ducklake:"):
        if not lake:
            raise UsageError("this command takes a DuckDB file; a DuckLake store is written by `newsmon run` and "
                             "`newsmon backfill` and read by `newsmon sql` and `newsmon dashboard` (docs/scaling.md)")
        return value
    if value:
        return Path(value)
    if create_default_folder:
        DEFAULT_DB.parent.mkdir(parents=True, exist_ok=True)
    return DEFAULT_DB


def _sources_path(value: str | None) -> Path:
    if value:
        return Path(value)
    if os.environ.get("NEWSMON_SOURCES"):
        return Path(os.environ["NEWSMON_SOURCES"])
    return DEFAULT_SOURCES if DEFAULT_SOURCES.exists() else PROJECT_ROOT / DEFAULT_SOURCES


def _load_config(sources: Path) -> Config:
    """The sources file, or a one-line error; what it holds that newsmon ignores is a one-line warning."""
    config = load_config(sources)
    for warning in config.warnings:
        print(f"newsmon: warning: {warning}", file=sys.stderr)
    return config


def _alerts_path(value: str | None) -> Path | None:
    """The alerts file given (--alerts, else $NEWSMON_ALERTS), checked now: a bad one stops the command before
    anything is written. None: the default, config/alerts.toml when it exists."""
    from pipeline.alerts import load_alerts

    path = Path(value) if value else (Path(os.environ["NEWSMON_ALERTS"]) if os.environ.get("NEWSMON_ALERTS") else None)
    load_alerts(path)
    return path.resolve() if path else None


def _check_writable_db(db: Path) -> None:
    """Fail before anything is written when the database cannot be used."""
    from pipeline import store

    store.prepare(db)  # refuses a folder, a file that is not DuckDB, a database of a newer newsmon


def _runner_choice(args) -> tuple[str, str | None]:
    """(kind, address) from --task-runner and --dask-address: an address alone means dask; a dask address
    must answer before anything is written."""
    from flows.runners import RunnerChoiceError, check_scheduler

    kind = args.task_runner or ("dask" if args.dask_address else "thread")
    if kind == "thread" and args.dask_address:
        raise UsageError("--dask-address goes with --task-runner dask, not thread")
    if args.dask_address:
        try:
            check_scheduler(args.dask_address)
        except RunnerChoiceError as exc:
            raise UsageError(f"--dask-address: {exc}") from None
    return kind, args.dask_address


def _with_runner(flow, choice: tuple[str, str | None]):
    from flows.runners import task_runner

    return flow.with_options(task_runner=task_runner(*choice))


def _warm_workers(config: Config, choice: tuple[str, str | None]) -> None:
    """With tasks on threads of this process, start the extraction and NLP workers loading the model now,
    while Prefect starts its temporary server (several seconds in which this process only waits)."""
    if choice[0] == "thread":
        from pipeline.analysis import warm

        warm(config.settings)


def _prefect_server(args, db: Path, warm=lambda: None) -> None:
    """Where this process's flow runs are recorded. PREFECT_API_URL when set; else the kept local server of
    this data folder (`newsmon.serving`), started now if none runs and left running for the next runs, so
    that only the first run on a machine waits for a server; with --temporary-server (or
    NEWSMON_PREFECT_SERVER=temporary), Prefect's temporary server for this process alone, as before. `warm`
    is called before a server start, to load the NLP workers in the seconds it takes."""
    if os.environ.get("PREFECT_API_URL"):
        return
    if getattr(args, "temporary_server", False) or os.environ.get("NEWSMON_PREFECT_SERVER") == "temporary":
        warm()
        return
    from newsmon import serving

    home = serving.kept_server_home(db if isinstance(db, Path) else DEFAULT_DB)  # a store's: data/ here
    try:
        api_url, started = serving.ensure_kept_server(home, before_start=warm)
    except serving.ServeError as exc:
        raise UsageError(str(exc)) from None
    if started:
        print(f"newsmon: started a local Prefect server at {api_url.removesuffix('/api')} (its UI shows the runs); "
              "it keeps running for the next runs: `newsmon server stop` stops it", file=sys.stderr)
    os.environ["PREFECT_API_URL"] = api_url


def _data_path(args) -> None:
    """--data-path: a DuckLake store's data folder, for this process and the workers it starts."""
    if getattr(args, "data_path", None):
        os.environ["NEWSMON_DATA_PATH"] = args.data_path


def cmd_run(args) -> int:
    choice = _runner_choice(args)
    db = _db_path(args.db, create_default_folder=True, lake=True)
    _data_path(args)
    sources = _sources_path(args.sources)
    config = _load_config(sources)  # a bad sources file stops here, before anything is written
    alerts = _alerts_path(args.alerts)
    _check_writable_db(db)
    _prefect_server(args, db, warm=lambda: _warm_workers(config, choice))
    from flows.ingest import ingest_flow

    with flows.in_process():
        summary = _with_runner(ingest_flow, choice)(db=str(db), sources=str(sources),
                                                    alerts=str(alerts) if alerts else None)
    return 0 if summary["status"] == "completed" else 1


def _window(args) -> tuple[date, date]:
    dates = []
    for flag, value in (("--start", args.start), ("--end", args.end)):
        try:
            dates.append(date.fromisoformat(value))
        except ValueError:
            raise UsageError(f"{flag} must be a date as YYYY-MM-DD, not {value!r}") from None
    start, end = dates
    from pipeline.backfill import window_problem

    problem = window_problem(start, end, datetime.now(UTC).date())
    if problem:
        raise UsageError(problem)
    return start, end


def cmd_backfill(args) -> int:
    start, end = _window(args)
    choice = _runner_choice(args)
    db = _db_path(args.db, create_default_folder=True, lake=True)
    _data_path(args)
    sources = _sources_path(args.sources)
    config = _load_config(sources)
    names = {s.name for s in config.sources}
    unknown = [n for n in args.source or () if n not in names]
    if unknown:
        raise UsageError(f"no source named {unknown[0]!r} in {config.sources_path}")
    alerts = _alerts_path(args.alerts)
    _check_writable_db(db)
    parameters = {
        "start": str(start),
        "end": str(end),
        "sources": args.source or None,
        "reprocess": args.reprocess,
        "db": db if isinstance(db, str) else str(db.resolve()),
        "sources_file": str(sources.resolve()),
    }
    if alerts:
        parameters["alerts"] = str(alerts)
    from newsmon import serving

    _prefect_server(args, db, warm=lambda: _warm_workers(config, choice))
    runner_given = args.task_runner is not None or args.dask_address is not None
    if not runner_given and serving.deployment_ready(serving.BACKFILL_DEPLOYMENT):
        summary = serving.run_backfill_deployment(parameters)  # on the task runner `newsmon serve` was given
    else:
        from flows.backfill import backfill_flow

        _warm_workers(config, choice)
        with flows.in_process():
            summary = _with_runner(backfill_flow, choice)(**parameters, show_progress=True)
    return 0 if summary["status"] == "completed" else 1


def cmd_serve(args) -> int:
    from cronsim import CronSim, CronSimError  # the cron parser Prefect itself uses

    from newsmon.serving import ServeError, serve

    try:
        CronSim(args.cron, datetime.now())
    except CronSimError as exc:
        raise UsageError(f"--cron {args.cron!r} is not a cron expression: {exc}") from None
    choice = _runner_choice(args)
    db = _db_path(args.db, create_default_folder=True, lake=True)
    _data_path(args)
    sources = _sources_path(args.sources)
    _load_config(sources)
    alerts = _alerts_path(args.alerts)
    if alerts:  # the served runs are child processes: they read it from the environment
        os.environ["NEWSMON_ALERTS"] = str(alerts)
    _check_writable_db(db)
    try:
        serve(args.cron, db, sources, args.prefect_port, *choice)
    except ServeError as exc:
        raise UsageError(str(exc)) from None
    return 0


def cmd_deploy(args) -> int:
    """Register the ingest and backfill deployments on a work pool of the shared Prefect server."""
    from cronsim import CronSim, CronSimError

    from newsmon.serving import ServeError, deploy_to_pool

    try:
        CronSim(args.cron, datetime.now())
    except CronSimError as exc:
        raise UsageError(f"--cron {args.cron!r} is not a cron expression: {exc}") from None
    db = _db_path(args.db, create_default_folder=True, lake=True)
    _data_path(args)
    sources = _sources_path(args.sources)
    _load_config(sources)
    alerts = _alerts_path(args.alerts)
    _check_writable_db(db)
    os.environ.update({"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"})
    try:
        names = deploy_to_pool(args.pool, args.cron, db if isinstance(db, str) else db.resolve(), sources.resolve(),
                               alerts)
    except ServeError as exc:
        raise UsageError(str(exc)) from None
    print(f"Deployments {', '.join(repr(n) for n in names)} on work pool '{args.pool}' of {os.environ['PREFECT_API_URL']}")
    print(f"Scheduled ingest on cron '{args.cron}' (one at a time); start a worker on each machine with:")
    print(f"    PREFECT_API_URL={os.environ['PREFECT_API_URL']} .venv/bin/newsmon worker --pool {args.pool}")
    return 0


def cmd_worker(args) -> int:
    """Replace this process with a Prefect process worker polling the pool (telemetry off)."""
    from newsmon.serving import ServeError, shared_server, telemetry_off, worker_command

    if args.limit is not None and args.limit < 1:
        raise UsageError(f"--limit must be 1 or more, not {args.limit}")
    try:
        shared_server()
    except ServeError as exc:
        raise UsageError(str(exc)) from None
    command = worker_command(args.pool, args.name, args.limit)
    print(f"newsmon worker polling work pool '{args.pool}' of {os.environ['PREFECT_API_URL']}; Ctrl-C stops it",
          flush=True)
    os.execve(command[0], command, telemetry_off(dict(os.environ)))
    return 0  # not reached


def cmd_sql(args) -> int:
    from pipeline.report import render, run_query

    db = _db_path(args.db, create_default_folder=False, lake=True)
    if args.data_path:
        os.environ["NEWSMON_DATA_PATH"] = args.data_path
    columns, rows = run_query(db, args.query, search=True, one_query=True, at=args.at)
    if columns:
        print(render(columns, rows, args.format))
    return 0


def cmd_actors_suggest(args) -> int:
    from pipeline.suggest import as_toml, suggest

    db = _db_path(args.db, create_default_folder=False, lake=True)
    since = None
    if args.since:
        try:
            since = date.fromisoformat(args.since)
        except ValueError:
            raise UsageError(f"--since must be a date YYYY-MM-DD, not {args.since!r}") from None
    found = suggest(db, since, args.min_articles, args.limit)
    if not found:
        print(f"# no name outside the registry is named in {args.min_articles} or more relevant stories"
              + (f" since {since}" if since else ""))
        return 0
    print(f"# {len(found)} names outside config/actors.toml, most covered first: review each block, then paste it")
    print("# into config/actors.toml and run `newsmon backfill --reprocess` over the affected days.\n")
    print("\n\n".join(as_toml(s) for s in found))
    return 0


def cmd_alerts_check(args) -> int:
    from pipeline.alerts import load_alerts

    path = Path(args.alerts) if args.alerts else None
    config = load_alerts(path)
    if config.path is None:
        print("no alerts file (config/alerts.toml does not exist and $NEWSMON_ALERTS is not set): no rules")
        return 0
    print(f"{config.path}: {len(config.rules)} rules, {len(config.channels)} channels")
    for rule in config.rules:
        sent_to = ", ".join(rule.channels) if rule.channels else "every channel"
        print(f"  rule {rule.name} ({rule.kind}) -> {sent_to if config.channels else 'stored only'}")
    for channel in config.channels:
        where = channel.url if channel.kind == "webhook" else f"{channel.host}:{channel.port} to {', '.join(channel.to)}"
        print(f"  channel {channel.name} ({channel.kind}): {where}")
    return 0


def cmd_alerts_list(args) -> int:
    from pipeline.report import render, run_query

    db = _db_path(args.db, create_default_folder=False, lake=True)
    if args.limit < 1:
        raise UsageError(f"--limit must be 1 or more, not {args.limit}")
    sql = (f"SELECT fired_at, rule, kind, subject, window_start, window_end, articles, deliveries, detail "
           f"FROM alert_list ORDER BY fired_at DESC, rule, subject LIMIT {int(args.limit)}")
    columns, rows = run_query(db, sql, search=False, one_query=True)
    print(render(columns, rows, args.format))
    return 0


def cmd_alerts_evaluate(args) -> int:
    """Evaluate the rules over the stored articles of a window, as a run over those days would (alerts
    already stored are not stored again), then deliver what is owed unless --no-deliver."""
    from pipeline.alerts import evaluate, load_alerts
    from pipeline.notify import deliver
    from pipeline.settings import load_settings
    from pipeline import store

    start, end = _window(args)
    db = _db_path(args.db, create_default_folder=False, lake=True)
    config = load_alerts(Path(args.alerts) if args.alerts else None)
    store.prepare(db)
    found = store.write(db, lambda w: evaluate(w.con, config, "", (start, end)))
    for alert in found.new:
        print(f"{alert.rule}: {alert.detail}")
    for error in found.errors:
        print(f"newsmon: warning: {error}", file=sys.stderr)
    print(f"{len(found.new)} new alerts ({found.seen_before} found again, already stored) from {found.rules} rules")
    if not args.no_deliver:
        sent = deliver(db, config, load_settings().fetch)
        print(f"deliveries: {sent.delivered} sent, {sent.pending} pending, {sent.given_up} given up")
        for error in sent.errors:
            print(f"newsmon: warning: delivery {error}", file=sys.stderr)
    return 0


def cmd_storage_copy(args) -> int:
    """Copy every table from a DuckDB file into a new DuckLake store, or back into a new file, verified."""
    from pipeline.lake import copy_store, describe

    copied = copy_store(args.source, args.target, args.data_path or os.environ.get("NEWSMON_DATA_PATH"))
    rows = sum(n for n, _checksum in copied.values())
    print(f"copied {len(copied)} tables ({rows:,} rows) from {describe(args.source)} to {describe(args.target)}; "
          "every table's rows and checksum match")
    return 0


def cmd_storage_maintain(args) -> int:
    """Merge a DuckLake store's small files, expire its old snapshots, delete the files they leave."""
    from pipeline.lake import describe, is_lake, maintain

    if not is_lake(args.db):
        raise UsageError("storage maintain is for a DuckLake store (ducklake:postgres:...); a DuckDB file reuses "
                         "the space it frees by itself")
    for flag, value in (("--keep-days", args.keep_days), ("--grace-hours", args.grace_hours)):
        if not 0 <= value < 36500:  # NaN too
            raise UsageError(f"{flag} must be a number of at least 0, not {value:g}")
    done = maintain(args.db, timedelta(days=args.keep_days), timedelta(hours=args.grace_hours),
                    args.data_path or os.environ.get("NEWSMON_DATA_PATH"))
    print(f"{describe(args.db)}: {done.files_before} files -> {done.files_after}; {done.snapshots_expired} snapshots "
          f"expired, {done.snapshots_left} kept; {done.files_deleted} files deleted; every table's rows and "
          f"checksum unchanged ({done.tables} tables)")
    return 0


def cmd_demo(args) -> int:
    from newsmon.sample_site.generate import sources_toml
    from newsmon.sample_site.server import serve_generated_site
    from pipeline.report import trend_summary

    db = _db_path(args.db, create_default_folder=True)
    _check_writable_db(db)
    site_dir = Path(args.site_dir)
    site_dir.mkdir(parents=True, exist_ok=True)
    try:
        server = serve_generated_site(site_dir, host="127.0.0.1", port=args.port)
    except OSError as exc:
        raise UsageError(f"cannot serve the sample site on 127.0.0.1:{args.port}: {exc.strerror}") from None
    with server:
        sources = site_dir.parent / "sample-sources.toml"
        sources.write_text(sources_toml(server.manifest), encoding="utf-8")
        print(f"Serving the sample news site at {server.base_url} (sources file: {sources})")
        _prefect_server(args, db)
        from flows.backfill import backfill_flow
        from flows.ingest import ingest_flow

        manifest = server.manifest  # the older articles are only in the sitemaps: backfill the site's span
        with flows.in_process():
            ingest_flow(db=str(db), sources=str(sources))
            backfill_flow(
                start=manifest.start[:10], end=manifest.end[:10], db=str(db), sources_file=str(sources),
                show_progress=True,
            )
    print()
    print(trend_summary(db))
    print()
    print(f'Query it:   .venv/bin/newsmon sql "SELECT * FROM actor_daily ORDER BY articles DESC LIMIT 10" --db {db}')
    print(f"Or open it: .venv/bin/duckdb -readonly {db}")
    print(f"Dashboard:  .venv/bin/newsmon dashboard --db {db}   (then http://127.0.0.1:8501)")
    return 0


def cmd_server(args) -> int:
    """`newsmon server start|stop|status`: the kept local Prefect server of a data folder."""
    from newsmon import serving

    home = serving.kept_server_home(_db_path(args.db, create_default_folder=args.server_command == "start"))
    if args.server_command == "start":
        try:
            api_url, started = serving.ensure_kept_server(home)
        except serving.ServeError as exc:
            raise UsageError(str(exc)) from None
        print(f"{'started' if started else 'already running'}: {api_url.removesuffix('/api')} (home {home})")
    elif args.server_command == "stop":
        api_url = serving.stop_kept_server(home)
        print(f"stopped {api_url.removesuffix('/api')}" if api_url else f"no local Prefect server running (home {home})")
    else:
        state = serving.kept_server(home)
        print(f"running: {state['api_url'].removesuffix('/api')} (pid {state['pid']}, home {home})" if state
              else f"not running (home {home}); the next `newsmon run` starts it")
        return 0 if state else 1
    return 0


def cmd_dashboard(args) -> int:
    """Replace this process with `streamlit run dashboards/app.py` on 127.0.0.1, usage statistics off; the
    app opens the database read-only, per query."""
    import importlib.util
    import socket

    if importlib.util.find_spec("streamlit") is None:
        raise UsageError("streamlit is not installed in this environment: run `make install`")
    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, not {args.port}")
    db = _db_path(args.db, create_default_folder=False, lake=True)
    if isinstance(db, Path):
        db = db.resolve()
        if db.is_dir():
            raise StoreError(f"database path is a directory: {db}")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            probe.bind(("127.0.0.1", args.port))
        except OSError as exc:
            raise UsageError(f"cannot serve the dashboard on 127.0.0.1:{args.port}: {exc.strerror}") from None
    app = PROJECT_ROOT / "dashboards" / "app.py"
    command = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.address", "127.0.0.1", "--server.port", str(args.port),
        "--browser.gatherUsageStats", "false", "--server.headless", "true",
        "--client.toolbarMode", "viewer",  # no "Deploy" button
        # the URL's view is set in the session before its widgets with defaults are drawn (dashboards/state.py)
        "--global.disableWidgetStateDuplicationWarning", "true",
        "--", "--db", str(db),
    ]  # fmt: skip
    from pipeline.lake import describe

    print(f"newsmon dashboard on http://127.0.0.1:{args.port} (database {describe(str(db))}); Ctrl-C stops it",
          flush=True)
    os.execve(sys.executable, command, {**os.environ, "NEWSMON_DB": str(db)})
    return 0  # not reached


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="newsmon",
        description="Monitor how the press covers a subject: feeds in, clean annotated articles in DuckDB out.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser)

    def add(name: str, help_text: str, sources: bool = True):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--db", help="DuckDB file (default: $NEWSMON_DB, else data/newsmon.duckdb)")
        if sources:
            p.add_argument("--sources", help="sources file (default: $NEWSMON_SOURCES, else config/sources.toml)")
        return p

    def add_alerts(p):
        p.add_argument("--alerts", help="alerts file (default: $NEWSMON_ALERTS, else config/alerts.toml if it exists)")
        return p

    def add_runner(p, note: str = ""):
        p.add_argument(
            "--task-runner",
            choices=("thread", "dask"),
            help="where fetching, extraction and NLP run: threads of this process (default), or a Dask cluster; "
            "the database is written by this process either way" + note,
        )
        p.add_argument(
            "--dask-address",
            metavar="tcp://HOST:PORT",
            help="scheduler of a running Dask cluster (implies --task-runner dask); without it, dask starts a "
            "temporary local cluster for the run",
        )
        return p

    def add_server_choice(p):
        p.add_argument(
            "--temporary-server",
            action="store_true",
            help="record the flow run on a temporary Prefect server for this process only (about 10 s to start) "
            "instead of the kept local server (see `newsmon server`); PREFECT_API_URL, when set, wins",
        )
        return p

    def add_data_path(p):
        p.add_argument("--data-path", metavar="DIR", help="a DuckLake store's data folder (default: "
                       "$NEWSMON_DATA_PATH, else what its catalog says; needed to create a store)")
        return p

    p = add_data_path(add_server_choice(add_alerts(add_runner(
        add("run", "one ingest pass over every feed of every source (what the schedule runs)")))))
    p.set_defaults(func=cmd_run)
    p = add("backfill", "bring in, or with --reprocess re-run extraction and NLP over, the articles of a date window")
    add_runner(p, "; given, the backfill runs here even when `newsmon serve` serves the backfill deployment")
    p.add_argument("--start", required=True, help="first day of the window, YYYY-MM-DD (inclusive)")
    p.add_argument("--end", required=True, help="last day of the window, YYYY-MM-DD (inclusive)")
    p.add_argument("--source", action="append", metavar="NAME", help="only this source (repeatable)")
    p.add_argument(
        "--reprocess",
        action="store_true",
        help="re-run extraction and NLP over the stored articles of the window, from their stored pages",
    )
    add_data_path(add_server_choice(add_alerts(p)))
    p.set_defaults(func=cmd_backfill)
    p = add("serve", "serve the Prefect deployments: the scheduled ingest and the manual backfill")
    p.add_argument("--cron", default="*/30 * * * *", help="schedule of the ingest (default: every 30 minutes)")
    p.add_argument("--prefect-port", type=int, default=4200, help="port of the local Prefect server (default 4200)")
    add_runner(p, "; for every run of the served deployments")
    add_data_path(add_alerts(p))
    p.set_defaults(func=cmd_serve)
    p = add("deploy", "register the scheduled ingest and the manual backfill on a work pool of a shared Prefect "
            "server (PREFECT_API_URL), for `newsmon worker` processes on several machines")
    p.add_argument("--pool", required=True, help="the work pool (a process pool, made if missing)")
    p.add_argument("--cron", default="*/30 * * * *", help="schedule of the ingest (default: every 30 minutes)")
    add_data_path(add_alerts(p))
    p.set_defaults(func=cmd_deploy)
    p = sub.add_parser("worker", help="run a Prefect worker that takes the runs of a work pool (what each machine runs)",
                       description="run a Prefect process worker that takes the runs of a work pool of the shared "
                       "Prefect server (PREFECT_API_URL), until Ctrl-C")
    p.add_argument("--pool", required=True, help="the work pool to poll")
    p.add_argument("--name", help="the worker's name (default: one Prefect makes up)")
    p.add_argument("--limit", type=int, help="at most this many runs at once on this worker (default: no limit)")
    p.set_defaults(func=cmd_worker)
    p = add("sql", "run one read-only SQL query and print the result", sources=False)
    p.add_argument("query", help="the SQL query")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--at", metavar="SNAPSHOT|TIMESTAMP",
                   help="a DuckLake store as of this snapshot id or time (e.g. 2026-12-03 14:05:00)")
    p.add_argument("--data-path", metavar="DIR",
                   help="a DuckLake store's data folder (default: $NEWSMON_DATA_PATH, else what its catalog says)")
    p.set_defaults(func=cmd_sql)
    p = add("demo", "serve the bundled sample news site on 127.0.0.1, ingest it and print a trend summary", sources=False)
    p.add_argument("--port", type=int, default=DEMO_PORT, help=f"port for the sample site (default {DEMO_PORT})")
    p.add_argument("--site-dir", default="data/sample-site", help="where the sample site is generated")
    add_server_choice(p)
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("server", help="the local Prefect server that runs record their flow runs on: start, stop, status",
                       description="the kept local Prefect server (with its UI) of a data folder: the first "
                       "`newsmon run`, `backfill` or `demo` without PREFECT_API_URL starts it and later runs reuse it")
    server = p.add_subparsers(dest="server_command", required=True, metavar="ACTION", parser_class=OneLineParser)
    for action, text in (("start", "start it (if it is not running) and print its address"),
                         ("stop", "stop it"), ("status", "print its address, or exit 1 when it is not running")):
        q = server.add_parser(action, help=text, description=text)
        q.add_argument("--db", help="DuckDB file whose folder holds the server (default: $NEWSMON_DB, else "
                       "data/newsmon.duckdb)")
        q.set_defaults(func=cmd_server)
    p = sub.add_parser("actors", help="the actor registry: suggest names to add", description="the actor registry")
    actors = p.add_subparsers(dest="actors_command", required=True, metavar="ACTION", parser_class=OneLineParser)
    p = actors.add_parser(
        "suggest",
        help="print TOML blocks for config/actors.toml: the most frequent names outside the registry",
        description="print TOML blocks for config/actors.toml: the names outside the registry named in the most "
        "relevant stories, with their spellings and two sentences where they were seen",
    )
    p.add_argument("--db", help="DuckDB file (default: $NEWSMON_DB, else data/newsmon.duckdb)")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="only articles of this day or later (default: all)")
    p.add_argument("--min-articles", type=int, default=3, help="named in at least this many stories (default 3)")
    p.add_argument("--limit", type=int, default=20, help="at most this many names (default 20)")
    p.set_defaults(func=cmd_actors_suggest)
    p = sub.add_parser("storage", help="move the tables between a DuckDB file and a DuckLake store",
                       description="move the tables between a DuckDB file and a DuckLake store (docs/scaling.md)")
    storage = p.add_subparsers(dest="storage_command", required=True, metavar="ACTION", parser_class=OneLineParser)
    p = storage.add_parser(
        "copy", help="copy every table from a DuckDB file into a new DuckLake store, or back into a new file",
        description="copy every table from a DuckDB file into a new, empty DuckLake store (ducklake:postgres:...), "
        "or from a store into a new DuckDB file, in one transaction, checked table by table (rows and checksum)")
    p.add_argument("--from", dest="source", required=True, metavar="DB", help="a DuckDB file or ducklake:postgres:...")
    p.add_argument("--to", dest="target", required=True, metavar="DB", help="a new DuckDB file or an empty DuckLake store")
    p.add_argument("--data-path", metavar="DIR",
                   help="the DuckLake store's data folder (default: $NEWSMON_DATA_PATH; needed for a new store)")
    p.set_defaults(func=cmd_storage_copy)
    p = storage.add_parser(
        "maintain", help="merge a DuckLake store's small files, expire old snapshots, delete the files they leave",
        description="merge the small Parquet files each commit leaves, expire the snapshots older than --keep-days "
        "(the past before them can no longer be queried with sql --at), then delete from the data folder the files "
        "left over for at least --grace-hours (readers may still be scanning newer ones); run it daily (docs/scaling.md)")
    p.add_argument("--db", required=True, metavar="DB", help="a DuckLake store: ducklake:postgres:...")
    p.add_argument("--data-path", metavar="DIR", help="the store's data folder (default: $NEWSMON_DATA_PATH, else what "
                   "its catalog says)")
    p.add_argument("--keep-days", type=float, default=7.0, help="keep snapshots this many days old (default 7)")
    p.add_argument("--grace-hours", type=float, default=24.0,
                   help="delete left-over files once they have waited this long (default 24)")
    p.set_defaults(func=cmd_storage_maintain)
    p = sub.add_parser("alerts", help="watchlists and alerts: check the alerts file, list alerts, evaluate rules",
                       description="watchlists and alerts (docs/alerts.md)")
    alerts = p.add_subparsers(dest="alerts_command", required=True, metavar="ACTION", parser_class=OneLineParser)
    p = add_alerts(alerts.add_parser("check", help="read and check the alerts file; print its rules and channels",
                                     description="read and check the alerts file; print its rules and channels"))
    p.set_defaults(func=cmd_alerts_check)
    p = alerts.add_parser("list", help="print the latest alerts with their deliveries",
                          description="print the latest alerts with their deliveries (the alert_list view)")
    p.add_argument("--db", help="DuckDB file (default: $NEWSMON_DB, else data/newsmon.duckdb)")
    p.add_argument("--limit", type=int, default=20, help="at most this many alerts, newest first (default 20)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(func=cmd_alerts_list)
    p = add_alerts(alerts.add_parser(
        "evaluate", help="evaluate the rules over the stored articles of a window and deliver what is owed",
        description="evaluate the rules over the stored articles of a window (as a run over those days would: an "
        "alert already stored is not stored again), then deliver every delivery still owed"))
    p.add_argument("--db", help="DuckDB file (default: $NEWSMON_DB, else data/newsmon.duckdb)")
    p.add_argument("--start", required=True, help="first day of the window, YYYY-MM-DD (inclusive)")
    p.add_argument("--end", required=True, help="last day of the window, YYYY-MM-DD (inclusive)")
    p.add_argument("--no-deliver", action="store_true", help="store the alerts, send nothing")
    p.set_defaults(func=cmd_alerts_evaluate)
    p = add("dashboard", "serve the dashboard on 127.0.0.1 (reads the database read-only)", sources=False)
    p.add_argument("--port", type=int, default=8501, help="port for the dashboard (default 8501)")
    p.set_defaults(func=cmd_dashboard)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ConfigError, StoreError, UsageError) as exc:
        print(f"newsmon: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("newsmon: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`newsmon sql ... | head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
