"""The evaluation as an Excel workbook: «Метрики» (summary and per class) and «Матрица ошибок»."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from curtool.core.evaluate import Evaluation
from curtool.io import output, pagelayout

METRICS_SHEET = "Метрики"
CONFUSION_SHEET = "Матрица ошибок"


def write_evaluation(evaluation: Evaluation, path: str | Path) -> Path:
    """An .xlsx with sheets «Метрики» (summary + per class) and «Матрица ошибок»."""
    path = Path(path)
    rows = [
        {"показатель": "accuracy", "значение": round(evaluation.accuracy, 4)},
        {"показатель": "macro-F1", "значение": round(evaluation.macro_f1, 4)},
        {"показатель": "сообщений", "значение": evaluation.n},
    ]
    if evaluation.lenient_accuracy is not None:
        rows.insert(2, {"показатель": "lenient accuracy", "значение": round(evaluation.lenient_accuracy, 4)})
    per_class = evaluation.per_class.round(4).reset_index()
    per_class.columns = ["класс", "precision", "recall", "F1", "support"]
    confusion = evaluation.confusion.copy()
    confusion.index = [f"{v}" for v in confusion.index]
    confusion = confusion.reset_index().rename(columns={"index": "истина \\ прогноз"})
    import xlsxwriter

    with output.atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), output.workbook_options(output.scratch_dir(tmp)))
        try:
            header = output.header_format(book, text_wrap=True, valign="vcenter")
            date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
            sheet = book.add_worksheet(METRICS_SHEET)
            output.write_frame(
                book, sheet, pd.DataFrame(rows), header, date_fmt, repeat=False, wrap_long=True
            )
            # the per-class table is the long one: its header repeats on every printed page
            output.write_frame(
                book, sheet, per_class, header, date_fmt, first_row=len(rows) + 2, wrap_long=True
            )
            output.write_frame(
                book, book.add_worksheet(CONFUSION_SHEET), confusion, header, date_fmt, wrap_long=True
            )
            pagelayout.finish(book)
        finally:
            book.close()
    return path
