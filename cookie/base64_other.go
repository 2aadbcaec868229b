//go:build !amd64 || purego

package cookie

// useAVX2 is false off amd64, and with the purego build tag.
var useAVX2 = false

func decodeAVX2(dst, src *byte, blocks int) (invalid bool) {
	panic("cookie: decodeAVX2 without AVX2")
}
