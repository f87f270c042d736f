-- cluster.lua — an example vdeck inventory, commented.
--
-- Copy it to ~/.config/vdeck/cluster.lua (or pass it with `vdeck -c FILE`)
-- and edit the hosts.  It is ordinary Lua run by vdeck with your rights:
-- loops and string.format are fine.  The file must be writable by you (or
-- root) alone, or vdeck refuses it.  Every field: vdeck(1), INVENTORY.

-- What every host gets unless it says otherwise.  Declared once.
defaults {
  -- SSH reads the host facts libvirt does not give (NUMA, NICs, bonds, KSM).
  ssh = {
    user = "ops",                            -- remote user
    port = 22,
    identity = "~/.ssh/id_ed25519",          -- private key; "~/" is your $HOME
    known_hosts = "~/.ssh/known_hosts",      -- host keys are checked strictly
  },
  interval = 2,                              -- seconds between polls
  connect_timeout = 10,                      -- seconds of silence before a host counts as down
  theme = "default",                         -- console theme: default, light, mono
  -- keys = { quit = "x" },                  -- console key remapping
}

-- Hypervisors reached over SSH; libvirt goes through the same SSH user
-- (the default URI is qemu+ssh://USER@ADDRESS:PORT/system).
for i = 1, 4 do
  host {
    name = string.format("kvm%02d", i),      -- letters, digits, '-', '_', '.'
    address = "192.0.2." .. (10 + i),        -- SSH address (transport "ssh")
    tags = { "rack" .. (i % 2 + 1), "prod" },  -- --hosts and runbooks select by tag
  }
end

-- A host with its own libvirt URI and SSH settings.
host {
  name = "kvm-lab",
  address = "192.0.2.50",
  libvirt = "qemu+tls://192.0.2.50/system",
  ssh = { user = "root", port = 2222 },
  interval = 5,
  tags = { "lab" },
}

-- The machine vdeck runs on: libvirt and /proc, /sys read locally.
-- host { name = "local", transport = "local", libvirt = "qemu:///system" }
