"""The small sample exports with their ground truth (see the package docstring for truth.json).

Everything is drawn from one ``random.Random(seed)`` in a fixed order, and no
value depends on the clock, so the same seed always gives the same files.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from curtool.core import columns as C
from curtool.io.output import atomic_path, scratch_dir, workbook_options
from curtool.synthetic import phrases as P
from curtool.synthetic import places as G
from curtool.synthetic.compose import Composer, Place

XLSX_NAME = "incidents_adygea.xlsx"
CSV_NAME = "pos_adygea.csv"
TRUTH_NAME = "truth.json"
START = date(2026, 9, 14)  # Monday of 2026-W38
N_WEEKS = 10  # 2026-W38 … 2026-W47
EXPORTED_AT = datetime(2026, 11, 23, 8, 0, 0)  # the moment the exports were "taken"
FIXED_CREATED = datetime(2026, 11, 23, 8, 0, 0)  # workbook metadata: keeps the file stable

XLSX_BACKGROUND = 4700
CSV_BACKGROUND = 1400
CROSS_DUPLICATES = 50
EXACT_DUPLICATE_SHARE = 0.015
NO_GROUP_SHARE = 0.30

IM_COLUMNS = (
    "Кабинет",
    "ID",
    "Номер инцидента",
    "Отдел",
    "Исполнитель",
    "Общее время первого ответа",
    "Общий текст первого ответа",
    "Время с даты создания инцидента до времени первого ответа",
    "Время с даты создания инцидента до времени первого ответа, рабочее время",
    "Время назначения последнего исполнителя",
    "Время 1го ответа ПИ",
    "Первая реакция с момента назн. ПИ",
    "Уложились или нет после назн. ПИ",
    "Время с начала создания инцидента до окончания",
    "Время отправки первого ответа ПИ на согласование",
    "Время, которое первый ответ ПИ находился на согласовании",
    "Текущий шаг инцидента",
    "Дата создания",
    "Дата окончания",
    "Группа тем",
    "Тема",
    "Регион",
    "Муниципалитет",
    "Населенный пункт",
    "Улица",
    "Дом",
    "Объект старый",
    "Объект",
    "Тип инцидента",
    "Итог",
    "Есть медиафайл в ответе",
    "Есть медиафайл в сообщении",
    "Урл поста",
    "Урл блога",
    "Текст инцидента",
    "1ый ответ ПИ",
    "2ой ответ ПИ",
    "3ий ответ ПИ",
    "Причина закрытия",
    "Аудитория",
    "Вовлеченность",
    "URL автора",
    "Аккаунт публикации ответа",
    "Теги",
    "Примечание",
    "Время попадания на шаг оценка удовлетворенности",
    "Опрос отправлен",
)
POS_COLUMNS = (
    "Номер сообщения",
    "Дата поступления",
    "Источник",
    "Категория",
    "Подкатегория",
    "Текст сообщения",
    "Муниципальное образование",
    "Населенный пункт",
    "Адрес",
    "Широта",
    "Долгота",
    "Статус",
    "Ответственный",
    "Дата ответа",
    "Текст ответа",
)
IM_TITLE = "Выгрузка инцидентов за период 14.09.2026 – 22.11.2026"
IM_HEADER_ROW = 3  # 1-based sheet row of the header (title, empty row, header)

SECTOR_WEIGHTS = {
    "ЖКХ": 22,
    "Благоустройство": 14,
    "Дорожное хозяйство": 14,
    "Транспорт": 6,
    "Здравоохранение": 8,
    "Образование": 6,
    "Социальная защита": 6,
    "Труд и занятость": 3,
    "Экология": 5,
    "Строительство": 4,
    "Энергетика и промышленность": 5,
    "Прочее": 7,
}
WEEK_WEIGHTS = (0.92, 0.96, 1.0, 1.04, 1.0, 0.98, 1.05, 1.02, 0.97, 1.0)
DAY_WEIGHTS = (1.15, 1.1, 1.05, 1.0, 1.0, 0.8, 0.75)
HOUR_WEIGHTS = (1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 4, 6, 6, 5, 5, 5, 5, 5, 5, 5, 6, 7, 7, 6, 4, 2)

# Planted recurring problems: (district, problem key).  Places are drawn below.
PLANTED = (
    ("Город Майкоп", "no_heating"),
    ("Город Майкоп", "potholes"),
    ("Тахтамукайский район", "sewage"),
    ("Тахтамукайский район", "yard_lighting"),
    ("Гиагинский район", "water_pressure"),
    ("Майкопский район", "no_asphalt"),
    ("Город Майкоп", "elevator"),
    ("Красногвардейский район", "stray_dogs"),
    ("Кошехабльский район", "illegal_dump"),
    ("Город Адыгейск", "roof_leak"),
    ("Теучежский район", "power_outage"),
    ("Шовгеновский район", "bus_stop"),
    ("Город Майкоп", "waste_collection"),
    ("Тахтамукайский район", "playground"),
    ("Майкопский район", "school_building"),
)
RETURNED = 5  # how many planted problems come back after a «Решено»
# Systemic: (district, problem, first week index, places)
SYSTEMIC = (("Тахтамукайский район", "no_heating", 2, 20), ("Майкопский район", "water_pressure", 5, 11))
# Surges: (district, sector, week index, extra messages)
SURGES = (
    ("Красногвардейский район", "Дорожное хозяйство", 4, 32),
    ("Тахтамукайский район", "Энергетика и промышленность", 7, 35),
    ("Шовгеновский район", "ЖКХ", 9, 33),
)


def week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


WEEKS = tuple(week_label(START + timedelta(weeks=i)) for i in range(N_WEEKS))


@dataclass
class Msg:
    file: str
    problem: P.Problem
    place: Place
    created: datetime | None
    text: str = ""
    flags: list[str] = field(default_factory=list)
    planted: str | None = None
    id: str = ""
    duplicate_of: str | None = None
    duplicate_file: str | None = None
    date_raw: str | None = None  # the written date when it is unreadable
    # outcome (filled by _outcomes)
    first_answer: datetime | None = None
    closed: datetime | None = None
    result: str = ""
    resolved_forbidden: bool = False  # a planted message that must not read «Решено»
    resolved_required: bool = False

    @property
    def sector(self) -> str:
        return self.problem.sector


class PlaceBook:
    """Hands out places so that background messages never meet at one place by chance."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.houses: set[tuple[str, str, str]] = set()
        self.street_issues: set[tuple[str, str, str]] = set()
        self.streets = {loc.name: G.streets(loc) for d in G.DISTRICTS for loc in d.localities}

    def locality(self, district: G.District) -> G.Locality:
        return self.rng.choices(district.localities, [lc.weight for lc in district.localities])[0]

    def pick(
        self,
        district: G.District,
        problem: P.Problem,
        *,
        house: bool,
        street: bool,
        locality: G.Locality | None = None,
    ) -> Place:
        rng = self.rng
        for _ in range(40):
            loc = locality or self.locality(district)
            if not street:
                return Place(district, loc)
            name = rng.choice(self.streets[loc.name])
            number = G.house_label(rng.randint(1, G.max_house(loc)), rng.randrange(1000))
            if (loc.name, name, problem.key) in self.street_issues:
                continue
            if house and (loc.name, name, number) in self.houses:
                continue
            self.street_issues.add((loc.name, name, problem.key))
            if house:
                self.houses.add((loc.name, name, number))
                return Place(district, loc, name, number)
            return Place(district, loc, name)
        return Place(district, locality or self.locality(district))

    def background(self, district: G.District, problem: P.Problem) -> Place:
        share = {"house": (0.8, 1.0), "street": (0.65, 0.35), "object": (0.6, 1.0), "none": (0.15, 1.0)}[
            problem.kind
        ]
        street = self.rng.random() < share[0]
        return self.pick(district, problem, street=street, house=street and self.rng.random() < share[1])


def _moment(rng: random.Random, week: int, day: int | None = None) -> datetime:
    if day is None:
        day = rng.choices(range(7), DAY_WEIGHTS)[0]
    hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
    return datetime.combine(START, datetime.min.time()) + timedelta(
        weeks=week, days=day, hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60)
    )


class SampleBuilder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.book = PlaceBook(self.rng)
        self.xlsx_text = Composer(self.rng, emoji=True)
        self.csv_text = Composer(self.rng, emoji=False)
        self.messages: list[Msg] = []
        self.problems: list[dict] = []
        self.surges: list[dict] = []
        self.sector_problems = {s: P.PROBLEMS[s] for s in C.SECTORS}

    # --- messages ------------------------------------------------------------------
    def _write(self, msg: Msg, mention: float = 0.6, length: str | None = None) -> Msg:
        composer = self.csv_text if msg.file == CSV_NAME else self.xlsx_text
        text = composer.compose(msg.problem, msg.place, mention_place=mention, length=length)
        msg.text, msg.flags = text.text, text.flags
        if msg.file == CSV_NAME:
            msg.text = _cp1251(msg.text)
        return msg

    def _district(self) -> G.District:
        return self.rng.choices(G.DISTRICTS, [d.weight for d in G.DISTRICTS])[0]

    def _sector(self) -> str:
        return self.rng.choices(C.SECTORS, [SECTOR_WEIGHTS[s] for s in C.SECTORS])[0]

    def plant_recurring(self) -> None:
        rng = self.rng
        returned = set(rng.sample(range(len(PLANTED)), RETURNED))
        for i, (district_name, key) in enumerate(PLANTED):
            district = G.DISTRICT_BY_NAME[district_name]
            problem = P.PROBLEM_BY_KEY[key]
            place = self.book.pick(district, problem, house=True, street=True)
            assert place.house, "planted places always have a house"
            count = rng.randint(4, 12)
            n_weeks = rng.randint(3, min(count, 6))
            weeks = sorted(rng.sample(range(N_WEEKS), n_weeks))
            slots = weeks + [rng.choice(weeks) for _ in range(count - n_weeks)]
            times = sorted(_moment(rng, w) for w in slots)
            pid = f"P{i + 1:02d}"
            msgs = []
            for j, moment in enumerate(times):
                in_csv = j > 0 and rng.random() < 0.25
                msg = Msg(CSV_NAME if in_csv else XLSX_NAME, problem, place, moment, planted=pid)
                self._write(msg, mention=1.0 if in_csv else 0.7)
                if in_csv and place.house not in msg.text:
                    msg.text += f" Адрес: {place.street}, {place.house}"
                msgs.append(msg)
            resolved = None
            if i in returned:
                # the first XLSX message followed by a gap of ≥ 2 days is closed «Решено»
                for a, b in itertools.pairwise(msgs):
                    if a.file == XLSX_NAME and b.created - a.created >= timedelta(days=2):
                        a.resolved_required = True
                        a.closed = a.created + (b.created - a.created) / 2
                        resolved = a
                        break
            for m in msgs:
                if m is not resolved and m is not msgs[-1]:
                    m.resolved_forbidden = True
            self.messages.extend(msgs)
            self.problems.append(
                {
                    "key": pid,
                    "issue": key,
                    "district": district.name,
                    "sector": problem.sector,
                    "locality": place.locality.name,
                    "street": place.street,
                    "house": place.house,
                    "place": f"{place.street}, {place.house}",
                    "_msgs": msgs,
                    "_resolved": resolved,
                    "systemic": False,
                }
            )

    def plant_systemic(self) -> None:
        rng = self.rng
        for i, (district_name, key, week, n_places) in enumerate(SYSTEMIC):
            district = G.DISTRICT_BY_NAME[district_name]
            problem = P.PROBLEM_BY_KEY[key]
            msgs = []
            spots = []
            for _ in range(n_places):
                place = self.book.pick(district, problem, house=True, street=True)
                spots.append(place)
                for _ in range(1 if rng.random() < 0.7 else 2):
                    moment = _moment(rng, week + rng.randrange(2))
                    file = CSV_NAME if rng.random() < 0.2 else XLSX_NAME
                    msg = Msg(file, problem, place, moment, planted=f"S{i + 1:02d}")
                    msgs.append(self._write(msg, mention=0.8))
                    msg.resolved_forbidden = True
            self.messages.extend(msgs)
            self.problems.append(
                {
                    "key": f"S{i + 1:02d}",
                    "issue": key,
                    "district": district.name,
                    "sector": problem.sector,
                    "locality": None,
                    "street": None,
                    "house": None,
                    "place": None,
                    "_msgs": msgs,
                    "_resolved": None,
                    "systemic": True,
                    "places": [
                        {"locality": p.locality.name, "street": p.street, "house": p.house} for p in spots
                    ],
                }
            )

    def plant_surges(self) -> None:
        rng = self.rng
        for district_name, sector, week, extra in SURGES:
            district = G.DISTRICT_BY_NAME[district_name]
            problems = self.sector_problems[sector]
            for _ in range(extra):
                problem = rng.choice(problems)
                place = self.book.background(district, problem)
                file = CSV_NAME if rng.random() < 0.15 else XLSX_NAME
                msg = Msg(file, problem, place, _moment(rng, week))
                self.messages.append(self._write(msg))
                msg.flags.append("surge")
            self.surges.append({"district": district.name, "sector": sector, "week": WEEKS[week]})

    def background(self, file: str, count: int) -> None:
        rng = self.rng
        for _ in range(count):
            district = self._district()
            problem = rng.choice(self.sector_problems[self._sector()])
            place = self.book.background(district, problem)
            week = rng.choices(range(N_WEEKS), WEEK_WEIGHTS)[0]
            self.messages.append(self._write(Msg(file, problem, place, _moment(rng, week))))

    def specials(self) -> None:
        """Edge cases a loader must survive: formula-like text, empty text, bad dates."""
        rng = self.rng
        background = [m for m in self.messages if m.planted is None and "surge" not in m.flags]
        xlsx = [m for m in background if m.file == XLSX_NAME]
        csv_rows = [m for m in background if m.file == CSV_NAME]
        formulas = (
            (xlsx, '=HYPERLINK("http://x","y")', "other"),
            (xlsx, "=) спасибо за дорогу", "road_quality"),
            (csv_rows, "=) наконец-то отремонтировали дорогу, спасибо", "road_quality"),
            (csv_rows, "-нет света третий день-", "power_outage"),
            (xlsx, "+7 918 000 нет воды на всей улице", "water_pressure"),
        )
        for pool, text, key in formulas:
            msg = pool.pop(rng.randrange(len(pool)))
            msg.problem, msg.text, msg.flags = P.PROBLEM_BY_KEY[key], text, ["formula_like"]
        for pool, share in ((xlsx, 0.005), (csv_rows, 0.005)):
            for _ in range(max(2, round(len(pool) * share))):
                msg = pool.pop(rng.randrange(len(pool)))
                msg.text, msg.flags = "", ["empty_text"]
        for _ in range(12):
            msg = xlsx.pop(rng.randrange(len(xlsx)))
            msg.created = None
            msg.flags.append("missing_date")
        for raw in ("32.13.2026 10:15", "31.09.2026 12:00", "15.10.2O26 09:30", "2026-13-45"):
            msg = csv_rows.pop(rng.randrange(len(csv_rows)))
            msg.created, msg.date_raw = None, raw
            msg.flags.append("bad_date")
        self._dup_pool = [m for m in xlsx if not set(m.flags) & {"emoji"}]

    def cross_duplicates(self) -> None:
        """Messages that reached both systems: same text, minute and district."""
        rng = self.rng
        for msg in rng.sample(self._dup_pool, CROSS_DUPLICATES):
            msg.created = msg.created.replace(second=0)
            msg.text = _cp1251(msg.text)
            copy = Msg(
                CSV_NAME,
                msg.problem,
                msg.place,
                msg.created,
                text=msg.text,
                flags=[*msg.flags, "cross_file_duplicate"],
            )
            copy.duplicate_of, copy.duplicate_file = msg, XLSX_NAME  # resolved to ids later
            self.messages.append(copy)

    # --- outcomes ------------------------------------------------------------------
    def outcomes(self) -> None:
        rng = self.rng
        for msg in self.messages:
            if msg.created is None:
                msg.result = rng.choice(("Разъяснено", "Закрыто"))
                continue
            hours = min(max(rng.lognormvariate(math.log(16), 0.9), 0.3), 220)
            answer = msg.created + timedelta(hours=hours)
            days = min(max(rng.lognormvariate(math.log(2.5), 0.9), 0.1), 28)
            closed = msg.closed or answer + timedelta(days=days)
            age = (EXPORTED_AT - msg.created).days
            open_share = 0.6 if age < 3 else 0.25 if age < 8 else 0.04
            if msg.resolved_required:
                answer = min(answer, closed - timedelta(hours=1))
                msg.first_answer, msg.closed, msg.result = answer, closed, "Решено"
                continue
            if answer > EXPORTED_AT:
                continue
            msg.first_answer = answer
            if closed > EXPORTED_AT or rng.random() < open_share:
                continue
            msg.closed = closed
            results = ("Решено", "Разъяснено", "Перенаправлено", "Закрыто")
            weights = (0.0 if msg.resolved_forbidden else 45, 35, 12, 8)
            msg.result = rng.choices(results, weights)[0]

    # --- ids -----------------------------------------------------------------------
    def assign_ids(self) -> None:
        rng = self.rng
        for file, start in ((XLSX_NAME, 51_380_000), (CSV_NAME, 3_402_000)):
            rows = [m for m in self.messages if m.file == file]
            order = sorted(rows, key=lambda m: m.created or m.first_answer or EXPORTED_AT)
            next_id = start
            for m in order:
                next_id += rng.randint(1, 40)
                m.id = str(next_id)

    def build(self) -> None:
        self.plant_recurring()
        self.plant_systemic()
        self.plant_surges()
        self.background(XLSX_NAME, XLSX_BACKGROUND)
        self.background(CSV_NAME, CSV_BACKGROUND)
        self.specials()
        self.cross_duplicates()
        for msg in self.messages:  # ПОС dates carry minutes only
            if msg.file == CSV_NAME and msg.created is not None:
                msg.created = msg.created.replace(second=0)
        self.outcomes()
        self.assign_ids()


def _cp1251(text: str) -> str:
    """Drop what Windows-1251 cannot encode (emoji, joiners) and the spaces they leave."""
    out = text.encode("cp1251", errors="ignore").decode("cp1251")
    return " ".join(out.split(" ")).strip() if out != text else out


def _fmt_iso(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _fmt_ru(moment: datetime | None) -> str:
    return moment.strftime("%d.%m.%Y %H:%M") if moment else ""


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


EXECUTORS = {
    "Здравоохранение": "Министерство здравоохранения Республики Адыгея",
    "Образование": "Министерство образования и науки Республики Адыгея",
    "Социальная защита": "Министерство труда и социального развития Республики Адыгея",
    "Труд и занятость": "Министерство труда и социального развития Республики Адыгея",
    "Экология": "Министерство природных ресурсов и экологии Республики Адыгея",
    "Энергетика и промышленность": (
        "Министерство строительства, транспорта, жилищно-коммунального и дорожного хозяйства "
        "Республики Адыгея"
    ),
}
ANSWERS = (
    "Здравствуйте! Ваше обращение принято в работу и направлено в {who}. "
    "Ответ будет дан в установленные сроки.",
    "Добрый день. По информации {who}, работы запланированы на ближайшую неделю.",
    "Здравствуйте. Специалисты выезжали на место, проблема устранена. Спасибо за обращение!",
    "Спасибо за обращение. Вопрос взят на контроль, {who} проводит проверку.",
    "Здравствуйте! Информация передана в {who}. Просим уточнить адрес в личных сообщениях.",
    "Добрый день! Работы выполнены, при повторении ситуации сообщите нам.",
    "Здравствуйте. Вопрос включен в план работ на следующий год, {who} держит его на контроле.",
    "Добрый день. Разъясняем: вопрос относится к компетенции {who}, обращение перенаправлено.",
)
REASONS = (
    "Ответ дан",
    "Проблема решена",
    "Не относится к компетенции",
    "Дубль",
    "Спам",
    "Нет обратной связи",
)
STEPS_OPEN = ("В работе", "В работе", "На согласовании", "Новый", "Назначен исполнитель")
BLOGS = (
    ("vk", "https://vk.com/maykop_online", -61234567),
    ("vk", "https://vk.com/podslushano_maykop", -48812311),
    ("vk", "https://vk.com/yablonovsky_live", -90112345),
    ("vk", "https://vk.com/adygea_today", -33221100),
    ("vk", "https://vk.com/giaginskaya_news", -71234001),
    ("ok", "https://ok.ru/group/55012345678901", 55012345678901),
    ("ok", "https://ok.ru/group/70000012345678", 70000012345678),
    ("tg", "https://t.me/maykop_online", 0),
    ("tg", "https://t.me/adygea_chp", 0),
)


class Writer:
    """Turns the built messages into the two export files' rows."""

    def __init__(self, builder: SampleBuilder) -> None:
        self.b = builder
        self.rng = random.Random(builder.rng.random())  # layout noise, apart from content

    def _district_written(self, msg: Msg, empty_share: float) -> str:
        rng = self.rng
        if msg.planted is None and "surge" not in msg.flags and rng.random() < empty_share:
            return ""
        district = msg.place.district
        return rng.choices(G.VARIANTS[district.name], G.variant_weights(district))[0]

    def _who(self, msg: Msg) -> str:
        return EXECUTORS.get(msg.sector, f"Администрация МО «{msg.place.district.name}»")

    def im_row(self, msg: Msg) -> list[object]:
        rng = self.rng
        place = msg.place
        loc = place.locality
        who = self._who(msg)
        row: dict[str, object] = dict.fromkeys(IM_COLUMNS, "")
        row["Кабинет"] = "ЦУР Республики Адыгея"
        row["ID"] = int(msg.id)
        row["Номер инцидента"] = str(int(msg.id) - 49_000_000 + rng.randrange(3))
        if rng.random() < 0.6:
            row["Отдел"] = rng.choice(
                ("Отдел обработки инцидентов", "Отдел ЖКХ и дорог", "Социальный отдел", "Дежурная смена")
            )
        if rng.random() < 0.88:
            row["Исполнитель"] = who
        created = msg.created
        row["Дата создания"] = _fmt_iso(created)
        if msg.first_answer and created:
            answer_text = rng.choice(ANSWERS).format(who=who)
            row["Общее время первого ответа"] = _fmt_iso(msg.first_answer)
            row["Общий текст первого ответа"] = answer_text if rng.random() < 0.7 else ""
            delta = msg.first_answer - created
            row["Время с даты создания инцидента до времени первого ответа"] = _duration(delta)
            row["Время с даты создания инцидента до времени первого ответа, рабочее время"] = _duration(
                delta * rng.uniform(0.3, 0.6)
            )
            assigned = created + delta * rng.uniform(0.05, 0.4)
            row["Время назначения последнего исполнителя"] = _fmt_iso(assigned)
            if rng.random() < 0.8:
                row["Время 1го ответа ПИ"] = _fmt_iso(msg.first_answer)
                row["Первая реакция с момента назн. ПИ"] = _duration(msg.first_answer - assigned)
                row["Уложились или нет после назн. ПИ"] = (
                    "Да" if msg.first_answer - assigned < timedelta(hours=24) else "Нет"
                )
                row["1ый ответ ПИ"] = answer_text
            if rng.random() < 0.25:
                row["Время отправки первого ответа ПИ на согласование"] = _fmt_iso(
                    msg.first_answer - timedelta(minutes=rng.randrange(20, 300))
                )
                row["Время, которое первый ответ ПИ находился на согласовании"] = _duration(
                    timedelta(minutes=rng.randrange(5, 280))
                )
            if rng.random() < 0.12:
                row["2ой ответ ПИ"] = rng.choice(ANSWERS).format(who=who)
                if rng.random() < 0.2:
                    row["3ий ответ ПИ"] = rng.choice(ANSWERS).format(who=who)
        if msg.closed:
            row["Дата окончания"] = _fmt_iso(msg.closed)
            if created:
                row["Время с начала создания инцидента до окончания"] = _duration(msg.closed - created)
            step = rng.choice(("Закрыт", "Закрыт", "Оценка удовлетворенности"))
            row["Текущий шаг инцидента"] = step
            if step != "Закрыт":
                row["Время попадания на шаг оценка удовлетворенности"] = _fmt_iso(msg.closed)
                row["Опрос отправлен"] = rng.choice(("Да", "Нет"))
            row["Причина закрытия"] = rng.choice(REASONS) if rng.random() < 0.5 else ""
        elif msg.result:  # closed rows whose dates were lost
            row["Текущий шаг инцидента"] = "Закрыт"
        else:
            row["Текущий шаг инцидента"] = rng.choice(STEPS_OPEN)
        row["Итог"] = msg.result
        given = msg.planted is not None or rng.random() >= NO_GROUP_SHARE
        if given and msg.text:
            row["Группа тем"] = msg.problem.group
            row["Тема"] = msg.problem.topic
        msg.flags.append("group_given" if row["Группа тем"] else "no_group")
        row["Регион"] = G.REGION
        row["Муниципалитет"] = self._district_written(msg, 0.03)
        if msg.planted or rng.random() < 0.8:
            row["Населенный пункт"] = rng.choice((f"{loc.kind} {loc.name}", loc.name))
        if place.street:
            bare = place.street.split(" ", 1)[1]
            row["Улица"] = place.street if rng.random() < 0.8 else bare
            row["Дом"] = place.house
        if msg.problem.kind == "object" and rng.random() < 0.3:
            row["Объект"] = f"{msg.problem.topic} ({loc.name})"
            if rng.random() < 0.3:
                row["Объект старый"] = row["Объект"]
        row["Тип инцидента"] = rng.choices(("Решаемый", "Информационный", "Нерешаемый"), (60, 30, 10))[0]
        row["Есть медиафайл в ответе"] = "Да" if rng.random() < 0.1 else "Нет"
        row["Есть медиафайл в сообщении"] = "Да" if rng.random() < 0.35 else "Нет"
        kind, blog, owner = rng.choice(BLOGS)
        post = rng.randrange(10_000, 999_999)
        if kind == "vk":
            url = f"https://vk.com/wall{owner}_{post}"
            if rng.random() < 0.4:
                url += f"?reply={post + rng.randrange(1, 5000)}"
            author = f"https://vk.com/id{rng.randrange(10**6, 9 * 10**8)}"
        elif kind == "ok":
            url = f"{blog}/topic/{rng.randrange(10**14, 9 * 10**14)}"
            author = f"https://ok.ru/profile/{rng.randrange(10**11, 9 * 10**11)}"
        else:
            url = f"{blog}/{post % 90_000}"
            author = f"https://t.me/{rng.choice(P.NAMES)}{rng.randrange(100)}"
        row["Урл поста"], row["Урл блога"], row["URL автора"] = url, blog, author
        text = msg.text
        if text and rng.random() < 0.45 and "formula_like" not in msg.flags:
            text = "'" + text  # IM exports often carry a stray leading quote
        row["Текст инцидента"] = text
        row["Аудитория"] = int(rng.lognormvariate(7, 1.6))
        row["Вовлеченность"] = int(rng.lognormvariate(1.5, 1.2))
        if msg.first_answer and rng.random() < 0.6:
            row["Аккаунт публикации ответа"] = f"Администрация МО «{place.district.name}»"
        if rng.random() < 0.15:
            row["Теги"] = rng.choice(("#жалоба", "#повторное", "#резонанс", "#СМИ", "#контроль"))
        if rng.random() < 0.05:
            row["Примечание"] = rng.choice(
                ("повторное обращение", "на контроле руководства", "выезд на место", "коллективное")
            )
        return [row[c] for c in IM_COLUMNS]

    def pos_row(self, msg: Msg) -> list[object]:
        rng = self.rng
        place, loc = msg.place, msg.place.locality
        row: dict[str, object] = dict.fromkeys(POS_COLUMNS, "")
        row["Номер сообщения"] = msg.id
        row["Дата поступления"] = msg.date_raw or _fmt_ru(msg.created)
        row["Источник"] = rng.choice(
            (
                "Госуслуги. Решаем вместе",
                "Госуслуги. Решаем вместе",
                "Мобильное приложение",
                "Виджет на сайте ОМСУ",
            )
        )
        if rng.random() < 0.97 and msg.text:
            row["Категория"] = P.POS_CATEGORY.get(msg.problem.group, msg.problem.group)
            row["Подкатегория"] = msg.problem.topic
        row["Текст сообщения"] = msg.text
        row["Муниципальное образование"] = self._district_written(msg, 0.02)
        row["Населенный пункт"] = f"{loc.kind} {loc.name}"
        lat, lon = None, None
        if place.street:
            house = f", д. {place.house}" if place.house else ""
            if msg.planted or rng.random() < 0.75:
                row["Адрес"] = f"{G.REGION}, {loc.kind} {loc.name}, {place.street}{house}"
            lat, lon = G.coordinates(loc, place.street, place.house or "1")
            if msg.planted:  # a pin dropped by hand: a few metres off
                lat += rng.uniform(-0.00015, 0.00015)
                lon += rng.uniform(-0.0002, 0.0002)
        elif rng.random() < 0.8:
            lat = loc.lat + rng.uniform(-0.01, 0.01)
            lon = loc.lon + rng.uniform(-0.014, 0.014)
        if lat is not None and (msg.planted or rng.random() < 0.93):
            row["Широта"], row["Долгота"] = f"{lat:.6f}", f"{lon:.6f}"
        status = {
            "Решено": "Решено",
            "Разъяснено": "Разъяснено",
            "Перенаправлено": "Разъяснено",
            "Закрыто": "Отклонено",
        }.get(msg.result, "")
        if not status:
            status = "В работе" if msg.first_answer else "На модерации"
        row["Статус"] = status
        row["Ответственный"] = self._who(msg)
        if msg.first_answer:
            row["Дата ответа"] = _fmt_ru(msg.closed or msg.first_answer)
            if rng.random() < 0.8:
                row["Текст ответа"] = _cp1251(rng.choice(ANSWERS).format(who=self._who(msg)))
        return [row[c] for c in POS_COLUMNS]


def build(seed: int = 2026) -> tuple[list[list[object]], list[list[object]], dict]:
    """All rows of both files and the truth document, in memory."""
    builder = SampleBuilder(seed)
    builder.build()
    writer = Writer(builder)
    rng = writer.rng
    by_file = {
        f: sorted((m for m in builder.messages if m.file == f), key=lambda m: int(m.id))
        for f in (XLSX_NAME, CSV_NAME)
    }
    xlsx_msgs = by_file[XLSX_NAME]
    rows_x = [(m, writer.im_row(m)) for m in xlsx_msgs]
    # exact duplicate rows: the same export row again, somewhere later in the file
    sources = [rows_x[i] for i in rng.sample(range(len(rows_x)), round(len(rows_x) * EXACT_DUPLICATE_SHARE))]
    for m, values in sources:
        src = next(i for i, (other, _) in enumerate(rows_x) if other is m)
        rows_x.insert(rng.randint(src + 1, len(rows_x)), (m, list(values)))
    seen_rows: set[int] = set()
    truth_rows: list[dict] = []
    for row_no, (m, _values) in enumerate(rows_x, start=1):
        exact = id(m) in seen_rows
        seen_rows.add(id(m))
        truth_rows.append(_truth_message(m, XLSX_NAME, row_no, exact))
    rows_c = [(m, writer.pos_row(m)) for m in by_file[CSV_NAME]]
    for row_no, (m, _values) in enumerate(rows_c, start=1):
        truth_rows.append(_truth_message(m, CSV_NAME, row_no, False))
    truth = _truth(builder, truth_rows)
    return [v for _, v in rows_x], [v for _, v in rows_c], truth


def _truth_message(m: Msg, file: str, row: int, exact: bool) -> dict:
    dup_of, dup_file = None, None
    flags = [f for f in m.flags if f not in ("group_given",)]
    if exact:
        dup_of, dup_file = m.id, file
        flags = [*flags, "exact_duplicate"]
    elif isinstance(m.duplicate_of, Msg):
        dup_of, dup_file = m.duplicate_of.id, m.duplicate_file
    return {
        "file": file,
        "id": m.id,
        "row": row,
        "sector": m.sector,
        "issue": m.problem.key,
        "problem": m.planted,
        "district": m.place.district.name,
        "locality": m.place.locality.name,
        "street": m.place.street,
        "house": m.place.house,
        "created": _fmt_iso(m.created) or None,
        "week": week_label(m.created.date()) if m.created else None,
        "duplicate_of": dup_of,
        "duplicate_file": dup_file,
        "flags": sorted(set(flags)),
    }


def _truth(builder: SampleBuilder, rows: list[dict]) -> dict:
    unique = [r for r in rows if r["duplicate_of"] is None and r["week"]]
    counts: dict[tuple[str, str, str], int] = {}
    for r in unique:
        key = (r["district"], r["sector"], r["week"])
        counts[key] = counts.get(key, 0) + 1
    surges = []
    surge_issues: dict[tuple[str, str, str], Counter] = defaultdict(Counter)
    for r in unique:
        if "surge" in r["flags"]:
            surge_issues[(r["district"], r["sector"], r["week"])][r["issue"]] += 1
    for s in builder.surges:
        before = [w for w in WEEKS if w < s["week"]]
        base = [counts.get((s["district"], s["sector"], w), 0) for w in before]
        surges.append(
            {
                **s,
                "count": counts.get((s["district"], s["sector"], s["week"]), 0),
                "baseline_weeks": before,
                "baseline_mean": round(sum(base) / len(base), 2),
                "baseline_counts": base,
                "planted_issues": dict(sorted(surge_issues[(s["district"], s["sector"], s["week"])].items())),
            }
        )
    problems = []
    for p in builder.problems:
        msgs = p.pop("_msgs")
        resolved = p.pop("_resolved")
        weeks = sorted({week_label(m.created.date()) for m in msgs})
        first_place = msgs[0].place
        lat, lon = (None, None)
        if not p["systemic"]:
            lat, lon = G.coordinates(first_place.locality, first_place.street, first_place.house)
        problems.append(
            {
                **p,
                "lat": lat,
                "lon": lon,
                "message_ids": [{"file": m.file, "id": m.id} for m in msgs],
                "weeks": weeks,
                "first_seen": _fmt_iso(min(m.created for m in msgs)),
                "last_seen": _fmt_iso(max(m.created for m in msgs)),
                "returned_after_resolved": resolved is not None,
                "resolved_message": None
                if resolved is None
                else {"file": resolved.file, "id": resolved.id, "closed": _fmt_iso(resolved.closed)},
                "places": p.get("places", []),
            }
        )
    weekly: dict[str, dict] = {}
    noise = _background_noise(rows)
    for w in WEEKS:
        in_week = [r for r in rows if r["week"] == w]
        weekly[w] = {
            "rows": {f: sum(r["file"] == f for r in in_week) for f in (XLSX_NAME, CSV_NAME)},
            "messages": sum(r["duplicate_of"] is None for r in in_week),
            "by_sector": {
                s: sum(r["duplicate_of"] is None and r["sector"] == s for r in in_week) for s in C.SECTORS
            },
        }
    files = {
        XLSX_NAME: {
            "kind": "incident_management",
            "rows": sum(r["file"] == XLSX_NAME for r in rows),
            "sheet": "Инциденты",
            "title_rows": 2,
            "header_row": IM_HEADER_ROW,
            "id_column": "ID",
            "text_column": "Текст инцидента",
            "district_column": "Муниципалитет",
            "date_format": "%Y-%m-%d %H:%M:%S",
        },
        CSV_NAME: {
            "kind": "pos",
            "rows": sum(r["file"] == CSV_NAME for r in rows),
            "encoding": "cp1251",
            "separator": ";",
            "id_column": "Номер сообщения",
            "text_column": "Текст сообщения",
            "district_column": "Муниципальное образование",
            "date_format": "%d.%m.%Y %H:%M",
        },
    }
    return {
        "region": G.REGION,
        "seed_note": "regenerate with: python -m curtool.synthetic",
        "weeks": list(WEEKS),
        "files": files,
        "sectors": list(C.SECTORS),
        "group_sector": P.GROUP_SECTOR,
        "district_variants": G.VARIANTS,
        "messages": rows,
        "problems": problems,
        "surges": surges,
        "weekly_totals": weekly,
        "background_spread": noise,
    }


def _background_noise(rows: list[dict]) -> list[dict]:
    """Where unplanted messages about one issue spread widest over two weeks of a district.

    Background messages never share a place, but a busy district naturally gets the
    same complaint from several places in a fortnight; a systemic detector should rank
    the planted S.. problems above these.  The ten widest cells, most places first.
    """
    places: dict[tuple[str, str, str], set] = defaultdict(set)
    index = {w: i for i, w in enumerate(WEEKS)}
    for r in rows:
        if r["problem"] or r["duplicate_of"] or not r["week"]:
            continue
        spot = (r["locality"], r["street"], r["house"]) if r["street"] else r["id"]
        i = index[r["week"]]
        for first in (i - 1, i):
            if 0 <= first < len(WEEKS) - 1:
                places[(r["district"], r["issue"], WEEKS[first])].add(spot)
    cells = sorted(places.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:10]
    return [
        {"district": d, "issue": issue, "weeks": [w, WEEKS[index[w] + 1]], "places": len(spots)}
        for (d, issue, w), spots in cells
    ]


def write_xlsx(rows: list[list[object]], path: Path) -> None:
    import xlsxwriter

    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), workbook_options(scratch_dir(tmp)))
        book.set_properties({"created": FIXED_CREATED, "author": "curtool synthetic"})
        sheet = book.add_worksheet("Инциденты")
        bold = book.add_format({"bold": True})
        sheet.write_string(0, 0, IM_TITLE, bold)
        sheet.write_row(IM_HEADER_ROW - 1, 0, IM_COLUMNS, bold)
        for r, values in enumerate(rows, start=IM_HEADER_ROW):
            for c, value in enumerate(values):
                if value == "" or value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write_number(r, c, value)
        book.close()


def write_csv(rows: list[list[object]], path: Path) -> None:
    buffer = io.StringIO(newline="")
    out = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    out.writerow(POS_COLUMNS)
    out.writerows(rows)
    with atomic_path(path) as tmp:
        tmp.write_bytes(buffer.getvalue().encode("cp1251"))


def write_samples(folder: Path, seed: int = 2026) -> dict[str, Path]:
    """Write the sample XLSX, CSV and truth.json into ``folder``; returns name -> path."""
    folder = Path(folder)
    rows_x, rows_c, truth = build(seed)
    paths = {XLSX_NAME: folder / XLSX_NAME, CSV_NAME: folder / CSV_NAME, TRUTH_NAME: folder / TRUTH_NAME}
    write_xlsx(rows_x, paths[XLSX_NAME])
    write_csv(rows_c, paths[CSV_NAME])
    with atomic_path(paths[TRUTH_NAME]) as tmp:
        tmp.write_text(dump_truth(truth), encoding="utf-8")
    return paths


def dump_truth(truth: dict) -> str:
    """JSON with one message per line: small, diff-friendly, still plain JSON."""
    lines = ["{"]
    keys = list(truth)
    for i, key in enumerate(keys):
        value = truth[key]
        comma = "," if i < len(keys) - 1 else ""
        name = json.dumps(key, ensure_ascii=False)
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f" {name}: [")
            for j, item in enumerate(value):
                tail = "," if j < len(value) - 1 else ""
                lines.append("  " + json.dumps(item, ensure_ascii=False) + tail)
            lines.append(f" ]{comma}")
        else:
            lines.append(f" {name}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"
