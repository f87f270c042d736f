-- nic-portgroup: move a VM's NICs on a switch's network to a portgroup,
-- live (virDomainUpdateDeviceFlags): the VLAN, bandwidth and filter of
-- the portgroup apply without a reboot.  In the console, run it with VMs
-- marked to move each of them.  mac= picks one NIC; by default every NIC
-- of the VM on the switch's network moves (on any switch's network when
-- switch= is not given).
local function switch_names()
  local names = {}
  for _, sw in ipairs(vdeck.switches()) do names[sw.name] = sw end
  return names
end

return vdeck.runbook {
  name = "nic-portgroup",
  description = "move a VM's NICs to a portgroup of its switch, live",
  params = {
    { name = "vm", type = "domain", required = true },
    { name = "portgroup", type = "string", required = true },
    { name = "switch", type = "string" },
    { name = "mac", type = "string" },
  },
  run = function(ctx, p)
    local d = vdeck.domain(p.vm)
    local switches = switch_names()
    if p.switch and not switches[p.switch] then
      vdeck.error { code = "usage", message = "the inventory declares no switch '" .. p.switch .. "'" }
    end
    local moved = {}
    for _, nic in ipairs(d:nics()) do
      -- a running VM's live XML shows a network NIC as type bridge, the
      -- network still named in its source
      local on_switch = (nic.type == "network" or nic.type == "bridge") and nic.source and
                        (p.switch and nic.source == p.switch or not p.switch and switches[nic.source])
      if (p.mac and nic.mac == p.mac) or (not p.mac and on_switch) then
        if nic.portgroup == p.portgroup then
          ctx.log(d.name .. " " .. nic.mac .. ": already in " .. p.portgroup)
        else
          d:set_nic(nic.mac, { portgroup = p.portgroup })
          moved[#moved + 1] = nic.mac
          ctx.log(d.name .. " " .. nic.mac .. ": " .. (nic.portgroup or "(none)") .. " -> " .. p.portgroup)
        end
      end
    end
    if #moved == 0 and p.mac then
      local found = false
      for _, nic in ipairs(d:nics()) do found = found or nic.mac == p.mac end
      if not found then vdeck.error { code = "usage", message = d.name .. " has no NIC " .. p.mac } end
    end
    return { vm = d.name, host = d.host, portgroup = p.portgroup, moved = moved }
  end,
}
