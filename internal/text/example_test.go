package text_test

import (
	"fmt"

	"github.com/broadsheet/broadsheet/internal/text"
)

func ExampleAnalyzer_Analyze() {
	a := text.NewAnalyzer(text.English())
	terms := a.Analyze(text.StoryFields(
		"Leaders Meet In Moscow",
		"",
		"Chinese leader Xi Jinping met Russian President Vladimir Putin in Moscow. Putin’s talks with Xi ended on Wednesday.",
		[]string{"Ukraine war"},
		"World",
	)...)
	for _, t := range terms {
		if t.Entity {
			fmt.Printf("%s (%s) %g\n", t.Surface, t.Key, t.Weight)
		}
	}
	// Output:
	// Moscow (moscow) 4
	// Putin (putin) 2
	// Russian (russian) 1
	// Ukraine (ukrain) 2
	// Vladimir Putin (vladimir putin) 1
	// World (world) 1
	// Xi (xi) 2
	// Xi Jinping (xi jinping) 1
}
