"""The synergy finder: which projects of different municipalities resemble each other.

The worker computes (``similarities_compute``) and stores the results; pages only read them
(``similar_projects``, ``similarity_reason``).

How two projects are compared:

* Text: title (counted twice), tags (twice) and description are folded for German (lowercase,
  ä → ae, ß → ss, ...), stopwords are dropped and every word is lightly stemmed. Each word is
  then cut into character 3- to 5-grams with boundary markers, so that compounds meet their
  parts: "Breitbandausbau" shares most of its grams with "Ausbau Breitband". The grams are
  weighted by TF-IDF (sublinear tf, smooth idf) and every project's row is L2-normalised, so
  the text similarity of two projects is the cosine of their rows (``X @ X.T``).
* Theme fields: the Jaccard index of the two sets of Handlungsfelder.
* Score = ``TEXT_WEIGHT`` × text cosine + ``FIELD_WEIGHT`` × Jaccard.

Only projects of different owning municipalities are compared (partners do not matter).
"""

import functools
import hashlib
import logging
import math
import re
import time
import unicodedata
from collections import Counter

import numpy as np
from django.db import transaction
from django.utils.translation import gettext, ngettext
from scipy import sparse

from .models import Project, ProjectSimilarity, SynergyCandidate

logger = logging.getLogger(__name__)

# Text is what tells whether two projects do the same thing; the theme fields are chosen from
# only 13 and say "same area", so they only tip the balance between comparable texts.
TEXT_WEIGHT = 0.75
FIELD_WEIGHT = 0.25

# How many similar projects each project keeps.
TOP_K = 10

# The lowest score worth showing, from the hand-made projects of the tests: the true matches
# score 0.32-0.83; unrelated projects of the same theme field stay at or below 0.17 (e.g. public
# WLAN vs. broadband in the outskirts, both "Digitale Infrastruktur"). In between, at 0.27,
# "Parking-App für die Innenstadt" and "Freies WLAN in der Innenstadt" (same field and word
# Innenstadt) are kept as a weak, last hint. Without a shared theme field a pair needs a text
# cosine of at least 0.27.
MIN_SCORE = 0.2

# Theme fields raise the score of texts that resemble each other, but do not make a match on
# their own: with 13 fields, every project shares one with hundreds of others, and the lists
# would fill up with "same theme field" and nothing else. In the tests, the e-file of a
# building authority and the citizen service portals share only their field: score 0.28 from
# the field, text cosine 0.04. Unrelated texts there have cosines of 0-0.06.
MIN_TEXT_SCORE = 0.1

# Pairs at or above this score are joined into synergy candidates, which district staff
# review one by one, so higher than MIN_SCORE: in the tests the intended groups are joined by
# pairs of 0.315-0.83 (the weakest: WLAN Olfen-Havixbeck 0.315, broadband 0.35) while the weak
# hint at 0.27 above stays out.
SYNERGY_MIN_SCORE = 0.3
# Larger connected components are split (strongest pairs first), so that a chain of
# moderately similar projects cannot swallow a whole theme field into one candidate.
SYNERGY_MAX_PROJECTS = 8

# The reason says "similar description" from this text cosine on, and "similar title" when
# the titles alone reach TITLE_REASON_MIN (see title_similarity): titles that share one word
# of three score 0.33 ("Öffentliches WLAN am Marktplatz" / "Freies WLAN in der Innenstadt"),
# "Breitbandausbau in den Außenbereichen" / "Ausbau Breitband für Gewerbegebiete" 0.52.
DESCRIPTION_REASON_MIN = 0.3
TITLE_REASON_MIN = 0.4

# Weights of the parts of a project's text (as repetitions of its words).
TITLE_WEIGHT = 2
TAG_WEIGHT = 2
DESCRIPTION_WEIGHT = 1

NGRAM_SIZES = (3, 4, 5)
# Grams in at least this share of the projects are multiplied as a dense array (at most
# DENSE_GRAMS_MAX of them), see _Cosines; blocks of rows hold about BLOCK_CELLS scores.
DENSE_GRAM_SHARE = 0.05
DENSE_GRAMS_MAX = 4000
BLOCK_CELLS = 1_000_000
MIN_TOKEN_LENGTH = 2

# A compact list of German (and a few English) function words, in folded spelling.
_STOPWORD_TEXT = """
    aber alle allen aller alles als also am an auch auf aus bei beim bis da damit dann das dass
    dem den der des die dies diese diesem diesen dieser dieses doch durch ein eine einem einen
    einer eines er es fuer gegen hat ihr ihre im in ins ist jede jeden jeder jedes kann kein
    keine koennen mit nach neben nicht noch nur ob oder ohne sein seine sich sie sind so soll
    sollen sowie ueber um und uns unter vom von vor wann was werden wie wir wird wo wurde zu zum
    zur zwischen
    a an and are as at be by for from in is it of on or the to with
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Every project in the portal is a digital project: these stems say nothing about what it does.
DOMAIN_STOPWORDS = frozenset({"digital", "projekt"})

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NON_WORD = re.compile(r"[^a-z0-9]+")
# After folding, plural umlauts (Platz/Plätze, Stadt/Städte) differ by an "e"; the stemmer
# drops it so that both forms share their grams.
_UMLAUT_E = re.compile(r"(?<=[aou])e")


# --- Text --------------------------------------------------------------------------------------


def normalise(text: str) -> list[str]:
    """Fold a German text to lowercase ASCII words without stopwords and very short words."""
    text = text.lower().translate(_FOLD)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return [
        word
        for word in _NON_WORD.split(text)
        if len(word) >= MIN_TOKEN_LENGTH and word not in STOPWORDS and not word.isdigit()
    ]


@functools.lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """A light German stemmer after Savoy's (as in Lucene's GermanLightStemmer): plural
    umlauts and inflection endings go, in at most two steps.

    Deliberately weak (no derivational suffixes like -ung): the character n-grams catch the
    rest, and an aggressive stemmer merges words that mean different things."""
    if len(word) > 3:
        word = _UMLAUT_E.sub("", word)
    if len(word) > 7 and word.endswith("innen"):  # Bürgerinnen -> Bürger
        word = word[:-5]
    if len(word) > 5 and word[-2:] in ("em", "en", "er", "es"):
        word = word[:-2]
    elif len(word) > 4 and word[-1] == "e":
        word = word[:-1]
    elif len(word) > 3 and word[-1] == "s" and word[-2] in "bdfghklmnprt":
        word = word[:-1]  # not after s or a vowel: Glasfaser, kostenlos
    if len(word) > 5 and word[-2:] in ("en", "er"):
        word = word[:-2]
    return word


def text_tokens(text: str) -> list[str]:
    """The stemmed words of a text that take part in the comparison."""
    stems = (stem(word) for word in normalise(text))
    return [word for word in stems if word not in DOMAIN_STOPWORDS]


@functools.lru_cache(maxsize=50_000)
def _word_grams(word: str) -> dict[str, float]:
    """The character n-grams of a word with boundary markers, as a vector of unit length, so
    that a long word does not outweigh a short one just by having more grams ("innenstadt"
    has 21, "wlan" 9)."""
    marked = f"<{word}>"
    counts = Counter(marked[i : i + n] for n in NGRAM_SIZES for i in range(len(marked) - n + 1))
    length = math.sqrt(sum(count * count for count in counts.values()))
    return {gram: count / length for gram, count in counts.items()}


def tfidf_matrix(documents: list[Counter]) -> sparse.csr_matrix:
    """Rows of L2-normalised TF-IDF weights of character n-grams, one row per document.

    ``documents`` hold weighted word counts (``text_tokens`` counted, title words twice, ...).
    A word's weight is sublinear in its count (1 + ln count) and spread over its grams
    (``_word_grams``). Words are cut into grams once per distinct word; the document × gram
    weights come from one sparse product (documents × words) @ (words × grams), so the cost
    grows with the vocabulary, not with the length of the texts.
    """
    words: dict[str, int] = {}
    doc_rows, doc_cols, doc_vals = [], [], []
    for row, counts in enumerate(documents):
        for word, count in counts.items():
            doc_rows.append(row)
            doc_cols.append(words.setdefault(word, len(words)))
            doc_vals.append(count)
    grams: dict[str, int] = {}
    gram_rows, gram_cols, gram_vals = [], [], []
    for word, index in words.items():
        for gram, weight in _word_grams(word).items():
            gram_rows.append(index)
            gram_cols.append(grams.setdefault(gram, len(grams)))
            gram_vals.append(weight)
    n_docs = len(documents)
    word_weights = 1.0 + np.log(np.asarray(doc_vals, dtype=np.float64))  # sublinear tf
    word_matrix = sparse.csr_matrix(
        (word_weights, (doc_rows, doc_cols)), shape=(n_docs, len(words))
    )
    gram_matrix = sparse.csr_matrix(
        (np.asarray(gram_vals, dtype=np.float64), (gram_rows, gram_cols)),
        shape=(len(words), len(grams)),
    )
    matrix = (word_matrix @ gram_matrix).tocsr()
    matrix.sum_duplicates()
    document_frequency = np.bincount(matrix.indices, minlength=len(grams))
    idf = np.log((1.0 + n_docs) / (1.0 + document_frequency)) + 1.0  # smooth idf
    matrix.data *= idf[matrix.indices]
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return (sparse.diags(1.0 / norms) @ matrix).tocsr()


class _Cosines:
    """Cosines of all rows of an L2-normalised matrix, computed block of rows by block.

    A sparse product costs the sum over grams of (documents with the gram)²: grams like "ung>"
    occur in most projects, and for 2,400 projects that took 6.5 s. Those frequent grams go
    into a dense float32 array multiplied by BLAS, the rest stays sparse; grams of one
    document only are dropped, as they add nothing to any product. Same result, ~20× faster.
    """

    def __init__(self, matrix: sparse.csr_matrix):
        n = matrix.shape[0]
        frequency = np.bincount(matrix.indices, minlength=matrix.shape[1])
        frequent = frequency >= max(2, DENSE_GRAM_SHARE * n)
        if frequent.sum() > DENSE_GRAMS_MAX:  # bound the memory of the dense part
            frequent &= frequency >= np.sort(frequency)[-DENSE_GRAMS_MAX]
        rare = (frequency >= 2) & ~frequent
        self.dense = matrix[:, np.flatnonzero(frequent)].toarray().astype(np.float32)
        self.sparse = matrix[:, np.flatnonzero(rare)].tocsr()
        self.sparse_t = self.sparse.T.tocsr()
        self.n = n
        self.block = max(1, BLOCK_CELLS // max(n, 1))

    def blocks(self):
        """Yield ``(start, stop, cosines)``, cosines a dense (stop - start) × n array."""
        for start in range(0, self.n, self.block):
            stop = min(start + self.block, self.n)
            cosines = (self.sparse[start:stop] @ self.sparse_t).toarray()
            cosines += self.dense[start:stop] @ self.dense.T
            yield start, stop, cosines


def text_similarity_matrix(texts: list[str], *, top_k: int | None = None) -> sparse.csr_matrix:
    """Cosine similarities of the texts as a sparse n × n matrix (``X @ X.T`` of the TF-IDF
    rows). With ``top_k``, every row keeps only its ``top_k`` most similar other texts, which
    keeps the result small for thousands of texts."""
    cosines = _Cosines(tfidf_matrix([Counter(text_tokens(text)) for text in texts]))
    parts = []
    for start, stop, block in cosines.blocks():
        if top_k is not None:
            block[np.arange(stop - start), np.arange(start, stop)] = 0.0  # not itself
            k = min(top_k, cosines.n)
            columns = np.argpartition(-block, k - 1, axis=1)[:, :k]
            kept = np.zeros_like(block)
            np.put_along_axis(kept, columns, np.take_along_axis(block, columns, 1), 1)
            block = kept
        block[np.abs(block) < 1e-9] = 0.0
        parts.append(sparse.csr_matrix(block))
    if not parts:
        return sparse.csr_matrix((0, 0))
    return sparse.vstack(parts).tocsr()


def title_similarity(first: str, second: str) -> float:
    """Cosine of the gram vectors of two titles, every word with the same weight (no IDF: it
    needs no other projects, so the pages can compute it for a stored pair)."""
    vectors = []
    for title in (first, second):
        vector = Counter()
        for word in set(text_tokens(title)):
            for gram, weight in _word_grams(word).items():
                vector[gram] += weight
        vectors.append(vector)
    a, b = vectors
    dot = sum(weight * b[gram] for gram, weight in a.items())
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def _project_words(title: str, description: str, tags: str) -> Counter:
    """The weighted words of a project: title and tags count twice."""
    counts = Counter()
    for token in text_tokens(title):
        counts[token] += TITLE_WEIGHT
    for token in text_tokens(tags.replace(",", " ")):
        counts[token] += TAG_WEIGHT
    for token in text_tokens(description):
        counts[token] += DESCRIPTION_WEIGHT
    return counts


# --- Scores ------------------------------------------------------------------------------------


def _top_matches(text_matrix, field_matrix, municipalities):
    """For every project the TOP_K best projects of other municipalities with a score of at
    least MIN_SCORE, as arrays (row, column, score, text score).

    Works on blocks of rows, each a dense block × n array, so memory stays bounded and no
    Python loop runs over pairs."""
    n = text_matrix.shape[0]
    field_all = field_matrix.T.tocsr()
    field_sizes = np.asarray(field_matrix.sum(axis=1), dtype=np.float64).ravel()
    k = min(TOP_K, n)
    found = ([], [], [], [])
    for start, stop, text in _Cosines(text_matrix).blocks():
        common = (field_matrix[start:stop] @ field_all).toarray()
        union = field_sizes[start:stop, None] + field_sizes[None, :] - common
        jaccard = np.divide(common, union, out=np.zeros_like(common), where=union > 0)
        score = TEXT_WEIGHT * text + FIELD_WEIGHT * jaccard
        # Projects of the same municipality (and the project itself) never match, and theme
        # fields alone do not make a match.
        score[municipalities[start:stop, None] == municipalities[None, :]] = -1.0
        score[text < MIN_TEXT_SCORE] = -1.0
        rows = np.repeat(np.arange(start, stop), k)
        columns = np.argpartition(-score, k - 1, axis=1)[:, :k].ravel()
        best = score[rows - start, columns]
        keep = best >= MIN_SCORE
        found[0].append(rows[keep])
        found[1].append(columns[keep])
        found[2].append(best[keep])
        found[3].append(text[rows[keep] - start, columns[keep]])
    if not found[0]:
        empty = np.empty(0)
        return empty.astype(int), empty.astype(int), empty, empty
    return tuple(np.concatenate(part) for part in found)


def _group_pair_scores(text_matrix, field_sets, municipalities, members):
    """Scores of all pairs of a group whose projects belong to different municipalities, as
    (score, a, b), from one small product of the group's rows."""
    texts = (text_matrix[members] @ text_matrix[members].T).toarray()
    scored = []
    for x, a in enumerate(members):
        for y in range(x + 1, len(members)):
            b = members[y]
            if municipalities[a] == municipalities[b]:
                continue
            union = field_sets[a] | field_sets[b]
            jaccard = len(field_sets[a] & field_sets[b]) / len(union) if union else 0.0
            scored.append((TEXT_WEIGHT * texts[x, y] + FIELD_WEIGHT * jaccard, a, b))
    return scored


def _shared_field_names(field_sets, field_names, i, j) -> str:
    shared = field_sets[i] & field_sets[j]
    names = ", ".join(name for field, name in field_names.items() if field in shared)
    max_length = ProjectSimilarity._meta.get_field("shared_fields").max_length
    if len(names) > max_length:
        names = names[: names.rfind(", ", 0, max_length - 1)]
    return names


# --- Synergy candidates ------------------------------------------------------------------------


def _synergy_groups(edges: list[tuple[float, int, int]]) -> list[list[int]]:
    """Connected components of the strong pairs (union-find), built strongest pair first and
    never beyond SYNERGY_MAX_PROJECTS: a pair that would make a group too large is skipped."""
    parent: dict[int, int] = {}
    size: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        size.setdefault(x, 1)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _score, a, b in sorted(edges, key=lambda e: (-e[0], e[1], e[2])):
        root_a, root_b = find(a), find(b)
        if root_a == root_b or size[root_a] + size[root_b] > SYNERGY_MAX_PROJECTS:
            continue
        if size[root_a] < size[root_b]:
            root_a, root_b = root_b, root_a
        parent[root_b] = root_a
        size[root_a] += size[root_b]
    groups: dict[int, list[int]] = {}
    for node in parent:
        groups.setdefault(find(node), []).append(node)
    return [sorted(group) for group in groups.values() if len(group) >= 2]


def synergy_key(project_ids: list[int]) -> str:
    """The stable key of a candidate: its sorted project ids, hashed if too long."""
    key = "-".join(str(pk) for pk in sorted(project_ids))
    if len(key) > 255:
        key = "sha256-" + hashlib.sha256(key.encode()).hexdigest()
    return key


def _candidates_store(groups: list[tuple[str, list[int], float, str]]) -> int:
    """Create or update candidates by key. Decisions and notes stay; undecided candidates that
    were not found again are deleted, decided ones are kept for the elaboration phase."""
    existing = {c.key: c for c in SynergyCandidate.objects.only("pk", "key", "decision")}
    found_keys = set()
    to_create, to_update, members = [], [], {}
    for key, project_ids, score, reason in groups:
        found_keys.add(key)
        candidate = existing.get(key)
        if candidate is None:
            candidate = SynergyCandidate(key=key, score=score, reason=reason)
            to_create.append(candidate)
            members[key] = project_ids
        else:
            # The key is the set of projects, so the members of a found candidate are the same.
            candidate.score, candidate.reason = score, reason
            to_update.append(candidate)
    stale = [
        c.pk
        for key, c in existing.items()
        if key not in found_keys and c.decision == SynergyCandidate.Decision.OPEN
    ]
    if stale:
        SynergyCandidate.objects.filter(pk__in=stale).delete()
    SynergyCandidate.objects.bulk_update(to_update, ["score", "reason"], batch_size=1000)
    # bulk_create sets the primary keys on PostgreSQL and SQLite (>= 3.35).
    SynergyCandidate.objects.bulk_create(to_create, batch_size=1000)
    through = SynergyCandidate.projects.through
    through.objects.bulk_create(
        [
            through(synergycandidate_id=candidate.pk, project_id=project_id)
            for candidate in to_create
            for project_id in members[candidate.key]
        ],
        batch_size=1000,
    )
    return len(groups)


# --- The computation ---------------------------------------------------------------------------


def _load_projects():
    """All active projects and their theme fields, in two queries."""
    rows = list(
        Project.objects.active()
        .order_by("pk")
        .values_list("pk", "municipality_id", "title", "description", "tags")
    )
    through = Project.theme_fields.through
    links = (
        through.objects.filter(project__retired_at__isnull=True)
        .order_by("themefield__position", "themefield__name", "project_id")
        .values_list("project_id", "themefield_id", "themefield__name")
    )
    field_names: dict[int, str] = {}  # in the order of the theme fields
    fields_of: dict[int, set[int]] = {}
    for project_id, field_id, name in links:
        field_names[field_id] = name
        fields_of.setdefault(project_id, set()).add(field_id)
    return rows, fields_of, field_names


def _field_matrix(field_sets: list[set[int]], field_names: dict[int, str]):
    column = {field: index for index, field in enumerate(field_names)}
    rows = [row for row, fields in enumerate(field_sets) for _ in fields]
    columns = [column[field] for fields in field_sets for field in fields]
    return sparse.csr_matrix(
        (np.ones(len(rows)), (rows, columns)), shape=(len(field_sets), len(column))
    )


def similarities_compute() -> dict:
    """Recompute the similar projects of every active project and the synergy candidates.

    Every project keeps its ``TOP_K`` best matches among the projects of other municipalities
    with a score of at least ``MIN_SCORE`` (and a text cosine of at least ``MIN_TEXT_SCORE``).
    A pair is stored in both directions as far as each side ranks it: a → b for every b among
    a's matches, b → a whenever a is among b's, both with the same score, so that the list of
    one project is one query on ``project`` and holds at most ``TOP_K`` rows. All rows are
    replaced in one transaction.

    Pairs scoring at least ``SYNERGY_MIN_SCORE`` are grouped (``_synergy_groups``) into
    ``SynergyCandidate`` rows: score = mean score of all cross-municipality pairs of the group,
    reason = the shared theme fields of its strongest pair (data, not prose). Candidates are
    updated by key, so decisions stay (``_candidates_store``).

    Returns ``{"projects": n, "pairs": distinct pairs stored, "candidates": c, "seconds": t}``.
    """
    started = time.perf_counter()
    rows, fields_of, field_names = _load_projects()
    ids = [row[0] for row in rows]
    field_sets = [fields_of.get(pk, set()) for pk in ids]

    pairs: dict[tuple[int, int], tuple[float, float]] = {}  # (i, j), i < j -> (score, text)
    ranked: list[tuple[int, int]] = []  # (project, other) in the order of the top lists
    groups = []
    if len(rows) >= 2:
        municipalities = np.array([row[1] for row in rows], dtype=np.int64)
        text_matrix = tfidf_matrix([_project_words(*row[2:]) for row in rows])
        found = _top_matches(text_matrix, _field_matrix(field_sets, field_names), municipalities)
        for i, j, score, text in zip(*(part.tolist() for part in found), strict=True):
            # The score of a pair is taken once, so both directions store the same number.
            pairs.setdefault((min(i, j), max(i, j)), (round(score, 4), round(text, 4)))
            ranked.append((i, j))
        edges = [(v[0], i, j) for (i, j), v in pairs.items() if v[0] >= SYNERGY_MIN_SCORE]
        for members in _synergy_groups(edges):
            scored = _group_pair_scores(text_matrix, field_sets, municipalities, members)
            best = max(scored)
            groups.append(
                (
                    synergy_key([ids[m] for m in members]),
                    [ids[m] for m in members],
                    round(sum(s[0] for s in scored) / len(scored), 4),
                    _shared_field_names(field_sets, field_names, best[1], best[2]),
                )
            )

    with transaction.atomic():
        # A project deleted while we computed would break the foreign keys; the deletion has
        # queued a run of its own, so leave it out here.
        alive = set(Project.objects.order_by().values_list("pk", flat=True))
        ProjectSimilarity.objects.all().delete()
        ProjectSimilarity.objects.bulk_create(
            [
                ProjectSimilarity(
                    project_id=ids[i],
                    other_id=ids[j],
                    score=pairs[min(i, j), max(i, j)][0],
                    text_score=pairs[min(i, j), max(i, j)][1],
                    shared_fields=_shared_field_names(field_sets, field_names, i, j),
                )
                for i, j in ranked
                if ids[i] in alive and ids[j] in alive
            ],
            batch_size=1000,
        )
        candidates = _candidates_store([g for g in groups if alive.issuperset(g[1])])
    seconds = round(time.perf_counter() - started, 3)
    logger.info(
        "similarities: %d projects, %d pairs, %d candidates in %.2f s",
        len(rows), len(pairs), candidates, seconds,
    )  # fmt: skip
    return {
        "projects": len(rows),
        "pairs": len(pairs),
        "candidates": candidates,
        "seconds": seconds,
    }


# --- Reading -----------------------------------------------------------------------------------


def similar_projects(project: Project, *, limit: int = TOP_K):
    """The stored similar projects of a project, best first, with their municipality (one
    query). Each item's ``project`` is the given project, so ``similarity_reason`` needs no
    further query."""
    return project.similarities.select_related("other", "other__municipality").order_by(
        "-score", "other__title", "other_id"
    )[:limit]


def similarity_reason(similarity: ProjectSimilarity) -> str:
    """Why two projects are similar, in the active language, built from the stored data, e.g.
    "same theme field Mobilität, similar description" ("gleiches Handlungsfeld Mobilität,
    ähnliche Beschreibung"). Needs ``similarity.project`` and ``similarity.other`` (both are
    loaded by ``similar_projects``)."""
    parts = []
    if similarity.shared_fields:
        count = len(similarity.shared_fields.split(", "))
        parts.append(
            ngettext("same theme field %(names)s", "same theme fields %(names)s", count)
            % {"names": similarity.shared_fields}
        )
    if title_similarity(similarity.project.title, similarity.other.title) >= TITLE_REASON_MIN:
        parts.append(gettext("similar title"))
    if similarity.text_score >= DESCRIPTION_REASON_MIN or not parts:
        parts.append(gettext("similar description"))
    return ", ".join(parts)
