"""The set-based SQL behind bench/scale_load.py: PostgreSQL only, one temp-table plan per resident chunk.

Values are the product's own: enum *names* as SQLAlchemy stores them (`async_` for the async capacity class),
JSON shapes as the services write them, E.164 phones and lower-cased emails as `citizens.service.normalise` makes
them, ids as time-ordered UUIDv7 taken from each row's own time. Never run against a database that matters.
"""

from __future__ import annotations

from dataclasses import dataclass

CHUNK = "BETWEEN CAST(:lo AS int) AND CAST(:hi AS int)"  # every chunked statement filters residents n by this


@dataclass(frozen=True)
class Setup:
    session: tuple[str, ...]
    params: str
    open311_key: str
    lookups: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    sql: str
    chunked: bool = True


@dataclass(frozen=True)
class Phase:
    label: str
    steps: tuple[Step, ...]


SETUP = Setup(
    session=(
        "SET temp_buffers = '512MB'",
        "SET jit = off",  # the plans of these one-off statements would take longer to compile than to run
        "SET work_mem = '128MB'",
        "SET maintenance_work_mem = '512MB'",
        "SET max_parallel_workers_per_gather = 0",
        "SET synchronous_commit = off",
        """CREATE FUNCTION pg_temp.uuid7(ts timestamptz) RETURNS uuid LANGUAGE sql VOLATILE AS $$
        SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) PLACING
          substring(int8send(floor(extract(epoch FROM ts) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1),
          'hex')::uuid $$""",
        # A bijection of 1..16,000,000 onto +1 343/819 NXX-XXXX: every resident a distinct, possible number.
        """CREATE FUNCTION pg_temp.phone(n bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT '+1' || CASE WHEN k < 8000000 THEN '343' ELSE '819' END
          || (200 + mod(k, 8000000) / 10000)::text || lpad(mod(k, 10000)::text, 4, '0')
        FROM (SELECT mod(n * 2654435761, 16000000) AS k) s $$""",
        "CREATE TEMP TABLE s_given (lang text, idx int, name text, ascii text, PRIMARY KEY (lang, idx))",
        "CREATE TEMP TABLE s_family (idx int PRIMARY KEY, name text, ascii text)",
        "CREATE TEMP TABLE s_opener (code text, lang text, texts text[], PRIMARY KEY (code, lang))",
        """CREATE TEMP TABLE s_phrase (lang text PRIMARY KEY, follow text[], follow_plain text[], reply text[],
        reply_plain text[], quick text[])""",
        "CREATE TEMP TABLE s_chan (profile int PRIMARY KEY, mix text[])",
        "CREATE TEMP TABLE s_blob (idx int PRIMARY KEY, filename text, content_type text, size int, sha text)",
        """CREATE TEMP TABLE scale_citizen (n int PRIMARY KEY, id uuid, created timestamptz, active_from timestamptz,
        lang text, heavy bool, profile int, phone_id uuid, email_id uuid, device_id uuid, phone_verified bool,
        email_verified bool)""",
        """CREATE TEMP TABLE scale_case (n int, citizen_id uuid, lang text, profile int, heavy bool, phone_id uuid,
        email_id uuid, device_id uuid, phone_verified bool, email_verified bool, id uuid PRIMARY KEY, conv_id uuid,
        created timestamptz, settled timestamptz, service_id uuid, code text, title text, open311 bool,
        sla_hours int, agency_id uuid, status text, priority text, channel text, assigned_to_id uuid,
        opened_by uuid, description text, address_string text, address_id text, zipcode text, lat float8,
        long float8, reference text)""",
        "CREATE INDEX ON scale_case (n)",
        """CREATE TEMP TABLE scale_conv (n int, citizen_id uuid, id uuid, first_id uuid, case_id uuid,
        agency_id uuid, service_id uuid, code text, reference text, kind text, channel text, reply_channel text,
        lang text, profile int, phone_id uuid, email_id uuid, device_id uuid, phone_verified bool,
        email_verified bool, started timestamptz, gap_h float8, r_j float8, n_eff int, last_at timestamptz,
        case_status text, priority text, subject text, opener text, art_idx int, handed_off bool)""",
        "CREATE INDEX ON scale_conv (n)",
    ),
    params="""CREATE TEMP TABLE scale_param AS SELECT CAST(:now AS timestamptz) AS now,
        CAST(:now AS timestamptz) - CAST(:days AS int) * interval '1 day' AS start, CAST(:n AS int) AS n,
        CAST(:heavy_every AS int) AS heavy_every, CAST(:prefix AS text) AS prefix, CAST(:key AS uuid) AS open311_key,
        CAST(:n_given_en AS int) AS n_given_en, CAST(:n_given_fr AS int) AS n_given_fr,
        CAST(:n_family AS int) AS n_family""",
    open311_key="SELECT id FROM api_keys WHERE scope = 'open311' AND revoked_at IS NULL ORDER BY created_at LIMIT 1",
    lookups=(
        """CREATE TEMP TABLE s_service AS SELECT row_number() OVER (ORDER BY s.code)::int AS idx, s.id, s.code,
        s.name, s.agency_id, s.open311, s.sla_target_hours FROM services s WHERE s.active""",
        """CREATE TEMP TABLE s_staff AS SELECT sa.agency_id,
        row_number() OVER (PARTITION BY sa.agency_id ORDER BY sa.staff_id)::int AS idx, sa.staff_id
        FROM staff_agencies sa JOIN staff_accounts a ON a.id = sa.staff_id WHERE a.active""",
        # Picks are array subscripts (staff of an agency, live articles of a language): no join per row.
        """CREATE TEMP TABLE s_agency AS SELECT row_number() OVER (ORDER BY a.slug)::int AS idx, a.id AS agency_id,
        coalesce((SELECT array_agg(s.staff_id ORDER BY s.idx) FROM s_staff s WHERE s.agency_id = a.id), '{}')
          AS staff_ids,
        coalesce((SELECT array_agg(w.code ORDER BY w.code) FROM wrap_up_codes w
                  WHERE w.agency_id = a.id AND w.active), '{}') AS wrap_codes FROM agencies a""",
        """CREATE TEMP TABLE s_place AS SELECT row_number() OVER (ORDER BY address_id)::int AS idx, address_id,
        address, lat, long, zipcode FROM places""",
        """CREATE TEMP TABLE s_article AS SELECT language AS lang,
        row_number() OVER (PARTITION BY language ORDER BY slug)::int AS idx, article_id, version_id, slug,
        coalesce(nullif(short_answer, ''), title) AS answer, count(*) OVER (PARTITION BY language)::int AS total
        FROM (SELECT DISTINCT ON (a.id) a.id AS article_id, a.language, a.slug, v.id AS version_id, v.short_answer,
              v.title FROM knowledge_articles a JOIN knowledge_versions v ON v.article_id = a.id
              WHERE v.status = 'published' AND NOT a.archived ORDER BY a.id, v.number DESC) live""",
        """CREATE TEMP TABLE s_articles AS SELECT lang, array_agg(article_id ORDER BY idx) AS ids,
        array_agg(version_id ORDER BY idx) AS versions, array_agg(slug ORDER BY idx) AS slugs,
        array_agg(answer ORDER BY idx) AS answers, count(*)::int AS total FROM s_article GROUP BY lang""",
        """CREATE TEMP TABLE s_count AS SELECT (SELECT count(*) FROM s_service)::int AS services,
        (SELECT count(*) FROM s_place)::int AS places, (SELECT count(*) FROM s_agency)::int AS agencies""",
        # The queue and SLA target routing.service would choose, for every agency, service (or none) and channel.
        """CREATE TEMP TABLE s_route AS
        WITH keys AS (SELECT s.agency_id, s.id AS service_id, s.code, s.sla_target_hours FROM services s
                      UNION ALL SELECT a.id, NULL, NULL, NULL FROM agencies a),
        wide AS (SELECT k.*, ch FROM keys k CROSS JOIN
                 unnest(ARRAY['web','mobile','voice','sms','email','chat','social','counter','mail','api']) ch)
        SELECT w.agency_id, coalesce(w.service_id, '00000000-0000-0000-0000-000000000000'::uuid) AS service_key,
          w.ch AS channel, q.id AS queue_id, coalesce(q.priority_boost, 0) AS boost,
          CASE WHEN t.id IS NOT NULL THEN t.first_response_seconds
               WHEN w.sla_target_hours IS NOT NULL THEN w.sla_target_hours * 3600
               ELSE coalesce(d.seconds, 172800) END AS sla_seconds,
          CASE WHEN t.id IS NOT NULL THEN t.goal_percent ELSE 80 END AS goal,
          CASE WHEN t.id IS NOT NULL THEN t.business_hours ELSE w.sla_target_hours IS NOT NULL END AS business
        FROM wide w
        LEFT JOIN LATERAL (SELECT q.id, q.priority_boost FROM queues q WHERE q.agency_id = w.agency_id AND q.active
            AND (q.channels = '[]'::jsonb OR q.channels @> to_jsonb(w.ch))
            AND (q.service_codes = '[]'::jsonb OR (w.code IS NOT NULL AND q.service_codes @> to_jsonb(w.code)))
            ORDER BY 2 * (q.service_codes <> '[]'::jsonb)::int + (q.channels <> '[]'::jsonb)::int DESC, q.slug
            LIMIT 1) q ON true
        LEFT JOIN LATERAL (SELECT * FROM sla_targets t WHERE t.agency_id = w.agency_id
            AND (t.service_id IS NULL OR t.service_id = w.service_id) AND (t.channel IS NULL OR t.channel = w.ch)
            ORDER BY 2 * (t.service_id IS NOT NULL)::int + (t.channel IS NOT NULL)::int DESC LIMIT 1) t ON true
        LEFT JOIN (VALUES ('voice', 180), ('chat', 360), ('sms', 14400), ('social', 14400), ('email', 86400))
            d(ch, seconds) ON d.ch = w.ch""",
        # Autovacuum never analyses temp tables; without statistics the planner guesses them 1,000 times bigger.
        """ANALYZE scale_param, s_given, s_family, s_opener, s_phrase, s_chan, s_blob, s_service, s_staff, s_agency,
        s_place, s_article, s_articles, s_count, s_route""",
    ),
)

# One agent per 5,000 residents (a tenth of them supervisors), spread over the agencies, never routable.
SYNTHETIC_STAFF = """
WITH ag AS (SELECT id, (row_number() OVER (ORDER BY slug) - 1)::int AS i, count(*) OVER ()::int AS c FROM agencies),
src AS MATERIALIZED (
  SELECT g AS k, ag.id AS agency_id, p.now - (200 + mod(g * 7, 600)) * interval '1 day' AS created,
    CASE WHEN mod(g, 10) = 0 THEN 'supervisor' ELSE 'agent' END AS role, gv.name || ' ' || f.name AS display_name,
    random() AS r, p.now
  FROM generate_series(1, CAST(:count AS int)) g CROSS JOIN scale_param p JOIN ag ON ag.i = mod(g, ag.c)
  JOIN s_given gv ON gv.lang = 'en' AND gv.idx = 1 + mod(g * 37, p.n_given_en)
  JOIN s_family f ON f.idx = 1 + mod(g * 101, p.n_family)),
staff AS MATERIALIZED (SELECT src.*, pg_temp.uuid7(src.created) AS id FROM src),
acc AS (INSERT INTO staff_accounts (id, email, display_name, password_hash, role, active, last_sign_in_at, locked_at,
          failed_sign_ins, created_at, updated_at)
        SELECT id, 'scale.agent' || k || '@staff.city.example', display_name, CAST(:password_hash AS text), role,
          true, now - r * interval '3 days', NULL, 0, created, created FROM staff),
mem AS (INSERT INTO staff_agencies (staff_id, agency_id) SELECT id, agency_id FROM staff),
agt AS (INSERT INTO agents (staff_id, presence, presence_since, idle_since, capacity, languages, wrap_up_seconds)
        SELECT id, CASE WHEN r < 0.6 THEN 'offline' ELSE 'away' END, now - r * interval '8 hours',
          now - r * interval '8 hours', '{"voice": 1, "chat": 3, "async": 5}'::jsonb,
          CASE WHEN r < 0.5 THEN '["en", "fr"]'::jsonb ELSE '["en"]'::jsonb END, 30 FROM staff),
skl AS (INSERT INTO agent_skills (staff_id, skill, level)
        SELECT staff.id, lower(s.code), CASE WHEN staff.role = 'supervisor' THEN 4 ELSE 3 END
        FROM staff JOIN services s ON s.agency_id = staff.agency_id)
INSERT INTO team_members (team_id, staff_id)
SELECT t.id, staff.id FROM staff JOIN teams t ON t.agency_id = staff.agency_id AND t.slug = 'front-line'
"""

CITIZENS = """
WITH src AS MATERIALIZED (
  SELECT g AS n, mod(g, p.heavy_every) = 1 AS heavy, random() < 0.25 AS fr, random() AS r_age, random() AS r_phone,
    random() AS r_email, random() AS r_dev, random() AS r_prov, random() AS r_pv, random() AS r_ev,
    random() AS r_anon, random() AS r_pref, random() AS r_quiet, random() AS r_upd, random() AS r_seen,
    random() AS r_opt, random() AS r_sso, random() AS r_g, random() AS r_f, p.now, p.start
  FROM generate_series(CAST(:lo AS int), CAST(:hi AS int)) g CROSS JOIN scale_param p),
c AS MATERIALIZED (
  SELECT s.*, CASE WHEN s.fr THEN 'fr' ELSE 'en' END AS lang,
    CASE WHEN s.heavy THEN s.now - (980 + 20 * s.r_age) * interval '1 day'
         ELSE s.now - (1 + 999 * s.r_age) * interval '1 day' END AS created,
    s.heavy OR s.r_phone < 0.85 AS has_phone, s.heavy OR s.r_email < 0.70 AS has_email, s.r_dev < 0.35 AS has_device,
    NOT s.heavy AND s.r_prov < 0.28 AS provisional, s.r_pv < 0.4 AS phone_verified, s.r_ev < 0.5 AS email_verified,
    1 + floor(s.r_g * CASE WHEN s.fr THEN p.n_given_fr ELSE p.n_given_en END)::int AS gi,
    1 + floor(s.r_f * p.n_family)::int AS fi
  FROM src s CROSS JOIN scale_param p),
named AS MATERIALIZED (
  SELECT c.*, pg_temp.uuid7(c.created) AS id, g.name AS given, g.ascii AS given_ascii, f.name AS family,
    f.ascii AS family_ascii, greatest(c.created, c.start) AS active_from, c.provisional AND c.r_anon < 0.5 AS anonymous,
    CASE WHEN c.has_phone THEN pg_temp.uuid7(c.created) END AS phone_id,
    CASE WHEN c.has_email THEN pg_temp.uuid7(c.created) END AS email_id,
    CASE WHEN c.has_device THEN pg_temp.uuid7(c.created) END AS device_id,
    c.has_phone::int + 2 * c.has_email::int + 4 * c.has_device::int AS profile
  FROM c JOIN s_given g ON g.lang = c.lang AND g.idx = c.gi JOIN s_family f ON f.idx = c.fi),
ins_citizens AS (
  INSERT INTO citizens (id, display_name, given_name, family_name, status, merged_into_id, language,
    preferred_channels, quiet_hours_start, quiet_hours_end, created_at, updated_at)
  SELECT id, CASE WHEN NOT anonymous THEN given || ' ' || family END, CASE WHEN NOT anonymous THEN given END,
    CASE WHEN NOT anonymous THEN family END, CASE WHEN provisional THEN 'provisional' ELSE 'confirmed' END, NULL,
    lang, CASE WHEN r_pref < 0.55 THEN '[]'::jsonb WHEN r_pref < 0.75 AND has_phone THEN '["sms"]'::jsonb
               WHEN r_pref < 0.9 AND has_email THEN '["email"]'::jsonb
               WHEN has_email AND has_phone THEN '["email", "sms"]'::jsonb ELSE '["web"]'::jsonb END,
    CASE WHEN r_quiet < 0.05 THEN make_time(21, 0, 0) END, CASE WHEN r_quiet < 0.05 THEN make_time(8, 0, 0) END,
    created, created + (now - created) * r_upd FROM named),
ins_identities AS (
  INSERT INTO identities (id, citizen_id, kind, namespace, value, verified, verification_method, verified_at,
    last_seen_at, opted_out_at, created_at, updated_at)
  SELECT phone_id, id, 'phone', '', pg_temp.phone(n), phone_verified, CASE WHEN phone_verified THEN 'sms_code' END,
    CASE WHEN phone_verified THEN created + interval '2 minutes' END, created + (now - created) * r_seen,
    CASE WHEN r_opt < 0.01 THEN created + (now - created) * r_opt * 100 END, created, created
  FROM named WHERE has_phone
  UNION ALL
  SELECT email_id, id, 'email', '', CASE WHEN anonymous THEN 'resident' || n
      ELSE given_ascii || '.' || family_ascii || '.' || n END
      || '@' || (ARRAY['example.org', 'example.com', 'example.net', 'mail.example.org'])[1 + mod(n, 4)],
    email_verified, CASE WHEN email_verified THEN 'email_link' END,
    CASE WHEN email_verified THEN created + interval '15 minutes' END, created + (now - created) * r_seen, NULL,
    created, created
  FROM named WHERE has_email
  UNION ALL
  SELECT device_id, id, 'device', 'chat', encode(sha256(convert_to('scale-device-' || n, 'UTF8')), 'hex'), false,
    NULL, NULL, created + (now - created) * r_seen, NULL, created, created
  FROM named WHERE has_device
  UNION ALL
  SELECT pg_temp.uuid7(created), id, 'sso', 'https://id.city.example', 'scale-sub-' || n, true, 'oidc', created,
    NULL, NULL, created, created
  FROM named WHERE NOT provisional AND r_sso < 0.1)
INSERT INTO scale_citizen (n, id, created, active_from, lang, heavy, profile, phone_id, email_id, device_id,
  phone_verified, email_verified)
SELECT n, id, created, active_from, lang, heavy, profile, phone_id, email_id, device_id,
  has_phone AND phone_verified, has_email AND email_verified FROM named
"""

# A case per resident on average (none for half of them, 25-45 for the heavy ones), its status by its age as
# the demo's history draws it; a report-type service's case sits at a register address.
CASE_PLAN = f"""
INSERT INTO scale_case (n, citizen_id, lang, profile, heavy, phone_id, email_id, device_id, phone_verified,
  email_verified, id, conv_id, created, settled, service_id, code, title, open311, sla_hours, agency_id, status,
  priority, channel, assigned_to_id, opened_by, description, address_string, address_id, zipcode, lat, long)
WITH k AS MATERIALIZED (
  SELECT c.*, c.active_from + random() * (p.now - c.active_from) AS opened, random() AS r_svc, random() AS r_st,
    random() AS r_pri, random() AS r_api, random() AS r_ch, random() AS r_end, random() AS r_asg, random() AS r_staff,
    random() AS r_place, random() AS r_desc, p.now, p.open311_key
  FROM scale_citizen c CROSS JOIN scale_param p
  CROSS JOIN LATERAL generate_series(1, CASE WHEN c.heavy THEN 25 + floor(random() * 20)::int
                                        ELSE floor(-ln(1 - random()) * 1.5)::int END + 0 * c.n) j
  WHERE c.n {CHUNK}),
t AS MATERIALIZED (
  SELECT k.*, s.id AS service_id, s.code, s.name, s.open311, s.sla_target_hours, s.agency_id, sa.staff_ids,
    extract(epoch FROM k.now - k.opened) / 86400 AS age,
    CASE WHEN s.open311 AND k.r_api < 0.25 AND k.open311_key IS NOT NULL THEN 'api'
         ELSE ch.mix[1 + floor(k.r_ch * 100)::int] END AS channel,
    least(k.now, k.opened + (1 + 9 * k.r_end) * interval '1 day') AS settled
  FROM k CROSS JOIN s_count n JOIN s_service s ON s.idx = 1 + floor(k.r_svc * n.services)::int
  JOIN s_agency sa ON sa.agency_id = s.agency_id JOIN s_chan ch ON ch.profile = k.profile),
u AS MATERIALIZED (
  SELECT t.*, CASE WHEN t.age > 30 THEN CASE WHEN t.r_st < 0.011 THEN 'new' WHEN t.r_st < 0.033 THEN 'open'
      WHEN t.r_st < 0.066 THEN 'in_progress' WHEN t.r_st < 0.088 THEN 'waiting_on_citizen'
      WHEN t.r_st < 0.308 THEN 'resolved' WHEN t.r_st < 0.967 THEN 'closed' ELSE 'cancelled' END
    ELSE CASE WHEN t.r_st < 0.25 THEN 'new' WHEN t.r_st < 0.5 THEN 'open' WHEN t.r_st < 0.75 THEN 'in_progress'
      WHEN t.r_st < 0.85 THEN 'waiting_on_citizen' WHEN t.r_st < 0.93 THEN 'resolved' WHEN t.r_st < 0.98 THEN 'closed'
      ELSE 'cancelled' END END AS status
  FROM t)
SELECT u.n, u.id, u.lang, u.profile, u.heavy, u.phone_id, u.email_id, u.device_id, u.phone_verified, u.email_verified,
  pg_temp.uuid7(u.opened), pg_temp.uuid7(u.opened), u.opened, u.settled, u.service_id, u.code, u.name, u.open311,
  u.sla_target_hours, u.agency_id, u.status,
  CASE WHEN u.r_pri < 0.15 THEN 'low' WHEN u.r_pri < 0.80 THEN 'normal' WHEN u.r_pri < 0.95 THEN 'high'
       ELSE 'urgent' END, u.channel,
  CASE WHEN u.status IN ('in_progress', 'waiting_on_citizen', 'resolved', 'closed') AND u.r_asg < 0.7
       THEN u.staff_ids[1 + floor(u.r_staff * cardinality(u.staff_ids))::int] END,
  CASE WHEN u.channel IN ('voice', 'counter', 'mail', 'email', 'sms')
       THEN u.staff_ids[1 + floor(u.r_staff * cardinality(u.staff_ids))::int] END,
  coalesce(o.texts[1 + floor(u.r_desc * cardinality(o.texts))::int], u.name),
  pl.address, pl.address_id, pl.zipcode, pl.lat, pl.long
FROM u CROSS JOIN s_count n
LEFT JOIN s_opener o ON o.code = u.code AND o.lang = u.lang
LEFT JOIN s_place pl ON u.open311 AND pl.idx = 1 + floor(u.r_place * n.places)::int
"""  # noqa: S608 - built from this module's constant fragments, never from input

# References run per year in time order after whatever the demo (or a live system) already handed out.
CASE_REFERENCES = """
WITH numbered AS (
  SELECT c.id, x.y, coalesce(rc.last, 0) + x.rn AS num
  FROM (SELECT id, extract(year FROM created AT TIME ZONE 'UTC')::int AS y,
          row_number() OVER (PARTITION BY extract(year FROM created AT TIME ZONE 'UTC') ORDER BY created, id) AS rn
        FROM scale_case) x
  JOIN scale_case c ON c.id = x.id LEFT JOIN case_reference_counters rc ON rc.year = x.y),
upd AS (
  UPDATE scale_case c SET reference = p.prefix || '-' || n.y || '-'
    || CASE WHEN n.num < 1000000 THEN lpad(n.num::text, 6, '0') ELSE n.num::text END
  FROM numbered n, scale_param p WHERE n.id = c.id)
INSERT INTO case_reference_counters (year, last) SELECT y, max(num) FROM numbered GROUP BY y
ON CONFLICT (year) DO UPDATE SET last = greatest(case_reference_counters.last, excluded.last)
"""

CASES = f"""
INSERT INTO cases (id, reference, title, description, status, priority, agency_id, service_id, citizen_id, lat, long,
  address_string, address_id, zipcode, media_url, attributes, sla_due_at, opened_channel, opened_by_staff_id,
  closed_at, assigned_to_id, merged_into_id, created_at, updated_at)
SELECT id, reference, title, description, status, priority, agency_id, service_id, citizen_id, lat, long,
  address_string, address_id, zipcode, NULL, '{{}}'::jsonb,
  CASE WHEN sla_hours IS NOT NULL THEN created + sla_hours * interval '1 hour' END, channel, opened_by,
  CASE WHEN status IN ('resolved', 'closed', 'cancelled') THEN settled END, assigned_to_id, NULL, created,
  CASE WHEN status = 'new' THEN created ELSE settled END
FROM scale_case WHERE n {CHUNK}
"""  # noqa: S608 - built from this module's constant fragments, never from input

# Messages of a conversation are `gap_h` hours apart (minutes on chat), jittered; only those before now exist.
N_EFF = "greatest(1, least(a.n_want, 1 + floor(extract(epoch FROM p.now - a.started) / 3600.0 / a.gap_h - 0.8)::int))"
LAST_AT = (
    "b.started + ((b.n_eff - 1) + CASE WHEN b.n_eff = 1 THEN 0 ELSE 0.8 * (((b.n_eff - 1) * 0.618034 + b.r_j)"
    " - floor((b.n_eff - 1) * 0.618034 + b.r_j)) END) * b.gap_h * interval '1 hour'"
)
REPLY_CHANNEL = (
    "CASE WHEN b.channel IN ('counter', 'mail', 'api') THEN CASE WHEN b.email_id IS NOT NULL THEN 'email'"
    " WHEN b.phone_id IS NOT NULL THEN 'sms' ELSE 'mail' END ELSE b.channel END"
)
CONV_COLUMNS = """n, citizen_id, id, first_id, case_id, agency_id, service_id, code, reference, kind, channel,
  reply_channel, lang, profile, phone_id, email_id, device_id, phone_verified, email_verified, started, gap_h, r_j,
  n_eff, last_at, case_status, priority, subject, opener, art_idx, handed_off"""
CONV_OUT = f"""b.n, b.citizen_id, b.id, b.first_id, b.case_id, b.agency_id, b.service_id, b.code, b.reference, b.kind,
  b.channel, {REPLY_CHANNEL}, b.lang, b.profile, b.phone_id, b.email_id, b.device_id, b.phone_verified,
  b.email_verified, b.started, b.gap_h, b.r_j, b.n_eff, {LAST_AT}, b.case_status, b.priority, b.subject, b.opener,
  b.art_idx, b.handed_off"""

CONV_CASES = f"""
INSERT INTO scale_conv ({CONV_COLUMNS})
SELECT {CONV_OUT} FROM (SELECT a.*, {N_EFF} AS n_eff FROM (
  SELECT c.n, c.citizen_id, c.conv_id AS id, pg_temp.uuid7(c.created) AS first_id, c.id AS case_id, c.agency_id,
    c.service_id, c.code, c.reference, 'case' AS kind, c.channel, c.lang, c.profile, c.phone_id, c.email_id,
    c.device_id, c.phone_verified, c.email_verified, c.created AS started,
    CASE WHEN c.channel = 'chat' THEN 0.02 + random() * 0.08 ELSE 0.2 + random() * 59.8 END AS gap_h,
    random() AS r_j, CASE WHEN c.heavy THEN 6 + floor(-ln(1 - random()) * 5)::int
                          ELSE 2 + floor(-ln(1 - random()) * 4)::int END AS n_want,
    c.status AS case_status, c.priority, c.title AS subject, c.description AS opener, NULL::int AS art_idx,
    false AS handed_off
  FROM scale_case c WHERE c.n {CHUNK}) a CROSS JOIN scale_param p) b
"""  # noqa: S608 - built from this module's constant fragments, never from input

# Contact that opened no case: questions the assistant answered (a quarter handed to a person), enquiries.
CONV_OTHER = f"""
INSERT INTO scale_conv ({CONV_COLUMNS})
SELECT {CONV_OUT} FROM (SELECT a.*, {N_EFF} AS n_eff FROM (
  SELECT t.n, t.id AS citizen_id, pg_temp.uuid7(t.started) AS id, pg_temp.uuid7(t.started) AS first_id,
    NULL::uuid AS case_id, s.agency_id, NULL::uuid AS service_id, s.code, NULL AS reference, t.kind, t.channel,
    t.lang, t.profile, t.phone_id, t.email_id, t.device_id, t.phone_verified, t.email_verified, t.started,
    CASE WHEN t.channel = 'chat' THEN 0.02 + t.r_gap * 0.08 ELSE 0.2 + t.r_gap * 59.8 END AS gap_h, t.r_j,
    CASE WHEN t.kind = 'assistant' THEN 2 * (1 + floor(-ln(1 - t.r_n) * 1.2)::int)
         ELSE 1 + floor(-ln(1 - t.r_n) * 2.5)::int END + CASE WHEN t.heavy THEN 2 ELSE 0 END AS n_want,
    NULL AS case_status, 'normal' AS priority,
    CASE WHEN t.channel = 'email' THEN 'Question about ' || lower(s.name) END AS subject,
    coalesce(o.texts[1 + floor(t.r_o * cardinality(o.texts))::int], s.name || '?') AS opener,
    CASE WHEN ar.total > 0 THEN 1 + floor(t.r_art * ar.total)::int END AS art_idx,
    t.kind = 'assistant' AND t.r_h < 0.25 AS handed_off
  FROM (SELECT ci.*, x.started, x.channel, x.r_svc, x.r_gap, x.r_j, x.r_n, x.r_o, x.r_art, x.r_h,
          CASE WHEN x.channel IN ('chat', 'sms') AND x.r_kind < 0.6 THEN 'assistant' ELSE 'enquiry' END AS kind
        FROM scale_citizen ci CROSS JOIN scale_param p
        CROSS JOIN LATERAL generate_series(1, CASE WHEN ci.heavy THEN 100 + floor(random() * 60)::int
            -- a record exists because the person got in touch: one without a case has at least one conversation
            ELSE greatest(floor(-ln(1 - random()) * 1.2)::int,
                          CASE WHEN EXISTS (SELECT 1 FROM scale_case sc WHERE sc.n = ci.n) THEN 0 ELSE 1 END) END) j
        JOIN s_chan ch ON ch.profile = ci.profile
        CROSS JOIN LATERAL (SELECT ci.active_from + random() * (p.now - ci.active_from) AS started,
            ch.mix[1 + floor(random() * 100)::int] AS channel, random() AS r_svc, random() AS r_gap, random() AS r_j,
            random() AS r_n, random() AS r_o, random() AS r_art, random() AS r_h, random() AS r_kind, j, ci.n) x
        WHERE ci.n {CHUNK}) t
  CROSS JOIN s_count k JOIN s_service s ON s.idx = 1 + floor(t.r_svc * k.services)::int
  LEFT JOIN s_opener o ON o.code = s.code AND o.lang = t.lang
  LEFT JOIN s_articles ar ON ar.lang = t.lang
) a CROSS JOIN scale_param p) b
"""  # noqa: S608 - built from this module's constant fragments, never from input

CONVERSATIONS = f"""
INSERT INTO conversations (id, citizen_id, channel, case_id, subject, status, last_activity_at, created_at,
  updated_at)
SELECT v.id, v.citizen_id, v.channel, v.case_id, v.subject,
  CASE WHEN v.last_at < p.now - interval '7 days'
        AND (v.case_id IS NULL OR v.case_status IN ('resolved', 'closed', 'cancelled')) THEN 'closed' ELSE 'open' END,
  v.last_at, v.started, v.last_at
FROM scale_conv v CROSS JOIN scale_param p WHERE v.n {CHUNK}
"""  # noqa: S608 - built from this module's constant fragments, never from input
