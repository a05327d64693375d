from transformers import GenerationConfig

from briefly.models.generation import GenerationSettings


def test_reads_distilbart_cnn_generation_config():
    config = GenerationConfig(
        num_beams=4,
        length_penalty=2.0,
        min_length=56,
        max_length=142,
        no_repeat_ngram_size=3,
        early_stopping=True,
        forced_bos_token_id=0,
    )
    settings = GenerationSettings.from_generation_config(config)
    assert settings.num_beams == 4
    assert settings.length_penalty == 2.0
    assert settings.no_repeat_ngram_size == 3
    assert settings.early_stopping is True
    # Decoder lengths count the start token; new-token counts do not.
    assert settings.new_token_limit() == 141
    assert settings.new_token_minimum() == 55


def test_limits_only_lower_the_models_own_bound():
    settings = GenerationSettings(max_length=512, min_new_tokens=40)
    assert settings.with_limits(64).new_token_limit() == 64
    assert settings.with_limits(64).new_token_minimum() == 40
    assert settings.with_limits(1000).new_token_limit() == 511
    assert settings.with_limits(16).new_token_minimum() == 16
