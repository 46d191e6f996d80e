package web

// routes lists every route of the site in one place.
func (s *Server) routes() {
	m := s.mux
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

	m.HandleFunc("GET /sitemap.xml", s.handleSitemapIndex)
	m.HandleFunc("GET /sitemaps/{file}", s.handleSitemap)
	m.HandleFunc("GET /news-sitemap.xml", s.handleNewsSitemap)
	m.HandleFunc("GET /robots.txt", s.handleRobots)
	m.HandleFunc("GET /healthz", s.handleHealth)
	m.HandleFunc("GET /static/{file}", s.serveStatic)
	m.HandleFunc("GET /static/{dir}/{file}", s.serveStatic)

	m.HandleFunc("GET /{slug}/{$}", s.handlePage)
	m.HandleFunc("/", s.notFound)
}
