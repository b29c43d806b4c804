-- wrk: GET a random household of the ids in $IDS_FILE, as $TOKEN.
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
local auth = "Bearer " .. os.getenv("TOKEN")
math.randomseed(42)
request = function()
  return wrk.format("GET", "/api/v1/households/" .. ids[math.random(#ids)], { ["Authorization"] = auth })
end
