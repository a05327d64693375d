"""Cleaning text dumps in the shapes users save pages in (own articles, no shared pages)."""

from __future__ import annotations

from briefly.article.cleaning import clean_text, recurring_lines
from briefly.article.loader import parse_article

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
    assert reasons["* Weather"].startswith("model: story p=")


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


def test_comment_form_and_rules_under_the_story_go() -> None:
    rules = [
        "1. We welcome reader comments on our stories; some may be printed in the paper.",
        "2. Comments are moderated and we cannot always publish all that are sent in.",
        "3. Please keep your comments civil and stick to the topic of the story.",
    ]
    form = [
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
        "[ ] Notify me when new comments are added.",
        "This site uses Akismet to reduce spam.",
    ]
    text = f"{HEADLINE}\n\n" + "\n\n".join([*PARAGRAPHS, "HOUSE RULES", "\n".join(rules), *form])
    cleaned = clean_text(text)
    assert cleaned.paragraphs == tuple(PARAGRAPHS)
    reasons = dict(cleaned.removed)
    assert reasons[rules[2]] == "comment rules"
    assert reasons[form[1]] == "site notice"


def test_paywall_letters_and_affiliate_notices_go_but_news_about_them_stays() -> None:
    news = (
        "Share prices fell 3 % after the paper said that subscribers would pay more, and the "
        "council said it would not comment on the matter until the vote."
    )
    notices = [
        "To view the full story, please subscribe to the Marlow Herald.",
        "We want to hear what you think about this article. Submit a letter to the editor.",
        "This site participates in the Amazon Associates program and earns from qualifying "
        "purchases.",
    ]
    cleaned = clean_text(f"{HEADLINE}\n\n" + "\n\n".join([*PARAGRAPHS, news, *notices]))
    assert cleaned.paragraphs == (*PARAGRAPHS, news)
    assert {reason for line, reason in cleaned.removed if line in notices} == {"site notice"}


def test_note_on_the_author_under_the_story_goes() -> None:
    quoted = "Tom Holt, a professor at Marlow College, said the roof was worth keeping."
    bio = "Anna Berg is a senior writer for the Marlow Herald, where she covers the council."
    text = f"{HEADLINE}\n\nBy Anna Berg\n\n" + "\n\n".join(
        [PARAGRAPHS[0], quoted, *PARAGRAPHS[1:], bio, "@annaberg"]
    )
    cleaned = clean_text(text)
    assert cleaned.author == "Anna Berg"
    assert cleaned.paragraphs == (PARAGRAPHS[0], quoted, *PARAGRAPHS[1:])
    assert (bio, "about the author") in cleaned.removed


def test_note_on_an_unnamed_author_goes_only_at_the_end() -> None:
    inside = "Tom Holt is a professor of history who has studied the depot since the 1990s."
    bio = "Tom Holt is an associate professor of history at Marlow College."
    body = [PARAGRAPHS[0], inside, *PARAGRAPHS[1:], bio]
    cleaned = clean_text(f"{HEADLINE}\n\n" + "\n\n".join(body))
    assert cleaned.paragraphs == (PARAGRAPHS[0], inside, *PARAGRAPHS[1:])


def test_long_legal_notice_opening_with_copyright_goes() -> None:
    notice = (
        "Copyright © 2026 Marlow Herald Ltd. Reproduction of material from any Marlow Herald "
        "pages without written permission is forbidden. Marlow Herald is a registered trade "
        "mark of Marlow Herald Ltd. Agency articles: Copyright © 2026 the agency. All rights "
        "reserved. This material may not be published, broadcast or rewritten."
    )
    assert len(notice.split()) > 40
    cleaned = clean_text("\n\n".join([*PARAGRAPHS, notice]))
    assert cleaned.paragraphs == tuple(PARAGRAPHS)
    assert (notice, "copyright") in cleaned.removed


def test_lede_between_share_buttons_and_a_sidebar_is_kept() -> None:
    lede = "A council official said in a sworn statement that the depot could open by spring."
    sidebar = "\n".join(f"   * {topic}" for topic in ("Topics", "Marlow", "Libraries", "Trams"))
    text = (
        f"   Home News {HEADLINE}\n\n{HEADLINE}\n\n   By\n   Anna Berg\n   -\n   March 3, 2026\n"
        "   Share\n   Facebook\n   Twitter\n   WhatsApp\n\n"
        f"   {lede}\n\nRelated Videos\n\n{sidebar}\n\n   IFRAME: https://video.example/x\n\n"
        + "\n\n".join(wrap(p) for p in PARAGRAPHS)
    )
    cleaned = clean_text(text)
    assert cleaned.author == "Anna Berg"
    assert cleaned.paragraphs == (lede, *PARAGRAPHS)


def test_names_of_a_bare_byline_one_to_a_line() -> None:
    consent = (
        "By submitting your information, you're agreeing to receive communications from "
        "the Marlow Herald in accordance with our Terms."
    )
    text = (
        f"News\n\n{HEADLINE}\n\nBy\nAnna Berg\nand\nTom Holt\n\nPublished Mar 3, 2026\n\n"
        f"Never miss a story\n\n{consent}\n\n" + "\n\n".join(PARAGRAPHS)
    )
    cleaned = clean_text(text)
    assert cleaned.title == HEADLINE
    assert cleaned.author == "Anna Berg, Tom Holt"
    assert (consent, "site notice") in cleaned.removed
    assert cleaned.paragraphs == tuple(PARAGRAPHS)


def test_a_byline_without_a_name_is_no_headline() -> None:
    text = "By Staff and news service reports\n\n" + "\n\n".join(PARAGRAPHS)
    assert clean_text(text).title is None


def test_xhtml_page_with_an_xml_declaration_and_a_note_on_its_author() -> None:
    bio = "Anna Berg is a senior writer for the Marlow Herald."
    body = "".join(f"<p>{p}</p>" for p in (*PARAGRAPHS, bio))
    page = (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head>'
        f'<title>{HEADLINE}</title><meta name="author" content="Anna Berg"/></head>'
        f"<body><article><h1>{HEADLINE}</h1>{body}</article></body></html>"
    )
    for data in (page, page.encode()):
        article = parse_article(data, source="page.html")
        assert (article.title, article.author) == (HEADLINE, "Anna Berg")
        assert article.body == "\n\n".join(PARAGRAPHS)
        assert (bio, "about the author") in article.removed


def test_html2text_link_with_a_wrapped_url_becomes_its_text() -> None:
    # html2text wraps at 78 columns, inside URLs too.
    text = (
        f"# {HEADLINE}\n\n{PARAGRAPHS[0]}\n\n{PARAGRAPHS[1]}\n\n{PARAGRAPHS[2]} Read the\n"
        "[council's report](https://marlow.example/council/reports/2026/depot-library-\n"
        'decision/ "The report") for the details.\n\n'
        "Previous article[Mayor opens new bus\nstation](/2026/03/02/mayor-opens-new-bus-\n"
        "station/)\n"
    )
    cleaned = clean_text(text)
    assert cleaned.paragraphs == (
        *PARAGRAPHS[:2],
        f"{PARAGRAPHS[2]} Read the council's report for the details.",
    )


def test_logo_author_name_and_time_stamp_are_no_headline() -> None:
    text = (
        "Marlow Herald Marlow Herald\n\nThe Guardian logo\n\n16 hours ago\n\n"
        "Anna Berg\n\nBy Anna Berg\n\n" + "\n\n".join(PARAGRAPHS)
    )
    cleaned = clean_text(text)
    assert cleaned.title is None
    assert cleaned.paragraphs == tuple(PARAGRAPHS)
    text = f"Marlow Herald Marlow Herald\n\n{HEADLINE}\n\nBy Anna Berg\n\n" + "\n\n".join(
        PARAGRAPHS
    )
    assert clean_text(text).title == HEADLINE
