"""Cleaning text dumps in the shapes users save pages in (own articles, no shared pages)."""

from __future__ import annotations

from briefly.cleaning import clean_text, recurring_lines
from briefly.loader import parse_article

PARAGRAPHS = [
    "The city council of Marlow voted on Tuesday to turn the old tram depot into a public "
    "library, ending a debate that had divided residents for more than a decade and cost "
    "two mayors their seats.",
    "Under the plan, the depot's iron roof will be kept and the building will open in 2028 "
    "with reading rooms, a children's floor and a cafe run by a local charity.",
    "Opponents had wanted the site sold to a developer, saying the money was needed to "
    "repair the city's roads, but the vote was carried by nineteen to six.",
]
HEADLINE = "Marlow council turns old tram depot into a library"


def wrap(text: str, width: int = 72, indent: str = "   ") -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(indent + line) + 1 + len(word) > width:
            lines.append(indent + line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, indent + line])


def lynx_dump() -> str:
    menu = "\n".join(f"     * {item}" for item in ("Home", "News", "Sport", "Weather", "Video"))
    body = "\n\n".join(wrap(p) for p in PARAGRAPHS)
    return (
        "   #Marlow Herald RSS alternate\n\n   IFRAME: https://tags.example/ns.html\n\n"
        f"   Skip to content\n\n{menu}\n\n{HEADLINE}\n\n   By Anna Berg, Staff Writer\n"
        "   Published: 3 March 2026\n   (BUTTON) Share\n\n"
        f"{body}\n\n   Sign up for our morning newsletter\n\n"
        "   © 2026 Marlow Herald. All rights reserved.\n"
    )


def test_lynx_dump_loses_menu_and_keeps_wrapped_paragraphs_whole() -> None:
    cleaned = clean_text(lynx_dump())
    assert cleaned.title == HEADLINE
    assert cleaned.author == "Anna Berg"
    assert cleaned.published == "2026-03-03"
    assert cleaned.paragraphs == tuple(PARAGRAPHS)
    reasons = {line: reason for line, reason in cleaned.removed}
    assert "Skip to content" in reasons
    assert reasons["* Weather"] == "run of short lines"


def test_wrapped_first_paragraph_is_never_the_title() -> None:
    cleaned = clean_text("\n\n".join(wrap(p) for p in PARAGRAPHS))
    assert cleaned.title is None
    assert cleaned.paragraphs == tuple(PARAGRAPHS)


def test_bs4_dump_with_site_suffixed_title_and_split_links() -> None:
    first, rest = PARAGRAPHS[0].split(" public ", 1)
    text = (
        f"{HEADLINE} | Marlow Herald\n\n\nHome\n\nNews\n\nSport\n\nLog in\n\n\n{HEADLINE}\n\n"
        f"Written by Anna Berg\n\n{first} public\nlibrary\n, {rest.removeprefix('library, ')}\n\n"
        f"{PARAGRAPHS[1]}\n\n{PARAGRAPHS[2]}\n\nFacebook\nTwitter\nWhatsApp\n\n"
        "Most read\n\nPrivacy policy\n\nCookie settings\n"
    )
    cleaned = clean_text(text)
    assert cleaned.title == HEADLINE
    assert cleaned.author == "Anna Berg"
    assert cleaned.paragraphs == tuple(PARAGRAPHS)


def test_bs4_line_cut_before_a_capitalised_link_rejoins() -> None:
    # The link "Marlow" starts a new line: "of" cannot end the sentence.
    first, rest = PARAGRAPHS[0].split(" Marlow ", 1)
    text = (
        f"{HEADLINE}\n\nHome\nNews\nSport\n\nShare on Facebook\nEmail\n"
        f"{first}\nMarlow {rest}\n\n{PARAGRAPHS[1]}\n\n{PARAGRAPHS[2]}\n"
    )
    cleaned = clean_text(text)
    assert cleaned.paragraphs == tuple(PARAGRAPHS)


def test_short_label_ending_in_a_small_word_stays_apart() -> None:
    # Two words are a label ("Back to"), not a sentence broken at a link.
    text = f"{HEADLINE}\n\nBack to\nTop Stories\n\n" + "\n\n".join(PARAGRAPHS)
    cleaned = clean_text(text)
    assert cleaned.paragraphs == tuple(PARAGRAPHS)
    assert "Back to" in {line for line, _ in cleaned.removed}


def test_related_box_of_one_headline_inside_the_story_goes() -> None:
    teaser = "Factbox: Which towns have opened libraries in old depots"
    subheading = "A roof kept for the next century"
    body = [*PARAGRAPHS[:2], "Related Coverage", teaser, subheading, PARAGRAPHS[2]]
    cleaned = clean_text(f"{HEADLINE}\n\n" + "\n\n".join(body))
    assert cleaned.paragraphs == (*PARAGRAPHS[:2], subheading, PARAGRAPHS[2])
    assert (teaser, "link list") in cleaned.removed


def test_markdown_dump_links_images_and_headings() -> None:
    text = (
        "* [Home](https://marlow.example/)\n* [News](https://marlow.example/news)\n"
        "* [Sport](https://marlow.example/sport)\n\n"
        f"# {HEADLINE}\n\nBy [Anna Berg](https://marlow.example/anna)\n\n"
        "![The depot](https://marlow.example/depot.jpg)\n\n"
        f"{PARAGRAPHS[0].replace('public library', '[public library](https://x.example/l)')}\n\n"
        f"## What happens next\n\n{PARAGRAPHS[1]}\n\n{PARAGRAPHS[2]}\n\n"
        "[Share on Facebook](https://facebook.example/share)\n"
    )
    cleaned = clean_text(text)
    assert cleaned.title == HEADLINE
    assert cleaned.author == "Anna Berg"
    assert cleaned.paragraphs == (PARAGRAPHS[0], "What happens next", *PARAGRAPHS[1:])


RUSSIAN = [
    "Городской совет Марлоу во вторник проголосовал за то, чтобы превратить старое "
    "трамвайное депо в публичную библиотеку, и этим закончил спор, который длился больше "
    "десяти лет.",
    "По плану железная крыша депо будет сохранена, а библиотека откроется в 2028 году, и в "
    "ней будут читальные залы и детский этаж.",
]
UKRAINIAN = [
    "Міська рада Марлоу у вівторок проголосувала за те, щоб перетворити старе трамвайне депо "
    "на публічну бібліотеку, і так завершила суперечку, яка тривала понад десять років.",
    "За планом залізний дах депо буде збережено, а бібліотека відкриється у 2028 році, і в "
    "ній будуть читальні зали та дитячий поверх.",
]


def test_russian_page_furniture() -> None:
    text = (
        "Главная\nНовости\nСпорт\n\nСтарое депо станет библиотекой\n\n"
        "Автор: Анна Берг\nОпубликовано: 3 марта 2026\nПросмотров: 1204\n\n"
        f"{RUSSIAN[0]}\n\nЧитайте также: Мэр ушёл в отставку\n\n{RUSSIAN[1]}\n\n"
        "Поделиться\n\nПодписывайтесь на наш канал в Telegram\n"
    )
    cleaned = clean_text(text)
    assert cleaned.title == "Старое депо станет библиотекой"
    assert cleaned.author == "Анна Берг"
    assert cleaned.published == "2026-03-03"
    assert cleaned.paragraphs == tuple(RUSSIAN)


def test_ukrainian_page_furniture() -> None:
    text = (
        "Головна\nНовини\nСпорт\n\nСтаре депо стане бібліотекою\n\n"
        "Автор матеріалу: Анна Берг\n\n"
        f"{UKRAINIAN[0]}\n\nФото: Марлоу Геральд\n\nЧитайте також: Мер пішов у відставку\n\n"
        f"{UKRAINIAN[1]}\n\nДжерело: Марлоу Геральд\n\nПоділитися\n"
    )
    cleaned = clean_text(text)
    assert cleaned.title == "Старе депо стане бібліотекою"
    assert cleaned.author == "Анна Берг"
    assert cleaned.paragraphs == tuple(UKRAINIAN)


def test_one_line_article_ending_in_copyright_is_kept() -> None:
    line = (
        "The studio confirmed on Monday that the sequel will start shooting in Prague in "
        "June with the original cast. ©2026 The Marlow Herald. All rights reserved."
    )
    article = parse_article(line, source="one-line.txt")
    assert article.body == line


def test_copyright_notice_of_its_own_goes() -> None:
    cleaned = clean_text(
        "\n\n".join([*PARAGRAPHS, "©2026 The Marlow Herald. All rights reserved."])
    )
    assert cleaned.paragraphs == tuple(PARAGRAPHS)
    assert ("©2026 The Marlow Herald. All rights reserved.", "copyright") in cleaned.removed


def test_recurring_lines_across_a_batch_are_furniture() -> None:
    footer = "The Marlow Herald is an independent newspaper owned by its readers since 1901."
    texts = [f"{p}\n\n{footer}" for p in (*PARAGRAPHS, *RUSSIAN)]
    recurring = recurring_lines(texts)
    assert recurring == {footer.casefold().rstrip(".")}
    cleaned = clean_text(texts[0], furniture=recurring)
    assert cleaned.paragraphs == (PARAGRAPHS[0],)
    assert cleaned.removed[-1].reason == "recurs across the batch"


def test_no_clean_keeps_everything() -> None:
    article = parse_article(lynx_dump(), source="page.txt", clean=False)
    assert "Skip to content" in article.body
    assert article.title is None and article.removed == ()


HINDI = [
    "मार्लो की नगर परिषद ने मंगलवार को पुराने ट्राम डिपो को एक सार्वजनिक पुस्तकालय में बदलने के "
    "पक्ष में मतदान किया, और इस तरह दस साल से चल रही बहस खत्म हो गई।",
    "योजना के अनुसार डिपो की लोहे की छत को बचाया जाएगा और पुस्तकालय वर्ष 2028 में खुलेगा, जिसमें "
    "पढ़ने के कमरे और बच्चों के लिए एक अलग मंज़िल होगी।",
]


def test_hindi_page_furniture() -> None:
    text = (
        "होम\n\nपुराना डिपो बनेगा पुस्तकालय\n\nलेखक: अन्ना बर्ग\n\n"
        f"{HINDI[0]}\n\nयह भी पढ़ें: महापौर ने इस्तीफा दिया\n\n{HINDI[1]}\n\nशेयर करें\n"
    )
    cleaned = clean_text(text)
    assert cleaned.title == "पुराना डिपो बनेगा पुस्तकालय"
    assert cleaned.author == "अन्ना बर्ग"
    assert cleaned.paragraphs == tuple(HINDI)
