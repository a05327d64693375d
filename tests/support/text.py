"""Generated text for tiny test models: English news and news-shaped target-language text.

Tokenizers trained on it learn every word the tests and benchmarks write, so encoding is close to
what real news costs, while the hub stays out of reach.
"""

import functools
import itertools
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# ---------------------------------------------------------------------------------------------
# Generated English news
# ---------------------------------------------------------------------------------------------

_CITIES = (
    "London", "Kyiv", "Washington", "Brussels", "New Delhi", "Mumbai", "Berlin", "Paris",
    "Warsaw", "Tokyo", "Beijing", "Nairobi", "Lagos", "Cairo", "Ottawa", "Sydney", "Madrid",
    "Rome", "Geneva", "Istanbul", "Seoul", "Jakarta", "Mexico City", "Sao Paulo", "Lviv",
    "Kharkiv", "Odesa", "Chicago", "Los Angeles", "Toronto", "Stockholm", "Vienna", "Dublin",
    "Cape Town", "Singapore", "Bangkok", "Manila", "Hanoi", "Karachi", "Dhaka",
)  # fmt: skip
_COUNTRIES = (
    "Ukraine", "India", "Britain", "France", "Germany", "Poland", "Japan", "China", "Kenya",
    "Nigeria", "Egypt", "Canada", "Australia", "Spain", "Italy", "Brazil", "Mexico", "Turkey",
    "Indonesia", "South Korea", "the United States", "Sweden", "Austria", "Ireland",
    "South Africa", "Vietnam", "Pakistan", "Bangladesh", "Argentina", "Norway",
)  # fmt: skip
_FIRST_NAMES = (
    "Olena", "Andriy", "Priya", "Rahul", "James", "Sarah", "Maria", "Ahmed", "Chen", "Yuki",
    "Grace", "David", "Anna", "Michael", "Fatima", "Carlos", "Sofia", "Daniel", "Amara",
    "Thomas", "Laura", "Mohammed", "Elena", "Peter", "Aisha", "Robert", "Ingrid", "Kenji",
    "Lucia", "Samuel", "Nadia", "Oleksandr", "Arjun", "Emily", "Hannah", "Ivan", "Jorge",
    "Kateryna", "Lena", "Vikram",
)  # fmt: skip
_LAST_NAMES = (
    "Kovalenko", "Sharma", "Smith", "Johnson", "Garcia", "Khan", "Wang", "Tanaka", "Okafor",
    "Muller", "Novak", "Rossi", "Silva", "Nguyen", "Kim", "Patel", "Brown", "Schmidt",
    "Dubois", "Petrenko", "Singh", "Lopez", "Andersson", "O'Brien", "Mensah", "Yilmaz",
    "Kowalski", "Ivanova", "Hernandez", "Williams", "Moreau", "Fischer", "Shevchenko", "Gupta",
    "Martin", "Clarke", "Haddad", "Sato", "Bondarenko", "Reddy",
)  # fmt: skip
_TITLES = (
    "Prime Minister", "President", "Finance Minister", "Foreign Minister", "Health Minister",
    "Defence Minister", "Energy Minister", "Mayor", "Governor", "Senator", "Judge",
    "Professor", "General", "Ambassador", "Commissioner",
)  # fmt: skip
_ROLES = (
    "a spokesperson for {org}", "the chief executive of {company}", "an economist at {company}",
    "a senior official at {org}", "a professor at the University of {city}",
    "a resident of {city}", "an analyst at {company}", "a lawyer representing the {plural}",
    "a former adviser to {org}", "the head of the {city} chamber of commerce",
)  # fmt: skip
_ORGS = (
    "the central bank", "the United Nations", "the European Union",
    "the World Health Organization", "the finance ministry", "the health ministry",
    "the election commission", "the supreme court", "the city council",
    "the national weather service", "the World Bank", "the International Monetary Fund",
    "parliament", "the transport authority", "the energy regulator", "the statistics office",
    "the education ministry", "the foreign ministry", "NATO", "the Red Cross", "the police",
    "the army", "the coast guard", "the football association", "the space agency",
)  # fmt: skip
_COMPANIES = (
    "Northwind Energy", "Apex Motors", "Bluewave Telecom", "Meridian Bank",
    "Orion Pharmaceuticals", "Silverline Airlines", "Greenfield Foods", "Helix Semiconductors",
    "Atlas Shipping", "Crescent Steel", "Summit Insurance", "Nova Robotics", "Harbor Retail",
    "Pinnacle Media", "Vertex Software", "Granite Construction", "Sunrise Solar",
    "Riverstone Mining", "Keystone Logistics", "Evergreen Textiles",
)  # fmt: skip
_NOUNS = (
    "budget", "plan", "report", "agreement", "election", "investigation", "project", "policy",
    "deal", "strike", "law", "proposal", "programme", "vaccine", "bridge", "pipeline",
    "ceasefire", "reform", "tariff", "loan", "contract", "survey", "trial", "summit", "merger",
    "rescue operation", "power plant", "railway line", "hospital", "school", "factory",
    "harvest", "drought", "flood", "wildfire", "earthquake", "heatwave", "protest", "scandal",
    "inquiry",
)  # fmt: skip
_PLURALS = (
    "prices", "wages", "taxes", "exports", "imports", "jobs", "homes", "refugees", "voters",
    "students", "teachers", "doctors", "nurses", "farmers", "workers", "investors",
    "consumers", "patients", "passengers", "soldiers", "residents", "families", "companies",
    "banks", "hospitals", "schools", "roads", "flights", "weapons", "drones", "interest rates",
    "electricity bills", "food prices", "fuel supplies", "emissions", "subsidies", "sanctions",
    "shares", "bonds", "profits",
)  # fmt: skip
_ADJECTIVES = (
    "new", "major", "controversial", "long-awaited", "ambitious", "emergency", "national",
    "regional", "local", "international", "temporary", "record", "sharp", "modest",
    "unexpected", "significant", "historic", "landmark", "joint", "independent", "official",
    "preliminary", "final", "annual", "quarterly", "fresh", "wider", "stronger", "weaker",
    "rising", "falling", "growing", "severe", "critical", "public", "private", "digital",
    "renewable", "military", "economic",
)  # fmt: skip
_VERBS = (  # (past tense, infinitive)
    ("announced", "announce"), ("approved", "approve"), ("rejected", "reject"),
    ("delayed", "delay"), ("criticised", "criticise"), ("welcomed", "welcome"),
    ("launched", "launch"), ("suspended", "suspend"), ("expanded", "expand"),
    ("reviewed", "review"), ("signed", "sign"), ("cancelled", "cancel"),
    ("proposed", "propose"), ("confirmed", "confirm"), ("denied", "deny"), ("blocked", "block"),
    ("backed", "back"), ("raised", "raise"), ("cut", "cut"), ("extended", "extend"),
    ("investigated", "investigate"), ("defended", "defend"), ("unveiled", "unveil"),
    ("postponed", "postpone"), ("funded", "fund"),
)  # fmt: skip
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_PERIODS = ("week", "month", "year", "spring", "summer", "autumn", "winter")
_TRENDS = ("high", "low", "volatile", "under pressure", "stable", "elevated")
_ADVERBS = ("fully", "firmly", "deeply", "absolutely", "entirely")
_QUOTES = (
    "We are doing everything we can to {verb} the {noun}",
    "This is a {adj} day for {plural} in {country}",
    "Nobody should have to choose between {plural} and {plural}",
    "The {noun} is simply not good enough, and {plural} deserve better",
    "We expect {plural} to remain {trend} over the coming months",
    "Our priority is to protect {plural} and keep {plural} affordable",
    "It is too early to say what the {noun} will mean for {plural}",
    "We will not {verb} the {noun} until {org} gives us clear answers",
)  # fmt: skip
_SENTENCES = (
    "{Title} {person} said on {weekday} that {org} would {verb} the {adj} {noun} before the "
    "end of {month}.",
    "The {noun} comes after {number} {plural} were affected by the {noun} in {city} last "
    "{period}.",
    '"{quote}," {person}, {role}, told reporters in {city}.',
    "Officials in {city} {verbed} a {adj} {noun} worth {money} on {weekday}.",
    "{Plural} rose by {percent} in {month}, according to figures published by {org}.",
    "{company} said its quarterly profit fell {percent} to {money}, citing weaker demand for "
    "{plural}.",
    "Critics say the {noun} does little to help {plural}, who have faced {adj} {plural} since "
    "{year}.",
    "The {noun} is expected to affect about {big} {plural} across {country}.",
    "{Org} has {verbed} the {noun}, saying it could put {plural} at risk.",
    "It was not immediately clear whether {org} would {verb} the {noun}.",
    "Talks between {country} and {country} on the {noun} are due to resume in {city} next "
    "{period}.",
    "In a statement, {company} said it would {verb} {number} {plural} and invest {money} in "
    "{adj} {plural}.",
    "Analysts at {company} expect {plural} to remain {trend} until at least {year}.",
    "The announcement sent shares in {company} up {percent} in early trading in {city}.",
    "Emergency services said {number} people had been taken to hospital after the {noun} near "
    "{city}.",
    "{person}, who has led {org} since {year}, is under pressure to {verb} the {noun}.",
    "Last {period}, {org} {verbed} a similar {noun} after weeks of talks with {plural}.",
    '"{quote}," the statement said.',
    "The {adj} {noun} will cost taxpayers an estimated {money} over {small} years.",
    "Voters in {country} will head to the polls in {month} amid growing anger over {plural}.",
    "The {noun} was {verbed} by {number} votes to {number} in parliament on {weekday}.",
    "Police in {city} said {small} people had been arrested during the {noun}.",
    "According to {org}, {plural} in {country} fell to their lowest level since {year}.",
    '{person} added that the government was "{adverb} committed" to the {noun}.',
    "The {noun} has been {verbed} by {plural} and {plural} alike.",
    "{Org} said it had {verbed} {number} {plural} so far this year, up from {number} in {year}.",
)  # fmt: skip
_LEADS = (0, 3, 4, 5, 8)  # indexes of _SENTENCES that read well as an opening sentence
_SLOT = re.compile(r"\{(\w+)\}")
_A_BEFORE_VOWEL = re.compile(r"\b([Aa]) (?=[aeiou])")


class _NewsWriter:
    """Fills sentence templates from the word lists; one instance per random stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        choice = rng.choice
        self.slots: dict[str, Callable[[], str]] = {
            "city": lambda: choice(_CITIES),
            "country": lambda: choice(_COUNTRIES),
            "person": lambda: f"{choice(_FIRST_NAMES)} {choice(_LAST_NAMES)}",
            "title": lambda: choice(_TITLES),
            "role": lambda: self.fill(choice(_ROLES)),
            "org": lambda: choice(_ORGS),
            "company": lambda: choice(_COMPANIES),
            "noun": lambda: choice(_NOUNS),
            "plural": lambda: choice(_PLURALS),
            "adj": lambda: choice(_ADJECTIVES),
            "verb": lambda: choice(_VERBS)[1],
            "verbed": lambda: choice(_VERBS)[0],
            "weekday": lambda: choice(_WEEKDAYS),
            "month": lambda: choice(_MONTHS),
            "period": lambda: choice(_PERIODS),
            "trend": lambda: choice(_TRENDS),
            "adverb": lambda: choice(_ADVERBS),
            "quote": lambda: self.fill(choice(_QUOTES)),
            "year": lambda: str(rng.randint(1991, 2025)),
            "small": lambda: str(rng.randint(2, 12)),
            "number": lambda: str(rng.randint(13, 950)),
            "big": lambda: f"{rng.randint(1, 999)},{rng.randint(0, 999):03d}",
            "percent": lambda: f"{rng.randint(1, 40)}.{rng.randint(0, 9)} percent",
            "money": self._money,
        }

    def _money(self) -> str:
        amount = f"{self.rng.randint(1, 90)}.{self.rng.randint(1, 9)}"
        unit = self.rng.choice(("million", "billion"))
        return self.rng.choice((f"${amount} {unit}", f"{amount} {unit} euros"))

    def fill(self, template: str) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            text = self.slots[name.lower()]()
            return text[0].upper() + text[1:] if name[0].isupper() else text

        return _SLOT.sub(value, template)

    def sentence(self, templates: Sequence[str] = _SENTENCES) -> str:
        text = _A_BEFORE_VOWEL.sub(r"\1n ", self.fill(self.rng.choice(templates)))
        return text[0].upper() + text[1:]

    def article(self, n_words: int) -> str:
        rng = self.rng
        lead = self.sentence([_SENTENCES[i] for i in _LEADS])
        dateline = f"{rng.choice(_CITIES).upper()}, {rng.choice(_MONTHS)} {rng.randint(1, 28)} -"
        paragraphs = [f"{dateline} {lead}"]
        words = len(paragraphs[0].split())
        while words < n_words:
            paragraph = " ".join(self.sentence() for _ in range(rng.randint(1, 3)))
            paragraphs.append(paragraph)
            words += len(paragraph.split())
        return "\n\n".join(paragraphs)


def news_article(n_words: int, seed: int = 0) -> str:
    """One generated news article of at least `n_words` words (overshoots by < 1 paragraph)."""
    return _NewsWriter(random.Random(seed)).article(n_words)


def news_corpus(n: int, seed: int = 0) -> list[str]:
    """`n` generated news articles of 60 to 1200 words, skewed short like real news feeds."""
    return list(_cached_news_corpus(n, seed))


@functools.cache
def _cached_news_corpus(n: int, seed: int) -> tuple[str, ...]:
    # Test sessions build several tiny models from the same corpus; generating it once keeps each
    # build well under the time budget.
    writer = _NewsWriter(random.Random(seed))
    return tuple(writer.article(int(60 * 20 ** writer.rng.random())) for _ in range(n))


def sentence_lines(texts: Sequence[str]) -> list[str]:
    # SentencePiece trains on lines; whole articles would exceed its max_sentence_length.
    return [s for text in texts for s in re.split(r"(?<=[.!?])\s+", text) if s]


# ---------------------------------------------------------------------------------------------
# Generated target-language text and filler vocabulary
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Script:
    onsets: Sequence[str]  # consonants a syllable starts with
    nuclei: Sequence[str]  # vowels (or Devanagari vowel signs) that complete a syllable
    function_words: Sequence[str]  # real high-frequency words, so text has natural repetition
    full_stop: str = "."  # sentence terminator


LATIN = Script(tuple("bcdfghklmnprstvwz"), ("a", "e", "i", "o", "u", "ai", "ou", "ee"), ())
SCRIPTS = {
    "uk": Script(
        tuple("бвгджзклмнпрстфхцчшщ"),
        tuple("аеиіоуяюєї"),
        (
            "і", "в", "на", "що", "з", "до", "за", "не", "як", "це", "та", "від", "для", "про",
            "після", "уряд", "країни", "року", "заявив", "президент", "міністр", "місті", "люди",
            "також", "було", "буде", "може", "понад", "тисяч", "мільйонів",
        ),
    ),
    "ru": Script(
        tuple("бвгджзклмнпрстфхцчшщ"),
        tuple("аеиоуыэяюё"),
        (
            "и", "в", "на", "что", "с", "до", "за", "не", "как", "это", "от", "для", "о", "после",
            "правительство", "страны", "года", "заявил", "президент", "министр", "городе", "люди",
            "также", "было", "будет", "может", "более", "тысяч", "миллионов", "по",
        ),
    ),
    "hi": Script(
        tuple("कखगचजटडतदनपबमयरलवशसह"),
        ("", "ा", "ि", "ी", "ु", "ू", "े", "ै", "ो", "ं"),
        (
            "और", "के", "में", "की", "है", "को", "से", "ने", "का", "पर", "यह", "सरकार", "देश",
            "शहर", "लोग", "कहा", "मंत्री", "प्रधानमंत्री", "साल", "भी", "था", "थे", "होगा", "लिए",
            "बाद", "हजार", "करोड़", "लाख", "नहीं", "गया",
        ),
        full_stop="।",
    ),
}  # fmt: skip


def pseudo_words(script: Script, rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """`count` distinct pronounceable non-words of 1-4 syllables that are not in `taken`."""
    words: list[str] = []
    seen = set(taken)
    while len(words) < count:
        syllables = rng.choices(script.onsets, k=rng.randint(1, 4))
        word = "".join(s + rng.choice(script.nuclei) for s in syllables)
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def target_sentences(lang: str, n: int, seed: int) -> list[str]:
    """News-shaped sentences in `lang`'s script: real function words around pseudo-words."""
    script = SCRIPTS[lang]
    rng = random.Random(seed)
    lexicon = pseudo_words(script, rng, 3000, set(script.function_words))
    # Zipf-like weights give the frequent/rare word mix that subword training relies on.
    cum_weights = list(itertools.accumulate(1 / (rank + 10) for rank in range(len(lexicon))))
    sentences = []
    for _ in range(n):
        words = []
        for _ in range(rng.randint(5, 28)):
            if rng.random() < 0.35:
                words.append(rng.choice(script.function_words))
            elif rng.random() < 0.04:
                words.append(str(rng.randint(2, 2025)))
            else:
                words.append(rng.choices(lexicon, cum_weights=cum_weights)[0])
            if rng.random() < 0.07:
                words[-1] += ","
        words[0] = words[0][:1].upper() + words[0][1:]
        sentences.append(" ".join(words).rstrip(",") + script.full_stop)
    return sentences
