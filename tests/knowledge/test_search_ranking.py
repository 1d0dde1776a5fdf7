"""How search ranks: each language's own stems, irregular word forms, how telling a word is, how much of the
question an article accounts for, and candidates enough to find it among look-alikes."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_article
from townsquare.knowledge import ranking
from townsquare.knowledge.search import KnowledgeIndex
from townsquare.knowledge.wording import INTENT_ARTICLE, INTENT_QUESTION, intents_of, stem, unabbreviate, words
from townsquare.settings import Settings


@pytest.fixture
def index(settings: Settings) -> KnowledgeIndex:
    return KnowledgeIndex(settings)


async def _slugs(index: KnowledgeIndex, session: AsyncSession, query: str, language: str = "en") -> list[str]:
    return [h.slug for h in await index.search(session, query, language=language)]


def test_a_stem_belongs_to_its_language() -> None:
    assert stem("statement", "en") == "en:statement"
    assert stem("statement", "fr") == "fr:stat"
    assert stem("stat", "en") == "en:stat"


async def test_a_word_stemmed_the_other_language_s_way_finds_only_that_language_s_text(
    session: AsyncSession, index: KnowledgeIndex
) -> None:
    """ "statement" stemmed the French way is "stat", which is also the English stem of "stat holiday": an English
    question about a statement must not find the holiday schedule through it."""
    agency = await create_agency(session)
    await create_article(session, agency=agency, slug="tax-statement", title="Your property tax statement",
                         summary="The yearly statement of your tax account.")  # fmt: skip
    await create_article(session, agency=agency, slug="holidays", title="Collection on stat holidays",
                         summary="Pickup moves one day later after a stat holiday.")  # fmt: skip
    assert await _slugs(index, session, "statement") == ["tax-statement"]


def test_irregular_forms_stem_like_their_word() -> None:
    assert stem("fell", "en") == stem("fallen", "en") == stem("fall", "en")
    assert stem("sold", "en") == stem("selling", "en")
    assert stem("stolen", "en") == stem("steal", "en")
    assert stem("perdu", "fr") == stem("perdre", "fr")
    assert stem("ouvert", "fr") == stem("ouvrir", "fr")
    assert stem("leaves", "en") == stem("leaf", "en")


async def test_an_irregular_verb_finds_the_article_that_uses_another_form(
    session: AsyncSession, index: KnowledgeIndex
) -> None:
    agency = await create_agency(session)
    await create_article(session, agency=agency, slug="vehicle-sale", title="Selling a used car",
                         summary="Sell your car privately: the bill of sale and what to do with the plates.",
                         keywords="sell my car, private sale")  # fmt: skip
    await create_article(session, agency=agency, slug="vehicle-registration", title="Renew your car registration",
                         summary="Renew the plate sticker on your car every year.",
                         keywords="plate sticker, car registration")  # fmt: skip
    await create_article(session, agency=agency, slug="trees", title="City trees",
                         summary="Report a fallen branch or a tree that needs pruning.",
                         keywords="fallen tree, branch down")  # fmt: skip
    await create_article(session, agency=agency, slug="sidewalks", title="Sidewalk repair",
                         summary="Report a broken or uneven sidewalk.", keywords="sidewalk, trip hazard")  # fmt: skip
    assert (await _slugs(index, session, "i sold my car what do i do with the plates"))[0] == "vehicle-sale"
    assert (await _slugs(index, session, "a big branch fell on the sidewalk"))[0] == "trees"


async def test_a_word_is_as_telling_as_the_answers_holding_it_are_few(
    session: AsyncSession, index: KnowledgeIndex
) -> None:
    """An answer in two languages counts once: "pothole", in both variants of one answer, is as telling as
    "sidewalk", in one English-only article."""
    agency = await create_agency(session)
    english = await create_article(session, agency=agency, slug="report-a-pothole", title="Report a pothole")
    await create_article(session, agency=agency, language="fr", variant_of=english.article_id,
                         slug="signaler-un-nid-de-poule", title="Signaler un nid-de-poule",
                         keywords="pothole")  # fmt: skip
    await create_article(session, agency=agency, slug="sidewalk-repair", title="Sidewalk repair")
    await create_article(session, agency=agency, slug="snow-clearing", title="Snow clearing")
    await index.search(session, "pothole")
    snapshot = index._snapshot
    assert snapshot is not None
    pothole = snapshot.weight({stem("pothole", "en"): 1.0, stem("pothole", "fr"): 1.0})
    sidewalk = snapshot.weight({stem("sidewalk", "en"): 1.0, stem("sidewalk", "fr"): 1.0})
    assert pothole is not None
    assert pothole == sidewalk
    # Answers holding only a synonym make a word less telling, but less than answers holding the word itself.
    street = snapshot.weight({stem("pothole", "en"): 1.0, stem("snow", "en"): 0.9})
    both = snapshot.weight({stem("pothole", "en"): 1.0, stem("snow", "en"): 1.0})
    assert street is not None
    assert both is not None
    assert both < street < pothole
    assert snapshot.weight({stem("weather", "en"): 1.0}) is None


async def test_an_article_accounting_for_the_whole_question_beats_one_repeating_a_word(
    session: AsyncSession, index: KnowledgeIndex
) -> None:
    """Every word of "pay my taxes monthly" is in the instalment plan's title and keywords; the late-payment page
    says "payment" many times and "month" only in its summary, and must not win on repetition."""
    agency = await create_agency(session)
    await create_article(session, agency=agency, slug="late-payment", title="Late tax payments: penalties",
                         summary="A penalty is added the day after the due date, then interest each month.",
                         keywords="late payment, missed payment, payment arrangement, overdue taxes",
                         body="Call us about a payment arrangement. Payments pay the oldest penalty first.",
                         )  # fmt: skip
    await create_article(session, agency=agency, slug="instalment-plan", title="Property tax instalment plan",
                         summary="Pay your tax in ten equal withdrawals.",
                         keywords="monthly payments, pay monthly, pre-authorized debit")  # fmt: skip
    await create_article(session, agency=agency, slug="tax-due-dates", title="Property tax due dates",
                         summary="Taxes are due in February and June.", keywords="due date, tax bill")  # fmt: skip
    assert (await _slugs(index, session, "can i pay my taxes monthly"))[0] == "instalment-plan"


async def test_look_alike_articles_do_not_crowd_out_the_one_that_answers(
    session: AsyncSession, index: KnowledgeIndex
) -> None:
    """Seventy market pages that open on Saturdays match "open" and "saturday" about as well as City Hall's hours
    by word counts; the page whose title speaks of opening is still among the candidates reranked, and first."""
    agency = await create_agency(session)
    for n in range(70):
        await create_article(session, agency=agency, slug=f"market-{n}", title=f"Market {n}",
                             summary="Opens Saturdays.", keywords="market, local food")  # fmt: skip
    await create_article(session, agency=agency, slug="opening-hours", title="Opening hours of City Hall",
                         summary="When City Hall and the phone lines are open.", keywords="hours, open, closed",
                         body="City Hall, 100 Main Street: Monday to Friday, 8:30 a.m. to 4:30 p.m., Thursdays "
                         "until 7 p.m. for payments. Phone lines keep the same hours. The Licensing Centre, 2400 "
                         "Elm Street, is also open on Saturdays from 9 a.m. to 1 p.m. Online services, chat and "
                         "text messages work at any time of day.")  # fmt: skip
    assert (await _slugs(index, session, "are you open on saturday"))[0] == "opening-hours"


def test_a_hyphenated_word_made_of_grammar_is_its_one_meaningful_part_or_nothing() -> None:
    assert words("la ville va-t-elle payer") == ["ville", "va", "payer"]
    assert words("quand dois-je payer, et quoi faire") == ["payer"]
    assert words("un nid-de-poule") == ["nid-de-poule", "nid", "poule"]


async def test_everyday_words_for_the_same_thing_find_each_other(session: AsyncSession, index: KnowledgeIndex) -> None:
    agency = await create_agency(session)
    await create_article(session, agency=agency, slug="towed-vehicle", title="My vehicle was towed",
                         summary="How to get a towed vehicle back from the pound.")  # fmt: skip
    await create_article(session, agency=agency, slug="noise", title="Noise from next door",
                         summary="Quiet hours and how to complain about a neighbour.")  # fmt: skip
    await create_article(session, agency=agency, language="fr", slug="aines", title="Aide aux aînés",
                         summary="Un remboursement de taxes pour les aînés à faible revenu.")  # fmt: skip
    assert (await _slugs(index, session, "my car was impounded"))[0] == "towed-vehicle"
    assert (await _slugs(index, session, "my neighbor is too loud"))[0] == "noise"
    assert (await _slugs(index, session, "tax help for seniors"))[0] == "aines"


def test_applying_and_renewing_are_read_from_a_question_in_either_language() -> None:
    assert intents_of("how to get a business licence", INTENT_QUESTION) == ["~new"]
    assert intents_of("my business licence expired", INTENT_QUESTION) == ["~renew"]
    assert intents_of("obtenir un permis d'entreprise", INTENT_QUESTION) == ["~new"]
    assert intents_of("renouveler mon permis d'entreprise", INTENT_QUESTION) == ["~renew"]
    assert intents_of("business licence fees", INTENT_QUESTION) == []
    assert intents_of("quel soir sortir le bac", INTENT_QUESTION) == ["~when"]


async def test_a_question_about_getting_something_finds_applying_not_renewing(
    session: AsyncSession, index: KnowledgeIndex
) -> None:
    """ "Business licence" is in both titles: getting one is applying, and a licence expired is renewing."""
    agency = await create_agency(session)
    for language, apply_title, renew_title in (
        ("en", "Apply for a business licence", "Renew your business licence"),
        ("fr", "Demander un permis d'entreprise", "Renouveler votre permis d'entreprise"),
    ):
        await create_article(session, agency=agency, language=language, slug=f"apply-{language}", title=apply_title,
                             keywords="business licence, permis d'entreprise")  # fmt: skip
        await create_article(session, agency=agency, language=language, slug=f"renew-{language}", title=renew_title,
                             keywords="business licence renewal, renouvellement du permis d'entreprise, "
                             "business licence, permis d'entreprise")  # fmt: skip
    assert (await _slugs(index, session, "how to get a business licence"))[0] == "apply-en"
    assert (await _slugs(index, session, "my business licence expired"))[0] == "renew-en"
    assert (await _slugs(index, session, "comment obtenir un permis d'entreprise", "fr"))[0] == "apply-fr"
    assert (await _slugs(index, session, "mon permis d'entreprise est expire", "fr"))[0] == "renew-fr"


def test_a_negation_says_something_went_wrong_in_either_language() -> None:
    assert intents_of("i can't pay my taxes", INTENT_QUESTION) == ["~problem"]
    assert intents_of("je n'arrive pas a payer mes taxes", INTENT_QUESTION) == ["~problem"]
    assert intents_of("compte de taxes non recu", INTENT_ARTICLE) == ["~problem"]


async def test_a_province_named_is_another_province(session: AsyncSession, index: KnowledgeIndex) -> None:
    agency = await create_agency(session)
    await create_article(session, agency=agency, slug="new-resident", title="Exchange your driver's licence",
                         keywords="out of province licence, new resident")  # fmt: skip
    await create_article(session, agency=agency, slug="dl-lost", title="Replace a lost driver's licence",
                         keywords="lost licence, replacement card")  # fmt: skip
    assert (await _slugs(index, session, "can i drive here with my alberta licence"))[0] == "new-resident"
    assert (await _slugs(index, session, "mon permis de l'ontario est-il valide ici", "fr"))[0] == "new-resident"


async def test_asking_how_a_request_is_going_finds_the_status_page_whatever_it_was_about(
    session: AsyncSession, index: KnowledgeIndex
) -> None:
    agency = await create_agency(session)
    await create_article(session, agency=agency, slug="request-status", title="Check the status of a request",
                         keywords="track my request, update on my report")  # fmt: skip
    await create_article(session, agency=agency, language="fr", slug="suivi", title="Suivre l'état d'une demande",
                         keywords="suivre ma demande, suivi de mon signalement")  # fmt: skip
    await create_article(session, agency=agency, slug="graffiti", title="Graffiti removal",
                         keywords="graffiti, spray paint")  # fmt: skip
    await create_article(session, agency=agency, language="fr", slug="graffitis", title="Enlèvement des graffitis",
                         keywords="graffiti, peinture en aérosol")  # fmt: skip
    assert intents_of("any update on my graffiti report", INTENT_QUESTION) == ["~status"]
    assert (await _slugs(index, session, "where is my graffiti report at"))[0] == "request-status"
    assert (await _slugs(index, session, "ou en est mon signalement de graffitis", "fr"))[0] == "suivi"
    assert (await _slugs(index, session, "graffiti on my fence"))[0] == "graffiti"


async def test_everyday_forms_of_a_word_find_it(session: AsyncSession, index: KnowledgeIndex) -> None:
    agency = await create_agency(session)
    await create_article(session, agency=agency, slug="snow", title="Snow clearing", keywords="sidewalk snow, ice")
    await create_article(session, agency=agency, language="fr", slug="graffitis", title="Graffitis",
                         keywords="graffiti, tag")  # fmt: skip
    await create_article(session, agency=agency, slug="trees", title="Trees", keywords="storm damage")
    assert (await _slugs(index, session, "icy sidewalk after the storm"))[0] == "snow"
    assert (await _slugs(index, session, "quelqu'un a tague ma cloture", "fr"))[0] == "graffitis"
    await create_article(session, agency=agency, slug="missed", title="My bin was not picked up",
                         keywords="missed pickup, not collected")  # fmt: skip
    await create_article(session, agency=agency, slug="replace-bin", title="Replace a broken or stolen bin",
                         keywords="broken bin, stolen bin")  # fmt: skip
    assert (await _slugs(index, session, "they didn't empty my bin"))[0] == "missed"


def test_texting_shorthand_is_read_as_the_words_it_stands_for() -> None:
    assert unabbreviate("C QD la collecte des vidanges?") == "c quand la collecte des vidanges?"
    assert unabbreviate("vieille tv pis ordi") == "vieille television pis ordinateur"
    assert unabbreviate("tvq") == "tvq"  # only whole words
    assert intents_of(unabbreviate("recyclage c qd"), INTENT_QUESTION) == ["~when"]


async def test_a_texted_question_finds_what_its_shorthand_names(session: AsyncSession, index: KnowledgeIndex) -> None:
    agency = await create_agency(session)
    await create_article(session, agency=agency, language="fr", slug="rdd", title="Résidus domestiques dangereux",
                         keywords="ordinateur, téléviseur, piles")  # fmt: skip
    await create_article(session, agency=agency, language="fr", slug="encombrants", title="Collecte des encombrants",
                         keywords="meubles, matelas")  # fmt: skip
    assert (await _slugs(index, session, "vieille tv pis ordi, je fais koi avec", "fr"))[0] == "rdd"


async def test_words_found_as_a_phrase_beat_the_same_words_apart(
    session: AsyncSession, index: KnowledgeIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both articles hold "pay" and "tax" in their title or keywords; only one holds them as the phrase asked."""
    agency = await create_agency(session)
    await create_article(session, agency=agency, slug="late", title="Late tax penalties",
                         keywords="pay late, unpaid tax, interest")  # fmt: skip
    await create_article(session, agency=agency, slug="ways-to-pay", title="Ways to settle your account",
                         keywords="pay tax, online banking, cheque")  # fmt: skip
    assert (await _slugs(index, session, "how to pay taxes"))[0] == "ways-to-pay"
    monkeypatch.setattr(ranking, "PHRASE_BONUS", 0.0)
    index.forget_answers()  # the same question, ranked by other rules
    assert (await _slugs(index, session, "how to pay taxes"))[0] == "late"  # the phrase is what decides it


async def test_asking_how_a_request_is_going_outweighs_what_went_wrong(
    session: AsyncSession, index: KnowledgeIndex
) -> None:
    agency = await create_agency(session)
    await create_article(session, agency=agency, slug="request-status", title="Check the status of a request",
                         keywords="track my request, update on my report")  # fmt: skip
    await create_article(session, agency=agency, slug="missed", title="Missed garbage collection",
                         keywords="garbage not picked up, missed pickup, report a missed pickup")  # fmt: skip
    question = "never heard back about my report"
    assert intents_of(question, INTENT_QUESTION) == ["~problem", "~status"]
    snapshot = await index._current(session)
    assert [q.alternatives for q in ranking.analyse(snapshot, question) if q.intent] == [{"~status": 1.0}]
    assert (await _slugs(index, session, question))[0] == "request-status"
    assert (await _slugs(index, session, "garbage was never picked up"))[0] == "missed"
