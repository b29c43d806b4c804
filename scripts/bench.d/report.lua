-- wrk: a dashboard report, as $TOKEN, for $REPORT_PATH (e.g. /api/v1/reports/households?region=37).
local auth = "Bearer " .. os.getenv("TOKEN")
local paths = {}
for p in string.gmatch(os.getenv("REPORT_PATHS"), "[^ ]+") do paths[#paths + 1] = p end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1], { ["Authorization"] = auth })
end
done = function(summary, latency, requests)
  io.write(string.format("    95%%    %.2fms\n", latency:percentile(95) / 1000))
end
