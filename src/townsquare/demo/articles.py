"""The demo city's knowledge base: 40 answers residents ask for, each in English and French, spread over the three
demo agencies (data only; `demo/knowledge.py` seeds it).

Each entry: `key` (stable, for the search benchmark), `agency` (slug), `services` (related service codes), and per
language `slug`, `title`, `summary`, `body` (Markdown), `short_answer` (<= 320 characters, stands alone in an SMS),
`voice_script` (plain sentences for speech: no addresses of web pages, no symbols) and `keywords`. The places,
prices and dates are those of a fictional city.
"""

# Typographic dashes and signs are part of the text residents read.
# ruff: noqa: RUF001

from __future__ import annotations

from typing import Any

CITY_WORKS: list[dict[str, Any]] = [
    {
        "key": "collection-day",
        "agency": "city-works",
        "services": ["GARBAGE-MISSED"],
        "en": {
            "slug": "garbage-collection-day",
            "title": "Find your garbage and recycling collection day",
            "summary": "Green bins go out every week; garbage and blue-bin recycling alternate weeks on the same "
            "day. Here is how to find your day and what time to put things out.",
            "body": """Every home on city collection has **one collection day** each week. What goes out depends on
whether it is a *garbage week* or a *recycling week*:

| Every week | Week A | Week B |
|---|---|---|
| Green bin (food scraps, yard waste) | Garbage (black bin or bags) | Blue bin (recycling) |

## How to find your day
- Look up your address in the **collection calendar** on the city website, or
- text your street address to **613-555-0100**, or
- call City Works at **613-555-0100**, Monday to Friday, 8:30 a.m. to 4:30 p.m.

The calendar also shows holiday changes and lets you subscribe to a free reminder the evening before.

## When to put things out
- Put bins at the curb by **7 a.m.** on your day, but not before 6 p.m. the evening before.
- Leave 1 metre between bins and keep them off the sidewalk and bike lane.
- Bring empty bins back in by 8 p.m. the same day.

## Limits
- Garbage: up to **3 bags or cans** every two weeks. Extra bags need a $3 garbage tag, sold at City Hall and
  most grocery stores.
- Recycling and green bin: no limit.
""",
            "short_answer": "Green bin goes out every week; garbage and blue-bin recycling alternate weeks on the same "
            "day. Look up your day in the online collection calendar or text your street address to 613-555-0100. "
            "Bins out by 7 a.m., not before 6 p.m. the night before.",
            "voice_script": "Your green bin is collected every week. Garbage and the blue recycling bin alternate, "
            "one week each, on the same day. To find your day, look up your address in the collection calendar "
            "on the city website, or text your street address to this number. Please put your bins at the curb by "
            "seven in the morning, and not before six the evening before.",
            "keywords": "garbage day, trash day, pickup day, collection schedule, calendar, which day, bin day, "
            "waste, refuse, black bin, when is pickup",
        },
        "fr": {
            "slug": "jour-de-collecte-des-ordures",
            "title": "Trouver votre jour de collecte des ordures et du recyclage",
            "summary": "Le bac vert est ramassé chaque semaine; les ordures et le bac bleu alternent d'une semaine "
            "à l'autre, le même jour. Voici comment trouver votre jour et l'heure à respecter.",
            "body": """Chaque résidence desservie par la Ville a **un jour de collecte** par semaine. Ce qui est
ramassé dépend de la semaine : *semaine des ordures* ou *semaine du recyclage*.

| Chaque semaine | Semaine A | Semaine B |
|---|---|---|
| Bac vert (restes de table, résidus de jardin) | Ordures (bac noir ou sacs) | Bac bleu (recyclage) |

## Trouver votre jour
- Cherchez votre adresse dans le **calendrier de collecte** sur le site Web de la Ville;
- ou envoyez votre adresse par texto au **613-555-0100**;
- ou appelez les Travaux publics au **613-555-0100**, du lundi au vendredi, de 8 h 30 à 16 h 30.

Le calendrier indique aussi les changements pendant les jours fériés et offre un rappel gratuit la veille.

## À quelle heure sortir les bacs
- Placez vos bacs en bordure de rue avant **7 h** le jour de collecte, mais pas avant 18 h la veille.
- Laissez 1 mètre entre les bacs et gardez-les hors du trottoir et de la piste cyclable.
- Rentrez les bacs vides avant 20 h le jour même.

## Limites
- Ordures : jusqu'à **3 sacs ou poubelles** toutes les deux semaines. Les sacs supplémentaires doivent porter une
  étiquette de 3 $, vendue à l'hôtel de ville et dans la plupart des épiceries.
- Recyclage et bac vert : aucune limite.
""",
            "short_answer": "Le bac vert est ramassé chaque semaine; les ordures et le bac bleu alternent, le même "
            "jour. Trouvez votre jour dans le calendrier de collecte en ligne ou texto votre adresse au "
            "613-555-0100. Bacs au chemin avant 7 h, pas avant 18 h la veille.",
            "voice_script": "Votre bac vert est ramassé chaque semaine. Les ordures et le bac bleu du recyclage "
            "alternent, une semaine chacun, le même jour. Pour connaître votre jour, cherchez votre adresse dans le "
            "calendrier de collecte sur le site Web de la Ville, ou envoyez votre adresse par texto à ce numéro. "
            "Sortez vos bacs avant sept heures le matin, et pas avant dix-huit heures la veille.",
            "keywords": "jour des vidanges, poubelles, collecte des déchets, horaire, calendrier, quel jour, "
            "ramassage, ordures ménagères, bac noir",
        },
    },
    {
        "key": "missed-collection",
        "agency": "city-works",
        "services": ["GARBAGE-MISSED"],
        "en": {
            "slug": "missed-garbage-collection",
            "title": "My garbage, recycling or green bin was not picked up",
            "summary": "If your bin was at the curb by 7 a.m. and was missed, report it by 5 p.m. the next "
            "business day and a truck will come back within one business day.",
            "body": """Before you report a missed collection, please check:

1. **Is it your week?** Garbage and blue-bin recycling alternate weeks. Check the collection calendar.
2. **Was it a holiday week?** Collection moves one day later after a weekday holiday.
3. **Did the crew leave a sticker?** An orange "oops" sticker means something in the bin cannot be collected,
   for example a bag in the blue bin or garbage in the green bin. Fix it and put it out on your next day.
4. **Is the whole street missed?** Trucks can run late; collection continues until 6 p.m.

## Report it
If your bin was out by 7 a.m. and it is after 6 p.m., [report a missed collection](/services/GARBAGE-MISSED/apply)
online, by text to **613-555-0100**, or by phone. Report it **by 5 p.m. the next business day**.

Leave the bin at the curb. A crew comes back within **one business day** (24 hours), Monday to Saturday.
You get a reference number such as TS-2026-000123 and a text or email when the crew has been.

If your street is missed three times in a season, the route is reviewed by a supervisor.
""",
            "short_answer": "Missed pickup? If your bin was out by 7 a.m. on your day, report it by 5 p.m. the next "
            "business day online or by text to 613-555-0100. Leave the bin out; a truck returns within one business "
            "day. An orange sticker means something in it can't be collected.",
            "voice_script": "Sorry your collection was missed. If your bin was at the curb by seven in the morning "
            "on your collection day, you can report it until five in the afternoon on the next business day. "
            "Leave the bin at the curb, and a truck will come back within one business day. If the crew left an "
            "orange sticker, something in the bin could not be collected, and the sticker says what.",
            "keywords": "missed pickup, not collected, forgot my bin, skipped, garbage left, recycling left, truck "
            "didn't come, not picked up, oops sticker",
        },
        "fr": {
            "slug": "collecte-oubliee",
            "title": "Mes ordures, mon recyclage ou mon bac vert n'ont pas été ramassés",
            "summary": "Si votre bac était au chemin avant 7 h et a été oublié, signalez-le avant 17 h le jour "
            "ouvrable suivant; un camion repassera dans un délai d'un jour ouvrable.",
            "body": """Avant de signaler une collecte oubliée, vérifiez :

1. **Est-ce votre semaine?** Les ordures et le bac bleu alternent d'une semaine à l'autre. Consultez le
   calendrier de collecte.
2. **Était-ce une semaine avec un jour férié?** La collecte est reportée d'une journée après un jour férié en
   semaine.
3. **L'équipe a-t-elle laissé un autocollant?** Un autocollant orange signifie qu'un article ne peut pas être
   ramassé, par exemple un sac dans le bac bleu ou des ordures dans le bac vert. Corrigez la situation et
   sortez le bac à votre prochaine collecte.
4. **Toute la rue a-t-elle été oubliée?** Les camions peuvent avoir du retard; la collecte se poursuit jusqu'à 18 h.

## Signaler
Si votre bac était sorti avant 7 h et qu'il est plus de 18 h,
[signalez la collecte oubliée](/services/GARBAGE-MISSED/apply) en ligne, par texto au **613-555-0100** ou par
téléphone, **avant 17 h le jour ouvrable suivant**.

Laissez le bac en bordure de rue. Une équipe repassera dans un délai d'**un jour ouvrable** (24 heures), du
lundi au samedi. Vous recevez un numéro de référence, par exemple TS-2026-000123, et un texto ou un courriel
lorsque l'équipe est passée.
""",
            "short_answer": "Collecte oubliée? Si votre bac était sorti avant 7 h, signalez-le avant 17 h le jour "
            "ouvrable suivant, en ligne ou par texto au 613-555-0100. Laissez le bac au chemin; un camion repasse "
            "dans un jour ouvrable. Un autocollant orange indique un article refusé.",
            "voice_script": "Nous sommes désolés que votre collecte ait été oubliée. Si votre bac était en bordure "
            "de rue avant sept heures le matin, vous pouvez le signaler jusqu'à dix-sept heures le jour ouvrable "
            "suivant. Laissez le bac au chemin; un camion repassera dans un délai d'un jour ouvrable. Si l'équipe a "
            "laissé un autocollant orange, un article dans le bac ne pouvait pas être ramassé.",
            "keywords": "pas ramassé, oubli, vidanges oubliées, camion pas passé, bac oublié, collecte manquée, "
            "autocollant orange",
        },
    },
    {
        "key": "bulky-items",
        "agency": "city-works",
        "services": ["GARBAGE-MISSED"],
        "en": {
            "slug": "bulky-item-pickup",
            "title": "Bulky items: furniture, mattresses and appliances",
            "summary": "Book a free bulky-item pickup for up to five large items, four times a year. Mattresses "
            "must be wrapped in plastic; fridges and air conditioners need a refrigerant tag.",
            "body": """Large household items that do not fit in a garbage bin are collected **free of charge**, by
appointment.

## What counts as a bulky item
- Sofas, chairs, tables, bed frames, dressers
- Mattresses and box springs (**wrapped in plastic**, for bed bug prevention)
- Appliances: stoves, washers, dryers, dishwashers
- Fridges, freezers and air conditioners, **only with a tag** from a certified technician showing the
  refrigerant was removed
- Carpets and rugs, rolled and tied, no longer than 1.2 metres

## What is not collected
Renovation waste (drywall, doors, windows, toilets), tires, car parts and anything over 50 kg. Take those to
the Riverside Depot, 2200 Industrial Road (fees apply).

## How to book
- Book online or call **613-555-0100** at least **5 business days** before your collection day.
- Up to **5 items** per pickup, up to **4 pickups** per household each calendar year.
- Put the items at the curb by 7 a.m. on the date you are given, not on the sidewalk.

Items in good shape? The Reuse Centre at City Hall keeps a list of charities that pick up furniture for free.
""",
            "short_answer": "Bulky items (furniture, mattresses, appliances) are picked up free by appointment: book "
            "online or call 613-555-0100 at least 5 business days ahead. Up to 5 items, 4 times a year. Wrap "
            "mattresses in plastic; fridges need a refrigerant-removed tag.",
            "voice_script": "Large items such as furniture, mattresses and appliances are picked up for free, by "
            "appointment. Book online or call City Works at least five business days before your collection day. "
            "You can put out up to five items, four times a year. Mattresses must be wrapped in plastic, and "
            "fridges, freezers and air conditioners need a tag showing the refrigerant was removed.",
            "keywords": "large items, big garbage, couch, sofa, mattress, furniture, fridge, appliance, washer, "
            "large item collection, heavy garbage, junk removal",
        },
        "fr": {
            "slug": "collecte-des-encombrants",
            "title": "Encombrants : meubles, matelas et électroménagers",
            "summary": "Réservez une collecte gratuite d'encombrants, jusqu'à cinq gros articles, quatre fois par "
            "année. Les matelas doivent être emballés; les réfrigérateurs et climatiseurs doivent porter une "
            "étiquette.",
            "body": """Les gros articles ménagers qui n'entrent pas dans un bac sont ramassés **gratuitement**, sur
rendez-vous.

## Ce qui est accepté
- Canapés, chaises, tables, cadres de lit, commodes
- Matelas et sommiers (**emballés dans du plastique**, pour prévenir les punaises de lit)
- Électroménagers : cuisinières, laveuses, sécheuses, lave-vaisselle
- Réfrigérateurs, congélateurs et climatiseurs, **seulement avec une étiquette** d'un technicien certifié
  confirmant que le réfrigérant a été retiré
- Tapis roulés et attachés, d'au plus 1,2 mètre

## Ce qui n'est pas accepté
Les déchets de rénovation (gypse, portes, fenêtres, toilettes), les pneus, les pièces d'auto et tout article de
plus de 50 kg. Apportez-les au dépôt Riverside, 2200, chemin Industrial (des frais s'appliquent).

## Comment réserver
- Réservez en ligne ou appelez au **613-555-0100** au moins **5 jours ouvrables** avant votre jour de collecte.
- Jusqu'à **5 articles** par collecte, **4 collectes** par ménage par année civile.
- Placez les articles en bordure de rue avant 7 h à la date convenue, pas sur le trottoir.

Des meubles en bon état? Le Centre de réemploi de l'hôtel de ville tient une liste d'organismes qui les
ramassent gratuitement.
""",
            "short_answer": "Les encombrants (meubles, matelas, électroménagers) sont ramassés gratuitement sur "
            "rendez-vous : réservez en ligne ou au 613-555-0100 au moins 5 jours ouvrables d'avance. Jusqu'à 5 "
            "articles, 4 fois par an. Matelas emballés; frigos avec étiquette de réfrigérant retiré.",
            "voice_script": "Les gros articles comme les meubles, les matelas et les électroménagers sont ramassés "
            "gratuitement, sur rendez-vous. Réservez en ligne ou appelez les Travaux publics au moins cinq jours "
            "ouvrables avant votre jour de collecte. Vous pouvez sortir jusqu'à cinq articles, quatre fois par "
            "année. Les matelas doivent être emballés dans du plastique, et les réfrigérateurs doivent porter une "
            "étiquette confirmant que le réfrigérant a été retiré.",
            "keywords": "gros déchets, gros rebuts, divan, sofa, matelas, meubles, frigo, réfrigérateur, laveuse, "
            "électroménager, monstres",
        },
    },
    {
        "key": "recycling",
        "agency": "city-works",
        "services": ["GARBAGE-MISSED"],
        "en": {
            "slug": "what-goes-in-the-blue-bin",
            "title": "Recycling: what goes in the blue bin",
            "summary": "Paper, cardboard, and empty plastic, metal and glass containers go loose in the blue bin. "
            "Plastic bags, film and coffee cups do not.",
            "body": """All recycling goes together in the **blue bin**, loose, not bagged. Rinse containers and
flatten boxes.

## Yes, in the blue bin
- Paper: newspapers, flyers, envelopes, office paper, paper egg cartons
- Cardboard: boxes flattened to 75 cm or less, cereal and tissue boxes
- Plastic containers marked 1, 2, 4, 5 and 7: bottles, jugs, tubs, clamshells
- Metal: cans, empty aerosol cans, foil trays
- Glass bottles and jars (lids off)
- Milk and juice cartons, drink boxes

## No, please
- **Plastic bags and film**: return them to grocery stores
- Coffee cups and black plastic takeout containers: garbage
- Styrofoam: garbage (or the Riverside Depot)
- Batteries, propane tanks, electronics: hazardous waste drop-off, never in any bin
- Diapers, clothing, garden hoses

## Extra recycling
Put extra cardboard flattened and tied beside your blue bin. A second blue bin costs nothing: ask for one at
**613-555-0100**.

Not sure about an item? Search it in the **Waste Wizard** on the city website.
""",
            "short_answer": "Blue bin: paper, flattened cardboard, rinsed plastic containers (1, 2, 4, 5, 7), cans, "
            "glass bottles and jars, cartons. All loose, no bags. Not accepted: plastic bags or film, coffee cups, "
            "Styrofoam, black plastic, batteries. Extra blue bins are free.",
            "voice_script": "The blue bin takes paper, flattened cardboard, rinsed plastic containers, metal cans, "
            "glass bottles and jars, and milk and juice cartons. Put everything in loose, not in a bag. Plastic "
            "bags, coffee cups, Styrofoam and black plastic takeout containers do not go in the blue bin. Batteries "
            "and electronics go to a hazardous waste drop off.",
            "keywords": "recycle, recyclables, blue box, plastic, glass, cardboard, paper, what can I recycle, "
            "sorting, cans, bottles, waste wizard",
        },
        "fr": {
            "slug": "quoi-mettre-dans-le-bac-bleu",
            "title": "Recyclage : quoi mettre dans le bac bleu",
            "summary": "Le papier, le carton et les contenants vides de plastique, de métal et de verre vont en "
            "vrac dans le bac bleu. Les sacs de plastique et les gobelets à café, non.",
            "body": """Toutes les matières recyclables vont ensemble dans le **bac bleu**, en vrac, sans sac.
Rincez les contenants et aplatissez les boîtes.

## Oui, dans le bac bleu
- Papier : journaux, circulaires, enveloppes, papier de bureau, boîtes d'œufs en carton
- Carton : boîtes aplaties à 75 cm ou moins, boîtes de céréales et de mouchoirs
- Contenants de plastique numéros 1, 2, 4, 5 et 7 : bouteilles, cruches, pots, emballages à charnière
- Métal : canettes, aérosols vides, assiettes d'aluminium
- Bouteilles et pots de verre (sans couvercle)
- Cartons de lait et de jus, boîtes à boire

## Non, s'il vous plaît
- **Sacs et pellicules de plastique** : rapportez-les à l'épicerie
- Gobelets à café et contenants de plastique noir : ordures
- Styromousse : ordures (ou dépôt Riverside)
- Piles, bonbonnes de propane, appareils électroniques : dépôt de déchets dangereux, jamais dans un bac
- Couches, vêtements, boyaux d'arrosage

## Surplus de recyclage
Placez le carton supplémentaire, aplati et attaché, à côté du bac bleu. Un deuxième bac bleu est gratuit :
demandez-le au **613-555-0100**.

Vous hésitez? Cherchez l'article dans l'outil **Où va quoi?** sur le site Web de la Ville.
""",
            "short_answer": "Bac bleu : papier, carton aplati, contenants de plastique rincés (1, 2, 4, 5, 7), "
            "canettes, bouteilles et pots de verre, cartons de lait. En vrac, sans sac. Refusés : sacs de "
            "plastique, gobelets à café, styromousse, plastique noir, piles. Un 2e bac bleu est gratuit.",
            "voice_script": "Le bac bleu accepte le papier, le carton aplati, les contenants de plastique rincés, "
            "les canettes, les bouteilles et les pots de verre, et les cartons de lait et de jus. Mettez tout en "
            "vrac, sans sac. Les sacs de plastique, les gobelets à café, la styromousse et le plastique noir ne "
            "vont pas dans le bac bleu. Les piles et les appareils électroniques vont au dépôt de déchets dangereux.",
            "keywords": "recycler, matières recyclables, bac de recyclage, plastique, verre, carton, papier, tri, "
            "canettes, bouteilles, où va quoi",
        },
    },
    {
        "key": "green-bin",
        "agency": "city-works",
        "services": ["GARBAGE-MISSED"],
        "en": {
            "slug": "green-bin-and-yard-waste",
            "title": "Green bin: food scraps, leaves and yard waste",
            "summary": "Food scraps, soiled paper and pet waste go in the green bin every week. Leaves and "
            "yard waste go in paper bags beside it, April to November.",
            "body": """The **green bin** is collected **every week**, all year. Its contents become compost at the
Eastfield composting plant.

## What goes in
- All food scraps: fruit, vegetables, meat, fish, bones, dairy, bread, coffee grounds and filters, tea bags
- Soiled paper: napkins, paper towels, pizza boxes, paper plates
- Pet waste and kitty litter, in a paper bag or certified compostable bag
- Houseplants and small amounts of yard waste

Line the kitchen catcher with newspaper or a **certified compostable** bag. Regular plastic bags are not accepted.

## Leaves and yard waste
From **April 1 to November 30**, put leaves, grass clippings, garden trimmings and brush in **paper yard-waste
bags** or an open container marked "yard waste" beside your green bin. Bundle branches with string:
no longer than 1.2 m, no thicker than 10 cm, bundles under 20 kg.

Christmas trees are collected on your green-bin day in the first two weeks of January. Remove all decorations.

## Tips against smells and pests
Freeze meat scraps until collection day, sprinkle baking soda in the bin, and rinse it with a little vinegar.
A broken or missing green bin is replaced free (see *Replace a damaged or stolen bin*).
""",
            "short_answer": "Green bin (every week): all food scraps, soiled paper, pizza boxes, pet waste. Line it "
            "with newspaper or certified compostable bags, not plastic. Leaves and yard waste go in paper bags "
            "beside it, April 1 to November 30; branches tied in bundles under 1.2 m.",
            "voice_script": "The green bin is collected every week. It takes all food scraps, soiled paper like "
            "napkins and pizza boxes, and pet waste. Line it with newspaper or a certified compostable bag, never a "
            "plastic bag. From April to November, leaves and yard waste go in paper yard waste bags beside the "
            "green bin, and branches must be tied in bundles.",
            "keywords": "compost, organics, food waste, kitchen scraps, leaves, yard waste, grass, branches, brush, "
            "christmas tree, compostable bags",
        },
        "fr": {
            "slug": "bac-vert-et-residus-de-jardin",
            "title": "Bac vert : restes de table, feuilles et résidus de jardin",
            "summary": "Les restes de table, le papier souillé et les déchets d'animaux vont dans le bac vert chaque "
            "semaine. Les feuilles et résidus de jardin vont dans des sacs de papier, d'avril à novembre.",
            "body": """Le **bac vert** est ramassé **chaque semaine**, toute l'année. Son contenu devient du
compost à l'usine de compostage d'Eastfield.

## Ce qui est accepté
- Tous les restes de table : fruits, légumes, viande, poisson, os, produits laitiers, pain, marc et filtres à
  café, sachets de thé
- Papier souillé : serviettes de table, essuie-tout, boîtes de pizza, assiettes de carton
- Excréments d'animaux et litière, dans un sac de papier ou un sac compostable certifié
- Plantes d'intérieur et petites quantités de résidus de jardin

Tapissez le mini-bac de cuisine de papier journal ou d'un sac **compostable certifié**. Les sacs de plastique
ordinaires sont refusés.

## Feuilles et résidus de jardin
Du **1er avril au 30 novembre**, placez les feuilles, le gazon, les résidus de jardin et les broussailles dans
des **sacs de papier** ou un contenant ouvert marqué « résidus de jardin », à côté du bac vert. Attachez les
branches avec de la ficelle : au plus 1,2 m de long et 10 cm d'épaisseur, en fagots de moins de 20 kg.

Les sapins de Noël sont ramassés le jour du bac vert durant les deux premières semaines de janvier. Retirez
toutes les décorations.

## Conseils contre les odeurs
Congelez les restes de viande jusqu'au jour de collecte, saupoudrez du bicarbonate de soude et rincez le bac au
vinaigre. Un bac vert brisé ou disparu est remplacé gratuitement.
""",
            "short_answer": "Bac vert (chaque semaine) : restes de table, papier souillé, boîtes de pizza, "
            "excréments d'animaux. Tapissez-le de papier journal ou de sacs compostables certifiés, pas de "
            "plastique. Feuilles et résidus de jardin : sacs de papier à côté, du 1er avril au 30 novembre.",
            "voice_script": "Le bac vert est ramassé chaque semaine. Il accepte tous les restes de table, le papier "
            "souillé comme les serviettes et les boîtes de pizza, et les excréments d'animaux. Tapissez-le de papier "
            "journal ou d'un sac compostable certifié, jamais d'un sac de plastique. D'avril à novembre, les "
            "feuilles et les résidus de jardin vont dans des sacs de papier à côté du bac vert.",
            "keywords": "compost, matières organiques, résidus alimentaires, restes de table, feuilles mortes, "
            "gazon, branches, sapin de Noël, sacs compostables",
        },
    },
    {
        "key": "holiday-collection",
        "agency": "city-works",
        "services": ["GARBAGE-MISSED"],
        "en": {
            "slug": "holiday-collection-schedule",
            "title": "Collection on statutory holidays",
            "summary": "When a holiday falls on a weekday, collection that day and for the rest of the week "
            "happens one day later. There is no collection on Christmas Day or New Year's Day.",
            "body": """Collection crews do not work on statutory holidays. When a holiday falls on a **weekday**:

- Collection for the holiday and **every day after it that week moves one day later**.
- Friday collection moves to **Saturday**.
- Collection before the holiday in that week is not affected.

**Example:** Canada Day is on a Thursday. Thursday's collection happens on Friday, and Friday's on Saturday.

Holidays on a weekend do not change collection.

## Christmas and New Year's
There is no collection on December 25 or January 1. In those weeks the one-day delay applies as above.
Christmas trees are collected on your green-bin day during the first two weeks of January.

## City facilities on holidays
The Riverside Depot and City Hall service counters are closed on statutory holidays. The collection calendar
and the reminder service (text or email the evening before) always show the changed day.
""",
            "short_answer": "On a weekday holiday, collection that day and the rest of the week moves one day later "
            "(Friday moves to Saturday). Weekend holidays change nothing. No collection Dec 25 or Jan 1. Check your "
            "day in the collection calendar or sign up for reminders.",
            "voice_script": "When a statutory holiday falls on a weekday, collection on the holiday and on every "
            "day after it that week moves one day later, so Friday collection moves to Saturday. Holidays on a "
            "weekend do not change anything. There is no collection on Christmas Day or New Year's Day.",
            "keywords": "holiday schedule, stat holiday, long weekend, christmas collection, new year, delayed "
            "pickup, garbage on holiday, victoria day, canada day, labour day",
        },
        "fr": {
            "slug": "collecte-pendant-les-jours-feries",
            "title": "La collecte pendant les jours fériés",
            "summary": "Quand un jour férié tombe en semaine, la collecte de ce jour et des jours suivants de la "
            "semaine est reportée d'une journée. Aucune collecte à Noël ni au jour de l'An.",
            "body": """Les équipes de collecte ne travaillent pas les jours fériés. Quand un jour férié tombe **en
semaine** :

- La collecte du jour férié et **de chaque jour suivant de la semaine est reportée d'une journée**.
- La collecte du vendredi a lieu le **samedi**.
- Les collectes avant le jour férié ne changent pas.

**Exemple :** la fête du Canada tombe un jeudi. La collecte du jeudi a lieu le vendredi, et celle du vendredi,
le samedi.

Un jour férié qui tombe la fin de semaine ne change rien.

## Noël et jour de l'An
Aucune collecte le 25 décembre ni le 1er janvier. Le report d'une journée s'applique ces semaines-là.
Les sapins de Noël sont ramassés le jour du bac vert durant les deux premières semaines de janvier.

## Installations de la Ville
Le dépôt Riverside et les comptoirs de l'hôtel de ville sont fermés les jours fériés. Le calendrier de collecte
et le service de rappel (texto ou courriel la veille) indiquent toujours le jour modifié.
""",
            "short_answer": "Jour férié en semaine : la collecte de ce jour et des jours suivants de la semaine est "
            "reportée d'une journée (vendredi passe au samedi). Rien ne change si le congé tombe la fin de semaine. "
            "Aucune collecte le 25 décembre ni le 1er janvier.",
            "voice_script": "Quand un jour férié tombe en semaine, la collecte de ce jour et de chaque jour "
            "suivant de la semaine est reportée d'une journée; la collecte du vendredi a donc lieu le samedi. "
            "Un congé la fin de semaine ne change rien. Il n'y a aucune collecte à Noël ni au jour de l'An.",
            "keywords": "congé férié, horaire des fêtes, longue fin de semaine, collecte de Noël, jour de l'An, "
            "report, fête du Canada, fête du Travail",
        },
    },
    {
        "key": "hazardous-waste",
        "agency": "city-works",
        "services": [],
        "en": {
            "slug": "household-hazardous-waste",
            "title": "Paint, batteries, electronics and other hazardous waste",
            "summary": "Never put hazardous products in any bin. Bring them free to the Riverside Depot on "
            "Saturdays from April to November; small batteries go to any library branch.",
            "body": """Hazardous products can start fires in trucks and harm workers and the environment.
**Never** put them in the garbage, blue bin or green bin, or down a drain.

## Free drop-off
**Riverside Depot, 2200 Industrial Road**, every **Saturday from 8 a.m. to 4 p.m., April to November**.
Bring up to 50 litres per visit; proof of residency (a driver's licence or tax bill) may be asked.

Accepted:
- Paint, stains, varnish, solvents
- Household batteries and car batteries
- Propane tanks and cylinders (up to 20 lb)
- Pesticides, pool chemicals, cleaners, drain openers
- Fluorescent tubes and compact fluorescent bulbs
- Motor oil, antifreeze, oil filters
- Medications and sharps (in a sealed, rigid container)

## Electronics
TVs, computers, phones, printers and small appliances with a plug are accepted free at the Riverside Depot
**any weekday** from 7:30 a.m. to 5 p.m.

## Small batteries
Drop small household batteries in the yellow boxes at **any library branch** or at City Hall. Tape the ends of
lithium batteries first.

Businesses are not accepted; ask a licensed hazardous waste hauler.
""",
            "short_answer": "Never put paint, batteries, propane, chemicals or electronics in any bin. Bring them free "
            "to Riverside Depot, 2200 Industrial Road, Saturdays 8 a.m. to 4 p.m., April to November (electronics any "
            "weekday). Small batteries: yellow boxes at any library.",
            "voice_script": "Please never put paint, batteries, propane tanks, chemicals or electronics in any "
            "bin. You can bring them for free to the Riverside Depot at twenty two hundred Industrial Road, on "
            "Saturdays from eight in the morning to four in the afternoon, April to November. Electronics are "
            "accepted there on any weekday. Small batteries can go in the yellow boxes at any library branch.",
            "keywords": "hazardous waste, HHW, paint disposal, batteries, propane tank, chemicals, electronics, "
            "e-waste, old tv, computer recycling, motor oil, needles, medication",
        },
        "fr": {
            "slug": "residus-domestiques-dangereux",
            "title": "Peinture, piles, appareils électroniques et autres déchets dangereux",
            "summary": "Ne mettez jamais de produits dangereux dans un bac. Apportez-les gratuitement au dépôt "
            "Riverside le samedi, d'avril à novembre; les petites piles vont dans n'importe quelle bibliothèque.",
            "body": """Les produits dangereux peuvent causer des incendies dans les camions et nuire aux
travailleurs et à l'environnement. Ne les mettez **jamais** dans les ordures, le bac bleu ou le bac vert, ni
dans un drain.

## Dépôt gratuit
**Dépôt Riverside, 2200, chemin Industrial**, chaque **samedi de 8 h à 16 h, d'avril à novembre**.
Jusqu'à 50 litres par visite; une preuve de résidence (permis de conduire ou compte de taxes) peut être demandée.

Acceptés :
- Peinture, teinture, vernis, solvants
- Piles domestiques et batteries d'auto
- Bonbonnes de propane (jusqu'à 20 lb)
- Pesticides, produits de piscine, nettoyants, déboucheurs
- Tubes fluorescents et ampoules fluocompactes
- Huile à moteur, antigel, filtres à huile
- Médicaments et aiguilles (dans un contenant rigide et fermé)

## Appareils électroniques
Téléviseurs, ordinateurs, téléphones, imprimantes et petits appareils électriques sont acceptés gratuitement au
dépôt Riverside **tous les jours de semaine**, de 7 h 30 à 17 h.

## Petites piles
Déposez les petites piles dans les boîtes jaunes de **toutes les succursales de la bibliothèque** ou à l'hôtel
de ville. Recouvrez d'abord les bornes des piles au lithium avec du ruban adhésif.

Les entreprises ne sont pas acceptées; faites appel à un transporteur autorisé.
""",
            "short_answer": "Jamais de peinture, piles, propane, produits chimiques ou électronique dans un bac. "
            "Apportez-les gratuitement au dépôt Riverside, 2200, chemin Industrial, le samedi de 8 h à 16 h, d'avril "
            "à novembre (électronique : tous les jours de semaine). Petites piles : boîtes jaunes des bibliothèques.",
            "voice_script": "Ne mettez jamais de peinture, de piles, de bonbonnes de propane, de produits chimiques "
            "ou d'appareils électroniques dans un bac. Apportez-les gratuitement au dépôt Riverside, au deux mille "
            "deux cents, chemin Industrial, le samedi de huit heures à seize heures, d'avril à novembre. Les "
            "appareils électroniques y sont acceptés tous les jours de semaine. Les petites piles vont dans les "
            "boîtes jaunes des bibliothèques.",
            "keywords": "RDD, déchets dangereux, peinture, piles, batteries, propane, produits chimiques, "
            "électronique, vieux téléviseur, ordinateur, huile usée, aiguilles, médicaments, écocentre",
        },
    },
    {
        "key": "replace-bin",
        "agency": "city-works",
        "services": ["GARBAGE-MISSED"],
        "en": {
            "slug": "replace-damaged-or-stolen-bin",
            "title": "Replace a damaged, lost or stolen bin",
            "summary": "Bins damaged by collection or wear are repaired or replaced free within 10 business days. "
            "Extra green and blue bins are free; an extra garbage bin is not offered.",
            "body": """Blue and green bins belong to the address, not the owner: leave them behind when you move.

## Damaged bin
Broken lid, cracked body or a missing wheel? Request a repair or replacement online or at **613-555-0100**.
A crew repairs or swaps it **within 10 business days**, on your collection day. Leave the damaged bin at
the curb with "REPAIR" written on a piece of tape.

## Lost or stolen bin
Check with your neighbours first: bins are often put back at the wrong house. Then request a replacement.
The first replacement in a year is free; after that, a green bin costs **$45** and a blue bin **$55**.

## Extra bins
- A second **blue bin** or **green bin** is free.
- Garbage goes in your own can or bags; the city does not supply garbage bins.

## Moving in
If there is no bin at your new address, request a "new occupant" set: it is delivered free within
10 business days, with a kitchen catcher and a collection calendar.
""",
            "short_answer": "Damaged blue or green bin? Request a free repair or replacement online or at "
            "613-555-0100; done within 10 business days on your collection day. Lost or stolen: first replacement a "
            "year is free, then $45 (green) or $55 (blue). Extra bins are free.",
            "voice_script": "If your blue or green bin is damaged, you can ask for a free repair or replacement "
            "online or by phone. A crew takes care of it within ten business days, on your collection day. If your "
            "bin was lost or stolen, the first replacement in a year is free. A second blue or green bin is also "
            "free.",
            "keywords": "broken bin, cracked lid, stolen bin, lost bin, new bin, wheel broken, extra bin, second "
            "bin, kitchen catcher, new cart",
        },
        "fr": {
            "slug": "remplacer-un-bac-brise-ou-vole",
            "title": "Remplacer un bac brisé, perdu ou volé",
            "summary": "Les bacs endommagés par la collecte ou l'usure sont réparés ou remplacés gratuitement en 10 "
            "jours ouvrables. Les bacs bleus et verts supplémentaires sont gratuits.",
            "body": """Les bacs bleus et verts appartiennent à l'adresse, pas au propriétaire : laissez-les sur place
si vous déménagez.

## Bac endommagé
Couvercle brisé, bac fissuré ou roue manquante? Demandez une réparation ou un remplacement en ligne ou au
**613-555-0100**. Une équipe le répare ou l'échange **dans un délai de 10 jours ouvrables**, le jour de votre
collecte. Laissez le bac endommagé en bordure de rue avec un ruban marqué « RÉPARATION ».

## Bac perdu ou volé
Vérifiez d'abord chez vos voisins : les bacs sont souvent replacés à la mauvaise adresse. Faites ensuite une
demande de remplacement. Le premier remplacement de l'année est gratuit; ensuite, un bac vert coûte **45 $** et
un bac bleu **55 $**.

## Bacs supplémentaires
- Un deuxième **bac bleu** ou **bac vert** est gratuit.
- Les ordures vont dans votre propre poubelle ou dans des sacs; la Ville ne fournit pas de bac à ordures.

## Nouvel occupant
S'il n'y a pas de bac à votre nouvelle adresse, demandez une trousse « nouvel occupant » : elle est livrée
gratuitement en 10 jours ouvrables, avec un mini-bac de cuisine et un calendrier de collecte.
""",
            "short_answer": "Bac bleu ou vert endommagé? Demandez une réparation ou un remplacement gratuit en ligne "
            "ou au 613-555-0100; fait en 10 jours ouvrables, le jour de collecte. Perdu ou volé : 1er remplacement "
            "de l'année gratuit, ensuite 45 $ (vert) ou 55 $ (bleu). Bacs supplémentaires gratuits.",
            "voice_script": "Si votre bac bleu ou vert est endommagé, demandez une réparation ou un remplacement "
            "gratuit, en ligne ou par téléphone. Une équipe s'en occupe dans un délai de dix jours ouvrables, le "
            "jour de votre collecte. Si votre bac a été perdu ou volé, le premier remplacement de l'année est "
            "gratuit. Un deuxième bac bleu ou vert est aussi gratuit.",
            "keywords": "bac brisé, couvercle cassé, bac volé, bac perdu, nouveau bac, roue brisée, bac "
            "supplémentaire, deuxième bac, mini-bac",
        },
    },
    {
        "key": "report-pothole",
        "agency": "city-works",
        "services": ["POTHOLE"],
        "en": {
            "slug": "report-a-pothole",
            "title": "Report a pothole",
            "summary": "Report potholes on city streets, lanes and bike lanes online, by text or by phone. Most are "
            "filled within 4 business days on main roads and 7 on residential streets.",
            "body": """Potholes form fastest in spring, when water freezes and thaws under the pavement. Crews
patrol main roads, but your reports tell us where the damage is.

## How to report
- [Report a pothole online](/services/POTHOLE/apply): drop a pin on the map and add a photo if you can.
- Text the nearest address and a short description to **613-555-0100**, for example
  *"Pothole in front of 42 Elm St, bike lane"*.
- Call **613-555-0100**, Monday to Friday, 8:30 a.m. to 4:30 p.m.

Tell us roughly how big it is (smaller than a dinner plate, up to a tire, bigger than a tire) and whether it is
in a bike lane.

## How fast it is fixed
| Where | Target |
|---|---|
| Main roads and bike lanes | 4 business days |
| Residential streets and lanes | 7 business days |
| Deep holes that are a danger to traffic | same day |

Crews may fill a pothole with a temporary patch in winter and repave it properly in summer.

## Not ours
Provincial highways and private parking lots are not city streets. Sidewalk trip hazards, sunken catch basins
and damaged curbs can be reported the same way.

**Danger right now?** A hole that has already caused a crash, or a missing manhole cover: call **613-555-0100**
and press 1, 24 hours a day.
""",
            "short_answer": "Report a pothole online with a pin and photo, or text the nearest address to "
            "613-555-0100. Targets: 4 business days on main roads and bike lanes, 7 on residential streets, same day "
            "if dangerous. Missing manhole cover or danger now: call 613-555-0100, press 1, 24/7.",
            "voice_script": "You can report a pothole online, or text the nearest address and a short description "
            "to this number. Potholes on main roads and bike lanes are filled within four business days, and on "
            "residential streets within seven. If a hole is dangerous right now, or a manhole cover is missing, "
            "call City Works and press one, at any hour.",
            "keywords": "pothole, hole in road, road damage, pavement, crack in street, bump, sinkhole, manhole, "
            "catch basin, road repair, nid de poule",
        },
        "fr": {
            "slug": "signaler-un-nid-de-poule",
            "title": "Signaler un nid-de-poule",
            "summary": "Signalez les nids-de-poule dans les rues, ruelles et pistes cyclables en ligne, par texto ou "
            "par téléphone. La plupart sont réparés en 4 jours ouvrables sur les artères et en 7 dans les rues "
            "locales.",
            "body": """Les nids-de-poule apparaissent surtout au printemps, quand l'eau gèle et dégèle sous la
chaussée. Les équipes patrouillent les artères, mais vos signalements nous disent où sont les dommages.

## Comment signaler
- [Signalez un nid-de-poule en ligne](/services/POTHOLE/apply) : placez un repère sur la carte et ajoutez
  une photo si possible.
- Envoyez l'adresse la plus proche et une courte description par texto au **613-555-0100**, par exemple
  *« Nid-de-poule devant le 42, rue Elm, piste cyclable »*.
- Appelez au **613-555-0100**, du lundi au vendredi, de 8 h 30 à 16 h 30.

Indiquez sa taille approximative (plus petit qu'une assiette, jusqu'à la taille d'un pneu, plus grand qu'un
pneu) et s'il est dans une piste cyclable.

## Délais de réparation
| Endroit | Objectif |
|---|---|
| Artères et pistes cyclables | 4 jours ouvrables |
| Rues résidentielles et ruelles | 7 jours ouvrables |
| Trous profonds dangereux pour la circulation | le jour même |

En hiver, les équipes peuvent poser une réparation temporaire et refaire le pavage correctement l'été.

## Hors de notre responsabilité
Les autoroutes provinciales et les stationnements privés ne sont pas des rues de la Ville. Les trottoirs
dénivelés, les puisards affaissés et les bordures endommagées se signalent de la même façon.

**Danger immédiat?** Un trou qui a déjà causé un accident ou un couvercle de regard manquant : appelez au
**613-555-0100** et faites le 1, 24 heures sur 24.
""",
            "short_answer": "Signalez un nid-de-poule en ligne (repère et photo) ou texto l'adresse la plus proche "
            "au 613-555-0100. Délais : 4 jours ouvrables sur les artères et pistes cyclables, 7 dans les rues "
            "locales, le jour même si dangereux. Danger immédiat : 613-555-0100, faites le 1, 24 h/24.",
            "voice_script": "Vous pouvez signaler un nid-de-poule en ligne, ou envoyer par texto l'adresse la plus "
            "proche et une courte description à ce numéro. Les nids-de-poule sur les artères et les pistes "
            "cyclables sont réparés en quatre jours ouvrables, et dans les rues résidentielles en sept. Si un trou "
            "est dangereux en ce moment, ou si un couvercle de regard manque, appelez les Travaux publics et faites "
            "le un, à toute heure.",
            "keywords": "nid-de-poule, trou dans la rue, chaussée endommagée, asphalte, fissure, route brisée, "
            "regard, puisard, réparation de rue",
        },
    },
    {
        "key": "pothole-damage-claim",
        "agency": "city-works",
        "services": ["POTHOLE"],
        "en": {
            "slug": "pothole-vehicle-damage-claim",
            "title": "My car was damaged by a pothole: making a claim",
            "summary": "Send written notice of the damage to the Claims Office within 10 days, with photos and "
            "repair estimates. The city pays only where it did not meet its road maintenance standards.",
            "body": """If a pothole on a city street damaged your vehicle (tire, rim, suspension), you can file a
claim with the city's **Claims Office**.

## 1. Give notice within 10 days
Provincial law requires **written notice within 10 days** of the incident. Send the online claim form, or mail
or bring a letter to: Claims Office, City Hall, 100 Main Street.

Include:
- the **date, time and exact location** (street, nearest address, direction of travel, lane)
- **photos** of the pothole and of the damage
- **two repair estimates** or the paid invoice
- your vehicle's plate number and your insurance company

Report the pothole too, so it gets fixed.

## 2. What happens next
The Claims Office acknowledges your claim within 5 business days and checks the road's inspection and repair
records. The city is responsible only if it **knew or should have known** about the pothole and did not repair
it within the provincial minimum maintenance standards. A decision normally takes **60 to 90 days**.

## Tips
- Your own insurance may pay faster (collision coverage); your insurer can then claim from the city.
- Claims for potholes on provincial highways go to the province, not to the city.
""",
            "short_answer": "Pothole damaged your car? Send written notice to the Claims Office (City Hall, 100 Main "
            "St, or the online form) within 10 days, with date, exact location, photos and 2 repair estimates. "
            "Decisions take 60 to 90 days; the city pays only if it missed its maintenance standards.",
            "voice_script": "If a pothole on a city street damaged your vehicle, you must give written notice to "
            "the city's Claims Office within ten days. Use the online claim form or bring a letter to City Hall. "
            "Include the date, the exact location, photos, and two repair estimates. A decision usually takes sixty "
            "to ninety days.",
            "keywords": "car damage, flat tire, bent rim, claim, compensation, reimbursement, insurance, damaged "
            "vehicle, suspension, liability, sue the city",
        },
        "fr": {
            "slug": "reclamation-dommages-nid-de-poule",
            "title": "Mon véhicule a été endommagé par un nid-de-poule : faire une réclamation",
            "summary": "Envoyez un avis écrit au Bureau des réclamations dans les 10 jours, avec photos et "
            "estimations. La Ville paie seulement si elle n'a pas respecté les normes d'entretien des routes.",
            "body": """Si un nid-de-poule dans une rue de la Ville a endommagé votre véhicule (pneu, jante,
suspension), vous pouvez présenter une réclamation au **Bureau des réclamations**.

## 1. Donner un avis dans les 10 jours
La loi provinciale exige un **avis écrit dans les 10 jours** suivant l'incident. Remplissez le formulaire de
réclamation en ligne, ou envoyez ou apportez une lettre au : Bureau des réclamations, hôtel de ville,
100, rue Main.

Joignez :
- la **date, l'heure et l'endroit exact** (rue, adresse la plus proche, direction, voie)
- des **photos** du nid-de-poule et des dommages
- **deux estimations** de réparation ou la facture payée
- le numéro de plaque du véhicule et le nom de votre assureur

Signalez aussi le nid-de-poule pour qu'il soit réparé.

## 2. La suite
Le Bureau des réclamations accuse réception dans les 5 jours ouvrables et vérifie les registres d'inspection et
de réparation de la rue. La Ville est responsable seulement si elle **savait ou aurait dû savoir** que le
nid-de-poule existait et ne l'a pas réparé selon les normes provinciales d'entretien minimal. Une décision
prend normalement de **60 à 90 jours**.

## Conseils
- Votre propre assurance (collision) peut vous indemniser plus vite; votre assureur réclamera ensuite à la Ville.
- Les nids-de-poule sur les autoroutes provinciales relèvent de la province, pas de la Ville.
""",
            "short_answer": "Véhicule endommagé par un nid-de-poule? Envoyez un avis écrit au Bureau des réclamations "
            "(hôtel de ville, 100, rue Main, ou formulaire en ligne) dans les 10 jours : date, endroit exact, photos "
            "et 2 estimations. Décision en 60 à 90 jours.",
            "voice_script": "Si un nid-de-poule dans une rue de la Ville a endommagé votre véhicule, vous devez "
            "envoyer un avis écrit au Bureau des réclamations dans les dix jours. Utilisez le formulaire en ligne ou "
            "apportez une lettre à l'hôtel de ville. Indiquez la date, l'endroit exact, et joignez des photos et "
            "deux estimations de réparation. La décision prend habituellement de soixante à quatre-vingt-dix jours.",
            "keywords": "dommages à la voiture, pneu crevé, jante pliée, réclamation, indemnisation, remboursement, "
            "assurance, responsabilité, poursuivre la Ville",
        },
    },
    {
        "key": "street-lights",
        "agency": "city-works",
        "services": ["STREETLIGHT"],
        "en": {
            "slug": "street-light-out",
            "title": "Report a street light that is out or flickering",
            "summary": "Report a dark, flickering or damaged street light with the pole number if you can see it. "
            "Most repairs are done within 5 business days.",
            "body": """The city maintains about 58,000 street lights on city streets, in parks and along pathways.

## Report it
[Report a street light](/services/STREETLIGHT/apply) online, by text to **613-555-0100** or by phone.
Please give:
- the **pole number**: a metal plate about 2 metres up the pole, for example *SL-04417*
- the nearest address or intersection
- what you see: out, flickering, on during the day, leaning or damaged pole, open access door

## How fast it is fixed
- Single light out: **within 5 business days**.
- Three or more lights out in a row, or a whole street dark: **within 24 hours**.
- A knocked-down pole, exposed wires or an open access panel is an **emergency**: call **613-555-0100** and
  press 1, any time. Stay away from wires.

## Lights that are not ours
Lights on wooden hydro poles along rural roads, in private parking lots, on provincial highways and traffic
signals are maintained by others; we forward reports about them to the right owner.

Lights converted to LED are dimmer toward the sky and brighter on the street. If a new LED shines into your
window, ask for a free shield.
""",
            "short_answer": "Report a street light that is out, flickering or damaged online or by text to "
            "613-555-0100, with the pole number (plate about 2 m up) or nearest address. Fixed within 5 business "
            "days; whole street dark within 24 h. Downed pole or exposed wires: call, press 1.",
            "voice_script": "To report a street light that is out or flickering, go online or send a text to this "
            "number with the number on the pole, or the nearest address. Single lights are fixed within five "
            "business days. A whole dark street is fixed within a day. If a pole is knocked down or wires are "
            "exposed, call City Works and press one, and stay away from the wires.",
            "keywords": "streetlight, street lamp, light out, lamp post, dark street, flickering light, burnt out, "
            "lighting, pole, LED",
        },
        "fr": {
            "slug": "lampadaire-eteint",
            "title": "Signaler un lampadaire éteint ou qui clignote",
            "summary": "Signalez un lampadaire éteint, qui clignote ou endommagé, avec le numéro du poteau si "
            "vous le voyez. La plupart des réparations sont faites en 5 jours ouvrables.",
            "body": """La Ville entretient environ 58 000 lampadaires dans les rues, les parcs et le long des
sentiers.

## Signaler
[Signalez un lampadaire](/services/STREETLIGHT/apply) en ligne, par texto au **613-555-0100** ou par
téléphone. Indiquez :
- le **numéro du poteau** : une plaque de métal à environ 2 mètres du sol, par exemple *SL-04417*
- l'adresse ou l'intersection la plus proche
- ce que vous voyez : éteint, clignote, allumé le jour, poteau penché ou endommagé, porte d'accès ouverte

## Délais de réparation
- Un seul lampadaire éteint : **dans les 5 jours ouvrables**.
- Trois lampadaires ou plus d'affilée, ou une rue complète dans le noir : **dans les 24 heures**.
- Un poteau renversé, des fils exposés ou un panneau d'accès ouvert sont une **urgence** : appelez au
  **613-555-0100** et faites le 1, à toute heure. Tenez-vous loin des fils.

## Lampadaires qui ne relèvent pas de la Ville
L'éclairage sur les poteaux de bois d'Hydro en milieu rural, dans les stationnements privés et sur les
autoroutes provinciales, ainsi que les feux de circulation, sont entretenus par d'autres; nous leur transmettons
les signalements.

Les lampadaires DEL éclairent mieux la rue et moins le ciel. Si un nouveau lampadaire éclaire votre fenêtre,
demandez un écran gratuit.
""",
            "short_answer": "Signalez un lampadaire éteint, qui clignote ou endommagé en ligne ou par texto au "
            "613-555-0100, avec le numéro du poteau (plaque à 2 m) ou l'adresse. Réparé en 5 jours ouvrables; rue "
            "entière noire : 24 h. Poteau renversé ou fils exposés : appelez et faites le 1.",
            "voice_script": "Pour signaler un lampadaire éteint ou qui clignote, allez en ligne ou envoyez un texto "
            "à ce numéro avec le numéro du poteau, ou l'adresse la plus proche. Un lampadaire est réparé dans les "
            "cinq jours ouvrables. Une rue entière dans le noir est réparée en une journée. Si un poteau est "
            "renversé ou des fils sont exposés, appelez les Travaux publics et faites le un.",
            "keywords": "lampadaire, réverbère, lumière de rue, éclairage de rue, poteau, rue sombre, lumière qui "
            "clignote, ampoule brûlée, DEL",
        },
    },
    {
        "key": "graffiti",
        "agency": "city-works",
        "services": ["GRAFFITI"],
        "en": {
            "slug": "graffiti-removal",
            "title": "Graffiti: getting it removed",
            "summary": "Graffiti on city property is removed within 7 days, and hateful or offensive graffiti "
            "within 24 hours. Owners must remove graffiti on private property; free kits help.",
            "body": """Graffiti removed quickly is far less likely to come back.

## On public property
Walls, bridges, signs, bus shelters, benches, park buildings, utility boxes:
[report graffiti](/services/GRAFFITI/apply) online with a photo, or by text or phone at **613-555-0100**.

| Type | Removed within |
|---|---|
| Hateful, racist or obscene | **24 hours** |
| All other graffiti on city property | **7 days** |

Graffiti on mail boxes, hydro poles and bus stops of other operators is forwarded to the owner.

## On your property
Property owners must remove graffiti within **14 days** of a notice under the graffiti by-law.
- A **free graffiti removal kit** (remover, gloves, scrub pad, paint for one wall) is available at City Hall,
  100 Main Street, while supplies last.
- Homeowners aged 65 or over and people with a disability can ask for **one free removal a year** by a city crew.

## Hate graffiti
Please also report hate-motivated graffiti to police (non-emergency line) before it is removed, and take a photo.
""",
            "short_answer": "Report graffiti on city property online with a photo, or text 613-555-0100. Hateful or "
            "offensive graffiti is removed within 24 hours, other graffiti within 7 days. On your own property you "
            "must remove it within 14 days; free removal kits at City Hall.",
            "voice_script": "You can report graffiti on city property online, or by text or phone. Hateful or "
            "offensive graffiti is removed within twenty four hours, and other graffiti within seven days. If the "
            "graffiti is on your own property, you must remove it within fourteen days of a notice, and free "
            "removal kits are available at City Hall.",
            "keywords": "graffiti, tag, tagging, spray paint, vandalism, defaced wall, hate graffiti, offensive, "
            "paint on wall, graffiti kit",
        },
        "fr": {
            "slug": "enlevement-des-graffitis",
            "title": "Graffitis : les faire enlever",
            "summary": "Les graffitis sur la propriété de la Ville sont enlevés en 7 jours, et les graffitis "
            "haineux ou offensants en 24 heures. Les propriétaires doivent enlever ceux sur leur propriété.",
            "body": """Un graffiti enlevé rapidement a beaucoup moins de chances de revenir.

## Sur une propriété publique
Murs, ponts, panneaux, abribus, bancs, bâtiments de parc, boîtiers électriques :
[signalez un graffiti](/services/GRAFFITI/apply) en ligne avec une photo, ou par texto ou téléphone au
**613-555-0100**.

| Type | Enlevé dans un délai de |
|---|---|
| Haineux, raciste ou obscène | **24 heures** |
| Tout autre graffiti sur une propriété de la Ville | **7 jours** |

Les graffitis sur les boîtes aux lettres, les poteaux d'Hydro et les arrêts d'autres transporteurs sont
transmis au propriétaire.

## Sur votre propriété
Les propriétaires doivent enlever les graffitis dans les **14 jours** suivant un avis en vertu du règlement sur
les graffitis.
- Une **trousse gratuite** (décapant, gants, tampon à récurer, peinture pour un mur) est offerte à l'hôtel de
  ville, 100, rue Main, jusqu'à épuisement.
- Les propriétaires de 65 ans ou plus et les personnes handicapées peuvent demander **un enlèvement gratuit par
  année** par une équipe de la Ville.

## Graffitis haineux
Signalez aussi les graffitis haineux à la police (ligne non urgente) avant leur enlèvement, et prenez une photo.
""",
            "short_answer": "Signalez un graffiti sur la propriété de la Ville en ligne avec une photo, ou par texto "
            "au 613-555-0100. Haineux ou offensant : enlevé en 24 heures; autres : en 7 jours. Sur votre propriété, "
            "enlevez-le dans les 14 jours; trousses gratuites à l'hôtel de ville.",
            "voice_script": "Vous pouvez signaler un graffiti sur une propriété de la Ville en ligne, par texto ou "
            "par téléphone. Les graffitis haineux ou offensants sont enlevés en vingt-quatre heures, et les autres "
            "en sept jours. Si le graffiti est sur votre propriété, vous devez l'enlever dans les quatorze jours "
            "suivant un avis; des trousses gratuites sont offertes à l'hôtel de ville.",
            "keywords": "graffiti, tag, peinture en aérosol, vandalisme, mur barbouillé, graffiti haineux, "
            "offensant, trousse anti-graffiti",
        },
    },
    {
        "key": "trees",
        "agency": "city-works",
        "services": ["TREE"],
        "en": {
            "slug": "city-trees",
            "title": "City trees: fallen branches, pruning and planting",
            "summary": "Report a fallen or dangerous city tree any time; ask for pruning or a free tree for the "
            "front yard. Trees on private property are the owner's responsibility.",
            "body": """The city cares for trees in parks and on the **road allowance**, the strip of city land
between the road and your property line (usually 3 to 5 metres from the curb).

## Fallen tree or hanging branch
A tree or large branch blocking a road, sidewalk or path, or hanging over it, is urgent:
- [report a tree hazard](/services/TREE/apply) online or call **613-555-0100** (press 1 after hours).
- Crews respond **within 48 hours**, and within 4 hours if a road is blocked.
- A tree on wires: stay 10 metres away and call the hydro utility first.

## Pruning, inspection and removal
Ask for an inspection if a city tree looks dead, diseased or is rubbing your roof. An arborist visits within
**30 days**; routine pruning is scheduled by area, every 7 years. Stumps are ground out within a year of removal.

## Free trees
Homeowners can ask for a **free tree** for the road allowance in front of their home. Requests made by
June 30 are planted in the fall; you water it for the first two summers.

## Private trees
Trees on your property are yours to care for. Removing a tree over 50 cm across needs a **tree permit** from
City Works.
""",
            "short_answer": "Fallen city tree or branch blocking a road or path? Report it online or call "
            "613-555-0100 (press 1 after hours): response within 48 h, 4 h if a road is blocked. Ask for pruning or a "
            "free front-yard tree online. Tree on wires: keep 10 m away, call hydro.",
            "voice_script": "If a city tree or a large branch has fallen or is blocking a road or path, report it "
            "online or call City Works, and press one after hours. Crews respond within forty eight hours, and "
            "within four hours if a road is blocked. If a tree is on electrical wires, stay well away and call the "
            "hydro company first. You can also ask for pruning or a free tree for your front yard.",
            "keywords": "tree, fallen tree, branch down, broken limb, pruning, trimming, tree removal, stump, "
            "arborist, plant a tree, dead tree, storm damage",
        },
        "fr": {
            "slug": "arbres-de-la-ville",
            "title": "Arbres de la Ville : branches tombées, élagage et plantation",
            "summary": "Signalez un arbre de la Ville tombé ou dangereux en tout temps; demandez un élagage ou un "
            "arbre gratuit pour votre façade. Les arbres privés relèvent du propriétaire.",
            "body": """La Ville entretient les arbres des parcs et de l'**emprise routière**, la bande de terrain
municipal entre la rue et votre limite de propriété (habituellement de 3 à 5 mètres de la bordure).

## Arbre tombé ou branche suspendue
Un arbre ou une grosse branche qui bloque une rue, un trottoir ou un sentier, ou qui pend au-dessus, est urgent :
- [signalez un arbre dangereux](/services/TREE/apply) en ligne ou appelez au **613-555-0100** (faites le 1
  en dehors des heures d'ouverture).
- Les équipes interviennent **dans les 48 heures**, et dans les 4 heures si une rue est bloquée.
- Un arbre sur des fils électriques : restez à 10 mètres et appelez d'abord le service d'hydroélectricité.

## Élagage, inspection et abattage
Demandez une inspection si un arbre de la Ville semble mort, malade ou frotte votre toit. Un arboriste passe
dans les **30 jours**; l'élagage de routine est planifié par secteur, tous les 7 ans. Les souches sont
essouchées dans l'année suivant l'abattage.

## Arbres gratuits
Les propriétaires peuvent demander un **arbre gratuit** pour l'emprise devant leur maison. Les demandes reçues
avant le 30 juin sont plantées à l'automne; vous l'arrosez pendant les deux premiers étés.

## Arbres privés
Les arbres sur votre terrain sont sous votre responsabilité. Abattre un arbre de plus de 50 cm de diamètre
exige un **permis d'abattage** des Travaux publics.
""",
            "short_answer": "Arbre ou branche de la Ville tombé sur une rue ou un sentier? Signalez-le en ligne ou "
            "au 613-555-0100 (faites le 1 après les heures) : intervention en 48 h, 4 h si une rue est bloquée. "
            "Élagage ou arbre gratuit : en ligne. Arbre sur des fils : restez à 10 m, appelez Hydro.",
            "voice_script": "Si un arbre de la Ville ou une grosse branche est tombé ou bloque une rue ou un "
            "sentier, signalez-le en ligne ou appelez les Travaux publics, et faites le un en dehors des heures "
            "d'ouverture. Les équipes interviennent en quarante-huit heures, et en quatre heures si une rue est "
            "bloquée. Si un arbre est sur des fils électriques, éloignez-vous et appelez d'abord Hydro.",
            "keywords": "arbre, arbre tombé, branche cassée, élagage, émondage, abattage, souche, arboriste, "
            "planter un arbre, arbre mort, tempête",
        },
    },
    {
        "key": "snow-clearing",
        "agency": "city-works",
        "services": [],
        "en": {
            "slug": "snow-clearing-and-plowing",
            "title": "Snow clearing: when your street and sidewalk are plowed",
            "summary": "Main roads are plowed within 4 hours after a snowfall ends, residential streets within 16 "
            "hours once 7 cm have fallen, and sidewalks within 16 hours once 5 cm have fallen.",
            "body": """Plows work in order of priority, so emergency routes and buses keep moving first.

## Targets after the snow stops
| Where | Plowed when | Done within |
|---|---|---|
| Main roads, bus routes, hills | any snow | 4 hours |
| Collector streets | 5 cm | 10 hours |
| Residential streets and lanes | **7 cm** | **16 hours** |
| Sidewalks and pathways | **5 cm** | **16 hours** |

After a major storm (over 25 cm), residential streets can take up to 24 hours more. Follow the plows on the
live **plow tracker** map on the city website.

## Windrows
The ridge of snow a plow leaves across your driveway is not removed by the city, except through the free
**windrow program for seniors** aged 65 or over and people with a disability (register by November 1).

## Your part
- Do not push or blow snow onto the road or sidewalk: it is against the by-law (fine $150).
- Clear snow around fire hydrants and your catch basin.
- Respect the **winter overnight parking ban** when it is declared, so plows can pass.

Report a street missed 24 hours after the target, or icy sidewalks, online or at **613-555-0100**.
""",
            "short_answer": "After snow stops: main roads plowed within 4 h; residential streets within 16 h once 7 "
            "cm fell; sidewalks within 16 h once 5 cm fell. Watch the plow tracker online. Don't push snow onto the "
            "road. Seniors can register for free windrow clearing by Nov 1.",
            "voice_script": "Main roads and bus routes are plowed within four hours after the snow stops. "
            "Residential streets are plowed within sixteen hours once seven centimetres have fallen, and sidewalks "
            "within sixteen hours once five centimetres have fallen. Please do not push snow onto the road. "
            "Seniors and people with a disability can register for free windrow clearing before November first.",
            "keywords": "snow removal, snowplow, plough, plowing, unplowed street, sidewalk snow, ice, salt, "
            "sanding, windrow, driveway snow, winter maintenance, snow storm",
        },
        "fr": {
            "slug": "deneigement-des-rues-et-trottoirs",
            "title": "Déneigement : quand votre rue et votre trottoir sont déneigés",
            "summary": "Les artères sont déneigées dans les 4 heures suivant la fin d'une chute de neige, les rues "
            "résidentielles dans les 16 heures après 7 cm, et les trottoirs dans les 16 heures après 5 cm.",
            "body": """Les chasse-neige travaillent par ordre de priorité, pour que les véhicules d'urgence et
les autobus circulent en premier.

## Objectifs après la fin de la neige
| Endroit | Déneigé à partir de | Terminé dans |
|---|---|---|
| Artères, trajets d'autobus, côtes | toute neige | 4 heures |
| Rues collectrices | 5 cm | 10 heures |
| Rues résidentielles et ruelles | **7 cm** | **16 heures** |
| Trottoirs et sentiers | **5 cm** | **16 heures** |

Après une forte tempête (plus de 25 cm), les rues résidentielles peuvent prendre jusqu'à 24 heures de plus.
Suivez les chasse-neige sur la carte **Où est mon chasse-neige?** du site Web de la Ville.

## Andains
La bande de neige que le chasse-neige laisse devant votre entrée n'est pas enlevée par la Ville, sauf dans le
cadre du **programme gratuit pour les aînés** de 65 ans ou plus et les personnes handicapées (inscription avant
le 1er novembre).

## Votre rôle
- Ne poussez pas la neige dans la rue ni sur le trottoir : c'est interdit par règlement (amende de 150 $).
- Dégagez les bornes d'incendie et le puisard devant chez vous.
- Respectez l'**interdiction de stationner la nuit en hiver** quand elle est déclarée.

Signalez une rue oubliée 24 heures après l'objectif, ou un trottoir glacé, en ligne ou au **613-555-0100**.
""",
            "short_answer": "Après la neige : artères déneigées en 4 h; rues résidentielles en 16 h après 7 cm; "
            "trottoirs en 16 h après 5 cm. Suivez les chasse-neige en ligne. Ne poussez pas la neige dans la rue. "
            "Aînés : déneigement gratuit des andains, inscription avant le 1er novembre.",
            "voice_script": "Les artères et les trajets d'autobus sont déneigés dans les quatre heures suivant la "
            "fin de la neige. Les rues résidentielles sont déneigées dans les seize heures une fois sept "
            "centimètres tombés, et les trottoirs dans les seize heures une fois cinq centimètres tombés. Ne "
            "poussez pas la neige dans la rue. Les aînés et les personnes handicapées peuvent s'inscrire au "
            "déneigement gratuit des andains avant le premier novembre.",
            "keywords": "déneigement, chasse-neige, charrue, rue pas déneigée, trottoir enneigé, glace, sel, "
            "sable, andain, entrée, tempête de neige, déblaiement",
        },
    },
    {
        "key": "noise",
        "agency": "city-works",
        "services": [],
        "en": {
            "slug": "noise-complaints",
            "title": "Noise: quiet hours and how to complain",
            "summary": "Quiet hours are 11 p.m. to 7 a.m. (9 a.m. on Sundays and holidays). Construction is "
            "allowed 7 a.m. to 8 p.m. on weekdays and 9 a.m. to 6 p.m. on Saturdays.",
            "body": """The noise by-law sets when loud activity is allowed. By-law officers with City Works
enforce it.

## Quiet hours
- **11 p.m. to 7 a.m.**, every night
- until **9 a.m.** on Sundays and statutory holidays

## Construction and power tools
| Day | Allowed |
|---|---|
| Monday to Friday | 7 a.m. to 8 p.m. |
| Saturday | 9 a.m. to 6 p.m. |
| Sunday and holidays | not allowed, except emergency repairs |

Road work by the city may go on at night with a **noise exemption**, posted on the city website.

## How to complain
- **Ongoing noise** (a barking dog, an air conditioner, a business's music, construction outside hours):
  report it online or at **613-555-0100**. Give the address, the times, and how often. An officer calls you
  back within 2 business days; a noise log helps.
- **A loud party or a disturbance happening right now** at night: call the police non-emergency line.
- Threats or violence: call 911.

Your name is kept confidential. A first offence usually gets a warning; fines start at **$300**.
""",
            "short_answer": "Quiet hours: 11 p.m. to 7 a.m. (9 a.m. Sundays and holidays). Construction: 7 a.m.-8 "
            "p.m. weekdays, 9 a.m.-6 p.m. Saturdays, not on Sundays. Report ongoing noise online or at "
            "613-555-0100; a loud party right now: police non-emergency line.",
            "voice_script": "Quiet hours are from eleven at night to seven in the morning, and until nine on "
            "Sundays and holidays. Construction is allowed from seven in the morning to eight at night on weekdays, "
            "and from nine to six on Saturdays, never on Sundays. To report ongoing noise, go online or call City "
            "Works. For a loud party happening right now, call the police non emergency line.",
            "keywords": "noise complaint, loud neighbour, barking dog, loud music, party, construction noise, "
            "quiet hours, noise bylaw, leaf blower, early construction, by-law officer",
        },
        "fr": {
            "slug": "plaintes-pour-le-bruit",
            "title": "Bruit : heures de silence et plaintes",
            "summary": "Les heures de silence vont de 23 h à 7 h (9 h le dimanche et les jours fériés). Les "
            "travaux de construction sont permis de 7 h à 20 h en semaine et de 9 h à 18 h le samedi.",
            "body": """Le règlement sur le bruit précise quand les activités bruyantes sont permises. Les agents
d'application des règlements des Travaux publics le font respecter.

## Heures de silence
- De **23 h à 7 h**, chaque nuit
- jusqu'à **9 h** le dimanche et les jours fériés

## Construction et outils électriques
| Jour | Permis |
|---|---|
| Du lundi au vendredi | de 7 h à 20 h |
| Samedi | de 9 h à 18 h |
| Dimanche et jours fériés | interdit, sauf réparations d'urgence |

Des travaux routiers de la Ville peuvent avoir lieu la nuit avec une **exemption**, affichée sur le site Web
de la Ville.

## Porter plainte
- **Bruit continu** (chien qui jappe, climatiseur, musique d'un commerce, construction hors des heures) :
  signalez-le en ligne ou au **613-555-0100**. Indiquez l'adresse, les heures et la fréquence. Un agent vous
  rappelle dans les 2 jours ouvrables; un journal du bruit est utile.
- **Une fête bruyante ou un trouble en cours** la nuit : appelez la ligne non urgente de la police.
- Menaces ou violence : faites le 911.

Votre nom reste confidentiel. Une première infraction donne habituellement un avertissement; les amendes
commencent à **300 $**.
""",
            "short_answer": "Heures de silence : de 23 h à 7 h (9 h le dimanche et les jours fériés). Construction : "
            "7 h à 20 h en semaine, 9 h à 18 h le samedi, jamais le dimanche. Bruit continu : en ligne ou "
            "613-555-0100; fête bruyante en cours : ligne non urgente de la police.",
            "voice_script": "Les heures de silence vont de vingt-trois heures à sept heures, et jusqu'à neuf heures "
            "le dimanche et les jours fériés. La construction est permise de sept heures à vingt heures en "
            "semaine, et de neuf heures à dix-huit heures le samedi, jamais le dimanche. Pour un bruit continu, "
            "faites un signalement en ligne ou appelez les Travaux publics. Pour une fête bruyante en cours, "
            "appelez la ligne non urgente de la police.",
            "keywords": "plainte de bruit, voisin bruyant, chien qui jappe, musique forte, fête, bruit de "
            "construction, heures de silence, règlement sur le bruit, souffleuse",
        },
    },
    {
        "key": "opening-hours",
        "agency": "city-works",
        "services": [],
        "en": {
            "slug": "city-hall-opening-hours",
            "title": "Opening hours of City Hall and the city's phone lines",
            "summary": "Service counters and phone lines are open Monday to Friday, 8:30 a.m. to 4:30 p.m., and "
            "closed on statutory holidays. Online services, text and chat work 24 hours a day.",
            "body": """## In person
**City Hall Service Centre**, 100 Main Street (ground floor, accessible entrance on Elm Street)
- Monday to Friday, **8:30 a.m. to 4:30 p.m.**
- Thursdays until **7 p.m.** for property tax and licensing payments
- Closed on weekends and statutory holidays

**Licensing Centre**, 2400 Elm Street: Monday to Friday, 8:30 a.m. to 4:30 p.m.; Saturdays 9 a.m. to 1 p.m.
(road tests by appointment).

**Riverside Depot**, 2200 Industrial Road: weekdays 7:30 a.m. to 5 p.m.; Saturdays April to November.

## By phone
| Line | Number | Hours |
|---|---|---|
| City Works | 613-555-0100 | Mon-Fri 8:30-4:30; press 1 for emergencies 24/7 |
| Transport & Licensing | 613-555-0200 | Mon-Fri 8:30-4:30 |
| Revenue & Taxation | 613-555-0300 | Mon-Fri 8:30-4:30 |

## Any time
Online services, the self-service assistant by **chat** or **text**, and the phone menu are available **24 hours a
day**. Requests sent outside office hours are answered the next business day.

## Holidays in the coming year
Christmas Day, Boxing Day, New Year's Day, Family Day, Good Friday, Victoria Day, Canada Day, the Civic Holiday,
Labour Day, the National Day for Truth and Reconciliation, Thanksgiving and Remembrance Day.
""",
            "short_answer": "City Hall (100 Main St) and phone lines: Monday to Friday, 8:30 a.m. to 4:30 p.m., "
            "Thursdays to 7 p.m. for payments; closed weekends and holidays. Licensing Centre also Saturdays 9-1. "
            "Online services, chat and text work 24/7.",
            "voice_script": "City Hall, at one hundred Main Street, and our phone lines are open Monday to Friday, "
            "from eight thirty in the morning to four thirty in the afternoon, and on Thursdays until seven in the "
            "evening for payments. We are closed on weekends and statutory holidays. The Licensing Centre is also "
            "open Saturday mornings. Online services, chat and text messages are available at any time.",
            "keywords": "hours, opening hours, open, closed, when are you open, office hours, schedule, address, "
            "location, city hall, counter, holiday closures, phone number, contact",
        },
        "fr": {
            "slug": "heures-d-ouverture-de-l-hotel-de-ville",
            "title": "Heures d'ouverture de l'hôtel de ville et des lignes téléphoniques",
            "summary": "Les comptoirs et les lignes téléphoniques sont ouverts du lundi au vendredi, de 8 h 30 à "
            "16 h 30, et fermés les jours fériés. Les services en ligne, le texto et le clavardage sont ouverts "
            "24 h/24.",
            "body": """## En personne
**Centre de service de l'hôtel de ville**, 100, rue Main (rez-de-chaussée, entrée accessible rue Elm)
- Du lundi au vendredi, de **8 h 30 à 16 h 30**
- Le jeudi jusqu'à **19 h** pour les paiements de taxes et de permis
- Fermé la fin de semaine et les jours fériés

**Centre des permis**, 2400, rue Elm : du lundi au vendredi, de 8 h 30 à 16 h 30; le samedi de 9 h à 13 h
(examens de conduite sur rendez-vous).

**Dépôt Riverside**, 2200, chemin Industrial : en semaine de 7 h 30 à 17 h; le samedi d'avril à novembre.

## Par téléphone
| Ligne | Numéro | Heures |
|---|---|---|
| Travaux publics | 613-555-0100 | lun.-ven. 8 h 30-16 h 30; faites le 1 pour les urgences 24 h/24 |
| Transport et permis | 613-555-0200 | lun.-ven. 8 h 30-16 h 30 |
| Revenus et taxation | 613-555-0300 | lun.-ven. 8 h 30-16 h 30 |

## En tout temps
Les services en ligne, l'assistant libre-service par **clavardage** ou **texto** et le menu téléphonique sont
offerts **24 heures sur 24**. Les demandes reçues en dehors des heures d'ouverture sont traitées le jour
ouvrable suivant.

## Jours fériés de l'année
Noël, le lendemain de Noël, le jour de l'An, le jour de la Famille, le Vendredi saint, la fête de Victoria, la
fête du Canada, le congé civique, la fête du Travail, la Journée nationale de la vérité et de la
réconciliation, l'Action de grâce et le jour du Souvenir.
""",
            "short_answer": "Hôtel de ville (100, rue Main) et lignes téléphoniques : du lundi au vendredi, de "
            "8 h 30 à 16 h 30, le jeudi jusqu'à 19 h pour les paiements; fermé la fin de semaine et les jours "
            "fériés. Centre des permis aussi le samedi de 9 h à 13 h. En ligne, clavardage et texto : 24 h/24.",
            "voice_script": "L'hôtel de ville, au cent, rue Main, et nos lignes téléphoniques sont ouverts du lundi "
            "au vendredi, de huit heures trente à seize heures trente, et le jeudi jusqu'à dix-neuf heures pour les "
            "paiements. Nous sommes fermés la fin de semaine et les jours fériés. Le Centre des permis est aussi "
            "ouvert le samedi matin. Les services en ligne, le clavardage et les textos sont offerts en tout temps.",
            "keywords": "heures, heures d'ouverture, ouvert, fermé, horaire, adresse, emplacement, hôtel de ville, "
            "comptoir, jours fériés, numéro de téléphone, nous joindre",
        },
    },
    {
        "key": "accessibility",
        "agency": "city-works",
        "services": [],
        "en": {
            "slug": "accessible-city-services",
            "title": "Accessible services: relay calls, sign language, large print and more",
            "summary": "Call through any relay service, ask for an ASL or LSQ interpreter, or get any city "
            "document in large print, braille, audio or plain language, free of charge.",
            "body": """Everyone should be able to use city services. All of these are **free**.

## Contacting us
- **Relay and TTY:** call any city line through Canada's relay services or video relay; TTY **613-555-0199**.
- **Text and chat:** every agency line takes text messages, and the web chat works with screen readers.
- **In person:** City Hall's Elm Street entrance has automatic doors, a ramp and a lowered counter; hearing loops
  are at counters 1 to 4. Service animals are always welcome.

## Sign language and other languages
Ask for an **ASL or LSQ interpreter** for an appointment or meeting at least **3 business days** ahead.
Phone interpretation in more than 150 languages is available right away: ask the agent.

## Documents in other formats
Any notice, bill, form or letter is available in **large print, braille, audio, electronic text or plain
language**. Ask once and we keep your preference on file for future mail.

## Help with forms
Staff at City Hall can fill in an online form with you, or a form can be completed over the phone.

## Feedback
Tell us about a barrier at **613-555-0100** or accessibility@city.example. We reply within 5 business days.
""",
            "short_answer": "Accessible services are free: relay or TTY (613-555-0199), text and chat, ASL or LSQ "
            "interpreters (ask 3 business days ahead), documents in large print, braille, audio or plain language. "
            "City Hall's Elm St entrance is step-free, with hearing loops.",
            "voice_script": "All our accessibility services are free. You can reach us through any relay service "
            "or by TTY, or by text message and chat. Ask for a sign language interpreter at least three business "
            "days before an appointment. Any document can be sent in large print, braille, audio or plain language. "
            "City Hall has a step free entrance on Elm Street, and hearing loops at the counters.",
            "keywords": "accessibility, disability, deaf, hard of hearing, blind, low vision, wheelchair, TTY, "
            "relay, sign language, ASL, interpreter, large print, braille, accommodation",
        },
        "fr": {
            "slug": "services-accessibles",
            "title": "Services accessibles : relais, langue des signes, gros caractères et plus",
            "summary": "Appelez par un service de relais, demandez un interprète en LSQ ou en ASL, ou obtenez tout "
            "document en gros caractères, en braille, en audio ou en langage clair, sans frais.",
            "body": """Tout le monde doit pouvoir utiliser les services de la Ville. Tous ces services sont
**gratuits**.

## Nous joindre
- **Relais et ATS :** appelez n'importe quelle ligne de la Ville par les services de relais canadiens ou le
  relais vidéo; ATS **613-555-0199**.
- **Texto et clavardage :** toutes les lignes acceptent les textos, et le clavardage fonctionne avec les
  lecteurs d'écran.
- **En personne :** l'entrée rue Elm de l'hôtel de ville a des portes automatiques, une rampe et un comptoir
  abaissé; des boucles magnétiques équipent les comptoirs 1 à 4. Les animaux d'assistance sont toujours bienvenus.

## Langue des signes et autres langues
Demandez un **interprète en LSQ ou en ASL** pour un rendez-vous ou une réunion au moins **3 jours ouvrables**
à l'avance. L'interprétation téléphonique dans plus de 150 langues est offerte sur-le-champ : demandez-la à
l'agent.

## Documents en d'autres formats
Tout avis, compte, formulaire ou lettre est offert en **gros caractères, en braille, en audio, en texte
électronique ou en langage clair**. Demandez-le une fois et nous garderons votre préférence au dossier.

## Aide pour les formulaires
Le personnel de l'hôtel de ville peut remplir un formulaire en ligne avec vous, ou le remplir au téléphone.

## Commentaires
Signalez un obstacle au **613-555-0100** ou à accessibilite@city.example. Nous répondons dans les 5 jours
ouvrables.
""",
            "short_answer": "Services accessibles gratuits : relais ou ATS (613-555-0199), texto et clavardage, "
            "interprètes LSQ ou ASL (3 jours ouvrables d'avance), documents en gros caractères, braille, audio ou "
            "langage clair. Entrée sans marche rue Elm, boucles magnétiques aux comptoirs.",
            "voice_script": "Tous nos services d'accessibilité sont gratuits. Vous pouvez nous joindre par un "
            "service de relais ou par ATS, ou par texto et clavardage. Demandez un interprète en langue des signes "
            "au moins trois jours ouvrables avant un rendez-vous. Tout document peut être envoyé en gros "
            "caractères, en braille, en audio ou en langage clair. L'hôtel de ville a une entrée sans marche rue "
            "Elm.",
            "keywords": "accessibilité, handicap, sourd, malentendant, aveugle, malvoyant, fauteuil roulant, ATS, "
            "relais, langue des signes, LSQ, interprète, gros caractères, braille, accommodement",
        },
    },
    {
        "key": "request-status",
        "agency": "city-works",
        "services": [],
        "en": {
            "slug": "check-the-status-of-a-request",
            "title": "Check the status of a request or report",
            "summary": "Every request gets a reference like TS-2026-000123. Check it in your account, by texting "
            "the reference to the agency's number, or by phone.",
            "body": """When you report a problem or apply for something, you get a **reference number** such as
**TS-2026-000123** by text or email.

## Ways to check
- **Online:** sign in and open [My requests](/account/cases) to see each request, its status and every message.
- **By text or chat:** send the reference, for example *"status TS-2026-000123"*. If the number you write from
  is not on file, the assistant asks a short question to check it is you (such as the street of the request).
- **By phone:** call the agency and give the reference.

## What the statuses mean
| Status | Meaning |
|---|---|
| Received | We have it and will assign it soon |
| In progress | A crew or an officer is working on it |
| Waiting for you | We need information from you: check your messages |
| Resolved | The work is done; tell us within 14 days if it is not |
| Closed | Finished; a new report opens a new request |

## Lost your reference?
Sign in with the email or phone number you used: all your requests are listed there. Or call us and we will
find it with your name and address.

Each service has a target time (for example 24 hours for a missed collection, 5 business days for a street
light). If a request goes past its target, a supervisor is told automatically.
""",
            "short_answer": "Check a request with its reference (like TS-2026-000123): sign in and open My requests, "
            "or text or chat 'status' and the reference; we may ask a quick question to confirm it's you. Lost the "
            "reference? Sign in with the email or phone you used.",
            "voice_script": "Every request has a reference number that starts with the letters T S, followed by "
            "the year and a number. To check it, sign in to your online account, or send the reference by text or "
            "chat, or say it to an agent by phone. If you lost it, sign in with the email or phone number you used, "
            "and all your requests are listed.",
            "keywords": "status, track my request, case number, reference number, follow up, update on my report, "
            "where is my request, ticket number, progress, my requests",
        },
        "fr": {
            "slug": "suivre-une-demande",
            "title": "Suivre l'état d'une demande ou d'un signalement",
            "summary": "Chaque demande reçoit une référence comme TS-2026-000123. Suivez-la dans votre compte, en "
            "envoyant la référence par texto ou par téléphone.",
            "body": """Quand vous signalez un problème ou faites une demande, vous recevez un **numéro de
référence** comme **TS-2026-000123** par texto ou par courriel.

## Comment suivre votre demande
- **En ligne :** connectez-vous et ouvrez [Mes demandes](/account/cases) pour voir chaque demande, son état et
  tous les messages.
- **Par texto ou clavardage :** envoyez la référence, par exemple *« état TS-2026-000123 »*. Si votre numéro
  n'est pas au dossier, l'assistant vous pose une courte question pour confirmer votre identité (comme la rue
  de la demande).
- **Par téléphone :** appelez le service et donnez la référence.

## Ce que signifient les états
| État | Signification |
|---|---|
| Reçue | Nous l'avons et l'assignerons bientôt |
| En cours | Une équipe ou un agent s'en occupe |
| En attente de votre réponse | Nous avons besoin d'information : consultez vos messages |
| Résolue | Le travail est terminé; dites-nous dans les 14 jours si ce n'est pas le cas |
| Fermée | Terminée; un nouveau signalement ouvre une nouvelle demande |

## Référence perdue?
Connectez-vous avec le courriel ou le numéro de téléphone utilisé : toutes vos demandes y sont. Ou appelez-nous
et nous la retrouverons avec votre nom et votre adresse.

Chaque service a un délai cible (par exemple 24 heures pour une collecte oubliée, 5 jours ouvrables pour un
lampadaire). Si une demande dépasse son délai, un superviseur est avisé automatiquement.
""",
            "short_answer": "Suivez une demande avec sa référence (ex. TS-2026-000123) : connectez-vous à Mes "
            "demandes, ou envoyez « état » et la référence par texto ou clavardage; une courte question peut "
            "confirmer votre identité. Référence perdue? Connectez-vous avec le courriel ou le téléphone utilisé.",
            "voice_script": "Chaque demande a un numéro de référence qui commence par les lettres T S, suivies de "
            "l'année et d'un numéro. Pour la suivre, connectez-vous à votre compte en ligne, envoyez la référence "
            "par texto ou par clavardage, ou donnez-la à un agent au téléphone. Si vous l'avez perdue, connectez-vous "
            "avec le courriel ou le numéro de téléphone utilisé.",
            "keywords": "état, suivi, suivre ma demande, numéro de dossier, numéro de référence, où en est ma "
            "demande, mise à jour, progression, mes demandes",
        },
    },
]

TRANSPORT_LICENSING: list[dict[str, Any]] = [
    {
        "key": "dl-renew",
        "agency": "transport-licensing",
        "services": ["DL-RENEW"],
        "en": {
            "slug": "renew-your-drivers-licence",
            "title": "Renew your driver's licence",
            "summary": "Renew online up to 6 months before your licence expires, for $90 (5 years). You must "
            "renew in person if you need a new photo, are 80 or over, or your licence expired over a year ago.",
            "body": """Your licence card shows its expiry date, usually on your birthday. We send a renewal
reminder by mail or email **90 days** before.

## Renew online (most people)
[Renew your licence online](/services/DL-RENEW/apply) from **6 months before** to **1 year after** the expiry
date. You need:
- your **licence number** (15 characters, for example A1234-56789-01234)
- your current address (update it first if you moved)
- a credit card or debit card for the **$90** fee (5-year licence)

A temporary paper licence is emailed at once; the new card arrives by mail in **2 to 4 weeks**.

## Renew in person
Go to the **Licensing Centre, 2400 Elm Street**, if:
- your photo is more than **10 years** old (we take a new one)
- you are **80 or older** (a vision test and a short group session are required every 2 years)
- your licence expired **more than 1 year** ago
- you hold a commercial licence (class A to F) and need a medical report

Bring your current licence and one proof of identity. No appointment needed, Monday to Friday 8:30 a.m. to
4:30 p.m., Saturdays 9 a.m. to 1 p.m.

## Expired more than 3 years?
You will need to pass the knowledge and road tests again.

Driving with an expired licence can lead to a fine of up to **$1,000**.
""",
            "short_answer": "Renew your driver's licence online from 6 months before to 1 year after expiry: licence "
            "number and $90 (5 years). Go to the Licensing Centre, 2400 Elm St, if your photo is over 10 years old, "
            "you're 80+, or it expired over a year ago. Card arrives in 2-4 weeks.",
            "voice_script": "You can renew your driver's licence online, from six months before it expires until "
            "one year after. You need your licence number, and the fee is ninety dollars for five years. Please "
            "renew in person at the Licensing Centre on Elm Street if your photo is more than ten years old, if you "
            "are eighty or older, or if your licence expired more than a year ago. The new card arrives by mail in "
            "two to four weeks.",
            "keywords": "renew license, licence renewal, driving licence, drivers license expired, expiry, renewal "
            "fee, license sticker, driver's permit, renouvellement",
        },
        "fr": {
            "slug": "renouveler-votre-permis-de-conduire",
            "title": "Renouveler votre permis de conduire",
            "summary": "Renouvelez en ligne jusqu'à 6 mois avant l'expiration, pour 90 $ (5 ans). Présentez-vous "
            "en personne s'il faut une nouvelle photo, si vous avez 80 ans ou plus, ou si le permis est expiré "
            "depuis plus d'un an.",
            "body": """La carte de votre permis indique sa date d'expiration, habituellement à votre anniversaire.
Nous vous envoyons un rappel par la poste ou par courriel **90 jours** avant.

## Renouveler en ligne (la plupart des gens)
[Renouvelez votre permis en ligne](/services/DL-RENEW/apply) de **6 mois avant** à **1 an après** la date
d'expiration. Il vous faut :
- votre **numéro de permis** (15 caractères, par exemple A1234-56789-01234)
- votre adresse actuelle (mettez-la à jour d'abord si vous avez déménagé)
- une carte de crédit ou de débit pour les frais de **90 $** (permis de 5 ans)

Un permis temporaire en papier vous est envoyé par courriel sur-le-champ; la nouvelle carte arrive par la
poste en **2 à 4 semaines**.

## Renouveler en personne
Présentez-vous au **Centre des permis, 2400, rue Elm**, si :
- votre photo date de plus de **10 ans** (nous en prenons une nouvelle)
- vous avez **80 ans ou plus** (examen de la vue et courte séance de groupe tous les 2 ans)
- votre permis est expiré depuis **plus d'un an**
- vous avez un permis commercial (classes A à F) et devez fournir un rapport médical

Apportez votre permis actuel et une pièce d'identité. Sans rendez-vous, du lundi au vendredi de 8 h 30 à
16 h 30, le samedi de 9 h à 13 h.

## Expiré depuis plus de 3 ans?
Vous devrez repasser l'examen théorique et l'examen pratique.

Conduire avec un permis expiré peut entraîner une amende allant jusqu'à **1 000 $**.
""",
            "short_answer": "Renouvelez votre permis de conduire en ligne de 6 mois avant à 1 an après l'expiration : "
            "numéro de permis et 90 $ (5 ans). En personne au Centre des permis, 2400, rue Elm, si la photo a plus "
            "de 10 ans, si vous avez 80 ans et plus ou s'il est expiré depuis plus d'un an.",
            "voice_script": "Vous pouvez renouveler votre permis de conduire en ligne, de six mois avant son "
            "expiration jusqu'à un an après. Il vous faut votre numéro de permis, et les frais sont de quatre-vingt-"
            "dix dollars pour cinq ans. Renouvelez en personne au Centre des permis, rue Elm, si votre photo a plus "
            "de dix ans, si vous avez quatre-vingts ans ou plus, ou si votre permis est expiré depuis plus d'un an. "
            "La nouvelle carte arrive par la poste en deux à quatre semaines.",
            "keywords": "renouvellement du permis, permis expiré, permis de conduire, date d'expiration, frais de "
            "renouvellement, carte de conduite, licence",
        },
    },
    {
        "key": "dl-lost",
        "agency": "transport-licensing",
        "services": ["DL-RENEW"],
        "en": {
            "slug": "lost-or-stolen-drivers-licence",
            "title": "Replace a lost, stolen or damaged driver's licence",
            "summary": "Order a replacement card online for $35 if your address has not changed. If it was "
            "stolen, report it to police first. A temporary licence is valid for 90 days.",
            "body": """You must carry your licence when you drive. If the card is lost, stolen or damaged, order a
replacement right away.

## If it was stolen
Report the theft to the police and keep the **occurrence number**: it helps if someone uses your identity.
Watch for mail or bills you do not recognise.

## Order a replacement
- **Online**, if your address and name have not changed: enter your licence number (it is on old mail from us
  or your vehicle permit), answer two security questions and pay **$35**.
- **In person** at the Licensing Centre, 2400 Elm Street, if your address or name changed, your photo is over
  10 years old, or you cannot answer the security questions. Bring one proof of identity (passport, birth
  certificate or permanent resident card).

You get a **temporary paper licence valid for 90 days**. The new card comes by mail in **2 to 4 weeks**.
It has a new issue number; your licence number stays the same.

## Found the old card?
Cut it in half and recycle it. Only the newest card is valid.

Damaged cards (cracked, peeling, unreadable) are replaced the same way, for the same fee.
""",
            "short_answer": "Lost or damaged licence? Order a replacement online for $35 if your address hasn't "
            "changed; otherwise go to the Licensing Centre, 2400 Elm St, with ID. If stolen, report it to police "
            "first. A temporary licence is valid 90 days; the card arrives in 2-4 weeks.",
            "voice_script": "If your driver's licence is lost or damaged, you can order a replacement online for "
            "thirty five dollars, as long as your address has not changed. Otherwise, visit the Licensing Centre on "
            "Elm Street with a piece of identification. If it was stolen, report it to the police first. You get a "
            "temporary licence valid for ninety days, and the new card arrives in two to four weeks.",
            "keywords": "lost license, stolen wallet, lost licence, replacement licence, duplicate, damaged card, "
            "misplaced, new card, stolen id, replace licence",
        },
        "fr": {
            "slug": "permis-de-conduire-perdu-ou-vole",
            "title": "Remplacer un permis de conduire perdu, volé ou endommagé",
            "summary": "Commandez une carte de remplacement en ligne pour 35 $ si votre adresse n'a pas changé. "
            "S'il a été volé, signalez-le d'abord à la police. Un permis temporaire est valide 90 jours.",
            "body": """Vous devez avoir votre permis sur vous quand vous conduisez. Si la carte est perdue, volée ou
endommagée, commandez-en une nouvelle sans tarder.

## En cas de vol
Signalez le vol à la police et gardez le **numéro d'événement** : il sera utile si quelqu'un usurpe votre
identité. Surveillez le courrier ou les factures que vous ne reconnaissez pas.

## Commander un remplacement
- **En ligne**, si votre adresse et votre nom n'ont pas changé : entrez votre numéro de permis (il figure sur
  notre courrier ou votre certificat d'immatriculation), répondez à deux questions de sécurité et payez **35 $**.
- **En personne** au Centre des permis, 2400, rue Elm, si votre adresse ou votre nom a changé, si votre photo a
  plus de 10 ans ou si vous ne pouvez pas répondre aux questions de sécurité. Apportez une pièce d'identité
  (passeport, certificat de naissance ou carte de résident permanent).

Vous recevez un **permis temporaire en papier valide 90 jours**. La nouvelle carte arrive par la poste en
**2 à 4 semaines**. Elle porte un nouveau numéro d'émission; votre numéro de permis ne change pas.

## Vous avez retrouvé l'ancienne carte?
Coupez-la en deux et recyclez-la. Seule la carte la plus récente est valide.

Les cartes endommagées (fissurées, décollées, illisibles) sont remplacées de la même façon, aux mêmes frais.
""",
            "short_answer": "Permis perdu ou endommagé? Commandez un remplacement en ligne pour 35 $ si votre adresse "
            "n'a pas changé; sinon, au Centre des permis, 2400, rue Elm, avec une pièce d'identité. Volé : "
            "signalez-le d'abord à la police. Permis temporaire valide 90 jours; carte en 2 à 4 semaines.",
            "voice_script": "Si votre permis de conduire est perdu ou endommagé, vous pouvez commander un "
            "remplacement en ligne pour trente-cinq dollars, si votre adresse n'a pas changé. Sinon, présentez-vous "
            "au Centre des permis, rue Elm, avec une pièce d'identité. S'il a été volé, signalez-le d'abord à la "
            "police. Vous recevez un permis temporaire valide quatre-vingt-dix jours, et la nouvelle carte arrive "
            "en deux à quatre semaines.",
            "keywords": "permis perdu, portefeuille volé, remplacement du permis, duplicata, carte endommagée, "
            "permis égaré, nouvelle carte, vol d'identité",
        },
    },
    {
        "key": "change-address",
        "agency": "transport-licensing",
        "services": ["DL-RENEW", "VEH-REG", "PARK-PERMIT"],
        "en": {
            "slug": "change-your-address",
            "title": "Moving? Change your address with the city",
            "summary": "Update your address on your driver's licence and vehicle registrations within 6 days of "
            "moving, free, online. Property tax mailing addresses and parking permits are changed separately.",
            "body": """The law requires you to update the address on your **driver's licence and vehicle
registration within 6 days** of moving. It is free.

## One online change for licensing
Use **Change my address** online (or at the Licensing Centre, 2400 Elm Street). One change updates:
- your driver's licence (a sticker with the new address is mailed to put on the back of your card)
- every vehicle registered in your name
- your accessible parking permit, if you have one

You need your licence number and your new postal code.

## Things to update separately
- **Residential parking permit:** permits are tied to a street; cancel the old one for a prorated refund and
  apply for a new one if your new street has permit parking.
- **Property tax:** if you still own your old home, or you rent it out, tell Revenue & Taxation your new
  **mailing address** at 613-555-0300. Selling your home is handled by your lawyer.
- **Online account:** update your address and phone in your account's preferences so replies reach you.
- **Garbage and recycling:** bins stay with the house. Look up your new collection day.

Moving from another province or country? See *Moving here: exchange your driver's licence*.
""",
            "short_answer": "Moved? Update your driver's licence and vehicle registrations within 6 days, free: use "
            "Change my address online or at the Licensing Centre, 2400 Elm St. Parking permits and property tax "
            "mailing addresses (613-555-0300) are changed separately.",
            "voice_script": "When you move, you must update the address on your driver's licence and vehicle "
            "registrations within six days. It is free, online or at the Licensing Centre. One change updates your "
            "licence and all your vehicles. Your residential parking permit and your property tax mailing address "
            "are changed separately.",
            "keywords": "change of address, moving, moved, new address, update address, relocate, mailing address, "
            "address on licence, address change, new home",
        },
        "fr": {
            "slug": "changer-votre-adresse",
            "title": "Vous déménagez? Changez votre adresse auprès de la Ville",
            "summary": "Mettez à jour l'adresse de votre permis de conduire et de vos immatriculations dans les 6 "
            "jours suivant le déménagement, gratuitement, en ligne. L'adresse postale pour les taxes et les permis "
            "de stationnement se changent à part.",
            "body": """La loi exige de mettre à jour l'adresse de votre **permis de conduire et de
l'immatriculation de vos véhicules dans les 6 jours** suivant votre déménagement. C'est gratuit.

## Un seul changement en ligne pour les permis
Utilisez **Changer mon adresse** en ligne (ou au Centre des permis, 2400, rue Elm). Un seul changement met à
jour :
- votre permis de conduire (un autocollant avec la nouvelle adresse vous est posté pour le dos de la carte)
- tous les véhicules immatriculés à votre nom
- votre permis de stationnement accessible, si vous en avez un

Il vous faut votre numéro de permis et votre nouveau code postal.

## À mettre à jour séparément
- **Permis de stationnement résidentiel :** le permis est lié à une rue; annulez l'ancien pour un
  remboursement au prorata et demandez-en un nouveau si votre nouvelle rue est en zone de permis.
- **Impôt foncier :** si vous êtes encore propriétaire de l'ancienne maison, ou si vous la louez, donnez votre
  nouvelle **adresse postale** aux Revenus et taxation au 613-555-0300. La vente est gérée par votre notaire ou
  avocat.
- **Compte en ligne :** mettez à jour votre adresse et votre téléphone dans vos préférences.
- **Collecte des ordures :** les bacs restent à la maison. Consultez votre nouveau jour de collecte.

Vous arrivez d'une autre province ou d'un autre pays? Consultez *Nouveaux résidents : échanger votre permis*.
""",
            "short_answer": "Déménagement? Mettez à jour votre permis de conduire et vos immatriculations dans les 6 "
            "jours, gratuitement : Changer mon adresse en ligne ou au Centre des permis, 2400, rue Elm. Permis de "
            "stationnement et adresse postale pour les taxes (613-555-0300) : séparément.",
            "voice_script": "Quand vous déménagez, vous devez mettre à jour l'adresse de votre permis de conduire "
            "et de vos immatriculations dans les six jours. C'est gratuit, en ligne ou au Centre des permis. Un seul "
            "changement met à jour votre permis et tous vos véhicules. Votre permis de stationnement résidentiel "
            "et votre adresse postale pour l'impôt foncier se changent séparément.",
            "keywords": "changement d'adresse, déménagement, déménager, nouvelle adresse, mettre à jour l'adresse, "
            "adresse postale, nouveau logement",
        },
    },
    {
        "key": "dl-new-resident",
        "agency": "transport-licensing",
        "services": ["DL-RENEW"],
        "en": {
            "slug": "exchange-an-out-of-province-licence",
            "title": "Moving here: exchange your driver's licence",
            "summary": "New residents have 60 days to exchange a licence from another province or country. "
            "Licences from other provinces and some countries are exchanged without tests.",
            "body": """Welcome! You can drive with your valid licence from elsewhere for **60 days** after you
become a resident. Exchange it before then.

## From another Canadian province or territory, or the United States
Bring to the Licensing Centre, 2400 Elm Street:
- your valid licence (it is kept and cancelled)
- **proof of residence** here: a lease, utility bill or bank statement with your name and new address
- proof of identity
- **$90** for a 5-year licence

No knowledge or road test is needed. You leave with a temporary licence.

## From another country
- **Exchange countries** (including the United Kingdom, France, Germany, Japan, South Korea, Australia and
  Switzerland): a full licence in exchange without a road test, with an official translation if it is not in
  English or French.
- **Other countries:** you keep credit for your driving experience, up to 2 years, with a letter of
  authentication from the issuing authority, but you must pass the **knowledge test** and a **road test**.

Book road tests online; there are often 4 to 6 weeks of waiting in spring and summer.

## Vehicles
Register a vehicle you bring with you within **30 days**: it needs a safety inspection and, from outside
Canada, import papers.
""",
            "short_answer": "New resident? Exchange your licence within 60 days at the Licensing Centre, 2400 Elm "
            "St: bring the licence, proof of residence and ID; $90. From another province or the US: no tests. "
            "From other countries: tests may be needed. Register your vehicle within 30 days.",
            "voice_script": "If you just moved here, you can drive with your valid licence for sixty days. Exchange "
            "it before then at the Licensing Centre on Elm Street. Bring your licence, proof of your new address, "
            "and identification. The fee is ninety dollars. Licences from other provinces and the United States are "
            "exchanged without tests. Licences from some other countries need a knowledge test and a road test.",
            "keywords": "new resident, moving from, out of province, foreign licence, international license, "
            "exchange licence, transfer license, newcomer, immigrant, other country licence",
        },
        "fr": {
            "slug": "echanger-un-permis-d-une-autre-province",
            "title": "Nouveaux résidents : échanger votre permis de conduire",
            "summary": "Les nouveaux résidents ont 60 jours pour échanger un permis d'une autre province ou d'un "
            "autre pays. Les permis des autres provinces et de certains pays s'échangent sans examen.",
            "body": """Bienvenue! Vous pouvez conduire avec votre permis valide d'ailleurs pendant **60 jours**
après être devenu résident. Échangez-le avant la fin de ce délai.

## D'une autre province ou d'un territoire canadien, ou des États-Unis
Apportez au Centre des permis, 2400, rue Elm :
- votre permis valide (il est conservé et annulé)
- une **preuve de résidence** ici : bail, facture de services publics ou relevé bancaire à votre nom et à
  votre nouvelle adresse
- une pièce d'identité
- **90 $** pour un permis de 5 ans

Aucun examen théorique ni pratique. Vous repartez avec un permis temporaire.

## D'un autre pays
- **Pays avec entente** (dont le Royaume-Uni, la France, l'Allemagne, le Japon, la Corée du Sud, l'Australie et
  la Suisse) : permis complet par échange, sans examen pratique, avec une traduction officielle s'il n'est ni en
  français ni en anglais.
- **Autres pays :** votre expérience de conduite est reconnue, jusqu'à 2 ans, avec une lettre d'authentification
  de l'autorité émettrice, mais vous devez réussir l'**examen théorique** et l'**examen pratique**.

Réservez les examens pratiques en ligne; l'attente est souvent de 4 à 6 semaines au printemps et l'été.

## Véhicules
Immatriculez un véhicule que vous apportez dans les **30 jours** : il faut une inspection de sécurité et, de
l'extérieur du Canada, les documents d'importation.
""",
            "short_answer": "Nouveau résident? Échangez votre permis dans les 60 jours au Centre des permis, 2400, rue "
            "Elm : permis, preuve de résidence et pièce d'identité; 90 $. D'une autre province ou des États-Unis : "
            "sans examen. D'autres pays : examens possibles. Véhicule : immatriculez-le dans les 30 jours.",
            "voice_script": "Si vous venez d'arriver, vous pouvez conduire avec votre permis valide pendant soixante "
            "jours. Échangez-le avant au Centre des permis, rue Elm. Apportez votre permis, une preuve de votre "
            "nouvelle adresse et une pièce d'identité. Les frais sont de quatre-vingt-dix dollars. Les permis des "
            "autres provinces et des États-Unis s'échangent sans examen. Ceux de certains pays exigent un examen "
            "théorique et un examen pratique.",
            "keywords": "nouveau résident, nouvel arrivant, autre province, permis étranger, permis international, "
            "échange de permis, transférer mon permis, immigrant",
        },
    },
    {
        "key": "vehicle-registration",
        "agency": "transport-licensing",
        "services": ["VEH-REG"],
        "en": {
            "slug": "renew-vehicle-registration",
            "title": "Renew your vehicle registration (plate sticker)",
            "summary": "Renew your plate sticker online up to 6 months early, for $60 a year or $120 for two. "
            "You need valid insurance and no unpaid parking tickets.",
            "body": """Your **plate sticker** expires on your birthday (or a company's chosen date). A reminder
comes by mail or email 60 days before.

## Renew online
[Renew your registration online](/services/VEH-REG/apply) up to **6 months** before it expires. You need:
- your **plate number**
- your insurance company and policy number (insurance must be valid)
- payment: **$60 for 1 year** or **$120 for 2 years** (motorcycles $30 a year)

Print the receipt and keep it in the vehicle until the new sticker arrives, in **5 to 10 business days**.
Put the sticker on the top right corner of your rear plate.

## Things that block a renewal
- **Unpaid parking tickets** or fines on the plate: pay them first (see *Pay a parking ticket*).
- An **emissions or safety** requirement for vehicles older than 20 years.
- An address that changed: update your address first.

## In person
At the Licensing Centre, 2400 Elm Street, you get the sticker on the spot. Bring your vehicle permit (the green
ownership paper).

Driving with an expired sticker can lead to a **$110** fine.
""",
            "short_answer": "Renew your plate sticker online up to 6 months early with your plate number and "
            "insurance: $60 for 1 year, $120 for 2. Unpaid parking tickets block renewal. Sticker arrives in 5-10 "
            "business days, or same day at the Licensing Centre, 2400 Elm St.",
            "voice_script": "You can renew your vehicle registration online up to six months before it expires. "
            "You need your plate number and your insurance information. It costs sixty dollars for one year, or one "
            "hundred and twenty dollars for two years. Unpaid parking tickets must be paid first. The sticker "
            "arrives by mail in five to ten business days, or you can get it the same day at the Licensing Centre.",
            "keywords": "plate sticker, licence plate renewal, vehicle permit, car registration, ownership, tags, "
            "validation sticker, registration renewal, car plates, expired sticker",
        },
        "fr": {
            "slug": "renouveler-l-immatriculation",
            "title": "Renouveler l'immatriculation de votre véhicule (vignette)",
            "summary": "Renouvelez votre vignette en ligne jusqu'à 6 mois d'avance, pour 60 $ par an ou 120 $ pour "
            "deux ans. Il faut une assurance valide et aucune contravention impayée.",
            "body": """Votre **vignette de plaque** expire à votre anniversaire (ou à la date choisie par une
entreprise). Un rappel arrive par la poste ou par courriel 60 jours avant.

## Renouveler en ligne
[Renouvelez votre immatriculation en ligne](/services/VEH-REG/apply) jusqu'à **6 mois** avant l'expiration.
Il vous faut :
- votre **numéro de plaque**
- le nom de votre assureur et votre numéro de police (l'assurance doit être en vigueur)
- le paiement : **60 $ pour 1 an** ou **120 $ pour 2 ans** (motos : 30 $ par an)

Imprimez le reçu et gardez-le dans le véhicule jusqu'à l'arrivée de la vignette, dans **5 à 10 jours
ouvrables**. Apposez-la dans le coin supérieur droit de la plaque arrière.

## Ce qui bloque un renouvellement
- Des **contraventions de stationnement impayées** liées à la plaque : payez-les d'abord.
- Une exigence d'**inspection** pour les véhicules de plus de 20 ans.
- Une adresse qui a changé : mettez-la à jour d'abord.

## En personne
Au Centre des permis, 2400, rue Elm, vous obtenez la vignette sur place. Apportez votre certificat
d'immatriculation (le document vert).

Conduire avec une vignette expirée peut entraîner une amende de **110 $**.
""",
            "short_answer": "Renouvelez votre vignette en ligne jusqu'à 6 mois d'avance avec votre numéro de plaque "
            "et votre assurance : 60 $ pour 1 an, 120 $ pour 2 ans. Les contraventions impayées bloquent le "
            "renouvellement. Vignette en 5 à 10 jours ouvrables, ou sur place au 2400, rue Elm.",
            "voice_script": "Vous pouvez renouveler l'immatriculation de votre véhicule en ligne jusqu'à six mois "
            "avant son expiration. Il vous faut votre numéro de plaque et vos renseignements d'assurance. Cela coûte "
            "soixante dollars pour un an, ou cent vingt dollars pour deux ans. Les contraventions impayées doivent "
            "être payées d'abord. La vignette arrive par la poste en cinq à dix jours ouvrables, ou sur place au "
            "Centre des permis.",
            "keywords": "vignette, plaque d'immatriculation, immatriculation, certificat d'immatriculation, "
            "renouvellement de plaque, auto, voiture, vignette expirée",
        },
    },
    {
        "key": "vehicle-sale",
        "agency": "transport-licensing",
        "services": ["VEH-REG"],
        "en": {
            "slug": "buying-or-selling-a-used-vehicle",
            "title": "Buying or selling a used vehicle",
            "summary": "The seller keeps the plates and signs over the vehicle permit; the buyer registers the "
            "vehicle within 6 days with a bill of sale, a safety certificate and insurance.",
            "body": """## If you sell
- Give the buyer the **vehicle portion** of the permit, signed and dated, and a **bill of sale** with the
  price, date, VIN and both names.
- **Keep your plates.** Take them off the vehicle. Put them on your next vehicle or return them to the
  Licensing Centre.
- Keep the **plate portion** of the permit and report the sale online within 6 days, so tickets and tolls on the
  old vehicle are not charged to you.

## If you buy
Within **6 days** of the sale, register the vehicle online or at the Licensing Centre, 2400 Elm Street, with:
- the signed vehicle portion of the permit and the bill of sale
- a **safety standards certificate** issued in the last 36 days (unless you register it as unfit)
- proof of insurance
- your own plates, or new plates for **$59**
- the registration fee and **sales tax** on the purchase price or the wholesale value, whichever is higher

## Gifts between family members
Transfers between spouses, parents, children and grandparents are free of sales tax with a signed **sworn
statement for a family gift**.

Buying privately? Ask the seller for the **Used Vehicle Information Package** ($20): it shows liens, past
registrations and odometer readings.
""",
            "short_answer": "Selling: sign over the vehicle portion of the permit, give a bill of sale, keep your "
            "plates, report the sale within 6 days. Buying: register within 6 days with the signed permit, bill of "
            "sale, safety certificate (last 36 days) and insurance; sales tax applies.",
            "voice_script": "If you sell a vehicle, sign the vehicle portion of the permit over to the buyer, give "
            "them a bill of sale, and keep your licence plates. If you buy a used vehicle, register it within six "
            "days with the signed permit, the bill of sale, a recent safety certificate, and proof of insurance. "
            "Sales tax is charged on the purchase price.",
            "keywords": "sell my car, buy a used car, transfer ownership, bill of sale, safety certificate, "
            "private sale, change owner, used vehicle package, plates when selling, gift a car",
        },
        "fr": {
            "slug": "acheter-ou-vendre-un-vehicule-d-occasion",
            "title": "Acheter ou vendre un véhicule d'occasion",
            "summary": "Le vendeur garde les plaques et cède le certificat d'immatriculation; l'acheteur "
            "immatricule le véhicule dans les 6 jours avec un acte de vente, un certificat de sécurité et une "
            "assurance.",
            "body": """## Si vous vendez
- Remettez à l'acheteur la **partie véhicule** du certificat, signée et datée, et un **acte de vente** indiquant
  le prix, la date, le NIV et les deux noms.
- **Gardez vos plaques.** Retirez-les du véhicule. Posez-les sur votre prochain véhicule ou rapportez-les au
  Centre des permis.
- Gardez la **partie plaque** du certificat et déclarez la vente en ligne dans les 6 jours, pour ne pas recevoir
  les contraventions et péages de l'ancien véhicule.

## Si vous achetez
Dans les **6 jours** suivant l'achat, immatriculez le véhicule en ligne ou au Centre des permis, 2400, rue Elm,
avec :
- la partie véhicule signée du certificat et l'acte de vente
- un **certificat de sécurité** délivré dans les 36 derniers jours (sauf si vous l'immatriculez comme inapte)
- une preuve d'assurance
- vos propres plaques, ou de nouvelles plaques pour **59 $**
- les frais d'immatriculation et la **taxe de vente** sur le prix payé ou la valeur marchande, selon le plus élevé

## Don entre membres de la famille
Les transferts entre conjoints, parents, enfants et grands-parents sont exemptés de taxe avec une
**déclaration sous serment de don familial** signée.

Achat entre particuliers? Demandez au vendeur la **Trousse d'information sur les véhicules d'occasion** (20 $) :
elle indique les privilèges, les immatriculations antérieures et le kilométrage.
""",
            "short_answer": "Vente : cédez la partie véhicule du certificat, remettez un acte de vente, gardez vos "
            "plaques, déclarez la vente dans les 6 jours. Achat : immatriculez dans les 6 jours avec le certificat "
            "signé, l'acte de vente, un certificat de sécurité (36 jours) et l'assurance; taxe de vente applicable.",
            "voice_script": "Si vous vendez un véhicule, signez la partie véhicule du certificat pour l'acheteur, "
            "remettez-lui un acte de vente, et gardez vos plaques. Si vous achetez un véhicule d'occasion, "
            "immatriculez-le dans les six jours avec le certificat signé, l'acte de vente, un certificat de "
            "sécurité récent et une preuve d'assurance. La taxe de vente s'applique sur le prix payé.",
            "keywords": "vendre mon auto, acheter une voiture usagée, transfert de propriété, acte de vente, "
            "certificat de sécurité, vente privée, changement de propriétaire, don de véhicule",
        },
    },
    {
        "key": "parking-permit",
        "agency": "transport-licensing",
        "services": ["PARK-PERMIT"],
        "en": {
            "slug": "residential-parking-permit",
            "title": "Residential parking permits and visitor passes",
            "summary": "If your street is in a permit zone, residents can buy a permit for $180 a year or $50 a "
            "quarter, for up to 2 vehicles. Visitors can use free 3-day passes, up to 15 days a month.",
            "body": """On streets with **"Permit holders exempt"** signs, a residential permit lets you park longer
than the posted limit. A permit does not guarantee a space and does not apply during the **winter overnight
parking ban**.

## Who can get one
Residents of a permit-zone address, for vehicles registered **at that address**: up to **2 permits per
household**. A leased or company car needs a letter from the lease company or employer.

## Fees
| Permit | Price |
|---|---|
| Annual (September 1 to August 31) | **$180** |
| Quarterly | **$50** |
| Second vehicle | 50% more |
| Low-income residents (with the tax rebate) | 50% off |

## Apply
[Apply online](/services/PARK-PERMIT/apply) with your street and plate number(s). Permits are **digital**:
officers check your plate, so nothing to hang on the mirror. Your permit is active within 1 business day.

## Visitor passes
Register a visitor's plate online or by text: **3 days free** at a time, up to **15 days a month** per household.
Contractors doing work at your home can get a 30-day pass for $40.

## Moving or selling your car
Cancel the permit online for a refund of the unused full months, or move it to your new plate for free.
""",
            "short_answer": "Permit-zone residents can buy a digital parking permit online: $180 a year or $50 a "
            "quarter, up to 2 per household, for vehicles registered at the address. Visitor passes are free, 3 days "
            "at a time, up to 15 days a month. Permits don't apply during winter bans.",
            "voice_script": "If your street is in a permit zone, you can buy a residential parking permit online, "
            "for one hundred and eighty dollars a year or fifty dollars a quarter, for up to two vehicles "
            "registered at your address. Permits are digital and linked to your plate. For visitors, register "
            "their plate for free, three days at a time, up to fifteen days a month.",
            "keywords": "parking permit, on-street parking, residential permit, permit zone, visitor parking, guest "
            "pass, overnight parking, parking sticker, street parking, contractor pass",
        },
        "fr": {
            "slug": "permis-de-stationnement-residentiel",
            "title": "Permis de stationnement résidentiel et laissez-passer pour visiteurs",
            "summary": "Dans une zone de permis, les résidents peuvent acheter un permis à 180 $ par an ou 50 $ par "
            "trimestre, pour 2 véhicules au plus. Les visiteurs ont des laissez-passer gratuits de 3 jours, jusqu'à "
            "15 jours par mois.",
            "body": """Dans les rues avec des panneaux **« Sauf détenteurs de permis »**, un permis résidentiel
vous permet de stationner plus longtemps que la limite affichée. Un permis ne garantit pas une place et ne
s'applique pas pendant l'**interdiction de stationner la nuit en hiver**.

## Qui peut en obtenir un
Les résidents d'une adresse en zone de permis, pour des véhicules immatriculés **à cette adresse** : jusqu'à
**2 permis par ménage**. Une voiture louée ou de fonction exige une lettre du locateur ou de l'employeur.

## Tarifs
| Permis | Prix |
|---|---|
| Annuel (1er septembre au 31 août) | **180 $** |
| Trimestriel | **50 $** |
| Deuxième véhicule | 50 % de plus |
| Résidents à faible revenu (avec le remboursement de taxes) | 50 % de rabais |

## Faire une demande
[Faites une demande en ligne](/services/PARK-PERMIT/apply) avec votre rue et vos numéros de plaque. Les permis
sont **numériques** : les agents vérifient votre plaque, rien à accrocher au rétroviseur. Le permis est actif
dans un délai d'un jour ouvrable.

## Laissez-passer pour visiteurs
Inscrivez la plaque d'un visiteur en ligne ou par texto : **3 jours gratuits** à la fois, jusqu'à **15 jours par
mois** par ménage. Les entrepreneurs qui font des travaux chez vous peuvent obtenir un laissez-passer de 30 jours
pour 40 $.

## Déménagement ou vente de votre auto
Annulez le permis en ligne pour un remboursement des mois complets non utilisés, ou transférez-le à votre
nouvelle plaque sans frais.
""",
            "short_answer": "En zone de permis, achetez un permis de stationnement numérique en ligne : 180 $ par an "
            "ou 50 $ par trimestre, 2 par ménage au plus, pour des véhicules immatriculés à l'adresse. Visiteurs : "
            "gratuit, 3 jours à la fois, 15 jours par mois. Non valide pendant les interdictions d'hiver.",
            "voice_script": "Si votre rue est en zone de permis, vous pouvez acheter un permis de stationnement "
            "résidentiel en ligne, pour cent quatre-vingts dollars par année ou cinquante dollars par trimestre, "
            "pour au plus deux véhicules immatriculés à votre adresse. Les permis sont numériques et liés à votre "
            "plaque. Pour vos visiteurs, inscrivez leur plaque gratuitement, trois jours à la fois, jusqu'à quinze "
            "jours par mois.",
            "keywords": "permis de stationnement, stationnement sur rue, vignette de stationnement, zone de permis, "
            "visiteur, laissez-passer, stationnement de nuit, parking",
        },
    },
    {
        "key": "pay-parking-ticket",
        "agency": "transport-licensing",
        "services": ["PARK-TICKET"],
        "en": {
            "slug": "pay-a-parking-ticket",
            "title": "Pay a parking ticket",
            "summary": "Pay online, by phone or in person within 15 days to get the early-payment amount. After 30 "
            "days a $20 late fee is added, and unpaid tickets block your plate renewal.",
            "body": """Every ticket shows two amounts: the **early-payment amount** (within 15 days) and the **set
fine**.

## Ways to pay
- **Online** with the ticket number (printed at the top, 9 digits) and the plate: credit card, debit or
  online banking. Payee in online banking: *City parking tickets*; account number: the ticket number.
- **By phone:** 613-555-0200, option 3, credit card only, 24 hours a day.
- **In person:** City Hall, 100 Main Street, or the Licensing Centre, 2400 Elm Street: cash, debit, credit or
  cheque.
- **By mail:** a cheque payable to the City, with the ticket number on the back, to Parking Tickets, City Hall.

## Deadlines
| When | What you pay |
|---|---|
| Within 15 days | early-payment amount (about $10 off) |
| Day 16 to day 30 | set fine |
| After 30 days | set fine + **$20** late fee; a notice is mailed to the owner |
| After 90 days | the fine is added to the **plate renewal**: you cannot renew until it is paid |

## Think the ticket is wrong?
Do not pay it: paying means you accept the offence. Ask for a review instead (see *Dispute a parking ticket*).
Lost the ticket? Search by plate number online.
""",
            "short_answer": "Pay a parking ticket online with the ticket number and plate, by phone at 613-555-0200 "
            "option 3, or at City Hall. Pay within 15 days for the lower amount; after 30 days a $20 late fee is "
            "added, and unpaid tickets block plate renewal. Disputing? Don't pay.",
            "voice_script": "You can pay a parking ticket online with the ticket number and your plate, by phone at "
            "any hour with a credit card, or in person at City Hall or the Licensing Centre. Pay within fifteen "
            "days to get the lower amount. After thirty days, a twenty dollar late fee is added, and unpaid tickets "
            "stop you from renewing your plate. If you want to dispute the ticket, do not pay it.",
            "keywords": "parking ticket, pay fine, parking fine, ticket payment, pay my ticket, late fee, "
            "infraction, citation, parking violation, lost ticket",
        },
        "fr": {
            "slug": "payer-une-contravention-de-stationnement",
            "title": "Payer une contravention de stationnement",
            "summary": "Payez en ligne, par téléphone ou en personne dans les 15 jours pour le montant réduit. "
            "Après 30 jours, des frais de retard de 20 $ s'ajoutent, et une contravention impayée bloque le "
            "renouvellement de la plaque.",
            "body": """Chaque contravention indique deux montants : le **montant pour paiement rapide** (dans les
15 jours) et l'**amende fixée**.

## Modes de paiement
- **En ligne** avec le numéro de la contravention (en haut, 9 chiffres) et la plaque : carte de crédit, débit ou
  services bancaires en ligne. Bénéficiaire : *Ville – contraventions de stationnement*; numéro de compte : le
  numéro de la contravention.
- **Par téléphone :** 613-555-0200, option 3, carte de crédit seulement, 24 heures sur 24.
- **En personne :** hôtel de ville, 100, rue Main, ou Centre des permis, 2400, rue Elm : comptant, débit, crédit
  ou chèque.
- **Par la poste :** chèque à l'ordre de la Ville, numéro de contravention au verso, à Contraventions,
  hôtel de ville.

## Délais
| Quand | Montant à payer |
|---|---|
| Dans les 15 jours | montant pour paiement rapide (environ 10 $ de moins) |
| Du 16e au 30e jour | amende fixée |
| Après 30 jours | amende + **20 $** de frais de retard; un avis est posté au propriétaire |
| Après 90 jours | l'amende est ajoutée au **renouvellement de la plaque** : impossible de renouveler avant paiement |

## La contravention vous semble injustifiée?
Ne la payez pas : payer signifie reconnaître l'infraction. Demandez plutôt une révision (voir *Contester une
contravention de stationnement*). Contravention perdue? Cherchez-la par numéro de plaque en ligne.
""",
            "short_answer": "Payez une contravention en ligne avec son numéro et la plaque, par téléphone au "
            "613-555-0200 option 3, ou à l'hôtel de ville. Dans les 15 jours : montant réduit; après 30 jours : "
            "20 $ de frais de retard, et l'impayé bloque le renouvellement de la plaque. Vous contestez? Ne payez pas.",
            "voice_script": "Vous pouvez payer une contravention de stationnement en ligne avec le numéro de la "
            "contravention et votre plaque, par téléphone à toute heure avec une carte de crédit, ou en personne à "
            "l'hôtel de ville ou au Centre des permis. Payez dans les quinze jours pour le montant réduit. Après "
            "trente jours, des frais de retard de vingt dollars s'ajoutent. Si vous voulez la contester, ne la "
            "payez pas.",
            "keywords": "contravention, ticket de stationnement, amende, payer une amende, billet de stationnement, "
            "frais de retard, infraction, constat, contravention perdue",
        },
    },
    {
        "key": "dispute-parking-ticket",
        "agency": "transport-licensing",
        "services": ["PARK-TICKET"],
        "en": {
            "slug": "dispute-a-parking-ticket",
            "title": "Dispute a parking ticket",
            "summary": "Ask for a free review within 15 days of the ticket date. A screening officer decides "
            "within 30 days; if you disagree, you can request a hearing.",
            "body": """If you think a ticket should not have been given (a sign was missing or covered by snow,
your permit was valid, the meter was broken, the details on the ticket are wrong), ask for a **review**.
It is free. **Do not pay the ticket** while you dispute it.

## 1. Request a review within 15 days
[Dispute the ticket online](/services/PARK-TICKET/apply) within **15 days** of the date on the ticket, with:
- the **ticket number** (9 digits, top of the ticket)
- why it should be cancelled, in a few sentences
- **evidence**: photos of the sign or meter, your permit or receipt, a repair bill if the car broke down

## 2. The screening decision
A screening officer reviews the ticket, the officer's notes and photos, and your evidence, and decides within
**30 days**. They can cancel the ticket, lower the amount, or confirm it. You get the decision by email or mail;
the early-payment amount stays available until 15 days after the decision.

## 3. A hearing
If you disagree with the screening decision, request a **hearing** within 15 days of it. A hearing officer
hears you in person or by video. A decision made at the hearing is final; a **$50** fee applies if you do not
attend.

## Extra time to pay
If you agree with the ticket but cannot pay, you can ask for **extra time** (up to 90 days) instead.
""",
            "short_answer": "Dispute a parking ticket online within 15 days of its date: ticket number, why, and "
            "evidence (photos, permit, receipt). Don't pay it meanwhile. A screening officer decides within 30 days; "
            "if you disagree, request a hearing within 15 days. Review is free.",
            "voice_script": "To dispute a parking ticket, ask for a free review online within fifteen days of the "
            "date on the ticket. Give the ticket number, explain why it should be cancelled, and add any photos or "
            "receipts. Do not pay the ticket while you dispute it. A screening officer decides within thirty days. "
            "If you disagree with the decision, you can ask for a hearing.",
            "keywords": "dispute ticket, contest, appeal, fight a ticket, unfair ticket, wrong ticket, review, "
            "screening, hearing, cancel ticket, sign covered, broken meter, challenge",
        },
        "fr": {
            "slug": "contester-une-contravention-de-stationnement",
            "title": "Contester une contravention de stationnement",
            "summary": "Demandez une révision gratuite dans les 15 jours suivant la date de la contravention. Un "
            "agent de révision décide dans les 30 jours; en cas de désaccord, vous pouvez demander une audience.",
            "body": """Si vous croyez qu'une contravention n'aurait pas dû être donnée (panneau absent ou couvert de
neige, permis valide, parcomètre brisé, renseignements erronés), demandez une **révision**. C'est gratuit.
**Ne payez pas la contravention** pendant la contestation.

## 1. Demander une révision dans les 15 jours
[Contestez la contravention en ligne](/services/PARK-TICKET/apply) dans les **15 jours** suivant la date
indiquée, avec :
- le **numéro de la contravention** (9 chiffres, en haut)
- la raison de l'annuler, en quelques phrases
- des **preuves** : photos du panneau ou du parcomètre, votre permis ou reçu, une facture de réparation si
  l'auto était en panne

## 2. La décision de révision
Un agent de révision examine la contravention, les notes et photos de l'agent et vos preuves, et décide dans
les **30 jours**. Il peut annuler la contravention, réduire le montant ou la confirmer. Vous recevez la décision
par courriel ou par la poste; le montant pour paiement rapide reste offert 15 jours après la décision.

## 3. Une audience
Si vous êtes en désaccord, demandez une **audience** dans les 15 jours suivant la décision. Un agent
d'audience vous entend en personne ou par vidéo. Sa décision est finale; des frais de **50 $** s'appliquent si
vous ne vous présentez pas.

## Plus de temps pour payer
Si vous acceptez la contravention mais ne pouvez pas payer, demandez plutôt un **délai** (jusqu'à 90 jours).
""",
            "short_answer": "Contestez une contravention en ligne dans les 15 jours suivant sa date : numéro, raison "
            "et preuves (photos, permis, reçu). Ne la payez pas entre-temps. Un agent de révision décide en 30 jours; "
            "en cas de désaccord, demandez une audience dans les 15 jours. Révision gratuite.",
            "voice_script": "Pour contester une contravention de stationnement, demandez une révision gratuite en "
            "ligne dans les quinze jours suivant la date de la contravention. Donnez son numéro, expliquez pourquoi "
            "elle devrait être annulée, et ajoutez vos photos ou reçus. Ne la payez pas pendant la contestation. Un "
            "agent de révision décide dans les trente jours. En cas de désaccord, vous pouvez demander une audience.",
            "keywords": "contester, contestation, appel, révision, audience, contravention injuste, erreur, "
            "annuler une contravention, panneau couvert, parcomètre brisé",
        },
    },
    {
        "key": "winter-parking-ban",
        "agency": "transport-licensing",
        "services": ["PARK-PERMIT", "PARK-TICKET"],
        "en": {
            "slug": "winter-overnight-parking-ban",
            "title": "Winter overnight parking ban",
            "summary": "From December 1 to March 31, when 7 cm or more of snow is forecast, no parking on city "
            "streets from 1 a.m. to 7 a.m. Sign up for free text or email alerts.",
            "body": """So plows can clear streets curb to curb, the city declares an **overnight parking ban**
whenever **7 cm or more** of snow is forecast, between **December 1 and March 31**.

## During a ban
- **No parking on any city street from 1 a.m. to 7 a.m.**, including in permit zones and for permit holders.
- The ban is announced by **3 p.m.** the day it starts, and usually lasts one night; it may be extended.
- Fine: **$90**. Vehicles blocking plows may be **towed** (tow and storage fees extra).

## Get alerts
Sign up for free **winter parking alerts** by text or email on the city website, or text *WINTER* to
**613-555-0200**. The city's social media and the phone line also announce bans.

## Where to park
- Your driveway, or a neighbour's with permission
- **Free overnight parking** in city lots during a ban: City Hall garage (Elm St entrance), Riverside Arena and
  the six community centres listed on the alert. Leave by 7 a.m.

## Accessible parking permit holders
The ban applies to all vehicles. City lots have accessible spaces.
""",
            "short_answer": "Winter parking ban (Dec 1 to Mar 31, when 7 cm+ of snow is forecast): no parking on city "
            "streets 1 a.m. to 7 a.m., permit zones included. Fine $90, towing possible. Bans announced by 3 p.m.; "
            "text WINTER to 613-555-0200 for alerts. Free parking in city lots.",
            "voice_script": "From December first to March thirty first, when seven centimetres of snow or more are "
            "forecast, the city declares an overnight parking ban. You cannot park on any city street from one in "
            "the morning to seven in the morning, even with a permit. The fine is ninety dollars and your car may be "
            "towed. Bans are announced by three in the afternoon. Sign up for free text or email alerts.",
            "keywords": "winter parking ban, snow ban, overnight parking, street parking winter, snow emergency, "
            "parking restriction, parking alert, towed for snow, where to park during snow",
        },
        "fr": {
            "slug": "interdiction-de-stationner-la-nuit-en-hiver",
            "title": "Interdiction de stationner la nuit en hiver",
            "summary": "Du 1er décembre au 31 mars, quand 7 cm de neige ou plus sont prévus, stationnement interdit "
            "dans les rues de 1 h à 7 h. Inscrivez-vous aux alertes gratuites par texto ou courriel.",
            "body": """Pour que les chasse-neige dégagent les rues d'une bordure à l'autre, la Ville déclare une
**interdiction de stationner la nuit** chaque fois que **7 cm de neige ou plus** sont prévus, entre le
**1er décembre et le 31 mars**.

## Pendant une interdiction
- **Aucun stationnement dans les rues de la Ville de 1 h à 7 h**, y compris en zone de permis et pour les
  détenteurs de permis.
- L'interdiction est annoncée avant **15 h** le jour même et dure habituellement une nuit; elle peut être
  prolongée.
- Amende : **90 $**. Les véhicules qui nuisent au déneigement peuvent être **remorqués** (frais de remorquage et
  de fourrière en plus).

## Recevoir les alertes
Inscrivez-vous aux **alertes de stationnement d'hiver** gratuites par texto ou courriel sur le site Web de la
Ville, ou envoyez *HIVER* par texto au **613-555-0200**. Les médias sociaux de la Ville et la ligne téléphonique
annoncent aussi les interdictions.

## Où stationner
- Dans votre entrée, ou celle d'un voisin avec sa permission
- **Stationnement gratuit la nuit** dans les terrains de la Ville pendant une interdiction : garage de l'hôtel
  de ville (entrée rue Elm), aréna Riverside et les six centres communautaires indiqués dans l'alerte. Partez
  avant 7 h.

## Permis de stationnement accessible
L'interdiction s'applique à tous les véhicules. Les terrains de la Ville ont des places accessibles.
""",
            "short_answer": "Interdiction d'hiver (1er déc. au 31 mars, si 7 cm ou plus sont prévus) : aucun "
            "stationnement dans les rues de 1 h à 7 h, même avec permis. Amende 90 $, remorquage possible. Annoncée "
            "avant 15 h; texto HIVER au 613-555-0200 pour les alertes. Terrains de la Ville gratuits.",
            "voice_script": "Du premier décembre au trente et un mars, quand sept centimètres de neige ou plus sont "
            "prévus, la Ville déclare une interdiction de stationner la nuit. Vous ne pouvez pas stationner dans les "
            "rues de une heure à sept heures du matin, même avec un permis. L'amende est de quatre-vingt-dix dollars "
            "et votre véhicule peut être remorqué. Les interdictions sont annoncées avant quinze heures.",
            "keywords": "interdiction de stationnement, stationnement d'hiver, opération déneigement, stationnement "
            "de nuit, alerte neige, remorquage, où stationner pendant la neige",
        },
    },
    {
        "key": "accessible-parking",
        "agency": "transport-licensing",
        "services": ["PARK-PERMIT"],
        "en": {
            "slug": "accessible-parking-permit",
            "title": "Accessible parking permit",
            "summary": "People with a mobility disability can get a free accessible parking permit with a form "
            "signed by a health practitioner. Permanent permits last 5 years; temporary ones up to 12 months.",
            "body": """An **accessible parking permit** lets the vehicle you are travelling in park in spaces with
the accessibility symbol, and up to **4 hours** at meters and time-limited spaces, free.

## Who qualifies
People who cannot walk 200 metres without great difficulty or risk, who need a mobility aid, or who have a
condition such as severe lung or heart disease, or low vision. The permit belongs to **the person, not the
car**: use it in any vehicle you are in.

## Apply (free)
1. Fill in **Part A** of the application (online or at the Licensing Centre).
2. Have a **physician, nurse practitioner, physiotherapist or occupational therapist** complete Part B.
3. Submit it online with a photo of both parts, by mail, or in person at 2400 Elm Street.

Permits are mailed within **10 business days**.

| Type | Valid for |
|---|---|
| Permanent | 5 years, renewable without a new medical form if nothing changed |
| Temporary | up to 12 months |
| Organisation (for vehicles carrying clients) | 5 years |

## Using it
Hang it from the mirror so the number faces out; remove it while driving. Misusing a permit carries a fine of
**$300 to $5,000**. Report lost or stolen permits at 613-555-0200.
""",
            "short_answer": "Accessible parking permits are free for people with a mobility disability: Part A by "
            "you, Part B by a physician, nurse practitioner, physio or OT; apply online or at 2400 Elm St. Mailed "
            "in 10 business days. Permanent: 5 years; temporary: up to 12 months.",
            "voice_script": "An accessible parking permit is free for people with a disability that limits their "
            "mobility. You fill in the first part of the form, and a doctor, nurse practitioner, physiotherapist or "
            "occupational therapist fills in the second part. Apply online or at the Licensing Centre. The permit "
            "is mailed within ten business days. Permanent permits last five years.",
            "keywords": "handicap parking, disabled parking, accessible permit, blue placard, disability parking "
            "pass, wheelchair parking, mobility permit, hang tag, handicapped sticker",
        },
        "fr": {
            "slug": "permis-de-stationnement-accessible",
            "title": "Permis de stationnement accessible",
            "summary": "Les personnes à mobilité réduite peuvent obtenir un permis de stationnement accessible "
            "gratuit avec un formulaire signé par un professionnel de la santé. Permanent : 5 ans; temporaire : "
            "jusqu'à 12 mois.",
            "body": """Un **permis de stationnement accessible** permet au véhicule dans lequel vous êtes de se
garer dans les places marquées du symbole d'accessibilité, et jusqu'à **4 heures** gratuitement aux
parcomètres et dans les zones à durée limitée.

## Qui y a droit
Les personnes qui ne peuvent pas marcher 200 mètres sans grande difficulté ou risque, qui ont besoin d'une aide
à la mobilité, ou qui ont une maladie pulmonaire ou cardiaque grave, ou une basse vision. Le permis appartient
**à la personne, pas au véhicule** : utilisez-le dans tout véhicule où vous êtes.

## Faire une demande (gratuit)
1. Remplissez la **partie A** de la demande (en ligne ou au Centre des permis).
2. Faites remplir la **partie B** par un **médecin, une infirmière praticienne, un physiothérapeute ou un
   ergothérapeute**.
3. Envoyez-la en ligne avec une photo des deux parties, par la poste, ou en personne au 2400, rue Elm.

Le permis est posté dans les **10 jours ouvrables**.

| Type | Durée |
|---|---|
| Permanent | 5 ans, renouvelable sans nouveau formulaire médical si rien n'a changé |
| Temporaire | jusqu'à 12 mois |
| Organisme (véhicules transportant des clients) | 5 ans |

## Utilisation
Accrochez-le au rétroviseur, numéro vers l'extérieur; retirez-le pour conduire. L'usage abusif entraîne une
amende de **300 $ à 5 000 $**. Signalez un permis perdu ou volé au 613-555-0200.
""",
            "short_answer": "Le permis de stationnement accessible est gratuit pour les personnes à mobilité "
            "réduite : partie A par vous, partie B par un médecin, une infirmière praticienne, un physio ou un "
            "ergo; en ligne ou au 2400, rue Elm. Posté en 10 jours ouvrables. Permanent : 5 ans; temporaire : 12 mois.",
            "voice_script": "Le permis de stationnement accessible est gratuit pour les personnes dont la mobilité "
            "est réduite. Vous remplissez la première partie du formulaire, et un médecin, une infirmière "
            "praticienne, un physiothérapeute ou un ergothérapeute remplit la deuxième. Faites la demande en ligne "
            "ou au Centre des permis. Le permis est posté dans les dix jours ouvrables.",
            "keywords": "stationnement pour handicapés, vignette handicapé, permis accessible, place réservée, "
            "mobilité réduite, fauteuil roulant, vignette bleue",
        },
    },
    {
        "key": "towed-vehicle",
        "agency": "transport-licensing",
        "services": ["PARK-TICKET"],
        "en": {
            "slug": "my-car-was-towed",
            "title": "My car was towed: how to get it back",
            "summary": "Call the towed-vehicle line to find your car. Vehicles towed by the city go to the City "
            "Impound Lot, 75 Depot Lane; bring ID and ownership and pay the towing and storage fees.",
            "body": """If your car is not where you left it, first check whether it was **towed or relocated**
before calling the police to report a theft.

## Find your vehicle
Call the **towed-vehicle line at 613-555-0250**, 24 hours a day, or search your plate on the city website.
During snow clearing, cars are sometimes **moved to a nearby street** instead of the impound lot; the line
tells you where.

## Get it back
**City Impound Lot, 75 Depot Lane**, open 24 hours, 7 days a week. Bring:
- your **driver's licence**
- the **vehicle permit** (ownership) or a rental or lease agreement
- proof of insurance
- payment: debit or credit card (no cash at night)

## Fees
| Item | Cost |
|---|---|
| Tow | **$150** |
| Storage, each day or part of a day after the first 24 hours | **$30** |
| Relocation to a nearby street | $75 |
| Parking ticket (separate) | as on the ticket |

Vehicles not claimed within **60 days** may be sold at auction.

## Towed from private property?
If a private lot (a store or apartment building) towed you, the tow company's name and phone number must be
posted at the lot entrance. Private tow fees are capped at $250 by city by-law.
""",
            "short_answer": "Car towed? Call the towed-vehicle line at 613-555-0250 (24/7) or search your plate "
            "online. City tows go to the City Impound Lot, 75 Depot Lane, open 24/7: bring your licence, ownership "
            "and insurance. Tow $150 plus $30 a day storage after 24 hours.",
            "voice_script": "If your car was towed, call the towed vehicle line at six one three, five five five, "
            "zero two five zero, at any hour, or search your plate online. Cars towed by the city go to the City "
            "Impound Lot on Depot Lane, which is open day and night. Bring your licence, the vehicle ownership and "
            "proof of insurance. The tow costs one hundred and fifty dollars, plus thirty dollars a day for storage "
            "after the first day.",
            "keywords": "towed, tow truck, impound, pound, car missing, vehicle removed, get my car back, tow "
            "fees, storage fee, relocated car",
        },
        "fr": {
            "slug": "mon-vehicule-a-ete-remorque",
            "title": "Mon véhicule a été remorqué : comment le récupérer",
            "summary": "Appelez la ligne des véhicules remorqués pour le trouver. Les véhicules remorqués par la "
            "Ville vont à la fourrière municipale, 75, allée Depot; apportez vos papiers et payez les frais.",
            "body": """Si votre voiture n'est plus où vous l'avez laissée, vérifiez d'abord si elle a été
**remorquée ou déplacée** avant de signaler un vol à la police.

## Trouver votre véhicule
Appelez la **ligne des véhicules remorqués au 613-555-0250**, 24 heures sur 24, ou cherchez votre plaque sur le
site Web de la Ville. Pendant le déneigement, les voitures sont parfois **déplacées dans une rue voisine**
plutôt qu'à la fourrière; la ligne vous indique où.

## Le récupérer
**Fourrière municipale, 75, allée Depot**, ouverte 24 heures sur 24, 7 jours sur 7. Apportez :
- votre **permis de conduire**
- le **certificat d'immatriculation** ou un contrat de location
- une preuve d'assurance
- le paiement : carte de débit ou de crédit (pas de comptant la nuit)

## Frais
| Élément | Coût |
|---|---|
| Remorquage | **150 $** |
| Entreposage, par jour ou partie de jour après les 24 premières heures | **30 $** |
| Déplacement dans une rue voisine | 75 $ |
| Contravention (à part) | selon la contravention |

Les véhicules non réclamés dans les **60 jours** peuvent être vendus aux enchères.

## Remorqué d'un terrain privé?
Si un terrain privé (commerce, immeuble) vous a fait remorquer, le nom et le numéro de la compagnie de remorquage
doivent être affichés à l'entrée. Les frais de remorquage privé sont plafonnés à 250 $ par règlement municipal.
""",
            "short_answer": "Véhicule remorqué? Appelez la ligne des véhicules remorqués au 613-555-0250 (24 h/24) "
            "ou cherchez votre plaque en ligne. Fourrière municipale : 75, allée Depot, ouverte 24 h/24; apportez "
            "permis, certificat d'immatriculation et assurance. Remorquage 150 $, entreposage 30 $ par jour.",
            "voice_script": "Si votre véhicule a été remorqué, appelez la ligne des véhicules remorqués au six un "
            "trois, cinq cinq cinq, zéro deux cinq zéro, à toute heure, ou cherchez votre plaque en ligne. Les "
            "véhicules remorqués par la Ville vont à la fourrière municipale, allée Depot, ouverte jour et nuit. "
            "Apportez votre permis, le certificat d'immatriculation et une preuve d'assurance. Le remorquage coûte "
            "cent cinquante dollars, plus trente dollars par jour d'entreposage.",
            "keywords": "remorqué, remorquage, fourrière, dépanneuse, auto disparue, véhicule enlevé, récupérer mon "
            "auto, frais de fourrière, voiture déplacée",
        },
    },
]

REVENUE: list[dict[str, Any]] = [
    {
        "key": "tax-due-dates",
        "agency": "revenue",
        "services": ["PROP-TAX"],
        "en": {
            "slug": "property-tax-due-dates",
            "title": "Property tax bills and due dates",
            "summary": "You get two property tax bills a year: the interim bill, due March 20, and the final bill, "
            "due June 20. Payments on the instalment plan follow their own schedule.",
            "body": """Property tax is billed **twice a year**. Each bill has two stubs; the due date is printed
on each.

| Bill | Mailed | Due date | Amount |
|---|---|---|---|
| **Interim** | early February | **March 20** | about half of last year's total tax |
| **Final** | mid-May | **June 20** | this year's total tax minus the interim bill |

If a due date falls on a weekend or holiday, the payment is due the next business day.

## Did not get your bill?
Not receiving a bill does not change the due date. Call Revenue & Taxation at **613-555-0300** or email
tax@city.example with your **19-digit roll number** or address for a copy; you can also see your bills in your
online account. Common causes: a recent purchase, a changed mailing address, or email billing you signed up for.

## On the instalment plan?
Your withdrawals replace the due dates: the bill is marked *"Do not pay – on pre-authorised plan"*.

## Paperless billing
Sign up online to get your bills by email instead of mail, from the next bill.

Paying late adds a penalty of **1.25% a month** on the overdue amount (see *Late payment penalties*).
""",
            "short_answer": "Two property tax bills a year: the interim bill (mailed early February) is due March 20, "
            "the final bill (mailed mid-May) is due June 20. No bill? The due date still applies; call 613-555-0300 "
            "with your roll number. Instalment plan members pay by withdrawal instead.",
            "voice_script": "You get two property tax bills each year. The interim bill is mailed in early "
            "February and is due on March twentieth. The final bill is mailed in the middle of May and is due on "
            "June twentieth. If you did not get your bill, the due date still applies, so please call Revenue and "
            "Taxation for a copy. If you are on the instalment plan, your withdrawals replace these due dates.",
            "keywords": "tax due date, when is property tax due, tax deadline, interim bill, final bill, tax bill, "
            "second instalment, first instalment, property taxes, tax installment date",
        },
        "fr": {
            "slug": "echeances-de-l-impot-foncier",
            "title": "Comptes et échéances de l'impôt foncier",
            "summary": "Vous recevez deux comptes de taxes par année : le compte provisoire, payable le 20 mars, et "
            "le compte final, payable le 20 juin. Les versements préautorisés suivent leur propre calendrier.",
            "body": """L'impôt foncier est facturé **deux fois par année**. Chaque compte a deux coupons; la date
d'échéance est imprimée sur chacun.

| Compte | Envoyé | Échéance | Montant |
|---|---|---|---|
| **Provisoire** | début février | **20 mars** | environ la moitié de l'impôt total de l'an dernier |
| **Final** | mi-mai | **20 juin** | l'impôt total de l'année moins le compte provisoire |

Si une échéance tombe la fin de semaine ou un jour férié, le paiement est dû le jour ouvrable suivant.

## Vous n'avez pas reçu votre compte?
Ne pas recevoir de compte ne change pas l'échéance. Appelez les Revenus et taxation au **613-555-0300** ou
écrivez à taxes@city.example avec votre **numéro de rôle de 19 chiffres** ou votre adresse pour une copie; vos
comptes sont aussi dans votre compte en ligne. Causes fréquentes : un achat récent, une adresse postale
changée, ou la facturation par courriel.

## Au régime de versements?
Vos prélèvements remplacent les échéances : le compte porte la mention *« Ne pas payer – versements
préautorisés »*.

## Facturation sans papier
Inscrivez-vous en ligne pour recevoir vos comptes par courriel plutôt que par la poste, dès le prochain compte.

Un paiement en retard entraîne une pénalité de **1,25 % par mois** sur le montant dû.
""",
            "short_answer": "Deux comptes de taxes par an : le provisoire (envoyé début février) est payable le 20 "
            "mars, le final (envoyé mi-mai) le 20 juin. Pas reçu? L'échéance s'applique quand même; appelez le "
            "613-555-0300 avec votre numéro de rôle. Au régime de versements, les prélèvements les remplacent.",
            "voice_script": "Vous recevez deux comptes d'impôt foncier chaque année. Le compte provisoire est "
            "envoyé au début de février et il est payable le vingt mars. Le compte final est envoyé à la mi-mai et "
            "il est payable le vingt juin. Si vous n'avez pas reçu votre compte, l'échéance s'applique quand même; "
            "appelez les Revenus et taxation pour une copie. Au régime de versements, vos prélèvements remplacent "
            "ces échéances.",
            "keywords": "date d'échéance, quand payer mes taxes, taxes municipales, compte de taxes, compte "
            "provisoire, compte final, échéancier, taxe foncière, impôt foncier",
        },
    },
    {
        "key": "pay-property-tax",
        "agency": "revenue",
        "services": ["PROP-TAX", "TAX-INSTAL"],
        "en": {
            "slug": "ways-to-pay-property-tax",
            "title": "Ways to pay your property tax",
            "summary": "Pay through your bank (online, app or teller) using your 19-digit roll number, by "
            "pre-authorised instalments, by cheque, or at City Hall. Credit cards are not accepted.",
            "body": """Allow **3 business days** for a payment to reach us. The payment date is the date **we receive**
it, not the date you send it.

## Online or telephone banking (most popular)
Add the payee **"City – Property Tax"** (sometimes listed as *City Taxes*) and enter your **19-digit roll
number** as the account number, with no spaces. One payee per property.

## Pre-authorised payments
Join the **instalment plan**: monthly or on each due date, taken from your bank account. See *Property tax
instalment plan*.

## At your bank
Pay at the teller of most Canadian banks with the bill's payment stub.

## By mail
A cheque payable to *the City* with your roll number on it, to Revenue & Taxation, City Hall, 100 Main Street.
You can send **post-dated cheques** for both due dates. Do not mail cash.

## In person
City Hall Service Centre: **debit, cash or cheque**, Monday to Friday 8:30 a.m. to 4:30 p.m., Thursdays until
7 p.m. The 24-hour **drop box** at the Main Street entrance takes cheques.

## Credit cards
The city **does not accept credit cards** for property tax. Private payment services can charge your card for a
fee (about 2.5%) and pay us; allow 5 business days.

Your mortgage lender may already pay your taxes: check your mortgage statement before paying.
""",
            "short_answer": "Pay property tax through online banking (payee 'City – Property Tax', account = your "
            "19-digit roll number), the instalment plan, your bank teller, a cheque by mail, or at City Hall (debit, "
            "cash, cheque). No credit cards. Allow 3 business days.",
            "voice_script": "You can pay your property tax through your bank's online banking, using your nineteen "
            "digit roll number as the account number. You can also join the pre authorised instalment plan, pay at "
            "your bank, mail a cheque, or pay at City Hall by debit, cash or cheque. The city does not accept credit "
            "cards for property tax. Please allow three business days for your payment to reach us.",
            "keywords": "pay tax, pay property taxes, payment options, online banking, payee, roll number, cheque, "
            "credit card, how to pay, tax payment, debit, e-transfer, mortgage pays taxes",
        },
        "fr": {
            "slug": "modes-de-paiement-de-l-impot-foncier",
            "title": "Modes de paiement de l'impôt foncier",
            "summary": "Payez par votre banque (en ligne, application ou guichet) avec votre numéro de rôle de 19 "
            "chiffres, par versements préautorisés, par chèque ou à l'hôtel de ville. Les cartes de crédit ne sont "
            "pas acceptées.",
            "body": """Prévoyez **3 jours ouvrables** pour qu'un paiement nous parvienne. La date du paiement est la
date où **nous le recevons**, pas celle de l'envoi.

## Services bancaires en ligne ou par téléphone (le plus populaire)
Ajoutez le bénéficiaire **« Ville – Impôt foncier »** (parfois *Taxes – Ville*) et entrez votre **numéro de
rôle de 19 chiffres** comme numéro de compte, sans espaces. Un bénéficiaire par propriété.

## Versements préautorisés
Adhérez au **régime de versements** : tous les mois ou à chaque échéance, prélevés de votre compte bancaire.
Voir *Régime de versements de l'impôt foncier*.

## À votre banque
Payez au comptoir de la plupart des banques canadiennes avec le coupon du compte.

## Par la poste
Un chèque à l'ordre de *la Ville*, avec votre numéro de rôle, aux Revenus et taxation, hôtel de ville, 100, rue
Main. Vous pouvez envoyer des **chèques postdatés** pour les deux échéances. N'envoyez pas d'argent comptant.

## En personne
Centre de service de l'hôtel de ville : **débit, comptant ou chèque**, du lundi au vendredi de 8 h 30 à 16 h 30,
le jeudi jusqu'à 19 h. La **boîte de dépôt** ouverte 24 h/24 à l'entrée de la rue Main accepte les chèques.

## Cartes de crédit
La Ville **n'accepte pas les cartes de crédit** pour l'impôt foncier. Des services de paiement privés peuvent
débiter votre carte moyennant des frais (environ 2,5 %) et nous payer; prévoyez 5 jours ouvrables.

Votre prêteur hypothécaire paie peut-être déjà vos taxes : vérifiez votre relevé hypothécaire.
""",
            "short_answer": "Payez l'impôt foncier par services bancaires en ligne (bénéficiaire « Ville – Impôt "
            "foncier », compte = numéro de rôle de 19 chiffres), par versements préautorisés, à votre banque, par "
            "chèque ou à l'hôtel de ville (débit, comptant, chèque). Pas de carte de crédit. Prévoyez 3 jours.",
            "voice_script": "Vous pouvez payer votre impôt foncier par les services bancaires en ligne, avec votre "
            "numéro de rôle de dix-neuf chiffres comme numéro de compte. Vous pouvez aussi adhérer aux versements "
            "préautorisés, payer à votre banque, poster un chèque, ou payer à l'hôtel de ville par débit, comptant "
            "ou chèque. La Ville n'accepte pas les cartes de crédit pour l'impôt foncier. Prévoyez trois jours "
            "ouvrables.",
            "keywords": "payer mes taxes, payer l'impôt foncier, modes de paiement, paiement en ligne, "
            "bénéficiaire, numéro de rôle, chèque, carte de crédit, comment payer, débit, hypothèque",
        },
    },
    {
        "key": "instalment-plan",
        "agency": "revenue",
        "services": ["TAX-INSTAL"],
        "en": {
            "slug": "property-tax-instalment-plan",
            "title": "Property tax instalment plan (pre-authorised payments)",
            "summary": "Spread your property tax over 11 monthly withdrawals, or pay automatically on each due date. "
            "It is free; apply by the 15th of the month before your first withdrawal.",
            "body": """The **pre-authorised instalment plan** takes your property tax from your bank account
automatically. There is **no fee** and no penalty as long as payments go through.

## Two choices
| Plan | Withdrawals |
|---|---|
| **Monthly** | on the **1st of each month, January to November** (11 payments) |
| **Due date** | on each due date, March 20 and June 20 |

Monthly amounts are recalculated after the final bill in May, so the June to November withdrawals cover the rest
of the year.

## Join
[Apply online](/services/TAX-INSTAL/apply) or send the form with a **void cheque** (or a bank's direct-deposit
form). You need your **19-digit roll number**. Your application must arrive by the **15th of the month before
your first withdrawal**. Joining mid-year? Your taxes already due must be paid first, or the first withdrawals
catch up.

## Change or leave the plan
Changes of bank account or leaving the plan need **30 days' notice**, online or by phone at 613-555-0300.
Selling your home? Tell us, and your lawyer arranges the final adjustment; the plan does not move to your new
home automatically.

## Returned payments
A withdrawal refused by your bank costs **$40**. After two refused withdrawals in a year, you are removed from
the plan.
""",
            "short_answer": "The property tax instalment plan is free: 11 monthly withdrawals on the 1st (January to "
            "November) or automatic payment on each due date. Apply online with your roll number and a void cheque "
            "by the 15th of the month before. 30 days' notice to change; refused payment $40.",
            "voice_script": "The property tax instalment plan takes your taxes from your bank account "
            "automatically, for free. You can choose eleven monthly withdrawals on the first of each month, from "
            "January to November, or one withdrawal on each due date. Apply online with your roll number and a void "
            "cheque, by the fifteenth of the month before your first withdrawal. Changes need thirty days notice.",
            "keywords": "monthly payments, pre-authorized payment, pre-authorised debit, PAP, automatic "
            "withdrawal, installment plan, payment plan, pay monthly, direct debit, budget plan",
        },
        "fr": {
            "slug": "regime-de-versements-de-l-impot-foncier",
            "title": "Régime de versements de l'impôt foncier (paiements préautorisés)",
            "summary": "Étalez votre impôt foncier sur 11 prélèvements mensuels, ou payez automatiquement à chaque "
            "échéance. C'est gratuit; inscrivez-vous avant le 15 du mois précédant votre premier prélèvement.",
            "body": """Le **régime de versements préautorisés** prélève votre impôt foncier directement dans votre
compte bancaire. **Aucuns frais** ni pénalité, tant que les paiements passent.

## Deux choix
| Régime | Prélèvements |
|---|---|
| **Mensuel** | le **1er de chaque mois, de janvier à novembre** (11 paiements) |
| **À l'échéance** | à chaque échéance, le 20 mars et le 20 juin |

Les montants mensuels sont recalculés après le compte final de mai, pour que les prélèvements de juin à
novembre couvrent le reste de l'année.

## Adhérer
[Inscrivez-vous en ligne](/services/TAX-INSTAL/apply) ou envoyez le formulaire avec un **chèque annulé** (ou le
formulaire de dépôt direct de votre banque). Il vous faut votre **numéro de rôle de 19 chiffres**. La demande
doit arriver **avant le 15 du mois précédant** votre premier prélèvement. Adhésion en cours d'année? Les taxes
déjà échues doivent être payées d'abord, ou les premiers prélèvements les rattrapent.

## Modifier ou quitter le régime
Un changement de compte bancaire ou le retrait du régime exige un **préavis de 30 jours**, en ligne ou au
613-555-0300. Vous vendez votre maison? Avisez-nous; votre notaire ou avocat fait l'ajustement final, et le
régime ne suit pas automatiquement à votre nouvelle adresse.

## Paiements refusés
Un prélèvement refusé par votre banque coûte **40 $**. Après deux refus dans une année, vous êtes retiré du
régime.
""",
            "short_answer": "Le régime de versements est gratuit : 11 prélèvements le 1er du mois (janvier à "
            "novembre) ou paiement automatique à chaque échéance. Inscrivez-vous en ligne avec votre numéro de rôle "
            "et un chèque annulé, avant le 15 du mois précédent. Préavis de 30 jours; paiement refusé : 40 $.",
            "voice_script": "Le régime de versements de l'impôt foncier prélève vos taxes directement dans votre "
            "compte bancaire, gratuitement. Vous pouvez choisir onze prélèvements mensuels, le premier de chaque "
            "mois de janvier à novembre, ou un prélèvement à chaque échéance. Inscrivez-vous en ligne avec votre "
            "numéro de rôle et un chèque annulé, avant le quinze du mois précédant votre premier prélèvement.",
            "keywords": "paiements mensuels, prélèvement automatique, débit préautorisé, versements, payer par "
            "mois, paiement préautorisé, plan de paiement, mensualités",
        },
    },
    {
        "key": "tax-rebate-seniors",
        "agency": "revenue",
        "services": ["TAX-REBATE"],
        "en": {
            "slug": "property-tax-rebate-for-seniors-and-low-income",
            "title": "Property tax rebate for low-income seniors and people with disabilities",
            "summary": "Homeowners aged 65 or over, or receiving disability benefits, with a household income under "
            "$40,000 (one person) or $50,000 (two or more) can get up to $500 back each year. Apply by October 31.",
            "body": """The **property tax rebate** helps people on low incomes stay in their homes.

## Who can apply
You own and live in the home (or your spouse does), and on January 1 of this year:
- you were **65 or older**, or you received **provincial disability support** or the federal disability tax
  credit; and
- your household income last year was under **$40,000** for one person or **$50,000** for two or more.

Tenants cannot apply; renters' tax credits are claimed on your income tax return.

## How much
Up to **$500 a year**, depending on income, credited to your property tax account (or refunded by cheque if your
taxes are paid). It is not taxable income.

## How to apply
[Apply online](/services/TAX-REBATE/apply) or on the paper form, **by October 31** of each year. You need:
- your 19-digit roll number
- the number of people in your household
- your and your spouse's **Notice of Assessment** for last year from the Canada Revenue Agency
- proof of disability benefits, if you apply on that basis

You must apply **every year**. A decision is mailed within 8 weeks.

## Also available
- **Tax deferral**: low-income seniors can defer increases in their property tax, interest-free, until the home
  is sold.
- 50% off a residential parking permit with an approved rebate.
""",
            "short_answer": "Homeowners 65+ or on disability benefits with household income under $40,000 (one "
            "person) or $50,000 (two+) can get up to $500 off their property tax each year. Apply online by Oct 31 "
            "with your roll number and last year's Notice of Assessment; reapply yearly.",
            "voice_script": "If you own and live in your home, and you are sixty five or older or receive "
            "disability benefits, and your household income is under forty thousand dollars for one person, or "
            "fifty thousand for two or more, you can get up to five hundred dollars off your property tax each "
            "year. Apply online by October thirty first, with your roll number and last year's notice of "
            "assessment. You must apply every year.",
            "keywords": "senior rebate, seniors tax credit, tax relief, low income, pensioner, disability, tax "
            "break, property tax assistance, old age, tax deferral, elderly, rebate program",
        },
        "fr": {
            "slug": "remboursement-d-impot-foncier-pour-aines-et-faible-revenu",
            "title": "Remboursement d'impôt foncier pour aînés à faible revenu et personnes handicapées",
            "summary": "Les propriétaires de 65 ans et plus, ou qui touchent des prestations d'invalidité, dont le "
            "revenu du ménage est inférieur à 40 000 $ (une personne) ou 50 000 $ (deux ou plus) peuvent recevoir "
            "jusqu'à 500 $ par année. Demande avant le 31 octobre.",
            "body": """Le **remboursement d'impôt foncier** aide les personnes à faible revenu à rester chez elles.

## Qui peut faire une demande
Vous êtes propriétaire-occupant (vous ou votre conjoint), et au 1er janvier de cette année :
- vous aviez **65 ans ou plus**, ou vous receviez le **soutien provincial aux personnes handicapées** ou le
  crédit d'impôt fédéral pour personnes handicapées;
- le revenu de votre ménage l'an dernier était inférieur à **40 000 $** pour une personne ou à **50 000 $** pour
  deux personnes ou plus.

Les locataires ne sont pas admissibles; les crédits pour locataires se demandent dans la déclaration de revenus.

## Montant
Jusqu'à **500 $ par année**, selon le revenu, crédité à votre compte de taxes (ou remboursé par chèque si vos
taxes sont payées). Ce n'est pas un revenu imposable.

## Faire une demande
[Faites une demande en ligne](/services/TAX-REBATE/apply) ou sur papier, **avant le 31 octobre** de chaque
année. Il vous faut :
- votre numéro de rôle de 19 chiffres
- le nombre de personnes dans votre ménage
- votre **avis de cotisation** de l'an dernier de l'Agence du revenu du Canada, et celui de votre conjoint
- une preuve de prestations d'invalidité, le cas échéant

Vous devez refaire la demande **chaque année**. La décision est postée dans les 8 semaines.

## Aussi offert
- **Report de l'impôt** : les aînés à faible revenu peuvent reporter les hausses d'impôt foncier, sans intérêt,
  jusqu'à la vente de la maison.
- 50 % de rabais sur le permis de stationnement résidentiel avec un remboursement approuvé.
""",
            "short_answer": "Propriétaires de 65 ans et plus ou prestataires d'invalidité, revenu du ménage sous "
            "40 000 $ (1 personne) ou 50 000 $ (2 et plus) : jusqu'à 500 $ de remboursement d'impôt foncier par "
            "année. Demande en ligne avant le 31 octobre avec numéro de rôle et avis de cotisation; chaque année.",
            "voice_script": "Si vous êtes propriétaire-occupant, que vous avez soixante-cinq ans ou plus ou "
            "recevez des prestations d'invalidité, et que le revenu de votre ménage est inférieur à quarante mille "
            "dollars pour une personne, ou cinquante mille pour deux ou plus, vous pouvez recevoir jusqu'à cinq "
            "cents dollars de remboursement par année. Faites la demande en ligne avant le trente et un octobre. "
            "Il faut refaire la demande chaque année.",
            "keywords": "remboursement pour aînés, crédit d'impôt, personnes âgées, retraité, faible revenu, "
            "handicap, allègement fiscal, aide pour les taxes, report de l'impôt, rabais de taxes",
        },
    },
    {
        "key": "assessment",
        "agency": "revenue",
        "services": ["PROP-TAX"],
        "en": {
            "slug": "property-assessment-and-appeals",
            "title": "Your property assessment and how to challenge it",
            "summary": "Your tax is your home's assessed value times the tax rate. If you think the assessment is "
            "wrong, ask the Property Assessment Office for a free reconsideration by March 31.",
            "body": """## How your tax is calculated
**Property tax = assessed value × total tax rate** (city rate + education rate). For example, a home assessed at
$400,000 with a residential rate of 1.1% pays **$4,400** a year.

The **assessed value** is set by the provincial **Property Assessment Office**, not by the city. Homes are
reassessed every 4 years, and increases are phased in over those 4 years. Your assessment notice is mailed in
the fall.

## Think it is wrong?
Compare your home with similar homes sold nearby (the Assessment Office's website shows them).

1. **Request for Reconsideration** (free): ask the Property Assessment Office by **March 31** of the tax year.
   Point out errors (square footage, a finished basement you do not have, lot size) and sales of similar homes.
2. If you disagree with the answer, appeal to the **Assessment Review Board** within 90 days ($125 fee).

Keep paying your taxes on time while you challenge: if your assessment goes down, the city **refunds or credits
the difference**, with interest.

## Other adjustments the city makes
Apply to Revenue & Taxation for a tax adjustment if, during the year, your building was **demolished**,
**damaged by fire**, or became **exempt** (for example a place of worship). Deadline: February 28 of the
following year.
""",
            "short_answer": "Property tax = assessed value x tax rate. The assessed value comes from the provincial "
            "Property Assessment Office: ask them for a free reconsideration by March 31, then appeal to the "
            "Assessment Review Board. Keep paying; any reduction is refunded with interest.",
            "voice_script": "Your property tax is your home's assessed value multiplied by the tax rate. The "
            "assessed value is set by the provincial Property Assessment Office, not the city. If you think it is "
            "wrong, ask the Assessment Office for a free reconsideration by March thirty first. Please keep paying "
            "your taxes on time while you wait. If your assessment goes down, the difference is refunded with "
            "interest.",
            "keywords": "assessment, assessed value, property value, home value, appeal, reconsideration, MPAC, "
            "tax rate, why did my taxes go up, tax increase, valuation, challenge assessment",
        },
        "fr": {
            "slug": "evaluation-fonciere-et-contestation",
            "title": "Votre évaluation foncière et comment la contester",
            "summary": "Votre impôt est la valeur évaluée de votre propriété multipliée par le taux de taxe. Si "
            "l'évaluation vous semble erronée, demandez un réexamen gratuit au Bureau d'évaluation foncière avant "
            "le 31 mars.",
            "body": """## Le calcul de votre impôt
**Impôt foncier = valeur évaluée × taux de taxe total** (taux municipal + taux scolaire). Par exemple, une
maison évaluée à 400 000 $ avec un taux résidentiel de 1,1 % paie **4 400 $** par année.

La **valeur évaluée** est établie par le **Bureau d'évaluation foncière** de la province, pas par la Ville. Les
propriétés sont réévaluées tous les 4 ans, et les hausses sont étalées sur ces 4 années. L'avis d'évaluation
est posté à l'automne.

## Vous la croyez erronée?
Comparez votre propriété à des maisons semblables vendues près de chez vous (le site du Bureau d'évaluation les
présente).

1. **Demande de réexamen** (gratuite) : adressez-la au Bureau d'évaluation foncière **avant le 31 mars** de
   l'année d'imposition. Signalez les erreurs (superficie, sous-sol fini inexistant, taille du terrain) et les
   ventes comparables.
2. Si vous êtes en désaccord avec la réponse, interjetez appel auprès de la **Commission de révision de
   l'évaluation foncière** dans les 90 jours (frais de 125 $).

Continuez de payer vos taxes à temps pendant la contestation : si l'évaluation baisse, la Ville **rembourse ou
crédite la différence**, avec intérêts.

## Autres rajustements faits par la Ville
Demandez un rajustement aux Revenus et taxation si, pendant l'année, votre bâtiment a été **démoli**,
**endommagé par un incendie** ou est devenu **exonéré** (par exemple un lieu de culte). Date limite : le 28
février de l'année suivante.
""",
            "short_answer": "Impôt foncier = valeur évaluée x taux de taxe. La valeur vient du Bureau d'évaluation "
            "foncière de la province : demandez-lui un réexamen gratuit avant le 31 mars, puis appel à la "
            "Commission de révision. Continuez de payer; toute baisse est remboursée avec intérêts.",
            "voice_script": "Votre impôt foncier est la valeur évaluée de votre propriété multipliée par le taux de "
            "taxe. La valeur évaluée est établie par le Bureau d'évaluation foncière de la province, pas par la "
            "Ville. Si vous la croyez erronée, demandez un réexamen gratuit au Bureau d'évaluation avant le trente "
            "et un mars. Continuez de payer vos taxes à temps; si l'évaluation baisse, la différence vous est "
            "remboursée avec intérêts.",
            "keywords": "évaluation foncière, valeur de la maison, valeur marchande, contester l'évaluation, "
            "réexamen, appel, taux de taxe, pourquoi mes taxes ont augmenté, hausse de taxes, rôle d'évaluation",
        },
    },
    {
        "key": "late-payment",
        "agency": "revenue",
        "services": ["PROP-TAX"],
        "en": {
            "slug": "late-property-tax-payment-penalties",
            "title": "Late property tax payments: penalties and what to do",
            "summary": "A 1.25% penalty is added the day after a due date, then 1.25% interest on the first of "
            "each month. Penalties set by by-law cannot be waived, but a payment arrangement can stop arrears growing.",
            "body": """## Penalties and interest
- **Penalty:** 1.25% of the unpaid amount, added on the **day after each due date**.
- **Interest:** 1.25% a month (15% a year) on all arrears, added on the **first day of each month**.
- **Returned payment** (NSF cheque or refused withdrawal): **$40**.

Penalties and interest are set by by-law and **cannot be waived**, even if the bill was not received. Payments
pay off the oldest penalties and interest first, then the oldest taxes.

## Paid on time but charged a penalty?
Check the date **we received** the payment: banks can take 3 business days. If your bank's confirmation shows
you paid before the due date, send it to tax@city.example and we will correct the account.

## Having trouble paying?
Call Revenue & Taxation at **613-555-0300** before the due date. We can set up a **payment arrangement**
(regular amounts over up to 12 months). Interest still applies, but no further collection steps are taken while
the arrangement is kept.

See also the *Property tax rebate for low-income seniors* and *tax deferral* for people who qualify.

## If taxes stay unpaid
After 2 years of arrears, the city may register a **tax arrears certificate** on the property, and after one more
year the property can be sold at a tax sale. We write to you several times before any of that happens.
""",
            "short_answer": "Late property tax: a 1.25% penalty the day after the due date, then 1.25% interest "
            "each month. Penalties can't be waived, even if the bill wasn't received. Struggling? Call 613-555-0300 "
            "before the due date to set up a payment arrangement of up to 12 months.",
            "voice_script": "If a property tax payment is late, a penalty of one point two five percent is added "
            "the day after the due date, and interest of one point two five percent is added on the first of each "
            "month. Penalties are set by by-law and cannot be waived. If you are having trouble paying, please call "
            "Revenue and Taxation before the due date, and we can set up a payment arrangement over up to twelve "
            "months.",
            "keywords": "late payment, penalty, interest charges, overdue taxes, arrears, missed payment, can't pay "
            "taxes, payment arrangement, NSF, waive penalty, behind on taxes",
        },
        "fr": {
            "slug": "retard-de-paiement-de-l-impot-foncier",
            "title": "Retard de paiement de l'impôt foncier : pénalités et solutions",
            "summary": "Une pénalité de 1,25 % s'ajoute le lendemain de l'échéance, puis 1,25 % d'intérêts le 1er "
            "de chaque mois. Les pénalités fixées par règlement ne peuvent être annulées, mais une entente de "
            "paiement peut limiter les arriérés.",
            "body": """## Pénalités et intérêts
- **Pénalité :** 1,25 % du montant impayé, ajoutée le **lendemain de chaque échéance**.
- **Intérêts :** 1,25 % par mois (15 % par année) sur tous les arriérés, ajoutés le **premier jour de chaque mois**.
- **Paiement refusé** (chèque sans provision ou prélèvement refusé) : **40 $**.

Les pénalités et intérêts sont fixés par règlement et **ne peuvent pas être annulés**, même si le compte n'a pas
été reçu. Les paiements s'appliquent d'abord aux pénalités et intérêts les plus anciens, puis aux taxes les plus
anciennes.

## Payé à temps, mais pénalisé?
Vérifiez la date où **nous avons reçu** le paiement : les banques peuvent prendre 3 jours ouvrables. Si la
confirmation de votre banque montre un paiement avant l'échéance, envoyez-la à taxes@city.example et nous
corrigerons le compte.

## Difficulté à payer?
Appelez les Revenus et taxation au **613-555-0300** avant l'échéance. Nous pouvons conclure une **entente de
paiement** (montants réguliers sur un maximum de 12 mois). Les intérêts s'appliquent toujours, mais aucune
mesure de recouvrement n'est prise tant que l'entente est respectée.

Voir aussi le *Remboursement d'impôt foncier pour aînés à faible revenu* et le *report de l'impôt*.

## Si les taxes restent impayées
Après 2 ans d'arriérés, la Ville peut enregistrer un **certificat d'arriérés d'impôt** sur la propriété, et
après une autre année, la propriété peut être vendue pour taxes. Nous vous écrivons plusieurs fois avant.
""",
            "short_answer": "Retard d'impôt foncier : pénalité de 1,25 % le lendemain de l'échéance, puis 1,25 % "
            "d'intérêts par mois. Les pénalités ne peuvent être annulées, même sans compte reçu. Difficulté à payer? "
            "Appelez le 613-555-0300 avant l'échéance pour une entente de paiement (12 mois au plus).",
            "voice_script": "Si un paiement d'impôt foncier est en retard, une pénalité de un virgule vingt-cinq "
            "pour cent s'ajoute le lendemain de l'échéance, et des intérêts de un virgule vingt-cinq pour cent "
            "s'ajoutent le premier de chaque mois. Les pénalités sont fixées par règlement et ne peuvent pas être "
            "annulées. Si vous avez de la difficulté à payer, appelez les Revenus et taxation avant l'échéance pour "
            "conclure une entente de paiement.",
            "keywords": "paiement en retard, pénalité, intérêts, arriérés, taxes en souffrance, paiement manqué, "
            "incapable de payer, entente de paiement, chèque sans provision, annuler la pénalité",
        },
    },
    {
        "key": "new-homeowner",
        "agency": "revenue",
        "services": ["PROP-TAX"],
        "en": {
            "slug": "property-tax-for-new-homeowners",
            "title": "Just bought a home? Your property tax account",
            "summary": "Your lawyer adjusts the year's taxes at closing. The account moves to your name in 6 to 8 "
            "weeks; until then bills may show the previous owner, but you must still pay by the due dates.",
            "body": """Congratulations on your new home. Here is what happens with property tax.

## At closing
Your **real estate lawyer** splits this year's taxes between you and the seller (the *tax adjustment*) and
often asks us for a **tax certificate** showing what is paid. You do not need to call us to change the owner:
the land registry tells us.

## The first weeks
- The account moves to your name **6 to 8 weeks** after closing. Until then, a bill may arrive addressed to the
  previous owner or "the occupant". **Pay it anyway** by the due date: the taxes belong to the property.
- Your **roll number** (19 digits) stays the same; it is on the tax certificate and on any bill.
- If the seller was on the instalment plan, their withdrawals stop at closing. **Join the plan yourself** if you
  want monthly payments.

## Mortgage lender paying your taxes?
Many lenders collect taxes with your mortgage payments and pay us. Send your lender a copy of every bill you
receive and check with them before paying yourself, so the tax is not paid twice. Double payments are refunded
on request, within 30 days.

## New construction
Newly built homes may get **supplementary** or **omitted** tax bills for the months after they were finished,
sometimes up to two years later. Set money aside for them.

Questions: Revenue & Taxation, **613-555-0300**.
""",
            "short_answer": "New homeowner? Your lawyer adjusts taxes at closing. The account moves to your name in "
            "6-8 weeks; a bill in the old owner's name must still be paid by its due date. Roll number stays the same. "
            "Seller's instalment plan stops: join it yourself. Check if your lender pays taxes.",
            "voice_script": "If you just bought a home, your lawyer adjusts the year's taxes with the seller at "
            "closing. The tax account moves to your name six to eight weeks later. Until then, a bill may come in "
            "the previous owner's name, but please pay it by the due date. If the seller was on the instalment "
            "plan, you need to join it yourself. And check whether your mortgage lender pays your taxes, so you do "
            "not pay twice.",
            "keywords": "new homeowner, bought a house, purchased home, first time buyer, change of ownership, "
            "previous owner, tax certificate, closing, lawyer, new construction, supplementary tax bill",
        },
        "fr": {
            "slug": "impot-foncier-pour-les-nouveaux-proprietaires",
            "title": "Vous venez d'acheter une maison? Votre compte d'impôt foncier",
            "summary": "Votre notaire ou avocat répartit les taxes de l'année à la signature. Le compte passe à votre "
            "nom en 6 à 8 semaines; d'ici là, un compte peut porter le nom de l'ancien propriétaire, mais vous devez "
            "le payer à l'échéance.",
            "body": """Félicitations pour votre nouvelle maison. Voici ce qui se passe pour l'impôt foncier.

## À la signature
Votre **notaire ou avocat** répartit les taxes de l'année entre vous et le vendeur (le *rajustement des
taxes*) et nous demande souvent un **certificat de taxes** indiquant ce qui est payé. Vous n'avez pas à nous
appeler pour changer de propriétaire : le bureau d'enregistrement foncier nous en informe.

## Les premières semaines
- Le compte passe à votre nom **6 à 8 semaines** après la signature. D'ici là, un compte peut être adressé à
  l'ancien propriétaire ou à « l'occupant ». **Payez-le quand même** à l'échéance : les taxes suivent la
  propriété.
- Votre **numéro de rôle** (19 chiffres) ne change pas; il figure sur le certificat de taxes et sur tout compte.
- Si le vendeur était au régime de versements, ses prélèvements cessent à la signature. **Inscrivez-vous
  vous-même** si vous voulez payer tous les mois.

## Votre prêteur paie vos taxes?
Beaucoup de prêteurs perçoivent les taxes avec vos versements hypothécaires et nous les paient. Envoyez à votre
prêteur une copie de chaque compte reçu et vérifiez avec lui avant de payer, pour éviter un double paiement.
Les doubles paiements sont remboursés sur demande, dans les 30 jours.

## Construction neuve
Une maison neuve peut recevoir des comptes de taxes **supplémentaires** ou **omises** pour les mois suivant la
fin des travaux, parfois jusqu'à deux ans plus tard. Prévoyez cet argent.

Questions : Revenus et taxation, **613-555-0300**.
""",
            "short_answer": "Nouveau propriétaire? Votre notaire ou avocat répartit les taxes à la signature. "
            "Le compte passe à votre nom en 6 à 8 semaines; un compte au nom de l'ancien propriétaire doit "
            "quand même être payé. Le numéro de rôle ne change pas. Inscrivez-vous vous-même aux versements.",
            "voice_script": "Si vous venez d'acheter une maison, votre notaire ou avocat répartit les taxes de "
            "l'année avec le vendeur à la signature. Le compte passe à votre nom six à huit semaines plus tard. "
            "D'ici là, un compte peut arriver au nom de l'ancien propriétaire; payez-le quand même à l'échéance. Si "
            "le vendeur était au régime de versements, inscrivez-vous vous-même. Et vérifiez si votre prêteur "
            "hypothécaire paie vos taxes.",
            "keywords": "nouveau propriétaire, achat d'une maison, premier acheteur, changement de propriétaire, "
            "ancien propriétaire, certificat de taxes, notaire, construction neuve, taxes supplémentaires",
        },
    },
    {
        "key": "business-licence",
        "agency": "revenue",
        "services": ["BIZ-LICENCE"],
        "en": {
            "slug": "apply-for-a-business-licence",
            "title": "Apply for a business licence",
            "summary": "Restaurants, food trucks, contractors, taxis, salons and about 40 other business types "
            "need a city licence before opening. Apply online; fees are $150 to $450, and most are issued in 10 "
            "business days.",
            "body": """Not every business needs a city licence, but these do (the full list of about 40 categories is on
the city website):

- **Food:** restaurants, cafés, food trucks, caterers, bakeries
- **Personal services:** hair and nail salons, barbers, tattoo and piercing studios, spas
- **Trades:** building contractors, plumbers, electricians, roofers, driveway pavers
- **Transport:** taxis, limousines, tow trucks, driving schools
- **Other:** second-hand and pawn shops, kennels and pet shops, public halls, short-term rentals

## Before you apply
- Check the **zoning** of your location allows the business (ask Planning for a zoning confirmation, free).
- Register your business name with the province.

## Apply
[Apply online](/services/BIZ-LICENCE/apply) with your business name, address, owner details and, depending on
the category:
- a **fire safety inspection** (booked for you) for premises open to the public
- a **public health inspection** for food and personal services
- proof of **liability insurance** ($2 million) for contractors and transport
- a police record check for taxi and tow-truck drivers

| Category | Yearly fee |
|---|---|
| Home-based, low impact | $150 |
| Retail, personal services, contractors | $275 |
| Food premises, public halls | $450 |

Most licences are issued within **10 business days** after the inspections pass. Operating without a required
licence can bring a fine of up to **$5,000**.
""",
            "short_answer": "Restaurants, food trucks, contractors, taxis, salons and ~40 other types need a city "
            "business licence. Check zoning, then apply online; inspections may be needed. Fees $150 to $450 a year; "
            "most issued within 10 business days after inspections pass.",
            "voice_script": "Many businesses need a city licence before they open, including restaurants, food "
            "trucks, contractors, taxis and salons. First check that the zoning allows your business, then apply "
            "online. Depending on the type of business, a fire or health inspection may be needed. Fees are one "
            "hundred and fifty to four hundred and fifty dollars a year, and most licences are issued within ten "
            "business days.",
            "keywords": "business license, business licence, open a business, start a business, licence to operate, "
            "restaurant licence, food truck, contractor licence, permit to operate, vendor licence, shop, commerce",
        },
        "fr": {
            "slug": "demander-un-permis-d-entreprise",
            "title": "Demander un permis d'entreprise",
            "summary": "Les restaurants, camions de cuisine de rue, entrepreneurs, taxis, salons et une quarantaine "
            "d'autres types d'entreprises doivent avoir un permis de la Ville avant d'ouvrir. Demande en ligne; "
            "frais de 150 $ à 450 $; délivré en 10 jours ouvrables.",
            "body": """Toutes les entreprises n'ont pas besoin d'un permis de la Ville, mais celles-ci, oui (la liste
complète d'environ 40 catégories est sur le site Web de la Ville) :

- **Alimentation :** restaurants, cafés, camions de cuisine de rue, traiteurs, boulangeries
- **Services personnels :** salons de coiffure et d'esthétique, barbiers, studios de tatouage et de perçage, spas
- **Métiers :** entrepreneurs en construction, plombiers, électriciens, couvreurs, paveurs
- **Transport :** taxis, limousines, dépanneuses, écoles de conduite
- **Autres :** brocantes et prêteurs sur gage, chenils et animaleries, salles publiques, locations à court terme

## Avant de faire la demande
- Vérifiez que le **zonage** de votre emplacement permet l'activité (demandez une confirmation de zonage
  gratuite à l'Urbanisme).
- Enregistrez le nom de votre entreprise auprès de la province.

## Faire la demande
[Faites une demande en ligne](/services/BIZ-LICENCE/apply) avec le nom de l'entreprise, l'adresse, les
renseignements sur le propriétaire et, selon la catégorie :
- une **inspection de sécurité incendie** (réservée pour vous) pour les lieux ouverts au public
- une **inspection de santé publique** pour l'alimentation et les services personnels
- une preuve d'**assurance responsabilité** (2 millions $) pour les entrepreneurs et le transport
- une vérification du casier judiciaire pour les chauffeurs de taxi et de dépanneuse

| Catégorie | Frais annuels |
|---|---|
| À domicile, faible incidence | 150 $ |
| Commerce de détail, services personnels, entrepreneurs | 275 $ |
| Établissements alimentaires, salles publiques | 450 $ |

La plupart des permis sont délivrés dans les **10 jours ouvrables** après la réussite des inspections. Exploiter
sans le permis requis peut entraîner une amende allant jusqu'à **5 000 $**.
""",
            "short_answer": "Restaurants, camions de cuisine de rue, entrepreneurs, taxis, salons et une quarantaine "
            "d'autres types ont besoin d'un permis d'entreprise. Vérifiez le zonage, puis faites la demande en "
            "ligne; inspections possibles. Frais de 150 $ à 450 $ par an; délivré en 10 jours ouvrables.",
            "voice_script": "Beaucoup d'entreprises ont besoin d'un permis de la Ville avant d'ouvrir, dont les "
            "restaurants, les camions de cuisine de rue, les entrepreneurs, les taxis et les salons. Vérifiez "
            "d'abord que le zonage permet votre activité, puis faites la demande en ligne. Selon le type "
            "d'entreprise, une inspection incendie ou sanitaire peut être requise. Les frais vont de cent cinquante "
            "à quatre cent cinquante dollars par année.",
            "keywords": "permis d'entreprise, licence commerciale, ouvrir une entreprise, démarrer un commerce, "
            "permis d'exploitation, restaurant, camion de cuisine de rue, entrepreneur, boutique, magasin, commerce",
        },
    },
    {
        "key": "business-licence-renew",
        "agency": "revenue",
        "services": ["BIZ-LICENCE"],
        "en": {
            "slug": "renew-a-business-licence",
            "title": "Renew your business licence",
            "summary": "Business licences expire on December 31. Renew online from November 1; after January 31 a "
            "25% late fee applies and you may have to stop operating.",
            "body": """All city business licences **expire on December 31** each year, whatever month they were
issued.

## Renew
- A renewal notice is emailed in **October**.
- Renew online **from November 1** with your licence number (for example *BL-2026-01482*) and pay the fee.
- Confirm or update your owner details, address, insurance and, for vehicles, plate numbers.
- Your new licence certificate can be downloaded at once; display it where customers can see it.

Renewals do not need a new inspection unless you moved, renovated or changed what you do, or a yearly inspection
applies to your category (food premises, public halls).

## Late renewal
| When | What happens |
|---|---|
| By January 31 | normal fee |
| February 1 onward | **25% late fee** |
| After March 31 | the licence is cancelled; you must stop operating and apply as a new business |

## Changes during the year
- **Moving** your business: apply for a change of address before you move; inspections may be needed.
- **Selling** the business: licences cannot be transferred; the buyer must apply.
- **Closing**: tell us online, so no renewal is charged.
""",
            "short_answer": "Business licences expire December 31. Renew online from November 1 with your licence "
            "number; the certificate downloads at once. After January 31 a 25% late fee applies; after March 31 the "
            "licence is cancelled and you must reapply. Licences can't be transferred.",
            "voice_script": "All business licences expire on December thirty first. You can renew online from "
            "November first with your licence number, and download your new certificate right away. If you renew "
            "after January thirty first, a late fee of twenty five percent applies, and after March thirty first "
            "the licence is cancelled. Licences cannot be transferred to a new owner.",
            "keywords": "renew business license, licence renewal, business licence expired, annual renewal, "
            "renewal fee, late renewal, licence certificate, business renewal",
        },
        "fr": {
            "slug": "renouveler-un-permis-d-entreprise",
            "title": "Renouveler votre permis d'entreprise",
            "summary": "Les permis d'entreprise expirent le 31 décembre. Renouvelez en ligne à partir du 1er "
            "novembre; après le 31 janvier, des frais de retard de 25 % s'appliquent et vous pourriez devoir cesser "
            "vos activités.",
            "body": """Tous les permis d'entreprise de la Ville **expirent le 31 décembre** de chaque année, peu
importe le mois de délivrance.

## Renouveler
- Un avis de renouvellement est envoyé par courriel en **octobre**.
- Renouvelez en ligne **à partir du 1er novembre** avec votre numéro de permis (par exemple *BL-2026-01482*)
  et payez les frais.
- Confirmez ou mettez à jour le propriétaire, l'adresse, l'assurance et, pour les véhicules, les plaques.
- Le nouveau certificat se télécharge sur-le-champ; affichez-le à la vue des clients.

Un renouvellement n'exige pas de nouvelle inspection, sauf si vous avez déménagé, rénové ou changé d'activité,
ou si une inspection annuelle s'applique à votre catégorie (établissements alimentaires, salles publiques).

## Renouvellement en retard
| Quand | Conséquence |
|---|---|
| Au plus tard le 31 janvier | frais normaux |
| À partir du 1er février | **frais de retard de 25 %** |
| Après le 31 mars | le permis est annulé; vous devez cesser vos activités et présenter une nouvelle demande |

## Changements en cours d'année
- **Déménagement** de l'entreprise : demandez un changement d'adresse avant de déménager; des inspections
  peuvent être requises.
- **Vente** de l'entreprise : les permis ne sont pas transférables; l'acheteur doit faire une demande.
- **Fermeture** : avisez-nous en ligne pour éviter les frais de renouvellement.
""",
            "short_answer": "Les permis d'entreprise expirent le 31 décembre. Renouvelez en ligne dès le 1er novembre "
            "avec votre numéro de permis; certificat téléchargeable sur-le-champ. Après le 31 janvier : frais de "
            "retard de 25 %; après le 31 mars : permis annulé. Permis non transférables.",
            "voice_script": "Tous les permis d'entreprise expirent le trente et un décembre. Vous pouvez renouveler "
            "en ligne à partir du premier novembre avec votre numéro de permis, et télécharger tout de suite votre "
            "nouveau certificat. Après le trente et un janvier, des frais de retard de vingt-cinq pour cent "
            "s'appliquent, et après le trente et un mars, le permis est annulé. Les permis ne sont pas transférables.",
            "keywords": "renouveler permis d'entreprise, renouvellement annuel, permis expiré, frais de "
            "renouvellement, retard, certificat de permis",
        },
    },
    {
        "key": "home-business",
        "agency": "revenue",
        "services": ["BIZ-LICENCE"],
        "en": {
            "slug": "running-a-business-from-home",
            "title": "Running a business from home",
            "summary": "Most home offices need no licence. A home-based business must stay low impact: no more than "
            "one non-resident employee, a small sign, no outside storage. Some types need a $150 licence.",
            "body": """You can run many businesses from your home, as long as the neighbourhood stays residential.

## No licence needed
Offices with no customer visits (consultants, writers, designers, online sellers who ship by mail), and tutoring
of up to 3 students at a time.

## Home-based business licence ($150 a year)
Needed if customers or clients come to your home, for example hair salons, massage therapy, pet grooming,
music lessons for more than 3 students, or home daycare for more than 5 children (which also needs a provincial
licence). [Apply online](/services/BIZ-LICENCE/apply).

## Rules for every home business
- The business uses **no more than 25%** of the home's floor area.
- **One employee** at most who does not live there.
- **No outside storage** of goods or equipment, no commercial vehicles heavier than 4,500 kg parked on the street.
- One sign up to **0.3 m²**, not lit.
- Customer parking must fit on your driveway; no more than **2 customers** at a time.
- No noise, smells or deliveries outside 8 a.m. to 8 p.m.

Not allowed at home: vehicle repair, welding, body shops and restaurants.

## Other things to check
Your home insurance (it may not cover business use), your condo or lease rules, and whether you must register for
sales tax.
""",
            "short_answer": "Home offices without customer visits need no licence. If clients come to your home "
            "(salon, pet grooming, lessons), get a $150 home-based business licence online. Limits: 25% of the "
            "home, 1 outside employee, small unlit sign, no outside storage, 2 customers at a time.",
            "voice_script": "Most home offices without customer visits do not need a licence. If customers come to "
            "your home, for example for a hair salon, pet grooming or lessons, you need a home based business "
            "licence, for one hundred and fifty dollars a year, online. The business can use at most a quarter of "
            "the home, with one employee who lives elsewhere, a small sign, and no outside storage.",
            "keywords": "home business, work from home, home-based business, home office, side business, home "
            "salon, home daycare, zoning home business, running a business from my house",
        },
        "fr": {
            "slug": "entreprise-a-domicile",
            "title": "Exploiter une entreprise à domicile",
            "summary": "La plupart des bureaux à domicile n'ont pas besoin de permis. Une entreprise à domicile doit "
            "rester discrète : un employé non résident au plus, une petite enseigne, pas d'entreposage extérieur. "
            "Certains types exigent un permis de 150 $.",
            "body": """Vous pouvez exploiter bien des entreprises chez vous, tant que le quartier demeure résidentiel.

## Aucun permis requis
Les bureaux sans visite de clients (consultants, rédacteurs, graphistes, vendeurs en ligne qui expédient par la
poste), et le tutorat d'au plus 3 élèves à la fois.

## Permis d'entreprise à domicile (150 $ par année)
Requis si des clients viennent chez vous, par exemple coiffure, massothérapie, toilettage d'animaux, cours de
musique à plus de 3 élèves ou garderie en milieu familial de plus de 5 enfants (qui exige aussi un permis
provincial). [Faites une demande en ligne](/services/BIZ-LICENCE/apply).

## Règles pour toute entreprise à domicile
- L'entreprise occupe **au plus 25 %** de la superficie du logement.
- **Un employé** au plus qui n'y habite pas.
- **Aucun entreposage extérieur** de marchandises ou d'équipement, aucun véhicule commercial de plus de
  4 500 kg stationné dans la rue.
- Une enseigne d'au plus **0,3 m²**, non lumineuse.
- Le stationnement des clients doit tenir dans votre entrée; au plus **2 clients** à la fois.
- Aucun bruit, odeur ou livraison en dehors de 8 h à 20 h.

Interdits à domicile : réparation de véhicules, soudure, carrosserie et restauration.

## À vérifier aussi
Votre assurance habitation (elle peut exclure l'usage commercial), les règles de votre copropriété ou de votre
bail, et l'inscription aux taxes de vente.
""",
            "short_answer": "Un bureau à domicile sans clients sur place n'exige pas de permis. Si des clients "
            "viennent chez vous (coiffure, toilettage, cours), demandez en ligne un permis d'entreprise à domicile de "
            "150 $. Limites : 25 % du logement, 1 employé externe, petite enseigne, pas d'entreposage extérieur.",
            "voice_script": "La plupart des bureaux à domicile sans visite de clients n'ont pas besoin de permis. "
            "Si des clients viennent chez vous, par exemple pour la coiffure, le toilettage ou des cours, il vous "
            "faut un permis d'entreprise à domicile, à cent cinquante dollars par année, en ligne. L'entreprise "
            "peut occuper au plus le quart du logement, avec un seul employé qui habite ailleurs, une petite "
            "enseigne et aucun entreposage extérieur.",
            "keywords": "entreprise à domicile, travail à domicile, bureau à domicile, travailleur autonome, salon à "
            "domicile, garderie en milieu familial, zonage, commerce à la maison",
        },
    },
]

ARTICLES: list[dict[str, Any]] = CITY_WORKS + TRANSPORT_LICENSING + REVENUE
