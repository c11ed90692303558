package testenv

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// debianChromium is where Debian's chromium package puts its launcher.
const debianChromium = "/usr/bin/chromium"

// startTimeout bounds how long Browser waits for Chromium to come up.
const startTimeout = time.Minute

// Chromium returns the path of the Chromium binary: the one that the
// environment variable SCOPEGATE_CHROMIUM names, or else /usr/bin/chromium, or
// else chromium on PATH. When there is none it skips the test, or fails it
// under CI.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("SCOPEGATE_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			unavailable(t, "SCOPEGATE_CHROMIUM: %v", err)
		}
		return p
	}
	if _, err := os.Stat(debianChromium); err == nil {
		return debianChromium
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	unavailable(t, "no Chromium at %s or on PATH; install it with `apt-get install chromium`, "+
		"or set SCOPEGATE_CHROMIUM", debianChromium)
	return ""
}

// Browser starts headless Chromium for the test and returns a chromedp context
// for a tab in it. The browser runs without a sandbox and without any network
// traffic of its own, in a new profile under t.TempDir, and is closed when the
// test ends. A browser that does not start fails the test.
func Browser(t testing.TB) context.Context {
	t.Helper()
	exe := Chromium(t)

	// The profile directory is made before the cleanup below is registered,
	// so the browser is gone before the directory is removed.
	profile := t.TempDir()
	output := new(lockedBuffer)
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.CombinedOutput(output),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})

	// Start the browser now, so that a failure to start reads as one. The
	// first action's context owns the browser process, so the time limit is
	// kept outside it.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	var err error
	select {
	case err = <-started:
	case <-time.After(startTimeout):
		cancel()
		err = fmt.Errorf("no answer in %v", startTimeout)
	}
	if err != nil {
		t.Fatalf("testenv: starting %s: %v\n%s", exe, err, output.String())
	}
	return ctx
}

// lockedBuffer collects the browser's output, which its process writes from
// another goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
