package evdev

import "testing"

// BenchmarkDecode decodes a USB keyboard's typing (MSC_SCAN, key, SYN_REPORT
// per press and per release, with autorepeat mixed in) in reads of 64
// events, as Device.Dispatch does.
func BenchmarkDecode(b *testing.B) {
	var evs []ev
	for i := 0; len(evs) < 64*64; i++ {
		k := key("KEY_A", 1)
		k.code += uint16(i % 26)
		evs = append(evs, ev{EvMsc, 4, 0x70004}, k, synReport)
		if i%8 == 0 {
			k.value = 2
			evs = append(evs, k, ev{EvSyn, SynReport, 1})
		}
		k.value = 0
		evs = append(evs, ev{EvMsc, 4, 0x70004}, k, synReport)
	}
	data := stream(evs...)
	const read = 64 * EventSize
	d := NewDecoder(nil)
	var frames int
	sink := SinkFunc(func(f *Frame) { frames++ })
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		for off := 0; off < len(data); off += read {
			d.Decode(data[off:min(off+read, len(data))], sink)
		}
	}
	b.ReportMetric(float64(len(evs))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	if frames == 0 {
		b.Fatal("no frames decoded")
	}
}
