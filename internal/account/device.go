package account

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
)

// NewDeviceToken returns the value of a device cookie: proof, signed with secret, that this
// browser signed in to user userID before. Throttle counts such a device's attempts apart from
// everyone else's, so that strangers guessing at an account never lock its owner out of the
// devices they use.
func NewDeviceToken(secret []byte, userID int64) string {
	b := make([]byte, 24, 40)
	rand.Read(b[:16])
	binary.BigEndian.PutUint64(b[16:], uint64(userID))
	b = append(b, deviceMAC(secret, b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DeviceID returns the ID of the device a token from NewDeviceToken names, when the token is
// genuine and was issued for user userID.
func DeviceID(secret []byte, token string, userID int64) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != 40 || !hmac.Equal(b[24:], deviceMAC(secret, b[:24])) ||
		int64(binary.BigEndian.Uint64(b[16:24])) != userID {
		return "", false
	}
	return hex.EncodeToString(b[:16]), true
}

func deviceMAC(secret, b []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("device\x00"))
	m.Write(b)
	return m.Sum(nil)[:16]
}
