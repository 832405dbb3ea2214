// Package evdev finds, opens and reads Linux input devices
// (/dev/input/eventN) for gocomp.
//
// The pieces, from the bottom up:
//
//   - Decoder turns the bytes read from an evdev fd into Frames (the events
//     between two SYN_REPORTs). It drops kernel autorepeat and unpaired key
//     events, and after SYN_DROPPED it asks a StateQuerier for the kernel's
//     state and emits the difference as a FrameResync. It allocates nothing
//     per event.
//   - Device is an open node: identity, Capabilities and their Class
//     (keyboard, pointer, touchpad, ... by udev's input_id rules), grab,
//     LEDs, revoke, and Dispatch, which reads to EAGAIN and hands frames to
//     a Sink. A vanished device releases its held keys (FrameRemoved).
//   - Discovery follows uevents from netlink (one goroutine, reconnecting
//     and rescanning sysfs on errors) and reports nodes added and removed
//     on the owner's goroutine, through a post function.
//   - Manager ties them to an event loop: it opens what Discovery reports,
//     watches each fd through a Poller, and closes devices that go away.
//
// Nothing here depends on gocomp's event loop; the owner passes its Post
// function and a Poller. Everything except the Discovery goroutine runs on
// the owner's goroutine.
//
// struct input_event is read and written with the platform's layout: its
// time fields are C longs, so an event is 24 bytes on 64-bit Linux (x86-64,
// arm64) and 16 on 32-bit (arm).
package evdev
