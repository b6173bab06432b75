"""Recognise page furniture that is not news: sign-ups, credits, bylines, share rows, ads.

A summary must never quote it, whatever case the text is in. Pure functions.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# Phrases that mark the whole sentence as furniture wherever they occur. The regex is
# slow on long text, so it runs only when one of the cheap literal triggers is present.
_TRIGGERS = (
    "newsletter", "subscribe", "here", "reserved", "copyright", "©", "cookie", "this site",
    "our site", "website", "scroll down", "follow us", "share", "related", "recommended",
    "this story", "this article",
)  # fmt: skip
_ANYWHERE = re.compile(
    r"sign(?:ing)?[ -]?up (?:for|to) (?:our|the|my)\b.*\bnewsletters?"
    r"|subscribe (?:to|for) (?:our|the)\b"
    r"|\bnewsletter sign[ -]?up"
    r"|\bclick here\b|\btap here\b"
    r"|\ball rights reserved\b|\bcopyright\s*(?:©|\(c\)|\d{4})|©"
    r"|\bwe use cookies\b|\bcookie (?:policy|settings|preferences|notice|consent)\b"
    r"|\baccept (?:all )?cookies\b|\bby (?:continuing to use|using) (?:this|our) (?:site|website)"
    r"|\bscroll down for (?:video|more)\b"
    r"|\bfollow us on\b|\bshare (?:this|the) (?:article|story|page)\b"
    r"|\bshare on (?:facebook|twitter|x|linkedin|whatsapp)\b"
    r"|\b(?:related|recommended) (?:articles|stories|reading)\b"
    r"|\bmore on this story\b|\blisten to this article\b"
    r"|\bthis (?:article|story) (?:was|is) (?:originally |first )?(?:published|updated)\b"
    r"|\bterms of (?:use|service)\b.*\bprivacy\b",
    _I,
)
# Openings that mark furniture: "Read more", "Photo: ...", "Advertisement", timestamps.
_START = re.compile(
    r"^(?:read (?:more|also|next)\b|see also\b|watch:|listen:|related:"
    r"|(?:photo|photograph|image|picture|pictured|video|credit|source)s?\s*(?::|by\b|credit)"
    r"|(?:published|updated|last (?:updated|modified)|posted)\s*(?::|on\b|at\b|\d)"
    r"|story continues below|continue reading below"
    r"|\d{1,2}:\d{2}\s*(?:am|pm|gmt|bst|et|utc)?\b)",
    _I,
)
# Lines that are furniture only when they stand alone ("Advertisement revenue rose" is news).
_ALONE = re.compile(
    r"^(?:advertisement|advert|ad|sponsored(?: content| post)?|skip advert(?:isement)?)\s*[.:]?$",
    _I,
)
# Photo credits are short and end with the agency: "(AFP via Getty Images)", "/ Reuters".
_CREDIT = re.compile(
    r"(?:\b(?:getty images|shutterstock|alamy(?: stock photo)?)"
    r"|(?:/|\(|\bphoto:?|\bphotograph:?|\bcredit:?)\s*(?:reuters|ap|afp|epa|pa|getty|bloomberg)"
    r"(?: photo| images)?)\s*\)?\s*\.?$"
    r"|\bphoto(?:graph)?s? (?:by|courtesy of)\b",
    _I,
)
_CREDIT_MAX = 160
# "By Jane Doe", "By Jane Doe and John Roe, Technology Reporters".
_BYLINE = re.compile(
    r"^By\s+[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|and|&|de|van|von|der|la|da)){0,5}"
    r"\s*(?:[,|•·—–-].{0,60})?$"
)
# The same in lower-cased text: no capitals to go by, so only a short, unpunctuated line.
_LOWER_BYLINE = re.compile(r"^by\s+[a-z'’.-]+(?:\s+[a-z'’.&-]+){0,4}$")
_BYLINE_MAX = 90
# A row of share buttons: nothing but their labels.
_SHARE_WORD = (
    r"(?:share|tweet|email|e-mail|print|pin|save|comment|comments|whatsapp|facebook|twitter|"
    r"linkedin|reddit|messenger|copy link|x|this|article|story|on|via|\d+)"
)
_SHARE_ROW = re.compile(rf"^{_SHARE_WORD}(?:[\s|/•·,]+{_SHARE_WORD})*[\s.!]*$", _I)
_AGENCIES = r"reuters|ap|afp|cnn|bloomberg|upi|pa|dpa|xinhua|ians|pti|ani|bbc|ft|wsj|ansa|efe"
# "LONDON (Reuters) - ", "Washington (CNN)", "(AP) — ", "PARIS, Nov 3 (Reuters) -".
_AGENCY_DATELINE = re.compile(
    rf"^(?:[A-Z][\w.'’-]*(?:[ ,]+[A-Z0-9][\w.'’-]*){{0,4}}\s*)?"
    rf"\((?i:{_AGENCIES})\)\s*(?:[-–—]+\s*)?"
)
# The same in lower-cased text, where only the dash tells a dateline from prose.
_LOWER_DATELINE = re.compile(
    rf"^(?:[a-z][\w.'’-]*(?:[ ,]+[\w.'’-]+){{0,3}}\s*)?\((?:{_AGENCIES})\)\s*[-–—]+\s*"
)
# "WASHINGTON — " (a capitalised place then a dash), normal-case text only.
_CITY_DATELINE = re.compile(r"^[A-Z]{2}[A-Z .,'’-]{2,40}?\s+[-–—]{1,2}\s+")
# A subheading run into its paragraph: "BALL OF THE CENTURY Benaud was on hand ...".
_SUBHEADING = re.compile(r"^(?:[A-Z][A-Z0-9'’&:-]+\s+){2,}(?=[A-Z][a-z])")
# A list marker: the item is kept, the bullet is not.
_BULLET = re.compile(r"^(?:[•·▪◦‣*–—-]|\d{1,2}[.)])\s+")
# "Scroll down for video" or "Advertisement" run into the next sentence (which has a capital).
_LEAD_STUB = re.compile(
    r"^(?:scroll down for (?:video|more)|advertisement(?=\s+(?-i:[A-Z\"“‘'])))\s*[:.-]?\s+", _I
)


def is_boilerplate(sentence: str) -> bool:
    """True when the sentence is page furniture rather than news."""
    text = sentence.strip()
    if not text:
        return True
    low = text.lower()
    if any(t in low for t in _TRIGGERS) and _ANYWHERE.search(text):
        return True
    if _START.search(text) or _ALONE.match(text) or _SHARE_ROW.match(text):
        return True
    if len(text) <= _CREDIT_MAX and _CREDIT.search(text):
        return True
    if len(text) > _BYLINE_MAX:
        return False
    return _BYLINE.match(text) is not None or _LOWER_BYLINE.match(text) is not None


def strip_stub(sentence: str) -> str:
    """Remove a leading list marker, dateline ("LONDON (Reuters) -"), stub or subheading."""
    text = sentence
    for pattern in (_BULLET, _LEAD_STUB, _AGENCY_DATELINE, _LOWER_DATELINE, _CITY_DATELINE):
        text = pattern.sub("", text, count=1)
    heading = _SUBHEADING.match(text)
    # Two capitalised acronyms ("US GDP Growth ...") are prose; a subheading has words.
    if heading and sum(len(w) >= 4 for w in heading.group().split()) >= 1 and heading.end() >= 10:
        text = text[heading.end() :]
    return text.strip()
