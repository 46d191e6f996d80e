// Package pgtest gives a package's tests real PostgreSQL databases: on the server named by the
// BROADSHEET_TEST_POSTGRES environment variable (a URL whose user may create databases), or else
// on a private, throwaway cluster that it starts from PostgreSQL's server programs (initdb,
// pg_ctl) on first use, listening on a Unix socket in a temporary folder and on a free port of
// 127.0.0.1, and stops when the package's tests end. Each test gets a database of its own in
// the state migrations leave it: copied from a migrated template, or (since CREATE DATABASE
// costs seconds on a busy machine) one a finished test used, emptied and reseeded.
//
// Without either it skips the test, saying how to run it, unless BROADSHEET_REQUIRE_POSTGRES=1
// (as CI sets), which makes it fail instead.
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/broadsheet/broadsheet/internal/store/postgres"
)

// Main runs a package's tests and then stops the cluster, if one was started. Use it from
// TestMain: func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, 0)) }.
//
// A package whose parallel tests mostly wait for the server can let more of them run at once
// than GOMAXPROCS: parallel, when above zero, is the default of -test.parallel.
func Main(m *testing.M, parallel int) int {
	if parallel > 0 {
		flag.Parse()
		given := false
		flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
		if !given {
			flag.Set("test.parallel", strconv.Itoa(parallel))
		}
	}
	code := m.Run()
	if c := current.Load(); c != nil {
		c.stop()
	}
	return code
}

// URL returns the URL of a database of the test's own, migrated to this build's schema and
// holding nothing else; when the test ends it is emptied for another test.
func URL(t testing.TB) string {
	t.Helper()
	return server(t).database(t, true)
}

// EmptyURL returns the URL of a fresh, empty database (no schema), dropped when the test ends.
func EmptyURL(t testing.TB) string {
	t.Helper()
	return server(t).database(t, false)
}

// Open opens a fresh, migrated database and closes it when the test ends.
func Open(t testing.TB) *postgres.DB {
	t.Helper()
	u := URL(t)
	db, err := postgres.Open(context.Background(), u, postgres.Options{MaxConns: 4})
	if err != nil {
		t.Fatalf("postgres.Open(%s) = %v", u, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TCP returns the private cluster's address on 127.0.0.1, which checks passwords (unlike its
// socket), and the name and password of a role that may log in there; it skips the test on a
// server from BROADSHEET_TEST_POSTGRES.
func TCP(t testing.TB) (addr, role, password string) {
	t.Helper()
	c := server(t)
	if c.dir == "" {
		t.Skip("needs the private cluster, not BROADSHEET_TEST_POSTGRES")
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)), "broadsheet_pw", "right-password"
}

// Bin is the folder of PostgreSQL's server programs, or "" when none is installed.
func Bin() string {
	if dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin"); len(dirs) > 0 {
		return dirs[len(dirs)-1]
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p)
	}
	return ""
}

// cluster is the server the package's tests use.
type cluster struct {
	base string // URL of the maintenance database
	dir  string // the private cluster's folder; "" for BROADSHEET_TEST_POSTGRES
	bin  string
	port int
	run  []string // prefix that runs a program as the cluster's owner

	mu      sync.Mutex // serialises CREATE DATABASE
	admin   *pgx.Conn
	templ   string // name of the migrated template database
	counter int
	seeds   map[string][]byte // the rows migrations put in tables, as COPY text
	free    []string          // migrated databases a finished test emptied
}

var (
	current  atomic.Pointer[cluster]
	startMu  sync.Mutex
	startErr error
)

// server returns the package's cluster, starting it on first use.
func server(t testing.TB) *cluster {
	t.Helper()
	startMu.Lock()
	defer startMu.Unlock()
	if c := current.Load(); c != nil {
		return c
	}
	if startErr == nil {
		var c *cluster
		c, startErr = start()
		if startErr == nil {
			current.Store(c)
			return c
		}
	}
	if errors.Is(startErr, errNoServer) && os.Getenv("BROADSHEET_REQUIRE_POSTGRES") != "1" {
		t.Skip(startErr)
	}
	t.Fatalf("PostgreSQL for tests: %v", startErr)
	return nil
}

var errNoServer = errors.New("no PostgreSQL: set BROADSHEET_TEST_POSTGRES=postgres://user:password@host/db " +
	"(a user who may create databases), or install PostgreSQL's server programs " +
	"(apt-get install postgresql) so that the tests start a private cluster")

func start() (*cluster, error) {
	ctx := context.Background()
	if u := os.Getenv("BROADSHEET_TEST_POSTGRES"); u != "" {
		c := &cluster{base: u}
		return c, c.connect(ctx)
	}
	bin := Bin()
	if bin == "" {
		return nil, errNoServer
	}
	c := &cluster{bin: bin}
	if err := c.initdb(); err != nil {
		c.stop()
		return nil, err
	}
	if err := c.connect(ctx); err != nil {
		c.stop()
		return nil, err
	}
	if _, err := c.admin.Exec(ctx, `CREATE ROLE broadsheet_pw LOGIN CREATEDB PASSWORD 'right-password'`); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// initdb creates and starts a private cluster in a new temporary folder, as the postgres user
// when running as root (PostgreSQL refuses to run as root).
func (c *cluster) initdb() error {
	dir, err := os.MkdirTemp("", "bs-pg-")
	if err != nil {
		return err
	}
	c.dir = dir
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root, the cluster must run as the postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return err
		}
		c.run = []string{"runuser", "-u", "postgres", "--"}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	c.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	data := filepath.Join(dir, "data")
	if out, err := c.command("initdb", "-D", data, "-U", "postgres", "-E", "UTF8", "--locale=C",
		"--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync").CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %v\n%s", err, out)
	}
	if err := c.startServer(); err != nil {
		return err
	}
	c.base = (&url.URL{Scheme: "postgres", User: url.User("postgres"), Path: "/postgres",
		RawQuery: url.Values{"host": {dir}, "port": {strconv.Itoa(c.port)}, "sslmode": {"disable"}}.Encode()}).String()
	return nil
}

// startServer starts the private cluster's server and waits until it accepts connections.
func (c *cluster) startServer() error {
	opts := strings.Join([]string{
		"-c listen_addresses=127.0.0.1", "-c port=" + strconv.Itoa(c.port), "-c unix_socket_directories=" + c.dir,
		"-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off", "-c wal_level=minimal",
		"-c max_wal_senders=0", "-c max_connections=300", "-c shared_buffers=32MB", "-c deadlock_timeout=100ms",
	}, " ")
	if out, err := c.command("pg_ctl", "start", "-w", "-t", "60", "-D", filepath.Join(c.dir, "data"), "-l", filepath.Join(c.dir, "log"),
		"-o", opts).CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	return nil
}

// Cluster is a private PostgreSQL cluster of one test's own, which the test may stop and start
// again as an operator restarting the server does. It is deleted when the test ends.
type Cluster struct{ c *cluster }

// Private starts a cluster of the test's own. It takes seconds, so use it only where the
// package's shared cluster will not do (stopping the server would stop every test). It needs
// PostgreSQL's server programs on this machine; without them it skips the test, or fails it under
// BROADSHEET_REQUIRE_POSTGRES=1.
func Private(t testing.TB) *Cluster {
	t.Helper()
	bin := Bin()
	if bin == "" {
		if os.Getenv("BROADSHEET_REQUIRE_POSTGRES") != "1" {
			t.Skip(errNoServer)
		}
		t.Fatal(errNoServer)
	}
	c := &cluster{bin: bin}
	if err := c.initdb(); err != nil {
		c.stop()
		t.Fatalf("PostgreSQL for tests: %v", err)
	}
	t.Cleanup(c.stop)
	return &Cluster{c: c}
}

// URL is the address of the cluster's "postgres" database, as its superuser over its socket.
func (p *Cluster) URL() string { return p.c.base }

// Stop stops the server as an operator's restart does (fast shutdown: sessions are ended).
func (p *Cluster) Stop(t testing.TB) {
	t.Helper()
	if out, err := p.c.command("pg_ctl", "stop", "-w", "-m", "fast", "-D", filepath.Join(p.c.dir, "data")).CombinedOutput(); err != nil {
		t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

// Start starts the stopped server again, on the same address.
func (p *Cluster) Start(t testing.TB) {
	t.Helper()
	if err := p.c.startServer(); err != nil {
		t.Fatal(err)
	}
}

func (c *cluster) command(name string, args ...string) *exec.Cmd {
	argv := append(append(append([]string{}, c.run...), filepath.Join(c.bin, name)), args...)
	return exec.Command(argv[0], argv[1:]...)
}

// connect opens the maintenance connection and makes the migrated template database.
func (c *cluster) connect(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.base)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", redact(c.base), err)
	}
	c.admin = conn
	c.templ = fmt.Sprintf("bs_template_%d", os.Getpid())
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+c.templ); err != nil {
		return err
	}
	db, err := postgres.Open(ctx, c.urlOf(c.templ), postgres.Options{MaxConns: 1})
	if err != nil {
		return fmt.Errorf("migrate the template database: %w", err)
	}
	db.Close()
	return c.readSeeds(ctx)
}

// readSeeds keeps the rows the migrated template holds, to restore them when a database is
// reused.
func (c *cluster) readSeeds(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.urlOf(c.templ))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`)
	if err != nil {
		return err
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	c.seeds = map[string][]byte{}
	for _, t := range tables {
		var buf bytes.Buffer
		if _, err := conn.PgConn().CopyTo(ctx, &buf, `COPY `+pgx.Identifier{t}.Sanitize()+` TO STDOUT`); err != nil {
			return err
		}
		c.seeds[t] = buf.Bytes()
	}
	return nil
}

// reset empties a used database and puts back the migrations' rows, so that it is as new.
func (c *cluster) reset(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.urlOf(name))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var list []string
	for t := range c.seeds {
		list = append(list, pgx.Identifier{t}.Sanitize())
	}
	if _, err := conn.Exec(ctx, `TRUNCATE `+strings.Join(list, ", ")+` RESTART IDENTITY`); err != nil {
		return err
	}
	for t, rows := range c.seeds {
		if len(rows) == 0 {
			continue
		}
		if _, err := conn.PgConn().CopyFrom(ctx, bytes.NewReader(rows), `COPY `+pgx.Identifier{t}.Sanitize()+` FROM STDIN`); err != nil {
			return err
		}
	}
	return nil
}

// urlOf is the cluster's URL with another database.
func (c *cluster) urlOf(name string) string {
	u, err := url.Parse(c.base)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

// database creates a fresh database, copied from the migrated template or from template0,
// and drops it when the test ends.
func (c *cluster) database(t testing.TB, migrated bool) string {
	t.Helper()
	ctx := context.Background()
	c.mu.Lock()
	if migrated && len(c.free) > 0 {
		name := c.free[len(c.free)-1]
		c.free = c.free[:len(c.free)-1]
		c.mu.Unlock()
		c.reuseLater(t, name)
		return c.urlOf(name)
	}
	c.counter++
	name := fmt.Sprintf("bs_%d_%d", os.Getpid(), c.counter)
	from := "template0"
	if migrated {
		from = c.templ
	}
	_, err := c.admin.Exec(ctx, `CREATE DATABASE `+name+` TEMPLATE `+from+` STRATEGY FILE_COPY`)
	c.mu.Unlock()
	if err != nil {
		t.Fatalf("CREATE DATABASE %s: %v", name, err)
	}
	if migrated {
		c.reuseLater(t, name)
		return c.urlOf(name)
	}
	t.Cleanup(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if _, err := c.admin.Exec(ctx, `DROP DATABASE `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("DROP DATABASE %s: %v", name, err)
		}
	})
	return c.urlOf(name)
}

// reuseLater empties the database when the test ends and keeps it for another, or drops it when
// emptying fails (a connection the test left open, say).
func (c *cluster) reuseLater(t testing.TB, name string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err := c.reset(ctx, name)
		c.mu.Lock()
		defer c.mu.Unlock()
		if err == nil {
			c.free = append(c.free, name)
			return
		}
		t.Logf("reuse database %s: %v; dropping it", name, err)
		if _, err := c.admin.Exec(ctx, `DROP DATABASE `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("DROP DATABASE %s: %v", name, err)
		}
	})
}

// stop drops the template, and stops and deletes a private cluster.
func (c *cluster) stop() {
	if c.admin != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if c.templ != "" && c.dir == "" {
			for _, name := range append(c.free, c.templ) {
				c.admin.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
			}
		}
		c.admin.Close(ctx)
		cancel()
	}
	if c.dir != "" {
		c.command("pg_ctl", "stop", "-m", "immediate", "-D", filepath.Join(c.dir, "data")).Run()
		os.RemoveAll(c.dir)
	}
}

func redact(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "(the URL)"
}
