-- coalesce_judge.lua — what the coalesce-tune runbook measures and how it
-- decides, apart from the host calls so that it can be tested on fixed
-- samples (tests/lua/test_coalesce_judge.lua).
--
-- A measurement is two readings of one NIC of h:nics() `seconds` apart.
-- Coalescing trades interrupts for latency: it pays when each interrupt
-- carries more packets while packets/s holds.  A NIC whose queues raise no
-- interrupt of their own (a tap, veth or bridge: no line of it in
-- /proc/interrupts) cannot show that; it is judged on packets/s alone, and
-- the runbook says so.
local M = {}

-- Packets/s, interrupts/s, packets per interrupt and each queue's
-- interrupts/s between readings a and b of one NIC taken `seconds` apart.
-- irqs is nil when the NIC has no interrupt lines.
function M.delta(a, b, seconds)
  local pkts = (b.rx_packets + b.tx_packets) - (a.rx_packets + a.tx_packets)
  local m = { seconds = seconds, pkts = pkts, pps = pkts / seconds, queues = {} }
  if a.irq_queues and b.irq_queues then
    m.irqs = b.irqs - a.irqs
    m.irq_rate = m.irqs / seconds
    if m.irqs > 0 then
      m.ppi = pkts / m.irqs
    elseif pkts > 0 then
      m.ppi = math.huge   -- packets with no interrupt at all (busy polling)
    end
    local before = {}
    for _, q in ipairs(a.queues or {}) do before[q.irq .. " " .. q.name] = q end
    for _, q in ipairs(b.queues or {}) do
      local p = before[q.irq .. " " .. q.name]
      if p then m.queues[#m.queues + 1] = { label = q.label, irq_per_s = (q.irqs - p.irqs) / seconds } end
    end
  end
  return m
end

local function num(v, fmt)
  if v == nil then return "?" end
  if v == math.huge then return "inf" end
  return string.format(fmt, v)
end

function M.show(m)
  local s = string.format("%s pkt/s, %s irq/s, %s pkt/irq", num(m.pps, "%.0f"), num(m.irq_rate, "%.0f"),
                          num(m.ppi, "%.2f"))
  if #m.queues > 0 then
    local q = {}
    for i, x in ipairs(m.queues) do q[i] = x.label .. " " .. string.format("%.0f", x.irq_per_s) end
    s = s .. " (" .. table.concat(q, ", ") .. ")"
  end
  return s
end

-- Keep the new settings or roll back?  Returns keep, why (the reason for
-- either), basis ("packets per interrupt" or "packets/s").  opts: nic,
-- rollback (asked for), min_gain (percent a figure must rise by to count
-- as better: what it does by chance between two windows stays below it).
function M.judge(before, after, opts)
  local gain = 1 + (opts.min_gain or 5) / 100
  local nic = opts.nic or "the NIC"
  if opts.rollback then return false, "asked for", nil end
  if before.pkts <= 0 or after.pkts <= 0 then
    return false, "no packets through " .. nic .. " " .. (before.pkts <= 0 and "before" or "after")
      .. " the change: nothing to compare", nil
  end
  if before.irqs == nil or after.irqs == nil then
    local basis = "packets/s"
    local head = "no interrupts counted for " .. nic .. ": a virtual NIC raises none (no line in "
      .. "/proc/interrupts); judged on packets/s only: "
    if after.pps >= before.pps * gain then
      return true, head .. string.format("%.0f -> %.0f pkt/s", before.pps, after.pps), basis
    end
    return false, head .. string.format("%.0f -> %.0f pkt/s, not %g%% more", before.pps, after.pps,
                                         opts.min_gain or 5), basis
  end
  local basis = "packets per interrupt"
  if before.ppi == math.huge then
    return false, nic .. " raised no interrupt before the change: nothing to save", basis
  end
  if after.ppi < before.ppi * gain then
    return false, string.format("packets per interrupt did not improve by %g%% (%s -> %s)", opts.min_gain or 5,
                                num(before.ppi, "%.2f"), num(after.ppi, "%.2f")), basis
  end
  if after.pps * gain < before.pps then
    return false, string.format("packets per interrupt rose (%s -> %s) but packets/s fell (%.0f -> %.0f)",
                                num(before.ppi, "%.2f"), num(after.ppi, "%.2f"), before.pps, after.pps), basis
  end
  return true, string.format("packets per interrupt %s -> %s", num(before.ppi, "%.2f"), num(after.ppi, "%.2f")),
         basis
end

return M
