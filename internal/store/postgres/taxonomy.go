package postgres

import (
	"context"
	"fmt"

	"github.com/broadsheet/broadsheet/internal/article"
)

// Sections implements store.Taxonomy.
func (s Store) Sections(ctx context.Context) ([]article.Section, error) {
	var list []article.Section
	err := s.each(ctx, `SELECT id, name, slug, description FROM sections ORDER BY name, id`, nil,
		func(sc func(...any) error) error {
			var x article.Section
			if err := sc(&x.ID, &x.Name, &x.Slug, &x.Description); err != nil {
				return err
			}
			list = append(list, x)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("postgres: sections: %w", err)
	}
	return list, nil
}

// SectionBySlug implements store.Taxonomy.
func (s Store) SectionBySlug(ctx context.Context, slug string) (article.Section, error) {
	var x article.Section
	err := s.read().QueryRow(ctx, `SELECT id, name, slug, description FROM sections WHERE slug = $1`, slug).
		Scan(&x.ID, &x.Name, &x.Slug, &x.Description)
	if err != nil {
		return x, fmt.Errorf("postgres: section %q: %w", slug, translate(err))
	}
	return x, nil
}

// SaveSection implements store.Taxonomy.
func (s Store) SaveSection(ctx context.Context, x *article.Section) error {
	err := s.write(ctx, func(q querier) error {
		if x.ID == 0 {
			return translate(q.QueryRow(ctx, `INSERT INTO sections (name, slug, description) VALUES ($1, $2, $3) RETURNING id`,
				x.Name, x.Slug, x.Description).Scan(&x.ID))
		}
		_, err := q.Exec(ctx, `UPDATE sections SET name = $1, slug = $2, description = $3 WHERE id = $4`,
			x.Name, x.Slug, x.Description, x.ID)
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("postgres: section %q: %w", x.Slug, err)
	}
	return nil
}

// Tags implements store.Taxonomy.
func (s Store) Tags(ctx context.Context) ([]article.Tag, error) {
	var list []article.Tag
	err := s.each(ctx, `SELECT id, name, slug FROM tags ORDER BY name, id`, nil,
		func(sc func(...any) error) error {
			var x article.Tag
			if err := sc(&x.ID, &x.Name, &x.Slug); err != nil {
				return err
			}
			list = append(list, x)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("postgres: tags: %w", err)
	}
	return list, nil
}

// TagBySlug implements store.Taxonomy.
func (s Store) TagBySlug(ctx context.Context, slug string) (article.Tag, error) {
	var x article.Tag
	err := s.read().QueryRow(ctx, `SELECT id, name, slug FROM tags WHERE slug = $1`, slug).Scan(&x.ID, &x.Name, &x.Slug)
	if err != nil {
		return x, fmt.Errorf("postgres: tag %q: %w", slug, translate(err))
	}
	return x, nil
}

// Authors implements store.Taxonomy.
func (s Store) Authors(ctx context.Context) ([]article.Author, error) {
	var list []article.Author
	err := s.each(ctx, `SELECT id, name, slug, bio FROM authors ORDER BY name, id`, nil,
		func(sc func(...any) error) error {
			var x article.Author
			if err := sc(&x.ID, &x.Name, &x.Slug, &x.Bio); err != nil {
				return err
			}
			list = append(list, x)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("postgres: authors: %w", err)
	}
	return list, nil
}

// AuthorBySlug implements store.Taxonomy.
func (s Store) AuthorBySlug(ctx context.Context, slug string) (article.Author, error) {
	var x article.Author
	err := s.read().QueryRow(ctx, `SELECT id, name, slug, bio FROM authors WHERE slug = $1`, slug).
		Scan(&x.ID, &x.Name, &x.Slug, &x.Bio)
	if err != nil {
		return x, fmt.Errorf("postgres: author %q: %w", slug, translate(err))
	}
	return x, nil
}

// SaveAuthor implements store.Taxonomy.
func (s Store) SaveAuthor(ctx context.Context, x *article.Author) error {
	err := s.write(ctx, func(q querier) error {
		if x.ID == 0 {
			return translate(q.QueryRow(ctx, `INSERT INTO authors (name, slug, bio) VALUES ($1, $2, $3) RETURNING id`,
				x.Name, x.Slug, x.Bio).Scan(&x.ID))
		}
		_, err := q.Exec(ctx, `UPDATE authors SET name = $1, slug = $2, bio = $3 WHERE id = $4`, x.Name, x.Slug, x.Bio, x.ID)
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("postgres: author %q: %w", x.Slug, err)
	}
	return nil
}
