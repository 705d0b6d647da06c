-- wrk script (LuaJIT, Lua 5.1): GET /cases/{number} for the cases listed in BENCH_CASES (one "NUMBER PASSWORD" per
-- line), round robin, each with its query password.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
thread_id = 1
function setup(thread) thread:set("thread_id", (thread_id_counter or 0) + 1); thread_id_counter = (thread_id_counter or 0) + 1 end

local cases = {}
local next_case = 1

function init(args)
  for line in io.lines(os.getenv("BENCH_CASES")) do
    local number, password = line:match("^(%S+)%s+(%S+)$")
    if number then table.insert(cases, {number, password}) end
  end
  assert(#cases > 0, "no cases in " .. os.getenv("BENCH_CASES"))
  next_case = (thread_id * 7) % #cases + 1
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
end

function request()
  local case = cases[next_case]
  next_case = next_case % #cases + 1
  wrk.headers["X-Query-Password"] = case[2]
  return wrk.format("GET", "/cases/" .. case[1])
end
