-- coalesce-tune's measurement and decision (lua/coalesce_judge.lua) on
-- fixed samples: readings of h:nics() shaped like an i40e NIC with four
-- queues and like a tap (no interrupt lines), and the keep / roll back
-- rule on each side of min_gain.
local t = require "lib.t"
local judge = require "coalesce_judge"

-- One reading of a NIC: packets, and its queues' counts (nil: no interrupts).
local function reading(pkts, counts)
  local n = { rx_packets = pkts, tx_packets = 0 }
  if counts then
    n.irq_queues, n.irqs, n.queues = #counts, 0, {}
    for i, c in ipairs(counts) do
      n.irqs = n.irqs + c
      n.queues[i] = { name = "i40e-ens1f0-TxRx-" .. (i - 1), label = "TxRx-" .. (i - 1), irq = 120 + i, irqs = c }
    end
  end
  return n
end

-- 10 s windows: 200 000 packets, 100 000 interrupts before (2 pkt/irq)
local b = judge.delta(reading(1000000, { 500000, 500000, 0, 0 }), reading(1200000, { 560000, 540000, 0, 0 }), 10)
t.eq(b.pps, 20000, "packets/s")
t.eq(b.irqs, 100000, "interrupts in the window")
t.eq(b.irq_rate, 10000, "interrupts/s")
t.eq(b.ppi, 2, "packets per interrupt")
t.eq(#b.queues, 4, "one figure per queue")
t.eq(b.queues[1].label, "TxRx-0", "labelled")
t.eq(b.queues[1].irq_per_s, 6000, "queue 0's interrupts/s")
t.eq(b.queues[2].irq_per_s, 4000, "queue 1's")
t.eq(judge.show(b), "20000 pkt/s, 10000 irq/s, 2.00 pkt/irq (TxRx-0 6000, TxRx-1 4000, TxRx-2 0, TxRx-3 0)",
     "shown")

-- after: same packets/s, a quarter of the interrupts: kept
local a = judge.delta(reading(1200000, { 560000, 540000, 0, 0 }), reading(1400000, { 575000, 550000, 0, 0 }), 10)
t.eq(a.ppi, 8, "8 pkt/irq after")
local keep, why, basis = judge.judge(b, a, { nic = "ens1f0" })
t.eq(keep, true, "kept when packets per interrupt rose")
t.eq(basis, "packets per interrupt", "judged on packets per interrupt")
t.eq(why, "packets per interrupt 2.00 -> 8.00", "the reason names both figures")
keep, why = judge.judge(b, a, { nic = "ens1f0", rollback = true })
t.eq(keep, false, "rolled back on request")
t.eq(why, "asked for", "saying so")

-- +4 % packets per interrupt is below min_gain 5: rolled back; min_gain 3 keeps it
local slight = { pkts = 200000, pps = 20000, irqs = 96154, ppi = 200000 / 96154, queues = {} }
keep, why = judge.judge(b, slight, { nic = "ens1f0", min_gain = 5 })
t.eq(keep, false, "a gain within min_gain is no gain")
t.ok(why:find("did not improve by 5%", 1, true), "names min_gain", why)
t.eq((judge.judge(b, slight, { nic = "ens1f0", min_gain = 3 })), true, "min_gain 3 keeps it")

-- fewer interrupts bought with fewer packets: rolled back
local slower = { pkts = 100000, pps = 10000, irqs = 20000, ppi = 5, queues = {} }
keep, why = judge.judge(b, slower, { nic = "ens1f0" })
t.eq(keep, false, "packets/s fell")
t.ok(why:find("packets/s fell (20000 -> 10000)", 1, true), "says so", why)

-- no interrupts after, packets flowing (busy polling): kept; none before: nothing to save
local polled = judge.delta(reading(0, { 7, 7, 7, 7 }), reading(200000, { 7, 7, 7, 7 }), 10)
t.eq(polled.ppi, math.huge, "packets without interrupts")
t.eq(judge.show(polled), "20000 pkt/s, 0 irq/s, inf pkt/irq (TxRx-0 0, TxRx-1 0, TxRx-2 0, TxRx-3 0)", "shown")
t.eq((judge.judge(b, polled, { nic = "ens1f0" })), true, "interrupts gone, packets held: kept")
keep, why = judge.judge(polled, b, { nic = "ens1f0" })
t.eq(keep, false, "no interrupt before: rolled back")
t.ok(why:find("raised no interrupt before the change", 1, true), why)

-- a tap: no interrupt lines, judged on packets/s only
local tb = judge.delta(reading(0), reading(30000), 10)
t.eq(tb.irqs, nil, "no interrupt count for a tap")
t.eq(judge.show(tb), "3000 pkt/s, ? irq/s, ? pkt/irq", "shown with ?")
local same = judge.delta(reading(30000), reading(60500), 10)
keep, why, basis = judge.judge(tb, same, { nic = "tap0" })
t.eq(keep, false, "the same packets/s: rolled back")
t.eq(basis, "packets/s", "judged on packets/s")
t.eq(why, "no interrupts counted for tap0: a virtual NIC raises none (no line in /proc/interrupts); judged on "
     .. "packets/s only: 3000 -> 3050 pkt/s, not 5% more", "saying why and on what")
local faster = judge.delta(reading(60500), reading(120500), 10)
keep, why = judge.judge(tb, faster, { nic = "tap0" })
t.eq(keep, true, "packets/s doubled: kept")
t.ok(why:find("judged on packets/s only: 3000 -> 6000 pkt/s", 1, true), why)

-- no traffic in a window: nothing to compare
local idle = judge.delta(reading(5), reading(5), 10)
keep, why = judge.judge(idle, tb, { nic = "tap0" })
t.eq(keep, false, "idle before: rolled back")
t.eq(why, "no packets through tap0 before the change: nothing to compare", "saying so")
keep, why = judge.judge(b, judge.delta(reading(9, { 1, 1, 1, 1 }), reading(9, { 1, 1, 1, 1 }), 10), { nic = "ens1f0" })
t.eq(keep, false, "idle after: rolled back")
t.eq(why, "no packets through ens1f0 after the change: nothing to compare", "saying so")
t.done()
