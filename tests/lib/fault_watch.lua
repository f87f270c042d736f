-- fault_watch.lua — the observing half of the fault tests
-- (tests/integration/test_fault_*.sh): a vdeck script that loads it with
-- `local W = dofile(os.getenv("FAULT_WATCH"))` watches the cluster while the
-- test's shell breaks something, and says what it saw as "ok - " /
-- "not ok - " lines (lab_tap_results reads them).
--
-- Time is the clock host's: each turn forces one poll of it (a real wait in
-- vdeck's scheduler, so every other host's results, tasks and jobs move on
-- meanwhile) and reads its last_poll, the wall time vdeck applied it.  The
-- data age of another host is then clock.last_poll - h.last_poll; the gap
-- between two turns says whether the loop itself stalled.  The shell and
-- the script take turns through files in a marks directory.
--
-- W.setup{ clock = NAME, others = { NAME, ... }, interval = SECONDS, marks = DIR,
--          slack = { NAME = { SECONDS, WHY } } }  (a host the fault touches: its bound
--          is 2 intervals + SECONDS, and the report says why)
-- W.ok(cond, name, detail)    W.note(text)
-- W.mark(name) / W.seen(name) a file in the marks directory, made / present
-- W.fact(name, value)         DIR/fact.NAME holds tostring(value), for the shell
-- W.turn()                    one observation (ages, gaps, state changes)
-- W.now()                     the clock's time after the last turn
-- W.until_(pred, secs)        turns until pred() is true; false after secs
-- W.ready([names], [secs])    those hosts (default all) up, then the mark "ready"
-- W.track(name)               record the host's state changes (W.state_at)
-- W.state_at(name, t)         its state at clock time t (the last change before)
-- W.report()                  others' data age and the loop's gaps, checked
local W = { max_age = {}, max_age_at = {}, max_gap = 0, turns = 0, tracked = {}, changes = {} }

function W.ok(c, name, detail)
  print((c and "ok - " or "not ok - ") .. name ..
        ((not c and detail ~= nil) and (": " .. tostring(detail)) or ""))
  io.stdout:flush()
  return c
end

function W.note(text)
  print(text)
  io.stdout:flush()
end

function W.setup(o)
  W.clock = vdeck.host(o.clock)
  W.others = {}
  for _, n in ipairs(o.others or {}) do W.others[#W.others + 1] = vdeck.host(n) end
  W.interval = o.interval or 1
  W.slack = o.slack or {}
  W.marks = o.marks or os.getenv("FAULT_MARKS")
  W.t0 = nil
  return W
end

function W.mark(name)
  local f = assert(io.open(W.marks .. "/" .. name, "w"))
  f:write(string.format("%.3f\n", W.now()))
  f:close()
end

function W.seen(name)
  local f = io.open(W.marks .. "/" .. name, "r")
  if f then f:close() return true end
  return false
end

function W.fact(name, value)
  local f = assert(io.open(W.marks .. "/fact." .. name, "w"))
  f:write(tostring(value), "\n")
  f:close()
end

function W.now()
  return W.last or 0
end

local function state_of(h)
  local e = h.error
  return h.state .. (e and e ~= "" and (" (" .. e .. ")") or "")
end

function W.track(name)
  local h = vdeck.host(name)
  W.tracked[#W.tracked + 1] = h
  W.changes[name] = { { t = W.now(), state = h.state, text = state_of(h) } }
  W.note(string.format("%s: %s", name, state_of(h)))
end

function W.state_at(name, t)
  local s
  for _, c in ipairs(W.changes[name] or {}) do
    if c.t <= t then s = c.state end
  end
  return s
end

function W.turn()
  -- Lua has no sleep that yields: a short blocking pause keeps the turns
  -- from spinning (it delays the loop far less than the bounds checked).
  os.execute("sleep 0.2")
  W.clock:refresh()
  local now = W.clock.last_poll
  if W.last then
    local gap = now - W.last
    if gap > W.max_gap then W.max_gap, W.max_gap_at = gap, now - (W.t0 or now) end
  end
  W.last = now
  W.t0 = W.t0 or now
  W.turns = W.turns + 1
  for _, h in ipairs(W.others) do
    local lp = h.last_poll
    local age = lp and (now - lp) or math.huge
    if age > (W.max_age[h.name] or -1) then
      W.max_age[h.name], W.max_age_at[h.name] = age, now - (W.t0 or now)
    end
  end
  for _, h in ipairs(W.tracked) do
    local list = W.changes[h.name]
    local s = h.state
    if list[#list].state ~= s then
      list[#list + 1] = { t = now, state = s, text = state_of(h) }
      W.note(string.format("+%.1f s %s: %s", now - W.t0, h.name, state_of(h)))
    end
  end
end

function W.until_(pred, secs)
  W.turn()
  local deadline = W.now() + secs
  while not pred() do
    if W.now() >= deadline then return false end
    W.turn()
  end
  return true
end

-- The hosts named (default: all) up, then the mark "ready": the faults
-- start from a cluster vdeck has seen whole.
function W.ready(names, secs)
  local hosts = {}
  if names then
    for _, n in ipairs(names) do hosts[#hosts + 1] = vdeck.host(n) end
  else
    hosts = vdeck.hosts()
  end
  local up = W.until_(function()
    for _, h in ipairs(hosts) do if h.state ~= "up" then return false end end
    return true
  end, secs or 60)
  local states = {}
  for _, h in ipairs(hosts) do states[#states + 1] = h.name .. "=" .. h.state end
  W.ok(up, "hosts up before the fault: " .. table.concat(states, " "), table.concat(states, " "))
  -- the ages count from here: start-up is not part of the fault
  W.max_age, W.max_gap = {}, 0
  W.mark("ready")
  return up
end

-- The others kept updating and the loop kept turning (bound: 2 intervals).
function W.report()
  local bound = 2 * W.interval
  for _, h in ipairs(W.others) do
    local a = W.max_age[h.name] or math.huge
    local slack = W.slack[h.name]
    local b = bound + (slack and slack[1] or 0)
    W.ok(a <= b, string.format("other host %s kept updating: data age at most %.1f s (bound %.0f s%s)",
         h.name, a, b, slack and (", " .. slack[2]) or ""),
         string.format("%.1f s at +%.1f s", a, W.max_age_at[h.name] or 0))
  end
  W.ok(W.max_gap <= bound, string.format("vdeck stayed responsive: longest turn %.1f s (bound %.0f s), %d turns",
       W.max_gap, bound, W.turns), string.format("%.1f s, ending at +%.1f s", W.max_gap, W.max_gap_at or 0))
end

return W
