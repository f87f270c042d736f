-- collect.lua — vdeck's side of the collection benchmark, run by
--   vdeck -c cluster.lua --exec bench/collect.lua cycles=N warmup=W out=FILE
-- Every cycle is one vdeck.refresh(): all hosts polled once (the metrics
-- bundle over SSH and the per-VM read over libvirt), waited for.  Costs are
-- this process's own: user+sys ticks from /proc/self/stat (all threads, the
-- SSH and libvirt workers included; children excluded), wall time from
-- /proc/uptime, peak RSS from VmHWM.  Writes key=value lines to `out`.
local args = {}
for _, kv in ipairs({ ... }) do
  local k, v = kv:match("^([%w_]+)=(.*)$")
  if k then args[k] = v end
end
local cycles = tonumber(args.cycles or 20)
local warmup = tonumber(args.warmup or 2)
local out = assert(args.out, "out=FILE is required")
-- mark=CMD: run as `CMD begin` / `CMD end` around the timed cycles, outside
-- the CPU readings (the hosts' own cost is read by bench/hostcost.py).
local mark = args.mark

local function slurp(path)
  local f = assert(io.open(path))
  local s = f:read("a")
  f:close()
  return s
end

-- CPU time of every thread, in ns, from /proc/self/task/*/schedstat: tick
-- counts (/proc/self/stat, 10 ms) are too coarse for a few small hosts.
local function cpu_ms()
  local total = 0
  local pid = slurp("/proc/self/stat"):match("^(%d+)")
  for tid in io.popen("ls /proc/" .. pid .. "/task"):lines() do
    local f = io.open("/proc/" .. pid .. "/task/" .. tid .. "/schedstat")
    if f then
      total = total + (tonumber(f:read("l"):match("^(%d+)")) or 0)
      f:close()
    end
  end
  return total / 1e6
end
local function wall_s() return tonumber(slurp("/proc/uptime"):match("^(%S+)")) end
local function status(key) return tonumber(slurp("/proc/self/status"):match(key .. ":%s*(%d+)")) end

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

if mark then os.execute(mark .. " begin") end
local c0, w0 = cpu_ms(), wall_s()
local walls = {}
for i = 1, cycles do
  local t = wall_s()
  vdeck.refresh()
  walls[i] = (wall_s() - t) * 1000
end
local c1, w1 = cpu_ms(), wall_s()
if mark then os.execute(mark .. " end") end
table.sort(walls)

local f = assert(io.open(out, "w"))
local function put(k, v) f:write(k, "=", tostring(v), "\n") end
put("hosts", #hosts)
put("hosts_up", up)
put("vms", vms)
put("cycles", cycles)
put("cpu_ms_per_cycle", string.format("%.2f", (c1 - c0) / cycles))
put("wall_ms_per_cycle", string.format("%.1f", (w1 - w0) * 1000 / cycles))
put("wall_ms_median", string.format("%.1f", walls[(#walls + 1) // 2]))
put("startup_warmup_s", string.format("%.2f", w0 - t_start))
put("peak_rss_mib", string.format("%.1f", status("VmHWM") / 1024))
put("rss_mib", string.format("%.1f", status("VmRSS") / 1024))
put("threads", status("Threads"))
f:close()
