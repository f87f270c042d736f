-- vdeck-args: -c @FIXTURES@/inventory/sriov.lua
-- NIC modes in d:nics() (issue 15), from domain XML the test driver serves.
local t = require "lib.t"
local vd = require "vdeck"

local edge = vd.domain("nfv-edge")
local nics = edge:nics()
t.eq(#nics, 3, "three NICs")
t.eq(nics[1].mode, "bridge", "a tap in a Linux bridge")
t.eq(nics[1].queues, 4, "multiqueue")
t.eq(nics[2].mode, "hostdev", "an SR-IOV VF")
t.eq(nics[2].vf, "0000:3b:02.1", "the VF's PCI address")
t.eq(nics[2].vlan, 300, "the VF's VLAN")
t.eq(nics[3].mode, "vhostuser", "vhost-user")
t.eq(nics[3].source, "/var/run/openvswitch/vhu-nfv-edge", "its socket")

local web = vd.domain("web-1"):nics()
t.eq(web[1].mode, "network", "a libvirt network")
t.eq(web[1].filter, "clean-traffic", "its nwfilter")
t.eq(web[1].bandwidth.inbound, 1000, "inbound average KiB/s")
t.eq(web[2].mode, "ovs", "an OVS port")
t.done()
