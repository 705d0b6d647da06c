-- wrk script (LuaJIT, Lua 5.1): POST /applications with the form in BENCH_FORM, a new Idempotency-Key per request
-- (thread number and counter), so that every request is a new submission, and a trade name of
-- its own (the form's "青禾" replaced by three characters chosen by the counter), as real
-- applications rarely share a name.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
counting(201, "not-created")

local counter = 0

local pool = {}
for character in ("青禾丰泽瑞恒通达安康宏远嘉润博信华盛鑫源晨星天宇金茂兴旺明德"):gmatch("[\224-\239][\128-\191][\128-\191]") do
  table.insert(pool, character)
end

function init(args)
  local file = assert(io.open(os.getenv("BENCH_FORM"), "rb"))
  form = file:read("*a")
  file:close()
  assert(form:find("青禾", 1, true), "the form's proposed name must contain 青禾")
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
  run = os.getenv("BENCH_RUN") or "run"
end

function request()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = string.format("%s-%d-%d", run, thread_id, counter)
  local n = counter * 7 + thread_id * 9973
  local name = pool[n % #pool + 1] .. pool[math.floor(n / #pool) % #pool + 1]
    .. pool[math.floor(n / (#pool * #pool)) % #pool + 1]
  local body = form:gsub("青禾", name, 1)
  return wrk.format(nil, "/applications", nil, body)
end
