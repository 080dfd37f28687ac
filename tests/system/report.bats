#!/usr/bin/env bats
# report.bats - hb-run report: the page and the text of a fixed log (golden files: the log
# in three files, PATH.2 the oldest, with every outcome, an outbox, held messages and a
# one-shot task in the state), hostile text made inert, the page self-contained, and a real
# browser (Debian's chromium, headless) that opens it from a file:// URL with the network
# off, at desktop and phone widths, light and dark; the screenshots are kept in
# build/report-screenshots/. After a deliberate change of the output:
#     GOLDEN_UPDATE=1 bats tests/system/report.bats
# rewrites expected.html and expected.txt; review them with git diff.

load helpers

REPORT_TIME="2026-01-05 09:00:00"

# Copies fixture CASE into the workspace.
report_case() {
	local dir="$HBT_FIXTURES/$1"
	cp "$dir/HEARTBEAT.md" "$WS/HEARTBEAT.md"
	cp "$dir/state.json" "$WS/.heartbeat-state.json"
	cp -R "$dir/files/." "$WS/"
}

# Compares file GOT with the fixture's expected file NAME (or rewrites it).
golden_file() {
	local want="$HBT_FIXTURES/$1/$2"
	if [ -n "${GOLDEN_UPDATE:-}" ]; then
		cp "$3" "$want"
		return 0
	fi
	diff -u "$want" "$3" >&2 || fail "$1/$2 differs"
}

@test "report: the page of a fixed week (rotated files read oldest first)" {
	report_case report-week
	run --separate-stderr hb_frozen "$REPORT_TIME" report -o report.html
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ -z "$output" ] || fail "printed: $output"
	[ -z "$stderr" ] || fail "stderr: $stderr"
	[ "$(stat -c %a report.html)" = 600 ] || fail "mode $(stat -c %a report.html)"
	golden_file report-week expected.html report.html
}

@test "report --text: the same numbers as text" {
	report_case report-week
	run --separate-stderr hb_frozen "$REPORT_TIME" report --text
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	printf '%s\n' "$output" >got.txt
	golden_file report-week expected.txt got.txt
	# the numbers of the page are the numbers of the text
	hb_frozen "$REPORT_TIME" report >page.html
	grep -q '<b>15</b>runs' page.html || fail "runs differ"
	grep -q '^Total: 15 runs ' got.txt || fail "text runs"
	grep -q '<b>79400 / 378</b>tokens' page.html || fail "tokens differ"
	grep -q ', 79400/378 tokens, \$0.0814$' got.txt || fail "text tokens"
}

@test "report --since: only the window counts (the daily summary is --text --since 24h)" {
	report_case report-week
	run --separate-stderr hb_frozen "$REPORT_TIME" report --text --since 24h
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "${lines[0]}" == "hb-run activity from 2026-01-04 09:00 to 2026-01-05 09:00" ]] ||
	    fail "${lines[0]}"
	[[ "${lines[1]}" == "Total: 4 runs (ok 1, failed 1, interrupted 1, other 1), outbox sent 0, failed 1, 13000/35 tokens, \$0.0099" ]] ||
	    fail "${lines[1]}"
	if grep -q "2026-01-03" <<<"$output"; then fail "an older day is shown"; fi
	run hb_frozen "$REPORT_TIME" report --since 0
	[ "$status" -eq 2 ] || fail "--since 0: exit $status"
	run hb_frozen "$REPORT_TIME" report --since soon
	[ "$status" -eq 2 ] && [[ "$output" == *"--since soon"* ]] || fail "--since soon: $output"
	run hb_frozen "$REPORT_TIME" report extra
	[ "$status" -eq 2 ] && [[ "$output" == *"usage:"* ]] || fail "an operand: $output"
}

@test "report: no log, no state: an empty report, exit 0" {
	heartbeat <<'EOF2'
tasks:
  - name: a
    interval: 1h
    prompt: Look.
EOF2
	run --separate-stderr hb_frozen "$REPORT_TIME" report --text
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "${lines[1]}" == "Total: 0 runs (none), 0/0 tokens, \$0.0000" ]] || fail "$output"
	run --separate-stderr hb_frozen "$REPORT_TIME" report
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "$output" == *"No runs in this window."* ]] || fail "no empty timeline"
	[[ "$output" == *"<td>a</td><td data-l=\"schedule\">every 1h</td><td data-l=\"next due\">now</td>"* ]] ||
	    fail "no next due"
}

@test "report: markup, quotes and control characters in the log and the state come out as text" {
	report_case report-hostile
	run --separate-stderr hb_frozen "$REPORT_TIME" report -o page.html
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	# nothing a page would run or load, and no raw markup from the log
	for bad in '<script' '<img' '<iframe' '<svg on' '<a href' '<style>body' \
	    "document.title='owned'" '</pre><script'; do
		if grep -qiF -- "$bad" page.html; then fail "raw $bad in the page"; fi
	done
	grep -qF '&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;' page.html ||
	    fail "the alert's text is not shown escaped"
	grep -qF 'x&lt;img src=x onerror=alert(1)&gt;' page.html || fail "the task name"
	grep -qF '\x1b]0;pwned\x07 \u202eevil' page.html || fail "control characters not shown"
	grep -qF 'esc\x1b[2Jname\u202e<' page.html || fail "the task name's controls not shown"
	# no control character, no bidirectional override reaches the page or the terminal
	if LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]' page.html; then fail "a control byte"; fi
	if grep -qF $'\u202e' page.html; then fail "U+202E in the page"; fi
	# the secret of the state's outbox target stays out
	if grep -qF SECRETSECRET page.html; then fail "the webhook secret is shown"; fi
	run --separate-stderr hb_frozen "$REPORT_TIME" report --text
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	if LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]' <<<"$output"; then fail "a control byte"; fi
	if grep -qF $'\u202e' <<<"$output"; then fail "U+202E in the text"; fi
	[[ "$output" == *'\x1b[2J'* ]] || fail "ESC not shown as text: $output"
}

@test "report: the page is self-contained: inline CSS only, nothing to fetch, no script" {
	report_case report-week
	hb_frozen "$REPORT_TIME" report -o page.html
	for bad in '<script' '<link' '@import' 'url(' ' src=' ' href=' '<img' '<iframe'; do
		if grep -qiF -- "$bad" page.html; then fail "$bad in the page"; fi
	done
	grep -qF "Content-Security-Policy\" content=\"default-src 'none'" page.html ||
	    fail "no content security policy"
	grep -qF '@media (prefers-color-scheme:dark)' page.html || fail "no dark mode"
	grep -qF 'name="viewport"' page.html || fail "no viewport"
	# secrets stay blanked: the state's target credentials and the outbox text's key
	for bad in hunter2secret abcdef123456 sk-ant-abc; do
		if grep -qF -- "$bad" page.html; then fail "$bad in the page"; fi
	done
}

@test "report: a real browser opens the page offline with no error, at 1280 and 375 px" {
	local chromium shots
	chromium=$(command -v chromium || command -v chromium-browser) ||
	    skip "chromium is not installed (make test-deps installs it)"
	command -v node >/dev/null || skip "node is not installed"
	report_case report-week
	hb_frozen "$REPORT_TIME" report -o week.html
	rm -f .heartbeat-log.jsonl*
	report_case report-hostile
	hb_frozen "$REPORT_TIME" report -o hostile.html
	shots="$BATS_TEST_DIRNAME/../../build/report-screenshots"
	mkdir -p "$shots"
	for page in week hostile; do
		run env TMPDIR="$WS/tmp" timeout -k 5 40 node "$HBT_FIXTURES/report-browser.js" \
		    "$chromium" "$WS/$page.html" "$shots" "$page" 1280 375
		[ "$status" -eq 0 ] || fail "$page: exit $status: $output"
		[ -z "$output" ] || fail "$page: $output"
		for f in "$page-1280-light" "$page-1280-dark" "$page-375-light" "$page-375-dark"; do
			[ -s "$shots/$f.png" ] || fail "no screenshot $f"
		done
	done
}

@test "report: the browser check itself finds a request, a console error and overflow" {
	local chromium
	chromium=$(command -v chromium || command -v chromium-browser) ||
	    skip "chromium is not installed (make test-deps installs it)"
	command -v node >/dev/null || skip "node is not installed"
	printf '<!DOCTYPE html><title>hb-run activity</title><img src="http://192.0.2.1/x.png">%s%s\n' \
	    '<div style="width:900px">wide</div>' '<script>console.error("boom")</script>' >bad.html
	run env TMPDIR="$WS/tmp" timeout -k 5 40 node "$HBT_FIXTURES/report-browser.js" \
	    "$chromium" "$WS/bad.html" "$WS/shots" bad 375
	[ "$status" -eq 1 ] || fail "exit $status: $output"
	[[ "$output" == *"a request left the file: http://192.0.2.1/x.png"* ]] || fail "$output"
	[[ "$output" == *'console error'*boom* ]] || fail "$output"
	[[ "$output" == *"wider than the window"* ]] || fail "$output"
	[[ "$output" == *"1 script elements"* ]] || fail "$output"
}
