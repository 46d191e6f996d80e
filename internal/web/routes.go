package web

import (
	"net/http"

	"github.com/broadsheet/broadsheet/internal/account"
)

// router registers routes on the Server's mux and records their patterns, so that Routes can
// list them: a test that must cover every route (the cross-site sweep) cannot miss a new one.
type router struct{ s *Server }

func (r router) HandleFunc(pattern string, h http.HandlerFunc) {
	r.s.mux.HandleFunc(pattern, h)
	r.s.patterns = append(r.s.patterns, pattern)
}

// Routes returns the pattern of every route, in the order routes lists them.
func (s *Server) Routes() []string { return append([]string(nil), s.patterns...) }

// routes lists every route of the site in one place.
func (s *Server) routes() {
	m := router{s}
	m.HandleFunc("GET /{$}", s.handleHome)
	m.HandleFunc("GET /{year}/{month}/{day}/{slug}/{$}", s.handleStory)
	m.HandleFunc("GET /section/{slug}/{$}", s.handleSection)
	m.HandleFunc("GET /tag/{slug}/{$}", s.handleTag)
	m.HandleFunc("GET /author/{slug}/{$}", s.handleAuthor)
	m.HandleFunc("GET /category/{slug}/{$}", s.handleCategory)
	m.HandleFunc("GET /search", s.handleSearch)

	m.HandleFunc("GET /feed/{$}", s.handleFeed)
	m.HandleFunc("GET /feed/atom/{$}", s.handleFeed)
	m.HandleFunc("GET /feed.json", s.handleFeed)
	m.HandleFunc("GET /section/{slug}/feed/{$}", s.handleFeed)
	m.HandleFunc("GET /section/{slug}/feed/atom/{$}", s.handleFeed)
	m.HandleFunc("GET /tag/{slug}/feed/{$}", s.handleFeed)
	m.HandleFunc("GET /tag/{slug}/feed/atom/{$}", s.handleFeed)
	m.HandleFunc("GET /author/{slug}/feed/{$}", s.handleFeed)
	m.HandleFunc("GET /author/{slug}/feed/atom/{$}", s.handleFeed)

	m.HandleFunc("POST /comments", s.handlePostComment)
	m.HandleFunc("GET /comments/token", s.handleCommentToken)
	m.HandleFunc("GET /comments/verify", s.handleVerifyEmail)
	m.HandleFunc("GET /comments/unsubscribe", s.handleUnsubscribe)
	m.HandleFunc("POST /comments/unsubscribe", s.handleUnsubscribe)
	m.HandleFunc("GET /comments/feed/{$}", s.handleCommentFeed)
	m.HandleFunc("GET /comments/feed/atom/{$}", s.handleCommentFeed)
	m.HandleFunc("GET /{year}/{month}/{day}/{slug}/feed/{$}", s.handleCommentFeed)
	m.HandleFunc("GET /{year}/{month}/{day}/{slug}/feed/atom/{$}", s.handleCommentFeed)
	m.HandleFunc("GET /avatars/{key}", s.handleAvatar)
	m.HandleFunc("GET /media/{hash}/{file}", s.handleMedia)

	m.HandleFunc("GET /sitemap.xml", s.handleSitemapIndex)
	m.HandleFunc("GET /sitemaps/{file}", s.handleSitemap)
	m.HandleFunc("GET /news-sitemap.xml", s.handleNewsSitemap)
	m.HandleFunc("GET /robots.txt", s.handleRobots)
	m.HandleFunc("GET /healthz", s.handleHealth)
	m.HandleFunc("GET /static/{file}", s.serveStatic)
	m.HandleFunc("GET /static/{dir}/{file}", s.serveStatic)

	// Newsroom: the admin (server-rendered, signed in with a session cookie) and the JSON API
	// (signed in with an API token). Every route names the least role it needs; handlers check
	// the story they act on.
	m.HandleFunc("GET /admin/login", s.handleLoginForm)
	m.HandleFunc("POST /admin/login", s.handleLogin)
	m.HandleFunc("POST /admin/logout", s.handleLogout)
	m.HandleFunc("POST /admin/logout-everywhere", s.staff(account.ViewAdmin, s.handleLogoutEverywhere))
	m.HandleFunc("GET /admin/setup", s.handleSetupForm)
	m.HandleFunc("POST /admin/setup", s.handleSetup)
	m.HandleFunc("GET /admin/{$}", s.staff(account.ViewAdmin, s.handleDashboard))
	m.HandleFunc("GET /admin/profile/{$}", s.staff(account.ViewAdmin, s.handleProfile))
	m.HandleFunc("POST /admin/profile/{$}", s.staff(account.ViewAdmin, s.handleSaveProfile))
	m.HandleFunc("POST /admin/profile/tokens", s.staff(account.ViewAdmin, s.handleCreateToken))
	m.HandleFunc("POST /admin/profile/tokens/{id}/delete", s.staff(account.ViewAdmin, s.handleDeleteToken))
	m.HandleFunc("GET /admin/stories/{$}", s.staff(account.CreateStory, s.handleStories))
	m.HandleFunc("GET /admin/stories/new", s.staff(account.CreateStory, s.handleNewStory))
	m.HandleFunc("POST /admin/stories/new", s.staff(account.CreateStory, s.handleCreateStory))
	m.HandleFunc("GET /admin/stories/{id}/{$}", s.staff(account.CreateStory, s.handleEditStory))
	m.HandleFunc("POST /admin/stories/{id}/{$}", s.staff(account.CreateStory, s.handleSaveStory))
	m.HandleFunc("GET /admin/stories/{id}/preview", s.staff(account.CreateStory, s.handlePreviewStory))
	m.HandleFunc("POST /admin/stories/{id}/autosave", s.staff(account.CreateStory, s.handleAutosave))
	m.HandleFunc("POST /admin/stories/{id}/related", s.staff(account.CreateStory, s.handleSaveRelated))
	m.HandleFunc("POST /admin/stories/{id}/delete", s.staff(account.CreateStory, s.handleDeleteStory))
	m.HandleFunc("GET /admin/stories/{id}/revisions/{$}", s.staff(account.CreateStory, s.handleRevisions))
	m.HandleFunc("GET /admin/stories/{id}/revisions/{rev}", s.staff(account.CreateStory, s.handleRevision))
	m.HandleFunc("POST /admin/stories/{id}/revisions/{rev}/restore", s.staff(account.CreateStory, s.handleRestoreRevision))
	m.HandleFunc("POST /admin/preview", s.staff(account.CreateStory, s.handleRenderPreview))
	m.HandleFunc("GET /admin/tags/suggest", s.staff(account.CreateStory, s.handleTagSuggest))
	m.HandleFunc("GET /admin/media/{$}", s.staff(account.CreateStory, s.handleMediaLibrary))
	m.HandleFunc("POST /admin/media/{$}", s.staff(account.CreateStory, s.handleUploadMedia))
	m.HandleFunc("GET /admin/media/{id}/{$}", s.staff(account.CreateStory, s.handleMediaItem))
	m.HandleFunc("POST /admin/media/{id}/{$}", s.staff(account.CreateStory, s.handleSaveMediaItem))
	m.HandleFunc("POST /admin/media/{id}/delete", s.staff(account.ManageMedia, s.handleDeleteMediaItem))
	m.HandleFunc("GET /admin/sections/{$}", s.staff(account.ManageTaxonomy, s.handleTerms))
	m.HandleFunc("POST /admin/sections/{$}", s.staff(account.ManageTaxonomy, s.handleSaveTerm))
	m.HandleFunc("GET /admin/sections/{id}/{$}", s.staff(account.ManageTaxonomy, s.handleTerm))
	m.HandleFunc("POST /admin/sections/{id}/{$}", s.staff(account.ManageTaxonomy, s.handleSaveTerm))
	m.HandleFunc("POST /admin/sections/{id}/delete", s.staff(account.ManageTaxonomy, s.handleDeleteTerm))
	m.HandleFunc("GET /admin/tags/{$}", s.staff(account.ManageTaxonomy, s.handleTerms))
	m.HandleFunc("POST /admin/tags/{$}", s.staff(account.ManageTaxonomy, s.handleSaveTerm))
	m.HandleFunc("GET /admin/tags/{id}/{$}", s.staff(account.ManageTaxonomy, s.handleTerm))
	m.HandleFunc("POST /admin/tags/{id}/{$}", s.staff(account.ManageTaxonomy, s.handleSaveTerm))
	m.HandleFunc("POST /admin/tags/{id}/delete", s.staff(account.ManageTaxonomy, s.handleDeleteTerm))
	m.HandleFunc("GET /admin/authors/{$}", s.staff(account.ManageTaxonomy, s.handleTerms))
	m.HandleFunc("POST /admin/authors/{$}", s.staff(account.ManageTaxonomy, s.handleSaveTerm))
	m.HandleFunc("GET /admin/authors/{id}/{$}", s.staff(account.ManageTaxonomy, s.handleTerm))
	m.HandleFunc("POST /admin/authors/{id}/{$}", s.staff(account.ManageTaxonomy, s.handleSaveTerm))
	m.HandleFunc("POST /admin/authors/{id}/delete", s.staff(account.ManageTaxonomy, s.handleDeleteTerm))
	m.HandleFunc("GET /admin/users/{$}", s.staff(account.ManageUsers, s.handleUsers))
	m.HandleFunc("POST /admin/users/{$}", s.staff(account.ManageUsers, s.handleCreateUser))
	m.HandleFunc("GET /admin/users/{id}/{$}", s.staff(account.ManageUsers, s.handleUser))
	m.HandleFunc("POST /admin/users/{id}/{$}", s.staff(account.ManageUsers, s.handleSaveUser))
	m.HandleFunc("POST /admin/users/{id}/delete", s.staff(account.ManageUsers, s.handleDeleteUser))
	m.HandleFunc("POST /admin/users/{id}/logout", s.staff(account.ManageUsers, s.handleEndUserSessions))
	m.HandleFunc("GET /admin/settings/{$}", s.staff(account.ManageSettings, s.handleSettings))
	m.HandleFunc("POST /admin/settings/{$}", s.staff(account.ManageSettings, s.handleSaveSettings))

	// Comments: the moderation queues, one comment's page, staff replies, bans, and the privacy
	// tools, which only administrators (ManageSettings) may use.
	m.HandleFunc("GET /admin/comments/{$}", s.staff(account.ModerateComments, s.handleComments))
	m.HandleFunc("POST /admin/comments/{$}", s.staff(account.ModerateComments, s.handleModerate))
	m.HandleFunc("GET /admin/comments/{id}/{$}", s.staff(account.ModerateComments, s.handleComment))
	m.HandleFunc("POST /admin/comments/{id}/{$}", s.staff(account.ModerateComments, s.handleSaveComment))
	m.HandleFunc("POST /admin/comments/{id}/reply", s.staff(account.ModerateComments, s.handleStaffReply))
	m.HandleFunc("POST /admin/comments/{id}/feature", s.staff(account.ModerateComments, s.handleFeatureComment))
	m.HandleFunc("GET /admin/comments/bans", s.staff(account.ModerateComments, s.handleBans))
	m.HandleFunc("POST /admin/comments/bans", s.staff(account.ModerateComments, s.handleSaveBan))
	m.HandleFunc("POST /admin/comments/bans/{id}/delete", s.staff(account.ModerateComments, s.handleDeleteBan))
	m.HandleFunc("GET /admin/comments/privacy", s.staff(account.ManageSettings, s.handlePrivacy))
	m.HandleFunc("POST /admin/comments/privacy/export", s.staff(account.ManageSettings, s.handlePrivacyExport))
	m.HandleFunc("POST /admin/comments/privacy/erase", s.staff(account.ManageSettings, s.handlePrivacyErase))

	m.HandleFunc("GET /api/v1/me", s.api(account.ViewAdmin, s.handleAPIMe))
	m.HandleFunc("GET /api/v1/stories", s.api(account.CreateStory, s.handleAPIStories))
	m.HandleFunc("POST /api/v1/stories", s.api(account.CreateStory, s.handleAPICreateStory))
	m.HandleFunc("GET /api/v1/stories/{id}", s.api(account.CreateStory, s.handleAPIStory))
	m.HandleFunc("PUT /api/v1/stories/{id}", s.api(account.CreateStory, s.handleAPIUpdateStory))
	m.HandleFunc("DELETE /api/v1/stories/{id}", s.api(account.CreateStory, s.handleAPIDeleteStory))
	m.HandleFunc("GET /api/v1/stories/{id}/revisions", s.api(account.CreateStory, s.handleAPIRevisions))
	m.HandleFunc("POST /api/v1/preview", s.api(account.CreateStory, s.handleAPIPreview))
	m.HandleFunc("GET /api/v1/media", s.api(account.CreateStory, s.handleAPIMedia))
	m.HandleFunc("POST /api/v1/media", s.api(account.CreateStory, s.handleAPIUploadMedia))
	m.HandleFunc("GET /api/v1/sections", s.api(account.CreateStory, s.handleAPITerms))
	m.HandleFunc("POST /api/v1/sections", s.api(account.ManageTaxonomy, s.handleAPISaveTerm))
	m.HandleFunc("PUT /api/v1/sections/{id}", s.api(account.ManageTaxonomy, s.handleAPISaveTerm))
	m.HandleFunc("DELETE /api/v1/sections/{id}", s.api(account.ManageTaxonomy, s.handleAPIDeleteTerm))
	m.HandleFunc("GET /api/v1/tags", s.api(account.CreateStory, s.handleAPITerms))
	m.HandleFunc("POST /api/v1/tags", s.api(account.ManageTaxonomy, s.handleAPISaveTerm))
	m.HandleFunc("PUT /api/v1/tags/{id}", s.api(account.ManageTaxonomy, s.handleAPISaveTerm))
	m.HandleFunc("DELETE /api/v1/tags/{id}", s.api(account.ManageTaxonomy, s.handleAPIDeleteTerm))
	m.HandleFunc("GET /api/v1/authors", s.api(account.CreateStory, s.handleAPITerms))
	m.HandleFunc("POST /api/v1/authors", s.api(account.ManageTaxonomy, s.handleAPISaveTerm))
	m.HandleFunc("PUT /api/v1/authors/{id}", s.api(account.ManageTaxonomy, s.handleAPISaveTerm))
	m.HandleFunc("DELETE /api/v1/authors/{id}", s.api(account.ManageTaxonomy, s.handleAPIDeleteTerm))
	m.HandleFunc("GET /api/v1/users", s.api(account.ManageUsers, s.handleAPIUsers))
	m.HandleFunc("POST /api/v1/users", s.api(account.ManageUsers, s.handleAPICreateUser))
	m.HandleFunc("GET /api/v1/settings", s.api(account.ManageSettings, s.handleAPISettings))
	m.HandleFunc("PUT /api/v1/settings", s.api(account.ManageSettings, s.handleAPISaveSettings))
	m.HandleFunc("GET /api/v1/comments", s.api(account.ModerateComments, s.handleAPIComments))
	m.HandleFunc("POST /api/v1/comments/status", s.api(account.ModerateComments, s.handleAPICommentStatus))
	m.HandleFunc("GET /api/v1/comments/{id}", s.api(account.ModerateComments, s.handleAPIComment))
	m.HandleFunc("PATCH /api/v1/comments/{id}", s.api(account.ModerateComments, s.handleAPIUpdateComment))
	m.HandleFunc("DELETE /api/v1/comments/{id}", s.api(account.ModerateComments, s.handleAPIDeleteComment))
	m.HandleFunc("POST /api/v1/comments/{id}/replies", s.api(account.ModerateComments, s.handleAPIReply))

	m.HandleFunc("GET /{slug}/{$}", s.handlePage)
	m.HandleFunc("/", s.notFound)
}
