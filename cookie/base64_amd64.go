//go:build !purego

package cookie

import "golang.org/x/sys/cpu"

// useAVX2 decodes 32 characters at a time with AVX2 (base64_amd64.s).
var useAVX2 = cpu.X86.HasAVX2

// decodeAVX2 decodes blocks of 32 characters from src into 24 bytes each
// at dst, storing 32 bytes per block: dst needs 24*blocks+8 bytes. It
// reports whether any character was outside the alphabet.
//
//go:noescape
func decodeAVX2(dst, src *byte, blocks int) (invalid bool)
