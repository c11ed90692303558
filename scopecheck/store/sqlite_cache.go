package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
)

// sqliteAccounts keeps the accounts the SQLite store last read, and drops
// them all as soon as anything in the database may have changed, whoever
// changed it: this process, another process sharing the file, or a person
// with the sqlite3 shell.
//
// The change detector is PRAGMA data_version, run on one connection kept
// for that alone. SQLite promises that its value changes between two runs
// on one connection whenever another connection committed in between, and
// this connection never writes, so every commit changes it. An account is
// served from memory only when the value is the same as when the account
// was read, and the account was read after that value was: a commit that
// lands between the two makes the next value differ, so at worst an
// account is read again for nothing. When the detector fails, accounts are
// read from the database as if there were no cache.
type sqliteAccounts struct {
	db *sql.DB

	mu sync.Mutex
	// conn and version are the detector's connection and statement; nil
	// until first use and after a failure.
	conn    *sql.Conn
	version driver.Stmt
	query   driver.StmtQueryContext
	dest    [1]driver.Value
	// gen counts the detector's connections: values of data_version from
	// two connections cannot be compared.
	gen  uint64
	seen int64 // the last data_version read
	// accounts were read while data_version was seen, on connection gen.
	accounts map[accountKey]*Account
}

// sqliteStamp is one reading of the detector.
type sqliteStamp struct {
	gen     uint64
	version int64
}

// stamp reads the detector. It reports false when it cannot be read: the
// caller then neither uses nor fills the cache.
func (c *sqliteAccounts) stamp(ctx context.Context) (sqliteStamp, bool) {
	// The detector's connection outlives the call, so the call's
	// cancellation must not close it; the query reads two words of the
	// WAL index and does not wait for writers.
	ctx = context.WithoutCancel(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == nil {
		conn, err := c.db.Conn(ctx)
		if err != nil {
			return sqliteStamp{}, false
		}
		err = conn.Raw(func(dc any) error {
			prep, ok := dc.(driver.ConnPrepareContext)
			if !ok {
				return errors.New("the driver cannot prepare statements")
			}
			stmt, err := prep.PrepareContext(ctx, `PRAGMA data_version`)
			if err != nil {
				return err
			}
			q, ok := stmt.(driver.StmtQueryContext)
			if !ok {
				stmt.Close()
				return errors.New("the driver cannot query statements")
			}
			c.version, c.query = stmt, q
			return nil
		})
		if err != nil {
			conn.Close()
			return sqliteStamp{}, false
		}
		c.conn = conn
		c.gen++
		clear(c.accounts)
	}
	v, err := c.readVersion(ctx)
	if err != nil {
		c.closeLocked()
		return sqliteStamp{}, false
	}
	if v != c.seen {
		c.seen = v
		clear(c.accounts)
	}
	return sqliteStamp{gen: c.gen, version: v}, true
}

// readVersion runs PRAGMA data_version on the detector's connection,
// through the driver: database/sql's rows and conversions would cost more
// than the query.
func (c *sqliteAccounts) readVersion(ctx context.Context) (int64, error) {
	var v int64
	err := c.conn.Raw(func(any) error {
		rows, err := c.query.QueryContext(ctx, nil)
		if err != nil {
			return err
		}
		dest := c.dest[:]
		err = rows.Next(dest)
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		n, ok := dest[0].(int64)
		if !ok {
			return fmt.Errorf("data_version is %T", dest[0])
		}
		v = n
		return nil
	})
	return v, err
}

// get returns a copy of the account read under st, if there is one and
// nothing changed since.
func (c *sqliteAccounts) get(st sqliteStamp, k accountKey) *Account {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st.gen != c.gen || st.version != c.seen {
		return nil
	}
	a, ok := c.accounts[k]
	if !ok {
		return nil
	}
	return copyAccount(a)
}

// put keeps a copy of a, read from the database after st was, unless
// something changed since st.
func (c *sqliteAccounts) put(st sqliteStamp, k accountKey, a *Account) {
	cp := copyAccount(a)
	c.mu.Lock()
	defer c.mu.Unlock()
	if st.gen != c.gen || st.version != c.seen || c.conn == nil {
		return
	}
	if c.accounts == nil {
		c.accounts = make(map[accountKey]*Account)
	}
	c.accounts[k] = cp
}

// close releases the detector's connection and forgets every account.
func (c *sqliteAccounts) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeLocked()
}

func (c *sqliteAccounts) closeLocked() error {
	if c.conn == nil {
		return nil
	}
	// The statement belongs to the connection, which is ours alone.
	c.conn.Raw(func(any) error { return c.version.Close() })
	err := c.conn.Close()
	c.conn, c.version, c.query = nil, nil, nil
	clear(c.accounts)
	return err
}
