"""Output guards: loops, length and language of model output, with no model."""

import pytest

from briefly.results import GuardWarning
from briefly.stages.guards import (
    check_summary,
    check_translation,
    length_ratio,
    length_ratio_abnormal,
    repetition,
    wrong_language,
)

ENGLISH = (
    "The city council voted on Tuesday to close the old harbour bridge to cars from next "
    "spring, after engineers found deep cracks in two of its steel supports. Buses will be "
    "diverted over the ring road, adding about ten minutes to journeys. The council said it "
    "would ask the national government for money to replace the bridge, which is 90 years old."
)
UKRAINIAN = (
    "Міська рада у вівторок проголосувала за закриття старого мосту в гавані для автомобілів "
    "з наступної весни, після того як інженери виявили глибокі тріщини у двох його сталевих "
    "опорах. Автобуси їздитимуть кільцевою дорогою, що додасть близько десяти хвилин до "
    "поїздок. Рада заявила, що попросить в уряду гроші на заміну мосту, якому 90 років."
)
RUSSIAN = (
    "Городской совет во вторник проголосовал за закрытие старого моста в гавани для "
    "автомобилей со следующей весны, после того как инженеры обнаружили глубокие трещины в "
    "двух его стальных опорах. Автобусы будут ездить по кольцевой дороге, что добавит около "
    "десяти минут к поездкам. Совет заявил, что попросит у правительства деньги на замену "
    "моста, которому 90 лет."
)
HINDI = (
    "नगर परिषद ने मंगलवार को अगले वसंत से बंदरगाह के पुराने पुल को कारों के लिए बंद करने के "
    "पक्ष में मतदान किया, जब इंजीनियरों को इसके दो स्टील खंभों में गहरी दरारें मिलीं। बसों को "
    "रिंग रोड से भेजा जाएगा, जिससे यात्रा में लगभग दस मिनट बढ़ जाएंगे। परिषद ने कहा कि वह पुल "
    "को बदलने के लिए सरकार से पैसे मांगेगी, जो 90 साल पुराना है।"
)
# More ordinary prose, including the recurring names and phrases of real news.
MORE_PROSE = [
    "The death penalty remains legal in 55 countries, the report said. Campaigners against the "
    "death penalty said executions had risen for a third year, while supporters of the death "
    "penalty argued that it deters violent crime. The report counted executions in 20 countries.",
    "Мэр города Анна Ковальчук заявила, что новая линия метро откроется в декабре. Строительство "
    "линии, начатое пять лет назад, обошлось в 80 миллиардов рублей. По словам мэра, поезда будут "
    "ходить каждые три минуты.",
    "Прем'єр-міністр заявив, що уряд підвищить мінімальну зарплату з першого січня. Профспілки "
    "назвали це рішення запізнілим, але необхідним. Підвищення торкнеться понад двох мільйонів "
    "працівників.",
    "प्रधानमंत्री ने कहा कि सरकार किसानों की आय दोगुनी करने के लिए प्रतिबद्ध है। उन्होंने कहा कि "
    "किसानों के लिए नई योजना के तहत हर साल छह हजार रुपये दिए जाएंगे। विपक्ष ने कहा कि किसानों की "
    "समस्याएं इससे हल नहीं होंगी।",
    "No, no, no, said the coach, laughing. The team won 3-0 on Saturday, its third win in a row, "
    "and moved to the top of the table. The coach said the team would rest on Sunday.",
]
NORMAL = [ENGLISH, UKRAINIAN, RUSSIAN, HINDI, *MORE_PROSE]


@pytest.mark.parametrize("text", NORMAL)
def test_normal_prose_is_not_flagged_as_repetitive(text):
    assert repetition(text) is None


@pytest.mark.parametrize(
    ("output", "repeated"),
    [
        ("The bridge will close the the the the next spring.", "the"),
        ("Buses will be diverted over the ring road road road road.", "road"),
        ("Мост закроют весной весной весной весной.", "весной"),
        (
            "The council said that the council said that the council said that",
            "the council said that",
        ),
        (
            "The council voted to close the bridge to cars. The council voted to close the "
            "bridge to cars.",
            "the council voted to close the bridge to cars",
        ),
        (
            "Engineers found deep cracks in the supports. Buses will take the ring road. "
            "Engineers found deep cracks in the supports.",
            "Engineers found deep cracks in the supports.",
        ),
        (
            "The man was arrested. The man was charged. The man was released. The man was fined.",
            "the man was",
        ),
        ("Рада ухвалила рішенняяяяяяяяяяяяяяяяяяяя про міст.", "я"),
        (
            "議会は橋の閉鎖を決めた閉鎖を決めた閉鎖を決めた閉鎖を決めた閉鎖を決めた。",
            "閉鎖を決めた",
        ),
    ],
)
def test_loops_and_repeats_are_flagged(output, repeated):
    assert repetition(output) == repeated


def test_short_repeats_that_prose_uses_are_not_flagged():
    for text in (
        "Prices rose again and again and again this year.",
        "He said it was very, very, very important.",
        "The model had a 1000000000 parameter budget and a ....... menu.",
    ):
        assert repetition(text) is None, text


@pytest.mark.parametrize("translation", [UKRAINIAN, RUSSIAN, HINDI])
def test_ordinary_translation_length_is_normal(translation):
    assert 0.6 < length_ratio(ENGLISH, translation) < 1.6
    assert not length_ratio_abnormal(ENGLISH, translation)


def test_dropped_or_run_on_translation_is_flagged():
    assert length_ratio_abnormal(ENGLISH, "Міська рада проголосувала.")
    assert length_ratio_abnormal(ENGLISH, "")
    assert length_ratio_abnormal(ENGLISH, " ".join([UKRAINIAN] * 4))


def test_length_ratio_is_not_judged_for_very_short_sources():
    assert length_ratio("Thank you.", "Дуже дякую вам усім, друзі мої, за все.") is None
    assert not length_ratio_abnormal("Thank you.", "Дуже дякую вам усім, друзі мої, за все.")


def test_length_ratio_counts_characters_in_scripts_without_spaces():
    source = "The council voted to close the bridge."
    assert 0.5 < length_ratio(source, "议会投票决定关闭这座桥。") < 1.5


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (UKRAINIAN, "uk"),
        (RUSSIAN, "ru"),
        (HINDI, "hi"),
        (ENGLISH, "en"),
        *zip(MORE_PROSE[1:4], ["ru", "uk", "hi"], strict=True),
    ],
)
def test_correct_language_is_not_flagged(text, lang):
    assert wrong_language(text, lang) is None


def test_russian_output_for_ukrainian_is_flagged_as_russian():
    assert wrong_language(RUSSIAN, "uk") == "ru"
    assert wrong_language(UKRAINIAN, "ru") == "uk"


def test_russian_without_its_own_letters_is_told_apart_by_langid():
    # No ы, э, ъ or ё, and no Ukrainian letters: the letters cannot decide.
    text = "Президент подписал закон о налогах на следующий год."
    assert wrong_language(text, "uk") == "ru"
    assert wrong_language(text, "ru") is None


def test_wrong_script_is_flagged_with_the_language_it_is_in():
    assert wrong_language(ENGLISH, "hi") == "en"
    assert wrong_language(RUSSIAN, "en") == "ru"
    assert wrong_language(HINDI, "uk") == "hi"


def test_names_in_latin_letters_do_not_make_a_translation_wrong():
    text = "Компанія Apple представила новий iPhone 16 Pro на презентації в Каліфорнії."
    assert wrong_language(text, "uk") is None


def test_very_short_or_unknown_language_outputs_are_not_judged():
    assert wrong_language("OK", "hi") is None
    assert wrong_language("Так, звісно.", "ru") is None
    assert wrong_language("Да.", "uk") is None
    assert wrong_language(ENGLISH, "xx") is None


def test_check_translation_reports_each_problem():
    assert check_translation(ENGLISH, UKRAINIAN, "uk") == []
    warnings = check_translation(ENGLISH, RUSSIAN + " мост мост мост мост", "uk")
    assert [w.code for w in warnings] == ["repetition", "wrong_language"]
    assert warnings[1] == GuardWarning("wrong_language", "uk", "expected uk, looks like ru")
    short, lost = check_translation(ENGLISH, "नगर परिषद ने मतदान किया।", "hi")
    assert short.code == "length_ratio" and short.lang == "hi"
    assert lost == GuardWarning("number_lost", "hi", "'90' of the source is not in the translation")


def test_check_summary_flags_a_brief_longer_than_its_article():
    article = "The ferry company cancelled all crossings on Sunday because of a storm."
    assert check_summary(ENGLISH, ENGLISH.split(". ")[0] + ".") == []
    padded, *invented = check_summary(article, ENGLISH)
    assert padded.code == "length_ratio" and padded.lang is None
    assert {w.code for w in invented} == {"unsupported_number", "unsupported_name"}
    (empty,) = check_summary(article, "")
    assert empty.code == "length_ratio"
    codes = [w.code for w in check_summary(ENGLISH, "Мост закроют весной весной весной весной.")]
    assert codes == ["repetition", "wrong_language"]
