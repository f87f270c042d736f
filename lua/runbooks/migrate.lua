-- migrate: live-migrate one VM; without `to` the target is chosen by free
-- memory and NUMA fit (the choice is explained on stderr).  A VM with SR-IOV
-- VFs passed through does not migrate; with force = true the runbook plans
-- around them: detach each VF NIC, migrate, attach a free VF of the target
-- with the same MAC and VLAN (--dry-run prints the three steps first).
local function vf_nics(d)
  local vfs = {}
  for _, n in ipairs(d:nics()) do
    if n.mode == "hostdev" then vfs[#vfs + 1] = n end
  end
  return vfs
end

-- Free VFs of host name, as vdeck.sriov() lists them.
local function free_vfs(name)
  local out = {}
  for _, pf in ipairs(vdeck.sriov()) do
    if pf.host == name then
      for _, a in ipairs(pf.free_vfs) do out[#out + 1] = a end
    end
  end
  return out
end

return vdeck.runbook {
  name = "migrate",
  description = "live-migrate a VM (target chosen when to= is omitted; force= plans around SR-IOV VFs)",
  params = {
    { name = "vm", type = "domain", required = true },
    { name = "to", type = "host" },
    { name = "bandwidth", type = "integer", min = 1 },
    { name = "max_downtime", type = "integer", min = 1 },
    { name = "unsafe", type = "boolean", default = false },
    { name = "force", type = "boolean", default = false },
  },
  run = function(ctx, p)
    local d = vdeck.domain(p.vm)
    local from = d.host
    local vfs = p.force and vf_nics(d) or {}
    if #vfs > 0 and not p.to then
      error("force with SR-IOV VFs needs to= (the VFs to attach are chosen on the target)")
    end
    local free = #vfs > 0 and free_vfs(p.to) or {}
    if #free < #vfs then
      error(string.format("%s has %d free VF(s), %s needs %d", p.to, #free, d.name, #vfs))
    end
    for _, n in ipairs(vfs) do
      ctx.log(string.format("step 1: detach VF %s (NIC %s)", n.vf, n.mac))
      d:detach_nic(n.mac)
    end
    local r = d:migrate { to = p.to, bandwidth = p.bandwidth, max_downtime = p.max_downtime,
                          unsafe = p.unsafe or nil, force = p.force or nil,
                          on_progress = function(pr)
                            ctx.log(string.format("%s %.0f%% remaining %d MiB, expected downtime %d ms",
                              pr.phase, math.max(pr.fraction, 0) * 100, pr.data_remaining // 1048576,
                              pr.expected_downtime_ms))
                          end }
    for i, n in ipairs(vfs) do
      ctx.log(string.format("step 3: attach VF %s of %s as NIC %s", free[i], p.to, n.mac))
      d:attach_nic { vf = free[i], mac = n.mac, vlan = n.vlan }
    end
    return { vm = d.name, from = from, to = r.dry_run and "(dry-run)" or d.host, message = r.message,
             vfs = #vfs > 0 and #vfs or nil }
  end,
}
