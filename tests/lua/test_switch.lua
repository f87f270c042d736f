-- vdeck-args: -c @FIXTURES@/inventory/switch.lua
-- A distributed switch on 128 test-driver hosts: each host's networks read
-- with the rest of its libvirt data; missing, drifted (VLAN, bandwidth,
-- portgroups: changed live) and drifted on the uplink (a restart, refused
-- under a running VM until restart=true) told apart and named; every host
-- converged by h:apply_switch, read back converged; set_nic's XML and its
-- refusals.  Time bounds keep 128 hosts fast.
local t = require "lib.t"

local t0 = vdeck.clock()
-- every host answered once (a host slower than the connect timeout, as
-- under the sanitizers, would be "unknown" until it does)
vdeck.refresh()
local st = vdeck.switch_status("dvs0")
for _, s in ipairs(st) do
  if s.state ~= "missing" and s.state ~= "drifted" then print("# " .. s.host .. ": " .. s.state .. ": " .. s.why) end
end
t.eq(#st, 128, "dvs0 selects the 128 hosts of tag edge")
local by = {}
for _, s in ipairs(st) do by[s.host] = s end
local count = {}
for _, s in ipairs(st) do count[s.state] = (count[s.state] or 0) + 1 end
t.eq(count.missing, 96, "96 hosts lack the network")
t.eq(count.drifted, 32, "32 hosts have a drifted one")
t.eq(by.hv001.why, "no network dvs0", "missing says so")
t.eq(table.concat(by.hv004.fields, ","), "vlan,bandwidth,portgroup,autostart", "live drift fields")
t.ok(by.hv004.why:find("portgroup web: vlan 100, host has 200", 1, true), "VLAN drift named", by.hv004.why)
t.ok(by.hv004.why:find("portgroup web: inbound average 1000 peak 2000 burst 512, host has none", 1, true),
     "bandwidth drift named", by.hv004.why)
t.ok(by.hv004.why:find("portgroup old is not in the switch", 1, true), "extra portgroup named")
t.eq(table.concat(by.hv008.fields, ","), "uplink,autostart", "uplink drift fields")
t.ok(by.hv008.why:find("uplink br-up, host has br-old", 1, true), "uplink drift named", by.hv008.why)

local lan = vdeck.switch_status("lan")
t.eq(#lan, 2, "lan selects its two named hosts")
t.raises(function() vdeck.switch_status("nope") end, "unknown switch raises", "no switch 'nope'")

-- the host's networks as read
local nets = vdeck.host("hv004"):networks()
local dvs
for _, n in ipairs(nets) do if n.name == "dvs0" then dvs = n end end
t.ok(dvs ~= nil, "h:networks() lists dvs0")
t.eq(dvs.bridge, "br-up", "network bridge")
t.eq(dvs.virtualport, "openvswitch", "network virtualport")
t.eq(dvs.portgroups[1].vlan[1], 200, "portgroup VLAN as the host has it")
t.eq(dvs.portgroups[2].filter, "clean-traffic", "portgroup filter from the metadata")
local sws = vdeck.switches()
t.eq(sws[1].name, "dvs0", "vdeck.switches() lists dvs0")
t.eq(#sws[1].hosts, 128, "with its hosts")
t.eq(sws[1].portgroups[3].trunk, true, "and a trunk portgroup")

-- refusals before anything is sent
t.raises(function() vdeck.host("hv008"):apply_switch("dvs0") end, "uplink change under a running VM refused",
         "restart=true")
t.raises(function() vdeck.host("hv003"):apply_switch("lan") end, "a host the switch does not select is refused",
         "is not for host hv003")

-- converge all 128 hosts
local t1 = vdeck.clock()
local failures = 0
for _, s in ipairs(st) do
  local h = vdeck.host(s.host)
  local ok, r = pcall(h.apply_switch, h, "dvs0", { restart = s.host == "hv008" or s.fields[1] == "uplink" })
  if not ok then
    failures = failures + 1
    print("# " .. s.host .. ": " .. tostring(r.message or r))
  end
end
t.eq(failures, 0, "apply_switch on every host")
vdeck.refresh()
local after = {}
for _, s in ipairs(vdeck.switch_status("dvs0")) do after[s.state] = (after[s.state] or 0) + 1 end
t.eq(after.converged, 128, "all 128 converged after apply and a re-read")
local secs = vdeck.clock() - t1
t.ok(secs < 20, "128 hosts converged in under 20 s", string.format("%.1f s", secs))
local nets2 = vdeck.host("hv004"):networks()
for _, n in ipairs(nets2) do if n.name == "dvs0" then dvs = n end end
t.eq(dvs.portgroups[1].vlan[1], 100, "hv004's web portgroup updated live to VLAN 100")
t.eq(dvs.autostart, true, "and autostarted")

-- set_nic: what it sends, and what it refuses
local d = vdeck.domains { host = "hv002" }[1]
t.raises(function() d:set_nic("52:54:00:5e:00:01", { portgroup = "nope" }) end, "unknown portgroup refused",
         "switch dvs0 has no portgroup 'nope'")
t.raises(function() d:set_nic("52:54:00:5e:00:01", { portgroup = "db", vlan = 5 }) end,
         "portgroup and vlan together refused", "not both")
t.raises(function() d:set_nic("52:54:00:5e:00:01", {}) end, "nothing to change refused", "nothing to change")
t.raises(function() d:set_nic("52:54:00:00:00:99", { portgroup = "db" }) end, "unknown MAC refused", "no NIC")
local err = t.raises(function() d:set_nic("52:54:00:5e:00:01", { portgroup = "db",
                       bandwidth = { inbound = { average = 100, peak = 200 } } }) end,
         "the test driver has no device update", "virDomainUpdateDeviceFlags")
t.ok(vdeck.clock() - t0 < 60, "the whole test under 60 s", string.format("%.1f s", vdeck.clock() - t0))
t.done()
