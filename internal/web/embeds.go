package web

import (
	"context"
	"log/slog"
	"slices"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/embed"
	"github.com/broadsheet/broadsheet/internal/media"
)

// thumbWidth is the width of the library rendition a card shows.
const thumbWidth = 480

// embedCards returns the cards of the addresses alone on the lines of after's body, for its
// save: those its last save stored, and the others fetched now (Config.Embeds), their
// thumbnails put in the media library so that readers' browsers ask no third party. An address
// that cannot be fetched is logged and shows without a card; the save goes on.
func (s *Server) embedCards(ctx context.Context, u *account.User, before, after *article.Article) []embed.Card {
	var known []embed.Card
	if before != nil {
		known = embed.Stored(before.BodyHTML)
	}
	if s.cfg.Embeds == nil {
		return known
	}
	urls, err := s.cfg.Renderer.Addresses(after.Body)
	if err != nil || len(urls) == 0 {
		return known
	}
	cards, problems := s.cfg.Embeds.Cards(ctx, urls, known)
	for i := range cards {
		c := &cards[i]
		if c.ThumbData == nil {
			continue
		}
		if s.cfg.Media != nil {
			it, _, err := s.cfg.Media.Add(ctx, s.store, media.Upload{Name: "embed-" + c.Provider, Data: c.ThumbData,
				Alt: c.Title, Credit: c.Provider, UploaderID: u.ID})
			if err != nil {
				s.log.InfoContext(ctx, "embed: thumbnail not kept", slog.String("url", c.URL), slog.Any("err", err))
			} else {
				size := it.Fit(thumbWidth)
				c.Thumb, c.ThumbWidth, c.ThumbHeight = media.URL(size.File), size.Width, size.Height
			}
		}
		c.ThumbData = nil
	}
	for addr, err := range problems {
		s.log.InfoContext(ctx, "embed: address not described", slog.String("url", addr), slog.Any("err", err))
	}
	return cards
}

// plainLinks returns the addresses alone on the lines of a's body that show as plain links:
// neither a built-in provider's nor described at its last save. Nothing when the site fetches
// no descriptions.
func (s *Server) plainLinks(a *article.Article) []string {
	if s.cfg.Embeds == nil {
		return nil
	}
	urls, err := s.cfg.Renderer.Addresses(a.Body)
	if err != nil || len(urls) == 0 {
		return nil
	}
	cards := embed.Stored(a.BodyHTML)
	var plain []string
	for _, u := range urls {
		if _, ok := embed.Lookup(u); ok || slices.ContainsFunc(cards, func(c embed.Card) bool { return c.URL == u }) {
			continue
		}
		plain = append(plain, u)
	}
	return plain
}
