package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/broadsheet/broadsheet/internal/store"
)

func jobChecks() []check {
	return []check{
		{"Exclusive", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			running, release := make(chan struct{}), make(chan struct{})
			first := make(chan error)
			go func() {
				ran, err := s.Exclusive(ctx, "mail", func(context.Context) error {
					close(running)
					<-release
					return nil
				})
				if !ran {
					err = errors.New("did not run")
				}
				first <- err
			}()
			<-running
			ran, err := s.Exclusive(ctx, "mail", func(context.Context) error {
				t.Errorf("Exclusive(%q) ran fn while the job was running", "mail")
				return nil
			})
			if ran || err != nil {
				t.Errorf("Exclusive(%q) while it runs = %v, %v; want false, nil", "mail", ran, err)
			}
			other := false
			if ran, err := s.Exclusive(ctx, "publish", func(context.Context) error { other = true; return nil }); !ran || err != nil || !other {
				t.Errorf("Exclusive(%q) beside another job = %v, %v (ran fn: %v); want it run", "publish", ran, err, other)
			}
			close(release)
			if err := <-first; err != nil {
				t.Fatalf("the first Exclusive(%q) = %v", "mail", err)
			}
			boom := errors.New("boom")
			if ran, err := s.Exclusive(ctx, "mail", func(context.Context) error { return boom }); !ran || !errors.Is(err, boom) {
				t.Errorf("Exclusive(%q) once free = %v, %v; want it run, answering fn's error", "mail", ran, err)
			}
		}},
	}
}
