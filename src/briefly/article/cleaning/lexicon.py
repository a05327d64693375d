"""Words and marks of page furniture, in English, Russian, Ukrainian and Hindi, and stopwords.

Phrases are matched on short lines only (see :mod:`.classify`): "Share" alone is a button,
"Share prices fell 3 %" is news. LABEL, PROMPT, COUNTER, COPYRIGHT, CREDIT and SITE_NOTICE
are matched against lower-cased text: without re.IGNORECASE they run about twice as fast,
and every line of a page goes through them.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Lines that are nothing but a furniture label, whole (after bullets and punctuation go).
_LABELS = (
    # English: sharing, accounts, navigation, promotion, page chrome.
    r"share|shares|share this|share (this|the) (article|story|post|page)|share on \w+|"
    r"share via \w+|tweet|e-?mail|print|copy link|copy|link copied|comments?|\d+ comments?|"
    r"facebook|twitter|x|whatsapp|linkedin|pinterest|reddit|telegram|flipboard|messenger|"
    r"log ?in|log ?out|sign ?in|sign ?out|sign up|register|my account|your account|account|"
    r"menu|main menu|navigation|search|close|open|back|next|previous|prev|prev next|"
    r"previous next|more|show more|load more|"
    r"home|homepage|go|submit|subscribe|subscribe now|donate|watch|watch now|listen|play|"
    r"advertisement|advertising|ad|sponsored|sponsored content|promoted|paid content|"
    r"related|related (articles|stories|posts|content|news|coverage|topics)|see also|"
    r"read more|read next|read also|more stories|more news|latest|latest news|latest stories|"
    r"latest articles|top stories|trending|trending now|trending stories|most read|"
    r"most popular|most viewed|most shared|popular|recommended|recommended for you|"
    r"editor'?s picks|you may also like|you might also like|don'?t miss|more from \S+( \S+)?|"
    r"(full|top) story|breaking news|live|video|videos|photos|gallery|image|photo|"
    r"leave a (comment|reply)|post a comment|add a comment|view comments|show comments|"
    r"there are no comments yet|be the first to comment|"
    r"privacy( policy)?|cookie (policy|settings)|terms( of (use|service))?|contact( us)?|"
    r"about( us)?|careers|help|faq|sitemap|accessibility|rss|newsletters?|podcasts?|"
    r"back to top|skip to (main )?content|skip to navigation|skip navigation|"
    r"toggle navigation|all rights reserved|loading\.*|advertisement - scroll to continue|"
    r"(story|article) continues below( advertisement)?|continue reading|"
    r"credits?|photo credits?|image credits?|explore further|advertising disclosure|"
    r"disclosure|house rules|community guidelines|previous (article|post|story)|"
    r"next (article|post|story)|"
    # Russian.
    r"поделиться|читайте также|подписывайтесь|подписаться|реклама|комментарии|главная|"
    r"все новости|новости по теме|популярное|читать далее|подробнее|войти|регистрация|"
    r"читайте нас в \S+|смотрите также|похожие новости|последние новости|"
    # Ukrainian.
    r"поділитися|читайте також|підписуйтесь|підписуйтеся|підписатися|коментарі|головна|"
    r"всі новини|усі новини|новини за темою|популярне|читати далі|детальніше|увійти|"
    r"дивіться також|останні новини|"
    # Hindi.
    r"शेयर करें|शेयर|यह भी पढ़ें|ये भी पढ़ें|और पढ़ें|फॉलो करें|सब्सक्राइब करें|विज्ञापन|"
    r"संबंधित खबरें|ताज़ा खबरें|ताजा खबरें|होम|टिप्पणियां"
)
LABEL = re.compile(rf"^({_LABELS})$")

# Lines that start so are furniture when they are short and not a finished sentence.
_PROMPTS = (
    r"sign up|signup|subscribe|follow us|follow @|join us|join our|download (our|the)|"
    r"get (our|the) (app|newsletter)|get the latest|get more|read more|read next|read also|"
    r"see also|also read|"
    r"related:|more:|watch:|listen:|video:|photos?:|images?:|gallery:|credit:|source:|"
    r"image (credit|source)|photo (credit|by)|tags?:|topics?:|filed under|categories:|"
    r"category:|posted in|more from|more on|more about|click here|tap here|"
    r"privacy & cookies|we use cookies|this site uses cookies|by (continuing|clicking|using)|"
    r"you are using|your browser|please enable|enable javascript|javascript is|"
    r"if you('re| are) (using|running)|advertisement|sponsored by|presented by|"
    r"most (read|popular|viewed|shared)|trending|recommended|latest (news|stories)|"
    r"copyright|all rights reserved|terms of|privacy policy|cookie|contact us|about us|"
    r"editorial (ethics|guidelines|standards)|advertising guidelines|do not sell|"
    r"proudly powered by|powered by|"
    r"(\d+ )?min(ute)?s? read|loading|see more|see all|view all|view more|show all|"
    r"reading time|listen to (this )?(article|story)|"
    r"поделиться|читайте также|читайте нас|подписывайтесь|подпишитесь|смотрите также|"
    r"источник:|фото:|видео:|теги:|просмотр|комментари|реклама|"
    r"поділитися|читайте також|підписуйтесь|підписуйтеся|дивіться також|джерело:|фото:|"
    r"відео:|теги:|перегляд|коментар|"
    r"शेयर करें|यह भी पढ़ें|ये भी पढ़ें|और पढ़ें|फॉलो करें|सब्सक्राइब|फोटो:|स्रोत:|टैग:"
)
PROMPT = re.compile(rf"^({_PROMPTS})")

# What text dumps leave of page machinery: lynx's links, frames and forms, html2text's
# image and link syntax, bs4's script remains.
MARKER = re.compile(
    r"#\S|IFRAME:|\(BUTTON\)|\[?(INLINE|IMG|IMAGE|EMBED|BUTTON|LINK)\b|EMBED\b"
    r"|<[a-z!/]|_{3,}|\[\d+\]|(https?://|www\.)\S+$|javascript:|[\W\d_]+$",
)
# Markers inside a line: lynx's buttons, image file names left from alt-less images, w3m's
# form fields ("Email[      ]", "[*]") and ad slots ("[INS::INS]").
INLINE_MARKER = re.compile(
    r"[(\[]BUTTON[)\]]|\.(jpe?g|png|gif|webp|svg)\b|\[\s*\]|\[\*\]|\[INS::", re.IGNORECASE
)
# A pager to the neighbouring story: "Previous articleMayor opens new bus station" (the label
# glued to the linked headline, as html2text and lynx leave it), "Next story: …". A plural
# ("Previous articles argued …") is a sentence, not a pager.
PAGER = re.compile(r"^(?i:previous|prev|next)\s*(?i:article|post|story|entry)(?![a-z])")
# "123 views", "4.5K shares", "Просмотров: 120", "12 переглядів".
COUNTER = re.compile(
    r"^(\d[\d,.\s]*[kmкм]?\s*(views?|reads?|comments?|shares?|likes?|просмотр\w*|"
    r"переглядів|перегляд\w*|коментар\w*|комментари\w*)|(просмотров|переглядів|views)"
    r"\s*:?\s*\d[\d\s,.]*[kmкм]?)$"
)
COPYRIGHT = re.compile(
    r"(^|\s)(©|\(c\)|copyright\b)|\ball rights reserved\b|всі права захищені|все права защищены"
)
# "© 2019 Salon.com, LLC. Reproduction …", "Copyright 2024 …", "™ & © 2024 …": a legal
# notice starts so.
NOTICE_START = re.compile(
    r"([™®]\s*(&|and)?\s*)*(©|\(c\)|copyright\s*(©|\(c\)|\d{4}))", re.IGNORECASE
)
# Photo credits: "Getty Images", "AP Photo/John Doe", "Photo: Reuters", "Фото: УНИАН".
CREDIT = re.compile(
    r"^((photo|image|picture|illustration|video)\s*(credit)?\s*[:/]|getty images|"
    r"(photo|photograph|image|picture|illustration|video)s? (by|courtesy( of)?)\s|"
    r"(ap|afp|reuters|getty|epa|postmedia|file) (file )?(photo|files?)$|"
    r"(ap|afp|reuters|epa|shutterstock|istock)( photo)?\s*[/|]|фото\s*:|фото\s+\w+\s*$)"
    r"|(getty images|shutterstock|istockphoto|\bafp\b|ap photo)\s*\)?$"
)

# What comment forms, paywalls, letters pages and affiliate notices say, the same on every
# site: furniture wherever it stands in a short unit, even as a full sentence.
SITE_NOTICE = re.compile(
    r"\b(notify me (of|when)|save my name,? email|your email address will not be published|"
    r"required fields are marked|akismet|comment data is processed|"
    r"comments (are|will be) (moderated|reviewed)|(welcome|moderate) (reader )?comments|"
    r"comments powered by|log ?in to (comment|reply)|(post|leave|add) a (comment|reply)|"
    r"please subscribe|subscribe (now )?to (read|continue|view|access|keep reading|unlock)|"
    r"to (view|read|continue reading|keep reading) (the|this) (full|rest of the|entire|whole) "
    r"(story|article)|subscribers? (also )?(get|receive|enjoy)|unlimited (digital )?access|"
    r"(submit|send|write) (us )?a letter to the editor|we want to hear (what you think|from you)|"
    r"amazon associates?( program)?|qualifying purchases|advertising disclosure|"
    r"we (may )?(earn|receive|get) (a |an )?(small )?(affiliate )?(commission|share of|portion of)|"
    r"(this|the) (article|post|page|story|site) (contains|includes|may contain) affiliate links|"
    r"(when|if) you (buy|shop|purchase|click|subscribe) (something )?(through|via|using) "
    r"(our |the |these |links on our |one of our )?(links|site|retail links|affiliate links)|"
    r"our (editorial )?(standards|principles|ethics policy|corrections policy): ?(?=\w)|"
    r"trust principles|"
    r"commissions? (paid|earned) to|reproduction of (material|this (article|content))|"
    r"(strictly )?necessary cookies|(enable|disable|accept|reject) (all )?cookies|"
    r"cookie (settings|preferences)|(this|our) (web)?site uses cookies|"
    r"(is|are) not responsible for the (opinions|content|views)|"
    r"(we|journalism) (rely|relies|depend|depends) on (your|readers'?) support|"
    r"never miss (the latest|a story|an update)|i consent to receiv|"
    r"by (submitting|signing up|subscribing|registering|clicking)[\w ,']{0,60}"
    r"(you agree|you're agreeing|you are agreeing|you consent)|"
    r"(sign|signing) up (for|to) (our|the) [\w ]{0,30}newsletter|"
    r"подпишитесь|оформите подписку|комментарии модерируются|підпишіться|оформіть передплату|"
    r"коментарі модеруються)\b"
)
# What comment rules are about, in the mission's languages.
COMMENTS = re.compile(r"\bcomment|\bкоммент|\bкомент|टिप्पणी", re.IGNORECASE)

# Calls to action are furniture even as full sentences: "Please share your videos with us."
CALL_TO_ACTION = re.compile(
    r"(^|[.?!] )(please |click |tap |be sure to )?(share|submit|email|e-mail|follow|"
    r"sign up|subscribe|download|join|register)\b.*\b(us|our|ireport|here|"
    r"newsletter|app|channel|page)\b"
    r"|\b(we (may )?earn (a |an )?(commission|portion|share)|"
    r"affiliate (links?|partnerships?|commission)|"
    r"uses? cookies|use of cookies|cookie policy|ad-?blocker|browser version|enable javascript|"
    r"protected by recaptcha|newsletter|in your inbox|to your inbox|no spam|"
    r"(don'?t|do not) have an account|already (have an account|a subscriber)|"
    r"forgot (your )?password|create (an|your|a free) account|now playing|ad feedback|"
    r"copyrighted (property|material)|without (the )?(prior )?(express )?(written )?permission|"
    r"written permission|may not be (reproduced|republished|reprinted|redistributed)|"
    r"download (the|our) [\w ]{0,30}app|(from|of) (one or more of )?our advertisers|"
    r"editorial opinions expressed)\b",
    re.IGNORECASE,
)
# The same, for a quick test on lower-cased text: most lines have no call in them.
CALL_TO_ACTION_LOWER = re.compile(CALL_TO_ACTION.pattern)
# Headings of link lists ("More Must-Reads", "Most Popular", "Related Stories").
LIST_HEADING = re.compile(
    r"^(more|most|related|latest|top|recommended|popular|trending|also|other|further|explore|"
    r"read|see|watch|editors?'?s?|ещё|еще|другие|популярн|читайте|більше|інші|читайте|"
    r"और|संबंधित)\b",
    re.IGNORECASE,
)
# A slug alone on a line: "The-CNN-Wire", "breaking-news-2026".
SLUG = re.compile(r"^[\w]+(-[\w]+){2,}$")

# jusText's stoplists for the mission's languages and the languages news is most often
# scraped in; densities are compared across them to pick the article's language.
STOPLIST_LANGUAGES = (
    "English",
    "Russian",
    "Ukrainian",
    "Hindi",
    "German",
    "French",
    "Spanish",
    "Italian",
    "Portuguese",
    "Dutch",
    "Polish",
    "Czech",
    "Swedish",
    "Danish",
    "Norwegian_Bokmal",
    "Turkish",
    "Indonesian",
    "Arabic",
)


@lru_cache(maxsize=1)
def stoplists() -> dict[str, frozenset[str]]:
    import justext  # ships with trafilatura

    lists = {}
    for language in STOPLIST_LANGUAGES:
        try:
            lists[language] = frozenset(justext.get_stoplist(language))
        except ValueError:
            continue
    return lists


@lru_cache(maxsize=1)
def all_stopwords() -> frozenset[str]:
    """Every word of :func:`stoplists`."""
    return frozenset().union(*stoplists().values())
