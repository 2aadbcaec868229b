package cookie

import (
	"sync/atomic"
	"unsafe"
)

// spreadCounter counts what many goroutines do at once, on both cores,
// without every count moving one cache line from core to core: each count
// goes to the slot of the goroutine's stack, and load sums the slots. A
// goroutine whose stack has moved counts in another slot; every slot counts
// the same.
type spreadCounter struct {
	_     [64]byte // whatever sits beside it shares no line with a slot
	slots [counterSlots]struct {
		n atomic.Uint64
		_ [64 - 8]byte // a cache line each
	}
	_ [64]byte
}

const counterSlots = 8

func (c *spreadCounter) add() {
	var here byte
	// Goroutine stacks are at least 8 KiB apart.
	slot := (uintptr(unsafe.Pointer(&here)) >> 13) % counterSlots
	c.slots[slot].n.Add(1)
}

func (c *spreadCounter) load() uint64 {
	var n uint64
	for i := range c.slots {
		n += c.slots[i].n.Load()
	}
	return n
}
