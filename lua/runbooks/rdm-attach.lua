-- rdm-attach: attach a raw LUN to a VM as device='lun' (SCSI passthrough):
-- a LUN the VM's host sees (path=, or wwn= looked up in h:luns()), a SAN
-- pool volume (pool= and volume=) or an iSCSI LUN QEMU reaches itself
-- (portal=, iqn=, lun=).  Shows who already uses the LUN and where it is
-- visible before attaching; --dry-run prints the XML and changes nothing.
return vdeck.runbook {
  name = "rdm-attach",
  description = "attach a raw LUN (RDM) to a VM as a SCSI passthrough disk",
  params = {
    { name = "vm", type = "domain", required = true },
    { name = "path", type = "string" },
    { name = "wwn", type = "string" },
    { name = "pool", type = "string" },
    { name = "volume", type = "string" },
    { name = "portal", type = "string" },
    { name = "iqn", type = "string" },
    { name = "lun", type = "integer", default = 0, min = 0 },
    { name = "target", type = "string" },
    { name = "shareable", type = "boolean", default = false },
    { name = "sgio", type = "enum", values = { "filtered", "unfiltered" } },
  },
  run = function(ctx, p)
    local d = vdeck.domain(p.vm)
    local h = vdeck.host(d.host)
    local path = p.path
    if p.wwn then
      local want = p.wwn:lower():gsub("^0x", ""):gsub("^naa%.", "")
      for _, l in ipairs(h:luns()) do
        if l.wwn == want then path = l.path end
      end
      if not path then
        vdeck.error { op = "rdm-attach", host = h.name, message = "no LUN with WWN " .. p.wwn .. " on " .. h.name }
      end
    end
    -- where the LUN is already in use, cluster-wide
    for _, l in ipairs(vdeck.luns()) do
      local match = (path and (l.path == path)) or (p.iqn and l.iqn == p.iqn and l.lun == p.lun)
      for _, hp in ipairs(l.hosts) do
        if path and hp.path == path and hp.host == h.name then match = true end
      end
      if match then
        local hosts = {}
        for _, hp in ipairs(l.hosts) do hosts[#hosts + 1] = hp.host end
        ctx.log(string.format("LUN %s visible on: %s", l.id,
                              #hosts > 0 and table.concat(hosts, ", ") or "no host (network)"))
        for _, u in ipairs(l.used_by) do
          ctx.log(string.format("  used by %s on %s as %s%s", u.domain, u.host, u.target,
                                u.shareable and " (shareable)" or ""))
        end
      end
    end
    local args = { target = p.target, shareable = p.shareable or nil, sgio = p.sgio }
    if path then
      args.path = path
    elseif p.pool then
      args.pool, args.volume = p.pool, p.volume
    elseif p.iqn then
      args.iscsi = { portal = p.portal, iqn = p.iqn, lun = p.lun }
    else
      vdeck.error { op = "rdm-attach", message = "give path=, wwn=, pool= with volume=, or portal= with iqn=" }
    end
    local r = d:attach_lun(args)
    if r.notes then ctx.log(r.notes) end
    return { vm = d.name, host = h.name, source = path or (p.pool and (p.pool .. "/" .. p.volume)) or
             (p.iqn .. "/" .. p.lun), dry_run = r.dry_run }
  end,
}
