package web

import (
	"context"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
)

// pinRow is one pin as the front page form shows it.
type pinRow struct {
	Field string // the form field's name prefix: "lead", "featured3", "breaking"
	ID    string
	Until string // datetime-local in the newsroom's zone, "" for none
	Ended bool   // the pin's time has passed: the automatic order shows instead
}

// sectionRow is one section as the front page form shows it.
type sectionRow struct {
	Section  article.Section
	Position string // "" when the section is not on the front page
	Count    string
}

// storyOption is a story an editor may pin.
type storyOption struct {
	ID    int64
	Label string
}

// frontAdminPage edits the front page.
type frontAdminPage struct {
	adminLayout
	Lead     pinRow
	Featured []pinRow
	Breaking pinRow
	Sections []sectionRow
	Stories  []storyOption
	Zone     string
	Errors   map[string]string
}

// localInput is the form field value of t in loc.
func localInput(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02T15:04")
}

// handleFront serves GET /admin/front/: the lead, featured stories, section blocks and the
// breaking-news banner.
func (s *Server) handleFront(w http.ResponseWriter, r *http.Request, u *account.User) {
	plan := s.settings().Front
	now, loc := s.now(), s.cfg.Location
	row := func(field string, x frontPin) pinRow {
		if x.ID == 0 {
			return pinRow{Field: field}
		}
		return pinRow{Field: field, ID: strconv.FormatInt(x.ID, 10), Until: localInput(x.Until, loc), Ended: !x.active(now)}
	}
	p := &frontAdminPage{Lead: row("lead", plan.Lead), Breaking: row("breaking", plan.Breaking)}
	for i := range maxFeatured {
		var x frontPin
		if i < len(plan.Featured) {
			x = plan.Featured[i]
		}
		p.Featured = append(p.Featured, row("featured"+itoa(i+1), x))
	}
	pos := map[int64]frontSection{}
	order := map[int64]int{}
	for i, fs := range plan.Sections {
		pos[fs.ID], order[fs.ID] = fs, i+1
	}
	secs, err := s.store.Sections(r.Context())
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	for _, sec := range secs {
		row := sectionRow{Section: sec, Count: "4"}
		if fs, ok := pos[sec.ID]; ok {
			row.Position, row.Count = itoa(order[sec.ID]), itoa(fs.Count)
		}
		p.Sections = append(p.Sections, row)
	}
	s.showFront(w, r, u, http.StatusOK, p)
}

func (s *Server) showFront(w http.ResponseWriter, r *http.Request, u *account.User, status int, p *frontAdminPage) {
	p.adminLayout = s.adminLayout(r, u, "Front page")
	p.Zone = s.cfg.Location.String()
	var pinned []int64
	for _, x := range append([]pinRow{p.Lead, p.Breaking}, p.Featured...) {
		if id, err := strconv.ParseInt(x.ID, 10, 64); err == nil {
			pinned = append(pinned, id)
		}
	}
	opts, err := s.storyOptions(r.Context(), pinned)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	p.Stories = opts
	if len(p.Errors) > 0 {
		p.Error = "The front page was not saved: please correct the fields marked below."
	}
	s.adminPage(w, r, status, "admin_front", p)
}

// storyOptions are the stories an editor may pin: the latest live ones, and those pinned now.
func (s *Server) storyOptions(ctx context.Context, pinned []int64) ([]storyOption, error) {
	list, _, err := s.store.ListArticles(ctx, store.ArticleQuery{LiveAt: s.now(), Kind: article.Story, Limit: 100})
	if err != nil {
		return nil, err
	}
	for _, id := range pinned {
		if slices.ContainsFunc(list, func(a *article.Article) bool { return a.ID == id }) {
			continue
		}
		if a, err := s.store.Article(ctx, id); err == nil {
			list = append(list, a)
		}
	}
	out := make([]storyOption, len(list))
	for i, a := range list {
		label := a.Title
		if !a.PublishedAt.IsZero() {
			label += " (" + a.PublishedAt.In(s.cfg.Location).Format("2 Jan 2006") + ")"
		}
		out[i] = storyOption{ID: a.ID, Label: label}
	}
	return out, nil
}

// handleSaveFront serves POST /admin/front/: the plan is stored and in force at once. The front
// page leaves every cache; a change to the banner, every page.
func (s *Server) handleSaveFront(w http.ResponseWriter, r *http.Request, u *account.User) {
	if err := s.parseForm(w, r); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	v := r.PostForm
	now, loc := s.now(), s.cfg.Location
	errs := map[string]string{}
	p := &frontAdminPage{Errors: errs}
	var plan frontPlan
	pin := func(field string, needUntil bool) (pinRow, frontPin) {
		row := pinRow{Field: field, ID: strings.TrimSpace(v.Get(field)), Until: strings.TrimSpace(v.Get(field + "_until"))}
		if row.ID == "" {
			return row, frontPin{}
		}
		id, err := strconv.ParseInt(row.ID, 10, 64)
		if err != nil || id <= 0 {
			errs[field] = "Choose a story from the list."
			return row, frontPin{}
		}
		a, err := s.store.Article(r.Context(), id)
		if err != nil || !a.Live(now) || a.Kind != article.Story {
			errs[field] = "That story is not published: choose a published story."
			return row, frontPin{}
		}
		x := frontPin{ID: id}
		switch {
		case row.Until == "" && needUntil:
			x.Until = now.Add(defaultBreakingFor).Truncate(time.Minute)
			row.Until = localInput(x.Until, loc)
		case row.Until != "":
			t, err := time.ParseInLocation("2006-01-02T15:04", row.Until, loc)
			if err != nil {
				errs[field+"_until"] = "Use a date and time such as 2026-12-08T18:00."
			} else if !t.After(now) {
				errs[field+"_until"] = "Choose a time in the future, or leave it empty."
			}
			x.Until = t
		}
		return row, x
	}
	p.Lead, plan.Lead = pin("lead", false)
	p.Breaking, plan.Breaking = pin("breaking", true)
	seen := map[int64]bool{plan.Lead.ID: true}
	for i := range maxFeatured {
		field := "featured" + itoa(i+1)
		row, x := pin(field, false)
		p.Featured = append(p.Featured, row)
		if x.ID == 0 {
			continue
		}
		if seen[x.ID] {
			errs[field] = "That story is already on the front page above."
			continue
		}
		seen[x.ID] = true
		plan.Featured = append(plan.Featured, x)
	}
	secs, err := s.store.Sections(r.Context())
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	type placed struct {
		pos float64
		fs  frontSection
	}
	var blocks []placed
	for _, sec := range secs {
		id := itoa64(sec.ID)
		row := sectionRow{Section: sec, Position: strings.TrimSpace(v.Get("section" + id)),
			Count: strings.TrimSpace(v.Get("count" + id))}
		p.Sections = append(p.Sections, row)
		if row.Position == "" {
			continue
		}
		pos, err := strconv.ParseFloat(row.Position, 64)
		if err != nil || pos < 1 || pos > 1000 || math.IsNaN(pos) {
			errs["section"+id] = "Use a position from 1 (first), or leave it empty to leave the section out."
			continue
		}
		n, err := strconv.Atoi(row.Count)
		if err != nil || n < 1 || n > maxSectionStories {
			errs["count"+id] = "Use a number of stories from 1 to " + itoa(maxSectionStories) + "."
			continue
		}
		blocks = append(blocks, placed{pos, frontSection{ID: sec.ID, Count: n}})
	}
	if len(blocks) > maxFrontSections {
		errs["sections"] = "Put at most " + itoa(maxFrontSections) + " sections on the front page."
	}
	slices.SortStableFunc(blocks, func(a, b placed) int {
		if a.pos < b.pos {
			return -1
		}
		if a.pos > b.pos {
			return 1
		}
		return 0
	})
	for _, b := range blocks {
		plan.Sections = append(plan.Sections, b.fs)
	}
	if len(errs) > 0 {
		s.showFront(w, r, u, http.StatusUnprocessableEntity, p)
		return
	}
	if err := s.store.SaveSettings(r.Context(), map[string]string{keyFrontPlan: plan.String()}); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	purge := []string{SurrogateKey(frontPageDep)}
	if s.settings().Front.Breaking != plan.Breaking {
		purge = nil // the banner shows on every page
	}
	if err := s.reloadSettings(r.Context(), purge); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/admin/front/?msg=front", http.StatusSeeOther)
}

// identityAdminPage edits the theme's settings.
type identityAdminPage struct {
	adminLayout
	Logo     *logoView
	LogoSVG  string // the SVG logo's address, "" for none
	LogoItem int64
	Pictures []*media.Item
	Accent   string
	Footer   string
	Menu     []menuRow
	Sections []article.Section
	Pages    []storyOption
	Errors   map[string]string
}

// menuRow is one menu entry as the editor lists it.
type menuRow struct {
	Label, URL, Kind string
}

// handleIdentity serves GET /admin/identity/: logo, accent colour, menu and footer.
func (s *Server) handleIdentity(w http.ResponseWriter, r *http.Request, u *account.User) {
	st := s.settings()
	s.showIdentity(w, r, u, http.StatusOK, &identityAdminPage{Accent: st.Accent, Footer: st.Footer})
}

func (s *Server) showIdentity(w http.ResponseWriter, r *http.Request, u *account.User, status int, p *identityAdminPage) {
	ctx := r.Context()
	st := s.settings()
	p.adminLayout = s.adminLayout(r, u, "Site identity")
	p.LogoItem = st.Logo.Item
	if st.Logo.Src != "" {
		p.Logo = &logoView{Src: st.Logo.Src, Width: st.Logo.Width, Height: st.Logo.Height}
	}
	if st.Logo.SVG != "" {
		p.LogoSVG = "/logo/" + st.Logo.SVG + ".svg"
	}
	var err error
	if s.cfg.Media != nil {
		if p.Pictures, _, err = s.store.ListMedia(ctx, store.MediaQuery{Limit: 200}); err != nil {
			s.adminFail(w, r, u, err)
			return
		}
	}
	if p.Sections, err = s.store.Sections(ctx); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	pages, _, err := s.store.ListArticles(ctx, store.ArticleQuery{LiveAt: s.now(), Kind: article.Page, Limit: 200})
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	for _, a := range pages {
		p.Pages = append(p.Pages, storyOption{ID: a.ID, Label: a.Title})
	}
	menu := st.Menu
	if !st.MenuSet {
		for _, x := range p.Sections {
			menu = append(menu, menuItem{Kind: "section", ID: x.ID})
		}
	}
	for _, it := range menu {
		row := menuRow{Kind: "Link", Label: it.Label, URL: it.URL}
		switch it.Kind {
		case "section":
			row.Kind = "Section"
			if i := slices.IndexFunc(p.Sections, func(x article.Section) bool { return x.ID == it.ID }); i >= 0 {
				row.Label, row.URL = orLabel(it.Label, p.Sections[i].Name), "/section/"+p.Sections[i].Slug+"/"
			} else {
				row.Label = "(a deleted section)"
			}
		case "page":
			row.Kind = "Page"
			if a, err := s.store.Article(ctx, it.ID); err == nil {
				row.Label, row.URL = orLabel(it.Label, a.Title), s.permalink(a)
			} else {
				row.Label = "(a deleted page)"
			}
		}
		p.Menu = append(p.Menu, row)
	}
	if len(p.Errors) > 0 {
		p.Error = "The site identity was not saved: please correct the fields marked below."
	}
	s.adminPage(w, r, status, "admin_identity", p)
}

// handleSaveIdentity serves POST /admin/identity/ (multipart): the logo (a library picture,
// a new upload, an SVG), the accent colour and the footer.
func (s *Server) handleSaveIdentity(w http.ResponseWriter, r *http.Request, u *account.User) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes+s.media().Limit()+maxSVG+drainLimit)
	files, err := s.readMultipart(r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	v := r.PostForm
	st := s.settings()
	p := &identityAdminPage{Accent: strings.TrimSpace(v.Get("accent")), Footer: v.Get("footer"), Errors: map[string]string{}}
	errs := p.Errors
	ctx := r.Context()
	logo := st.Logo
	switch item := v.Get("logo_item"); {
	case v.Get("remove_logo") != "":
		logo = siteLogo{SVG: logo.SVG, SVGWidth: logo.SVGWidth, SVGHeight: logo.SVGHeight}
	case files["logo_file"].Name != "":
		it, _, err := s.upload(ctx, u, files["logo_file"], media.Upload{Alt: s.cfg.Title + " logo"})
		if _, msg, ok := uploadError(err, s.media().Limit()); ok {
			errs["logo_file"] = msg
		} else if err != nil {
			s.adminFail(w, r, u, err)
			return
		} else {
			rasterLogo(it, &logo)
		}
	case item != "" && item != itoa64(logo.Item):
		id, err := strconv.ParseInt(item, 10, 64)
		it, err2 := s.store.MediaItem(ctx, id)
		if err != nil || err2 != nil {
			errs["logo_item"] = "Choose a picture from the library."
		} else {
			rasterLogo(it, &logo)
		}
	}
	switch f := files["logo_svg"]; {
	case v.Get("remove_svg") != "":
		logo.SVG, logo.SVGWidth, logo.SVGHeight = "", 0, 0
	case f.Name != "":
		sw, sh, err := svgSize(f.Data)
		switch {
		case f.TooBig || len(f.Data) > maxSVG:
			errs["logo_svg"] = "Use an SVG file of at most 512 KB."
		case err != nil:
			errs["logo_svg"] = "That file is not an SVG image."
		case s.cfg.Media == nil:
			errs["logo_svg"] = "This site has no media library to keep the file in."
		default:
			hash, err := s.putSVGLogo(ctx, f.Data)
			if err != nil {
				s.adminFail(w, r, u, err)
				return
			}
			logo.SVG, logo.SVGWidth, logo.SVGHeight = hash, sw, sh
		}
	}
	if p.Accent != "" {
		if !validAccent(p.Accent) {
			errs["accent"] = "Use a colour written as # and six hexadecimal digits, such as #8a1c1c."
		} else if c := contrast(p.Accent, "#ffffff"); c < 4.5 {
			errs["accent"] = "That colour is too light for white text and links on the page (contrast " +
				strconv.FormatFloat(c, 'f', 1, 64) + ":1; at least 4.5:1 is needed). Choose a darker one."
		}
	}
	if utf8.RuneCountInString(p.Footer) > 2000 {
		errs["footer"] = "Use a footer of at most 2,000 characters."
	}
	if len(errs) > 0 {
		s.showIdentity(w, r, u, http.StatusUnprocessableEntity, p)
		return
	}
	st.Logo, st.Accent, st.Footer = logo, strings.ToLower(p.Accent), p.Footer
	if err := s.saveSettings(ctx, st.identityKV()); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/admin/identity/?msg=identity", http.StatusSeeOther)
}

// saveSettings stores some of the theme's settings and puts them in force: they show on every
// page.
func (s *Server) saveSettings(ctx context.Context, kv map[string]string) error {
	if err := s.store.SaveSettings(ctx, kv); err != nil {
		return err
	}
	return s.reloadSettings(ctx, nil)
}

// handleEditMenu serves POST /admin/identity/menu: add an entry, or move or remove one.
func (s *Server) handleEditMenu(w http.ResponseWriter, r *http.Request, u *account.User) {
	if err := s.parseForm(w, r); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	v := r.PostForm
	ctx := r.Context()
	st := s.settings()
	secs, err := s.store.Sections(ctx)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	menu := slices.Clone(st.Menu)
	if !st.MenuSet {
		for _, x := range secs {
			menu = append(menu, menuItem{Kind: "section", ID: x.ID})
		}
	}
	label := strings.TrimSpace(v.Get("label"))
	p := &identityAdminPage{Accent: st.Accent, Footer: st.Footer, Errors: map[string]string{}}
	if utf8.RuneCountInString(label) > 60 || strings.ContainsAny(label, "\r\n") {
		p.Errors["label"] = "Use a label of at most 60 characters on one line."
	}
	i, _ := strconv.Atoi(v.Get("i"))
	switch act := v.Get("action"); {
	case act == "up" && i > 0 && i < len(menu):
		menu[i-1], menu[i] = menu[i], menu[i-1]
	case act == "down" && i >= 0 && i < len(menu)-1:
		menu[i+1], menu[i] = menu[i], menu[i+1]
	case act == "remove" && i >= 0 && i < len(menu):
		menu = slices.Delete(menu, i, i+1)
	case act == "add-section":
		id, _ := strconv.ParseInt(v.Get("section"), 10, 64)
		if !slices.ContainsFunc(secs, func(x article.Section) bool { return x.ID == id }) {
			p.Errors["section"] = "Choose a section."
		}
		menu = append(menu, menuItem{Kind: "section", ID: id, Label: label})
	case act == "add-page":
		id, _ := strconv.ParseInt(v.Get("page"), 10, 64)
		if a, err := s.store.Article(ctx, id); err != nil || a.Kind != article.Page {
			p.Errors["page"] = "Choose a page."
		}
		menu = append(menu, menuItem{Kind: "page", ID: id, Label: label})
	case act == "add-link":
		u := strings.TrimSpace(v.Get("url"))
		if !validMenuURL(u) {
			p.Errors["url"] = "Use an address starting with https://, http:// or / (a page of this site)."
		}
		if label == "" {
			p.Errors["label"] = "Give the link a label."
		}
		menu = append(menu, menuItem{Kind: "link", URL: u, Label: label})
	default:
		s.adminFail(w, r, u, badRequest("That menu change is not one this page offers."))
		return
	}
	if len(menu) > 30 {
		p.Errors["menu"] = "The menu holds at most 30 entries."
	}
	if len(p.Errors) > 0 {
		s.showIdentity(w, r, u, http.StatusUnprocessableEntity, p)
		return
	}
	st.Menu = menu
	if err := s.saveSettings(ctx, st.menuKV()); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/admin/identity/?msg=menu#menu", http.StatusSeeOther)
}

// contrast is the WCAG contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(hex string) float64 {
	var c [3]float64
	for i := range c {
		n, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		x := float64(n) / 255
		if x <= 0.04045 {
			x /= 12.92
		} else {
			x = math.Pow((x+0.055)/1.055, 2.4)
		}
		c[i] = x
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}
