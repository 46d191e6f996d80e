package text

// The weights of a news story's fields: a word in the headline says more about what the story is
// about than a word in its tenth paragraph.
const (
	TitleWeight      = 3
	StandfirstWeight = 2
	BodyWeight       = 1
	TagWeight        = 2
	SectionWeight    = 1
)

// StoryFields are the weighted fields of a news story, as the related-stories engine and its
// evaluation analyse it. Empty fields are left out.
func StoryFields(title, standfirst, body string, tags []string, section string) []Field {
	fields := []Field{Prose(title, TitleWeight)}
	if standfirst != "" {
		fields = append(fields, Prose(standfirst, StandfirstWeight))
	}
	if body != "" {
		fields = append(fields, Prose(body, BodyWeight))
	}
	if len(tags) > 0 {
		fields = append(fields, Keywords(TagWeight, tags...))
	}
	if section != "" {
		fields = append(fields, Keywords(SectionWeight, section))
	}
	return fields
}
