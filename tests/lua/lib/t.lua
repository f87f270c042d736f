-- t.lua — assertions for Lua tests run through the real vdeck binary.
-- Each check prints "ok - name" or "not ok - name: detail"; t.done() prints
-- "N passed, N failed" and fails the run when anything failed.  There is
-- no t.skip: a Lua test needs nothing but vdeck and libvirt's test:///
-- driver, so it has no reason to skip.
local t = { passed = 0, failed = 0 }

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

function t.ok(cond, name, detail)
  if cond then
    t.passed = t.passed + 1
    print("ok - " .. name)
  else
    t.failed = t.failed + 1
    print("not ok - " .. name .. (detail and (": " .. detail) or ""))
  end
  return cond
end

function t.eq(got, want, name)
  return t.ok(got == want, name, "got " .. show(got) .. ", want " .. show(want))
end

-- Expects fn to raise; returns the error value for further checks.
function t.raises(fn, name, pattern)
  local ok, err = pcall(fn)
  local msg = tostring(err)
  t.ok(not ok and (not pattern or msg:find(pattern) ~= nil), name,
       ok and "did not raise" or ("raised " .. msg))
  return err
end

function t.done()
  print(string.format("%d passed, %d failed", t.passed, t.failed))
  if t.failed > 0 then os.exit(1) end
end

return t
