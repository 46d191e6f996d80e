package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/embed"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
)

// storyForm is the editor's form as typed: every field a string, so that a rejected form comes
// back exactly as the writer left it.
type storyForm struct {
	Version      int
	Title        string
	Standfirst   string
	Body         string
	Slug         string
	Section      string   // a section ID
	Tags         string   // tag names, comma-separated
	Authors      []string // byline IDs
	ImageURL     string
	ImageAlt     string
	Date         string // YYYY-MM-DD
	Time         string // HH:MM
	Zone         string // IANA time zone
	CommentsOpen bool
	NoteKind     string
	NoteText     string
	DropNotes    []string // indices of stored notes to remove
}

// readStoryForm reads the editor's fields from a posted form.
func readStoryForm(v url.Values) storyForm {
	version, _ := strconv.Atoi(v.Get("version"))
	return storyForm{Version: version, Title: v.Get("title"), Standfirst: v.Get("standfirst"),
		Body: strings.ReplaceAll(v.Get("body"), "\r\n", "\n"), Slug: v.Get("slug"), Section: v.Get("section"),
		Tags: v.Get("tags"), Authors: v["authors"], ImageURL: v.Get("image_url"), ImageAlt: v.Get("image_alt"),
		Date: v.Get("date"), Time: v.Get("time"), Zone: v.Get("zone"), CommentsOpen: v.Get("comments_open") != "",
		NoteKind: v.Get("note_kind"), NoteText: v.Get("note_text"), DropNotes: v["drop_note"]}
}

// formOf is the form showing a stored story, its date in the newsroom's zone.
func (s *Server) formOf(a *article.Article) storyForm {
	f := storyForm{Version: a.Version, Title: a.Title, Standfirst: a.Standfirst, Body: a.Body, Slug: a.Slug,
		ImageURL: a.ImageURL, ImageAlt: a.ImageAlt, CommentsOpen: a.CommentsOpen, Zone: s.cfg.Location.String()}
	if a.Section.ID != 0 {
		f.Section = itoa64(a.Section.ID)
	}
	names := make([]string, len(a.Tags))
	for i, t := range a.Tags {
		names[i] = t.Name
	}
	f.Tags = strings.Join(names, ", ")
	for _, au := range a.Authors {
		f.Authors = append(f.Authors, itoa64(au.ID))
	}
	loc := s.storyZone(a)
	f.Zone = loc.String()
	if !a.PublishedAt.IsZero() {
		t := a.PublishedAt.In(loc)
		f.Date, f.Time = t.Format("2006-01-02"), t.Format("15:04")
	}
	return f
}

// storyZone is the time zone the story's time was chosen in, or the newsroom's.
func (s *Server) storyZone(a *article.Article) *time.Location {
	if a.Zone != "" {
		if l, err := time.LoadLocation(a.Zone); err == nil {
			return l
		}
	}
	return s.cfg.Location
}

// publishedWhen says when a story is or goes live, in the zone it was chosen in, as an editor
// reads it: "Tue 8 Dec, 07:01 New York time" (the year only when it is not this one's).
func (s *Server) publishedWhen(a *article.Article) string {
	loc := s.storyZone(a)
	t := a.PublishedAt.In(loc)
	layout := "Mon 2 Jan, 15:04"
	if t.Year() != s.now().In(loc).Year() {
		layout = "Mon 2 Jan 2006, 15:04"
	}
	return t.Format(layout) + " " + zoneLabel(loc.String())
}

// zoneLabel names an IANA zone for people: "America/New_York" is "New York time".
func zoneLabel(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 && !strings.HasPrefix(name, "Etc/") {
		return strings.ReplaceAll(name[i+1:], "_", " ") + " time"
	}
	return name
}

// editorPage is the story editor.
type editorPage struct {
	adminLayout
	Action   string // where the form posts
	Story    *article.Article
	Form     storyForm
	Errors   map[string]string
	URL      string // the public address, when readers can see the story
	Sections []article.Section
	Authors  []article.Author
	Tags     []article.Tag
	Zones    []string
	Notes    []article.Note
	Buttons  editorButtons
	ReadOnly bool
	Preview  template.HTML // the body as rendered at the last save
	Conflict *conflictView
	Autosave *store.Revision // an autosave newer than the saved story
	Resumed  bool
	MaxBytes int // the longest body the server accepts, for the script's check before sending
	Related  *relatedPanel
	// Library lists recent pictures to choose a featured image from; MaxUploadMB is the limit.
	Library     []*media.Item
	MaxUploadMB int64
	// Featured is the library picture the featured image names, shown cropped as listings
	// crop it; nil for none or an outside address.
	Featured *media.Item
	// Hint says where the story stands and what the user's buttons do.
	Hint string
	// ShowNotes offers the updates-and-corrections box: only a published story has readers to
	// tell of a change.
	ShowNotes bool
	// PlainLinks are the addresses alone on their lines that the last save could not describe
	// (embedCards): readers see them as plain links.
	PlainLinks []string
}

// editorButtons are the actions the user may take on the story.
type editorButtons struct {
	Save, Publish, Schedule, Unpublish, Submit, Delete bool
	SaveLabel                                          string
}

// conflictView shows, beside the writer's text, the version someone else saved meanwhile.
type conflictView struct {
	Theirs *article.Article
	By     string
	Diff   []diffPart // from theirs to the writer's body
}

// editConflict is the answer to a save that names an older version than the stored one.
type editConflict struct{ current *article.Article }

func (e *editConflict) Error() string {
	return "web: story " + itoa64(e.current.ID) + " was saved by someone else (version " + itoa(e.current.Version) + ")"
}

func (e *editConflict) Unwrap() error { return store.ErrConflict }

// commonZones are offered beside the newsroom's own zone; any IANA name is accepted.
var commonZones = []string{"UTC", "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Kyiv", "Europe/Moscow",
	"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Sao_Paulo",
	"Africa/Lagos", "Africa/Nairobi", "Asia/Kolkata", "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney"}

// editor builds the editor page for before (nil for a new story) showing form.
func (s *Server) editor(r *http.Request, u *account.User, before *article.Article, f storyForm) (*editorPage, error) {
	ctx := r.Context()
	p := &editorPage{Story: before, Form: f, Errors: map[string]string{}, Action: "/admin/stories/new", MaxBytes: article.MaxBodyBytes}
	title := "New story"
	var err error
	if p.Sections, err = s.store.Sections(ctx); err != nil {
		return nil, err
	}
	if p.Authors, err = s.store.Authors(ctx); err != nil {
		return nil, err
	}
	if p.Tags, err = s.store.Tags(ctx); err != nil {
		return nil, err
	}
	p.Zones = commonZones
	if z := s.cfg.Location.String(); !slices.Contains(p.Zones, z) {
		p.Zones = append([]string{z}, p.Zones...)
	}
	mine := &article.Article{Status: article.Draft, Authors: []article.Author{{ID: u.AuthorID}}}
	if before == nil {
		p.Buttons = editorButtons{Save: true, SaveLabel: "Save draft", Publish: account.Can(u, account.PublishStory, mine),
			Schedule: account.Can(u, account.PublishStory, mine)}
		p.Buttons.Submit = !p.Buttons.Publish
	} else {
		title = "Edit: " + before.Title
		p.Action = "/admin/stories/" + itoa64(before.ID) + "/"
		p.Notes = before.Notes
		if before.Live(s.now()) {
			p.URL = s.permalink(before)
		}
		p.Preview = template.HTML(before.BodyHTML)
		live := before.Status == article.Published || before.Status == article.Scheduled
		canPublish := account.Can(u, account.PublishStory, before)
		canEdit := account.Can(u, account.EditStory, before)
		p.Buttons = editorButtons{Save: canEdit && (!live || canPublish), SaveLabel: "Save draft",
			Publish: canPublish && before.Status != article.Published, Schedule: canPublish && before.Status != article.Published,
			Unpublish: canPublish && live, Delete: account.Can(u, account.DeleteStory, before),
			Submit: canEdit && !canPublish && before.Status != article.Pending}
		switch {
		case live:
			p.Buttons.SaveLabel = "Update"
		case before.Status == article.Pending:
			p.Buttons.SaveLabel = "Save"
		}
		p.ReadOnly = !p.Buttons.Save && !p.Buttons.Publish
		if before.Kind == article.Story {
			if p.Related, err = s.relatedPanel(ctx, before); err != nil {
				return nil, err
			}
		}
		revs, err := s.store.Revisions(ctx, before.ID)
		if err != nil {
			return nil, err
		}
		for _, rev := range revs {
			if rev.Autosave && rev.UserID == u.ID && rev.At.After(before.UpdatedAt) &&
				(rev.Title != before.Title || rev.Body != before.Body || rev.Standfirst != before.Standfirst) {
				p.Autosave = &rev
				break
			}
		}
	}
	if p.Library, _, err = s.store.ListMedia(ctx, store.MediaQuery{Limit: 50}); err != nil {
		return nil, err
	}
	p.MaxUploadMB = s.media().Limit() >> 20
	if h := media.HashFromURL(f.ImageURL); h != "" {
		p.Featured, _ = s.store.MediaByHash(ctx, h) // a deleted picture: no preview
	}
	p.Hint = s.publishHint(u, before)
	p.ShowNotes = (before != nil && before.Status == article.Published) || strings.TrimSpace(f.NoteText) != "" // typed text is never hidden
	p.adminLayout = s.adminLayout(r, u, title)
	return p, nil
}

// publishHint is the line above the publishing controls: where the story stands and what the
// user's own buttons will do, never a button they do not have.
func (s *Server) publishHint(u *account.User, a *article.Article) string {
	mine := &article.Article{Status: article.Draft, Authors: []article.Author{{ID: u.AuthorID}}}
	if a == nil {
		if account.Can(u, account.PublishStory, mine) {
			return "Not saved yet. Publish now, or choose a date and time and Schedule."
		}
		return "Not saved yet. Save a draft, then submit it for review: an editor publishes it."
	}
	canPublish := account.Can(u, account.PublishStory, a)
	switch a.Status {
	case article.Published:
		return "Published " + s.publishedWhen(a) + "."
	case article.Scheduled:
		if canPublish {
			return "Scheduled for " + s.publishedWhen(a) + ". Change the date and time and Schedule again to move it."
		}
		return "Scheduled for " + s.publishedWhen(a) + "."
	case article.Pending:
		if canPublish {
			return "Waiting for review. Publish it now, or choose a date and time and Schedule."
		}
		return "Waiting for review: an editor publishes it."
	}
	if canPublish {
		return "Status: " + string(a.Status) + ". Publish now, or choose a date and time and Schedule."
	}
	return "Status: " + string(a.Status) + ". Submit it for review when it is ready: an editor publishes it."
}

// showEditor renders p with status.
func (s *Server) showEditor(w http.ResponseWriter, r *http.Request, status int, p *editorPage) {
	s.adminPage(w, r, status, "admin_editor", p)
}

// loadStory reads the story {id} of the request and checks that u may open it.
func (s *Server) loadStory(r *http.Request, u *account.User) (*article.Article, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, store.ErrNotFound
	}
	a, err := s.store.Article(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !account.Can(u, account.ViewStory, a) {
		return nil, account.Forbid(u, account.ViewStory)
	}
	return a, nil
}

// handleNewStory serves GET /admin/stories/new: an empty editor.
func (s *Server) handleNewStory(w http.ResponseWriter, r *http.Request, u *account.User) {
	f := storyForm{Zone: s.cfg.Location.String(), CommentsOpen: s.settings().CommentsOpen}
	if u.AuthorID != 0 {
		f.Authors = []string{itoa64(u.AuthorID)}
	}
	p, err := s.editor(r, u, nil, f)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.showEditor(w, r, http.StatusOK, p)
}

// handleEditStory serves GET /admin/stories/{id}/: the editor on a stored story.
func (s *Server) handleEditStory(w http.ResponseWriter, r *http.Request, u *account.User) {
	a, err := s.loadStory(r, u)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	p, err := s.editor(r, u, a, s.formOf(a))
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	p.PlainLinks = s.plainLinks(a)
	switch msg := r.URL.Query().Get("msg"); {
	case msg == "scheduled" && a.Status == article.Scheduled:
		p.Flash = "Scheduled for " + s.publishedWhen(a) + ". It will be published then."
	case msg == "published" && a.Status == article.Published:
		p.Flash = "Published " + s.publishedWhen(a) + ". Readers can see it now."
	}
	s.showEditor(w, r, http.StatusOK, p)
}

// handleCreateStory serves POST /admin/stories/new.
func (s *Server) handleCreateStory(w http.ResponseWriter, r *http.Request, u *account.User) {
	s.submitStory(w, r, u, nil)
}

// handleSaveStory serves POST /admin/stories/{id}/: save, publish, schedule, unpublish, submit
// for review or preview, as the button pressed says.
func (s *Server) handleSaveStory(w http.ResponseWriter, r *http.Request, u *account.User) {
	a, err := s.loadStory(r, u)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.submitStory(w, r, u, a)
}

// resumeEditor shows the editor at path with the draft a writer was saving when their session
// ended, after they signed in again. Nothing is saved until they save.
func (s *Server) resumeEditor(w http.ResponseWriter, r *http.Request, u *account.User, path string, draft url.Values) {
	var before *article.Article
	if path != "/admin/stories/new" {
		r.SetPathValue("id", strings.Trim(strings.TrimPrefix(path, "/admin/stories/"), "/"))
		a, err := s.loadStory(r, u)
		if err != nil {
			s.adminFail(w, r, u, err)
			return
		}
		before = a
	}
	p, err := s.editor(r, u, before, readStoryForm(draft))
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	p.Resumed = true
	p.Flash = "You are signed in again. Your unsaved work is below: check it, then save."
	s.showEditor(w, r, http.StatusOK, p)
}

// submitStory handles a posted editor form over before (nil for a new story).
func (s *Server) submitStory(w http.ResponseWriter, r *http.Request, u *account.User, before *article.Article) {
	files, err := s.parseEditorForm(w, r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	ctx := r.Context()
	f := readStoryForm(r.PostForm)
	action := r.PostForm.Get("action")
	if file, ok := files["image_file"]; ok {
		// The picture goes into the library first; the story keeps its address, so a story that
		// fails validation below does not upload it twice.
		it, _, err := s.upload(ctx, u, file, media.Upload{Alt: f.ImageAlt})
		if status, msg, ok := uploadError(err, s.media().Limit()); ok {
			p, perr := s.editor(r, u, before, f)
			if perr != nil {
				s.adminFail(w, r, u, perr)
				return
			}
			p.Errors["image_file"] = msg
			p.Error = "The story was not saved: the picture was refused. Your text is kept below."
			s.showEditor(w, r, status, p)
			return
		}
		if err != nil {
			s.adminFail(w, r, u, err)
			return
		}
		f.ImageURL = it.URL()
		if f.ImageAlt == "" {
			f.ImageAlt = it.Alt
		}
	}
	after, errs, err := s.storyFromForm(ctx, f, before, action)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	if len(errs) == 0 && action == "preview" {
		s.preview(w, r, u, before, after)
		return
	}
	if len(errs) == 0 {
		err = s.saveStory(ctx, u, before, after)
	}
	var conflict *editConflict
	switch {
	case len(errs) == 0 && err == nil:
		http.Redirect(w, r, "/admin/stories/"+itoa64(after.ID)+"/?msg="+savedFlash(action, before == nil), http.StatusSeeOther)
		return
	case errors.As(err, &conflict):
		s.showConflict(w, r, u, conflict.current, f)
		return
	case errors.Is(err, account.ErrForbidden):
		p, perr := s.editor(r, u, before, f)
		if perr != nil {
			s.adminFail(w, r, u, perr)
			return
		}
		p.Error = "Your role does not allow that. Your text is kept below; save it as a draft or submit it for review."
		s.showEditor(w, r, http.StatusForbidden, p)
		return
	case err != nil:
		v, ok := article.AsValidation(err)
		if !ok {
			s.adminFail(w, r, u, err)
			return
		}
		for k, m := range v {
			errs[formField(k)] = m
		}
	}
	p, err := s.editor(r, u, before, f)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	p.Errors = errs
	p.Error = "The story was not saved: please correct the fields marked below."
	s.showEditor(w, r, http.StatusUnprocessableEntity, p)
}

// savedFlash is the flash key that confirms a successful action.
func savedFlash(action string, created bool) string {
	switch action {
	case "publish":
		return "published"
	case "schedule":
		return "scheduled"
	case "unpublish":
		return "unpublished"
	case "submit":
		return "submitted"
	}
	if created {
		return "created"
	}
	return "saved"
}

// formField names the editor field that shows an article.ValidationError key.
func formField(key string) string {
	switch key {
	case "published_at", "status":
		return "date"
	}
	return key
}

// showConflict renders the editor after a save that lost a race: the writer's text stays in the
// form, now based on the current version, and the current text is shown beside it.
func (s *Server) showConflict(w http.ResponseWriter, r *http.Request, u *account.User, current *article.Article, f storyForm) {
	f.Version = current.Version
	p, err := s.editor(r, u, current, f)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	c := &conflictView{Theirs: current, Diff: diffText(current.Body, f.Body)}
	if revs, err := s.store.Revisions(r.Context(), current.ID); err == nil {
		for _, rev := range revs {
			if !rev.Autosave {
				c.By = rev.UserName
				break
			}
		}
	}
	p.Conflict = c
	p.Error = "Someone else saved this story while you were editing it. Nothing was overwritten: your text is in " +
		"the form, theirs is shown beside it. Merge what you need; saving again replaces their version with yours."
	s.showEditor(w, r, http.StatusConflict, p)
}

// storyFromForm builds the story a form asks for over before (nil for a new story). It answers
// the fields at fault, with messages, or an error when the store cannot be read.
func (s *Server) storyFromForm(ctx context.Context, f storyForm, before *article.Article, action string) (*article.Article, map[string]string, error) {
	errs := map[string]string{}
	a := &article.Article{Kind: article.Story, Status: article.Draft}
	if before != nil {
		copied := *before
		a = &copied
		a.Version = f.Version
	}
	a.Title, a.Standfirst, a.Body = strings.TrimSpace(f.Title), strings.TrimSpace(f.Standfirst), f.Body
	a.Slug = strings.TrimSpace(f.Slug)
	a.ImageURL, a.ImageAlt = strings.TrimSpace(f.ImageURL), strings.TrimSpace(f.ImageAlt)
	a.CommentsOpen = f.CommentsOpen

	a.Section = article.Section{}
	if f.Section != "" {
		secs, err := s.store.Sections(ctx)
		if err != nil {
			return nil, nil, err
		}
		id, _ := strconv.ParseInt(f.Section, 10, 64)
		i := slices.IndexFunc(secs, func(x article.Section) bool { return x.ID == id })
		if i < 0 {
			errs["section"] = "Choose one of the sections listed."
		} else {
			a.Section = secs[i]
		}
	}
	a.Authors = nil
	if len(f.Authors) > 0 {
		all, err := s.store.Authors(ctx)
		if err != nil {
			return nil, nil, err
		}
		for _, v := range f.Authors {
			id, _ := strconv.ParseInt(v, 10, 64)
			i := slices.IndexFunc(all, func(x article.Author) bool { return x.ID == id })
			if i < 0 {
				errs["authors"] = "Choose bylines from the list."
				continue
			}
			if !slices.ContainsFunc(a.Authors, func(x article.Author) bool { return x.ID == id }) {
				a.Authors = append(a.Authors, all[i])
			}
		}
	}
	tags, msg := parseTags(f.Tags)
	if msg != "" {
		errs["tags"] = msg
	}
	a.Tags = tags

	a.Notes = nil
	if before != nil {
		for i, n := range before.Notes {
			if !slices.Contains(f.DropNotes, itoa(i)) {
				a.Notes = append(a.Notes, n)
			}
		}
	}
	now := s.now()
	if text := strings.TrimSpace(f.NoteText); text != "" {
		kind := article.NoteKind(f.NoteKind)
		if kind != article.Update && kind != article.Correction {
			errs["note"] = "Choose whether the note is an update or a correction."
		}
		a.Notes = append(a.Notes, article.Note{Kind: kind, Text: text, At: now})
	}

	when, whenErrs := parseWhen(f.Date, f.Time, f.Zone, s.cfg.Location)
	for k, m := range whenErrs {
		errs[k] = m
	}
	switch action {
	case "save", "", "preview":
	case "publish":
		a.Status = article.Published
	case "schedule":
		a.Status = article.Scheduled
	case "unpublish":
		a.Status = article.Unpublished
	case "submit":
		a.Status = article.Pending
	default:
		errs["action"] = "Unknown action."
	}
	if len(whenErrs) == 0 {
		if !when.IsZero() {
			a.PublishedAt = when
			a.Zone = strings.TrimSpace(f.Zone)
			if a.Zone == s.cfg.Location.String() {
				a.Zone = "" // the newsroom's own, which follows a change of the newsroom's zone
			}
		}
		switch {
		case a.Status == article.Scheduled && when.IsZero():
			errs["date"] = "Choose the date and time to publish the story at."
		case a.Status == article.Scheduled && !when.After(now) && action == "schedule":
			errs["date"] = "Choose a time in the future to schedule the story, or publish it now."
		case a.Status == article.Published && when.After(now):
			errs["date"] = "That time is in the future: use Schedule to publish the story then."
		case a.Status == article.Published && a.PublishedAt.IsZero():
			a.PublishedAt = now
		}
	}
	return a, errs, nil
}

// parseTags splits comma-separated tag names, dropping repeats: at most 50 tags.
func parseTags(s string) ([]article.Tag, string) {
	var tags []article.Tag
	for _, name := range strings.Split(s, ",") {
		name = strings.Join(strings.Fields(name), " ")
		if name == "" {
			continue
		}
		slug := article.Slugify(name)
		if slug == "" || len([]rune(name)) > 100 {
			return tags, "Use tags of letters or digits, at most 100 characters each, separated by commas."
		}
		if !slices.ContainsFunc(tags, func(t article.Tag) bool { return t.Slug == slug }) {
			tags = append(tags, article.Tag{Name: name, Slug: slug})
		}
	}
	if len(tags) > 50 {
		return tags[:50], "Use at most 50 tags."
	}
	return tags, ""
}

// parseWhen reads a date, a time and a zone (def when empty); empty date and time mean none.
func parseWhen(date, clock, zone string, def *time.Location) (time.Time, map[string]string) {
	errs := map[string]string{}
	loc := def
	if zone = strings.TrimSpace(zone); zone != "" {
		l, err := time.LoadLocation(zone)
		if err != nil || strings.Contains(zone, "..") {
			errs["zone"] = "Use a time zone name such as Europe/London or UTC."
		} else {
			loc = l
		}
	}
	date, clock = strings.TrimSpace(date), strings.TrimSpace(clock)
	if date == "" && clock == "" {
		return time.Time{}, errs
	}
	if date == "" {
		errs["date"] = "Enter the date as well as the time."
		return time.Time{}, errs
	}
	if clock == "" {
		clock = "00:00"
	}
	d, err := time.Parse("2006-01-02", date)
	if err != nil || d.Year() < 1900 || d.Year() > 9999 {
		errs["date"] = "Enter a real date, as YYYY-MM-DD."
	}
	c, err := time.Parse("15:04", clock)
	if err != nil {
		errs["time"] = "Enter the time as HH:MM, on a 24-hour clock."
	}
	if len(errs) > 0 {
		return time.Time{}, errs
	}
	return time.Date(d.Year(), d.Month(), d.Day(), c.Hour(), c.Minute(), 0, 0, loc), errs
}

// saveStory is the one save path of the editor and the API: it checks permission on the
// request's content, derives the rendered body and a free slug, and stores the story with a
// revision in one transaction. It answers article.ValidationError for the fields at fault,
// *editConflict when someone saved since after.Version, and account.ErrForbidden.
func (s *Server) saveStory(ctx context.Context, u *account.User, before, after *article.Article) error {
	if err := account.CanSave(u, before, after); err != nil {
		return err
	}
	if before != nil && after.Version != before.Version {
		return &editConflict{current: before}
	}
	auto := after.Slug == ""
	if err := s.cfg.Renderer.Prepare(after, s.embedCards(ctx, u, before, after)...); err != nil {
		return err
	}
	if auto {
		slug, err := article.UniqueSlug(after.Slug, "story", func(slug string) (bool, error) {
			return s.store.SlugTaken(ctx, slug, after.ID)
		})
		if err != nil {
			return err
		}
		after.Slug = slug
	} else if taken, err := s.store.SlugTaken(ctx, after.Slug, after.ID); err != nil {
		return err
	} else if taken {
		return article.ValidationError{"slug": "Another story uses this address already. Choose another slug."}
	}
	now := s.now()
	after.UpdatedAt = now
	if before == nil {
		after.CreatedAt = now
	}
	version := after.Version
	err := s.store.InTx(ctx, func(tx store.Store) error {
		if before == nil {
			if err := tx.CreateArticle(ctx, after); err != nil {
				return err
			}
		} else if err := tx.UpdateArticle(ctx, after); err != nil {
			return err
		}
		rev := &store.Revision{ArticleID: after.ID, Version: after.Version, UserID: u.ID, UserName: u.Name, At: now,
			Status: after.Status, Title: after.Title, Standfirst: after.Standfirst, Body: after.Body}
		if err := tx.AddRevision(ctx, rev); err != nil {
			return err
		}
		return tx.DeleteAutosave(ctx, after.ID, u.ID)
	})
	if err == nil {
		return nil
	}
	after.Version = version
	if before == nil {
		after.ID = 0
	}
	if errors.Is(err, store.ErrConflict) && before != nil {
		cur, cerr := s.store.Article(ctx, before.ID)
		if cerr != nil {
			return cerr
		}
		if cur.Version != version {
			return &editConflict{current: cur}
		}
		return article.ValidationError{"slug": "Another story uses this address already. Choose another slug."}
	}
	return err
}

// preview shows the unsaved story as a reader would see it.
func (s *Server) preview(w http.ResponseWriter, r *http.Request, u *account.User, before, a *article.Article) {
	if before == nil && !account.Can(u, account.CreateStory, nil) {
		s.adminFail(w, r, u, account.Forbid(u, account.CreateStory))
		return
	}
	var known []embed.Card
	if before != nil {
		known = embed.Stored(before.BodyHTML) // a preview fetches nothing
	}
	if err := s.cfg.Renderer.Prepare(a, known...); err != nil {
		p, perr := s.editor(r, u, before, readStoryForm(r.PostForm))
		if perr != nil {
			s.adminFail(w, r, u, perr)
			return
		}
		if v, ok := article.AsValidation(err); ok {
			for k, m := range v {
				p.Errors[formField(k)] = m
			}
		}
		p.Error = "The preview needs these fields corrected first."
		s.showEditor(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	s.showPreview(w, r, a)
}

// showPreview renders a with the public story template, marked not to be indexed or cached.
func (s *Server) showPreview(w http.ResponseWriter, r *http.Request, a *article.Article) {
	if a.PublishedAt.IsZero() {
		a.PublishedAt = s.now()
	}
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = a.PublishedAt
	}
	p := &storyPage{Layout: s.layout(r, "Preview: "+a.Title), Article: a, URL: s.abs(s.permalink(a)),
		Body: s.storyBody(a)}
	p.NoIndex = true
	p.Description = article.Excerpt(a.Description(a.BodyText), 200)
	body, err := s.views.render("story", p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	w.Write(body)
}

// handlePreviewStory serves GET /admin/stories/{id}/preview: the saved story as a reader would
// see it, whatever its status.
func (s *Server) handlePreviewStory(w http.ResponseWriter, r *http.Request, u *account.User) {
	a, err := s.loadStory(r, u)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.showPreview(w, r, a)
}

// handleRenderPreview serves POST /admin/preview: the editor's live preview, the Markdown of the
// form's body field as the sanitised HTML readers would get.
func (s *Server) handleRenderPreview(w http.ResponseWriter, r *http.Request, u *account.User) {
	if err := s.parseForm(w, r); err != nil {
		s.apiError(w, r, err)
		return
	}
	h, err := s.cfg.Renderer.HTML(r.PostForm.Get("body"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(h))
}

// handleAutosave serves POST /admin/stories/{id}/autosave: the editor's periodic copy of unsaved
// work, kept as the user's one autosave revision without touching the story.
func (s *Server) handleAutosave(w http.ResponseWriter, r *http.Request, u *account.User) {
	a, err := s.loadStory(r, u)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if !account.Can(u, account.EditStory, a) && !account.Can(u, account.PublishStory, a) {
		s.apiError(w, r, account.Forbid(u, account.EditStory))
		return
	}
	if err := s.parseForm(w, r); err != nil {
		s.apiError(w, r, err)
		return
	}
	f := readStoryForm(r.PostForm)
	rev := &store.Revision{ArticleID: a.ID, Autosave: true, UserID: u.ID, UserName: u.Name, At: s.now(),
		Status: a.Status, Title: f.Title, Standfirst: f.Standfirst, Body: f.Body}
	if err := s.store.AddRevision(r.Context(), rev); err != nil {
		s.apiError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]string{"saved_at": rev.At.Format(time.RFC3339)})
}

// handleDeleteStory serves POST /admin/stories/{id}/delete.
func (s *Server) handleDeleteStory(w http.ResponseWriter, r *http.Request, u *account.User) {
	a, err := s.loadStory(r, u)
	if err == nil && !account.Can(u, account.DeleteStory, a) {
		err = account.Forbid(u, account.DeleteStory)
	}
	if err == nil {
		err = s.store.DeleteArticle(r.Context(), a.ID)
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/admin/stories/?msg=deleted", http.StatusSeeOther)
}
