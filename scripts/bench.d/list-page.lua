-- wrk: a filtered list page, as $TOKEN.
local auth = "Bearer " .. os.getenv("TOKEN")
local paths = {
  "/api/v1/households?limit=50&status=registered",
  "/api/v1/households?limit=50&cause=illness",
  "/api/v1/households?limit=50&attribute=subsistence_allowance",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1], { ["Authorization"] = auth })
end
