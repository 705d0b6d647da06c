-- Shared by the wrk scripts (LuaJIT, Lua 5.1): numbers each thread (global `thread_id`), counts
-- the answers whose status is not `expected`, and prints "LABEL: N" at the end, which
-- Scripts/bench-http reads. Loaded with dofile from the script's own folder.
local threads = {}

function counting(expected, label)
  function setup(thread)
    thread:set("thread_id", #threads + 1)
    table.insert(threads, thread)
  end

  function response(status, headers, body)
    if status ~= expected then
      wrong = (wrong or 0) + 1
    end
  end

  function done(summary, latency, requests)
    local total = 0
    for _, thread in ipairs(threads) do
      total = total + (thread:get("wrong") or 0)
    end
    io.write(string.format("%s: %d\n", label, total))
  end
end
