-- wrk script of bench/scale.py: rotates through the request paths listed in a file (one per line), sends the
-- headers listed in a second file ("Name: value" per line), counts every status code, and prints one line of JSON
-- (prefixed SCALE_RESULT) with the latency percentiles (p50/p90/p95/p99, microseconds) and the errors.
--
--   wrk -t2 -c4 -d15s --latency -s bench/scale.lua http://127.0.0.1:PORT -- paths.txt headers.txt

local paths = {}
local position = 0
local threads = {}
codes = {}

local function read_lines(name)
  local lines = {}
  local file = assert(io.open(name, "r"))
  for line in file:lines() do
    if line ~= "" then
      lines[#lines + 1] = line
    end
  end
  file:close()
  return lines
end

function setup(thread)
  thread:set("thread_number", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  paths = read_lines(args[1])
  if args[2] then
    for _, line in ipairs(read_lines(args[2])) do
      local name, value = line:match("^([^:]+):%s*(.*)$")
      if name then
        wrk.headers[name] = value
      end
    end
  end
  -- Threads start at different places in the list, so they do not ask for the same record at the same time.
  position = math.floor((thread_number or 0) * #paths / 2)
end

function request()
  position = position + 1
  return wrk.format("GET", paths[(position % #paths) + 1])
end

function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local seen = thread:get("codes") or {}
    for status, count in pairs(seen) do
      merged[status] = (merged[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(merged) do
    parts[#parts + 1] = string.format('"%d": %d', status, count)
  end
  local e = summary.errors
  io.write(string.format(
    'SCALE_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, '
      .. '"p99_us": %d, "max_us": %d, "mean_us": %.1f, "connect": %d, "read": %d, "write": %d, "timeout": %d, '
      .. '"non_2xx_3xx": %d, "codes": {%s}}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write,
    e.timeout, e.status, table.concat(parts, ", ")))
end
