"""An export's own categories: trusted by name only in the taxonomy's vocabulary, else mapped by
their messages; the analyst's [groups] in curtool.toml override both."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from curtool.app.cli import app
from curtool.app.console import groups_toml, make_console, print_categories, toml_string
from curtool.core import categories, classify, columns, errors
from curtool.core.taxonomy import load_taxonomy
from curtool.io import configfile as config
from curtool.io.modelfile import default_model

# Own-written messages (not from any dataset); the default model is sure of each.
HOUSE = [
    "В подъезде не убирают, на лестнице грязь и мусор",
    "Течёт крыша, после дождя мокрый потолок на пятом этаже",
    "Управляющая компания не чинит лифт уже неделю",
    "Нет горячей воды в квартире третий день",
    "Батареи в квартире еле тёплые, отопление не работает",
    "Подвал затоплен, пахнет канализацией по всему подъезду",
    "Домофон сломан, дверь в подъезд не закрывается",
    "В квитанции за коммунальные услуги неверное начисление",
]
ROADS = [
    "Яма на проезжей части, асфальт провалился",
    "Разбитая дорога на улице, колёса попадают в выбоины",
    "Не работает светофор на перекрёстке",
]
YARD = ["Во дворе сломаны качели на детской площадке", "Нужно покосить траву на газоне у дома"]
BUS = "Автобус не пришёл по расписанию, ждали час на остановке"


def frame(pairs: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({columns.CLEAN: [t for t, _ in pairs], columns.GROUP: [g for _, g in pairs]})


def portal_export() -> pd.DataFrame:
    """A portal's own vocabulary: its «Благоустройство» (a homonym of a «Группа тем») holds
    roads and yards; its other categories are unknown to the taxonomy."""
    return frame(
        [(t, "Благоустройство") for t in ROADS + YARD]
        + [(t, "Содержание дома") for t in HOUSE]
        + [(BUS, "Содержание дома")]
        + [(HOUSE[0], "Лифты"), (HOUSE[2], "Лифты")]
        + [(t, "Разное") for t in HOUSE[:3] + ROADS + YARD]
    )


@pytest.mark.slow
def test_a_foreign_vocabulary_is_not_trusted_by_name() -> None:
    done = classify.classify_detailed(portal_export(), default_model())
    result, mapping = done.table, done.categories
    assert mapping is not None and not mapping.taxonomy_vocabulary
    assert (mapping.known, mapping.distinct) == (1, 4)
    roads = result.iloc[: len(ROADS)]
    # the homonym would have made every road a yard («given» Благоустройство)
    assert list(roads[columns.SECTOR]) == ["Дорожное хозяйство"] * len(ROADS)
    assert set(roads[columns.SECTOR_SOURCE]) == {classify.SOURCE_MODEL}
    rule = next(r for r in mapping.rules if r.category == "Благоустройство")
    assert (rule.majority, rule.share, rule.decision) == ("Дорожное хозяйство", 0.6, categories.TEXT)
    assert rule.why == categories.UNCLEAR  # 3 of 5: a majority, but not yet a clear one


def test_a_clear_majority_gives_its_block_to_every_message_of_the_category() -> None:
    done = classify.classify_detailed(portal_export(), default_model())
    result, mapping = done.table, done.categories
    rows = result.iloc[len(ROADS + YARD) : len(ROADS + YARD) + len(HOUSE) + 1]
    assert list(rows[columns.SECTOR]) == ["ЖКХ"] * (len(HOUSE) + 1)  # the bus message too
    assert set(rows[columns.SECTOR_SOURCE]) == {classify.SOURCE_CATEGORY}
    assert rows[columns.SECTOR_CONFIDENCE].iloc[-1] == pytest.approx(8 / 9, abs=1e-4)
    assert rows[columns.SECTOR_EVIDENCE].iloc[-1].startswith("категория «Содержание дома»: 89%")
    rule = next(r for r in mapping.rules if r.category == "Содержание дома")
    assert (rule.messages, rule.majority, rule.decision, rule.why) == (
        9,
        "ЖКХ",
        "ЖКХ",
        categories.BY_MAJORITY,
    )


def test_a_mixed_or_small_category_leaves_each_message_to_its_text() -> None:
    data = portal_export()
    done = classify.classify_detailed(data, default_model())
    result, mapping = done.table, done.categories
    alone = classify.classify(data, default_model(), use_given=False)
    for name, why in (("Разное", categories.MIXED), ("Лифты", categories.UNCLEAR)):
        rows = (data[columns.GROUP] == name).to_numpy()
        pd.testing.assert_frame_equal(result[rows], alone[rows])
        assert next(r for r in mapping.rules if r.category == name).why == why


def test_a_category_holding_most_of_another_block_is_not_mapped() -> None:
    """A clear majority of yards, but every road message of the export is in it too: mapped,
    roads would vanish from the report."""
    streets = [(t, "Улицы") for t in YARD * 12 + ROADS * 2]
    done = classify.classify_detailed(frame(streets + [(t, "Дома") for t in HOUSE]), default_model())
    result, mapping = done.table, done.categories
    rule = next(r for r in mapping.rules if r.category == "Улицы")
    assert (rule.majority, rule.share) == ("Благоустройство", 0.8)
    assert (rule.why, rule.swallowed, rule.decision) == (categories.SWALLOWS, "Дорожное хозяйство", "text")
    roads = result[columns.SECTOR][len(YARD) * 12 : len(streets)]
    assert list(roads) == ["Дорожное хозяйство"] * len(ROADS) * 2
    # the same yards beside roads spread over other categories too: mapped
    spread = streets + [(t, f"Дороги {i}") for i, t in enumerate(ROADS * 4)]
    done = classify.classify_detailed(frame(spread), default_model())
    _, mapping = done.table, done.categories
    assert next(r for r in mapping.rules if r.category == "Улицы").why == categories.BY_MAJORITY


def test_in_the_taxonomy_vocabulary_known_values_set_the_block_and_unknown_ones_are_voted() -> None:
    data = frame(
        [(ROADS[0], "Благоустройство"), (YARD[0], "Дороги"), (HOUSE[0], "ЖКХ")]
        + [(t, "Своя группа региона") for t in HOUSE]
    )
    done = classify.classify_detailed(data, default_model())
    result, mapping = done.table, done.categories
    assert mapping.taxonomy_vocabulary and (mapping.known, mapping.distinct) == (3, 4)
    assert list(result[columns.SECTOR][:3]) == ["Благоустройство", "Дорожное хозяйство", "ЖКХ"]
    assert list(result[columns.SECTOR_SOURCE][:3]) == [classify.SOURCE_GIVEN] * 3
    assert set(result[columns.SECTOR_SOURCE][3:]) == {classify.SOURCE_CATEGORY}
    assert [r.why for r in mapping.voted] == [categories.BY_MAJORITY]


def test_spellings_of_one_category_are_one_category() -> None:
    data = frame([(t, "Содержание дома") for t in HOUSE[:4]] + [(t, " содержание  ДОМА ") for t in HOUSE[4:]])
    done = classify.classify_detailed(data, default_model())
    result, mapping = done.table, done.categories
    assert [(r.category, r.messages) for r in mapping.rules] == [("Содержание дома", 8)]
    assert set(result[columns.SECTOR_SOURCE]) == {classify.SOURCE_CATEGORY}


def test_the_config_groups_override_names_and_votes() -> None:
    groups = {"благоустройство": "Благоустройство", "Содержание дома": "text", "Лифты": "ЖКХ"}
    data = portal_export()
    done = classify.classify_detailed(data, default_model(), groups=groups)
    result, mapping = done.table, done.categories
    alone = classify.classify(data, default_model(), use_given=False)
    yard = (data[columns.GROUP] == "Благоустройство").to_numpy()
    assert set(result[columns.SECTOR][yard]) == {"Благоустройство"}
    assert set(result[columns.SECTOR_SOURCE][yard]) == {classify.SOURCE_CONFIG}
    assert (result[columns.SECTOR_CONFIDENCE][yard] == 1.0).all()
    house = (data[columns.GROUP] == "Содержание дома").to_numpy()
    pd.testing.assert_frame_equal(result[house], alone[house])  # "text": each message by its text
    lifts = (data[columns.GROUP] == "Лифты").to_numpy()
    assert set(result[columns.SECTOR_SOURCE][lifts]) == {classify.SOURCE_CONFIG}
    assert [r.category for r in mapping.voted] == ["Разное"]


def test_ignore_given_reads_no_category() -> None:
    done = classify.classify_detailed(portal_export(), default_model(), use_given=False)
    result, mapping = done.table, done.categories
    assert mapping is None and set(result[columns.SECTOR_SOURCE]) == {classify.SOURCE_MODEL}


def test_a_clear_majority_needs_more_than_half_with_confidence() -> None:
    low = categories.wilson_lower(np.array([5, 6, 15, 0, 520]), np.array([5, 7, 20, 0, 1000]))
    assert low[0] > 0.5 and low[1] < 0.5 and low[2] > 0.5 and low[3] == 0 and low[4] < 0.5
    vote = categories.vote_categories(
        np.array([0] * 10 + [1] * 20 + [2] * 10),
        np.array([0] * 10 + [0, 1] * 10 + [2] * 9 + [0]),
        4,
        ["А", "Б", "В"],
    )
    assert list(vote.majority) == ["А", "А", "В", ""]
    assert list(vote.voters) == [10, 20, 10, 0]
    assert list(vote.clear) == [True, False, True, False]  # a tie is never a majority
    assert np.isnan(vote.share[3])
    assert list(vote.second) == ["", "Б", "А", ""] and vote.second_share[2] == 0.1
    # 40 «А» and 10 of the 12 «Б» of the export: a clear majority, but it holds most of «Б»
    held = categories.vote_categories(
        np.array([0] * 50 + [1] * 2), np.array([0] * 40 + [1] * 12), 2, ["А", "Б"]
    )
    assert list(held.why) == [categories.SWALLOWS, categories.UNCLEAR] and held.swallowed[0] == "Б"
    assert not held.clear[0]


def test_a_vocabulary_is_the_taxonomys_when_at_least_half_its_values_are_known() -> None:
    assert not categories.is_known_vocabulary(1, 15)
    assert not categories.is_known_vocabulary(0, 0)
    assert categories.is_known_vocabulary(24, 26) and categories.is_known_vocabulary(1, 2)


def test_the_printed_snippet_is_valid_toml_that_reproduces_the_mapping(tmp_path: Path) -> None:
    data = portal_export()
    done = classify.classify_detailed(data, default_model())
    result, mapping = done.table, done.categories
    console = make_console()
    with console.capture() as captured:
        print_categories(console, mapping, ["Категория"])
    shown = captured.get()
    assert "«Категория»: 1 of 4 categories" in shown and "foreign vocabulary" in shown
    snippet = shown[shown.index("\n[groups]\n") + 1 :]
    assert snippet.strip() == groups_toml(mapping.voted)
    (tmp_path / "curtool.toml").write_text(snippet, encoding="utf-8")
    cfg = config.load_config(tmp_path / "curtool.toml")
    assert cfg.groups["Содержание дома"] == "ЖКХ" and cfg.groups["Разное"] == "text"
    config.check_groups(cfg.groups, load_taxonomy())
    done = classify.classify_detailed(data, default_model(), groups=cfg.groups)
    saved, _ = done.table, done.categories
    assert list(saved[columns.SECTOR]) == list(result[columns.SECTOR])


def test_toml_strings_survive_quotes_and_backslashes() -> None:
    name = 'Категория "А" \\ б\tв'
    assert tomllib.loads(f"x = {toml_string(name)}")["x"] == name


def test_a_groups_entry_naming_no_block_is_bad_config(tmp_path: Path) -> None:
    path = tmp_path / "curtool.toml"
    path.write_text('[groups]\n"Фасады" = "Фасадное хозяйство"\n', encoding="utf-8")
    cfg = config.load_config(path)
    with pytest.raises(errors.CurtoolError) as exc:
        config.check_groups(cfg.groups, load_taxonomy(), path)
    assert exc.value.code == errors.BAD_CONFIG and "«Фасады»" in exc.value.message
    path.write_text('[groups]\n"Фасады" = 3\n', encoding="utf-8")
    with pytest.raises(errors.CurtoolError) as exc:
        config.load_config(path)
    assert exc.value.code == errors.BAD_CONFIG and "«Фасады»" in exc.value.message
    path.write_text('[groups]\n"Фасады" = "ЖКХ"\n"ФАСАДЫ" = "text"\n', encoding="utf-8")
    with pytest.raises(errors.CurtoolError) as exc:
        config.check_groups(config.load_config(path).groups, load_taxonomy(), path)
    assert exc.value.code == errors.BAD_CONFIG and "two ways" in exc.value.message


def _portal_csv(tmp_path: Path) -> Path:
    data = portal_export()
    path = tmp_path / "portal.csv"
    pd.DataFrame(
        {
            "id": range(1, len(data) + 1),
            "created": pd.date_range("2026-11-16", periods=len(data), freq="6h").strftime("%Y-%m-%d %H:%M"),
            "district": "Абинский",
            "text": data[columns.CLEAN],
            "category": data[columns.GROUP],
        }
    ).to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_classify_and_report_print_the_mapping_and_use_the_config(tmp_path: Path, monkeypatch) -> None:
    source = _portal_csv(tmp_path)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    done = runner.invoke(app, ["classify", str(source), "-o", "out.csv"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert "Categories mapped by their messages" in done.output
    assert '"Содержание дома" = "ЖКХ"' in done.output
    out = pd.read_csv(tmp_path / "out.csv", sep=";", dtype=str)
    assert (out["sector_source"] == "category").sum() == 9
    report = runner.invoke(
        app, ["report", str(source), "--week", "2026-W47", "-o", "r.xlsx"], catch_exceptions=False
    )
    assert report.exit_code == 0, report.output
    assert '"Содержание дома" = "ЖКХ"' in report.output
    quiet = runner.invoke(app, ["report", str(source), "--week", "2026-W47", "-o", "q.xlsx", "-q"])
    assert quiet.exit_code == 0 and quiet.stdout == ""
    # the analyst saves the mapping, leaving one category to the text
    (tmp_path / "curtool.toml").write_text(
        '[groups]\n"Содержание дома" = "text"\n"Благоустройство" = "text"\n"Лифты" = "text"\n'
        '"Разное" = "text"\n',
        encoding="utf-8",
    )
    again = runner.invoke(app, ["classify", str(source), "-o", "out2.csv"], catch_exceptions=False)
    assert again.exit_code == 0, again.output
    assert "4 are mapped in the config's [groups]" in " ".join(again.output.split())  # wrapped at 80
    assert "Categories mapped by their messages" not in again.output  # nothing new to show
    assert set(pd.read_csv(tmp_path / "out2.csv", sep=";", dtype=str)["sector_source"]) == {"model"}
    (tmp_path / "curtool.toml").write_text('[groups]\n"Лифты" = "Лифтовое хозяйство"\n', encoding="utf-8")
    bad = runner.invoke(app, ["classify", str(source), "-o", "out3.csv"])
    assert bad.exit_code == 1
    assert "[groups] «Лифты»" in bad.stderr and "[bad-config]" in bad.stderr


# --- on real data (measures only; skipped where ../shared/dev is absent) -----------------

SPB = Path(__file__).resolve().parent.parent.parent / "shared" / "dev" / "spb_dev.csv"


@pytest.mark.slow
@pytest.mark.skipif(not SPB.exists(), reason="../shared/dev/spb_dev.csv is not here")
def test_a_portal_category_or_reason_never_costs_a_block_its_recall() -> None:
    from curtool.core.evaluate import evaluate
    from curtool.io.loader import load

    data = load([SPB], columns={"text": "text", "id": "id", "district": "district", "created": "created"})
    msgs = data.frame
    truth = msgs["sector"].astype(str).tolist()
    alt = msgs["alt_sector"].fillna("").astype(str).tolist()
    text_only = evaluate(
        truth, classify.classify(msgs, default_model(), use_given=False)[columns.SECTOR], alt_labels=alt
    )
    for column in ("category", "reason"):
        msgs[columns.GROUP] = msgs[column]
        got = evaluate(truth, classify.classify(msgs, default_model())[columns.SECTOR], alt_labels=alt)
        assert got.accuracy >= text_only.accuracy, column
        floor = text_only.per_class["recall"]
        assert (got.per_class["recall"] >= floor - 1e-9).all(), (column, got.per_class["recall"], floor)
        if column == "reason":
            assert got.lenient_accuracy >= 0.90


def test_the_snippet_is_never_wrapped_on_a_narrow_screen(monkeypatch) -> None:
    # at 80 columns a long category name pushed «"…" = "ЖКХ"» past the edge, and a wrapped
    # line pasted into curtool.toml no longer parsed
    monkeypatch.setenv("COLUMNS", "24")
    data = portal_export()
    mapping = classify.classify_detailed(data, default_model()).categories
    console = make_console()
    assert console.width == 24
    with console.capture() as captured:
        print_categories(console, mapping, ["Категория"])
    shown = captured.get()
    snippet = shown[shown.index("\n[groups]\n") + 1 :]
    assert snippet.strip() == groups_toml(mapping.voted)
    assert max(len(line) for line in groups_toml(mapping.voted).splitlines()) > 24
