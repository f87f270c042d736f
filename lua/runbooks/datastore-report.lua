-- datastore-report: one line per datastore (the storage behind the hosts'
-- libvirt pools, merged across the hosts that see it): type, hosts,
-- capacity, allocation, the sum of the virtual sizes placed on it (thin
-- overcommit), VMs and alerts.  Text is key=value per datastore; with
-- --json each line is a JSON object, for cron and monitoring.  Exits 1
-- when any datastore has an alert and fail_on_alert is set.
local GiB = 2 ^ 30

local function gib(n) return math.floor(n / GiB * 10 + 0.5) / 10 end

return vdeck.runbook {
  name = "datastore-report",
  description = "capacity, allocation, thin overcommit, hosts, VMs and alerts of every datastore",
  params = {
    { name = "full_pct", type = "number", default = 85 },
    { name = "overcommit", type = "number", default = 3 },
    { name = "fail_on_alert", type = "boolean", default = false },
  },
  run = function(ctx, p)
    local alerts = 0
    local list = vdeck.datastores { full_pct = p.full_pct, overcommit = p.overcommit }
    table.sort(list, function(a, b) return a.key < b.key end)
    for _, d in ipairs(list) do
      alerts = alerts + #d.alerts
      ctx.emit {
        datastore = d.name, key = d.key, type = d.type, shared = d.shared,
        hosts = table.concat(d.hosts, ","),
        capacity_gib = gib(d.capacity), allocation_gib = gib(d.allocation),
        allocated_pct = d.capacity > 0 and math.floor(d.allocation * 1000 / d.capacity) / 10 or 0,
        virtual_gib = gib(d.virtual_size), overcommit = math.floor(d.overcommit * 100 + 0.5) / 100,
        volumes = d.volumes, vms = #d.vms,
        missing_hosts = #d.missing_hosts > 0 and table.concat(d.missing_hosts, ",") or nil,
        alerts = #d.alerts > 0 and d.alerts or nil,
      }
    end
    if alerts > 0 and p.fail_on_alert then
      vdeck.error { op = "datastore-report", message = alerts .. " datastore alert(s)" }
    end
    return true
  end,
}
