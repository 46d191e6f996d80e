package relatedeval

import (
	"fmt"
	"strconv"
	"strings"
)

// vary rewrites the stories by the comma-separated variations in spec, so
// that the engine can be measured on text unlike its tuning corpora:
//
//	lead=N   keep the first N paragraphs of each body (short wire copy)
//	notitle  drop the headlines
//	lower    write everything in lower case (no capitals to find names by)
//	upper    write the headlines in capitals
func vary(stories []story, spec string) error {
	if spec == "" {
		return nil
	}
	for _, v := range strings.Split(spec, ",") {
		name, arg, _ := strings.Cut(strings.TrimSpace(v), "=")
		var f func(*story)
		switch name {
		case "lead":
			n, err := strconv.Atoi(arg)
			if err != nil || n < 1 {
				return fmt.Errorf("relatedeval: --vary lead=%s: want a number of paragraphs, at least 1", arg)
			}
			f = func(s *story) { s.body = lead(s.body, n) }
		case "notitle":
			f = func(s *story) { s.title = "" }
		case "lower":
			f = func(s *story) { s.title, s.body = strings.ToLower(s.title), strings.ToLower(s.body) }
		case "upper":
			f = func(s *story) { s.title = strings.ToUpper(s.title) }
		default:
			return fmt.Errorf("relatedeval: --vary %q: unknown variation (lead=N, notitle, lower, upper)", v)
		}
		for i := range stories {
			f(&stories[i])
		}
	}
	return nil
}

// lead returns the first n paragraphs of body; paragraphs are separated by
// blank lines or, where there are none, by line breaks.
func lead(body string, n int) string {
	sep := "\n\n"
	if !strings.Contains(body, sep) {
		sep = "\n"
	}
	ps := strings.SplitN(body, sep, n+1)
	if len(ps) > n {
		ps = ps[:n]
	}
	return strings.Join(ps, sep)
}
