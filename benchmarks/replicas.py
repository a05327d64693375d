"""Build seq2seq models from scratch: random weights, tokenizers trained on generated text.

The hub cannot be reached here, so tests and benchmarks use stand-ins that load exactly like hub
models (`AutoTokenizer.from_pretrained(dir)` + `AutoModelForSeq2SeqLM.from_pretrained(dir)`).
Tiny specs make tests fast; replica specs copy the architectures of the models briefly uses by
default, so timings are real even though the generated text is gibberish.

    python -m benchmarks.replicas OUT_DIR [--tiny] [--pin-new-tokens N]
"""

import argparse
import functools
import io
import itertools
import json
import random
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import sentencepiece
import torch
from tokenizers import Tokenizer, models, pre_tokenizers, trainers
from transformers import (
    BartConfig,
    BartForConditionalGeneration,
    BartTokenizer,
    GenerationConfig,
    MarianConfig,
    MarianMTModel,
    MarianTokenizer,
)

# Enough generated text for the tokenizers to learn every word of the lists below.
_TOKENIZER_ARTICLES = 300
_MARIAN_TARGET_SENTENCES = 6000

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


def _sentences(texts: Sequence[str]) -> list[str]:
    # SentencePiece trains on lines; whole articles would exceed its max_sentence_length.
    return [s for text in texts for s in re.split(r"(?<=[.!?])\s+", text) if s]


# ---------------------------------------------------------------------------------------------
# Generated target-language text and filler vocabulary
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Script:
    onsets: Sequence[str]  # consonants a syllable starts with
    nuclei: Sequence[str]  # vowels (or Devanagari vowel signs) that complete a syllable
    function_words: Sequence[str]  # real high-frequency words, so text has natural repetition
    full_stop: str = "."  # sentence terminator


_LATIN = _Script(tuple("bcdfghklmnprstvwz"), ("a", "e", "i", "o", "u", "ai", "ou", "ee"), ())
_SCRIPTS = {
    "uk": _Script(
        tuple("бвгджзклмнпрстфхцчшщ"),
        tuple("аеиіоуяюєї"),
        (
            "і", "в", "на", "що", "з", "до", "за", "не", "як", "це", "та", "від", "для", "про",
            "після", "уряд", "країни", "року", "заявив", "президент", "міністр", "місті", "люди",
            "також", "було", "буде", "може", "понад", "тисяч", "мільйонів",
        ),
    ),
    "ru": _Script(
        tuple("бвгджзклмнпрстфхцчшщ"),
        tuple("аеиоуыэяюё"),
        (
            "и", "в", "на", "что", "с", "до", "за", "не", "как", "это", "от", "для", "о", "после",
            "правительство", "страны", "года", "заявил", "президент", "министр", "городе", "люди",
            "также", "было", "будет", "может", "более", "тысяч", "миллионов", "по",
        ),
    ),
    "hi": _Script(
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


def _pseudo_words(script: _Script, rng: random.Random, count: int, taken: set[str]) -> list[str]:
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


def _target_sentences(lang: str, n: int, seed: int) -> list[str]:
    """News-shaped sentences in `lang`'s script: real function words around pseudo-words."""
    script = _SCRIPTS[lang]
    rng = random.Random(seed)
    lexicon = _pseudo_words(script, rng, 3000, set(script.function_words))
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


# ---------------------------------------------------------------------------------------------
# Tokenizers
# ---------------------------------------------------------------------------------------------


def _bart_tokenizer(
    out_dir: Path, texts: Sequence[str], vocab_size: int, max_positions: int, seed: int
) -> BartTokenizer:
    """Byte-level BPE with BART's special-token layout, exactly `vocab_size` tokens long.

    Written as vocab.json + merges.txt, the files the hub's BART repos ship, so any
    transformers version loads it the way it loads the real model's.
    """
    leading = ("<s>", "<pad>", "</s>", "<unk>")  # ids 0-3, as in facebook/bart-*
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size - len(leading) - 1,  # the last id is <mask>
        min_frequency=2,
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    bpe.train_from_iterator(texts, trainer)
    trained = json.loads(bpe.to_str())["model"]
    pieces = [*leading, *sorted(trained["vocab"], key=trained["vocab"].get)]
    # Generated text saturates BPE (every word becomes one token) long before 50k entries, so
    # the rest of the vocabulary is filler: "Ġ"-prefixed non-words that no merge reaches but that
    # decode to plausible text when a random model samples them.
    missing = vocab_size - len(pieces) - 1
    taken = {p.removeprefix("Ġ") for p in pieces}
    fillers = _pseudo_words(_LATIN, random.Random(seed), missing, taken)
    pieces += ["Ġ" + word for word in fillers] + ["<mask>"]
    vocab = {piece: i for i, piece in enumerate(pieces)}
    (out_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    merges = "".join(f"{left} {right}\n" for left, right in trained["merges"])
    (out_dir / "merges.txt").write_text("#version: 0.2\n" + merges, encoding="utf-8")
    return BartTokenizer.from_pretrained(out_dir, model_max_length=max_positions)


def _train_spm(sentences: Sequence[str], vocab_size: int) -> bytes:
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences),
        model_writer=model,
        # OPUS-MT uses unigram models, but on generated text's small lexicon unigram EM settles
        # on ~1.9 pieces per English word (it even splits "its"); BPE gives ~1.1, close to what
        # real news costs.
        model_type="bpe",
        vocab_size=vocab_size,
        hard_vocab_limit=False,  # small generated corpora cannot always fill the request
        character_coverage=1.0,
        minloglevel=2,
    )
    return model.getvalue()


def _marian_tokenizer(
    out_dir: Path,
    source: Sequence[str],
    target: Sequence[str],
    *,
    target_lang: str,
    vocab_size: int,
    spm_vocab: int,
    max_positions: int,
    seed: int,
) -> MarianTokenizer:
    """OPUS-MT layout: source.spm, target.spm and one joint vocab.json, `vocab_size` entries."""
    (out_dir / "source.spm").write_bytes(_train_spm(source, spm_vocab))
    (out_dir / "target.spm").write_bytes(_train_spm(target, spm_vocab))
    vocab = {"</s>": 0, "<unk>": 1}  # OPUS-MT ids; <pad> takes the last id below
    for name in ("source.spm", "target.spm"):
        spm = sentencepiece.SentencePieceProcessor(model_file=str(out_dir / name))
        for i in range(spm.get_piece_size()):
            if not (spm.is_control(i) or spm.is_unknown(i)):
                vocab.setdefault(spm.id_to_piece(i), len(vocab))
    missing = vocab_size - len(vocab) - 1
    if missing < 0:
        raise ValueError(f"{len(vocab) + 1} tokens do not fit vocab_size {vocab_size}")
    # Real joint vocabularies hold ~60k pieces; generated text yields far fewer. Target-script
    # fillers stand in for the rest so that random outputs still decode to target-looking text.
    taken = {p.removeprefix("▁") for p in vocab}
    for word in _pseudo_words(_SCRIPTS[target_lang], random.Random(seed), missing, taken):
        vocab["▁" + word] = len(vocab)
    vocab["<pad>"] = len(vocab)
    (out_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    return MarianTokenizer(
        source_spm=str(out_dir / "source.spm"),
        target_spm=str(out_dir / "target.spm"),
        vocab=str(out_dir / "vocab.json"),
        source_lang="en",
        target_lang=target_lang,
        model_max_length=max_positions,
    )


# ---------------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------------


def bart_config(
    *,
    d_model: int,
    encoder_layers: int,
    decoder_layers: int,
    heads: int,
    ffn: int,
    vocab_size: int,
    max_positions: int,
) -> BartConfig:
    """The BartConfig build_bart saves, with facebook/bart-*'s fixed choices and token ids."""
    return BartConfig(
        vocab_size=vocab_size,
        d_model=d_model,
        encoder_layers=encoder_layers,
        decoder_layers=decoder_layers,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=ffn,
        decoder_ffn_dim=ffn,
        max_position_embeddings=max_positions,
        activation_function="gelu",
        scale_embedding=False,
        bos_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_eos_token_id=2,
        architectures=["BartForConditionalGeneration"],
        # Legacy keys the hub's BART configs still carry. transformers 5 ignores them, but
        # CTranslate2's converter reads normalize_before and fails without it.
        normalize_before=False,
        add_final_layer_norm=False,
        normalize_embedding=True,
        static_position_embeddings=False,
        add_bias_logits=False,
        extra_pos_embeddings=2,
    )


def marian_config(
    *,
    d_model: int,
    encoder_layers: int,
    decoder_layers: int,
    heads: int,
    ffn: int,
    vocab_size: int,
    max_positions: int,
) -> MarianConfig:
    """The MarianConfig build_marian saves, with OPUS-MT's fixed choices and token ids."""
    pad = vocab_size - 1
    return MarianConfig(
        vocab_size=vocab_size,
        decoder_vocab_size=vocab_size,
        d_model=d_model,
        encoder_layers=encoder_layers,
        decoder_layers=decoder_layers,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=ffn,
        decoder_ffn_dim=ffn,
        max_position_embeddings=max_positions,
        activation_function="swish",
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        bos_token_id=0,
        eos_token_id=0,
        forced_eos_token_id=0,
        pad_token_id=pad,
        decoder_start_token_id=pad,
        architectures=["MarianMTModel"],
        # Legacy keys the hub's OPUS-MT configs still carry (see bart_config).
        normalize_before=False,
        add_final_layer_norm=False,
        normalize_embedding=False,
        static_position_embeddings=True,
        add_bias_logits=False,
    )


def build_bart(
    out_dir: str | Path,
    *,
    d_model: int,
    encoder_layers: int,
    decoder_layers: int,
    heads: int,
    ffn: int,
    vocab_size: int,
    max_positions: int,
    generation: Mapping[str, Any],
    seed: int = 0,
    corpus: Sequence[str] | None = None,
) -> Path:
    """Save a randomly initialised BartForConditionalGeneration with a trained tokenizer.

    `generation` holds decoding settings (num_beams, min_length, ...); special-token ids are
    filled in here because they follow from the tokenizer layout. `corpus` (English articles)
    trains the tokenizer; it defaults to generated news.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    texts = corpus if corpus is not None else news_corpus(_TOKENIZER_ARTICLES, seed)
    _bart_tokenizer(out, texts, vocab_size, max_positions, seed).save_pretrained(out)
    config = bart_config(
        d_model=d_model,
        encoder_layers=encoder_layers,
        decoder_layers=decoder_layers,
        heads=heads,
        ffn=ffn,
        vocab_size=vocab_size,
        max_positions=max_positions,
    )
    ids = {"bos_token_id": 0, "pad_token_id": 1, "eos_token_id": 2, "decoder_start_token_id": 2}
    _save_model(BartForConditionalGeneration, config, {**ids, **generation}, out, seed)
    return out


def build_marian(
    out_dir: str | Path,
    *,
    target_lang: str,
    d_model: int,
    encoder_layers: int,
    decoder_layers: int,
    heads: int,
    ffn: int,
    vocab_size: int,
    max_positions: int,
    spm_vocab: int,
    generation: Mapping[str, Any],
    seed: int = 0,
    corpus: Sequence[str] | None = None,
) -> Path:
    """Save a randomly initialised English-to-`target_lang` MarianMTModel with its tokenizer.

    `corpus` (English articles) trains the source side; target text is generated in the
    target language's script.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    source = _sentences(corpus if corpus is not None else news_corpus(_TOKENIZER_ARTICLES, seed))
    target = _target_sentences(target_lang, _MARIAN_TARGET_SENTENCES, seed)
    tokenizer = _marian_tokenizer(
        out,
        source,
        target,
        target_lang=target_lang,
        vocab_size=vocab_size,
        spm_vocab=spm_vocab,
        max_positions=max_positions,
        seed=seed,
    )
    tokenizer.save_pretrained(out)
    config = marian_config(
        d_model=d_model,
        encoder_layers=encoder_layers,
        decoder_layers=decoder_layers,
        heads=heads,
        ffn=ffn,
        vocab_size=vocab_size,
        max_positions=max_positions,
    )
    pad = vocab_size - 1
    ids = {
        "bos_token_id": 0,
        "eos_token_id": 0,
        "forced_eos_token_id": 0,
        "pad_token_id": pad,
        "decoder_start_token_id": pad,
        "bad_words_ids": [[pad]],  # the decoder starts from <pad>; never emit it
    }
    _save_model(MarianMTModel, config, {**ids, **generation}, out, seed)
    return out


def _save_model(model_class, config, generation: Mapping[str, Any], out: Path, seed: int) -> None:
    torch.manual_seed(seed)
    model = model_class(config)
    model.generation_config = GenerationConfig(**generation)
    model.save_pretrained(out)  # safetensors is the transformers 5 default


# ---------------------------------------------------------------------------------------------
# Specs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BartSpec:
    name: str  # directory the model is saved under by main()
    d_model: int  # hidden size
    encoder_layers: int  # transformer blocks in the encoder
    decoder_layers: int  # transformer blocks in the decoder
    heads: int  # attention heads in every encoder and decoder block
    ffn: int  # inner size of every feed-forward block
    vocab_size: int  # embedding rows; the tokenizer has exactly this many tokens
    max_positions: int  # learned position table: the longest input (in tokens) the model takes
    generation: Mapping[str, Any]  # decoding defaults written to generation_config.json


@dataclass(frozen=True)
class MarianSpec:
    name: str  # directory the model is saved under by main()
    target_lang: str  # "uk", "ru" or "hi": script of the generated target text and fillers
    d_model: int  # hidden size
    encoder_layers: int  # transformer blocks in the encoder
    decoder_layers: int  # transformer blocks in the decoder
    heads: int  # attention heads in every encoder and decoder block
    ffn: int  # inner size of every feed-forward block
    vocab_size: int  # shared embedding rows incl. <pad> (last id); vocab.json has this many
    max_positions: int  # sinusoidal position table: the longest input (in tokens) it takes
    spm_vocab: int  # pieces requested from each SentencePiece model (source and target)
    generation: Mapping[str, Any]  # decoding defaults written to generation_config.json


# As in sshleifer/distilbart-cnn-12-6's config.json (its task_specific_params.summarization).
_CNN_SUMMARY = {
    "num_beams": 4,
    "length_penalty": 2.0,
    "min_length": 56,
    "max_length": 142,
    "no_repeat_ngram_size": 3,
    "early_stopping": True,
    "forced_bos_token_id": 0,
    "forced_eos_token_id": 2,
}

DISTILBART_CNN_12_6 = BartSpec(
    name="distilbart-cnn-12-6",
    d_model=1024,
    encoder_layers=12,
    decoder_layers=6,
    heads=16,
    ffn=4096,
    vocab_size=50264,
    max_positions=1024,
    generation=MappingProxyType(_CNN_SUMMARY),
)

TINY_BART = BartSpec(
    name="tiny-bart",
    d_model=32,
    encoder_layers=2,
    decoder_layers=2,
    heads=4,
    ffn=64,
    vocab_size=1000,
    max_positions=128,  # short enough that a few-hundred-word article must be chunked
    generation=MappingProxyType(
        {**_CNN_SUMMARY, "num_beams": 2, "min_length": 8, "max_length": 40}
    ),
)


def _opus_mt(lang: str, vocab_size: int) -> MarianSpec:
    return MarianSpec(
        name=f"opus-mt-en-{lang}",
        target_lang=lang,
        d_model=512,
        encoder_layers=6,
        decoder_layers=6,
        heads=8,
        ffn=2048,
        vocab_size=vocab_size,
        max_positions=512,
        spm_vocab=32000,
        # As in the hub's generation_config.json for Helsinki-NLP/opus-mt-en-*.
        generation=MappingProxyType(
            {"num_beams": 4, "max_length": 512, "renormalize_logits": True}
        ),
    )


def _tiny_marian(lang: str, vocab_size: int) -> MarianSpec:
    return MarianSpec(
        name=f"tiny-marian-en-{lang}",
        target_lang=lang,
        d_model=32,
        encoder_layers=2,
        decoder_layers=2,
        heads=4,
        ffn=64,
        vocab_size=vocab_size,
        max_positions=128,
        spm_vocab=250,
        generation=MappingProxyType({"num_beams": 2, "max_length": 64}),
    )


OPUS_MT_EN = {
    "uk": _opus_mt("uk", 61587),
    "ru": _opus_mt("ru", 62518),
    "hi": _opus_mt("hi", 61950),
}
# Distinct vocab sizes per language, like the real models, so mixed-up models fail loudly.
TINY_MARIAN = {
    "uk": _tiny_marian("uk", 700),
    "ru": _tiny_marian("ru", 720),
    "hi": _tiny_marian("hi", 740),
}


def _architecture(spec: BartSpec | MarianSpec) -> dict[str, int]:
    return {
        "d_model": spec.d_model,
        "encoder_layers": spec.encoder_layers,
        "decoder_layers": spec.decoder_layers,
        "heads": spec.heads,
        "ffn": spec.ffn,
        "vocab_size": spec.vocab_size,
        "max_positions": spec.max_positions,
    }


def replica_config(spec: BartSpec | MarianSpec) -> BartConfig | MarianConfig:
    """The model config build_replica(spec) saves, without building anything."""
    if isinstance(spec, BartSpec):
        return bart_config(**_architecture(spec))
    return marian_config(**_architecture(spec))


def build_replica(
    spec: BartSpec | MarianSpec,
    out_dir: str | Path,
    pin_new_tokens: int | None = None,
    seed: int = 0,
) -> Path:
    """Build `spec` into `out_dir`.

    `pin_new_tokens=N` makes every generate() call produce exactly N new tokens (the forced
    BOS/EOS included): random weights would otherwise stop at arbitrary points, and benchmarks
    must compare equal work.
    """
    generation = dict(spec.generation)
    if pin_new_tokens is not None:
        # min/max_length would be overridden anyway; dropping them leaves every engine one
        # unambiguous length and stops transformers warning about the conflict on each call.
        generation.pop("min_length", None)
        generation.pop("max_length", None)
        generation |= {"min_new_tokens": pin_new_tokens, "max_new_tokens": pin_new_tokens}
    if isinstance(spec, BartSpec):
        return build_bart(out_dir, **_architecture(spec), generation=generation, seed=seed)
    return build_marian(
        out_dir,
        **_architecture(spec),
        target_lang=spec.target_lang,
        spm_vocab=spec.spm_vocab,
        generation=generation,
        seed=seed,
    )


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.replicas",
        description="Build the summariser and en-uk/ru/hi translators with random weights.",
    )
    parser.add_argument("out_dir", type=Path, help="models are written to OUT_DIR/<name>")
    parser.add_argument("--tiny", action="store_true", help="build the tiny test models instead")
    parser.add_argument(
        "--pin-new-tokens",
        type=int,
        metavar="N",
        help="make every generation produce exactly N new tokens",
    )
    args = parser.parse_args(argv)
    summariser, translators = (
        (TINY_BART, TINY_MARIAN) if args.tiny else (DISTILBART_CNN_12_6, OPUS_MT_EN)
    )
    for spec in (summariser, *translators.values()):
        start = time.perf_counter()
        path = build_replica(spec, args.out_dir / spec.name, args.pin_new_tokens)
        elapsed = time.perf_counter() - start
        print(f"{path}  {_dir_size(path) / 2**20:.1f} MiB  built in {elapsed:.1f}s")


if __name__ == "__main__":
    main()
