-- wrk script of scripts/load: a realistic mix against the demo (Sishui, 370831), or, with
-- ZX_LOAD_MODE=overload, one database-heavy read as fast as possible.
--
-- Environment (set by scripts/load):
--   ZX_CLERK, ZX_APPROVER, ZX_ADMIN, ZX_CITY   access tokens of clerk.sishui, approver.sishui,
--                                               admin.sishui and observer.jining
--   ZX_CLERK_PASSWORD                           for the logins in the mix
--   ZX_IDS_FILE                                 household ids the approver may read, one a line
--   ZX_IMPORT_HEADER                            the header line of the import template (CSV)
--   ZX_VILLAGE                                  the clerk's village (12 digits)
--   ZX_LOAD_MODE                                mix (default) or overload
--
-- Each response is counted by status; the first words of every non-2xx answer (its problem
-- `code` and `detail`) are counted too, so that a 4xx can be traced to its cause although wrk
-- does not say which request a response answers. Import job ids (202) are collected so that
-- scripts/load can check that the jobs finished.

local mode = os.getenv("ZX_LOAD_MODE") or "mix"
local tokens = {
  clerk = "Bearer " .. (os.getenv("ZX_CLERK") or ""),
  approver = "Bearer " .. (os.getenv("ZX_APPROVER") or ""),
  admin = "Bearer " .. (os.getenv("ZX_ADMIN") or ""),
  city = "Bearer " .. (os.getenv("ZX_CITY") or ""),
}
local village = os.getenv("ZX_VILLAGE") or "370831001003"
local county = string.sub(village, 1, 6)
local clerk_password = os.getenv("ZX_CLERK_PASSWORD") or ""
local import_header = os.getenv("ZX_IMPORT_HEADER") or ""

local ids = {}
for line in io.lines(os.getenv("ZX_IDS_FILE")) do
  if #line > 0 then ids[#ids + 1] = line end
end

-- Per-thread state (each wrk thread has its own Lua state); thread_id and nthreads are set by
-- setup() through thread:set, so they are globals.
thread_id = 0
nthreads = 1
local counter = 0
statuses = {}   -- status -> count
causes = {}     -- "status code: detail" -> count
issued = {}     -- kind -> count
jobs = {}       -- import job ids

local threads = {}
function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
  for _, t in ipairs(threads) do t:set("nthreads", #threads) end
end

function init(args)
  math.randomseed(os.time() * 1000 + thread_id)
end

-- A valid 18-character ID number (GB 11643 check character), unique per (thread, counter):
-- birth dates in 1931-1949, which the demo's synthetic people do not use.
local weights = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 }
local checks = { "1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2" }
local function id_number()
  counter = counter + 1
  local n = counter * nthreads + thread_id
  local seq = n % 1000
  local d = math.floor(n / 1000)
  local body = string.format("%s%04d%02d%02d%03d", county, 1931 + math.floor(d / 336) % 19,
    1 + math.floor(d / 28) % 12, 1 + d % 28, seq)
  local sum = 0
  for k = 1, 17 do sum = sum + tonumber(string.sub(body, k, k)) * weights[k] end
  return body .. checks[(sum % 11) + 1], n
end

local function json_headers(who, extra)
  local h = { ["Authorization"] = tokens[who], ["Content-Type"] = "application/json" }
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

local function get(who, path)
  return wrk.format("GET", path, { ["Authorization"] = tokens[who] })
end

local function random_id() return ids[math.random(#ids)] end

-- The mix: {weight, kind, function returning a request}.
local mix = {
  { 22, "GET household", function() return get("approver", "/api/v1/households/" .. random_id()) end },
  { 12, "GET household list", function()
      local filters = { "", "&status=registered", "&cause=illness", "&attribute=general", "&year=2016" }
      return get("approver", "/api/v1/households?limit=50" .. filters[math.random(#filters)])
    end },
  { 6, "GET household count", function() return get("approver", "/api/v1/households/count?status=registered") end },
  { 3, "GET household history", function() return get("approver", "/api/v1/households/" .. random_id() .. "/history") end },
  { 5, "GET me", function() return get("clerk", "/api/v1/me") end },
  { 5, "GET clerk's households", function() return get("clerk", "/api/v1/households?limit=20") end },
  { 7, "GET county report", function()
      local by = { "status", "attribute", "cause" }
      return get("approver", "/api/v1/reports/households?region=" .. county .. "&by=" .. by[math.random(#by)])
    end },
  { 3, "GET city report", function() return get("city", "/api/v1/reports/households?region=3708&by=status") end },
  { 4, "GET exit lists", function() return get("clerk", "/api/v1/exit-lists?year=2016") end },
  { 4, "GET monitoring cases", function() return get("approver", "/api/v1/monitoring-cases?limit=50") end },
  { 3, "GET audit log", function() return get("admin", "/api/v1/audit-events?limit=20") end },
  { 3, "GET users", function() return get("admin", "/api/v1/users?limit=20") end },
  { 2, "GET settings", function() return get("clerk", "/api/v1/settings/" .. county) end },
  { 8, "POST household", function()
      local id = id_number()
      local body = string.format(
        '{"household_number":"L%d-%d-%d","village_code":"%s","attribute":"general",' ..
        '"poverty_causes":["illness"],"year_identified":2016,' ..
        '"members":[{"name":"负载测试","id_number":"%s","relationship":"head"}]}',
        thread_id, counter, math.random(0, 999999), village, id)
      return wrk.format("POST", "/api/v1/households", json_headers("clerk"), body)
    end },
  { 2, "POST member search", function()
      return wrk.format("POST", "/api/v1/members/search", json_headers("clerk"),
        string.format('{"id_number":"%s"}', (id_number())))
    end },
  { 1, "POST import (3 households)", function()
      local rows = { import_header }
      for _ = 1, 3 do
        local id, n = id_number()
        rows[#rows + 1] = string.format(
          "I%d-%d,%s,泗河街道,,一般贫困户,因病,2015,李干部,,导入测试,%s,户主,初中,,健康,,普通劳动力,是,是,13800000000,2020,4200.50,6000,2400,0,4200,是,是,是,是,是,是",
          thread_id, n, village, id)
      end
      return wrk.format("POST", "/api/v1/imports/households", {
        ["Authorization"] = tokens.clerk, ["Content-Type"] = "text/csv" }, table.concat(rows, "\n") .. "\n")
    end },
  { 3, "POST login", function()
      -- A different client address per login (the server trusts X-Forwarded-For in this run), as
      -- many people signing in from many places: the per-address throttle (30 per 15 minutes)
      -- would otherwise answer 429 after the 30th.
      return wrk.format("POST", "/api/v1/auth/login", {
        ["Content-Type"] = "application/json",
        ["X-Forwarded-For"] = string.format("127.%d.%d.%d", math.random(1, 254), math.random(0, 255), math.random(1, 254)),
      }, string.format('{"username":"clerk.sishui","password":"%s"}', clerk_password))
    end },
}
local total_weight = 0
for _, m in ipairs(mix) do total_weight = total_weight + m[1] end

if mode == "overload" then
  -- One fixed request: wrk sends it without calling Lua per request. (A request() function
  -- here once failed mid-run inside wrk with "attempt to call upvalue 'get' (a number value)",
  -- a fault of wrk's Lua state, not of this script; a static request has no such path.)
  wrk.method = "GET"
  wrk.path = "/api/v1/reports/households?region=" .. county .. "&by=status"
  wrk.headers["Authorization"] = tokens.approver
else
  function request()
    local r = math.random(total_weight)
    for _, m in ipairs(mix) do
      r = r - m[1]
      if r <= 0 then
        issued[m[2]] = (issued[m[2]] or 0) + 1
        return m[3]()
      end
    end
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 202 and body then
    local job = string.match(body, '"id":"([0-9a-f%-]+)"')
    if job then jobs[#jobs + 1] = job end
  end
  if status >= 300 and body then
    local code = string.match(body, '"code":"([^"]*)"') or "?"
    local detail = string.match(body, '"detail":"([^"]*)"') or ""
    local key = status .. " " .. code .. ": " .. string.sub(detail, 1, 80)
    causes[key] = (causes[key] or 0) + 1
  end
end

function done(summary, latency, requests)
  local s, c, k, j = {}, {}, {}, {}
  for _, t in ipairs(threads) do
    for key, n in pairs(t:get("statuses") or {}) do s[key] = (s[key] or 0) + n end
    for key, n in pairs(t:get("causes") or {}) do c[key] = (c[key] or 0) + n end
    for key, n in pairs(t:get("issued") or {}) do k[key] = (k[key] or 0) + n end
    for _, id in ipairs(t:get("jobs") or {}) do j[#j + 1] = id end
  end
  local seconds = summary.duration / 1e6
  local n2, n4, n5 = 0, 0, 0
  for status, n in pairs(s) do
    if status < 300 then n2 = n2 + n elseif status < 500 then n4 = n4 + n else n5 = n5 + n end
  end
  io.write(string.format("RESULT requests %d\n", summary.requests))
  io.write(string.format("RESULT seconds %.1f\n", seconds))
  io.write(string.format("RESULT rps %.1f\n", summary.requests / seconds))
  io.write(string.format("RESULT p50_ms %.1f\n", latency:percentile(50) / 1000))
  io.write(string.format("RESULT p90_ms %.1f\n", latency:percentile(90) / 1000))
  io.write(string.format("RESULT p99_ms %.1f\n", latency:percentile(99) / 1000))
  io.write(string.format("RESULT max_ms %.1f\n", latency.max / 1000))
  io.write(string.format("RESULT ok_2xx %d\n", n2))
  io.write(string.format("RESULT non_2xx %d\n", n4 + n5))
  io.write(string.format("RESULT status_5xx %d\n", n5))
  local e = summary.errors
  io.write(string.format("RESULT socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
  io.write(string.format("RESULT timeouts %d\n", e.timeout))
  for status, n in pairs(s) do io.write(string.format("STATUS %d %d\n", status, n)) end
  for key, n in pairs(c) do io.write(string.format("CAUSE %d %s\n", n, key)) end
  for key, n in pairs(k) do io.write(string.format("ISSUED %d %s\n", n, key)) end
  for _, id in ipairs(j) do io.write("JOB " .. id .. "\n") end
end
