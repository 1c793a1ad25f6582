"""Vietnamese-aware search over the catalogue, served from memory.

Text is folded (lower case, diacritics removed, đ as d, y as i so "đăng kí" meets "đăng ký"), the last
word of a query matches as a prefix (type-ahead), colloquial phrases are expanded to official ones
(synonyms.py), and results are ranked: whole-name and name-prefix matches first, then words found in
the name (weighted by rarity), then in keywords, field and description; shorter names break ties.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from math import log
from typing import Any

from services.catalog.logic.synonyms import SYNONYMS
from services.core.text import strip_diacritics

_TOKEN = re.compile(r"[a-z0-9]+")
# Above this many candidates a query is too broad for per-procedure scoring to change much; those are
# listed name-prefix matches first, then alphabetically, reading only as far as the page needs.
BROAD = 800
MAX_PREFIX_EXPANSION = 400


def fold(text: str) -> str:
    return strip_diacritics(text.lower()).replace("y", "i")


def words(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


_FOLDED_SYNONYMS = sorted(
    ((" ".join(words(k)), " ".join(words(v))) for k, v in SYNONYMS.items()), key=lambda kv: -len(kv[0])
)


@lru_cache(maxsize=4096)
def _shared_words(text: str) -> frozenset[str]:
    """Field and agency names repeat across thousands of procedures: fold each once."""
    return frozenset(words(text))


def expand(query_words: Sequence[str]) -> list[list[str]]:
    """The query as typed, then with each colloquial phrase in it replaced by its official phrase."""
    variants = [list(query_words)]
    padded = f" {' '.join(query_words)} "
    replaced = padded
    for colloquial, official in _FOLDED_SYNONYMS:
        needle = f" {colloquial} "
        if needle in replaced:
            replaced = replaced.replace(needle, f" {official} ")
    if replaced != padded:
        variants.append(replaced.split())
    return variants


@dataclass(frozen=True)
class Filters:
    level: int | None = None
    agency: str | None = None
    field: str | None = None
    tier: str | None = None


@dataclass(frozen=True)
class SearchResult:
    ids: list[int]
    total: int


class CatalogIndex:
    """An inverted index over procedure summaries. Built once per container; read-only afterwards."""

    def __init__(self, records: Iterable[Mapping[str, Any]]):
        self.docs: list[dict[str, Any]] = []
        self.by_code: dict[str, int] = {}
        self._name: list[str] = []
        self._name_words: list[frozenset[str]] = []
        self._postings: dict[str, set[int]] = {}
        self._first_word: dict[str, set[int]] = {}
        self._name_postings: dict[str, set[int]] = {}
        self._facets: dict[str, dict[Any, set[int]]] = {"level": {}, "agency": {}, "field": {}, "tier": {}}
        self._labels: dict[str, dict[str, Any]] = {"agency": {}, "field": {}}
        self._unions: dict[tuple[frozenset[str], int], set[int]] = {}
        self._doc_words: list[frozenset[str]] = []
        self._short_prefixes: dict[str, set[int]] = {}
        for record in records:
            self._add(record)
        n = max(len(self.docs), 1)
        self._idf = {w: log(1 + n / len(ids)) for w, ids in self._postings.items()}
        self._vocabulary = sorted(self._postings)
        self.order = sorted(range(len(self.docs)), key=lambda i: (self._name[i], self.docs[i]["code"]))
        self._rank = {doc: pos for pos, doc in enumerate(self.order)}
        self._ordered_names = [self._name[doc] for doc in self.order]

    def _add(self, record: Mapping[str, Any]) -> None:
        doc = len(self.docs)
        summary = {
            k: record[k]
            for k in ("code", "name", "level", "field", "agency", "tier", "processing_days", "fee_vnd")
        }
        self.docs.append(summary)
        self.by_code[summary["code"]] = doc
        name_words = words(summary["name"])
        self._name.append(" ".join(name_words))
        self._name_words.append(frozenset(name_words))
        if name_words:
            self._first_word.setdefault(name_words[0], set()).add(doc)
        for word in set(name_words):
            self._name_postings.setdefault(word, set()).add(doc)
        own = " ".join([summary["code"], " ".join(record.get("keywords", [])), record.get("description", "")])
        every = (
            frozenset(name_words)
            | frozenset(words(own))
            | _shared_words(summary["field"]["name"])
            | _shared_words(summary["agency"]["name"])
            | {fold(summary["code"])}
        )
        self._doc_words.append(every)
        for word in every:
            self._postings.setdefault(word, set()).add(doc)
        for short in {w[:n] for w in every for n in (1, 2)}:
            self._short_prefixes.setdefault(short, set()).add(doc)
        self._facets["level"].setdefault(summary["level"], set()).add(doc)
        self._facets["tier"].setdefault(summary["tier"], set()).add(doc)
        for facet in ("agency", "field"):
            ref = summary[facet]
            self._facets[facet].setdefault(ref["code"], set()).add(doc)
            label = {"code": ref["code"], "name": ref["name"]}
            if facet == "agency":
                label["tier"] = summary["tier"]
            self._labels[facet].setdefault(ref["code"], label)

    def __len__(self) -> int:
        return len(self.docs)

    # -- querying ----------------------------------------------------------------------------------

    def _filtered(self, filters: Filters) -> set[int] | None:
        chosen = [
            self._facets[name].get(value, set())
            for name, value in (
                ("level", filters.level),
                ("agency", filters.agency),
                ("field", filters.field),
                ("tier", filters.tier),
            )
            if value is not None
        ]
        if not chosen:
            return None
        chosen.sort(key=len)
        return set.intersection(*chosen) if len(chosen) > 1 else set(chosen[0])

    def _prefix(self, word: str) -> list[str]:
        start = bisect.bisect_left(self._vocabulary, word)
        found = []
        for candidate in self._vocabulary[start : start + MAX_PREFIX_EXPANSION]:
            if not candidate.startswith(word):
                break
            found.append(candidate)
        return found

    def _union(self, forms: frozenset[str], postings: dict[str, set[int]]) -> set[int]:
        """Procedures containing any of the forms; cached, since type-ahead asks for the same prefixes."""
        key = (forms, id(postings))
        found = self._unions.get(key)
        if found is None:
            found = (
                set().union(*(postings.get(f, set()) for f in forms))
                if len(forms) > 1
                else set(postings.get(next(iter(forms)), set()) if forms else set())
            )
            if len(self._unions) >= 512:
                self._unions.pop(next(iter(self._unions)))  # the oldest
            self._unions[key] = found
        return found

    def _prefix_docs(self, word: str, forms: frozenset[str]) -> set[int]:
        """Procedures with a word starting with `word`: precomputed for one and two letters."""
        short = self._short_prefixes.get(word) if len(word) <= 2 else None
        return short if short is not None else self._union(forms, self._postings)

    def _word_docs(self, word: str, as_prefix: bool) -> tuple[set[int], frozenset[str]]:
        exact = self._postings.get(word)
        if exact is not None and not as_prefix:
            return exact, frozenset((word,))
        expansions = self._prefix(word) if (as_prefix or exact is None) else [word]
        if not expansions:
            return set(), frozenset()
        forms = frozenset(expansions)
        return self._union(forms, self._postings), forms

    def search(self, query: str, filters: Filters, offset: int, limit: int) -> SearchResult:
        allowed = self._filtered(filters)
        query_words = words(query)
        if not query_words:
            ids = self.order if allowed is None else [d for d in self.order if d in allowed]
            return SearchResult(ids[offset : offset + limit], len(ids))
        typing = not query.endswith(" ")
        best: dict[int, float] = {}
        broad: tuple[set[int], str] | None = None
        for variant in expand(query_words):
            matched = self._match(variant, typing, allowed)
            if matched is None:
                continue
            candidates, expansions = matched
            if len(candidates) > BROAD:
                if broad is None or len(candidates) > len(broad[0]):
                    broad = (candidates, " ".join(variant))
                continue
            for doc, score in self._scores(candidates, expansions, " ".join(variant)).items():
                if score > best.get(doc, -1e9):
                    best[doc] = score
        code_hit = self.by_code.get(query.strip())
        if code_hit is not None and (allowed is None or code_hit in allowed):
            best[code_hit] = 1e6
        if broad is not None:
            return self._broad(broad[0] | best.keys(), broad[1], best, offset, limit)
        rank = self._rank
        page = heapq.nsmallest(offset + limit, best, key=lambda d: (-best[d], rank[d]))
        return SearchResult(page[offset : offset + limit], len(best))

    def _match(
        self, variant: Sequence[str], typing: bool, allowed: set[int] | None
    ) -> tuple[set[int], list[frozenset[str]]] | None:
        last = len(variant) - 1
        exact: list[set[int]] = []
        expansions: list[frozenset[str]] = []
        prefix: frozenset[str] | None = None
        for position, word in enumerate(variant):
            if typing and position == last:
                prefix = frozenset(self._prefix(word))
                expansions.append(prefix)
            else:
                docs, forms = self._word_docs(word, as_prefix=False)
                exact.append(docs)
                expansions.append(forms)
        if allowed is not None:
            exact.append(allowed)
        if exact:
            ordered = sorted(exact, key=len)
            candidates = set(ordered[0]).intersection(*ordered[1:]) if ordered[0] else set()
            if prefix is not None:
                # the word being typed narrows what the other words found: intersect with its
                # completions' postings when they are few or precomputed, else ask each candidate
                if len(variant[last]) <= 2 or len(prefix) <= 40 or len(candidates) > BROAD * 3:
                    candidates &= self._prefix_docs(variant[last], prefix)
                else:
                    words_of = self._doc_words
                    candidates = {d for d in candidates if not words_of[d].isdisjoint(prefix)}
        else:
            candidates = set(self._prefix_docs(variant[last], prefix or frozenset()))
        sets = [*exact[: len(exact) - (allowed is not None)]]
        if prefix is not None:
            sets.append(self._prefix_docs(variant[last], prefix) if not candidates else set())
        if candidates:
            return candidates, expansions
        # nothing has every word: accept procedures with all words but one (a typo, an extra word)
        if len(variant) < 3:
            return None
        counts: dict[int, int] = {}
        for docs in sets:
            if len(docs) > BROAD * 4:
                continue
            for doc in docs:
                counts[doc] = counts.get(doc, 0) + 1
        need = len(variant) - 1
        loose = {d for d, c in counts.items() if c >= need and (allowed is None or d in allowed)}
        return (loose, expansions) if loose else None

    def _scores(
        self, candidates: set[int], expansions: Sequence[frozenset[str]], phrase: str
    ) -> dict[int, float]:
        """Every candidate's score, with set operations doing the per-procedure work.

        A word counts by its rarity (idf), three times when it is in the name; a name equal to the
        query, starting with it or containing it ranks first; shorter names break ties.
        """
        base = 0.0
        bonus: dict[int, float] = dict.fromkeys(candidates, 0.0)
        in_name: set[int] | None = None
        for forms in expansions:
            weight = max((self._idf.get(f, 0.0) for f in forms), default=0.0) if len(forms) < 8 else 1.0
            base += weight
            if len(forms) == 1:
                hits = candidates & self._name_postings.get(next(iter(forms)), set())
            else:  # a word being typed: many completions, so ask each candidate's name instead
                name_words = self._name_words
                hits = {d for d in candidates if not name_words[d].isdisjoint(forms)}
            for doc in hits:
                bonus[doc] += 2 * weight
            in_name = hits if in_name is None else in_name & hits
        names = self._name
        for doc in in_name or ():
            name = names[doc]
            if name == phrase:
                bonus[doc] += 40
            elif name.startswith(phrase):
                bonus[doc] += 20
            elif phrase in name:
                bonus[doc] += 10
        return {doc: base + extra - len(names[doc]) / 200 for doc, extra in bonus.items()}

    def _broad(
        self, candidates: set[int], phrase: str, best: dict[int, float], offset: int, limit: int
    ) -> SearchResult:
        """Too many matches to score each: names starting with the query first, then alphabetical.

        Names starting with the phrase are one contiguous block of the alphabetical order (found by
        bisection), so the page is read off in order, stopping as soon as it is full.
        """
        want = offset + limit
        picked = sorted((d for d in best if best[d] >= 1e6), key=lambda d: -best[d])
        taken = set(picked)
        lo = bisect.bisect_left(self._ordered_names, phrase)
        hi = bisect.bisect_left(self._ordered_names, phrase + "\uffff")
        for block in (self.order[lo:hi], self.order):
            for doc in block:
                if len(picked) >= want:
                    break
                if doc in candidates and doc not in taken:
                    picked.append(doc)
                    taken.add(doc)
        return SearchResult(picked[offset:want], len(candidates))

    # -- facets ------------------------------------------------------------------------------------

    def facets(self) -> dict[str, Any]:
        levels = {str(level): len(self._facets["level"].get(level, ())) for level in (1, 2, 3, 4)}
        fields = sorted(
            ({**self._labels["field"][c], "count": len(ids)} for c, ids in self._facets["field"].items()),
            key=lambda f: (-f["count"], f["name"]),
        )
        agencies = sorted(
            ({**self._labels["agency"][c], "count": len(ids)} for c, ids in self._facets["agency"].items()),
            key=lambda a: (-a["count"], a["name"]),
        )
        tiers = [{"code": t, "count": len(ids)} for t, ids in sorted(self._facets["tier"].items())]
        return {
            "levels": levels,
            "total": len(self.docs),
            "fields": fields,
            "agencies": agencies,
            "tiers": tiers,
        }
