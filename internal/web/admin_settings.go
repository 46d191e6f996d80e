package web

import (
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/embed"
)

// siteSettings are the settings an administrator changes in the admin. The store keeps them as
// text under the keys of settingKeys; an empty site field means "the value the server was
// started with" (its flag or environment variable).
type siteSettings struct {
	Title       string
	Description string
	BaseURL     string
	Timezone    string
	// CommentsOpen is whether a new story accepts comments.
	CommentsOpen bool
	// Discussion are the defaults the comment section and its moderation use.
	Discussion comment.Settings

	// The theme's settings (identity.go): the logo, the accent colour (#rrggbb or ""), the
	// navigation menu (MenuSet: saved at least once; until then every section) and the footer's
	// Markdown. FooterHTML is the footer as rendered by applySettings.
	Logo       siteLogo
	Accent     string
	Menu       []menuItem
	MenuSet    bool
	Footer     string
	FooterHTML template.HTML
	// Front is what editors decided about the front page (front.go).
	Front frontPlan
	// LoadAtOnce are the embed providers whose frames load with the page instead of on the
	// reader's click (package embed's names); none by default.
	LoadAtOnce []string
}

// The keys of the stored settings.
const (
	keyTitle           = "site.title"
	keyDescription     = "site.description"
	keyBaseURL         = "site.base_url"
	keyTimezone        = "site.timezone"
	keyCommentsOpen    = "stories.comments_open"
	keyHoldAll         = "discussion.hold_all"
	keyHoldUnverified  = "discussion.hold_unverified"
	keyLinkLimit       = "discussion.link_limit"
	keyModerationWords = "discussion.moderation_words"
	keyDisallowedWords = "discussion.disallowed_words"
	keyCloseAfterDays  = "discussion.close_after_days"
	keyMaxDepth        = "discussion.max_depth"
	keyPerPage         = "discussion.per_page"
	keyNewestFirst     = "discussion.newest_first"
	keyLoadAtOnce      = "embeds.load_at_once"
)

// defaultSettings are the settings of a site nobody has configured.
func defaultSettings() siteSettings {
	return siteSettings{CommentsOpen: true, Discussion: comment.DefaultSettings()}
}

// readSettings gives the stored text its types; a missing or unreadable value keeps its default.
func readSettings(kv map[string]string) siteSettings {
	st := defaultSettings()
	st.Title, st.Description, st.BaseURL, st.Timezone = kv[keyTitle], kv[keyDescription], kv[keyBaseURL], kv[keyTimezone]
	flag := func(key string, p *bool) {
		if b, err := strconv.ParseBool(kv[key]); err == nil {
			*p = b
		}
	}
	num := func(key string, p *int) {
		if n, err := strconv.Atoi(kv[key]); err == nil {
			*p = n
		}
	}
	d := &st.Discussion
	flag(keyCommentsOpen, &st.CommentsOpen)
	flag(keyHoldAll, &d.HoldAll)
	flag(keyHoldUnverified, &d.HoldUnverified)
	flag(keyNewestFirst, &d.NewestFirst)
	num(keyLinkLimit, &d.LinkLimit)
	num(keyCloseAfterDays, &d.CloseAfterDays)
	num(keyMaxDepth, &d.MaxDepth)
	num(keyPerPage, &d.PerPage)
	if v, ok := kv[keyModerationWords]; ok {
		d.ModerationWords = comment.Words(v)
	}
	if v, ok := kv[keyDisallowedWords]; ok {
		d.DisallowedWords = comment.Words(v)
	}
	st.readIdentity(kv)
	st.LoadAtOnce = knownProviders(strings.Split(kv[keyLoadAtOnce], "\n"))
	return st
}

// knownProviders returns the names in list that are embed providers, in the providers' order.
func knownProviders(list []string) []string {
	var out []string
	for _, p := range embed.Providers() {
		if slices.Contains(list, p) {
			out = append(out, p)
		}
	}
	return out
}

// kv is the settings as the store keeps them.
func (st siteSettings) kv() map[string]string {
	d := st.Discussion
	return map[string]string{keyTitle: st.Title, keyDescription: st.Description, keyBaseURL: st.BaseURL,
		keyTimezone: st.Timezone, keyCommentsOpen: strconv.FormatBool(st.CommentsOpen),
		keyHoldAll: strconv.FormatBool(d.HoldAll), keyHoldUnverified: strconv.FormatBool(d.HoldUnverified),
		keyNewestFirst: strconv.FormatBool(d.NewestFirst), keyLinkLimit: itoa(d.LinkLimit),
		keyCloseAfterDays: itoa(d.CloseAfterDays), keyMaxDepth: itoa(d.MaxDepth), keyPerPage: itoa(d.PerPage),
		keyModerationWords: strings.Join(d.ModerationWords, "\n"), keyDisallowedWords: strings.Join(d.DisallowedWords, "\n"),
		keyLoadAtOnce: strings.Join(st.LoadAtOnce, "\n")}
}

// apply overlays the site fields on base, the configuration the server was started with.
func (st siteSettings) apply(base Config) (Config, error) {
	cfg := base
	if st.Title != "" {
		cfg.Title = st.Title
	}
	if st.Description != "" {
		cfg.Description = st.Description
	}
	if st.BaseURL != "" {
		cfg.BaseURL = strings.TrimRight(st.BaseURL, "/")
	}
	if st.Timezone != "" {
		loc, err := time.LoadLocation(st.Timezone)
		if err != nil {
			return base, fmt.Errorf("web: time zone %q: %w", st.Timezone, err)
		}
		cfg.Location = loc
	}
	return cfg, nil
}

// liveSite is what a Server shares with the copies applySettings makes of it: the copy that
// answers requests, and the settings in force.
type liveSite struct {
	mu       sync.Mutex // serialises applySettings; guards expired and loaded
	server   atomic.Pointer[Server]
	settings atomic.Pointer[siteSettings]
	expired  time.Time // when expireFront last looked
	loaded   string    // the stored settings in force, as text, to skip reloading the same
}

// discussion returns the discussion settings in force; it is the default Config.CommentSettings.
func (l *liveSite) discussion() comment.Settings {
	if st := l.settings.Load(); st != nil {
		return st.Discussion
	}
	return comment.DefaultSettings()
}

// current is the Server answering requests: s, or its copy with the latest settings.
func (s *Server) current() *Server {
	if n := s.live.server.Load(); n != nil {
		return n
	}
	return s
}

// settings returns the settings in force.
func (s *Server) settings() siteSettings {
	if st := s.live.settings.Load(); st != nil {
		return *st
	}
	return defaultSettings()
}

// LoadSettings reads the stored settings and puts them in force; the server calls it once at
// start, and the settings page whenever they change.
func (s *Server) LoadSettings(ctx context.Context) error {
	return s.reloadSettings(ctx, nil)
}

// reloadSettings puts the stored settings in force, reading them while no other change is
// being applied, so that two pages saving different settings at once both take effect.
func (s *Server) reloadSettings(ctx context.Context, purge []string) error {
	s.live.mu.Lock()
	defer s.live.mu.Unlock()
	kv, err := s.store.Settings(ctx)
	if err != nil {
		return err
	}
	// Other parts' settings (the related index's version) do not change the site.
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(kv)) {
		if group, _, _ := strings.Cut(k, "."); slices.Contains(siteGroups, group) {
			fmt.Fprintf(&b, "%q=%q\n", k, kv[k])
		}
	}
	if b.String() == s.live.loaded && s.live.settings.Load() != nil {
		return nil // as in force already
	}
	if err := s.applySettings(readSettings(kv), purge); err != nil {
		return err
	}
	s.live.loaded = b.String()
	return nil
}

// siteGroups are the prefixes of the keys of the settings package web reads.
var siteGroups = []string{"site", "stories", "discussion", "front", "embeds"}

// followSettings puts the settings in force again when the change log says another process
// (another node, the command line) changed them. That process purged the shared caches.
func (s *Server) followSettings(ctx context.Context) {
	if !s.cache.settings.Swap(false) {
		return
	}
	if err := s.reloadSettings(ctx, []string{}); err != nil {
		s.cache.settings.Store(true) // try again on the next look
		s.log.ErrorContext(ctx, "settings: read them again", slog.Any("err", err))
	}
}

// applySettings puts st in force. The site's title, description, address and time zone are part
// of every page and of the template functions, so the Server is copied with the new
// configuration, its routes and templates rebuilt, and swapped in whole: a request sees either
// the old site or the new one. The page cache is emptied once the old copy's renders are done,
// and the old copy caches nothing more, so no page with the old settings outlives the change.
// Shared caches are told to drop the pages with the surrogate keys purge, every page when purge
// is nil, none when it is empty. The caller holds s.live.mu.
func (s *Server) applySettings(st siteSettings, purge []string) error {
	cfg, err := st.apply(s.base)
	if err != nil {
		return err
	}
	n := *s
	n.cfg = cfg
	st.FooterHTML = n.footerHTML(st.Footer)
	n.mux = http.NewServeMux()
	n.gate = &renderGate{}
	if n.views, err = parseViews(n.funcs()); err != nil {
		return err
	}
	n.routes()
	n.h = n.handler()
	old := s.current()
	first := s.live.settings.Load() == nil
	s.live.settings.Store(&st)
	s.live.server.Store(&n)
	// Pages the old copy renders from now on are not cached; those it cached are dropped.
	old.gate.mu.Lock()
	old.gate.retired = true
	s.cache.purge()
	old.gate.mu.Unlock()
	if s.cfg.Purge != nil && !first && (purge == nil || len(purge) > 0) {
		s.cfg.Purge(purge)
	}
	return nil
}

// renderGate stands between a Server copy's page renders and the page cache.
type renderGate struct {
	mu      sync.RWMutex // held for reading while a page renders and enters the cache
	retired bool         // set, under mu, once a newer copy answers: no more caching
}

// settingsForm is the settings form as typed.
type settingsForm struct {
	Title, Description, BaseURL, Timezone         string
	CommentsOpen, HoldAll, HoldUnverified, Newest bool
	LinkLimit, CloseAfterDays, MaxDepth, PerPage  string
	ModerationWords, DisallowedWords              string
	LoadAtOnce                                    []string
}

// settingsPage edits the site's settings.
type settingsPage struct {
	adminLayout
	Form   settingsForm
	Errors map[string]string
	Base   Config // what an empty site field falls back to
	Zones  []string
	// TrustRule says, in one sentence, which comments skip the queue under the saved settings.
	TrustRule string
	Mail      bool // the site sends email
	// Providers are the embed providers the site may load at once.
	Providers []string
}

func formOfSettings(st siteSettings) settingsForm {
	d := st.Discussion
	return settingsForm{Title: st.Title, Description: st.Description, BaseURL: st.BaseURL, Timezone: st.Timezone,
		CommentsOpen: st.CommentsOpen, HoldAll: d.HoldAll, HoldUnverified: d.HoldUnverified, Newest: d.NewestFirst,
		LinkLimit: itoa(d.LinkLimit), CloseAfterDays: itoa(d.CloseAfterDays), MaxDepth: itoa(d.MaxDepth),
		PerPage: itoa(d.PerPage), ModerationWords: strings.Join(d.ModerationWords, "\n"),
		DisallowedWords: strings.Join(d.DisallowedWords, "\n"), LoadAtOnce: st.LoadAtOnce}
}

// parseSettings validates a settings form over the settings in force.
func parseSettings(f settingsForm, cur siteSettings) (siteSettings, map[string]string) {
	errs := map[string]string{}
	st := cur
	st.Title, st.Description = strings.TrimSpace(f.Title), strings.TrimSpace(f.Description)
	st.BaseURL, st.Timezone = strings.TrimRight(strings.TrimSpace(f.BaseURL), "/"), strings.TrimSpace(f.Timezone)
	if utf8.RuneCountInString(st.Title) > 200 || strings.ContainsAny(st.Title, "\r\n\x00") {
		errs["title"] = "Use a title of at most 200 characters on one line."
	}
	if utf8.RuneCountInString(st.Description) > 500 || strings.ContainsRune(st.Description, 0) {
		errs["description"] = "Use a description of at most 500 characters."
	}
	if st.BaseURL != "" {
		u, err := url.Parse(st.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			errs["base_url"] = "Use the site's full address, such as https://news.example.org."
		}
	}
	if st.Timezone != "" {
		if _, err := time.LoadLocation(st.Timezone); err != nil || strings.Contains(st.Timezone, "..") {
			errs["timezone"] = "Use a time zone name such as Europe/London or UTC."
		}
	}
	d := &st.Discussion
	st.CommentsOpen, d.HoldAll, d.HoldUnverified, d.NewestFirst = f.CommentsOpen, f.HoldAll, f.HoldUnverified, f.Newest
	num := func(field, v string, lo, hi int, p *int, msg string) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < lo || n > hi {
			errs[field] = msg
			return
		}
		*p = n
	}
	num("link_limit", f.LinkLimit, 0, 100, &d.LinkLimit, "Use a number from 0 (no limit) to 100.")
	num("close_after_days", f.CloseAfterDays, 0, 36500, &d.CloseAfterDays, "Use a number of days, 0 for never.")
	num("max_depth", f.MaxDepth, 2, 10, &d.MaxDepth, "Use a depth from 2 to 10.")
	num("per_page", f.PerPage, 0, 1000, &d.PerPage, "Use a number from 0 (all on one page) to 1,000.")
	d.ModerationWords, d.DisallowedWords = comment.Words(f.ModerationWords), comment.Words(f.DisallowedWords)
	st.LoadAtOnce = knownProviders(f.LoadAtOnce)
	if len(st.LoadAtOnce) != len(f.LoadAtOnce) {
		errs["load_at_once"] = "Choose among the providers listed."
	}
	return st, errs
}

// handleSettings serves GET /admin/settings/.
func (s *Server) handleSettings(w http.ResponseWriter, r *http.Request, u *account.User) {
	s.showSettings(w, r, u, http.StatusOK, formOfSettings(s.settings()), nil)
}

func (s *Server) showSettings(w http.ResponseWriter, r *http.Request, u *account.User, status int, f settingsForm, errs map[string]string) {
	p := &settingsPage{adminLayout: s.adminLayout(r, u, "Settings"), Form: f, Errors: errs, Base: s.base, Zones: commonZones,
		TrustRule: s.settings().Discussion.TrustRule(s.cfg.Mail), Mail: s.cfg.Mail, Providers: embed.Providers()}
	if len(errs) > 0 {
		p.Error = "The settings were not saved: please correct the fields marked below."
	}
	s.adminPage(w, r, status, "admin_settings", p)
}

// handleSaveSettings serves POST /admin/settings/: the settings are stored and in force at once.
func (s *Server) handleSaveSettings(w http.ResponseWriter, r *http.Request, u *account.User) {
	if err := s.parseForm(w, r); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	v := r.PostForm
	f := settingsForm{Title: v.Get("title"), Description: v.Get("description"), BaseURL: v.Get("base_url"),
		Timezone: v.Get("timezone"), CommentsOpen: v.Get("comments_open") != "", HoldAll: v.Get("hold_all") != "",
		HoldUnverified: v.Get("hold_unverified") != "", Newest: v.Get("newest_first") != "",
		LinkLimit: v.Get("link_limit"), CloseAfterDays: v.Get("close_after_days"), MaxDepth: v.Get("max_depth"),
		PerPage: v.Get("per_page"), ModerationWords: v.Get("moderation_words"), DisallowedWords: v.Get("disallowed_words"),
		LoadAtOnce: v["load_at_once"]}
	st, errs := parseSettings(f, s.settings())
	if len(errs) > 0 {
		s.showSettings(w, r, u, http.StatusUnprocessableEntity, f, errs)
		return
	}
	if err := s.store.SaveSettings(r.Context(), st.kv()); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	if err := s.reloadSettings(r.Context(), nil); err != nil { // the settings show on every page
		s.adminFail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/admin/settings/?msg=settings", http.StatusSeeOther)
}
