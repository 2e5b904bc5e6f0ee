# ruff: noqa: E501  (a catalogue: one English template and its Russian per entry)
"""The console's Russian for the errors and warnings the lower floors raise in English.

``CurtoolError`` keeps its English message and hint (the Python API, logs and codes stay
one language, and the core knows nothing of the console); this catalogue gives each
message *template* its Russian form.  A template is the English text with every value
written in as ``{}`` (literal braces doubled): the runtime text is matched against the
templates, and the values found in the holes are put into the Russian, translated
themselves when they are a known text (``[deadlines] {}`` holds another error's message).
``tests/test_messages.py`` reads every raise site (AST) and fails on a template missing
here, so a new error cannot reach a Russian console in English unnoticed.
"""

from __future__ import annotations

import errno
import functools
import re
import string

from curtool.app.lang import english, tr
from curtool.core.errors import CurtoolError

# English template -> Russian template (the values in the same order)
CATALOGUE: dict[str, str] = {
    # --- options and the command line
    "--cv 1 is not cross-validation": "--cv 1 — это не перекрёстная проверка",
    "use --cv 5 (or 0 for none)": "укажите --cv 5 (или 0, чтобы не проверять)",
    "--engine dask needs Dask, which is not installed": "для --engine dask нужен Dask, а он не установлен",
    'install it with: pip install "curtool[dask]"': 'установите его: pip install "curtool[dask]"',
    "--engine {} is not an engine": "--engine {} — нет такого движка",
    "use --engine memory or --engine dask": "укажите --engine memory или --engine dask",
    "--scheduler needs --engine dask": "--scheduler работает только с --engine dask",
    "drop --engine memory, or the scheduler": "уберите --engine memory или адрес планировщика",
    "--output: {}": "--output: {}",
    "--rank-by {} is not a ranking": "--rank-by {} — нет такого порядка",
    "use --rank-by count (messages) or --rank-by reach (engagement, then audience)": (
        "укажите --rank-by count (по числу сообщений) или --rank-by reach (по вовлечённости, затем аудитории)"
    ),
    "{} {} is not a date": "{} {} — не дата",
    "«{}» is not a date": "«{}» — не дата",
    "write it as 2026-11-23 or 23.11.2026": "пишите дату как 2026-11-23 или 23.11.2026",
    "write dates as YYYY-MM-DD": "пишите даты как ГГГГ-ММ-ДД",
    "«{}» is not a week": "«{}» — не неделя",
    # --- report periods (curtool.core.periods)
    "--month «{}» is not a month": "--month «{}» — не месяц",
    "write it as YYYY-MM (for example 2026-11), or «last» for the last complete month": (
        "пишите месяц как ГГГГ-ММ (например, 2026-11) или «last» — последний полный месяц"
    ),
    "--quarter «{}» is not a quarter": "--quarter «{}» — не квартал",
    "write it as YYYY-Qn (for example 2026-Q4), or «last» for the last complete quarter": (
        "пишите квартал как ГГГГ-Qn (например, 2026-Q4) или «last» — последний полный квартал"
    ),
    "{} «{}» is not a date": "{} «{}» — не дата",
    "write it as YYYY-MM-DD or DD.MM.YYYY (for example 2026-11-01)": (
        "пишите дату как ГГГГ-ММ-ДД или ДД.ММ.ГГГГ (например, 2026-11-01)"
    ),
    "{} and {} name different periods": "{} и {} задают разные периоды",
    "give one of --week, --month, --quarter or --since/--until": (
        "укажите что-то одно: --week, --month, --quarter или --since/--until"
    ),
    "--until {} is before --since {}": "--until {} раньше, чем --since {}",
    "the period runs from --since to --until, both days included": (
        "период идёт от --since до --until, оба дня включительно"
    ),
    "no message has a readable creation date, so an open --since/--until has no end": (
        "ни у одного сообщения нет читаемой даты создания, поэтому у открытого --since/--until нет границы"
    ),
    "check the date column (--date-column) or give both --since and --until": (
        "проверьте столбец дат (--date-column) или укажите и --since, и --until"
    ),
    "«{}» is not an ISO week": "«{}» — не ISO-неделя",
    "week «{}» does not exist in year {}": "недели «{}» нет в {} году",
    "write the week as YYYY-Www (for example 2026-W47), or «last» for the last complete week": (
        "пишите неделю как ГГГГ-Wнн (например, 2026-W47) или «last» — последняя полная неделя"
    ),
    "write weeks like 2026-W47": "пишите недели как 2026-W47",
    "weeks back must be at least 1": "недель базы должно быть не меньше 1",
    "for example --weeks-back 8": "например, --weeks-back 8",
    "the output would overwrite an input file": "выходной файл записался бы поверх входного",
    "name another output file; curtool never writes over its inputs": (
        "назовите другой выходной файл: curtool никогда не пишет поверх входных"
    ),
    "cannot write «{}» files": "файлы «{}» не записываются",
    "name the output with one of {}": "дайте выходному файлу одно из расширений: {}",
    "name the output with one of {} (an Excel sheet holds {} rows)": (
        "дайте выходному файлу одно из расширений: {} (лист Excel вмещает {} строк)"
    ),
    "cannot write «{}» in parts": "«{}» нельзя записать по частям",
    "write .csv or .parquet instead": "запишите .csv или .parquet",
    "the report is an Excel workbook": "отчёт — это книга Excel",
    "name it with .xlsx": "дайте ему расширение .xlsx",
    "cannot write the report: {}": "отчёт не записать: {}",
    "output file already exists": "выходной файл уже есть",
    "pass --force to overwrite it, or choose another name with -o": (
        "добавьте --force, чтобы перезаписать, или выберите другое имя через -o"
    ),
    "choose another -o": "выберите другой -o",
    "create it first or choose another -o": "сначала создайте её или выберите другой -o",
    "folder {} does not exist": "папки {} нет",
    "cannot create folder {} ({})": "не удалось создать папку {} ({})",
    "exists and is not a folder": "существует и это не папка",
    "check that the folder is writable and has free space": "проверьте, что в папку можно писать и на диске есть место",
    "no space left on the device while writing; nothing was written": (
        "при записи кончилось место на диске; ничего не записано"
    ),
    "free some space or write the output to another disk with -o": (
        "освободите место или запишите результат на другой диск через -o"
    ),
    "{} rows do not fit in one Excel sheet (limit {})": "{} строк не помещаются на один лист Excel (предел {})",
    "{} columns do not fit in one Excel sheet (limit {})": (
        "{} столбцов не помещаются на один лист Excel (предел {})"
    ),
    # --- the config file
    "config file not found": "файл настроек не найден",
    "check the --config path": "проверьте путь в --config",
    "not valid TOML ({})": "это некорректный TOML ({})",
    "see the README section «Config file» for an example": "пример — в разделе README «Config file»",
    "unknown section [{}]": "неизвестный раздел [{}]",
    "known sections: {}": "известные разделы: {}",
    "[{}] must be a section": "[{}] должен быть разделом",
    "write it as [{}] with keys below it": "запишите его как [{}] с ключами ниже",
    "unknown key «{}» in [{}]": "неизвестный ключ «{}» в [{}]",
    "unknown key «{}» in [recurring]": "неизвестный ключ «{}» в [recurring]",
    "known keys: {}": "известные ключи: {}",
    "[{}] {} must be {}, not {}": "[{}] {} должен быть {}, а не {}",
    "[recurring] {} must be {}, not {}": "[recurring] {} должен быть {}, а не {}",
    "for example: {}": "например: {}",
    "for example: {} = {}": "например: {} = {}",
    'for example: "{}" = "…"': 'например: "{}" = "…"',
    "[report] weeks_back must be between 1 and 104, not {}": "[report] weeks_back должен быть от 1 до 104, а не {}",
    "for example: weeks_back = 8": "например: weeks_back = 8",
    "[report] output: {}": "[report] output: {}",
    "[districts.aliases] «{}» must name a district in quotes": (
        "[districts.aliases] «{}» должен называть район в кавычках"
    ),
    '[engine] engine must be "memory" or "dask", not {}': '[engine] engine должен быть "memory" или "dask", а не {}',
    'for example: engine = "dask"': 'например: engine = "dask"',
    "[engine] workers must be at least 1, not {}": "[engine] workers должен быть не меньше 1, а не {}",
    "for example: workers = 2": "например: workers = 2",
    "[deadlines] {}": "[deadlines] {}",
    "[console] lang must be ru or en, not {}": "[console] lang должен быть ru или en, а не {}",
    'for example: lang = "en"': 'например: lang = "en"',
    "[groups] must be a table": "[groups] должен быть таблицей",
    'write «"category" = "block"» lines': 'пишите строки «"категория" = "блок"»',
    '[groups] «{}» must be a block name or "{}"': '[groups] «{}» должен быть названием блока или "{}"',
    'e.g. «"{}" = "{}"»': 'например, «"{}" = "{}"»',
    "[groups] «{}» = «{}»: not a block of the taxonomy": "[groups] «{}» = «{}»: такого блока нет в таксономии",
    'use one of {}, or "{}"': 'укажите один из блоков {} или "{}"',
    "[groups] «{}» and «{}» are one category mapped two ways": (
        "[groups] «{}» и «{}» — одна категория, сопоставленная двумя способами"
    ),
    "keep one of them": "оставьте одну из них",
    "«{}» has an unmatched brace": "в «{}» непарная фигурная скобка",
    "write it like reports/curtool-{{period}}.xlsx": "пишите так: reports/curtool-{{period}}.xlsx",
    "«{{{}}}» in «{}» is not a field an output name can use": "«{{{}}}» в «{}» — такого поля в имени файла нет",
    "the only field is {{period}} (or {{week}}), e.g. reports/curtool-{{period}}.xlsx": (
        "поле только одно — {{period}} (или {{week}}), например reports/curtool-{{period}}.xlsx"
    ),
    "deadlines for {} must be a table sector = hours": "сроки для {} должны быть таблицей сектор = часы",
    "deadline «{}» for {} must be a positive number of hours": (
        "срок «{}» для {} должен быть положительным числом часов"
    ),
    "got {}": "получено: {}",
    "for example: ЖКХ = 24": "например: ЖКХ = 24",
    "{}={} is not a positive whole number": "{}={} — не положительное целое число",
    "e.g. {}={}": "например, {}={}",
    # --- finding and reading the files
    "no input files given": "не указаны входные файлы",
    "name one or more exports": "назовите одну или несколько выгрузок",
    "file not found": "файл не найден",
    "check the path": "проверьте путь",
    "check the path; quote names with spaces": "проверьте путь; имена с пробелами берите в кавычки",
    "no files match this pattern": "ни один файл не подходит под этот шаблон",
    "check the folder and the pattern; quote it so the shell leaves it to curtool": (
        "проверьте папку и шаблон; возьмите шаблон в кавычки, чтобы его раскрыл curtool, а не оболочка"
    ),
    "this is a folder, not a file": "это папка, а не файл",
    "name the files inside it, e.g. folder/*.xlsx": "назовите файлы в ней, например folder/*.xlsx",
    "cannot read «{}» files": "файлы «{}» не читаются",
    "curtool reads .csv, .tsv, .txt, .xlsx, .xlsm, .xls and .ods": "curtool читает .csv, .tsv, .txt, .xlsx, .xlsm, .xls и .ods",
    "the file is empty (0 bytes)": "файл пустой (0 байт)",
    "export it again": "выгрузите его заново",
    "the file has no text in it": "в файле нет текста",
    "the file has a {} name but is not a {} workbook": "у файла имя {}, но это не книга {}",
    "export it again from the source system, or rename it if it is really a CSV": (
        "выгрузите его заново из исходной системы или переименуйте, если это на самом деле CSV"
    ),
    "the file is a damaged or unknown zip archive, not a readable workbook": (
        "файл — повреждённый или незнакомый zip-архив, а не читаемая книга"
    ),
    "open it in Excel or LibreOffice and save it again": "откройте его в Excel или LibreOffice и сохраните заново",
    "open it in Excel or LibreOffice and save it again as .xlsx": (
        "откройте его в Excel или LibreOffice и сохраните заново как .xlsx"
    ),
    "the workbook is password-protected": "книга защищена паролем",
    "open it in Excel, remove the password (File → Info → Protect) and save again": (
        "откройте её в Excel, снимите пароль (Файл → Сведения → Защита) и сохраните заново"
    ),
    "the workbook cannot be read ({}: {})": "книгу не прочитать ({}: {})",
    "sheet «{}» cannot be read ({})": "лист «{}» не прочитать ({})",
    "no sheet «{}»": "нет листа «{}»",
    "the workbook has: {}": "в книге есть: {}",
    "sheet «{}» is empty": "лист «{}» пустой",
    "choose another sheet with --sheet": "выберите другой лист через --sheet",
    "sheet «{}» spans {}:{} ({} cells) but only {} are filled: a stray cell far from the data (at {})": (
        "лист «{}» занимает {}:{} ({} ячеек), а заполнено только {}: случайная ячейка далеко от данных (в {})"
    ),
    "delete the stray cells (Ctrl+End in Excel goes to the last one) and save again": (
        "удалите случайные ячейки (Ctrl+End в Excel ведёт к последней) и сохраните заново"
    ),
    "delete the stray cells (Ctrl+End in Excel goes to the last one) and save again, "
    "or read another sheet alone with --sheet": (
        "удалите случайные ячейки (Ctrl+End в Excel ведёт к последней) и сохраните заново "
        "или прочитайте другой лист отдельно через --sheet"
    ),
    "if it is genuine, save it from LibreOffice as .xlsx, which writes every cell": (
        "если файл настоящий, сохраните его из LibreOffice как .xlsx — он записывает каждую ячейку"
    ),
    "the {} unpacks to {}, more than the limit of {} MB": "{} распаковывается в {} — больше предела в {} МБ",
    "«{}» in the {} unpacks to {} from {} ({}× packed; real files pack under {}×): a zip bomb, not data": (
        "«{}» в {} распаковывается в {} из {} (сжатие {}×; настоящие файлы сжимаются меньше чем в {}×): "
        "zip-бомба, а не данные"
    ),
    "{} (rows and cells marked as repeated; at most {} for that size): a bomb, not data": (
        "{} (строки и ячейки помечены как повторённые; для такого размера не больше {}): бомба, а не данные"
    ),
    "if it is genuine, raise the limit: {}={} curtool …": "если файл настоящий, поднимите предел: {}={} curtool …",
    "part «{}» is damaged ({})": "часть «{}» повреждена ({})",
    "part «{}» unpacks to {} bytes, not the {} its directory says": (
        "часть «{}» распаковывается в {} байт, а не в {}, как указано в оглавлении архива"
    ),
    # --- encodings and CSV
    "unknown encoding «{}»": "неизвестная кодировка «{}»",
    "use e.g. utf-8, cp1251 or utf-16": "укажите, например, utf-8, cp1251 или utf-16",
    "bytes at line {} cannot be read as {}": "байты в строке {} не читаются как {}",
    "bytes{} cannot be read as {}": "байты{} не читаются как {}",
    "undecodable bytes at byte {}: neither UTF-8 nor {}": "нечитаемые байты на байте {}: не UTF-8 и не {}",
    "undecodable bytes at byte {}: the file is UTF-8 with damaged bytes": (
        "нечитаемые байты на байте {}: файл в UTF-8 с повреждёнными байтами"
    ),
    "undecodable bytes: neither UTF-8 nor a Russian code page (cp1251, koi8-r, cp866)": (
        "нечитаемые байты: ни UTF-8, ни русская кодировка (cp1251, koi8-r, cp866)"
    ),
    "the text is neither UTF-8 nor Russian in cp1251, koi8-r, cp866 or mac-cyrillic: read so, it would be nonsense": (
        "текст не в UTF-8 и не русский в cp1251, koi8-r, cp866 или mac-cyrillic: так прочитанный, он был бы бессмыслицей"
    ),
    "save the file as UTF-8 again, or name its encoding with --encoding": (
        "сохраните файл заново в UTF-8 или укажите кодировку через --encoding"
    ),
    "save the file as UTF-8, or name its encoding with --encoding": (
        "сохраните файл в UTF-8 или укажите кодировку через --encoding"
    ),
    "name its encoding with --encoding (as Python names it: gbk, latin-1 …), or save the file as UTF-8": (
        "укажите кодировку через --encoding (как её называет Python: gbk, latin-1 …) или сохраните файл в UTF-8"
    ),
    "the CSV cannot be parsed: {}": "CSV не разобрать: {}",
    "check the quoting around that line, or name the separator with --separator": (
        "проверьте кавычки около этой строки или укажите разделитель через --separator"
    ),
    "the separator must be one ASCII character other than a quote or a line break, not «{}»": (
        "разделитель — один символ ASCII, не кавычка и не перевод строки, а не «{}»"
    ),
    "give one character: --separator ';' (or ',', '|', tab); curtool cannot split on a longer string — "
    "replace it in a text editor first": (
        "укажите один символ: --separator ';' (или ',', '|', табуляция); по более длинной строке curtool "
        "не делит — сначала замените её в текстовом редакторе"
    ),
    # --- columns and headers
    "no message text column found among {}{}": "среди столбцов {}{} не найден столбец с текстом сообщения",
    'name it with --text-column "<column>" or in curtool.toml [columns] text = …': (
        'назовите его через --text-column "<столбец>" или в curtool.toml: [columns] text = …'
    ),
    "there is no column «{}» for {}": "нет столбца «{}» для {}",
    "columns seen: {}": "найдены столбцы: {}",
    "the first line looks like a message, not column names (its dates or numbers are data)": (
        "первая строка похожа на сообщение, а не на названия столбцов (даты и числа в ней — данные)"
    ),
    "the first line looks like a message, not column names (no known name in it)": (
        "первая строка похожа на сообщение, а не на названия столбцов (в ней нет ни одного известного названия)"
    ),
    "if the file has no header line, add --no-header and name the columns by position or letter, "
    "e.g. --text-column 2 or --text-column B": (
        "если в файле нет строки заголовков, добавьте --no-header и назовите столбцы по номеру или букве, "
        "например --text-column 2 или --text-column B"
    ),
    "check --label-column": "проверьте --label-column",
    # --- dates and weeks
    "no column of creation dates, so messages cannot be put into weeks": (
        "нет столбца с датой создания, поэтому сообщения не разложить по неделям"
    ),
    "the archive's exports have no column of creation dates, so messages cannot be put into weeks": (
        "в выгрузках архива нет столбца с датой создания, поэтому сообщения не разложить по неделям"
    ),
    "the messages have no creation date": "у сообщений нет даты создания",
    "no message has a readable creation date, so there is no week to report": (
        "ни у одного сообщения нет читаемой даты создания, поэтому отчитываться не за какую неделю"
    ),
    "no message has a readable creation date, so recurrence over weeks cannot be judged": (
        "ни у одного сообщения нет читаемой даты создания, поэтому повторяемость по неделям не оценить"
    ),
    "name the column that holds the creation date with --date-column (dates like 2026-11-23 or 23.11.2026 14:05)": (
        "назовите столбец с датой создания через --date-column (даты вида 2026-11-23 или 23.11.2026 14:05)"
    ),
    "name the date column with --date-column": "назовите столбец дат через --date-column",
    "name the date column with --date-column (looked for {} …)": "назовите столбец дат через --date-column (искали {} …)",
    "archive the exports again naming the date column with --date-column (looked for {} …)": (
        "добавьте выгрузки в архив заново, назвав столбец дат через --date-column (искали {} …)"
    ),
    "archive them again naming the date column with --date-column": (
        "добавьте их в архив заново, назвав столбец дат через --date-column"
    ),
    "check the date column (--date-column) or pass --week YYYY-Www": (
        "проверьте столбец дат (--date-column) или укажите --week ГГГГ-Wнн"
    ),
    "the data has no complete week yet (it ends {}, within week {})": (
        "в данных ещё нет полной недели (они кончаются {}, внутри недели {})"
    ),
    "pass --week {} to report that week as incomplete": "укажите --week {}, чтобы получить отчёт за неполную неделю",
    # --- districts
    "district «{}» is not in the data": "района «{}» нет в данных",
    "the closest known: {}": "ближайшие известные: {}",
    "the data names no districts": "в данных не названы районы",
    "the gazetteer lists no district names": "в справочнике районов нет ни одного названия",
    "give a CSV with a «district» column (and optional «aliases», «population»)": (
        "дайте CSV со столбцом «district» (и, если нужно, «aliases», «population»)"
    ),
    "the population table needs a district column and a population column": (
        "в таблице населения нужны столбец района и столбец населения"
    ),
    "name them «district» and «population» (or «район» and «население»)": (
        "назовите их «district» и «population» (или «район» и «население»)"
    ),
    "population «{}» is not a positive number": "население «{}» — не положительное число",
    "write the number of residents as digits": "запишите число жителей цифрами",
    # --- models, labels, the taxonomy
    "model file not found": "файл модели не найден",
    "not a curtool sector model ({})": "это не модель секторов curtool ({})",
    "pass a file written by `curtool train` or scripts/build_model.py, or omit the option to use the built-in model": (
        "укажите файл, записанный `curtool train` или scripts/build_model.py, или уберите параметр — "
        "тогда будет встроенная модель"
    ),
    "rebuild the model with this curtool (scripts/build_model.py or `curtool train`)": (
        "пересоберите модель этой версией curtool (scripts/build_model.py или `curtool train`)"
    ),
    "the built-in sector model is missing": "встроенной модели секторов нет",
    "run `python scripts/build_model.py` in the source tree": "запустите `python scripts/build_model.py` в дереве исходников",
    "install curtool with its dependencies: pip install -e .": "установите curtool с зависимостями: pip install -e .",
    "the model needs word vectors «{}», which this curtool does not know": (
        "модели нужны векторы слов «{}», которых эта версия curtool не знает"
    ),
    "upgrade curtool: pip install -U curtool": "обновите curtool: pip install -U curtool",
    "the word vectors of the `natasha` package are not installed": "векторы слов пакета `natasha` не установлены",
    "the word vector archive cannot be read ({})": "архив векторов слов не прочитать ({})",
    "the word vector archive is inconsistent": "архив векторов слов противоречив",
    "reinstall the natasha package": "переустановите пакет natasha",
    "taxonomy file not found": "файл таксономии не найден",
    "taxonomy file is not valid: {}": "файл таксономии неправильный: {}",
    "compare it with curtool/data/taxonomy.toml (blocks need name, description, body, cues; kinds need "
    "name, block and cues; [groups] maps «Группа тем» values to block names)": (
        "сравните его с curtool/data/taxonomy.toml (у блоков нужны name, description, body, cues; у видов — "
        "name, block и cues; [groups] сопоставляет значения «Группа тем» названиям блоков)"
    ),
    "column «{}» has fewer than 2 labelled messages": "в столбце «{}» меньше 2 размеченных сообщений",
    "give labelled rows": "дайте размеченные строки",
    "give a labelled column with at least two classes": "дайте размеченный столбец хотя бы с двумя классами",
    "need at least two different labels to train, found {}": "для обучения нужны хотя бы две разные метки, найдено {}",
    "need at least two labels to cross-validate": "для перекрёстной проверки нужны хотя бы две метки",
    "texts and labels differ in length": "текстов и меток разное число",
    "pass one label per text": "дайте по одной метке на текст",
    "{} true labels but {} predictions": "{} верных меток, но {} предсказаний",
    "pass one prediction per labelled row": "дайте по одному предсказанию на размеченную строку",
    "nothing to evaluate": "нечего оценивать",
    "unknown base «{}»": "неизвестная основа «{}»",
    "use auto, seed or none": "укажите auto, seed или none",
    "the seed prior only knows the twelve sector blocks": "затравочная модель знает только двенадцать блоков секторов",
    "train on block labels, or rebuild the model with scripts/build_model.py": (
        "обучайте на метках блоков или пересоберите модель через scripts/build_model.py"
    ),
    "the prior model has no kinds to add the region's kinds to": (
        "в исходной модели нет видов, к которым добавить виды региона"
    ),
    "train with base='none' for your own label set": "для своего набора меток обучайте с base='none'",
    # --- the archive and the distributed engine
    "no export to archive": "нечего добавить в архив",
    "name the export files": "назовите файлы выгрузок",
    "name the export files to add; an archive is not merged into another": (
        "назовите файлы выгрузок для добавления; архив в другой архив не сливается"
    ),
    "is an archive, not an export": "это архив, а не выгрузка",
    "is not a curtool archive (no curtool-archive.json)": "это не архив curtool (нет curtool-archive.json)",
    "is a folder with other files in it, not a curtool archive": "это папка с другими файлами, а не архив curtool",
    "name a folder for the archive": "назовите папку для архива",
    "name a new or empty folder for the archive": "назовите новую или пустую папку для архива",
    "make one with: curtool archive EXPORT... -o FOLDER": "создайте его: curtool archive EXPORT... -o FOLDER",
    "make one on a folder the workers share: curtool archive EXPORT... -o /shared/archive": (
        "создайте его в папке, общей для рабочих процессов: curtool archive EXPORT... -o /shared/archive"
    ),
    "add the exports to it first: curtool archive EXPORT... -o {}": (
        "сначала добавьте в него выгрузки: curtool archive EXPORT... -o {}"
    ),
    "an archive is read alone, not together with other exports or archives": (
        "архив читается один, не вместе с другими выгрузками или архивами"
    ),
    "the archive manifest is damaged ({}: {})": "оглавление архива повреждено ({}: {})",
    "restore curtool-archive.json from a backup, or build the archive again": (
        "восстановите curtool-archive.json из резервной копии или соберите архив заново"
    ),
    "the archive is of a newer format (version {}) than this curtool reads": (
        "архив в более новом формате (версия {}), чем читает эта версия curtool"
    ),
    "a remote Dask cluster reads an archive, not exports on this machine": (
        "удалённый кластер Dask читает архив, а не выгрузки на этой машине"
    ),
    "no Dask scheduler answers at {} ({})": "планировщик Dask не отвечает по адресу {} ({})",
    "start one with `dask scheduler` and workers with `dask worker ADDRESS` (see README)": (
        "запустите его командой `dask scheduler`, а рабочие процессы — `dask worker ADDRESS` (см. README)"
    ),
    "the Dask cluster failed while {} ({}: {})": "кластер Dask сломался на шаге «{}» ({}: {})",
    "the Dask cluster failed while classifying ({}: {})": "кластер Dask сломался при классификации ({}: {})",
    "check the workers' logs and memory; --engine memory runs without Dask": (
        "проверьте журналы и память рабочих процессов; --engine memory работает без Dask"
    ),
    "check the workers' logs and memory (a district must fit in one worker); --engine memory runs without Dask": (
        "проверьте журналы и память рабочих процессов (район должен помещаться в один процесс); "
        "--engine memory работает без Dask"
    ),
    # --- benchmarks
    "cannot generate {} rows over {} weeks": "нельзя сгенерировать {} строк за {} недель",
    "ask for 0 or more rows over 1 or more weeks": "просите 0 или больше строк за 1 или больше недель",
    # --- CSV output and the samples
    "--csv-dialect: {}": "--csv-dialect: {}",
    "[output] csv_dialect: {}": "[output] csv_dialect: {}",
    "CSV dialect «{}» is not known": "диалект CSV «{}» неизвестен",
    "use one of {}": "укажите один из: {}",
    "-o names the benchmark file of --rows, and --rows is not given": (
        "-o задаёт файл тестовых данных для --rows, а --rows не указан"
    ),
    "write the samples into a folder with `curtool sample {}`, or add --rows N": (
        "запишите примеры в папку командой `curtool sample {}` или добавьте --rows N"
    ),
    "file already exists; nothing was written": "файл уже есть; ничего не записано",
    "add --force to write over it": "добавьте --force, чтобы записать поверх",
    # --- the problem state between weekly runs
    "--state and --no-state contradict each other": "--state и --no-state противоречат друг другу",
    "give one of them": "укажите что-то одно",
    "cannot read the problem-state file: {}": "файл состояния проблем не прочитать: {}",
    "cannot write the problem-state file: {}": "файл состояния проблем не записать: {}",
    "check that the folder is writable, or name another file with --state": (
        "проверьте, что в папку можно писать, или назовите другой файл через --state"
    ),
    "is a damaged problem-state file": "это повреждённый файл состояния проблем",
    "is not a JSON problem-state file": "это не файл состояния проблем в JSON",
    "is not a curtool problem-state file": "это не файл состояния проблем curtool",
    "move it aside to start the state afresh, name another file with --state, or run with --no-state": (
        "переместите его, чтобы начать состояние заново, назовите другой файл через --state или запустите с --no-state"
    ),
    "the problem-state file has version {}; this curtool reads version {}": (
        "у файла состояния проблем версия {}, а эта версия curtool читает версию {}"
    ),
    "use the curtool that wrote it, or move it aside to start the state afresh, name another file with --state, or run with --no-state": (
        "используйте ту версию curtool, что его записала, или переместите его, чтобы начать состояние заново, "
        "назовите другой файл через --state или запустите с --no-state"
    ),
    # --- the map
    "cannot write {}: {}": "не удалось записать {}: {}",
    "check the --districts path": "проверьте путь в --districts",
    "the districts file does not exist": "файла районов нет",
    "the districts file has no features": "в файле районов нет объектов",
    "the districts file is larger than 200 MB": "файл районов больше 200 МБ",
    "simplify the outlines (e.g. mapshaper -simplify) and try again": (
        "упростите контуры (например, mapshaper -simplify) и попробуйте снова"
    ),
    "the districts file is not UTF-8 text": "файл районов — не текст в UTF-8",
    "save the GeoJSON as UTF-8": "сохраните GeoJSON в UTF-8",
    "the districts file is not a GeoJSON FeatureCollection": "файл районов — не GeoJSON FeatureCollection",
    "give a GeoJSON FeatureCollection of district polygons": (
        "укажите GeoJSON FeatureCollection с полигонами районов"
    ),
    "the districts file is not valid JSON ({})": "файл районов — некорректный JSON ({})",
    "feature {} of the districts file has no property {}": "у объекта {} файла районов нет свойства {}",
    "feature {} of the districts file is not a GeoJSON Feature": "объект {} файла районов — не GeoJSON Feature",
    "feature {} of the districts file is not a Polygon or MultiPolygon": (
        "объект {} файла районов — не Polygon и не MultiPolygon"
    ),
    "name it with --districts-name-field": "назовите его через --districts-name-field",
    "name the property that holds the district with --districts-name-field": (
        "назовите свойство с названием района через --districts-name-field"
    ),
    "the districts have no name property (name, district, район …)": (
        "у районов нет свойства с названием (name, district, район …)"
    ),
    # --- language
    "{} {} is not a language": "{} {} — нет такого языка",
    "use ru (Russian) or en (English)": "укажите ru (русский) или en (английский)",
}

# Values said in English inside a message (the hole's text), and the warnings of the loader
# and the pipeline: matched the same way.
FRAGMENTS: dict[str, str] = {
    "text in quotes": "текстом в кавычках",
    "a whole number": "целым числом",
    "a number": "числом",
    "a table": "таблицей",
    "true or false": "true или false",
    "{} or {}": "{} или {}",
    "at least 1": "не меньше 1",
    "at least 0": "не меньше 0",
    "workbook": "книге",
    "file": "файле",
    "{}: no files match this pattern; the other inputs are read": (
        "{}: ни один файл не подходит под этот шаблон; остальные входные файлы прочитаны"
    ),
    '{}: sheet «{}» ({} row) was not read: {}; read it on its own with --sheet "{}"': (
        '{}: лист «{}» ({} строка) не прочитан: {}; прочитайте его отдельно: --sheet "{}"'
    ),
    '{}: sheet «{}» ({} rows) was not read: {}; read it on its own with --sheet "{}"': (
        '{}: лист «{}» (строк: {}) не прочитан: {}; прочитайте его отдельно: --sheet "{}"'
    ),
    # the distributed engine's stages, on the progress bar
    "reading the archive": "чтение архива",
    "counting the categories' votes": "подсчёт голосов категорий",
    "classifying and finding problems by district": "классификация и поиск проблем по районам",
    "classifying by part": "классификация по частям",
    "building the report": "сборка отчёта",
    "it is hidden": "он скрыт",
    "its columns differ from sheet «{}»": "его столбцы не такие, как на листе «{}»",
    "sheet «{}»: {}": "лист «{}»: {}",
    "already in the archive (the same content), skipped: {}": "уже в архиве (то же содержимое), пропущены: {}",
    "already in the archive (the same content), skipped: {} and {} more": (
        "уже в архиве (то же содержимое), пропущены: {} и ещё {}"
    ),
    "week {} has no messages; the export has no dated message at all": (
        "за неделю {} нет сообщений; в выгрузке вообще нет сообщений с датой"
    ),
    "week {} has no messages; the export begins on {} (its last message is from {})": (
        "за неделю {} нет сообщений; выгрузка начинается {} (последнее сообщение от {})"
    ),
    "week {} has no messages; the export's last message is from {}": (
        "за неделю {} нет сообщений; последнее сообщение выгрузки от {}"
    ),
    "week {} is incomplete: the export's last message is from {}": (
        "неделя {} неполная: последнее сообщение выгрузки от {}"
    ),
    "week {} is incomplete: the export begins on {}": ("неделя {} неполная: выгрузка начинается {}"),
    # the same of a month, a quarter, a run of days (report --month/--quarter/--since)
    "month {} has no messages; the export has no dated message at all": (
        "за месяц {} нет сообщений; в выгрузке вообще нет сообщений с датой"
    ),
    "month {} has no messages; the export begins on {} (its last message is from {})": (
        "за месяц {} нет сообщений; выгрузка начинается {} (последнее сообщение от {})"
    ),
    "month {} has no messages; the export's last message is from {}": (
        "за месяц {} нет сообщений; последнее сообщение выгрузки от {}"
    ),
    "month {} is incomplete: the export's last message is from {}": (
        "месяц {} неполный: последнее сообщение выгрузки от {}"
    ),
    "month {} is incomplete: the export begins on {}": ("месяц {} неполный: выгрузка начинается {}"),
    "quarter {} has no messages; the export has no dated message at all": (
        "за квартал {} нет сообщений; в выгрузке вообще нет сообщений с датой"
    ),
    "quarter {} has no messages; the export begins on {} (its last message is from {})": (
        "за квартал {} нет сообщений; выгрузка начинается {} (последнее сообщение от {})"
    ),
    "quarter {} has no messages; the export's last message is from {}": (
        "за квартал {} нет сообщений; последнее сообщение выгрузки от {}"
    ),
    "quarter {} is incomplete: the export's last message is from {}": (
        "квартал {} неполный: последнее сообщение выгрузки от {}"
    ),
    "quarter {} is incomplete: the export begins on {}": ("квартал {} неполный: выгрузка начинается {}"),
    "period {} has no messages; the export has no dated message at all": (
        "за период {} нет сообщений; в выгрузке вообще нет сообщений с датой"
    ),
    "period {} has no messages; the export begins on {} (its last message is from {})": (
        "за период {} нет сообщений; выгрузка начинается {} (последнее сообщение от {})"
    ),
    "period {} has no messages; the export's last message is from {}": (
        "за период {} нет сообщений; последнее сообщение выгрузки от {}"
    ),
    "period {} is incomplete: the export's last message is from {}": (
        "период {} неполный: последнее сообщение выгрузки от {}"
    ),
    "period {} is incomplete: the export begins on {}": ("период {} неполный: выгрузка начинается {}"),
}


def _literal_length(template: str) -> int:
    return sum(len(text) for text, _, _, _ in string.Formatter().parse(template))


@functools.cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    """Every template as a pattern, the most specific (longest literal text) first."""
    out = []
    for english_text, russian in {**CATALOGUE, **FRAGMENTS}.items():
        parts = []
        for text, field, _, _ in string.Formatter().parse(english_text):
            parts.append(re.escape(text))
            if field is not None:
                parts.append("(.+?)")
        out.append((re.compile("".join(parts), re.DOTALL), russian, _literal_length(english_text)))
    out.sort(key=lambda item: -item[2])
    return [(pattern, russian) for pattern, russian, _ in out]


def russian(text: str) -> str:
    """``text`` (an English message, hint or warning) in Russian, or as it is when unknown."""
    if not text:
        return text
    for pattern, template in _patterns():
        match = pattern.fullmatch(text)
        if match:
            return template.format(*(russian(value) for value in match.groups()))
    return text


# the in-memory jobs' stages (curtool.app.pipeline) are named in Russian: their English
ENGLISH_STAGES = {
    "Чтение выгрузок": "Reading the exports",
    "Классификация сообщений": "Classifying the messages",
    "Поиск повторяющихся проблем": "Finding recurring problems",
    "Сборка отчёта": "Building the report",
    "Перекрёстная проверка": "Cross-validating",
    "Обучение модели": "Training the model",
    "Запись в архив": "Writing the archive",
    "Запись результата": "Writing the output",
}


def say(text: str) -> str:
    """A text from the lower floors (an English message, a Russian stage) in the console's language."""
    return ENGLISH_STAGES.get(text, text) if english() else russian(text)


def error_line(exc: CurtoolError) -> str:
    """The one line the CLI prints for an error, in the console's language: where, what, the
    hint, and the stable code (the same in every language)."""
    if english():
        return f"error: {exc.line()}"
    where = exc.where(row="строка {}", column="столбец «{}»")
    message = russian(exc.message)
    text = f"{where}: {message}" if where else message
    if exc.hint:
        text = f"{text.rstrip('.')}. Подсказка: {russian(exc.hint)}"
    return f"ошибка: {text} [{exc.code}]"


# the system's words for the failures a user meets (its strerror is English whatever the locale)
OS_ERRORS = {
    errno.ENOENT: "нет такого файла или папки",
    errno.EACCES: "нет доступа",
    errno.EPERM: "операция не разрешена",
    errno.ENOSPC: "на диске нет места",
    errno.EISDIR: "это папка",
    errno.ENOTDIR: "это не папка",
    errno.EROFS: "файловая система только для чтения",
    errno.EEXIST: "уже существует",
}


def os_error(exc: OSError) -> str:
    """An OSError's reason in the console's language."""
    if not english() and exc.errno in OS_ERRORS:
        return OS_ERRORS[exc.errno]
    return str(exc.strerror or exc)


def warning_line(text: str) -> str:
    return f"{tr('предупреждение', 'warning')}: {say(text)}"
