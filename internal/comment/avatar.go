package comment

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// AvatarKey is the identicon key of an email address: an HMAC with the site's secret, so unlike
// Gravatar's plain hash it cannot be reversed by hashing a list of addresses.
func AvatarKey(secret []byte, email string) string {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte("avatar\x00" + strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// Identicon draws a 5×5 mirrored pattern in one colour for a key, as SVG.
func Identicon(key string) []byte {
	sum := sha256.Sum256([]byte(key))
	hue := int(sum[0]) * 360 / 256
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 5 5" width="40" height="40" shape-rendering="crispEdges">`)
	fmt.Fprintf(&b, `<rect width="5" height="5" fill="#f0ede6"/>`)
	fmt.Fprintf(&b, `<g fill="hsl(%d,55%%,40%%)">`, hue)
	for y := range 5 {
		for x := range 3 {
			if sum[1+y*3+x]&1 == 1 {
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="1" height="1"/>`, x, y)
				if x < 2 {
					fmt.Fprintf(&b, `<rect x="%d" y="%d" width="1" height="1"/>`, 4-x, y)
				}
			}
		}
	}
	b.WriteString(`</g></svg>`)
	return []byte(b.String())
}
