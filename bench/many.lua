-- wrk script for bench/run.sh's "many" mode: every request carries the
-- session of the next of many distinct users, read from a file of Cookie
-- headers, one a line (bench/mint -n). Each wrk thread starts at its own
-- offset (0.618 of the list apart), so no two threads send a cookie at
-- nearly the same time.
--   wrk -s bench/many.lua URL -- cookies.txt
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local cookies, i

function init(args)
  cookies = {}
  for line in io.lines(args[1]) do
    cookies[#cookies + 1] = line
  end
  assert(#cookies > 0, "no cookies in " .. tostring(args[1]))
  i = math.floor((tid or 0) * #cookies * 0.618) % #cookies
end

function request()
  i = i % #cookies + 1
  return wrk.format(nil, nil, { ["Cookie"] = cookies[i], ["Host"] = wrk.headers["Host"] })
end
