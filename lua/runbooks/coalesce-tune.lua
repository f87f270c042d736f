-- coalesce-tune: change a host NIC's interrupt coalescing and keep it only
-- when it pays.  Packets/s and interrupts/s of the NIC (its queues in
-- /proc/interrupts) are measured for `seconds`, the settings applied
-- (h:set_coalesce, ethtool -C), measured again; before/after are printed,
-- and the previous values are put back when packets per interrupt did not
-- improve (or when rollback=true asks for it).  --dry-run prints the change.
local function nic_of(h, name)
  for _, n in ipairs(h:nics()) do if n.name == name then return n end end
  vdeck.error { code = "not_found", message = h.name .. " has no NIC " .. name }
end

-- Packets/s, interrupts/s and packets per interrupt over `seconds`, from the
-- NIC's counters of two polls at least that far apart.
local function measure(h, nic, seconds)
  h:refresh()
  local t0, a = vdeck.clock(), nic_of(h, nic)
  repeat h:refresh() until vdeck.clock() - t0 >= seconds
  local dt, b = vdeck.clock() - t0, nic_of(h, nic)
  local pkts = (b.rx_packets + b.tx_packets) - (a.rx_packets + a.tx_packets)
  local m = { seconds = dt, pps = pkts / dt }
  if b.irq_queues and a.irq_queues then
    m.irq_rate = (b.irqs - a.irqs) / dt
    if b.irqs > a.irqs then m.ppi = pkts / (b.irqs - a.irqs) end
  end
  return m
end

local function show(m)
  return string.format("%.0f pkt/s, %s irq/s, %s pkt/irq", m.pps, m.irq_rate and string.format("%.0f", m.irq_rate)
                       or "?", m.ppi and string.format("%.2f", m.ppi) or "?")
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
    { name = "rollback", type = "boolean", default = false },   -- put the previous values back in any case
  },
  run = function(ctx, p)
    local h = vdeck.host(p.host)
    local settings = { adaptive_rx = p.adaptive_rx, adaptive_tx = p.adaptive_tx, rx_usecs = p.rx_usecs,
                       rx_frames = p.rx_frames, tx_usecs = p.tx_usecs, tx_frames = p.tx_frames }
    nic_of(h, p.nic)
    local before = measure(h, p.nic, p.seconds)
    ctx.log("before: " .. show(before))
    local r = h:set_coalesce(p.nic, settings)
    if r.dry_run then
      return { host = h.name, nic = p.nic, before = show(before), dry_run = true }
    end
    local after = measure(h, p.nic, p.seconds)
    ctx.log("after:  " .. show(after))
    local improved = before.ppi and after.ppi and after.ppi > before.ppi
    local why = p.rollback and "asked for" or not after.ppi and "no interrupt counts for " .. p.nic
                or not improved and "packets per interrupt did not improve" or nil
    if why then
      h:set_coalesce(p.nic, r.previous)
      ctx.log("rolled back (" .. why .. ")")
    end
    return { host = h.name, nic = p.nic, before = show(before), after = show(after),
             kept = why == nil, rolled_back = why }
  end,
}
