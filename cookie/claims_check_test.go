package cookie

import "errors"

// check, for the tests: whether claims decode, walking every key and value
// without decoding them. The module itself does not walk them when a cookie
// opens (the seal vouches for the bytes, and every read is bounds-checked).

var errClaims = errors.New("cookie: malformed claims")

func (c Claims) check() error {
	if len(c.b) == 0 {
		return nil
	}
	d := newClaimDecoder(c, 0)
	d.skipObject(0)
	if d.err != nil || d.off != len(d.b) {
		return errClaims
	}
	return nil
}

// skipObject checks an object's every key and value, allocating nothing.
func (d *claimDecoder) skipObject(depth int) {
	if depth > maxDepth {
		d.fail()
		return
	}
	for n := d.uvarint(); n > 0 && d.err == nil; n-- {
		d.keyName()
		d.checkValue(depth)
	}
}

func (d *claimDecoder) checkValue(depth int) {
	if d.off >= len(d.b) {
		d.fail()
		return
	}
	switch d.b[d.off] {
	case tagArray:
		d.off++
		end := d.bodyEnd()
		for n := d.uvarint(); n > 0 && d.err == nil; n-- {
			d.checkValue(depth + 1)
		}
		d.endBody(end)
	case tagObject:
		d.off++
		end := d.bodyEnd()
		d.skipObject(depth + 1)
		d.endBody(end)
	case tagRef:
		d.off++
		d.ref()
	default:
		d.skip()
	}
}
