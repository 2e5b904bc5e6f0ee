"""The command line: a thin Typer layer over the core.  Options shared by commands are defined once.

Exit codes: 0 success; 1 the input or an option value could not be used (one line on
stderr says what and how to fix it, nothing is written); 2 the command line itself
is wrong (unknown option, missing argument); 3 ``report --strict`` wrote the report
but warned (a week without messages, an export ending before the week does, a
pattern matching no file).
"""

from __future__ import annotations

import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from curtool import __version__
from curtool.app import lang, pipeline
from curtool.app.failures import handles_errors, install_signal_handlers
from curtool.app.helptext import LocalizedGroup
from curtool.app.lang import tr
from curtool.app.options import (
    CsvDialectOption,
    DistrictsNameOption,
    DistrictsOption,
    GeoJsonOption,
    LangOption,
    ModelOptions,
    Options,
    ReadOptions,
    reads_messages,
)
from curtool.core import columns as C
from curtool.core import errors
from curtool.core.wording import fmt_int

app = typer.Typer(
    name="curtool",
    help="Classify, track and report citizen messages for regional management centres (ЦУР/МЦУ).",
    no_args_is_help=True,
    cls=LocalizedGroup,  # --help in the console's language
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# --- shared options, defined once ----------------------------------------------------------

Inputs = Annotated[
    list[str],
    typer.Argument(
        help="Export files (.xlsx .xls .ods .csv .tsv; globs like 'exports/*.xlsx' work), "
        "or one archive folder made by `curtool archive`."
    ),
]
Force = Annotated[bool, typer.Option("--force", help="Overwrite an existing output file.")]
# exit code of a run that did its work but has something to flag (--strict); see the README
EXIT_WARNING = 3


def _say_warnings(warnings: list[str]) -> None:
    from curtool.app.messages import warning_line

    for line in warnings:
        typer.echo(warning_line(line), err=True)


def _refuse_overwriting_inputs(inputs: list[str], *targets: Path | None) -> None:
    """An input is never an output: ``-o export.xlsx`` on ``export.xlsx`` would destroy the export."""
    from curtool.io.loader import expand_paths

    try:
        seen = {path.resolve() for path in expand_paths(inputs)}
    except errors.CurtoolError:
        return  # no input to overwrite; the loader says what is wrong with them
    for target in targets:
        if target is not None and Path(target).resolve() in seen:
            raise errors.CurtoolError(
                errors.BAD_OPTION,
                "the output would overwrite an input file",
                "name another output file; curtool never writes over its inputs",
                path=target,
            )


def _console(quiet: bool = False):
    from curtool.app.console import make_console

    return make_console(quiet=quiet)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"curtool {__version__}")
        raise typer.Exit()


@app.callback()
@handles_errors
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    language: LangOption = None,
) -> None:
    """curtool: classify, track and report citizen messages."""
    lang.start(language)


# --- inspect ------------------------------------------------------------------------------


@app.command()
@handles_errors
@reads_messages()
def inspect(
    inputs: Inputs,
    read: ReadOptions = ReadOptions(),
) -> None:
    """Show how an export is read: encoding, sheet, header row, column mapping, rows set aside."""
    from curtool.app.console import print_inspect

    data = pipeline.load_files(inputs, Options.build(read=read))
    _say_warnings(data.warnings)
    print_inspect(_console(), data)


# --- archive ------------------------------------------------------------------------------


@app.command()
@handles_errors
@reads_messages()
def archive(
    inputs: Annotated[
        list[str],
        typer.Argument(help="Export files (.xlsx .xls .ods .csv .tsv); globs like 'exports/*.xlsx' work."),
    ],
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="The archive folder: made when absent, added to when present."),
    ],
    read: ReadOptions = ReadOptions(),
) -> None:
    """Add exports to a Parquet archive (by month) that report and recurring read, in memory or on Dask."""
    from curtool.app.console import print_archive
    from curtool.app.progress import progress_bar

    _refuse_overwriting_inputs(inputs, output)
    with progress_bar() as progress:
        run = pipeline.archive_files(inputs, output, Options.build(read=read), progress)
    _say_warnings(run.warnings)
    print_archive(_console(), run.appended)


# --- classify -----------------------------------------------------------------------------


def _default_output(first_input: str, tag: str) -> Path:
    path = Path(first_input)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv", ".parquet", ".jsonl"):
        suffix = ".xlsx"
    if "*" in path.name or "?" in path.name:
        return Path(path.parent) / f"curtool-{tag}{suffix}"
    return path.with_name(f"{path.stem}.{tag}{suffix}")


@app.command()
@handles_errors
@reads_messages(classifies=True)
def classify(
    inputs: Inputs,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Output file; format from the extension (.xlsx .csv .parquet .jsonl)."
        ),
    ] = None,
    force: Force = False,
    csv_dialect: CsvDialectOption = None,
    read: ReadOptions = ReadOptions(),
    models: ModelOptions = ModelOptions(),
) -> None:
    """Assign every message to a sector block, with confidence and the evidence behind it."""
    import pandas as pd

    from curtool.app.console import print_sector_summary, say_wrapped
    from curtool.app.progress import progress_bar
    from curtool.io import output as out

    target = output or _default_output(inputs[0], "classified")
    _refuse_overwriting_inputs(inputs, target)
    out.check_writable(target, force)
    if target.suffix.lower() not in out.TABLE_FORMATS:
        raise errors.CurtoolError(
            errors.BAD_OPTION,
            f"cannot write «{target.suffix}» files",
            f"name the output with one of {', '.join(out.TABLE_FORMATS)}",
            path=target,
        )
    opts = Options.build(read=read, models=models, csv_dialect=csv_dialect)
    if opts.engine.distributed:
        _classify_on_dask(inputs, opts, target)
        return
    with progress_bar() as progress:
        data = pipeline.load_files(inputs, opts, progress)
        _say_warnings(data.warnings)
        run = pipeline.classify_files(data, opts, progress)
        pipeline.begin(progress, pipeline.WRITING)
        table = out.write_table(run.table, target, sheet_name="Сообщения", dialect=opts.csv_dialect)
    protected = table.protected
    console = _console()
    _print_categories(console, run.categories, data)
    shown = pd.concat([data.frame[[C.ID]], data.frame[C.CLEAN].rename(C.TEXT), run.result], axis=1)
    print_sector_summary(console, shown, rows=~data.frame[C.DUPLICATE].to_numpy())
    _print_issue_line(console, data)
    if protected:
        say_wrapped(console, _protected_line(protected))
    console.print(_written(target, tr(f"{fmt_int(len(run.table))} строк", f"{len(run.table):,} rows")))


def _classify_on_dask(inputs: list[str], opts: Options, target: Path) -> None:
    """``classify --engine dask``: part by part on the workers, streamed into the output."""
    from curtool.app.console import say_wrapped
    from curtool.app.distributed import classify_archive
    from curtool.app.progress import progress_bar

    with progress_bar() as progress, pipeline.engine_source(inputs, opts, progress) as source:
        done = classify_archive(source, opts, target, progress)
    console = _console()
    shown = ", ".join(f"{block} {n:,}" for block, n in done.sectors.items())
    say_wrapped(
        console, tr("Сообщения по блокам (без повторов): ", "Messages by block (duplicates aside): ") + shown
    )
    if done.protected:
        say_wrapped(console, _protected_line(done.protected))
    console.print(
        _written(
            target, tr(f"{fmt_int(done.rows)} строк, по месяцам", f"{done.rows:,} rows, grouped by month")
        )
    )


def _say(line: str) -> None:
    """A sentence on stdout, wrapped to the console's width."""
    from curtool.app.console import say_wrapped

    say_wrapped(_console(), line)


def _written(target: object, detail: str = "") -> str:
    return tr("Записано: ", "Written: ") + str(target) + (f" ({detail})" if detail else "")


def _protected_line(cells: int) -> str:
    return tr(
        f"Защищено {fmt_int(cells)} ячеек, начинавшихся с = + - @ (формулы в таблице): "
        "записаны с ' в начале, чтобы открывались как текст",
        f"Protected {cells:,} cells starting with = + - @ (formulas in a spreadsheet): "
        "written with a leading ' so they open as text",
    )


def _print_categories(console, mapping, data) -> None:
    from curtool.app.console import print_categories

    files = data.files if data is not None else []
    headers = [f.mapping["group"] for f in files if "group" in f.mapping]
    print_categories(console, mapping, list(dict.fromkeys(headers)))


def _print_issue_line(console, data) -> None:
    from curtool.app.console import issue_name, say_wrapped

    counts = data.issue_counts()
    if counts:
        said = ", ".join(f"{issue_name(k)} {v}" for k, v in counts.items())
        say_wrapped(console, tr("Отмечены строки: ", "Rows flagged: ") + said)


# --- train / evaluate -------------------------------------------------------------------


LabelCol = Annotated[str, typer.Option("--label-column", help="Column holding the true label.")]
AltLabelCol = Annotated[
    str | None,
    typer.Option(
        "--alt-label-column",
        help="Column with a second defensible label (may be empty); adds lenient accuracy.",
    ),
]


@app.command()
@handles_errors
@reads_messages()
def train(
    inputs: Inputs,
    label_column: LabelCol,
    alt_label_column: AltLabelCol = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to save the model.")] = Path(
        "curtool-model.npz"
    ),
    cv: Annotated[
        int, typer.Option("--cv", min=0, help="Also report k-fold cross-validation (0 = off, else ≥ 2).")
    ] = 0,
    force: Force = False,
    read: ReadOptions = ReadOptions(),
) -> None:
    """Learn a sector model from a region's own labelled history."""
    from curtool.app.progress import progress_bar
    from curtool.io.modelfile import save_model
    from curtool.io.output import check_writable

    pipeline.check_folds(cv)
    _refuse_overwriting_inputs(inputs, output)
    check_writable(output, force)
    with progress_bar() as progress:
        data = pipeline.load_files(inputs, Options.build(read=read), progress)
        _say_warnings(data.warnings)
        run = pipeline.train_from_files(
            data, label_column, alt_label_column=alt_label_column, cv=cv, progress=progress
        )
    console = _console()
    if run.cross_validation is not None:
        from curtool.app.console import print_evaluation

        print_evaluation(
            console,
            run.cross_validation,
            tr(f"перекрёстная проверка на {cv} частях", f"{cv}-fold cross-validation"),
        )
    save_model(run.model, output)
    console.print(
        tr(
            f"Модель сохранена: {output} ({fmt_int(run.messages)} сообщений, меток: {run.labels})",
            f"Model saved: {output} ({run.messages:,} messages, {run.labels} labels)",
        )
    )


@app.command()
@handles_errors
@reads_messages(classifies=True)
def evaluate(
    inputs: Inputs,
    label_column: LabelCol,
    alt_label_column: AltLabelCol = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the metrics to an .xlsx file.")
    ] = None,
    force: Force = False,
    read: ReadOptions = ReadOptions(),
    models: ModelOptions = ModelOptions(),
) -> None:
    """Measure a model against labelled messages: per-class P/R/F1, macro-F1, confusion matrix."""
    import json

    from curtool.app.progress import progress_bar
    from curtool.io.evalbook import write_evaluation

    if output is not None:
        from curtool.io.output import check_writable

        _refuse_overwriting_inputs(inputs, output)
        check_writable(output, force)
    opts = Options.build(read=read, models=models)
    with progress_bar() as progress:
        data = pipeline.load_files(inputs, opts, progress)
        _say_warnings(data.warnings)
        run = pipeline.evaluate_files(
            data, label_column, opts, alt_label_column=alt_label_column, progress=progress
        )
    if as_json:
        typer.echo(json.dumps(run.evaluation.as_dict(), ensure_ascii=False, indent=2))
    else:
        from curtool.app.console import print_evaluation

        what = {"kind": tr("виды", "kinds"), "sector": tr("секторы", "sectors")}.get(
            run.level, tr("метки", "labels")
        )
        print_evaluation(
            _console(),
            run.evaluation,
            tr(f"{fmt_int(run.messages)} сообщений, {what}", f"{run.messages:,} messages, {what}"),
        )
    if output is not None:
        write_evaluation(run.evaluation, output)


# --- recurring ---------------------------------------------------------------------------


def _parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        try:
            return datetime.strptime(value, "%d.%m.%Y").date()
        except ValueError:
            raise errors.CurtoolError(
                errors.BAD_OPTION, f"{option} {value!r} is not a date", "write it as 2026-11-23 or 23.11.2026"
            ) from None


@app.command()
@handles_errors
@reads_messages(classifies=True)
def recurring(
    inputs: Inputs,
    district: Annotated[
        str | None, typer.Option("--district", help="Only this district (matched tolerantly).")
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="First day, 2026-09-01.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Last day, 2026-11-30.")] = None,
    min_count: Annotated[
        int | None, typer.Option("--min-count", min=1, help="Messages needed (default 3).")
    ] = None,
    min_weeks: Annotated[
        int | None, typer.Option("--min-weeks", min=1, help="Distinct weeks needed (default 2).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Excel workbook: problems + messages.")
    ] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the problems as JSON.")] = None,
    geojson: GeoJsonOption = None,
    top: Annotated[
        int, typer.Option("--top", min=1, help="Problems shown per district on the console.")
    ] = 10,
    rank_by: Annotated[
        str,
        typer.Option(
            "--rank-by",
            help="count (messages) or reach (engagement, then audience: «Вовлеченность», «Аудитория»).",
        ),
    ] = "count",
    force: Force = False,
    read: ReadOptions = ReadOptions(),
    models: ModelOptions = ModelOptions(),
) -> None:
    """The problems that keep coming back in a district, ranked, each with its messages."""
    from curtool.app.console import print_recurring
    from curtool.app.progress import progress_bar
    from curtool.io.output import check_writable, write_json
    from curtool.io.recurringbook import write_recurring_workbook

    pipeline.check_ranking(rank_by)
    _refuse_overwriting_inputs(inputs, output, json_path, geojson)
    for path in (output, json_path, geojson):
        if path is not None:
            check_writable(path, force)
    start, end = _parse_day(since, "--since"), _parse_day(until, "--until")
    opts = Options.build(read=read, models=models, min_count=min_count, min_weeks=min_weeks)
    with progress_bar() as progress, pipeline.engine_source(inputs, opts, progress) as source:
        if isinstance(source, pipeline.Dataset):
            _say_warnings(source.warnings)
        run = pipeline.find_problems(
            source, opts, district=district, since=start, until=end, progress=progress, rank=rank_by
        )
    print_recurring(_console(), run.result, run.settings, top=top, reach=rank_by == "reach")
    if output is not None:
        write_recurring_workbook(run.result, run.data.frame, output)
        typer.echo(_written(output))
    if json_path is not None:
        write_json(run.result.to_json_dict(), json_path)
        typer.echo(_written(json_path))
    if geojson is not None:
        from curtool.io.geojson import write_geojson

        points = pipeline.problem_points(run)
        write_geojson(points, geojson, name="curtool recurring")
        _say(points.summary())
        typer.echo(_written(geojson))


# --- report -------------------------------------------------------------------------------


@app.command()
@handles_errors
@reads_messages(classifies=True)
def report(
    inputs: Inputs,
    week: Annotated[
        str | None,
        typer.Option("--week", help="2026-W47, or 'last' for the last complete week before today (cron)."),
    ] = None,
    month: Annotated[
        str | None,
        typer.Option("--month", help="2026-11, or 'last' for the last complete month before today."),
    ] = None,
    quarter: Annotated[
        str | None,
        typer.Option("--quarter", help="2026-Q4, or 'last' for the last complete quarter before today."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="First day of the period, YYYY-MM-DD (alone: to the end of the data)."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Last day of the period, YYYY-MM-DD (alone: from the data's start)."),
    ] = None,
    weeks_back: Annotated[
        int | None,
        typer.Option(
            "--weeks-back",
            min=1,
            max=104,
            help="Baseline periods before the report's (weeks, months…; default 8).",
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            help="Output name; {period} (or {week}) is replaced (default reports/curtool-{period}.xlsx).",
        ),
    ] = None,
    population: Annotated[
        Path | None,
        typer.Option("--population", help="CSV/XLSX: district, population (per 10,000 residents)."),
    ] = None,
    mask_pii: Annotated[
        bool, typer.Option("--mask-pii", help="Mask phone numbers, e-mails and profile links.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing on success (for cron).")
    ] = False,
    log: Annotated[
        Path | None,
        typer.Option(
            "--log", help="Append a one-line record of the run here (default: curtool.log beside the output)."
        ),
    ] = None,
    today: Annotated[
        str | None, typer.Option("--today", hidden=True, help="Pretend today is this date (tests).")
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force/--no-force", help="Overwrite an existing report (default: yes, the write is atomic)."
        ),
    ] = True,
    geojson: GeoJsonOption = None,
    districts: DistrictsOption = None,
    districts_name_field: DistrictsNameOption = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help=f"Exit {EXIT_WARNING} (report still written) when there was a warning: a week without "
            "messages, an export that stops before the week ends, a pattern matching no file.",
        ),
    ] = False,
    state_file: Annotated[
        Path | None,
        typer.Option(
            "--state",
            help="Problem-state file: which problems are new, continue, went quiet or came back "
            "(default: curtool-state.json beside the report).",
        ),
    ] = None,
    no_state: Annotated[
        bool, typer.Option("--no-state", help="Neither read nor write the problem-state file.")
    ] = False,
    read: ReadOptions = ReadOptions(),
    models: ModelOptions = ModelOptions(),
) -> None:
    """The weekly (or monthly, quarterly, any period's) report: one Excel workbook and one
    screen; safe to run from cron."""
    started = time.monotonic()
    chosen = {"week": week, "month": month, "quarter": quarter, "since": since, "until": until}
    status, target, rows, week_label, title = "error", None, 0, _chosen_label(chosen), ""
    log_path = log or Path(output or "reports/curtool-{period}.xlsx").parent / "curtool.log"
    warnings: list[str] = []
    try:
        from curtool.app.progress import progress_bar
        from curtool.core.districtmap import choropleth
        from curtool.core.periods import check_choice
        from curtool.io.geojson import read_districts, write_districts, write_geojson
        from curtool.io.output import check_writable
        from curtool.io.reportbook import write_report
        from curtool.io.sidefiles import read_population
        from curtool.io.statefile import read_state, write_state

        _state_path(state_file, no_state, Path("."))  # a contradiction is said before any reading
        opts = Options.build(
            read=read, models=models, weeks_back=weeks_back, output=output, population=population
        )
        day = _parse_day(today, "--today") or date.today()
        check_choice(day, **chosen)  # a mistyped --month is said before a million rows are read
        with progress_bar(quiet) as progress, pipeline.engine_source(inputs, opts, progress) as data:
            rows = pipeline.source_rows(data)
            if isinstance(data, pipeline.Dataset):
                data.drop_originals()  # every sheet is built from the analysis columns
            # the output is named and checked before the work: a report that cannot be written
            # is said at once, not after the whole computation
            period = pipeline.report_period(data, day, **chosen)
            week_label, title = period.label, period.title
            named = Path(opts.output.replace("{period}", week_label).replace("{week}", week_label))
            state_path = _state_path(state_file, no_state, named)
            districts_path = _districts_output(named) if districts is not None else None
            _refuse_overwriting_inputs(
                inputs, named, log_path if log is not None else None, geojson, districts_path, state_path
            )
            check_writable(named, force, make_folder=True)
            for extra in (geojson, districts_path):
                if extra is not None:
                    check_writable(extra, force, make_folder=True)
            target = named  # only now: the run log names an output that may be written
            previous = read_state(state_path) if state_path is not None else None
            pop = read_population(opts.population) if opts.population is not None else None
            shapes = read_districts(districts, districts_name_field) if districts is not None else None
            run = pipeline.run_report(
                data,
                opts,
                period=period,
                today=day,
                mask_pii=mask_pii,
                population=pop,
                progress=progress,
                state=previous,
            )
            pipeline.begin(progress, pipeline.WRITING)
            built, warnings = run.report, run.warnings
            if shapes is not None:
                built.districts = choropleth(shapes[0], built.heat.counts, built.heat.population, shapes[1])
            write_report(built, target)
        if geojson is not None and built.geo is not None:
            write_geojson(built.geo, geojson, name=f"curtool report {built.week}")
        if districts_path is not None and built.districts is not None:
            write_districts(built.districts, districts_path, built.period)
        # only after the workbook: a failed run leaves the state as the last good report left it
        if state_path is not None and built.dynamics is not None and built.dynamics.updated:
            write_state(built.dynamics.state, state_path)
        status = "warning" if warnings else "ok"
        _say_warnings(warnings)
        if not quiet:
            from curtool.app.console import print_report

            shown = data if isinstance(data, pipeline.Dataset) else None
            _print_categories(_console(), run.categories, shown)
            print_report(_console(), built)
            if built.geo is not None and (geojson is not None or built.geo.has_points):
                _say(built.geo.summary())
            for note in built.districts.notes() if built.districts is not None else []:
                _say(note)
            typer.echo(_written(target))
            for extra in (geojson, districts_path):
                if extra is not None:
                    typer.echo(_written(extra))
    finally:
        if log is None and target is not None:
            log_path = target.parent / "curtool.log"
        _log_run(
            log_path, target, status, week_label, rows, inputs, time.monotonic() - started, warnings, title
        )
    if strict and warnings:
        raise typer.Exit(EXIT_WARNING)


def _districts_output(report: Path) -> Path:
    """Where ``report --districts`` writes the districts with their counts: beside the workbook."""
    return report.with_name(f"{report.stem}-districts.geojson")


def _state_path(state_file: Path | None, no_state: bool, report: Path) -> Path | None:
    """The problem-state file a report reads and writes: ``--state``, else beside the report."""
    from curtool.io.statefile import default_path

    if no_state and state_file is not None:
        raise errors.CurtoolError(
            errors.BAD_OPTION, "--state and --no-state contradict each other", "give one of them"
        )
    if no_state:
        return None
    return state_file if state_file is not None else default_path(report)


def _chosen_label(chosen: dict[str, str | None]) -> str:
    """The period as asked for, for the log of a run that fails before it is resolved."""
    if chosen["since"] is not None or chosen["until"] is not None:
        return f"{chosen['since'] or ''}..{chosen['until'] or ''}"
    return next((v for k, v in chosen.items() if v is not None), "auto")


def _log_run(
    path: Path,
    target: Path | None,
    status: str,
    week: str,
    rows: int,
    inputs,
    seconds: float,
    warnings: list[str] | None = None,
    title: str = "",
) -> None:
    """One line per run, so a cron job leaves a trail even when nobody reads its mail.

    ``week`` is the period's label (the field keeps its name for the scripts that read
    the log), ``title`` the period in words («Ноябрь 2026»), once it is known."""
    said = "".join(f"\twarning={' '.join(w.split())}" for w in warnings or [])
    named = f"period={title}\t" if title else ""
    line = (
        f"{datetime.now().isoformat(timespec='seconds')}\treport\t{status}\tweek={week}\t{named}"
        f"rows={rows}\tseconds={seconds:.1f}\tout={target or '-'}\tin={' '.join(map(str, inputs))}"
        f"{said}\n"
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(line)
    except OSError:
        pass  # the log is a courtesy; it must never turn a good report into a failure


# --- sample -------------------------------------------------------------------------------


@app.command()
@handles_errors
def sample(
    folder: Annotated[Path, typer.Argument(help="Where to write the sample exports.")] = Path("data/samples"),
    rows: Annotated[
        int,
        typer.Option(
            "--rows", min=0, help="Instead: write a benchmark CSV/XLSX with this many generated rows."
        ),
    ] = 0,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Benchmark file (.csv or .xlsx) for --rows.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed")] = 2026,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that already exist.")] = False,
) -> None:
    """Write the bundled sample exports and the labelled sample (or, with --rows, generated data
    for benchmarks); existing files are kept unless --force."""
    from curtool import synthetic

    if rows:
        target = output or Path(f"bench-{rows}.csv")
        _refuse_existing([target], force)
        if target.suffix.lower() == ".xlsx":
            synthetic.write_benchmark_xlsx(target, rows, seed)
        else:
            synthetic.write_benchmark_csv(target, rows, seed)
        typer.echo(_written(target))
        return
    if output is not None:
        # `curtool sample -o s` wrote the samples into data/samples: -o names a benchmark file
        raise errors.CurtoolError(
            errors.BAD_OPTION,
            "-o names the benchmark file of --rows, and --rows is not given",
            f"write the samples into a folder with `curtool sample {output}`, or add --rows N",
        )
    paths = synthetic.sample_paths(folder)
    _refuse_existing(list(paths.values()), force)  # all checked before any is written
    for name, path in synthetic.write_samples(folder, seed=seed).items():
        typer.echo(_written(path, name))


def _refuse_existing(targets: list[Path], force: bool) -> None:
    if force:
        return
    for target in targets:
        if target.exists():
            raise errors.CurtoolError(
                errors.OUTPUT_EXISTS,
                "file already exists; nothing was written",
                "add --force to write over it",
                path=target,
            )


def main() -> None:
    install_signal_handlers()
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(1)
