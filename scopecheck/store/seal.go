package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
)

// KeySize is the length in bytes of the key that encrypts tokens and PKCE
// verifiers at rest (AES-256).
const KeySize = 32

// sealVersion is the first byte of every sealed value. A later format gets
// a new version so that values written by older releases stay readable.
const sealVersion = 1

// errUnsealable is what opening a damaged or misplaced value reports. It
// does not say which, because GCM cannot tell them apart.
var errUnsealable = errors.New("sealed value is damaged or belongs to another record")

// sealer encrypts values with AES-256-GCM. Every value gets a fresh random
// 12-byte nonce, and its associated data names the record and field it
// belongs to, so a value copied into another row or column does not open.
type sealer struct {
	aead cipher.AEAD
}

func newSealer(key []byte) (*sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("the encryption key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("preparing cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("preparing cipher: %w", err)
	}
	return &sealer{aead: aead}, nil
}

// seal returns the version byte, the nonce and the ciphertext with its tag,
// in that order.
func (s *sealer) seal(plaintext string, ad []byte) []byte {
	n := s.aead.NonceSize()
	out := make([]byte, 1+n, 1+n+len(plaintext)+s.aead.Overhead())
	out[0] = sealVersion
	// Since Go 1.24 crypto/rand.Read never returns an error.
	rand.Read(out[1:])
	return s.aead.Seal(out, out[1:], []byte(plaintext), ad)
}

// open reverses seal. It fails when the blob was written with another key,
// for another record, or altered in any way.
func (s *sealer) open(blob, ad []byte) (string, error) {
	n := s.aead.NonceSize()
	if len(blob) < 1+n+s.aead.Overhead() {
		return "", errUnsealable
	}
	if blob[0] != sealVersion {
		return "", fmt.Errorf("sealed value has unknown format version %d", blob[0])
	}
	plain, err := s.aead.Open(nil, blob[1:1+n], blob[1+n:], ad)
	if err != nil {
		return "", errUnsealable
	}
	return string(plain), nil
}

// sealText is seal for optional fields: the empty string is stored as NULL
// rather than encrypted.
func (s *sealer) sealText(plaintext string, ad []byte) []byte {
	if plaintext == "" {
		return nil
	}
	return s.seal(plaintext, ad)
}

// openText reverses sealText.
func (s *sealer) openText(blob, ad []byte) (string, error) {
	if blob == nil {
		return "", nil
	}
	return s.open(blob, ad)
}

// associatedData joins parts unambiguously, each prefixed by its length.
func associatedData(parts ...string) []byte {
	var b []byte
	for _, p := range parts {
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
	}
	return b
}

// accountAD binds a token field to the account row it is stored in.
func accountAD(field, identifier, connection string) []byte {
	return associatedData("account", field, identifier, connection)
}

// authorizationAD binds a PKCE verifier to its authorization row.
func authorizationAD(id string) []byte {
	return associatedData("authorization", "verifier", id)
}

// keyCheckAD binds the key check value to its place in the meta table.
var keyCheckAD = associatedData("meta", "key_check")

// sealTokens seals an account's access and refresh tokens, each bound to
// its field and its row.
func (s *sealer) sealTokens(a *Account) (access, refresh []byte) {
	return s.sealText(a.Token.AccessToken, accountAD("access_token", a.Identifier, a.Connection)),
		s.sealText(a.Token.RefreshToken, accountAD("refresh_token", a.Identifier, a.Connection))
}

// openTokens opens the blobs sealTokens made into a's token fields.
func (s *sealer) openTokens(a *Account, access, refresh []byte) error {
	var err error
	a.Token.AccessToken, err = s.openText(access, accountAD("access_token", a.Identifier, a.Connection))
	if err != nil {
		return fmt.Errorf("decrypting access token: %w", err)
	}
	a.Token.RefreshToken, err = s.openText(refresh, accountAD("refresh_token", a.Identifier, a.Connection))
	if err != nil {
		return fmt.Errorf("decrypting refresh token: %w", err)
	}
	return nil
}
