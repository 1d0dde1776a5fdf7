"""The set-based SQL bench/analytics.py adds to bench/scale_load.py's city: people who looked online before they
called, and one analytics touch per inbound contact, as `engagement/measuring.py` writes them.

Same rules as scale_sql.py: PostgreSQL only, one statement per resident chunk (`lo`..`hi`), reading the plan tables
(`scale_case`, `scale_conv`, `s_service`, `s_articles`) the loader filled in the same connection.
"""

from __future__ import annotations

from scale_sql import CHUNK, Phase, Step  # this script's directory is on sys.path

LOOKED_FIRST_SHARE = 0.35  # of cases opened by a call or a visit, the person looked on the web or the chat first

# Web-then-call: before a share of the cases opened by phone or at the counter, the person asked on the portal (a
# web message about the service) or the chat (the assistant did not understand), 10 minutes to 3 days earlier.
LOOKED_FIRST = f"""
WITH k AS MATERIALIZED (
  SELECT c.n, c.citizen_id, c.lang, c.profile, c.phone_id, c.email_id, c.device_id, c.phone_verified,
    c.email_verified, c.service_id, c.code, c.agency_id, c.title, c.created, random() AS r_ch, random() AS r_gap
  FROM scale_case c WHERE c.n {CHUNK} AND c.channel IN ('voice', 'counter') AND random() < {LOOKED_FIRST_SHARE}),
l AS MATERIALIZED (
  SELECT k.*, CASE WHEN k.device_id IS NOT NULL AND k.r_ch < 0.4 THEN 'chat' ELSE 'web' END AS ch,
    k.created - (10 + k.r_gap * 4310) * interval '1 minute' AS at
  FROM k),
ids AS MATERIALIZED (SELECT l.*, pg_temp.uuid7(l.at) AS conv, pg_temp.uuid7(l.at) AS iid FROM l),
cv AS (
  INSERT INTO conversations (id, citizen_id, channel, case_id, subject, status, last_activity_at, created_at,
    updated_at)
  SELECT conv, citizen_id, ch, NULL, NULL, 'closed', at, at, at FROM ids),
it AS (
  INSERT INTO interactions (id, conversation_id, citizen_id, case_id, channel, direction, kind, body, payload,
    external_id, staff_id, identity_id, delivery_status, duration_seconds, occurred_at, created_at)
  SELECT iid, conv, citizen_id, NULL, ch, 'inbound', 'message', title || '?', '{{}}'::jsonb,
    'scale-' || replace(iid::text, '-', ''), NULL, CASE WHEN ch = 'chat' THEN device_id END, NULL, NULL, at, at
  FROM ids)
INSERT INTO scale_conv (n, citizen_id, id, first_id, case_id, agency_id, service_id, code, reference, kind, channel,
  reply_channel, lang, profile, phone_id, email_id, device_id, phone_verified, email_verified, started, gap_h, r_j,
  n_eff, last_at, case_status, priority, subject, opener, art_idx, handed_off)
SELECT n, citizen_id, conv, iid, NULL, agency_id, service_id, code, NULL, 'looked', ch, ch, lang, profile, phone_id,
  email_id, device_id, phone_verified, email_verified, at, 1, 0, 1, at, NULL, 'normal', NULL, title, NULL,
  ch = 'chat'
FROM ids
"""  # noqa: S608 - built from this module's constant fragments, never from input

# One touch per inbound interaction, with what the engagement flow knows at that moment: the case and its service
# and agency; an enquiry's service when the flow recognised it (seven in ten); the assistant's article as the
# subject when it answered, `failed` on the turn it handed over or on a chat it did not understand; the agency of
# work a person took. A tenth of calls from a verified number were asked to prove who they were again.
TOUCHES = f"""
WITH x AS MATERIALIZED (
  SELECT i.id AS iid, i.citizen_id, i.occurred_at, i.channel, i.kind AS ikind, i.conversation_id, v.kind,
    v.case_id, v.service_id, v.code, v.agency_id, v.lang, v.art_idx, v.handed_off, v.phone_verified,
    row_number() OVER (PARTITION BY i.conversation_id ORDER BY i.occurred_at DESC, i.id DESC) AS from_last,
    random() AS r_svc, random() AS r_ask
  FROM scale_conv v JOIN interactions i ON i.conversation_id = v.id AND i.direction = 'inbound'
  WHERE v.n {CHUNK})
INSERT INTO analytics_touches (id, citizen_id, occurred_at, day, channel, kind, interaction_id, conversation_id,
  case_id, service_id, agency_id, subject, self_service, asked_again, language, age_band, area, journey_id,
  contact_start, repeat, avoidable, switched, recorded_at)
SELECT pg_temp.uuid7(x.occurred_at), x.citizen_id, x.occurred_at, NULL, x.channel, x.ikind, x.iid,
  x.conversation_id, x.case_id,
  CASE WHEN x.kind IN ('case', 'looked') THEN x.service_id WHEN x.kind = 'enquiry' AND x.r_svc < 0.7 THEN s.id END,
  CASE WHEN x.kind = 'assistant' AND NOT x.handed_off THEN ka.agency_id ELSE x.agency_id END,
  CASE WHEN x.kind = 'assistant' AND ka.group_id IS NOT NULL THEN 'article:' || ka.group_id END,
  CASE WHEN x.kind = 'looked' AND x.channel = 'chat' THEN 'failed'
       WHEN x.kind = 'assistant' AND x.handed_off AND x.from_last = 1 THEN 'failed'
       WHEN x.kind = 'assistant' AND ka.group_id IS NOT NULL THEN 'answered' END,
  CASE WHEN x.channel = 'voice' AND x.phone_verified AND x.r_ask < 0.1 THEN 1 ELSE 0 END,
  x.lang, NULL, NULL, NULL, false, false, false, false, x.occurred_at
FROM x LEFT JOIN s_service s ON s.code = x.code
LEFT JOIN s_articles ar ON ar.lang = x.lang AND x.kind = 'assistant'
LEFT JOIN knowledge_articles ka ON ka.id = ar.ids[x.art_idx]
"""  # noqa: S608 - built from this module's constant fragments, never from input

# Satisfaction: after six in ten resolved or closed cases (the others: the person was asked in the last 30 days, or
# has neither a phone nor an email) one question went by text, else by email, five minutes after the case closed;
# three in ten answered within a day, mostly 4 or 5, and one answer in five came with a comment. Read from the cases
# the loader wrote (not its temporary plan tables), so a database loaded before this step existed can be given it.
SURVEYS_SHARE = 0.6
SURVEYS = f"""
WITH k AS MATERIALIZED (
  SELECT c.id, c.citizen_id, c.agency_id, c.service_id, c.opened_channel, c.assigned_to_id, ci.language,
    c.closed_at + interval '5 minutes' AS sent, random() AS r_ans, random() AS r_gap, random() AS r_score,
    EXISTS (SELECT 1 FROM identities i WHERE i.citizen_id = c.citizen_id AND i.kind = 'phone') AS texts,
    EXISTS (SELECT 1 FROM identities i WHERE i.citizen_id = c.citizen_id AND i.kind = 'email') AS mails
  FROM cases c JOIN citizens ci ON ci.id = c.citizen_id
  WHERE c.status IN ('resolved', 'closed') AND c.closed_at IS NOT NULL AND c.closed_at < now() - interval '1 hour'
    AND random() < {SURVEYS_SHARE}),
a AS MATERIALIZED (
  SELECT k.*, CASE WHEN k.texts THEN 'sms' ELSE 'email' END AS ch,
    CASE WHEN k.r_ans < 0.3 AND k.sent + (5 + k.r_gap * 1435) * interval '1 minute' < now()
         THEN k.sent + (5 + k.r_gap * 1435) * interval '1 minute' END AS answered
  FROM k WHERE k.texts OR k.mails)
INSERT INTO satisfaction_surveys (id, subject_key, about, citizen_id, channel, contact_channel, language, agency_id,
  service_id, case_id, staff_id, sent_at, expires_at, answered_at, answered_on, score, comment, commented_at)
SELECT pg_temp.uuid7(a.sent), 'case:' || a.id, 'case', a.citizen_id, a.ch, a.opened_channel, a.language,
  a.agency_id, a.service_id, a.id, a.assigned_to_id, a.sent, a.sent + interval '7 days', a.answered,
  CASE WHEN a.answered IS NOT NULL THEN a.ch END,
  CASE WHEN a.answered IS NULL THEN NULL WHEN a.r_score < 0.45 THEN 5 WHEN a.r_score < 0.75 THEN 4
       WHEN a.r_score < 0.85 THEN 3 WHEN a.r_score < 0.93 THEN 2 ELSE 1 END,
  CASE WHEN a.answered IS NOT NULL AND a.r_gap < 0.2 THEN
    CASE WHEN a.r_score < 0.75 THEN 'Quick and friendly, thank you' ELSE 'It took too long to hear back' END END,
  CASE WHEN a.answered IS NOT NULL AND a.r_gap < 0.2 THEN a.answered + interval '1 minute' END
FROM a
"""  # noqa: S608 - built from this module's constants, never from input

PHASES = (
    Phase("looked online first: conversations, interactions", (Step(LOOKED_FIRST),)),
    Phase("analytics touches, one per inbound contact", (Step(TOUCHES),)),
)
