-- coalesce-tune: change a host NIC's interrupt coalescing and keep it only
-- when it pays.  Packets/s and interrupts/s of the NIC (each of its queues
-- in /proc/interrupts) are measured for `seconds`, the settings applied
-- (h:set_coalesce, ethtool -C), measured again; before/after are printed,
-- and the previous values are put back unless packets per interrupt rose by
-- min_gain percent with packets/s holding — or, for a NIC that raises no
-- interrupts (a tap, veth or bridge), unless packets/s rose by min_gain
-- percent: the runbook says which rule it used.  rollback=true puts them
-- back in any case.  --dry-run prints the change.  The rule is in
-- lua/coalesce_judge.lua.
local judge = require "coalesce_judge"

-- The NIC in the host's latest poll, and when that poll began.
local function nic_of(h, name)
  local nics = h:nics()
  for _, n in ipairs(nics) do if n.name == name then return n, nics.sampled or vdeck.clock() end end
  vdeck.error { code = "not_found", message = h.name .. " has no NIC " .. name }
end

-- The NIC's counters from two polls at least `seconds` apart, over the time
-- between the polls (not between the calls: on a loaded host they differ).
local function measure(h, nic, seconds)
  h:refresh()
  local a, t0 = nic_of(h, nic)
  local b, t1
  repeat
    h:refresh()
    b, t1 = nic_of(h, nic)
  until t1 - t0 >= seconds
  return judge.delta(a, b, t1 - t0)
end

return vdeck.runbook {
  name = "coalesce-tune",
  description = "set a NIC's interrupt coalescing, measure before and after, "
    .. "roll back unless packets per interrupt improved",
  params = {
    { name = "host", type = "host", required = true },
    { name = "nic", type = "string", required = true },
    { name = "seconds", type = "integer", default = 10, min = 1, max = 3600 },
    { name = "adaptive_rx", type = "boolean" },
    { name = "adaptive_tx", type = "boolean" },
    { name = "rx_usecs", type = "integer", min = 0 },
    { name = "rx_frames", type = "integer", min = 0 },
    { name = "tx_usecs", type = "integer", min = 0 },
    { name = "tx_frames", type = "integer", min = 0 },
    { name = "min_gain", type = "integer", default = 5, min = 0, max = 1000 },   -- percent
    { name = "rollback", type = "boolean", default = false },   -- put the previous values back in any case
  },
  run = function(ctx, p)
    local h = vdeck.host(p.host)
    local settings = { adaptive_rx = p.adaptive_rx, adaptive_tx = p.adaptive_tx, rx_usecs = p.rx_usecs,
                       rx_frames = p.rx_frames, tx_usecs = p.tx_usecs, tx_frames = p.tx_frames }
    nic_of(h, p.nic)
    local before = measure(h, p.nic, p.seconds)
    ctx.log("before: " .. judge.show(before))
    local r = h:set_coalesce(p.nic, settings)
    if r.dry_run then
      return { host = h.name, nic = p.nic, before = judge.show(before), dry_run = true }
    end
    local after = measure(h, p.nic, p.seconds)
    ctx.log("after:  " .. judge.show(after))
    local keep, why, basis = judge.judge(before, after, { nic = p.nic, rollback = p.rollback,
                                                          min_gain = p.min_gain })
    if keep then
      ctx.log("kept (" .. why .. ")")
    else
      h:set_coalesce(p.nic, r.previous)
      ctx.log("rolled back (" .. why .. ")")
    end
    return { host = h.name, nic = p.nic, before = judge.show(before), after = judge.show(after),
             kept = keep, rolled_back = not keep and why or nil, judged_on = basis, why = why }
  end,
}
