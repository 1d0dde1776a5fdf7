"""Catalogue-file snippets the catalogue tests append to an agency's file: several offices with skills and a
queue naming its office, and a service whose form has page titles, a condition and the builder's kinds."""

OFFICES = """
[[calendars]]
name = "Depot"
timezone = "America/Vancouver"
[calendars.hours]
saturday = ["09:00-12:00"]

[[skills]]
code = "ramps"
label = "Ramps"
label_fr = "Rampes"

[[skills]]
code = "french"
label = "French"
every_agency = true

[[queues]]
slug = "depot"
name = "Depot counter"
name_fr = "Comptoir du dépôt"
calendar = "Depot"
required_skills = { ramps = 2 }
"""


PERMIT_SERVICE = """
[[services]]
code = "PERMIT"
name = "Apply for a parking permit"

[services.pages.1]
title = "About you"
translations = { fr = { title = "À propos de vous" } }

[[services.attributes]]
code = "has_car"
datatype = "singlevaluelist"
description = "Do you have a car?"
values = [{ key = "yes", name = "Yes" }, { key = "no", name = "No" }]

[[services.attributes]]
code = "plate"
datatype = "string"
description = "Licence plate"
required = true
condition = { field = "has_car", values = ["yes"] }

[[services.attributes]]
code = "moved_on"
datatype = "date"
description = "When did you move in?"
page = 2

[[services.attributes]]
code = "agree"
datatype = "consent"
description = "I confirm this is true"
required = true
page = 2
"""
