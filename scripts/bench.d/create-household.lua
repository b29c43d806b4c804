-- wrk: registers households (two members each) in $VILLAGE as $WRITER_TOKEN, so writes keep
-- flowing while reports are read. ID numbers are made valid (GB 11643 check character).
local auth = "Bearer " .. os.getenv("WRITER_TOKEN")
local village = os.getenv("VILLAGE")
local county = string.sub(village, 1, 6)
local weights = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 }
local checks = { "1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2" }
local function id_number(n)
  local day = 1 + n % 28
  local month = 1 + math.floor(n / 28) % 12
  local year = 1950 + math.floor(n / 336) % 50
  local body = string.format("%s%04d%02d%02d%03d", county, year, month, day, n % 1000)
  local sum = 0
  for k = 1, 17 do sum = sum + tonumber(string.sub(body, k, k)) * weights[k] end
  return body .. checks[(sum % 11) + 1]
end
local counter = 0
local thread_id = 0
setup = function(thread) thread:set("thread_id", thread_id); thread_id = thread_id + 1 end
request = function()
  counter = counter + 1
  local n = (thread_id * 1000003 + counter * 7 + math.random(0, 6)) % 16000000 + math.random(0, 1000) * 16000000
  local a, b = id_number(n * 2 + 7000000), id_number(n * 2 + 7000001)
  local body = string.format([[{"household_number":"W%d-%d-%d","village_code":"%s","attribute":"general",
    "poverty_causes":["illness"],"year_identified":2016,
    "members":[{"name":"写入","id_number":"%s","relationship":"head"},{"name":"写入","id_number":"%s","relationship":"child"}]}]],
    thread_id, counter, math.random(0, 999999), village, a, b)
  return wrk.format("POST", "/api/v1/households", { ["Authorization"] = auth, ["Content-Type"] = "application/json" }, body)
end
