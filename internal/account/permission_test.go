package account

import (
	"errors"
	"fmt"
	"testing"

	"github.com/broadsheet/broadsheet/internal/article"
)

// The staff of the permission tests; every one but the administrator has a byline of its own.
var (
	mine   = article.Author{ID: 7, Name: "Me", Slug: "me"}
	theirs = article.Author{ID: 8, Name: "Them", Slug: "them"}
)

func user(r Role) *User { return &User{ID: 1, Role: r, AuthorID: mine.ID} }

func story(by article.Author, s article.Status) *article.Article {
	return &article.Article{Title: "A story", Status: s, Authors: []article.Author{by}}
}

// TestCan lists every role × action, on each kind of story the action may concern: the expected
// answers are the whole permission model in one table.
func TestCan(t *testing.T) {
	t.Parallel()
	type stories struct{ ownDraft, ownLive, otherDraft, otherLive bool }
	yes := stories{true, true, true, true}
	no := stories{}
	own := stories{ownDraft: true, ownLive: true}
	ownDraft := stories{ownDraft: true}
	// want[role][action] is the answer for a story action on each kind of story, or for a
	// non-story action (all four fields alike).
	want := map[Role]map[Action]stories{
		Administrator: {ViewAdmin: yes, CreateStory: yes, ViewStory: yes, EditStory: yes, SubmitStory: yes,
			PublishStory: yes, DeleteStory: yes, ManageTaxonomy: yes, ModerateComments: yes, ManageUsers: yes, ManageSettings: yes, ManageMedia: yes},
		Editor: {ViewAdmin: yes, CreateStory: yes, ViewStory: yes, EditStory: yes, SubmitStory: yes,
			PublishStory: yes, DeleteStory: yes, ManageTaxonomy: yes, ModerateComments: yes, ManageUsers: no, ManageSettings: no, ManageMedia: yes},
		Author: {ViewAdmin: yes, CreateStory: yes, ViewStory: own, EditStory: own, SubmitStory: own,
			PublishStory: own, DeleteStory: own, ManageTaxonomy: no, ModerateComments: no, ManageUsers: no, ManageSettings: no, ManageMedia: no},
		Contributor: {ViewAdmin: yes, CreateStory: yes, ViewStory: own, EditStory: ownDraft, SubmitStory: ownDraft,
			PublishStory: no, DeleteStory: ownDraft, ManageTaxonomy: no, ModerateComments: no, ManageUsers: no, ManageSettings: no, ManageMedia: no},
		Moderator: {ViewAdmin: yes, CreateStory: no, ViewStory: no, EditStory: no, SubmitStory: no,
			PublishStory: no, DeleteStory: no, ManageTaxonomy: no, ModerateComments: yes, ManageUsers: no, ManageSettings: no, ManageMedia: no},
	}
	storyActions := map[Action]bool{ViewStory: true, EditStory: true, SubmitStory: true, PublishStory: true, DeleteStory: true}
	for _, role := range Roles {
		for _, act := range Actions {
			w, ok := want[role][act]
			if !ok {
				t.Fatalf("the table lacks %s × %q", role, act)
			}
			t.Run(fmt.Sprintf("%s/%s", role, act), func(t *testing.T) {
				t.Parallel()
				u := user(role)
				if !storyActions[act] {
					if got := Can(u, act, nil); got != w.ownDraft {
						t.Errorf("Can(%s, %q, nil) = %v, want %v", role, act, got, w.ownDraft)
					}
					return
				}
				if Can(u, act, nil) {
					t.Errorf("Can(%s, %q, nil story) = true, want false", role, act)
				}
				cases := []struct {
					name string
					a    *article.Article
					want bool
				}{
					{"own draft", story(mine, article.Draft), w.ownDraft},
					{"own pending", story(mine, article.Pending), w.ownDraft},
					{"own unpublished", story(mine, article.Unpublished), w.ownDraft},
					{"own published", story(mine, article.Published), w.ownLive},
					{"own scheduled", story(mine, article.Scheduled), w.ownLive},
					{"other's draft", story(theirs, article.Draft), w.otherDraft},
					{"other's published", story(theirs, article.Published), w.otherLive},
				}
				for _, c := range cases {
					if got := Can(u, act, c.a); got != c.want {
						t.Errorf("Can(%s, %q, %s) = %v, want %v", role, act, c.name, got, c.want)
					}
				}
			})
		}
	}
}

func TestCanNobody(t *testing.T) {
	t.Parallel()
	for _, act := range Actions {
		if Can(nil, act, story(mine, article.Draft)) {
			t.Errorf("Can(nil, %q) = true, want false", act)
		}
	}
	// A user without a byline owns nothing.
	u := &User{Role: Author}
	if Can(u, EditStory, &article.Article{Status: article.Draft}) {
		t.Error("an author without a byline may edit a story without bylines")
	}
	if Can(&User{Role: "intern", AuthorID: mine.ID}, ViewAdmin, nil) {
		t.Error("an unknown role may view the admin")
	}
}

func TestCanSave(t *testing.T) {
	t.Parallel()
	draft := func(by article.Author) *article.Article { return story(by, article.Draft) }
	as := func(a *article.Article, s article.Status) *article.Article { b := *a; b.Status = s; return &b }
	tests := []struct {
		name          string
		role          Role
		before, after *article.Article
		want          error // nil or ErrForbidden
	}{
		{"contributor writes a draft", Contributor, nil, draft(mine), nil},
		{"contributor submits for review", Contributor, draft(mine), as(draft(mine), article.Pending), nil},
		{"contributor edits a pending story", Contributor, as(draft(mine), article.Pending), as(draft(mine), article.Pending), nil},
		{"contributor forges publish on a new story", Contributor, nil, as(draft(mine), article.Published), ErrForbidden},
		{"contributor forges publish on a draft", Contributor, draft(mine), as(draft(mine), article.Published), ErrForbidden},
		{"contributor forges a schedule", Contributor, draft(mine), as(draft(mine), article.Scheduled), ErrForbidden},
		{"contributor edits a published story", Contributor, as(draft(mine), article.Published), as(draft(mine), article.Published), ErrForbidden},
		{"contributor unpublishes", Contributor, as(draft(mine), article.Published), as(draft(mine), article.Unpublished), ErrForbidden},
		{"contributor edits another's draft", Contributor, draft(theirs), draft(theirs), ErrForbidden},
		{"contributor takes over another's draft", Contributor, draft(theirs), draft(mine), ErrForbidden},
		{"contributor writes under another's byline", Contributor, nil, draft(theirs), ErrForbidden},
		{"author publishes own", Author, draft(mine), as(draft(mine), article.Published), nil},
		{"author schedules own", Author, nil, as(draft(mine), article.Scheduled), nil},
		{"author unpublishes own", Author, as(draft(mine), article.Published), as(draft(mine), article.Unpublished), nil},
		{"author publishes another's", Author, draft(theirs), as(draft(theirs), article.Published), ErrForbidden},
		{"author hands a live story to another", Author, as(draft(mine), article.Published), as(draft(theirs), article.Published), ErrForbidden},
		{"editor publishes another's", Editor, draft(theirs), as(draft(theirs), article.Published), nil},
		{"moderator writes", Moderator, nil, draft(mine), ErrForbidden},
		{"administrator does anything", Administrator, as(draft(theirs), article.Published), as(draft(theirs), article.Draft), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CanSave(user(tt.role), tt.before, tt.after)
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("CanSave(%s, …) = %v, want %v", tt.role, err, tt.want)
			}
		})
	}
}

func TestKeepsAdministrator(t *testing.T) {
	t.Parallel()
	users := []User{{ID: 1, Role: Administrator}, {ID: 2, Role: Editor}}
	tests := []struct {
		id   int64
		role Role
		want bool
	}{
		{1, Editor, false},
		{1, "", false},
		{1, Administrator, true},
		{2, "", true},
		{2, Administrator, true},
		{3, Author, true}, // a new user
	}
	for _, tt := range tests {
		if got := KeepsAdministrator(users, tt.id, tt.role); got != tt.want {
			t.Errorf("KeepsAdministrator(user %d → %q) = %v, want %v", tt.id, tt.role, got, tt.want)
		}
	}
}
