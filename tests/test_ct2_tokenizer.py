"""The CTranslate2 engine's tokenizers, rebuilt without transformers, against transformers'."""

import json
import random
import subprocess
import sys

import pytest

pytest.importorskip("ctranslate2")

from transformers import AutoTokenizer  # noqa: E402

from briefly.models.engines.ct2_engine import CT2Engine, converted_model  # noqa: E402
from briefly.models.engines.ct2_tokenizer import export_tokenizer  # noqa: E402

TEXTS = [
    "The government announced a new budget on Monday.",
    "  Leading and trailing spaces,\ttabs\nand  double  spaces.  ",
    "Ціни зросли на 3,5% у Києві — «новини».",
    "कीमतें बढ़ीं।",
    "Emoji 🚀 and café, naïve façade; 1,024.5 km/h!",
    "A literal </s> and <unk> and <pad> in the text.",
    ">>ukr<< A sentence with a language code.",
    "Isn't it 'quoted' \"twice\"? (Yes) [no] {maybe}",
    "",
]


def test_tokenizes_as_transformers(model_dir):
    reference = AutoTokenizer.from_pretrained(model_dir)
    engine = CT2Engine(model_dir, "cpu", "float32")
    expected = [reference.convert_ids_to_tokens(ids) for ids in reference(TEXTS)["input_ids"]]
    assert engine.tokenizer.tokenize(TEXTS) == expected
    assert engine.count_tokens(TEXTS) == [len(tokens) for tokens in expected]
    assert engine.vocabulary() == reference.get_vocab()


def test_decodes_as_transformers(model_dir):
    reference = AutoTokenizer.from_pretrained(model_dir)
    engine = CT2Engine(model_dir, "cpu", "float32")
    vocab = sorted(reference.get_vocab())
    rng = random.Random(0)
    # Random outputs, special tokens among them, as an untrained model may produce; and
    # real text. A model's outputs are always tokens of its vocabulary.
    outputs = [rng.choices(vocab, k=rng.randint(0, 30)) for _ in range(200)]
    outputs += [reference.convert_ids_to_tokens(ids) for ids in reference(TEXTS)["input_ids"]]
    expected = [
        reference.decode(reference.convert_tokens_to_ids(tokens), skip_special_tokens=True)
        for tokens in outputs
    ]
    assert [engine.tokenizer.decode(tokens) for tokens in outputs] == expected


def test_tokenizer_that_cannot_run_without_transformers_fails_conversion(tmp_path):
    class Unknown:
        all_special_tokens = ["</s>"]
        unk_token = "<unk>"
        eos_token = "</s>"

    with pytest.raises(ValueError, match="Unknown cannot run without transformers"):
        export_tokenizer(Unknown(), tmp_path)


def test_running_a_converted_model_imports_neither_transformers_nor_torch(tiny_translators):
    converted_model(tiny_translators["uk"], "int8")
    script = (
        "import sys, json\n"
        "from pathlib import Path\n"
        "from briefly.models.engines.ct2_engine import CT2Engine\n"
        f"engine = CT2Engine(Path({str(tiny_translators['uk'])!r}), 'cpu')\n"
        "outputs = engine.generate(['Prices rose in the north.'], engine.settings)\n"
        "print(json.dumps([outputs, 'torch' in sys.modules, 'transformers' in sys.modules]))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    outputs, torch_imported, transformers_imported = json.loads(run.stdout)
    assert outputs[0].strip()
    assert not torch_imported and not transformers_imported
