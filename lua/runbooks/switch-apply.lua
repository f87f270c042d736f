-- switch-apply: converge a distributed switch (the inventory's switch{})
-- on its hosts, one host at a time, stopping at the first failure.  Hosts
-- already converged are skipped.  Under --dry-run each host's change is
-- printed as a diff of its network XML against the switch's, and nothing
-- is sent.  A change libvirt cannot make on a running network (uplink,
-- backend, filter) restarts it; with VMs attached that needs restart=true.
-- After each host the network is read again and must be converged.
return vdeck.runbook {
  name = "switch-apply",
  description = "define or converge a switch's libvirt network on its hosts, one host at a time",
  params = {
    { name = "switch", type = "string", required = true },
    { name = "host", type = "host" },                 -- only this host of the switch
    { name = "restart", type = "boolean", default = false },
  },
  run = function(ctx, p)
    local done, skipped = {}, {}
    local function stop(host, msg, code)
      ctx.emit { switch = p.switch, done = done, skipped = skipped, failed = host }
      vdeck.error { code = code, message = host .. ": " .. msg .. " (stopped; done: " ..
                    (#done > 0 and table.concat(done, ", ") or "none") .. ")" }
    end
    -- the switch's hosts, or the one asked for
    local hosts = {}
    for _, s in ipairs(vdeck.switch_status(p.switch)) do
      if not p.host or s.host == p.host then hosts[#hosts + 1] = s end
    end
    for _, s in ipairs(hosts) do
      if s.state == "converged" then
        skipped[#skipped + 1] = s.host
        ctx.log(s.host .. ": converged")
      else
        ctx.log(s.host .. ": " .. s.state .. (s.why and (": " .. s.why) or ""))
        local h = vdeck.host(s.host)
        local ok, r = pcall(h.apply_switch, h, p.switch, { restart = p.restart })
        if not ok then
          stop(s.host, type(r) == "table" and r.message or tostring(r), type(r) == "table" and r.code or nil)
        end
        if not r.dry_run then
          h:refresh()
          for _, after in ipairs(vdeck.switch_status(p.switch)) do
            if after.host == s.host and after.state ~= "converged" then
              stop(s.host, "still " .. after.state .. " after the change: " .. (after.why or ""))
            end
          end
        end
        done[#done + 1] = s.host
      end
    end
    return { switch = p.switch, done = done, skipped = skipped }
  end,
}
