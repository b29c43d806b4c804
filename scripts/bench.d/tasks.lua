-- wrk: the to-do inbox, first page, as $TOKEN (GET /api/v1/me/tasks?limit=50).
local auth = "Bearer " .. os.getenv("TOKEN")
request = function()
  return wrk.format("GET", "/api/v1/me/tasks?limit=50", { ["Authorization"] = auth })
end
done = function(summary, latency, requests)
  io.write(string.format("    95%%    %.2fms\n", latency:percentile(95) / 1000))
end
