package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
)

// sqliteAccounts keeps the accounts the SQLite store last read, and drops
// them all as soon as anything in the database may have changed, whoever
// changed it: this process, another process sharing the file, or a person
// with the sqlite3 shell.
//
// The change detector is the header of the database's WAL index (see
// walIndex), which every commit by any connection rewrites: reading it is
// one read of the -shm file, where asking SQLite costs a read transaction.
// When the WAL index cannot be read as described there, or the header
// stays the same across a commit of this store's (see written), the
// detector is PRAGMA data_version instead, run on one connection kept for
// that alone. SQLite promises that its value changes between two runs on
// one connection whenever another connection committed in between, and
// this connection never writes, so every commit changes it. The same
// connection keeps the database open, and so keeps SQLite on the WAL index
// the detector reads.
//
// An account is served from memory only when the detector reads the same
// as when the account was read, and the account was read after that
// reading: a commit that lands between the two changes the next reading,
// so at worst an account is read again for nothing. When the detector
// cannot be read, accounts are read from the database as if there were no
// cache.
type sqliteAccounts struct {
	db *sql.DB
	// path is the database file, beside which SQLite keeps the WAL index.
	path string
	log  *slog.Logger

	mu sync.Mutex
	// conn and version are the detector's connection and statement; nil
	// until first use and after a failure.
	conn    *sql.Conn
	version driver.Stmt
	query   driver.StmtQueryContext
	dest    [1]driver.Value
	// wal is the WAL index while it serves as the detector; walOff is set
	// once it was found unusable, for the life of the store.
	wal    *walIndex
	walOff bool
	// gen counts the detector's connections and changes of detector: two
	// readings are compared only when both were made under one gen.
	gen  uint64
	seen sqliteVersion // the last reading
	// accounts were read while the detector read seen, under gen.
	accounts map[accountKey]*Account
}

// sqliteVersion is one reading of the detector: the WAL-index header, or
// the value of data_version.
type sqliteVersion struct {
	wal  walHeader
	data int64
}

// sqliteStamp is one reading of the detector.
type sqliteStamp struct {
	gen     uint64
	version sqliteVersion
}

// stamp reads the detector. It reports false when it cannot be read: the
// caller then neither uses nor fills the cache.
func (c *sqliteAccounts) stamp(ctx context.Context) (sqliteStamp, bool) {
	// The detector's connection outlives the call, so the call's
	// cancellation must not close it; neither reading waits for writers.
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
		// The first data_version reading opens the database on this
		// connection, WAL index included, before the detector reads it.
		if _, err := c.readVersion(ctx); err != nil {
			c.closeLocked()
			return sqliteStamp{}, false
		}
		c.openWALLocked(ctx)
	}
	var v sqliteVersion
	if c.wal != nil {
		h, err := c.wal.header()
		switch {
		case errors.Is(err, errWALIndexBusy):
			// A commit is being published: nothing can be told now.
			return sqliteStamp{}, false
		case err != nil:
			c.dropWALLocked("reading the WAL index", err)
		default:
			v.wal = h
		}
	}
	if c.wal == nil {
		n, err := c.readVersion(ctx)
		if err != nil {
			c.closeLocked()
			return sqliteStamp{}, false
		}
		v.data = n
	}
	if v != c.seen {
		c.seen = v
		clear(c.accounts)
	}
	return sqliteStamp{gen: c.gen, version: v}, true
}

// openWALLocked makes the WAL index the detector, when the detector's
// connection is in WAL mode with normal locking, the only case in which
// SQLite shares commits through the -shm file.
func (c *sqliteAccounts) openWALLocked(ctx context.Context) {
	if c.walOff || c.wal != nil {
		return
	}
	var mode, locking string
	err := c.conn.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode)
	if err == nil {
		err = c.conn.QueryRowContext(ctx, `PRAGMA locking_mode`).Scan(&locking)
	}
	if err == nil && (!strings.EqualFold(mode, "wal") || !strings.EqualFold(locking, "normal")) {
		err = fmt.Errorf("journal mode %s, locking mode %s", mode, locking)
	}
	if err == nil {
		c.wal, err = openWALIndex(c.path)
	}
	if err != nil {
		c.dropWALLocked("opening the WAL index", err)
	}
}

// dropWALLocked stops using the WAL index as the detector, for good.
func (c *sqliteAccounts) dropWALLocked(doing string, err error) {
	level := slog.LevelInfo
	if errors.Is(err, errWALIndexUnsupported) {
		level = slog.LevelDebug // as always on this platform
	}
	c.log.Log(context.Background(), level, "store: detecting changes with PRAGMA data_version", "why", doing, "err", err)
	if c.wal != nil {
		c.wal.close()
		c.wal = nil
	}
	c.walOff = true
	c.gen++
	clear(c.accounts)
}

// walHeader reads the WAL-index header, for written. It reports false when
// the WAL index is not the detector or tells nothing now.
func (c *sqliteAccounts) walHeader() (walHeader, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wal == nil {
		return walHeader{}, false
	}
	h, err := c.wal.header()
	return h, err == nil
}

// written checks the WAL index against a commit of this store's that
// changed a row: before is the header read just before it. A header that
// did not change is not the one SQLite publishes commits in, and the
// detector falls back on data_version.
func (c *sqliteAccounts) written(before walHeader) {
	after, ok := c.walHeader()
	if !ok || after != before {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wal != nil {
		c.dropWALLocked("checking the WAL index after a commit", errors.New("its header did not change"))
	}
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
	// Without the connection, SQLite may start a new WAL index when the
	// database is opened again: the next connection maps it anew.
	if c.wal != nil {
		c.wal.close()
		c.wal = nil
	}
	clear(c.accounts)
	return err
}
