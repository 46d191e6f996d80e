package importer

import (
	"testing"
	"time"
)

func TestParseFeedDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Time
	}{
		{"mer, 16 nov 2022 10:30:00 +0100", time.Date(2022, 11, 16, 9, 30, 0, 0, time.UTC)},
		{"mer, 16 nov 2022", time.Date(2022, 11, 16, 0, 0, 0, 0, time.UTC)},
		{"mar, 15 nov 2022 08:00:00 +0000", time.Date(2022, 11, 15, 8, 0, 0, 0, time.UTC)},
		{"Mar 15 2022 08:00:00", time.Date(2022, 3, 15, 8, 0, 0, 0, time.UTC)},
		{"Sat, Dec 16 2023 02:02:33 PM", time.Date(2023, 12, 16, 14, 2, 33, 0, time.UTC)},
		{"Mi, 3 Mär 2021 08:00:00 GMT", time.Date(2021, 3, 3, 8, 0, 0, 0, time.UTC)},
		{"jeudi 1 févr. 2024 18:45", time.Date(2024, 2, 1, 18, 45, 0, 0, time.UTC)},
		{"lunedì, 5 agosto 2019 09:15:00 +0200", time.Date(2019, 8, 5, 7, 15, 0, 0, time.UTC)},
		{"2015-06-30 23:59:59", time.Date(2015, 6, 30, 23, 59, 59, 0, time.UTC)},
		{"31.12.1987", time.Date(1987, 12, 31, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		got, ok := parseFeedDate(tc.in)
		if !ok || !got.Equal(tc.want) {
			t.Errorf("parseFeedDate(%q) = %v, %v; want %v", tc.in, got, ok, tc.want)
		}
	}
	for _, bad := range []string{"", "soon", "yesterday at noon", "32 nov 2022", "Wed, 30 Nov -0001 00:00:00 +0000"} {
		if got, ok := parseFeedDate(bad); ok {
			t.Errorf("parseFeedDate(%q) = %v, want no date", bad, got)
		}
	}
}
