#!/bin/sh
# test_completion.sh — `vdeck --completion bash|zsh`: bash's completion
# function driven as readline drives it (COMP_LINE/COMP_POINT/COMP_WORDS/
# COMP_CWORD, '=' in COMP_WORDBREAKS), for option names, option values
# (themes, shells, --hosts patterns from the inventory named by -c), runbook
# names, a runbook's declared parameters and their values (enum, boolean,
# host); a runbook added to ~/.config/vdeck/runbooks completes without
# regenerating the script.  The zsh script parses and compinit binds it.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/harness.sh
VDECK=${VDECK:-$PWD/vdeck}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state" HOME="$tmp"
cat >"$tmp/inv.lua" <<'EOF'
host { name = "alpha", transport = "none", libvirt = "test:///default", tags = { "rack1" } }
host { name = "beta", transport = "none", libvirt = "test:///default", tags = { "rack1", "db" } }
EOF

"$VDECK" --completion bash >"$tmp/vdeck.bash"; rc=$?
check "--completion bash exits 0" test $rc = 0
check "the bash script parses" bash -n "$tmp/vdeck.bash"
expect_rc "--completion fish is a usage error" 2 "$VDECK" --completion fish

# complete LINE: what bash would offer with the cursor at the end of LINE,
# sorted, on one line.
cat >"$tmp/drive.bash" <<'EOF'
. "$1"
line=$2
COMP_LINE=$line COMP_POINT=${#line}
COMP_WORDBREAKS=${COMP_WORDBREAKS:-$' \t\n"\'><=;|&(:'}
# readline's words: '=' is a word of its own.
read -ra COMP_WORDS <<<"${line//=/ = }"
case $line in *' '|*=) COMP_WORDS+=("") ;; esac
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_vdeck
printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
EOF
complete() { bash "$tmp/drive.bash" "$tmp/vdeck.bash" "$1"; }
expect() { # expect NAME LINE WANT
	got=$(complete "$2")
	if [ "$got" = "$3" ]; then ok "$1"; else fail "$1" "'$2' offers '$got', want '$3'"; fi
}
V=$VDECK
expect "option names" "$V --dry" "--dry-run"
expect "option names from the table (--audit-syslog)" "$V --audit" "--audit-syslog"
expect "the hidden helper is not offered" "$V --complet" "--completion"
expect "themes after --theme" "$V --theme " "default light mono"
expect "themes after --theme=" "$V --theme=l" "light"
expect "shells after --completion" "$V --completion " "bash zsh"
expect "runbook names after --exec" "$V --exec snap" "snapshot-create snapshot-merge snapshot-revert"
expect "a runbook's declared parameters" "$V --exec snapshot-create " \
	"description= disk_only= host= keep= per_host= prefix= tag= vm="
expect "parameters by prefix" "$V --exec snapshot-create ke" "keep="
expect "boolean values after name=" "$V --exec snapshot-create disk_only=" "false true"
expect "enum values after name=" "$V --exec lacp-bond mode=ac" "active-backup"
expect "host values from the inventory of -c" "$V -c $tmp/inv.lua --exec snapshot-create host=" "alpha beta"
expect "host values of the simulated cluster" "$V --demo=2x2 --exec migrate to=" "cna01 cna02"
expect "--hosts: names and tags" "$V -c $tmp/inv.lua --hosts " "alpha beta db rack1"
expect "--hosts: the last of a comma list" "$V -c $tmp/inv.lua --hosts alpha,r" "alpha,rack1"
expect "a file after -c" "$V -c $tmp/inv." "$tmp/inv.lua"
expect "nothing after a free-text option" "$V --connect-timeout " ""

# Runbooks are read at TAB time: one added now completes, with its params.
mkdir -p "$XDG_CONFIG_HOME/vdeck/runbooks"
cat >"$XDG_CONFIG_HOME/vdeck/runbooks/zz-local.lua" <<'EOF'
return vdeck.runbook { name = "zz-local", description = "test",
  params = { { name = "speed", type = "enum", values = { "slow", "fast" } } },
  run = function() end }
EOF
chmod 600 "$XDG_CONFIG_HOME/vdeck/runbooks/zz-local.lua"
mkdir -p "$XDG_CONFIG_HOME/vdeck/themes"
: >"$XDG_CONFIG_HOME/vdeck/themes/light.theme"
: >"$XDG_CONFIG_HOME/vdeck/themes/ocean.theme"
expect "user themes, one candidate per name" "$V --theme " "default light mono ocean"
expect "a user runbook added later" "$V --exec zz" "zz-local"
expect "its parameter values" "$V --exec zz-local speed=f" "fast"

# --- zsh ----------------------------------------------------------------------
if command -v zsh >/dev/null 2>&1; then
	mkdir -p "$tmp/zfunc"
	"$VDECK" --completion zsh >"$tmp/zfunc/_vdeck"
	check "the zsh script parses (zsh -n)" zsh -n "$tmp/zfunc/_vdeck"
	got=$(zsh -f -c "fpath=($tmp/zfunc \$fpath); autoload -U compinit; compinit -u -d $tmp/zcompdump; print -r -- \$_comps[vdeck]" 2>&1)
	check "compinit binds vdeck to _vdeck ('$got')" test "$got" = _vdeck
else
	skip "zsh is not installed (tools/deps.sh test installs it)"
fi
finish
