-- lacp-bond: create an LACP (or other) bond on the uplinks of one host or
-- of every host of a tag, one host at a time, stopping at the first
-- failure.  Each host's change is applied with commit-confirm: the host
-- rolls it back by itself unless vdeck, over a new connection, confirms it
-- within confirm_timeout seconds.  Hosts that already have the bond are
-- skipped; the run then waits for LACP to negotiate before the next host.
local function targets(p)
  if p.host then return { vdeck.host(p.host) } end
  if p.tag then return vdeck.hosts { tag = p.tag } end
  vdeck.error { code = "usage", message = "give host= or tag=" }
end

local function find_bond(h, name)
  for _, b in ipairs(h:bonds()) do if b.name == name then return b end end
end

-- true when every member is in the aggregator (LACP) or simply up
local function healthy(b)
  if not b or #b.ports == 0 then return false end
  for _, port in ipairs(b.ports) do
    if port.alert then return false end
    if b.lacp and b.backend == "ovs" and port.lacp_state ~= "current attached" then return false end
  end
  return true
end

return vdeck.runbook {
  name = "lacp-bond",
  description = "bond host uplinks (802.3ad LACP by default), one host at a time, commit-confirm",
  params = {
    { name = "host", type = "host" },
    { name = "tag", type = "string" },
    { name = "name", type = "string", default = "bond0" },
    { name = "ports", type = "list", required = true },          -- ports=ens2f0,ens2f1
    { name = "mode", type = "enum", values = { "802.3ad", "active-backup", "balance-xor" }, default = "802.3ad" },
    { name = "lacp_rate", type = "enum", values = { "fast", "slow" } },
    { name = "xmit_hash_policy", type = "enum", values = { "layer2", "layer2+3", "layer3+4", "encap2+3", "encap3+4" } },
    { name = "backend", type = "enum", values = { "auto", "ovs", "iproute2" }, default = "auto" },
    { name = "bridge", type = "string" },
    { name = "confirm_timeout", type = "integer", default = 30, min = 5, max = 3600 },
    { name = "settle", type = "integer", default = 15, min = 0, max = 600 },   -- s to wait for LACP per host
  },
  run = function(ctx, p)
    local done, skipped = {}, {}
    for _, h in ipairs(targets(p)) do
      if find_bond(h, p.name) then
        skipped[#skipped + 1] = h.name
        ctx.log(h.name .. ": " .. p.name .. " exists, skipped")
      else
        ctx.log(h.name .. ": creating " .. p.name)
        local ok, r = pcall(h.create_bond, h, {
          name = p.name, ports = p.ports, mode = p.mode, lacp_rate = p.lacp_rate,
          xmit_hash_policy = p.xmit_hash_policy, backend = p.backend, bridge = p.bridge,
          confirm_timeout = p.confirm_timeout })
        if not ok then
          ctx.emit { host = h.name, done = done, skipped = skipped, failed = h.name }
          vdeck.error { code = type(r) == "table" and r.code or nil,   -- unreachable stays exit 3
                        message = h.name .. ": " .. (type(r) == "table" and r.message or tostring(r)) ..
                        " (stopped; done: " .. (#done > 0 and table.concat(done, ", ") or "none") .. ")" }
        end
        if not r.dry_run and p.settle > 0 then
          local t0 = os.time()
          local b
          repeat
            pcall(h.refresh, h)
            b = find_bond(h, p.name)
          until healthy(b) or os.time() - t0 >= p.settle
          if not healthy(b) then
            ctx.emit { host = h.name, done = done, skipped = skipped, failed = h.name }
            vdeck.error { message = h.name .. ": " .. p.name .. " is committed but not healthy after " ..
                          p.settle .. " s (see h:alerts()); stopped" }
          end
        end
        done[#done + 1] = h.name
      end
    end
    return { bond = p.name, done = done, skipped = skipped }
  end,
}
