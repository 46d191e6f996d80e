package importer

import (
	"strings"
	"time"
)

// feedLayouts are the layouts a feed date is tried in once its names are in English: RFC 822
// and its common variants, and what some publishing systems write instead.
var feedLayouts = []string{
	"2 Jan 2006 15:04:05 -0700", "2 Jan 2006 15:04:05 MST", "2 Jan 2006 15:04 -0700", "2 Jan 2006 15:04 MST",
	"2 Jan 2006 15:04:05", "2 Jan 2006 15:04", "2 Jan 2006 03:04:05 PM", "2 Jan 2006 03:04 PM", "2 Jan 2006",
	"Jan 2 2006 03:04:05 PM -0700", "Jan 2 2006 03:04:05 PM MST", "Jan 2 2006 03:04:05 PM", "Jan 2 2006 03:04 PM",
	"Jan 2 2006 15:04:05 -0700", "Jan 2 2006 15:04:05 MST", "Jan 2 2006 15:04:05", "Jan 2 2006",
	"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05",
	"2006-01-02 15:04", "2006-01-02", "02.01.2006 15:04:05", "02.01.2006 15:04", "02.01.2006",
}

// monthNames maps the start of a month's name in the languages feeds are commonly written in
// (English, French, German, Spanish, Italian, Portuguese, Dutch) to its English abbreviation.
var monthNames = map[string]string{
	"jan": "Jan", "janv": "Jan", "ene": "Jan", "gen": "Jan", "januar": "Jan", "janeiro": "Jan", "januari": "Jan",
	"feb": "Feb", "fév": "Feb", "fev": "Feb", "févr": "Feb",
	"mar": "Mar", "mär": "Mar", "mrz": "Mar", "mrt": "Mar", "mars": "Mar", "marzo": "Mar", "março": "Mar", "maart": "Mar",
	"apr": "Apr", "avr": "Apr", "abr": "Apr",
	"may": "May", "mai": "May", "mag": "May", "mei": "May", "mayo": "May", "maggio": "May", "maio": "May",
	"jun": "Jun", "juin": "Jun", "giu": "Jun", "juni": "Jun", "junio": "Jun", "giugno": "Jun", "junho": "Jun",
	"jul": "Jul", "juil": "Jul", "lug": "Jul", "juli": "Jul", "julio": "Jul", "luglio": "Jul", "julho": "Jul",
	"aug": "Aug", "aoû": "Aug", "août": "Aug", "ago": "Aug", "agosto": "Aug", "augustus": "Aug",
	"sep": "Sep", "sept": "Sep", "set": "Sep",
	"oct": "Oct", "okt": "Oct", "ott": "Oct", "out": "Oct", "octobre": "Oct", "oktober": "Oct", "octubre": "Oct", "ottobre": "Oct", "outubro": "Oct",
	"nov": "Nov", "novembre": "Nov", "november": "Nov", "noviembre": "Nov", "novembro": "Nov",
	"dec": "Dec", "déc": "Dec", "dez": "Dec", "dic": "Dec", "décembre": "Dec", "dezember": "Dec", "diciembre": "Dec", "dicembre": "Dec", "dezembro": "Dec", "december": "Dec",
}

// dayNames are the starts of weekday names in the same languages: a feed date's weekday is
// redundant and dropped.
var dayNames = []string{
	"mon", "tue", "wed", "thu", "fri", "sat", "sun",
	"lun", "mar", "mer", "jeu", "ven", "sam", "dim",
	"mo", "di", "mi", "do", "fr", "sa", "so",
	"mié", "mie", "jue", "vie", "sáb", "dom", "gio", "seg", "ter", "qua", "qui", "sex",
	"ma", "wo", "vr", "za", "zo",
}

// parseFeedDate reads a feed date that the feed parser could not: RFC 822 with localized day
// and month names ("mer, 16 nov 2022 10:00:00 +0100"), US order with a 12-hour clock ("Sat,
// Dec 16 2023 02:02:33 PM") and other common layouts. A date without a zone is UTC. ok is false
// when the text is no date it knows: the caller must not guess one.
func parseFeedDate(s string) (t time.Time, ok bool) {
	fields := strings.Fields(strings.NewReplacer(",", " ", "\u00a0", " ").Replace(strings.TrimSpace(s)))
	var out []string
	for i, f := range fields {
		low := strings.ToLower(strings.TrimSuffix(f, "."))
		if i == 0 && isDayName(low) && laterMonth(fields[1:]) {
			continue // "mar" is Tuesday in French before "15 nov"
		}
		if m, isMonth := monthName(low); isMonth {
			out = append(out, m)
			continue
		}
		if i == 0 && isDayName(low) {
			continue
		}
		switch low {
		case "am", "pm", "gmt", "utc", "ut", "z":
			f = strings.ToUpper(low)
			if f == "UT" || f == "Z" {
				f = "UTC"
			}
		}
		out = append(out, f)
	}
	norm := strings.Join(out, " ")
	for _, layout := range feedLayouts {
		if t, err := time.Parse(layout, norm); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// monthName is the English abbreviation of a month name in any language monthNames knows,
// matched whole or by a known start of three or more letters.
func monthName(low string) (string, bool) {
	if m, ok := monthNames[low]; ok {
		return m, true
	}
	r := []rune(low)
	for n := min(len(r), 5); n >= 3; n-- {
		if m, ok := monthNames[string(r[:n])]; ok && n < len(r) {
			return m, true
		}
	}
	return "", false
}

// laterMonth reports whether one of fields names a month.
func laterMonth(fields []string) bool {
	for _, f := range fields {
		if _, ok := monthName(strings.ToLower(strings.TrimSuffix(f, "."))); ok {
			return true
		}
	}
	return false
}

// isDayName reports whether low starts like a weekday name and is made of letters.
func isDayName(low string) bool {
	for _, r := range low {
		if r >= '0' && r <= '9' {
			return false
		}
	}
	for _, d := range dayNames {
		if strings.HasPrefix(low, d) {
			return true
		}
	}
	return false
}
