-- collect.lua — vdeck's side of the collection benchmark, run by bench/collect.py:
--   vdeck -c cluster.lua --exec bench/collect.lua cycles=N warmup=W
-- Every cycle is one vdeck.refresh(): all hosts polled once (the metrics
-- bundle over SSH and the per-VM read over libvirt's RPC), waited for.
-- Around the timed cycles it prints "SYNC begin" / "SYNC end" and waits for
-- a line on stdin: the driver reads this process's CPU, with every thread
-- and every child (libvirt's ssh), from outside, so nothing of the reading
-- is charged here.  Then prints key=value lines.
local args = {}
for _, kv in ipairs({ ... }) do
  local k, v = kv:match("^([%w_]+)=(.*)$")
  if k then args[k] = v end
end
local cycles = tonumber(args.cycles or 20)
local warmup = tonumber(args.warmup or 2)

local function slurp(path)
  local f = assert(io.open(path))
  local s = f:read("a")
  f:close()
  return s
end
local function wall_s() return tonumber(slurp("/proc/uptime"):match("^(%S+)")) end
local function status(key) return tonumber(slurp("/proc/self/status"):match(key .. ":%s*(%d+)")) end
local function sync(what)
  io.stdout:write("SYNC ", what, "\n")
  io.stdout:flush()
  assert(io.stdin:read("l"), "the driver went away")
end

local hosts = vdeck.hosts()
local function all_up()
  local up, vms = 0, 0
  for _, h in ipairs(hosts) do
    if h.state == "up" then up = up + 1 end
    vms = vms + #h:domains()
  end
  return up, vms
end

local t_start = wall_s()
for _ = 1, warmup do vdeck.refresh() end
local up, vms = all_up()

sync("begin")
local w0 = wall_s()
local walls = {}
for i = 1, cycles do
  local t = wall_s()
  vdeck.refresh()
  walls[i] = (wall_s() - t) * 1000
end
local w1 = wall_s()
sync("end")
table.sort(walls)

local function put(k, v) io.stdout:write(k, "=", tostring(v), "\n") end
put("hosts", #hosts)
put("hosts_up", up)
put("vms", vms)
put("cycles", cycles)
put("wall_ms_per_cycle", string.format("%.1f", (w1 - w0) * 1000 / cycles))
put("wall_ms_median", string.format("%.1f", walls[(#walls + 1) // 2]))
put("startup_warmup_s", string.format("%.2f", w0 - t_start))
put("peak_rss_mib", string.format("%.1f", status("VmHWM") / 1024))
put("threads", status("Threads"))
io.stdout:flush()
