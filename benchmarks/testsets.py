"""Test sets: where they come from, where they are cached, and how their files are read.

Standard sets are fetched once into a cache folder (``--data-dir``) and read from there
afterwards, so a run works offline once they are cached:

- CNN/DailyMail 3.0.0 test and XSum test through Hugging Face ``datasets``, cached as
  ``cnn_dailymail-test.jsonl`` and ``xsum-test.jsonl`` ({article, reference} per line);
- FLORES-200 devtest (English into Ukrainian, Russian, Hindi), from the FLORES-200 release
  tarball, cached as ``flores200-devtest/eng_Latn.devtest``... (one sentence per line);
- WMT news test sets through sacreBLEU's own downloader (wmt22 en-uk and en-ru, wmt14
  en-hi), cached as ``wmt-en-uk.jsonl``... ({source, reference} per line).

Local files in the same layouts work too (``--summaries``, ``--parallel``): JSONL with
``article`` and ``reference`` (or CNN/DailyMail's ``highlights``), CNN ``.story`` files, a
folder in FLORES layout, or JSONL with ``source``, ``reference`` and ``lang``.
"""

from __future__ import annotations

import json
import shutil
import tarfile
import tempfile
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from briefly.errors import InputError, UsageError

SAMPLE_DIR = Path(__file__).parent / "data"
SAMPLE_SUMMARIES = SAMPLE_DIR / "summaries.jsonl"
SAMPLE_PARALLEL = SAMPLE_DIR / "parallel"
DEFAULT_DATA_DIR = Path("~/.cache/briefly/benchmarks/data")
# FLORES-200 file-name codes of the languages briefly translates between.
FLORES_CODES = {"eng_Latn": "en", "ukr_Cyrl": "uk", "rus_Cyrl": "ru", "hin_Deva": "hi"}
# Hub id, configuration, article field, summary field.
SUMMARY_SETS = {
    "cnn_dailymail": ("abisee/cnn_dailymail", "3.0.0", "article", "highlights"),
    "xsum": ("EdinburghNLP/xsum", None, "document", "summary"),
}
FLORES_URL = "https://dl.fbaipublicfiles.com/nllb/flores200_dataset.tar.gz"
# sacreBLEU test set per target language.
WMT_SETS = {"uk": "wmt22", "ru": "wmt22", "hi": "wmt14"}


@dataclass(frozen=True)
class SummaryExample:
    """An article and the summary a person wrote for it."""

    article: str  # article text as a user would give it to briefly
    reference: str  # human summary; one sentence per line for CNN/DailyMail highlights


@dataclass(frozen=True)
class ParallelSet:
    """English sentences and their reference translations into one language."""

    lang: str  # target language code, e.g. "uk"
    sources: tuple[str, ...]  # English sentences
    references: tuple[str, ...]  # one reference translation per source sentence


def read_summaries(path: Path, limit: int | None = None) -> list[SummaryExample]:
    """Read articles with reference summaries from JSONL, a ``.story`` file or a directory."""
    path = _existing(path)
    if path.is_dir():
        stories = sorted(path.glob("*.story"))
        if not stories:
            raise InputError(f"No .story files in {path}: give a directory of CNN .story files")
        examples = [parse_story(p.read_text(encoding="utf-8")) for p in stories[:limit]]
    elif path.suffix == ".story":
        examples = [parse_story(path.read_text(encoding="utf-8"))]
    elif path.suffix == ".jsonl":
        examples = [_summary_record(record, where) for record, where in _jsonl(path)]
    else:
        raise UsageError(f"Cannot read summaries from {path}: give a .jsonl file, or .story files")
    return _non_empty(examples[:limit], path)


def parse_story(text: str) -> SummaryExample:
    """Split a CNN ``.story`` file into the article and its ``@highlight`` sentences."""
    article, *highlights = text.split("@highlight")
    lines = (" ".join(h.split()) for h in highlights)
    return SummaryExample(article.strip(), "\n".join(line for line in lines if line))


def read_parallel(
    path: Path,
    languages: Sequence[str],
    split: str | None = None,
    limit: int | None = None,
) -> list[ParallelSet]:
    """Read English sentences with references in each of ``languages``."""
    path = _existing(path)
    if path.is_dir():
        sets = _read_parallel_dir(path, languages, split)
    elif path.suffix == ".jsonl":
        sets = _read_parallel_jsonl(path, languages)
    else:
        raise UsageError(
            f"Cannot read translations from {path}: give a directory of parallel files "
            "(FLORES layout) or a .jsonl file"
        )
    return [
        ParallelSet(s.lang, s.sources[:limit], _non_empty(s.references[:limit], path)) for s in sets
    ]


def _read_parallel_dir(
    path: Path, languages: Sequence[str], split: str | None
) -> list[ParallelSet]:
    files: dict[tuple[str, str], Path] = {}
    for file in path.iterdir():
        code, _, suffix = file.name.partition(".")
        if file.is_file() and suffix:
            files[(FLORES_CODES.get(code, code), suffix)] = file
    splits = sorted(suffix for lang, suffix in files if lang == "en")
    if not splits:
        raise InputError(f"No English file (eng_Latn.<split> or en.txt) in {path}")
    if split is None:
        if len(splits) > 1:
            raise UsageError(f"{path} holds several splits ({', '.join(splits)}): pass --split")
        split = splits[0]
    if ("en", split) not in files:
        raise UsageError(f"No '{split}' split in {path}: use one of {', '.join(splits)}")
    sources = _lines(files[("en", split)])
    sets = []
    for lang in languages:
        if (lang, split) not in files:
            raise InputError(f"No {lang} references for split '{split}' in {path}")
        references = _lines(files[(lang, split)])
        if len(references) != len(sources):
            raise InputError(
                f"{files[(lang, split)]} has {len(references)} lines but the English file has "
                f"{len(sources)}: parallel files must be aligned line by line"
            )
        sets.append(ParallelSet(lang, sources, references))
    return sets


def _read_parallel_jsonl(path: Path, languages: Sequence[str]) -> list[ParallelSet]:
    pairs: dict[str, list[tuple[str, str]]] = {lang: [] for lang in languages}
    for record, where in _jsonl(path):
        lang = record.get("lang")
        if lang is None and len(languages) != 1:
            raise InputError(f"{where}: no 'lang' field; add one, or pass a single --languages")
        lang = lang or languages[0]
        if lang in pairs:
            pairs[lang].append(
                (_field(record, "source", where), _field(record, "reference", where))
            )
    return [
        ParallelSet(lang, tuple(s for s, _ in found), tuple(r for _, r in found))
        for lang, found in pairs.items()
    ]


def _summary_record(record: dict, where: str) -> SummaryExample:
    if "reference" not in record and "highlights" not in record:
        raise InputError(f"{where}: 'reference' (or 'highlights') is missing")
    key = "reference" if "reference" in record else "highlights"
    return SummaryExample(_field(record, "article", where), _field(record, key, where))


def _jsonl(path: Path) -> Iterator[tuple[dict, str]]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(f"{where}: not a JSON object ({e.msg})") from e
            if not isinstance(record, dict):
                raise InputError(f"{where}: expected a JSON object per line")
            yield record, where


def _field(record: dict, name: str, where: str) -> str:
    value = record.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}: '{name}' is missing or empty")
    return value


def _lines(path: Path) -> tuple[str, ...]:
    # Split on "\n" only: str.splitlines() also breaks on U+2028 and friends, which would
    # misalign a line with its translation.
    text = path.read_text(encoding="utf-8").removesuffix("\n")
    return tuple(line.rstrip("\r") for line in text.split("\n")) if text else ()


def _existing(path: Path) -> Path:
    path = Path(path)
    if not path.exists():
        raise InputError(f"No such file or folder: {path}")
    return path


def _non_empty(items, path: Path):
    if not items:
        raise InputError(f"No examples in {path}")
    return items


@dataclass(frozen=True)
class Named:
    """A test set as the run uses it: its name in results, and its examples."""

    name: str  # "cnn_dailymail", "flores200-devtest", "wmt22", "sample"...
    examples: tuple  # SummaryExample or ParallelSet items


def summary_sets(data_dir: Path, limit: int | None) -> tuple[list[Named], list[str]]:
    """The standard summary sets, fetched where missing; and a note per set not available."""
    found, notes = [], []
    for name in SUMMARY_SETS:
        try:
            found.append(Named(name, tuple(read_summaries(_summary_file(name, data_dir), limit))))
        except InputError as e:
            notes.append(f"{name} not available ({e}): left out")
    return found, notes


def parallel_sets(
    data_dir: Path, languages: Sequence[str], limit: int | None
) -> tuple[list[Named], list[str]]:
    """FLORES-200 devtest and the WMT sets for ``languages``, fetched where missing."""
    found, notes = [], []
    try:
        flores = _flores_dir(data_dir)
        found.append(
            Named("flores200-devtest", tuple(read_parallel(flores, languages, "devtest", limit)))
        )
    except InputError as e:
        notes.append(f"flores200-devtest not available ({e}): left out")
    for lang in languages:
        name = WMT_SETS.get(lang)
        if name is None:
            continue
        try:
            (pairs,) = read_parallel(_wmt_file(name, lang, data_dir), [lang], limit=limit)
            found.append(Named(f"{name}-en-{lang}", (pairs,)))
        except InputError as e:
            notes.append(f"{name} en-{lang} not available ({e}): left out")
    return found, notes


def _summary_file(name: str, data_dir: Path) -> Path:
    target = data_dir.expanduser() / f"{name}-test.jsonl"
    if target.is_file():
        return target
    hub_id, config, article, summary = SUMMARY_SETS[name]
    try:
        import datasets

        rows = datasets.load_dataset(hub_id, config, split="test")
    except ImportError as e:
        raise InputError("datasets is not installed: pip install -e '.[bench]'") from e
    except (OSError, ValueError) as e:
        raise InputError(f"cannot fetch {hub_id} and it is not cached: {_first(e)}") from e
    lines = (
        json.dumps({"article": row[article], "reference": row[summary]}, ensure_ascii=False)
        for row in rows
    )
    _write_atomic(target, "".join(line + "\n" for line in lines))
    return target


def _flores_dir(data_dir: Path) -> Path:
    target = data_dir.expanduser() / "flores200-devtest"
    if (target / "eng_Latn.devtest").is_file():
        return target
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "flores200.tar.gz"
        _download(FLORES_URL, archive)
        wanted = {f"{code}.devtest" for code in FLORES_CODES}
        staging = Path(tmp) / "devtest"
        staging.mkdir()
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                if member.isfile() and Path(member.name).name in wanted:
                    source = tar.extractfile(member)
                    (staging / Path(member.name).name).write_bytes(source.read())
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staging), target)
    return target


def _wmt_file(name: str, lang: str, data_dir: Path) -> Path:
    target = data_dir.expanduser() / f"wmt-en-{lang}.jsonl"
    if target.is_file():
        return target
    from sacrebleu.dataset import DATASETS

    pair = f"en-{lang}"
    try:
        test_set = DATASETS[name]
        sources = _lines(Path(test_set.get_source_file(pair)))
        references = _lines(Path(test_set.get_reference_files(pair)[0]))
    except (OSError, KeyError, IndexError, ValueError) as e:
        raise InputError(f"cannot fetch {name} {pair} with sacreBLEU: {_first(e)}") from e
    lines = (
        json.dumps({"source": s, "reference": r, "lang": lang}, ensure_ascii=False)
        for s, r in zip(sources, references, strict=True)
    )
    _write_atomic(target, "".join(line + "\n" for line in lines))
    return target


def _download(url: str, path: Path) -> None:
    from tqdm import tqdm

    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with (
                path.open("wb") as out,
                tqdm(total=total, unit="B", unit_scale=True, desc=Path(url).name) as bar,
            ):
                while chunk := response.read(1 << 20):
                    out.write(chunk)
                    bar.update(len(chunk))
    except OSError as e:
        raise InputError(f"cannot download {url} and it is not cached: {_first(e)}") from e


def _write_atomic(target: Path, text: str) -> None:
    # Written beside the target and renamed, so an interrupted fetch never looks cached.
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(target)


def _first(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
