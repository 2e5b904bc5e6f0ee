"""Deterministic sample exports for Республика Адыгея, their ground truth, and bulk data.

Public API
----------
``write_samples(folder, seed=2026) -> {name: path}``
    Writes ``incidents_adygea.xlsx`` (an «Инцидент Менеджмент» export: title row 1,
    empty row 2, the 47-column header on row 3, dates as text «2026-09-14 20:06:02»),
    ``pos_adygea.csv`` (a «Госуслуги. Решаем вместе» export: cp1251, ``;``, dates
    «14.09.2026 20:06», coordinates) and ``truth.json``.  Same seed ⇒ byte-identical files.
    With them, ``labelled/labelled_adygea.csv``: 400 generated messages with their true block
    (``id``, ``text``, ``sector``; ``;``, UTF-8 with a BOM) to try ``train`` and ``evaluate``.
``sample_paths(folder) -> {name: path}``
    The files ``write_samples`` writes, known before anything is written.
``generate_messages(n, seed=1, weeks=10, end_week="2026-W47", truth=False) -> DataFrame``
    ``n`` bulk messages in the ПОС CSV layout (1M rows in 8–20 s on 2 cores, ~2.2 GB peak);
    ``truth=True`` adds ``true_sector`` and ``true_issue`` columns.
``write_benchmark_csv(path, n, seed=1)`` / ``write_benchmark_xlsx(path, n, seed=1)``
    Bulk data as a cp1251 ``;`` CSV / an IM-layout XLSX (title row above the header).
``python -m curtool.synthetic [--out data/samples] [--seed 2026]`` regenerates the samples.

truth.json
----------
One JSON object (one list item per line, so diffs stay readable)::

    region          "Республика Адыгея"
    weeks           ["2026-W38", …, "2026-W47"]           ISO weeks covered (Mon 14.09 – Sun 22.11)
    files           {name: {kind, rows, id_column, text_column, district_column, date_format,
                     sheet/title_rows/header_row (xlsx) | encoding/separator (csv)}}
    sectors         the twelve sector blocks (columns.SECTORS)
    group_sector    {«Группа тем»: sector} — the mapping used to fill «Группа тем»
    district_variants {canonical district: [written forms used in the files]}
    messages        one item per DATA ROW of each file, in file order:
        file        file name;  id: the file's id value as text (ID / «Номер сообщения»)
        row         1-based data row in its file (the header is not counted)
        sector      true sector block;  issue: phrase-bank problem key («no_heating», …)
        problem     planted problem key («P01»…, systemic «S01»…) or null
        district    canonical district (true, even where the file's cell is empty or a variant)
        locality, street, house   the true place ("" where the message names none)
        created     "YYYY-MM-DD HH:MM:SS" or null (missing or unreadable date in the file)
        week        ISO week label or null
        duplicate_of  null, or the id of the row this one repeats; duplicate_file names that
                    row's file (exact duplicate rows inside the XLSX repeat their own id and
                    point at the first copy's id; CSV copies of XLSX messages point at the
                    XLSX id — same text, minute and district)
        flags       sorted marks: short, long, multiline, typos, no_punctuation, caps, emoji,
                    html, url, phone, email, profile (personal data), empty_text,
                    missing_date, bad_date (CSV, unreadable «Дата поступления»), formula_like,
                    no_group (XLSX «Группа тем» left empty), surge, exact_duplicate,
                    cross_file_duplicate
    problems        planted recurring (P..) and systemic (S..) problems:
        key, issue, district, sector, locality, street, house, place («ул. X, 12»; null
        when systemic), lat, lon (the house's point; CSV pins lie within ~25 m),
        message_ids [{file, id}], weeks [ISO labels], first_seen, last_seen,
        returned_after_resolved (a message arrived after an earlier one was closed
        «Решено»), resolved_message {file, id, closed} or null, systemic (bool),
        places [{locality, street, house}] (systemic only)
    surges          [{district, sector, week, count, baseline_weeks, baseline_mean,
                     baseline_counts, planted_issues}] — count = non-duplicate dated messages
                    of both files in the district × sector × week cell (true district and
                    sector); the baseline is every earlier week of the window;
                    planted_issues = {issue: extra messages planted} (spread over the
                    sector's problems and places, so a burst, not a recurring place)
    background_spread  the ten (district, issue, two-week) cells where unplanted messages
                    come from the most distinct places: the noise floor a systemic
                    detector must rise above (busy Майкоп reaches 15–20 places)
    weekly_totals   {week: {rows: {file: rows incl. duplicates}, messages: non-duplicates,
                     by_sector: {sector: non-duplicates}}}

Sector rules used for «Группа тем» (see ``phrases`` for the full list): waste collection
from yard containers is ЖКХ; dumps, landfills and burning are Экология.  Background
messages never share a (locality, street, house) nor a (locality, street, problem) with
any other message, so every recurring group in the samples is a planted one; messages
that name only a town are not places.
"""

from curtool.synthetic.bulk import generate_messages, write_benchmark_csv, write_benchmark_xlsx
from curtool.synthetic.samples import sample_paths, write_samples

__all__ = [
    "generate_messages",
    "sample_paths",
    "write_benchmark_csv",
    "write_benchmark_xlsx",
    "write_samples",
]
