package related_test

import (
	"fmt"
	"time"

	"github.com/broadsheet/broadsheet/internal/related"
)

func Example() {
	day := time.Date(2023, 3, 21, 0, 0, 0, 0, time.UTC)
	story := func(id int64, days int, terms ...related.Term) related.Document {
		return related.NewDocument(id, day.AddDate(0, 0, days), terms)
	}
	putin := related.Term{Key: "putin", Surface: "Putin", Entity: true, Weight: 3}
	xi := related.Term{Key: "xi jinping", Surface: "Xi Jinping", Entity: true, Weight: 2}
	ukraine := related.Term{Key: "ukrain", Surface: "Ukraine", Entity: true, Weight: 2}
	talks := related.Term{Key: "talk", Surface: "talks", Weight: 2}

	ix := related.New(related.DefaultConfig())
	for _, d := range []related.Document{
		story(1, 0, putin, xi, ukraine, talks),
		story(2, -1, putin, xi, talks),
		story(3, -2, ukraine, related.Term{Key: "grain", Surface: "grain", Weight: 3}),
		story(4, -3, related.Term{Key: "footbal", Surface: "football", Weight: 4}),
	} {
		if err := ix.Add(d); err != nil {
			panic(err)
		}
	}
	results, err := ix.Related(1, 5)
	if err != nil {
		panic(err)
	}
	for _, r := range results {
		fmt.Println(r.ID, r.Why())
	}
	// Output:
	// 2 Putin · Xi Jinping · talks
	// 3 Ukraine
}
