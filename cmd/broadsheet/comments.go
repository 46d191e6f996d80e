package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/moderation"
	"github.com/broadsheet/broadsheet/internal/store"
)

// commentsUsages are the comments subcommands' synopses.
var commentsUsages = map[string]string{
	"list":    "broadsheet comments list [--status pending] [--article ID] [--limit 50] [--json] [--data DIR | --db URL]",
	"approve": "broadsheet comments approve|spam|trash|pending ID… [--data DIR | --db URL]",
	"export":  "broadsheet comments export --email ADDRESS [--data DIR | --db URL]     (a commenter's data, as JSON)",
	"erase":   "broadsheet comments erase --email ADDRESS [--data DIR | --db URL]      (anonymise a commenter's comments)",
}

const commentsUsage = `  broadsheet comments list [--status pending] [--article ID] [--limit 50] [--json]
  broadsheet comments approve|spam|trash|pending ID…
  broadsheet comments export --email ADDRESS     (a commenter's data, as JSON)
  broadsheet comments erase --email ADDRESS      (anonymise a commenter's comments)

Run "broadsheet comments SUBCOMMAND --help" for its options.`

// commentsCmd runs "broadsheet comments": the moderation queue from the command line, and
// WordPress-style privacy tools.
func commentsCmd(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) error {
	verb, args, err := subcommand(args, commentsUsage, stdout, stderr)
	if err != nil {
		return err
	}
	synopsis := commentsUsages[verb]
	switch verb {
	case "spam", "trash", "pending":
		synopsis = commentsUsages["approve"]
	case "list", "approve", "export", "erase":
	default:
		fmt.Fprintf(stderr, "Usage:\n%s\n", commentsUsage)
		return usageError{fmt.Errorf("unknown comments subcommand %q", verb)}
	}
	cfg := DefaultConfig()
	cfg.Demo = false
	fs := newFlagSet("comments "+verb, synopsis, stderr)
	cfg.flags(fs, env, "data", "db")
	var status, email *string
	var articleID *int64
	var limit *int
	var asJSON *bool
	switch verb {
	case "list":
		status = fs.String("status", "", "list only comments with this status: pending, approved, spam or trash")
		articleID = fs.Int64("article", 0, "list only comments on this story ID")
		limit = fs.Int("limit", 50, "list at most this many comments")
		asJSON = fs.Bool("json", false, "print JSON for programs")
	case "export", "erase":
		email = fs.String("email", "", "the commenter's email address")
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if verb != "approve" && verb != "spam" && verb != "trash" && verb != "pending" && fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	m := NewMain(cfg)
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	st := m.Store
	switch verb {
	case "list":
		if *status != "" && !comment.Status(*status).Valid() {
			return usageError{fmt.Errorf("unknown status %q; use pending, approved, spam or trash", *status)}
		}
		list, total, err := st.ListComments(ctx, store.CommentQuery{Status: comment.Status(*status), ArticleID: *articleID, Limit: *limit})
		if err != nil {
			return err
		}
		if *asJSON {
			return writeCommentsJSON(stdout, list)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATUS\tSTORY\tDATE\tAUTHOR\tSPAM\tWHY\tTEXT")
		for _, c := range list {
			fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%.0f%%\t%s\t%s\n", c.ID, c.Status, c.ArticleID, c.CreatedAt.Format("2006-01-02 15:04"),
				oneLine(c.AuthorName, 24), c.SpamScore*100, oneLine(strings.Join(c.Reasons, "; "), 40), oneLine(c.Content, 50))
		}
		tw.Flush()
		fmt.Fprintf(stdout, "%d of %d comments\n", len(list), total)
		return nil
	case "approve", "spam", "trash", "pending":
		to := map[string]comment.Status{"approve": comment.Approved, "spam": comment.Spam, "trash": comment.Trash, "pending": comment.Pending}[verb]
		if fs.NArg() == 0 {
			return usageError{errors.New("name the comment IDs")}
		}
		var ids []int64
		for _, a := range fs.Args() {
			id, err := strconv.ParseInt(a, 10, 64)
			if err != nil || id <= 0 {
				return usageError{fmt.Errorf("%q is not a comment ID", a)}
			}
			ids = append(ids, id)
		}
		changed, err := moderation.SetStatus(ctx, st, ids, to, m.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d of %d comments now %s.\n", len(changed), len(ids), to)
		// A comment already in that state did not change; one that is not there is a mistake.
		var missing []string
		for _, id := range ids {
			if slices.ContainsFunc(changed, func(c *comment.Comment) bool { return c.ID == id }) {
				continue
			}
			if _, err := st.Comment(ctx, id); errors.Is(err, store.ErrNotFound) {
				missing = append(missing, strconv.FormatInt(id, 10))
			} else if err != nil {
				return err
			}
		}
		if len(missing) == 1 {
			return fmt.Errorf("no comment has the ID %s", missing[0])
		} else if len(missing) > 1 {
			return fmt.Errorf("no comments have the IDs %s", strings.Join(missing, ", "))
		}
		return nil
	case "export":
		if *email == "" {
			return usageError{errors.New("name the commenter with --email")}
		}
		list, _, err := st.ListComments(ctx, store.CommentQuery{Email: *email, Oldest: true})
		if err != nil {
			return err
		}
		return writeCommentsJSON(stdout, list)
	case "erase":
		if *email == "" {
			return usageError{errors.New("name the commenter with --email")}
		}
		n, err := st.EraseCommenter(ctx, *email)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Anonymised %d comments.\n", n)
		return nil
	}
	return nil
}

// exportedComment is a comment as the administrator's CLI prints it, personal data included:
// this output is for moderators and for a commenter's own data request, never for the public.
type exportedComment struct {
	ID        int64     `json:"id"`
	ArticleID int64     `json:"article_id"`
	ParentID  int64     `json:"parent_id,omitempty"`
	Status    string    `json:"status"`
	Type      string    `json:"type"`
	Author    string    `json:"author"`
	Email     string    `json:"email"`
	URL       string    `json:"url,omitempty"`
	IP        string    `json:"ip,omitempty"`
	UserAgent string    `json:"user_agent,omitempty"`
	Content   string    `json:"content"`
	Created   time.Time `json:"created"`
	Reasons   []string  `json:"reasons,omitempty"`
	SpamScore float64   `json:"spam_score"`
}

func writeCommentsJSON(w io.Writer, list []*comment.Comment) error {
	out := make([]exportedComment, 0, len(list))
	for _, c := range list {
		out = append(out, exportedComment{ID: c.ID, ArticleID: c.ArticleID, ParentID: c.ParentID, Status: string(c.Status),
			Type: string(c.Type), Author: c.AuthorName, Email: c.AuthorEmail, URL: c.AuthorURL, IP: c.AuthorIP,
			UserAgent: c.UserAgent, Content: c.Content, Created: c.CreatedAt, Reasons: c.Reasons, SpamScore: c.SpamScore})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// oneLine shortens s to n runes on one line, for tables.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
