-- .luacheckrc — luacheck (Debian's lua-check) for the shipped runbooks:
-- Lua 5.4 and vdeck's one global (the API is also `require "vdeck"`).
std = "lua54"
read_globals = { "vdeck" }
-- Every runbook's run(ctx, p) has the same shape, used or not.
ignore = { "212/ctx", "212/p" }
max_line_length = 120
