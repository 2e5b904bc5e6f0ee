"""The command line: a thin Typer layer over the core.  Options shared by commands are defined once.

Exit codes: 0 success; 1 the input or an option value could not be used (one line on
stderr says what and how to fix it, nothing is written); 2 the command line itself
is wrong (unknown option, missing argument); 3 ``report --strict`` wrote the report
but warned (a week without messages, an export ending before the week does, a
pattern matching no file).
"""

from __future__ import annotations

import functools
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from inspect import Parameter, signature
from pathlib import Path
from typing import Annotated, Any

import typer

from curtool import __version__
from curtool.core import columns as C
from curtool.core import errors

app = typer.Typer(
    name="curtool",
    help="Classify, track and report citizen messages for regional management centres (ЦУР/МЦУ).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# --- shared options, defined once ----------------------------------------------------------

Inputs = Annotated[
    list[str],
    typer.Argument(help="Export files (.xlsx .xls .ods .csv .tsv); globs like 'exports/*.xlsx' work."),
]
Force = Annotated[bool, typer.Option("--force", help="Overwrite an existing output file.")]
# exit code of a run that did its work but has something to flag (--strict); see the README
EXIT_WARNING = 3

_COLUMN_HELP = {
    "text": "the message text",
    "id": "the message id",
    "district": "the district",
    "created": "the creation date",
    "address": "the address of the problem",
    "lat": "the latitude",
    "lon": "the longitude",
    "group": "the export's own topic group or category",
    "topic": "the export's own topic («Тема», subcategory, portal reason)",
}


@dataclass(frozen=True)
class ReadOptions:
    """How to read the exports: the options of every command that reads messages."""

    sheet: str | None = None
    encoding: str | None = None
    separator: str | None = None
    no_header: bool = False
    columns: dict[str, str] = field(default_factory=dict)  # loader field -> column, as typed
    gazetteer: Path | None = None
    config: Path | None = None


@dataclass(frozen=True)
class ModelOptions:
    """Which model and taxonomy classify, and whether the export's own group is trusted."""

    model: Path | None = None
    taxonomy: Path | None = None
    ignore_given: bool | None = None  # None: the command's own default

    def use_given(self, default: bool = True) -> bool:
        return default if self.ignore_given is None else not self.ignore_given


def _param(name: str, annotation: Any, default: Any) -> Parameter:
    return Parameter(name, Parameter.KEYWORD_ONLY, default=default, annotation=annotation)


# command parameter («date_column») -> loader field («created»), from the one list of options
_COLUMN_PARAMS = {option[2:].replace("-", "_"): fld for fld, option in C.COLUMN_OPTIONS.items()}

# (parameter, Typer annotation, default): one definition, given to every command that reads
_READ_PARAMS: list[tuple[str, Any, Any]] = [
    ("sheet", Annotated[str | None, typer.Option("--sheet", help="Sheet name or number (Excel/ODS).")], None),
    (
        "encoding",
        Annotated[str | None, typer.Option("--encoding", help="CSV encoding, if detection is wrong.")],
        None,
    ),
    (
        "separator",
        Annotated[str | None, typer.Option("--separator", help="CSV separator, if detection is wrong.")],
        None,
    ),
    (
        "no_header",
        Annotated[
            bool,
            typer.Option(
                "--no-header",
                help="The first line is already data: name columns by position (2) or letter (B).",
            ),
        ],
        False,
    ),
    *[
        (
            param,
            Annotated[
                str | None,
                typer.Option(
                    C.COLUMN_OPTIONS[fld],
                    help=f"Column holding {_COLUMN_HELP[fld]}: its name, position or letter.",
                ),
            ],
            None,
        )
        for param, fld in _COLUMN_PARAMS.items()
    ],
    (
        "gazetteer",
        Annotated[
            Path | None,
            typer.Option("--gazetteer", help="CSV of canonical district names (+ aliases, population)."),
        ],
        None,
    ),
    (
        "config",
        Annotated[
            Path | None,
            typer.Option("--config", help="Project config (default: ./curtool.toml if present)."),
        ],
        None,
    ),
]
_MODEL_PARAMS: list[tuple[str, Any, Any]] = [
    (
        "model",
        Annotated[Path | None, typer.Option("--model", help="A model made by `curtool train`.")],
        None,
    ),
    (
        "taxonomy",
        Annotated[Path | None, typer.Option("--taxonomy", help="Replacement taxonomy TOML.")],
        None,
    ),
    (
        "ignore_given",
        Annotated[
            bool | None,
            typer.Option(
                "--ignore-given/--use-given",
                help="Predict every row, or trust the export's own group where it names a block.",
                show_default=False,
            ),
        ],
        None,
    ),
]
READ_OPTION_NAMES = [name for name, _, _ in _READ_PARAMS]
MODEL_OPTION_NAMES = [name for name, _, _ in _MODEL_PARAMS]


def reads_messages(*, classifies: bool = False):
    """Give a command the shared reading options (and, if it ``classifies``, the model ones).

    The command declares ``read: ReadOptions`` (and ``models: ModelOptions``); the
    options themselves are added to its signature here, once for all commands, the way
    csvkit builds its common flags: a new option reaches every command at once.
    """

    def decorate(func):
        sig = signature(func, eval_str=True)
        own = [p for name, p in sig.parameters.items() if name not in ("read", "models")]
        shared = _READ_PARAMS + (_MODEL_PARAMS if classifies else [])

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            values = {name: kwargs.pop(name, default) for name, _, default in shared}
            columns = {fld: values[param] for param, fld in _COLUMN_PARAMS.items() if values[param]}
            kwargs["read"] = ReadOptions(
                sheet=values["sheet"],
                encoding=values["encoding"],
                separator=values["separator"],
                no_header=values["no_header"],
                columns=columns,
                gazetteer=values["gazetteer"],
                config=values["config"],
            )
            if classifies:
                kwargs["models"] = ModelOptions(values["model"], values["taxonomy"], values["ignore_given"])
            return func(*args, **kwargs)

        wrapper.__signature__ = sig.replace(  # type: ignore[attr-defined]
            parameters=own + [_param(name, annotation, default) for name, annotation, default in shared]
        )
        return wrapper

    return decorate


def fail(exc: errors.CurtoolError) -> typer.Exit:
    typer.echo(f"error: {exc.line()}", err=True)
    return typer.Exit(1)


def handles_errors(func):
    """Turn CurtoolError into one line on stderr and exit 1; never show a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except errors.CurtoolError as exc:
            raise fail(exc) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except KeyboardInterrupt as exc:
            how = "terminated" if isinstance(exc, Terminated) else "interrupted"
            typer.echo(f"error: {how}; nothing was written", err=True)
            raise typer.Exit(1) from None
        except MemoryError:
            typer.echo("error: out of memory; split the input by period or write .csv", err=True)
            raise typer.Exit(1) from None
        except OSError as exc:
            where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            typer.echo(f"error: {where}{exc.strerror or exc} [io-error]", err=True)
            raise typer.Exit(1) from None
        except Exception as exc:
            if os.environ.get("CURTOOL_DEBUG"):
                raise
            typer.echo(
                f"error: internal error ({type(exc).__name__}: {str(exc)[:200]}); "
                "rerun with CURTOOL_DEBUG=1 and report it [internal]",
                err=True,
            )
            raise typer.Exit(1) from None

    return wrapper


def _load(inputs: list[str], read: ReadOptions, *, say_warnings: bool = True):
    """Read the config and the inputs with the shared reading options; warnings go to stderr
    (``report`` says them itself, with its own, and logs them)."""
    from curtool.app.config import load_config
    from curtool.io.loader import load

    cfg = load_config(read.config)
    data = load(
        inputs,
        columns=read.columns,
        sheet=read.sheet,
        encoding=read.encoding,
        separator=read.separator,
        no_header=read.no_header,
        config=cfg,
        gazetteer=read.gazetteer,
    )
    if say_warnings:
        for line in data.warnings:
            typer.echo(f"warning: {line}", err=True)
    return cfg, data


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
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """curtool: classify, track and report citizen messages."""


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

    _, data = _load(inputs, read)
    print_inspect(_console(), data)


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
    read: ReadOptions = ReadOptions(),
    models: ModelOptions = ModelOptions(),
) -> None:
    """Assign every message to a sector block, with confidence and the evidence behind it."""
    import pandas as pd

    from curtool.app.console import print_sector_summary
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
    cfg, data = _load(inputs, read)
    console = _console()
    result = _classify_frame(
        data.frame,
        models.model or cfg.model,
        models.taxonomy or cfg.taxonomy,
        models.use_given(),
        cfg,
        console,
        data,
    )
    table = export_table(data, result)
    protected = out.write_table(table, target, sheet_name="Сообщения").protected
    shown = pd.concat([data.frame[[C.ID]], data.frame[C.CLEAN].rename(C.TEXT), result], axis=1)
    print_sector_summary(console, shown, rows=~data.frame[C.DUPLICATE].to_numpy())
    _print_issue_line(console, data)
    if protected:
        console.print(
            f"Protected {protected:,} cells starting with = + - @ (formulas in a spreadsheet): "
            "written with a leading ' so they open as text"
        )
    console.print(f"Written: {target} ({len(table):,} rows)")


def _classify_frame(frame, model_path, taxonomy_path, use_given: bool, cfg=None, console=None, data=None):
    """Sectors of ``frame``; with ``cfg`` its ``[groups]`` map the export's categories, and
    with ``console`` the table of how they were mapped is printed (``data`` names the column)."""
    from curtool.app.pipeline import classify_frame_with_categories

    groups, source = (cfg.groups, cfg.path) if cfg is not None else (None, None)
    result, mapping = classify_frame_with_categories(
        frame, model_path, taxonomy_path, use_given, groups, source
    )
    if console is not None:
        _print_categories(console, mapping, data)
    return result


def _print_categories(console, mapping, data) -> None:
    from curtool.app.console import print_categories

    files = data.files if data is not None else []
    headers = [f.mapping["group"] for f in files if "group" in f.mapping]
    print_categories(console, mapping, list(dict.fromkeys(headers)))


def export_table(data, result):
    """Original columns, then the sector columns, the source file and any row issue codes."""
    originals = data.original_columns()
    table = data.frame[originals]  # copy-on-write: adding columns does not copy the originals
    for col in C.OUTPUT_COLUMNS:
        name = col if col not in table.columns else f"{col} (curtool)"
        table[name] = result[col].to_numpy()
    table[C.SOURCE_FILE] = data.frame[C.FILE].to_numpy()
    table[C.LINE_NUMBER] = data.frame[C.LINE].to_numpy()
    table[C.ROW_ISSUES] = data.frame[C.ISSUES].to_numpy()
    table[C.DUPLICATE_OF_COLUMN] = data.frame[C.DUPLICATE_OF].to_numpy()
    return table


def _print_issue_line(console, data) -> None:
    counts = data.issue_counts()
    if counts:
        console.print("Rows flagged: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


# --- train / evaluate -------------------------------------------------------------------


LabelCol = Annotated[str, typer.Option("--label-column", help="Column holding the true label.")]
AltLabelCol = Annotated[
    str | None,
    typer.Option(
        "--alt-label-column",
        help="Column with a second defensible label (may be empty); adds lenient accuracy.",
    ),
]


def _label_header(data, name: str, option: str) -> str:
    from curtool.core.mapping import _find_header

    header = _find_header(name, data.original_columns())
    if header is None:
        raise errors.CurtoolError(
            errors.NO_SUCH_COLUMN,
            f"there is no column «{name}» for {option}",
            "columns seen: " + ", ".join(f"«{h}»" for h in data.original_columns()[:20]),
            path=data.files[0].path,
        )
    return header


def _labels(data, label_column: str, alt_column: str | None = None):
    """Labelled messages (duplicates out), their labels and the alternative labels or None."""
    header = _label_header(data, label_column, "--label-column")
    alt_header = _label_header(data, alt_column, "--alt-label-column") if alt_column else None
    wanted = [C.CLEAN, C.GROUP, header] + ([alt_header] if alt_header and alt_header != header else [])
    msgs = data.frame.loc[~data.frame[C.DUPLICATE], wanted]
    labels = msgs[header].fillna("").astype(str).str.strip()  # an empty .xlsx cell is NaN
    keep = (labels != "") & (msgs[C.CLEAN] != "")
    if keep.sum() < 2:
        raise errors.CurtoolError(
            errors.NO_LABELS,
            f"column «{header}» has fewer than 2 labelled messages",
            "check --label-column",
            path=data.files[0].path,
        )
    alt = None
    if alt_header is not None:
        alt = msgs.loc[keep, alt_header].fillna("").astype(str).str.strip().tolist()
    return msgs[keep], labels[keep], alt


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
    from curtool.core.training import train as train_model
    from curtool.io.modelfile import save_model
    from curtool.io.output import check_writable

    if cv == 1:
        raise errors.CurtoolError(
            errors.BAD_OPTION, "--cv 1 is not cross-validation", "use --cv 5 (or 0 for none)"
        )
    _refuse_overwriting_inputs(inputs, output)
    check_writable(output, force)
    _, data = _load(inputs, read)
    msgs, labels, alt = _labels(data, label_column, alt_label_column)
    console = _console()
    if cv:
        from curtool.app.console import print_evaluation
        from curtool.core.evaluate import cross_validate

        print_evaluation(
            console,
            cross_validate(msgs[C.CLEAN].tolist(), labels.tolist(), folds=cv, alt_labels=alt),
            f"{cv}-fold cross-validation",
        )
    fitted = train_model(msgs[C.CLEAN].tolist(), labels.tolist())
    save_model(fitted, output)
    console.print(f"Model saved: {output} ({len(labels):,} messages, {labels.nunique()} labels)")


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

    from curtool.core.evaluate import evaluate as run_evaluate
    from curtool.core.evaluate import write_evaluation

    if output is not None:
        from curtool.io.output import check_writable

        _refuse_overwriting_inputs(inputs, output)
        check_writable(output, force)
    cfg, data = _load(inputs, read)
    msgs, labels, alt = _labels(data, label_column, alt_label_column)
    # the model is measured on its own unless asked: by default every row is predicted
    use_given = models.use_given(default=False)
    model, taxonomy = models.model or cfg.model, models.taxonomy or cfg.taxonomy
    from curtool.core.training import label_level
    from curtool.io.taxonomyfile import load_taxonomy

    # labels that are kinds of the taxonomy measure the kind, block labels the sector
    tax = load_taxonomy(taxonomy) if taxonomy else None
    level = label_level(labels.tolist(), tax)
    column = C.PROBLEM_KIND if level == "kind" else C.SECTOR
    predicted = _classify_frame(msgs, model, taxonomy, use_given, cfg)[column]
    result = run_evaluate(labels.tolist(), predicted.tolist(), alt_labels=alt)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        from curtool.app.console import print_evaluation

        what = "kinds" if level == "kind" else "sectors" if level == "sector" else "labels"
        print_evaluation(_console(), result, f"{len(labels):,} messages, {what}")
    if output is not None:
        write_evaluation(result, output)


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
    top: Annotated[
        int, typer.Option("--top", min=1, help="Problems shown per district on the console.")
    ] = 10,
    force: Force = False,
    read: ReadOptions = ReadOptions(),
    models: ModelOptions = ModelOptions(),
) -> None:
    """The problems that keep coming back in a district, ranked, each with its messages."""
    import json

    from curtool.core.recurring import RecurringSettings, find_recurring
    from curtool.io.output import atomic_path, check_writable
    from curtool.io.workbook import write_recurring_workbook

    _refuse_overwriting_inputs(inputs, output, json_path)
    for path in (output, json_path):
        if path is not None:
            check_writable(path, force)
    start, end = _parse_day(since, "--since"), _parse_day(until, "--until")
    cfg, data = _load(inputs, read)
    data.drop_originals()  # the outputs are built from the analysis columns alone
    settings = RecurringSettings(**_recurring_settings(cfg, min_count, min_weeks))
    from curtool.app.pipeline import classify_frame_detailed

    groups, source = cfg.groups, cfg.path
    done = classify_frame_detailed(
        data.frame, models.model or cfg.model, models.taxonomy or cfg.taxonomy, models.use_given(),
        groups, source,
    )  # fmt: skip
    # the evidence strings of a million rows need not stay while problems are found
    table, vectors = done.table[[C.SECTOR, C.PROBLEM_KIND]], done.kind_vectors
    del done
    result = find_recurring(
        data.frame,
        table[C.SECTOR],
        settings,
        district=district,
        since=start,
        until=end,
        kinds=table[C.PROBLEM_KIND],
        kind_vectors=vectors,
    )
    from curtool.app.console import print_recurring

    print_recurring(_console(), result, settings, top=top)
    if output is not None:
        write_recurring_workbook(result, data.frame, output)
        typer.echo(f"Written: {output}")
    if json_path is not None:
        with atomic_path(json_path) as tmp:
            tmp.write_text(json.dumps(result.to_json_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        typer.echo(f"Written: {json_path}")


def _recurring_settings(cfg, min_count: int | None, min_weeks: int | None) -> dict[str, Any]:
    values = dict(cfg.recurring)
    if min_count is not None:
        values["min_count"] = min_count
    if min_weeks is not None:
        values["min_weeks"] = min_weeks
    # both are at least 1 already: the options are range-checked, the config by config._check
    return values


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
    weeks_back: Annotated[
        int | None, typer.Option("--weeks-back", min=1, max=104, help="Weeks of baseline (default 8).")
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "-o", "--output", help="Output name; {week} is replaced (default reports/curtool-{week}.xlsx)."
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
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help=f"Exit {EXIT_WARNING} (report still written) when there was a warning: a week without "
            "messages, an export that stops before the week ends, a pattern matching no file.",
        ),
    ] = False,
    read: ReadOptions = ReadOptions(),
    models: ModelOptions = ModelOptions(),
) -> None:
    """The weekly report: one Excel workbook and one screen; safe to run from cron."""
    started = time.monotonic()
    status, target, rows, week_label = "error", None, 0, week or "auto"
    log_path = log or Path(output or "reports/curtool-{week}.xlsx").parent / "curtool.log"
    warnings: list[str] = []
    try:
        from curtool.app.config import check_output_template
        from curtool.app.pipeline import run_report

        if output is not None:
            check_output_template(
                output, lambda m, h: errors.CurtoolError(errors.BAD_OPTION, f"--output: {m}", h)
            )
        from curtool.core.recurring import RecurringSettings
        from curtool.core.report import read_population
        from curtool.io.output import check_writable
        from curtool.io.workbook import write_report

        cfg, data = _load(inputs, read, say_warnings=False)
        rows = len(data.frame)
        data.drop_originals()  # every sheet is built from the analysis columns
        pop_path = population or cfg.population
        pop = read_population(pop_path) if pop_path is not None else None
        run = run_report(
            data,
            week=week,
            today=_parse_day(today, "--today") or date.today(),
            weeks_back=weeks_back or cfg.weeks_back,
            population=pop,
            deadlines=cfg.deadlines or None,
            mask_pii=mask_pii,
            model=models.model or cfg.model,
            taxonomy=models.taxonomy or cfg.taxonomy,
            use_given=models.use_given(),
            recurring_settings=RecurringSettings(**_recurring_settings(cfg, None, None)),
            groups=cfg.groups,
            groups_source=cfg.path,
        )
        built, warnings = run.report, run.warnings
        week_label = built.week
        named = Path((output or cfg.output).replace("{week}", built.week))
        _refuse_overwriting_inputs(inputs, named, log_path if log is not None else None)
        target = named  # only now: the run log names an output that may be written
        check_writable(target, force, make_folder=True)
        write_report(built, target)
        status = "warning" if warnings else "ok"
        for line in warnings:
            typer.echo(f"warning: {line}", err=True)
        if not quiet:
            from curtool.app.console import print_report

            _print_categories(_console(), run.categories, data)
            print_report(_console(), built)
            typer.echo(f"Written: {target}")
    finally:
        if log is None and target is not None:
            log_path = target.parent / "curtool.log"
        _log_run(log_path, target, status, week_label, rows, inputs, time.monotonic() - started, warnings)
    if strict and warnings:
        raise typer.Exit(EXIT_WARNING)


def _log_run(
    path: Path,
    target: Path | None,
    status: str,
    week: str,
    rows: int,
    inputs,
    seconds: float,
    warnings: list[str] | None = None,
) -> None:
    """One line per run, so a cron job leaves a trail even when nobody reads its mail."""
    said = "".join(f"\twarning={' '.join(w.split())}" for w in warnings or [])
    line = (
        f"{datetime.now().isoformat(timespec='seconds')}\treport\t{status}\tweek={week}\t"
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
        int, typer.Option("--rows", help="Instead: write a benchmark CSV/XLSX with this many generated rows.")
    ] = 0,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Benchmark file (.csv or .xlsx) for --rows.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed")] = 2026,
) -> None:
    """Write the bundled sample exports (or, with --rows, generated data for benchmarks)."""
    from curtool import synthetic

    if rows:
        target = output or Path(f"bench-{rows}.csv")
        if target.suffix.lower() == ".xlsx":
            synthetic.write_benchmark_xlsx(target, rows, seed)
        else:
            synthetic.write_benchmark_csv(target, rows, seed)
        typer.echo(f"Written: {target}")
        return
    for name, path in synthetic.write_samples(folder, seed=seed).items():
        typer.echo(f"Written: {path} ({name})")


class Terminated(KeyboardInterrupt):
    """SIGTERM (a cron timeout, ``kill``): unwinds like Ctrl-C, so temporary files are removed
    and the report's run log gets its line, instead of the process vanishing mid-write."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated()


def install_signal_handlers() -> None:
    import signal

    signal.signal(signal.SIGTERM, _terminate)


def main() -> None:
    install_signal_handlers()
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(1)
