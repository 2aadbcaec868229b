package cookie

// Writing the compact form of claims.

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
)

type claimEncoder struct {
	subst   map[string]byte // strings the context stands for -> their tag
	b       []byte
	refs    map[string]int // top-level string value -> offset of its tagString
	nesting int            // inside an array or object: strings there move, so are no targets
}

func (e *claimEncoder) object(m map[string]any, depth int) error {
	if depth > maxDepth {
		return errors.New("claims: nested too deeply")
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.b = binary.AppendUvarint(e.b, uint64(len(keys)))
	for _, k := range keys {
		if i, ok := knownClaimIndex[k]; ok {
			e.b = append(e.b, i)
		} else {
			e.b = append(e.b, 0)
			e.b = binary.AppendUvarint(e.b, uint64(len(k)))
			e.b = append(e.b, k...)
		}
		if err := e.value(m[k], depth); err != nil {
			return fmt.Errorf("claim %q: %w", k, err)
		}
	}
	return nil
}

func (e *claimEncoder) value(v any, depth int) error {
	switch v := v.(type) {
	case string:
		e.str(v)
	case bool:
		if v {
			e.b = append(e.b, tagTrue)
		} else {
			e.b = append(e.b, tagFalse)
		}
	case nil:
		e.b = append(e.b, tagNull)
	case json.Number:
		e.number(string(v))
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return errors.New("not a JSON number")
		}
		e.number(strconv.FormatFloat(v, 'g', -1, 64))
	case int:
		e.number(strconv.Itoa(v))
	case int64:
		e.number(strconv.FormatInt(v, 10))
	case []string:
		return e.nested(tagArray, func() error {
			e.b = binary.AppendUvarint(e.b, uint64(len(v)))
			for _, s := range v {
				e.str(s)
			}
			return nil
		})
	case []any:
		return e.nested(tagArray, func() error {
			e.b = binary.AppendUvarint(e.b, uint64(len(v)))
			for _, item := range v {
				if err := e.value(item, depth+1); err != nil {
					return err
				}
			}
			return nil
		})
	case map[string]any:
		return e.nested(tagObject, func() error { return e.object(v, depth+1) })
	default:
		return fmt.Errorf("a %T is not a JSON value", v)
	}
	return nil
}

func (e *claimEncoder) str(s string) {
	if tag, ok := e.subst[s]; ok {
		e.b = append(e.b, tag)
		return
	}
	if off, ok := e.refs[s]; ok {
		e.b = append(e.b, tagRef)
		e.b = binary.AppendUvarint(e.b, uint64(off))
		return
	}
	if len(s) >= minRefSize && e.nesting == 0 {
		e.refs[s] = len(e.b)
	}
	e.b = append(e.b, tagString)
	e.b = binary.AppendUvarint(e.b, uint64(len(s)))
	e.b = append(e.b, s...)
}

// number keeps n's exact text, or a varint when that gives it back.
func (e *claimEncoder) number(n string) {
	if i, err := strconv.ParseInt(n, 10, 64); err == nil && strconv.FormatInt(i, 10) == n {
		e.b = append(e.b, tagInt)
		e.b = binary.AppendVarint(e.b, i)
		return
	}
	e.b = append(e.b, tagNumber)
	e.b = binary.AppendUvarint(e.b, uint64(len(n)))
	e.b = append(e.b, n...)
}

// nested writes a tag, the body's length and the body; the body is built in
// place and moved once behind its length.
func (e *claimEncoder) nested(tag byte, body func() error) error {
	e.b = append(e.b, tag)
	start := len(e.b)
	e.nesting++
	err := body()
	e.nesting--
	if err != nil {
		return err
	}
	n := len(e.b) - start
	var lenBuf [binary.MaxVarintLen64]byte
	k := binary.PutUvarint(lenBuf[:], uint64(n))
	e.b = append(e.b, lenBuf[:k]...)
	copy(e.b[start+k:], e.b[start:start+n])
	copy(e.b[start:], lenBuf[:k])
	return nil
}
