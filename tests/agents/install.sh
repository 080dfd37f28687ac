#!/bin/sh
# Installs the real agent CLIs that tests/system/clis.bats runs the templates against, at the
# exact versions of tests/agents/package.json, into tests/agents/node_modules; nodejs and npm
# come from Debian when missing. Called by `make test-deps`. npm's output goes to
# tests/agents/install.log; this prints one line. Nothing is downloaded when every CLI is
# already installed at its version.
set -eu
cd "$(dirname "$0")"
log=install.log

# installed: every dependency of package.json present in node_modules at its pinned version.
installed() {
	node -e '
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
	' 2>/dev/null
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	../deps.sh nodejs npm >"$log" 2>&1 || {
		echo "agent CLIs: installing nodejs and npm failed (log: tests/agents/$log)" >&2
		exit 1
	}
fi
versions=$(node -e '
	const d = require("./package.json").dependencies;
	console.log(Object.entries(d).map(([n, v]) => `${n}@${v}`).join(" "))')
if installed; then
	echo "agent CLIs: already installed ($versions)"
	exit 0
fi
# The CLIs' install scripts put their native binaries in place (Claude Code's copies its
# platform package's binary over a stub), so they run. No lock file: the versions are pinned.
if ! npm install --no-audit --no-fund --no-package-lock >>"$log" 2>&1 || ! installed; then
	echo "agent CLIs: npm install failed (log: tests/agents/$log)" >&2
	exit 1
fi
echo "agent CLIs: installed $versions"
