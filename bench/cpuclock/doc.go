// Package cpuclock reads the CPU time this process has used, so benchmarks
// can report CPU per operation (all threads, garbage collection included)
// next to wall-clock time.
//
// It imports nothing of the module.
package cpuclock
