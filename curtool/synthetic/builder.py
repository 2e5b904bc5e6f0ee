"""What the sample exports say: every message's problem, place, time, duplicates and outcome.

:class:`SampleBuilder` plants the recurring, systemic and surging problems among
background messages, all drawn from one ``random.Random(seed)`` in a fixed order;
:mod:`curtool.synthetic.layouts` writes them as the two exports' rows.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from curtool.core import columns as C
from curtool.synthetic import phrases as P
from curtool.synthetic import places as G
from curtool.synthetic.compose import Composer, Place

XLSX_NAME = "incidents_adygea.xlsx"
CSV_NAME = "pos_adygea.csv"
START = date(2026, 9, 14)  # Monday of 2026-W38
N_WEEKS = 10  # 2026-W38 … 2026-W47
EXPORTED_AT = datetime(2026, 11, 23, 8, 0, 0)  # the moment the exports were "taken"

XLSX_BACKGROUND = 4700
CSV_BACKGROUND = 1400
CROSS_DUPLICATES = 50

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
            msg.text = cp1251(msg.text)
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
            msg.text = cp1251(msg.text)
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


def cp1251(text: str) -> str:
    """Drop what Windows-1251 cannot encode (emoji, joiners) and the spaces they leave."""
    out = text.encode("cp1251", errors="ignore").decode("cp1251")
    return " ".join(out.split(" ")).strip() if out != text else out
