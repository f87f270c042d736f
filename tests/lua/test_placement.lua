-- vdeck-args: -c @FIXTURES@/inventory/placement.lua
-- vCPU pins, the emulator pin and numatune on libvirt's test driver, checked
-- against the host's NUMA topology read from a sysroot (two nodes: CPUs 0-7
-- and 8-15, CPU 15 offline; 8 GiB and 2 GiB free; 512 free 2 MiB hugepages on
-- node 0).  The test driver takes vCPU pins only as "current" (live when
-- running); explicit live or config pins are refused by it, not by vdeck.
local t = require "lib.t"
local a = vdeck.domain("alpha")

-- one vCPU, default affect: "current"; the note warns of remote memory
local r = a:pin_vcpu(0, "8-11")
t.eq(r.call, 'virDomainPinVcpuFlags("alpha", 0, cpumap=8-11, VIR_DOMAIN_AFFECT_CURRENT)\n', "pin_vcpu call")
t.ok((r.notes or ""):find("vCPU 0 of VM alpha on host hv%-p would run on node%(s%) 1 but its memory is on node%(s%) 0") ~= nil,
     "vCPUs away from the numatune node: warned", r.notes)
t.eq(a:vcpu_pins()[1].cpuset, "8-11", "the pin is in the domain's definition")

-- several at once, as integer keys of the options table
r = a:pin_vcpus { [0] = "0-3", [1] = "2" }
t.eq(r.call, 'virDomainPinVcpuFlags("alpha", 0, cpumap=0-3, VIR_DOMAIN_AFFECT_CURRENT)\n' ..
             'virDomainPinVcpuFlags("alpha", 1, cpumap=2, VIR_DOMAIN_AFFECT_CURRENT)\n' ..
             'and when one is refused, the vCPUs before it are pinned back: 0=8-11 1=4-7\n', "pin_vcpus call")
t.eq(r.notes, nil, "all on node 0 with the memory: no warning")
local pins = {}
for _, p in ipairs(a:vcpu_pins()) do pins[p.vcpu] = p.cpuset end
t.eq(pins[0] .. " " .. pins[1], "0-3 2", "both pins applied")
r = a:pin_vcpus { pins = { [0] = "4-5" } }
t.eq(a:vcpu_pins()[1].cpuset, "4-5", "pins = { ... } works too")

-- refusals name host, VM, CPU or node; nothing is sent
t.raises(function() a:pin_vcpu(0, "15") end, "offline CPU", "hv%-p/alpha: CPU 15 on host hv%-p is offline")
t.raises(function() a:pin_vcpu(0, "16") end, "no such CPU", "CPU 16 does not exist on host hv%-p")
t.raises(function() a:pin_vcpu(7, "1") end, "no such vCPU", "vCPU 7 does not exist: VM alpha has 4")
t.raises(function() a:pin_vcpu(3, "1") end, "offline vCPU live", "vCPU 3 of VM alpha is not online")
t.raises(function() a:pin_vcpu(0, "1-x") end, "bad list", "is not a CPU list")
t.raises(function() a:pin_vcpus { [0] = {} } end, "bad pins value", "must be a string")
t.raises(function() a:pin_vcpu(0, "1", { config = true }) end, "the test driver refuses config pins",
         "unsupported flags")
t.eq(a:vcpu_pins()[1].cpuset, "4-5", "refused pins changed nothing")

-- the emulator threads
r = a:pin_emulator("0-1", { live = true })
t.eq(r.call, 'virDomainPinEmulator("alpha", cpumap=0-1, VIR_DOMAIN_AFFECT_LIVE)\n', "pin_emulator call")
t.eq(vdeck.domain("alpha").emulator_pin, "0-1", "emulator pin applied")
t.raises(function() a:pin_emulator("8-15") end, "emulator on an offline CPU", "CPU 15 on host hv%-p is offline")

-- numatune: nodes exist, the memory fits
t.raises(function() a:set_numatune { nodeset = "2" } end, "no such node", "NUMA node 2 does not exist on host hv%-p")
t.raises(function() a:set_numatune { nodeset = "1" } end, "does not fit",
         "VM alpha needs 4.0G but node%(s%) 1 of host hv%-p have 2.0G free")
r = a:set_numatune { nodeset = "1", mode = "preferred", config = true }
t.ok((r.notes or ""):find("the rest comes from other nodes") ~= nil, "preferred: a note, not a refusal", r.notes)
r = a:set_numatune { nodeset = "0-1", live = true }
t.eq(r.call, 'virDomainSetNumaParameters("alpha", {numa_mode=VIR_DOMAIN_NUMATUNE_MEM_STRICT, ' ..
             'numa_nodeset="0-1"}, VIR_DOMAIN_AFFECT_LIVE)\n', "set_numatune call")
t.eq(a:numatune().nodeset, "0-1", "numatune applied live")
local h = vdeck.domain("huge")
t.raises(function() h:set_numatune { nodeset = "0" } end, "hugepages per node",
         "VM huge needs 2.0G but node%(s%) 0 of host hv%-p have 1.0G free in 2.0M hugepages")
t.raises(function() vdeck.domain("beta"):pin_emulator("0", { live = true }) end, "live on a shut-off VM",
         "live=true but VM beta is shutoff")
t.done()
