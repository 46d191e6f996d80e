package account

import (
	"fmt"

	"github.com/broadsheet/broadsheet/internal/article"
)

// Action is something a staff member asks to do.
type Action string

// The actions Can decides. Story actions take the story they act on; the others take nil.
const (
	// ViewAdmin opens the dashboard, one's own profile and one's own API tokens.
	ViewAdmin Action = "view the newsroom"
	// CreateStory starts a new story.
	CreateStory Action = "write stories"
	// ViewStory opens a story in the editor, its history and its unpublished preview.
	ViewStory Action = "open this story"
	// EditStory saves changes to a story without changing whether readers see it.
	EditStory Action = "edit this story"
	// SubmitStory sends a story for review.
	SubmitStory Action = "submit this story for review"
	// PublishStory publishes, schedules or unpublishes a story, or edits one readers see.
	PublishStory Action = "publish this story"
	// DeleteStory removes a story for good.
	DeleteStory Action = "delete this story"
	// ManageTaxonomy edits sections, tags and bylines.
	ManageTaxonomy Action = "manage sections, tags and bylines"
	// ModerateComments approves, rejects and edits reader comments.
	ModerateComments Action = "moderate comments"
	// ManageUsers creates, edits and removes staff accounts.
	ManageUsers Action = "manage users"
	// ManageSettings changes the site's settings.
	ManageSettings Action = "change the site's settings"
	// ManageMedia is deleting pictures from the library (editors and administrators).
	ManageMedia Action = "delete pictures from the library"
)

// Actions lists every action, for tests and documentation.
var Actions = []Action{ViewAdmin, CreateStory, ViewStory, EditStory, SubmitStory, PublishStory, DeleteStory,
	ManageTaxonomy, ModerateComments, ManageUsers, ManageSettings, ManageMedia}

// Can is the one permission rule of the newsroom: it reports whether u may do act, on story a for
// the story actions (nil otherwise). A nil user may do nothing.
//
// Administrators may do everything; editors everything but users and settings; authors write,
// publish and delete their own stories; contributors write their own stories until they are
// published or scheduled, submit them for review and never publish; moderators only moderate.
// A story is one's own when one's byline is on it.
func Can(u *User, act Action, a *article.Article) bool {
	if u == nil {
		return false
	}
	storyAction := act == ViewStory || act == EditStory || act == SubmitStory || act == PublishStory || act == DeleteStory
	if storyAction && a == nil {
		return false
	}
	switch u.Role {
	case Administrator:
		return true
	case Editor:
		return act != ManageUsers && act != ManageSettings
	case Author:
		switch act {
		case ViewAdmin, CreateStory:
			return true
		case ViewStory, EditStory, SubmitStory, PublishStory, DeleteStory:
			return owns(u, a)
		}
	case Contributor:
		switch act {
		case ViewAdmin, CreateStory:
			return true
		case ViewStory:
			return owns(u, a)
		case EditStory, SubmitStory, DeleteStory:
			return owns(u, a) && !reachesReaders(a.Status)
		}
	case Moderator:
		return act == ViewAdmin || act == ModerateComments
	}
	return false
}

// owns reports whether u's byline is on a.
func owns(u *User, a *article.Article) bool {
	if u.AuthorID == 0 {
		return false
	}
	for _, au := range a.Authors {
		if au.ID == u.AuthorID {
			return true
		}
	}
	return false
}

// reachesReaders reports whether a story in state s is or will become visible without anyone's
// further action.
func reachesReaders(s article.Status) bool {
	return s == article.Published || s == article.Scheduled
}

// CanSave decides whether u may save after over before (nil for a new story), from the request's
// content alone: whatever buttons a form showed, a save that makes a story reach readers, or
// takes one away from them, needs PublishStory on both states, and every other save needs the
// right to edit both the story as it was and as it will be (so nobody hands a story to a byline
// they may not edit, or takes over one they may not). It answers nil or an error wrapping
// ErrForbidden that names what was refused.
func CanSave(u *User, before, after *article.Article) error {
	if before == nil && !Can(u, CreateStory, nil) {
		return Forbid(u, CreateStory)
	}
	if before != nil && !Can(u, ViewStory, before) {
		return Forbid(u, ViewStory)
	}
	publishing := reachesReaders(after.Status) || (before != nil && reachesReaders(before.Status))
	switch {
	case publishing:
		if !Can(u, PublishStory, after) || (before != nil && !Can(u, PublishStory, before)) {
			return Forbid(u, PublishStory)
		}
	default:
		if !Can(u, EditStory, after) || (before != nil && !Can(u, EditStory, before)) {
			return Forbid(u, EditStory)
		}
	}
	if after.Status == article.Pending && (before == nil || before.Status != article.Pending) && !Can(u, SubmitStory, after) {
		return Forbid(u, SubmitStory)
	}
	return nil
}

// Forbid returns the error for a refused action, naming the role and the action.
func Forbid(u *User, act Action) error {
	role := Role("nobody")
	if u != nil {
		role = u.Role
	}
	return fmt.Errorf("account: a %s may not %s: %w", role, act, ErrForbidden)
}

// KeepsAdministrator reports whether users would still include an administrator after the user
// with id takes role newRole (or is removed, when newRole is ""), so that nobody locks the
// newsroom out of its settings.
func KeepsAdministrator(users []User, id int64, newRole Role) bool {
	for _, u := range users {
		role := u.Role
		if u.ID == id {
			role = newRole
		}
		if role == Administrator {
			return true
		}
	}
	return false
}
