-- wrk script of bench/ingest.py. Two modes, the same per-request work in both (a prebuilt request string out,
-- the status checked on the way back), so the floor and the ingest phase cost the client alike:
--
--   wrk -tN -cN -d10s -s bench/ingest.lua URL -- floor /healthz
--       every request is GET /healthz and must answer 200
--   wrk -tN -cN -d20s -s bench/ingest.lua URL -- ingest /healthz /api/v1/interactions PREFIX HEADERS
--       thread n (0-based) POSTs the lines of file PREFIX..n once, in order; a line is
--       "<item index> <expected status> <JSON body>"; HEADERS holds "Name: value" lines (the API key)
--
-- Use exactly one connection per thread (-tN -cN): wrk then sends a thread's next request only after the previous
-- one was answered, so the n-th response of a thread belongs to its n-th line. That keeps a reply or a resend
-- behind the message it refers to (bench/ingest.py puts both in the same thread's file), and lets response()
-- check each answer against the status its line expects (201 new contact, 200 a recognised resend).
--
-- A thread whose list runs out does not start over (that would resend everything as duplicates): it counts the
-- shortfall in "exhausted", sends one last GET (the floor's), and stops. bench/ingest.py sizes the lists so this does not happen
-- and fails the run if it does.
--
-- done() prints one line, "INGEST_RESULT {json}": requests, duration, latency percentiles (microseconds, wrk's
-- own), socket errors, every status code, mismatches (answers with another status than expected, the first few as
-- "thread:item index:expected:got"), how many lines each thread had and got answered, and in floor mode the whole latency
-- histogram as [microseconds, count] pairs so that the two halves of the floor can be pooled exactly.

local threads = {}
local requests = {}  -- prebuilt request strings, in order
local indexes = {}   -- the workload's item index of each line
local spare = nil    -- the GET of floor mode, and what an exhausted thread sends last
answered = 0
expected = {}        -- expected status per line; empty in floor mode (every answer must be 200)
codes = {}
mismatches = 0
samples = {}
exhausted = 0
lines = 0

local function read_lines(name)
  local out = {}
  local file = assert(io.open(name, "r"))
  for line in file:lines() do
    if line ~= "" then
      out[#out + 1] = line
    end
  end
  file:close()
  return out
end

function setup(thread)
  thread:set("thread_number", #threads)
  threads[#threads + 1] = thread
end

local function load_ingest(path, prefix, header_file)
  local headers = {}
  for _, line in ipairs(read_lines(header_file)) do
    local name, value = line:match("^([^:]+):%s*(.*)$")
    if name then
      headers[name] = value
    end
  end
  for _, line in ipairs(read_lines(prefix .. tostring(thread_number))) do
    local index, status, body = line:match("^(%d+) (%d+) (.*)$")
    assert(index, "malformed line in " .. prefix .. tostring(thread_number))
    requests[#requests + 1] = wrk.format("POST", path, headers, body)
    indexes[#indexes + 1] = tonumber(index)
    expected[#expected + 1] = tonumber(status)
  end
  lines = #requests
end

function init(args)
  mode = args[1]
  spare = wrk.format("GET", args[2], {})
  if mode == "ingest" then
    load_ingest(args[3], args[4], args[5])
  end
end

function request()
  if mode ~= "ingest" then
    return spare
  end
  -- One connection: the next request is always the line after the last one answered. (wrk also calls this
  -- once before the run to check the request, which must not use a line up.)
  local n = answered + 1
  if n > lines then
    exhausted = exhausted + 1
    wrk.thread:stop()
    return spare
  end
  return requests[n]
end

function response(status, headers, body)
  answered = answered + 1
  codes[status] = (codes[status] or 0) + 1
  local want = expected[answered] or 200
  if status ~= want then
    mismatches = mismatches + 1
    if #samples < 5 then
      samples[#samples + 1] = string.format("%d:%d:%d", indexes[answered] or answered, want, status)
    end
  end
end

local function merged_codes()
  local merged = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("codes") or {}) do
      merged[status] = (merged[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(merged) do
    parts[#parts + 1] = string.format('"%d": %d', status, count)
  end
  return table.concat(parts, ", ")
end

local function per_thread(name)
  local parts = {}
  for _, thread in ipairs(threads) do
    parts[#parts + 1] = string.format("%d", thread:get(name) or 0)
  end
  return table.concat(parts, ", ")
end

local function sum_threads(name)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + (thread:get(name) or 0)
  end
  return total
end

local function all_samples()
  local parts = {}
  for number, thread in ipairs(threads) do
    for _, sample in ipairs(thread:get("samples") or {}) do
      parts[#parts + 1] = string.format('"%d:%s"', number - 1, sample)
    end
  end
  return table.concat(parts, ", ")
end

local function histogram(latency)
  local parts = {}
  for i = 1, #latency do
    local value, count = latency(i)
    parts[#parts + 1] = string.format("[%d, %d]", value, count)
  end
  return table.concat(parts, ", ")
end

function done(summary, latency, requests)
  local e = summary.errors
  local floor = threads[1] and threads[1]:get("mode") ~= "ingest"
  io.write(string.format(
    'INGEST_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "mean_us": %.1f, "connect": %d, "read": %d, "write": %d, "timeout": %d, '
      .. '"non_2xx_3xx": %d, "codes": {%s}, "mismatches": %d, "mismatch_samples": [%s], "exhausted": %d, '
      .. '"lines": [%s], "answered": [%s], "histogram": [%s]}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.timeout, e.status,
    merged_codes(), sum_threads("mismatches"), all_samples(), sum_threads("exhausted"), per_thread("lines"),
    per_thread("answered"), floor and histogram(latency) or ""))
end
