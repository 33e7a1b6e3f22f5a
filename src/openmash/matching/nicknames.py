"""Forenames that name the same person: nicknames, short forms and spelling variants.

Each group is one set of names that may be written for the same child. Groups that share a
name (Alex is short for Alexander and Alexandra) are joined, so every name has exactly one
canonical form: the blocking key and the "same name, other form" comparison level use it.
The sex comparison keeps Alexander and Alexandra apart.

The list is the project's own (common English short forms and spelling variants seen in
children's records). It covers every variant the synthetic borough's generator uses as
noise, and a test checks that it keeps doing so.
"""

from __future__ import annotations

import re
from functools import cache

# fmt: off
GROUPS: tuple[tuple[str, ...], ...] = (
    ("william", "bill", "billy", "will", "willy", "wills"),
    ("robert", "rob", "robbie", "bob", "bobby", "bert"),
    ("elizabeth", "liz", "lizzie", "lizzy", "beth", "betty", "eliza", "libby", "elisabeth"),
    ("kayleigh", "kaylee", "kayley", "kayla", "kaileigh", "caleigh"),
    ("katherine", "kate", "katie", "kathryn", "catherine", "cathy", "kathy", "kat", "katy", "kitty"),
    ("alexander", "alex", "xander", "sandy", "alec", "alexandra", "lexi", "lexie", "alexa", "sasha"),
    ("benjamin", "ben", "benji", "benny"),
    ("daniel", "dan", "danny"),
    ("thomas", "tom", "tommy"),
    ("james", "jim", "jimmy", "jamie", "jimmie"),
    ("joseph", "joe", "joey", "jo"),
    ("samuel", "sam", "sammy", "samantha", "sammie"),
    ("matthew", "matt", "matty"),
    ("christopher", "chris", "kit", "christie"),
    ("jonathan", "jon", "jonny"),
    ("nicholas", "nick", "nicky", "nico"),
    ("michael", "mike", "mikey", "mick", "micky"),
    ("anthony", "tony", "ant", "antony"),
    ("jacob", "jake", "jakub", "kuba", "jakob"),
    ("oliver", "ollie", "olly", "olivier"),
    ("charlotte", "charlie", "lottie", "lotte", "charles", "chaz"),
    ("olivia", "liv", "livvy", "livia"),
    ("isabella", "bella", "izzy", "isabelle", "isabel", "izzie", "isobel", "issy"),
    ("jessica", "jess", "jessie"),
    ("rebecca", "becky", "becca", "bex"),
    ("victoria", "vicky", "vikki", "tori", "vicki"),
    ("abigail", "abbie", "abby", "abi", "gail"),
    ("amelia", "millie", "amy"),
    ("gabriella", "gabby", "gabrielle", "gabi", "ella"),
    ("jennifer", "jenny", "jen", "jenna"),
    ("frederick", "freddie", "fred", "freddy", "frederik"),
    ("edward", "eddie", "ted", "ed", "ned"),
    ("zachary", "zach", "zak", "zack", "zac"),
    ("joshua", "josh"),
    ("harrison", "harry", "harri"),
    ("mohammed", "muhammad", "mohammad", "mo", "mohamed", "muhammed", "mohamad", "mehmet"),
    ("aaliyah", "aliyah", "aliya", "aliyaa", "aleah"),
    ("sophie", "sophia", "sofia", "soph", "sofie"),
    ("zainab", "zaynab", "zeinab"),
    ("eleanor", "ellie", "nell", "nellie", "elly"),
    ("theodore", "theo", "teddy"),
    ("stanley", "stan"),
    ("callum", "calum", "cal"),
    ("leah", "lea", "leigh"),
    ("margaret", "maggie", "meg", "peggy"),
    ("patrick", "pat", "paddy"),
    ("richard", "rich", "richie", "rick", "ricky", "dick"),
    ("steven", "stephen", "steve", "stevie"),
    ("andrew", "andy", "drew"),
    ("david", "dave", "davey", "davy"),
    ("peter", "pete"),
    ("timothy", "tim", "timmy"),
    ("nathan", "nathaniel", "nate", "nat"),
    ("lewis", "louis", "lou"),
    ("louise", "louisa", "lou", "lulu"),
    ("emily", "em", "emmy"),
    ("hannah", "hanna"),
    ("madison", "maddie", "maddy", "madeleine", "madeline"),
    ("natasha", "tasha", "tash"),
    ("jasmine", "jas", "jazz", "yasmin", "yasmine", "jasmin"),
    ("kieran", "kyran", "ciaran"),
    ("connor", "conor"),
    ("aiden", "aidan", "ayden", "aden"),
    ("ethan", "eathan"),
    ("reuben", "ruben"),
    ("phoebe", "pheobe"),
    ("chloe", "cloe"),
    ("layla", "laila", "leila", "lyla"),
    ("freya", "freyja"),
    ("evelyn", "evie", "eve"),
    ("florence", "flo", "florrie"),
    ("penelope", "penny", "pippa"),
    ("archibald", "archie", "archer"),
    ("alfred", "alfie", "alf"),
)
# fmt: on

_NON_LETTERS = re.compile(r"[^a-z]")


def normalise_name(name: str | None) -> str:
    """Lower case, letters only: "O'Connor" and "oconnor" compare equal."""
    return _NON_LETTERS.sub("", (name or "").lower())


@cache
def canonical_forms() -> dict[str, str]:
    """name -> the canonical name of its (joined) group. Names in no group are absent."""
    parent: dict[str, str] = {}

    def find(name: str) -> str:
        while parent.setdefault(name, name) != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for group in GROUPS:
        head = find(group[0])
        for name in group[1:]:
            root = find(name)
            if root != head:
                parent[root] = head
    return {name: find(name) for name in parent}


def canonical(name: str | None) -> str:
    normal = normalise_name(name)
    return canonical_forms().get(normal, normal)
