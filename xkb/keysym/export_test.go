package keysym

// HeaderEntry is one #define of the keysym header, for the tests.
type HeaderEntry struct {
	Name string
	KS   Keysym
}

// HeaderEntries returns the generated table in header order.
func HeaderEntries() []HeaderEntry {
	out := make([]HeaderEntry, len(entries))
	for i, e := range entries {
		out[i] = HeaderEntry{e.name(), e.ks}
	}
	return out
}
