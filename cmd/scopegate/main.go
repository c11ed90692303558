// Command scopegate is an MCP server that lets agents act in Gmail and
// other providers with exactly the OAuth scopes the user granted. See the
// README for its subcommands.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	// A closed pipe on stderr or stdout is an error to handle, not a reason
	// to die before the throwaway store is removed and sessions are closed.
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCommand().ExecuteContext(ctx)
	stop()
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(os.Stderr, "scopegate: %v\n", err)
			os.Exit(2)
		}
		fmt.Fprintf(os.Stderr, "scopegate: %v\n", err)
		os.Exit(1)
	}
}

// usageError marks errors in how scopegate was called.
type usageError struct{ error }

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "scopegate",
		Short:         "An MCP server that gates agents' provider calls on the OAuth scopes users granted",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
	}
	root.SetOut(os.Stderr)
	root.SetErr(os.Stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())}
	})
	root.AddCommand(newServeCommand(), newDemoCommand())
	root.AddCommand(newConfigCommand(), newAccountsCommand())
	root.AddCommand(newToolsCommand(), newScopesCommand())
	root.AddCommand(newConnectCommand())
	root.AddCommand(newKeysCommand())
	return root
}
