"""The two sample exports' layouts: an «Инцидент Менеджмент» workbook and a ПОС CSV, their
columns, and each built message as a row of them, with the exports' own noise.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime, timedelta
from pathlib import Path

from curtool.io.output import atomic_path, scratch_dir, workbook_options
from curtool.synthetic import phrases as P
from curtool.synthetic import places as G
from curtool.synthetic.builder import Msg, SampleBuilder, cp1251

FIXED_CREATED = datetime(2026, 11, 23, 8, 0, 0)  # workbook metadata: keeps the file stable
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


def fmt_iso(moment: datetime | None) -> str:
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
        row["Дата создания"] = fmt_iso(created)
        if msg.first_answer and created:
            answer_text = rng.choice(ANSWERS).format(who=who)
            row["Общее время первого ответа"] = fmt_iso(msg.first_answer)
            row["Общий текст первого ответа"] = answer_text if rng.random() < 0.7 else ""
            delta = msg.first_answer - created
            row["Время с даты создания инцидента до времени первого ответа"] = _duration(delta)
            row["Время с даты создания инцидента до времени первого ответа, рабочее время"] = _duration(
                delta * rng.uniform(0.3, 0.6)
            )
            assigned = created + delta * rng.uniform(0.05, 0.4)
            row["Время назначения последнего исполнителя"] = fmt_iso(assigned)
            if rng.random() < 0.8:
                row["Время 1го ответа ПИ"] = fmt_iso(msg.first_answer)
                row["Первая реакция с момента назн. ПИ"] = _duration(msg.first_answer - assigned)
                row["Уложились или нет после назн. ПИ"] = (
                    "Да" if msg.first_answer - assigned < timedelta(hours=24) else "Нет"
                )
                row["1ый ответ ПИ"] = answer_text
            if rng.random() < 0.25:
                row["Время отправки первого ответа ПИ на согласование"] = fmt_iso(
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
            row["Дата окончания"] = fmt_iso(msg.closed)
            if created:
                row["Время с начала создания инцидента до окончания"] = _duration(msg.closed - created)
            step = rng.choice(("Закрыт", "Закрыт", "Оценка удовлетворенности"))
            row["Текущий шаг инцидента"] = step
            if step != "Закрыт":
                row["Время попадания на шаг оценка удовлетворенности"] = fmt_iso(msg.closed)
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
                row["Текст ответа"] = cp1251(rng.choice(ANSWERS).format(who=self._who(msg)))
        return [row[c] for c in POS_COLUMNS]


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
