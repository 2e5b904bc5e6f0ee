"""Side files a run reads besides the exports: the population table and the gazetteer of districts.

Both are read by the exports' own reader (:func:`curtool.io.formats.read_table`): cp1251,
separators, title rows and damaged files are handled as for exports.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from curtool.core import columns as C
from curtool.core import errors
from curtool.core.districts import Gazetteer, normal_form
from curtool.io.formats import read_table

_DISTRICT_HEADERS = (
    "district",
    "район",
    "муниципалитет",
    "муниципальное образование",
    "мо",
    "name",
)
_POPULATION_HEADERS = (
    "population",
    "население",
    "численность",
    "жителей",
    "residents",
    "численность населения",
)


def read_population(path: str | Path) -> pd.DataFrame:
    """A population table (CSV/XLSX: district, population) as ``_district``, ``population``."""
    # the loader's reader: cp1251, separators, title rows and bad files handled as for exports
    table = read_table(Path(path)).frame
    headers = {str(c).strip().lower().replace("ё", "е"): c for c in table.columns}
    district = next((headers[h] for h in _DISTRICT_HEADERS if h in headers), None)
    population = next((headers[h] for h in _POPULATION_HEADERS if h in headers), None)
    if district is None or population is None:
        raise errors.CurtoolError(
            errors.NO_SUCH_COLUMN,
            "the population table needs a district column and a population column",
            "name them «district» and «population» (or «район» and «население»)",
            path=path,
        )
    # the no-break space is the character itself, not the escape "\u00a0": the Arrow regex
    # engine (RE2) of pyarrow 18 rejects "\u" escapes ("invalid escape sequence")
    numbers = pd.to_numeric(
        table[population].astype(str).str.replace("[\\s\u00a0]", "", regex=True).str.replace(",", "."),
        errors="coerce",
    )
    bad = numbers.isna() | (numbers <= 0)
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        raise errors.CurtoolError(
            errors.BAD_OPTION,
            f"population «{table[population].iloc[first]}» is not a positive number",
            "write the number of residents as digits",
            path=path,
            row=first + 1,
            column=str(population),
        )
    return pd.DataFrame(
        {C.DISTRICT: table[district].astype(str).str.strip(), C.POPULATION: numbers.astype(float)}
    )


def read_gazetteer(path: str | Path) -> Gazetteer:
    """CSV/XLSX with a name column and optional «aliases» (separated by ;) and «population»."""
    table = read_table(Path(path)).frame
    cols = {str(c).strip().lower(): c for c in table.columns}
    name_col = next(
        (cols[c] for c in ("district", "name", "район", "муниципалитет", "название") if c in cols),
        table.columns[0],
    )
    gaz = Gazetteer(names=[])
    for _, row in table.iterrows():
        name = str(row[name_col]).strip()
        if not name:
            continue
        gaz.names.append(name)
        for alias_col in ("aliases", "синонимы", "варианты"):
            if alias_col in cols:
                for alias in str(row[cols[alias_col]]).split(";"):
                    if alias.strip():
                        gaz.aliases[normal_form(alias)] = name
        for pop_col in ("population", "население", "жители"):
            if pop_col in cols:
                value = pd.to_numeric(str(row[cols[pop_col]]).replace(" ", ""), errors="coerce")
                if value == value:
                    gaz.population[name] = float(value)
    if not gaz.names:
        raise errors.CurtoolError(
            errors.BAD_CONFIG,
            "the gazetteer lists no district names",
            "give a CSV with a «district» column (and optional «aliases», «population»)",
            path=path,
        )
    return gaz
