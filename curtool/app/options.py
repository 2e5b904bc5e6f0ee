"""Options: the flags every command shares (defined once) and the one typed object a job runs with.

A job's settings come from two places: ``curtool.toml`` (:mod:`curtool.io.configfile`, strict:
typos and wrong types are ``bad-config``) and the command's flags.  :class:`Options` is the
two merged, flags winning, so the pipeline functions (:mod:`curtool.app.pipeline`) and the
Python API see one typed value instead of a config and a dozen flags passed on by hand.
The CLI declares its shared flags here once (:func:`reads_messages`), the way csvkit builds
its common flags: a new option reaches every command at once.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from inspect import Parameter, signature
from pathlib import Path
from typing import Annotated, Any

import typer

from curtool.core import columns as C
from curtool.core import errors
from curtool.core.recurring import RecurringSettings
from curtool.io.configfile import Config, check_output_template, load_config
from curtool.io.csvdialects import DEFAULT_DIALECT, DIALECTS, csv_dialect

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
    "executor": "the executor («Исполнитель», «Ответственное лицо», «Орган власти»)",
    "audience": "the post's audience («Аудитория»), a number",
    "engagement": "the post's engagement («Вовлеченность»), a number",
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


ENGINES = ("memory", "dask")


@dataclass(frozen=True)
class EngineOptions:
    """Where the work runs: in this process (``memory``, the default) or on Dask (``dask``:
    a local cluster of ``workers`` processes, or the scheduler at ``scheduler``)."""

    engine: str = "memory"
    scheduler: str | None = None
    workers: int | None = None

    @property
    def distributed(self) -> bool:
        return self.engine == "dask"


@dataclass(frozen=True)
class ModelOptions:
    """Which model and taxonomy classify, and whether the export's own group is trusted."""

    model: Path | None = None
    taxonomy: Path | None = None
    ignore_given: bool | None = None  # None: the command's own default
    engine: EngineOptions = field(default_factory=EngineOptions)  # engine "" : the config's

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
_ENGINE_PARAMS: list[tuple[str, Any, Any]] = [
    (
        "engine",
        Annotated[
            str | None,
            typer.Option(
                "--engine",
                help="Where the work runs: memory (this process) or dask (a cluster; reads an archive).",
            ),
        ],
        None,
    ),
    (
        "scheduler",
        Annotated[
            str | None,
            typer.Option(
                "--scheduler", help="Address of a running Dask scheduler (tcp://host:8786); implies dask."
            ),
        ],
        None,
    ),
    (
        "workers",
        Annotated[
            int | None,
            typer.Option(
                "--workers", min=1, help="Worker processes of the local Dask cluster (default: cores)."
            ),
        ],
        None,
    ),
]
# Map outputs (``report`` and ``recurring``): declared once, used by both commands' signatures
GeoJsonOption = Annotated[
    Path | None,
    typer.Option(
        "--geojson",
        help="Also write the messages and recurring problems with a place as GeoJSON (QGIS, web maps).",
    ),
]
DistrictsOption = Annotated[
    Path | None,
    typer.Option(
        "--districts",
        help="GeoJSON of district polygons: outlines on the map sheet, counts in <output>-districts.geojson.",
    ),
]
DistrictsNameOption = Annotated[
    str | None,
    typer.Option(
        "--districts-name-field",
        help="The property of --districts that names the district (default: name, district, район …).",
    ),
]
# every command that writes a CSV takes it; the dialects themselves: curtool.io.csvdialects
CsvDialectOption = Annotated[
    str | None,
    typer.Option(
        "--csv-dialect",
        help="How a .csv output is written: "
        + "; ".join(
            f"{d.name} ({'tab' if d.delimiter == chr(9) else d.delimiter}, "
            f"{'UTF-8 BOM' if d.bom else 'UTF-8'}, {d.purpose})"
            for d in DIALECTS.values()
        )
        + f". Default {DEFAULT_DIALECT}, or [output] csv_dialect in curtool.toml.",
        show_default=False,
    ),
]


def _lang_flag(value: str | None) -> str | None:
    from curtool.app import lang
    from curtool.app.failures import fail

    try:
        lang.use_flag(value)
    except errors.CurtoolError as exc:
        raise fail(exc) from None  # parsing, before the command's own handler
    return value


# eager, so that ``report --lang en --help`` is already English
LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of the console: ru (default) or en; "
        "also CURTOOL_LANG, or lang in the console section of curtool.toml.",
        callback=_lang_flag,
        is_eager=True,
        show_default=False,
    ),
]
_READ_PARAMS.append(("lang", LangOption, None))
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
        shared = _READ_PARAMS + (_MODEL_PARAMS + _ENGINE_PARAMS if classifies else [])

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            values = {name: kwargs.pop(name, default) for name, _, default in shared}
            _config_language(values["config"])
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
                kwargs["models"] = ModelOptions(
                    values["model"],
                    values["taxonomy"],
                    values["ignore_given"],
                    EngineOptions(values["engine"] or "", values["scheduler"], values["workers"]),
                )
            return func(*args, **kwargs)

        wrapper.__signature__ = sig.replace(  # type: ignore[attr-defined]
            parameters=own + [_param(name, annotation, default) for name, annotation, default in shared]
        )
        return wrapper

    return decorate


def _config_language(config: Path | None) -> None:
    """``[console] lang`` of the config the command will read, so that its errors already
    speak it; a config that cannot be read is left to the command, which says why."""
    from curtool.app import lang

    try:
        lang.use_config(load_config(config).lang)
    except errors.CurtoolError:
        pass


@dataclass(frozen=True)
class Options:
    """Everything a job runs with: ``curtool.toml`` and the flags, merged (flags win).

    Build it with :meth:`Options.build` (reads the config named, or ``./curtool.toml``);
    ``Options()`` is every default, for the Python API on a plain export.
    """

    # the reading flags as given: the loader merges them with ``config`` itself, so that an
    # error names where a column was named (the flag, or the config key)
    read: ReadOptions = field(default_factory=ReadOptions)
    model: Path | None = None
    taxonomy: Path | None = None
    ignore_given: bool | None = None  # None: the command's own default (see use_given)
    groups: Mapping[str, str] = field(default_factory=dict)  # [groups]: category -> block or "text"
    groups_source: Path | None = None  # the config file that wrote them, for error lines
    weeks_back: int = 8
    output: str = Config.output  # the report's name, {week} replaced
    population: Path | None = None
    deadlines: Mapping[str, Any] = field(default_factory=dict)
    recurring: RecurringSettings = field(default_factory=RecurringSettings)
    engine: EngineOptions = field(default_factory=EngineOptions)
    csv_dialect: str = DEFAULT_DIALECT  # how a .csv output is written (curtool.io.csvdialects)
    config: Config = field(default_factory=Config)

    @classmethod
    def build(
        cls,
        config: Config | str | Path | None = None,
        *,
        read: ReadOptions | None = None,
        models: ModelOptions | None = None,
        weeks_back: int | None = None,
        output: str | None = None,
        population: Path | None = None,
        min_count: int | None = None,
        min_weeks: int | None = None,
        csv_dialect: str | None = None,
        cwd: Path | None = None,
    ) -> Options:
        """Merge the config (a :class:`Config`, a path, or ``./curtool.toml`` when None) with flags.

        ``read.config`` names the config when ``config`` is None, as ``--config`` does.
        """
        read = read or ReadOptions()
        models = models or ModelOptions()
        cfg = config if isinstance(config, Config) else load_config(config or read.config, cwd)
        if output is not None:
            check_output_template(
                output, lambda m, h: errors.CurtoolError(errors.BAD_OPTION, f"--output: {m}", h)
            )
        recurring = dict(cfg.recurring)
        if min_count is not None:
            recurring["min_count"] = min_count
        if min_weeks is not None:
            recurring["min_weeks"] = min_weeks
        # both are at least 1 already: the options are range-checked, the config by configfile
        return cls(
            read=read,
            model=models.model or cfg.model,
            taxonomy=models.taxonomy or cfg.taxonomy,
            ignore_given=models.ignore_given,
            groups=dict(cfg.groups),
            groups_source=cfg.path,
            weeks_back=weeks_back or cfg.weeks_back,
            output=output or cfg.output,
            population=population or cfg.population,
            deadlines=dict(cfg.deadlines),
            recurring=RecurringSettings(**recurring),
            engine=_engine(models.engine, cfg),
            csv_dialect=_csv_dialect_name(csv_dialect, cfg),
            config=cfg,
        )

    def use_given(self, default: bool = True) -> bool:
        """Whether the export's own group is trusted where it names a block (``--use-given``)."""
        return default if self.ignore_given is None else not self.ignore_given


def _csv_dialect_name(flag: str | None, cfg: Config) -> str:
    """The flag over the config's ``[output] csv_dialect`` (checked when the config was read)."""
    if flag is not None:
        return csv_dialect(flag).name
    return csv_dialect(cfg.csv_dialect).name


def _engine(flags: EngineOptions, cfg: Config) -> EngineOptions:
    """The flags over the config's ``[engine]``; a scheduler address means Dask."""
    scheduler = flags.scheduler or cfg.scheduler
    engine = flags.engine or ("dask" if flags.scheduler else "") or cfg.engine
    engine = engine or ("dask" if scheduler else "memory")
    if engine not in ENGINES:
        raise errors.CurtoolError(
            errors.BAD_OPTION, f"--engine {engine!r} is not an engine", "use --engine memory or --engine dask"
        )
    if scheduler and engine != "dask":
        raise errors.CurtoolError(
            errors.BAD_OPTION, "--scheduler needs --engine dask", "drop --engine memory, or the scheduler"
        )
    return EngineOptions(engine, scheduler, flags.workers or cfg.workers)
