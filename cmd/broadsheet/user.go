package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
)

// openNewsroom puts the stored settings in force and, while the newsroom has no administrator,
// creates the one-time setup address and prints it for the person who started the server.
func (m *Main) openNewsroom(ctx context.Context) error {
	if err := m.Server.LoadSettings(ctx); err != nil {
		return err
	}
	users, err := m.Store.Users(ctx)
	if err != nil {
		return err
	}
	if account.KeepsAdministrator(users, 0, "") {
		return nil
	}
	token, hash := account.NewToken("")
	expires := m.Now().Add(account.SetupTokenLife)
	if err := m.Store.CreateSetupToken(ctx, hash, expires); err != nil {
		return err
	}
	m.SetupURL = m.Config.baseURL(m.ln.Addr().String()) + "/admin/setup?token=" + token
	fmt.Fprintf(m.Out, "The newsroom has no administrator yet. Open this address to create one; it works once, until %s:\n\n  %s\n\n"+
		"(or run: broadsheet user add --role administrator --email you@example.org --name \"Your Name\")\n",
		expires.Format("2 Jan 2006 15:04 MST"), m.SetupURL)
	return nil
}

const userUsage = `  broadsheet user add --email E --name N [--role R] [options]   create a staff account
  broadsheet user list [options]                               list the staff
  broadsheet user password --email E [options]                 set a new password
  broadsheet user link --email E [options]                     print a one-time link to choose one

The password is asked for on the terminal, or read as one line from standard input when it
is not a terminal (echo "$PASSWORD" | broadsheet user add …). Roles: administrator, editor,
author (the default), contributor, moderator.`

// userCmd runs "broadsheet user": add, list or password.
func userCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) error {
	sub, args, err := subcommand(args, userUsage, stdout, stderr)
	if err != nil {
		return err
	}
	synopsis := map[string]string{
		"add":      "broadsheet user add --email E --name N [--role R] [--data DIR | --db URL]\n\nThe password is asked for on the terminal, or read as one line from standard input.",
		"list":     "broadsheet user list [--data DIR | --db URL]",
		"password": "broadsheet user password --email E [--data DIR | --db URL]\n\nThe password is asked for on the terminal, or read as one line from standard input.",
		"link":     "broadsheet user link --email E [--base-url URL] [--data DIR | --db URL]\n\nPrints a one-time link with which the user chooses their own password (7 days).",
	}[sub]
	if synopsis == "" {
		fmt.Fprintf(stderr, "Usage:\n%s\n", userUsage)
		return usageError{fmt.Errorf("unknown subcommand %q", sub)}
	}
	cfg := DefaultConfig()
	fs := newFlagSet("user "+sub, synopsis, stderr)
	if sub == "link" {
		cfg.flags(fs, env, "data", "db", "base-url")
	} else {
		cfg.flags(fs, env, "data", "db")
	}
	var email, name, role *string
	if sub != "list" {
		email = fs.String("email", "", "the user's email address")
	}
	if sub == "add" {
		name = fs.String("name", "", "the user's name, as the newsroom sees it")
		role = fs.String("role", string(account.Author), "one of "+roleList())
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	cfg.Demo = false
	m := NewMain(cfg)
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	switch sub {
	case "add":
		return addUser(ctx, m.Store, stdin, stdout, stderr, *email, *name, account.Role(*role), m.Now())
	case "password":
		return setPassword(ctx, m.Store, stdin, stdout, stderr, *email, m.Now())
	case "link":
		return printLink(ctx, m.Store, stdout, *email, cfg.baseURL(localAddr(cfg.Addr)), m.Now())
	}
	return listUsers(ctx, m.Store, stdout)
}

// addUser creates a staff account with a byline (see web.AddStaff).
func addUser(ctx context.Context, st store.Store, stdin io.Reader, stdout, stderr io.Writer, email, name string, role account.Role, now time.Time) error {
	u := &account.User{Email: account.NormalizeEmail(email), Name: strings.TrimSpace(name), Role: role, CreatedAt: now}
	if err := u.Validate(); err != nil {
		return usageError{fieldsError(err)}
	}
	var err error
	if u.PasswordHash, err = newPasswordHash(stdin, stderr, u.Email); err != nil {
		return err
	}
	err = st.InTx(ctx, func(tx store.Store) error { return web.AddStaff(ctx, tx, u) })
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("a user with the email %s exists already", u.Email)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Added %s <%s> as %s (user %d).\n", u.Name, u.Email, u.Role, u.ID)
	return nil
}

// setPassword gives a user a new password, ends their sessions and tells them by email (when the
// server sends mail).
func setPassword(ctx context.Context, st store.Store, stdin io.Reader, stdout, stderr io.Writer, email string, now time.Time) error {
	u, err := st.UserByEmail(ctx, account.NormalizeEmail(email))
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no user has the email %q", email)
	}
	if err != nil {
		return err
	}
	if u.PasswordHash, err = newPasswordHash(stdin, stderr, u.Email); err != nil {
		return err
	}
	if err := st.UpdateUser(ctx, u); err != nil {
		return err
	}
	if err := st.SignOutEverywhere(ctx, u.ID); err != nil {
		return err
	}
	if err := st.QueueStaffMail(ctx, u.Email, store.StaffPassword, "", now); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Set a new password for %s; their sessions have ended.\n", u.Email)
	return nil
}

// printLink makes a one-time set-password link for the user with email and prints it, for an
// operator to hand over when the site sends no mail.
func printLink(ctx context.Context, st store.Store, stdout io.Writer, email, base string, now time.Time) error {
	u, err := st.UserByEmail(ctx, account.NormalizeEmail(email))
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no user has the email %q", email)
	}
	if err != nil {
		return err
	}
	token, l := account.NewPasswordLink(u, account.LinkHandover, now)
	if err := st.CreatePasswordLink(ctx, l); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Give this link to %s <%s>; it works once, until %s, and lets them choose their password:\n\n  %s/admin/password?t=%s\n",
		u.Name, u.Email, l.ExpiresAt.Format("2 Jan 2006 15:04 MST"), base, token)
	return nil
}

// localAddr is a listening address as a browser on this machine reaches it (":8080" is
// "localhost:8080").
func localAddr(addr string) string {
	if strings.HasPrefix(addr, ":") {
		return "localhost" + addr
	}
	return addr
}

// listUsers prints the staff, one per line.
func listUsers(ctx context.Context, st store.Store, stdout io.Writer) error {
	users, err := st.Users(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLE\tSINCE")
	for _, u := range users {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Name, u.Role, u.CreatedAt.Format("2006-01-02"))
	}
	return tw.Flush()
}

// fieldsError turns a validation error into one sentence for the command line.
func fieldsError(err error) error {
	var v account.ValidationError
	if !errors.As(err, &v) {
		return err
	}
	var parts []string
	for _, k := range []string{"email", "name", "role"} {
		if m, ok := v[k]; ok {
			parts = append(parts, "--"+k+": "+m)
		}
	}
	if m, ok := v["role"]; ok && m != "" {
		parts[len(parts)-1] += " Roles: " + roleList() + "."
	}
	if m, ok := v["password"]; ok { // typed or piped, not a flag
		parts = append(parts, "password: "+m)
	}
	return errors.New(strings.Join(parts, " "))
}

// roleList names the staff roles for messages.
func roleList() string {
	var names []string
	for _, r := range account.Roles {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}

// newPasswordHash reads a new password for the account with email, checks it and hashes it.
func newPasswordHash(stdin io.Reader, stderr io.Writer, email string) (string, error) {
	password, err := readPassword(stdin, stderr, true)
	if err != nil {
		return "", err
	}
	if err := account.ValidatePassword(password, email); err != nil {
		return "", usageError{fieldsError(err)}
	}
	return account.HashPassword(password)
}

// readPassword asks for a password on the terminal (twice when confirm is set), or reads one
// line from stdin when it is not a terminal.
func readPassword(stdin io.Reader, stderr io.Writer, confirm bool) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		ask := func(prompt string) (string, error) {
			fmt.Fprint(stderr, prompt)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(stderr)
			return string(b), err
		}
		p, err := ask("Password: ")
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if confirm {
			again, err := ask("Password again: ")
			if err != nil {
				return "", fmt.Errorf("read password: %w", err)
			}
			if again != p {
				return "", errors.New("the two passwords differ")
			}
		}
		return p, nil
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, account.MaxPasswordLen+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usageError{errors.New("no password on standard input")}
	}
	return line, nil
}
