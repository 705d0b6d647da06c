-- wrk script (LuaJIT, Lua 5.1): GET /cases/{number} for the cases listed in BENCH_CASES (one "NUMBER PASSWORD" per
-- line), round robin, each with its query password.
local cases = {}
local next_case = 1
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

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

function response(status, headers, body)
  if status ~= 200 then
    wrong = (wrong or 0) + 1
  end
end

function done(summary, latency, requests)
  local wrong = 0
  for _, thread in ipairs(threads) do
    wrong = wrong + (thread:get("wrong") or 0)
  end
  io.write(string.format("not-ok: %d\n", wrong))
end
