package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
)

func newKeysCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Make API keys for callers over SSE and Streamable HTTP",
		Long: "Callers over SSE and Streamable HTTP send an API key as \"Authorization: Bearer <key>\";\n" +
			"each key acts for one identifier. The configuration keeps only the keys' hashes.",
	}

	var configPath, identifier string
	create := &cobra.Command{
		Use:   "create --identifier ID",
		Short: "Print a new API key, once, and the configuration entry that accepts it",
		Args:  cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			return createKey(os.Stdout, configPath, identifier)
		},
	}
	create.Flags().StringVar(&identifier, "identifier", "", "the user the key acts for (required)")
	create.Flags().StringVar(&configPath, "config", os.Getenv("SCOPEGATE_CONFIG"),
		"configuration file (YAML) whose auth section to extend; env SCOPEGATE_CONFIG")

	hash := &cobra.Command{
		Use:   "hash",
		Short: "Read an API key on stdin and print the hash to configure for it",
		Args:  cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			return printKeyHash(os.Stdout, os.Stderr, os.Stdin)
		},
	}

	cmd.AddCommand(create, hash)
	return cmd
}

// createKey makes a key for identifier and writes it to w with the auth
// section that accepts it: the configuration's own entries, when there is
// a configuration, and the new one.
func createKey(w io.Writer, configPath, identifier string) error {
	if err := checkIdentifier(identifier); err != nil {
		return usageError{fmt.Errorf("--identifier %v", err)}
	}
	cfg, err := loadConfig(configPath)
	if err != nil {
		return err
	}
	if errs := cfg.checkAuth(); len(errs) > 0 {
		return errors.Join(errs...)
	}

	key, err := newAPIKey()
	if err != nil {
		return err
	}
	auth := cfg.Auth
	auth.APIKeys = append(auth.APIKeys, APIKeyConfig{Identifier: identifier, SHA256: hashAPIKey(key)})
	var section bytes.Buffer
	enc := yaml.NewEncoder(&section)
	enc.SetIndent(2)
	if err := enc.Encode(struct {
		Auth AuthConfig `yaml:"auth"`
	}{auth}); err != nil {
		return fmt.Errorf("writing the auth section: %w", err)
	}

	where := "the configuration file"
	if configPath != "" {
		where = configPath
	}
	_, err = fmt.Fprintf(w, "# API key for %s. It is shown only now: scopegate keeps only its hash.\n"+
		"%s\n\n# The auth section of %s, with this key added:\n%s", identifier, key, where, section.String())
	return err
}

// printKeyHash reads a key from the first line of r and writes its hash
// to w; a key that does not look like one of scopegate's gets a warning on
// errw.
func printKeyHash(w, errw io.Writer, r io.Reader) error {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("reading the key: %w", err)
	}
	key := strings.TrimSpace(line)
	if key == "" {
		return usageError{errors.New("no key on stdin: pipe the key in, e.g. 'scopegate keys hash < key.txt'")}
	}
	switch {
	case sha256HexRE.MatchString(key):
		fmt.Fprintln(errw, "warning: this is already a key's hash, not a key; its hash is printed anyway")
	case !strings.HasPrefix(key, apiKeyPrefix):
		fmt.Fprintf(errw, "warning: this does not start with %q like the keys 'scopegate keys create' makes; "+
			"with auth.jwt configured it would be taken for a JWT, never for a key\n", apiKeyPrefix)
	}
	_, err = fmt.Fprintln(w, hashAPIKey(key))
	return err
}
