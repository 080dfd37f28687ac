#!/bin/sh
# Installs, at the exact versions of their package.json files, what the system tests run for
# real: the agent CLIs that tests/system/clis.bats runs the templates against
# (tests/agents/package.json, into tests/agents/node_modules), and llama.cpp's Node binding,
# node-llama-cpp with its prebuilt linux-x64 CPU build, that tests/system/llm.bats serves a
# model with (tests/agents/llama/package.json, into tests/agents/llama/node_modules, with
# --omit=optional: node-llama-cpp's optional dependencies are its builds for every other
# platform and GPU, while Claude Code's native binary is an optional dependency the CLIs need,
# hence two folders). nodejs and npm come from Debian when missing. Called by `make test-deps`.
# npm's output goes to tests/agents/install.log; this prints one line per folder. Nothing is
# downloaded for a folder whose packages are all installed at their versions.
set -eu
cd "$(dirname "$0")"
here=$(pwd)
log=$here/install.log

# installed DIR: every dependency of DIR/package.json present in DIR/node_modules at its
# pinned version.
installed() {
	(cd "$1" && node -e '
		const fs = require("fs");
		const want = require("./package.json").dependencies;
		for (const [name, version] of Object.entries(want)) {
			let have;
			try {
				have = JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`)).version;
			} catch (e) {
				process.exit(1);
			}
			if (have !== version)
				process.exit(1);
		}
	' 2>/dev/null)
}

# install DIR LABEL [NPM-OPTION...]
install() {
	dir=$1 label=$2
	shift 2
	versions=$(cd "$dir" && node -e '
		const d = require("./package.json").dependencies;
		console.log(Object.entries(d).map(([n, v]) => `${n}@${v}`).join(" "))')
	if installed "$dir"; then
		echo "$label: already installed ($versions)"
		return 0
	fi
	# No lock file: the versions are pinned.
	if ! (cd "$dir" && npm install --no-audit --no-fund --no-package-lock "$@") >>"$log" 2>&1 ||
	    ! installed "$dir"; then
		echo "$label: npm install failed (log: tests/agents/install.log)" >&2
		return 1
	fi
	echo "$label: installed $versions"
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	../deps.sh nodejs npm >"$log" 2>&1 || {
		echo "agent CLIs: installing nodejs and npm failed (log: tests/agents/install.log)" >&2
		exit 1
	}
fi
rc=0
# The CLIs' install scripts put their native binaries in place (Claude Code's copies its
# platform package's binary over a stub), so they run.
install . "agent CLIs" || rc=1
install llama "llama.cpp (node-llama-cpp)" --omit=optional || rc=1
exit $rc
