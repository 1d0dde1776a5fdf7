"""The set-based SQL of bench/scale_load.py for contact and work: every touchpoint, case history, the queue, audit.

Same rules as scale_sql.py: the product's enum names and JSON shapes, UUIDv7 ids from each row's own time,
PostgreSQL only, one statement per resident chunk (`lo`..`hi`) reading the plan tables that scale_sql.py fills.
"""

from __future__ import annotations

from scale_sql import CHUNK  # this script's directory is on sys.path

# Every touchpoint: the first inbound, then both ways across channels (a fifth of inbound switch channel), staff
# notes, the assistant's answers with the knowledge answer each records, a few attached files.
H = "(hashtext(i.id::text)::bigint + 2147483648)"
INTERACTIONS = f"""
WITH m AS MATERIALIZED (
  SELECT v.*, s.s, random() AS r_dir, random() AS r_same, random() AS r_mix, random() AS r_txt, random() AS r_del,
    random() AS r_dur, random() AS r_note, random() AS r_conf, random() AS r_help, random() AS r_staff,
    v.started + (s.s + CASE WHEN s.s = 0 THEN 0 ELSE 0.8 * ((s.s * 0.618034 + v.r_j)
      - floor(s.s * 0.618034 + v.r_j)) END) * v.gap_h * interval '1 hour' AS at
  FROM scale_conv v CROSS JOIN LATERAL generate_series(0, v.n_eff - 1) s(s) WHERE v.n {CHUNK}),
d AS MATERIALIZED (
  SELECT m.*, CASE WHEN m.kind = 'assistant' THEN CASE WHEN mod(m.s, 2) = 0 THEN 'inbound' ELSE 'outbound' END
      WHEN m.s = 0 THEN 'inbound' WHEN m.r_note < 0.03 THEN 'internal' WHEN m.r_dir < 0.55 THEN 'inbound'
      ELSE 'outbound' END AS direction
  FROM m),
e AS MATERIALIZED (
  SELECT d.*, CASE WHEN d.direction = 'internal' THEN 'web' WHEN d.direction = 'outbound' THEN d.reply_channel
      WHEN d.s = 0 OR d.kind = 'assistant' OR d.r_same < 0.8 THEN d.channel
      ELSE ch.mix[1 + floor(d.r_mix * 100)::int] END AS ch,
    CASE WHEN d.s = 0 THEN d.first_id ELSE pg_temp.uuid7(d.at) END AS iid,
    ar.ids[d.art_idx] AS article_id, ar.versions[d.art_idx] AS version_id, ar.slugs[d.art_idx] AS slug,
    ar.answers[d.art_idx] AS answer, sa.staff_ids[1 + floor(d.r_staff * cardinality(sa.staff_ids))::int] AS staff,
    CASE WHEN d.kind = 'assistant' AND d.direction = 'outbound' AND ar.ids[d.art_idx] IS NOT NULL
         THEN pg_temp.uuid7(d.at) END AS answer_id,
    ph.follow, ph.follow_plain, ph.reply, ph.reply_plain, ph.quick
  FROM d JOIN s_chan ch ON ch.profile = d.profile JOIN s_phrase ph ON ph.lang = d.lang
  JOIN s_agency sa ON sa.agency_id = d.agency_id LEFT JOIN s_articles ar ON ar.lang = d.lang),
f AS MATERIALIZED (
  SELECT e.*,
    CASE WHEN e.direction = 'internal' THEN 'note' WHEN e.direction = 'outbound' THEN 'message'
      WHEN e.ch = 'voice' THEN 'call' WHEN e.ch = 'counter' THEN 'visit' WHEN e.ch = 'mail' THEN 'letter'
      WHEN e.s = 0 AND e.case_id IS NOT NULL AND e.ch IN ('web', 'api', 'mobile') THEN 'form_submission'
      ELSE 'message' END AS ikind,
    CASE WHEN e.direction = 'internal' THEN (ARRAY['Called back and left a message.',
        'Checked the file; waiting on the crew.', 'Spoke to them at the counter.'])[1 + floor(e.r_txt * 3)::int]
      WHEN e.answer_id IS NOT NULL THEN e.answer
      WHEN e.direction = 'inbound' AND e.s = 0 THEN e.opener
      WHEN e.direction = 'inbound' AND e.case_id IS NOT NULL
        THEN replace(e.follow[1 + floor(e.r_txt * cardinality(e.follow))::int], '{{ref}}', e.reference)
      WHEN e.direction = 'inbound' THEN e.follow_plain[1 + floor(e.r_txt * cardinality(e.follow_plain))::int]
      WHEN e.case_id IS NOT NULL
        THEN replace(e.reply[1 + floor(e.r_txt * cardinality(e.reply))::int], '{{ref}}', e.reference)
      ELSE e.reply_plain[1 + floor(e.r_txt * cardinality(e.reply_plain))::int] END AS body,
    CASE WHEN e.direction = 'internal' THEN NULL WHEN e.ch IN ('sms', 'voice') THEN e.phone_id
      WHEN e.ch = 'email' THEN e.email_id WHEN e.ch = 'chat' THEN e.device_id
      WHEN e.ch = 'api' THEN coalesce(e.email_id, e.phone_id) END AS identity_id
  FROM e),
ins AS (
  INSERT INTO interactions (id, conversation_id, citizen_id, case_id, channel, direction, kind, body, payload,
    external_id, staff_id, identity_id, delivery_status, duration_seconds, occurred_at, created_at)
  SELECT iid, id, citizen_id, case_id, ch, direction, ikind, coalesce(body, ''),
    CASE WHEN answer_id IS NOT NULL THEN jsonb_build_object('via', 'assistant', 'intent', 'question',
        'language', lang, 'awaiting', 'feedback', 'quick_replies', to_jsonb(quick),
        'article_version_id', version_id::text, 'article_slug', slug, 'answer_id', answer_id::text)
      WHEN kind = 'assistant' AND direction = 'outbound'
        THEN jsonb_build_object('via', 'assistant', 'intent', 'question', 'language', lang)
      WHEN ch = 'email' AND direction <> 'internal' THEN jsonb_build_object('subject',
        CASE WHEN direction = 'outbound' THEN 'Re: ' ELSE '' END || coalesce(subject, 'Your message'))
      ELSE '{{}}'::jsonb END,
    CASE WHEN direction <> 'internal' THEN 'scale-' || replace(iid::text, '-', '') END,
    CASE WHEN direction <> 'inbound' AND kind <> 'assistant' THEN staff END, identity_id,
    CASE WHEN direction = 'outbound' THEN CASE WHEN r_del < 0.02 THEN 'failed' WHEN r_del < 0.07 THEN 'sent'
      ELSE 'delivered' END END,
    CASE WHEN ch = 'voice' AND direction <> 'internal' THEN 40 + floor(r_dur * 860)::int END, at, at
  FROM f RETURNING id, channel, direction, occurred_at),
att AS (
  INSERT INTO attachments (id, interaction_id, filename, content_type, size_bytes, sha256, source_url, created_at)
  SELECT pg_temp.uuid7(i.occurred_at), i.id, b.filename, b.content_type, b.size, b.sha, NULL, i.occurred_at
  FROM ins i JOIN s_blob b ON b.idx = 1 + mod({H}, 3)
  WHERE i.direction = 'inbound' AND i.channel IN ('sms', 'email', 'web', 'mobile') AND mod({H} / 3, 100) < 4)
INSERT INTO knowledge_answers (id, article_id, version_id, channel, confidence, conversation_id, interaction_id,
  helpful, feedback_at, created_at)
SELECT answer_id, article_id, version_id, ch, round((0.5 + 0.45 * r_conf)::numeric, 3)::float8, id, iid,
  CASE WHEN r_help < 0.6 THEN true WHEN r_help < 0.75 THEN false END,
  CASE WHEN r_help < 0.75 AND at < (SELECT now FROM scale_param) - interval '1 minute'
       THEN at + interval '1 minute' END, at
FROM f WHERE answer_id IS NOT NULL
"""  # noqa: S608 - built from this module's constant fragments, never from input

# A case's status changes as the desk writes them: the public history, the timeline entry and the audit row.
STEPS = f"""
WITH c AS MATERIALIZED (
  SELECT c.*, CASE c.status WHEN 'open' THEN ARRAY['open'] WHEN 'in_progress' THEN ARRAY['in_progress']
      WHEN 'waiting_on_citizen' THEN ARRAY['in_progress', 'waiting_on_citizen']
      WHEN 'resolved' THEN ARRAY['in_progress', 'resolved']
      WHEN 'closed' THEN ARRAY['in_progress', 'resolved', 'closed']
      WHEN 'cancelled' THEN ARRAY['cancelled'] ELSE ARRAY[]::text[] END AS path
  FROM scale_case c WHERE c.n {CHUNK}),
s AS MATERIALIZED (
  SELECT c.id AS case_id, c.conv_id, c.citizen_id, c.agency_id, c.open311, c.path[k] AS to_status,
    CASE WHEN k = 1 THEN 'new' ELSE c.path[k - 1] END AS from_status,
    least(p.now, c.created + (c.settled - c.created) * k / cardinality(c.path)) AS at,
    coalesce(c.assigned_to_id, sa.staff_ids[1 + mod(c.n + k, greatest(cardinality(sa.staff_ids), 1))]) AS staff_id
  FROM c CROSS JOIN LATERAL generate_subscripts(c.path, 1) k CROSS JOIN scale_param p
  JOIN s_agency sa ON sa.agency_id = c.agency_id),
upd AS (
  INSERT INTO case_updates (id, case_id, status, note, source, staff_id, api_key_id, external_id, media_url,
    created_at)
  SELECT pg_temp.uuid7(at), case_id, to_status,
    CASE WHEN to_status = 'resolved' AND open311 THEN 'Fixed. Thank you for reporting it.' ELSE '' END, 'staff',
    staff_id, NULL, NULL, NULL, at FROM s),
tl AS (
  INSERT INTO interactions (id, conversation_id, citizen_id, case_id, channel, direction, kind, body, payload,
    external_id, staff_id, identity_id, delivery_status, duration_seconds, occurred_at, created_at)
  SELECT pg_temp.uuid7(at), conv_id, citizen_id, case_id, 'web', 'internal', 'status_change',
    'Status changed from ' || from_status || ' to ' || to_status,
    jsonb_build_object('from', from_status, 'to', to_status), NULL, staff_id, NULL, NULL, NULL, at, at FROM s)
INSERT INTO audit_log (id, occurred_at, actor_kind, actor_id, action, subject_kind, subject_id, citizen_id,
  agency_id, detail, purpose, actor_agency_ids)
SELECT pg_temp.uuid7(at), at, 'staff', staff_id::text, 'case.status', 'case', case_id::text, citizen_id, agency_id,
  jsonb_build_object('from', from_status, 'to', to_status), 'POST /desk/cases/{{reference}}/status',
  jsonb_build_array(agency_id::text) FROM s
"""  # noqa: S608 - built from this module's constant fragments, never from input

# The queue's work for every conversation that needed a person: done (answered against its SLA, completed by an
# agent with a wrap-up code and an accepted offer), cancelled, or still queued when it arrived in the last two days
# (a contact centre two days behind: thousands of items waiting, most of them past their SLA). A work item is the
# first answer a contact needs, not its case: a case stays open for weeks after its work item is done.
ZERO = "'00000000-0000-0000-0000-000000000000'::uuid"
WORK = f"""
WITH w AS MATERIALIZED (
  SELECT v.*, random() AS r_st, random() AS r_ans, random() AS r_close, random() AS r_wrap, random() AS r_staff,
    random() AS r_out, random() AS r_tr, p.now,
    CASE WHEN v.kind = 'case' THEN 'case' WHEN v.channel = 'voice' THEN 'call' ELSE 'message' END AS wkind,
    CASE WHEN v.channel IN ('sms', 'voice') THEN 'phone' WHEN v.channel = 'email' THEN 'email'
      WHEN v.channel = 'chat' THEN 'device'
      WHEN v.channel = 'api' THEN CASE WHEN v.email_id IS NOT NULL THEN 'email'
                                       WHEN v.phone_id IS NOT NULL THEN 'phone' END END AS how
  FROM scale_conv v CROSS JOIN scale_param p
  WHERE v.n {CHUNK} AND (v.kind <> 'assistant' OR v.handed_off)),
x AS MATERIALIZED (
  SELECT w.*, rt.queue_id, rt.boost, rt.goal,
    w.started + rt.sla_seconds * CASE WHEN rt.business THEN 2.5 ELSE 1 END * interval '1 second' AS due,
    CASE WHEN w.started < w.now - interval '2 days'
           OR (w.kind = 'case' AND w.case_status IN ('resolved', 'closed', 'cancelled'))
         THEN CASE WHEN w.r_st < 0.02 THEN 'cancelled' ELSE 'done' END ELSE 'queued' END AS wstatus
  FROM w JOIN s_route rt ON rt.agency_id = w.agency_id AND rt.channel = w.channel
    AND rt.service_key = coalesce(w.service_id, {ZERO})),
y AS MATERIALIZED (
  SELECT x.*, pg_temp.uuid7(x.started) AS wid, sa.wrap_codes,
    sa.staff_ids[1 + floor(x.r_staff * cardinality(sa.staff_ids))::int] AS staff_id,
    sa.staff_ids[1 + mod(1 + floor(x.r_staff * cardinality(sa.staff_ids))::int, greatest(cardinality(sa.staff_ids), 1))]
      AS other_staff,
    CASE WHEN x.channel = 'voice' THEN 'voice' WHEN x.channel = 'chat' THEN 'chat' ELSE 'async_' END AS cap,
    CASE WHEN x.wstatus = 'done' THEN least(x.now, x.started + (x.due - x.started) * 1.4 * x.r_ans) END AS answered
  FROM x JOIN s_agency sa ON sa.agency_id = x.agency_id),
z AS MATERIALIZED (
  SELECT y.*, CASE
      WHEN y.wstatus = 'done' THEN least(y.now, greatest(y.answered, y.last_at) + y.r_close * interval '2 hours')
      WHEN y.wstatus = 'cancelled' THEN least(y.now, y.started + interval '3 minutes') END AS closed
  FROM y),
wi AS (
  INSERT INTO work_items (id, channel, kind, status, agency_id, queue_id, service_id, case_id, conversation_id,
    citizen_id, capacity_class, language, required_skills, priority, sla_due_at, sla_goal_percent, context,
    interaction_count, last_activity_at, not_before, target_staff_id, target_team_id, target_role, assigned_to_id,
    offer_expires_at, first_answered_at, escalated_at, wrap_up_code, outcome, closed_at, created_at, updated_at)
  SELECT wid, channel, wkind, wstatus, agency_id, queue_id, service_id, case_id, id, citizen_id, cap, lang,
    '{{}}'::jsonb, least(100, CASE priority WHEN 'low' THEN 25 WHEN 'high' THEN 75 WHEN 'urgent' THEN 100 ELSE 50 END
      + boost), due, goal,
    jsonb_build_object('first_interaction_id', first_id::text, 'channel', channel,
      'identified_by', CASE WHEN how IS NULL THEN '{{"how": "anonymous"}}'::jsonb
        ELSE jsonb_build_object('how', how,
          'verified', CASE how WHEN 'phone' THEN phone_verified WHEN 'email' THEN email_verified ELSE false END,
          'verification_method', CASE WHEN how = 'phone' AND phone_verified THEN 'sms_code'
                                      WHEN how = 'email' AND email_verified THEN 'email_link' END) END,
      'case_reference', reference, 'service_code', CASE WHEN case_id IS NOT NULL THEN code END),
    greatest(1, (n_eff + 1) / 2), last_at, NULL, NULL, NULL, NULL,
    CASE WHEN wstatus = 'done' THEN staff_id END, NULL, answered, NULL,
    CASE WHEN wstatus = 'done' AND cardinality(wrap_codes) > 0
         THEN wrap_codes[1 + floor(r_wrap * cardinality(wrap_codes))::int] END,
    CASE WHEN wstatus = 'done' AND r_out < 0.3 THEN 'Answered on first contact.' END, closed, started,
    coalesce(closed, last_at)
  FROM z),
wo AS (
  INSERT INTO work_offers (id, work_item_id, staff_id, capacity_class, offered_at, expires_at, outcome,
    responded_at, released_at, released_how)
  SELECT pg_temp.uuid7(answered), wid, staff_id, cap, greatest(started, answered - interval '40 seconds'),
    greatest(started, answered - interval '40 seconds') + interval '30 seconds', 'accepted',
    greatest(started, answered - interval '30 seconds'), closed, 'completed'
  FROM z WHERE wstatus = 'done' AND staff_id IS NOT NULL)
INSERT INTO work_item_transfers (id, work_item_id, kind, at, from_staff_id, to_staff_id, to_team_id, to_agency_id,
  to_role, note)
SELECT pg_temp.uuid7(answered), wid, 'transfer', greatest(started, answered - interval '1 minute'), other_staff,
  staff_id, NULL, NULL, NULL, 'Passed to a colleague who knows the file.'
FROM z WHERE wstatus = 'done' AND r_tr < 0.01 AND staff_id IS NOT NULL AND other_staff IS NOT NULL
  AND other_staff <> staff_id
"""  # noqa: S608 - built from this module's constant fragments, never from input

# Each agent holds three of their agency's newest queued written items (accepted offers), as a busy desk does.
ASSIGN = """
WITH items AS (
  SELECT w.id, w.agency_id, row_number() OVER (PARTITION BY w.agency_id ORDER BY w.created_at DESC, w.id) AS r
  FROM work_items w WHERE w.status = 'queued' AND w.capacity_class = 'async_'),
who AS (
  SELECT sa.agency_id, sa.staff_id, row_number() OVER (PARTITION BY sa.agency_id ORDER BY sa.staff_id) AS k
  FROM staff_agencies sa JOIN staff_accounts a ON a.id = sa.staff_id AND a.active AND a.role = 'agent'
  JOIN agents g ON g.staff_id = a.id),
pairs AS (
  SELECT i.id, who.staff_id FROM items i JOIN who ON who.agency_id = i.agency_id AND who.k = (i.r - 1) / 3 + 1),
upd AS (
  UPDATE work_items w SET status = 'assigned', assigned_to_id = pairs.staff_id, updated_at = p.now
  FROM pairs, scale_param p WHERE w.id = pairs.id RETURNING w.id, w.assigned_to_id)
INSERT INTO work_offers (id, work_item_id, staff_id, capacity_class, offered_at, expires_at, outcome, responded_at,
  released_at, released_how)
SELECT pg_temp.uuid7(p.now - interval '10 minutes'), upd.id, upd.assigned_to_id, 'async_',
  p.now - interval '10 minutes', p.now - interval '9 minutes', 'accepted', p.now - interval '570 seconds', NULL, NULL
FROM upd CROSS JOIN scale_param p
"""

AUDIT = """INSERT INTO audit_log (id, occurred_at, actor_kind, actor_id, action, subject_kind, subject_id, citizen_id,
  agency_id, detail, purpose, actor_agency_ids)"""

# Reports that came through the demo city's Open311 app: the integrator's record and its audit row.
OPEN311 = f"""
WITH o AS MATERIALIZED (
  SELECT c.*, p.open311_key FROM scale_case c CROSS JOIN scale_param p
  WHERE c.n {CHUNK} AND c.channel = 'api' AND p.open311_key IS NOT NULL),
req AS (
  INSERT INTO open311_requests (id, case_id, api_key_id, token, device_id, account_id, submitted_at)
  SELECT pg_temp.uuid7(created), id, open311_key, NULL, 'scale-device-' || n, NULL, created FROM o)
{AUDIT}
SELECT pg_temp.uuid7(created), created, 'api_key', open311_key::text, 'open311.request', 'case', id::text,
  citizen_id, agency_id, jsonb_build_object('reference', reference, 'service_code', code), '', 'null'::jsonb FROM o
"""  # noqa: S608 - built from this module's constant fragments, never from input

ASSISTANT = f"""
INSERT INTO assistant_sessions (conversation_id, pending, pending_data, intent, verified, turns, misses,
  handed_off_at, updated_at)
SELECT id, NULL, '{{}}'::jsonb, 'question', '{{}}'::jsonb, greatest(1, n_eff / 2), 0,
  CASE WHEN handed_off THEN last_at END, last_at
FROM scale_conv WHERE n {CHUNK} AND kind = 'assistant'
"""  # noqa: S608 - built from this module's constant fragments, never from input

# Staff looking at records (the desk's reads are audited): the citizen page, the case page.
AUDIT_READS = f"""
WITH r AS MATERIALIZED (
  SELECT c.id AS citizen_id, c.active_from + random() * (p.now - c.active_from) AS at, random() AS r_a,
    random() AS r_s
  FROM scale_citizen c CROSS JOIN scale_param p
  CROSS JOIN LATERAL generate_series(1, CASE WHEN c.heavy THEN 40
                                        ELSE floor(-ln(1 - random()) * 2)::int END + 0 * c.n) j
  WHERE c.n {CHUNK}),
x AS (
  SELECT r.*, sa.agency_id, sa.staff_ids[1 + floor(r.r_s * cardinality(sa.staff_ids))::int] AS staff_id
  FROM r CROSS JOIN s_count k JOIN s_agency sa ON sa.idx = 1 + floor(r.r_a * k.agencies)::int)
{AUDIT}
SELECT pg_temp.uuid7(at), at, 'staff', staff_id::text, 'citizen.read', 'citizen', citizen_id::text, citizen_id,
  NULL, '{{}}'::jsonb, 'GET /desk/citizens/{{citizen_id}}', jsonb_build_array(agency_id::text) FROM x
UNION ALL
SELECT pg_temp.uuid7(c.settled), c.settled, 'staff', coalesce(c.assigned_to_id, c.opened_by)::text, 'case.read',
  'case', c.id::text, c.citizen_id, c.agency_id, '{{}}'::jsonb, 'GET /desk/cases/{{reference}}',
  jsonb_build_array(c.agency_id::text)
FROM scale_case c WHERE c.n {CHUNK} AND random() < 0.5
"""  # noqa: S608 - built from this module's constant fragments, never from input
