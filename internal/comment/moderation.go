package comment

// The kinds of notification a comment can cause.
const (
	// NoticeHeld tells the moderators that a comment waits for them.
	NoticeHeld = "held"
	// NoticeReply tells the author of the parent comment, if they opted in, of an approved reply.
	NoticeReply = "reply"
	// NoticeVerify sends a commenter, at their request, the link that confirms their address.
	NoticeVerify = "verify"
)

// Notices lists the notifications a comment's move from status from to its current status
// calls for (from is "" for a new comment). Readers are told only of approved comments.
func Notices(c *Comment, from Status) []string {
	switch {
	case c.Status == Pending && from == "":
		return []string{NoticeHeld}
	case c.Status == Approved && from != Approved && c.ParentID != 0:
		return []string{NoticeReply}
	}
	return nil
}

// Training is how a moderator's decision teaches the spam classifier: marking spam counts the
// comment as spam; approving counts it as not spam; undoing either takes back what it taught.
// It returns the changes to the spam and not-spam counts.
func Training(from, to Status) (spam, ham int) {
	if from == to {
		return 0, 0
	}
	switch from {
	case Spam:
		spam--
	case Approved:
		ham--
	}
	switch to {
	case Spam:
		spam++
	case Approved:
		ham++
	}
	return spam, ham
}
