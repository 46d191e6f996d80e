package comment

import "sort"

// Thread arranges approved comments (and the reader's own held one) into a tree: top-level
// comments featured first, then in the settings' order; replies oldest first beneath their
// parent. Replies deeper than maxDepth attach to their deepest allowed ancestor, as WordPress
// shows them. Comments whose parent is missing become top-level.
func Thread(list []*Public, maxDepth int, newestFirst bool) []*Public {
	byID := make(map[int64]*Public, len(list))
	for _, c := range list {
		c.Replies, c.Depth = nil, 0
		byID[c.ID] = c
	}
	sorted := append([]*Public(nil), list...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if !sorted[i].CreatedAt.Equal(sorted[j].CreatedAt) {
			return sorted[i].CreatedAt.Before(sorted[j].CreatedAt)
		}
		return sorted[i].ID < sorted[j].ID
	})
	var roots []*Public
	for _, c := range sorted {
		p := byID[c.ParentID]
		if c.ParentID == 0 || p == nil || p == c {
			roots = append(roots, c)
			continue
		}
		depth := 0
		for q := p; q != nil && depth < 100; q = byID[q.ParentID] {
			depth++
			if q.ParentID == 0 {
				break
			}
		}
		for depth >= maxDepth && p.ParentID != 0 && byID[p.ParentID] != nil {
			p = byID[p.ParentID]
			depth--
		}
		p.Replies = append(p.Replies, c)
	}
	var setDepth func(cs []*Public, d int)
	setDepth = func(cs []*Public, d int) {
		for _, c := range cs {
			c.Depth = d
			setDepth(c.Replies, d+1)
		}
	}
	setDepth(roots, 1)
	sort.SliceStable(roots, func(i, j int) bool {
		if roots[i].Featured != roots[j].Featured {
			return roots[i].Featured
		}
		if newestFirst {
			return roots[i].CreatedAt.After(roots[j].CreatedAt)
		}
		return false
	})
	return roots
}

// Count is the number of comments in a thread.
func Count(roots []*Public) int {
	n := 0
	for _, c := range roots {
		n += 1 + Count(c.Replies)
	}
	return n
}
