// Package testenv finds the programs outside Go that scopegate's end-to-end
// tests drive: Node.js 22 with the MCP Inspector CLI, the official
// TypeScript SDK client and the official MCP conformance suite, installed from
// testdata/clients, and headless Chromium.
//
// Each function takes the running test. When a program cannot be found, the
// test is skipped with a message that says how to install it, except under CI
// (the environment variable CI set to true), where a missing program fails the
// test instead: CI installs everything first, so a gap there is a bug.
//
// It is for tests only. It does not start scopegate itself.
package testenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

var root struct {
	once sync.Once
	dir  string
	err  error
}

// ModuleRoot returns the directory holding scopegate's go.mod, found by walking
// up from the working directory. It fails the test when there is none.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	root.once.Do(func() {
		root.dir, root.err = findModuleRoot()
	})
	if root.err != nil {
		t.Fatalf("testenv: finding the module root: %v", root.err)
	}
	return root.dir
}

func findModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod in the working directory or above it")
		}
		dir = parent
	}
}

// inCI reports whether the tests run under CI, where a missing program is a
// failure rather than a reason to skip.
func inCI() bool {
	ci, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && ci
}

// unavailable skips the test, or fails it under CI, saying what is missing and
// how to get it.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if inCI() {
		t.Fatalf("testenv: %s (CI is set, so a missing program is a failure)", msg)
	}
	t.Skipf("testenv: %s", msg)
}
