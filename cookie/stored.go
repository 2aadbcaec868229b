package cookie

import "time"

// storedPurposeClass keys what is sealed for server-side storage: values
// kept outside the browser never open as cookies, nor cookies as them.
const storedPurposeClass = "stored"

// storedPurpose binds a stored value to its label (the storage key it is
// kept under, say) and to this jar's cookie name and scope, as sessions are:
// a value copied to another key, or read by another site, does not open.
func (j *Jar) storedPurpose(label string) string {
	return storedPurposeClass + ":" + label + "\x00" + j.name + "\x00" + j.scope
}

// SealStored seals s for keeping in shared storage under label until
// expires, so that whoever can read that storage learns nothing from it. A
// nil s seals "no session" (a refused refresh, for instance). It returns
// ErrUnknownClient when s names a provider the jar has no client for.
func (j *Jar) SealStored(label string, s *Session, expires time.Time) (string, error) {
	var payload []byte
	if s != nil {
		client, ok := j.client(s.Provider)
		if !ok {
			return "", ErrUnknownClient
		}
		cp := *s
		cp.binding = client.tag
		payload = encodeSession(&cp)
	}
	return j.codec.Seal(j.storedPurpose(label), payload, expires), nil
}

// OpenStored opens what SealStored sealed under the same label: the session,
// or nil and no error for "no session". Anything else (tampered, expired,
// another label, site or secret, a session issued for another client) is
// ErrInvalid or ErrExpired. The Session is the caller's to change.
func (j *Jar) OpenStored(label, value string, now time.Time) (*Session, error) {
	payload, err := j.codec.Open(j.storedPurpose(label), value, now)
	if err != nil {
		return nil, err
	}
	if len(payload) == 0 {
		return nil, nil
	}
	s := new(Session)
	if err := j.decodeHere(s, payload); err != nil {
		return nil, err
	}
	return s, nil
}
