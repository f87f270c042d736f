-- planlib: what the rebalance, evacuate-host and numa-place runbooks share:
-- a plan as a text table, and applying migrations with per-host and
-- cluster concurrency limits, planning again when the cluster changed and
-- stopping at the first failure.
local M = {}

local function gib(bytes)
  return string.format("%.1fG", (bytes or 0) / 1073741824)
end

local function pct(x)
  return x and string.format("%.0f%%", x * 100) or "-"
end

-- Rows of cells as aligned text lines (the first row is the header).
function M.columns(rows)
  local w = {}
  for _, r in ipairs(rows) do
    for i, c in ipairs(r) do
      w[i] = math.max(w[i] or 0, #tostring(c))
    end
  end
  local out = {}
  for _, r in ipairs(rows) do
    local cells = {}
    for i, c in ipairs(r) do
      cells[i] = i == #r and tostring(c) or string.format("%-" .. w[i] .. "s", tostring(c))
    end
    out[#out + 1] = table.concat(cells, "  ")
  end
  return table.concat(out, "\n")
end

function M.balance_table(plan)
  local rows = { { "STEP", "VM", "MEM", "FROM", "TO", "NODE", "IMBALANCE", "REASON" } }
  for _, m in ipairs(plan.moves) do
    rows[#rows + 1] = { m.step, m.vm, gib(m.memory), m.from, m.to, m.node >= 0 and m.node or "spans",
                        string.format("%.3f", m.imbalance), m.reason }
  end
  local head = string.format("plan_balance by %s (%s): imbalance %.3f -> %.3f over %d host(s), %d move(s); %s",
                             plan.by, plan.method, plan.before, plan.after, plan.hosts, #plan.moves, plan.stop)
  if plan.evacuate then
    head = string.format("evacuate %s: %d move(s), %d VM(s) cannot move; imbalance of the other hosts %.3f -> %.3f",
                         plan.evacuate, #plan.moves, #plan.skipped, plan.before, plan.after)
  end
  local text = head .. "\n" .. M.columns(rows)
  if #plan.skipped > 0 then
    local s = { { "VM", "HOST", "NOT MOVED BECAUSE" } }
    for _, k in ipairs(plan.skipped) do s[#s + 1] = { k.vm, k.host, k.reason } end
    text = text .. "\n" .. M.columns(s)
  end
  return text
end

function M.numa_table(plan)
  local rows = { { "VM", "MEM", "ACTION", "NODE", "CPUS", "BEFORE", "AFTER", "REASON" } }
  for _, v in ipairs(plan.vms) do
    rows[#rows + 1] = { v.vm, gib(v.memory), v.action, v.node or "-", v.cpus or "-", pct(v.before), pct(v.after),
                        v.reason }
  end
  local head = string.format("plan_numa %s: mean locality %s -> %s, node imbalance %.3f -> %.3f",
                             plan.host, pct(plan.locality_before), pct(plan.locality_after),
                             plan.imbalance_before or 0, plan.imbalance_after or 0)
  return head .. "\n" .. M.columns(rows)
end

local function same_moves(a, b, from)
  for i = 1, #b do
    local x, y = a[from + i - 1], b[i]
    if not x or x.vm ~= y.vm or x.to ~= y.to then return false end
  end
  return true
end

-- Runs plan.moves as live migrations, in order.  opts: concurrency
-- (migrations at once in the cluster), per_host (migrations a host takes
-- part in at once), replan(budget, assume) → a fresh plan of at most
-- budget moves that counts the migrations under way (assume: vm, to, node)
-- as done and leaves them alone (nil: never re-plan), unsafe.  The Plan
-- view follows (vdeck.plan_publish, vdeck.plan_mark).
-- Returns a summary; raises, once the running moves ended, when one failed.
function M.apply(ctx, plan, opts)
  local queue, qi = plan.moves, 1
  local running, busy, done, failed, replans = {}, {}, {}, nil, 0
  local started, total = 0, #queue
  vdeck.plan_publish(plan)
  local function free(m)
    return (busy[m.from] or 0) < opts.per_host and (busy[m.to] or 0) < opts.per_host
  end
  while true do
    while not failed and #running < opts.concurrency and qi <= #queue and free(queue[qi]) do
      local m = queue[qi]
      qi, started = qi + 1, started + 1
      vdeck.plan_mark(m.step, "running")
      local ok, t = pcall(function()
        return vdeck.domain(m.vm):migrate { to = m.to, async = true, unsafe = opts.unsafe or nil }
      end)
      if ok then
        busy[m.from] = (busy[m.from] or 0) + 1
        busy[m.to] = (busy[m.to] or 0) + 1
        running[#running + 1] = { task = t, move = m }
      else
        vdeck.plan_mark(m.step, "failed", tostring(t))
        failed = { move = m, error = tostring(t) }
      end
    end
    if #running == 0 then break end
    local list = {}
    for k, r in ipairs(running) do list[k] = r.task end
    local r = table.remove(running, vdeck.wait_any(list))
    local m = r.move
    busy[m.from] = busy[m.from] - 1
    busy[m.to] = busy[m.to] - 1
    local _, ok, err = r.task:done()
    if not ok then
      vdeck.plan_mark(m.step, "failed", tostring(err))
      failed = failed or { move = m, error = tostring(err) }
    else
      vdeck.plan_mark(m.step, "done")
      done[#done + 1] = m.vm .. " " .. m.from .. " -> " .. m.to
      ctx.progress(#done / total, string.format("%d of %d moved", #done, total))
      ctx.log(string.format("moved %s %s -> %s (%d of %d)", m.vm, m.from, m.to, #done, total))
      local budget = total - started
      if opts.replan and not failed and budget > 0 then
        -- The cluster as it is now (other work, figures the plan could only
        -- estimate): when its best next moves differ from ours, follow it.
        local assume = {}
        for _, o in ipairs(running) do
          assume[#assume + 1] = { vm = o.move.vm, to = o.move.to, node = o.move.node }
        end
        local fresh = opts.replan(budget, assume)
        if not same_moves(queue, fresh.moves, qi) or #fresh.moves ~= #queue - qi + 1 then
          replans = replans + 1
          ctx.log(string.format("re-planned after %s: %d move(s) left (was %d), imbalance %.3f -> %.3f", m.vm,
                                #fresh.moves, #queue - qi + 1, fresh.before, fresh.after))
          for i, f in ipairs(fresh.moves) do f.step = started + i end
          queue, qi, total = fresh.moves, 1, started + #fresh.moves
          vdeck.plan_publish(fresh, { keep = started })
        end
      end
    end
  end
  local summary = { planned = total, moved = #done, details = done, replans = replans,
                    not_started = #queue - qi + 1 }
  if failed then
    local m = failed.move
    summary.failed = m.vm .. " " .. m.from .. " -> " .. m.to .. ": " .. failed.error
    ctx.emit(summary)
    vdeck.error { message = string.format("stopped at the first failure: %s (%d of %d moved)", summary.failed,
                                          #done, total) }
  end
  return summary
end

return M
