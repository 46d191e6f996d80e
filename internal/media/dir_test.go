package media_test

import (
	"testing"

	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/media/mediatest"
)

func TestDirConformance(t *testing.T) {
	t.Parallel()
	mediatest.Run(t, func(t *testing.T) media.Store {
		d, err := media.NewDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}
