-- wrk: GET $BENCH_PATH, as $TOKEN.
local auth = "Bearer " .. os.getenv("TOKEN")
local path = os.getenv("BENCH_PATH")
request = function()
  return wrk.format("GET", path, { ["Authorization"] = auth })
end
