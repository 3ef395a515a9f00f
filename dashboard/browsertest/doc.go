// Package browsertest tests the dashboard (package
// github.com/seednet/p2p/dashboard) in a real browser: three nodes peer on
// loopback, the dashboard of their network is served on 127.0.0.1, and
// headless Chromium, driven with chromedp, opens the page, waits until the
// peers are in the table and the graph has drawn its nodes and edges, and
// takes a screenshot.
//
// It is a module of its own so that chromedp never enters the module graph
// of the library's users. The test needs Debian's chromium package
// (scripts/deps.sh installs it) and skips itself without it. Run it with
//
//	go test -race -count=1 ./...
//
// The screenshot is saved in the test's artifact directory (kept with
// -artifacts=DIR); with UPDATE_SCREENSHOT=1 it also replaces
// docs/dashboard.png, the one the README shows.
package browsertest
