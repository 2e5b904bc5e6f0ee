# ruff: noqa: E501  (a catalogue: one English help text and its Russian per entry)
"""``--help`` in the console's language: the commands' help texts in Russian by default.

Typer builds the help from the English texts written beside each option (cli.py, options.py);
:class:`LocalizedGroup` swaps in their Russian form from :data:`HELP` when the help is shown,
so the options stay defined once, in one place.  ``tests/test_helptext.py`` walks every
command and fails on a help text missing here.
"""

from __future__ import annotations

from typing import Any

import click
from typer.core import TyperGroup

from curtool.app import lang
from curtool.app.lang import english

# English help text -> Russian
HELP: dict[str, str] = {
    # the app and its commands
    "Classify, track and report citizen messages for regional management centres (ЦУР/МЦУ).": (
        "Классификация, отслеживание и отчёты по сообщениям граждан для ЦУР/МЦУ."
    ),
    "Show the version.": "Показать версию.",
    "Show this message and exit.": "Показать эту справку и выйти.",
    "Language of the console: ru (default) or en; also CURTOOL_LANG, or lang in the console section of curtool.toml.": (
        "Язык консоли: ru (по умолчанию) или en; также CURTOOL_LANG или lang в разделе console файла curtool.toml."
    ),
    "Show how an export is read: encoding, sheet, header row, column mapping, rows set aside.": (
        "Показать, как читается выгрузка: кодировка, лист, строка заголовков, столбцы, отложенные строки."
    ),
    "Add exports to a Parquet archive (by month) that report and recurring read, in memory or on Dask.": (
        "Добавить выгрузки в архив Parquet (по месяцам), который читают report и recurring, в памяти или на Dask."
    ),
    "Assign every message to a sector block, with confidence and the evidence behind it.": (
        "Отнести каждое сообщение к блоку-сектору, с уверенностью и признаками, на которых она основана."
    ),
    "Learn a sector model from a region's own labelled history.": (
        "Обучить модель секторов на размеченной истории своего региона."
    ),
    "Measure a model against labelled messages: per-class P/R/F1, macro-F1, confusion matrix.": (
        "Оценить модель на размеченных сообщениях: точность, полнота, F1 по классам, macro-F1, матрица ошибок."
    ),
    "The problems that keep coming back in a district, ranked, each with its messages.": (
        "Проблемы, которые возвращаются в районе, по порядку, каждая со своими сообщениями."
    ),
    "The weekly report: one Excel workbook and one screen; safe to run from cron.": (
        "Недельный отчёт: одна книга Excel и один экран; можно запускать из cron."
    ),
    "Write the bundled sample exports and the labelled sample (or, with --rows, generated data\nfor benchmarks); existing files are kept unless --force.": (
        "Записать примеры выгрузок и размеченный пример (или, с --rows, данные для замеров); "
        "существующие файлы не перезаписываются без --force."
    ),
    "Write the bundled sample exports (or, with --rows, generated data for benchmarks).": (
        "Записать примеры выгрузок (или, с --rows, данные для замеров)."
    ),
    # inputs and outputs
    "Export files (.xlsx .xls .ods .csv .tsv; globs like 'exports/*.xlsx' work), or one archive folder made by `curtool archive`.": (
        "Файлы выгрузок (.xlsx .xls .ods .csv .tsv; шаблоны вида 'exports/*.xlsx' работают) или одна папка архива, "
        "созданная `curtool archive`."
    ),
    "Export files (.xlsx .xls .ods .csv .tsv); globs like 'exports/*.xlsx' work.": (
        "Файлы выгрузок (.xlsx .xls .ods .csv .tsv); шаблоны вида 'exports/*.xlsx' работают."
    ),
    "The archive folder: made when absent, added to when present.": (
        "Папка архива: создаётся, если её нет, и пополняется, если есть."
    ),
    "Output file; format from the extension (.xlsx .csv .parquet .jsonl).": (
        "Выходной файл; формат — по расширению (.xlsx .csv .parquet .jsonl)."
    ),
    "Overwrite an existing output file.": "Перезаписать существующий выходной файл.",
    "Overwrite files that already exist.": "Перезаписать уже существующие файлы.",
    "Overwrite an existing report (default: yes, the write is atomic).": (
        "Перезаписать существующий отчёт (по умолчанию да: запись атомарна)."
    ),
    "Where to save the model.": "Куда сохранить модель.",
    "Write the metrics to an .xlsx file.": "Записать метрики в файл .xlsx.",
    "Print the metrics as JSON.": "Вывести метрики в JSON.",
    "Excel workbook: problems + messages.": "Книга Excel: проблемы и сообщения.",
    "Write the problems as JSON.": "Записать проблемы в JSON.",
    "Output name; {week} is replaced (default reports/curtool-{week}.xlsx).": (
        "Имя выходного файла; {week} заменяется неделей (по умолчанию reports/curtool-{week}.xlsx)."
    ),
    "Append a one-line record of the run here (default: curtool.log beside the output).": (
        "Дописать сюда строку о запуске (по умолчанию curtool.log рядом с отчётом)."
    ),
    "Where to write the sample exports.": "Куда записать примеры выгрузок.",
    "Instead: write a benchmark CSV/XLSX with this many generated rows.": (
        "Вместо этого: записать CSV/XLSX для замеров с таким числом сгенерированных строк."
    ),
    "Benchmark file (.csv or .xlsx) for --rows.": "Файл для замеров (.csv или .xlsx) для --rows.",
    # reading
    "Sheet name or number (Excel/ODS).": "Название или номер листа (Excel/ODS).",
    "CSV encoding, if detection is wrong.": "Кодировка CSV, если определилась неверно.",
    "CSV separator, if detection is wrong.": "Разделитель CSV, если определился неверно.",
    "The first line is already data: name columns by position (2) or letter (B).": (
        "Первая строка — уже данные: называйте столбцы по номеру (2) или букве (B)."
    ),
    "Column holding the message text: its name, position or letter.": (
        "Столбец с текстом сообщения: название, номер или буква."
    ),
    "Column holding the message id: its name, position or letter.": (
        "Столбец с номером сообщения: название, номер или буква."
    ),
    "Column holding the district: its name, position or letter.": "Столбец с районом: название, номер или буква.",
    "Column holding the creation date: its name, position or letter.": (
        "Столбец с датой создания: название, номер или буква."
    ),
    "Column holding the address of the problem: its name, position or letter.": (
        "Столбец с адресом проблемы: название, номер или буква."
    ),
    "Column holding the latitude: its name, position or letter.": "Столбец с широтой: название, номер или буква.",
    "Column holding the longitude: its name, position or letter.": "Столбец с долготой: название, номер или буква.",
    "Column holding the export's own topic group or category: its name, position or letter.": (
        "Столбец с группой тем или категорией выгрузки: название, номер или буква."
    ),
    "Column holding the export's own topic («Тема», subcategory, portal reason): its name, position or letter.": (
        "Столбец с темой выгрузки («Тема», подкатегория, причина на портале): название, номер или буква."
    ),
    "Column holding the executor («Исполнитель», «Ответственное лицо», «Орган власти»): its name, position or letter.": (
        "Столбец с исполнителем («Исполнитель», «Ответственное лицо», «Орган власти»): название, номер или буква."
    ),
    "Column holding the post's audience («Аудитория»), a number: its name, position or letter.": (
        "Столбец с аудиторией поста («Аудитория»), число: название, номер или буква."
    ),
    "Column holding the post's engagement («Вовлеченность»), a number: its name, position or letter.": (
        "Столбец с вовлечённостью поста («Вовлеченность»), число: название, номер или буква."
    ),
    "CSV of canonical district names (+ aliases, population).": (
        "CSV с каноническими названиями районов (+ другие написания, население)."
    ),
    "Project config (default: ./curtool.toml if present).": "Файл настроек (по умолчанию ./curtool.toml, если есть).",
    # the model and the engine
    "A model made by `curtool train`.": "Модель, созданная `curtool train`.",
    "Replacement taxonomy TOML.": "Своя таксономия (TOML).",
    "Predict every row, or trust the export's own group where it names a block.": (
        "Предсказывать каждую строку или доверять группе выгрузки там, где она называет блок."
    ),
    "Where the work runs: memory (this process) or dask (a cluster; reads an archive).": (
        "Где идёт работа: memory (этот процесс) или dask (кластер; читает архив)."
    ),
    "Address of a running Dask scheduler (tcp://host:8786); implies dask.": (
        "Адрес работающего планировщика Dask (tcp://host:8786); означает dask."
    ),
    "Worker processes of the local Dask cluster (default: cores).": (
        "Рабочие процессы локального кластера Dask (по умолчанию — по числу ядер)."
    ),
    # train / evaluate
    "Column holding the true label.": "Столбец с верной меткой.",
    "Column with a second defensible label (may be empty); adds lenient accuracy.": (
        "Столбец со второй допустимой меткой (может быть пустым); добавляет долю верных с её учётом."
    ),
    "Also report k-fold cross-validation (0 = off, else ≥ 2).": (
        "Также провести перекрёстную проверку на k частях (0 — нет, иначе ≥ 2)."
    ),
    # recurring
    "Only this district (matched tolerantly).": "Только этот район (название сверяется нестрого).",
    "First day, 2026-09-01.": "Первый день, 2026-09-01.",
    "Last day, 2026-11-30.": "Последний день, 2026-11-30.",
    "Messages needed (default 3).": "Сколько нужно сообщений (по умолчанию 3).",
    "Distinct weeks needed (default 2).": "Сколько нужно разных недель (по умолчанию 2).",
    "Problems shown per district on the console.": "Сколько проблем района показать в консоли.",
    "count (messages) or reach (engagement, then audience: «Вовлеченность», «Аудитория»).": (
        "count (по числу сообщений) или reach (по вовлечённости, затем аудитории: «Вовлеченность», «Аудитория»)."
    ),
    # report
    "The weekly (or monthly, quarterly, any period's) report: one Excel workbook and one\nscreen; safe to run from cron.": (
        "Отчёт за неделю (или месяц, квартал, любой период): одна книга Excel и один экран; "
        "можно запускать из cron."
    ),
    "2026-11, or 'last' for the last complete month before today.": (
        "2026-11 или 'last' — последний полный месяц до сегодняшнего дня."
    ),
    "2026-Q4, or 'last' for the last complete quarter before today.": (
        "2026-Q4 или 'last' — последний полный квартал до сегодняшнего дня."
    ),
    "Output name; {period} (or {week}) is replaced (default reports/curtool-{period}.xlsx).": (
        "Имя выходного файла; {period} (или {week}) заменяется периодом "
        "(по умолчанию reports/curtool-{period}.xlsx)."
    ),
    "First day of the period, YYYY-MM-DD (alone: to the end of the data).": (
        "Первый день периода, ГГГГ-ММ-ДД (без --until — до конца данных)."
    ),
    "Last day of the period, YYYY-MM-DD (alone: from the data's start).": (
        "Последний день периода, ГГГГ-ММ-ДД (без --since — с начала данных)."
    ),
    "2026-W47, or 'last' for the last complete week before today (cron).": (
        "2026-W47 или 'last' — последняя полная неделя до сегодняшнего дня (для cron)."
    ),
    "Baseline periods before the report's (weeks, months…; default 8).": (
        "Сколько предыдущих периодов (недель, месяцев…) в базе сравнения (по умолчанию 8)."
    ),
    "CSV/XLSX: district, population (per 10,000 residents).": "CSV/XLSX: район, население (для расчёта на 10 тыс. жителей).",
    "Mask phone numbers, e-mails and profile links.": "Скрыть телефоны, адреса почты и ссылки на профили.",
    "Print nothing on success (for cron).": "Ничего не печатать при успехе (для cron).",
    "Pretend today is this date (tests).": "Считать сегодняшним этот день (для тестов).",
    "Exit 3 (report still written) when there was a warning: a week without messages, an export that stops before the week ends, a pattern matching no file.": (
        "Выйти с кодом 3 (отчёт всё равно записан), если было предупреждение: неделя без сообщений, выгрузка, "
        "кончающаяся раньше недели, шаблон без файлов."
    ),
    "Also write the messages and recurring problems with a place as GeoJSON (QGIS, web maps).": (
        "Также записать сообщения и повторяющиеся проблемы с местом в GeoJSON (QGIS, веб-карты)."
    ),
    "GeoJSON of district polygons: outlines on the map sheet, counts in <output>-districts.geojson.": (
        "GeoJSON с контурами районов: контуры на листе карты, числа в <output>-districts.geojson."
    ),
    "The property of --districts that names the district (default: name, district, район …).": (
        "Свойство в --districts с названием района (по умолчанию name, district, район …)."
    ),
    "Problem-state file: which problems are new, continue, went quiet or came back (default: curtool-state.json beside the report).": (
        "Файл состояния проблем: какие новые, продолжаются, затихли или вернулись "
        "(по умолчанию curtool-state.json рядом с отчётом)."
    ),
    "Neither read nor write the problem-state file.": "Не читать и не писать файл состояния проблем.",
}

# Typer's words around the help texts
_PANELS_RU = {
    "ARGUMENTS_PANEL_TITLE": "Аргументы",
    "OPTIONS_PANEL_TITLE": "Параметры",
    "COMMANDS_PANEL_TITLE": "Команды",
    "DEFAULT_STRING": "[по умолчанию: {}]",
    "REQUIRED_LONG_STRING": "[обязательно]",
}


def russian_help(text: str) -> str:
    """A help text in Russian; a generated one (the CSV dialects) keeps its English head."""
    return HELP.get(text, text)


def _localize(command: click.Command, ctx: click.Context | None = None) -> None:
    items: list[Any] = [command, *command.params]
    if ctx is not None:
        items.append(command.get_help_option(ctx))
    for item in items:
        if item is None:
            continue
        original = item.__dict__.setdefault("_curtool_help", getattr(item, "help", None))
        if original:
            item.help = original if english() else russian_help(original)
    import typer.rich_utils as rich_utils

    defaults = rich_utils.__dict__.setdefault(
        "_curtool_defaults", {k: getattr(rich_utils, k) for k in _PANELS_RU}
    )
    for key, value in _PANELS_RU.items():
        setattr(rich_utils, key, defaults[key] if english() else value)


class LocalizedGroup(TyperGroup):
    """The app's group: its help, and every command's, in the console's language when shown."""

    def make_context(self, info_name, args, parent=None, **extra):  # type: ignore[no-untyped-def]
        lang.reset()  # a new run (in tests, the same process runs many): nothing said yet
        return super().make_context(info_name, args, parent, **extra)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _localize(self, ctx)
        for command in self.commands.values():
            _localize(command)
        super().format_help(ctx, formatter)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None and not isinstance(command.format_help, _Localized):
            command.format_help = _Localized(command)  # type: ignore[method-assign]
        return command


class _Localized:
    """A command's format_help that first puts its texts into the console's language (the
    language is known only then: ``curtool --lang en report --help``)."""

    def __init__(self, command: click.Command) -> None:
        self.command = command
        self.format = command.format_help

    def __call__(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _localize(self.command, ctx)
        self.format(ctx, formatter)
