package cookie

// Reading the compact form of claims: one claim, or all of them.

import (
	"encoding/binary"
	"encoding/json"
	"strconv"
	"unsafe"
)

// claimDecoder walks the binary form with the payload reader's bounds
// checks: after the first problem err is set and every read returns zero
// values; nothing panics on bad bytes.
type claimDecoder struct {
	reader
	subject string  // for tagSubject
	client  *Client // for tagIssuer and tagClient
}

func newClaimDecoder(c Claims, off int) claimDecoder {
	return claimDecoder{reader: reader{b: c.b, off: off}, subject: c.subject, client: c.client}
}

// context resolves tagSubject, tagIssuer and tagClient; claims without the
// context they need do not read.
func (d *claimDecoder) context(tag byte) string {
	switch {
	case tag == tagSubject && d.subject != "":
		return d.subject
	case tag == tagIssuer && d.client != nil:
		return d.client.Issuer
	case tag == tagClient && d.client != nil:
		return d.client.ClientID
	}
	d.fail()
	return ""
}

func (d *claimDecoder) uvarint() int {
	v, k := binary.Uvarint(d.b[d.off:])
	if k <= 0 || v > uint64(len(d.b)) {
		d.fail()
		return 0
	}
	d.off += k
	return int(v)
}

// span reads a length and returns the bytes it announces.
func (d *claimDecoder) span() []byte {
	start, end := d.reader.span()
	return d.b[start:end]
}

// str is a string sharing the claims' memory.
func str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// key reads one key and reports whether it is name (whose known index, 0
// when none, is known).
func (d *claimDecoder) key(name string, known byte) bool {
	k := d.byte()
	if k != 0 {
		if int(k) > len(knownClaims) {
			d.fail()
			return false
		}
		return known != 0 && k == known
	}
	return str(d.span()) == name && known == 0
}

func (d *claimDecoder) keyName() string {
	k := d.byte()
	if k == 0 {
		return str(d.span())
	}
	if int(k) > len(knownClaims) {
		d.fail()
		return ""
	}
	return knownClaims[k-1]
}

func (d *claimDecoder) value(depth int) any {
	if depth > maxDepth {
		d.fail()
		return nil
	}
	switch tag := d.byte(); tag {
	case tagString:
		return str(d.span())
	case tagSubject, tagIssuer, tagClient:
		return d.context(tag)
	case tagTrue:
		return true
	case tagFalse:
		return false
	case tagNull:
		return nil
	case tagInt:
		v, k := binary.Varint(d.b[d.off:])
		if k <= 0 {
			d.fail()
			return nil
		}
		d.off += k
		return json.Number(strconv.FormatInt(v, 10))
	case tagNumber:
		return json.Number(str(d.span()))
	case tagArray:
		end := d.bodyEnd()
		n := d.uvarint()
		if n > end-d.off {
			d.fail() // every item takes at least one byte
			return nil
		}
		items := make([]any, 0, n)
		for ; n > 0 && d.err == nil; n-- {
			items = append(items, d.value(depth+1))
		}
		d.endBody(end)
		return items
	case tagObject:
		end := d.bodyEnd()
		m := d.object(depth + 1)
		d.endBody(end)
		return m
	case tagRef:
		return d.ref()
	}
	d.fail()
	return nil
}

// ref follows a back-reference to an earlier string.
func (d *claimDecoder) ref() string {
	at := d.uvarint()
	if d.err != nil || at >= d.off-1 || d.b[at] != tagString {
		d.fail()
		return ""
	}
	t := claimDecoder{reader: reader{b: d.b[:d.off], off: at + 1}}
	s := t.span()
	if t.err != nil {
		d.fail()
	}
	return str(s)
}

func (d *claimDecoder) object(depth int) map[string]any {
	if depth > maxDepth {
		d.fail()
		return nil
	}
	n := d.uvarint()
	if n > len(d.b)-d.off {
		d.fail()
		return nil
	}
	m := make(map[string]any, n)
	for ; n > 0 && d.err == nil; n-- {
		k := d.keyName()
		m[k] = d.value(depth)
	}
	return m
}

// bodyEnd reads a nested value's length and returns where it ends.
func (d *claimDecoder) bodyEnd() int {
	n := d.uvarint()
	if n > len(d.b)-d.off {
		d.fail()
		return len(d.b)
	}
	return d.off + n
}

// endBody checks that a nested value ended where its length said.
func (d *claimDecoder) endBody(end int) {
	if d.err == nil && d.off != end {
		d.fail()
	}
}

// skip passes over one value; a nested one by its length.
func (d *claimDecoder) skip() {
	switch d.byte() {
	case tagString, tagNumber:
		d.span()
	case tagTrue, tagFalse, tagNull, tagSubject, tagIssuer, tagClient:
	case tagInt:
		if _, k := binary.Varint(d.b[d.off:]); k > 0 {
			d.off += k
		} else {
			d.fail()
		}
	case tagArray, tagObject:
		d.off = d.bodyEnd()
	case tagRef:
		d.uvarint()
	default:
		d.fail()
	}
}
