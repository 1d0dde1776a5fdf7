"""Knowledge search quality and latency: the demo articles hidden among 10,000, asked the way residents ask.

Seeds a fresh, migrated SQLite database with the demo city (catalogue, staff, citizens and six months of cases,
which drive the popularity boost) and its 40 articles in English and French (80 live versions), then:

  baseline  every question of the benchmark (bench/search_questions.py, and the everyday phrasings of
            bench/search_questions_everyday.py) against the 80 demo articles alone
  quality   the same questions after synthetic filler articles (plausible city topics in both languages:
            recreation, libraries, parks, roadwork, planning ... at 200 invented neighbourhoods) bring the index
            to --articles live versions; recall@1, recall@3 and MRR (over the top 10), per language too, and how
            often the assistant would answer (top hit confidence >= assistant_confidence) right or wrong
  latency   `KnowledgeIndex.search` (limit 5) for every question, --rounds times, against a floor of `SELECT 1`
            in the same session (half before, half after), so the ratio is what search adds to one round trip

    .venv/bin/python bench/search_quality.py                  # well under a minute
    .venv/bin/python bench/search_quality.py --semantic       # also with knowledge_semantic on (needs the extra;
                                                              # embedding 10,000 articles on CPU takes minutes)
    .venv/bin/python bench/search_quality.py --json bench/results/search_quality.json

Prints a markdown table. Exit 1 if a question names an article that does not exist.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

# this script's directory is on sys.path
from search_judgments_blind import JUDGED_BLIND
from search_judgments_fresh import JUDGED
from search_questions import QUESTIONS
from search_questions_blind import BLIND
from search_questions_everyday import EVERYDAY
from search_questions_fresh import FRESH
from search_questions_heldout import HELD_OUT
from townsquare import migrations
from townsquare.agencies.models import Agency
from townsquare.clock import utcnow
from townsquare.content.knowledge import import_knowledge, load
from townsquare.db import Database, new_id
from townsquare.demo.city import KNOWLEDGE_DIR
from townsquare.demo.seed import seed
from townsquare.events import EventBus
from townsquare.knowledge import service as knowledge
from townsquare.knowledge.models import Article, ArticleVersion, VersionStatus
from townsquare.knowledge.search import KnowledgeIndex
from townsquare.knowledge.wording import fold
from townsquare.settings import Settings

TOP = 10  # MRR counts the expected article's rank within the first TOP hits
BENCHMARK: list[tuple[str, str, str | tuple[str, ...]]] = [*QUESTIONS, *EVERYDAY]  # what search is tuned on

# --------------------------------------------------------------------------------------------- filler articles

PLACE_STARTS: tuple[str, ...] = ("Oak", "Elm", "Cedar", "Pine", "Maple", "Birch", "Willow", "Ash", "Spruce", "Aspen")
PLACE_STARTS += ("Stone", "River", "Lake", "Bay", "Hill", "Glen", "Fox", "Deer", "Eagle", "Sun")
PLACE_ENDS = ("wood", "field", "view", "ridge", "dale", "brook", "haven", "crest", "vale", "side")
# (English title, French title, English keywords, French keywords, English sentence, French sentence)
TOPICS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("Swimming lessons at {p} Pool", "Cours de natation à la piscine {p}", "swim, pool, lessons, aquatics",
     "natation, piscine, cours", "Lessons for every age run in eight-week sessions at {p} Pool.",
     "Les cours pour tous les âges durent huit semaines à la piscine {p}."),
    ("Public skating at {p} Arena", "Patinage libre à l'aréna {p}", "skating, arena, ice, rink",
     "patinage, aréna, glace", "Public skating at {p} Arena is free on weekday afternoons.",
     "Le patinage libre à l'aréna {p} est gratuit les après-midi de semaine."),
    ("Renting the hall at {p} Community Centre", "Location de la salle du centre communautaire {p}",
     "hall rental, party room, event space", "location de salle, fête, événement",
     "The main hall at {p} Community Centre seats up to {n} people.",
     "La grande salle du centre communautaire {p} accueille jusqu'à {n} personnes."),
    ("Children's programs at {p} Library", "Activités pour enfants à la bibliothèque {p}",
     "library, storytime, kids, reading", "bibliothèque, heure du conte, enfants, lecture",
     "Storytime and reading clubs at the {p} branch are free and need no registration.",
     "L'heure du conte et les clubs de lecture de la succursale {p} sont gratuits et sans inscription."),
    ("Picnic shelter bookings in {p} Park", "Réservation d'abris à pique-nique au parc {p}",
     "picnic, shelter, park, booking", "pique-nique, abri, parc, réservation",
     "The picnic shelter in {p} Park can be booked for family gatherings from May to September.",
     "L'abri à pique-nique du parc {p} se réserve pour les réunions de famille de mai à septembre."),
    ("{p} splash pad season", "Jeux d'eau du parc {p}", "splash pad, water play, summer",
     "jeux d'eau, été, parc", "The {p} splash pad runs daily from June to Labour Day, 9 a.m. to 8 p.m.",
     "Les jeux d'eau de {p} fonctionnent tous les jours de juin à la fête du Travail, de 9 h à 20 h."),
    ("Off-leash dog area in {p} Park", "Aire d'exercice canin du parc {p}", "dog park, off leash, pets",
     "parc à chiens, chien sans laisse", "Dogs may run off leash inside the fenced area of {p} Park.",
     "Les chiens peuvent courir sans laisse dans l'enclos du parc {p}."),
    ("Sports field permits at {p} Fields", "Permis de terrains sportifs {p}", "soccer, baseball, field, permit",
     "soccer, baseball, terrain", "Leagues book the {p} Fields for the season by March 1.",
     "Les ligues réservent les terrains {p} pour la saison avant le 1er mars."),
    ("{p} Seniors' Centre membership", "Adhésion au centre des aînés {p}", "seniors centre, 55+, activities",
     "centre des aînés, 55 ans et plus, activités", "Membership at the {p} Seniors' Centre is ${n} a year.",
     "L'adhésion au centre des aînés {p} coûte {n} $ par année."),
    ("Tennis and pickleball courts in {p}", "Terrains de tennis et de pickleball à {p}",
     "tennis, pickleball, courts", "tennis, pickleball, terrains",
     "The {p} courts are first come, first served, with a one-hour limit when others wait.",
     "Les terrains de {p} sont libres d'accès, avec une limite d'une heure si d'autres attendent."),
    ("Community garden plots in {p}", "Jardinets communautaires à {p}", "community garden, plot, gardening",
     "jardin communautaire, jardinet, potager", "Garden plots in {p} are assigned each spring from a wait list.",
     "Les jardinets de {p} sont attribués chaque printemps à partir d'une liste d'attente."),
    ("Fitness classes at {p} Recreation Complex", "Cours de conditionnement physique au complexe {p}",
     "fitness, yoga, gym, classes", "conditionnement physique, yoga, gym, cours",
     "Drop-in yoga, spin and strength classes run seven days a week at {p}.",
     "Des cours de yoga, de vélo stationnaire et de musculation ont lieu tous les jours à {p}."),
    ("Road reconstruction in {p}", "Reconstruction de rues à {p}", "construction, detour, road work",
     "travaux, détour, chantier", "Streets in {p} are being rebuilt from May to October, with local detours.",
     "Des rues de {p} sont reconstruites de mai à octobre, avec des détours locaux."),
    ("Watermain replacement in {p}", "Remplacement de la conduite d'eau à {p}", "water main, water shut off",
     "conduite d'eau, coupure d'eau", "Homes in {p} may have short water shut-offs, announced 48 hours ahead.",
     "Des résidences de {p} peuvent subir de courtes coupures d'eau, annoncées 48 heures à l'avance."),
    ("{p} Farmers' Market", "Marché fermier de {p}", "market, local food, vendors",
     "marché, produits locaux, kiosques", "The {p} Farmers' Market opens Saturdays from 8 a.m., May to October.",
     "Le marché fermier de {p} ouvre le samedi dès 8 h, de mai à octobre."),
    ("Ward meeting for {p} residents", "Réunion de quartier pour les résidents de {p}",
     "councillor, ward meeting, town hall", "conseiller, réunion de quartier, assemblée",
     "The ward councillor meets {p} residents every second month at the community centre.",
     "Le conseiller du quartier rencontre les résidents de {p} tous les deux mois au centre communautaire."),
    ("Summer day camps in {p}", "Camps de jour d'été à {p}", "day camp, summer camp, kids",
     "camp de jour, camp d'été, enfants", "Day camps in {p} run weekly in July and August for ages 4 to 12.",
     "Les camps de jour de {p} ont lieu chaque semaine en juillet et en août pour les 4 à 12 ans."),
    ("{p} outdoor rink conditions", "État de la patinoire extérieure de {p}", "outdoor rink, skating, ice",
     "patinoire extérieure, patin, glace", "Volunteers flood the {p} outdoor rink when it is cold enough.",
     "Des bénévoles arrosent la patinoire extérieure de {p} quand il fait assez froid."),
    ("{p} cycling path closures", "Piste cyclable de {p} : fermetures", "bike path, cycling, detour",
     "piste cyclable, vélo, détour", "Sections of the {p} path close during repaving; detours are signed.",
     "Des tronçons de la piste de {p} ferment pendant le repavage; les détours sont indiqués."),
    ("Flood protection in {p}", "Protection contre les inondations à {p}", "flood, sandbags, spring melt",
     "inondation, sacs de sable, crue", "Sandbags are available to {p} residents during the spring melt.",
     "Des sacs de sable sont offerts aux résidents de {p} pendant la crue printanière."),
    ("Playground renewal in {p} Park", "Réaménagement de l'aire de jeux du parc {p}", "playground, park, kids",
     "aire de jeux, parc, enfants", "The playground in {p} Park is being replaced with accessible equipment.",
     "L'aire de jeux du parc {p} est remplacée par des équipements accessibles."),
    ("Heritage walking tour of {p}", "Visite patrimoniale à pied de {p}", "heritage, history, walking tour",
     "patrimoine, histoire, visite", "A free self-guided tour shows {n} heritage buildings in {p}.",
     "Une visite libre et gratuite présente {n} bâtiments patrimoniaux de {p}."),
    ("Study rooms at {p} Library", "Salles d'étude de la bibliothèque {p}", "study room, library, booking",
     "salle d'étude, bibliothèque, réservation", "Study rooms at the {p} branch can be booked for two hours.",
     "Les salles d'étude de la succursale {p} se réservent pour deux heures."),
    ("Cooling centre at {p}", "Centre de rafraîchissement à {p}", "heat warning, cooling centre",
     "chaleur extrême, centre de rafraîchissement", "During heat warnings, {p} Community Centre opens as a "
     "cooling centre.", "Pendant les avertissements de chaleur, le centre communautaire {p} devient un centre "
     "de rafraîchissement."),
    ("Beach water quality at {p}", "Qualité de l'eau de la plage {p}", "beach, swimming, water testing",
     "plage, baignade, qualité de l'eau", "The water at {p} Beach is tested daily from June to August.",
     "L'eau de la plage {p} est analysée tous les jours de juin à août."),
    ("Plots at {p} Cemetery", "Lots au cimetière {p}", "cemetery, burial, plot", "cimetière, inhumation, lot",
     "Burial plots and niches at {p} Cemetery can be bought ahead of need.",
     "Les lots et niches du cimetière {p} peuvent être achetés à l'avance."),
    ("Youth drop-in at {p} Community Centre", "Halte-accueil jeunesse au centre communautaire {p}",
     "youth, teens, drop-in", "jeunes, adolescents, halte-accueil",
     "Teens aged 12 to 17 can drop in at {p} after school, free.",
     "Les jeunes de 12 à 17 ans peuvent passer au centre {p} après l'école, gratuitement."),
    ("{p} Plaza redevelopment proposal", "Projet de réaménagement de la place {p}", "planning, development, zoning",
     "urbanisme, aménagement, zonage", "A proposal for {n} homes at {p} Plaza is open for comments.",
     "Un projet de {n} logements à la place {p} est ouvert aux commentaires."),
    ("Traffic calming in {p}", "Modération de la circulation à {p}", "speed humps, traffic calming, speeding",
     "dos d'âne, vitesse, circulation", "Speed humps are planned on {n} streets in {p} this summer.",
     "Des dos d'âne sont prévus dans {n} rues de {p} cet été."),
    ("{p} neighbourhood clean-up day", "Journée de nettoyage du quartier {p}", "clean up, litter, volunteers",
     "nettoyage, déchets sauvages, bénévoles", "Volunteers pick up litter in {p} on the last Saturday of April.",
     "Des bénévoles ramassent les déchets à {p} le dernier samedi d'avril."),
)  # fmt: skip

# Everyday sentences shared with the real articles' vocabulary (hours, fees, parking, payment, permits, holidays),
# so the filler competes for the same words instead of being trivially unrelated.
COMMON = {
    "en": (
        "Register online or in person at any community centre.",
        "Fees are reduced for low-income residents through the fee assistance program.",
        "The building is wheelchair accessible, with free parking for two hours.",
        "Hours change on statutory holidays; check before you go.",
        "Bring photo ID when you pick up your permit or pass.",
        "Pay by debit or credit card; cash is not accepted.",
        "Sign up for email or text reminders in your online account.",
        "Cancellations made 7 days ahead are refunded, less a $10 fee.",
    ),
    "fr": (
        "Inscrivez-vous en ligne ou en personne dans un centre communautaire.",
        "Les tarifs sont réduits pour les résidents à faible revenu grâce au programme d'aide.",
        "L'édifice est accessible en fauteuil roulant, avec stationnement gratuit pendant deux heures.",
        "Les heures changent les jours fériés; vérifiez avant de vous déplacer.",
        "Apportez une pièce d'identité avec photo pour récupérer votre permis ou laissez-passer.",
        "Payez par débit ou carte de crédit; l'argent comptant n'est pas accepté.",
        "Inscrivez-vous aux rappels par courriel ou texto dans votre compte en ligne.",
        "Les annulations faites 7 jours d'avance sont remboursées, moins des frais de 10 $.",
    ),
}


def slugify(title: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in fold(title)).split())[:100]


def filler(
    count: int, rng: random.Random, agency_ids: list[uuid.UUID]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`count` live article versions on distinct invented topics, as English/French pairs (one odd one in English)."""
    places = [s + e for s in PLACE_STARTS for e in PLACE_ENDS]
    combos = [(p, t) for p in places for t in range(len(TOPICS))]
    rng.shuffle(combos)
    groups = (count + 1) // 2
    if groups > len(combos):
        raise SystemExit(f"at most {2 * len(combos)} filler articles can be generated")
    now = utcnow()
    articles: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    for index, (place, topic) in enumerate(combos[:groups]):
        en_title, fr_title, en_kw, fr_kw, en_line, fr_line = TOPICS[topic]
        n = rng.randint(20, 400)
        group_id, agency_id = uuid.uuid4(), rng.choice(agency_ids)
        for language, title, kw, line in (("en", en_title, en_kw, en_line), ("fr", fr_title, fr_kw, fr_line)):
            if len(articles) == count:
                break
            title, line = title.format(p=place), line.format(p=place, n=n)
            more = "Details, fees and registration" if language == "en" else "Détails, tarifs et inscription"
            call = "Questions? Call" if language == "en" else "Questions? Appelez le"
            common = " ".join(rng.sample(COMMON[language], 2))
            body = f"{line} {common}\n\n## {more}\n- {place}\n- {call} 613-555-0{rng.randint(400, 999)}.\n"
            article_id = new_id()
            articles.append(
                {"id": article_id, "slug": f"{slugify(title)}-{index}", "language": language,
                 "group_id": group_id, "agency_id": agency_id, "archived": False, "created_at": now,
                 "updated_at": now}
            )  # fmt: skip
            versions.append(
                {"id": new_id(), "article_id": article_id, "number": 1, "status": VersionStatus.published,
                 "title": title, "summary": line, "body": body, "short_answer": line[:320], "voice_script": line,
                 "keywords": kw, "service_codes": [], "change_note": "benchmark filler", "created_at": now,
                 "updated_at": now, "published_at": now}
            )  # fmt: skip
    return articles, versions


# --------------------------------------------------------------------------------------------- measuring


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def quality(
    db: Database,
    index: KnowledgeIndex,
    slug_key: dict[str, str],
    threshold: float,
    questions: Sequence[tuple[str, str, str | tuple[str, ...]]] = BENCHMARK,
) -> dict[str, Any]:
    """Recall@1, recall@3 and MRR of the expected article (or any of the articles judged to answer the question)
    over every question; per language too."""
    ranks: list[tuple[str, int | None, float, bool]] = []  # language, rank, top confidence, top is right
    misses: list[dict[str, Any]] = []
    async with db.session(deferred=True) as session:
        for language, question, key in questions:
            hits = await index.search(session, question, language=language, limit=TOP)
            keys = [slug_key.get(h.slug) for h in hits]
            accepted = {key} if isinstance(key, str) else set(key)
            rank = next((i + 1 for i, k in enumerate(keys) if k in accepted), None)
            ranks.append((language, rank, hits[0].confidence if hits else 0.0, rank == 1))
            if rank != 1:
                misses.append({"question": question, "expected": key, "got": keys[:3], "rank": rank})

    def summary(rows: list[tuple[str, int | None, float, bool]]) -> dict[str, float]:
        n = len(rows) or 1
        return {
            "questions": len(rows),
            "recall_at_1": sum(1 for _, r, _, _ in rows if r == 1) / n,
            "recall_at_3": sum(1 for _, r, _, _ in rows if r is not None and r <= 3) / n,
            "mrr": sum(1 / r for _, r, _, _ in rows if r is not None) / n,
            "answered_right": sum(1 for _, _, c, ok in rows if ok and c >= threshold) / n,
            "answered_wrong": sum(1 for _, _, c, ok in rows if not ok and c >= threshold) / n,
        }

    return {
        "all": summary(ranks),
        "en": summary([r for r in ranks if r[0] == "en"]),
        "fr": summary([r for r in ranks if r[0] == "fr"]),
        "misses": misses,
    }


async def ask_all(
    db: Database,
    index: KnowledgeIndex,
    slug_key: dict[str, str],
    threshold: float,
    others: dict[str, Sequence[tuple[str, str, str | tuple[str, ...]]]],
) -> dict[str, Any]:
    """The benchmark's quality, with each other set's under its name."""
    result = await quality(db, index, slug_key, threshold)
    for name, questions in others.items():
        result[name] = await quality(db, index, slug_key, threshold, questions)
    return result


async def latency(db: Database, index: KnowledgeIndex, rounds: int) -> dict[str, Any]:
    """Search time per question (limit 5) against `SELECT 1` in the same session, in milliseconds."""
    searches: list[float] = []
    floor: list[float] = []

    async def select_one(session: AsyncSession, times: int) -> None:
        for _ in range(times):
            started = time.perf_counter()
            await session.execute(text("SELECT 1"))
            floor.append((time.perf_counter() - started) * 1000)

    async with db.session(deferred=True) as session:
        await index.search(session, "warm up", language="en")
        total = rounds * len(QUESTIONS)
        await select_one(session, total // 2)
        for _ in range(rounds):
            for language, question, _ in QUESTIONS:
                started = time.perf_counter()
                await index.search(session, question, language=language, limit=5)
                searches.append((time.perf_counter() - started) * 1000)
        await select_one(session, total - total // 2)
    return {
        "searches": len(searches),
        "search_ms_p50": statistics.median(searches),
        "search_ms_p99": pct(searches, 0.99),
        "floor_ms_p50": statistics.median(floor),
        "floor_ms_p99": pct(floor, 0.99),
        "p50_over_floor": statistics.median(searches) / statistics.median(floor),
        "p99_over_floor": pct(searches, 0.99) / pct(floor, 0.99),
    }


def semantic_status() -> tuple[bool, str]:
    """Whether the optional semantic search can run here (its module imports and its model loads), and why not."""
    try:
        module = importlib.import_module("townsquare.knowledge.semantic")
        module.shared_embedder()
    except Exception as exc:  # any failure to load means "not installed here", which is what we report
        return False, f"not available: {type(exc).__name__}: {exc}"
    return True, "installed"


async def run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    await asyncio.to_thread(migrations.upgrade, url)
    db = Database(url, EventBus())
    settings = Settings(env="test", database_url=url)
    result: dict[str, Any] = {}
    try:
        started = time.perf_counter()
        await seed(db, citizens=args.citizens, rng_seed=args.seed)
        async with db.session() as session:
            await import_knowledge(session, KNOWLEDGE_DIR)  # already there: changes nothing
            await session.commit()
            lives = await knowledge.live_all(session)
            agency_ids = list((await session.execute(select(Agency.id).order_by(Agency.slug))).scalars())
        result["seed_seconds"] = time.perf_counter() - started
        slug_key = {a.meta.slug: a.meta.group or a.meta.slug for a in load(KNOWLEDGE_DIR)}
        unknown = sorted({key for _, _, key in [*BENCHMARK, *HELD_OUT]} - set(slug_key.values()))
        unknown += sorted({slug for _, _, slug in FRESH} - set(slug_key))
        unknown += sorted({slug for slugs in JUDGED.values() for slug in slugs} - set(slug_key))
        unknown += sorted({question for _, question, _ in FRESH} ^ set(JUDGED))
        unknown += sorted({slug for slugs in JUDGED_BLIND.values() for slug in slugs} - set(slug_key))
        unknown += sorted({question for _, question, _ in BLIND} ^ set(JUDGED_BLIND))
        if unknown:
            raise SystemExit(f"questions name articles that do not exist, or are judged without being asked: {unknown}")
        fresh = [(language, question, tuple(slug_key[s] for s in JUDGED[question])) for language, question, _ in FRESH]
        threshold = settings.assistant_confidence
        blind = [
            (language, question, tuple(slug_key[s] for s in JUDGED_BLIND[question])) for language, question, _ in BLIND
        ]
        others: dict[str, Sequence[tuple[str, str, str | tuple[str, ...]]]] = {
            "held_out": HELD_OUT,
            "fresh": fresh,
            "blind": blind,
            "everyday": EVERYDAY,
        }
        result["baseline"] = await ask_all(db, KnowledgeIndex(settings), slug_key, threshold, others)
        result["baseline"]["articles"] = len(lives)

        print(f"adding {args.articles - len(lives):,} filler articles ...", flush=True)
        articles, versions = filler(args.articles - len(lives), random.Random(args.seed), agency_ids)
        async with db.session() as session:
            for start in range(0, len(articles), 2000):
                await session.execute(insert(Article), articles[start : start + 2000])
                await session.execute(insert(ArticleVersion), versions[start : start + 2000])
            await knowledge.bump_revision(session)
            await session.commit()
            live_count = len(await knowledge.live_all(session))
        variants = {"lexical": settings}
        if args.semantic:
            ok, why = semantic_status()
            result["semantic"] = why
            if ok:
                variants["semantic"] = settings.model_copy(update={"knowledge_semantic": True})
        result["runs"] = {}
        for name, variant_settings in variants.items():
            index = KnowledgeIndex(variant_settings)
            async with db.session(deferred=True) as session:
                started = time.perf_counter()
                await index.refresh(session)
                build = time.perf_counter() - started
            print(f"{name}: index of {live_count:,} articles built in {build:.1f} s; asking ...", flush=True)
            run_result = await ask_all(db, index, slug_key, threshold, others)
            run_result["articles"] = live_count
            run_result["build_seconds"] = build
            # Settle the heap so the collector does not keep re-scanning the seeded data while we time searches.
            gc.collect()
            gc.freeze()
            run_result["latency"] = await latency(db, index, args.rounds)
            result["runs"][name] = run_result
        result["threshold"] = settings.assistant_confidence
    finally:
        await db.dispose()
    return result


# --------------------------------------------------------------------------------------------- report


# Sets whose totals alone are printed, never their misses: never tuned on.
HELD = [("held_out", "held out"), ("fresh", "fresh held out"), ("blind", "blind (second fresh set)")]
PARTS = [("everyday", "of which everyday")]  # a part of the benchmark, shown on its own row


def print_report(result: dict[str, Any]) -> None:
    print()
    n = result["baseline"]["all"]["questions"]
    en, fr = result["baseline"]["en"]["questions"], result["baseline"]["fr"]["questions"]
    held = result["baseline"]["held_out"]["all"]["questions"]
    fresh = result["baseline"]["fresh"]["all"]["questions"]
    print(f"Knowledge search quality: {n} questions ({en} English, {fr} French), expected article known for each,")
    blind = result["baseline"]["blind"]["all"]["questions"]
    print(f"and {held} held-out questions never tuned on, {fresh} + {blind} more written blind from the titles alone")
    print("(the misses of these three sets are never printed);")
    print(f"'answered' = the top hit's confidence >= assistant_confidence ({result['threshold']}).")
    print()
    print("| index | articles | recall@1 | recall@3 | MRR | EN r@1 | FR r@1 | answered right | answered wrong |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    rows = [("demo only", result["baseline"])] + [(f"{k}, with filler", v) for k, v in result["runs"].items()]
    rows += [
        (f"{label}: {name}", {**r[key], "articles": r["articles"]}) for key, label in PARTS + HELD for name, r in rows
    ]
    for name, r in rows:
        a = r["all"]
        print(
            f"| {name} | {r['articles']:,} | {a['recall_at_1']:.1%} | {a['recall_at_3']:.1%} | {a['mrr']:.3f} | "
            f"{r['en']['recall_at_1']:.1%} | {r['fr']['recall_at_1']:.1%} | {a['answered_right']:.1%} | "
            f"{a['answered_wrong']:.1%} |"
        )
    print()
    print("| index | build s | searches | search p50 ms | search p99 ms | floor p50 ms | floor p99 ms | p50/floor | "
          "p99/floor |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in result["runs"].items():
        lat = r["latency"]
        print(
            f"| {name} | {r['build_seconds']:.2f} | {lat['searches']:,} | {lat['search_ms_p50']:.2f} | "
            f"{lat['search_ms_p99']:.2f} | {lat['floor_ms_p50']:.3f} | {lat['floor_ms_p99']:.3f} | "
            f"{lat['p50_over_floor']:.0f}x | {lat['p99_over_floor']:.0f}x |"
        )
    if "semantic" in result:
        print(f"\nsemantic: {result['semantic']}")
    last = next(reversed(result["runs"].values()))
    if last["misses"]:
        print(f"\nNot first ({len(last['misses'])}), with the filler:")
        for miss in last["misses"]:
            print(
                f"  rank {miss['rank'] or '-':>2}  {miss['question']!r}: expected {miss['expected']}, got {miss['got']}"
            )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, default=10_000, help="live article versions in all (default 10000)")
    parser.add_argument("--citizens", type=int, default=300, help="demo citizens (their cases drive popularity)")
    parser.add_argument("--rounds", type=int, default=5, help="times each question is timed (default 5)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--semantic", action="store_true", help="also measure with knowledge_semantic on")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if args.articles < len(load(KNOWLEDGE_DIR)) or args.rounds < 1 or args.citizens < 1:
        parser.error(f"--articles must be at least {len(load(KNOWLEDGE_DIR))}, --rounds and --citizens positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.perf_counter()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    print(
        f"Townsquare knowledge search bench  {started_at}  {os.cpu_count()} CPUs, "
        f"{platform.python_implementation()} {platform.python_version()}, load average "
        f"{[round(x, 2) for x in os.getloadavg()]}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="townsquare-search-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'search.db'}"
        print(f"seeding the demo city ({args.citizens} citizens) and its articles ...", flush=True)
        result = asyncio.run(run(url, args))
    result |= {
        "benchmark": "search_quality",
        "started_at": started_at,
        "config": {k: v for k, v in vars(args).items() if k != "json"},
        "machine": {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "total_seconds": round(time.perf_counter() - t0, 1),
    }
    print_report(result)
    print(f"\n  total {result['total_seconds']:.0f} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, default=str) + "\n")
        print(f"  wrote {args.json}")
    sys.stdout.flush()  # the semantic model's threads can outlive main(); do not lose the buffered report
    return 0


if __name__ == "__main__":
    sys.exit(main())
