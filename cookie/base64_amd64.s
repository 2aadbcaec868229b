//go:build !purego

#include "textflag.h"

// func decodeAVX2(dst, src *byte, blocks int) (invalid bool)
//
// Decodes blocks of 32 base64url characters into 24 bytes each, storing 32
// bytes per block (the last 8 are overwritten by the next block, or lie in
// the room decodedRoom leaves). A character is valid when its low nibble's
// invalid classes do not include its high nibble's class; its 6-bit value
// is the character plus its high nibble's offset ('_' apart).
TEXT ·decodeAVX2(SB), NOSPLIT, $0-25
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ blocks+16(FP), CX
	VMOVDQU b64HiClass<>(SB), Y8
	VMOVDQU b64LoInvalid<>(SB), Y9
	VMOVDQU b64Offset<>(SB), Y10
	VMOVDQU b64Nibble<>(SB), Y11
	VMOVDQU b64Underscore<>(SB), Y12
	VMOVDQU b64UnderscoreFix<>(SB), Y13
	VMOVDQU b64MergePairs<>(SB), Y14
	VMOVDQU b64MergeWords<>(SB), Y15
	VMOVDQU b64PackBytes<>(SB), Y5
	VMOVDQU b64PackLanes<>(SB), Y6
	VPXOR   Y7, Y7, Y7 // every invalid class seen, ORed
	TESTQ   CX, CX
	JZ      done

loop:
	VMOVDQU    (SI), Y0
	VPSRLD     $4, Y0, Y1
	VPAND      Y11, Y1, Y1 // high nibbles
	VPAND      Y11, Y0, Y2 // low nibbles
	VPSHUFB    Y1, Y8, Y3
	VPSHUFB    Y2, Y9, Y4
	VPAND      Y3, Y4, Y4
	VPOR       Y4, Y7, Y7
	VPSHUFB    Y1, Y10, Y3
	VPCMPEQB   Y12, Y0, Y4
	VPAND      Y13, Y4, Y4
	VPADDB     Y4, Y3, Y3
	VPADDB     Y3, Y0, Y0 // 6-bit values
	VPMADDUBSW Y14, Y0, Y0 // 12 bits per 16-bit lane
	VPMADDWD   Y15, Y0, Y0 // 24 bits per 32-bit lane
	VPSHUFB    Y5, Y0, Y0
	VPERMD     Y0, Y6, Y0
	VMOVDQU    Y0, (DI)
	ADDQ       $32, SI
	ADDQ       $24, DI
	DECQ       CX
	JNZ        loop

done:
	VPTEST    Y7, Y7
	SETNE     invalid+24(FP)
	VZEROUPPER
	RET

// b64HiClass: class of each high nibble: one bit per group of characters.
DATA b64HiClass<>+0x00(SB)/8, $0x1004080402012020
DATA b64HiClass<>+0x08(SB)/8, $0x2020202020202020
DATA b64HiClass<>+0x10(SB)/8, $0x1004080402012020
DATA b64HiClass<>+0x18(SB)/8, $0x2020202020202020
GLOBL b64HiClass<>(SB), RODATA|NOPTR, $32

// b64LoInvalid: the classes each low nibble is invalid in.
DATA b64LoInvalid<>+0x00(SB)/8, $0x2121212121212125
DATA b64LoInvalid<>+0x08(SB)/8, $0x333b3a3b3b232121
DATA b64LoInvalid<>+0x10(SB)/8, $0x2121212121212125
DATA b64LoInvalid<>+0x18(SB)/8, $0x333b3a3b3b232121
GLOBL b64LoInvalid<>(SB), RODATA|NOPTR, $32

// b64Offset: what to add to a character of each high nibble.
DATA b64Offset<>+0x00(SB)/8, $0xb9b9bfbf04110000
DATA b64Offset<>+0x08(SB)/8, $0x0000000000000000
DATA b64Offset<>+0x10(SB)/8, $0xb9b9bfbf04110000
DATA b64Offset<>+0x18(SB)/8, $0x0000000000000000
GLOBL b64Offset<>(SB), RODATA|NOPTR, $32

DATA b64Nibble<>+0x00(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA b64Nibble<>+0x08(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA b64Nibble<>+0x10(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA b64Nibble<>+0x18(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL b64Nibble<>(SB), RODATA|NOPTR, $32

// b64Underscore: '_', the one character its high nibble's offset misses.
DATA b64Underscore<>+0x00(SB)/8, $0x5f5f5f5f5f5f5f5f
DATA b64Underscore<>+0x08(SB)/8, $0x5f5f5f5f5f5f5f5f
DATA b64Underscore<>+0x10(SB)/8, $0x5f5f5f5f5f5f5f5f
DATA b64Underscore<>+0x18(SB)/8, $0x5f5f5f5f5f5f5f5f
GLOBL b64Underscore<>(SB), RODATA|NOPTR, $32

// b64UnderscoreFix: -32 for '_' instead of -65.
DATA b64UnderscoreFix<>+0x00(SB)/8, $0x2121212121212121
DATA b64UnderscoreFix<>+0x08(SB)/8, $0x2121212121212121
DATA b64UnderscoreFix<>+0x10(SB)/8, $0x2121212121212121
DATA b64UnderscoreFix<>+0x18(SB)/8, $0x2121212121212121
GLOBL b64UnderscoreFix<>(SB), RODATA|NOPTR, $32

// b64MergePairs: first character ×64 plus the second.
DATA b64MergePairs<>+0x00(SB)/8, $0x0140014001400140
DATA b64MergePairs<>+0x08(SB)/8, $0x0140014001400140
DATA b64MergePairs<>+0x10(SB)/8, $0x0140014001400140
DATA b64MergePairs<>+0x18(SB)/8, $0x0140014001400140
GLOBL b64MergePairs<>(SB), RODATA|NOPTR, $32

// b64MergeWords: first 12 bits ×4096 plus the next 12.
DATA b64MergeWords<>+0x00(SB)/8, $0x0001100000011000
DATA b64MergeWords<>+0x08(SB)/8, $0x0001100000011000
DATA b64MergeWords<>+0x10(SB)/8, $0x0001100000011000
DATA b64MergeWords<>+0x18(SB)/8, $0x0001100000011000
GLOBL b64MergeWords<>(SB), RODATA|NOPTR, $32

// b64PackBytes: three bytes of each 32-bit lane, in order.
DATA b64PackBytes<>+0x00(SB)/8, $0x090a040506000102
DATA b64PackBytes<>+0x08(SB)/8, $0x808080800c0d0e08
DATA b64PackBytes<>+0x10(SB)/8, $0x090a040506000102
DATA b64PackBytes<>+0x18(SB)/8, $0x808080800c0d0e08
GLOBL b64PackBytes<>(SB), RODATA|NOPTR, $32

// b64PackLanes: the 12 bytes of each 128-bit half, side by side.
DATA b64PackLanes<>+0x00(SB)/8, $0x0000000100000000
DATA b64PackLanes<>+0x08(SB)/8, $0x0000000400000002
DATA b64PackLanes<>+0x10(SB)/8, $0x0000000600000005
DATA b64PackLanes<>+0x18(SB)/8, $0x0000000700000003
GLOBL b64PackLanes<>(SB), RODATA|NOPTR, $32
