package account

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestHasherBoundsConcurrency(t *testing.T) {
	t.Parallel()
	h := NewHasher(2, time.Hour)
	var running, peak atomic.Int64
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			err := h.Do(t.Context(), func() {
				n := running.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				runtime.Gosched()
				running.Add(-1)
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p > 2 {
		t.Errorf("a Hasher with 2 slots ran %d at once", p)
	}
	// With every slot held, a caller gives up with ErrBusy after the wait.
	busy := NewHasher(1, time.Millisecond)
	release := make(chan struct{})
	held := make(chan struct{})
	go busy.Do(t.Context(), func() { close(held); <-release })
	<-held
	if _, err := busy.Authenticate(t.Context(), nil, "pw"); !errors.Is(err, ErrBusy) {
		t.Errorf("Authenticate with every slot held = %v, want ErrBusy", err)
	}
	close(release)
}

func TestThrottleBuckets(t *testing.T) {
	t.Parallel()
	th := DefaultThrottle()
	keys := func(b []Bucket) (k []string) {
		for _, x := range b {
			k = append(k, x.Key)
		}
		return k
	}
	stranger := th.Buckets("a@example.org", "192.0.2.1", "")
	if diff := cmp.Diff([]string{"account a@example.org 192.0.2.1", "anywhere a@example.org", "ip 192.0.2.1"}, keys(stranger)); diff != "" {
		t.Errorf("Buckets(unknown device) (-want +got):\n%s", diff)
	}
	known := th.Buckets("a@example.org", "192.0.2.1", "d1")
	if len(known) != 1 || known[0].Limit != th.PerAccount || !known[0].Account {
		t.Errorf("Buckets(known device) = %+v, want the device's own bucket only", known)
	}
}

func TestDeviceToken(t *testing.T) {
	t.Parallel()
	secret := []byte("secret")
	tok := NewDeviceToken(secret, 7)
	id, ok := DeviceID(secret, tok, 7)
	if !ok || id == "" {
		t.Fatalf("DeviceID(own token) = %q, %v", id, ok)
	}
	if id2, _ := DeviceID(secret, NewDeviceToken(secret, 7), 7); id2 == id {
		t.Error("two devices got the same ID")
	}
	for name, c := range map[string]struct {
		secret []byte
		tok    string
		user   int64
	}{
		"other user":   {secret, tok, 8},
		"other secret": {[]byte("other"), tok, 7},
		"tampered":     {secret, tok[:len(tok)-2] + "AA", 7},
		"garbage":      {secret, "not a token", 7},
	} {
		if _, ok := DeviceID(c.secret, c.tok, c.user); ok {
			t.Errorf("DeviceID(%s) accepted", name)
		}
	}
}
