package backend

// The interfaces here are optional: a backend or output implements them
// when it can, and the compositor checks with a type assertion.

// PowerSaver is an Output that can switch its screen off (DPMS) and back
// on. While off, the output calls no Handler.Frame; a ScheduleFrame made
// meanwhile is served once it is back on, showing the picture it had.
type PowerSaver interface {
	// SetPower switches the screen on or off; an error means the screen
	// stayed as it was (the compositor then blanks it by drawing black).
	SetPower(on bool) error
}

// VTSwitcher is a Backend whose session has virtual terminals (the Linux
// console) the user can switch to.
type VTSwitcher interface {
	// SwitchVT asks the session to switch to virtual terminal n (1..63);
	// the backend pauses when the switch happens. Loop goroutine.
	SwitchVT(n int) error
}
